// The whole surface tlsoverride touches: every OpenSSL function it interposes.
//
// Each wrapper is one line. `forward` marks the call as ours for its duration
// (OpenSSL calls its own exported functions: SSL_CTX_new tail-calls
// SSL_CTX_new_ex, SSL_CONF_cmd calls SSL_CTX_set_cipher_list), so only the
// outermost call, the program's, reaches the engine's policy; the inner ones go
// straight to the real function. This file needs nothing but libc.
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include <type_traits>

#include "preload/engine_entry.hpp"
#include "preload/other_libssl.hpp"
#include "preload/resolve.hpp"
#include "preload/stage1.hpp"

#define TLSO_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

const Interposed* engine_hooks;
bool engine_declined;  // the engine ran and cannot govern this process: pass through
Stage1 stage1_for_engine;

// The engine's OpenSSL hooks; null while there are none: the library is not
// loadable yet, or this process's OpenSSL is not one tlsoverride governs.
const Interposed* engine(const OpenSsl* real) noexcept {
    const Interposed* hooks = __atomic_load_n(&engine_hooks, __ATOMIC_ACQUIRE);
    if (hooks || __atomic_load_n(&engine_declined, __ATOMIC_ACQUIRE)) return hooks;
    void* library = stage1::engine_library();
    if (!library) return nullptr;
    stage1::StartLock lock;
    if (!engine_hooks && !engine_declined) {
        auto entry = reinterpret_cast<OpenSslEntry>(dlsym(library, TLSO_OPENSSL_ENTRY));
        stage1_for_engine = {real, stage1::enter, stage1::leave};
        const Interposed* started = entry ? entry(&stage1_for_engine) : nullptr;
        if (started) __atomic_store_n(&engine_hooks, started, __ATOMIC_RELEASE);
        else __atomic_store_n(&engine_declined, true, __ATOMIC_RELEASE);
        if (!entry) stage1::warn("the tlsoverride engine has no OpenSSL entry point; running unmodified", "");
    }
    return engine_hooks;
}

bool said_ungoverned;

// The process's OpenSSL is not one tlsoverride can govern (1.0.x, LibreSSL, a
// missing function): every call passes through, and, when the operator configured
// a policy that therefore does not apply, that is said once.
void say_ungoverned() noexcept {
    if (__atomic_exchange_n(&said_ungoverned, true, __ATOMIC_RELAXED) || !stage1::policy_configured()) return;
    stage1::warn("this process's OpenSSL is not one tlsoverride governs (it needs OpenSSL 3.x or 1.1.1); "
                 "running unmodified", "");
}

// Inlined into each exported wrapper, so that the return address is its caller's.
template <auto Member, class... Args>
__attribute__((always_inline)) inline auto forward(Args... args) noexcept {
    using Result = decltype((std::declval<Interposed>().*Member)(args...));
    // A caller bound for another libssl than the process's first (preload/other_libssl.hpp):
    // straight to it, unmodified.
    if (const Interposed* other = other_libssl(__builtin_return_address(0))) {
        if (auto function = other->*Member) return function(args...);
        if constexpr (std::is_void_v<Result>) return;
        else return Result{};
    }
    stage1::Reentry guard;
    if (guard.outermost() && primary_copy()) {
        if (const OpenSsl* real = real_openssl()) {
            if (const Interposed* hooks = engine(real)) return (hooks->*Member)(args...);
            // No engine: a policy the operator configured cannot be applied, so a new
            // context fails closed rather than running with the defaults it meant to
            // override; without one, the program runs exactly as without us.
            if constexpr (std::is_same_v<Result, SSL_CTX*>) {  // SSL_CTX_new, SSL_CTX_new_ex
                if (!__atomic_load_n(&engine_declined, __ATOMIC_ACQUIRE) && stage1::fails_closed_without_engine())
                    return Result{};
            }
        } else {
            say_ungoverned();
        }
    }
    auto function = openssl_found_so_far().real.*Member;
    if (!function) {
        // Unreachable in practice (the program called a function its libssl has),
        // but a guest must not jump to null.
        if constexpr (std::is_void_v<Result>) return;
        else return Result{};
    }
    return function(args...);
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
TLSO_EXPORT uint64_t SSL_CTX_clear_options(SSL_CTX* c, uint64_t op) {
    return forward<&Interposed::SSL_CTX_clear_options>(c, op);
}
TLSO_EXPORT uint64_t SSL_clear_options(SSL* s, uint64_t op) { return forward<&Interposed::SSL_clear_options>(s, op); }
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

// ===================================================================================
// GnuTLS: the same shape. Every GnuTLS function tlsoverride interposes, one line
// each, and their own forward. GnuTLS calls its own exported functions too
// (gnutls_set_default_priority -> gnutls_priority_set_direct -> gnutls_priority_init,
// all through the PLT): the shared Reentry mark lets only the program's call through.
// ===================================================================================
#include "preload/resolve_gnutls.hpp"

namespace {

const GnutlsInterposed* gnutls_hooks;
bool gnutls_declined;
Stage1Gnutls stage1_for_gnutls;
bool said_gnutls_ungoverned;

const GnutlsInterposed* gnutls_engine(const Gnutls* real) noexcept {
    const GnutlsInterposed* hooks = __atomic_load_n(&gnutls_hooks, __ATOMIC_ACQUIRE);
    if (hooks || __atomic_load_n(&gnutls_declined, __ATOMIC_ACQUIRE)) return hooks;
    void* library = stage1::engine_library();
    if (!library) return nullptr;
    stage1::StartLock lock;  // the one start lock, which fork() waits for
    if (!gnutls_hooks && !gnutls_declined) {
        auto entry = reinterpret_cast<GnutlsEntry>(dlsym(library, TLSO_GNUTLS_ENTRY));
        stage1_for_gnutls = {real, stage1::enter, stage1::leave};
        const GnutlsInterposed* started = entry ? entry(&stage1_for_gnutls) : nullptr;
        if (started) __atomic_store_n(&gnutls_hooks, started, __ATOMIC_RELEASE);
        else __atomic_store_n(&gnutls_declined, true, __ATOMIC_RELEASE);
        if (!entry) stage1::warn("the tlsoverride engine has no GnuTLS entry point; running unmodified", "");
    }
    return gnutls_hooks;
}

void say_gnutls_ungoverned() noexcept {
    if (__atomic_exchange_n(&said_gnutls_ungoverned, true, __ATOMIC_RELAXED) || !stage1::policy_configured()) return;
    stage1::warn("this process's GnuTLS is not one tlsoverride governs (it needs GnuTLS 3.6 or later); "
                 "running unmodified", "");
}

// The calls that give a session or cache its priorities: without the engine, a
// policy the operator configured fails them closed (GnuTLS's "no priorities").
template <auto Member, auto Other>
constexpr bool same_member() {
    if constexpr (std::is_same_v<decltype(Member), decltype(Other)>) return Member == Other;
    else return false;
}
template <auto Member>
constexpr bool sets_priorities = same_member<Member, &GnutlsInterposed::gnutls_priority_init>() ||
                                 same_member<Member, &GnutlsInterposed::gnutls_priority_init2>() ||
                                 same_member<Member, &GnutlsInterposed::gnutls_priority_set_direct>() ||
                                 same_member<Member, &GnutlsInterposed::gnutls_set_default_priority>() ||
                                 same_member<Member, &GnutlsInterposed::gnutls_set_default_priority_append>();

template <auto Member, class... Args>
auto forward_gnutls(Args... args) noexcept {
    using Result = decltype((std::declval<GnutlsInterposed>().*Member)(args...));
    stage1::Reentry guard;
    if (guard.outermost() && gnutls_primary_copy()) {
        if (const Gnutls* real = real_gnutls()) {
            if (const GnutlsInterposed* hooks = gnutls_engine(real)) return (hooks->*Member)(args...);
            if constexpr (sets_priorities<Member>) {
                if (!__atomic_load_n(&gnutls_declined, __ATOMIC_ACQUIRE) && stage1::fails_closed_without_engine())
                    return Result{GNUTLS_E_NO_PRIORITIES_WERE_SET};
            }
        } else {
            say_gnutls_ungoverned();
        }
    }
    auto function = gnutls_found_so_far().real.*Member;
    if (!function) {
        if constexpr (std::is_void_v<Result>) return;
        else return Result{GNUTLS_E_INTERNAL_ERROR};
    }
    return function(args...);
}

}  // namespace

TLSO_EXPORT int gnutls_priority_init(gnutls_priority_t* c, const char* p, const char** e) {
    return forward_gnutls<&GnutlsInterposed::gnutls_priority_init>(c, p, e);
}
TLSO_EXPORT int gnutls_priority_init2(gnutls_priority_t* c, const char* p, const char** e, unsigned f) {
    return forward_gnutls<&GnutlsInterposed::gnutls_priority_init2>(c, p, e, f);
}
TLSO_EXPORT void gnutls_priority_deinit(gnutls_priority_t c) { forward_gnutls<&GnutlsInterposed::gnutls_priority_deinit>(c); }
TLSO_EXPORT int gnutls_priority_set(gnutls_session_t s, gnutls_priority_t c) {
    return forward_gnutls<&GnutlsInterposed::gnutls_priority_set>(s, c);
}
TLSO_EXPORT int gnutls_priority_set_direct(gnutls_session_t s, const char* p, const char** e) {
    return forward_gnutls<&GnutlsInterposed::gnutls_priority_set_direct>(s, p, e);
}
TLSO_EXPORT int gnutls_set_default_priority(gnutls_session_t s) {
    return forward_gnutls<&GnutlsInterposed::gnutls_set_default_priority>(s);
}
TLSO_EXPORT int gnutls_set_default_priority_append(gnutls_session_t s, const char* a, const char** e, unsigned f) {
    return forward_gnutls<&GnutlsInterposed::gnutls_set_default_priority_append>(s, a, e, f);
}
TLSO_EXPORT int gnutls_server_name_set(gnutls_session_t s, gnutls_server_name_type_t t, const void* n, size_t l) {
    return forward_gnutls<&GnutlsInterposed::gnutls_server_name_set>(s, t, n, l);
}
TLSO_EXPORT int gnutls_handshake(gnutls_session_t s) { return forward_gnutls<&GnutlsInterposed::gnutls_handshake>(s); }
TLSO_EXPORT int gnutls_init(gnutls_session_t* s, unsigned int flags) {
    return forward_gnutls<&GnutlsInterposed::gnutls_init>(s, flags);
}
TLSO_EXPORT void gnutls_deinit(gnutls_session_t s) { forward_gnutls<&GnutlsInterposed::gnutls_deinit>(s); }
