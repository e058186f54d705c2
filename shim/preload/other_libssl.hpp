// A second OpenSSL in the process. A program on OpenSSL 3 may load a plugin built
// for 1.1.1 (or the other way round): both libraries' callers bind to our
// wrappers (an unversioned definition satisfies SSL_CTX_new@OPENSSL_1_1_0 and
// @OPENSSL_3.0.0 alike), and a call passed to the wrong library is a crash. So each
// wrapper asks which library its caller would have reached without us: the caller's
// own dependencies say (dlsym on the caller's handle searches exactly those). The
// process's first libssl is governed as before; calls bound for another pass
// through to it, unmodified, and the operator is told once.
#pragma once

#include "openssl/symbols.hpp"

// The real functions of the other libssl `caller` (a return address) binds to, or
// null: the caller binds to the process's first libssl (the one real_openssl()
// describes), or that cannot be told (then, as before, the first). Takes no lock (a
// caller's first call may come while its thread holds stage 1's): each calling
// library is looked up once (dl_iterate_phdr, dlopen RTLD_NOLOAD of it, dlsym) and
// remembered by its address range.
const Interposed* other_libssl(const void* caller) noexcept;
