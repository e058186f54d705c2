// Mozilla's server-side TLS guidelines 5.7 as starting points.
#include <doctest/doctest.h>

#include "core/profiles.hpp"

using namespace tlso;

namespace {

const Origin origin{"profile test ([policy])", "c.toml:2:11"};

Settings profile(std::string_view name) {
    std::optional<Settings> s = profile_settings(name, origin);
    REQUIRE(s.has_value());
    return *s;
}

const std::string tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

}  // namespace

TEST_CASE("profiles follow Mozilla's guidelines version 5.7") { CHECK(mozilla_guidelines_version == "5.7"); }

TEST_CASE("modern allows TLSv1.3 only and names no TLS 1.2 ciphers") {
    Settings s = profile("modern");
    CHECK(s.min_protocol->value == Protocol::TLSv1_3);
    CHECK_FALSE(s.max_protocol.has_value());
    CHECK_FALSE(s.ciphers.has_value());
    CHECK_FALSE(s.security_level.has_value());
    CHECK(s.ciphersuites->value == tls13_suites);
    CHECK(s.groups->value == "X25519:prime256v1:secp384r1");
}

TEST_CASE("intermediate starts at TLSv1.2 with the 5.7 cipher string") {
    Settings s = profile("intermediate");
    CHECK(s.min_protocol->value == Protocol::TLSv1_2);
    CHECK_FALSE(s.max_protocol.has_value());
    CHECK(s.ciphers->value ==
          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384");
    CHECK(s.ciphersuites->value == tls13_suites);
    CHECK(s.groups->value == "X25519:prime256v1:secp384r1");
    CHECK_FALSE(s.security_level.has_value());
}

TEST_CASE("old starts at TLSv1 with security level 0 so OpenSSL 3 can reach TLSv1 peers") {
    Settings s = profile("old");
    CHECK(s.min_protocol->value == Protocol::TLSv1);
    CHECK(s.security_level->value == 0);
    CHECK(s.ciphers->value ==
          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:"
          "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
          "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
          "DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:"
          "AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA");
    CHECK(s.ciphersuites->value == tls13_suites);
    CHECK(s.groups->value == "X25519:prime256v1:secp384r1");
    CHECK(weakens_security(s));
}

TEST_CASE("every value of a profile carries the origin it was given") {
    for (const char* name : {"modern", "intermediate", "old"}) {
        INFO(name);
        Settings s = profile(name);
        for_each_setting(s, [&](const SettingName& setting, const auto& field) {
            INFO(setting.key);
            if (field) {
                CHECK(field->origin.source == origin.source);
                CHECK(field->origin.location == origin.location);
            }
        });
    }
}

TEST_CASE("an unknown profile name gives nothing") {
    for (const char* name : {"", "paranoid", "Modern", "mozilla-modern", "intermediate "}) {
        INFO("name: '", name, "'");
        CHECK_FALSE(profile_settings(name, origin).has_value());
    }
}
