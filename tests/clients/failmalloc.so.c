/* failmalloc.so: a test-only preload library that makes allocations fail on demand,
 * so a test can show that out of memory inside an interposed call never terminates
 * the host (tests/e2e/oom.sh, tests/clients/oomsetters.c).
 *
 *   failmalloc_arm(n, every_after)   the n-th allocation from now fails (n >= 1), and
 *                                    with every_after != 0 every one after it too
 *   failmalloc_disarm()              back to normal; returns how many allocations
 *                                    were seen while armed
 *   failmalloc_failed()              how many allocations failed while armed
 *
 * The client finds these with dlsym(RTLD_DEFAULT, ...). malloc, calloc, realloc
 * and aligned allocations go through here; libstdc++'s operator new is built on
 * malloc, so the engine's std::string and containers fail too. The real ones are
 * glibc's __libc_* functions. A failed allocation does not touch errno: whatever
 * errno the caller sees afterwards was set by someone else, which is what the test
 * checks. Not thread-safe: the client using it is single-threaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static int armed;
static unsigned long countdown, seen, failed;
static int every_after;

void failmalloc_arm(unsigned long n, int all_after) {
    countdown = n ? n : 1;
    every_after = all_after;
    seen = failed = 0;
    armed = 1;
}

unsigned long failmalloc_disarm(void) {
    armed = 0;
    return seen;
}

unsigned long failmalloc_failed(void) { return failed; }

/* Whether this allocation fails. */
static int fail_now(void) {
    if (!armed) return 0;
    ++seen;
    if (countdown > 1) {
        --countdown;
        return 0;
    }
    if (countdown == 1) {
        countdown = every_after ? 1 : 0;
        ++failed;
        return 1;
    }
    return 0;
}

void *malloc(size_t size) { return fail_now() ? NULL : __libc_malloc(size); }
void *calloc(size_t n, size_t size) { return fail_now() ? NULL : __libc_calloc(n, size); }
void *realloc(void *p, size_t size) {
    if (p && size == 0) return __libc_realloc(p, size); /* a free: never fails */
    return fail_now() ? NULL : __libc_realloc(p, size);
}
void *memalign(size_t align, size_t size) { return fail_now() ? NULL : __libc_memalign(align, size); }
void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }
int posix_memalign(void **out, size_t align, size_t size) {
    if (fail_now()) return ENOMEM;
    void *p = __libc_memalign(align, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
