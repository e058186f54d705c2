#include "preload/symbol_table.hpp"

#include <string.h>

namespace {

constexpr ElfW(Half) hidden_version = 0x8000;  // a non-default version (name@VERSION)

// glibc relocates the dynamic section's entries in place on x86 (they hold
// addresses); a value below the load address is still an offset (the vDSO's).
ElfW(Addr) address_in(ElfW(Addr) base, ElfW(Addr) value) { return value >= base ? value : value + base; }

const ElfW(Dyn)* dynamic_section(const dl_phdr_info& info) {
    for (ElfW(Half) i = 0; i < info.dlpi_phnum; i++)
        if (info.dlpi_phdr[i].p_type == PT_DYNAMIC)
            return reinterpret_cast<const ElfW(Dyn)*>(info.dlpi_addr + info.dlpi_phdr[i].p_vaddr);
    return nullptr;
}

bool holds_address(ElfW(Addr) base, const ElfW(Phdr)* segments, ElfW(Half) count, ElfW(Addr) address) {
    for (ElfW(Half) i = 0; i < count; i++) {
        const ElfW(Phdr)& p = segments[i];
        if (p.p_type == PT_LOAD && address - (base + p.p_vaddr) < p.p_memsz) return true;
    }
    return false;
}

struct Search {
    ElfW(Addr) address;
    int index = 0;
    LoadedObject found;
};

int holds(dl_phdr_info* info, size_t, void* data) {
    auto* search = static_cast<Search*>(data);
    const bool program = search->index++ == 0;
    if (!holds_address(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum, search->address)) return 0;
    LoadedObject& o = search->found;
    o.found = true;
    o.program = program;
    o.name = info->dlpi_name;
    o.start = ~ElfW(Addr){0};
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& p = info->dlpi_phdr[i];
        if (p.p_type != PT_LOAD) continue;
        const ElfW(Addr) start = info->dlpi_addr + p.p_vaddr;
        if (start < o.start) o.start = start;
        if (start + p.p_memsz > o.end) o.end = start + p.p_memsz;
    }
    o.table = SymbolTable(*info);
    return 1;
}

}  // namespace

bool has_dynamic_section(const dl_phdr_info& library) noexcept { return dynamic_section(library) != nullptr; }

LoadedObject loaded_object_at(const void* address) noexcept {
    Search search{reinterpret_cast<ElfW(Addr)>(address), 0, {}};
    if (address) dl_iterate_phdr(holds, &search);
    return search.found;
}

SymbolTable::SymbolTable(const void* inside) noexcept { *this = loaded_object_at(inside).table; }

SymbolTable::SymbolTable(const dl_phdr_info& library) noexcept {
    const ElfW(Dyn)* dynamic = dynamic_section(library);
    if (!dynamic) return;
    base_ = library.dlpi_addr;
    auto at = [&](ElfW(Addr) p) { return address_in(base_, p); };
    const uint32_t* gnu_hash = nullptr;
    for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL && !(gnu_hash && symbols_ && strings_); d++) {
        switch (d->d_tag) {
            case DT_GNU_HASH: gnu_hash = reinterpret_cast<const uint32_t*>(at(d->d_un.d_ptr)); break;
            case DT_SYMTAB: symbols_ = reinterpret_cast<const ElfW(Sym)*>(at(d->d_un.d_ptr)); break;
            case DT_STRTAB: strings_ = reinterpret_cast<const char*>(at(d->d_un.d_ptr)); break;
            default: break;
        }
    }
    dynamic_ = dynamic;
    if (!gnu_hash) return;
    const uint32_t buckets_count = gnu_hash[0], first_hashed = gnu_hash[1], bloom_words = gnu_hash[2];
    if (!buckets_count || !bloom_words || (bloom_words & (bloom_words - 1))) return;  // not as ld writes it
    bloom_ = reinterpret_cast<const ElfW(Addr)*>(gnu_hash + 4);
    bloom_mask_ = bloom_words - 1;
    bloom_shift_ = gnu_hash[3];
    buckets_count_ = buckets_count;
    first_hashed_ = first_hashed;
    buckets_ = reinterpret_cast<const uint32_t*>(bloom_ + bloom_words);
    chain_ = buckets_ + buckets_count - first_hashed;
}

const ElfW(Half)* SymbolTable::versions() const noexcept {
    if (versions_read_) return versions_;
    for (const ElfW(Dyn)* d = dynamic_; d && d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_VERSYM)
            versions_ = reinterpret_cast<const ElfW(Half)*>(address_in(base_, d->d_un.d_ptr));
    versions_read_ = true;
    return versions_;
}

const ElfW(Sym)* SymbolTable::in_chain(const char* name, uint32_t h) const noexcept {
    uint32_t i = buckets_[h % buckets_count_];
    if (i < first_hashed_) return nullptr;
    for (;; i++) {
        const uint32_t chained = chain_[i];
        const ElfW(Sym)& s = symbols_[i];
        if ((chained | 1) == (h | 1) && s.st_shndx != SHN_UNDEF && strcmp(strings_ + s.st_name, name) == 0 &&
            !(versions() && (versions()[i] & hidden_version)))
            return &s;
        if (chained & 1) return nullptr;  // the end of this bucket's chain
    }
}

void* SymbolTable::address_of(const ElfW(Sym)* s) const noexcept {
    if (!s) return nullptr;
    const int type = s->st_info & 0xf;  // ELF32_ST_TYPE and ELF64_ST_TYPE alike
    if (!s->st_value || (type != STT_FUNC && type != STT_OBJECT)) return nullptr;
    return reinterpret_cast<void*>(base_ + s->st_value);
}

LoadedTables::LoadedTables(const void* own) noexcept : own_(own) { dl_iterate_phdr(add, this); }

int LoadedTables::add(dl_phdr_info* info, size_t, void* data) {
    auto* self = static_cast<LoadedTables*>(data);
    SymbolTable table(*info);
    if (table.same_library(self->own_)) return 0;
    if (!table.ready() && has_dynamic_section(*info)) self->complete_ = false;  // a table we cannot read
    else if (!table.ready()) return 0;  // no dynamic section: nothing dlsym can find there
    else if (self->count_ == capacity) self->complete_ = false;
    else self->loaded_[self->count_++] = {table, info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum};
    return 0;
}

LoadedTables::Definers LoadedTables::definers(const char* name, uint32_t h, const SymbolTable** only,
                                              const ElfW(Sym)** definition) const noexcept {
    if (!complete_ || !own_.ready()) return Definers::Unknown;
    Definers found = Definers::None;
    for (int i = 0; i < count_; i++) {
        const SymbolTable& t = loaded_[i].table;
        const ElfW(Sym)* s = t.definition(name, h);
        if (!s) continue;
        if (found == Definers::One) return Definers::More;
        found = Definers::One;
        *only = &t;
        if (definition) *definition = s;
    }
    return found;
}

SymbolTable LoadedTables::holding(const void* address) const noexcept {
    const auto a = reinterpret_cast<ElfW(Addr)>(address);
    for (int i = 0; i < count_; i++)
        if (holds_address(loaded_[i].base, loaded_[i].segments, loaded_[i].segments_count, a)) return loaded_[i].table;
    return SymbolTable(address);
}
