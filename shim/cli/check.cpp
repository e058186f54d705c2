// tlsoverride check [FILE]: every error in a configuration, or the effective
// policy. Values are checked by the same OpenSSL code the library applies them with.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/log.hpp"
#include "core/process_config.hpp"
#include "commands.hpp"
#include "linked_openssl.hpp"
#include "gnutls_check.hpp"

using namespace tlso;

namespace {

constexpr const char* usage =
    "usage: tlsoverride check [FILE]\n"
    "\n"
    "Validates a tlsoverride configuration and prints the effective policy, or every error\n"
    "as FILE:LINE:COLUMN: what is wrong. Exits 0 when it is good, 1 when it is not.\n"
    "FILE defaults to $TLSOVERRIDE_CONFIG, then /etc/tlsoverride/config.toml.\n"
    "Environment settings (TLSOVERRIDE_*) are checked too: they override the file.\n"
    "\n"
    "example: ExecStartPre=/usr/bin/tlsoverride check /etc/tlsoverride/config.toml\n";

void print_settings(const Settings& s) {
    bool any = false;
    for_each_setting(s, [&](const SettingName& name, const auto& field) {
        if (!field) return;
        any = true;
        std::string line = "  " + std::string(name.key) + " = " + toml_text(field->value);
        std::printf("%-60s # %s%s%s\n", one_line(line).c_str(), one_line(field->origin.source).c_str(),
                    field->origin.location.empty() ? "" : ", ", field->origin.location.c_str());
    });
    if (!any) std::printf("  (nothing: every setting is left to the program)\n");
    std::printf("  GnuTLS priority tokens: %s\n", one_line(gnutls_tokens_text(s)).c_str());
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : " or ") + one_line(i);
    return out;
}

void print_policy(const ProcessConfig& pc) {
    const ProcessSettings& p = pc.process;
    std::printf("%s: OK\n", pc.path.empty() ? "environment" : pc.path.c_str());
    std::printf("mode = %s, on_error = %s, log = %s%s%s%s\n", p.mode ? std::string(mode_name(p.mode->value)).c_str() : "default",
                p.on_error && p.on_error->value == OnError::Ignore ? "ignore" : "fail",
                p.log_level ? std::string(log_level_name(p.log_level->value)).c_str() : "warn",
                p.log_file ? (" to " + one_line(p.log_file->value)).c_str() : " to standard error",
                p.log_format && p.log_format->value == LogFormat::Json ? " (json)" : "",
                p.log_handshakes && p.log_handshakes->value ? ", handshake records on" : "");
    std::printf("\nevery context (no rule matches):\n");
    print_settings(pc.layer(std::nullopt));
    for (std::size_t i = 0; i < pc.config.rules.size(); i++) {
        const Rule& r = pc.config.rules[i];
        std::printf("\nrule %zu \"%s\" (%s), when", i + 1, one_line(r.name).c_str(), r.location.c_str());
        if (r.programs.empty() && r.hosts.empty() && !r.role) std::printf(" always");
        if (!r.programs.empty()) std::printf(" program is %s", joined(r.programs).c_str());
        if (!r.hosts.empty()) std::printf("%s host is %s", r.programs.empty() ? "" : " and", joined(r.hosts).c_str());
        if (r.role)
            std::printf("%s role is %s", r.programs.empty() && r.hosts.empty() ? "" : " and",
                        std::string(role_name(*r.role)).c_str());
        std::printf(":\n");
        print_settings(pc.layer(i));
    }
}

}  // namespace

int command_check(int argc, char** argv) {
    std::optional<std::string> file;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return std::fputs(usage, stdout), 0;
        if (!std::strcmp(argv[i], "--version")) return std::printf("tlsoverride %s\n", TLSO_VERSION), 0;
        if (argv[i][0] == '-' || file) return std::fputs(usage, stderr), 2;
        file = argv[i];
    }
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, file);
    if (pc.path.empty() && !file && !pc.environment.config_path) {
        std::fprintf(stderr, "tlsoverride: no configuration file: TLSOVERRIDE_CONFIG is unset and %s does not exist\n",
                     default_config_path);
    }
    Diagnostics errors = configuration_errors(pc);
    if (!errors.empty()) {
        // one_line: a value quoted in an error may hold terminal escapes (TOML's "\u001b").
        for (const Diagnostic& d : errors) std::fprintf(stderr, "tlsoverride: %s\n", one_line(d.text()).c_str());
        std::fprintf(stderr, "tlsoverride: %zu error%s; programs under this configuration fail to create TLS contexts "
                             "(on_error = \"fail\") or run unmodified (on_error = \"ignore\")\n",
                     errors.size(), errors.size() == 1 ? "" : "s");
        return 1;
    }
    print_policy(pc);
    return 0;
}
