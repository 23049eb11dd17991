/* bb_alloc.c - counted allocation with fault injection.
 *
 * Invariant: a counter only ever increases; stats are read as a snapshot and
 * differences of snapshots give per-render figures. The fault hook counts down
 * across threads, so "fail the Nth allocation" is exact in single-threaded
 * renders and approximate (but still a failure) in parallel ones. */
#include "bb_alloc.h"

#include <stdatomic.h>
#include <stdlib.h>

static _Atomic uint64_t g_allocs, g_bytes, g_frees, g_failed;
static _Atomic uint64_t g_fail_countdown; /* 0 = off */

static int inject_failure(void)
{
    uint64_t c = atomic_load_explicit(&g_fail_countdown, memory_order_relaxed);
    while (c != 0) {
        if (atomic_compare_exchange_weak(&g_fail_countdown, &c, c - 1))
            return c == 1;
    }
    return 0;
}

static void *counted(void *p, size_t n)
{
    if (!p) {
        atomic_fetch_add_explicit(&g_failed, 1, memory_order_relaxed);
        return NULL;
    }
    atomic_fetch_add_explicit(&g_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_bytes, (uint64_t)n, memory_order_relaxed);
    return p;
}

void *bb_malloc(size_t n)
{
    if (inject_failure()) return counted(NULL, n);
    return counted(malloc(n ? n : 1), n);
}

void *bb_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return counted(NULL, 0);
    if (inject_failure()) return counted(NULL, count * size);
    return counted(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *bb_realloc(void *p, size_t n)
{
    if (inject_failure()) return counted(NULL, n);
    return counted(realloc(p, n ? n : 1), n);
}

void bb_free(void *p)
{
    if (!p) return;
    atomic_fetch_add_explicit(&g_frees, 1, memory_order_relaxed);
    free(p);
}

int bb_grow(void **pv, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem) return -1;
        nc *= 2;
    }
    void *p = bb_realloc(*pv, nc * elem);
    if (!p) return -1;
    *pv = p;
    *cap = nc;
    return 0;
}

bb_alloc_stats bb_alloc_snapshot(void)
{
    bb_alloc_stats s;
    s.allocs = atomic_load_explicit(&g_allocs, memory_order_relaxed);
    s.bytes = atomic_load_explicit(&g_bytes, memory_order_relaxed);
    s.frees = atomic_load_explicit(&g_frees, memory_order_relaxed);
    s.failed = atomic_load_explicit(&g_failed, memory_order_relaxed);
    return s;
}

uint64_t bb_alloc_fail_at(uint64_t n)
{
    return atomic_exchange(&g_fail_countdown, n);
}
