// Finding the real OpenSSL functions from inside the preload library.
//
// dlsym(RTLD_NEXT) finds libssl when the program links it or dlopens it with
// RTLD_GLOBAL. Python's _ssl module is dlopened RTLD_LOCAL, so libssl is not in
// the global scope and RTLD_NEXT returns NULL although our hooks are being called:
// then the already-loaded libssl.so.3 is opened with RTLD_NOLOAD (it is never
// loaded by us) and searched directly. A table is published only when complete.
#include "real.hpp"

#include <dlfcn.h>
#include <pthread.h>

namespace {

OpenSsl table;
bool complete = false;  // written under lock, read after the acquire below
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

// The load address of this library, to recognise our own hooks.
void* self_base() {
    Dl_info info;
    return dladdr(reinterpret_cast<void*>(&real_openssl), &info) ? info.dli_fbase : nullptr;
}

// Looks a symbol up in `handle`, refusing an answer that points back into this
// library (that would make a hook call itself).
void* find(void* handle, const char* name, void* self) {
    void* p = dlsym(handle, name);
    Dl_info info;
    if (p && dladdr(p, &info) && info.dli_fbase == self) return nullptr;
    return p;
}

template <class F>
bool resolve(F& slot, void* handle, const char* name, void* self) {
    if (!slot) slot = reinterpret_cast<F>(find(handle, name, self));
    return slot != nullptr;
}

bool resolve_from(void* ssl, void* crypto, void* self) {
    bool ok = true;
#define TLSO_REQUIRED_SSL(name) ok &= resolve(table.real.name, ssl, #name, self);
    TLSO_INTERPOSED(TLSO_REQUIRED_SSL)
#undef TLSO_REQUIRED_SSL
#define TLSO_REQUIRED_SSL(name) ok &= resolve(table.name, ssl, #name, self);
    TLSO_LIBSSL_USED(TLSO_REQUIRED_SSL)
#undef TLSO_REQUIRED_SSL
#define TLSO_REQUIRED_CRYPTO(name) ok &= resolve(table.name, crypto, #name, self);
    TLSO_LIBCRYPTO_USED(TLSO_REQUIRED_CRYPTO)
#undef TLSO_REQUIRED_CRYPTO
#define TLSO_OPTIONAL_SSL(name) resolve(table.name, ssl, #name, self);
    TLSO_OPTIONAL(TLSO_OPTIONAL_SSL)
#undef TLSO_OPTIONAL_SSL
    return ok;
}

}  // namespace

const OpenSsl* real_openssl() noexcept {
    if (__atomic_load_n(&complete, __ATOMIC_ACQUIRE)) return &table;
    pthread_mutex_lock(&lock);
    if (!complete) {
        void* self = self_base();
        bool ok = resolve_from(RTLD_NEXT, RTLD_NEXT, self);
        if (!ok) {
            // RTLD_LOCAL case: search the libssl/libcrypto that are already loaded.
            // The handles are kept: the table points into those libraries.
            void* ssl = dlopen("libssl.so.3", RTLD_LAZY | RTLD_NOLOAD);
            void* crypto = dlopen("libcrypto.so.3", RTLD_LAZY | RTLD_NOLOAD);
            if (ssl && crypto) ok = resolve_from(ssl, crypto, self);
        }
        if (ok) __atomic_store_n(&complete, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lock);
    return complete ? &table : nullptr;
}
