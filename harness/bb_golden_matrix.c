/* bb_golden_matrix.c - the matrix of combinations that `busbench verify` renders (bb_verify.c
 * runs it) and whose workload axis `busbench bless` takes: every workload x strategy x threads x
 * block x pinning, each axis a list of values.
 *
 * What it guarantees: an axis parsed here holds only values the render accepts (strategies the
 * registry composes, '+' written ',' as bb_plan_parse reads them; threads 1..BB_WORKERS_MAX;
 * blocks 1..BB_RENDER_BLOCK_MAX; pinning policies), at most BB_GOLDEN_AXIS_MAX of them, and a
 * bad list leaves the matrix as it was. Workload names are checked later, against the manifest
 * (bb_golden_select). The default matrix is every strategy that is not a canary, threads 1 and
 * the core count, blocks 64 and 512, pinning compact and none, every workload.
 *
 * Units: threads (workers), blocks (frames per block). */
#include "bb_golden_matrix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the axes -------------------------------------------------------------------------- */

void bb_golden_matrix_default(bb_golden_matrix *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; bb_variants[i] && m->nstrategies < BB_GOLDEN_AXIS_MAX; i++)
        if (!bb_variants[i]->canary) snprintf(m->strategies[m->nstrategies++], sizeof m->strategies[0], "%s", bb_variants[i]->name);
    int cores = bb_workers_cores();
    m->threads[m->nthreads++] = 1;
    if (cores > 1) m->threads[m->nthreads++] = cores > BB_WORKERS_MAX ? BB_WORKERS_MAX : cores;
    m->blocks[m->nblocks++] = 64;
    m->blocks[m->nblocks++] = 512;
    m->pins[m->npins++] = BB_PIN_COMPACT;
    m->pins[m->npins++] = BB_PIN_NONE;
}

/* s[0..n) as a decimal integer in lo..hi into out: 0, or -1 when it is not one. */
static int parse_int(const char *s, size_t n, long lo, long hi, long *out)
{
    char buf[32];
    if (!n || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

bb_result bb_golden_matrix_axis(bb_golden_matrix *m, const char *option, const char *list, bb_error *err)
{
    size_t count = 0;
    bb_golden_matrix t = *m;
    enum { S, T, B, P, W } which;
    if (!strcmp(option, "--strategies")) which = S;
    else if (!strcmp(option, "--threads")) which = T;
    else if (!strcmp(option, "--blocks")) which = B;
    else if (!strcmp(option, "--pins")) which = P;
    else if (!strcmp(option, "--workloads")) which = W;
    else return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "unknown axis %s", option);
    if (!*list) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "expected a comma-separated list after %s", option);
    for (const char *s = list; *s;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!n) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "empty item in '%s'", list);
        if (count >= BB_GOLDEN_AXIS_MAX)
            return bb_error_set(err, BB_ERR_LIMIT, option, 0, 0, "more than %d values", BB_GOLDEN_AXIS_MAX);
        long v;
        switch (which) {
        case S: {
            if (n >= sizeof t.strategies[0]) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "strategy name too long");
            char *d = t.strategies[count];
            memcpy(d, s, n);
            d[n] = '\0';
            for (char *c = d; *c; c++)
                if (*c == '+') *c = ',';
            bb_plan plan;
            bb_error e2;
            bb_error_clear(&e2);
            if (bb_plan_parse(d, 1, 0, BB_PIN_NONE, &plan, &e2))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "%s", e2.msg);
            break;
        }
        case T:
            if (parse_int(s, n, 1, BB_WORKERS_MAX, &v))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad thread count '%.*s': expected 1 to %d", (int)n, s,
                                    BB_WORKERS_MAX);
            t.threads[count] = (int)v;
            break;
        case B:
            if (parse_int(s, n, 1, BB_RENDER_BLOCK_MAX, &v))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad block size '%.*s': expected 1 to %d", (int)n, s,
                                    BB_RENDER_BLOCK_MAX);
            t.blocks[count] = (size_t)v;
            break;
        case P: {
            char buf[16];
            if (n >= sizeof buf) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad pinning '%.*s': expected compact, scatter or none", (int)n, s);
            memcpy(buf, s, n);
            buf[n] = '\0';
            if (bb_pin_parse(buf, &t.pins[count]))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad pinning '%s': expected compact, scatter or none", buf);
            break;
        }
        case W:
            if (n >= BB_GOLDEN_NAME_MAX) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "workload name too long");
            memcpy(t.workloads[count], s, n);
            t.workloads[count][n] = '\0';
            break;
        }
        count++;
        s = e ? e + 1 : s + n;
    }
    switch (which) {
    case S: t.nstrategies = count; break;
    case T: t.nthreads = count; break;
    case B: t.nblocks = count; break;
    case P: t.npins = count; break;
    case W: t.nworkloads = count; break;
    }
    *m = t;
    return BB_OK;
}

/* ---- the axes as options (bb_opt.h): base is the bb_golden_matrix ------------------------ */

static bb_result axis_strategies(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--strategies", v, err); }
static bb_result axis_threads(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--threads", v, err); }
static bb_result axis_blocks(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--blocks", v, err); }
static bb_result axis_pins(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--pins", v, err); }
static bb_result axis_workloads(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--workloads", v, err); }

const bb_opt bb_golden_matrix_options[] = {
    {"--strategies", BB_OPT_FN, 0, 0, 0, "LIST", "default: every strategy that is not a canary; '+' composes (cycle+pool)", NULL,
     axis_strategies},
    {"--threads", BB_OPT_FN, 0, 0, 0, "LIST", "default: 1 and the core count", NULL, axis_threads},
    {"--blocks", BB_OPT_FN, 0, 0, 0, "LIST", "default: 64,512", NULL, axis_blocks},
    {"--pins", BB_OPT_FN, 0, 0, 0, "LIST", "compact, scatter, none (default: compact,none)", NULL, axis_pins},
    {"--workloads", BB_OPT_FN, 0, 0, 0, "LIST", "default: every workload of the manifest", NULL, axis_workloads},
    BB_OPT_END,
};

