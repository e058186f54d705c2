// libFuzzer target: the shell-style globs of [[rule]] program and host (rules.hpp).
//
// Input: one flag byte (bit 0: case-insensitive, as for hosts), then the pattern,
// a newline, and the text. The text is cut at 255 bytes, the longest host name SNI
// can carry; patterns may be as long as a string in the file may be.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/rules.hpp"
#include "invariant.hpp"

using namespace tlso;

namespace {


std::string mapped(std::string_view s, int (*f)(int)) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    bool ignore_case = data[0] & 1;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    std::size_t newline = rest.find('\n');
    std::string_view pattern = rest.substr(0, newline);
    std::string_view text = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1, 255);
    if (pattern.size() > max_string_bytes) return 0;
    // The config loader rejects NULs in patterns; SNI and program names hold none.
    if (pattern.find('\0') != std::string_view::npos || text.find('\0') != std::string_view::npos) return 0;

    bool matched = glob_matches(pattern, text, ignore_case);

    // Case-insensitive matching does not depend on the text's case.
    if (ignore_case)
        REQUIRE(glob_matches(pattern, mapped(text, std::tolower), true) ==
                glob_matches(pattern, mapped(text, std::toupper), true));
    // A case-sensitive match is also a case-insensitive one (bracket ranges aside:
    // folding their ends can reorder them).
    if (!ignore_case && matched && pattern.find('[') == std::string_view::npos)
        REQUIRE(glob_matches(pattern, text, true));
    // "*" matches everything; the text with every character escaped matches itself.
    REQUIRE(glob_matches("*", text, ignore_case));
    std::string literal;
    for (char c : text) literal += std::string("\\") + c;
    REQUIRE(glob_matches(literal, text, ignore_case));
    // A pattern without wildcards or escapes matches only its own text.
    if (pattern.find_first_of("*?[\\") == std::string_view::npos && !ignore_case)
        REQUIRE(matched == (pattern == text));
    return 0;
}
