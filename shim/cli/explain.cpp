// tlsoverride explain: the settings one case gets, and where each one comes from.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/log.hpp"
#include "core/policy.hpp"
#include "core/process_config.hpp"
#include "commands.hpp"
#include "linked_openssl.hpp"
#include "gnutls_check.hpp"

using namespace tlso;

namespace {

constexpr const char* usage =
    "usage: tlsoverride explain [--program NAME] [--host NAME] [--role client|server] [--config FILE]\n"
    "\n"
    "Prints the effective settings for one case and where each one comes from: the\n"
    "environment, a rule, [policy], a profile, or left to the program.\n"
    "\n"
    "  --program NAME   the program's name (argv[0]'s base name or the executable's)\n"
    "  --host NAME      the server name a client connects to (SNI)\n"
    "  --role ROLE      client or server\n"
    "  --config FILE    the configuration file (default: $TLSOVERRIDE_CONFIG, then\n"
    "                   /etc/tlsoverride/config.toml)\n"
    "\n"
    "example: tlsoverride explain --program billing-sync --host billing.legacy.example --role client\n";

std::string origin_text(const Origin& o) {
    if (o.source == "environment") return "environment " + o.location;
    return o.source + (o.location.empty() ? "" : " (" + o.location + ")");
}

}  // namespace

int command_explain(int argc, char** argv) {
    std::string program, host;
    std::optional<Role> role;
    std::optional<std::string> file;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") return std::fputs(usage, stdout), 0;
        if (a == "--version") return std::printf("tlsoverride %s\n", TLSO_VERSION), 0;
        if (i + 1 >= argc) return std::fputs(usage, stderr), 2;
        std::string v = argv[++i];
        if (a == "--program") program = v;
        else if (a == "--host") host = v;
        else if (a == "--config") file = v;
        else if (a == "--role") {
            Parsed<Role> r = parse_role(v);
            if (!r.value) return std::fprintf(stderr, "tlsoverride explain: %s\n", r.error.c_str()), 2;
            role = r.value;
        } else return std::fputs(usage, stderr), 2;
    }
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, file);
    Diagnostics errors = configuration_errors(pc);
    for (const Diagnostic& d : errors) std::fprintf(stderr, "tlsoverride: %s\n", one_line(d.text()).c_str());
    if (!errors.empty()) return 1;

    Target target{program, program, role, host.empty() ? std::nullopt : std::optional<std::string_view>(host)};
    std::optional<std::size_t> rule = connection_rule(pc.rule_index, target);  // the library's decision
    std::printf("case: program %s, host %s, role %s\n", program.empty() ? "(any)" : program.c_str(),
                host.empty() ? "(none)" : host.c_str(), role ? std::string(role_name(*role)).c_str() : "(either)");
    std::printf("configuration: %s\n", pc.path.empty() ? "none (environment only)" : pc.path.c_str());
    if (rule)
        std::printf("matching rule: %zu \"%s\" (%s)\n", *rule + 1, one_line(pc.config.rules[*rule].name).c_str(),
                    pc.config.rules[*rule].location.c_str());
    else
        std::printf("matching rule: none\n");
    std::printf("mode: %s\n\n", std::string(mode_name(pc.process.mode ? pc.process.mode->value : Mode::Default)).c_str());
    for_each_setting(pc.layer(rule), [&](const SettingName& name, const auto& field) {
        std::string value = field ? toml_text(field->value) : "-";
        std::printf("  %-22s %-40s %s\n", std::string(name.key).c_str(), one_line(value).c_str(),
                    field ? one_line("from " + origin_text(field->origin)).c_str() : "left to the program");
    });
    std::printf("\nGnuTLS programs get these priority tokens (%s): %s\n",
                pc.process.mode && pc.process.mode->value == Mode::Enforce ? "after their own string"
                                                                          : "after their string's first keyword",
                one_line(gnutls_tokens_text(pc.layer(rule))).c_str());
    return 0;
}
