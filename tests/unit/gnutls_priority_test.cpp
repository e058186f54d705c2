// The policy in GnuTLS priority tokens; where they go in a program's string.
#include <doctest/doctest.h>

#include "core/gnutls_priority.hpp"
#include "core/profiles.hpp"
#include "core/record.hpp"
#include "core/config.hpp"
#include "core/environment.hpp"

using namespace tlso;

namespace {

template <class T>
Setting<T> at(T value, std::string location = "c.toml:3:11") {
    return Sourced<T>{std::move(value), {"[policy]", std::move(location)}};
}

Settings versions(std::optional<Protocol> min, std::optional<Protocol> max) {
    Settings s;
    if (min) s.min_protocol = at(*min);
    if (max) s.max_protocol = at(*max);
    return s;
}

// translates(settings, tokens): no error, exactly these tokens.
void translates(const Settings& s, const std::string& tokens) {
    GnutlsTranslation t = translate_for_gnutls(s);
    CHECK(t.tokens == tokens);
    for (const Diagnostic& d : t.errors) FAIL_CHECK(d.text());
}

// refused(settings, location, fragment): one error at that place, mentioning fragment.
void refused(const Settings& s, const std::string& location, const std::string& fragment) {
    GnutlsTranslation t = translate_for_gnutls(s);
    REQUIRE(t.errors.size() == 1);
    CHECK(t.errors[0].where == location);
    INFO(t.errors[0].message);
    CHECK(t.errors[0].message.find(fragment) != std::string::npos);
}

Settings ciphers(std::string list) {
    Settings s;
    s.ciphers = at(std::move(list), "c.toml:4:11");
    return s;
}

}  // namespace

TEST_CASE("a named bound owns its end of the version list, and is always on") {
    translates(versions(Protocol::TLSv1_2, std::nullopt), "-VERS-TLS1.0:-VERS-TLS1.1:+VERS-TLS1.2");
    translates(versions(Protocol::TLSv1_3, std::nullopt), "-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.2:+VERS-TLS1.3");
    translates(versions(std::nullopt, Protocol::TLSv1_2), "-VERS-TLS1.3:+VERS-TLS1.2");
    translates(versions(Protocol::TLSv1, Protocol::TLSv1_2), "-VERS-TLS1.3:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2");
    translates(versions(Protocol::TLSv1_2, Protocol::TLSv1_2), "-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.3:+VERS-TLS1.2");
    translates(Settings{}, "");
}

TEST_CASE("a cipher list that is a product of key exchanges, ciphers and MACs translates exactly") {
    translates(ciphers("ECDHE+AESGCM"),
               "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA");
    translates(ciphers("ECDHE-RSA-AES128-GCM-SHA256"), "-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA");
    translates(ciphers("ECDHE+AESGCM:ECDHE+CHACHA20"),
               "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA");
    translates(ciphers("aRSA+AESGCM:!kRSA:!aNULL:@STRENGTH"),
               "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA:+DHE-RSA");
    // -X removes, a later X adds back; !X never comes back.
    translates(ciphers("ECDHE+AESGCM:-aECDSA:aECDSA+AESGCM:!AES256"),
               "-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA");
}

TEST_CASE("a cipher list GnuTLS cannot say exactly is an error at the setting, naming the extra suites") {
    // AES128-GCM with ECDHE-RSA and AES256 with ECDSA: the product adds the crossed pairs.
    refused(ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"), "c.toml:4:11",
            "would also allow ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384");
    refused(ciphers("ECDHE+AESGCM:NO-SUCH"), "c.toml:4:11", "'NO-SUCH' has no GnuTLS translation");
    refused(ciphers("ARIA:!aNULL"), "c.toml:4:11", "selects no suite that GnuTLS implements");
    translates(ciphers("CAMELLIA128-SHA256"), "-CIPHER-ALL:+CAMELLIA-128-CBC:-MAC-ALL:+SHA256:-KX-ALL:+RSA");
    // The operator's own GnuTLS string excuses it: the value is left out.
    Settings s = ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
    s.gnutls_priority = at(std::string(":-CIPHER-ALL:+AES-128-GCM"));
    translates(s, "-CIPHER-ALL:+AES-128-GCM");
}

TEST_CASE("ciphersuites join the one GnuTLS cipher list") {
    Settings s = ciphers("ECDHE+AESGCM");
    s.ciphersuites = at(std::string("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"));
    translates(s, "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA");
    s.ciphersuites = at(std::string("TLS_CHACHA20_POLY1305_SHA256"), "c.toml:5:16");
    refused(s, "c.toml:4:11", "would also allow ECDHE-ECDSA-CHACHA20-POLY1305");
    Settings alone;
    alone.ciphersuites = at(std::string("TLS_AES_256_GCM_SHA384"), "c.toml:5:16");
    refused(alone, "c.toml:5:16", "set ciphers beside it");
    alone.ciphersuites = at(std::string("TLS_AES_256_GCM_SHA385"), "c.toml:5:16");
    refused(alone, "c.toml:5:16", "'TLS_AES_256_GCM_SHA385' is not a TLS 1.3 suite");
}

TEST_CASE("the profiles translate, to their nearest GnuTLS product") {
    for (const char* name : {"modern", "intermediate", "old"}) {
        INFO(name);
        GnutlsTranslation t = translate_for_gnutls(*profile_settings(name, {"profile", "c.toml:2:11"}));
        CHECK(t.errors.empty());
        CHECK(t.tokens.find("-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1") != std::string::npos);
    }
    GnutlsTranslation old = translate_for_gnutls(*profile_settings("old", {"profile", ""}));
    CHECK(old.tokens.find("+VERS-TLS1.0") != std::string::npos);
    CHECK(old.tokens.find("%PROFILE_VERY_WEAK") != std::string::npos);
}

TEST_CASE("groups, signature algorithms, security level and options, one table each") {
    Settings s;
    s.groups = at(std::string("X25519:P-256:ffdhe2048"));
    s.signature_algorithms = at(std::string("ECDSA+SHA256:rsa_pss_rsae_sha256:ed25519"));
    s.security_level = at(2);
    s.options = at(std::vector<std::string>{"UnsafeLegacyServerConnect", "-SessionTicket", "-Compression"});
    translates(s, "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-FFDHE2048:-SIGN-ALL:+SIGN-ECDSA-SHA256:"
                  "+SIGN-ECDSA-SECP256R1-SHA256:+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-EdDSA-Ed25519:%PROFILE_MEDIUM:"
                  "%UNSAFE_RENEGOTIATION:%NO_TICKETS");
    Settings bad;
    bad.groups = at(std::string("X25519:brainpoolP256r1"), "c.toml:7:10");
    refused(bad, "c.toml:7:10", "groups 'X25519:brainpoolP256r1': 'brainpoolP256r1' has no GnuTLS equivalent");
    Settings option;
    option.options = at(std::vector<std::string>{"PrioritizeChaCha"}, "c.toml:8:11");
    refused(option, "c.toml:8:11", "'PrioritizeChaCha' has no GnuTLS equivalent");
    Settings level = ciphers("ECDHE+AESGCM:@SECLEVEL=0");
    CHECK(translate_for_gnutls(level).tokens.find("%PROFILE_VERY_WEAK") != std::string::npos);
    level.security_level = at(3);
    CHECK(translate_for_gnutls(level).tokens.find("%PROFILE_VERY_WEAK") == std::string::npos);
}

TEST_CASE("enforce appends; default goes after the program's first keyword; offsets map back") {
    std::string_view git = "NORMAL:-ARCFOUR-128:-VERS-SSL3.0";
    ComposedPriority e = compose_priority(git, "-VERS-TLS1.0", Mode::Enforce);
    CHECK(e.text == "NORMAL:-ARCFOUR-128:-VERS-SSL3.0:-VERS-TLS1.0");
    ComposedPriority d = compose_priority(git, "-VERS-TLS1.0", Mode::Default);
    CHECK(d.text == "NORMAL:-VERS-TLS1.0:-ARCFOUR-128:-VERS-SSL3.0");
    CHECK(d.program_offset(3) == 3);
    CHECK(d.program_offset(8) == std::nullopt);
    CHECK(d.program_offset(d.text.find("-ARCFOUR")) == git.find("-ARCFOUR"));
    CHECK(compose_priority("@SYSTEM", "+VERS-TLS1.2", Mode::Default).text == "@SYSTEM:+VERS-TLS1.2");
    CHECK(compose_priority("NORMAL", "", Mode::Enforce).text == "NORMAL");
}

TEST_CASE("record names as OpenSSL prints them") {
    CHECK(openssl_suite_name("ECDHE-RSA", "AES-128-GCM", "AEAD") == "ECDHE-RSA-AES128-GCM-SHA256");
    CHECK(openssl_suite_name("RSA", "AES-256-CBC", "SHA1") == "AES256-SHA");
    CHECK(openssl_suite_name("DHE-DSS", "AES-256-CBC", "SHA1").empty());
    CHECK(tls13_suite_name("CHACHA20-POLY1305") == "TLS_CHACHA20_POLY1305_SHA256");
    CHECK(openssl_group_name("SECP256R1") == "P-256");
    CHECK(openssl_group_name("X25519") == "X25519");
}

TEST_CASE("GnuTLS's failure wording gets the same hints (records lower-case GnuTLS's messages)") {
    auto hint = [](std::string reason) {
        HandshakeRecord r;
        r.reason = std::move(reason);
        return hint_for(r);
    };
    CHECK(hint("a packet with illegal or unsupported version was received.").find("no protocol version in common") == 0);
    CHECK(hint("no supported cipher suites have been found.").find("no cipher in common") == 0);
    CHECK(hint("error in the certificate verification.").find("certificate verification failed") == 0);
    CHECK(hint("error in the certificate.").find("certificate verification failed") == 0);
    CHECK(hint("safe renegotiation failed.").find("UnsafeLegacyServerConnect") != std::string::npos);
}

TEST_CASE("gnutls_priority has one name in the file, the environment and the run flag") {
    LoadedConfig loaded = parse_config("[policy]\ngnutls_priority = \"-VERS-TLS1.0\"\n", "c.toml");
    REQUIRE(loaded.errors.empty());
    REQUIRE(loaded.config.policy.gnutls_priority);
    CHECK(loaded.config.policy.gnutls_priority->value == "-VERS-TLS1.0");
    CHECK(loaded.config.policy.gnutls_priority->origin.location == "c.toml:2:19");
    Environment env = read_environment([](const char* name) -> const char* {
        return std::string_view(name) == "TLSOVERRIDE_GNUTLS_PRIORITY" ? "%NO_TICKETS" : nullptr;
    });
    REQUIRE(env.settings.gnutls_priority);
    CHECK(env.settings.gnutls_priority->value == "%NO_TICKETS");
    bool named = false;
    for_each_setting(env.settings, [&](const SettingName& n, const auto&) {
        if (n.key == "gnutls_priority") named = n.flag == "--gnutls-priority" && n.conf_command.empty();
    });
    CHECK(named);  // and no SSL_CONF command: the OpenSSL adapter skips it
}

// Stage 1's version gate (header-only, libc only): an unknown GnuTLS passes through.
#include "gnutls/symbols.hpp"

TEST_CASE("GnuTLS 3.6 and later within 3.x is governed; anything else passes through") {
    for (const char* yes : {"3.6.0", "3.7.9", "3.8.3", "3.10.1"}) CHECK_MESSAGE(gnutls_version_governed(yes), yes);
    for (const char* no : {"3.5.19", "3.4.0", "4.0.0", "2.12.23", "", "3", "3.x"})
        CHECK_MESSAGE(!gnutls_version_governed(no), no);
    CHECK(!gnutls_version_governed(nullptr));
}

TEST_CASE("ALL and HIGH take Camellia; DEFAULT, as in OpenSSL 3, does not") {
    CHECK(translate_for_gnutls(ciphers("ALL")).tokens.find("+CAMELLIA-128-CBC") != std::string::npos);
    CHECK(translate_for_gnutls(ciphers("HIGH")).tokens.find("+CAMELLIA-128-CBC") != std::string::npos);
    GnutlsTranslation d = translate_for_gnutls(ciphers("DEFAULT"));
    CHECK(d.errors.empty());
    CHECK(d.tokens.find("CAMELLIA") == std::string::npos);
}
