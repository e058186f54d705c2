// One loaded library's own dynamic symbol table, searched the way the dynamic
// linker searches it (DT_GNU_HASH). Stage 1 finds the OpenSSL functions here:
// dlsym spends ~1,000 instructions a name (its error frame, the walk of the scope
// from the caller, a formatted error for a name that is absent), this about 100,
// with the name's hash computed by the compiler.
#pragma once

#include <link.h>
#include <stdint.h>

class SymbolTable {
public:
    // The GNU hash of a name (the dynamic linker's bucket function), at compile time
    // for the names stage 1 knows.
    static constexpr uint32_t hash(const char* name) {
        uint32_t h = 5381;
        for (; *name; name++) h = h * 33 + static_cast<unsigned char>(*name);
        return h;
    }

    SymbolTable() = default;
    // The table of the library that holds `inside` (an address in it); not ready()
    // when that cannot be read (no DT_GNU_HASH, not a loaded library).
    explicit SymbolTable(const void* inside) noexcept;
    // The table of a library as dl_iterate_phdr describes it.
    explicit SymbolTable(const dl_phdr_info& library) noexcept;
    bool ready() const noexcept { return buckets_ && symbols_ && strings_; }
    bool same_library(const SymbolTable& other) const noexcept { return ready() && base_ == other.base_; }
    // The default version of the function or object `name` defined there, or null:
    // not defined there, or a kind (an IFUNC, a TLS symbol) only dlsym resolves.
    void* find(const char* name, uint32_t hash) const noexcept { return address_of(definition(name, hash)); }
    void* find(const char* name) const noexcept { return find(name, hash(name)); }
    // The default version of `name` defined there in any form dlsym would return (any
    // kind of symbol), or null; and what find() answers for such a definition.
    const ElfW(Sym)* definition(const char* name, uint32_t hash) const noexcept { return lookup(name, hash); }
    void* address_of(const ElfW(Sym)* definition) const noexcept;
    // The bloom filter alone (ready tables only): false when `hash` is certainly absent.
    bool may_define(uint32_t hash) const noexcept {
        constexpr uint32_t bits = sizeof(ElfW(Addr)) * 8;
        const ElfW(Addr) word = bloom_[(hash / bits) & bloom_mask_];
        return (word >> (hash % bits)) & (word >> ((hash >> bloom_shift_) % bits)) & 1;
    }

private:
    // The default version of `name` defined there, of any kind: the bloom filter here,
    // inline (most tables only ever answer "not here"), the hash chain out of line.
    const ElfW(Sym)* lookup(const char* name, uint32_t hash) const noexcept {
        return ready() && may_define(hash) ? in_chain(name, hash) : nullptr;
    }
    const ElfW(Sym)* in_chain(const char* name, uint32_t hash) const noexcept;

    // DT_GNU_HASH, read once: the bloom filter (a power-of-two number of words, as
    // the dynamic linker assumes), the buckets and the hash chains.
    ElfW(Addr) base_ = 0;
    const ElfW(Addr)* bloom_ = nullptr;
    uint32_t bloom_mask_ = 0;
    uint32_t bloom_shift_ = 0;
    const uint32_t* buckets_ = nullptr;
    uint32_t buckets_count_ = 0;
    uint32_t first_hashed_ = 0;
    const uint32_t* chain_ = nullptr;  // indexed by symbol: chain_[i] for symbol i >= first_hashed_
    const ElfW(Sym)* symbols_ = nullptr;
    const char* strings_ = nullptr;
    // DT_VERSYM, when the library has versions: it comes late in the dynamic section,
    // so it is looked for only when a name is found (most tables only ever answer
    // "not here" from their bloom filter). Stage 1 searches under its start lock.
    const ElfW(Dyn)* dynamic_ = nullptr;
    mutable const ElfW(Half)* versions_ = nullptr;
    mutable bool versions_read_ = false;
    const ElfW(Half)* versions() const noexcept;
};

// The loaded object whose segments hold an address: what dladdr tells of it, without
// dladdr's walk of the whole symbol table for the nearest name (200,000 instructions
// for libcrypto).
struct LoadedObject {
    bool found = false;
    bool program = false;           // the program itself (dl_iterate_phdr's first entry)
    ElfW(Addr) start = 0, end = 0;  // its mapped range
    const char* name = nullptr;     // as the dynamic linker has it ("" for the program)
    SymbolTable table;
};
LoadedObject loaded_object_at(const void* address) noexcept;

// Whether a loaded object has a dynamic section: without one, dlsym finds nothing there
// (a table that is not ready for such an object hides nothing).
bool has_dynamic_section(const dl_phdr_info& library) noexcept;

// The tables of every library loaded when it was made, but the caller's own: what
// lets a lookup be answered without dlsym and still be the answer dlsym gives. A
// name defined nowhere is absent from every scope; a name defined only in the library
// dlsym found the first name in is found there, whatever the scope. A library whose
// table cannot be read (or more libraries than it holds) makes it answer neither.
class LoadedTables {
public:
    explicit LoadedTables(const void* own) noexcept;
    enum class Definers { None, One, More, Unknown };
    // Who defines `name` among the loaded libraries (but ours); `only` and `definition`
    // are set to the one library and its definition when there is one.
    Definers definers(const char* name, uint32_t hash, const SymbolTable** only,
                      const ElfW(Sym)** definition = nullptr) const noexcept;
    // The table of the library whose segments hold `address` (read when this was
    // made), or a table that is not ready.
    SymbolTable holding(const void* address) const noexcept;

private:
    static int add(dl_phdr_info* info, size_t, void* data);

    struct Loaded {
        SymbolTable table;
        ElfW(Addr) base;
        const ElfW(Phdr)* segments;
        ElfW(Half) segments_count;
    };
    static constexpr int capacity = 64;
    SymbolTable own_;
    Loaded loaded_[capacity];
    int count_ = 0;
    bool complete_ = true;
};
