/* test_ring.c - the SPSC frame FIFO (bb_ring.h): space and avail account for
 * every frame, writes and reads wrap around the end, NULL writes zeros, and
 * one writer thread and one reader thread passing a counting sequence through
 * a small ring in uneven chunks lose, repeat and reorder nothing. */
#include "bb_ring.h"

#include <criterion/criterion.h>
#include <pthread.h>

TestSuite(ring);

Test(ring, counts_wrap_and_zeros)
{
    bb_ring q;
    cr_assert_eq(bb_ring_init(&q, 5), BB_OK);
    cr_expect_eq(bb_ring_avail(&q), 0);
    cr_expect_eq(bb_ring_space(&q), 5);
    const float a[4] = {1, 2, 3, 4};
    float y[5];
    bb_ring_write(&q, a, 4);
    bb_ring_read(&q, y, 3);
    cr_expect(y[0] == 1 && y[1] == 2 && y[2] == 3);
    bb_ring_write(&q, a, 3);   /* frames 4..6 wrap past the end */
    bb_ring_write(&q, NULL, 1);
    cr_expect_eq(bb_ring_avail(&q), 5);
    cr_expect_eq(bb_ring_space(&q), 0);
    bb_ring_read(&q, y, 5);
    cr_expect(y[0] == 4 && y[1] == 1 && y[2] == 2 && y[3] == 3 && y[4] == 0, "%g %g %g %g %g", (double)y[0],
              (double)y[1], (double)y[2], (double)y[3], (double)y[4]);
    bb_ring_free(&q);
}

enum { FRAMES = 1 << 20 };

static void *producer(void *arg)
{
    bb_ring *q = arg;
    float chunk[13];
    for (size_t i = 0; i < FRAMES;) {
        size_t n = 1 + i % 13;
        if (n > FRAMES - i) n = FRAMES - i;
        if (bb_ring_space(q) < n) continue;
        for (size_t k = 0; k < n; k++) chunk[k] = (float)(i + k);
        bb_ring_write(q, chunk, n);
        i += n;
    }
    return NULL;
}

Test(ring, two_threads_pass_every_frame_once_in_order)
{
    bb_ring q;
    cr_assert_eq(bb_ring_init(&q, 37), BB_OK);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, producer, &q), 0);
    float y[7];
    size_t bad = 0;
    for (size_t i = 0; i < FRAMES;) {
        size_t n = 1 + i % 7;
        if (n > FRAMES - i) n = FRAMES - i;
        if (bb_ring_avail(&q) < n) continue;
        bb_ring_read(&q, y, n);
        for (size_t k = 0; k < n; k++) bad += y[k] != (float)(i + k);
        i += n;
    }
    pthread_join(th, NULL);
    cr_expect_eq(bad, 0, "%zu frames out of place", bad);
    cr_expect_eq(bb_ring_avail(&q), 0);
    bb_ring_free(&q);
}
