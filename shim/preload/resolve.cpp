// Finding the real OpenSSL functions from inside the preload library.
//
// dlsym(RTLD_NEXT) finds libssl when the program links it or dlopens it with
// RTLD_GLOBAL. Python's _ssl module is dlopened RTLD_LOCAL, so libssl is not in
// the global scope and RTLD_NEXT returns NULL although our hooks are being called:
// then the already-loaded libssl.so.3 is opened with RTLD_NOLOAD (it is never
// loaded by us) and searched directly. A table is published only when complete.
#include "openssl/symbols.hpp"

#include <dlfcn.h>
#include <pthread.h>

namespace {

OpenSsl table;
bool complete = false;  // written under lock, read after the acquire below
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

// This library's own extent in memory, from the linker: an answer inside it would
// be one of our hooks, which must never be taken for the real function. (A range
// check costs nothing; dladdr() on each of ~80 symbols cost 3.5M instructions.)
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" const char _end[] __attribute__((visibility("hidden")));

void* find(void* handle, const char* name) {
    void* p = dlsym(handle, name);
    const char* c = static_cast<const char*>(p);
    return c >= __ehdr_start && c < _end ? nullptr : p;
}

template <class F>
bool resolve(F& slot, void* handle, const char* name) {
    if (!slot) slot = reinterpret_cast<F>(find(handle, name));
    return slot != nullptr;
}

bool resolve_from(void* ssl, void* crypto) {
    bool ok = true;
#define TLSO_REQUIRED_SSL(name) ok &= resolve(table.real.name, ssl, #name);
    TLSO_INTERPOSED(TLSO_REQUIRED_SSL)
#undef TLSO_REQUIRED_SSL
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

}  // namespace

const OpenSsl* real_openssl() noexcept {
    if (__atomic_load_n(&complete, __ATOMIC_ACQUIRE)) return &table;
    pthread_mutex_lock(&lock);
    if (!complete) {
        bool ok = resolve_from(RTLD_NEXT, RTLD_NEXT);
        if (!ok) {
            // RTLD_LOCAL case: search the libssl/libcrypto that are already loaded.
            // The handles are kept: the table points into those libraries.
            void* ssl = dlopen("libssl.so.3", RTLD_LAZY | RTLD_NOLOAD);
            void* crypto = dlopen("libcrypto.so.3", RTLD_LAZY | RTLD_NOLOAD);
            if (ssl && crypto) ok = resolve_from(ssl, crypto);
        }
        if (ok) __atomic_store_n(&complete, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lock);
    return complete ? &table : nullptr;
}
