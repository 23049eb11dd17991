/* all.c - every phase at once: cycle look-ahead, static buffers kept, buffers
 * from the pool, batched windows mixed in parallel, a cycle's requests of one
 * bus synthesised in SIMD lanes. The fastest correct plan. */
#include "bb_variant.h"

extern const bb_variant bb_variant_cycle, bb_variant_static, bb_variant_pool, bb_variant_batch, bb_variant_lanes;

static void apply_all(bb_plan *p)
{
    bb_variant_cycle.apply(p);
    bb_variant_static.apply(p);
    bb_variant_pool.apply(p);
    bb_variant_batch.apply(p);
    bb_variant_lanes.apply(p);
}

const bb_variant bb_variant_all = {"all", "-", "cycle + static + pool + batch + lanes", false, apply_all};
