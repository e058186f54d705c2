// Placeholder until the probe command lands.
#include "commands.hpp"
#include <cstdio>
int command_probe(int, char**) { std::fputs("tlsoverride probe: not implemented yet\n", stderr); return 2; }
