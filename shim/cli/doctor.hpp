// What `run` borrows from `doctor`: its detection, without the evidence lines.
#pragma once

#include <string>

// One line saying why the library cannot reach the program at PATH itself (statically
// linked, a Go program, an OpenSSL of its own, another ELF class), or "" when it can or
// when that cannot be told from the file (scripts, interpreters: doctor says more).
std::string unreachable_reason(const std::string& path);
