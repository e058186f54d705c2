// tlsoverride explain: the settings one case gets, and where each one comes from.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/log.hpp"
#include "core/policy.hpp"
#include "core/process_config.hpp"
#include "args.hpp"
#include "commands.hpp"
#include "json.hpp"
#include "linked_openssl.hpp"
#include "gnutls_check.hpp"

using namespace tlso;
namespace cli = tlso::cli;

namespace {

constexpr const char* usage =
    "usage: tlsoverride explain [--program NAME] [--host NAME] [--role client|server] [--config FILE] [--json]\n"
    "\n"
    "Prints the effective settings for one case and where each one comes from: the\n"
    "environment, a rule, [policy], a profile, or left to the program.\n"
    "\n"
    "  --program NAME   the program's name (argv[0]'s base name or the executable's)\n"
    "  --host NAME      the server name a client connects to (SNI)\n"
    "  --role ROLE      client or server\n"
    "  --config FILE    the configuration file (default: $TLSOVERRIDE_CONFIG, then\n"
    "                   /etc/tlsoverride/config.toml)\n"
    "  --json           one JSON object: case {program, host, role}, configuration, files, rule\n"
    "                   {number, name, location} or null, mode, settings {KEY: {value, from,\n"
    "                   at} or null when left to the program}\n"
    "  -h, --help       this text\n"
    "      --version    version\n"
    "\n"
    "Exit status: 0 explained; 1 the configuration has errors (printed); 2 usage error.\n"
    "\n"
    "example: tlsoverride explain --program billing-sync --host billing.legacy.example --role client\n";

std::string origin_text(const Origin& o) {
    if (o.source == "environment") return "environment " + o.location;
    return o.source + (o.location.empty() ? "" : " (" + o.location + ")");
}

}  // namespace

int command_explain(int argc, char** argv) {
    static constexpr cli::Option options[] = {
        {"program", 0, cli::Takes::Value, "NAME", "the program's name"},
        {"host", 0, cli::Takes::Value, "NAME", "the server name a client connects to (SNI)"},
        {"role", 0, cli::Takes::Value, "ROLE", "client or server"},
        {"config", 0, cli::Takes::Value, "FILE", "the configuration file"},
        {"json", 0, cli::Takes::Nothing, "", "one JSON object"},
    };
    cli::Arguments args = cli::parse_arguments({"explain", options, false, 0, "[FLAGS]"}, argc, argv);
    if (args.help) return std::fputs(usage, stdout), 0;
    if (args.version) return std::printf("tlsoverride %s\n", TLSO_VERSION), 0;
    if (!args.error.empty()) return cli::usage_error("explain", args.error);
    std::string program = args.value("program").value_or(""), host = args.value("host").value_or("");
    std::optional<Role> role;
    std::optional<std::string> file = args.value("config");
    if (auto r = args.value("role")) {
        Parsed<Role> parsed = parse_role(*r);
        if (!parsed.value) return cli::usage_error("explain", "--role: " + parsed.error);
        role = parsed.value;
    }
    bool json = args.has("json");
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, file);
    Diagnostics errors = configuration_errors(pc);
    for (const Diagnostic& d : errors) std::fprintf(stderr, "tlsoverride: %s\n", one_line(d.text()).c_str());
    if (!errors.empty()) return 1;

    Target target{program, program, role, host.empty() ? std::nullopt : std::optional<std::string_view>(host)};
    std::optional<std::size_t> rule = connection_rule(pc.rule_index, target);  // the library's decision
    if (json) {
        cli::JsonObject c;
        c.raw("program", program.empty() ? "null" : cli::json_quote(program)).raw("host", host.empty() ? "null" : cli::json_quote(host));
        c.raw("role", role ? cli::json_quote(role_name(*role)) : "null");
        cli::JsonObject o;
        o.raw("case", c.text()).raw("configuration", pc.path.empty() ? "null" : cli::json_quote(pc.path));
        o.raw("files", cli::json_strings(pc.config.files));
        if (rule)
            o.raw("rule", cli::JsonObject().number("number", static_cast<long long>(*rule + 1)).string("name", pc.config.rules[*rule].name)
                              .string("location", pc.config.rules[*rule].location).text());
        else o.null("rule");
        o.string("mode", mode_name(pc.process.mode ? pc.process.mode->value : Mode::Default));
        o.raw("settings", cli::json_settings(pc.layer(rule), true));
        std::printf("%s\n", o.text().c_str());
        return 0;
    }
    std::printf("case: program %s, host %s, role %s\n", program.empty() ? "(any)" : program.c_str(),
                host.empty() ? "(none)" : host.c_str(), role ? std::string(role_name(*role)).c_str() : "(either)");
    std::printf("configuration: %s\n", pc.path.empty() ? "none (environment only)" : pc.path.c_str());
    if (pc.config.files.size() > 1 || (pc.config.files.size() == 1 && pc.config.files[0] != pc.path))
        for (const std::string& f : pc.config.files) std::printf("  read: %s\n", one_line(f).c_str());
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
