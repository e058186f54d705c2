#include "core/gnutls_priority.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "core/ascii.hpp"
#include "core/inline_name.hpp"
#include "core/profiles.hpp"

namespace tlso {
namespace {

// --- the suites both libraries implement --------------------------------------------
//
// TLS 1.2 and below: the 51 suites of OpenSSL 3 and GnuTLS 3.7 with ECDHE, DHE or RSA
// key exchange, RSA or ECDSA authentication and AES, ChaCha20 or Camellia-CBC
// (gnutls-cli -l, openssl ciphers -stdname). It is closed: every GnuTLS suite whose
// key exchange, cipher and MAC are among these tokens is in it, so "the suites these
// tokens allow" can be computed from it alone. (DSS, ARIA, 3DES, PSK, SRP and the
// anonymous and null suites are outside it: they select nothing here.)
struct Suite {
    InlineName<32> openssl;  // OpenSSL's name
    InlineName<12> kx;       // GnuTLS key exchange token
    InlineName<20> cipher;   // GnuTLS cipher token
    InlineName<8> mac;       // GnuTLS MAC token
};

constexpr Suite suites[] = {
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    {"ECDHE-ECDSA-AES128-CCM", "ECDHE-ECDSA", "AES-128-CCM", "AEAD"},
    {"ECDHE-ECDSA-AES256-CCM", "ECDHE-ECDSA", "AES-256-CCM", "AEAD"},
    {"ECDHE-ECDSA-AES128-CCM8", "ECDHE-ECDSA", "AES-128-CCM-8", "AEAD"},
    {"ECDHE-ECDSA-AES256-CCM8", "ECDHE-ECDSA", "AES-256-CCM-8", "AEAD"},
    {"ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256"},
    {"ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA", "AES-256-CBC", "SHA384"},
    {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"ECDHE-RSA-AES128-SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256"},
    {"ECDHE-RSA-AES256-SHA384", "ECDHE-RSA", "AES-256-CBC", "SHA384"},
    {"ECDHE-RSA-AES128-SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"ECDHE-RSA-AES256-SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"DHE-RSA-AES128-GCM-SHA256", "DHE-RSA", "AES-128-GCM", "AEAD"},
    {"DHE-RSA-AES256-GCM-SHA384", "DHE-RSA", "AES-256-GCM", "AEAD"},
    {"DHE-RSA-CHACHA20-POLY1305", "DHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"DHE-RSA-AES128-CCM", "DHE-RSA", "AES-128-CCM", "AEAD"},
    {"DHE-RSA-AES256-CCM", "DHE-RSA", "AES-256-CCM", "AEAD"},
    {"DHE-RSA-AES128-CCM8", "DHE-RSA", "AES-128-CCM-8", "AEAD"},
    {"DHE-RSA-AES256-CCM8", "DHE-RSA", "AES-256-CCM-8", "AEAD"},
    {"DHE-RSA-AES128-SHA256", "DHE-RSA", "AES-128-CBC", "SHA256"},
    {"DHE-RSA-AES256-SHA256", "DHE-RSA", "AES-256-CBC", "SHA256"},
    {"DHE-RSA-AES128-SHA", "DHE-RSA", "AES-128-CBC", "SHA1"},
    {"DHE-RSA-AES256-SHA", "DHE-RSA", "AES-256-CBC", "SHA1"},
    {"AES128-GCM-SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"AES256-GCM-SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"AES128-CCM", "RSA", "AES-128-CCM", "AEAD"},
    {"AES256-CCM", "RSA", "AES-256-CCM", "AEAD"},
    {"AES128-CCM8", "RSA", "AES-128-CCM-8", "AEAD"},
    {"AES256-CCM8", "RSA", "AES-256-CCM-8", "AEAD"},
    {"AES128-SHA256", "RSA", "AES-128-CBC", "SHA256"},
    {"AES256-SHA256", "RSA", "AES-256-CBC", "SHA256"},
    {"AES128-SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"AES256-SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"ECDHE-ECDSA-CAMELLIA128-SHA256", "ECDHE-ECDSA", "CAMELLIA-128-CBC", "SHA256"},
    {"ECDHE-ECDSA-CAMELLIA256-SHA384", "ECDHE-ECDSA", "CAMELLIA-256-CBC", "SHA384"},
    {"ECDHE-RSA-CAMELLIA128-SHA256", "ECDHE-RSA", "CAMELLIA-128-CBC", "SHA256"},
    {"ECDHE-RSA-CAMELLIA256-SHA384", "ECDHE-RSA", "CAMELLIA-256-CBC", "SHA384"},
    {"DHE-RSA-CAMELLIA128-SHA256", "DHE-RSA", "CAMELLIA-128-CBC", "SHA256"},
    {"DHE-RSA-CAMELLIA256-SHA256", "DHE-RSA", "CAMELLIA-256-CBC", "SHA256"},
    {"DHE-RSA-CAMELLIA128-SHA", "DHE-RSA", "CAMELLIA-128-CBC", "SHA1"},
    {"DHE-RSA-CAMELLIA256-SHA", "DHE-RSA", "CAMELLIA-256-CBC", "SHA1"},
    {"CAMELLIA128-SHA256", "RSA", "CAMELLIA-128-CBC", "SHA256"},
    {"CAMELLIA256-SHA256", "RSA", "CAMELLIA-256-CBC", "SHA256"},
    {"CAMELLIA128-SHA", "RSA", "CAMELLIA-128-CBC", "SHA1"},
    {"CAMELLIA256-SHA", "RSA", "CAMELLIA-256-CBC", "SHA1"},
};
constexpr std::size_t suite_count = std::size(suites);

// TLS 1.3: a suite is its cipher (its MAC is AEAD, its key exchange the groups).
constexpr std::pair<InlineName<32>, InlineName<20>> tls13_suites[] = {
    {"TLS_AES_128_GCM_SHA256", "AES-128-GCM"},
    {"TLS_AES_256_GCM_SHA384", "AES-256-GCM"},
    {"TLS_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305"},
    {"TLS_AES_128_CCM_SHA256", "AES-128-CCM"},
    {"TLS_AES_128_CCM_8_SHA256", "AES-128-CCM-8"},
};

using SuiteSet = std::vector<bool>;  // indexed like `suites`

// --- OpenSSL's cipher-string vocabulary, over that table ------------------------------

bool is_gcm(const Suite& s) { return s.cipher.find("GCM") != std::string_view::npos; }
bool is_ccm(const Suite& s) { return s.cipher.find("CCM") != std::string_view::npos; }
bool is_ccm8(const Suite& s) { return s.cipher.find("CCM-8") != std::string_view::npos; }
bool is_aes128(const Suite& s) { return s.cipher.substr(0, 7) == "AES-128"; }
bool is_aes256(const Suite& s) { return s.cipher.substr(0, 7) == "AES-256"; }
bool is_chacha(const Suite& s) { return s.cipher == "CHACHA20-POLY1305"; }
bool is_camellia(const Suite& s) { return s.cipher.substr(0, 8) == "CAMELLIA"; }
bool needs_tls12(const Suite& s) { return s.mac != "SHA1"; }

// What one OpenSSL alias selects from the table; nullopt: not an alias we know.
// Aliases that select only suites outside the table (aNULL, PSK, CAMELLIA...)
// select nothing here, which is what they select among these suites.
std::optional<SuiteSet> alias(std::string_view word) {
    using Test = bool (*)(const Suite&);
    static const std::pair<std::string_view, Test> known[] = {
        {"ALL", [](const Suite&) { return true; }},
        // OpenSSL 3's DEFAULT leaves Camellia out (openssl ciphers DEFAULT).
        {"DEFAULT", [](const Suite& s) { return !is_camellia(s); }},
        {"HIGH", [](const Suite&) { return true; }},
        {"kECDHE", [](const Suite& s) { return s.kx.substr(0, 5) == "ECDHE"; }},
        {"ECDHE", [](const Suite& s) { return s.kx.substr(0, 5) == "ECDHE"; }},
        {"EECDH", [](const Suite& s) { return s.kx.substr(0, 5) == "ECDHE"; }},
        {"kEECDH", [](const Suite& s) { return s.kx.substr(0, 5) == "ECDHE"; }},
        {"ECDH", [](const Suite& s) { return s.kx.substr(0, 5) == "ECDHE"; }},
        {"kDHE", [](const Suite& s) { return s.kx == "DHE-RSA"; }},
        {"DHE", [](const Suite& s) { return s.kx == "DHE-RSA"; }},
        {"EDH", [](const Suite& s) { return s.kx == "DHE-RSA"; }},
        {"kEDH", [](const Suite& s) { return s.kx == "DHE-RSA"; }},
        {"DH", [](const Suite& s) { return s.kx == "DHE-RSA"; }},
        {"kRSA", [](const Suite& s) { return s.kx == "RSA"; }},
        {"RSA", [](const Suite& s) { return s.kx == "RSA"; }},
        {"aRSA", [](const Suite& s) { return s.kx == "RSA" || s.kx == "DHE-RSA" || s.kx == "ECDHE-RSA"; }},
        {"aECDSA", [](const Suite& s) { return s.kx == "ECDHE-ECDSA"; }},
        {"ECDSA", [](const Suite& s) { return s.kx == "ECDHE-ECDSA"; }},
        {"AES", [](const Suite& s) { return s.cipher.substr(0, 3) == "AES"; }},
        {"AES128", is_aes128},
        {"AES256", is_aes256},
        {"AESGCM", is_gcm},
        {"AESCCM", is_ccm},
        {"AESCCM8", is_ccm8},
        {"CHACHA20", is_chacha},
        {"CAMELLIA", is_camellia},
        {"CAMELLIA128", [](const Suite& s) { return s.cipher == "CAMELLIA-128-CBC"; }},
        {"CAMELLIA256", [](const Suite& s) { return s.cipher == "CAMELLIA-256-CBC"; }},
        {"SHA1", [](const Suite& s) { return s.mac == "SHA1"; }},
        {"SHA", [](const Suite& s) { return s.mac == "SHA1"; }},
        // By MAC: the AEAD suites named ...-SHA256/-SHA384 are not in them (openssl ciphers -v SHA256).
        {"SHA256", [](const Suite& s) { return s.mac == "SHA256"; }},
        {"SHA384", [](const Suite& s) { return s.mac == "SHA384"; }},
        {"TLSv1.2", needs_tls12},
        // By the version a suite first appeared in: the ECDHE ones in TLSv1, the others in SSLv3.
        {"TLSv1.0", [](const Suite& s) { return !needs_tls12(s) && s.kx.substr(0, 5) == "ECDHE"; }},
        {"TLSv1", [](const Suite& s) { return !needs_tls12(s) && s.kx.substr(0, 5) == "ECDHE"; }},
        {"SSLv3", [](const Suite& s) { return !needs_tls12(s) && s.kx.substr(0, 5) != "ECDHE"; }},
    };
    static const std::string_view nothing_here[] = {
        "aNULL", "eNULL", "NULL", "ADH", "AECDH", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "MEDIUM", "LOW",
        "EXP", "EXPORT", "aDSS", "DSS", "kDHd", "kDHr", "DES", "3DES", "RC4", "RC2", "IDEA", "SEED", "MD5",
        "ARIA", "ARIA128", "ARIA256", "ARIAGCM", "PSK", "kPSK",
        "aPSK", "kECDHEPSK", "kDHEPSK", "kRSAPSK", "SRP", "kSRP", "aSRP", "GOST", "kGOST", "aGOST",
        "aGOST01", "aGOST12", "GOST89MAC", "GOST94", "kGOST18", "CBC3"};
    SuiteSet set(suite_count, false);
    for (const auto& [name, test] : known)
        if (word == name) {
            for (std::size_t i = 0; i < suite_count; i++) set[i] = test(suites[i]);
            return set;
        }
    for (std::string_view name : nothing_here)
        if (word == name) return set;
    for (std::size_t i = 0; i < suite_count; i++)
        if (word == suites[i].openssl) {
            set[i] = true;
            return set;
        }
    return std::nullopt;
}

struct CipherList {
    SuiteSet chosen = SuiteSet(suite_count, false);
    std::optional<int> seclevel;  // @SECLEVEL=N
    std::string unknown;          // the first word we cannot translate
};

// OpenSSL's cipher-string grammar, as sets: WORD adds, -WORD removes, !WORD removes
// for good, +WORD only reorders, A+B is the suites in both; @STRENGTH orders.
// (GnuTLS orders suites its own way: the translation is of the set.)
CipherList evaluate(std::string_view text) {
    CipherList out;
    SuiteSet banned(suite_count, false);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(":, ", start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view term = text.substr(start, end - start);
        start = end + 1;
        if (term.empty()) continue;
        if (term.substr(0, 10) == "@SECLEVEL=" && term.size() == 11 && term[10] >= '0' && term[10] <= '5') {
            out.seclevel = term[10] - '0';
            continue;
        }
        if (term == "@STRENGTH") continue;
        char op = term[0];
        if (op == '!' || op == '-' || op == '+') term.remove_prefix(1);
        SuiteSet selected(suite_count, true);
        std::size_t part_start = 0;
        while (part_start <= term.size()) {
            std::size_t plus = term.find('+', part_start);
            if (plus == std::string_view::npos) plus = term.size();
            std::string_view word = term.substr(part_start, plus - part_start);
            part_start = plus + 1;
            std::optional<SuiteSet> matched = alias(word);
            if (!matched) {
                if (out.unknown.empty()) out.unknown = std::string(word);
                matched = SuiteSet(suite_count, false);
            }
            for (std::size_t i = 0; i < suite_count; i++) selected[i] = selected[i] && (*matched)[i];
        }
        for (std::size_t i = 0; i < suite_count; i++) {
            if (!selected[i]) continue;
            if (op == '!') banned[i] = true, out.chosen[i] = false;
            else if (op == '-') out.chosen[i] = false;
            else if (op != '+' && !banned[i]) out.chosen[i] = true;
        }
        if (end == text.size()) break;
    }
    return out;
}

void add_unique(std::vector<std::string_view>& list, std::string_view item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::string join(const std::vector<std::string_view>& items, std::string_view sign) {
    std::string out;
    for (std::string_view i : items) out += (out.empty() ? "" : ":") + std::string(sign) + std::string(i);
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return ascii_iequals(a, b); }

std::vector<std::string_view> split(std::string_view text, std::string_view separators) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(separators, start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

// --- the cipher, MAC and key-exchange tokens -------------------------------------------

// The Mozilla profiles' cipher lists are not products of key exchanges x ciphers
// x MACs (intermediate leaves out DHE-RSA-CHACHA20-POLY1305; old mixes hashes per
// key exchange), so GnuTLS cannot say them exactly. Each gets the nearest product,
// a superset by the few suites named here (README "GnuTLS").
std::optional<std::string> profile_cipher_tokens(const std::string& ciphers) {
    static const std::string intermediate = profile_settings("intermediate", {})->ciphers->value;
    static const std::string old = profile_settings("old", {})->ciphers->value;
    if (ciphers == intermediate)  // + DHE-RSA-CHACHA20-POLY1305
        return "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:"
               "-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA";
    if (ciphers == old)  // + DHE-RSA-CHACHA20 (and the SHA1/SHA384 CBC suites of DHE-RSA and RSA)
        return "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CBC:+AES-256-CBC:"
               "-MAC-ALL:+AEAD:+SHA256:+SHA384:+SHA1:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA:+RSA";
    return std::nullopt;
}

std::string names_of(const SuiteSet& set, std::size_t limit) {
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < suite_count; i++) {
        if (!set[i]) continue;
        if (n++ == limit) return out + ", ...";
        out += (out.empty() ? "" : ", ") + std::string(suites[i].openssl);
    }
    return out;
}

void translate_ciphers(const Settings& s, bool excused, std::string& tokens, Diagnostics& errors,
                       std::optional<int>& seclevel) {
    if (!s.ciphers && !s.ciphersuites) return;
    auto fail = [&](const Origin& where, std::string message) {
        if (!excused)
            errors.push_back({where.location, std::move(message) + "; write the GnuTLS equivalent as gnutls_priority "
                                                                   "(e.g. gnutls_priority = \"-CIPHER-ALL:+AES-128-GCM\"), "
                                                                   "which replaces this translation for GnuTLS programs"});
    };
    std::vector<std::string_view> ciphers, macs, kxs;
    SuiteSet chosen(suite_count, false);
    if (s.ciphers) {
        CipherList list = evaluate(s.ciphers->value);
        seclevel = list.seclevel;
        if (std::optional<std::string> profile = profile_cipher_tokens(s.ciphers->value)) {
            if (!s.ciphersuites || s.ciphersuites->origin.source == s.ciphers->origin.source) {
                tokens += (tokens.empty() ? "" : ":") + *profile;
                return;
            }
        }
        if (!list.unknown.empty())
            return fail(s.ciphers->origin, "ciphers '" + s.ciphers->value + "': '" + list.unknown +
                                               "' has no GnuTLS translation (tlsoverride translates OpenSSL's "
                                               "keywords for ECDHE, DHE and RSA suites with AES, ChaCha20 or Camellia)");
        chosen = list.chosen;
        if (std::none_of(chosen.begin(), chosen.end(), [](bool b) { return b; }))
            return fail(s.ciphers->origin, "ciphers '" + s.ciphers->value +
                                               "' selects no suite that GnuTLS implements (ECDHE, DHE or RSA key "
                                               "exchange with AES, ChaCha20 or Camellia)");
        for (std::size_t i = 0; i < suite_count; i++) {
            if (!chosen[i]) continue;
            add_unique(ciphers, suites[i].cipher);
            add_unique(macs, suites[i].mac);
            add_unique(kxs, suites[i].kx);
        }
    }
    if (s.ciphersuites) {
        for (std::string_view name : split(s.ciphersuites->value, ":")) {
            auto known = std::find_if(std::begin(tls13_suites), std::end(tls13_suites),
                                      [&](const auto& t) { return t.first == name; });
            if (known == std::end(tls13_suites))
                return fail(s.ciphersuites->origin, "ciphersuites '" + s.ciphersuites->value + "': '" +
                                                        std::string(name) + "' is not a TLS 1.3 suite GnuTLS implements "
                                                        "(TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
                                                        "TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_CCM_SHA256, "
                                                        "TLS_AES_128_CCM_8_SHA256)");
            add_unique(ciphers, known->second);
        }
        add_unique(macs, "AEAD");
        if (!s.ciphers) {
            // GnuTLS has one cipher list for TLS 1.2 and 1.3: narrowing the TLS 1.3
            // suites alone would narrow TLS 1.2 too, unless TLS 1.2 is off anyway.
            if (s.min_protocol && s.min_protocol->value == Protocol::TLSv1_3) {
                tokens += (tokens.empty() ? "" : ":") + ("-CIPHER-ALL:" + join(ciphers, "+") + ":+AEAD");
                return;
            }
            bool all_defaults = true;
            for (std::string_view c : {"AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CCM"})
                all_defaults &= std::find(ciphers.begin(), ciphers.end(), c) != ciphers.end();
            if (!all_defaults)
                return fail(s.ciphersuites->origin, "ciphersuites '" + s.ciphersuites->value +
                                                        "' cannot be narrowed for GnuTLS alone: GnuTLS has one cipher "
                                                        "list for TLS 1.2 and 1.3, so set ciphers beside it (or "
                                                        "min_protocol = \"TLSv1.3\")");
            tokens += (tokens.empty() ? "" : ":") + join(ciphers, "+") + ":+AEAD";
            return;
        }
    }
    // The suites these tokens allow in GnuTLS: every one whose key exchange, cipher
    // and MAC are listed. Exact when that is the list's own set.
    SuiteSet allowed(suite_count, false);
    for (std::size_t i = 0; i < suite_count; i++) {
        const Suite& x = suites[i];
        allowed[i] = std::find(kxs.begin(), kxs.end(), x.kx) != kxs.end() &&
                     std::find(ciphers.begin(), ciphers.end(), x.cipher) != ciphers.end() &&
                     std::find(macs.begin(), macs.end(), x.mac) != macs.end();
    }
    SuiteSet extra(suite_count, false);
    bool exact = true;
    for (std::size_t i = 0; i < suite_count; i++) extra[i] = allowed[i] && !chosen[i], exact &= !extra[i];
    if (!exact)
        return fail(s.ciphersuites && !s.ciphers ? s.ciphersuites->origin : s.ciphers->origin,
                    "ciphers '" + s.ciphers->value + "'" +
                        (s.ciphersuites ? " with ciphersuites '" + s.ciphersuites->value + "'" : std::string()) +
                        " has no exact GnuTLS equivalent: GnuTLS chooses key exchanges, ciphers and MACs separately, "
                        "and these would also allow " + names_of(extra, 4));
    tokens += (tokens.empty() ? "" : ":") + ("-CIPHER-ALL:" + join(ciphers, "+") + ":-MAC-ALL:" + join(macs, "+") +
                                             ":-KX-ALL:" + join(kxs, "+"));
}

// --- versions, groups, signatures, level, options ---------------------------------------

std::string_view version_token(Protocol p) {
    constexpr std::string_view names[] = {"VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2", "VERS-TLS1.3"};
    return names[static_cast<int>(p)];
}

// GnuTLS has one list of versions, not two bounds. A bound the policy names is
// owned: versions beyond it are removed and the bound itself is switched on, so
// the range is never empty; with both bounds every version between them is on.
// An end the policy does not name stays the program's.
std::string version_tokens(const Settings& s) {
    if (!s.names_a_bound()) return {};
    bool low = s.min_protocol.has_value(), high = s.max_protocol.has_value();
    Protocol lowest = low ? s.min_protocol->value : Protocol::TLSv1;
    Protocol highest = high ? s.max_protocol->value : Protocol::TLSv1_3;
    std::vector<std::string_view> remove, add;
    for (Protocol p : all_protocols) {
        if (p < lowest || p > highest) remove.push_back(version_token(p));
        else if ((low && high) || (low && p == lowest) || (high && p == highest)) add.push_back(version_token(p));
    }
    std::string out = join(remove, "-");
    std::string on = join(add, "+");
    return out.empty() ? on : on.empty() ? out : out + ":" + on;
}

// OpenSSL's name -> GnuTLS's: the groups and signature algorithm tables below.
using NamePair = std::pair<InlineName<24>, InlineName<48>>;

constexpr NamePair groups[] = {
    {"X25519", "GROUP-X25519"},       {"X448", "GROUP-X448"},           {"P-256", "GROUP-SECP256R1"},
    {"prime256v1", "GROUP-SECP256R1"}, {"secp256r1", "GROUP-SECP256R1"}, {"P-384", "GROUP-SECP384R1"},
    {"secp384r1", "GROUP-SECP384R1"}, {"P-521", "GROUP-SECP521R1"},     {"secp521r1", "GROUP-SECP521R1"},
    {"ffdhe2048", "GROUP-FFDHE2048"}, {"ffdhe3072", "GROUP-FFDHE3072"}, {"ffdhe4096", "GROUP-FFDHE4096"},
    {"ffdhe6144", "GROUP-FFDHE6144"}, {"ffdhe8192", "GROUP-FFDHE8192"},
};

// OpenSSL's names (RSA+SHA256 and the TLS 1.3 names) -> GnuTLS's. "ECDSA+SHA256" is
// one code point: GnuTLS names it twice, for TLS 1.2 and for TLS 1.3 (with the curve).
constexpr NamePair signatures[] = {
    {"RSA+SHA1", "SIGN-RSA-SHA1"},
    {"rsa_pkcs1_sha1", "SIGN-RSA-SHA1"},
    {"RSA+SHA224", "SIGN-RSA-SHA224"},
    {"RSA+SHA256", "SIGN-RSA-SHA256"},
    {"rsa_pkcs1_sha256", "SIGN-RSA-SHA256"},
    {"RSA+SHA384", "SIGN-RSA-SHA384"},
    {"rsa_pkcs1_sha384", "SIGN-RSA-SHA384"},
    {"RSA+SHA512", "SIGN-RSA-SHA512"},
    {"rsa_pkcs1_sha512", "SIGN-RSA-SHA512"},
    {"ECDSA+SHA1", "SIGN-ECDSA-SHA1"},
    {"ecdsa_sha1", "SIGN-ECDSA-SHA1"},
    {"ECDSA+SHA224", "SIGN-ECDSA-SHA224"},
    {"ECDSA+SHA256", "SIGN-ECDSA-SHA256:+SIGN-ECDSA-SECP256R1-SHA256"},
    {"ecdsa_secp256r1_sha256", "SIGN-ECDSA-SHA256:+SIGN-ECDSA-SECP256R1-SHA256"},
    {"ECDSA+SHA384", "SIGN-ECDSA-SHA384:+SIGN-ECDSA-SECP384R1-SHA384"},
    {"ecdsa_secp384r1_sha384", "SIGN-ECDSA-SHA384:+SIGN-ECDSA-SECP384R1-SHA384"},
    {"ECDSA+SHA512", "SIGN-ECDSA-SHA512:+SIGN-ECDSA-SECP521R1-SHA512"},
    {"ecdsa_secp521r1_sha512", "SIGN-ECDSA-SHA512:+SIGN-ECDSA-SECP521R1-SHA512"},
    {"RSA-PSS+SHA256", "SIGN-RSA-PSS-RSAE-SHA256"},
    {"rsa_pss_rsae_sha256", "SIGN-RSA-PSS-RSAE-SHA256"},
    {"RSA-PSS+SHA384", "SIGN-RSA-PSS-RSAE-SHA384"},
    {"rsa_pss_rsae_sha384", "SIGN-RSA-PSS-RSAE-SHA384"},
    {"RSA-PSS+SHA512", "SIGN-RSA-PSS-RSAE-SHA512"},
    {"rsa_pss_rsae_sha512", "SIGN-RSA-PSS-RSAE-SHA512"},
    {"rsa_pss_pss_sha256", "SIGN-RSA-PSS-SHA256"},
    {"rsa_pss_pss_sha384", "SIGN-RSA-PSS-SHA384"},
    {"rsa_pss_pss_sha512", "SIGN-RSA-PSS-SHA512"},
    {"ed25519", "SIGN-EdDSA-Ed25519"},
    {"ed448", "SIGN-EdDSA-Ed448"},
};

// A list of names through one of the tables above: "-PREFIX-ALL:+A:+B".
void translate_names(const Setting<std::string>& setting, std::string_view key, std::string_view all,
                     const NamePair* table, std::size_t size,
                     std::string_view examples, bool excused, std::string& tokens, Diagnostics& errors) {
    if (!setting) return;
    std::vector<std::string_view> out;
    for (std::string_view name : split(setting->value, ":,")) {
        const auto* found = std::find_if(table, table + size, [&](const auto& t) { return iequals(t.first, name); });
        if (found == table + size) {
            if (!excused)
                errors.push_back({setting->origin.location,
                                  std::string(key) + " '" + setting->value + "': '" + std::string(name) +
                                      "' has no GnuTLS equivalent (use " + std::string(examples) +
                                      ", or write gnutls_priority)"});
            return;
        }
        add_unique(out, found->second);
    }
    if (out.empty()) return;
    tokens += (tokens.empty() ? "-" : ":-") + std::string(all) + ":" + join(out, "+");
}

// OpenSSL's security levels are bits of security; GnuTLS's profiles are named the
// same way: 80 bits (level 1) is %PROFILE_LOW, 112 (2) MEDIUM, 128 (3) HIGH, 192
// (4) ULTRA, 256 (5) FUTURE; level 0 allows anything, GnuTLS's VERY_WEAK.
std::string_view profile_token(int level) {
    constexpr std::string_view names[] = {"%PROFILE_VERY_WEAK", "%PROFILE_LOW",   "%PROFILE_MEDIUM",
                                          "%PROFILE_HIGH",      "%PROFILE_ULTRA", "%PROFILE_FUTURE"};
    return names[std::clamp(level, 0, 5)];
}

// OpenSSL's Options names with a GnuTLS meaning. An empty token: GnuTLS already
// behaves that way, nothing to add.
struct OptionMeaning {
    InlineName<32> name;  // as in SSL_CONF Options, with "-" to switch off
    InlineName<32> token;
};
constexpr OptionMeaning option_meanings[] = {
    {"UnsafeLegacyServerConnect", "%UNSAFE_RENEGOTIATION"},
    {"UnsafeLegacyRenegotiation", "%UNSAFE_RENEGOTIATION"},
    {"-SessionTicket", "%NO_TICKETS"},
    {"SessionTicket", ""},
    {"ServerPreference", "%SERVER_PRECEDENCE"},
    {"-ServerPreference", ""},
    {"-EncryptThenMac", "%NO_ETM"},
    {"EncryptThenMac", ""},
    {"-MiddleboxCompat", "%DISABLE_TLS13_COMPAT_MODE"},
    {"MiddleboxCompat", ""},
    {"-Compression", ""},
    {"-UnsafeLegacyServerConnect", ""},
    {"-UnsafeLegacyRenegotiation", ""},
};

void translate_options(const Settings& s, bool excused, std::string& tokens, Diagnostics& errors) {
    if (!s.options) return;
    for (const std::string& option : s.options->value) {
        const OptionMeaning* found = std::find_if(std::begin(option_meanings), std::end(option_meanings),
                                                  [&](const OptionMeaning& m) { return iequals(m.name, option); });
        if (found == std::end(option_meanings)) {
            if (!excused)
                errors.push_back({s.options->origin.location,
                                  "options: '" + option + "' has no GnuTLS equivalent (GnuTLS knows "
                                  "UnsafeLegacyServerConnect, UnsafeLegacyRenegotiation, -SessionTicket, "
                                  "ServerPreference, -EncryptThenMac, -MiddleboxCompat; or write gnutls_priority)"});
            continue;
        }
        if (!found->token.empty() && tokens.find(found->token) == std::string::npos)
            tokens += (tokens.empty() ? "" : ":") + std::string(found->token);
    }
}

}  // namespace

GnutlsTranslation translate_for_gnutls(const Settings& s) {
    GnutlsTranslation t;
    bool excused = s.gnutls_priority.has_value();
    auto add = [&](const std::string& more) {
        if (!more.empty()) t.tokens += (t.tokens.empty() ? "" : ":") + more;
    };
    add(version_tokens(s));
    std::string cipher_tokens;
    std::optional<int> seclevel;
    translate_ciphers(s, excused, cipher_tokens, t.errors, seclevel);
    add(cipher_tokens);
    std::string name_tokens;
    translate_names(s.groups, "groups", "GROUP-ALL", groups, std::size(groups), "X25519, X448, P-256, P-384, P-521, ffdhe2048 ... ffdhe8192",
                    excused, name_tokens, t.errors);
    translate_names(s.signature_algorithms, "signature_algorithms", "SIGN-ALL", signatures, std::size(signatures),
                    "RSA+SHA256, ECDSA+SHA256, RSA-PSS+SHA256, rsa_pss_rsae_sha256, ed25519", excused, name_tokens,
                    t.errors);
    add(name_tokens);
    // An explicit security_level wins over a cipher list's @SECLEVEL, as in OpenSSL.
    if (s.security_level) add(std::string(profile_token(s.security_level->value)));
    else if (seclevel) add(std::string(profile_token(*seclevel)));
    std::string option_tokens;
    translate_options(s, excused, option_tokens, t.errors);
    add(option_tokens);
    if (s.gnutls_priority) {
        std::string_view own = s.gnutls_priority->value;
        while (!own.empty() && own.front() == ':') own.remove_prefix(1);
        add(std::string(own));
    }
    return t;
}

ComposedPriority compose_priority(std::string_view program, std::string_view tokens, Mode mode) {
    ComposedPriority c;
    if (tokens.empty()) {
        c.text = program;
        c.inserted_at = program.size();
        return c;
    }
    // enforce: after everything the program wrote. default: after its first keyword
    // (NORMAL, @SYSTEM, SECURE128, NONE...), before its own modifiers.
    std::size_t at = mode == Mode::Enforce ? program.size() : std::min(program.find(':'), program.size());
    c.text.reserve(program.size() + tokens.size() + 1);
    c.text.append(program.substr(0, at));
    c.text += ':';
    c.text.append(tokens);
    c.text.append(program.substr(at));
    c.inserted_at = at;
    c.inserted_length = tokens.size() + 1;
    return c;
}

std::optional<std::size_t> ComposedPriority::program_offset(std::size_t composed) const {
    if (composed < inserted_at) return composed;
    if (composed < inserted_at + inserted_length) return std::nullopt;
    return composed - inserted_length;
}

std::string openssl_suite_name(std::string_view kx, std::string_view cipher, std::string_view mac) {
    for (const Suite& s : suites)
        if (s.kx == kx && s.cipher == cipher && s.mac == mac) return std::string(s.openssl);
    return {};
}

std::string tls13_suite_name(std::string_view cipher) {
    for (const auto& [name, c] : tls13_suites)
        if (c == cipher) return std::string(name);
    return {};
}

std::string openssl_group_name(std::string_view gnutls_group) {
    for (const auto& [name, token] : groups)
        if (token.substr(6) == gnutls_group) return std::string(name);
    return std::string(gnutls_group);
}

std::string gnutls_offered_versions(const Settings& s) {
    if (!s.names_a_bound()) return {};
    Protocol low = s.min_protocol ? s.min_protocol->value : Protocol::TLSv1;
    Protocol high = s.max_protocol ? s.max_protocol->value : Protocol::TLSv1_3;
    return std::string(protocol_name(low)) + "-" + std::string(protocol_name(high));
}

}  // namespace tlso
