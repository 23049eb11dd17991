/* bb_capacity.h - `busbench capacity`'s early stop of a run, and the capacity table of
 * `busbench report --capacity FILE`: results of `busbench capacity --out FILE`, read, checked
 * and written as Markdown. */
#ifndef BB_CAPACITY_H
#define BB_CAPACITY_H

#include "bb_result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { BB_CAPACITY_FILES_MAX = 16 };

/* The early stop of one capacity run: the render's block times, fed as they come, summed in
 * windows of `window` blocks; a window's load is its time over `window` deadlines. A window is
 * judged when its first block is `from` or later; the run has failed once a judged window's load
 * is above 2, or more judged windows are above 1 (a miss; a load of exactly 1 meets its
 * deadlines) than a 99.9th percentile at most 1 allows among `expect` windows: 0.001 expect + 1.
 * Set window (at least 1), deadline_ns, from and expect; the rest starts at 0. */
typedef struct bb_capacity_watch {
    size_t window;       /* blocks judged together */
    double deadline_ns;  /* one block's deadline */
    size_t from;         /* the first block judged */
    size_t expect;       /* the windows the run will judge */
    size_t seen, in_win; /* blocks fed; blocks summed into the window under way */
    double wsum;         /* the window's time so far (ns) */
    uint64_t misses;     /* judged windows above 1 */
    bool failed;
} bb_capacity_watch;

/* Feed block_ns[w->seen .. nblocks) (every call passes the render's times so far: the same array,
 * as long or longer). Returns w->failed. The signature of bb_run_cfg.stop (ctx: the watch). */
bool bb_capacity_watch_feed(void *w, const double *block_ns, size_t nblocks);

/* The search's next k between lo (the largest k that passed) and hi (the smallest that failed):
 * their midpoint (rounded down), or 0 when the bracket is closed: lo is 0 (k = 1 failed), they are
 * 1 apart, or hi - lo is at most tol per cent of lo. */
long bb_capacity_bisect(long lo, long hi, double tol);

/* Read every path (each a capacity result: busbench_capacity 1, with program, strategy,
 * threads, k, voices_at_once, dsp_load and cpu_cores) and write the Markdown section to f:
 * one row per file, and for each (program, strategy, block) the ratio of k to its
 * 1-thread row. BB_ERR_IO / BB_ERR_FORMAT naming the file (nothing written then). */
bb_result bb_capacity_md(FILE *f, const char *const *paths, int n, bb_error *err);

#endif
