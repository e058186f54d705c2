// The scan. See probe_scan.hpp.
#include "probe_scan.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <stdexcept>
#include <thread>

namespace tlso::probe {

std::optional<Version> Findings::lowest() const {
    for (Version version : all_versions)
        if (at(version).accepted()) return version;
    return std::nullopt;
}

std::optional<Version> Findings::highest() const {
    std::optional<Version> found;
    for (Version version : all_versions)
        if (at(version).accepted()) found = version;
    return found;
}

std::optional<bool> Findings::secure_renegotiation() const {
    for (Version version : {Version::TLSv1_2, Version::TLSv1_1, Version::TLSv1})
        if (at(version).accepted()) return at(version).first.secure_renegotiation;
    return std::nullopt;
}

const std::optional<Certificate>& Findings::certificate() const {
    static const std::optional<Certificate> none;
    auto version = highest();
    return version ? at(*version).first.certificate : none;
}

namespace {

constexpr const char* every_tls13_suite =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ":") + name;
    return text;
}

std::string all_group_names() {
    std::vector<std::string> names;
    for (const Group& group : probed_groups) names.emplace_back(group.name);
    return joined(names);
}

// The probe's own client: everything OpenSSL can offer. Security level 0 because
// OpenSSL 3 refuses TLSv1, TLSv1.1 and SHA-1 signatures above it, and
// LEGACY_SERVER_CONNECT because it refuses servers without RFC 5746 otherwise:
// the probe has to reach such servers to report them.
Context make_probe_context() {
    Context context(SSL_CTX_new(TLS_client_method()));
    if (!context) throw std::runtime_error("cannot create an OpenSSL context");
    SSL_CTX_set_security_level(context.get(), 0);
    SSL_CTX_set_options(context.get(), SSL_OP_LEGACY_SERVER_CONNECT);
    if (!SSL_CTX_set_cipher_list(context.get(), "ALL:COMPLEMENTOFALL") ||
        !SSL_CTX_set_ciphersuites(context.get(), every_tls13_suite) ||
        !SSL_CTX_set1_groups_list(context.get(), all_group_names().c_str()))
        throw std::runtime_error("OpenSSL rejects the probe's cipher or group lists");
    return context;
}

Context make_default_context() {
    Context context(SSL_CTX_new(TLS_client_method()));
    if (!context) throw std::runtime_error("cannot create an OpenSSL context");
    return context;
}

// What the context puts in a ClientHello for `version`, in its order:
// SSL_get1_supported_ciphers() applies the version and the security level.
std::vector<std::string> offerable_ciphers(SSL_CTX* context, Version version) {
    std::vector<std::string> names;
    SSL* ssl = SSL_new(context);
    if (!ssl) return names;
    SSL_set_min_proto_version(ssl, openssl_version(version));
    SSL_set_max_proto_version(ssl, openssl_version(version));
    if (STACK_OF(SSL_CIPHER)* ciphers = SSL_get1_supported_ciphers(ssl)) {
        for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) names.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
        sk_SSL_CIPHER_free(ciphers);
    }
    SSL_free(ssl);
    return names;
}

// Exactly these ciphers at this version: TLSv1.3 names its suites separately.
Offer offer_of(Version version, const std::vector<std::string>& ciphers) {
    std::string list = joined(ciphers);
    if (version == Version::TLSv1_3) return Offer{version, "", list, ""};
    return Offer{version, list, "", ""};
}

// Offered the accepted list in reverse, a server that follows the client picks the
// last; one that enforces its own order picks its first again.
bool enforces_own_order(Server& server, SSL_CTX* context, Version version, const std::vector<Cipher>& accepted) {
    if (accepted.size() < 2) return false;
    std::vector<std::string> reversed;
    for (auto cipher = accepted.rbegin(); cipher != accepted.rend(); ++cipher) reversed.push_back(cipher->name);
    Handshake handshake = server.handshake(context, offer_of(version, reversed));
    return handshake.connected() && handshake.cipher == accepted.front().name;
}

// sslscan's method: N accepted ciphers take N + 1 handshakes, one after the other,
// since each offer depends on the previous answer. findings.first is the first step.
void list_ciphers(Server& server, SSL_CTX* context, Version version, VersionFindings& findings) {
    std::vector<std::string> remaining = offerable_ciphers(context, version);
    Handshake handshake = findings.first;
    while (handshake.connected()) {
        // A choice that was not offered would repeat forever: stop at it.
        if (std::erase(remaining, handshake.cipher) == 0) break;
        findings.ciphers.push_back({handshake.cipher, handshake.cipher_bits});
        if (remaining.empty()) break;
        handshake = server.handshake(context, offer_of(version, remaining));
    }
    findings.server_order = enforces_own_order(server, context, version, findings.ciphers);
}

// Up to TLSv1.2 a group only matters to ECDHE; offering nothing else keeps the server
// from connecting without the group (RSA key exchange, or DHE with its own parameters).
Offer group_offer(Version version, const std::string& groups) {
    return Offer{version, version == Version::TLSv1_3 ? "" : "ECDHE", "", groups};
}

bool accepts_group(Server& server, SSL_CTX* context, Version version, const Group& group) {
    Handshake handshake = server.handshake(context, group_offer(version, group.name));
    return handshake.connected() && handshake.group == group.nid;
}

// One unit of the scan's work, and what the progress line calls it.
struct Task {
    std::string what;  // "testing TLSv1.1"
    std::function<void()> run;
};

// Runs the tasks, at most `jobs` at a time, on the caller's thread and helpers, and
// returns when all are done. Each task writes only its own slot of the findings.
void run_concurrently(const std::vector<Task>& tasks, int jobs, Progress& progress) {
    progress.step(static_cast<int>(tasks.size()));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t task; (task = next++) < tasks.size();) {
            progress.started(tasks[task].what);
            tasks[task].run();
            progress.finished();
        }
    };
    std::size_t workers = std::min(tasks.size(), static_cast<std::size_t>(std::max(jobs, 1)));
    std::vector<std::jthread> helpers;
    for (std::size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
    work();
}

// Phase one: each version with everything offered, and OpenSSL's defaults.
void find_versions(Server& server, SSL_CTX* probe, SSL_CTX* defaults, Findings& findings, int jobs, Progress& progress) {
    std::vector<Task> tasks;
    for (Version version : all_versions)
        tasks.push_back({"testing " + std::string(version_name(version)), [&, version] {
                             findings.versions[index_of(version)].first = server.handshake(probe, Offer{version, "", "", ""});
                         }});
    tasks.push_back({"testing OpenSSL 3's defaults", [&] { findings.default_client = server.handshake(defaults, Offer{}); }});
    run_concurrently(tasks, jobs, progress);
}

// The group the server picks from all of them. At TLSv1.3 the first handshake offered
// them all already; below, it may have chosen a cipher without ECDHE.
void find_preferred_group(Server& server, SSL_CTX* probe, Version highest, Findings& findings) {
    int group = findings.at(highest).first.group;
    if (highest != Version::TLSv1_3) group = server.handshake(probe, group_offer(highest, all_group_names())).group;
    if (group) findings.preferred_group = group_name(group);
}

// One task per group worth trying at `highest`. probed_groups ends with the largest
// finite-field groups, the costliest handshakes for both sides: their tasks go first
// so that they overlap the cheap ones instead of finishing last.
void add_group_tasks(Server& server, SSL_CTX* probe, Version highest, Findings& findings, std::vector<Task>& tasks) {
    findings.groups.reserve(probed_groups.size());  // the tasks hold references into it
    std::size_t first = tasks.size();
    for (const Group& group : probed_groups) {
        if (highest != Version::TLSv1_3 && !group.before_tls13) continue;
        GroupFinding& finding = findings.groups.emplace_back(GroupFinding{group.name, false});
        tasks.push_back({"testing group " + std::string(group.name),
                         [&, probe, highest] { finding.accepted = accepts_group(server, probe, highest, group); }});
    }
    std::reverse(tasks.begin() + static_cast<std::ptrdiff_t>(first), tasks.end());
}

// Phase two: the cipher lists (the longest chains of work), the preferred group, each group.
void find_ciphers_and_groups(Server& server, SSL_CTX* probe, Findings& findings, int jobs, Progress& progress) {
    std::vector<Task> tasks;
    for (Version version : all_versions)
        if (findings.at(version).accepted())
            tasks.push_back({"testing " + std::string(version_name(version)) + " ciphers",
                             [&, version] { list_ciphers(server, probe, version, findings.versions[index_of(version)]); }});
    Version highest = *findings.highest();
    tasks.push_back({"testing the preferred group", [&] { find_preferred_group(server, probe, highest, findings); }});
    add_group_tasks(server, probe, highest, findings, tasks);
    run_concurrently(tasks, jobs, progress);
}

}  // namespace

Findings scan(Server& server, int jobs, Progress& progress) {
    Context probe = make_probe_context();
    Context defaults = make_default_context();
    Findings findings;
    find_versions(server, probe.get(), defaults.get(), findings, jobs, progress);
    if (findings.highest()) find_ciphers_and_groups(server, probe.get(), findings, jobs, progress);
    return findings;
}

Findings scan(Server& server, int jobs) {
    Progress none(false);
    return scan(server, jobs, none);
}

Handshake why_nothing_was_accepted(const Findings& findings) {
    constexpr std::array precedence{Failure::Rejected, Failure::NotTls, Failure::Closed, Failure::TimedOut};
    for (Failure failure : precedence)
        for (const VersionFindings& version : findings.versions)
            if (version.first.failure == failure) return version.first;
    return findings.versions.back().first;
}

std::vector<std::string> default_cipher_names() {
    std::vector<std::string> names;
    Context context = make_default_context();
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(context.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) names.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
    return names;
}

std::vector<std::string> default_offer(Version version) {
    Context context = make_default_context();
    return offerable_ciphers(context.get(), version);
}

}  // namespace tlso::probe
