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

// The loaded libraries' tables answer for dlsym only where dlsym's answer is certain:
// a name defined nowhere, or in exactly one library (then it is that library's).
TEST_CASE("who defines a name among the loaded libraries agrees with dlsym") {
    const LoadedTables loaded(reinterpret_cast<const void*>(&libc_handle));
    int certain = 0;
    for (const char* name : {"getenv", "argz_add", "malloc", "qsort", "realpath", "environ", "strlen",
                             "tlsoverride_no_such_function", "SSL_CTX_new", "_dl_find_object"}) {
        CAPTURE(std::string(name));
        const SymbolTable* only = nullptr;
        switch (loaded.definers(name, SymbolTable::hash(name), &only)) {
            case LoadedTables::Definers::None:
                CHECK(dlsym(RTLD_DEFAULT, name) == nullptr);
                certain++;
                break;
            case LoadedTables::Definers::One:
                REQUIRE(only);
                if (void* p = only->find(name)) CHECK(p == dlsym(RTLD_DEFAULT, name));
                certain++;
                break;
            default: break;
        }
    }
    CHECK(certain >= 4);  // getenv, argz_add, the absent name and SSL_CTX_new at least (none here)
    const SymbolTable* only = nullptr;
    CHECK(loaded.definers("tlsoverride_no_such_function", SymbolTable::hash("tlsoverride_no_such_function"), &only) ==
          LoadedTables::Definers::None);
    CHECK(loaded.definers("argz_add", SymbolTable::hash("argz_add"), &only) == LoadedTables::Definers::One);
    CHECK(only->find("argz_add") == in_libc("argz_add"));
    // libc and libm both define ldexp (printf needs it): two definers, no answer.
    if (dlopen("libm.so.6", RTLD_LAZY | RTLD_NOLOAD))
        CHECK(loaded.definers("ldexp", SymbolTable::hash("ldexp"), &only) == LoadedTables::Definers::More);
}

TEST_CASE("a name's hash is the dynamic linker's, at compile time") {
    static_assert(SymbolTable::hash("") == 5381);
    constexpr uint32_t h = SymbolTable::hash("SSL_CTX_new");
    static_assert(h != 0);
    SymbolTable libc(in_libc("getenv"));
    CHECK(libc.find("getenv", SymbolTable::hash("getenv")) == in_libc("getenv"));
    CHECK(libc.find("getenv", SymbolTable::hash("getenv") ^ 0x40000000u) == nullptr);  // the hash is what is searched
}
