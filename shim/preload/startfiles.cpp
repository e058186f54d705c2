// What the compiler's startup files (crti.o, crtbeginS.o) ask of the dynamic linker in
// each of our two libraries, answered inside them.
//
// Both files look up three optional symbols when a library is loaded: gprof's
// __gmon_start__ and libitm's transactional-memory clone registry. No library in a
// normal process defines them, so each is a search of every loaded library that fails
// (about 1,000 instructions each, in every process the preload library enters, and
// again when the engine is loaded: make bench, figures 1, 2 and 8). Defined here,
// hidden, they bind inside the library, to what their absence means: no profiling
// call, no clone table registered. Nothing in tlsoverride runs under gprof or inside
// a transaction.
extern "C" {

__attribute__((visibility("hidden"))) void __gmon_start__() {}
__attribute__((visibility("hidden"))) void _ITM_registerTMCloneTable(void*, unsigned long) {}
__attribute__((visibility("hidden"))) void _ITM_deregisterTMCloneTable(void*) {}

}  // extern "C"
