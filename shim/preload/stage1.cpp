#include "preload/stage1.hpp"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload/engine_entry.hpp"
#include "preload/symbol_table.hpp"

namespace stage1 {
namespace {

__thread int depth;  // initial-exec TLS: no allocation, no __tls_get_addr

// This library's own extent in memory, from the linker. (A range check costs
// nothing; dladdr() on each of ~80 symbols cost 3.5M instructions.)
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" const char _end[] __attribute__((visibility("hidden")));

// `path` + `more`, NUL-terminated, when it fits.
bool append(char* path, size_t size, size_t& used, const char* more, size_t length) {
    if (used + length >= size) return false;
    for (size_t i = 0; i < length; i++) path[used++] = more[i];  // no memcpy: one libc version fewer to check at load
    path[used] = '\0';
    return true;
}

// Where the engine is: beside this library, in the directory it was loaded from.
// A relative name, resolved now, would follow the program's working directory to a
// planted file. For that case ld.so's "$ORIGIN" is the directory it resolved when it
// loaded this library (glibc fixes an object's origin at load time), at no cost at
// start-up.
bool find_engine(char* path, size_t size) {
    // The name this library was loaded by, as LD_PRELOAD spelled it.
    const char* name = loaded_object_at(reinterpret_cast<const void*>(&find_engine)).name;
    if (!name || !*name) return false;
    size_t used = 0;
    const char* slash = nullptr;
    for (const char* c = name; *c; c++)
        if (*c == '/') slash = c;
    static const char origin[] = "$ORIGIN", engine[] = "/" TLSO_ENGINE_FILE;
    bool ok = name[0] == '/' ? append(path, size, used, name, static_cast<size_t>(slash - name))
                             : append(path, size, used, origin, sizeof origin - 1);
    return ok && append(path, size, used, engine, sizeof engine - 1);
}

pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_once_t fork_handlers = PTHREAD_ONCE_INIT;

void before_fork() { pthread_mutex_lock(&start_lock); }
void after_fork() { pthread_mutex_unlock(&start_lock); }
void register_fork_handlers() { pthread_atfork(before_fork, after_fork, after_fork); }

void* engine_handle;
bool said_engine_missing;
int attempts;  // a failed load is tried again on a few later calls, not on every one

bool quiet() {
    const char* level = secure_getenv("TLSOVERRIDE_LOG");
    return level && (strcmp(level, "off") == 0 || strcmp(level, "error") == 0);
}

}  // namespace

StartLock::StartLock() noexcept {
    // The handlers are registered before the lock is first taken. glibc holds its
    // atfork lock across a fork: registering under our lock could wait for a fork
    // that then copies our lock, held, into a child with no handler to release it.
    // So a fork either comes before the registration (the lock is free) or runs the
    // handlers, which wait for the lock; a child forked during the registration runs
    // it again (pthread_once knows a fork happened).
    pthread_once(&fork_handlers, register_fork_handlers);
    pthread_mutex_lock(&start_lock);
}
StartLock::~StartLock() { pthread_mutex_unlock(&start_lock); }

Reentry::Reentry() noexcept : outermost_(depth++ == 0) {}
Reentry::~Reentry() { --depth; }
void enter() noexcept { ++depth; }
void leave() noexcept { --depth; }

bool is_own_address(const void* p) noexcept {
    const char* c = static_cast<const char*>(p);
    return c >= __ehdr_start && c < _end;
}

namespace {

// The scope dlsym(RTLD_DEFAULT) searches begins with the program and the libraries
// preloaded, in the order dl_iterate_phdr lists them: the objects before this one are
// read from their own tables (a 2,500-instruction dlsym and dladdr otherwise, make
// bench figure 8). -1: one of them has a table that cannot be read.
struct FirstDefiner {
    const char* name;
    uint32_t hash;
    int primary = -1;
};

int find_first_definer(dl_phdr_info* info, size_t, void* data) {
    auto* search = static_cast<FirstDefiner*>(data);
    if (is_own_address(info->dlpi_phdr)) {
        search->primary = 1;  // nothing before this library defines it
        return 1;
    }
    const SymbolTable table(*info);
    if (!table.ready()) return has_dynamic_section(*info) ? 1 : 0;  // unreadable: dlsym's to answer
    if (!table.definition(search->name, search->hash)) return 0;
    search->primary = !strstr(info->dlpi_name, "libtlsoverride");
    return 1;
}

}  // namespace

bool primary_copy_for(const char* name, uint32_t hash) noexcept {
    FirstDefiner search{name, hash};
    dl_iterate_phdr(find_first_definer, &search);
    if (search.primary >= 0) return search.primary;
    // Secondary only when the process binds to another copy of this library (a library
    // dlopened by the program itself, after libssl, is still primary).
    void* first = dlsym(RTLD_DEFAULT, name);
    Dl_info where;
    return !first || is_own_address(first) || !dladdr(first, &where) || !where.dli_fname ||
           !strstr(where.dli_fname, "libtlsoverride");
}

void warn(const char* message, const char* detail) noexcept {
    int saved = errno;
    if (!quiet()) {
        char line[1024];
        int n = snprintf(line, sizeof line, "tlsoverride[%d]: warning: %s%s\n", static_cast<int>(getpid()), message,
                         detail);
        if (n > 0) {
            ssize_t ignored = write(2, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
            (void)ignored;
        }
    }
    errno = saved;
}

void* engine_library() noexcept {
    void* handle = __atomic_load_n(&engine_handle, __ATOMIC_ACQUIRE);
    if (handle) return handle;
    int saved = errno;
    StartLock lock;
    char engine_path[PATH_MAX];
    bool found = find_engine(engine_path, sizeof engine_path);
    if (!engine_handle && found && attempts < 8) {
        attempts++;
        // Never unloaded (preload/startfiles.cpp relies on it): its hooks are installed in
        // the program's contexts and callbacks.
        void* opened = dlopen(engine_path, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
        if (opened) __atomic_store_n(&engine_handle, opened, __ATOMIC_RELEASE);
        else if (!said_engine_missing) {
            said_engine_missing = true;
            warn("cannot load the tlsoverride engine; both files must be installed side by side: ", dlerror());
        }
    } else if (!engine_handle && !said_engine_missing) {
        said_engine_missing = true;
        warn("cannot find the directory the tlsoverride library was loaded from", "");
    }
    handle = engine_handle;
    errno = saved;
    return handle;
}

bool fails_closed_without_engine() noexcept {
    const char* on_error = secure_getenv("TLSOVERRIDE_ON_ERROR");
    return !(on_error && strcmp(on_error, "ignore") == 0) && policy_configured();
}

bool policy_configured() noexcept {
    static const char* const variables[] = {
        "TLSOVERRIDE_CONFIG", "TLSOVERRIDE_MIN_PROTOCOL", "TLSOVERRIDE_MAX_PROTOCOL", "TLSOVERRIDE_CIPHERS",
        "TLSOVERRIDE_CIPHERSUITES", "TLSOVERRIDE_GROUPS", "TLSOVERRIDE_SIGNATURE_ALGORITHMS",
        "TLSOVERRIDE_SECURITY_LEVEL", "TLSOVERRIDE_OPTIONS", "TLSOVERRIDE_MODE", "TLSOVERRIDE_GNUTLS_PRIORITY",
    };
    for (const char* v : variables) {
        const char* value = secure_getenv(v);
        if (value && *value) return true;
    }
    int saved = errno;
    bool file = access("/etc/tlsoverride/config.toml", F_OK) == 0;
    errno = saved;
    return file;
}

}  // namespace stage1
