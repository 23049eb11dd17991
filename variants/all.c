/* all.c - every phase at once: cycle look-ahead, static buffers kept, buffers
 * from the pool, batched windows mixed in parallel, a cycle's requests of one
 * bus synthesised in SIMD lanes. The fastest correct plan: the composition
 * below, by name, exactly as `--strategy cycle,static,pool,batch,lanes`
 * (a test holds the two plans equal). */
#include "bb_variant.h"

#define ALL_PARTS "cycle,static,pool,batch,lanes"

static void apply_all(bb_plan *p) { bb_plan_apply(p, ALL_PARTS, NULL); }

const bb_variant bb_variant_all = {"all", "-", "cycle + static + pool + batch + lanes", false, apply_all};
