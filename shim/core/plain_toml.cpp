#include "core/plain_toml.hpp"

namespace tlso::plain_toml {

const Node* Node::Table::get(std::string_view key) const {
    for (const auto& [k, v] : entries)
        if (k.name == key) return &v;
    return nullptr;
}

// One pass over the text. Every "not plain" is a plain `return false` up to parse():
// the file is then toml++'s, whether it is good TOML this does not read (escapes,
// dotted keys, inline tables, dates, floats, UTF-8) or no TOML at all.
class Parser {
public:
    Parser(std::string_view text, const std::string& path) : text_(text), path_(&path) {}

    std::optional<Node> document() {
        Node root(Node::Kind::Table, here());
        Node::Table* current = &root.table_;
        while (pos_ < text_.size()) {
            skip_blanks();
            if (pos_ < text_.size() && peek() == '[') {
                current = header(root.table_);
                if (!current) return std::nullopt;
            } else if (pos_ < text_.size() && bare(peek())) {
                if (!key_value(*current)) return std::nullopt;
            }
            if (!line_end()) return std::nullopt;
        }
        return root;
    }

private:
    std::string_view text_;
    const std::string* path_;
    std::size_t pos_ = 0, line_start_ = 0;
    std::uint32_t line_ = 1;

    char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
    bool at_end() const { return pos_ >= text_.size(); }
    Region here() const { return {path_, {line_, static_cast<std::uint32_t>(pos_ - line_start_ + 1)}}; }

    static bool bare(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    // What a string or a comment may hold here: printable ASCII and tab. TOML forbids
    // the other control characters; anything above 0x7f is UTF-8, toml++'s to check.
    static bool printable(char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); }

    void skip_blanks() {
        while (!at_end() && (peek() == ' ' || peek() == '\t')) pos_++;
    }
    bool newline() {
        if (peek() == '\r' && peek(1) == '\n') pos_++;
        if (peek() != '\n') return false;
        pos_++;
        line_++;
        line_start_ = pos_;
        return true;
    }
    bool comment() {
        if (peek() != '#') return true;
        for (pos_++; !at_end() && peek() != '\n' && peek() != '\r'; pos_++)
            if (!printable(peek())) return false;
        return true;
    }
    // Blanks, then an optional comment, then the end of the line or of the text.
    bool line_end() {
        skip_blanks();
        if (!comment()) return false;
        return at_end() || newline();
    }
    // Inside [ ... ]: blanks, comments and line breaks, in any number.
    bool array_space() {
        for (;;) {
            skip_blanks();
            if (!comment()) return false;
            if (at_end() || (peek() != '\n' && peek() != '\r')) return true;
            if (!newline()) return false;
        }
    }

    std::optional<Key> key() {
        Region r = here();
        std::size_t start = pos_;
        while (!at_end() && bare(peek())) pos_++;
        if (pos_ == start) return std::nullopt;
        return Key{std::string(text_.substr(start, pos_ - start)), r};
    }

    // [name] or [[name]]; the table that the lines after it fill.
    Node::Table* header(Node::Table& root) {
        Region r = here();
        const bool of_tables = peek(1) == '[';
        pos_ += of_tables ? 2 : 1;
        skip_blanks();
        std::optional<Key> name = key();
        if (!name) return nullptr;
        skip_blanks();
        if (peek() != ']' || (of_tables && peek(1) != ']')) return nullptr;
        pos_ += of_tables ? 2 : 1;
        Node* existing = nullptr;
        for (auto& [k, v] : root.entries)
            if (k.name == name->name) existing = &v;
        if (!of_tables) {
            if (existing) return nullptr;  // a table defined twice, or a key of that name
            root.entries.emplace_back(std::move(*name), Node(Node::Kind::Table, r));
            Node::Table& t = root.entries.back().second.table_;
            t.region = r;
            return &t;
        }
        if (!existing) {
            root.entries.emplace_back(std::move(*name), Node(Node::Kind::Array, r));
            existing = &root.entries.back().second;
            existing->array_.of_tables = true;
        } else if (!existing->is_array() || !existing->array_.of_tables) {
            return nullptr;  // [[x]] after [x] or after x = [...]
        }
        existing->array_.items.emplace_back(Node::Kind::Table, r);
        Node::Table& t = existing->array_.items.back().table_;
        t.region = r;
        return &t;
    }

    bool key_value(Node::Table& into) {
        std::optional<Key> k = key();
        if (!k) return false;
        skip_blanks();
        if (peek() != '=') return false;  // a dotted or quoted key, or no TOML
        pos_++;
        skip_blanks();
        std::optional<Node> v = value(false);
        if (!v) return false;
        if (into.get(k->name)) return false;  // a key set twice: toml++ says so
        into.entries.emplace_back(std::move(*k), std::move(*v));
        return true;
    }

    // After a value: a blank, a comment, a line break, the end; in an array also , or ].
    bool value_ends(bool in_array) const {
        char c = peek();
        return at_end() || c == ' ' || c == '\t' || c == '#' || c == '\n' || c == '\r' ||
               (in_array && (c == ',' || c == ']'));
    }

    std::optional<Node> value(bool in_array) {
        Region r = here();
        const char c = peek();
        if (c == '"' || c == '\'') {
            if (peek(1) == c && peek(2) == c) return std::nullopt;  // a multi-line string
            std::size_t start = ++pos_;
            while (!at_end() && peek() != c) {
                if (!printable(peek()) || (c == '"' && peek() == '\\')) return std::nullopt;  // escapes: toml++'s
                pos_++;
            }
            if (at_end()) return std::nullopt;
            Node n(Node::Kind::String, r);
            n.text_.value.assign(text_.substr(start, pos_ - start));
            pos_++;
            return n;
        }
        if (c == '[') {
            if (in_array) return std::nullopt;  // nested arrays: no setting takes one
            pos_++;
            Node n(Node::Kind::Array, r);
            for (;;) {
                if (!array_space()) return std::nullopt;
                if (peek() == ']') break;
                std::optional<Node> item = value(true);
                if (!item) return std::nullopt;
                n.array_.items.push_back(std::move(*item));
                if (!array_space()) return std::nullopt;
                if (peek() == ',') {
                    pos_++;
                    continue;
                }
                if (peek() != ']') return std::nullopt;
                break;
            }
            pos_++;
            return n;
        }
        for (std::string_view word : {std::string_view("true"), std::string_view("false")}) {
            if (text_.substr(pos_, word.size()) != word) continue;
            pos_ += word.size();
            if (!value_ends(in_array)) return std::nullopt;
            Node n(Node::Kind::Boolean, r);
            n.boolean_.value = word == "true";
            return n;
        }
        return integer(r, in_array);
    }

    // Decimal only, up to 18 digits: 0, 42, -7, +5. Leading zeros, underscores, other
    // bases, floats, dates and the edges of the 64-bit range are toml++'s.
    std::optional<Node> integer(Region r, bool in_array) {
        const bool negative = peek() == '-';
        if (peek() == '-' || peek() == '+') pos_++;
        const std::size_t start = pos_;
        std::int64_t magnitude = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9' && pos_ - start < 18) magnitude = magnitude * 10 + (text_[pos_++] - '0');
        const std::size_t digits = pos_ - start;
        if (digits == 0 || (digits > 1 && text_[start] == '0') || !value_ends(in_array)) return std::nullopt;
        Node n(Node::Kind::Integer, r);
        n.integer_.value = negative ? -magnitude : magnitude;
        return n;
    }
};

std::optional<Node> parse(std::string_view text, const std::string& path) { return Parser(text, path).document(); }

}  // namespace tlso::plain_toml
