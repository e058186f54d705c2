// What every backend's wrappers share in stage 1 (the file in LD_PRELOAD): the
// re-entrancy mark, the one voice stage 1 has before the engine runs, and the
// engine library itself. libc only: no libstdc++, no exceptions, no allocation on
// the paths that do nothing.
#pragma once

#include <stdint.h>

namespace stage1 {

// A thread's depth inside interposed calls. TLS libraries call their own exported
// functions (SSL_CTX_new tail-calls SSL_CTX_new_ex, gnutls_priority_set_direct
// calls gnutls_priority_init): only the outermost call is the program's.
class Reentry {
public:
    Reentry() noexcept;
    ~Reentry();
    Reentry(const Reentry&) = delete;
    Reentry& operator=(const Reentry&) = delete;
    bool outermost() const noexcept { return outermost_; }

private:
    bool outermost_;
};
void enter() noexcept;
void leave() noexcept;

// The one lock of stage 1, held only while something starts (finding the TLS
// library's functions, loading and starting the engine); afterwards every path is
// lock-free. fork() waits for it (pthread_atfork, registered on the first call that
// needs the lock), so a child never inherits a half-done start: it sees the start
// either not begun or complete.
class StartLock {
public:
    StartLock() noexcept;
    ~StartLock();
    StartLock(const StartLock&) = delete;
    StartLock& operator=(const StartLock&) = delete;
};

// One line on standard error, "tlsoverride[PID]: warning: MESSAGEDETAIL", unless
// TLSOVERRIDE_LOG asks for less. errno is preserved.
void warn(const char* message, const char* detail) noexcept;

// The engine (libtlsoverride-engine.so), opened on the first call that needs it,
// from the directory this library was loaded from (resolved when it was loaded,
// so a program that changes directory cannot make it load another file). Null
// while it cannot be loaded; a later call tries again (an EMFILE at first use is
// not permanent), and the reason is said once.
void* engine_library() noexcept;

// Whether the operator configured a policy that stage 1 can see without the
// engine: a TLSOVERRIDE_ setting or config variable, or /etc/tlsoverride/config.toml.
// Only then is a process the library cannot govern worth a warning.
bool policy_configured() noexcept;
// With a policy configured and without TLSOVERRIDE_ON_ERROR=ignore, a missing
// engine fails context creation closed rather than running with the defaults the
// operator meant to override.
bool fails_closed_without_engine() noexcept;

// Whether an address lies inside this copy of the library. A symbol lookup that
// answers with one of our own wrappers must never be taken for the real function;
// and with the library listed twice in LD_PRELOAD only the copy the process binds
// to (dlsym(RTLD_DEFAULT) answers inside it) may act: the second would apply the
// policy again and write a second record.
bool is_own_address(const void* p) noexcept;

// Whether the process's own calls of `name` (its first interposed function) reach this
// copy of the library rather than another copy of tlsoverride loaded before it: what
// dlsym(RTLD_DEFAULT, name) answers. Computed by the caller once.
bool primary_copy_for(const char* name, uint32_t hash) noexcept;

}  // namespace stage1
