// TLSOVERRIDE_* variables to settings, through a lookup map instead of the real environment.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/environment.hpp"

using namespace tlso;

namespace {

using Variables = std::map<std::string, std::string>;

// The map must outlive the Environment: config_path points into it, as into environ.
Environment read(const Variables& vars) {
    return read_environment([&vars](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    });
}

std::string error_texts(const Environment& env) {
    std::string all;
    for (const Diagnostic& d : env.errors) all += d.text() + "\n";
    return all;
}

template <class T>
void from_variable(const Setting<T>& s, const T& value, const char* variable) {
    INFO(variable);
    REQUIRE(s.has_value());
    CHECK(s->value == value);
    CHECK(s->origin.source == "environment");
    CHECK(s->origin.location == variable);
}

}  // namespace

TEST_CASE("each TLSOVERRIDE_ variable sets its setting, with the variable as origin") {
    Variables vars = {
        {"TLSOVERRIDE_MIN_PROTOCOL", "tlsv1.0"},
        {"TLSOVERRIDE_MAX_PROTOCOL", "TLSv1.2"},
        {"TLSOVERRIDE_CIPHERS", "ECDHE+AESGCM:@SECLEVEL=0"},
        {"TLSOVERRIDE_CIPHERSUITES", "TLS_AES_128_GCM_SHA256"},
        {"TLSOVERRIDE_GROUPS", "X25519:P-256"},
        {"TLSOVERRIDE_SIGNATURE_ALGORITHMS", "RSA+SHA256:ECDSA+SHA256"},
        {"TLSOVERRIDE_SECURITY_LEVEL", "0"},
        {"TLSOVERRIDE_OPTIONS", "UnsafeLegacyServerConnect"},
        {"TLSOVERRIDE_MODE", "enforce"},
        {"TLSOVERRIDE_ON_ERROR", "ignore"},
        {"TLSOVERRIDE_LOG", "debug"},
        {"TLSOVERRIDE_LOG_FILE", "/var/log/tlso.log"},
        {"TLSOVERRIDE_LOG_FORMAT", "json"},
        {"TLSOVERRIDE_LOG_HANDSHAKES", "1"},
        {"TLSOVERRIDE_CONFIG", "/etc/other.toml"},
    };
    Environment env = read(vars);
    CHECK(error_texts(env) == "");
    const Settings& s = env.settings;
    from_variable(s.min_protocol, Protocol::TLSv1, "TLSOVERRIDE_MIN_PROTOCOL");
    from_variable(s.max_protocol, Protocol::TLSv1_2, "TLSOVERRIDE_MAX_PROTOCOL");
    from_variable(s.ciphers, std::string("ECDHE+AESGCM:@SECLEVEL=0"), "TLSOVERRIDE_CIPHERS");
    from_variable(s.ciphersuites, std::string("TLS_AES_128_GCM_SHA256"), "TLSOVERRIDE_CIPHERSUITES");
    from_variable(s.groups, std::string("X25519:P-256"), "TLSOVERRIDE_GROUPS");
    from_variable(s.signature_algorithms, std::string("RSA+SHA256:ECDSA+SHA256"), "TLSOVERRIDE_SIGNATURE_ALGORITHMS");
    from_variable(s.security_level, 0, "TLSOVERRIDE_SECURITY_LEVEL");
    from_variable(s.options, std::vector<std::string>{"UnsafeLegacyServerConnect"}, "TLSOVERRIDE_OPTIONS");
    const ProcessSettings& p = env.process;
    from_variable(p.mode, Mode::Enforce, "TLSOVERRIDE_MODE");
    from_variable(p.on_error, OnError::Ignore, "TLSOVERRIDE_ON_ERROR");
    from_variable(p.log_level, LogLevel::Debug, "TLSOVERRIDE_LOG");
    from_variable(p.log_file, std::string("/var/log/tlso.log"), "TLSOVERRIDE_LOG_FILE");
    from_variable(p.log_format, LogFormat::Json, "TLSOVERRIDE_LOG_FORMAT");
    from_variable(p.log_handshakes, true, "TLSOVERRIDE_LOG_HANDSHAKES");
    REQUIRE(env.config_path != nullptr);
    CHECK(std::string(env.config_path) == "/etc/other.toml");
}

TEST_CASE("no variables: nothing is set and nothing is wrong") {
    Environment env = read({{"PATH", "/usr/bin"}, {"tlsoverride_min_protocol", "TLSv1"}});
    CHECK(env.settings.empty());
    CHECK_FALSE(env.process.mode.has_value());
    CHECK_FALSE(env.process.log_level.has_value());
    CHECK(env.config_path == nullptr);
    CHECK(env.errors.empty());
}

TEST_CASE("a variable set to the empty string counts as unset") {
    Variables vars;
    for (const char* name :
         {"TLSOVERRIDE_MIN_PROTOCOL", "TLSOVERRIDE_MAX_PROTOCOL", "TLSOVERRIDE_CIPHERS", "TLSOVERRIDE_CIPHERSUITES",
          "TLSOVERRIDE_GROUPS", "TLSOVERRIDE_SIGNATURE_ALGORITHMS", "TLSOVERRIDE_SECURITY_LEVEL", "TLSOVERRIDE_OPTIONS",
          "TLSOVERRIDE_MODE", "TLSOVERRIDE_ON_ERROR", "TLSOVERRIDE_LOG", "TLSOVERRIDE_LOG_FILE",
          "TLSOVERRIDE_LOG_FORMAT", "TLSOVERRIDE_LOG_HANDSHAKES", "TLSOVERRIDE_CONFIG"})
        vars[name] = "";
    Environment env = read(vars);
    CHECK(error_texts(env) == "");
    CHECK(env.settings.empty());
    const ProcessSettings& p = env.process;
    CHECK_FALSE((p.mode || p.on_error || p.log_level || p.log_file || p.log_format || p.log_handshakes));
    CHECK(env.config_path == nullptr);
}

TEST_CASE("garbage in any variable is an error naming the variable and the accepted values") {
    struct Case {
        const char* variable;
        const char* value;
        const char* message;
    };
    for (const Case& c : {
             Case{"TLSOVERRIDE_MIN_PROTOCOL", "TLS1.2",
                  "TLSOVERRIDE_MIN_PROTOCOL: unknown protocol version 'TLS1.2' (use TLSv1, TLSv1.1, TLSv1.2 or "
                  "TLSv1.3; did you mean TLSv1.2?)"},
             Case{"TLSOVERRIDE_MAX_PROTOCOL", "SSLv3",
                  "TLSOVERRIDE_MAX_PROTOCOL: unknown protocol version 'SSLv3' (use TLSv1, TLSv1.1, TLSv1.2 or "
                  "TLSv1.3; SSL 3.0 and 2.0 are not supported by OpenSSL 3)"},
             Case{"TLSOVERRIDE_SECURITY_LEVEL", "high",
                  "TLSOVERRIDE_SECURITY_LEVEL: security level 'high' is not a number from 0 to 5"},
             Case{"TLSOVERRIDE_MODE", "strict", "TLSOVERRIDE_MODE: unknown mode 'strict' (use default or enforce)"},
             Case{"TLSOVERRIDE_ON_ERROR", "abort",
                  "TLSOVERRIDE_ON_ERROR: unknown on_error value 'abort' (use fail or ignore)"},
             Case{"TLSOVERRIDE_LOG", "loud",
                  "TLSOVERRIDE_LOG: unknown log level 'loud' (use off, error, warn, info or debug)"},
             Case{"TLSOVERRIDE_LOG_FORMAT", "xml", "TLSOVERRIDE_LOG_FORMAT: unknown log format 'xml' (use text or json)"},
             Case{"TLSOVERRIDE_LOG_HANDSHAKES", "please",
                  "TLSOVERRIDE_LOG_HANDSHAKES: unknown switch value 'please' (use true, 1, yes, false, 0 or no)"},
         }) {
        INFO(c.variable, "=", c.value);
        Environment env = read({{c.variable, c.value}});
        CHECK(error_texts(env) == std::string(c.message) + "\n");
        CHECK(env.settings.empty());
        const ProcessSettings& p = env.process;
        CHECK_FALSE((p.mode || p.on_error || p.log_level || p.log_format || p.log_handshakes));
    }
}

TEST_CASE("every bad variable is reported, not only the first, and good ones still apply") {
    Environment env = read({{"TLSOVERRIDE_MIN_PROTOCOL", "TLSv9"},
                            {"TLSOVERRIDE_MODE", "strict"},
                            {"TLSOVERRIDE_MAX_PROTOCOL", "TLSv1.3"}});
    REQUIRE(env.errors.size() == 2);
    CHECK(env.errors[0].where == "TLSOVERRIDE_MIN_PROTOCOL");
    CHECK(env.errors[1].where == "TLSOVERRIDE_MODE");
    from_variable(env.settings.max_protocol, Protocol::TLSv1_3, "TLSOVERRIDE_MAX_PROTOCOL");
}

TEST_CASE("options are split on commas and trimmed") {
    Environment env = read({{"TLSOVERRIDE_OPTIONS", " UnsafeLegacyServerConnect ,-SessionTicket,, ServerPreference "}});
    from_variable(env.settings.options,
                  std::vector<std::string>{"UnsafeLegacyServerConnect", "-SessionTicket", "ServerPreference"},
                  "TLSOVERRIDE_OPTIONS");
}

TEST_CASE("strings are taken as written: OpenSSL checks them later") {
    Environment env = read({{"TLSOVERRIDE_CIPHERS", "NOT-A-CIPHER, really"}, {"TLSOVERRIDE_GROUPS", " X25519 "}});
    CHECK(env.errors.empty());
    from_variable(env.settings.ciphers, std::string("NOT-A-CIPHER, really"), "TLSOVERRIDE_CIPHERS");
    from_variable(env.settings.groups, std::string(" X25519 "), "TLSOVERRIDE_GROUPS");
}

TEST_CASE("TLSOVERRIDE_CONFIG is captured as the configuration path") {
    Variables vars = {{"TLSOVERRIDE_CONFIG", "/srv/app/tlsoverride.toml"}};
    Environment env = read(vars);
    REQUIRE(env.config_path != nullptr);
    CHECK(std::string(env.config_path) == "/srv/app/tlsoverride.toml");
    CHECK(env.settings.empty());
    CHECK(env.errors.empty());
}
