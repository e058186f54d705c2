#include "core/config.hpp"

#include <type_traits>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "core/ascii.hpp"
#include "core/plain_toml.hpp"
#include "core/profiles.hpp"
#include "core/toml.hpp"

namespace tlso {
namespace {

// Constant arrays, not vectors: nothing to construct when the engine is loaded.
constexpr std::string_view top_keys[] = {"mode", "on_error", "log", "policy", "rule"};
constexpr std::string_view log_keys[] = {"level", "file", "format", "handshakes"};
constexpr std::string_view policy_keys[] = {
    "profile", "min_protocol", "max_protocol", "ciphers", "ciphersuites", "groups",
    "signature_algorithms", "security_level", "options", "gnutls_priority"};
constexpr std::string_view rule_only_keys[] = {"name", "program", "host", "role"};

bool listed(std::span<const std::string_view> keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// "FILE:LINE:COLUMN" of a toml::source_region or a plain_toml::Region, built in one
// allocation (every value read makes one).
template <class Region>
std::string located(const Region& where) {
    char numbers[32];  // ":" and two 32-bit numbers
    char* end = numbers;
    *end++ = ':';
    end = std::to_chars(end, numbers + 16, where.begin.line).ptr;  // 10 digits at most
    *end++ = ':';
    end = std::to_chars(end, std::end(numbers), where.begin.column).ptr;
    std::string out;
    const std::size_t path_size = where.path ? where.path->size() : 0;
    out.reserve(path_size + static_cast<std::size_t>(end - numbers));
    if (where.path) out += *where.path;
    out.append(numbers, end);
    return out;
}

template <class Node>
std::string_view type_name(const Node& n) {
    if (n.is_table()) return "a table";
    if (n.is_array()) return "an array";
    if (n.is_string()) return "a string";
    if (n.is_integer()) return "an integer";
    if (n.is_floating_point()) return "a number";
    if (n.is_boolean()) return "a boolean";
    return "a date or time";
}

// The two kinds of parsed document one Reader walks: toml++'s, and plain_toml's (the
// same names for the same things).
struct TomlDocument {
    using Node = toml::node;
    using Table = toml::table;
    using Array = toml::array;
    using Key = toml::key;
};
struct PlainDocument {
    using Node = plain_toml::Node;
    using Table = plain_toml::Node::Table;
    using Array = plain_toml::Node::Array;
    using Key = plain_toml::Key;
};

// Walks one parsed document, collecting every error rather than stopping at the first.
template <class Document>
class Reader {
    using Node = typename Document::Node;
    using Table = typename Document::Table;
    using Array = typename Document::Array;
    using Key = typename Document::Key;

public:
    Reader(std::string path, std::size_t first_rule_number) : first_rule_number_(first_rule_number) {
        out_.config.path = path;
        out_.config.files = {std::move(path)};
    }

    LoadedConfig read(const Table& root) {
        for (auto&& [key, node] : root) {
            std::string_view k = key.str();
            if (k == "mode") take(node, k, out_.config.process.mode, parse_mode);
            else if (k == "on_error") take(node, k, out_.config.process.on_error, parse_on_error);
            else if (k == "log") read_log(node);
            else if (k == "policy") read_policy(node);
            else if (k == "rule") read_rules(node);
            else unknown_key(key, top_keys, "at the top level");
        }
        return std::move(out_);
    }

private:
    LoadedConfig out_;
    std::size_t first_rule_number_;

    template <class Region>
    void error_at(const Region& where, std::string message) {
        out_.errors.push_back({located(where), std::move(message)});
    }
    void error(const Node& n, std::string message) { error_at(n.source(), std::move(message)); }

    void unknown_key(const Key& key, std::span<const std::string_view> valid, std::string_view where) {
        std::string message = "unknown key '" + std::string(key.str()) + "' " + std::string(where);
        std::string guess = nearest(key.str(), valid);
        bool top_level = valid.data() != std::data(top_keys) && listed(top_keys, key.str());
        if (top_level) message += " ('" + std::string(key.str()) + "' belongs at the top of the file, before any [table])";
        else if (!guess.empty()) message += " (did you mean '" + guess + "'?)";
        error_at(key.source(), message);
    }

    // A string value, checked for type, length and embedded NULs.
    std::optional<std::string> string_of(const Node& n, std::string_view key) {
        const auto* s = n.as_string();
        if (!s) {
            error(n, std::string(key) + " must be a string, not " + std::string(type_name(n)));
            return std::nullopt;
        }
        const std::string& v = s->get();
        if (v.size() > max_string_bytes) {
            error(n, std::string(key) + " is " + std::to_string(v.size()) + " bytes long; the limit is " +
                         std::to_string(max_string_bytes) + " bytes per string");
            return std::nullopt;
        }
        if (v.find('\0') != std::string::npos) {
            error(n, std::string(key) + " contains a NUL character (\\u0000); remove it");
            return std::nullopt;
        }
        return v;
    }

    // A list of strings; a single string is accepted where `single_ok`.
    std::optional<std::vector<std::string>> strings_of(const Node& n, std::string_view key, bool single_ok) {
        if (single_ok && n.is_string()) {
            auto s = string_of(n, key);
            if (!s) return std::nullopt;
            return std::vector<std::string>{*s};
        }
        const Array* a = n.as_array();
        if (!a) {
            error(n, std::string(key) + " must be a list of strings, e.g. " + std::string(key) + " = [\"...\"], not " +
                         std::string(type_name(n)));
            return std::nullopt;
        }
        if (a->size() > max_list_items) {
            error(n, std::string(key) + " has " + std::to_string(a->size()) + " items; the limit is " +
                         std::to_string(max_list_items));
            return std::nullopt;
        }
        std::vector<std::string> items;
        bool ok = true;
        for (const Node& item : *a) {
            if (auto s = string_of(item, std::string(key) + " items")) items.push_back(*s);
            else ok = false;
        }
        if (!ok) return std::nullopt;
        return items;
    }

    template <class T, class Parse>
    void take(const Node& n, std::string_view key, Setting<T>& into, Parse parse) {
        auto s = string_of(n, key);
        if (!s) return;
        Parsed<T> p = parse(*s);
        if (p.value) into = Sourced<T>{*p.value, {"file", located(n.source())}};
        else error(n, std::string(key) + ": " + p.error);
    }

    void read_log(const Node& n) {
        const Table* t = n.as_table();
        if (!t) return error(n, "log must be a table: write [log] on its own line");
        ProcessSettings& p = out_.config.process;
        for (auto&& [key, v] : *t) {
            std::string_view k = key.str();
            if (k == "level") take(v, "level", p.log_level, parse_log_level);
            else if (k == "format") take(v, "format", p.log_format, parse_log_format);
            else if (k == "file") {
                if (auto s = string_of(v, "file")) p.log_file = Sourced<std::string>{*s, {"file", located(v.source())}};
            } else if (k == "handshakes") {
                if (auto b = v.as_boolean()) p.log_handshakes = Sourced<bool>{b->get(), {"file", located(v.source())}};
                else error(v, "handshakes must be true or false, not " + std::string(type_name(v)));
            } else unknown_key(key, log_keys, "in [log]");
        }
    }

    void read_setting(const Key& key, const Node& v, Settings& s, const Origin& origin) {
        std::string_view k = key.str();
        Origin here{origin.source, located(v.source())};
        auto text_setting = [&](Setting<std::string>& into, char joiner) {
            // Groups and signature algorithms read naturally as lists too.
            if (joiner && v.is_array()) {
                if (auto items = strings_of(v, k, false)) {
                    std::string joined;
                    for (const std::string& i : *items) joined += (joined.empty() ? "" : std::string(1, joiner)) + i;
                    into = Sourced<std::string>{joined, here};
                }
            } else if (auto str = string_of(v, k)) {
                into = Sourced<std::string>{*str, here};
            }
        };
        if (k == "min_protocol" || k == "max_protocol") {
            Setting<Protocol>& into = k == "min_protocol" ? s.min_protocol : s.max_protocol;
            if (auto str = string_of(v, k)) {
                Parsed<Protocol> p = parse_protocol_value(*str);
                if (p.value) into = Sourced<Protocol>{*p.value, here};
                else error(v, std::string(k) + ": " + p.error);
            }
        } else if (k == "ciphers") text_setting(s.ciphers, 0);
        else if (k == "ciphersuites") text_setting(s.ciphersuites, ':');
        else if (k == "groups") text_setting(s.groups, ':');
        else if (k == "signature_algorithms") text_setting(s.signature_algorithms, ':');
        else if (k == "security_level") {
            auto i = v.as_integer();
            if (!i) error(v, "security_level must be an integer from 0 to 5, not " + std::string(type_name(v)));
            else if (i->get() < 0 || i->get() > 5)
                error(v, "security_level " + std::to_string(i->get()) + " is out of range (use 0 to 5)");
            else s.security_level = Sourced<int>{static_cast<int>(i->get()), here};
        } else if (k == "gnutls_priority") {
            text_setting(s.gnutls_priority, 0);
        } else if (k == "options") {
            if (auto items = strings_of(v, k, false)) s.options = Sourced<std::vector<std::string>>{*items, here};
        }
    }

    // [policy] or one [[rule]]: a profile first, then the keys written beside it.
    Settings read_settings(const Table& t, const Origin& origin, bool in_rule, Rule* rule) {
        Settings written;
        std::optional<Settings> profile;
        for (auto&& [key, v] : t) {
            std::string_view k = key.str();
            if (k == "profile") {
                if (auto name = string_of(v, "profile")) {
                    profile = profile_settings(*name, {"profile " + *name + " (" + origin.source + ")", located(v.source())});
                    if (!profile) error(v, "unknown profile '" + *name + "' (use modern, intermediate or old)");
                }
            } else if (listed(policy_keys, k)) {
                read_setting(key, v, written, origin);
            } else if (in_rule && listed(rule_only_keys, k)) {
                read_rule_key(key, v, *rule);
            } else {
                std::vector<std::string_view> valid(std::begin(policy_keys), std::end(policy_keys));
                if (in_rule) valid.insert(valid.end(), std::begin(rule_only_keys), std::end(rule_only_keys));
                unknown_key(key, valid, in_rule ? "in [[rule]]" : "in [policy]");
            }
        }
        Settings s = profile ? overlay(*profile, written) : std::move(written);
        check_range(s);
        return s;
    }

    void check_range(const Settings& s) {
        if (s.min_protocol && s.max_protocol && s.min_protocol->value > s.max_protocol->value)
            out_.errors.push_back({s.min_protocol->origin.location,
                                   "min_protocol " + std::string(protocol_name(s.min_protocol->value)) +
                                       " is above max_protocol " + std::string(protocol_name(s.max_protocol->value)) +
                                       " (at " + s.max_protocol->origin.location + "); lower min_protocol or raise max_protocol"});
    }

    void read_rule_key(const Key& key, const Node& v, Rule& rule) {
        std::string_view k = key.str();
        if (k == "name") {
            if (auto s = string_of(v, "name"); s && !s->empty()) rule.name = *s;
        } else if (k == "program" || k == "host") {
            auto l = strings_of(v, k, true);
            if (!l) return;
            // An empty list would read as "no condition": the rule would then match every
            // program or every connection, the opposite of what an empty list says.
            if (l->empty())
                return error(v, std::string(k) + " = [] is an empty list, which would make this rule match every " +
                                    (k == "host" ? "connection" : "program") + "; list at least one " +
                                    (k == "host" ? "server name, e.g. host = [\"billing.example\"]"
                                                 : "program name, e.g. program = [\"billing-sync\"]") +
                                    ", or remove the key");
            (k == "host" ? rule.hosts : rule.programs) = std::move(*l);
        } else if (k == "role") {
            if (auto s = string_of(v, "role")) {
                Parsed<Role> r = parse_role(*s);
                if (r.value) rule.role = r.value;
                else error(v, "role: " + r.error);
            }
        }
    }

    void read_policy(const Node& n) {
        const Table* t = n.as_table();
        if (!t) return error(n, "policy must be a table: write [policy] on its own line");
        out_.config.policy = read_settings(*t, {"[policy]", ""}, false, nullptr);
    }

    void read_rules(const Node& n) {
        const Array* rules = n.as_array();
        if (!rules || !rules->is_array_of_tables()) {
            return error(n, "rule must be written [[rule]] (an array of tables), not " +
                                std::string(n.is_table() ? "[rule]" : type_name(n)));
        }
        if (rules->size() > max_rules)
            return error(n, std::to_string(rules->size()) + " rules; the limit is " + std::to_string(max_rules));
        for (const Node& r : *rules) {
            const Table& t = *r.as_table();
            Rule rule;
            rule.location = located(t.source());
            std::size_t number = first_rule_number_ + out_.config.rules.size();
            // The name is needed for the origins, so read it before the rest.
            if (const Node* name = t.get("name"); name && name->is_string()) rule.name = name->as_string()->get();
            if (rule.name.empty()) rule.name = "rule " + std::to_string(number);
            rule.settings = read_settings(t, {"rule \"" + rule.name + "\"", ""}, true, &rule);
            out_.config.rules.push_back(std::move(rule));
        }
    }
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); j++) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); i++) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); j++) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// `min_protocol = TLSv1.2`: TOML reads a bare word as a boolean or a number and fails on
// it with "Error while parsing boolean"; what the operator needs is the quotes.
std::string quote_hint(std::string_view text, std::size_t line_number) {
    std::string_view line = text;
    for (std::size_t n = 1; n < line_number; n++) {
        std::size_t nl = line.find('\n');
        if (nl == std::string_view::npos) return "";
        line.remove_prefix(nl + 1);
    }
    line = line.substr(0, line.find('\n'));
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
        return s;
    };
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return "";
    std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (std::size_t hash = value.find(" #"); hash != std::string_view::npos) value = trim(value.substr(0, hash));
    if (key.empty() || value.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string_view::npos) return "";
    if (key == "security_level" || key == "handshakes") return "";  // not strings
    if (!ascii_alpha(value.front()) || value == "true" || value == "false" || value.find_first_of("\"'[]{},") != std::string_view::npos)
        return "";
    return "the value " + std::string(value) + " must be quoted: write " + std::string(key) + " = \"" + std::string(value) +
           "\"";
}

}  // namespace

std::string nearest(std::string_view word, std::span<const std::string_view> candidates) {
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (std::string_view c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_distance) best = c, best_distance = d;
    }
    return std::string(best);
}

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::optional<LoadedConfig> parse_plain_config(std::string_view text, std::string_view path,
                                               std::size_t first_rule_number) {
    if (blank(text)) return std::nullopt;  // "the file is empty" is toml++'s reader's to say
    const std::string file(path);
    std::optional<plain_toml::Node> root = plain_toml::parse(text, file);
    if (!root) return std::nullopt;
    LoadedConfig loaded = Reader<PlainDocument>(file, first_rule_number).read(*root->as_table());
    if (!loaded.errors.empty()) return std::nullopt;  // the messages, in the file's order, are toml++'s reader's
    return loaded;
}

LoadedConfig parse_toml_config(std::string_view text, std::string_view path, std::size_t first_rule_number) {
    if (blank(text)) {
        LoadedConfig empty;
        empty.config.path = path;
        empty.config.files = {std::string(path)};
        empty.errors.push_back({std::string(path), "the file is empty; write a [policy] table (see the reference "
                                                    "config), or unset TLSOVERRIDE_CONFIG"});
        return empty;
    }
    toml::parse_result parsed = toml::parse(text, path);
    if (!parsed) {
        LoadedConfig failed;
        failed.config.path = path;
        failed.config.files = {std::string(path)};
        std::string message(parsed.error().description());
        std::string hint = quote_hint(text, parsed.error().source().begin.line);
        failed.errors.push_back({located(parsed.error().source()), hint.empty() ? message : hint + " (TOML: " + message + ")"});
        return failed;
    }
    LoadedConfig loaded = Reader<TomlDocument>(std::string(path), first_rule_number).read(parsed.table());
    // toml++ tables are ordered by key: report in the order of the file instead.
    auto position = [](const Diagnostic& d) {
        std::size_t column_colon = d.where.rfind(':');
        std::size_t line_colon = column_colon == std::string::npos ? std::string::npos : d.where.rfind(':', column_colon - 1);
        if (line_colon == std::string::npos) return std::pair<long, long>{0, 0};
        return std::pair<long, long>{std::atol(d.where.c_str() + line_colon + 1), std::atol(d.where.c_str() + column_colon + 1)};
    };
    std::stable_sort(loaded.errors.begin(), loaded.errors.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return position(a) < position(b); });
    return loaded;
}

LoadedConfig parse_config(std::string_view text, std::string_view path, std::size_t first_rule_number) {
    if (std::optional<LoadedConfig> plain = parse_plain_config(text, path, first_rule_number)) return std::move(*plain);
    return parse_toml_config(text, path, first_rule_number);
}

LoadedConfig load_config_file(const std::string& path, std::size_t first_rule_number) {
    auto failure = [&](std::string message) {
        LoadedConfig failed;
        failed.config.path = path;
        failed.config.files = {path};
        failed.errors.push_back({path, std::move(message)});
        return failed;
    };
    // O_NONBLOCK: a FIFO at the path must not hang the host program; it is then
    // refused as not a regular file.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return failure(std::string("cannot read the configuration: ") + std::strerror(errno));
    struct stat st {};
    std::string text;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && static_cast<std::size_t>(st.st_size) <= max_file_bytes) {
        text.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < text.size()) {
            ssize_t n = read(fd, text.data() + got, text.size() - got);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        text.resize(got);
    }
    close(fd);
    if (!regular)
        return failure(S_ISDIR(st.st_mode) ? "is a directory, not a configuration file (name the .toml file inside it)"
                                           : "is not a regular file");
    if (static_cast<std::size_t>(st.st_size) > max_file_bytes)
        return failure("is " + std::to_string(st.st_size) + " bytes; the limit is " + std::to_string(max_file_bytes) +
                       " bytes (1 MiB)");
    return parse_config(text, path, first_rule_number);
}

// ---- several files -------------------------------------------------------------------

namespace {

// A directory, opened to read (O_DIRECTORY fails on anything else, a FIFO included,
// without waiting on it); -1 otherwise. open is the call the engine makes anyway to
// read its file: a stat here would be one more of libc's functions the dynamic linker
// looks up in every governed process (make bench, figure 8).
int open_directory(const std::string& path) {
    return open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
}

bool is_directory(const std::string& path) {
    int fd = open_directory(path);
    if (fd < 0) return false;
    close(fd);
    return true;
}

}  // namespace

std::vector<std::string> dropin_files(const std::string& dir) {
    std::vector<std::string> names;
    int fd = open_directory(dir);
    if (fd < 0) return names;  // the usual case: no conf.d
    DIR* d = fdopendir(fd);
    if (!d) {
        close(fd);
        return names;
    }
    while (const dirent* e = readdir(d)) {
        std::string_view name = e->d_name;
        if (name.empty() || name.front() == '.' || name.size() <= 5 || name.substr(name.size() - 5) != ".toml") continue;
        names.emplace_back(name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());  // bytes, not the locale: the same order everywhere
    for (std::string& n : names) n = dir + "/" + n;
    return names;
}

namespace {

bool from_profile(const Origin& o) { return o.source.rfind("profile ", 0) == 0; }

std::string set_twice(std::string_view key, std::string_view table, const Origin& first) {
    return std::string(key) + " is set twice" + (table.empty() ? "" : " in " + std::string(table)) + ": here and at " +
           first.location + "; set each key in one file (the files in conf.d/ add [[rule]]s and keys not set elsewhere)";
}

template <class T>
void take_once(Setting<T>& into, const Setting<T>& next, std::string_view key, std::string_view table, Diagnostics& errors) {
    if (!next) return;
    if (into) errors.push_back({next->origin.location, set_twice(key, table, into->origin)});
    else into = next;
}

// [policy] of a later file onto the earlier ones: written keys twice are an error; a
// written key beats a profile's value from either file; two profiles are an error.
void merge_policy(Settings& into, const Settings& next, Diagnostics& errors) {
    bool profiles_clash = false;
    auto merge = [&](const SettingName& name, auto& mine, const auto& theirs) {
        if (!theirs) return;
        if (!mine) {
            mine = theirs;
            return;
        }
        bool mine_profile = from_profile(mine->origin), theirs_profile = from_profile(theirs->origin);
        if (mine_profile && theirs_profile) {
            if (!profiles_clash) errors.push_back({theirs->origin.location, set_twice("profile", "[policy]", mine->origin)});
            profiles_clash = true;
        } else if (!mine_profile && !theirs_profile) {
            errors.push_back({theirs->origin.location, set_twice(name.key, "[policy]", mine->origin)});
        } else if (mine_profile) {
            mine = theirs;
        }
    };
    // for_each_setting walks one object; the same field of `into` is at the same offset,
    // so the one list of settings (gnutls_priority included) pairs them up.
    for_each_setting(next, [&](const SettingName& name, const auto& theirs) {
        using Field = std::remove_cvref_t<decltype(theirs)>;
        auto offset = reinterpret_cast<const char*>(&theirs) - reinterpret_cast<const char*>(&next);
        merge(name, *reinterpret_cast<Field*>(reinterpret_cast<char*>(&into) + offset), theirs);
    });
}

}  // namespace

LoadedConfig combine_configs(std::vector<LoadedConfig> parts) {
    LoadedConfig out;
    if (parts.empty()) return out;
    out = std::move(parts.front());
    for (std::size_t i = 1; i < parts.size(); i++) {
        LoadedConfig& part = parts[i];
        Config& c = out.config;
        out.errors.insert(out.errors.end(), part.errors.begin(), part.errors.end());
        c.files.insert(c.files.end(), part.config.files.begin(), part.config.files.end());
        ProcessSettings& p = c.process;
        const ProcessSettings& q = part.config.process;
        take_once(p.mode, q.mode, "mode", "", out.errors);
        take_once(p.on_error, q.on_error, "on_error", "", out.errors);
        take_once(p.log_level, q.log_level, "level", "[log]", out.errors);
        take_once(p.log_file, q.log_file, "file", "[log]", out.errors);
        take_once(p.log_format, q.log_format, "format", "[log]", out.errors);
        take_once(p.log_handshakes, q.log_handshakes, "handshakes", "[log]", out.errors);
        merge_policy(c.policy, part.config.policy, out.errors);
        for (Rule& r : part.config.rules) c.rules.push_back(std::move(r));
    }
    if (out.config.rules.size() > max_rules)
        out.errors.push_back({out.config.path, std::to_string(out.config.rules.size()) + " rules in " +
                                                   std::to_string(out.config.files.size()) + " files; the limit is " +
                                                   std::to_string(max_rules)});
    return out;
}

LoadedConfig load_configuration(const std::string& path) {
    std::vector<std::string> files;
    std::string dropin_dir;
    if (is_directory(path)) {
        std::string main = path + "/config.toml";
        if (access(main.c_str(), F_OK) == 0) files.push_back(main);
        dropin_dir = path + "/conf.d";
        std::vector<std::string> dropins = dropin_files(dropin_dir);
        files.insert(files.end(), dropins.begin(), dropins.end());
        if (files.empty()) {
            LoadedConfig none;
            none.config.path = path;
            none.errors.push_back({path, "is a directory with neither config.toml nor conf.d/*.toml in it"});
            return none;
        }
    } else {
        files.push_back(path);
        std::size_t slash = path.rfind('/');
        dropin_dir = (slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash)) + "/conf.d";
        std::vector<std::string> dropins = dropin_files(dropin_dir);
        files.insert(files.end(), dropins.begin(), dropins.end());
    }
    if (files.size() == 1) {  // the usual case: nothing to combine
        LoadedConfig one = load_config_file(files.front(), 1);
        one.config.path = path;
        return one;
    }
    std::vector<LoadedConfig> parts;
    std::size_t rules = 0;
    for (const std::string& f : files) {
        parts.push_back(load_config_file(f, rules + 1));
        rules += parts.back().config.rules.size();
    }
    LoadedConfig all = combine_configs(std::move(parts));
    all.config.path = path;
    return all;
}

}  // namespace tlso
