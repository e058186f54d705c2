// Java and node carry their own TLS, which a preload cannot reach: `tlsoverride run`
// recognises them and translates the same policy for them (README "Java and node").
//   Java: JAVA_TOOL_OPTIONS with -javaagent:tlsoverride-jsse.jar (the JSSE provider) and the
//         JDK's own properties (jdk.tls.client.protocols, com.ibm.jsse2.overrideDefaultTLS, ...)
//   node: NODE_OPTIONS with --require=tlsoverride.js
// and, for both, TLSOVERRIDE_RUNTIME_POLICY: the policy resolved here (environment, file, the
// rule for this program), so the provider and the module need no TOML reader of their own.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

// children: a shell script (#!/bin/sh), whose Java and node programs get the policy the way
// its other programs get the preload.
enum class Runtime { none, java, node, children };

struct RuntimeCommand {
    Runtime runtime = Runtime::none;
    std::string interpreter;   // the real java or node executable
    std::string how;           // "/usr/bin/java -> /usr/lib/jvm/.../bin/java", "#!/usr/bin/env node"
    bool own_openssl = false;  // node: OpenSSL linked into the binary (else the preload governs it)
};

// PROGRAM (as execvp would find it) is a java or node executable, through symlinks, or a #!
// script whose interpreter is one (also through /usr/bin/env), or a shell script.
RuntimeCommand recognise_runtime(const std::string& program);

using EnvironmentVariables = std::vector<std::pair<std::string, std::string>>;

struct RuntimeSetup {
    bool ok = true;                 // false: do not start COMMAND (a bad configuration, on_error = fail)
    EnvironmentVariables variables;  // to set, in this order
};

// The variables for COMMAND (argv[0] as given, PROGRAM as found), with the provider or module
// looked up in LIBRARY_DIR. Reports on standard error what cannot be translated, located like
// `check`, and configuration errors.
RuntimeSetup runtime_setup(const RuntimeCommand& command, const std::string& argv0, const std::string& library_dir);

// `run --print-env`: one VAR=value line each, ready for a systemd EnvironmentFile=.
int print_environment(const EnvironmentVariables& variables);

// For `doctor`: what governs a Java or node program and how, or nullopt for any other.
struct RuntimeAnswer {
    std::string why;
    std::vector<std::string> next;
};
std::optional<RuntimeAnswer> runtime_answer(const std::string& program, const std::string& command);
