// One loaded library's own dynamic symbol table, searched the way the dynamic
// linker searches it (DT_GNU_HASH). Stage 1 finds the ~65 OpenSSL functions the
// engine calls but does not interpose here: dlsym spends ~950 instructions a name
// (its error frame, the walk of the scope from the caller), this about 100.
#pragma once

#include <link.h>
#include <stdint.h>

class SymbolTable {
public:
    SymbolTable() = default;
    // The table of the library that holds `inside` (an address in it); not ready()
    // when that cannot be read (no DT_GNU_HASH, not a loaded library).
    explicit SymbolTable(const void* inside) noexcept;
    bool ready() const noexcept { return gnu_hash_ && symbols_ && strings_; }
    // The default version of the function or object `name` defined there, or null:
    // not defined there, or a kind (an IFUNC, a TLS symbol) only dlsym resolves.
    void* find(const char* name) const noexcept;

private:
    ElfW(Addr) base_ = 0;
    const uint32_t* gnu_hash_ = nullptr;
    const ElfW(Sym)* symbols_ = nullptr;
    const char* strings_ = nullptr;
    const ElfW(Half)* versions_ = nullptr;  // DT_VERSYM, when the library has versions
};
