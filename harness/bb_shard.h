/* bb_shard.h - deterministic slices of the bench's configuration matrix.
 *
 * `busbench bench --shard I/N` runs the I-th of N slices (1 <= I <= N) so that
 * a CI matrix or a Slurm job array can share one matrix among N jobs, and
 * `busbench merge` puts the slices back together. The unit that is shared out
 * is a group of configurations that must stay in one process: every
 * configuration of one (workload, pinning) with the serial 1-thread reference
 * its speedups are paired with. Each group lands in exactly one shard.
 *
 * Balance: groups are given out longest-expected-cost first, each to the
 * shard with the least expected cost so far (ties: the lowest shard); ties of
 * cost keep the groups' order. The result depends on the costs and N alone,
 * so every job of an array computes the same assignment without talking to
 * the others. The largest shard exceeds the mean by less than the largest
 * group (the greedy bound).
 *
 * Units: costs are whatever the caller says (the bench uses frames rendered). */
#ifndef BB_SHARD_H
#define BB_SHARD_H

#include "bb_result.h"

#include <stddef.h>

enum { BB_SHARD_MAX = 4096 };

typedef struct bb_shard {
    int index;   /* 1..count */
    int count;   /* 0: no sharding */
} bb_shard;

/* Parse "I/N" (1 <= I <= N <= BB_SHARD_MAX) or "slurm/N", which takes I from
 * the environment: SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN plus 1 when
 * SLURM_ARRAY_TASK_MIN is set (so --array=0-2 and --array=1-3 both work),
 * else SLURM_ARRAY_TASK_ID itself. BB_OK, or BB_ERR_ARG with the reason (out
 * is then untouched). */
bb_result bb_shard_parse(const char *arg, bb_shard *out, bb_error *err);

/* Assign n groups of the given non-negative costs to count shards (see the
 * essay): owner[i] in 1..count. load (may be NULL) gets each shard's expected
 * cost, load[0..count). Returns 0, or -1 when out of memory or count < 1. */
int bb_shard_assign(const double *cost, size_t n, int count, int *owner, double *load);

#endif
