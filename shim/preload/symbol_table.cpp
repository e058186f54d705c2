#include "preload/symbol_table.hpp"

#include <string.h>

namespace {

uint32_t gnu_hash(const char* name) {
    uint32_t h = 5381;
    for (const unsigned char* c = reinterpret_cast<const unsigned char*>(name); *c; c++) h = h * 33 + *c;
    return h;
}

constexpr ElfW(Half) hidden_version = 0x8000;  // a non-default version (name@VERSION)

// The loaded library whose segments hold an address. (dladdr would also name the
// nearest symbol, a walk of the whole table: 200,000 instructions for libcrypto.)
struct Holder {
    ElfW(Addr) address;
    ElfW(Addr) base = 0;
    const ElfW(Dyn)* dynamic = nullptr;
};

int holds(dl_phdr_info* info, size_t, void* data) {
    auto* h = static_cast<Holder*>(data);
    const ElfW(Dyn)* dynamic = nullptr;
    bool inside = false;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& p = info->dlpi_phdr[i];
        if (p.p_type == PT_DYNAMIC) dynamic = reinterpret_cast<const ElfW(Dyn)*>(info->dlpi_addr + p.p_vaddr);
        if (p.p_type == PT_LOAD && h->address - (info->dlpi_addr + p.p_vaddr) < p.p_memsz) inside = true;
    }
    if (!inside) return 0;
    h->base = info->dlpi_addr;
    h->dynamic = dynamic;
    return 1;
}

}  // namespace

SymbolTable::SymbolTable(const void* inside) noexcept {
    Holder holder{reinterpret_cast<ElfW(Addr)>(inside)};
    if (!inside || !dl_iterate_phdr(holds, &holder) || !holder.dynamic) return;
    base_ = holder.base;
    // glibc relocates these entries in place on x86 (they hold addresses); a
    // value below the load address is still an offset.
    auto at = [&](ElfW(Addr) p) { return p >= base_ ? p : p + base_; };
    for (const ElfW(Dyn)* d = holder.dynamic; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
            case DT_GNU_HASH: gnu_hash_ = reinterpret_cast<const uint32_t*>(at(d->d_un.d_ptr)); break;
            case DT_SYMTAB: symbols_ = reinterpret_cast<const ElfW(Sym)*>(at(d->d_un.d_ptr)); break;
            case DT_STRTAB: strings_ = reinterpret_cast<const char*>(at(d->d_un.d_ptr)); break;
            case DT_VERSYM: versions_ = reinterpret_cast<const ElfW(Half)*>(at(d->d_un.d_ptr)); break;
            default: break;
        }
    }
}

void* SymbolTable::find(const char* name) const noexcept {
    if (!ready()) return nullptr;
    const uint32_t buckets_count = gnu_hash_[0], first_hashed = gnu_hash_[1], bloom_words = gnu_hash_[2],
                   bloom_shift = gnu_hash_[3];
    if (!buckets_count || !bloom_words) return nullptr;
    const auto* bloom = reinterpret_cast<const ElfW(Addr)*>(gnu_hash_ + 4);
    const auto* buckets = reinterpret_cast<const uint32_t*>(bloom + bloom_words);
    const uint32_t* chain = buckets + buckets_count;
    constexpr uint32_t bits = sizeof(ElfW(Addr)) * 8;
    const uint32_t h = gnu_hash(name);
    const ElfW(Addr) word = bloom[(h / bits) % bloom_words];
    if (!((word >> (h % bits)) & (word >> ((h >> bloom_shift) % bits)) & 1)) return nullptr;
    uint32_t i = buckets[h % buckets_count];
    if (i < first_hashed) return nullptr;
    for (;; i++) {
        const uint32_t chained = chain[i - first_hashed];
        const ElfW(Sym)& s = symbols_[i];
        const int type = s.st_info & 0xf;  // ELF32_ST_TYPE and ELF64_ST_TYPE alike
        if ((chained | 1) == (h | 1) && s.st_shndx != SHN_UNDEF && s.st_value &&
            (type == STT_FUNC || type == STT_OBJECT) && !(versions_ && (versions_[i] & hidden_version)) &&
            strcmp(strings_ + s.st_name, name) == 0)
            return reinterpret_cast<void*>(base_ + s.st_value);
        if (chained & 1) return nullptr;  // the end of this bucket's chain
    }
}
