#include "linked_openssl.hpp"

#include "openssl/apply.hpp"
#include "gnutls_check.hpp"

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
        t.abi = abi_of_version(OpenSSL_version_num());
        return t;
    }();
    return table;
}

tlso::Diagnostics configuration_errors(const tlso::ProcessConfig& pc) {
    tlso::Diagnostics errors = pc.errors;
    tlso::Diagnostics rejected = tlso::validate_with_openssl(linked_openssl(), pc.all_layers());
    errors.insert(errors.end(), rejected.begin(), rejected.end());
    tlso::Diagnostics gnutls = gnutls_translation_errors(pc, errors);  // GnuTLS programs
    errors.insert(errors.end(), gnutls.begin(), gnutls.end());
    return errors;
}
