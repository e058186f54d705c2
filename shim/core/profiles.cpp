#include "core/profiles.hpp"

namespace tlso {
namespace {

constexpr std::string_view tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr std::string_view groups = "X25519:prime256v1:secp384r1";

constexpr std::string_view intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

constexpr std::string_view old_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:"
    "AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA";

}  // namespace

std::optional<Settings> profile_settings(std::string_view name, const Origin& origin) {
    auto text = [&](std::string_view v) { return Sourced<std::string>{std::string(v), origin}; };
    Settings s;
    s.ciphersuites = text(tls13_suites);
    s.groups = text(groups);
    if (name == "modern") {
        s.min_protocol = Sourced<Protocol>{Protocol::TLSv1_3, origin};
    } else if (name == "intermediate") {
        s.min_protocol = Sourced<Protocol>{Protocol::TLSv1_2, origin};
        s.ciphers = text(intermediate_ciphers);
    } else if (name == "old") {
        s.min_protocol = Sourced<Protocol>{Protocol::TLSv1, origin};
        s.ciphers = text(old_ciphers);
        // OpenSSL 3 refuses TLSv1 and TLSv1.1 above level 0; without it "old" would
        // not reach the clients it exists for. Mozilla's generator does the same.
        s.security_level = Sourced<int>{0, origin};
    } else {
        return std::nullopt;
    }
    return s;
}

}  // namespace tlso
