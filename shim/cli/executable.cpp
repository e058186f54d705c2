// Finding a program on PATH and reading the file properties that trigger secure execution.
#include "executable.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace {

std::string default_path() {
    size_t n = confstr(_CS_PATH, nullptr, 0);
    if (n == 0) return "/bin:/usr/bin";
    std::string path(n, '\0');
    confstr(_CS_PATH, path.data(), n);
    path.resize(n - 1);
    return path;
}

bool is_executable_file(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::string user_name(uid_t uid) {
    if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
    return std::to_string(uid);
}

std::string group_name(gid_t gid) {
    if (const group* gr = getgrgid(gid)) return gr->gr_name;
    return std::to_string(gid);
}

}  // namespace

std::optional<std::string> find_program(const std::string& name) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) return name;
    const char* env = std::getenv("PATH");
    std::string path = env ? env : default_path();
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        // An empty PATH entry means the current directory, as execvp treats it.
        std::string dir = end > start ? path.substr(start, end - start) : ".";
        std::string candidate = dir + "/" + name;
        if (is_executable_file(candidate)) return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<FileMode> file_mode_of(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::nullopt;
    FileMode m;
    m.mode = st.st_mode;
    m.owner = st.st_uid;
    m.group = st.st_gid;
    m.setuid = (st.st_mode & S_ISUID) != 0;
    m.setgid = (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP);
    // Any non-empty security.capability makes the kernel flag the exec as secure for
    // ordinary users; ENODATA (none) and ENOTSUP (no xattrs here) both mean "no".
    int saved = errno;
    m.capabilities = getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
    errno = saved;
    return m;
}

std::string describe_mode(const FileMode& m) {
    std::string s = S_ISDIR(m.mode) ? "d" : S_ISLNK(m.mode) ? "l" : "-";
    const mode_t bits[] = {S_IRUSR, S_IWUSR, S_IXUSR, S_IRGRP, S_IWGRP, S_IXGRP, S_IROTH, S_IWOTH, S_IXOTH};
    const char letters[] = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i) s += (m.mode & bits[i]) ? letters[i] : '-';
    if (m.mode & S_ISUID) s[3] = (m.mode & S_IXUSR) ? 's' : 'S';
    if (m.mode & S_ISGID) s[6] = (m.mode & S_IXGRP) ? 's' : 'S';
    if (m.mode & S_ISVTX) s[9] = (m.mode & S_IXOTH) ? 't' : 'T';
    return s + " " + user_name(m.owner) + ":" + group_name(m.group);
}

std::string secure_execution_reason(const FileMode& m) {
    std::string reason;
    auto add = [&](std::string_view what) {
        if (!reason.empty()) reason += " and ";
        reason += what;
    };
    if (m.setuid) add("it is setuid");
    if (m.setgid) add("it is setgid");
    if (m.capabilities) add("it has file capabilities (security.capability)");
    return reason;
}
