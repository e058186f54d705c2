// The smallest [[rule]] that lets one program in to one server: the probe's findings
// about the server, set against what the program offered in its failed handshake.
// Unlike probe's rule (made for a client with OpenSSL 3's defaults), this one names
// only what this program needs: a floor only when its versions miss the server's,
// a cipher list only when its ciphers do, a security level only when the handshake
// still fails without one. Each setting carries the reason it is there, and the rule
// is checked by a handshake from a client that offers what the program offered.
#pragma once

#include "core/record.hpp"
#include "probe_rule.hpp"
#include "probe_scan.hpp"

#include <optional>
#include <string>

namespace tlso::diagnose {

using probe::Justified;

struct DiagnosedRule {
    std::string name;
    Justified<std::string> program;
    std::optional<Justified<std::string>> host;  // the SNI; empty when the program sent none
    std::string no_host_why;                     // why there is no host key, when there is none
    std::optional<Justified<probe::Version>> min_protocol;
    std::optional<Justified<probe::Version>> max_protocol;  // only to lift a ceiling the program set below the floor
    std::optional<Justified<std::string>> ciphers;
    std::optional<Justified<std::string>> ciphersuites;
    std::optional<Justified<int>> security_level;
    std::optional<Justified<std::string>> option;  // an OpenSSL Options name
    probe::Handshake check;  // the program's offer with this rule applied, against the server

    bool changes_anything() const { return min_protocol || max_protocol || ciphers || ciphersuites || security_level || option; }
};

// FAILED is the program's failed handshake record; FINDINGS must have found at least
// one version. Makes one to four more handshakes with SERVER.
DiagnosedRule diagnose_rule(const HandshakeRecord& failed, const probe::Findings& findings, probe::Server& server);

// The [[rule]] block, "# why:" comments aligned.
std::string rule_toml(const DiagnosedRule& rule);

// "TLSv1.2 (ECDHE-RSA-AES128-GCM-SHA256, AES128-SHA)", "TLSv1 (2 ciphers), TLSv1.2 (30 ciphers)".
std::string accepted_text(const probe::Findings& findings);

}  // namespace tlso::diagnose
