/* bb_difftest.h - differential testing of generated programs: every strategy against serial.
 *
 * A case (bb_gen.h) is rendered by the reference (serial, 1 thread, block 512)
 * and by every configuration of a matrix (strategy or composition x threads x
 * block size); each must give the reference's samples bit for bit and the
 * counters that do not depend on the strategy (requests, voices, drops, clamps,
 * reloads, frames) must be the reference's. Counters with a second way of
 * counting are checked against it (a composition with lanes synthesises what
 * the same composition without lanes does; a lane group's slots are whole
 * groups of BB_LANES lanes and hold at least the samples computed in them).
 * A failing case is reduced (bb_difftest_reduce) and written out with the
 * command that reproduces it (bb_difftest_write). */
#ifndef BB_DIFFTEST_H
#define BB_DIFFTEST_H

#include "bb_gen.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { BB_DT_MSG_MAX = 1024, BB_DT_NAME_MAX = 96 };

typedef struct bb_dt_config {
    char strategy[BB_DT_NAME_MAX]; /* a registry list: "cycle,lanes" */
    int threads;
    size_t block;
    size_t lookahead;              /* asked of a pipelined plan; 0: the plan's default, which the
                                      driver declines for a light output chain */
} bb_dt_config;

/* "batch threads 2 block 64 lookahead 3" (render options with dashes: "--strategy batch
   --threads 2 --block 64 --lookahead 3"); the lookahead only when asked. Returns buf. */
const char *bb_difftest_config_str(const bb_dt_config *c, bool dashes, char *buf, size_t cap);

typedef enum {
    BB_DT_SAME = 0,     /* every configuration matched */
    BB_DT_DIFFERS,      /* a configuration's samples or counters differ from the reference */
    BB_DT_INVALID       /* the reference itself did not render (not a valid program) */
} bb_dt_verdict;

typedef struct bb_dt_result {
    bb_dt_verdict verdict;
    bb_dt_config config;      /* the first configuration that differed */
    int64_t frame;            /* its first differing sample, -1 when only counters differ */
    uint64_t renders;         /* renders done */
    char msg[BB_DT_MSG_MAX];  /* what differed, or why the reference failed */
} bb_dt_result;

typedef struct bb_dt_matrix {
    bb_dt_config *v;
    size_t n;
} bb_dt_matrix;

/* The default matrix: every strategy of the registry that is not a canary and
 * the compositions below, at threads 1, 2, 3 and blocks 1, 64, 512 (serial at
 * every block). Returns 0, -1 when out of memory. Free with bb_difftest_matrix_free. */
int bb_difftest_matrix_default(bb_dt_matrix *m);
/* A matrix of one strategy list at the given threads and blocks (a canary's, a
 * phase under development). Returns 0 or -1. */
int bb_difftest_matrix_of(bb_dt_matrix *m, const char *strategy, const int *threads, size_t nthreads,
                          const size_t *blocks, size_t nblocks);
void bb_difftest_matrix_free(bb_dt_matrix *m);

/* Render c under every configuration of m against the reference; fills res.
 * tmpdir: a folder for the reload program's file. Returns the verdict. */
bb_dt_verdict bb_difftest_run(const bb_gen_case *c, const bb_dt_matrix *m, const char *tmpdir, bb_dt_result *res);

/* Reduce c in place (delta debugging over its syntax tree and its length) to a
 * smaller case on which res->config still differs from the reference. Returns
 * the number of successful reductions. */
size_t bb_difftest_reduce(bb_gen_case *c, const bb_dt_result *res, const char *tmpdir);

/* Write c into dir as NAME.ph (and NAME-reload.ph) and NAME.txt (the configuration,
 * the verdict and the command that reproduces it). Returns 0, or -1 with errno. */
int bb_difftest_write(const bb_gen_case *c, const bb_dt_result *res, const char *dir, const char *name);

/* Load a case written by bb_difftest_write (NAME.ph, NAME-reload.ph, NAME.txt's
 * options) as a one-node-per-line tree. Returns 0, or -1. */
int bb_difftest_load(bb_gen_case *c, const char *dir, const char *name);

#endif
