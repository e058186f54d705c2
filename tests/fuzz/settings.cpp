// libFuzzer target: protocol names, setting values and lists, as the environment
// and the file give them (settings.hpp, environment.hpp).
//
// Input: any text. Every parser sees all of it; the environment reader sees it as
// the value of every TLSOVERRIDE_* variable at once; split_list splits it on ',',
// ':' and its first byte.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/environment.hpp"
#include "core/settings.hpp"
#include "invariant.hpp"

using namespace tlso;

namespace {


bool space(char c) { return std::isspace(static_cast<unsigned char>(c)); }

// Exactly one of value and error is set, and an error quotes what it rejected.
template <class T>
void well_formed(const Parsed<T>& p, std::string_view text) {
    REQUIRE(p.value.has_value() != !p.error.empty());
    if (!p.value) REQUIRE(p.error.find(std::string(text)) != std::string::npos);
}

void check_split(std::string_view text, char separator) {
    std::vector<std::string> items = split_list(text, separator);
    std::size_t separators = 0;
    for (char c : text) separators += c == separator;
    REQUIRE(items.size() <= separators + 1);
    for (const std::string& i : items) {
        REQUIRE(!i.empty());
        REQUIRE(i.find(separator) == std::string::npos);
        REQUIRE(!space(i.front()) && !space(i.back()));
    }
    // Joining and splitting again gives the same items.
    if (separator == ',') REQUIRE(split_list(value_text(items), ',') == items);
}

// The inverse of toml_quoted, for a basic string.
std::string unquote(std::string_view q) {
    REQUIRE(q.size() >= 2 && q.front() == '"' && q.back() == '"');
    std::string out;
    for (std::size_t i = 1; i + 1 < q.size(); i++) {
        if (q[i] == '\\') {
            i++;
            REQUIRE(i + 1 < q.size() && (q[i] == '"' || q[i] == '\\'));
        } else {
            REQUIRE(q[i] != '"');
        }
        out += q[i];
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    Parsed<Protocol> protocol = parse_protocol_value(text);
    well_formed(protocol, text);
    if (protocol.value) {
        REQUIRE(parse_protocol(protocol_name(*protocol.value)) == protocol.value);
        REQUIRE(parse_protocol(text) == protocol.value);
    }
    Parsed<int> level = parse_security_level(text);
    well_formed(level, text);
    if (level.value) REQUIRE(*level.value >= 0 && *level.value <= 5);
    Parsed<Mode> mode = parse_mode(text);
    well_formed(mode, text);
    if (mode.value) REQUIRE(parse_mode(mode_name(*mode.value)).value == mode.value);
    Parsed<LogLevel> log_level = parse_log_level(text);
    well_formed(log_level, text);
    if (log_level.value) REQUIRE(parse_log_level(log_level_name(*log_level.value)).value == log_level.value);
    well_formed(parse_on_error(text), text);
    well_formed(parse_log_format(text), text);
    well_formed(parse_flag(text), text);
    Parsed<Role> role = parse_role(text);
    well_formed(role, text);
    if (role.value) REQUIRE(parse_role(role_name(*role.value)).value == role.value);

    check_split(text, ',');
    check_split(text, ':');
    if (!text.empty()) check_split(text.substr(1), text[0]);

    REQUIRE(unquote(toml_quoted(text)) == text);

    // The same text in every variable. An environment string ends at its first NUL.
    std::string value(text.substr(0, text.find('\0')));
    Environment env = read_environment([&](const char*) { return value.c_str(); });
    if (value.empty()) {
        REQUIRE(env.errors.empty() && env.settings.empty() && !env.config_path);
    } else {
        REQUIRE(env.config_path && env.config_path == value.c_str());
        REQUIRE(env.settings.ciphers && env.settings.ciphers->value == value);
        REQUIRE(env.settings.options);
        REQUIRE(env.settings.options->value == split_list(value, ','));
        REQUIRE(env.settings.min_protocol.has_value() == parse_protocol_value(value).value.has_value());
        for (const Diagnostic& d : env.errors) REQUIRE(d.where.rfind("TLSOVERRIDE_", 0) == 0 && !d.message.empty());
        weakens_security(env.settings);
    }
    return 0;
}
