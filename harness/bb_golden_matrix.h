/* bb_golden_matrix.h - the matrix of combinations (every workload x strategy x threads x block x
 * pinning: bb_verify.h runs it; bless takes its workloads), its default, its axes parsed from the
 * command line (bb_golden_matrix.c). */
#ifndef BB_GOLDEN_MATRIX_H
#define BB_GOLDEN_MATRIX_H

#include "bb_golden_manifest.h"
#include "bb_opt.h"
#include "bb_run.h"

#include <stddef.h>

enum { BB_GOLDEN_AXIS_MAX = 32 }; /* values on one axis of the verify matrix */

typedef struct bb_golden_matrix {
    char strategies[BB_GOLDEN_AXIS_MAX][128]; /* "cycle" or a composition "cycle,pool" */
    size_t nstrategies;
    int threads[BB_GOLDEN_AXIS_MAX];
    size_t nthreads;
    size_t blocks[BB_GOLDEN_AXIS_MAX];
    size_t nblocks;
    bb_pin pins[BB_GOLDEN_AXIS_MAX];
    size_t npins;
    char workloads[BB_GOLDEN_AXIS_MAX][BB_GOLDEN_NAME_MAX]; /* none: every workload */
    size_t nworkloads;
} bb_golden_matrix;

/* The default matrix: every strategy of the registry that is not a canary;
 * threads 1 and the core count (once when that is 1); blocks 64 and 512; pins
 * compact and none; every workload. */
void bb_golden_matrix_default(bb_golden_matrix *m);

/* Parse a comma-separated axis (what `busbench verify --strategies` and friends
 * take) into m, replacing that axis. Strategies are checked against the
 * registry; '+' composes ("cycle+pool" is the plan "cycle,pool"). Threads are
 * 1..BB_WORKERS_MAX, blocks 1..BB_RENDER_BLOCK_MAX, pins compact/scatter/none,
 * workloads names (checked by bb_verify_run against the manifest). Returns
 * BB_ERR_ARG naming the option and the bad value, BB_ERR_LIMIT beyond
 * BB_GOLDEN_AXIS_MAX values. */
bb_result bb_golden_matrix_axis(bb_golden_matrix *m, const char *option, const char *list, bb_error *err);

/* The axes as a table of options (--strategies, --threads, --blocks, --pins, --workloads; base: a
 * bb_golden_matrix), for verify and bless. */
extern const bb_opt bb_golden_matrix_options[];

#endif
