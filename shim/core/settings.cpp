#include "core/settings.hpp"

#include <algorithm>

#include "core/ascii.hpp"

namespace tlso {
namespace {

bool iequals(std::string_view a, std::string_view b) { return ascii_iequals(a, b); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

template <class T, std::size_t N>
Parsed<T> one_of(std::string_view text, const std::pair<std::string_view, T> (&choices)[N], std::string_view what) {
    for (const auto& [name, value] : choices)
        if (iequals(trim(text), name)) return {value, {}};
    std::string accepted;
    for (std::size_t i = 0; i < N; i++) {
        if (i) accepted += i + 1 == N ? " or " : ", ";
        accepted += choices[i].first;
    }
    return {std::nullopt, "unknown " + std::string(what) + " '" + std::string(text) + "' (use " + accepted + ")"};
}

}  // namespace

std::optional<Protocol> parse_protocol(std::string_view name) {
    name = trim(name);
    if (iequals(name, "TLSv1") || iequals(name, "TLSv1.0")) return Protocol::TLSv1;
    if (iequals(name, "TLSv1.1")) return Protocol::TLSv1_1;
    if (iequals(name, "TLSv1.2")) return Protocol::TLSv1_2;
    if (iequals(name, "TLSv1.3")) return Protocol::TLSv1_3;
    return std::nullopt;
}

std::string_view protocol_name(Protocol p) {
    switch (p) {
        case Protocol::TLSv1: return "TLSv1";
        case Protocol::TLSv1_1: return "TLSv1.1";
        case Protocol::TLSv1_2: return "TLSv1.2";
        case Protocol::TLSv1_3: return "TLSv1.3";
    }
    return "?";
}

std::string_view role_name(Role r) { return r == Role::Client ? "client" : "server"; }

std::string_view mode_name(Mode m) { return m == Mode::Enforce ? "enforce" : "default"; }

std::string_view log_level_name(LogLevel l) {
    constexpr std::string_view names[] = {"off", "error", "warn", "info", "debug"};
    return names[static_cast<int>(l)];
}

Parsed<Protocol> parse_protocol_value(std::string_view text) {
    if (auto p = parse_protocol(text)) return {*p, {}};
    std::string hint;
    if (iequals(trim(text), "SSLv3") || iequals(trim(text), "SSLv2"))
        hint = "; SSL 3.0 and 2.0 are not supported by OpenSSL 3";
    else if (iequals(trim(text), "TLS1.2") || iequals(trim(text), "1.2"))
        hint = "; did you mean TLSv1.2?";
    return {std::nullopt, "unknown protocol version '" + std::string(text) +
                              "' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3" + hint + ")"};
}

Parsed<int> parse_security_level(std::string_view text) {
    std::string_view t = trim(text);
    if (t.size() == 1 && t[0] >= '0' && t[0] <= '5') return {t[0] - '0', {}};
    return {std::nullopt, "security level '" + std::string(text) + "' is not a number from 0 to 5"};
}

Parsed<Mode> parse_mode(std::string_view text) {
    static constexpr std::pair<std::string_view, Mode> choices[] = {{"default", Mode::Default},
                                                                     {"enforce", Mode::Enforce}};
    return one_of(text, choices, "mode");
}

Parsed<OnError> parse_on_error(std::string_view text) {
    static constexpr std::pair<std::string_view, OnError> choices[] = {{"fail", OnError::Fail},
                                                                        {"ignore", OnError::Ignore}};
    return one_of(text, choices, "on_error value");
}

Parsed<LogLevel> parse_log_level(std::string_view text) {
    static constexpr std::pair<std::string_view, LogLevel> choices[] = {
        {"off", LogLevel::Off},   {"error", LogLevel::Error}, {"warn", LogLevel::Warn},
        {"info", LogLevel::Info}, {"debug", LogLevel::Debug}};
    return one_of(text, choices, "log level");
}

Parsed<LogFormat> parse_log_format(std::string_view text) {
    static constexpr std::pair<std::string_view, LogFormat> choices[] = {{"text", LogFormat::Text},
                                                                          {"json", LogFormat::Json}};
    return one_of(text, choices, "log format");
}

Parsed<bool> parse_flag(std::string_view text) {
    static constexpr std::pair<std::string_view, bool> choices[] = {
        {"true", true}, {"1", true}, {"yes", true}, {"false", false}, {"0", false}, {"no", false}};
    return one_of(text, choices, "switch value");
}

Parsed<Role> parse_role(std::string_view text) {
    static constexpr std::pair<std::string_view, Role> choices[] = {{"client", Role::Client},
                                                                     {"server", Role::Server}};
    return one_of(text, choices, "role");
}

std::vector<std::string> split_list(std::string_view text, char separator) {
    std::vector<std::string> items;
    while (!text.empty()) {
        std::size_t end = text.find(separator);
        std::string_view item = trim(text.substr(0, end));
        if (!item.empty()) items.emplace_back(item);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return items;
}

std::string value_text(Protocol p) { return std::string(protocol_name(p)); }
std::string value_text(const std::string& s) { return s; }
std::string value_text(int i) { return std::to_string(i); }
std::string value_text(bool b) { return b ? "true" : "false"; }
std::string value_text(const std::vector<std::string>& items) {
    std::string joined;
    for (const std::string& i : items) joined += (joined.empty() ? "" : ",") + i;
    return joined;
}

std::string toml_quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

bool Settings::empty() const {
    bool any = false;
    for_each_setting(*this, [&](const SettingName&, const auto& field) { any |= field.has_value(); });
    return !any;
}

Settings overlay(const Settings& low, const Settings& high) {
    Settings out = low;
    auto take = [](auto& into, const auto& from) {
        if (from) into = from;
    };
    take(out.min_protocol, high.min_protocol);
    take(out.max_protocol, high.max_protocol);
    take(out.ciphers, high.ciphers);
    take(out.ciphersuites, high.ciphersuites);
    take(out.groups, high.groups);
    take(out.signature_algorithms, high.signature_algorithms);
    take(out.security_level, high.security_level);
    take(out.options, high.options);
    take(out.gnutls_priority, high.gnutls_priority);
    return out;
}

ProcessSettings overlay(const ProcessSettings& low, const ProcessSettings& high) {
    ProcessSettings out = low;
    if (high.mode) out.mode = high.mode;
    if (high.on_error) out.on_error = high.on_error;
    if (high.log_level) out.log_level = high.log_level;
    if (high.log_file) out.log_file = high.log_file;
    if (high.log_format) out.log_format = high.log_format;
    if (high.log_handshakes) out.log_handshakes = high.log_handshakes;
    return out;
}

bool lowers_level_in_ciphers(const Settings& s) {
    if (!s.ciphers) return false;
    std::string list = s.ciphers->value;
    for (char& c : list) c = ascii_upper(c);
    return list.find("@SECLEVEL=0") != std::string::npos;
}

bool weakens_security(const Settings& s) {
    bool low_floor = (s.min_protocol && s.min_protocol->value < Protocol::TLSv1_2) ||
                     (s.max_protocol && s.max_protocol->value < Protocol::TLSv1_2);
    bool low_level = (s.security_level && s.security_level->value < 1) || lowers_level_in_ciphers(s);
    return low_floor || low_level;
}

}  // namespace tlso
