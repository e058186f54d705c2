// A short constant name held in its table row itself rather than pointed to.
//
// A constant table of std::string_view has an address per name, and each is a
// relocation the dynamic linker applies every time the engine is loaded: the GnuTLS
// translation tables alone were ~330 of the engine's ~1,180 (make bench, figures 2, 8
// and 9). A table of these has none. They read as string_views.
#pragma once

#include <cstddef>
#include <string_view>

namespace tlso {

void inline_name_too_long();  // never defined: a name longer than its table's field fails to compile

template <std::size_t Capacity>
struct InlineName {
    char text[Capacity] = {};
    unsigned char length = 0;

    constexpr InlineName(const char* name) {
        while (name[length]) {
            if (length + 1u >= Capacity) inline_name_too_long();
            text[length] = name[length];
            length++;
        }
    }
    constexpr std::string_view view() const { return {text, length}; }
    constexpr operator std::string_view() const { return view(); }
    constexpr bool empty() const { return length == 0; }
    constexpr std::size_t find(std::string_view part) const { return view().find(part); }
    constexpr std::string_view substr(std::size_t at, std::size_t n = std::string_view::npos) const {
        return view().substr(at, n);
    }
    friend constexpr bool operator==(const InlineName& a, std::string_view b) { return a.view() == b; }
};

}  // namespace tlso
