/* bb_alloc.c - counted allocation with fault injection.
 *
 * Invariant: a counter only ever increases; stats are read as a snapshot and
 * differences of snapshots give per-render figures. The fault hook counts down
 * across threads, so "fail the Nth allocation" is exact in single-threaded
 * renders and approximate (but still a failure) in parallel ones.
 *
 * Live and peak bytes are usable sizes (malloc_usable_size), added on
 * allocation and taken back on free, so they measure what the allocator handed
 * out, slack included; the peak is a relaxed compare-and-swap maximum. */
#include "bb_alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>

static _Atomic uint64_t g_allocs, g_bytes, g_frees, g_failed;
static _Atomic uint64_t g_fail_countdown; /* 0 = off */
static _Atomic int64_t g_live, g_peak;

static void live_add(int64_t d)
{
    int64_t now = atomic_fetch_add_explicit(&g_live, d, memory_order_relaxed) + d;
    int64_t pk = atomic_load_explicit(&g_peak, memory_order_relaxed);
    while (now > pk && !atomic_compare_exchange_weak_explicit(&g_peak, &pk, now, memory_order_relaxed,
                                                              memory_order_relaxed)) {
    }
}

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
    live_add((int64_t)malloc_usable_size(p));
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
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n ? n : 1);
    if (q && p) {
        /* the old block is released: counted() adds the new one, so that
           allocs - frees is always the number of blocks outstanding */
        live_add(-(int64_t)old);
        atomic_fetch_add_explicit(&g_frees, 1, memory_order_relaxed);
    }
    return counted(q, n);
}

void bb_free(void *p)
{
    if (!p) return;
    atomic_fetch_add_explicit(&g_frees, 1, memory_order_relaxed);
    live_add(-(int64_t)malloc_usable_size(p));
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
    s.live = atomic_load_explicit(&g_live, memory_order_relaxed);
    s.peak = atomic_load_explicit(&g_peak, memory_order_relaxed);
    return s;
}

void bb_alloc_peak_reset(void)
{
    atomic_store_explicit(&g_peak, atomic_load_explicit(&g_live, memory_order_relaxed), memory_order_relaxed);
}

uint64_t bb_alloc_fail_at(uint64_t n)
{
    return atomic_exchange(&g_fail_countdown, n);
}
