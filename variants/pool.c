/* pool.c - phase 2.4: bus buffers come from a pool and go back to it. Buffers
 * are kept in free lists by size class (capacity a power of two >= the length),
 * so once the render has seen its largest simultaneous set of buffers it
 * allocates nothing more: zero bus-buffer allocations in the steady state. */
#include "bb_variant.h"

#include "bb_alloc.h"

static int size_class(int64_t len)
{
    int c = 0;
    while (((int64_t)1 << c) < len) c++;
    return c;
}

static bb_busbuf *pool_get(bb_drv *d, int64_t len)
{
    int c = size_class(len);
    bb_busbuf *b = d->free_lists[c];
    if (b) {
        d->free_lists[c] = b->next;
        b->next = NULL;
        d->stats->pool_reuse++;
        return b;
    }
    b = bb_calloc(1, sizeof *b);
    float *data = bb_malloc(((size_t)1 << c) * sizeof *data);
    if (!b || !data) {
        bb_free(b);
        bb_free(data);
        return NULL;
    }
    b->data = data;
    b->cap = (size_t)1 << c;
    d->stats->busbuf_allocs++;
    return b;
}

static void pool_put(bb_drv *d, bb_busbuf *b)
{
    int c = size_class((int64_t)b->cap);
    b->next = d->free_lists[c];
    d->free_lists[c] = b;
}

static void pool_drain(bb_drv *d)
{
    for (size_t c = 0; c < sizeof d->free_lists / sizeof d->free_lists[0]; c++) {
        while (d->free_lists[c]) {
            bb_busbuf *b = d->free_lists[c];
            d->free_lists[c] = b->next;
            bb_free(b->data);
            bb_free(b);
        }
    }
}

const bb_store bb_store_pool = {"pool", pool_get, pool_put, pool_drain};

static void apply_pool(bb_plan *p) { p->store = &bb_store_pool; }

const bb_variant bb_variant_pool = {"pool", "2.4", "bus buffers come from a pool and return to it", false, apply_pool};
