// The tlsoverride command's subcommands. Each takes its own argv (argv[0] is the
// subcommand's name) and returns the process exit status.
#pragma once

int command_run(int argc, char** argv);      // cli/run.cpp
int command_check(int argc, char** argv);    // cli/check.cpp
int command_explain(int argc, char** argv);  // cli/explain.cpp
int command_doctor(int argc, char** argv);   // cli/doctor.cpp
int command_probe(int argc, char** argv);    // cli/probe.cpp
int command_diagnose(int argc, char** argv);  // cli/diagnose.cpp
