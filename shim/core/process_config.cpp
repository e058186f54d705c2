#include "core/process_config.hpp"

#include <unistd.h>

#include <algorithm>

#include "core/policy.hpp"

namespace tlso {

std::vector<const Settings*> ProcessConfig::all_layers() const {
    std::vector<const Settings*> all;
    for (const Settings& s : layers) all.push_back(&s);
    return all;
}

ProcessConfig load_process_config(const Lookup& getenv, const std::optional<std::string>& file) {
    ProcessConfig pc;
    pc.environment = read_environment(getenv);
    pc.errors = pc.environment.errors;
    if (file) pc.path = *file;
    else if (pc.environment.config_path) pc.path = pc.environment.config_path;
    else if (access(default_config_path, F_OK) == 0) pc.path = default_config_path;
    if (!pc.path.empty()) {
        LoadedConfig loaded = load_config_file(pc.path);
        // An error about the file as a whole also names the variable its path came from.
        if (!file && pc.environment.config_path)
            for (Diagnostic& d : loaded.errors)
                if (d.where == pc.path) d.where = "TLSOVERRIDE_CONFIG=" + pc.path;
        pc.errors.insert(pc.errors.end(), loaded.errors.begin(), loaded.errors.end());
        pc.config = std::move(loaded.config);
    }
    pc.process = overlay(pc.config.process, pc.environment.process);
    pc.rule_index = RuleIndex(pc.config.rules);
    pc.layers.push_back(effective_settings(pc.environment.settings, nullptr, pc.config.policy));
    for (const Rule& r : pc.config.rules)
        pc.layers.push_back(effective_settings(pc.environment.settings, &r, pc.config.policy));
    if (pc.errors.empty())
        for (const Settings& s : pc.layers) {
            // One conflict (say, from the environment) shows in every layer: report it once.
            for (const Diagnostic& d : check_range(s))
                if (std::none_of(pc.errors.begin(), pc.errors.end(), [&](const Diagnostic& e) { return e.text() == d.text(); }))
                    pc.errors.push_back(d);
        }
    return pc;
}

}  // namespace tlso
