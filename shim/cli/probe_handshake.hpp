// One TLS handshake against the probed server, and what it tells: the version,
// cipher and group the server chose, its certificate, or why it failed, sorted into
// the kinds of failure the probe reports differently.
#pragma once

#include "probe_target.hpp"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tlso::probe {

enum class Version { TLSv1, TLSv1_1, TLSv1_2, TLSv1_3 };
inline constexpr std::array all_versions{Version::TLSv1, Version::TLSv1_1, Version::TLSv1_2, Version::TLSv1_3};

std::string_view version_name(Version version);  // "TLSv1.2", the config file's spelling
inline std::size_t index_of(Version version) { return static_cast<std::size_t>(version); }
int openssl_version(Version version);            // TLS1_2_VERSION

struct ContextDeleter {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using Context = std::unique_ptr<SSL_CTX, ContextDeleter>;

// What one ClientHello offers on top of its context. Unset fields keep the context's.
struct Offer {
    std::optional<Version> only;  // offer exactly this version
    std::string ciphers;          // TLSv1.2 and below, OpenSSL names joined by ':'
    std::string ciphersuites;     // TLSv1.3
    std::string groups;
};

enum class Failure {
    None,
    CannotConnect,  // TCP: refused, unreachable
    TimedOut,       // TCP or TLS: nothing within the timeout
    NotTls,         // the server sent bytes that are not a TLS record
    Closed,         // the server closed (or reset) the connection mid-handshake
    Rejected,       // TLS was spoken but this offer failed: an alert, no shared cipher
};

struct Certificate {
    std::string subject, issuer;  // RFC 2253, "CN=localhost"
    std::string key_type;         // "RSA", "EC", "ED25519"
    int key_bits = 0;
    std::string key_curve;        // an EC key's curve, "prime256v1"; empty for others
    std::string signature;        // "sha256WithRSAEncryption"
    std::string not_after;        // "2035-06-01T12:00:00Z"
};

struct Handshake {
    Failure failure = Failure::None;
    std::string reason;       // on failure: OpenSSL's reason, the alert, or errno's text
    std::string sent_instead; // NotTls: the start of what the server sent, printable
    std::optional<Version> version;
    std::string cipher;       // OpenSSL name
    int cipher_bits = 0;
    int group = 0;            // NID of the key-exchange group, 0 when none (RSA key exchange)
    bool secure_renegotiation = false;  // RFC 5746, meaningful up to TLSv1.2
    std::optional<Certificate> certificate;

    bool connected() const { return failure == Failure::None; }
};

// The server under probe: one address, one server name, one timeout per handshake.
// handshake() is safe to call from many threads at once.
class Server {
public:
    Server(Address address, std::string sni, std::chrono::milliseconds timeout)
        : address_(std::move(address)), sni_(std::move(sni)), timeout_(timeout) {}

    Handshake handshake(SSL_CTX* context, const Offer& offer);

    int handshakes() const { return handshakes_.load(); }

private:
    Address address_;
    std::string sni_;  // empty: send none
    std::chrono::milliseconds timeout_;
    std::atomic<int> handshakes_{0};
};

// A key-exchange group as OpenSSL's groups list names it, and its NID, which is what
// SSL_get_negotiated_group() reports.
struct Group {
    const char* name;
    int nid;
    bool before_tls13;  // usable by name up to TLSv1.2: OpenSSL 3.0 names only EC groups there
};

// The groups the probe tries one at a time. Together, in this order (OpenSSL 3's
// default order), they are what every other probe handshake offers.
extern const std::array<Group, 10> probed_groups;

// "X25519", "P-256", ..., or OpenSSL's short name for a group not in probed_groups.
std::string group_name(int nid);

}  // namespace tlso::probe
