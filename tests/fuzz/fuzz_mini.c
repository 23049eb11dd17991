/* fuzz_mini.c - libFuzzer target: the mini-notation parser and a query.
 *
 * Any byte string is a candidate pattern. It must either parse, and then
 * answer a query of its onsets in the first cycle and a plain query of a
 * span that starts off the grid and crosses a cycle boundary, or be refused
 * with an error that names a place; never crash, hang, leak or read outside
 * its input. Queries are bounded by the core's named limits (events, factor,
 * Euclid arguments, work per query), so a slow input is a finding too
 * (libFuzzer's -timeout): two were, and lowered the work limit. The fuzz build
 * compiles the core with a smaller event limit (BB_PAT_QUERY_EVENTS_LIMIT, see
 * the Makefile) so that inputs the limit refuses stay cheap. Only the first
 * 64 events are formatted. Build and run: `make fuzz`. */
#include "bb_pat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > BB_PAT_SRC_MAX + 16) return 0;
    bb_arena own, scratch;
    bb_arena_init(&own);
    bb_arena_init(&scratch);
    bb_error err;
    bb_error_clear(&err);
    bb_pat *p = NULL;
    bb_result r = bb_mini_parse(&own, (const char *)data, size, "<fuzz>", 1, 1, &p, &err);
    if (r != BB_OK) {
        if (err.code == BB_OK || memchr(err.msg, '\0', sizeof err.msg) == NULL) abort();
    } else {
        bb_haps h;
        bb_haps_init(&h);
        (void)bb_pat_query_onsets(p, bb_rat_int(0), bb_rat_int(1), &scratch, &h);
        bb_haps_clear(&h);
        bb_arena_reset(&scratch);
        /* a span that crosses a cycle boundary and starts off the grid */
        (void)bb_pat_query(p, bb_rat_make(5, 3), bb_rat_make(9, 4), &scratch, &h);
        for (size_t i = 0; i < h.n && i < 64; i++) {
            char buf[256];
            bb_hap_fmt(&h.v[i], buf, sizeof buf);
        }
        bb_haps_free(&h);
    }
    bb_arena_free(&scratch);
    bb_arena_free(&own);
    return 0;
}
