// The one command-line grammar (shim/cli/args.*): every subcommand parses with it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/args.hpp"

using namespace tlso::cli;

namespace {

constexpr Option options[] = {
    {"host", 0, Takes::Value, "NAME", "a value"},
    {"json", 0, Takes::Nothing, "", "a flag"},
    {"log-handshakes", 0, Takes::Switch, "BOOL", "a switch"},
    {"quiet", 'q', Takes::Nothing, "", "a short flag"},
    {"jobs", 'j', Takes::Value, "N", "a short flag with a value"},
};

// Owns the argv that parse_arguments points into.
struct Line {
    std::vector<std::string> words;
    std::vector<char*> argv;
    Arguments parsed;
    Line(std::vector<std::string> w, bool command_style) : words(std::move(w)) {
        words.insert(words.begin(), "cmd");
        for (std::string& s : words) argv.push_back(s.data());
        argv.push_back(nullptr);
        parsed = parse_arguments({"cmd", options, command_style, command_style ? static_cast<std::size_t>(-1) : 1, "[FILE]"},
                                 static_cast<int>(words.size()), argv.data());
    }
};

Arguments parse(std::vector<std::string> words, bool command_style = false) { return Line(std::move(words), command_style).parsed; }

std::string rest_of(const Line& l) {
    std::string out;
    for (char** p = l.parsed.rest; p && *p; ++p) out += (out.empty() ? "" : " ") + std::string(*p);
    return out;
}

}  // namespace

TEST_CASE("a value: --flag VALUE and --flag=VALUE, the last one wins") {
    CHECK(parse({"--host", "a"}).value("host") == "a");
    CHECK(parse({"--host=b"}).value("host") == "b");
    CHECK(parse({"--host=", "x"}).value("host") == "");
    CHECK(parse({"--host", "a", "--host=b"}).value("host") == "b");
    CHECK(parse({"--host"}).error == "--host needs a value: --host NAME");
}

TEST_CASE("flags and operands mix, -- ends the flags") {
    Arguments a = parse({"file.toml", "--json"});
    CHECK(a.error.empty());
    CHECK(a.has("json"));
    REQUIRE(a.operands.size() == 1);
    CHECK(a.operands[0] == "file.toml");
    Arguments b = parse({"--", "--json"});
    CHECK_FALSE(b.has("json"));
    CHECK(b.operands == std::vector<std::string>{"--json"});
    CHECK(parse({"a", "b"}).error == "unexpected argument 'b' (usage: tlsoverride cmd [FILE])");
    CHECK(parse({"--json=yes"}).error == "--json takes no value");
}

TEST_CASE("unknown flags are errors, with the nearest name") {
    CHECK(parse({"--hots", "x"}).error == "unknown flag '--hots' (did you mean '--host'?)");
    CHECK(parse({"--hots=x"}).error == "unknown flag '--hots' (did you mean '--host'?)");
    CHECK(parse({"--zzzzzzzz"}).error == "unknown flag '--zzzzzzzz'");
    CHECK(parse({"-x"}).error == "unknown flag '-x'");
    CHECK(parse({"--ho"}).error.find("unknown flag '--ho'") == 0);  // no abbreviations
}

TEST_CASE("--help, -h and --version are known to every command") {
    CHECK(parse({"--help"}).help);
    CHECK(parse({"-h"}).help);
    CHECK(parse({"--json", "--version"}).version);
    CHECK_FALSE(parse({"--", "--help"}).help);
}

TEST_CASE("a switch is true when bare and takes a value only with =") {
    CHECK(parse({"--log-handshakes"}).value("log-handshakes") == "true");
    CHECK(parse({"--log-handshakes=no"}).value("log-handshakes") == "no");
    Line l({"--log-handshakes", "curl", "-v"}, true);
    CHECK(l.parsed.value("log-handshakes") == "true");
    CHECK(rest_of(l) == "curl -v");
    // run --log-handshakes yes -- true used to run `yes`.
    CHECK(parse({"--log-handshakes", "yes", "--", "true"}, true).error ==
          "--log-handshakes is a switch and takes a value only with '=': write --log-handshakes=yes (a bare --log-handshakes means true)");
}

TEST_CASE("short flags: -q, clustered, -j N and -jN") {
    CHECK(parse({"-q"}).has("quiet"));
    Arguments a = parse({"-qj", "4"});
    CHECK(a.has("quiet"));
    CHECK(a.value("jobs") == "4");
    CHECK(parse({"-j8"}).value("jobs") == "8");
}

TEST_CASE("a command-running command: the first operand starts COMMAND") {
    Line l({"--host", "h", "prog", "--json", "--", "x"}, true);
    CHECK(l.parsed.error.empty());
    CHECK_FALSE(l.parsed.has("json"));
    CHECK(rest_of(l) == "prog --json -- x");
    Line m({"-q", "--", "--weird-name"}, true);
    CHECK(rest_of(m) == "--weird-name");
    Line n({"-q", "--"}, true);
    CHECK(rest_of(n).empty());
    CHECK(parse({"--hots"}, true).error.find("; put -- before COMMAND") != std::string::npos);
}
