// tlsoverride status: which running processes have the library loaded (their
// /proc/PID/maps), whether it is active in them (the engine, loaded on the first OpenSSL
// call, is mapped too), and where their policy comes from (their environment's
// TLSOVERRIDE_CONFIG, else the default under /etc; secure-execution processes ignore the
// environment). Reads /proc only; another user's processes need root.
#include <dirent.h>
#include <elf.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "json.hpp"

namespace cli = tlso::cli;

namespace {

constexpr int exit_found = 0;
constexpr int exit_none = 1;

constexpr const char* usage =
    "usage: tlsoverride status [--json]\n"
    "\n"
    "Lists the running processes that have libtlsoverride.so loaded (from /proc/PID/maps),\n"
    "whether it is active in them (its engine is loaded once the program calls OpenSSL),\n"
    "and where their policy comes from: the process's own TLSOVERRIDE_CONFIG, else\n"
    "/etc/tlsoverride/config.toml (and conf.d/); setuid programs read only the latter.\n"
    "Other users' processes are visible to root only; they are counted as unreadable.\n"
    "\n"
    "      --json      one JSON object: processes [{pid, program, executable, library,\n"
    "                  active, engine, secure_execution, config {path, from}, environment\n"
    "                  {TLSOVERRIDE_*: value}}], unreadable\n"
    "  -h, --help      this text\n"
    "      --version   version\n"
    "\n"
    "Exit status: 0 at least one process has the library; 1 none has (or none is\n"
    "readable); 2 usage error.\n"
    "\n"
    "example: sudo tlsoverride status\n";

struct Governed {
    int pid = 0;
    std::string program;     // /proc/PID/comm
    std::string executable;  // /proc/PID/exe
    std::string library;     // the mapped libtlsoverride.so
    std::string engine;      // the mapped engine, or "" when not active yet
    bool secure = false;     // AT_SECURE: the environment is ignored
    std::string config;      // the file or directory the policy comes from, or ""
    std::string config_from; // "TLSOVERRIDE_CONFIG", "default", "none"
    std::map<std::string, std::string> environment;  // TLSOVERRIDE_*
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string base_name(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// AT_SECURE from the process's auxiliary vector, whose words are the width of the
// process's own ELF class (a 32-bit program's are 4 bytes).
template <class Word>
bool auxv_secure(const std::string& auxv) {
    for (std::size_t at = 0; at + 2 * sizeof(Word) <= auxv.size(); at += 2 * sizeof(Word)) {
        Word type, value;
        std::memcpy(&type, auxv.data() + at, sizeof type);
        std::memcpy(&value, auxv.data() + at + sizeof type, sizeof value);
        if (type == AT_SECURE) return value != 0;
        if (type == AT_NULL) break;
    }
    return false;
}

bool secure_execution(const std::string& proc) {
    std::string auxv = read_all(proc + "/auxv");
    char header[EI_NIDENT] = {};
    std::ifstream(proc + "/exe", std::ios::binary).read(header, sizeof header);
    return header[EI_CLASS] == ELFCLASS32 ? auxv_secure<std::uint32_t>(auxv) : auxv_secure<std::uint64_t>(auxv);
}

// The library's own rule (process_config): TLSOVERRIDE_CONFIG, else the default file,
// else conf.d alone, else none. Paths are as the process sees them (its root may differ).
void policy_source(Governed& g) {
    auto it = g.environment.find("TLSOVERRIDE_CONFIG");
    if (!g.secure && it != g.environment.end() && !it->second.empty()) {
        g.config = it->second;
        g.config_from = "TLSOVERRIDE_CONFIG";
    } else if (access(tlso::default_config_path, F_OK) == 0) {
        g.config = tlso::default_config_path;
        g.config_from = "default";
    } else if (!tlso::dropin_files(std::string(tlso::default_config_dir) + "/conf.d").empty()) {
        g.config = tlso::default_config_dir;
        g.config_from = "default";
    } else {
        g.config_from = "none";
    }
}

// nullopt: not governed; an empty pid: unreadable.
std::optional<Governed> inspect(int pid, bool& unreadable) {
    std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream maps(proc + "/maps");
    if (!maps) {
        // Gone since readdir (ENOENT) is not unreadable; another user's process is.
        unreadable = errno == EACCES || errno == EPERM;
        return std::nullopt;
    }
    Governed g;
    std::string line;
    while (std::getline(maps, line)) {
        std::size_t slash = line.find('/');
        if (slash == std::string::npos) continue;
        std::string path = line.substr(slash);
        std::string name = base_name(path.substr(0, path.find(" (deleted)")));
        if (name == "libtlsoverride.so" && g.library.empty()) g.library = path;
        if (name == "libtlsoverride-engine.so" && g.engine.empty()) g.engine = path;
    }
    if (g.library.empty()) return std::nullopt;
    g.pid = pid;
    g.program = read_all(proc + "/comm");
    if (!g.program.empty() && g.program.back() == '\n') g.program.pop_back();
    char exe[PATH_MAX];
    ssize_t n = readlink((proc + "/exe").c_str(), exe, sizeof exe - 1);
    if (n > 0) g.executable.assign(exe, static_cast<std::size_t>(n));
    g.secure = secure_execution(proc);
    std::string environ = read_all(proc + "/environ");
    for (std::size_t at = 0; at < environ.size();) {
        std::size_t end = environ.find('\0', at);
        std::string entry = environ.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (entry.rfind("TLSOVERRIDE_", 0) == 0 && entry.find('=') != std::string::npos)
            g.environment[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
        if (end == std::string::npos) break;
        at = end + 1;
    }
    policy_source(g);
    return g;
}

std::string config_text(const Governed& g) {
    if (g.config_from == "none") return "none (environment only)";
    std::string text = tlso::one_line(g.config) + (g.config_from == "default" ? " (default)" : " (TLSOVERRIDE_CONFIG)");
    if (g.secure) text += ", setuid: environment ignored";
    return text;
}

}  // namespace

int command_status(int argc, char** argv) {
    static constexpr cli::Option options[] = {
        {"json", 0, cli::Takes::Nothing, "", "one JSON object"},
    };
    cli::Arguments args = cli::parse_arguments({"status", options, false, 0, "[--json]"}, argc, argv);
    if (args.help) return std::fputs(usage, stdout), 0;
    if (args.version) return std::printf("tlsoverride status %s\n", TLSO_VERSION), 0;
    if (!args.error.empty()) return cli::usage_error("status", args.error);

    std::vector<int> pids;
    if (DIR* d = opendir("/proc")) {
        while (const dirent* e = readdir(d)) {
            char* end = nullptr;
            long pid = std::strtol(e->d_name, &end, 10);
            if (*e->d_name && !*end && pid > 0) pids.push_back(static_cast<int>(pid));
        }
        closedir(d);
    }
    std::sort(pids.begin(), pids.end());
    std::vector<Governed> found;
    int unreadable = 0;
    for (int pid : pids) {
        if (pid == getpid()) continue;
        bool cannot = false;
        if (std::optional<Governed> g = inspect(pid, cannot)) found.push_back(*g);
        unreadable += cannot;
    }

    if (args.has("json")) {
        std::vector<std::string> items;
        for (const Governed& g : found) {
            cli::JsonObject env;
            for (const auto& [k, v] : g.environment) env.string(k, v);
            cli::JsonObject config;
            if (g.config.empty()) config.null("path");
            else config.string("path", g.config);
            config.string("from", g.config_from);
            cli::JsonObject o;
            o.number("pid", g.pid).string("program", g.program).string("executable", g.executable).string("library", g.library);
            o.boolean("active", !g.engine.empty());
            if (g.engine.empty()) o.null("engine");
            else o.string("engine", g.engine);
            o.boolean("secure_execution", g.secure).raw("config", config.text()).raw("environment", env.text());
            items.push_back(o.text());
        }
        std::printf("%s\n", cli::JsonObject().raw("processes", cli::json_list(items)).number("unreadable", unreadable).text().c_str());
        return found.empty() ? exit_none : exit_found;
    }
    if (found.empty()) {
        std::printf("no running process has libtlsoverride.so loaded%s\n",
                    unreadable ? (" (" + std::to_string(unreadable) + " could not be read" +
                                  (geteuid() == 0 ? std::string(")") : std::string(": run as root)"))).c_str()
                               : "");
        return exit_none;
    }
    std::printf("%-7s %-16s %-26s %s\n", "PID", "PROGRAM", "ACTIVE", "POLICY FROM");
    for (const Governed& g : found) {
        std::printf("%-7d %-16s %-26s %s\n", g.pid, tlso::one_line(g.program).c_str(),
                    g.engine.empty() ? "no (no OpenSSL call yet)" : "yes", config_text(g).c_str());
        std::printf("        library %s%s\n", tlso::one_line(g.library).c_str(),
                    g.library.find(" (deleted)") != std::string::npos ? ": replaced on disk since the process started" : "");
        for (const auto& [k, v] : g.environment)
            if (k != "TLSOVERRIDE_CONFIG") std::printf("        %s=%s%s\n", k.c_str(), tlso::one_line(v).c_str(), g.secure ? " (ignored)" : "");
    }
    if (unreadable)
        std::printf("(%d process%s could not be read%s)\n", unreadable, unreadable == 1 ? "" : "es",
                    geteuid() == 0 ? ": outside this user namespace or not traceable" : ": run as root to see them all");
    return exit_found;
}
