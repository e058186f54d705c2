// Secure execution (setuid, setgid, file capabilities): the library's lookup is
// secure_getenv, which returns null for everything there. These tests drive the same
// loader with such a lookup while the real environment holds hostile values.
// tests/e2e/security.sh runs a real setuid process when the machine allows it.
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "core/process_config.hpp"

using namespace tlso;

namespace {

// What secure_getenv answers in a secure-execution process.
const char* sees_nothing(const char*) { return nullptr; }

// The environment an attacker would leave for a setuid program, removed again afterwards.
struct HostileEnvironment {
    explicit HostileEnvironment(const std::string& config) {
        setenv("TLSOVERRIDE_CONFIG", config.c_str(), 1);
        setenv("TLSOVERRIDE_MIN_PROTOCOL", "TLSv1", 1);
        setenv("TLSOVERRIDE_SECURITY_LEVEL", "0", 1);
        setenv("TLSOVERRIDE_CIPHERS", "ALL:@SECLEVEL=0", 1);
        setenv("TLSOVERRIDE_MODE", "not-a-mode", 1);
        setenv("TLSOVERRIDE_ON_ERROR", "ignore", 1);
        setenv("TLSOVERRIDE_LOG_FILE", "/tmp/planted", 1);
    }
    ~HostileEnvironment() {
        for (const char* v : {"TLSOVERRIDE_CONFIG", "TLSOVERRIDE_MIN_PROTOCOL", "TLSOVERRIDE_SECURITY_LEVEL",
                              "TLSOVERRIDE_CIPHERS", "TLSOVERRIDE_MODE", "TLSOVERRIDE_ON_ERROR", "TLSOVERRIDE_LOG_FILE"})
            unsetenv(v);
    }
    HostileEnvironment(const HostileEnvironment&) = delete;
    HostileEnvironment& operator=(const HostileEnvironment&) = delete;
};

}  // namespace

TEST_CASE("secure execution: no TLSOVERRIDE_ variable is read") {
    TempDir dir;
    HostileEnvironment env(dir.write("planted.toml", "[policy]\nmin_protocol = \"TLSv1\"\n"));
    Environment e = read_environment(sees_nothing);
    CHECK(e.settings.empty());
    CHECK_FALSE(e.process.mode);
    CHECK_FALSE(e.process.on_error);
    CHECK_FALSE(e.process.log_file);
    CHECK(e.config_path == nullptr);
    CHECK(e.errors.empty());  // not even the bad mode is looked at
}

TEST_CASE("secure execution: only the file under /etc is a candidate, never TLSOVERRIDE_CONFIG") {
    TempDir dir;
    std::string planted = dir.write("planted.toml", "[policy]\nmin_protocol = \"TLSv1\"\n");
    HostileEnvironment env(planted);
    ProcessConfig pc = load_process_config(sees_nothing);
    CHECK(pc.path != planted);
    CHECK(pc.path == (access(default_config_path, F_OK) == 0 ? std::string(default_config_path) : std::string()));
    CHECK(pc.environment.settings.empty());
    CHECK_FALSE(pc.process.on_error);
    CHECK_FALSE(pc.process.log_file);
    if (pc.path.empty()) {
        CHECK(pc.errors.empty());
        REQUIRE(pc.layers.size() == 1);
        CHECK(pc.layer(std::nullopt).empty());  // left to the program, not weakened
    }
}

TEST_CASE("secure execution: the file's settings stand, the environment's do not override them") {
    TempDir dir;
    HostileEnvironment env(dir.write("planted.toml", "[policy]\nmin_protocol = \"TLSv1\"\n"));
    // Stands in for /etc/tlsoverride/config.toml, which a unit test may not write.
    std::string etc = dir.write("etc.toml", "mode = \"enforce\"\n[policy]\nmin_protocol = \"TLSv1.2\"\n");
    ProcessConfig pc = load_process_config(sees_nothing, etc);
    CHECK(pc.errors.empty());
    CHECK(pc.path == etc);
    const Settings& s = pc.layer(std::nullopt);
    REQUIRE(s.min_protocol);
    CHECK(s.min_protocol->value == Protocol::TLSv1_2);
    CHECK(s.min_protocol->origin.source == "[policy]");
    CHECK_FALSE(s.security_level);
    CHECK_FALSE(s.ciphers);
    CHECK_FALSE(weakens_security(s));
    REQUIRE(pc.process.mode);
    CHECK(pc.process.mode->value == Mode::Enforce);
}

TEST_CASE("outside secure execution the same lookup, secure_getenv, does see the environment") {
    // The contrast to the tests above: what a setuid process is protected from.
    TempDir dir;
    std::string planted = dir.write("planted.toml", "[policy]\nmin_protocol = \"TLSv1.2\"\n");
    HostileEnvironment env(planted);
    REQUIRE(secure_getenv("TLSOVERRIDE_MIN_PROTOCOL") != nullptr);  // this test process is not setuid
    ProcessConfig pc = load_process_config([](const char* name) { return secure_getenv(name); });
    CHECK(pc.path == planted);
    REQUIRE(pc.layer(std::nullopt).min_protocol);
    CHECK(pc.layer(std::nullopt).min_protocol->value == Protocol::TLSv1);
    CHECK(pc.layer(std::nullopt).min_protocol->origin.source == "environment");
    CHECK_FALSE(pc.errors.empty());  // the bad TLSOVERRIDE_MODE
}
