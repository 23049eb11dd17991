/* all.c - every phase at once: cycle look-ahead, static buffers kept, buffers
 * from the pool, batched windows mixed in parallel. The fastest correct plan. */
#include "bb_variant.h"

extern const bb_variant bb_variant_cycle, bb_variant_static, bb_variant_pool, bb_variant_batch;

static void apply_all(bb_plan *p)
{
    bb_variant_cycle.apply(p);
    bb_variant_static.apply(p);
    bb_variant_pool.apply(p);
    bb_variant_batch.apply(p);
}

const bb_variant bb_variant_all = {"all", "-", "cycle + static + pool + batch", false, apply_all};
