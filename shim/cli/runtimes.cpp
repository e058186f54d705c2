// Translating the policy for Java and node (runtimes.hpp). The decisions are the core's
// (load_process_config, first_matching_rule); this file only names them in each runtime's
// vocabulary and reports, located, what a runtime has no word for.
#include "runtimes.hpp"

#include "core/log.hpp"
#include "core/process_config.hpp"
#include "elf_file.hpp"
#include "executable.hpp"
#include "linked_openssl.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

using namespace tlso;

namespace {

constexpr const char* policy_variable = "TLSOVERRIDE_RUNTIME_POLICY";
constexpr const char* java_provider = "tlsoverride-jsse.jar";
constexpr const char* node_module = "tlsoverride.js";
constexpr int max_script_depth = 4;  // the kernel's own limit on nested #! interpreters

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string real_path(const std::string& path) {
    char resolved[PATH_MAX];
    return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

bool is_shell(const std::string& name) {
    for (const char* shell : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"})
        if (name == shell) return true;
    return false;
}

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = text.find_first_not_of(" \t\n", at)) != std::string::npos) {
        size_t end = text.find_first_of(" \t\n", at);
        out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        at = end;
    }
    return out;
}

// The interpreter a #! line names: its first word, or for /usr/bin/env the first word that
// is neither an option nor NAME=VALUE, looked up in PATH as env does.
std::optional<std::string> script_interpreter(const std::string& path, std::string& line) {
    std::ifstream in(path, std::ios::binary);
    char head[2] = {};
    if (!in.read(head, 2) || head[0] != '#' || head[1] != '!') return std::nullopt;
    std::getline(in, line);
    line = line.substr(0, 254);  // the kernel reads at most this much of the #! line
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> w = words(line);
    if (w.empty()) return std::nullopt;
    if (base_name(w[0]) != "env") return w[0];
    for (size_t i = 1; i < w.size(); ++i)
        if (w[i].front() != '-' && w[i].find('=') == std::string::npos) return find_program(w[i]);
    return std::nullopt;
}

RuntimeCommand recognise(const std::string& program, int depth) {
    RuntimeCommand rc;
    std::string real = real_path(program);
    std::string name = base_name(real);
    if (name == "java") {
        rc.runtime = Runtime::java;
    } else if (name == "node" || name == "nodejs") {
        rc.runtime = Runtime::node;
        // A node that defines OpenSSL's functions binds its calls to them inside itself.
        std::string error;
        std::optional<ElfFile> elf = read_elf(real, error);
        rc.own_openssl = elf && elf->defined_symbols.count("SSL_CTX_new");
    } else {
        std::string line;
        std::optional<std::string> interpreter = script_interpreter(program, line);
        if (!interpreter || depth >= max_script_depth) return rc;
        if (is_shell(base_name(real_path(*interpreter)))) {
            rc.runtime = Runtime::children;
            rc.interpreter = real_path(*interpreter);
            rc.how = program + ": #!" + line;
            return rc;
        }
        RuntimeCommand inner = recognise(*interpreter, depth + 1);
        if (inner.runtime != Runtime::none) inner.how = program + ": #!" + line + "; " + inner.how;
        return inner;
    }
    rc.interpreter = real;
    rc.how = real == program ? program : program + " -> " + real;
    return rc;
}

const char* runtime_name(Runtime r) { return r == Runtime::java ? "java" : r == Runtime::node ? "node" : "its children"; }


// ---- the policy's words in each runtime -------------------------------------------

// Percent-encoding for TLSOVERRIDE_RUNTIME_POLICY: safe in a systemd EnvironmentFile= and
// decoded by java.net.URLDecoder ('+' is encoded, never a space) and decodeURIComponent.
std::string encoded(const std::string& value) {
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || std::strchr("-._~,:/", c)) {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// OpenSSL's names of the ciphers a list selects, in its order, as IANA names (what JSSE
// calls them), computed by OpenSSL on a scratch context. Never an anonymous or
// null-encryption suite (design: a policy never enables aNULL or eNULL).
std::vector<std::string> iana_names(const std::optional<std::string>& ciphers, const std::optional<std::string>& suites,
                                    bool want_tls13) {
    std::vector<std::string> out;
    SSL_CTX* ctx = SSL_CTX_new(TLS_method());
    if (!ctx) return out;
    bool ok = (!ciphers || SSL_CTX_set_cipher_list(ctx, ciphers->c_str()) == 1) &&
              (!suites || SSL_CTX_set_ciphersuites(ctx, suites->c_str()) == 1);
    STACK_OF(SSL_CIPHER)* list = ok ? SSL_CTX_get_ciphers(ctx) : nullptr;
    for (int i = 0; list && i < sk_SSL_CIPHER_num(list); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
        bool tls13 = std::strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0;
        if (tls13 != want_tls13 || SSL_CIPHER_get_auth_nid(c) == NID_auth_null ||
            SSL_CIPHER_get_cipher_nid(c) == NID_undef)
            continue;
        if (const char* name = SSL_CIPHER_standard_name(c)) out.push_back(name);
    }
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return out;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : separator) + i;
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// OpenSSL group names to jdk.tls.namedGroups names.
std::optional<std::string> java_group(const std::string& openssl) {
    static const std::map<std::string, std::string> names = {
        {"x25519", "x25519"},       {"x448", "x448"},           {"p-256", "secp256r1"}, {"prime256v1", "secp256r1"},
        {"secp256r1", "secp256r1"}, {"p-384", "secp384r1"},     {"secp384r1", "secp384r1"},
        {"p-521", "secp521r1"},     {"secp521r1", "secp521r1"}, {"ffdhe2048", "ffdhe2048"},
        {"ffdhe3072", "ffdhe3072"}, {"ffdhe4096", "ffdhe4096"}, {"ffdhe6144", "ffdhe6144"}, {"ffdhe8192", "ffdhe8192"}};
    auto it = names.find(lower(openssl));
    return it == names.end() ? std::nullopt : std::optional(it->second);
}

// OpenSSL signature algorithm names (RSA+SHA256, or the TLS 1.3 scheme names OpenSSL also
// takes) to jdk.tls.*.SignatureSchemes names.
std::optional<std::string> java_signature_scheme(const std::string& openssl) {
    static const std::map<std::string, std::string> names = {
        {"rsa+sha1", "rsa_pkcs1_sha1"},       {"rsa+sha256", "rsa_pkcs1_sha256"},
        {"rsa+sha384", "rsa_pkcs1_sha384"},   {"rsa+sha512", "rsa_pkcs1_sha512"},
        {"ecdsa+sha1", "ecdsa_sha1"},         {"ecdsa+sha256", "ecdsa_secp256r1_sha256"},
        {"ecdsa+sha384", "ecdsa_secp384r1_sha384"}, {"ecdsa+sha512", "ecdsa_secp521r1_sha512"},
        {"rsa-pss+sha256", "rsa_pss_rsae_sha256"},  {"rsa-pss+sha384", "rsa_pss_rsae_sha384"},
        {"rsa-pss+sha512", "rsa_pss_rsae_sha512"},  {"pss+sha256", "rsa_pss_rsae_sha256"},
        {"pss+sha384", "rsa_pss_rsae_sha384"},      {"pss+sha512", "rsa_pss_rsae_sha512"}};
    std::string key = lower(openssl);
    if (auto it = names.find(key); it != names.end()) return it->second;
    if (key.find('+') == std::string::npos && key.find('_') != std::string::npos) return key;  // already a scheme
    if (key == "ed25519" || key == "ed448") return key;
    return std::nullopt;
}

std::vector<std::string> split(const std::string& text, const char* separators) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at <= text.size()) {
        size_t end = text.find_first_of(separators, at);
        if (end == std::string::npos) end = text.size();
        if (end > at) out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// ---- what cannot be said, located ---------------------------------------------------

struct Translator {
    Runtime runtime;
    bool quiet;

    template <class T>
    void untranslated(const Setting<T>& field, const std::string& what) {
        untranslated(field ? field->origin.location : std::string(), what);
    }
    void untranslated(const std::string& where, const std::string& what) {
        if (quiet) return;
        std::fprintf(stderr, "tlsoverride run: %s%s%s (not applied to %s)\n", where.c_str(), where.empty() ? "" : ": ",
                     one_line(what).c_str(), runtime_name(runtime));
    }
};

std::vector<std::string> range_names(const Settings& s) {
    std::vector<std::string> out;
    Protocol low = s.min_protocol ? s.min_protocol->value : Protocol::TLSv1;
    Protocol high = s.max_protocol ? s.max_protocol->value : Protocol::TLSv1_3;
    for (Protocol p : all_protocols)
        if (p >= low && p <= high) out.emplace_back(protocol_name(p));
    return out;
}

// JAVA_TOOL_OPTIONS: ours first (the provider's premain must run before any other agent's
// could touch TLS), then the existing options without an earlier copy of the provider or a
// property we now set, so the policy's value is the one the JVM sees.
std::string java_tool_options(const std::vector<std::string>& ours, const char* existing) {
    std::string out = joined(ours, " ");
    if (!existing || !*existing) return out;
    if (std::strpbrk(existing, "\"'")) return out + " " + existing;  // quoted: left exactly as it is
    for (const std::string& w : words(existing)) {
        bool replaced = w.find(java_provider) != std::string::npos && w.rfind("-javaagent:", 0) == 0;
        for (const std::string& o : ours) {
            size_t eq = o.find('=');
            if (o.rfind("-D", 0) == 0 && eq != std::string::npos && w.rfind(o.substr(0, eq + 1), 0) == 0) replaced = true;
        }
        if (!replaced) out += " " + w;
    }
    return out;
}

// NODE_OPTIONS: our --require first, then the existing options without an earlier copy of it.
std::string node_options(const std::string& module, const char* existing) {
    std::string out = "--require=" + module;
    if (!existing || !*existing) return out;
    if (std::strpbrk(existing, "\"'")) return out + " " + existing;
    std::vector<std::string> w = words(existing);
    for (size_t i = 0; i < w.size(); ++i) {
        bool ours_next = i + 1 < w.size() && base_name(w[i + 1]) == node_module;
        if ((w[i] == "--require" || w[i] == "-r") && ours_next) { ++i; continue; }
        if (w[i].rfind("--require=", 0) == 0 && base_name(w[i]) == node_module) continue;
        out += " " + w[i];
    }
    return out;
}

bool plain_path(const std::string& path) { return path.find_first_of(" \t\n\"'\\") == std::string::npos; }


bool same_origin(const Origin& a, const Origin& b) { return a.source == b.source && a.location == b.location; }

// Whether a rule layer's field is the rule's own (not what it inherits from the process's).
template <class T>
bool own(const Setting<T>& field, const Settings* process, const Setting<T> Settings::*member) {
    if (!field) return false;
    if (!process) return true;
    const Setting<T>& base = process->*member;
    return !base || !same_origin(base->origin, field->origin);
}

// The keys of one policy layer, in the runtime's vocabulary: PREFIX "" for the process's
// layer, "rN." for a per-connection rule's (PROCESS is then the process's layer, to tell
// which values the rule itself names).
std::string layer_query(const std::string& prefix, const Settings& s, const Settings* process, Runtime runtime,
                        Translator& t, bool bounds) {
    std::string q;
    auto key = [&](const char* name, const std::string& value) { q += "&" + prefix + name + "=" + encoded(value); };
    if (bounds && s.min_protocol) key("min", std::string(protocol_name(s.min_protocol->value)));
    if (bounds && s.max_protocol) key("max", std::string(protocol_name(s.max_protocol->value)));
    if (runtime == Runtime::java) {
        std::optional<std::string> ciphers = s.ciphers ? std::optional(s.ciphers->value) : std::nullopt;
        std::optional<std::string> suites = s.ciphersuites ? std::optional(s.ciphersuites->value) : std::nullopt;
        if (ciphers) key("ciphers12", joined(iana_names(ciphers, suites, false), ","));
        if (suites) key("ciphers13", joined(iana_names(ciphers, suites, true), ","));
        // JSSE takes these once per process (system properties): a rule cannot change them.
        if (process) {
            if (own(s.groups, process, &Settings::groups))
                t.untranslated(s.groups, "groups in a per-connection rule: JSSE takes groups once per process");
            if (own(s.signature_algorithms, process, &Settings::signature_algorithms))
                t.untranslated(s.signature_algorithms, "signature_algorithms in a per-connection rule: JSSE takes them once per process");
            if (own(s.security_level, process, &Settings::security_level))
                t.untranslated(s.security_level, "security_level: JSSE has no security levels");
            if (own(s.options, process, &Settings::options))
                t.untranslated(s.options, "options in a per-connection rule: JSSE has no per-connection options");
        }
        return q;
    }
    // node speaks OpenSSL's vocabulary: the values pass as they are.
    if (s.ciphers) key("ciphers", s.ciphers->value);
    if (s.ciphersuites) key("ciphersuites", s.ciphersuites->value);
    if (s.groups) key("groups", s.groups->value);
    if (s.signature_algorithms) key("sigalgs", s.signature_algorithms->value);
    if (s.security_level) key("seclevel", std::to_string(s.security_level->value));
    if (s.options) {
        std::vector<std::string> known;
        for (const std::string& o : s.options->value)
            if (o == "UnsafeLegacyServerConnect" || o == "UnsafeLegacyRenegotiation" || o == "ServerPreference" ||
                o == "-SessionTicket")
                known.push_back(o);
            else if (own(s.options, process, &Settings::options))
                t.untranslated(s.options, "option " + o + " is not one node's secureOptions can set");
        if (!known.empty()) key("options", joined(known, ","));
    }
    return q;
}

// The JDK's own properties for the process's layer, and what it has no word for.
std::vector<std::string> java_properties(const Settings& s, Translator& t) {
    std::vector<std::string> options;
    if (s.names_a_bound()) {
        std::string versions = joined(range_names(s), ",");
        options.push_back("-Djdk.tls.client.protocols=" + versions);
        options.push_back("-Djdk.tls.server.protocols=" + versions);
        options.push_back("-Dcom.ibm.jsse2.overrideDefaultTLS=true");  // IBM's JDKs: the seed's switch
    }
    if (s.ciphers) {
        // The JDK's properties take one list for both kinds: the TLS 1.3 part is OpenSSL's default when unnamed.
        std::optional<std::string> suites = s.ciphersuites ? std::optional(s.ciphersuites->value) : std::nullopt;
        std::vector<std::string> all = iana_names(s.ciphers->value, suites, true);
        for (const std::string& n : iana_names(s.ciphers->value, suites, false)) all.push_back(n);
        options.push_back("-Djdk.tls.client.cipherSuites=" + joined(all, ","));
        options.push_back("-Djdk.tls.server.cipherSuites=" + joined(all, ","));
    }
    if (s.groups) {
        std::vector<std::string> names, unknown;
        for (const std::string& g : split(s.groups->value, ":,"))
            if (std::optional<std::string> j = java_group(g)) names.push_back(*j);
            else unknown.push_back(g);
        if (!unknown.empty()) t.untranslated(s.groups, "groups " + joined(unknown, ", ") + " have no JSSE name");
        if (!names.empty()) options.push_back("-Djdk.tls.namedGroups=" + joined(names, ","));
    }
    if (s.signature_algorithms) {
        std::vector<std::string> names, unknown;
        for (const std::string& a : split(s.signature_algorithms->value, ":,"))
            if (std::optional<std::string> j = java_signature_scheme(a)) names.push_back(*j);
            else unknown.push_back(a);
        if (!unknown.empty())
            t.untranslated(s.signature_algorithms, "signature algorithms " + joined(unknown, ", ") + " have no JSSE name");
        if (!names.empty()) {
            options.push_back("-Djdk.tls.client.SignatureSchemes=" + joined(names, ","));
            options.push_back("-Djdk.tls.server.SignatureSchemes=" + joined(names, ","));
        }
    }
    if (s.security_level)
        t.untranslated(s.security_level, "security_level " + std::to_string(s.security_level->value) +
                                             ": JSSE has no security levels (what it refuses is jdk.tls.disabledAlgorithms, "
                                             "which follows min_protocol and max_protocol)");
    if (s.options)
        for (const std::string& o : s.options->value) {
            if (o == "UnsafeLegacyServerConnect") continue;  // JSSE's default: sun.security.ssl.allowLegacyHelloMessages=true
            if (o == "UnsafeLegacyRenegotiation") options.push_back("-Dsun.security.ssl.allowUnsafeRenegotiation=true");
            else t.untranslated(s.options, "option " + o + " has no JSSE equivalent");
        }
    return options;
}

}  // namespace

RuntimeCommand recognise_runtime(const std::string& program) { return recognise(program, 0); }

RuntimeSetup runtime_setup(const RuntimeCommand& rc, const std::string& argv0, const std::string& library_dir) {
    RuntimeSetup setup;
    if (rc.runtime == Runtime::none) return setup;
    if (rc.runtime == Runtime::node && !rc.own_openssl) {
        // It links libssl (Debian's nodejs): the preload governs it like any OpenSSL program.
        const char* log = std::getenv("TLSOVERRIDE_LOG");
        if (log && (!std::strcmp(log, "info") || !std::strcmp(log, "debug")))
            std::fprintf(stderr, "tlsoverride run: %s links libssl: the library governs it\n", rc.how.c_str());
        return setup;
    }
    // A shell script's Java and node children get the policy the way children get the
    // preload: quietly, and never at the price of not starting the script.
    const bool children = rc.runtime == Runtime::children;
    const std::vector<Runtime> runtimes =
        children ? std::vector<Runtime>{Runtime::java, Runtime::node} : std::vector<Runtime>{rc.runtime};
    const char* name = children ? "its Java and node programs" : runtime_name(rc.runtime);

    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); });
    const LogLevel level = pc.process.log_level ? pc.process.log_level->value : LogLevel::Warn;
    Diagnostics errors = configuration_errors(pc);
    if (!errors.empty()) {
        if (children) {
            if (level >= LogLevel::Info)
                std::fprintf(stderr, "tlsoverride run: the configuration is invalid: %s get no policy\n", name);
            return setup;  // the library reports the errors in every OpenSSL program the script starts
        }
        for (const Diagnostic& d : errors) std::fprintf(stderr, "tlsoverride: %s\n", one_line(d.text()).c_str());
        bool ignore = pc.process.on_error && pc.process.on_error->value == OnError::Ignore;
        std::fprintf(stderr, "tlsoverride run: the configuration is invalid; %s\n",
                     ignore ? (std::string(name) + " runs without the policy (on_error = \"ignore\")").c_str()
                            : (std::string("not starting ") + name + " (on_error = \"fail\"; fix the errors above, "
                               "check with tlsoverride check)").c_str());
        setup.ok = ignore;
        return setup;
    }

    // The process's policy is the first rule that matches by program alone (or [policy]).
    // Rules before it that also name a host or a role decide single connections: they go
    // along, and the provider or module chooses among them per connection, in file order.
    const std::string program = base_name(argv0), executable = base_name(rc.interpreter);
    Target target{program, executable, std::nullopt, std::nullopt};
    std::optional<std::size_t> rule = first_matching_rule(pc.config.rules, target);
    const bool quiet = level == LogLevel::Off || (children && level < LogLevel::Info);
    std::vector<std::size_t> per_connection;
    for (std::size_t i = 0; i < (rule ? *rule : pc.config.rules.size()); ++i) {
        Rule r = pc.config.rules[i];
        if (r.hosts.empty() && !r.role) continue;
        r.hosts.clear();
        r.role.reset();
        if (rule_matches(r, target)) per_connection.push_back(i);
    }
    const Settings& s = pc.layer(rule);
    const Mode mode = pc.process.mode ? pc.process.mode->value : Mode::Default;
    const bool records = pc.process.log_handshakes && pc.process.log_handshakes->value;
    if (s.empty() && per_connection.empty() && !records) return setup;  // nothing to apply or to record

    // A child names itself (java, node) in its records; a recognised command by its name.
    std::string query = "v=1&mode=" + std::string(mode_name(mode)) + (children ? "" : "&program=" + encoded(program));
    if (rule) query += "&rule=" + encoded(pc.config.rules[*rule].name);
    query += "&log=" + std::string(log_level_name(level));
    if (pc.process.log_format && pc.process.log_format->value == LogFormat::Json) query += "&log_format=json";
    if (pc.process.log_file) query += "&log_file=" + encoded(pc.process.log_file->value);
    if (records) query += "&handshakes=1";
    if (!per_connection.empty()) query += "&rules=" + std::to_string(per_connection.size());
    for (std::size_t n = 0; n < per_connection.size(); ++n) {
        const Rule& r = pc.config.rules[per_connection[n]];
        std::string prefix = "r" + std::to_string(n + 1) + ".";
        query += "&" + prefix + "rule=" + encoded(r.name);
        if (!r.hosts.empty()) query += "&" + prefix + "hosts=" + encoded(joined(r.hosts, ","));
        if (r.role) query += "&" + prefix + "role=" + std::string(role_name(*r.role));
    }

    bool first = true;
    for (Runtime runtime : runtimes) {
        Translator t{runtime, quiet};
        if (pc.process.log_file && pc.process.log_file->value == "syslog")
            t.untranslated(pc.process.log_file, "[log] file = \"syslog\": records and lines go to standard error");
        std::string part = library_dir + "/" + (runtime == Runtime::java ? java_provider : node_module);
        if (access(part.c_str(), R_OK) != 0) {
            if (!quiet || !children)
                std::fprintf(stderr, "tlsoverride run: %s is not installed beside the library (%s); %s runs without the "
                                     "policy. Install it with make install (make builds it in the build tree)\n",
                             part.c_str(), library_dir.c_str(), runtime_name(runtime));
            continue;
        }
        if (!plain_path(part)) {
            std::fprintf(stderr, "tlsoverride run: %s contains a space or quote, which %s cannot take; install "
                                 "tlsoverride under a plain path\n",
                         part.c_str(), runtime == Runtime::java ? "JAVA_TOOL_OPTIONS" : "NODE_OPTIONS");
            setup.ok = children;
            return setup;
        }
        query += layer_query("", s, nullptr, runtime, t, first);
        for (std::size_t n = 0; n < per_connection.size(); ++n) {
            const Rule& r = pc.config.rules[per_connection[n]];
            if (runtime == Runtime::node && r.role == Role::Server) {
                t.untranslated(r.location, "rule \"" + r.name + "\" names role = \"server\"; node's server contexts "
                                           "do not say they are, so they get the process's policy");
                continue;
            }
            query += layer_query("r" + std::to_string(n + 1) + ".", pc.layer(per_connection[n]), &s, runtime, t, first);
        }
        first = false;
        if (runtime == Runtime::java) {
            std::vector<std::string> options = {"-javaagent:" + part};
            std::vector<std::string> properties = java_properties(s, t);
            options.insert(options.end(), properties.begin(), properties.end());
            setup.variables.emplace_back("JAVA_TOOL_OPTIONS", java_tool_options(options, std::getenv("JAVA_TOOL_OPTIONS")));
        } else {
            setup.variables.emplace_back("NODE_OPTIONS", node_options(part, std::getenv("NODE_OPTIONS")));
        }
    }
    if (setup.variables.empty()) return setup;
    setup.variables.emplace_back(policy_variable, query);
    if (level >= LogLevel::Info)
        std::fprintf(stderr, "tlsoverride run: %s: %s\n", rc.how.c_str(),
                     children ? "a shell script: the Java and node programs it starts get the policy through "
                                "JAVA_TOOL_OPTIONS and NODE_OPTIONS"
                     : rc.runtime == Runtime::java ? "java: the policy goes in through JAVA_TOOL_OPTIONS (a JSSE provider)"
                                                   : "node: the policy goes in through NODE_OPTIONS (--require)");
    return setup;
}

int print_environment(const EnvironmentVariables& variables) {
    for (const auto& [name, value] : variables) std::printf("%s=%s\n", name.c_str(), value.c_str());
    return 0;
}

std::optional<RuntimeAnswer> runtime_answer(const std::string& program, const std::string& command) {
    RuntimeCommand rc = recognise_runtime(program);
    if (rc.runtime == Runtime::java)
        return RuntimeAnswer{
            "java carries its own TLS (JSSE, written in Java): no libssl call reaches the preload, but tlsoverride run "
            "recognises it and gives it the same policy through JAVA_TOOL_OPTIONS: a JSSE provider "
            "(-javaagent:tlsoverride-jsse.jar) over every SSLContext, socket and engine, pinned ones included, and the "
            "JDK's properties (jdk.tls.client.protocols, jdk.tls.disabledAlgorithms, com.ibm.jsse2.overrideDefaultTLS).",
            {"tlsoverride run [FLAGS] -- " + command + " ... applies the policy; --print-env shows the variables (for systemd).",
             "security_level and most options have no JSSE equivalent: run says so when the policy names them."}};
    if (rc.runtime == Runtime::node && rc.own_openssl)
        return RuntimeAnswer{
            "node carries its own OpenSSL, linked into the binary: its calls never reach the preload, but tlsoverride run "
            "recognises it and gives it the same policy through NODE_OPTIONS=--require=tlsoverride.js, which applies it "
            "to every secure context (tls.createSecureContext: tls.connect, https, servers).",
            {"tlsoverride run [FLAGS] -- " + command + " ... applies the policy; --print-env shows the variables (for systemd).",
             "node's own knobs also work for a floor only: NODE_OPTIONS='--tls-min-v1.2'."}};
    return std::nullopt;
}
