// The OpenSSL adapter against a fake table: the engine takes its state and the table
// explicitly, so its translation of the core's decisions into calls can be checked
// without a TLS library. A connection here is a struct the fake functions read and write.
#include <doctest/doctest.h>

#include "openssl/engine.hpp"

using namespace tlso;

namespace {

struct FakeConnection {
    long min = 0, max = 0;
    uint64_t options = 0;
    int level = 1;
    ContextState* context_state = nullptr;
};

SSL* as_ssl(FakeConnection& c) { return reinterpret_cast<SSL*>(&c); }
FakeConnection& of(const SSL* s) { return *reinterpret_cast<FakeConnection*>(const_cast<SSL*>(s)); }

long fake_ctrl(SSL* s, int cmd, long larg, void*) {
    switch (cmd) {
        case SSL_CTRL_GET_MIN_PROTO_VERSION: return of(s).min;
        case SSL_CTRL_GET_MAX_PROTO_VERSION: return of(s).max;
        case SSL_CTRL_SET_MIN_PROTO_VERSION: of(s).min = larg; return 1;
        case SSL_CTRL_SET_MAX_PROTO_VERSION: of(s).max = larg; return 1;
        default: return 0;
    }
}
uint64_t fake_get_options(const SSL* s) { return of(s).options; }
uint64_t fake_set_options(SSL* s, uint64_t op) { return of(s).options |= op; }
uint64_t fake_clear_options(SSL* s, uint64_t op) { return of(s).options &= ~op; }
int fake_get_level(const SSL* s) { return of(s).level; }
void fake_set_level(SSL* s, int level) { of(s).level = level; }
SSL_CTX* fake_ctx_of(const SSL* s) { return reinterpret_cast<SSL_CTX*>(const_cast<SSL*>(s)); }
void* fake_ctx_ex_data(const SSL_CTX* ctx, int) { return reinterpret_cast<const FakeConnection*>(ctx)->context_state; }
void* fake_ex_data(const SSL*, int) { return nullptr; }

OpenSsl fake_table() {
    OpenSsl t;
    t.real.SSL_ctrl = fake_ctrl;
    t.SSL_get_options = fake_get_options;
    t.real.SSL_set_options = fake_set_options;
    t.real.SSL_clear_options = fake_clear_options;
    t.SSL_get_security_level = fake_get_level;
    t.real.SSL_set_security_level = fake_set_level;
    t.SSL_get_SSL_CTX = fake_ctx_of;
    t.SSL_CTX_get_ex_data = fake_ctx_ex_data;
    t.SSL_get_ex_data = fake_ex_data;
    t.abi = OpenSslAbi::V3;
    return t;
}

void enter() noexcept {}
void leave() noexcept {}

template <class T>
Setting<T> from(T value) {
    return Sourced<T>{std::move(value), {"[policy]", "c.toml:2:1"}};
}

}  // namespace

TEST_CASE("the enforce backstop puts back what slipped past the setters, with the table's calls") {
    const OpenSsl table = fake_table();
    Stage1 stage1{&table, enter, leave};
    Process process;
    process.mode = Mode::Enforce;
    process.log.open(LogLevel::Off, LogFormat::Text, "", "test");
    Engine e(process, &stage1);

    Settings policy;
    policy.min_protocol = from(Protocol::TLSv1_2);
    policy.security_level = from(2);
    ContextState state{&policy, std::nullopt, Role::Client};

    struct Case {
        const char* what;
        FakeConnection before;
        long min, max;
        uint64_t options;
        int level;
    };
    const Case cases[] = {
        {"SSL_CONF's MaxProtocol below the floor: the bound goes, the floor stays",
         {TLS1_2_VERSION, TLS1_1_VERSION, 0, 2}, TLS1_2_VERSION, 0, 0, 2},
        {"an unknown minimum (SSL3_VERSION) becomes the policy's", {SSL3_VERSION, 0, 0, 2}, TLS1_2_VERSION, 0, 0, 2},
        {"versions inside the range switched off by options come back on",
         {TLS1_2_VERSION, 0, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3 | SSL_OP_NO_TLSv1, 2}, TLS1_2_VERSION, 0,
         SSL_OP_NO_TLSv1, 2},
        {"a cipher string's @SECLEVEL=0 is undone", {TLS1_2_VERSION, 0, 0, 0}, TLS1_2_VERSION, 0, 0, 2},
        {"a program maximum inside the range stays the program's", {TLS1_2_VERSION, TLS1_2_VERSION, 0, 2}, TLS1_2_VERSION,
         TLS1_2_VERSION, 0, 2},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        FakeConnection conn = c.before;
        conn.context_state = &state;
        enforce_at_handshake_start(e, as_ssl(conn));
        CHECK(conn.min == c.min);
        CHECK(conn.max == c.max);
        CHECK(conn.options == c.options);
        CHECK(conn.level == c.level);
    }

    SUBCASE("default mode: the backstop does nothing") {
        process.mode = Mode::Default;
        FakeConnection conn{SSL3_VERSION, TLS1_1_VERSION, SSL_OP_NO_TLSv1_2, 0, &state};
        enforce_at_handshake_start(e, as_ssl(conn));
        CHECK(conn.min == SSL3_VERSION);
        CHECK(conn.max == TLS1_1_VERSION);
        CHECK(conn.level == 0);
    }
}
