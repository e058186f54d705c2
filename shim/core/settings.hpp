// The vocabulary of a policy: protocol versions, the settings an operator can set,
// and where each value came from. Pure: no OpenSSL, no I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tlso {

enum class Protocol { TLSv1, TLSv1_1, TLSv1_2, TLSv1_3 };
inline constexpr std::array all_protocols{Protocol::TLSv1, Protocol::TLSv1_1, Protocol::TLSv1_2, Protocol::TLSv1_3};

// "TLSv1.2", case-insensitive; "TLSv1.0" is TLSv1.
std::optional<Protocol> parse_protocol(std::string_view name);
std::string_view protocol_name(Protocol p);

enum class Mode { Default, Enforce };
enum class OnError { Fail, Ignore };
enum class Role { Client, Server };
enum class LogLevel { Off, Error, Warn, Info, Debug };
enum class LogFormat { Text, Json };

std::string_view role_name(Role r);

// Where a value came from: shown by `explain`, and the start of every error
// found in it later ("config.toml:12:11: ciphers ..." or "TLSOVERRIDE_CIPHERS: ...").
struct Origin {
    std::string source;    // "environment", "rule \"old billing host\"", "[policy]", "profile intermediate"
    std::string location;  // "FILE:LINE:COLUMN" or the environment variable's name
    bool operator==(const Origin&) const = default;
};

template <class T>
struct Sourced {
    T value;
    Origin origin;
    bool operator==(const Sourced&) const = default;
};

template <class T>
using Setting = std::optional<Sourced<T>>;  // empty: left to the program

// The TLS settings one policy layer names. Every field is optional.
struct Settings {
    Setting<Protocol> min_protocol;
    Setting<Protocol> max_protocol;
    Setting<std::string> ciphers;
    Setting<std::string> ciphersuites;
    Setting<std::string> groups;
    Setting<std::string> signature_algorithms;
    Setting<int> security_level;
    Setting<std::vector<std::string>> options;
    // GnuTLS only: priority-string tokens appended after the translation of the
    // settings above (see core/gnutls_priority.hpp). OpenSSL ignores it.
    Setting<std::string> gnutls_priority;

    bool empty() const;
    bool names_a_bound() const { return min_protocol || max_protocol; }
    bool operator==(const Settings&) const = default;
};

// One setting's names across the product: the TOML key, the environment variable,
// the `run` flag, and OpenSSL's SSL_CONF command (empty where there is none).
struct SettingName {
    std::string_view key;
    std::string_view env;
    std::string_view flag;
    std::string_view conf_command;
};

// Calls f(name, field) for every setting field, in the design's order.
template <class S, class F>
void for_each_setting(S& s, F&& f) {
    f(SettingName{"min_protocol", "TLSOVERRIDE_MIN_PROTOCOL", "--min-protocol", "MinProtocol"}, s.min_protocol);
    f(SettingName{"max_protocol", "TLSOVERRIDE_MAX_PROTOCOL", "--max-protocol", "MaxProtocol"}, s.max_protocol);
    f(SettingName{"ciphers", "TLSOVERRIDE_CIPHERS", "--ciphers", "CipherString"}, s.ciphers);
    f(SettingName{"ciphersuites", "TLSOVERRIDE_CIPHERSUITES", "--ciphersuites", "Ciphersuites"}, s.ciphersuites);
    f(SettingName{"groups", "TLSOVERRIDE_GROUPS", "--groups", "Groups"}, s.groups);
    f(SettingName{"signature_algorithms", "TLSOVERRIDE_SIGNATURE_ALGORITHMS", "--signature-algorithms",
                  "SignatureAlgorithms"},
      s.signature_algorithms);
    f(SettingName{"security_level", "TLSOVERRIDE_SECURITY_LEVEL", "--security-level", ""}, s.security_level);
    f(SettingName{"options", "TLSOVERRIDE_OPTIONS", "--options", "Options"}, s.options);
    f(SettingName{"gnutls_priority", "TLSOVERRIDE_GNUTLS_PRIORITY", "--gnutls-priority", ""}, s.gnutls_priority);
}

// `high` wins field by field; what it leaves unset comes from `low`.
Settings overlay(const Settings& low, const Settings& high);

// Process-wide settings (not per rule): mode, error handling and logging.
struct ProcessSettings {
    Setting<Mode> mode;
    Setting<OnError> on_error;
    Setting<LogLevel> log_level;
    Setting<std::string> log_file;
    Setting<LogFormat> log_format;
    Setting<bool> log_handshakes;
    bool operator==(const ProcessSettings&) const = default;
};
ProcessSettings overlay(const ProcessSettings& low, const ProcessSettings& high);

// Value parsers shared by the environment and the file. Each returns an error
// message naming the accepted values, or the value.
template <class T>
struct Parsed {
    std::optional<T> value;
    std::string error;  // set when value is empty
};
Parsed<Protocol> parse_protocol_value(std::string_view text);
Parsed<int> parse_security_level(std::string_view text);
Parsed<Mode> parse_mode(std::string_view text);
Parsed<OnError> parse_on_error(std::string_view text);
Parsed<LogLevel> parse_log_level(std::string_view text);
Parsed<LogFormat> parse_log_format(std::string_view text);
Parsed<bool> parse_flag(std::string_view text);
Parsed<Role> parse_role(std::string_view text);
// "UnsafeLegacyServerConnect, -SessionTicket" -> the names, trimmed.
std::vector<std::string> split_list(std::string_view text, char separator);

// Security below the design's line: a protocol allowed under TLSv1.2, or level 0
// (also through "@SECLEVEL=0" in the cipher list).
bool weakens_security(const Settings& s);
bool lowers_level_in_ciphers(const Settings& s);

// A value as OpenSSL's SSL_CONF takes it ("TLSv1.2", "A:B", "X,Y"), and as
// TOML writes it ("TLSv1.2" quoted, 0 bare, ["X", "Y"]).
std::string value_text(Protocol p);
std::string value_text(const std::string& s);
std::string value_text(int i);
std::string value_text(bool b);
std::string value_text(const std::vector<std::string>& items);
std::string toml_quoted(std::string_view text);
template <class T>
std::string toml_text(const T& v) {
    if constexpr (std::is_same_v<T, int> || std::is_same_v<T, bool>) return value_text(v);
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        std::string out = "[";
        for (const std::string& i : v) out += (out.size() > 1 ? ", " : "") + toml_quoted(i);
        return out + "]";
    } else return toml_quoted(value_text(v));
}

std::string_view mode_name(Mode m);
std::string_view log_level_name(LogLevel l);

}  // namespace tlso
