/* bb_shard.c - deterministic slices of the bench's configuration matrix.
 *
 * What it is: the parser of --shard (I/N, slurm/N) and the longest-first
 * greedy assignment of groups of configurations to shards (bb_shard.h says
 * what a group is and why). Invariants: every group gets exactly one owner in
 * 1..count; the assignment is a pure function of (cost[], count): sorting is
 * by cost descending, then by index, and ties between shards go to the lowest
 * shard, so no two jobs of an array can disagree. Units: the caller's.
 * Memory: the counted allocator (bb_alloc), so that a test can make it fail. */
#include "bb_shard.h"

#include "bb_alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_pos(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1000000000L) return -1;
    *out = v;
    return 0;
}

bb_result bb_shard_parse(const char *arg, bb_shard *out, bb_error *err)
{
    char buf[64];
    if (snprintf(buf, sizeof buf, "%s", arg) >= (int)sizeof buf)
        return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0, "'%.40s...' is too long (expected I/N or slurm/N)", arg);
    char *slash = strchr(buf, '/');
    long i = 0, n = 0;
    if (!slash || parse_pos(slash + 1, &n) || n < 1 || n > BB_SHARD_MAX)
        return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0, "bad value '%s' (expected I/N or slurm/N, 1 <= I <= N <= %d)",
                            arg, BB_SHARD_MAX);
    *slash = '\0';
    if (!strcmp(buf, "slurm")) {
        const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN");
        long lo = 1;
        if (!id || parse_pos(id, &i))
            return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0,
                                "--shard slurm/%ld: SLURM_ARRAY_TASK_ID is %s (run it as a Slurm job array task)", n,
                                id ? "not a number" : "not set");
        if (min && *min && parse_pos(min, &lo))
            return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0, "SLURM_ARRAY_TASK_MIN '%s' is not a number", min);
        i = i - lo + 1;
        if (i < 1 || i > n)
            return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0,
                                "--shard slurm/%ld: task %s of an array starting at %ld is not one of the %ld shards "
                                "(use --array=1-%ld)", n, id, lo, n, n);
    } else if (parse_pos(buf, &i) || i < 1 || i > n) {
        return bb_error_set(err, BB_ERR_ARG, "--shard", 0, 0, "bad value '%s' (expected I/N with 1 <= I <= N)", arg);
    }
    out->index = (int)i;
    out->count = (int)n;
    return BB_OK;
}

static const double *g_cost; /* qsort's comparison reads the costs (one sort at a time) */

static int by_cost_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (g_cost[x] != g_cost[y]) return g_cost[x] > g_cost[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

int bb_shard_assign(const double *cost, size_t n, int count, int *owner, double *load)
{
    if (count < 1) return -1;
    size_t *ord = bb_malloc((n ? n : 1) * sizeof *ord);
    double *sum = bb_calloc((size_t)count, sizeof *sum);
    if (!ord || !sum) {
        bb_free(ord);
        bb_free(sum);
        return -1;
    }
    for (size_t i = 0; i < n; i++) ord[i] = i;
    g_cost = cost;
    qsort(ord, n, sizeof *ord, by_cost_desc);
    for (size_t k = 0; k < n; k++) {
        int best = 0;
        for (int s = 1; s < count; s++)
            if (sum[s] < sum[best]) best = s;
        owner[ord[k]] = best + 1;
        sum[best] += cost[ord[k]];
    }
    if (load) memcpy(load, sum, (size_t)count * sizeof *sum);
    bb_free(ord);
    bb_free(sum);
    return 0;
}
