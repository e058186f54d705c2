// The environment over the file, one merged layer per rule; driven by a lookup map.
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/process_config.hpp"

using namespace tlso;

namespace {

using Variables = std::map<std::string, std::string>;

// The map must outlive the result: the environment's config path points into it.
Lookup lookup(const Variables& vars) {
    return [&vars](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

std::string texts(const Diagnostics& errors) {
    std::string all;
    for (const Diagnostic& d : errors) all += d.text() + "\n";
    return all;
}


const char* two_rules = R"(mode = "enforce"
[log]
level = "info"
[policy]
min_protocol = "TLSv1.2"
ciphers = "POLICY"
[[rule]]
name = "legacy"
min_protocol = "TLSv1"
security_level = 0
[[rule]]
name = "modern"
profile = "modern"
)";

}  // namespace

TEST_CASE("the file named by TLSOVERRIDE_CONFIG is read") {
    TempDir dir;
    Variables vars = {{"TLSOVERRIDE_CONFIG", dir.write("a.toml", two_rules)}};
    ProcessConfig pc = load_process_config(lookup(vars));
    CHECK(texts(pc.errors) == "");
    CHECK(pc.path == dir.path + "/a.toml");
    CHECK(pc.config.rules.size() == 2);
    CHECK(pc.layer(std::nullopt).min_protocol->origin.location == dir.path + "/a.toml:5:16");
}

TEST_CASE("a file passed explicitly wins over TLSOVERRIDE_CONFIG") {
    TempDir dir;
    std::string explicit_file = dir.write("explicit.toml", "[policy]\nmin_protocol = \"TLSv1.3\"\n");
    Variables vars = {{"TLSOVERRIDE_CONFIG", dir.write("env.toml", "[policy]\nmin_protocol = \"TLSv1\"\n")}};
    ProcessConfig pc = load_process_config(lookup(vars), explicit_file);
    CHECK(texts(pc.errors) == "");
    CHECK(pc.path == explicit_file);
    CHECK(pc.layer(std::nullopt).min_protocol->value == Protocol::TLSv1_3);
}

TEST_CASE("without TLSOVERRIDE_CONFIG the default file is read only when it exists") {
    Variables vars = {{"TLSOVERRIDE_MIN_PROTOCOL", "TLSv1.2"}};
    ProcessConfig pc = load_process_config(lookup(vars));
    bool default_exists = access(default_config_path, F_OK) == 0;
    CHECK(pc.path == (default_exists ? std::string(default_config_path) : std::string()));
    if (!default_exists) {
        CHECK(texts(pc.errors) == "");
        REQUIRE(pc.layers.size() == 1);
        CHECK(pc.layer(std::nullopt).min_protocol->origin.source == "environment");
    }
}

TEST_CASE("a missing TLSOVERRIDE_CONFIG file is an error naming the variable and the path") {
    TempDir dir;
    Variables vars = {{"TLSOVERRIDE_CONFIG", dir.path + "/nope.toml"}};
    ProcessConfig pc = load_process_config(lookup(vars));
    CHECK(texts(pc.errors) ==
          "TLSOVERRIDE_CONFIG=" + dir.path + "/nope.toml: cannot read the configuration: No such file or directory\n");
}

TEST_CASE("errors about a file named by TLSOVERRIDE_CONFIG name the variable; located ones keep FILE:LINE:COLUMN") {
    TempDir dir;
    struct Case {
        std::string file, expected;
    };
    std::string empty = dir.write("empty.toml", ""), broken = dir.write("broken.toml", "[policy]\nmode = 1\n");
    for (const Case& c : std::vector<Case>{
             {empty, "TLSOVERRIDE_CONFIG=" + empty + ": the file is empty; write a [policy] table (see the reference "
                                                     "config), or unset TLSOVERRIDE_CONFIG\n"},
             {dir.path, "TLSOVERRIDE_CONFIG=" + dir.path +
                            ": is a directory with neither config.toml nor conf.d/*.toml in it\n"},
             {"/dev/null", "TLSOVERRIDE_CONFIG=/dev/null: is not a regular file\n"},
             {broken, broken + ":2:1: unknown key 'mode' in [policy] ('mode' belongs at the top of the file, before "
                               "any [table])\n"},
         }) {
        INFO(c.file);
        Variables vars = {{"TLSOVERRIDE_CONFIG", c.file}};
        CHECK(texts(load_process_config(lookup(vars)).errors) == c.expected);
    }
    // Named on the command line (check FILE, --config): the path alone, as the user wrote it.
    Variables none;
    CHECK(texts(load_process_config(lookup(none), dir.path + "/nope.toml").errors) ==
          dir.path + "/nope.toml: cannot read the configuration: No such file or directory\n");
}

TEST_CASE("one layer for no rule, then one per rule, each merged from environment, rule and [policy]") {
    TempDir dir;
    Variables vars = {{"TLSOVERRIDE_CIPHERS", "ENV"}};
    ProcessConfig pc = load_process_config(lookup(vars), dir.write("a.toml", two_rules));
    CHECK(texts(pc.errors) == "");
    REQUIRE(pc.layers.size() == pc.config.rules.size() + 1);
    CHECK(pc.all_layers().size() == 3);

    const Settings& none = pc.layer(std::nullopt);
    CHECK(none.min_protocol->value == Protocol::TLSv1_2);
    CHECK(none.min_protocol->origin.source == "[policy]");
    CHECK_FALSE(none.security_level.has_value());

    const Settings& legacy = pc.layer(0);
    CHECK(legacy.min_protocol->value == Protocol::TLSv1);
    CHECK(legacy.min_protocol->origin.source == "rule \"legacy\"");
    CHECK(legacy.security_level->value == 0);

    const Settings& modern = pc.layer(1);
    CHECK(modern.min_protocol->value == Protocol::TLSv1_3);
    CHECK(modern.min_protocol->origin.source == "profile modern (rule \"modern\")");

    for (const Settings* s : pc.all_layers()) {
        CHECK(s->ciphers->value == "ENV");
        CHECK(s->ciphers->origin.source == "environment");
    }
}

TEST_CASE("the environment beats the file, for process settings and for TLS settings") {
    TempDir dir;
    Variables vars = {{"TLSOVERRIDE_MODE", "default"},
                      {"TLSOVERRIDE_MIN_PROTOCOL", "TLSv1.3"},
                      {"TLSOVERRIDE_LOG_FORMAT", "json"}};
    ProcessConfig pc = load_process_config(lookup(vars), dir.write("a.toml", two_rules));
    CHECK(texts(pc.errors) == "");
    CHECK(pc.process.mode->value == Mode::Default);
    CHECK(pc.process.mode->origin.source == "environment");
    CHECK(pc.process.log_level->value == LogLevel::Info);  // from the file: the environment leaves it
    CHECK(pc.process.log_level->origin.source == "file");
    CHECK(pc.process.log_format->value == LogFormat::Json);
    for (const Settings* s : pc.all_layers()) {
        CHECK(s->min_protocol->value == Protocol::TLSv1_3);
        CHECK(s->min_protocol->origin.location == "TLSOVERRIDE_MIN_PROTOCOL");
    }
}

TEST_CASE("errors from the environment and the file are reported together") {
    TempDir dir;
    std::string file = dir.write("a.toml", "[policy]\nmin_protcol = \"TLSv1.2\"\n");
    Variables vars = {{"TLSOVERRIDE_MODE", "strict"}};
    ProcessConfig pc = load_process_config(lookup(vars), file);
    CHECK(texts(pc.errors) == "TLSOVERRIDE_MODE: unknown mode 'strict' (use default or enforce)\n" + file +
                                  ":2:1: unknown key 'min_protcol' in [policy] (did you mean 'min_protocol'?)\n");
}

TEST_CASE("a range that only breaks once the layers merge is reported with both sources") {
    TempDir dir;
    std::string file = dir.write("a.toml", "[policy]\nmax_protocol = \"TLSv1.1\"\n[[rule]]\nname = \"new\"\n"
                                           "min_protocol = \"TLSv1.2\"\n");
    Variables none;
    ProcessConfig pc = load_process_config(lookup(none), file);
    CHECK(texts(pc.errors) == file + ":5:16: min_protocol TLSv1.2 (from rule \"new\") is above max_protocol TLSv1.1 "
                                     "(from [policy]); lower min_protocol or raise max_protocol\n");
}

TEST_CASE("a range broken by the environment is reported once, not once per rule") {
    TempDir dir;
    Variables vars = {{"TLSOVERRIDE_MAX_PROTOCOL", "TLSv1.1"}};
    ProcessConfig pc = load_process_config(lookup(vars), dir.write("a.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n"
                                                                             "[[rule]]\nprogram = \"a\"\n"
                                                                             "[[rule]]\nprogram = \"b\"\n"));
    CHECK(texts(pc.errors) == dir.path + "/a.toml:2:16: min_protocol TLSv1.2 (from [policy]) is above max_protocol "
                                         "TLSv1.1 (from environment); lower min_protocol or raise max_protocol\n");
}
