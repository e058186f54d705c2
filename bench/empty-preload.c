/* An LD_PRELOAD library that does nothing: what any preloaded library costs a
 * program (the dynamic linker searches it for every symbol the program and its
 * libraries bind at start). make bench measures figures 2 and 8 under it too, so the
 * table shows the part of the cost that is the dynamic linker's, not tlsoverride's. */
int tlsoverride_bench_empty_preload;
