// A program file as ld.so will treat it: where PATH finds it, and whether the kernel
// will start it in secure-execution mode, in which ld.so silently drops LD_PRELOAD.
// Shared by `run` (which refuses such programs) and `doctor` (which explains them).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

// The file execvp would run for NAME: NAME itself when it contains a slash, else the
// first executable regular file named NAME in PATH (confstr's default when PATH is unset).
std::optional<std::string> find_program(const std::string& name);

struct FileMode {
    mode_t mode = 0;
    uid_t owner = 0;
    gid_t group = 0;
    bool setuid = false;
    bool setgid = false;        // only with group execute: without it the bit means file locking
    bool capabilities = false;  // a security.capability extended attribute
};

// Reads the mode and the capability attribute of PATH; nullopt (and errno set) when it
// cannot be stat'ed.
std::optional<FileMode> file_mode_of(const std::string& path);

// "-rwsr-xr-x root:root", as ls -l would show it.
std::string describe_mode(const FileMode& m);

// Why ld.so would ignore LD_PRELOAD for this file ("it is setuid", "it is setgid and it
// has file capabilities (security.capability)"), or an empty string when it would not.
std::string secure_execution_reason(const FileMode& m);
