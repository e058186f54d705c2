// TOML text to a Config, or errors located at FILE:LINE:COLUMN.
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"

using namespace tlso;

namespace {

std::string texts(Diagnostics errors) {
    std::vector<std::string> lines;
    for (const Diagnostic& d : errors) lines.push_back(d.text());
    std::sort(lines.begin(), lines.end());  // toml++ walks tables in key order, not line order
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    return all;
}

Config parses_ok(std::string_view text, const std::function<void(const Config&)>& check = {}) {
    LoadedConfig loaded = parse_config(text, "c.toml");
    INFO("config:\n", std::string(text));
    CHECK(texts(loaded.errors) == "");
    if (check) check(loaded.config);
    return loaded.config;
}

// Exactly these errors (in any order), each "c.toml:LINE:COLUMN: message".
void parse_fails_all(std::string_view text, std::vector<std::string> expected) {
    LoadedConfig loaded = parse_config(text, "c.toml");
    INFO("config:\n", std::string(text));
    std::vector<std::string> lines;
    for (std::string& e : expected) lines.push_back(e);
    std::sort(lines.begin(), lines.end());
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    CHECK(texts(loaded.errors) == all);
}

void parse_fails(std::string_view text, const std::string& expected) { parse_fails_all(text, {expected}); }

template <class T>
void is(const Setting<T>& s, const T& value, const std::string& source, const std::string& location) {
    REQUIRE(s.has_value());
    CHECK(s->value == value);
    CHECK(s->origin.source == source);
    CHECK(s->origin.location == location);
}


using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("a file with every key parses into its values, each with its origin") {
    parses_ok(R"(mode = "enforce"
on_error = "ignore"

[log]
level = "info"
file = "/var/log/tlsoverride.log"
format = "json"
handshakes = true

[policy]
min_protocol = "TLSv1.2"
max_protocol = "TLSv1.3"
ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20"
ciphersuites = "TLS_AES_256_GCM_SHA384"
groups = ["X25519", "P-256"]
signature_algorithms = "RSA+SHA256:ECDSA+SHA256"
security_level = 2
options = ["ServerPreference", "-SessionTicket"]

[[rule]]
name = "old billing host"
host = ["billing.legacy.example", "*.legacy.example"]
program = "billing-sync"
role = "client"
min_protocol = "TLSv1"
security_level = 0
options = ["UnsafeLegacyServerConnect"]

[[rule]]
program = ["java", "java-*"]
role = "server"
profile = "intermediate"
ciphers = "HIGH"
)",
              [](const Config& c) {
                  CHECK(c.path == "c.toml");
                  const ProcessSettings& p = c.process;
                  is(p.mode, Mode::Enforce, "file", "c.toml:1:8");
                  is(p.on_error, OnError::Ignore, "file", "c.toml:2:12");
                  is(p.log_level, LogLevel::Info, "file", "c.toml:5:9");
                  is(p.log_file, std::string("/var/log/tlsoverride.log"), "file", "c.toml:6:8");
                  is(p.log_format, LogFormat::Json, "file", "c.toml:7:10");
                  is(p.log_handshakes, true, "file", "c.toml:8:14");

                  const Settings& s = c.policy;
                  is(s.min_protocol, Protocol::TLSv1_2, "[policy]", "c.toml:11:16");
                  is(s.max_protocol, Protocol::TLSv1_3, "[policy]", "c.toml:12:16");
                  is(s.ciphers, std::string("ECDHE+AESGCM:ECDHE+CHACHA20"), "[policy]", "c.toml:13:11");
                  is(s.ciphersuites, std::string("TLS_AES_256_GCM_SHA384"), "[policy]", "c.toml:14:16");
                  is(s.groups, std::string("X25519:P-256"), "[policy]", "c.toml:15:10");
                  is(s.signature_algorithms, std::string("RSA+SHA256:ECDSA+SHA256"), "[policy]", "c.toml:16:24");
                  is(s.security_level, 2, "[policy]", "c.toml:17:18");
                  is(s.options, Strings{"ServerPreference", "-SessionTicket"}, "[policy]", "c.toml:18:11");

                  REQUIRE(c.rules.size() == 2);
                  const Rule& billing = c.rules[0];
                  CHECK(billing.name == "old billing host");
                  CHECK(billing.location == "c.toml:20:1");
                  CHECK(billing.hosts == Strings{"billing.legacy.example", "*.legacy.example"});
                  CHECK(billing.programs == Strings{"billing-sync"});
                  CHECK(billing.role == Role::Client);
                  const std::string source = "rule \"old billing host\"";
                  is(billing.settings.min_protocol, Protocol::TLSv1, source, "c.toml:25:16");
                  is(billing.settings.security_level, 0, source, "c.toml:26:18");
                  is(billing.settings.options, Strings{"UnsafeLegacyServerConnect"}, source, "c.toml:27:11");
                  CHECK_FALSE(billing.settings.ciphers.has_value());  // a rule holds its own keys only

                  const Rule& java = c.rules[1];
                  CHECK(java.name == "rule 2");
                  CHECK(java.location == "c.toml:29:1");
                  CHECK(java.programs == Strings{"java", "java-*"});
                  CHECK(java.hosts.empty());
                  CHECK(java.role == Role::Server);
                  is(java.settings.ciphers, std::string("HIGH"), "rule \"rule 2\"", "c.toml:33:11");
                  is(java.settings.min_protocol, Protocol::TLSv1_2, "profile intermediate (rule \"rule 2\")",
                     "c.toml:32:11");
              });
}

TEST_CASE("a file with only some keys leaves the rest unset") {
    parses_ok("[policy]\nmin_protocol = \"TLSv1.2\"\n", [](const Config& c) {
        CHECK_FALSE(c.process.mode.has_value());
        CHECK_FALSE(c.process.log_level.has_value());
        CHECK_FALSE(c.policy.ciphers.has_value());
        CHECK(c.rules.empty());
        CHECK(c.policy.min_protocol.has_value());
    });
    parses_ok("# comments only are a valid, empty configuration\n", [](const Config& c) {
        CHECK(c.policy.empty());
        CHECK(c.rules.empty());
    });
}

TEST_CASE("an unknown key is located and the nearest valid key suggested, in every table") {
    parse_fails("[policy]\nmin_protcol = \"TLSv1.2\"\n",
                "c.toml:2:1: unknown key 'min_protcol' in [policy] (did you mean 'min_protocol'?)");
    parse_fails("[policy]\n  cipher = \"HIGH\"\n",
                "c.toml:2:3: unknown key 'cipher' in [policy] (did you mean 'ciphers'?)");
    parse_fails("[[rule]]\nprograms = [\"curl\"]\n",
                "c.toml:2:1: unknown key 'programs' in [[rule]] (did you mean 'program'?)");
    parse_fails("[[rule]]\nhosts = [\"a\"]\n", "c.toml:2:1: unknown key 'hosts' in [[rule]] (did you mean 'host'?)");
    parse_fails("[[rule]]\nmax_protcol = \"TLSv1.2\"\n",
                "c.toml:2:1: unknown key 'max_protcol' in [[rule]] (did you mean 'max_protocol'?)");
    parse_fails("[log]\nlevl = \"info\"\n", "c.toml:2:1: unknown key 'levl' in [log] (did you mean 'level'?)");
    parse_fails("[log]\nhandshake = true\n",
                "c.toml:2:1: unknown key 'handshake' in [log] (did you mean 'handshakes'?)");
    parse_fails("mod = \"enforce\"\n", "c.toml:1:1: unknown key 'mod' at the top level (did you mean 'mode'?)");
    parse_fails("[polcy]\nmin_protocol = \"TLSv1.2\"\n",
                "c.toml:1:2: unknown key 'polcy' at the top level (did you mean 'policy'?)");
    parse_fails("[rules]\n", "c.toml:1:2: unknown key 'rules' at the top level (did you mean 'rule'?)");
}

TEST_CASE("an unknown key far from every valid key gets no suggestion") {
    parse_fails("[policy]\ncolour = \"blue\"\n", "c.toml:2:1: unknown key 'colour' in [policy]");
    parse_fails("verbose = true\n", "c.toml:1:1: unknown key 'verbose' at the top level");
    // Keys only a rule has are unknown in [policy].
    parse_fails("[policy]\nprogram = \"curl\"\n", "c.toml:2:1: unknown key 'program' in [policy]");
}

TEST_CASE("nearest suggests a close candidate and nothing for a distant word") {
    std::vector<std::string_view> keys = {"min_protocol", "max_protocol", "ciphers", "mode"};
    CHECK(nearest("min_protcol", keys) == "min_protocol");
    CHECK(nearest("MIN_PROTOCOL", keys) == "");  // case matters in TOML keys; too far to guess
    CHECK(nearest("maxprotocol", keys) == "max_protocol");
    CHECK(nearest("cipher", keys) == "ciphers");
    CHECK(nearest("mod", keys) == "mode");
    CHECK(nearest("colour", keys) == "");
    CHECK(nearest("anything", {}) == "");
}

TEST_CASE("a value of the wrong type says what was expected and what was found") {
    parse_fails("[policy]\nmin_protocol = 12\n", "c.toml:2:16: min_protocol must be a string, not an integer");
    parse_fails("[policy]\nciphers = [\"HIGH\"]\n", "c.toml:2:11: ciphers must be a string, not an array");
    parse_fails("[policy]\nsecurity_level = \"0\"\n",
                "c.toml:2:18: security_level must be an integer from 0 to 5, not a string");
    parse_fails("[policy]\nsecurity_level = 1.5\n",
                "c.toml:2:18: security_level must be an integer from 0 to 5, not a number");
    parse_fails("[policy]\noptions = \"UnsafeLegacyServerConnect\"\n",
                "c.toml:2:11: options must be a list of strings, e.g. options = [\"...\"], not a string");
    parse_fails("[policy]\noptions = { legacy = true }\n",
                "c.toml:2:11: options must be a list of strings, e.g. options = [\"...\"], not a table");
    parse_fails("[policy]\noptions = [\"A\", 2]\n", "c.toml:2:17: options items must be a string, not an integer");
    parse_fails("[policy]\ngroups = [\"X25519\", true]\n", "c.toml:2:21: groups items must be a string, not a boolean");
    parse_fails("mode = true\n", "c.toml:1:8: mode must be a string, not a boolean");
    parse_fails("on_error = 1\n", "c.toml:1:12: on_error must be a string, not an integer");
    parse_fails("[log]\nhandshakes = \"yes\"\n", "c.toml:2:14: handshakes must be true or false, not a string");
    parse_fails("[log]\nfile = 2024-01-01\n", "c.toml:2:8: file must be a string, not a date or time");
    parse_fails("log = \"debug\"\n", "c.toml:1:7: log must be a table: write [log] on its own line");
    parse_fails("policy = 1\n", "c.toml:1:10: policy must be a table: write [policy] on its own line");
    parse_fails("[[rule]]\nprogram = 5\n",
                "c.toml:2:11: program must be a list of strings, e.g. program = [\"...\"], not an integer");
    parse_fails("[[rule]]\nhost = [\"a\", 1]\n", "c.toml:2:14: host items must be a string, not an integer");
    parse_fails("[[rule]]\nname = 7\n", "c.toml:2:8: name must be a string, not an integer");
    parse_fails("[[rule]]\nrole = [\"client\"]\n", "c.toml:2:8: role must be a string, not an array");
    parse_fails("[policy]\nprofile = 1\n", "c.toml:2:11: profile must be a string, not an integer");
}

TEST_CASE("[rule] written as a single table is told to be [[rule]]") {
    parse_fails("[rule]\nname = \"x\"\nmin_protocol = \"TLSv1\"\n",
                "c.toml:1:1: rule must be written [[rule]] (an array of tables), not [rule]");
    parse_fails("rule = \"x\"\n", "c.toml:1:8: rule must be written [[rule]] (an array of tables), not a string");
    parse_fails("rule = []\n", "c.toml:1:8: rule must be written [[rule]] (an array of tables), not an array");
}

TEST_CASE("security_level outside 0 to 5 is out of range") {
    parse_fails("[policy]\nsecurity_level = 6\n", "c.toml:2:18: security_level 6 is out of range (use 0 to 5)");
    parse_fails("[[rule]]\nsecurity_level = -1\n", "c.toml:2:18: security_level -1 is out of range (use 0 to 5)");
    parses_ok("[policy]\nsecurity_level = 5\n", [](const Config& c) { CHECK(c.policy.security_level->value == 5); });
}

TEST_CASE("unknown names in values list the accepted ones") {
    parse_fails("mode = \"strict\"\n", "c.toml:1:8: mode: unknown mode 'strict' (use default or enforce)");
    parse_fails("on_error = \"warn\"\n", "c.toml:1:12: on_error: unknown on_error value 'warn' (use fail or ignore)");
    parse_fails("[policy]\nprofile = \"paranoid\"\n",
                "c.toml:2:11: unknown profile 'paranoid' (use modern, intermediate or old)");
    parse_fails("[[rule]]\nprofile = \"Modern\"\n",
                "c.toml:2:11: unknown profile 'Modern' (use modern, intermediate or old)");
    parse_fails("[[rule]]\nrole = \"both\"\n", "c.toml:2:8: role: unknown role 'both' (use client or server)");
    parse_fails("[log]\nlevel = \"verbose\"\n",
                "c.toml:2:9: level: unknown log level 'verbose' (use off, error, warn, info or debug)");
    parse_fails("[log]\nformat = \"xml\"\n", "c.toml:2:10: format: unknown log format 'xml' (use text or json)");
    parse_fails("[policy]\nmin_protocol = \"SSLv3\"\n",
                "c.toml:2:16: min_protocol: unknown protocol version 'SSLv3' (use TLSv1, TLSv1.1, TLSv1.2 or "
                "TLSv1.3; SSL 3.0 and 2.0 are not supported by OpenSSL 3)");
    parse_fails("[[rule]]\nmax_protocol = \"TLS1.2\"\n",
                "c.toml:2:16: max_protocol: unknown protocol version 'TLS1.2' (use TLSv1, TLSv1.1, TLSv1.2 or "
                "TLSv1.3; did you mean TLSv1.2?)");
}

TEST_CASE("values are case-insensitive in the file too") {
    parses_ok("mode = \"Enforce\"\n[log]\nlevel = \"DEBUG\"\n[[rule]]\nrole = \"Client\"\nmin_protocol = \"tlsv1.0\"\n",
              [](const Config& c) {
                  CHECK(c.process.mode->value == Mode::Enforce);
                  CHECK(c.process.log_level->value == LogLevel::Debug);
                  CHECK(c.rules.at(0).role == Role::Client);
                  CHECK(c.rules.at(0).settings.min_protocol->value == Protocol::TLSv1);
              });
}

TEST_CASE("min_protocol above max_protocol is located at min_protocol and names where max_protocol is") {
    parse_fails("[policy]\nmin_protocol = \"TLSv1.3\"\nmax_protocol = \"TLSv1.2\"\n",
                "c.toml:2:16: min_protocol TLSv1.3 is above max_protocol TLSv1.2 (at c.toml:3:16); lower "
                "min_protocol or raise max_protocol");
    parse_fails("[[rule]]\nname = \"r\"\nmax_protocol = \"TLSv1\"\nmin_protocol = \"TLSv1.1\"\n",
                "c.toml:4:16: min_protocol TLSv1.1 is above max_protocol TLSv1 (at c.toml:3:16); lower "
                "min_protocol or raise max_protocol");
    // The profile's min_protocol (TLSv1.3 for modern) against a max written beside it.
    parse_fails("[policy]\nprofile = \"modern\"\nmax_protocol = \"TLSv1.2\"\n",
                "c.toml:2:11: min_protocol TLSv1.3 is above max_protocol TLSv1.2 (at c.toml:3:16); lower "
                "min_protocol or raise max_protocol");
    parses_ok("[policy]\nmin_protocol = \"TLSv1.2\"\nmax_protocol = \"TLSv1.2\"\n");
    parses_ok("[policy]\nprofile = \"modern\"\nmin_protocol = \"TLSv1.2\"\nmax_protocol = \"TLSv1.2\"\n");
}

TEST_CASE("an embedded NUL (\\u0000) is rejected wherever a string is read") {
    parse_fails(R"([policy]
ciphers = "HIGH\u0000:NULL"
)",
                "c.toml:2:11: ciphers contains a NUL character (\\u0000); remove it");
    parse_fails(R"([policy]
options = ["A", "B\u0000"]
)",
                "c.toml:2:17: options items contains a NUL character (\\u0000); remove it");
    parse_fails(R"([[rule]]
host = "a\u0000.example"
)",
                "c.toml:2:8: host contains a NUL character (\\u0000); remove it");
    parse_fails(R"([log]
file = "/tmp/x\u0000y"
)",
                "c.toml:2:8: file contains a NUL character (\\u0000); remove it");
}

TEST_CASE("a string longer than max_string_bytes is rejected, naming the limit") {
    std::string at_limit(max_string_bytes, 'A');
    std::string over(max_string_bytes + 1, 'A');
    parses_ok("[policy]\nciphers = \"" + at_limit + "\"\n",
              [&](const Config& c) { CHECK(c.policy.ciphers->value.size() == max_string_bytes); });
    parse_fails("[policy]\nciphers = \"" + over + "\"\n",
                "c.toml:2:11: ciphers is 4097 bytes long; the limit is 4096 bytes per string");
    parse_fails("[[rule]]\nname = \"" + over + "\"\n",
                "c.toml:2:8: name is 4097 bytes long; the limit is 4096 bytes per string");
}

TEST_CASE("a list longer than max_list_items is rejected, naming the limit") {
    auto list = [](std::size_t n) {
        std::string text = "[";
        for (std::size_t i = 0; i < n; i++) text += (i ? ", \"h" : "\"h") + std::to_string(i) + "\"";
        return text + "]";
    };
    parses_ok("[[rule]]\nhost = " + list(max_list_items) + "\n",
              [](const Config& c) { CHECK(c.rules.at(0).hosts.size() == max_list_items); });
    parse_fails("[[rule]]\nhost = " + list(max_list_items + 1) + "\n", "c.toml:2:8: host has 257 items; the limit is 256");
    parse_fails("[policy]\noptions = " + list(max_list_items + 1) + "\n",
                "c.toml:2:11: options has 257 items; the limit is 256");
}

TEST_CASE("more than max_rules rules are rejected, naming the limit") {
    std::string rules;
    for (std::size_t i = 0; i < max_rules; i++) rules += "[[rule]]\nprogram = \"p\"\n";
    parses_ok(rules, [](const Config& c) { CHECK(c.rules.size() == max_rules); });
    parse_fails(rules + "[[rule]]\n", "c.toml:1:1: 1001 rules; the limit is 1000");
}

TEST_CASE("a duplicate key or table is located at the second definition") {
    parse_fails("[policy]\nmin_protocol = \"TLSv1.2\"\nmin_protocol = \"TLSv1.3\"\n",
                "c.toml:3:16: Error while parsing key-value pair: cannot redefine existing string 'min_protocol'");
    parse_fails("[policy]\nciphers = \"A\"\n\n[policy]\nciphers = \"B\"\n",
                "c.toml:4:1: Error while parsing table header: cannot redefine existing table 'policy'");
}

TEST_CASE("a TOML syntax error is located") {
    parse_fails("[policy]\nmin_protocol = \"TLSv1.2\n",
                "c.toml:2:24: Error while parsing string: unescaped control characters other than TAB (U+0009) are "
                "explicitly prohibited");
    parse_fails("mode = \"enforce\"\n= 1\n",
                "c.toml:2:1: Error while parsing root table: expected keys, tables, whitespace or comments, saw '='");
}

TEST_CASE("an empty or blank file is an error naming the file") {
    const std::string message =
        "c.toml: the file is empty; write a [policy] table (see the reference config), or unset TLSOVERRIDE_CONFIG";
    parse_fails("", message);
    parse_fails(" \n\t\r\n", message);
}

TEST_CASE("every error in a file is reported, not only the first") {
    parse_fails_all(R"(mode = "strict"
[log]
levl = "info"
handshakes = "yes"
[policy]
security_level = 9
min_protcol = "TLSv1.2"
[[rule]]
role = "both"
[[rule]]
min_protocol = "TLSv7"
)",
                    {
                        "c.toml:1:8: mode: unknown mode 'strict' (use default or enforce)",
                        "c.toml:3:1: unknown key 'levl' in [log] (did you mean 'level'?)",
                        "c.toml:4:14: handshakes must be true or false, not a string",
                        "c.toml:6:18: security_level 9 is out of range (use 0 to 5)",
                        "c.toml:7:1: unknown key 'min_protcol' in [policy] (did you mean 'min_protocol'?)",
                        "c.toml:9:8: role: unknown role 'both' (use client or server)",
                        "c.toml:11:16: min_protocol: unknown protocol version 'TLSv7' (use TLSv1, TLSv1.1, TLSv1.2 "
                        "or TLSv1.3)",
                    });
}

TEST_CASE("keys written beside a profile override the profile's values") {
    parses_ok(R"([policy]
profile = "intermediate"
ciphers = "ECDHE+AESGCM"
[[rule]]
name = "legacy"
profile = "old"
security_level = 1
)",
              [](const Config& c) {
                  const Settings& p = c.policy;
                  is(p.ciphers, std::string("ECDHE+AESGCM"), "[policy]", "c.toml:3:11");
                  is(p.min_protocol, Protocol::TLSv1_2, "profile intermediate ([policy])", "c.toml:2:11");
                  is(p.groups, std::string("X25519:prime256v1:secp384r1"), "profile intermediate ([policy])",
                     "c.toml:2:11");
                  const Settings& r = c.rules.at(0).settings;
                  is(r.security_level, 1, "rule \"legacy\"", "c.toml:7:18");
                  is(r.min_protocol, Protocol::TLSv1, "profile old (rule \"legacy\")", "c.toml:6:11");
              });
}

TEST_CASE("a rule without a name is called rule N after its place in the file") {
    parses_ok("[[rule]]\nname = \"first\"\n[[rule]]\nmin_protocol = \"TLSv1\"\n[[rule]]\nprogram = \"x\"\n",
              [](const Config& c) {
                  REQUIRE(c.rules.size() == 3);
                  CHECK(c.rules[0].name == "first");
                  CHECK(c.rules[1].name == "rule 2");
                  CHECK(c.rules[2].name == "rule 3");
                  is(c.rules[1].settings.min_protocol, Protocol::TLSv1, "rule \"rule 2\"", "c.toml:4:16");
              });
    // A name that is not a string is reported, and the rule still gets a usable name.
    LoadedConfig bad = parse_config("[[rule]]\nname = 3\n", "c.toml");
    REQUIRE(bad.config.rules.size() == 1);
    CHECK(bad.config.rules[0].name == "rule 1");
}

TEST_CASE("a rule whose name is the empty string is called rule N like an unnamed one") {
    parses_ok("[[rule]]\nname = \"\"\nmin_protocol = \"TLSv1\"\n", [](const Config& c) {
        REQUIRE(c.rules.size() == 1);
        CHECK(c.rules[0].name == "rule 1");
        is(c.rules[0].settings.min_protocol, Protocol::TLSv1, "rule \"rule 1\"", "c.toml:3:16");
    });
}

TEST_CASE("program and host take one string or a list; groups-like keys take a list joined with ':'") {
    parses_ok(R"([[rule]]
program = "curl"
host = "*.example"
groups = ["X25519", "P-256"]
signature_algorithms = ["RSA+SHA256", "ECDSA+SHA256"]
ciphersuites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]
options = []
)",
              [](const Config& c) {
                  const Rule& r = c.rules.at(0);
                  CHECK(r.programs == Strings{"curl"});
                  CHECK(r.hosts == Strings{"*.example"});
                  CHECK(r.settings.groups->value == "X25519:P-256");
                  CHECK(r.settings.signature_algorithms->value == "RSA+SHA256:ECDSA+SHA256");
                  CHECK(r.settings.ciphersuites->value == "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384");
                  REQUIRE(r.settings.options.has_value());
                  CHECK(r.settings.options->value.empty());
              });
}

TEST_CASE("load_config_file reads a file and locates errors with its path") {
    TempDir dir;
    std::string good = dir.write("good.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    LoadedConfig loaded = load_config_file(good);
    CHECK(texts(loaded.errors) == "");
    CHECK(loaded.config.path == good);
    is(loaded.config.policy.min_protocol, Protocol::TLSv1_2, "[policy]", good + ":2:16");

    std::string bad = dir.write("bad.toml", "[policy]\nmin_protocol = \"TLSv9\"\n");
    CHECK(texts(load_config_file(bad).errors) ==
          bad + ":2:16: min_protocol: unknown protocol version 'TLSv9' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)\n");
}

TEST_CASE("load_config_file names the path and the problem when it cannot use the file") {
    TempDir dir;
    CHECK(texts(load_config_file(dir.path).errors) ==
          dir.path + ": is a directory, not a configuration file (name the .toml file inside it)\n");

    std::string missing = dir.path + "/missing.toml";
    CHECK(texts(load_config_file(missing).errors) ==
          missing + ": cannot read the configuration: No such file or directory\n");

    std::string big = dir.write("big.toml", std::string(max_file_bytes + 1, '#'));
    CHECK(texts(load_config_file(big).errors) == big + ": is 1048577 bytes; the limit is 1048576 bytes (1 MiB)\n");

    // Exactly the limit is still read: a comment of 1 MiB.
    std::string limit = dir.write("limit.toml", std::string(max_file_bytes, '#'));
    CHECK(texts(load_config_file(limit).errors) == "");

    std::string empty = dir.write("empty.toml", "");
    CHECK(texts(load_config_file(empty).errors) ==
          empty + ": the file is empty; write a [policy] table (see the reference config), or unset "
                  "TLSOVERRIDE_CONFIG\n");

    CHECK(texts(load_config_file("/dev/null").errors) == "/dev/null: is not a regular file\n");
}

TEST_CASE("host = [] and program = [] are errors: an empty list would match everything") {
    parse_fails("[[rule]]\nname = \"nobody\"\nhost = []\nmin_protocol = \"TLSv1\"\n",
                "c.toml:3:8: host = [] is an empty list, which would make this rule match every connection; list at "
                "least one server name, e.g. host = [\"billing.example\"], or remove the key");
    parse_fails("[[rule]]\nprogram = []\n",
                "c.toml:2:11: program = [] is an empty list, which would make this rule match every program; list at "
                "least one program name, e.g. program = [\"billing-sync\"], or remove the key");
    // Both in one rule: both reported.
    LoadedConfig both = parse_config("[[rule]]\nprogram = []\nhost = []\n", "c.toml");
    CHECK(both.errors.size() == 2);
    // A list with one item, or one string, still matches on it.
    parses_ok("[[rule]]\nhost = [\"a\"]\nprogram = \"p\"\n", [](const Config& c) {
        REQUIRE(c.rules.size() == 1);
        CHECK(c.rules[0].hosts.size() == 1);
        CHECK(c.rules[0].programs.size() == 1);
    });
}
