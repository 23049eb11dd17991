/* bb_report.c - the model of `busbench report` (bb_report.h): the axes of a bench result, the
 * configurations found by them, and the two effects a report separates.
 *
 * What it is: a strategy's speedup over serial at n threads mixes two things: what its phase does
 * (less synthesis, a cache, lanes) and what its threads do. The report takes them apart:
 *   the phase's own effect   strategy S at 1 thread over serial at 1 thread;
 *   threading's effect       S at n threads over S at 1 thread.
 * Both are ratios of medians over the rounds valid in both configurations, paired by round (the
 * bench renders every configuration once a round, so round r of one met the same machine as round r
 * of another), with a percentile bootstrap 95% interval that resamples the rounds and applies the
 * same draw to both sides (bb_stats_bootstrap_ratio_ci). The first is exactly the bench's speedup
 * field of S at 1 thread (it is computed so), so it is taken from there; the second is computed
 * here from the per-round times the result keeps (busbench.configs[].rep_ns), seeded by the two
 * configurations' names, so the same file gives the same interval. A ratio is significant when its
 * interval leaves out 1.
 *
 * Invariants: nothing here draws or writes; every number comes from the result read (ratios,
 * ranks, the bounds of bb_stats). Oversubscription: t threads are more than the PUs the bench could
 * use (the context's pus_allowed, or num_cpus for an older file).
 *
 * Units: ns, as the result's model. */
#include "bb_report.h"

#include "bb_stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bb_report_add_unique(const char **v, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(v[i], s)) return i;
    if (*n >= BB_REPORT_MAXU) return -1;
    v[(*n)++] = s;
    return *n - 1;
}

void bb_report_add_strategies(const bb_results *r, const char **st, int *nst)
{
    static const char *const canon[] = {"serial", "parallel", "cycle", "static", "pool", "batch", "lanes", "all"};
    for (size_t c = 0; c < sizeof canon / sizeof canon[0]; c++)
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->v[i].strategy, canon[c])) {
                bb_report_add_unique(st, nst, canon[c]);
                break;
            }
    for (size_t i = 0; i < r->n; i++) bb_report_add_unique(st, nst, r->v[i].strategy);
}

void bb_report_axes(bb_report *R)
{
    bb_report_add_strategies(&R->r, R->st, &R->nst);
    for (size_t i = 0; i < R->r.n; i++) {
        const bb_bres *b = &R->r.v[i];
        bb_report_add_unique(R->wl, &R->nwl, b->workload);
        bb_report_add_unique(R->pin, &R->npin, b->pin);
        int k = 0;
        while (k < R->nth && R->th[k] < b->threads) k++;
        if ((k == R->nth || R->th[k] != b->threads) && R->nth < BB_REPORT_MAXU) {
            memmove(&R->th[k + 1], &R->th[k], (size_t)(R->nth - k) * sizeof R->th[0]);
            R->th[k] = b->threads;
            R->nth++;
        }
    }
    const json_t *pus = json_object_get(R->r.context, "pus_allowed");
    if (!json_is_integer(pus)) pus = json_object_get(R->r.context, "num_cpus");
    R->pus = json_is_integer(pus) && json_integer_value(pus) > 0 ? (int)json_integer_value(pus) : 0;
}

const bb_bres *bb_report_find(const bb_report *R, const char *w, const char *s, int t, const char *p)
{
    for (size_t i = 0; i < R->r.n; i++) {
        const bb_bres *b = &R->r.v[i];
        if (b->threads == t && !strcmp(b->workload, w) && !strcmp(b->strategy, s) && !strcmp(b->pin, p)) return b;
    }
    return NULL;
}

bool bb_report_oversubscribed(const bb_report *R, int t) { return R->pus > 0 && t > R->pus; }

const bb_bres *bb_report_at_max(const bb_report *R, const char *w, const char *s, const char *p, bool within_pus)
{
    const bb_bres *any = NULL;
    for (int t = R->nth - 1; t >= 0; t--) {
        const bb_bres *b = bb_report_find(R, w, s, R->th[t], p);
        if (!b) continue;
        if (!within_pus || !bb_report_oversubscribed(R, b->threads)) return b;
        if (!any) any = b;
    }
    return any;
}

static void significance(bb_report_ratio *o)
{
    o->sig = isfinite(o->lo) && o->lo > 1.0 ? 1 : isfinite(o->hi) && o->hi < 1.0 ? -1 : 0;
}

bool bb_report_phase(const bb_report *R, const char *w, const char *s, const char *p, bb_report_ratio *out)
{
    const bb_bres *x = bb_report_find(R, w, s, 1, p);
    if (!x || !isfinite(x->speedup) || !bb_report_find(R, w, "serial", 1, p)) return false;
    *out = (bb_report_ratio){x->speedup, x->sp_lo, x->sp_hi, x->pairs, 0};
    significance(out);
    return true;
}

bool bb_report_threading(const bb_report *R, const char *w, const char *s, int t, const char *p, bb_report_ratio *out)
{
    const bb_bres *base = bb_report_find(R, w, s, 1, p), *x = bb_report_find(R, w, s, t, p);
    if (!base || !x || !isfinite(base->t.median) || !isfinite(x->t.median) || x->t.median <= 0) return false;
    int n = base->rounds < x->rounds ? base->rounds : x->rounds;
    double *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a), *b = malloc((size_t)(n > 0 ? n : 1) * sizeof *b);
    int m = 0;
    for (int i = 0; a && b && i < n; i++)
        if (isfinite(base->rep_ns[i]) && isfinite(x->rep_ns[i])) {
            a[m] = base->rep_ns[i];
            b[m++] = x->rep_ns[i];
        }
    *out = (bb_report_ratio){base->t.median / x->t.median, (double)NAN, (double)NAN, m, 0};
    if (m > 0) {
        out->x = bb_stats_median(a, (size_t)m) / bb_stats_median(b, (size_t)m);
        uint64_t seed = bb_stats_hash(base->name) ^ (bb_stats_hash(x->name) * 0x9e3779b97f4a7c15ULL);
        bb_stats_bootstrap_ratio_ci(a, b, (size_t)m, BB_STATS_BOOT_DEFAULT, 0.95, seed, &out->lo, &out->hi);
    }
    free(a);
    free(b);
    significance(out);
    return isfinite(out->x);
}

const bb_bres *bb_report_bound_base(const bb_report *R, const char *w, const char *s, const char *p)
{
    const bb_bres *b = bb_report_find(R, w, s, 1, p);
    if (!b || !isfinite(b->t.median) || !isfinite(bb_stats_amdahl_bound(b->seq_ns, b->par_ns, 1))) return NULL;
    return b;
}

bool bb_report_has_bound(const bb_report *R, const char *w, const char *s, const char *p)
{
    if (!bb_report_bound_base(R, w, s, p)) return false;
    for (int t = 0; t < R->nth; t++)
        if (R->th[t] > 1 && bb_report_find(R, w, s, R->th[t], p)) return true;
    return false;
}

int bb_report_fig_done(bb_report *R, int rc, const char *name, int owner, const char *why, const char *fmt, ...)
{
    if (rc < 0) return -1;
    if (rc > 0) {
        if (R->nskipped < BB_REPORT_FIGS_MAX)
            snprintf(R->skipped[R->nskipped++], sizeof R->skipped[0], "%.120s (%.120s)", name, why);
        return 0;
    }
    if (R->nfigs >= BB_REPORT_FIGS_MAX) return 0;
    bb_report_fig *f = &R->figs[R->nfigs++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->owner = owner;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->caption, sizeof f->caption, fmt, ap);
    va_end(ap);
    return 0;
}
