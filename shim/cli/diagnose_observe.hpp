// Running the diagnosed COMMAND once under the library as a pure observer: handshake
// records on, in JSON, into a private file; the current configuration applied; the
// program's standard output and error passed through.
#pragma once

#include "core/record.hpp"

#include <string>
#include <utility>
#include <vector>

namespace tlso::diagnose {

struct ObserveRequest {
    char** command = nullptr;  // NULL-terminated, argv-style
    std::string library;       // the preload library's path
    // Set in COMMAND's environment on top of ours (TLSOVERRIDE_CONFIG for the re-run).
    std::vector<std::pair<std::string, std::string>> variables;
    bool stdout_to_stderr = false;  // --json keeps standard output for the report
    bool stdin_from_null = false;   // the re-run: the first run had standard input
    bool sigpipe_ignored = false;   // how diagnose itself was started: COMMAND gets the same
};

struct Observation {
    bool ran = false;           // false: COMMAND could not be started (error says why)
    int error = 0;              // errno of the failed start
    std::string setup_error;    // not started because diagnose's own set-up failed (the private directory)
    int status = 0;             // COMMAND's exit status; 128 + N when killed by signal N
    int signal = 0;             // the signal that ended it, or 0
    std::vector<HandshakeRecord> handshakes;
    std::vector<std::string> library_errors;  // the library's "error" log lines
};

// Runs COMMAND and waits for it. The private log lives in a mkdtemp directory
// removed before returning.
Observation observe(const ObserveRequest& request);

// For a run without any handshake record: `tlsoverride doctor PROGRAM`'s verdict
// lines, indented, and whether it says the library can govern PROGRAM.
std::string doctor_verdict(const char* program, bool& governed);

}  // namespace tlso::diagnose
