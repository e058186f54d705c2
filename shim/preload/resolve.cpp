// Finding the real OpenSSL functions from inside the preload library.
//
// Each interposed function's real counterpart is found on its own, so a wrapper
// can always pass its call through, whatever else is missing. The full table the
// engine needs is published only when every function required by the process's
// OpenSSL ABI (3.x or 1.1.1) is there: otherwise the process is not governed and
// runs exactly as without the library (a 1.0.2 or LibreSSL program).
//
// dlsym(RTLD_NEXT) finds libssl when the program links it or dlopens it with
// RTLD_GLOBAL. Python's _ssl module is dlopened RTLD_LOCAL, so libssl is not in
// the global scope and RTLD_NEXT returns NULL although our hooks are being called:
// then the already-loaded libssl (3, then 1.1) is opened with RTLD_NOLOAD (it is
// never loaded by us) and searched directly.
//
// The interposed functions' real counterparts are found with dlsym, so a wrapper
// passes its call on to whatever comes next (another interposer, or OpenSSL). The
// functions the engine only calls are then looked up in the symbol table of the
// library the first of them came from (preload/symbol_table.hpp: a tenth of
// dlsym's cost, make bench figures 2 and 8), and by dlsym where that has nothing.
#include "preload/resolve.hpp"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#include "preload/stage1.hpp"
#include "preload/symbol_table.hpp"

namespace {

OpenSsl table;
bool complete = false;  // written under lock, read after the acquire below
unsigned long long tried_at_adds = ~0ULL;  // the library count at the last full attempt

void* find(void* handle, const char* name) {
    void* p = dlsym(handle, name);
    return stage1::is_own_address(p) ? nullptr : p;
}

template <class F>
bool resolve(F& slot, void* handle, const char* name) {
    if (!slot) slot = reinterpret_cast<F>(find(handle, name));
    return slot != nullptr;
}

// libssl or libcrypto as dlsym(handle) reaches it: its own symbol table once the
// first name has shown which library that is.
class Library {
public:
    explicit Library(void* handle) : handle_(handle) {}
    void* find(const char* name) {
        if (void* p = table_.find(name)) return p;
        void* p = ::find(handle_, name);
        if (p && !table_.ready()) table_ = SymbolTable(p);
        return p;
    }

private:
    void* handle_;
    SymbolTable table_;
};

template <class F>
bool resolve(F& slot, Library& library, const char* name) {
    if (!slot) slot = reinterpret_cast<F>(library.find(name));
    return slot != nullptr;
}

void resolve_interposed(void* ssl) {
#define TLSO_FIND(name) resolve(table.real.name, ssl, #name);
    TLSO_INTERPOSED(TLSO_FIND)
#undef TLSO_FIND
}

bool resolve_used(void* ssl_handle, void* crypto_handle) {
    bool ok = true;
    Library ssl(ssl_handle), crypto(crypto_handle);
#define TLSO_REQUIRED_SSL(name) ok &= resolve(table.name, ssl, #name);
    TLSO_LIBSSL_USED(TLSO_REQUIRED_SSL)
#undef TLSO_REQUIRED_SSL
#define TLSO_REQUIRED_CRYPTO(name) ok &= resolve(table.name, crypto, #name);
    TLSO_LIBCRYPTO_USED(TLSO_REQUIRED_CRYPTO)
#undef TLSO_REQUIRED_CRYPTO
#define TLSO_OPTIONAL_SSL(name) resolve(table.name, ssl, #name);
    TLSO_OPTIONAL(TLSO_OPTIONAL_SSL)
#undef TLSO_OPTIONAL_SSL
    return ok;
}

int count_loads(dl_phdr_info* info, size_t, void* data) {
    *static_cast<unsigned long long*>(data) = info->dlpi_adds;
    return 1;  // the first entry carries the process-wide count
}

// Libraries loaded so far: a missing symbol is looked for again only after a new
// library has been loaded, never on every call.
unsigned long long libraries_loaded() {
    unsigned long long adds = 0;
    dl_iterate_phdr(count_loads, &adds);
    return adds;
}

void attempt() {
    unsigned long long adds = libraries_loaded();
    if (adds == tried_at_adds) return;
    tried_at_adds = adds;
    void* ssl = RTLD_NEXT;
    void* crypto = RTLD_NEXT;
    void* crypto_used = crypto;
    resolve_interposed(ssl);
    bool used = resolve_used(ssl, crypto);
    if (!used || !table.real.SSL_CTX_new) {
        // RTLD_LOCAL case: search the libssl/libcrypto that are already loaded.
        // The handles are kept: the table points into those libraries.
        static const char* const sonames[][2] = {{"libssl.so.3", "libcrypto.so.3"}, {"libssl.so.1.1", "libcrypto.so.1.1"}};
        for (const auto& pair : sonames) {
            void* s = dlopen(pair[0], RTLD_LAZY | RTLD_NOLOAD);
            void* c = s ? dlopen(pair[1], RTLD_LAZY | RTLD_NOLOAD) : nullptr;
            if (!s || !c) continue;
            resolve_interposed(s);
            used = resolve_used(s, c);
            crypto_used = c;
            break;
        }
    }
    // A macro in 3.x, a function in 1.1.1: found by name, typed by hand.
    if (!table.put_error_1_1_1)
        table.put_error_1_1_1 = reinterpret_cast<decltype(table.put_error_1_1_1)>(find(crypto_used, "ERR_put_error"));
    if (table.OpenSSL_version_num) table.abi = abi_of_version(table.OpenSSL_version_num());
    if (table.abi == OpenSslAbi::V1_1_1 && sizeof(long) < sizeof(uint64_t)) table.options_mask = 0xffffffffULL;
    bool interposed = true;
#define TLSO_CHECK(name) interposed &= table.real.name != nullptr;
    TLSO_INTERPOSED(TLSO_CHECK)
#undef TLSO_CHECK
    // SSL_CTX_new_ex is 3.x only: a 1.1.1 program never calls it.
    bool only_new_ex_missing = true;
#define TLSO_CHECK_REST(name) \
    only_new_ex_missing &= table.real.name != nullptr || static_cast<const void*>(&table.real.name) == &table.real.SSL_CTX_new_ex;
    TLSO_INTERPOSED(TLSO_CHECK_REST)
#undef TLSO_CHECK_REST
    bool errors = table.abi == OpenSslAbi::V3 ? table.ERR_new && table.ERR_set_debug && table.ERR_set_error
                                              : table.put_error_1_1_1 != nullptr;
    bool abi_complete = errors && (table.abi == OpenSslAbi::V3       ? interposed
                                   : table.abi == OpenSslAbi::V1_1_1 ? only_new_ex_missing
                                                                     : false);
    if (used && abi_complete) {
        __atomic_store_n(&complete, true, __ATOMIC_RELEASE);
    }
}

}  // namespace

const OpenSsl* real_openssl() noexcept {
    if (__atomic_load_n(&complete, __ATOMIC_ACQUIRE)) return &table;
    stage1::StartLock lock;
    if (!complete) attempt();
    return complete ? &table : nullptr;
}

const OpenSsl& openssl_found_so_far() noexcept {
    real_openssl();
    return table;
}

bool primary_copy() noexcept {
    // Computed once: which copy the process's own calls reach does not change.
    static int primary = -1;  // no guarded static in stage 1: a benign race on an int
    int known = __atomic_load_n(&primary, __ATOMIC_RELAXED);
    if (known < 0) {
        // Secondary only when the process binds to another copy of this library
        // (a library dlopened by the program itself, after libssl, is still primary).
        void* first = dlsym(RTLD_DEFAULT, "SSL_CTX_new");
        Dl_info where;
        known = !first || stage1::is_own_address(first) || !dladdr(first, &where) || !where.dli_fname ||
                !strstr(where.dli_fname, "libtlsoverride");
        __atomic_store_n(&primary, known, __ATOMIC_RELAXED);
    }
    return known;
}
