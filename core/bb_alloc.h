/* bb_alloc.h - the core's own allocation hook.
 *
 * Every heap allocation made by the core and the strategies goes through these
 * functions, so that a render can count its allocations (the evidence for the
 * "zero allocations in steady state" claims) and tests can make the Nth one fail.
 * Counters are process-wide and thread-safe (relaxed atomics). */
#ifndef BB_ALLOC_H
#define BB_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Allocate n bytes. Returns NULL on failure (or when the fault hook says so).
 * The caller owns the memory and releases it with bb_free. */
void *bb_malloc(size_t n);
/* Zeroed allocation of count*size bytes; NULL on failure or multiplication overflow. */
void *bb_calloc(size_t count, size_t size);
/* Resize p to n bytes; on failure returns NULL and p is untouched. Counts as one
 * allocation when it has to obtain memory. */
void *bb_realloc(void *p, size_t n);
/* Release p (NULL is fine). */
void bb_free(void *p);

/* Grow an array (*pv, with *cap elements of elem bytes) to hold at least need
 * elements, doubling. Returns 0 on success, -1 on failure (array untouched). */
int bb_grow(void **pv, size_t *cap, size_t need, size_t elem);

typedef struct {
    uint64_t allocs;  /* successful bb_malloc/bb_calloc/bb_realloc calls */
    uint64_t bytes;   /* bytes requested by them */
    uint64_t frees;   /* blocks released: bb_free of a non-NULL pointer, and the old block of a
                         successful bb_realloc (so allocs - frees = blocks outstanding) */
    uint64_t failed;  /* allocations refused (real failure or injected) */
    int64_t live;     /* usable bytes allocated and not yet freed (malloc_usable_size) */
    int64_t peak;     /* the highest live since the start or the last bb_alloc_peak_reset */
} bb_alloc_stats;

/* A snapshot of the process-wide counters. */
bb_alloc_stats bb_alloc_snapshot(void);

/* Restart the peak at the current live bytes (so that peak - live measured
 * before a render is the render's own high-water mark). */
void bb_alloc_peak_reset(void);

/* Fault injection: make the Nth allocation from now fail (1 = the next one);
 * 0 disables. Returns the previous setting. Only for tests. */
uint64_t bb_alloc_fail_at(uint64_t n);

#endif
