// One handshake as the operator reads it: the hint, the text line, the JSON record;
// and json_escape, which keeps that record valid.
#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "core/log.hpp"

using namespace tlso;

namespace {

HandshakeRecord failed(std::string reason, std::string alert = "") {
    HandshakeRecord r;
    r.time = "2024-05-01T12:00:00.000Z";
    r.program = "billing-sync";
    r.pid = 42;
    r.peer = "127.0.0.1:4433";
    r.sni = "billing.legacy.test";
    r.reason = std::move(reason);
    r.alert = std::move(alert);
    return r;
}

HandshakeRecord offering(std::string reason, Protocol low, Protocol high, std::string alert = "") {
    HandshakeRecord r = failed(std::move(reason), std::move(alert));
    r.offered_low = low;
    r.offered_high = high;
    r.offered_versions = std::string(protocol_name(low)) + "-" + std::string(protocol_name(high));
    return r;
}

// A small JSON reader for one flat object: member name -> the string's decoded value,
// or the literal text of a number, true or false. nullopt when the text is not JSON.
class FlatJson {
public:
    static std::optional<std::map<std::string, std::string>> parse(std::string_view text) {
        FlatJson j{text};
        std::map<std::string, std::string> members;
        if (!j.eat('{')) return std::nullopt;
        if (j.eat('}')) return j.at_end() ? std::optional(members) : std::nullopt;
        do {
            auto name = j.string();
            if (!name || !j.eat(':')) return std::nullopt;
            auto value = j.peek() == '"' ? j.string() : j.literal();
            if (!value || members.count(*name)) return std::nullopt;
            members[*name] = *value;
        } while (j.eat(','));
        if (!j.eat('}') || !j.at_end()) return std::nullopt;
        return members;
    }

private:
    std::string_view s;
    std::size_t i = 0;

    char peek() const { return i < s.size() ? s[i] : '\0'; }
    bool at_end() const { return i == s.size(); }
    bool eat(char c) {
        if (peek() != c) return false;
        i++;
        return true;
    }
    std::optional<std::string> literal() {
        std::size_t start = i;
        while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '.')) i++;
        std::string word(s.substr(start, i - start));
        if (word == "true" || word == "false") return word;
        if (word.empty() || word.find_first_not_of("-0123456789") != std::string::npos) return std::nullopt;
        return word;
    }
    std::optional<std::string> string() {
        if (!eat('"')) return std::nullopt;
        std::string out;
        while (i < s.size()) {
            unsigned char c = static_cast<unsigned char>(s[i++]);
            if (c == '"') return out;
            if (c < 0x20) return std::nullopt;  // raw control characters are not allowed in JSON strings
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (i >= s.size()) return std::nullopt;
            char e = s[i++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    if (i + 4 > s.size()) return std::nullopt;
                    std::string hex(s.substr(i, 4));
                    if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return std::nullopt;
                    unsigned long code = std::stoul(hex, nullptr, 16);
                    if (code >= 0xd800 && code <= 0xdfff) return std::nullopt;  // never written here
                    if (code < 0x80) {
                        out += static_cast<char>(code);
                    } else if (code < 0x800) {
                        out += static_cast<char>(0xc0 | (code >> 6));
                        out += static_cast<char>(0x80 | (code & 0x3f));
                    } else {
                        out += static_cast<char>(0xe0 | (code >> 12));
                        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
                        out += static_cast<char>(0x80 | (code & 0x3f));
                    }
                    i += 4;
                    break;
                }
                default: return std::nullopt;
            }
        }
        return std::nullopt;
    }

    explicit FlatJson(std::string_view text) : s(text) {}
};

const std::string tricky = "a \"quoted\" back\\slash\nnew line\ttab\r\x01\x1f\x7f end";

}  // namespace

TEST_CASE("the flat JSON reader used below tells valid from invalid") {
    CHECK(FlatJson::parse(R"({"a":"b\n","n":3,"t":true})").has_value());
    CHECK(FlatJson::parse(R"({})").has_value());
    CHECK_FALSE(FlatJson::parse("{\"a\":\"b\nc\"}").has_value());
    CHECK_FALSE(FlatJson::parse(R"({"a":"b"c"})").has_value());
    CHECK_FALSE(FlatJson::parse(R"({"a":"b\x"})").has_value());
    CHECK_FALSE(FlatJson::parse(R"({"a":"b"},)").has_value());
    CHECK_FALSE(FlatJson::parse(R"({"a":nope})").has_value());
}

TEST_CASE("json_escape escapes quotes, backslashes and every control character") {
    CHECK(json_escape("plain text: 127.0.0.1:443") == "plain text: 127.0.0.1:443");
    CHECK(json_escape("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(json_escape("C:\\path") == "C:\\\\path");
    CHECK(json_escape("a\nb\tc\rd") == "a\\nb\\tc\\rd");
    CHECK(json_escape(std::string_view("\0", 1)) == "\\u0000");
    CHECK(json_escape("\x01\x08\x0c\x1b\x1f") == "\\u0001\\u0008\\u000c\\u001b\\u001f");
    CHECK(json_escape("\x7f") == "\\u007f");
    CHECK(json_escape("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes through
    for (int c = 0; c < 0x20; c++) {
        std::string escaped = json_escape(std::string(1, static_cast<char>(c)));
        INFO("byte ", c);
        CHECK(escaped.size() > 1);
        CHECK(escaped[0] == '\\');
    }
}

TEST_CASE("a protocol version failure suggests the range that most likely fixes it") {
    // This side offered only TLSv1: the peer wants newer.
    std::string old_client = hint_for(offering("", Protocol::TLSv1, Protocol::TLSv1, "protocol version"));
    CHECK(old_client.find("offered TLSv1-TLSv1") != std::string::npos);
    CHECK(old_client.find("min_protocol = \"TLSv1.2\"") != std::string::npos);

    // This side offered TLSv1.2 and TLSv1.3: the peer speaks only older.
    std::string new_client = hint_for(offering("unsupported protocol", Protocol::TLSv1_2, Protocol::TLSv1_3));
    CHECK(new_client.find("offered TLSv1.2-TLSv1.3") != std::string::npos);
    CHECK(new_client.find("min_protocol = \"TLSv1\"") != std::string::npos);
    CHECK(new_client.find("security_level = 0") != std::string::npos);

    // A wide offer, or none known: the probe shows what the peer speaks.
    std::string wide = hint_for(offering("wrong version number", Protocol::TLSv1, Protocol::TLSv1_3));
    CHECK(wide.find("tlsoverride probe HOST") != std::string::npos);
    std::string unknown = hint_for(failed("no protocols available"));
    CHECK(unknown.find("offered ?") != std::string::npos);
    CHECK(unknown.find("min_protocol/max_protocol") != std::string::npos);
}

TEST_CASE("hint_for names the setting most likely to fix each failure") {
    struct Case {
        const char* reason;
        const char* alert;
        const char* must_mention;
    };
    for (const Case& c : {
             Case{"no shared cipher", "", "set ciphers (TLS 1.2 and below) or ciphersuites (TLS 1.3)"},
             Case{"", "handshake failure", "set ciphers"},
             Case{"unsafe legacy renegotiation disabled", "", "options = [\"UnsafeLegacyServerConnect\"]"},
             Case{"legacy sigalg disallowed or unsupported", "", "security_level = 0"},
             Case{"dh key too small", "", "security_level = 0"},
             Case{"ee key too small", "", "security_level = 0"},
             Case{"ca md too weak", "", "security_level = 0"},
             Case{"", "insufficient security", "security_level = 0"},
             Case{"certificate verify failed", "", "tlsoverride does not and will not change verification"},
             Case{"", "unknown ca", "tlsoverride does not and will not change verification"},
             Case{"", "bad certificate", "fix the trust store"},
         }) {
        INFO("reason '", c.reason, "' alert '", c.alert, "'");
        std::string hint = hint_for(failed(c.reason, c.alert));
        CHECK(hint.find(c.must_mention) != std::string::npos);
    }
}

TEST_CASE("a verification failure is never blamed on protocol or cipher settings") {
    HandshakeRecord r = offering("protocol version", Protocol::TLSv1, Protocol::TLSv1);
    r.verify_error = "unable to get local issuer certificate";
    std::string hint = hint_for(r);
    CHECK(hint.find("does not and will not change verification") != std::string::npos);
    CHECK(hint.find("min_protocol") == std::string::npos);
}

TEST_CASE("no hint for a success or an unrecognised failure") {
    HandshakeRecord ok = failed("");
    ok.ok = true;
    CHECK(hint_for(ok) == "");
    CHECK(hint_for(failed("internal error")) == "");
}

TEST_CASE("the text line of a successful handshake") {
    HandshakeRecord r = failed("");
    r.ok = true;
    r.version = "TLSv1.2";
    r.cipher = "ECDHE-RSA-AES128-GCM-SHA256";
    r.group = "X25519";
    r.rule = "old billing host";
    CHECK(format_text(r) ==
          "tlsoverride[42]: handshake ok: client billing-sync peer=127.0.0.1:4433 sni=billing.legacy.test "
          "version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 group=X25519 resumed=no rule=\"old billing host\"");
    r.resumed = true;
    r.group.clear();
    r.rule.clear();
    r.sni.clear();
    r.peer.clear();
    r.role = Role::Server;
    CHECK(format_text(r) == "tlsoverride[42]: handshake ok: server billing-sync peer=? sni=- version=TLSv1.2 "
                            "cipher=ECDHE-RSA-AES128-GCM-SHA256 resumed=yes");
}

TEST_CASE("the text line of a failed handshake carries the alert, the reason and the hint") {
    HandshakeRecord r = offering("unsupported protocol", Protocol::TLSv1, Protocol::TLSv1, "protocol version");
    r.offered_ciphers = 12;
    r.alert_sent = false;
    CHECK(format_text(r) ==
          "tlsoverride[42]: handshake FAILED: client billing-sync peer=127.0.0.1:4433 sni=billing.legacy.test "
          "alert=\"protocol version\" (received) reason=\"unsupported protocol\" offered=TLSv1-TLSv1 ciphers=12 "
          "hint: " +
              hint_for(r));
}

TEST_CASE("the text record stays on one line whatever the peer or program sends") {
    HandshakeRecord r = failed(tricky, tricky);
    r.sni = "evil.test\ntlsoverride[1]: handshake ok: forged";  // a server logs the client's SNI
    r.program = tricky;
    r.peer = tricky;
    r.rule = tricky;
    std::string line = format_text(r);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    r.ok = true;
    r.version = r.cipher = r.group = tricky;
    line = format_text(r);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
}

TEST_CASE("the JSON record of a handshake, exactly") {
    HandshakeRecord r = offering("no shared cipher", Protocol::TLSv1_2, Protocol::TLSv1_3, "handshake failure");
    r.alert_sent = true;
    r.offered_ciphers = 3;
    r.rule = "x";
    CHECK(format_json(r) ==
          "{\"time\":\"2024-05-01T12:00:00.000Z\",\"type\":\"handshake\",\"program\":\"billing-sync\",\"pid\":42,"
          "\"role\":\"client\",\"sni\":\"billing.legacy.test\",\"peer\":\"127.0.0.1:4433\",\"ok\":false,"
          "\"alert\":\"handshake failure\",\"alert_sent\":true,\"reason\":\"no shared cipher\","
          "\"offered_versions\":\"TLSv1.2-TLSv1.3\",\"offered_ciphers\":3,\"hint\":\"" +
              json_escape(hint_for(r)) + "\",\"rule\":\"x\"}");
}

TEST_CASE("the JSON record is valid JSON and reads back the same strings, however tricky") {
    HandshakeRecord r = failed(tricky, tricky);
    r.program = tricky;
    r.sni = tricky;
    r.peer = tricky;
    r.rule = tricky;
    r.offered_versions = tricky;
    auto members = FlatJson::parse(format_json(r));
    REQUIRE(members.has_value());
    for (const char* name : {"program", "sni", "peer", "reason", "alert", "rule", "offered_versions"}) {
        INFO(name);
        CHECK(members->at(name) == tricky);
    }
    CHECK(members->at("ok") == "false");
    CHECK(members->at("pid") == "42");
    CHECK(members->at("type") == "handshake");

    r.ok = true;
    r.version = r.cipher = r.group = tricky;
    members = FlatJson::parse(format_json(r));
    REQUIRE(members.has_value());
    CHECK(members->at("version") == tricky);
    CHECK(members->at("cipher") == tricky);
    CHECK(members->at("group") == tricky);
    CHECK(members->at("resumed") == "false");
    CHECK(members->count("hint") == 0);
}

namespace {

// An independent check of RFC 3629 well-formedness, written from the table in its section 4.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u; };
        auto tail = [&](std::size_t k) { return b(k) >= 0x80 && b(k) <= 0xbf; };
        unsigned c = b(0);
        std::size_t n = c <= 0x7f                                                    ? 1
                        : c >= 0xc2 && c <= 0xdf && tail(1)                          ? 2
                        : c == 0xe0 && b(1) >= 0xa0 && b(1) <= 0xbf && tail(2)       ? 3
                        : ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) && tail(1) && tail(2) ? 3
                        : c == 0xed && b(1) >= 0x80 && b(1) <= 0x9f && tail(2)       ? 3
                        : c == 0xf0 && b(1) >= 0x90 && b(1) <= 0xbf && tail(2) && tail(3) ? 4
                        : c >= 0xf1 && c <= 0xf3 && tail(1) && tail(2) && tail(3)    ? 4
                        : c == 0xf4 && b(1) >= 0x80 && b(1) <= 0x8f && tail(2) && tail(3) ? 4
                                                                                     : 0;
        if (n == 0) return false;
        i += n;
    }
    return true;
}

const std::string fffd = "\xef\xbf\xbd";

}  // namespace

TEST_CASE("json_escape: DEL, C1 controls and every invalid UTF-8 sequence still give valid JSON and UTF-8") {
    struct Case {
        const char* what;
        std::string in, out;
    };
    for (const Case& c : std::vector<Case>{
             {"DEL", "a\x7f" "b", "a\\u007fb"},
             {"a lone 0xff", "a\xff" "b", "a" + fffd + "b"},
             {"0xfe and 0xff", "\xfe\xff", fffd + fffd},
             {"a lone continuation byte", "\x80", fffd},
             {"a truncated two-byte sequence at the end", "caf\xc3", "caf" + fffd},
             {"a truncated three-byte sequence", "\xe2\x82" "x", fffd + fffd + "x"},
             {"an overlong slash", "\xc0\xaf", fffd + fffd},
             {"an overlong three-byte NUL", "\xe0\x80\x80", fffd + fffd + fffd},
             {"a UTF-16 surrogate", "\xed\xa0\x80", fffd + fffd + fffd},
             {"above U+10FFFF", "\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},
             {"C1 CSI (U+009B)", "\xc2\x9b" "31m", "\\u009b31m"},
             {"U+00A0 is not a control", "\xc2\xa0", "\xc2\xa0"},
             {"a euro sign", "\xe2\x82\xac", "\xe2\x82\xac"},
             {"U+10FFFF", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},
             {"an emoji", "\xf0\x9f\x94\x92", "\xf0\x9f\x94\x92"},
             {"an SNI a peer might send", "evil\x7f\xff.example\n", "evil\\u007f" + fffd + ".example\\n"},
         }) {
        INFO(c.what);
        std::string escaped = json_escape(c.in);
        CHECK(escaped == c.out);
        CHECK(valid_utf8(escaped));
        HandshakeRecord r = failed("unsupported protocol");
        r.sni = c.in;
        r.program = c.in;
        CHECK(FlatJson::parse(format_json(r)).has_value());
        CHECK(valid_utf8(format_json(r)));
    }
    // Every single byte, and every pair: always valid.
    for (int a = 0; a < 256; a++) {
        INFO("byte ", a);
        std::string one(1, static_cast<char>(a));
        CHECK(valid_utf8(json_escape(one)));
        for (int b = 0x80; b < 256; b += 7) CHECK(valid_utf8(json_escape(one + static_cast<char>(b))));
    }
}

TEST_CASE("one_line: control characters, DEL, C1 controls and invalid UTF-8 become \\xNN; the text stays UTF-8") {
    struct Case {
        const char* what;
        std::string in, out;
    };
    for (const Case& c : std::vector<Case>{
             {"plain", "handshake ok", "handshake ok"},
             {"a new line that would forge a line", "x\ntlsoverride[1]: handshake ok", "x\\x0atlsoverride[1]: handshake ok"},
             {"DEL", "a\x7f", "a\\x7f"},
             {"invalid UTF-8", "a\xff\xfe", "a\\xff\\xfe"},
             {"a truncated sequence", "caf\xc3", "caf\\xc3"},
             {"C1 CSI", "\xc2\x9b", "\\xc2\\x9b"},
             {"valid UTF-8 passes", "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
         }) {
        INFO(c.what);
        CHECK(one_line(c.in) == c.out);
        CHECK(valid_utf8(one_line(c.in)));
    }
    HandshakeRecord r = failed("unsupported protocol");
    r.sni = "a\x7f\xff\nb";
    std::string text = format_text(r);
    CHECK(valid_utf8(text));
    CHECK(text.find("sni=a\\x7f\\xff\\x0ab") != std::string::npos);
}
