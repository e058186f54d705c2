// Stage 1's own symbol lookup (preload/symbol_table.hpp) must find exactly what
// dlsym finds: the default version of each name, in the library asked.
#include <dlfcn.h>

#include <initializer_list>

#include <doctest/doctest.h>

#include "preload/symbol_table.hpp"

TEST_CASE("a library's own symbol table finds what dlsym finds, default versions included") {
    void* anchor = dlsym(RTLD_DEFAULT, "getenv");
    REQUIRE(anchor);
    SymbolTable libc(anchor);
    REQUIRE(libc.ready());
    // realpath, nftw and pthread_cond_wait keep an old version for old binaries, with
    // its own code: the lookup must pick the default one, as dlsym does.
    for (const char* name : {"getenv", "malloc", "free", "fopen", "qsort", "dlsym", "dlopen", "pthread_create",
                             "pthread_mutex_lock", "environ", "stderr", "realpath", "nftw", "pthread_cond_wait"}) {
        CAPTURE(name);
        CHECK(libc.find(name) == dlsym(RTLD_DEFAULT, name));
    }
#if defined(__x86_64__)
    // ... and the old one is a different function (so the check above can fail).
    CHECK(dlvsym(RTLD_DEFAULT, "realpath", "GLIBC_2.2.5") != dlsym(RTLD_DEFAULT, "realpath"));
#endif
}

TEST_CASE("what the table cannot answer is left to dlsym") {
    SymbolTable libc(dlsym(RTLD_DEFAULT, "getenv"));
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
