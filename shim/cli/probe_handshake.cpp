// One TLS handshake against the probed server. See probe_handshake.hpp.
#include "probe_handshake.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace tlso::probe {

std::string_view version_name(Version version) {
    constexpr std::array<std::string_view, 4> names{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    return names[index_of(version)];
}

const std::array<Group, 10> probed_groups{{
    {"X25519", NID_X25519, true},
    {"P-256", NID_X9_62_prime256v1, true},
    {"X448", NID_X448, true},
    {"P-521", NID_secp521r1, true},
    {"P-384", NID_secp384r1, true},
    {"ffdhe2048", NID_ffdhe2048, false},
    {"ffdhe3072", NID_ffdhe3072, false},
    {"ffdhe4096", NID_ffdhe4096, false},
    {"ffdhe6144", NID_ffdhe6144, false},
    {"ffdhe8192", NID_ffdhe8192, false},
}};

std::string group_name(int nid) {
    for (const Group& group : probed_groups)
        if (group.nid == nid) return group.name;
    const char* name = OBJ_nid2sn(nid);
    return name ? name : "group " + std::to_string(nid);
}

int openssl_version(Version version) {
    constexpr std::array<int, 4> versions{TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
    return versions[index_of(version)];
}

namespace {

std::optional<Version> version_of(int openssl_number) {
    for (Version version : all_versions)
        if (openssl_version(version) == openssl_number) return version;
    return std::nullopt;
}

struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using Ssl = std::unique_ptr<SSL, SslDeleter>;

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { close(fd_); }
    int fd() const { return fd_; }

private:
    int fd_;
};

// What the server put on the wire, seen through SSL_set_msg_callback(): enough to
// tell a server that speaks no TLS from one that turned this offer down.
struct Wire {
    std::string first_header;  // the first record header read, 5 bytes
    bool spoke_tls = false;    // that header is a TLS record's
    int alert = -1;            // the description of an alert the server sent
};

// A TLS record starts with its content type, 20 (change_cipher_spec) to 24
// (heartbeat), then major version 3.
bool is_tls_record_header(const unsigned char* header) {
    return header[0] >= 20 && header[0] <= 24 && header[1] == 3;
}

// OpenSSL 3.0 reports each record header (SSL3_RT_HEADER) before it checks the
// header, so a server answering "SSH-2.0-..." is seen here before "wrong version number".
void watch_wire(int write_p, int, int content_type, const void* buf, size_t len, SSL*, void* arg) {
    if (write_p) return;
    Wire& wire = *static_cast<Wire*>(arg);
    const auto* bytes = static_cast<const unsigned char*>(buf);
    if (content_type == SSL3_RT_HEADER && len >= 5 && wire.first_header.empty()) {
        wire.first_header.assign(static_cast<const char*>(buf), 5);
        wire.spoke_tls = is_tls_record_header(bytes);
    } else if (content_type == SSL3_RT_ALERT && len >= 2) {
        wire.alert = bytes[1];
    }
}

bool apply(const Offer& offer, SSL* ssl) {
    if (offer.only) {
        int version = openssl_version(*offer.only);
        if (!SSL_set_min_proto_version(ssl, version) || !SSL_set_max_proto_version(ssl, version)) return false;
    }
    if (!offer.ciphers.empty() && !SSL_set_cipher_list(ssl, offer.ciphers.c_str())) return false;
    if (!offer.ciphersuites.empty() && !SSL_set_ciphersuites(ssl, offer.ciphersuites.c_str())) return false;
    return offer.groups.empty() || SSL_set1_groups_list(ssl, offer.groups.c_str());
}

Handshake failed(Failure failure, std::string reason) {
    Handshake handshake;
    handshake.failure = failure;
    handshake.reason = std::move(reason);
    return handshake;
}

// The earliest error on this thread's OpenSSL queue: the cause, not its consequences.
std::string openssl_reason() {
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    return reason ? reason : "no reason given by OpenSSL";
}

// The start of a non-TLS answer, for the error line: one line of printable text.
std::string printable_start(std::string bytes, int fd) {
    char more[64];
    ssize_t got = recv(fd, more, sizeof more, MSG_DONTWAIT);  // the rest of the line, if it has arrived
    if (got > 0) bytes.append(more, static_cast<std::size_t>(got));
    std::string text;
    for (char c : bytes) {
        if (c == '\r' || c == '\n' || text.size() >= 40) break;
        text += (c >= 0x20 && c < 0x7f) ? c : '.';
    }
    return text;
}

Handshake classify_failure(int ssl_error, int saved_errno, const Wire& wire, int fd) {
    if (wire.alert >= 0)
        return failed(Failure::Rejected, std::string("the server sent alert \"") + SSL_alert_desc_string_long(wire.alert) + "\"");
    if (!wire.first_header.empty() && !wire.spoke_tls) {
        Handshake handshake = failed(Failure::NotTls, "the answer is not a TLS record");
        handshake.sent_instead = printable_start(wire.first_header, fd);
        return handshake;
    }
    if (ssl_error == SSL_ERROR_SYSCALL && saved_errno != 0)  // a reset, or EPIPE writing to a closed connection
        return failed(Failure::Closed, std::strerror(saved_errno));
    if (ssl_error == SSL_ERROR_SYSCALL || ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return failed(Failure::Closed, wire.first_header.empty() ? "before answering the ClientHello" : "part-way through its answer");
    return failed(Failure::Rejected, openssl_reason());
}

std::string name_text(const X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return text;
}

std::string iso_time(const ASN1_TIME* time) {
    std::tm parts{};
    char text[32] = "";
    if (ASN1_TIME_to_tm(time, &parts)) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

Certificate summarize(X509* certificate) {
    Certificate summary;
    summary.subject = name_text(X509_get_subject_name(certificate));
    summary.issuer = name_text(X509_get_issuer_name(certificate));
    if (EVP_PKEY* key = X509_get0_pubkey(certificate)) {
        const char* type = EVP_PKEY_get0_type_name(key);
        summary.key_type = type ? type : "unknown";
        summary.key_bits = EVP_PKEY_get_bits(key);
        char curve[80];
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(key, curve, sizeof curve, &length)) summary.key_curve = curve;
    }
    summary.signature = OBJ_nid2ln(X509_get_signature_nid(certificate));
    summary.not_after = iso_time(X509_get0_notAfter(certificate));
    return summary;
}

Handshake describe_success(SSL* ssl) {
    Handshake handshake;
    handshake.version = version_of(SSL_version(ssl));
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    handshake.cipher = SSL_CIPHER_get_name(cipher);
    handshake.cipher_bits = SSL_CIPHER_get_bits(cipher, nullptr);
    handshake.group = static_cast<int>(SSL_get_negotiated_group(ssl));
    handshake.secure_renegotiation = SSL_get_secure_renegotiation_support(ssl) == 1;
    if (X509* certificate = SSL_get0_peer_certificate(ssl)) handshake.certificate = summarize(certificate);
    SSL_shutdown(ssl);  // sends close_notify; the answer is not worth waiting for
    return handshake;
}

// Drives a non-blocking SSL_connect() with poll(), so one deadline bounds the whole
// handshake however slowly the server dribbles its bytes.
Handshake finish_handshake(SSL* ssl, int fd, Deadline deadline, const Wire& wire) {
    for (;;) {
        ERR_clear_error();
        int status = SSL_connect(ssl);
        int saved_errno = errno;
        if (status == 1) return describe_success(ssl);
        int error = SSL_get_error(ssl, status);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE)
            return classify_failure(error, saved_errno, wire, fd);
        if (!wait_until_ready(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
            return failed(Failure::TimedOut, wire.first_header.empty() ? "no answer to the ClientHello" : "the handshake stalled");
    }
}

}  // namespace

Handshake Server::handshake(SSL_CTX* context, const Offer& offer) {
    ++handshakes_;
    Deadline deadline = Clock::now() + timeout_;
    Connection connection = connect_before(address_, deadline);
    if (connection.fd < 0)
        return failed(connection.timed_out ? Failure::TimedOut : Failure::CannotConnect, connection.error);
    Socket socket(connection.fd);

    Ssl ssl(SSL_new(context));
    if (!ssl || !apply(offer, ssl.get()) || !SSL_set_fd(ssl.get(), socket.fd()) ||
        (!sni_.empty() && !SSL_set_tlsext_host_name(ssl.get(), sni_.c_str())))
        return failed(Failure::Rejected, "OpenSSL refused the offer: " + openssl_reason());
    Wire wire;
    SSL_set_msg_callback(ssl.get(), watch_wire);
    SSL_set_msg_callback_arg(ssl.get(), &wire);
    return finish_handshake(ssl.get(), socket.fd(), deadline, wire);
}

}  // namespace tlso::probe
