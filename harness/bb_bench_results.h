/* bb_bench_results.h - the results of `busbench bench` (bb_bench_results.c says what each holds):
 * the results model of every configuration, the instruction counts, where the workers ran. The
 * types are bb_bench.h's and bb_json.h's. */
#ifndef BB_BENCH_RESULTS_H
#define BB_BENCH_RESULTS_H

#include "bb_bench.h"

#include <jansson.h>
#include <stdbool.h>

/* The results model of every configuration of m after its rounds (rounds: the timed rounds run)
 * appended to res, in m->cs's order. Returns the configurations with failures (a void round or a
 * wrong warm-up), -1 when out of memory. */
int bb_bench_results(const bb_bench_opts *o, bb_bench_matrix *m, int rounds, bb_results *res);

/* The instruction counts into res (configurations cs[0..nc), in the same order): measured here
 * (own_ir: this process is the callgrind child) or taken from the instruction child's document
 * (child, may be NULL; nothing is taken from one that cannot be read). Returns 0, or -1 when out
 * of memory. */
int bb_bench_results_instructions(bb_results *res, const bb_bench_config *cs, int nc, bool own_ir, const json_t *child);

/* For each pinning policy and thread count, where the workers ran (the context's "pinning"): all
 * bound, how many ran elsewhere than planned, and the placement of the configuration whose
 * workers reported the most. A new reference. */
json_t *bb_bench_results_pinning(const bb_bench_config *cs, int nc);

#endif
