// What the engine's static libstdc++ would otherwise pull in, linked into the
// engine only (never the command or the unit tests: they keep the real ones).
//
// toml++ reads a float with std::from_chars (toml.hpp: TOML_FLOAT_CHARCONV), whose
// object in libstdc++.a also holds the long double path, and that path keeps the
// rounding mode with fegetround/fesetround: libm's, which made the engine need
// libm.so.6, a library an OpenSSL 1.1.1 client does not load (10,000 instructions
// at dlopen, make bench figure 8). Nothing in the engine reads a long double, so
// these two are never called; they answer as the default environment does.
#include <cfenv>
#include <cstdlib>
#include <cxxabi.h>

#include <unistd.h>

extern "C" {

int fegetround() noexcept { return FE_TONEAREST; }

int fesetround(int mode) noexcept { return mode == FE_TONEAREST ? 0 : 1; }

}  // extern "C"

// std::terminate's default handler. libstdc++'s (__gnu_cxx::__verbose_terminate_handler)
// names the exception's type with the C++ demangler, whose tables are 222 relocations
// the dynamic linker applies each time the engine is loaded (make bench, figure 8).
// Defined here, the archive member holding it, and the demangler, stay out of the
// engine. Terminating is a bug here (every hook catches what it throws:
// docs/hardening.md): this says so in one line and ends the process as the default does.
namespace __gnu_cxx {

void __verbose_terminate_handler() {
    static const char line[] = "tlsoverride: terminate called: an exception escaped the engine (a bug; please report it)\n";
    ssize_t ignored = write(2, line, sizeof line - 1);
    (void)ignored;
    std::abort();
}

}  // namespace __gnu_cxx
