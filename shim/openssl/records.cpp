// One record per handshake, written from the info callback: who, what was
// negotiated, or why it failed (core/record.cpp words it and adds the hint).
#include <unistd.h>

#include "core/peer.hpp"
#include "openssl/engine.hpp"

namespace tlso {
namespace {

// The versions this side was willing to speak: its bounds, its method, its options.
void offered_versions(const OpenSsl& ssl, SSL* s, HandshakeRecord& r) {
    std::optional<Protocol> pinned = method_facts(ssl, ssl.SSL_get_ssl_method(s)).pinned;
    long min = ssl.real.SSL_ctrl(s, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
    long max = ssl.real.SSL_ctrl(s, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
    uint64_t options = ssl.SSL_get_options(s) & ssl.options_mask;
    for (Protocol p : all_protocols) {
        int v = openssl_version_of(p);
        bool on = (!pinned || *pinned == p) && (min == 0 || v >= min) && (max == 0 || v <= max) &&
                  !(options & no_version_option(p));
        if (!on) continue;
        if (!r.offered_low) r.offered_low = p;
        r.offered_high = p;
    }
    r.offered_versions = r.offered_low ? std::string(protocol_name(*r.offered_low)) + "-" +
                                             std::string(protocol_name(*r.offered_high))
                                       : "none";
}

// 1.1.1's negotiated group, from the peer's temporary key (the key share of TLS 1.3, the
// ECDHE key of TLS 1.2), in OpenSSL 3's names for it (SSL_group_to_name); empty for a
// finite-field or unknown key, or when 1.1.1's libcrypto lacks a function (symbols.hpp).
std::string group_of_peer_key(const OpenSsl& ssl, SSL* s) {
    const OpenSsl::PeerKey& k = ssl.peer_key_1_1_1;
    EVP_PKEY* key = nullptr;
    if (!k.complete() || ssl.real.SSL_ctrl(s, SSL_CTRL_GET_PEER_TMP_KEY, 0, &key) <= 0 || !key) return {};
    int nid = k.key_type(key);
    if (nid == EVP_PKEY_EC) {
        const EC_KEY* ec = k.EVP_PKEY_get0_EC_KEY(key);
        const EC_GROUP* group = ec ? k.EC_KEY_get0_group(ec) : nullptr;
        nid = group ? k.EC_GROUP_get_curve_name(group) : NID_undef;
    }
    k.EVP_PKEY_free(key);  // SSL_get_peer_tmp_key hands out a reference
    switch (nid) {
        case NID_X25519: return "x25519";
        case NID_X448: return "x448";
        case NID_X9_62_prime256v1: return "secp256r1";
        case NID_secp384r1: return "secp384r1";
        case NID_secp521r1: return "secp521r1";
        default: return {};
    }
}

// The connection's socket; for a program with its own BIO (curl), the connected TCP
// socket whose kernel byte count matches what the connection wrote (core/peer.hpp).
std::string peer_of(const Engine& e, SSL* s) {
    const OpenSsl& ssl = *e.ssl;
    if (int fd = ssl.SSL_get_fd(s); fd >= 0) return peer_of_socket(fd);
    std::optional<std::uint64_t> written;
    if (ssl.SSL_get_wbio && ssl.BIO_number_written)
        if (BIO* out = ssl.SSL_get_wbio(s)) written = ssl.BIO_number_written(out);
    SocketSearch found = find_connection_socket(written);
    if (found.fd >= 0) return peer_of_socket(found.fd);
    if (debug_on(e)) e.core.log.write(LogLevel::Debug, std::string("record: no peer address: ") + found.why);
    return {};
}

void record(Engine& e, SSL* s, ConnectionState& c, bool ok) {
    const OpenSsl& ssl = *e.ssl;
    c.recorded = true;
    HandshakeRecord r;
    r.time = rfc3339_now();
    r.program = e.core.program;
    r.pid = static_cast<int>(getpid());
    r.role = ssl.SSL_is_server(s) ? Role::Server : Role::Client;
    if (const char* sni = ssl.SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) r.sni = sni;
    r.peer = peer_of(e, s);
    r.ok = ok;
    if (ok) {
        r.version = ssl.SSL_get_version(s);
        if (const SSL_CIPHER* cipher = ssl.SSL_get_current_cipher(s)) r.cipher = ssl.SSL_CIPHER_get_name(cipher);
        if (ssl.SSL_group_to_name) {  // 3.x
            long group = ssl.real.SSL_ctrl(s, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, nullptr);
            if (group > 0)
                if (const char* name = ssl.SSL_group_to_name(s, static_cast<int>(group))) r.group = name;
        } else {
            r.group = group_of_peer_key(ssl, s);
        }
        r.resumed = ssl.SSL_session_reused(s);
    } else {
        r.alert = c.alert;
        r.alert_sent = c.alert_sent;
        if (unsigned long error = ssl.ERR_peek_last_error())
            if (const char* reason = ssl.ERR_reason_error_string(error)) r.reason = reason;
        // A client that does not verify still has a verify result: it matters only
        // when verification is why the handshake failed.
        long verify = ssl.SSL_get_verify_result(s);
        if (verify != X509_V_OK && r.reason.find("certificate verify failed") != std::string::npos)
            r.verify_error = ssl.X509_verify_cert_error_string(verify);
        offered_versions(ssl, s, r);
        r.offered_ciphers = ssl.OPENSSL_sk_num(reinterpret_cast<const OPENSSL_STACK*>(ssl.SSL_get_ciphers(s)));
    }
    std::optional<std::size_t> rule = c.decided ? c.rule : std::nullopt;
    if (!c.decided)
        if (const ContextState* st = e.state_of(ssl.SSL_get_SSL_CTX(s))) rule = st->rule;
    if (rule) r.rule = e.core.rules()[*rule].name;
    if (e.core.log.enabled(LogLevel::Error))
        e.core.log.write_record(e.core.log.format() == LogFormat::Json ? format_json(r) : format_text(r));
}

}  // namespace

void observe(Engine& e, SSL* s, int where, int ret) {
    const OpenSsl& ssl = *e.ssl;
    ConnectionState* c = e.connection_state(s);
    if (!c) return;
    if (where & SSL_CB_ALERT) {
        if (!c->recorded && (ret >> 8) == SSL3_AL_FATAL && c->alert.empty()) {
            c->alert = ssl.SSL_alert_desc_string_long(ret);
            c->alert_sent = where & SSL_CB_WRITE;
        }
        return;
    }
    if (where & SSL_CB_HANDSHAKE_START) {
        // A connection object reused (SSL_clear) or renegotiating: a new handshake, a new record.
        c->recorded = false;
        c->alert.clear();
    }
    if (c->recorded) return;
    if (where & SSL_CB_HANDSHAKE_DONE) record(e, s, *c, true);
    // An exit that is not a wait for the socket is a failed handshake. After a fatal
    // alert OpenSSL may still say it is reading, so the alert and the error queue count too.
    else if ((where & SSL_CB_EXIT) && ret <= 0 &&
             (!c->alert.empty() || ssl.SSL_want(s) == SSL_NOTHING || ssl.ERR_peek_last_error() != 0))
        record(e, s, *c, false);
}

}  // namespace tlso
