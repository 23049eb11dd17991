/* bb_registry.c - the registry of variants by name, and plans built from lists.
 *
 * BB_REGISTRY is the one list of strategies: one line per variant, in the
 * order `busbench strategies` prints them, real strategies first, then the
 * canaries. X(id) names the const bb_variant bb_variant_<id> that a file of
 * variants/ defines; every default list (bench, verify, the gate, difftest,
 * mutation) is read from this one, so a line here is all a new strategy needs
 * beside its file (docs/strategies.md).
 *
 * A plan starts as serial (resolve on demand, heap buffers, one request a
 * task, mixing on the render thread, the correct key) and each listed variant
 * applies its part in order. */
#include "bb_variant.h"

#include <stdio.h>
#include <string.h>

#define BB_REGISTRY(X)                                                                                  \
    X(serial)          /* serial.c */                                                                   \
    X(parallel)        /* parallel.c */                                                                 \
    X(cycle)           /* cycle.c */                                                                    \
    X(static)          /* static.c */                                                                   \
    X(pool)            /* pool.c */                                                                     \
    X(batch)           /* batch.c */                                                                    \
    X(lanes)           /* lanes.c */                                                                    \
    X(all)             /* all.c */                                                                      \
    X(canary_stale)    /* canaries.c */                                                                 \
    X(canary_key)      /* canaries.c */                                                                 \
    X(canary_reload)   /* canaries.c */                                                                 \
    X(canary_order)    /* canaries.c */                                                                 \
    X(canary_lanes)    /* canaries.c */

#define DECLARE(id) extern const bb_variant bb_variant_##id;
BB_REGISTRY(DECLARE)
#undef DECLARE

#define ENTRY(id) &bb_variant_##id,
const bb_variant *const bb_variants[] = {BB_REGISTRY(ENTRY) NULL};
#undef ENTRY

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

bb_result bb_plan_apply(bb_plan *plan, const char *list, bb_error *err)
{
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
    return BB_OK;
}

bb_result bb_plan_parse(const char *list, int threads, size_t batch, bb_pin pin, bb_plan *plan, bb_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->resolver = &bb_resolve_serial;
    plan->store = &bb_store_heap;
    plan->synthesiser = &bb_synthesise_each;
    plan->mixer = &bb_mix_here;
    plan->key = bb_buskey_of;
    plan->batch = batch;
    plan->threads = threads;
    plan->pin = pin;
    snprintf(plan->name, sizeof plan->name, "%s", list);
    bb_result r = bb_plan_apply(plan, list, err);
    if (r) return r;
    if (plan->batch < 1) plan->batch = 1;
    return BB_OK;
}
