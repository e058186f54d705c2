// What `tlsoverride probe` prints: aligned text columns, or one JSON object.
#pragma once

#include "probe_rule.hpp"
#include "probe_scan.hpp"

#include <cstdio>
#include <string>

namespace tlso::probe {

struct Report {
    std::string host;      // as given
    int port = 443;
    std::string endpoint;  // "host:port", brackets around IPv6
    std::string sni;   // empty: none sent
    std::string address;
    const Findings& findings;
    const SuggestedRule& rule;
    int handshakes = 0;
    long elapsed_ms = 0;
};

void print_text(const Report& report, std::FILE* out);
void print_json(const Report& report, std::FILE* out);

}  // namespace tlso::probe
