/* static.c - phase 2.2: cycle caching, plus buffers of static buses (no pattern
 * input, no noise: bb_code.is_static) kept across cycles until a reload changes
 * their definition. Their keys carry no onset, so after the first occurrence of
 * each (bus, length, pitch) every later request is a hit: zero synthesis. */
#include "bb_variant.h"

static void apply_static(bb_plan *p)
{
    p->resolver = &bb_resolve_cycle;
    p->keep_static = true;
}

const bb_variant bb_variant_static = {"static", "2.2",
                                      "cycle + keep buffers of static buses across cycles until reload",
                                      false, apply_static};
