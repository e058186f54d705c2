// Placeholder until the run command lands.
#include "commands.hpp"
#include <cstdio>
int command_run(int, char**) { std::fputs("tlsoverride run: not implemented yet\n", stderr); return 2; }
