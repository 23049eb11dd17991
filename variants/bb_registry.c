/* bb_registry.c - the registry of variants by name, and plans built from lists.
 *
 * A plan starts as serial (resolve on demand, heap buffers, no batching, the
 * correct key) and each listed variant applies its part in order. */
#include "bb_variant.h"

#include <stdio.h>
#include <string.h>

extern const bb_variant bb_variant_serial, bb_variant_parallel, bb_variant_cycle, bb_variant_static,
    bb_variant_pool, bb_variant_batch, bb_variant_lanes, bb_variant_all, bb_variant_canary_stale,
    bb_variant_canary_key, bb_variant_canary_reload, bb_variant_canary_order, bb_variant_canary_lanes;

const bb_variant *const bb_variants[] = {
    &bb_variant_serial, &bb_variant_parallel, &bb_variant_cycle, &bb_variant_static, &bb_variant_pool,
    &bb_variant_batch, &bb_variant_lanes, &bb_variant_all, &bb_variant_canary_stale, &bb_variant_canary_key,
    &bb_variant_canary_reload, &bb_variant_canary_order, &bb_variant_canary_lanes, NULL,
};

const bb_variant *bb_variant_find(const char *name, size_t len)
{
    for (size_t i = 0; bb_variants[i]; i++)
        if (strlen(bb_variants[i]->name) == len && !memcmp(bb_variants[i]->name, name, len)) return bb_variants[i];
    return NULL;
}

size_t bb_plan_lookahead(const bb_plan *plan)
{
    if (!plan->pipeline || plan->threads <= 1) return 0;
    return plan->lookahead ? plan->lookahead : BB_PLAN_LOOKAHEAD;
}

bb_result bb_plan_parse(const char *list, int threads, size_t batch, bb_pin pin, bb_plan *plan, bb_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->resolver = &bb_resolve_serial;
    plan->store = &bb_store_heap;
    plan->key = bb_buskey_of;
    plan->batch = batch;
    plan->threads = threads;
    plan->pin = pin;
    snprintf(plan->name, sizeof plan->name, "%s", list);
    const char *s = list;
    if (!*s) return bb_error_set(err, BB_ERR_ARG, "--strategy", 0, 0, "expected a strategy name");
    while (*s) {
        size_t n = strcspn(s, ",+"); /* both compose: cycle,pool = cycle+pool */
        const char *e = s[n] ? s + n : NULL;
        const bb_variant *v = bb_variant_find(s, n);
        if (!v) {
            char known[512] = "";
            for (size_t i = 0; bb_variants[i]; i++) {
                strncat(known, " ", sizeof known - strlen(known) - 1);
                strncat(known, bb_variants[i]->name, sizeof known - strlen(known) - 1);
            }
            return bb_error_set(err, BB_ERR_ARG, "--strategy", 0, 0, "unknown strategy '%.*s' (known:%s)", (int)n, s, known);
        }
        v->apply(plan);
        s = e ? e + 1 : s + n;
    }
    if (plan->batch < 1) plan->batch = 1;
    return BB_OK;
}
