// What the compiler's startup files (crti.o, crtbeginS.o) ask of the dynamic linker in
// each of our two libraries, answered inside them: each name below is a search of
// every loaded library when a library is loaded (about 1,000 instructions each, in
// every process the preload library enters, and again when the engine is loaded:
// make bench, figures 1, 2 and 8). Defined here, hidden, they bind inside the library.
//
// - gprof's __gmon_start__ and libitm's transactional-memory clone registry: no
//   library in a normal process defines them; these do what their absence means (no
//   profiling call, no clone table registered). Nothing here runs under gprof or
//   inside a transaction.
// - __cxa_finalize(dso), which crtbeginS.o's destructor calls so that a library being
//   unloaded first runs the exit handlers it registered (C++ static destructors) and
//   drops its fork handlers. Neither library is ever unloaded: stage 1 is preloaded,
//   the engine opened with RTLD_NODELETE (stage1.cpp). At exit there is nothing left
//   for it: exit() runs every registered handler, in reverse order of registration,
//   before the libraries' destructors (_dl_fini, registered first, runs last).
extern "C" {

__attribute__((visibility("hidden"))) void __gmon_start__() {}
__attribute__((visibility("hidden"))) void _ITM_registerTMCloneTable(void*, unsigned long) {}
__attribute__((visibility("hidden"))) void _ITM_deregisterTMCloneTable(void*) {}
__attribute__((visibility("hidden"))) void __cxa_finalize(void*) {}

}  // extern "C"
