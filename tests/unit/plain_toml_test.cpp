// The plain reader (core/plain_toml) against toml++: whatever file the plain reader
// takes, toml++'s reader reads the same configuration from it, with the same origins;
// whatever it cannot read exactly, it leaves to toml++.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.hpp"

using namespace tlso;

namespace {

// The plain reader takes `text`, and toml++'s reader gets the same from it.
void plain_and_same(const std::string& text) {
    INFO("config:\n", text);
    std::optional<LoadedConfig> plain = parse_plain_config(text, "c.toml", 3);
    REQUIRE(plain.has_value());
    LoadedConfig full = parse_toml_config(text, "c.toml", 3);
    CHECK(full.errors.empty());
    CHECK(plain->config == full.config);
}

void left_to_toml(const std::string& text) {
    INFO("config:\n", text);
    CHECK_FALSE(parse_plain_config(text, "c.toml").has_value());
}

std::string file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("plain TOML: the shipped configurations are read without toml++, as toml++ reads them") {
    for (const char* path : {"config/reference.toml", "config/fleet-baseline.toml", "config/one-legacy-host.toml",
                             "config/systemd-service.toml"}) {
        INFO(path);
        std::string text = file(path);
        REQUIRE(!text.empty());
        plain_and_same(text);
    }
}

TEST_CASE("plain TOML: positions, line ends, blanks and arrays as toml++ counts them") {
    plain_and_same("mode = \"enforce\"\n[policy]\nmin_protocol = \"TLSv1.2\"\n");
    plain_and_same("mode = \"enforce\"\r\n[policy]\r\n\tmin_protocol\t=\t'TLSv1.2'   # a comment\r\n");
    plain_and_same("# only a comment\n\n[policy]\nciphers = \"ECDHE+AESGCM:ECDHE+CHACHA20\"");
    plain_and_same("[policy]\ngroups = [\n  \"X25519\",  # first\n  'P-256',\n]\nsecurity_level = +0\n");
    plain_and_same("[ policy ]\noptions = []\nsignature_algorithms = [\"rsa_pss_rsae_sha256\"]\n");
    plain_and_same("[log]\nlevel = \"debug\"\nhandshakes = true\n[policy]\nsecurity_level = 1\n"
                   "[[rule]]\nhost = \"*.legacy.example\"\nmin_protocol = \"TLSv1\"\nsecurity_level = 0\n"
                   "[[ rule ]]\nname = \"second\"\nprogram = [\"curl\", \"wget\"]\nrole = \"client\"\n");
    plain_and_same("[[rule]]\nhost = [\"a\", \"b\",]\nprofile = \"old\"\nciphers = \"DEFAULT@SECLEVEL=0\"\n"
                   "[[rule]]\nprogram = \"x\"\n\n[policy]\nprofile = \"intermediate\"\n");
}

TEST_CASE("plain TOML: what the plain reader does not read exactly is toml++'s") {
    left_to_toml("");
    left_to_toml("  \n\t\n");
    left_to_toml("[policy]\nciphers = \"A\\u0041\"\n");          // an escape
    left_to_toml("[policy]\nciphers = \"\"\"A\"\"\"\n");          // a multi-line string
    left_to_toml("policy.min_protocol = \"TLSv1.2\"\n");          // a dotted key
    left_to_toml("[policy]\n\"min_protocol\" = \"TLSv1.2\"\n");   // a quoted key
    left_to_toml("log = { level = \"debug\" }\n");                // an inline table
    left_to_toml("[policy]\nsecurity_level = 1.0\n");             // a float
    left_to_toml("[policy]\nsecurity_level = 01\n");              // a leading zero (no TOML)
    left_to_toml("[policy]\nsecurity_level = 1_0\n");
    left_to_toml("[policy]\nsecurity_level = 0x1\n");
    left_to_toml("[policy]\nsecurity_level = 1234567890123456789\n");  // 19 digits
    left_to_toml("[policy]\nsecurity_level = 1979-05-27\n");      // a date
    left_to_toml("[policy]\nmin_protocol = \"TLSv1.2\"\nmin_protocol = \"TLSv1.3\"\n");  // set twice
    left_to_toml("[policy]\n[policy]\n");
    left_to_toml("policy = 1\n[policy]\n");
    left_to_toml("[rule]\n[[rule]]\n");
    left_to_toml("rule = []\n[[rule]]\n");
    left_to_toml("[policy]\r\nmin_protocol = \"TLSv1.2\"\r");     // a carriage return alone
    left_to_toml("# caf\xc3\xa9\n[policy]\n");                    // UTF-8: toml++ checks it
    left_to_toml("# a bell \x07\n[policy]\n");                    // a control character
    left_to_toml("[policy]\nciphers = \"A\x7f\"\n");
    left_to_toml("[policy]\ngroups = [[\"X25519\"]]\n");          // nested arrays
    left_to_toml("[policy]\ngroups = [\"a\" \"b\"]\n");           // no comma (no TOML)
    left_to_toml("[policy]\nmin_protocol = \"TLSv1.2\" x\n");
    left_to_toml("[policy]\nmin_protocol = TLSv1.2\n");           // unquoted (no TOML)
    left_to_toml("[policy]\nhandshakes = truex\n");
    left_to_toml("[[rule]\n");
    left_to_toml("[policy]\nmin_protocol = \"TLSv1.9\"\n");       // an error: toml++'s reader says it
    left_to_toml("[policy]\nmin_protocol = \"TLSv1.3\"\nmax_protocol = \"TLSv1.2\"\n");
    left_to_toml("[policy]\nminprotocol = \"TLSv1.2\"\n");        // an unknown key, with its guess
}

// Files built from pieces of good and bad TOML and of good and bad configuration,
// many of them a byte off: every file the plain reader takes must read the same
// through toml++. A fixed seed: a failure here reproduces.
TEST_CASE("plain TOML: on generated files, the plain reader takes only what toml++ reads the same") {
    using Pool = std::vector<std::string>;
    // Good values per key, so that many files are good configurations...
    const std::vector<std::pair<std::string, Pool>> top = {{"mode", {"\"enforce\"", "'default'"}},
                                                           {"on_error", {"\"fail\"", "\"ignore\""}}};
    const std::vector<std::pair<std::string, Pool>> log = {{"level", {"\"debug\"", "'warn'", "\"off\""}},
                                                           {"format", {"\"json\"", "\"text\""}},
                                                           {"file", {"\"/tmp/x.log\"", "'/var/log/t s.log'"}},
                                                           {"handshakes", {"true", "false"}}};
    const std::vector<std::pair<std::string, Pool>> settings = {
        {"min_protocol", {"\"TLSv1.2\"", "'TLSv1'", "\"tlsv1.1\"", "\"TLSv1.0\""}},
        {"max_protocol", {"\"TLSv1.3\"", "\"TLSv1.2\""}},
        {"ciphers", {"\"ECDHE+AESGCM:ECDHE+CHACHA20\"", "'DEFAULT@SECLEVEL=0'", "\"\""}},
        {"ciphersuites", {"\"TLS_AES_128_GCM_SHA256\"", "[\"TLS_AES_128_GCM_SHA256\", 'TLS_AES_256_GCM_SHA384']"}},
        {"groups", {"\"X25519:P-256\"", "[\"X25519\", 'P-256']", "[\n  \"X25519\", # c\n  \"P-384\",\n]", "[]"}},
        {"signature_algorithms", {"[\"rsa_pss_rsae_sha256\"]", "\"ECDSA+SHA256\""}},
        {"security_level", {"0", "1", "+2", "-0", "5"}},
        {"options", {"[\"UnsafeLegacyServerConnect\"]", "[]", "['NoRenegotiation', \"x\"]"}},
        {"profile", {"\"old\"", "\"modern\"", "'intermediate'"}},
        {"gnutls_priority", {"\"+VERS-TLS1.0\"", "'%COMPAT'"}}};
    const std::vector<std::pair<std::string, Pool>> rule_only = {
        {"name", {"\"billing\"", "'old host'", "\"\""}},
        {"program", {"\"curl\"", "[\"billing-*\", 'wget']", "[]"}},
        {"host", {"\"*.legacy.example\"", "[\"a.example\", \"b.example\",]"}},
        {"role", {"\"client\"", "\"server\""}}};
    // ...and bad ones anywhere, and stray bytes, so that many are not.
    const Pool bad_values = {"\"TLSv1.9\"", "6", "-1", "\"a\\tb\"", "1.5", "07", "{ a = 1 }", "\"\"\"x\"\"\"",
                             "[1, \"a\"]", "[true]", "9223372036854775807", "'it''s'", "\"tab\there\"", "TLSv1.2",
                             "true", "\"x\"", "[\"a\" \"b\"]", "\"\xc3\xa9\""};
    const Pool bad_headers = {"[rule]", "[other]", "[policy.x]", "[[log]]", "[[policy]]", "[ [rule] ]"};
    const Pool noise = {" ", "\t", "#", "\"", "'", "[", "]", "=", ",", "\r", "\n", "\\", "\x01", "\xc3\xa9", ".",
                        "0", "a", "{", "}", "-", "_"};
    std::mt19937 random(20261201);
    auto one_in = [&](unsigned n) { return random() % n == 0; };
    auto pick = [&](const auto& from) -> const auto& { return from[random() % from.size()]; };
    auto line_end = [&] { return std::string(one_in(6) ? "  # why" : "") + (one_in(10) ? "\r\n" : "\n"); };
    auto key_values = [&](std::string& text, const std::vector<std::pair<std::string, Pool>>& a,
                          const std::vector<std::pair<std::string, Pool>>& b) {
        int n = static_cast<int>(random() % 4);
        for (int i = 0; i < n; i++) {
            const auto& [key, good] = b.empty() || one_in(2) ? pick(a) : pick(b);
            text += (one_in(8) ? "\t" : "") + key + (one_in(4) ? "=" : " = ") +
                    (one_in(10) ? pick(bad_values) : pick(good)) + line_end();
        }
    };
    int taken = 0;
    const int files = 20000;
    for (int i = 0; i < files; i++) {
        std::string text;
        if (one_in(3)) text += "# a policy\n\n";
        key_values(text, top, {});
        int tables = static_cast<int>(random() % 5);
        for (int t = 0; t < tables; t++) {
            switch (random() % 8) {
                case 0: text += "[log]" + line_end(), key_values(text, log, {}); break;
                case 1:
                case 2: text += std::string(one_in(4) ? "[ policy ]" : "[policy]") + line_end(), key_values(text, settings, {}); break;
                case 7: text += pick(bad_headers) + line_end(), key_values(text, settings, {}); break;
                default:
                    text += std::string(one_in(4) ? "[[ rule ]]" : "[[rule]]") + line_end();
                    key_values(text, settings, rule_only);
                    break;
            }
            if (one_in(4)) text += "\n";
        }
        if (one_in(4)) text.insert(random() % (text.size() + 1), pick(noise));
        std::optional<LoadedConfig> plain = parse_plain_config(text, "gen.toml", 2);
        if (!plain) continue;
        taken++;
        LoadedConfig full = parse_toml_config(text, "gen.toml", 2);
        INFO("config:\n", text);
        REQUIRE(full.errors.empty());
        REQUIRE(plain->config == full.config);
    }
    // The generator must reach the plain reader often, or this tests nothing.
    CHECK(taken > files / 5);
    MESSAGE(taken, " of ", files, " generated files read by the plain reader, each as toml++ reads it");
}
