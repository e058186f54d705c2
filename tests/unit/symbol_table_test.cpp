// Stage 1's own symbol lookup (preload/symbol_table.hpp) must find exactly what
// dlsym finds: the default version of each name, in the library asked.
#include <dlfcn.h>

#include <initializer_list>
#include <string>

#include <doctest/doctest.h>

#include "preload/symbol_table.hpp"

namespace {

// libc's own definitions, as dlsym on libc's handle finds them (RTLD_DEFAULT would
// find a sanitizer's interceptors first).
void* libc_handle() {
    static void* libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    return libc;
}
void* in_libc(const char* name) { return libc_handle() ? dlsym(libc_handle(), name) : nullptr; }

}  // namespace

TEST_CASE("a library's own symbol table finds what dlsym finds, default versions included") {
    void* anchor = in_libc("getenv");
    REQUIRE(anchor);
    SymbolTable libc(anchor);
    REQUIRE(libc.ready());
    // realpath, nftw and pthread_cond_wait keep an old version for old binaries, with
    // its own code: the lookup must pick the default one, as dlsym does.
    for (const char* name : {"getenv", "malloc", "free", "fopen", "qsort", "dlsym", "dlopen", "pthread_create",
                             "pthread_mutex_lock", "environ", "stderr", "realpath", "nftw", "pthread_cond_wait"}) {
        CAPTURE(std::string(name));
        CHECK(libc.find(name) == in_libc(name));
    }
#if defined(__x86_64__)
    // ... and the old one is a different function (so the check above can fail).
    CHECK(dlvsym(libc_handle(), "realpath", "GLIBC_2.2.5") != in_libc("realpath"));
#endif
}

TEST_CASE("what the table cannot answer is left to dlsym") {
    SymbolTable libc(in_libc("getenv"));
    CHECK(libc.find("tlsoverride_no_such_function") == nullptr);
    CHECK(libc.find("") == nullptr);
    // strlen is an IFUNC: its address is what its resolver picks, which only the
    // dynamic linker knows.
    CHECK(libc.find("strlen") == nullptr);
    int on_the_stack = 0;
    CHECK_FALSE(SymbolTable(&on_the_stack).ready());
    CHECK_FALSE(SymbolTable(nullptr).ready());
    CHECK(SymbolTable().find("getenv") == nullptr);
}
