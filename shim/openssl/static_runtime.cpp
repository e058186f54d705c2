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

extern "C" {

int fegetround() noexcept { return FE_TONEAREST; }

int fesetround(int mode) noexcept { return mode == FE_TONEAREST ? 0 : 1; }

}  // extern "C"
