// The plain TOML that policy files are written in, read without toml++.
//
// toml++ spends ~25,000 instructions on a five-line policy file (it decodes and
// locates every character as UTF-8, and builds a node per value), the largest single
// part of a governed process's start (make bench, figure 8). Most files use only bare
// keys, [table] and [[table]] headers, one-line strings without escapes, integers,
// booleans, arrays of those, and comments, in ASCII: this reads that subset, and
// answers "not plain" (nullopt) for anything else, which config.cpp then gives to
// toml++. So this never decides what a file means on its own: a file it reads, toml++
// reads the same way (tests/unit/plain_toml_test.cpp and the config fuzz target
// compare the two on every input), and every file with an error goes to toml++ and
// the full reader, for the messages.
//
// The nodes answer with toml++'s names (as_string()->get(), is_table(), source()...),
// so one reader (config.cpp) walks either kind of document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tlso::plain_toml {

// Where a key or value begins, as toml++ counts: lines and columns from 1.
struct Region {
    const std::string* path = nullptr;
    struct Position {
        std::uint32_t line = 0, column = 0;
    } begin;
};

struct Key {
    std::string name;
    Region region;
    std::string_view str() const { return name; }
    const Region& source() const { return region; }
};

template <class T>
struct Value {
    T value{};
    const T& get() const { return value; }
};

class Node {
public:
    enum class Kind : unsigned char { Table, Array, String, Integer, Boolean };

    struct Table {
        std::vector<std::pair<Key, Node>> entries;  // in the file's order
        Region region;
        auto begin() const { return entries.begin(); }
        auto end() const { return entries.end(); }
        const Node* get(std::string_view key) const;
        const Region& source() const { return region; }
    };
    struct Array {
        std::vector<Node> items;
        bool of_tables = false;  // made by [[headers]], never by a written [ ... ]
        std::size_t size() const { return items.size(); }
        auto begin() const { return items.begin(); }
        auto end() const { return items.end(); }
        bool is_array_of_tables() const { return of_tables; }
    };

    Node(Kind kind, Region region) : kind_(kind), region_(region) {}

    bool is_table() const { return kind_ == Kind::Table; }
    bool is_array() const { return kind_ == Kind::Array; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_integer() const { return kind_ == Kind::Integer; }
    bool is_boolean() const { return kind_ == Kind::Boolean; }
    bool is_floating_point() const { return false; }
    const Table* as_table() const { return is_table() ? &table_ : nullptr; }
    const Array* as_array() const { return is_array() ? &array_ : nullptr; }
    const Value<std::string>* as_string() const { return is_string() ? &text_ : nullptr; }
    const Value<std::int64_t>* as_integer() const { return is_integer() ? &integer_ : nullptr; }
    const Value<bool>* as_boolean() const { return is_boolean() ? &boolean_ : nullptr; }
    const Region& source() const { return region_; }

private:
    friend class Parser;
    Kind kind_;
    Region region_;
    Table table_;
    Array array_;
    Value<std::string> text_;
    Value<std::int64_t> integer_;
    Value<bool> boolean_;
};

// The document's root table, or nullopt when `text` is not plain TOML (or not TOML).
// `path` must outlive the result: every region points at it.
std::optional<Node> parse(std::string_view text, const std::string& path);

}  // namespace tlso::plain_toml
