// The one command-line grammar. See args.hpp.
#include "args.hpp"

#include <algorithm>

#include "core/config.hpp"  // nearest(): the "did you mean" of a misspelt flag

namespace tlso::cli {
namespace {

// The words a switch's value could be: read after a bare switch, they are far more
// likely a misplaced value than the program to run (run --log-handshakes yes -- curl).
bool is_boolean_word(std::string_view word) {
    for (std::string_view b : {"true", "false", "yes", "no", "on", "off", "1", "0"})
        if (word == b) return true;
    return false;
}

const Option* long_option(const Grammar& g, std::string_view name) {
    for (const Option& o : g.options)
        if (o.name == name) return &o;
    return nullptr;
}

const Option* short_option(const Grammar& g, char c) {
    for (const Option& o : g.options)
        if (o.short_name && o.short_name == c) return &o;
    return nullptr;
}

std::string unknown_flag(const Grammar& g, std::string_view flag, std::string_view name) {
    std::vector<std::string_view> names = {"help", "version"};
    for (const Option& o : g.options) names.push_back(o.name);
    std::string guess = name.empty() ? "" : nearest(name, names);
    std::string text = "unknown flag '" + std::string(flag) + "'";
    if (!guess.empty()) text += " (did you mean '--" + guess + "'?)";
    if (g.first_operand_is_command) text += "; put -- before COMMAND if COMMAND itself starts with -";
    return text;
}

}  // namespace

bool Arguments::has(std::string_view name) const {
    return std::any_of(given.begin(), given.end(), [&](const Given& g) { return g.name == name; });
}

std::optional<std::string> Arguments::value(std::string_view name) const {
    for (auto it = given.rbegin(); it != given.rend(); ++it)
        if (it->name == name) return it->value;
    return std::nullopt;
}

Arguments parse_arguments(const Grammar& g, int argc, char** argv) {
    Arguments a;
    auto fail = [&](std::string message) {
        a.error = std::move(message);
        return a;
    };
    bool options_ended = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (!options_ended && arg == "--") {
            options_ended = true;
            if (g.first_operand_is_command) {
                a.rest = argv + i + 1;
                break;
            }
            continue;
        }
        bool is_long = !options_ended && arg.size() > 2 && arg.substr(0, 2) == "--";
        bool is_short = !options_ended && !is_long && arg.size() > 1 && arg[0] == '-' && arg != "--";
        if (!is_long && !is_short) {
            if (g.first_operand_is_command) {
                a.rest = argv + i;
                break;
            }
            if (a.operands.size() >= g.max_operands)
                return fail("unexpected argument '" + std::string(arg) + "' (usage: tlsoverride " + std::string(g.command) +
                            (g.operands_usage.empty() ? "" : " ") + std::string(g.operands_usage) + ")");
            a.operands.emplace_back(arg);
            continue;
        }
        if (is_long) {
            std::string_view body = arg.substr(2);
            std::size_t eq = body.find('=');
            std::string_view name = body.substr(0, eq);
            if (name == "help") return a.help = true, a;
            if (name == "version") return a.version = true, a;
            const Option* o = long_option(g, name);
            if (!o) return fail(unknown_flag(g, arg.substr(0, eq == std::string_view::npos ? arg.size() : eq + 2), name));
            std::string flag = "--" + std::string(name);
            switch (o->takes) {
                case Takes::Nothing:
                    if (eq != std::string_view::npos) return fail(flag + " takes no value");
                    a.given.push_back({o->name, "true"});
                    break;
                case Takes::Value:
                    if (eq != std::string_view::npos) a.given.push_back({o->name, std::string(body.substr(eq + 1))});
                    else if (i + 1 < argc) a.given.push_back({o->name, argv[++i]});
                    else return fail(flag + " needs a value: " + flag + " " + std::string(o->placeholder));
                    break;
                case Takes::Switch:
                    if (eq != std::string_view::npos) {
                        a.given.push_back({o->name, std::string(body.substr(eq + 1))});
                    } else if (i + 1 < argc && is_boolean_word(argv[i + 1])) {
                        return fail(flag + " is a switch and takes a value only with '=': write " + flag + "=" + argv[i + 1] +
                                    " (a bare " + flag + " means true)");
                    } else {
                        a.given.push_back({o->name, "true"});
                    }
                    break;
            }
            continue;
        }
        // Short flags: -q, -h, clustered (-qh), or one that takes a value (-x V, -xV).
        for (std::size_t k = 1; k < arg.size(); ++k) {
            char c = arg[k];
            if (c == 'h') return a.help = true, a;
            const Option* o = short_option(g, c);
            if (!o) return fail(unknown_flag(g, "-" + std::string(1, c), ""));
            if (o->takes == Takes::Value) {
                if (k + 1 < arg.size()) a.given.push_back({o->name, std::string(arg.substr(k + 1))});
                else if (i + 1 < argc) a.given.push_back({o->name, argv[++i]});
                else return fail("-" + std::string(1, c) + " needs a value: -" + std::string(1, c) + " " + std::string(o->placeholder));
                break;
            }
            a.given.push_back({o->name, "true"});
        }
    }
    return a;
}

void print_options(std::FILE* out, std::span<const Option> options) {
    auto line = [&](std::string left, std::string_view help) {
        std::fprintf(out, "  %-32s %.*s\n", left.c_str(), static_cast<int>(help.size()), help.data());
    };
    for (const Option& o : options) {
        std::string left = o.short_name ? "-" + std::string(1, o.short_name) + ", " : "    ";
        left += "--" + std::string(o.name);
        if (o.takes == Takes::Value) left += " " + std::string(o.placeholder);
        if (o.takes == Takes::Switch) left += "[=" + std::string(o.placeholder.empty() ? "BOOL" : o.placeholder) + "]";
        line(left, o.help);
    }
    line("-h, --help", "this text");
    line("    --version", "the version");
}

int usage_error(std::string_view command, const std::string& message) {
    std::fprintf(stderr, "tlsoverride %.*s: %s (see tlsoverride %.*s --help)\n", static_cast<int>(command.size()),
                 command.data(), message.c_str(), static_cast<int>(command.size()), command.data());
    return exit_usage;
}

}  // namespace tlso::cli
