// Writing the rules, checked the way `tlsoverride check` checks. See diagnose_config.hpp.
#include "diagnose_config.hpp"

#include "core/log.hpp"
#include "core/process_config.hpp"
#include "core/rules.hpp"
#include "linked_openssl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tlso::diagnose {

namespace {

std::string directory_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// check's verdict on the configuration at PATH, its messages naming SHOWN_AS for PATH.
std::vector<std::string> check_errors(const std::string& path, const std::string& shown_as) {
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, path);
    std::vector<std::string> errors;
    for (const Diagnostic& d : configuration_errors(pc)) {
        std::string text = one_line(d.text());
        replace_all(text, path, shown_as);
        errors.push_back(text);
    }
    return errors;
}

// Each rule must be in the configuration, and be the first to match its own target.
void confirm_rules_apply(const std::string& configuration, const std::vector<const DiagnosedRule*>& rules,
                         WriteResult& result) {
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, configuration);
    for (const DiagnosedRule* rule : rules) {
        std::optional<std::size_t> ours;
        for (std::size_t i = 0; i < pc.config.rules.size(); ++i)
            if (pc.config.rules[i].name == rule->name) ours = i;
        if (!ours) {
            result.errors.push_back(configuration + " does not read the rule \"" + rule->name +
                                    "\" (this tlsoverride reads no conf.d/ directory): write into " + configuration +
                                    " itself, or into a file of its own that TLSOVERRIDE_CONFIG names");
            continue;
        }
        Target target{rule->program.value, rule->program.value, Role::Client,
                      rule->host ? std::optional<std::string_view>(rule->host->value) : std::nullopt};
        std::optional<std::size_t> first = first_matching_rule(pc.config.rules, target);
        if (first && *first < *ours && pc.config.rules[*first].name == rule->name)
            result.errors.push_back("an earlier rule of the same name (" + pc.config.rules[*first].location +
                                    ") decides these connections, and the program failed under it: edit or remove "
                                    "that rule, then run diagnose again");
        else if (first && *first < *ours)
            result.warnings.push_back("rule \"" + pc.config.rules[*first].name + "\" (" + pc.config.rules[*first].location +
                                      ") comes first and decides " + rule->program.value + "'s connections" +
                                      (rule->host ? " to " + rule->host->value : "") + "; move \"" + rule->name +
                                      "\" above it, or the new rule never applies");
    }
}

// Writes TEXT to a new file beside PATH and returns its name, or an empty string.
std::string write_beside(const std::string& path, const std::string& text, mode_t mode, std::string& error) {
    std::string temporary = directory_of(path) + "/." + base_of(path) + ".diagnose-XXXXXX";
    int fd = mkstemp(temporary.data());
    if (fd < 0) {
        error = "cannot write in " + directory_of(path) + ": " + std::strerror(errno);
        return "";
    }
    bool ok = fchmod(fd, mode) == 0;
    for (std::size_t done = 0; ok && done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok) {
        unlink(temporary.c_str());
        error = "cannot write " + temporary + ": " + std::strerror(saved);
        return "";
    }
    return temporary;
}

// Replaces PATH with TEXT in one rename, so a program starting meanwhile reads the
// old file or the new one, never half of one.
bool replace_file(const std::string& path, const std::string& text, mode_t mode, std::string& error) {
    std::string temporary = write_beside(path, text, mode, error);
    if (temporary.empty()) return false;
    if (rename(temporary.c_str(), path.c_str()) != 0) {
        error = "cannot replace " + path + ": " + std::strerror(errno);
        unlink(temporary.c_str());
        return false;
    }
    return true;
}

bool in_conf_d(const std::string& file) { return base_of(directory_of(file)) == "conf.d"; }

}  // namespace

std::string configuration_reading(const std::string& file) {
    return in_conf_d(file) ? directory_of(directory_of(file)) : file;
}

WriteResult write_checked(const std::string& file, const std::string& block, const std::vector<const DiagnosedRule*>& rules) {
    WriteResult result;
    result.configuration = configuration_reading(file);
    std::optional<std::string> old = read_file(file);
    struct stat st {};
    mode_t mode = old && stat(file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    std::string text = old ? *old + (old->empty() || old->back() == '\n' ? "" : "\n") + "\n" + block : block;

    // A first rule for a configuration without a conf.d/ yet: the directory is made
    // (only that one; its parent must exist), and removed again if nothing is written.
    struct MadeDirectory {
        std::string path;
        bool keep = false;
        ~MadeDirectory() {
            if (!path.empty() && !keep) rmdir(path.c_str());
        }
    } made;
    if (in_conf_d(file) && mkdir(directory_of(file).c_str(), 0755) == 0) made.path = directory_of(file);

    // First the new file on its own, then (for conf.d) what reads it, before anything changes.
    std::string error;
    std::string trial = write_beside(file, text, mode, error);
    if (trial.empty()) {
        result.errors.push_back(error);
        return result;
    }
    result.errors = check_errors(trial, file);
    unlink(trial.c_str());
    if (!result.errors.empty()) return result;
    if (result.configuration != file) {
        result.errors = check_errors(result.configuration, result.configuration);
        if (!result.errors.empty()) return result;
    }

    if (!replace_file(file, text, mode, error)) {
        result.errors.push_back(error);
        return result;
    }
    // What programs will read now: it must pass, and must read the new rules.
    result.errors = check_errors(result.configuration, result.configuration);
    if (result.errors.empty()) confirm_rules_apply(result.configuration, rules, result);
    if (!result.errors.empty()) {  // undo: leave FILE as it was
        if (old) replace_file(file, *old, mode, error);
        else unlink(file.c_str());
        return result;
    }
    result.written = made.keep = true;
    return result;
}

WriteResult trial_configuration(const std::optional<std::string>& current, const std::string& block,
                                const std::vector<const DiagnosedRule*>& rules, std::string& directory) {
    WriteResult result;
    const char* tmp = std::getenv("TMPDIR");
    directory = std::string(tmp && *tmp == '/' ? tmp : "/tmp") + "/tlsoverride-diagnose.XXXXXX";
    if (!mkdtemp(directory.data())) {
        result.errors.push_back(std::string("cannot make a private directory: ") + std::strerror(errno));
        directory.clear();
        return result;
    }
    std::string old;
    if (current) {
        std::optional<std::string> text = read_file(*current);
        if (!text) {
            result.errors.push_back("cannot read " + *current + ": " + std::strerror(errno));
            return result;
        }
        old = *text + (text->empty() || text->back() == '\n' ? "" : "\n") + "\n";
    }
    std::string file = directory + "/config.toml";
    std::string error;
    if (!replace_file(file, old + block, 0600, error)) {
        result.errors.push_back(error);
        return result;
    }
    result.configuration = file;
    result.errors = check_errors(file, current ? *current + " with the new rules" : "the new rules");
    if (result.errors.empty()) confirm_rules_apply(file, rules, result);
    result.written = result.errors.empty();
    return result;
}

}  // namespace tlso::diagnose
