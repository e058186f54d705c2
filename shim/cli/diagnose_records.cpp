// Reading the library's JSON records back. See diagnose_records.hpp.
#include "diagnose_records.hpp"

#include <cctype>
#include <cstdlib>
#include <map>

namespace tlso::diagnose {

namespace {

// The records are flat objects of strings, numbers and booleans, written by
// format_json; this reads exactly that shape and refuses anything else.
class FlatObject {
public:
    explicit FlatObject(std::string_view text) : text_(text) {}

    std::optional<std::map<std::string, std::string>> parse() {
        std::map<std::string, std::string> fields;
        skip_space();
        if (!take('{')) return std::nullopt;
        skip_space();
        if (take('}')) return fields;
        for (;;) {
            skip_space();
            std::optional<std::string> key = string();
            skip_space();
            if (!key || !take(':')) return std::nullopt;
            skip_space();
            std::optional<std::string> value = peek() == '"' ? string() : bare_word();
            if (!value) return std::nullopt;
            fields[*key] = *value;
            skip_space();
            if (take(',')) continue;
            if (take('}')) return fields;
            return std::nullopt;
        }
    }

private:
    char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
    bool take(char c) {
        if (peek() != c) return false;
        ++at_;
        return true;
    }
    void skip_space() {
        while (peek() == ' ' || peek() == '\t' || peek() == '\r') ++at_;
    }

    std::optional<std::string> string() {
        if (!take('"')) return std::nullopt;
        std::string out;
        while (at_ < text_.size()) {
            char c = text_[at_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= text_.size()) return std::nullopt;
            char e = text_[at_++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u': {
                    if (at_ + 4 > text_.size()) return std::nullopt;
                    unsigned long code = std::strtoul(std::string(text_.substr(at_, 4)).c_str(), nullptr, 16);
                    at_ += 4;
                    // The library escapes only control characters this way.
                    out += code < 0x80 ? static_cast<char>(code) : '?';
                    break;
                }
                default: out += e;  // \" \\ \/
            }
        }
        return std::nullopt;
    }

    // true, false, null, a number: kept as written.
    std::optional<std::string> bare_word() {
        std::size_t start = at_;
        while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ' ') ++at_;
        if (at_ == start) return std::nullopt;
        return std::string(text_.substr(start, at_ - start));
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

std::string field(const std::map<std::string, std::string>& fields, const char* name) {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
}

// "TLSv1-TLSv1.2" -> the two bounds; "none" and "?" leave them unset.
void read_offered(HandshakeRecord& r) {
    std::size_t dash = r.offered_versions.find('-');
    if (dash == std::string::npos) return;
    r.offered_low = parse_protocol(r.offered_versions.substr(0, dash));
    r.offered_high = parse_protocol(r.offered_versions.substr(dash + 1));
}

}  // namespace

std::optional<HandshakeRecord> parse_record(std::string_view line) {
    std::optional<std::map<std::string, std::string>> fields = FlatObject(line).parse();
    if (!fields || field(*fields, "type") != "handshake") return std::nullopt;
    const auto& f = *fields;
    HandshakeRecord r;
    r.time = field(f, "time");
    r.program = field(f, "program");
    r.pid = std::atoi(field(f, "pid").c_str());
    r.role = field(f, "role") == "server" ? Role::Server : Role::Client;
    r.sni = field(f, "sni");
    r.peer = field(f, "peer");
    r.ok = field(f, "ok") == "true";
    r.version = field(f, "version");
    r.cipher = field(f, "cipher");
    r.group = field(f, "group");
    r.resumed = field(f, "resumed") == "true";
    r.alert = field(f, "alert");
    r.alert_sent = field(f, "alert_sent") == "true";
    r.reason = field(f, "reason");
    r.offered_versions = field(f, "offered_versions");
    read_offered(r);
    r.offered_ciphers = std::atoi(field(f, "offered_ciphers").c_str());
    r.verify_error = field(f, "verify_error");
    r.rule = field(f, "rule");
    return r;
}

std::optional<std::string> library_error(std::string_view line) {
    std::optional<std::map<std::string, std::string>> fields = FlatObject(line).parse();
    if (!fields || field(*fields, "type") != "log" || field(*fields, "level") != "error") return std::nullopt;
    return field(*fields, "message");
}

std::vector<FailedPeer> failed_peers(const std::vector<HandshakeRecord>& records) {
    std::vector<FailedPeer> peers;
    auto same = [](const HandshakeRecord& a, const HandshakeRecord& b) { return a.peer == b.peer && a.sni == b.sni; };
    for (const HandshakeRecord& r : records) {
        if (r.ok || r.role != Role::Client) continue;
        bool known = false;
        for (FailedPeer& p : peers)
            if (same(p.first, r)) {
                ++p.failures;
                known = true;
            }
        if (!known) peers.push_back({r, 1, 0});
    }
    for (const HandshakeRecord& r : records)
        if (r.ok)
            for (FailedPeer& p : peers)
                if (same(p.first, r)) ++p.successes;
    return peers;
}

std::string describe_peer(const HandshakeRecord& record) {
    std::string peer = record.peer.empty() ? std::string("an unknown address") : record.peer;
    return record.sni.empty() ? peer + " (no server name)" : record.sni + " at " + peer;
}

std::string offered_text(const HandshakeRecord& record) {
    if (!record.offered_low || !record.offered_high) return record.offered_versions;
    std::string low(protocol_name(*record.offered_low)), high(protocol_name(*record.offered_high));
    return low == high ? low : low + " to " + high;
}

bool is_certificate_failure(const HandshakeRecord& record) {
    // hint_for is the one place that words a certificate failure; follow its judgement.
    return !record.verify_error.empty() || hint_for(record).starts_with("certificate verification failed");
}

namespace {

bool name_character(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'; }

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

std::optional<std::string> endpoint_from_command(const std::string& sni, const std::vector<std::string>& command) {
    if (sni.empty()) return std::nullopt;
    const std::string name = lower(sni);
    std::optional<std::string> url_default;
    for (const std::string& word : command) {
        const std::string arg = lower(word);
        for (std::size_t at = arg.find(name); at != std::string::npos; at = arg.find(name, at + 1)) {
            std::size_t end = at + name.size();
            if ((at > 0 && name_character(arg[at - 1])) || (end < arg.size() && name_character(arg[end]))) continue;
            std::size_t digits = end + 1;
            while (digits < arg.size() && std::isdigit(static_cast<unsigned char>(arg[digits]))) ++digits;
            if (end < arg.size() && arg[end] == ':' && digits > end + 1 && digits - end - 1 <= 5)
                return sni + ":" + arg.substr(end + 1, digits - end - 1);
            if (at >= 8 && arg.compare(at - 8, 8, "https://") == 0 && !url_default) url_default = sni + ":443";
        }
    }
    return url_default;
}

}  // namespace tlso::diagnose
