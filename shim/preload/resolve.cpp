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
// The interposed functions' real counterparts are what dlsym returns, so a wrapper
// passes its call on to whatever comes next (another interposer, or OpenSSL). The
// first is asked of dlsym; every other name is answered from the loaded libraries'
// own symbol tables when that is provably dlsym's answer (preload/symbol_table.hpp:
// absent everywhere, or defined only in the library the first came from), and by
// dlsym otherwise. The functions the engine only calls come from libssl's and
// libcrypto's own tables. A tenth of dlsym's cost, make bench figures 2 and 8.
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

// A library as dlsym(handle) reaches it: dlsym for the first name, then that
// library's own table, with the tables of everything loaded to prove the answer.
class Library {
public:
    Library(void* handle, const LoadedTables& loaded) : handle_(handle), loaded_(loaded) {}
    // libcrypto: the library libssl calls. When one loaded library alone defines the first
    // name, that is the one: libssl, which imports these names, reaches it, and so does
    // dlsym (or, for a libssl loaded RTLD_LOCAL, the already-loaded library attempt()
    // opens with RTLD_NOLOAD): one dlsym fewer.
    struct Sole {};
    Library(void* handle, const LoadedTables& loaded, Sole) : handle_(handle), loaded_(loaded), sole_(true) {}
    // The same handle as `known`, which has found its library already: where a first
    // name defined there alone is dlsym's answer too (one dlsym fewer: 1,500 instructions).
    Library(const Library& known, void* handle) : handle_(handle), loaded_(known.loaded_), hint_(&known.table_) {
        if (handle != known.handle_) hint_ = nullptr;
    }

    // What dlsym(handle, name) returns.
    void* next(const char* name, uint32_t hash) {
        const SymbolTable* only = nullptr;
        const ElfW(Sym)* definition = nullptr;
        switch (loaded_.definers(name, hash, &only, &definition)) {
            case LoadedTables::Definers::None: return nullptr;
            case LoadedTables::Definers::One:
                if (only->same_library(table_))
                    if (void* p = table_.address_of(definition)) return p;  // the definition found just now
                break;
            default: break;
        }
        return first(name, hash);
    }
    // The definition in this library, or dlsym's when its table has none.
    void* own(const char* name, uint32_t hash) {
        if (void* p = table_.find(name, hash)) return p;
        const SymbolTable* only = nullptr;
        if (loaded_.definers(name, hash, &only) == LoadedTables::Definers::None) return nullptr;
        return first(name, hash);
    }
    // The definition in this library's table only (null before the first name).
    void* in_table(const char* name, uint32_t hash) const { return table_.find(name, hash); }

private:
    void* first(const char* name, uint32_t hash) {
        if (!table_.ready() && ((hint_ && hint_->ready()) || sole_)) {
            const SymbolTable* only = nullptr;
            const ElfW(Sym)* definition = nullptr;
            if (loaded_.definers(name, hash, &only, &definition) == LoadedTables::Definers::One &&
                (sole_ || only->same_library(*hint_)))
                if (void* p = only->address_of(definition)) {
                    table_ = *only;
                    return p;
                }
        }
        void* p = ::find(handle_, name);
        if (p && !table_.ready()) table_ = loaded_.holding(p);
        return p;
    }

    void* handle_;
    const LoadedTables& loaded_;
    const SymbolTable* hint_ = nullptr;
    bool sole_ = false;
    SymbolTable table_;
};

// Stored atomically: other_libssl reads SSL_CTX_new's slot without the start lock.
template <class F>
void resolve_next(F& slot, Library& library, const char* name, uint32_t hash) {
    if (!slot) __atomic_store_n(&slot, reinterpret_cast<F>(library.next(name, hash)), __ATOMIC_RELEASE);
}

template <class F>
bool resolve_own(F& slot, Library& library, const char* name, uint32_t hash) {
    if (!slot) slot = reinterpret_cast<F>(library.own(name, hash));
    return slot != nullptr;
}

// An optional function may live in either library (ERR_new is libcrypto's, in 3.x only).
template <class F>
void resolve_either(F& slot, Library& ssl, Library& crypto, const char* name, uint32_t hash) {
    if (slot) return;
    void* p = ssl.in_table(name, hash);
    if (!p) p = crypto.in_table(name, hash);
    if (!p) p = ssl.own(name, hash);
    slot = reinterpret_cast<F>(p);
}

void resolve_interposed(Library& next) {
#define TLSO_FIND(name) resolve_next(table.real.name, next, #name, SymbolTable::hash(#name));
    TLSO_INTERPOSED(TLSO_FIND)
#undef TLSO_FIND
}

// libssl: where the interposed names were found, when it is the same handle.
bool resolve_used(const Library& interposed, void* ssl_handle, void* crypto_handle, const LoadedTables& loaded) {
    bool ok = true;
    Library ssl(interposed, ssl_handle), crypto(crypto_handle, loaded, Library::Sole{});
#define TLSO_REQUIRED_SSL(name) ok &= resolve_own(table.name, ssl, #name, SymbolTable::hash(#name));
    TLSO_LIBSSL_USED(TLSO_REQUIRED_SSL)
#undef TLSO_REQUIRED_SSL
#define TLSO_REQUIRED_CRYPTO(name) ok &= resolve_own(table.name, crypto, #name, SymbolTable::hash(#name));
    TLSO_LIBCRYPTO_USED(TLSO_REQUIRED_CRYPTO)
#undef TLSO_REQUIRED_CRYPTO
#define TLSO_OPTIONAL_FIND(name) resolve_either(table.name, ssl, crypto, #name, SymbolTable::hash(#name));
    TLSO_OPTIONAL(TLSO_OPTIONAL_FIND)
#undef TLSO_OPTIONAL_FIND
    // A macro in 3.x, a function in 1.1.1: found by name, typed by hand.
    resolve_either(table.put_error_1_1_1, ssl, crypto, "ERR_put_error", SymbolTable::hash("ERR_put_error"));
    // What a 1.1.1 handshake record names its group with (symbols.hpp: PeerKey).
    if (table.OpenSSL_version_num && abi_of_version(table.OpenSSL_version_num()) == OpenSslAbi::V1_1_1) {
        OpenSsl::PeerKey& k = table.peer_key_1_1_1;
        resolve_either(k.key_type, ssl, crypto, "EVP_PKEY_id", SymbolTable::hash("EVP_PKEY_id"));
#define TLSO_PEER_KEY(name) resolve_either(k.name, ssl, crypto, #name, SymbolTable::hash(#name));
        TLSO_PEER_KEY(EVP_PKEY_free) TLSO_PEER_KEY(EVP_PKEY_get0_EC_KEY) TLSO_PEER_KEY(EC_KEY_get0_group)
        TLSO_PEER_KEY(EC_GROUP_get_curve_name)
#undef TLSO_PEER_KEY
    }
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
    const LoadedTables loaded(reinterpret_cast<const void*>(&attempt));
    Library next(RTLD_NEXT, loaded);
    resolve_interposed(next);
    bool used = resolve_used(next, RTLD_NEXT, RTLD_NEXT, loaded);
    if (!used || !table.real.SSL_CTX_new) {
        // RTLD_LOCAL case: search the libssl/libcrypto that are already loaded.
        // The handles are kept: the table points into those libraries.
        static const char* const sonames[][2] = {{"libssl.so.3", "libcrypto.so.3"}, {"libssl.so.1.1", "libcrypto.so.1.1"}};
        for (const auto& pair : sonames) {
            void* s = dlopen(pair[0], RTLD_LAZY | RTLD_NOLOAD);
            void* c = s ? dlopen(pair[1], RTLD_LAZY | RTLD_NOLOAD) : nullptr;
            if (!s || !c) continue;
            Library in_libssl(s, loaded);
            resolve_interposed(in_libssl);
            used = resolve_used(in_libssl, s, c, loaded);
            break;
        }
    }
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

const void* first_ssl_ctx_new() noexcept {
    return reinterpret_cast<const void*>(__atomic_load_n(&table.real.SSL_CTX_new, __ATOMIC_ACQUIRE));
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
        known = stage1::primary_copy_for("SSL_CTX_new", SymbolTable::hash("SSL_CTX_new"));
        __atomic_store_n(&primary, known, __ATOMIC_RELAXED);
    }
    return known;
}
