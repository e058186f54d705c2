// Protocol names, value parsers, overlay and the "weakens security" line.
#include <doctest/doctest.h>

#include "core/settings.hpp"

using namespace tlso;

namespace {

Origin at(std::string source) { return {std::move(source), "c.toml:1:1"}; }

template <class T>
Setting<T> set(T value, std::string source = "[policy]") {
    return Sourced<T>{std::move(value), at(std::move(source))};
}

// A parser's rejection, checked whole: what the user reads.
template <class T>
void rejects(Parsed<T> parsed, const std::string& message) {
    CHECK_FALSE(parsed.value.has_value());
    CHECK(parsed.error == message);
}

}  // namespace

TEST_CASE("protocol names are case-insensitive, trimmed, and TLSv1.0 is TLSv1") {
    struct Case {
        const char* text;
        Protocol expected;
    };
    for (const Case& c : {Case{"TLSv1", Protocol::TLSv1}, Case{"tlsv1", Protocol::TLSv1},
                          Case{"TLSv1.0", Protocol::TLSv1}, Case{"TLSV1.0", Protocol::TLSv1},
                          Case{"TLSv1.1", Protocol::TLSv1_1}, Case{"tlsV1.1", Protocol::TLSv1_1},
                          Case{"TLSv1.2", Protocol::TLSv1_2}, Case{"  TLSv1.2\t", Protocol::TLSv1_2},
                          Case{"TLSv1.3", Protocol::TLSv1_3}, Case{"TLSV1.3", Protocol::TLSv1_3}}) {
        INFO("text: '", c.text, "'");
        CHECK(parse_protocol(c.text) == c.expected);
        Parsed<Protocol> parsed = parse_protocol_value(c.text);
        CHECK(parsed.value == c.expected);
        CHECK(parsed.error.empty());
    }
}

TEST_CASE("protocol names print as OpenSSL writes them and read back") {
    CHECK(protocol_name(Protocol::TLSv1) == "TLSv1");
    CHECK(protocol_name(Protocol::TLSv1_1) == "TLSv1.1");
    CHECK(protocol_name(Protocol::TLSv1_2) == "TLSv1.2");
    CHECK(protocol_name(Protocol::TLSv1_3) == "TLSv1.3");
    for (Protocol p : all_protocols) CHECK(parse_protocol(protocol_name(p)) == p);
}

TEST_CASE("an unknown protocol name is rejected with the accepted values and a hint") {
    rejects(parse_protocol_value("SSLv3"),
            "unknown protocol version 'SSLv3' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; SSL 3.0 and 2.0 are not "
            "supported by OpenSSL 3)");
    rejects(parse_protocol_value("sslv2"),
            "unknown protocol version 'sslv2' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; SSL 3.0 and 2.0 are not "
            "supported by OpenSSL 3)");
    rejects(parse_protocol_value("TLS1.2"),
            "unknown protocol version 'TLS1.2' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; did you mean TLSv1.2?)");
    rejects(parse_protocol_value("1.2"),
            "unknown protocol version '1.2' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; did you mean TLSv1.2?)");
    rejects(parse_protocol_value("TLSv1.4"), "unknown protocol version 'TLSv1.4' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)");
    rejects(parse_protocol_value(""), "unknown protocol version '' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)");
    CHECK_FALSE(parse_protocol("TLSv1.2x").has_value());
    CHECK_FALSE(parse_protocol("SSLv3").has_value());
}

TEST_CASE("security level accepts 0 to 5 and nothing else") {
    for (int level = 0; level <= 5; level++) CHECK(parse_security_level(std::to_string(level)).value == level);
    CHECK(parse_security_level(" 2 ").value == 2);
    for (const char* bad : {"6", "-1", "05", "", "one", "1.0"}) {
        INFO("text: '", bad, "'");
        rejects(parse_security_level(bad), "security level '" + std::string(bad) + "' is not a number from 0 to 5");
    }
}

TEST_CASE("word values are case-insensitive and their errors list the accepted values") {
    CHECK(parse_mode("Enforce").value == Mode::Enforce);
    CHECK(parse_mode("default").value == Mode::Default);
    CHECK(parse_on_error("IGNORE").value == OnError::Ignore);
    CHECK(parse_on_error("fail").value == OnError::Fail);
    CHECK(parse_log_level("Debug").value == LogLevel::Debug);
    CHECK(parse_log_level("off").value == LogLevel::Off);
    CHECK(parse_log_format("JSON").value == LogFormat::Json);
    CHECK(parse_role("Server").value == Role::Server);
    CHECK(parse_flag("yes").value == true);
    CHECK(parse_flag("1").value == true);
    CHECK(parse_flag("False").value == false);
    CHECK(parse_flag("0").value == false);

    rejects(parse_mode("strict"), "unknown mode 'strict' (use default or enforce)");
    rejects(parse_on_error("warn"), "unknown on_error value 'warn' (use fail or ignore)");
    rejects(parse_log_level("verbose"), "unknown log level 'verbose' (use off, error, warn, info or debug)");
    rejects(parse_log_format("xml"), "unknown log format 'xml' (use text or json)");
    rejects(parse_flag("maybe"), "unknown switch value 'maybe' (use true, 1, yes, false, 0 or no)");
    rejects(parse_role("both"), "unknown role 'both' (use client or server)");
}

TEST_CASE("names of modes, levels and roles") {
    CHECK(mode_name(Mode::Enforce) == "enforce");
    CHECK(mode_name(Mode::Default) == "default");
    CHECK(log_level_name(LogLevel::Off) == "off");
    CHECK(log_level_name(LogLevel::Warn) == "warn");
    CHECK(log_level_name(LogLevel::Debug) == "debug");
    CHECK(role_name(Role::Client) == "client");
    CHECK(role_name(Role::Server) == "server");
}

TEST_CASE("lists split on the separator, trimmed, without empty items") {
    using List = std::vector<std::string>;
    CHECK(split_list("UnsafeLegacyServerConnect, -SessionTicket", ',') ==
          List{"UnsafeLegacyServerConnect", "-SessionTicket"});
    CHECK(split_list(" a ,, b ,", ',') == List{"a", "b"});
    CHECK(split_list("X25519:P-256", ':') == List{"X25519", "P-256"});
    CHECK(split_list("", ',').empty());
    CHECK(split_list(" , ", ',').empty());
}

TEST_CASE("overlay takes each field from the higher layer when it sets it") {
    Settings low, high;
    low.min_protocol = set(Protocol::TLSv1_2, "[policy]");
    low.ciphers = set(std::string("LOW"), "[policy]");
    low.groups = set(std::string("X25519"), "[policy]");
    high.min_protocol = set(Protocol::TLSv1, "environment");
    high.options = set(std::vector<std::string>{"UnsafeLegacyServerConnect"}, "environment");

    Settings s = overlay(low, high);
    CHECK(s.min_protocol->value == Protocol::TLSv1);
    CHECK(s.min_protocol->origin.source == "environment");
    CHECK(s.ciphers->value == "LOW");
    CHECK(s.ciphers->origin.source == "[policy]");
    CHECK(s.groups->value == "X25519");
    CHECK(s.options->value == std::vector<std::string>{"UnsafeLegacyServerConnect"});
    CHECK_FALSE(s.max_protocol.has_value());
    CHECK_FALSE(s.security_level.has_value());
}

TEST_CASE("process settings overlay field by field") {
    ProcessSettings low, high;
    low.mode = set(Mode::Enforce, "file");
    low.log_level = set(LogLevel::Info, "file");
    high.log_level = set(LogLevel::Debug, "environment");
    high.log_handshakes = set(true, "environment");
    ProcessSettings p = overlay(low, high);
    CHECK(p.mode->value == Mode::Enforce);
    CHECK(p.log_level->value == LogLevel::Debug);
    CHECK(p.log_level->origin.source == "environment");
    CHECK(p.log_handshakes->value == true);
    CHECK_FALSE(p.on_error.has_value());
    CHECK_FALSE(p.log_file.has_value());
}

TEST_CASE("empty settings and named bounds") {
    Settings s;
    CHECK(s.empty());
    CHECK_FALSE(s.names_a_bound());
    s.options = set(std::vector<std::string>{});
    CHECK_FALSE(s.empty());
    CHECK_FALSE(s.names_a_bound());
    Settings bounded;
    bounded.max_protocol = set(Protocol::TLSv1_3);
    CHECK(bounded.names_a_bound());
}

TEST_CASE("a protocol below TLSv1.2 or security level 0 weakens security") {
    struct Case {
        std::optional<Protocol> min, max;
        std::optional<int> level;
        bool weakens;
    };
    for (const Case& c : {
             Case{std::nullopt, std::nullopt, std::nullopt, false},
             Case{Protocol::TLSv1_2, std::nullopt, std::nullopt, false},
             Case{Protocol::TLSv1_3, Protocol::TLSv1_3, 2, false},
             Case{std::nullopt, std::nullopt, 1, false},
             Case{Protocol::TLSv1, std::nullopt, std::nullopt, true},
             Case{Protocol::TLSv1_1, std::nullopt, std::nullopt, true},
             Case{std::nullopt, Protocol::TLSv1_1, std::nullopt, true},
             Case{std::nullopt, std::nullopt, 0, true},
             Case{Protocol::TLSv1_2, std::nullopt, 0, true},
         }) {
        Settings s;
        if (c.min) s.min_protocol = set(*c.min);
        if (c.max) s.max_protocol = set(*c.max);
        if (c.level) s.security_level = set(*c.level);
        INFO("min ", c.min ? protocol_name(*c.min) : "-", " max ", c.max ? protocol_name(*c.max) : "-", " level ",
             c.level ? std::to_string(*c.level) : "-");
        CHECK(weakens_security(s) == c.weakens);
    }
}

TEST_CASE("values print as SSL_CONF takes them and as TOML writes them") {
    CHECK(value_text(Protocol::TLSv1_2) == "TLSv1.2");
    CHECK(value_text(std::vector<std::string>{"A", "B"}) == "A,B");
    CHECK(value_text(0) == "0");
    CHECK(value_text(true) == "true");
    CHECK(toml_text(Protocol::TLSv1) == "\"TLSv1\"");
    CHECK(toml_text(std::string("ECDHE+AESGCM")) == "\"ECDHE+AESGCM\"");
    CHECK(toml_text(3) == "3");
    CHECK(toml_text(false) == "false");
    CHECK(toml_text(std::vector<std::string>{"X", "Y"}) == "[\"X\", \"Y\"]");
    CHECK(toml_text(std::vector<std::string>{}) == "[]");
}
