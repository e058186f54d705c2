// tlsoverride doctor PROGRAM: can the preload library govern PROGRAM, and why.
//
// The answer comes from the file, never from running it: its mode and capabilities (secure
// execution drops LD_PRELOAD), its ELF headers, the DT_NEEDED closure resolved the way
// ld.so resolves it, and dynamic symbols and strings where a library is linked in. Each
// fact it rests on is printed as an evidence line before the verdict.
#include "args.hpp"
#include "commands.hpp"
#include "doctor.hpp"
#include "elf_file.hpp"
#include "executable.hpp"
#include "runtimes.hpp"
#include "json.hpp"

#include <elf.h>
#include <glob.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int exit_governed = 0;
constexpr int exit_not_governed = 1;
constexpr int exit_usage = 2;
constexpr int max_script_depth = 4;  // the kernel's own limit on nested #! interpreters

constexpr const char* usage_text =
    "usage: tlsoverride doctor [--json] PROGRAM\n"
    "\n"
    "Says whether tlsoverride can govern PROGRAM's TLS, and why: a dynamically linked libssl,\n"
    "libssl loaded at run time (interpreters), GnuTLS or NSS, an OpenSSL of its own, setuid.\n"
    "PROGRAM is looked up in PATH unless it contains a slash; for a #! script, its\n"
    "interpreter is inspected. Reads files only: PROGRAM is never run.\n"
    "\n"
    "      --json      one JSON object: program, path, evidence [{label, text}], verdict\n"
    "                  (\"yes\", \"yes, at run time\", \"no\", \"cannot tell\"), governed, why, next\n"
    "  -h, --help      this text\n"
    "      --version   version\n"
    "\n"
    "Exit status: 0 tlsoverride can govern it; 1 it cannot, or that cannot be told from the\n"
    "files; 2 usage error, or PROGRAM not found or unreadable.\n"
    "\n"
    "example: tlsoverride doctor curl\n";

// ---- output -----------------------------------------------------------------------

// Text prints each line as it is found; --json collects them for one object.
enum class Output { text, json };
Output output = Output::text;
std::vector<std::string> json_evidence;  // {"label":...,"text":...} objects
std::vector<std::string> json_programs;  // each file inspected, a script's interpreter after it

void evidence(const std::string& label, const std::string& text) {
    if (output == Output::text) std::printf("  %s: %s\n", label.c_str(), text.c_str());
    else json_evidence.push_back(tlso::cli::JsonObject().string("label", label).string("text", text).text());
}

// A heading line of the text report ("program: ...", "interpreter of ...").
void heading(const std::string& text) {
    if (output == Output::text) std::printf("%s\n", text.c_str());
}

enum class Outcome { governed, governed_at_run_time, not_governed, unknown };

struct Verdict {
    Outcome outcome;
    std::string why;
    std::vector<std::string> next;  // what the operator can do now
};

struct JsonVerdict {
    std::string word, why;
    bool governed = false;
    std::vector<std::string> next;
};
JsonVerdict json_verdict;  // for --json

int print_verdict(const Verdict& v) {
    const char* word = "";
    switch (v.outcome) {
        case Outcome::governed: word = "yes"; break;
        case Outcome::governed_at_run_time: word = "yes, at run time"; break;
        case Outcome::not_governed: word = "no"; break;
        case Outcome::unknown: word = "cannot tell"; break;
    }
    bool governed = v.outcome == Outcome::governed || v.outcome == Outcome::governed_at_run_time;
    if (output == Output::text) {
        std::printf("%s: %s\n", word, v.why.c_str());
        for (const std::string& line : v.next) std::printf("  %s\n", line.c_str());
    } else {
        json_verdict = {word, v.why, governed, v.next};
    }
    return governed ? exit_governed : exit_not_governed;
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string directory_name(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string real_path(const std::string& path) {
    char resolved[PATH_MAX];
    return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string> glob_paths(const std::string& pattern) {
    std::vector<std::string> out;
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    globfree(&g);
    return out;
}

// ---- finding libraries the way ld.so does -------------------------------------------

// ld.so.conf lines: a directory, or "include GLOB" (relative globs are relative to /etc).
void read_ld_so_conf(const std::string& path, std::vector<std::string>& dirs, int depth) {
    if (depth > 8) return;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        line = line.substr(b, line.find_last_not_of(" \t") - b + 1);
        if (starts_with(line, "include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
            std::string pattern = line.substr(line.find_first_not_of(" \t", 7));
            if (pattern.front() != '/') pattern = "/etc/" + pattern;
            for (const std::string& file : glob_paths(pattern)) read_ld_so_conf(file, dirs, depth + 1);
        } else if (line.front() == '/') {
            dirs.push_back(line);
        }
    }
}

struct Library {
    std::string soname;     // the DT_NEEDED name
    std::string path;       // where it was found
    std::string needed_by;  // the soname (or program name) whose DT_NEEDED named it
    ElfFile elf;
};

class LibraryResolver {
public:
    explicit LibraryResolver(const ElfFile& program) : program_(program) {
        if (const char* llp = std::getenv("LD_LIBRARY_PATH")) library_path_ = split(llp);
        read_ld_so_conf("/etc/ld.so.conf", system_dirs_, 0);
        // ld.so's built-in trusted directories come last (Debian adds the multiarch ones).
        for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
            system_dirs_.push_back(d);
    }

    // ld.so's order: DT_RPATH of the requester and of the program (only when the requester
    // has no DT_RUNPATH), LD_LIBRARY_PATH, the requester's DT_RUNPATH, ld.so.cache's
    // directories (here: /etc/ld.so.conf), the defaults. The cache itself is not read.
    std::optional<std::string> resolve(const std::string& soname, const ElfFile& requester,
                                       const std::string& requester_path) const {
        if (soname.find('/') != std::string::npos) return usable(soname) ? std::optional(soname) : std::nullopt;
        std::vector<std::string> dirs;
        if (requester.runpath.empty()) {
            append(dirs, requester.rpath, requester_path);
            append(dirs, program_.rpath, requester_path);
        }
        dirs.insert(dirs.end(), library_path_.begin(), library_path_.end());
        append(dirs, requester.runpath, requester_path);
        dirs.insert(dirs.end(), system_dirs_.begin(), system_dirs_.end());
        for (const std::string& dir : dirs) {
            std::string candidate = dir + "/" + soname;
            if (usable(candidate)) return candidate;
        }
        return std::nullopt;
    }

private:
    static std::vector<std::string> split(const std::string& list) {
        std::vector<std::string> out;
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find_first_of(":;", start);
            if (end == std::string::npos) end = list.size();
            if (end > start) out.push_back(list.substr(start, end - start));
            start = end + 1;
        }
        return out;
    }

    static void append(std::vector<std::string>& dirs, const std::vector<std::string>& entries, const std::string& origin_file) {
        for (std::string dir : entries) {
            for (const char* token : {"$ORIGIN", "${ORIGIN}"}) {
                size_t at = dir.find(token);
                if (at != std::string::npos) dir.replace(at, std::strlen(token), directory_name(real_path(origin_file)));
            }
            dirs.push_back(dir);
        }
    }

    // ld.so skips a file of another ELF class or machine and keeps searching.
    bool usable(const std::string& path) const {
        if (access(path.c_str(), R_OK) != 0) return false;
        std::string error;
        std::optional<ElfFile> elf = read_elf(path, error);
        return elf && elf->bits == program_.bits && elf->machine == program_.machine;
    }

    const ElfFile& program_;
    std::vector<std::string> library_path_;
    std::vector<std::string> system_dirs_;
};

struct Closure {
    std::vector<Library> libraries;   // breadth first, as ld.so loads them
    std::vector<std::string> missing; // "libfoo.so.1 (needed by bar)"
};

Closure dependency_closure(const std::string& program_name, const std::string& program_path, const ElfFile& program) {
    LibraryResolver resolver(program);
    Closure closure;
    std::set<std::string> seen;
    // Who asked for a library: -1 for the program, else an index into closure.libraries
    // (indices, not pointers: the vector grows while we walk it).
    struct Pending { std::string soname; long requester; };
    std::vector<Pending> queue;
    for (const std::string& n : program.needed) queue.push_back({n, -1});
    for (size_t next = 0; next < queue.size(); ++next) {
        const Pending p = queue[next];
        if (!seen.insert(p.soname).second) continue;
        const bool by_program = p.requester < 0;
        const ElfFile& requester = by_program ? program : closure.libraries[p.requester].elf;
        const std::string requester_path = by_program ? program_path : closure.libraries[p.requester].path;
        const std::string needed_by = by_program ? program_name : closure.libraries[p.requester].soname;
        std::optional<std::string> path = resolver.resolve(p.soname, requester, requester_path);
        std::string error;
        std::optional<ElfFile> elf = path ? read_elf(*path, error) : std::nullopt;
        if (!elf) {
            closure.missing.push_back(p.soname + " (needed by " + needed_by + ")");
            continue;
        }
        closure.libraries.push_back({p.soname, *path, needed_by, std::move(*elf)});
        const long index = static_cast<long>(closure.libraries.size() - 1);
        for (const std::string& n : closure.libraries.back().elf.needed) queue.push_back({n, index});
    }
    return closure;
}

// Evidence lines for the chain of DT_NEEDED entries that brought LIB in; SHOWN keeps a
// link shared by two chains (curl's libcurl.so.4) from being printed twice.
void show_chain(const Closure& closure, const Library& lib, std::set<std::string>& shown) {
    std::vector<const Library*> chain = {&lib};
    for (int guard = 0; guard < 64; ++guard) {
        const Library* parent = nullptr;
        for (const Library& l : closure.libraries)
            if (l.soname == chain.back()->needed_by) parent = &l;
        if (!parent) break;
        chain.push_back(parent);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        if (shown.insert((*it)->soname).second)
            evidence("DT_NEEDED of " + (*it)->needed_by, (*it)->soname + " => " + (*it)->path);
}

const Library* find_library(const Closure& closure, bool (*matches)(const std::string& soname)) {
    for (const Library& l : closure.libraries)
        if (matches(l.soname)) return &l;
    return nullptr;
}

bool is_openssl_libssl(const std::string& soname) { return starts_with(soname, "libssl.so."); }
bool is_openssl_libcrypto(const std::string& soname) { return starts_with(soname, "libcrypto.so."); }
bool is_gnutls(const std::string& soname) { return starts_with(soname, "libgnutls.so."); }
// NSS's TLS library is libssl3.so, not to be confused with OpenSSL's libssl.so.3.
bool is_nss(const std::string& soname) { return soname == "libnss3.so" || soname == "libssl3.so"; }

// ---- what to do instead, per program ----------------------------------------------

std::vector<std::string> gnutls_knobs(const std::string& name) {
    if (starts_with(name, "wget"))
        return {"wget's own knob: --secure-protocol=TLSv1_2 (or secureprotocol = TLSv1_2 in /etc/wgetrc);",
                "--ciphers=PRIORITY takes a GnuTLS priority string."};
    if (starts_with(name, "git"))
        return {"git over HTTPS: git -c http.sslVersion=tlsv1.2 -c http.sslCipherList=... (git-remote-https uses libcurl-gnutls)."};
    if (starts_with(name, "curl"))
        return {"this curl is built on GnuTLS: use its own --tlsv1.2, --tls-max and --ciphers flags."};
    if (starts_with(name, "gnutls-cli")) return {"gnutls-cli's own knob: --priority=NORMAL:-VERS-ALL:+VERS-TLS1.2"};
    return {"GnuTLS reads a system-wide priority file, /etc/gnutls/config (see the GnuTLS manual,",
            "\"System-wide configuration of the library\"); or use the program's own TLS options."};
}

std::vector<std::string> bundled_openssl_knobs(const std::string& name) {
    if (starts_with(name, "node") || starts_with(name, "nodejs"))
        return {"node's own knobs: --tls-min-v1.2, --tls-max-v1.3, --tls-cipher-list=LIST,",
                "also through the environment: NODE_OPTIONS='--tls-min-v1.2'."};
    return {"use the program's own TLS settings; tlsoverride governs programs that load libssl.so.3 or libssl.so.1.1."};
}

// ---- interpreters that load libssl at run time --------------------------------------

struct RunTimeLoader {
    std::string_view name_prefix;  // matched against the program's base name and real name
    const char* module;            // what loads libssl, for the verdict
    std::vector<std::string> module_globs;  // relative to the interpreter's prefix
};

// Where each interpreter keeps the extension module that links libssl. The prefix is the
// directory above the interpreter's bin directory (/usr, ~/.pyenv/versions/3.11.7).
std::vector<RunTimeLoader> run_time_loaders(const std::string& real_name) {
    // python3.11 keeps its modules in lib/python3.11; a bare python3 means any 3.x.
    std::string python_dir = starts_with(real_name, "python") && real_name.find('.') != std::string::npos
                                 ? real_name : "python3*";
    return {
        {"python", "its ssl module (_ssl)", {"/lib/" + python_dir + "/lib-dynload/_ssl*.so"}},
        {"perl", "Net::SSLeay (used by IO::Socket::SSL)",
         {"/lib/*/perl5/*/auto/Net/SSLeay/SSLeay.so", "/lib/*/perl/*/auto/Net/SSLeay/SSLeay.so",
          "/local/lib/*/perl/*/auto/Net/SSLeay/SSLeay.so", "/lib/perl5/auto/Net/SSLeay/SSLeay.so"}},
        {"ruby", "its openssl extension", {"/lib/*/ruby/*/openssl.so", "/lib/ruby/*/*/openssl.so"}},
        {"php", "its openssl extension", {"/lib/php/*/openssl.so"}},
    };
}

const RunTimeLoader* run_time_loader_for(const std::vector<RunTimeLoader>& loaders, const std::string& name,
                                         const std::string& real_name) {
    for (const RunTimeLoader& l : loaders)
        if (starts_with(name, l.name_prefix) || starts_with(real_name, l.name_prefix)) return &l;
    return nullptr;
}

// COMMAND is what the operator asked about: the script, not its interpreter.
std::string how_to_check(const std::string& command) {
    return "check a real run: tlsoverride run --log info --min-protocol TLSv1.2 -- " + command +
           " ...\n  prints \"tlsoverride[PID]: info: client context: ...\" for each TLS context it configures.";
}

// An interpreter links no TLS library itself; its extension module does, once a script
// imports it. Finding that module and its libssl is as far as the files go.
Verdict diagnose_run_time_loader(const RunTimeLoader& loader, const std::string& name, const std::string& path,
                                 const std::string& command) {
    std::string prefix = directory_name(directory_name(real_path(path)));
    if (prefix == "/") prefix = "";
    for (const std::string& pattern : loader.module_globs) {
        for (const std::string& module : glob_paths(prefix + pattern)) {
            std::string error;
            std::optional<ElfFile> elf = read_elf(module, error);
            if (!elf) continue;
            Closure closure = dependency_closure(base_name(module), module, *elf);
            const Library* ssl = find_library(closure, is_openssl_libssl);
            evidence("module", module);
            if (!ssl) {
                evidence("module DT_NEEDED", joined(elf->needed));
                continue;
            }
            std::set<std::string> shown;
            show_chain(closure, *ssl, shown);
            std::string version = find_openssl_version(ssl->path);
            if (version.empty())
                if (const Library* crypto = find_library(closure, is_openssl_libcrypto)) version = find_openssl_version(crypto->path);
            if (!version.empty()) evidence("OpenSSL version", version);
            return {Outcome::governed_at_run_time,
                    name + " loads " + ssl->soname + " at run time through " + loader.module +
                        "; whether a given script uses TLS cannot be known from the files.",
                    {how_to_check(command)}};
        }
    }
    evidence("module", std::string("none found for ") + loader.module + " under " + (prefix.empty() ? "/" : prefix));
    return {Outcome::unknown,
            name + " is an interpreter that loads TLS support at run time, but " + loader.module +
                " was not found next to it, so it cannot be told from the files.",
            {how_to_check(command)}};
}

// ---- ELF programs ------------------------------------------------------------------

// The tlsoverride library for a program of another class (32-bit x86 beside a 64-bit
// tool): installed in the multiarch directory of that class, or built by make i386.
std::string library_of_class(const ElfFile& elf) {
    if (elf.bits != 32 || elf.machine != EM_386) return {};
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return {};
    self[n] = '\0';
    std::string here(self);
    here = here.substr(0, here.rfind('/'));
    for (const std::string& dir : {here + "/i386", here + "/../lib/i386-linux-gnu/tlsoverride", here + "/../lib32/tlsoverride",
                                   std::string("/usr/lib/i386-linux-gnu/tlsoverride")}) {
        std::string file = dir + "/libtlsoverride.so", error;
        std::optional<ElfFile> lib = read_elf(file, error);
        if (lib && lib->bits == 32 && lib->machine == EM_386 && access((dir + "/libtlsoverride-engine.so").c_str(), R_OK) == 0) {
            char resolved[PATH_MAX];
            return realpath(file.c_str(), resolved) ? resolved : file;
        }
    }
    return {};
}

bool same_architecture_as_this_tool(const ElfFile& elf) {
    std::string error;
    std::optional<ElfFile> self = read_elf("/proc/self/exe", error);
    return !self || (self->bits == elf.bits && self->machine == elf.machine);
}

size_t count_with_prefix(const std::set<std::string>& names, std::string_view prefix) {
    size_t n = 0;
    for (const std::string& s : names) n += starts_with(s, prefix);
    return n;
}

// A program that defines OpenSSL's functions itself binds its own calls to them at link
// time; LD_PRELOAD only wins for calls that go through the dynamic linker.
std::string bundled_openssl_evidence(const std::string& path, const ElfFile& elf) {
    std::string found;
    if (elf.defined_symbols.count("SSL_CTX_new"))
        found = "defines SSL_CTX_new and " + std::to_string(count_with_prefix(elf.defined_symbols, "SSL_") - 1) +
                " other SSL_* functions itself";
    std::string version = find_openssl_version(path);
    if (!version.empty()) found += (found.empty() ? "" : "; ") + std::string("contains \"") + version + "\"";
    return found;
}

// Go's linker writes a build-information blob ("\xff Go buildinf:") into every binary;
// its crypto/tls is Go code, so no libssl call is ever made.
std::string go_evidence(const std::string& path) {
    // Assembled at run time: the literal "\xff Go buildinf:" in this binary would make
    // tlsoverride itself look like a Go program.
    volatile char first = '\xff';
    std::string magic = std::string(1, first) + " Go buildinf:";
    if (!file_contains(path, magic)) return "";
    std::string version = find_string_starting(path, "go1.");
    return "Go build information" + (version.empty() ? std::string() : " (" + version + ")");
}

// What the program's libraries and its own symbols say about its TLS library.
struct TlsFindings {
    const Library* libssl = nullptr;
    const Library* gnutls = nullptr;
    const Library* nss = nullptr;
    const Library* library_with_own_openssl = nullptr;  // defines SSL_CTX_new but is not libssl
    bool program_defines_openssl = false;
    std::string openssl_inside_program;  // evidence text, or ""
};

// Prints the evidence lines for the TLS libraries found and returns them.
TlsFindings find_tls_libraries(const std::string& name, const std::string& path, const ElfFile& elf,
                               const Closure& closure) {
    TlsFindings f;
    f.libssl = find_library(closure, is_openssl_libssl);
    f.gnutls = find_library(closure, is_gnutls);
    f.nss = find_library(closure, is_nss);
    for (const Library& l : closure.libraries)
        if (!f.library_with_own_openssl && l.elf.defined_symbols.count("SSL_CTX_new") && !is_openssl_libssl(l.soname))
            f.library_with_own_openssl = &l;
    f.program_defines_openssl = elf.defined_symbols.count("SSL_CTX_new") > 0;
    f.openssl_inside_program = bundled_openssl_evidence(path, elf);

    std::set<std::string> shown;
    if (f.libssl) {
        show_chain(closure, *f.libssl, shown);
        std::string version = find_openssl_version(f.libssl->path);
        std::string version_from = f.libssl->path;
        if (const Library* crypto = version.empty() ? find_library(closure, is_openssl_libcrypto) : nullptr) {
            version = find_openssl_version(crypto->path);
            version_from = crypto->path;
        }
        if (!version.empty()) evidence("OpenSSL version", version + " (text in " + version_from + ")");
    }
    if (f.gnutls) show_chain(closure, *f.gnutls, shown);
    if (f.nss) show_chain(closure, *f.nss, shown);
    if (f.library_with_own_openssl) show_chain(closure, *f.library_with_own_openssl, shown);
    if (!f.openssl_inside_program.empty()) evidence("inside " + name, f.openssl_inside_program);
    return f;
}

// Programs that leave https to a helper program of their own (Debian's paths): the
// helper is what links the TLS library, and what the preload governs, since the
// environment (LD_PRELOAD, TLSOVERRIDE_*) reaches it.
const char* tls_helper_of(const std::string& program) {
    if (program == "git") return "/usr/lib/git-core/git-remote-https";
    if (program == "apt" || program == "apt-get" || program == "aptitude") return "/usr/lib/apt/methods/http";
    return nullptr;
}

Verdict diagnose_elf(const std::string& name, const std::string& path, const FileMode& mode, const std::string& command);

// Secure execution first (nothing else matters then), then an OpenSSL of the program's
// own (its calls never leave it), then the libraries it links, then run-time loading.
Verdict decide(const std::string& name, const std::string& path, const std::string& command, const FileMode& mode,
               const TlsFindings& f, size_t library_count) {
    const std::string real_name = base_name(real_path(path));
    if (std::string privileged = secure_execution_reason(mode); !privileged.empty())
        return {Outcome::not_governed,
                name + ": " + privileged + ", so the kernel starts it in secure-execution mode and ld.so silently "
                       "ignores LD_PRELOAD (tlsoverride run refuses it).",
                {"only /etc/ld.so.preload reaches it, for every program on the machine, and then only",
                 "/etc/tlsoverride/config.toml applies (see 'Setuid programs' in tlsoverride(1))."}};
    // Java and node carry their own TLS; tlsoverride run translates the policy for them.
    if (std::optional<RuntimeAnswer> runtime = runtime_answer(path, command))
        return {Outcome::governed, runtime->why, runtime->next};
    if (f.program_defines_openssl)
        return {Outcome::not_governed,
                name + " carries its own OpenSSL: its calls to it are bound inside the program and never reach a preloaded library.",
                bundled_openssl_knobs(real_name)};
    if (f.libssl && f.libssl->soname != "libssl.so.3" && f.libssl->soname != "libssl.so.1.1")
        return {Outcome::not_governed,
                name + " uses " + f.libssl->soname + ", an OpenSSL older than 1.1.1 (or not OpenSSL's); tlsoverride "
                       "governs OpenSSL 3.x and 1.1.1, and leaves this program's calls exactly as they are.",
                {"use the program's own TLS settings, or run it against OpenSSL 1.1.1 or 3.x if it allows."}};
    if (f.libssl) {
        std::vector<std::string> next = {"tlsoverride run [FLAGS] -- " + command + " ... applies the policy."};
        for (const Library* other : {f.gnutls, f.nss})
            if (other)
                next.push_back("it also loads " + other->soname + " (through " + other->needed_by +
                               "): connections made through that library are not governed.");
        return {Outcome::governed,
                name + " uses OpenSSL through " + f.libssl->soname +
                    (f.libssl->needed_by == name ? "" : " (needed by " + f.libssl->needed_by + ")") + ".",
                next};
    }
    if (const Library* l = f.library_with_own_openssl)
        return {Outcome::not_governed,
                l->soname + " (" + l->path + ") carries its own OpenSSL; calls inside it do not reach a preloaded library.",
                bundled_openssl_knobs(real_name)};
    // --- GnuTLS: governed through its priority functions (shim/gnutls) ---
    if (f.gnutls && f.gnutls->soname == "libgnutls.so.30")
        return {Outcome::governed,
                name + " uses GnuTLS (" + f.gnutls->soname +
                    (f.gnutls->needed_by == name ? "" : ", needed by " + f.gnutls->needed_by) +
                    "): tlsoverride governs it through its priority strings.",
                {"tlsoverride run [FLAGS] -- " + command + " ... applies the policy; tlsoverride explain shows the "
                 "GnuTLS priority tokens it adds."}};
    if (f.gnutls)
        return {Outcome::unknown, name + " uses " + f.gnutls->soname + "; tlsoverride governs GnuTLS 3.6 and later (libgnutls.so.30).",
                gnutls_knobs(real_name)};
    if (f.nss)
        return {Outcome::not_governed, name + " uses NSS (" + f.nss->soname + "), not OpenSSL; tlsoverride governs OpenSSL only.",
                {"use the program's own TLS settings (Firefox and Thunderbird: the security.tls.version.min and .max preferences)."}};
    if (!f.openssl_inside_program.empty())
        return {Outcome::not_governed, name + " contains an OpenSSL of its own; calls inside it do not reach a preloaded library.",
                bundled_openssl_knobs(real_name)};

    if (std::string go = go_evidence(path); !go.empty()) {
        evidence("inside " + name, go);
        return {Outcome::not_governed, name + " is a Go program: Go's crypto/tls is not OpenSSL, and a preloaded library never sees it.",
                {"Go has no TLS knob outside the program: change its tls.Config, or put a TLS proxy (stunnel) in front."}};
    }
    std::vector<RunTimeLoader> loaders = run_time_loaders(real_name);
    if (const RunTimeLoader* loader = run_time_loader_for(loaders, base_name(name), real_name))
        return diagnose_run_time_loader(*loader, name, path, command);
    std::string named = find_string_starting(path, "libssl.so");
    if (!named.empty()) {
        evidence("string in " + name, "\"" + named + "\" (a library name, usually for dlopen)");
        return {Outcome::governed_at_run_time,
                name + " names " + named + " and probably loads it at run time with dlopen; that cannot be confirmed from the files.",
                {how_to_check(command)}};
    }
    // --- programs whose TLS is in a helper they start (git, apt) ---
    if (const char* helper = tls_helper_of(real_name)) {
        if (std::optional<FileMode> helper_mode = file_mode_of(helper)) {
            evidence("TLS helper", std::string(helper) + " (" + name + " starts it for https)");
            Verdict v = diagnose_elf(base_name(helper), helper, *helper_mode, command);
            v.why = name + " does its TLS in " + helper + ": " + v.why;
            return v;
        }
    }
    return {Outcome::not_governed,
            name + " links no TLS library (no libssl, GnuTLS or NSS among its " + std::to_string(library_count) +
                " libraries) and contains no OpenSSL: it does not seem to use TLS, or loads it in a way the files do not show.",
            {how_to_check(command)}};
}

Verdict diagnose_elf(const std::string& name, const std::string& path, const FileMode& mode, const std::string& command) {
    std::string error;
    std::optional<ElfFile> elf = read_elf(path, error);
    if (!elf) return {Outcome::unknown, path + ": " + error + "; doctor reads ELF programs and #! scripts.", {}};

    const bool dynamic = !elf->interpreter.empty();
    evidence("ELF", describe_architecture(*elf) + (elf->type == ET_DYN ? " position-independent" : "") +
                        (dynamic ? ", dynamically linked, interpreter " + elf->interpreter : ", statically linked (no PT_INTERP)"));

    if (!same_architecture_as_this_tool(*elf)) {
        std::string library = library_of_class(*elf);
        if (library.empty())
            return {Outcome::not_governed,
                    name + " is " + describe_architecture(*elf) + " and no tlsoverride library of that class is installed; "
                           "ld.so refuses a preload library of the wrong class (it prints an error and carries on without it).",
                    {"build it with make i386 (32-bit x86) and install it with make install: one "
                     "LD_PRELOAD=PREFIX/$LIB/tlsoverride/libtlsoverride.so then serves both classes."}};
        evidence("library of its class", library);
    }
    if (!dynamic) {
        std::string bundled = bundled_openssl_evidence(path, *elf);
        if (!bundled.empty()) evidence("inside " + name, bundled);
        return {Outcome::not_governed,
                name + " is statically linked: ld.so never runs, so LD_PRELOAD has no effect" +
                    (bundled.empty() ? "." : ", and it carries its own OpenSSL."),
                bundled_openssl_knobs(base_name(real_path(path)))};
    }

    evidence("DT_NEEDED", elf->needed.empty() ? "(none)" : joined(elf->needed));
    if (!elf->runpath.empty()) evidence("DT_RUNPATH", joined(elf->runpath, ":"));
    if (!elf->rpath.empty()) evidence("DT_RPATH", joined(elf->rpath, ":"));
    Closure closure = dependency_closure(name, path, *elf);
    evidence("libraries", std::to_string(closure.libraries.size()) + " resolved through DT_NEEDED");
    for (const std::string& m : closure.missing) evidence("not found", m);

    TlsFindings findings = find_tls_libraries(name, path, *elf, closure);
    return decide(name, path, command, mode, findings, closure.libraries.size());
}

// ---- scripts ------------------------------------------------------------------------

struct Shebang {
    std::string interpreter;  // as written
    std::string argument;     // the rest of the line
};

std::optional<Shebang> read_shebang(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[2] = {};
    if (!in.read(head, 2) || head[0] != '#' || head[1] != '!') return std::nullopt;
    std::string line;
    std::getline(in, line);
    line = line.substr(0, 254);  // the kernel reads at most this much of the #! line
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) return Shebang{};
    size_t e = line.find_first_of(" \t\r", b);
    Shebang s{line.substr(b, e == std::string::npos ? std::string::npos : e - b), ""};
    if (e != std::string::npos) {
        size_t a = line.find_first_not_of(" \t", e);
        if (a != std::string::npos) s.argument = line.substr(a, line.find_last_not_of(" \t\r") - a + 1);
    }
    return s;
}

// "#!/usr/bin/env python3" and "#!/usr/bin/env -S perl -w": env's first word that is
// neither an option nor a NAME=VALUE assignment is the program, looked up in PATH.
std::string program_after_env(const std::string& argument) {
    size_t at = 0;
    while (at < argument.size()) {
        size_t b = argument.find_first_not_of(" \t", at);
        if (b == std::string::npos) break;
        size_t e = argument.find_first_of(" \t", b);
        std::string word = argument.substr(b, e == std::string::npos ? std::string::npos : e - b);
        at = e == std::string::npos ? argument.size() : e;
        if (word.front() == '-' || word.find('=') != std::string::npos) continue;
        return word;
    }
    return "";
}

bool is_shell(const std::string& name) {
    for (const char* shell : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "busybox", "ash"})
        if (name == shell) return true;
    return false;
}

bool file_mentions(const std::string& path, const std::string& text) {
    std::ifstream in(path);
    std::string line;
    for (int n = 0; n < 200 && std::getline(in, line); ++n)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

int diagnose(const std::string& name, int depth, const std::string& command);

int diagnose_script(const std::string& name, const std::string& path, const Shebang& shebang, int depth,
                    const std::string& command) {
    evidence("script", "#!" + shebang.interpreter + (shebang.argument.empty() ? "" : " " + shebang.argument));
    std::string interpreter = shebang.interpreter;
    if (base_name(interpreter) == "env") {
        interpreter = program_after_env(shebang.argument);
        std::optional<std::string> found = find_program(interpreter);
        evidence("interpreter", interpreter + (found ? " => " + *found + " (found in PATH by env)" : " not found in PATH"));
        if (found) interpreter = *found;
    }
    if (interpreter.empty())
        return print_verdict({Outcome::unknown, path + " has an empty #! line.", {}});

    if (is_shell(base_name(real_path(interpreter))) || is_shell(base_name(interpreter))) {
        Verdict v{Outcome::unknown,
                  name + " is a shell script: the shell uses no TLS itself; the programs the script starts do, and they "
                         "inherit the policy from tlsoverride run.",
                  {"run tlsoverride doctor on the programs the script starts."}};
        // A pyenv shim (the usual python3 on a developer's PATH) only execs the real interpreter.
        if (file_mentions(path, "pyenv") && file_mentions(path, "exec"))
            v.next = {"this is a pyenv shim: run tlsoverride doctor \"$(pyenv which " + base_name(name) + ")\"."};
        return print_verdict(v);
    }
    if (depth >= max_script_depth)
        return print_verdict({Outcome::unknown, "too many nested #! interpreters (the kernel stops at 4).", {}});
    heading("interpreter of " + name + ":");
    return diagnose(interpreter, depth + 1, command);
}

bool is_elf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

int diagnose(const std::string& name, int depth, const std::string& command) {
    std::optional<std::string> path = find_program(name);
    std::optional<FileMode> mode = path ? file_mode_of(*path) : std::nullopt;
    if (!path || !mode) {
        std::fprintf(stderr, "tlsoverride doctor: %s: %s\n", name.c_str(),
                     name.find('/') != std::string::npos ? "no such file" : "not found in PATH (give a path to the program)");
        return exit_usage;
    }
    if (depth == 0)
        heading("inspected (nothing is run): file mode and security.capability; ELF program headers,\n"
                "dynamic section and dynamic symbols; DT_NEEDED resolved as ld.so would (DT_RPATH,\n"
                "LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.conf, default directories; not ld.so.cache, not ldd)");
    std::string real = real_path(*path);
    heading("program: " + *path + (real != *path ? " -> " + real : ""));
    json_programs.push_back(tlso::cli::JsonObject().string("name", name).string("path", *path).string("real_path", real).text());
    evidence("mode", describe_mode(*mode) + (secure_execution_reason(*mode).empty()
                                                 ? " (not setuid, not setgid, no file capabilities)"
                                                 : " (" + secure_execution_reason(*mode) + ")"));
    if (std::optional<Shebang> shebang = read_shebang(*path)) return diagnose_script(name, *path, *shebang, depth, command);
    if (!is_elf(*path))
        return print_verdict({Outcome::unknown, *path + " is neither an ELF program nor a #! script.", {}});
    return print_verdict(diagnose_elf(name, *path, *mode, command));
}

}  // namespace

std::string unreachable_reason(const std::string& path) {
    if (!is_elf(path)) return "";
    std::string error;
    std::optional<ElfFile> elf = read_elf(path, error);
    if (!elf) return "";
    std::string name = base_name(path);
    if (!same_architecture_as_this_tool(*elf))
        return name + " is " + describe_architecture(*elf) +
               ", another class than this tlsoverride: ld.so will not load the library into it (tlsoverride doctor " + name + ")";
    if (elf->interpreter.empty())
        return name + " is statically linked: LD_PRELOAD has no effect on it (programs it starts are still governed)";
    if (!go_evidence(path).empty())
        return name + " is a Go program: Go's crypto/tls is not OpenSSL, the library cannot govern it";
    if (elf->defined_symbols.count("SSL_CTX_new"))
        return name + " carries its own OpenSSL: its TLS calls never reach the library (tlsoverride doctor " + name + ")";
    return "";
}

int command_doctor(int argc, char** argv) {
    static constexpr tlso::cli::Option options[] = {
        {"json", 0, tlso::cli::Takes::Nothing, "", "one JSON object"},
    };
    tlso::cli::Arguments args = tlso::cli::parse_arguments({"doctor", options, false, 1, "PROGRAM"}, argc, argv);
    if (args.help) return std::fputs(usage_text, stdout), 0;
    if (args.version) return std::printf("tlsoverride doctor %s\n", TLSO_VERSION), 0;
    if (!args.error.empty()) return tlso::cli::usage_error("doctor", args.error);
    if (args.operands.empty()) return tlso::cli::usage_error("doctor", "no PROGRAM given (usage: tlsoverride doctor [--json] PROGRAM)");
    const std::string& program = args.operands.front();
    if (!args.has("json")) return diagnose(program, 0, program);
    output = Output::json;
    int status = diagnose(program, 0, program);
    if (status == exit_usage) return status;  // the error is on standard error
    std::printf("%s\n", tlso::cli::JsonObject()
                            .string("program", program)
                            .raw("files", tlso::cli::json_list(json_programs))
                            .raw("evidence", tlso::cli::json_list(json_evidence))
                            .string("verdict", json_verdict.word)
                            .boolean("governed", json_verdict.governed)
                            .string("why", json_verdict.why)
                            .raw("next", tlso::cli::json_strings(json_verdict.next))
                            .number("exit_status", status)
                            .text()
                            .c_str());
    return status;
}
