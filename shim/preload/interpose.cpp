// The whole surface tlsoverride touches: every OpenSSL function it interposes.
//
// Each wrapper is one line. `forward` marks the call as ours for its duration
// (OpenSSL calls its own exported functions: SSL_CTX_new tail-calls
// SSL_CTX_new_ex, SSL_CONF_cmd calls SSL_CTX_set_cipher_list), so only the
// outermost call, the program's, reaches the engine's policy; the inner ones go
// straight to the real function. This file needs nothing but libc.
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <type_traits>

#include "preload/engine_entry.hpp"
#include "openssl/symbols.hpp"

#define TLSO_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

__thread int depth;  // initial-exec TLS: no allocation, no __tls_get_addr

class Reentry {
public:
    Reentry() noexcept : outermost_(depth++ == 0) {}
    ~Reentry() { --depth; }
    Reentry(const Reentry&) = delete;
    Reentry& operator=(const Reentry&) = delete;
    bool outermost() const noexcept { return outermost_; }

private:
    bool outermost_;
};

void say(const char* message, const char* detail) noexcept {
    int saved = errno;
    char line[1024];
    int n = snprintf(line, sizeof line, "tlsoverride[%d]: error: %s%s\n", static_cast<int>(getpid()), message, detail);
    if (n > 0) {
        ssize_t ignored = write(2, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
        (void)ignored;
    }
    errno = saved;
}

void enter() noexcept { ++depth; }
void leave() noexcept { --depth; }

const Interposed* engine_hooks;
Stage1 stage1;
pthread_once_t engine_once = PTHREAD_ONCE_INIT;

void load_engine() noexcept {
    const OpenSsl* real = real_openssl();
    Dl_info self;
    if (!real || !dladdr(reinterpret_cast<void*>(&load_engine), &self) || !self.dli_fname) return;
    char path[PATH_MAX];
    const char* slash = strrchr(self.dli_fname, '/');
    int dir = slash ? static_cast<int>(slash - self.dli_fname) : 1;
    snprintf(path, sizeof path, "%.*s/" TLSO_ENGINE_FILE, dir, slash ? self.dli_fname : ".");
    void* engine = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!engine) {
        say("cannot load the tlsoverride engine; both files must be installed side by side: ", dlerror());
        return;
    }
    auto entry = reinterpret_cast<EngineEntry>(dlsym(engine, TLSO_ENGINE_ENTRY));
    stage1 = {real, enter, leave};
    engine_hooks = entry ? entry(&stage1) : nullptr;
    if (!engine_hooks) say("the tlsoverride engine did not start: ", path);
}

// The engine, loaded on the first call that needs it; null when it could not be.
const Interposed* engine() noexcept {
    pthread_once(&engine_once, load_engine);
    return engine_hooks;
}

// Without the engine no policy can be applied: a new context fails closed, as for
// a bad configuration, unless the operator said TLSOVERRIDE_ON_ERROR=ignore.
bool creation_may_proceed_without_engine() noexcept {
    const char* on_error = secure_getenv("TLSOVERRIDE_ON_ERROR");
    return on_error && strcmp(on_error, "ignore") == 0;
}

template <auto Member, class... Args>
auto forward(Args... args) noexcept {
    using Result = decltype((std::declval<Interposed>().*Member)(args...));
    Reentry guard;
    const OpenSsl* real = real_openssl();
    if (!real) {
        say("libssl's functions were not found in this process; the call fails", "");
        if constexpr (std::is_void_v<Result>) return;
        else return Result{};
    }
    if (guard.outermost()) {
        if (const Interposed* hooks = engine()) return (hooks->*Member)(args...);
        if constexpr (std::is_same_v<Result, SSL_CTX*>) {  // SSL_CTX_new, SSL_CTX_new_ex
            if (!creation_may_proceed_without_engine()) return Result{};
        }
    }
    return (real->real.*Member)(args...);
}

}  // namespace

TLSO_EXPORT SSL_CTX* SSL_CTX_new(const SSL_METHOD* m) { return forward<&Interposed::SSL_CTX_new>(m); }
TLSO_EXPORT SSL_CTX* SSL_CTX_new_ex(OSSL_LIB_CTX* lib, const char* propq, const SSL_METHOD* m) {
    return forward<&Interposed::SSL_CTX_new_ex>(lib, propq, m);
}
TLSO_EXPORT long SSL_CTX_ctrl(SSL_CTX* c, int cmd, long larg, void* parg) {
    return forward<&Interposed::SSL_CTX_ctrl>(c, cmd, larg, parg);
}
TLSO_EXPORT long SSL_ctrl(SSL* s, int cmd, long larg, void* parg) {
    return forward<&Interposed::SSL_ctrl>(s, cmd, larg, parg);
}
TLSO_EXPORT int SSL_CTX_set_cipher_list(SSL_CTX* c, const char* l) {
    return forward<&Interposed::SSL_CTX_set_cipher_list>(c, l);
}
TLSO_EXPORT int SSL_set_cipher_list(SSL* s, const char* l) { return forward<&Interposed::SSL_set_cipher_list>(s, l); }
TLSO_EXPORT int SSL_CTX_set_ciphersuites(SSL_CTX* c, const char* l) {
    return forward<&Interposed::SSL_CTX_set_ciphersuites>(c, l);
}
TLSO_EXPORT int SSL_set_ciphersuites(SSL* s, const char* l) { return forward<&Interposed::SSL_set_ciphersuites>(s, l); }
TLSO_EXPORT void SSL_CTX_set_security_level(SSL_CTX* c, int level) {
    forward<&Interposed::SSL_CTX_set_security_level>(c, level);
}
TLSO_EXPORT void SSL_set_security_level(SSL* s, int level) { forward<&Interposed::SSL_set_security_level>(s, level); }
TLSO_EXPORT uint64_t SSL_CTX_set_options(SSL_CTX* c, uint64_t op) {
    return forward<&Interposed::SSL_CTX_set_options>(c, op);
}
TLSO_EXPORT uint64_t SSL_set_options(SSL* s, uint64_t op) { return forward<&Interposed::SSL_set_options>(s, op); }
TLSO_EXPORT int SSL_CTX_set_ssl_version(SSL_CTX* c, const SSL_METHOD* m) {
    return forward<&Interposed::SSL_CTX_set_ssl_version>(c, m);
}
TLSO_EXPORT int SSL_set_ssl_method(SSL* s, const SSL_METHOD* m) { return forward<&Interposed::SSL_set_ssl_method>(s, m); }
TLSO_EXPORT void SSL_CTX_set_info_callback(SSL_CTX* c, void (*cb)(const SSL*, int, int)) {
    forward<&Interposed::SSL_CTX_set_info_callback>(c, cb);
}
TLSO_EXPORT void SSL_set_info_callback(SSL* s, void (*cb)(const SSL*, int, int)) {
    forward<&Interposed::SSL_set_info_callback>(s, cb);
}
TLSO_EXPORT void (*SSL_CTX_get_info_callback(SSL_CTX* c))(const SSL*, int, int) {
    return forward<&Interposed::SSL_CTX_get_info_callback>(c);
}
TLSO_EXPORT void (*SSL_get_info_callback(const SSL* s))(const SSL*, int, int) {
    return forward<&Interposed::SSL_get_info_callback>(s);
}
