#include "core/environment.hpp"

namespace tlso {
namespace {

Origin from_variable(std::string_view name) { return {"environment", std::string(name)}; }

// Each setting type has one parser; strings are taken as they are (OpenSSL
// checks them when they are applied).
Parsed<Protocol> parse_as(std::string_view text, Protocol*) { return parse_protocol_value(text); }
Parsed<int> parse_as(std::string_view text, int*) { return parse_security_level(text); }
Parsed<std::string> parse_as(std::string_view text, std::string*) { return {std::string(text), {}}; }
Parsed<std::vector<std::string>> parse_as(std::string_view text, std::vector<std::string>*) {
    return {split_list(text, ','), {}};
}

template <class T, class Parser>
void read_one(const Lookup& getenv, std::string_view name, Setting<T>& into, Diagnostics& errors, Parser parse) {
    char variable[64];  // the names are ours, all shorter
    if (name.size() >= sizeof variable) return;
    name.copy(variable, name.size());
    variable[name.size()] = '\0';
    const char* raw = getenv(variable);
    if (!raw || !*raw) return;
    Parsed<T> parsed = parse(std::string_view(raw));
    if (parsed.value)
        into = Sourced<T>{std::move(*parsed.value), from_variable(name)};
    else
        errors.push_back({std::string(name), parsed.error});
}

}  // namespace

Environment read_environment(const Lookup& getenv) {
    Environment env;
    for_each_setting(env.settings, [&](const SettingName& name, auto& field) {
        using T = std::decay_t<decltype(field->value)>;
        read_one(getenv, name.env, field, env.errors, [](std::string_view t) { return parse_as(t, (T*)nullptr); });
    });
    ProcessSettings& p = env.process;
    read_one(getenv, "TLSOVERRIDE_MODE", p.mode, env.errors, parse_mode);
    read_one(getenv, "TLSOVERRIDE_ON_ERROR", p.on_error, env.errors, parse_on_error);
    read_one(getenv, "TLSOVERRIDE_LOG", p.log_level, env.errors, parse_log_level);
    read_one(getenv, "TLSOVERRIDE_LOG_FORMAT", p.log_format, env.errors, parse_log_format);
    read_one(getenv, "TLSOVERRIDE_LOG_HANDSHAKES", p.log_handshakes, env.errors, parse_flag);
    read_one(getenv, "TLSOVERRIDE_LOG_FILE", p.log_file, env.errors,
             [](std::string_view t) { return Parsed<std::string>{std::string(t), {}}; });
    const char* config = getenv("TLSOVERRIDE_CONFIG");
    if (config && *config) env.config_path = config;
    return env;
}

}  // namespace tlso
