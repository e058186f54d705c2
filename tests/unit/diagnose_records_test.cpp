// diagnose reads the library's JSON records back: every field format_json writes must
// come back as it was, or diagnose would probe the wrong peer or misread the offer.
#include <doctest/doctest.h>

#include "cli/diagnose_records.hpp"
#include "core/record.hpp"

using namespace tlso;
using namespace tlso::diagnose;

namespace {

HandshakeRecord failed_at(std::string peer, std::string sni) {
    HandshakeRecord r;
    r.time = "2026-12-01T10:00:00.000Z";
    r.program = "billing \"sync\"\x01";  // quotes and a control character survive the round trip
    r.pid = 4242;
    r.peer = std::move(peer);
    r.sni = std::move(sni);
    r.alert = "protocol version";
    r.reason = "tlsv1 alert protocol version";
    r.offered_low = r.offered_high = Protocol::TLSv1;
    r.offered_versions = "TLSv1-TLSv1";
    r.offered_ciphers = 60;
    r.rule = "legacy";
    return r;
}

}  // namespace

TEST_CASE("a failed record comes back from format_json field by field") {
    HandshakeRecord r = failed_at("[2001:db8::1]:443", "billing.example");
    std::optional<HandshakeRecord> back = parse_record(format_json(r));
    REQUIRE(back);
    CHECK(back->program == r.program);
    CHECK(back->pid == 4242);
    CHECK(back->role == Role::Client);
    CHECK(back->peer == "[2001:db8::1]:443");
    CHECK(back->sni == "billing.example");
    CHECK_FALSE(back->ok);
    CHECK(back->alert == "protocol version");
    CHECK(back->reason == r.reason);
    CHECK(back->offered_low == Protocol::TLSv1);
    CHECK(back->offered_high == Protocol::TLSv1);
    CHECK(back->offered_ciphers == 60);
    CHECK(back->rule == "legacy");
    CHECK(offered_text(*back) == "TLSv1");
}

TEST_CASE("a successful record, a log line and a torn line") {
    HandshakeRecord r = failed_at("127.0.0.1:4433", "");
    r.ok = true;
    r.version = "TLSv1.2";
    r.cipher = "ECDHE-RSA-AES128-GCM-SHA256";
    std::optional<HandshakeRecord> back = parse_record(format_json(r));
    REQUIRE(back);
    CHECK(back->ok);
    CHECK(back->version == "TLSv1.2");
    CHECK(back->cipher == "ECDHE-RSA-AES128-GCM-SHA256");
    const std::string log = R"({"time":"x","type":"log","level":"error","program":"p","pid":1,"message":"a \"bad\" file"})";
    CHECK_FALSE(parse_record(log));
    CHECK(library_error(log) == "a \"bad\" file");
    CHECK_FALSE(parse_record(format_json(r).substr(0, 40)));
    CHECK_FALSE(parse_record("not json"));
}

TEST_CASE("failed peers: one per address and server name, client side only, successes counted") {
    HandshakeRecord a = failed_at("127.0.0.1:1", "a.test"), b = failed_at("127.0.0.1:1", "b.test");
    HandshakeRecord server = failed_at("127.0.0.1:9", "s.test");
    server.role = Role::Server;
    HandshakeRecord fine = a;
    fine.ok = true;
    std::vector<FailedPeer> peers = failed_peers({a, b, a, server, fine});
    REQUIRE(peers.size() == 2);
    CHECK(peers[0].first.sni == "a.test");
    CHECK(peers[0].failures == 2);
    CHECK(peers[0].successes == 1);
    CHECK(peers[1].first.sni == "b.test");
    CHECK(describe_peer(peers[1].first) == "b.test at 127.0.0.1:1");
}

TEST_CASE("a certificate failure is told apart from the rest") {
    HandshakeRecord r = failed_at("127.0.0.1:1", "a.test");
    CHECK_FALSE(is_certificate_failure(r));
    r.reason = "certificate verify failed";
    r.verify_error = "unable to get local issuer certificate";
    CHECK(is_certificate_failure(r));
    std::optional<HandshakeRecord> back = parse_record(format_json(r));
    REQUIRE(back);
    CHECK(back->verify_error == "unable to get local issuer certificate");
}

TEST_CASE("a record without an address: HOST:PORT from the command line, never a near miss") {
    using Words = std::vector<std::string>;
    CHECK(endpoint_from_command("billing.example", Words{"curl", "https://billing.example:8443/x"}) == "billing.example:8443");
    CHECK(endpoint_from_command("billing.example", Words{"curl", "https://Billing.Example/x"}) == "billing.example:443");
    CHECK(endpoint_from_command("billing.example", Words{"sync", "--server", "billing.example:636"}) == "billing.example:636");
    CHECK(endpoint_from_command("billing.example", Words{"curl", "https://billing.example/", "billing.example:993"}) ==
          "billing.example:993");
    CHECK_FALSE(endpoint_from_command("billing.example", Words{"curl", "https://old-billing.example:1/"}));
    CHECK_FALSE(endpoint_from_command("billing.example", Words{"curl", "https://billing.example.org:1/"}));
    CHECK_FALSE(endpoint_from_command("billing.example", Words{"sync", "billing.example"}));
    CHECK_FALSE(endpoint_from_command("", Words{"curl", "https://billing.example/"}));
}
