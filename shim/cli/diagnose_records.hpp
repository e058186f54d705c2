// The handshake records a diagnosed program left in its private log: the library's
// JSON lines (core/record.cpp format_json) read back into HandshakeRecords, and the
// failed ones grouped by the server they went to.
#pragma once

#include "core/record.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlso::diagnose {

// One log line; nullopt for a line that is not a handshake record (a "log" line, a
// torn or foreign line).
std::optional<HandshakeRecord> parse_record(std::string_view line);

// A log line of type "log" at level "error": the library's own complaints (a bad
// configuration), worth repeating to the operator.
std::optional<std::string> library_error(std::string_view line);

// One server a handshake failed with: the first failure's record stands for it.
struct FailedPeer {
    HandshakeRecord first;  // the first failed handshake with this peer and server name
    int failures = 0;
    int successes = 0;      // handshakes with the same peer and name that did succeed
};

// Client-side failures, one entry per (peer, sni), in the order they happened.
// Server-side records are left out: a server's failure is its client's to fix.
std::vector<FailedPeer> failed_peers(const std::vector<HandshakeRecord>& records);

// "billing.example at 127.0.0.1:4433" or "127.0.0.1:4433 (no server name)".
std::string describe_peer(const HandshakeRecord& record);

// "TLSv1", "TLSv1 to TLSv1.2", or the record's own text when it has no bounds.
std::string offered_text(const HandshakeRecord& record);

bool is_certificate_failure(const HandshakeRecord& record);
// For a record without an address: SNI:PORT when COMMAND names it ("SNI:8443",
// "https://SNI:8443/"), SNI:443 for "https://SNI/", else nothing.
std::optional<std::string> endpoint_from_command(const std::string& sni, const std::vector<std::string>& command);


}  // namespace tlso::diagnose
