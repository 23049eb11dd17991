/* bb_ring.c - the SPSC frame FIFO (bb_ring.h). Invariant: 0 <= w - r <= cap;
 * frame i lives at buf[i % cap]. */
#include "bb_ring.h"

#include "bb_alloc.h"

#include <string.h>

bb_result bb_ring_init(bb_ring *q, size_t cap)
{
    q->buf = bb_calloc(cap ? cap : 1, sizeof *q->buf);
    q->cap = q->buf ? cap : 0;
    atomic_init(&q->w, 0);
    atomic_init(&q->r, 0);
    return q->buf ? BB_OK : BB_ERR_NOMEM;
}

void bb_ring_free(bb_ring *q)
{
    bb_free(q->buf);
    q->buf = NULL;
    q->cap = 0;
}

size_t bb_ring_avail(bb_ring *q)
{
    return (size_t)(atomic_load_explicit(&q->w, memory_order_acquire) - atomic_load_explicit(&q->r, memory_order_relaxed));
}

size_t bb_ring_space(bb_ring *q)
{
    return q->cap - (size_t)(atomic_load_explicit(&q->w, memory_order_relaxed) -
                             atomic_load_explicit(&q->r, memory_order_acquire));
}

void bb_ring_write(bb_ring *q, const float *x, size_t n)
{
    uint64_t w = atomic_load_explicit(&q->w, memory_order_relaxed);
    size_t at = (size_t)(w % q->cap), first = q->cap - at < n ? q->cap - at : n;
    if (x) {
        memcpy(q->buf + at, x, first * sizeof *x);
        memcpy(q->buf, x + first, (n - first) * sizeof *x);
    } else {
        memset(q->buf + at, 0, first * sizeof *q->buf);
        memset(q->buf, 0, (n - first) * sizeof *q->buf);
    }
    atomic_store_explicit(&q->w, w + n, memory_order_release);
}

void bb_ring_read(bb_ring *q, float *y, size_t n)
{
    uint64_t r = atomic_load_explicit(&q->r, memory_order_relaxed);
    size_t at = (size_t)(r % q->cap), first = q->cap - at < n ? q->cap - at : n;
    memcpy(y, q->buf + at, first * sizeof *y);
    memcpy(y + first, q->buf, (n - first) * sizeof *y);
    atomic_store_explicit(&q->r, r + n, memory_order_release);
}
