// The [[rule]] the probe suggests: the settings a client with OpenSSL 3's defaults
// needs to reach this server with the strongest settings it allows, each with the
// reason it is there, checked by a handshake made with the rule applied.
#pragma once

#include "probe_scan.hpp"

#include <optional>
#include <string>

namespace tlso::probe {

template <class T>
struct Justified {
    T value;
    std::string why;
};

struct SuggestedRule {
    std::string name;
    std::optional<Justified<std::string>> host;  // the server name (SNI); none for an address without --sni
    std::string no_host_why;                     // why there is no host key, when there is none
    Justified<Version> min_protocol;
    std::optional<Justified<std::string>> ciphers;
    std::optional<Justified<std::string>> ciphersuites;
    std::optional<Justified<int>> security_level;
    std::optional<Justified<std::string>> option;  // an OpenSSL Options name
    Handshake check;  // OpenSSL 3's defaults with this rule applied, against the server
};

struct RuleTarget {
    std::string endpoint;  // "127.0.0.1:4433"
    std::string sni;       // empty: the client sends none
    std::string host;      // as given on the command line
};

// The server's accepted list at VERSION (the one a client negotiates), when a client on
// OpenSSL 3's defaults offers none of it there and so fails with "no shared cipher":
// the ciphers (ciphersuites at TLSv1.3) value a rule needs, with its reason. Empty when
// the defaults meet the server. probe's rule and diagnose's both decide it here.
std::optional<Justified<std::string>> ciphers_beyond_defaults(const Findings& findings, Version version);

// Needs a scan that found at least one version. Makes one to three more handshakes.
SuggestedRule suggest_rule(const Findings& findings, Server& server, const RuleTarget& target);

// The [[rule]] block for the configuration file, "# why:" comments aligned.
std::string rule_toml(const SuggestedRule& rule);

}  // namespace tlso::probe
