// Placeholder until the doctor command lands.
#include "commands.hpp"
#include <cstdio>
int command_doctor(int, char**) { std::fputs("tlsoverride doctor: not implemented yet\n", stderr); return 2; }
