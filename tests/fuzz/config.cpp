// libFuzzer target: the configuration loader, from a file's bytes, an environment
// and a connection (program, host, role) through to the policy that applies, the way
// the library and `tlsoverride check` load it (load_process_config), minus OpenSSL's
// own checks of cipher and group names; and the plain reader against toml++'s.
//
// Input: the file's bytes, optionally followed by a line "#@env" and then lines
//   NAME=VALUE   an environment variable (TLSOVERRIDE_ is added unless present)
//   @program=P   @host=H   @role=client|server
// so a seed can be a plain configuration file (tests/fuzz/corpus/config/).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/policy.hpp"
#include "core/process_config.hpp"
#include "invariant.hpp"

using namespace tlso;

namespace {


struct Input {
    std::string_view file;
    std::map<std::string, std::string> env;
    std::string program = "fuzzed-program", host;
    bool has_host = false;
    std::optional<Role> role;
};

Input split(std::string_view data) {
    Input in;
    constexpr std::string_view marker = "\n#@env\n";
    std::size_t at = data.find(marker);
    in.file = data.substr(0, at);
    if (at == std::string_view::npos) return in;
    std::string_view rest = data.substr(at + marker.size());
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name(line.substr(0, eq)), value(line.substr(eq + 1));
        if (name == "@program") in.program = value;
        else if (name == "@host") in.host = value, in.has_host = true;
        else if (name == "@role") in.role = parse_role(value).value;
        else in.env[name.rfind("TLSOVERRIDE_", 0) == 0 ? name : "TLSOVERRIDE_" + name] = value;
    }
    return in;
}

// The file is a memfd reopened through /proc: the real open/fstat/read path, no disk.
const std::string& file_with(std::string_view bytes) {
    static int fd = memfd_create("tlsoverride-fuzz.toml", 0);
    static std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
        std::abort();
    return path;
}

// What `tlsoverride check` prints for one layer.
std::size_t print(const Settings& s) {
    std::size_t n = 0;
    for_each_setting(s, [&](const SettingName& name, const auto& field) {
        if (!field) return;
        std::string line = std::string(name.key) + " = " + toml_text(field->value) + " # " + field->origin.source +
                           field->origin.location;
        n += line.size();
    });
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Input in = split(std::string_view(reinterpret_cast<const char*>(data), size));
    auto lookup = [&](const char* name) -> const char* {
        auto it = in.env.find(name);
        return it == in.env.end() ? nullptr : it->second.c_str();
    };
    // The plain reader takes only what toml++ reads the same (core/plain_toml.hpp).
    if (std::optional<LoadedConfig> plain = parse_plain_config(in.file, "fuzz.toml")) {
        LoadedConfig full = parse_toml_config(in.file, "fuzz.toml");
        REQUIRE(full.errors.empty());
        REQUIRE(plain->config == full.config);
    }
    const std::string& path = file_with(in.file);
    ProcessConfig pc = load_process_config(lookup, path);

    REQUIRE(pc.path == path);
    REQUIRE(pc.layers.size() == pc.config.rules.size() + 1);
    for (const Diagnostic& d : pc.errors) {
        REQUIRE(!d.message.empty());
        REQUIRE(!d.text().empty());
        // Every error is located: in the file (PATH or PATH:LINE:COLUMN) or in a variable.
        REQUIRE(d.where.rfind(path, 0) == 0 || d.where.rfind("TLSOVERRIDE_", 0) == 0);
    }
    if (!pc.errors.empty()) return 0;

    // A configuration without errors has a usable range in every layer.
    for (const Settings& s : pc.layers) {
        REQUIRE(check_range(s).empty());
        print(s);
    }
    REQUIRE(pc.config.rules.size() <= max_rules);
    for (const Rule& r : pc.config.rules) {
        REQUIRE(!r.name.empty());
        REQUIRE(r.programs.size() <= max_list_items && r.hosts.size() <= max_list_items);
        for (const std::string& g : r.programs) REQUIRE(g.size() <= max_string_bytes);
        for (const std::string& g : r.hosts) REQUIRE(g.size() <= max_string_bytes);
    }

    // The connection: the rule the library would choose, and what it would decide.
    Target target{in.program, in.program, in.role,
                  in.has_host ? std::optional<std::string_view>(in.host) : std::nullopt};
    std::optional<std::size_t> rule = first_matching_rule(pc.config.rules, target);
    if (rule) {
        REQUIRE(*rule < pc.config.rules.size());
        REQUIRE(rule_matches(pc.config.rules[*rule], target));
        for (std::size_t i = 0; i < *rule; i++) REQUIRE(!rule_matches(pc.config.rules[i], target));
    }
    const Settings& s = pc.layer(rule);
    weakens_security(s);
    Protocols inside = protected_versions(s);
    for (Protocol p : inside) {
        REQUIRE(!s.min_protocol || p >= s.min_protocol->value);
        REQUIRE(!s.max_protocol || p <= s.max_protocol->value);
    }
    // Enforce: whatever the program asks, the result stays inside the policy's range.
    std::optional<Protocol> asks[] = {std::nullopt, Protocol::TLSv1, Protocol::TLSv1_1, Protocol::TLSv1_2,
                                      Protocol::TLSv1_3};
    for (std::optional<Protocol> asked : asks) {
        std::optional<Protocol> low = enforce_bound(s, Bound::Min, asked);
        std::optional<Protocol> high = enforce_bound(s, Bound::Max, asked);
        if (s.min_protocol) REQUIRE(low == s.min_protocol->value);
        if (s.max_protocol) REQUIRE(high == s.max_protocol->value);
        if (s.max_protocol && low) REQUIRE(*low <= s.max_protocol->value);
        if (s.min_protocol && high) REQUIRE(*high >= s.min_protocol->value);
    }
    return 0;
}
