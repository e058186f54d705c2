// Several files: config.toml, then conf.d/*.toml in lexical order (load_configuration).
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/process_config.hpp"

using namespace tlso;

namespace {

std::string texts(const Diagnostics& errors) {
    std::string all;
    for (const Diagnostic& d : errors) all += d.text() + "\n";
    return all;
}

std::vector<std::string> names(const std::vector<Rule>& rules) {
    std::vector<std::string> out;
    for (const Rule& r : rules) out.push_back(r.name);
    return out;
}

struct Tree : TempDir {
    Tree() { REQUIRE(mkdir((path + "/conf.d").c_str(), 0755) == 0); }
};

}  // namespace

TEST_CASE("conf.d: *.toml in lexical byte order; hidden files and other suffixes are skipped") {
    Tree t;
    for (const char* n : {"20-b.toml", "10-a.toml", "B.toml", ".10-hidden.toml", "x.toml~", "x.toml.dpkg-old", "readme"})
        t.write(std::string("conf.d/") + n, "[policy]\n");
    std::vector<std::string> found = dropin_files(t.path + "/conf.d");
    CHECK(found == std::vector<std::string>{t.path + "/conf.d/10-a.toml", t.path + "/conf.d/20-b.toml", t.path + "/conf.d/B.toml"});
    CHECK(dropin_files(t.path + "/none").empty());
}

TEST_CASE("conf.d beside a file: its rules follow the file's, numbered on; keys combine, each from its file") {
    Tree t;
    std::string main = t.write("config.toml", "mode = \"enforce\"\n[policy]\nmin_protocol = \"TLSv1.2\"\n[[rule]]\nhost = \"a\"\n");
    std::string billing = t.write("conf.d/10-billing.toml",
                                  "[policy]\nciphers = \"ECDHE+AESGCM\"\n[[rule]]\nname = \"billing\"\nhost = \"b\"\n[[rule]]\nhost = \"c\"\n");
    std::string logs = t.write("conf.d/20-log.toml", "[log]\nlevel = \"info\"\n");
    LoadedConfig loaded = load_configuration(main);
    CHECK(texts(loaded.errors) == "");
    CHECK(loaded.config.path == main);
    CHECK(loaded.config.files == std::vector<std::string>{main, billing, logs});
    CHECK(names(loaded.config.rules) == std::vector<std::string>{"rule 1", "billing", "rule 3"});
    CHECK(loaded.config.rules[2].location == billing + ":6:1");
    REQUIRE(loaded.config.policy.min_protocol);
    CHECK(loaded.config.policy.min_protocol->origin.location == main + ":3:16");
    REQUIRE(loaded.config.policy.ciphers);
    CHECK(loaded.config.policy.ciphers->origin.location == billing + ":2:11");
    REQUIRE(loaded.config.process.log_level);
    CHECK(loaded.config.process.log_level->origin.location == logs + ":2:9");
}

TEST_CASE("a key set in two files is an error at the second, naming the first") {
    Tree t;
    std::string main = t.write("config.toml", "mode = \"enforce\"\n[log]\nlevel = \"info\"\n[policy]\nmin_protocol = \"TLSv1.2\"\n");
    std::string again = t.write("conf.d/50-again.toml", "mode = \"default\"\n[log]\nlevel = \"debug\"\n[policy]\nmin_protocol = \"TLSv1\"\n");
    const std::string tail = "; set each key in one file (the files in conf.d/ add [[rule]]s and keys not set elsewhere)\n";
    CHECK(texts(load_configuration(main).errors) ==
          again + ":1:8: mode is set twice: here and at " + main + ":1:8" + tail +
          again + ":3:9: level is set twice in [log]: here and at " + main + ":3:9" + tail +
          again + ":5:16: min_protocol is set twice in [policy]: here and at " + main + ":5:16" + tail);
}

TEST_CASE("every setting of the one list is merged across files, gnutls_priority too") {
    Tree t;
    std::string main = t.write("config.toml", "[policy]\ngnutls_priority = \"%COMPAT\"\n");
    std::string again = t.write("conf.d/50-again.toml", "[policy]\ngnutls_priority = \"%NO_TICKETS\"\n");
    CHECK(texts(load_configuration(main).errors).find(again + ":2:19: gnutls_priority is set twice in [policy]") == 0);
    Tree u;
    std::string only = u.write("config.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    u.write("conf.d/50-gnutls.toml", "[policy]\ngnutls_priority = \"%COMPAT\"\n");
    LoadedConfig loaded = load_configuration(only);
    REQUIRE(loaded.config.policy.gnutls_priority);
    CHECK(loaded.config.policy.gnutls_priority->value == "%COMPAT");
}

TEST_CASE("a key written in one file beats a profile set in another, in either order; two profiles clash") {
    Tree t;
    std::string main = t.write("config.toml", "[policy]\nprofile = \"old\"\n");
    std::string floor = t.write("conf.d/10.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    LoadedConfig a = load_configuration(main);
    CHECK(texts(a.errors) == "");
    REQUIRE(a.config.policy.min_protocol);
    CHECK(a.config.policy.min_protocol->value == Protocol::TLSv1_2);
    CHECK(a.config.policy.security_level->value == 0);  // the profile's, not written anywhere else

    Tree u;
    std::string main2 = u.write("config.toml", "[policy]\nmin_protocol = \"TLSv1.3\"\n");
    u.write("conf.d/10.toml", "[policy]\nprofile = \"old\"\n");
    LoadedConfig b = load_configuration(main2);
    CHECK(texts(b.errors) == "");
    CHECK(b.config.policy.min_protocol->value == Protocol::TLSv1_3);

    std::string second = t.write("conf.d/20.toml", "[policy]\nprofile = \"modern\"\n");
    CHECK(texts(load_configuration(main).errors).find(second + ":2:11: profile is set twice in [policy]: here and at " + main + ":2:11") == 0);
}

TEST_CASE("a directory: its config.toml and conf.d/, either may be missing, not both") {
    Tree t;
    std::string only = t.write("conf.d/10.toml", "[[rule]]\nname = \"dropped in\"\nhost = \"x\"\n");
    LoadedConfig loaded = load_configuration(t.path);
    CHECK(texts(loaded.errors) == "");
    CHECK(loaded.config.files == std::vector<std::string>{only});
    CHECK(names(loaded.config.rules) == std::vector<std::string>{"dropped in"});

    TempDir empty;
    CHECK(texts(load_configuration(empty.path).errors) ==
          empty.path + ": is a directory with neither config.toml nor conf.d/*.toml in it\n");
}

TEST_CASE("TLSOVERRIDE_CONFIG naming a directory: the process reads config.toml and conf.d/") {
    Tree t;
    t.write("config.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    t.write("conf.d/10.toml", "[[rule]]\nname = \"r\"\nhost = \"x\"\nmin_protocol = \"TLSv1\"\n");
    std::map<std::string, std::string> vars = {{"TLSOVERRIDE_CONFIG", t.path}};
    ProcessConfig pc = load_process_config([&](const char* n) -> const char* {
        auto it = vars.find(n);
        return it == vars.end() ? nullptr : it->second.c_str();
    });
    CHECK(texts(pc.errors) == "");
    CHECK(pc.path == t.path);
    REQUIRE(pc.layers.size() == 2);
    CHECK(pc.layer(0).min_protocol->value == Protocol::TLSv1);
    CHECK(pc.layer(std::nullopt).min_protocol->value == Protocol::TLSv1_2);
}

TEST_CASE("a bad file in conf.d is located in that file; the others still count") {
    Tree t;
    std::string main = t.write("config.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    std::string bad = t.write("conf.d/10.toml", "[policy]\nciphers = 3\n");
    CHECK(texts(load_configuration(main).errors) == bad + ":2:11: ciphers must be a string, not an integer\n");
}
