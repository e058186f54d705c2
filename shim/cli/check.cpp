// tlsoverride check [FILE]: every error in a configuration, or the effective
// policy. Values are checked by the same OpenSSL code the library applies them with.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/lint.hpp"
#include "core/log.hpp"
#include "core/process_config.hpp"
#include "args.hpp"
#include "commands.hpp"
#include "json.hpp"
#include "linked_openssl.hpp"
#include "gnutls_check.hpp"
#include "openssl/apply.hpp"

using namespace tlso;
using namespace tlso::cli;
namespace cli = tlso::cli;

namespace {

constexpr const char* usage =
    "usage: tlsoverride check [--json] [FILE]\n"
    "\n"
    "Validates a tlsoverride configuration and prints the effective policy, or every error\n"
    "as FILE:LINE:COLUMN: what is wrong. Exits 0 when it is good, 1 when it is not.\n"
    "FILE defaults to $TLSOVERRIDE_CONFIG, then /etc/tlsoverride/config.toml.\n"
    "Environment settings (TLSOVERRIDE_*) are checked too: they override the file.\n"
    "\n"
    "Warnings (exit status unchanged): a group- or world-writable file or directory, a rule\n"
    "that can never match, a protocol below TLSv1.2 or security level 0.\n"
    "\n"
    "      --json      one JSON object on standard output: file, files, ok, errors [{where,\n"
    "                  message}], warnings [{where, message}], process {mode, on_error, log_level, log_file, log_format,\n"
    "                  log_handshakes}, policy {KEY: {value, from, at}}, rules [{name,\n"
    "                  location, program, host, role, settings}]\n"
    "  -h, --help      this text\n"
    "      --version   version\n"
    "\n"
    "Exit status: 0 valid (also when there is no file: environment only); 1 errors found;\n"
    "2 usage error.\n"
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
    // Several files (conf.d/): each value below names the file it came from.
    if (pc.config.files.size() > 1 || (pc.config.files.size() == 1 && pc.config.files[0] != pc.path))
        for (const std::string& f : pc.config.files) std::printf("read: %s\n", one_line(f).c_str());
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

template <class T>
void add_process(JsonObject& o, std::string_view key, const Setting<T>& s) {
    if (s) o.raw(key, json_sourced(*s));
    else o.null(key);
}

std::string process_json(const ProcessSettings& p) {
    JsonObject o;
    auto enum_setting = [&](std::string_view key, const auto& s, auto name) {
        if (s) o.raw(key, JsonObject().string("value", name(s->value)).string("from", s->origin.source).string("at", s->origin.location).text());
        else o.null(key);
    };
    enum_setting("mode", p.mode, [](Mode m) { return std::string(mode_name(m)); });
    enum_setting("on_error", p.on_error, [](OnError e) { return std::string(e == OnError::Ignore ? "ignore" : "fail"); });
    enum_setting("log_level", p.log_level, [](LogLevel l) { return std::string(log_level_name(l)); });
    add_process(o, "log_file", p.log_file);
    enum_setting("log_format", p.log_format, [](LogFormat f) { return std::string(f == LogFormat::Json ? "json" : "text"); });
    add_process(o, "log_handshakes", p.log_handshakes);
    return o.text();
}

void print_json(const ProcessConfig& pc, const Diagnostics& errors, const Diagnostics& warnings) {
    std::vector<std::string> error_items, warning_items, rules;
    for (const Diagnostic& d : errors) error_items.push_back(JsonObject().string("where", d.where).string("message", d.message).text());
    for (const Diagnostic& d : warnings) warning_items.push_back(JsonObject().string("where", d.where).string("message", d.message).text());
    for (std::size_t i = 0; i < pc.config.rules.size(); i++) {
        const Rule& r = pc.config.rules[i];
        JsonObject rule;
        rule.string("name", r.name).string("location", r.location).raw("program", json_strings(r.programs)).raw("host", json_strings(r.hosts));
        if (r.role) rule.string("role", role_name(*r.role));
        else rule.null("role");
        rules.push_back(rule.raw("settings", json_settings(pc.layer(i), false)).text());
    }
    JsonObject o;
    if (pc.path.empty()) o.null("file");
    else o.string("file", pc.path);
    o.raw("files", json_strings(pc.config.files));
    o.boolean("ok", errors.empty()).raw("errors", json_list(error_items)).raw("warnings", json_list(warning_items));
    if (errors.empty()) o.raw("process", process_json(pc.process)).raw("policy", json_settings(pc.layer(std::nullopt), false)).raw("rules", json_list(rules));
    std::printf("%s\n", o.text().c_str());
}

}  // namespace

int command_check(int argc, char** argv) {
    static constexpr cli::Option options[] = {
        {"json", 0, cli::Takes::Nothing, "", "one JSON object on standard output"},
    };
    cli::Arguments args = cli::parse_arguments({"check", options, false, 1, "[--json] [FILE]"}, argc, argv);
    if (args.help) return std::fputs(usage, stdout), 0;
    if (args.version) return std::printf("tlsoverride %s\n", TLSO_VERSION), 0;
    if (!args.error.empty()) return cli::usage_error("check", args.error);
    std::optional<std::string> file;
    if (!args.operands.empty()) file = args.operands.front();
    bool json = args.has("json");
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, file);
    if (pc.path.empty() && !file && !pc.environment.config_path) {
        std::fprintf(stderr, "tlsoverride: no configuration file: TLSOVERRIDE_CONFIG is unset and %s does not exist\n",
                     default_config_path);
    }
    Diagnostics errors = configuration_errors(pc);
    // Lints: valid, but probably not as meant, or not safe where it lives. They do not
    // change the exit status: the library applies such a file as written.
    Diagnostics warnings = lint_permissions(pc.config);
    if (errors.empty()) {
        Diagnostics more = lint_config(pc.config);
        warnings.insert(warnings.end(), more.begin(), more.end());
        // A list that asks for anonymous or null-encryption suites: tlsoverride strikes them.
        Diagnostics unauthenticated = unauthenticated_suites(linked_openssl(), pc.all_layers());
        warnings.insert(warnings.end(), unauthenticated.begin(), unauthenticated.end());
    }
    if (json) {
        print_json(pc, errors, warnings);
        return errors.empty() ? 0 : 1;
    }
    for (const Diagnostic& d : warnings) std::fprintf(stderr, "tlsoverride: warning: %s\n", one_line(d.text()).c_str());
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
