// check's warnings (core/lint.*) and the "quote the value" parse error.
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/lint.hpp"

using namespace tlso;

namespace {

std::vector<std::string> texts(const Diagnostics& ds) {
    std::vector<std::string> out;
    for (const Diagnostic& d : ds) out.push_back(d.text());
    return out;
}

Config parsed(std::string_view text) {
    LoadedConfig loaded = parse_config(text, "c.toml");
    REQUIRE(loaded.errors.empty());
    return loaded.config;
}

// Whether the second rule of TEXT is reported as never matching.
bool second_is_shadowed(std::string_view text) {
    for (const std::string& t : texts(lint_config(parsed(text))))
        if (t.find("rule 2 \"") != std::string::npos && t.find("can never match") != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("a rule that an earlier rule always beats is reported, with both locations") {
    CHECK(texts(lint_config(parsed("[[rule]]\nname = \"all\"\n[[rule]]\nname = \"b\"\nhost = \"x\"\n"))) ==
          std::vector<std::string>{"c.toml:3:1: rule 2 \"b\" can never match: rule 1 \"all\" (c.toml:1:1) comes first and "
                                   "matches every case it matches (the first matching rule decides); move it above, or narrow rule 1"});
    struct Case {
        const char* earlier;
        const char* later;
        bool shadowed;
    };
    const Case cases[] = {
        {"host = \"*.legacy.test\"", "host = \"billing.legacy.test\"", true},
        {"host = \"*.LEGACY.test\"", "host = \"billing.legacy.test\"", true},  // hosts ignore case
        {"host = \"billing.legacy.test\"", "host = \"*.legacy.test\"", false},
        {"host = [\"a\", \"b\"]", "host = [\"b\", \"a\"]", true},
        {"host = [\"a\"]", "host = [\"a\", \"c\"]", false},
        {"host = \"*\"", "host = \"*.x\"", true},
        {"host = \"a?c\"", "host = \"a*c\"", false},  // a glob is covered only by * or itself
        {"host = \"a\"", "role = \"client\"", false},  // the later rule also matches other hosts
        {"role = \"client\"", "role = \"client\"\nhost = \"a\"", true},
        {"role = \"client\"", "role = \"server\"", false},
        {"program = \"curl\"", "program = \"curl\"\nhost = \"a\"", true},
        {"program = \"curl\"", "program = \"Curl\"", false},  // programs are case-sensitive
        {"program = \"py*\"\nrole = \"client\"", "program = \"python3\"", false},
    };
    for (const Case& c : cases) {
        std::string text = std::string("[[rule]]\n") + c.earlier + "\n[[rule]]\n" + c.later + "\n";
        INFO(text);
        CHECK(second_is_shadowed(text) == c.shadowed);
    }
}

TEST_CASE("a protocol below TLSv1.2 or security level 0 is a warning at the value, naming its scope") {
    CHECK(texts(lint_config(parsed("[policy]\nmin_protocol = \"TLSv1.2\"\n[[rule]]\nname = \"old\"\nhost = \"a\"\n"
                                   "min_protocol = \"TLSv1\"\nsecurity_level = 0\n"))) ==
          std::vector<std::string>{
              "c.toml:6:16: rule \"old\" min_protocol = \"TLSv1\" allows a protocol below TLSv1.2 for host a; make sure that "
              "is meant, and keep the rule as narrow as the old peer",
              "c.toml:7:18: rule \"old\" security_level = 0 allows keys, signatures and protocols that level 1 refuses, for "
              "host a; make sure that is meant"});
    CHECK(texts(lint_config(parsed("[policy]\nmax_protocol = \"TLSv1.1\"\n"))) ==
          std::vector<std::string>{"c.toml:2:16: [policy] max_protocol = \"TLSv1.1\" allows a protocol below TLSv1.2 for every "
                                   "connection that no rule matches; make sure that is meant, and keep the rule as narrow as the old peer"});
    CHECK(lint_config(parsed("[policy]\nmin_protocol = \"TLSv1.2\"\nsecurity_level = 1\n")).empty());
}

TEST_CASE("a bare word where TOML wants a quoted string: the error says to quote it") {
    struct Case {
        const char* line;
        const char* message;
    };
    const Case cases[] = {
        {"min_protocol = TLSv1.2", "c.toml:2:16: the value TLSv1.2 must be quoted: write min_protocol = \"TLSv1.2\""},
        {"ciphers = ECDHE+AESGCM   # comment", "c.toml:2:11: the value ECDHE+AESGCM must be quoted: write ciphers = \"ECDHE+AESGCM\""},
        {"groups = X25519:P-256", "c.toml:2:10: the value X25519:P-256 must be quoted: write groups = \"X25519:P-256\""},
    };
    for (const Case& c : cases) {
        LoadedConfig loaded = parse_config(std::string("[policy]\n") + c.line + "\n", "c.toml");
        REQUIRE(loaded.errors.size() == 1);
        CHECK(loaded.errors[0].text().rfind(c.message, 0) == 0);
    }
    // Not a string setting, or not a bare word: toml++'s own message stands.
    for (const char* line : {"security_level = one", "min_protocol = [TLSv1]"}) {
        LoadedConfig loaded = parse_config(std::string("[policy]\n") + line + "\n", "c.toml");
        REQUIRE(loaded.errors.size() == 1);
        CHECK(loaded.errors[0].message.find("must be quoted") == std::string::npos);
    }
}

TEST_CASE("group- or world-writable files and directories are warnings; a private tree is not") {
    TempDir t;
    REQUIRE(chmod(t.path.c_str(), 0755) == 0);
    std::string f = t.write("config.toml", "[policy]\n");
    REQUIRE(chmod(f.c_str(), 0644) == 0);
    Config c;
    c.files = {f};
    CHECK(lint_permissions(c).empty());
    REQUIRE(chmod(f.c_str(), 0664) == 0);
    CHECK(texts(lint_permissions(c)) ==
          std::vector<std::string>{f + ": the file is group-writable (mode 0664): others can change the TLS policy of every "
                                       "program that reads it, setuid programs included; chmod go-w " + f});
    REQUIRE(chmod(f.c_str(), 0644) == 0);
    REQUIRE(chmod(t.path.c_str(), 01777) == 0);
    CHECK(texts(lint_permissions(c)) ==
          std::vector<std::string>{t.path + ": the directory is group- and world-writable (mode 1777): others can create conf.d/ in it; keep "
                                            "the configuration in a directory only its owner writes (/etc/tlsoverride)"});
    REQUIRE(chmod(t.path.c_str(), 0700) == 0);
}
