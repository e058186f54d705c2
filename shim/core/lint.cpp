#include "core/lint.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace tlso {
namespace {

bool has_glob(std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; }

// Whether glob I matches every name that pattern J matches. Conservative: a J that is
// itself a glob is covered only by "*" or by the same pattern, so no false warning.
bool covers(const std::string& i, const std::string& j, bool ignore_case) {
    if (i == "*" || i == j) return true;
    return !has_glob(j) && glob_matches(i, j, ignore_case);
}

bool condition_covers(const std::vector<std::string>& earlier, const std::vector<std::string>& later, bool ignore_case) {
    if (earlier.empty()) return true;  // no condition: any name
    if (later.empty()) return false;   // the later rule matches names the earlier one does not
    return std::all_of(later.begin(), later.end(), [&](const std::string& j) {
        return std::any_of(earlier.begin(), earlier.end(), [&](const std::string& i) { return covers(i, j, ignore_case); });
    });
}

bool shadows(const Rule& earlier, const Rule& later) {
    return condition_covers(earlier.programs, later.programs, false) && condition_covers(earlier.hosts, later.hosts, true) &&
           (!earlier.role || (later.role && *earlier.role == *later.role));
}

std::string scope(const Rule* rule) {
    if (!rule) return "every connection that no rule matches";
    std::string s;
    if (!rule->programs.empty()) {
        s += "program";
        for (const std::string& p : rule->programs) s += " " + p;
    }
    if (!rule->hosts.empty()) {
        s += std::string(s.empty() ? "" : ", ") + "host";
        for (const std::string& h : rule->hosts) s += " " + h;
    }
    if (rule->role) s += std::string(s.empty() ? "" : ", ") + "role " + std::string(role_name(*rule->role));
    return s.empty() ? "every connection (the rule has no program, host or role)" : s;
}

void lint_weakening(const Settings& s, const Rule* rule, Diagnostics& out) {
    std::string who = rule ? "rule \"" + rule->name + "\"" : "[policy]";
    auto below = [&](const Setting<Protocol>& p, std::string_view key) {
        if (p && p->value < Protocol::TLSv1_2)
            out.push_back({p->origin.location, who + " " + std::string(key) + " = \"" + std::string(protocol_name(p->value)) +
                                                   "\" allows a protocol below TLSv1.2 for " + scope(rule) +
                                                   "; make sure that is meant, and keep the rule as narrow as the old peer"});
    };
    below(s.min_protocol, "min_protocol");
    below(s.max_protocol, "max_protocol");
    if (s.security_level && s.security_level->value < 1)
        out.push_back({s.security_level->origin.location,
                       who + " security_level = 0 allows keys, signatures and protocols that level 1 refuses, for " +
                           scope(rule) + "; make sure that is meant"});
}

bool group_or_world_writable(const struct stat& st) { return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0; }

std::string writable_by(const struct stat& st) {
    bool group = st.st_mode & S_IWGRP, other = st.st_mode & S_IWOTH;
    return group && other ? "group- and world-writable" : other ? "world-writable" : "group-writable";
}

std::string parent(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Diagnostics lint_config(const Config& config) {
    Diagnostics out;
    lint_weakening(config.policy, nullptr, out);
    for (std::size_t j = 0; j < config.rules.size(); j++) {
        const Rule& later = config.rules[j];
        for (std::size_t i = 0; i < j; i++) {
            const Rule& earlier = config.rules[i];
            if (!shadows(earlier, later)) continue;
            out.push_back({later.location, "rule " + std::to_string(j + 1) + " \"" + later.name + "\" can never match: rule " +
                                               std::to_string(i + 1) + " \"" + earlier.name + "\" (" + earlier.location +
                                               ") comes first and matches every case it matches (the first matching rule "
                                               "decides); move it above, or narrow rule " + std::to_string(i + 1)});
            break;
        }
        lint_weakening(later.settings, &later, out);
    }
    return out;
}

Diagnostics lint_permissions(const Config& config) {
    Diagnostics out;
    std::set<std::string> seen;
    auto check = [&](const std::string& path, bool directory, bool holds_config) {
        if (!seen.insert(path).second) return;
        struct stat st {};
        if (stat(path.c_str(), &st) != 0 || !group_or_world_writable(st)) return;
        bool sticky = st.st_mode & S_ISVTX;
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        if (!directory)
            out.push_back({path, "the file is " + writable_by(st) + " (mode " + mode +
                                     "): others can change the TLS policy of every program that reads it, setuid "
                                     "programs included; chmod go-w " + path});
        else if (holds_config)
            out.push_back({path, "the directory is " + writable_by(st) + " (mode " + mode + "): others can " +
                                     (sticky ? "create conf.d/ in it" : "replace the configuration or add conf.d/ files") +
                                     "; keep the configuration in a directory only its owner writes (/etc/tlsoverride)"});
        else if (!sticky)
            out.push_back({path, "the directory is " + writable_by(st) + " (mode " + mode +
                                     "): others can rename it and put another configuration in its place; chmod go-w " + path});
    };
    for (const std::string& f : config.files) {
        check(f, false, false);
        std::string dir = parent(f);
        bool in_dropins = dir.size() >= 7 && dir.substr(dir.size() - 7) == "/conf.d";
        check(dir, true, true);
        if (in_dropins) check(parent(dir), true, true);
        for (std::string up = parent(in_dropins ? parent(dir) : dir); ; up = parent(up)) {
            check(up, true, false);
            if (up == "/" || up == ".") break;
        }
    }
    return out;
}

}  // namespace tlso
