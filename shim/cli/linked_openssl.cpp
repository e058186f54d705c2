#include "linked_openssl.hpp"

const OpenSsl& linked_openssl() {
    static const OpenSsl table = [] {
        OpenSsl t;
#define TLSO_LINKED(name) t.real.name = &::name;
        TLSO_INTERPOSED(TLSO_LINKED)
#undef TLSO_LINKED
#define TLSO_LINKED(name) t.name = &::name;
        TLSO_LIBSSL_USED(TLSO_LINKED)
        TLSO_LIBCRYPTO_USED(TLSO_LINKED)
        TLSO_OPTIONAL(TLSO_LINKED)
#undef TLSO_LINKED
        return t;
    }();
    return table;
}
