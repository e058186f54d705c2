#include "preload/other_libssl.hpp"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>

#include "preload/resolve.hpp"
#include "preload/stage1.hpp"
#include "preload/symbol_table.hpp"

namespace {

// A library that called one of our wrappers, as first seen: its mapped range and the
// libssl it binds to (null: the process's first). Appended without a lock (a caller's
// first call may come while its thread holds the start lock: the engine starting, say):
// a slot is claimed, written, then marked ready; readers skip slots not ready yet. A
// fork in between leaves one slot never ready, nothing held.
struct Caller {
    ElfW(Addr) start, end;
    const Interposed* other;
    bool ready;
};
constexpr int callers_capacity = 32;
Caller callers[callers_capacity];
int callers_claimed;

// A second libssl: held open (its handle) so that its functions stay where they are.
// Claimed and published as callers are; two threads may add the same one (both valid).
struct Other {
    SymbolTable table;           // identifies the library
    const char* name = nullptr;  // as the dynamic linker has it
    Interposed real;
    bool ready = false;
};
constexpr int others_capacity = 4;
Other others[others_capacity];
int others_claimed;

// A free slot, or null when all are taken (the count then stops growing: it passes
// N by at most the threads that raced for the last slot).
template <class Entry, int N>
Entry* claim(Entry (&entries)[N], int& claimed) {
    if (__atomic_load_n(&claimed, __ATOMIC_RELAXED) >= N) return nullptr;
    int i = __atomic_fetch_add(&claimed, 1, __ATOMIC_RELAXED);
    return i < N ? &entries[i] : nullptr;
}

template <class Entry>
void publish(Entry* e) {
    __atomic_store_n(&e->ready, true, __ATOMIC_RELEASE);
}

template <class Entry>
bool ready(const Entry& e) {
    return __atomic_load_n(&e.ready, __ATOMIC_ACQUIRE);
}

int claimed_so_far(const int& claimed, int capacity) {
    int n = __atomic_load_n(&claimed, __ATOMIC_ACQUIRE);
    return n < capacity ? n : capacity;
}

// The real functions of `library`, a second libssl: a candidate, found without our lock (the dynamic linker's own lock is taken inside
// dlopen and dlsym; holding ours across them could wait for a thread that, inside a
// dlopen, calls one of our wrappers). The library is held open: its functions stay.
bool prepare_other(const LoadedObject& library, Other& o, void** handle) {
    o.table = library.table;
    *handle = o.table.ready() && library.name && *library.name ? dlopen(library.name, RTLD_LAZY | RTLD_NOLOAD) : nullptr;
    if (!*handle) return false;
    o.name = library.name;
#define TLSO_FIND_OTHER(name)                                                  \
    if (void* p = dlsym(*handle, #name); p && !stage1::is_own_address(p))     \
        o.real.name = reinterpret_cast<decltype(o.real.name)>(p);
    TLSO_INTERPOSED(TLSO_FIND_OTHER)
#undef TLSO_FIND_OTHER
    return true;
}

// Which libssl the library at `address` binds to, remembered; null for the process's
// first. Nothing is remembered while the first is not known yet: the next call asks again.
const Interposed* decide(const void* address) {
    LoadedObject caller = loaded_object_at(address);
    if (!caller.found) {
        // Generated code (a JIT's foreign calls) resolves names in the global scope,
        // as the program does: the first libssl. Remembered for its page.
        caller.start = reinterpret_cast<ElfW(Addr)>(address) & ~ElfW(Addr){4095};
        caller.end = caller.start + 4096;
        caller.program = true;
    }
    const void* first = first_ssl_ctx_new();
    bool known = caller.program;  // the program binds in the global scope: the first libssl is its
    bool second = false;
    Other candidate{};
    void* held = nullptr;
    if (!known && first) {
        const ElfW(Addr) f = reinterpret_cast<ElfW(Addr)>(first);
        known = true;
        if (f - caller.start >= caller.end - caller.start && caller.name && *caller.name) {
            // Not the first libssl itself: dlsym on the caller's handle searches the
            // caller and its dependencies, the libssl its own references reach.
            if (void* handle = dlopen(caller.name, RTLD_LAZY | RTLD_NOLOAD)) {
                void* mine = dlsym(handle, "SSL_CTX_new");
                // A libssl defines SSL_new too; an interposer (another copy of this
                // library, or a key logger in front of us) wraps only what it wraps.
                const LoadedObject theirs = loaded_object_at(mine);
                if (mine && !stage1::is_own_address(mine) && !theirs.table.same_library(SymbolTable(first)) &&
                    theirs.table.find("SSL_new", SymbolTable::hash("SSL_new")))
                    second = prepare_other(theirs, candidate, &held);
                dlclose(handle);
            }
        }
    }
    if (!known) return nullptr;
    const Interposed* other = nullptr;
    bool added = false;
    if (second) {
        const int n = claimed_so_far(others_claimed, others_capacity);
        for (int i = 0; i < n && !other; i++)
            if (ready(others[i]) && others[i].table.same_library(candidate.table)) other = &others[i].real;
        if (other) {
            dlclose(held);  // held already
        } else if (Other* slot = claim(others, others_claimed)) {
            *slot = candidate;
            publish(slot);
            other = &slot->real;
            added = true;
        } else {
            dlclose(held);  // no room (five libssls): as before, the first
        }
    }
    if (!second || other)
        if (Caller* slot = claim(callers, callers_claimed)) {
            *slot = {caller.start, caller.end, other, false};
            publish(slot);
        }
    if (added && stage1::policy_configured())
        stage1::warn("this process has a second OpenSSL; calls into it pass through unmodified: ", candidate.name);
    return other;
}

}  // namespace

const Interposed* other_libssl(const void* caller) noexcept {
    const auto a = reinterpret_cast<ElfW(Addr)>(caller);
    const int n = claimed_so_far(callers_claimed, callers_capacity);
    for (int i = 0; i < n; i++)
        if (ready(callers[i]) && a - callers[i].start < callers[i].end - callers[i].start) return callers[i].other;
    int saved = errno;
    const Interposed* other = decide(caller);
    errno = saved;
    return other;
}
