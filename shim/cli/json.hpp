// JSON output of the commands (--json): one object, built as text. Values are
// escaped with the same json_escape the library's log records use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"

namespace tlso::cli {

inline std::string json_quote(std::string_view text) { return "\"" + json_escape(text) + "\""; }

inline std::string json_list(const std::vector<std::string>& raw_items) {
    std::string out = "[";
    for (const std::string& item : raw_items) out += (out.size() > 1 ? "," : "") + item;
    return out + "]";
}

inline std::string json_strings(const std::vector<std::string>& items) {
    std::vector<std::string> quoted;
    for (const std::string& i : items) quoted.push_back(json_quote(i));
    return json_list(quoted);
}

// Members in the order they are added; keys are ours and need no escaping.
class JsonObject {
public:
    JsonObject& raw(std::string_view key, std::string_view json) {
        text_ += (text_.size() > 1 ? "," : "") + std::string("\"") + std::string(key) + "\":" + std::string(json);
        return *this;
    }
    JsonObject& string(std::string_view key, std::string_view value) { return raw(key, json_quote(value)); }
    JsonObject& boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
    JsonObject& number(std::string_view key, long long value) { return raw(key, std::to_string(value)); }
    JsonObject& null(std::string_view key) { return raw(key, "null"); }
    std::string text() const { return text_ + "}"; }

private:
    std::string text_ = "{";
};

}  // namespace tlso::cli

// ---- settings, as check --json and explain --json print them ----------------------
#include "core/settings.hpp"

namespace tlso::cli {

template <class T>
std::string json_value(const T& v) {
    if constexpr (std::is_same_v<T, int>) return std::to_string(v);
    else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) return json_strings(v);
    else return json_quote(value_text(v));
}

// {"value": ..., "from": "[policy]", "at": "FILE:LINE:COLUMN"}: "at" is the file
// position, or the environment variable's name.
template <class T>
std::string json_sourced(const Sourced<T>& s) {
    return JsonObject().raw("value", json_value(s.value)).string("from", s.origin.source).string("at", s.origin.location).text();
}

// Every setting of the design's table: an object as above, or null when left to the program.
inline std::string json_settings(const Settings& s, bool with_unset) {
    JsonObject o;
    for_each_setting(s, [&](const SettingName& name, const auto& field) {
        if (field) o.raw(name.key, json_sourced(*field));
        else if (with_unset) o.null(name.key);
    });
    return o.text();
}

}  // namespace tlso::cli
