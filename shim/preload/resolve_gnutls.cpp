// Finding the real GnuTLS functions from inside the preload library. libc only.
//
// dlsym(RTLD_NEXT) finds libgnutls when the program links it (wget, gnutls-cli) or
// a library it links does (git-remote-https through libcurl-gnutls). A program
// that dlopened it RTLD_LOCAL is searched through the already-loaded soname,
// opened with RTLD_NOLOAD (never loaded by us), as for OpenSSL.
#include "preload/resolve_gnutls.hpp"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#include "preload/stage1.hpp"
#include "preload/symbol_table.hpp"

namespace {

Gnutls table;
bool complete = false;  // written under lock, read after the acquire below
unsigned long long tried_at_adds = ~0ULL;

void* find(void* handle, const char* name) {
    void* p = dlsym(handle, name);
    return stage1::is_own_address(p) ? nullptr : p;
}

template <class F>
bool resolve(F& slot, void* handle, const char* name) {
    if (!slot) slot = reinterpret_cast<F>(find(handle, name));
    return slot != nullptr;
}

bool resolve_all(void* handle) {
    bool ok = true;
#define TLSO_FIND(name) resolve(table.real.name, handle, #name);
    TLSO_GNUTLS_INTERPOSED(TLSO_FIND)
#undef TLSO_FIND
#define TLSO_FIND_USED(name) ok &= resolve(table.name, handle, #name);
    TLSO_GNUTLS_USED(TLSO_FIND_USED)
#undef TLSO_FIND_USED
    return ok;
}

int count_loads(dl_phdr_info* info, size_t, void* data) {
    *static_cast<unsigned long long*>(data) = info->dlpi_adds;
    return 1;
}

void attempt() {
    unsigned long long adds = 0;
    dl_iterate_phdr(count_loads, &adds);
    if (adds == tried_at_adds) return;
    tried_at_adds = adds;
    bool used = resolve_all(RTLD_NEXT);
    if (!used || !table.real.gnutls_priority_init) {
        if (void* loaded = dlopen("libgnutls.so.30", RTLD_LAZY | RTLD_NOLOAD)) used = resolve_all(loaded);
    }
    bool interposed = true;
#define TLSO_CHECK(name) \
    interposed &= table.real.name != nullptr || static_cast<const void*>(&table.real.name) == &table.real.gnutls_priority_init2 || \
                  static_cast<const void*>(&table.real.name) == &table.real.gnutls_set_default_priority_append;
    TLSO_GNUTLS_INTERPOSED(TLSO_CHECK)
#undef TLSO_CHECK
    if (used && interposed && gnutls_version_governed(table.gnutls_check_version(nullptr)))
        __atomic_store_n(&complete, true, __ATOMIC_RELEASE);
}

}  // namespace

const Gnutls* real_gnutls() noexcept {
    if (__atomic_load_n(&complete, __ATOMIC_ACQUIRE)) return &table;
    stage1::StartLock lock;
    if (!complete) attempt();
    return complete ? &table : nullptr;
}

const Gnutls& gnutls_found_so_far() noexcept {
    real_gnutls();
    return table;
}

bool gnutls_primary_copy() noexcept {
    static int primary = -1;  // no guarded static in stage 1: a benign race on an int
    int known = __atomic_load_n(&primary, __ATOMIC_RELAXED);
    if (known < 0) {
        known = stage1::primary_copy_for("gnutls_priority_init", SymbolTable::hash("gnutls_priority_init"));
        __atomic_store_n(&primary, known, __ATOMIC_RELAXED);
    }
    return known;
}
