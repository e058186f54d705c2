// The policy in GnuTLS's vocabulary: a priority string's tokens. Pure: knows
// GnuTLS's token names as data, includes no TLS library.
//
// GnuTLS has no setters for protocol bounds or cipher lists: a session gets one
// priority string, read left to right, where a later token wins over an earlier
// one. So the policy becomes tokens, and where they go in the program's string
// is the mode: appended at the end (enforce: they win over everything the program
// wrote), or right after its first keyword (default: they take the place of the
// library's defaults, and every modifier the program wrote after it stands).
// README "GnuTLS" has the one mapping table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/settings.hpp"

namespace tlso {

struct GnutlsTranslation {
    std::string tokens;  // "-VERS-TLS1.0:-VERS-TLS1.1:+VERS-TLS1.2:..."; empty: nothing to add
    Diagnostics errors;  // values with no exact GnuTLS equivalent, located at the setting
};

// The tokens for one policy layer. A value GnuTLS cannot express exactly (a cipher
// list that is not a product of key exchanges, ciphers and MACs, an unknown group,
// an option without a GnuTLS meaning) is an error naming the setting, unless the
// layer has gnutls_priority: then the operator's own tokens speak for GnuTLS and
// that value is left out of the translation.
GnutlsTranslation translate_for_gnutls(const Settings& s);

// The program's priority string with the policy's tokens in place. `program` is
// never empty here (the library's default string is handled by the adapter with
// GnuTLS's own "append to the default" call).
struct ComposedPriority {
    std::string text;
    std::size_t inserted_at = 0;      // the policy's tokens (with their ':') are
    std::size_t inserted_length = 0;  // text[inserted_at, inserted_at + inserted_length)

    // GnuTLS reports a bad token as a pointer into the string it was given; the
    // program must get one into its own string. nullopt: the byte is the policy's.
    std::optional<std::size_t> program_offset(std::size_t composed) const;
};
ComposedPriority compose_priority(std::string_view program, std::string_view tokens, Mode mode);

// Names for handshake records, as OpenSSL would print them: a TLS 1.2 suite from
// GnuTLS's key exchange, cipher and MAC names ("ECDHE-RSA", "AES-128-GCM", "AEAD"
// -> "ECDHE-RSA-AES128-GCM-SHA256"); a TLS 1.3 one from its cipher; a group
// ("SECP256R1" -> "P-256"). Empty when the suite is not one both libraries share.
std::string openssl_suite_name(std::string_view kx, std::string_view cipher, std::string_view mac);
std::string tls13_suite_name(std::string_view cipher);
std::string openssl_group_name(std::string_view gnutls_group);

// The versions a layer's tokens leave on when it names a bound (for records):
// the named ends, and TLSv1/TLSv1.3 where it names none.
std::string gnutls_offered_versions(const Settings& s);

}  // namespace tlso
