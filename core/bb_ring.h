/* bb_ring.h - a single-producer single-consumer FIFO of float frames over C11
 * atomics: one thread writes, one thread reads, neither ever waits or locks.
 *
 * Frames are counted from the start (w written, r read, 64-bit: they never
 * wrap); the writer publishes its frames by storing w with release after
 * copying them in, the reader frees its frames by storing r with release
 * after copying them out, and each loads the other's counter with acquire.
 * Nothing here allocates but bb_ring_init. Callers check bb_ring_space
 * before writing and bb_ring_avail before reading: the calls do not. */
#ifndef BB_RING_H
#define BB_RING_H

#include "bb_result.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bb_ring {
    float *buf;
    size_t cap;
    _Atomic uint64_t w, r;
} bb_ring;

/* Room for cap frames (zeroed). BB_ERR_NOMEM (q then holds nothing). */
bb_result bb_ring_init(bb_ring *q, size_t cap);
void bb_ring_free(bb_ring *q);
/* Frames the reader may take / the writer may put. */
size_t bb_ring_avail(bb_ring *q);
size_t bb_ring_space(bb_ring *q);
/* Writer: n frames of x (NULL: n zeros); at most bb_ring_space. */
void bb_ring_write(bb_ring *q, const float *x, size_t n);
/* Reader: n frames into y; at most bb_ring_avail. */
void bb_ring_read(bb_ring *q, float *y, size_t n);

#endif
