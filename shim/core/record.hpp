// One handshake, as an operator wants to read it: who, what was negotiated, or why
// it failed and which setting would most likely fix it. Pure: the engine gathers
// the facts from OpenSSL, this file words them.
#pragma once

#include <optional>
#include <string>

#include "core/settings.hpp"

namespace tlso {

struct HandshakeRecord {
    std::string time;  // RFC 3339
    std::string program;
    int pid = 0;
    Role role = Role::Client;
    std::string sni;
    std::string peer;  // "127.0.0.1:4433"
    bool ok = false;
    // on success
    std::string version, cipher, group;
    bool resumed = false;
    // on failure
    std::string alert;   // "protocol version"
    bool alert_sent = false;
    std::string reason;  // OpenSSL's reason, "unsupported protocol"
    std::string offered_versions;  // "TLSv1-TLSv1"
    std::optional<Protocol> offered_low, offered_high;
    int offered_ciphers = 0;
    std::string verify_error;  // certificate verification, when that is why
    std::string rule;          // the rule that applied, if any
};

// The tlsoverride setting most likely to fix a failure, as one sentence.
std::string hint_for(const HandshakeRecord& r);

std::string format_text(const HandshakeRecord& r);
std::string format_json(const HandshakeRecord& r);

}  // namespace tlso
