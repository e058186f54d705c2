// What `run` knows about putting the library into a program, shared with `diagnose`,
// which runs its COMMAND under the library the same way. WHO is the prefix of every
// message ("tlsoverride run").
#pragma once

#include <optional>
#include <string>
#include <vector>

struct LibrarySearch {
    std::string path;                  // absolute, resolved; empty when not found
    std::vector<std::string> looked;   // every directory tried, for the error message
    std::string missing_engine_in;     // a directory with the preload file but no engine
};

// The compiled-in library directory, then the build tree, then a relocated install.
LibrarySearch find_library();
void report_missing_library(const LibrarySearch& search, const char* who);

// The library's path for LD_PRELOAD, or nullopt after saying on standard error why
// there is none (not found, or a path LD_PRELOAD cannot express).
std::optional<std::string> preload_library_path(const char* who);

// LIBRARY first (named through $LIB when it is installed in its multiarch directory, so
// that one value serves 64- and 32-bit programs), then EXISTING's entries (a LD_PRELOAD
// value, may be NULL) without any other copy of our stage 1.
std::string preload_list(const std::string& library, const char* existing);

// True, after saying why, when PATH would start in secure-execution mode (setuid,
// setgid, file capabilities): ld.so would drop the library without a word.
bool refuse_privileged(const std::string& path, const char* who);

// "COMMAND: command not found in PATH (...)" or "cannot run COMMAND: strerror".
void report_cannot_run(const char* command, int error, const char* who);
