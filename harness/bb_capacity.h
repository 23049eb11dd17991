/* bb_capacity.h - the capacity table of `busbench report --capacity FILE`: results of
 * `busbench capacity --out FILE`, read, checked and written as Markdown. */
#ifndef BB_CAPACITY_H
#define BB_CAPACITY_H

#include "bb_result.h"

#include <stdio.h>

enum { BB_CAPACITY_FILES_MAX = 16 };

/* Read every path (each a capacity result: busbench_capacity 1, with program, strategy,
 * threads, k, voices_at_once, dsp_load and cpu_cores) and write the Markdown section to f:
 * one row per file, and for each (program, strategy, block) the ratio of k to its
 * 1-thread row. BB_ERR_IO / BB_ERR_FORMAT naming the file (nothing written then). */
bb_result bb_capacity_md(FILE *f, const char *const *paths, int n, bb_error *err);

#endif
