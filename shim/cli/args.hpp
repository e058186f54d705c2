// One command-line grammar for every subcommand, getopt_long's:
//   --flag VALUE and --flag=VALUE; -f VALUE and -fVALUE for the few short flags;
//   a switch (--log-handshakes) is true when bare and takes a value only with '='
//   (--log-handshakes=no), so the next word is never swallowed;
//   "--" ends the flags; an unknown flag is an error naming the command;
//   --help/-h and --version are known to every command.
// Flags and operands may be mixed (check FILE --json), except for a command that runs
// another (run): its first operand starts COMMAND, and everything after it is COMMAND's.
// No abbreviations: adding a flag later never changes what an existing script means.
//
// A command declares its flags in one table, one line each:
//   constexpr Option options[] = {{"json", 0, Takes::Nothing, "", "print one JSON object"}, ...};
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlso::cli {

enum class Takes {
    Nothing,  // --json
    Value,    // --host NAME, --host=NAME
    Switch,   // --log-handshakes (true), --log-handshakes=false
};

struct Option {
    std::string_view name;         // the long name, without "--"
    char short_name;               // 0: none
    Takes takes;
    std::string_view placeholder;  // "NAME" in --help; empty for Nothing
    std::string_view help;         // one line
};

struct Arguments {
    struct Given {
        std::string_view name;  // the Option's long name
        std::string value;      // "true" for a bare Nothing or Switch
    };
    std::vector<Given> given;           // in command-line order
    std::vector<std::string> operands;  // without COMMAND (see rest)
    char** rest = nullptr;              // run-style commands: argv from COMMAND on, NULL-terminated
    bool help = false;
    bool version = false;
    std::string error;  // a usage error, without the "tlsoverride COMMAND: " prefix

    bool has(std::string_view name) const;
    // The last value given for NAME: a later flag wins, as with getopt.
    std::optional<std::string> value(std::string_view name) const;
};

struct Grammar {
    std::string_view command;         // "run", "check": named in every error
    std::span<const Option> options;  // --help and --version are implied
    bool first_operand_is_command = false;
    std::size_t max_operands = static_cast<std::size_t>(-1);
    std::string_view operands_usage = "";  // "[FILE]", "PROGRAM": for the too-many error
};

Arguments parse_arguments(const Grammar& grammar, int argc, char** argv);

// "  --host NAME        the server name ..." for each option, then -h/--help and --version.
void print_options(std::FILE* out, std::span<const Option> options);

// Prints "tlsoverride COMMAND: MESSAGE (see tlsoverride COMMAND --help)" and returns 2.
int usage_error(std::string_view command, const std::string& message);

inline constexpr int exit_usage = 2;

}  // namespace tlso::cli
