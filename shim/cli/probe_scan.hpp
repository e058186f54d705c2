// The scan: which versions, ciphers and groups the server accepts, found with
// concurrent handshakes. The cipher order uses sslscan's method: offer everything,
// note the server's choice, offer everything but that, repeat until it refuses.
#pragma once

#include "probe_handshake.hpp"
#include "probe_progress.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace tlso::probe {

struct Cipher {
    std::string name;  // OpenSSL's name ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256")
    int bits = 0;
};

struct VersionFindings {
    Handshake first;              // offering every cipher the probe has for this version
    std::vector<Cipher> ciphers;  // accepted; in the server's order when server_order
    bool server_order = false;    // the server chooses by its own order, not the client's

    bool accepted() const { return first.connected(); }
};

struct GroupFinding {
    std::string name;
    bool accepted = false;
};

struct Findings {
    std::array<VersionFindings, 4> versions;  // indexed by index_of(Version)
    std::vector<GroupFinding> groups;         // each offered alone at the highest version (EC only below TLSv1.3)
    std::string preferred_group;              // chosen when offered all; empty for none
    Handshake default_client;                 // OpenSSL 3 with its defaults, no rule

    std::optional<Version> lowest() const;
    std::optional<Version> highest() const;
    const VersionFindings& at(Version version) const { return versions[index_of(version)]; }
    // RFC 5746 support, seen at the highest version up to TLSv1.2; empty when the
    // server speaks only TLSv1.3, which has no renegotiation.
    std::optional<bool> secure_renegotiation() const;
    const std::optional<Certificate>& certificate() const;  // at the highest version
};

// Runs the scan with at most `jobs` handshakes at a time, telling `progress` each task.
Findings scan(Server& server, int jobs, Progress& progress);
Findings scan(Server& server, int jobs);  // without a progress line (diagnose)

// When no version was accepted: the one handshake that best says why, preferring
// evidence that the server speaks TLS over evidence that it does not, and that over
// silence (a refusal of every offer, then a non-TLS answer, a close, a timeout).
Handshake why_nothing_was_accepted(const Findings& findings);

// The cipher names OpenSSL 3 offers by default, TLSv1.3 ciphersuites included.
std::vector<std::string> default_cipher_names();

// What a client on OpenSSL 3's defaults puts in a ClientHello for VERSION: its default
// list, less what that version or the default security level rules out.
std::vector<std::string> default_offer(Version version);

}  // namespace tlso::probe
