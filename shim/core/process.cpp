#include "core/process.hpp"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

extern char* program_invocation_short_name;  // glibc: the base name of argv[0]

namespace tlso {
namespace {

std::string executable_name() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return {};
    std::string_view link(path, static_cast<std::size_t>(n));
    return std::string(link.substr(link.rfind('/') + 1));
}

// The process's TLSOVERRIDE_ variables, found in one pass over the environment
// (each of the ~17 lookups by name would walk all of it), in its order, so the
// first of a name wins as with getenv. None in secure execution (setuid, setgid,
// capabilities), where secure_getenv answers none: there only the file under /etc counts.
class OwnVariables {
public:
    explicit OwnVariables(char** environment) {
        for (char** e = environment; e && *e; e++)
            if (starts_with(*e, "TLSOVERRIDE_")) found_.push_back(*e);
    }
    const char* get(std::string_view name) const {
        for (const char* v : found_)
            if (starts_with(v, name) && v[name.size()] == '=') return v + name.size() + 1;
        return nullptr;
    }

private:
    // `text` is NUL-terminated: a shorter one differs at its end.
    static bool starts_with(const char* text, std::string_view prefix) {
        for (char c : prefix)
            if (*text++ != c) return false;
        return true;
    }
    std::vector<const char*> found_;
};

// Read when the engine is loaded, from the environment glibc hands every initializer:
// DT_INIT_ARRAY functions get (argc, argv, envp), in a program and in a library dlopen
// loads alike, envp being environ at that moment; the engine is started by the call that
// loads it. Not through `environ`: each variable a library imports is a search of every
// loaded library when it is loaded (make bench, figure 8). The strings are kept, not the
// array, which a later setenv may free (glibc keeps the strings).
const OwnVariables* variables_at_load = nullptr;

__attribute__((constructor)) void remember_environment(int, char**, char** envp) {
    try {
        variables_at_load = new OwnVariables(envp);
    } catch (...) {
        // Out of memory at load: no variables, the file alone configures.
    }
}

bool names_host_or_role(const Rule& r) { return !r.hosts.empty() || r.role; }

Process* start() {
    auto* p = new Process;
    p->program = program_invocation_short_name ? program_invocation_short_name : "";
    p->secure = secure_execution();

    const OwnVariables* variables = p->secure ? nullptr : variables_at_load;
    p->loaded = load_process_config([&](const char* name) { return variables ? variables->get(name) : nullptr; });
    const ProcessConfig& pc = p->loaded;
    // Only a rule's `program` globs look at the executable's name.
    if (std::any_of(pc.config.rules.begin(), pc.config.rules.end(), [](const Rule& r) { return !r.programs.empty(); }))
        p->executable = executable_name();
    const ProcessSettings& ps = pc.process;
    p->mode = ps.mode ? ps.mode->value : Mode::Default;
    p->on_error = ps.on_error ? ps.on_error->value : OnError::Fail;
    p->records = ps.log_handshakes && ps.log_handshakes->value;
    std::string log_problem = p->log.open(ps.log_level ? ps.log_level->value : LogLevel::Warn,
                                          ps.log_format ? ps.log_format->value : LogFormat::Text,
                                          ps.log_file ? ps.log_file->value : "", p->program,
                                          ps.log_file ? ps.log_file->origin.location : "");
    if (!log_problem.empty()) p->log.write(LogLevel::Error, log_problem);

    if (!pc.errors.empty()) {
        p->error = p->reject(pc.errors);
        return p;
    }
    bool anything = false;
    for (const Settings& s : pc.layers) anything |= !s.empty();
    for (std::size_t i = 0; i < pc.config.rules.size(); i++) {
        bool per_connection = names_host_or_role(pc.config.rules[i]);
        p->connection_rules |= per_connection;
    }
    p->governing = anything || p->records;
    if (p->log.enabled(LogLevel::Debug))  // nothing built when it would not be written
        p->log.write(LogLevel::Debug, "configuration: " + (pc.path.empty() ? std::string("environment only") : pc.path) +
                                          ", " + std::to_string(pc.config.rules.size()) + " rules, mode " +
                                          std::string(mode_name(p->mode)) +
                                          (p->governing ? "" : "; nothing to apply or observe"));
    return p;
}

}  // namespace

std::string Process::rule_name(std::optional<std::size_t> rule) const {
    if (rule) return "rule \"" + rules()[*rule].name + "\"";
    return loaded.path.empty() ? "the environment" : "[policy]";
}

Target Process::target(std::optional<Role> role, std::optional<std::string_view> host) const {
    // In secure execution argv[0] is the unprivileged caller's choice: only the real
    // executable's name may select a rule.
    Target t = target_for(program, executable, secure);
    t.role = role;
    t.host = host;
    return t;
}

std::string Process::reject(const Diagnostics& found) const {
    if (found.empty()) return {};
    for (const Diagnostic& d : found) log.write(LogLevel::Error, d.text());
    if (on_error == OnError::Fail) {
        log.write(LogLevel::Error, "every TLS context in this process will fail until the configuration is "
                                   "fixed (on_error = \"fail\"; check it with: tlsoverride check)");
        return found.front().text();
    }
    log.write(LogLevel::Error, "running this program unmodified (on_error = \"ignore\")");
    return {};
}

Process& process() {
    static Process* p = start();
    return *p;
}

void warn_weak(Process& p, const Settings& s, std::string_view where) {
    std::string what;
    if (s.min_protocol && s.min_protocol->value < Protocol::TLSv1_2)
        what = "protocols below TLSv1.2 (min_protocol " + std::string(protocol_name(s.min_protocol->value)) + " from " +
               s.min_protocol->origin.source + ")";
    else if (s.max_protocol && s.max_protocol->value < Protocol::TLSv1_2)
        what = "only protocols below TLSv1.2 (max_protocol from " + s.max_protocol->origin.source + ")";
    if (s.security_level && s.security_level->value < 1)
        what += (what.empty() ? "" : " and ") + std::string("security level 0 (from ") +
                s.security_level->origin.source + ")";
    else if (lowers_level_in_ciphers(s))
        what += (what.empty() ? "" : " and ") + std::string("security level 0 (@SECLEVEL=0 in ciphers from ") +
                s.ciphers->origin.source + ")";
    p.log.write(LogLevel::Warn, "the policy weakens TLS for " + std::string(where) + ": it allows " + what);
}

}  // namespace tlso
