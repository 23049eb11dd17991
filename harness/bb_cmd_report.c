/* bb_cmd_report.c - `busbench report RESULTS.json -o DIR`: figures and a
 * Markdown report from a bench result.
 *
 * What it is: it reads the Google Benchmark JSON that `busbench bench` wrote
 * (bb_json_read), writes the data of each figure (DIR/data/NAME.dat) and a
 * gnuplot script (DIR/data/NAME.gp) that draws it as PNG and SVG, runs
 * gnuplot as a program in DIR, and writes DIR/report.md with the tables and
 * the figures. The figures:
 *   speedup_W   speedup over serial at 1 thread against threads, one line per
 *               strategy (and pinning), with the paired bootstrap 95% interval,
 *               and beside each line of the first pinning the bounds that the
 *               strategy's 1-thread split into a sequential and a parallel
 *               part allows (Amdahl dashed, pipeline dotted; bb_stats.h), which
 *               report.md also gives in numbers and words;
 *   phases      one bar per strategy (serial, parallel, cycle, static, pool,
 *               batch, all, then any composition) for each workload: speedup
 *               at the largest thread count measured, with its interval;
 *   cdf_W       steady-state per-block processing time, cumulative, one line
 *               per strategy at the largest thread count, deadline drawn;
 *   counters    preprocessing calls, synthesis calls and heap allocations per
 *               strategy for each workload (log scale: a zero is not drawn,
 *               the tables have it).
 *
 * Invariants: every number in the report comes from the results file (the
 * report computes nothing but ratios and ranks of what it read); every file
 * is written atomically and gnuplot's absence is an error (exit 2): the
 * plumbing is bb_plot's (bb_plot.h), shared with `busbench history`.
 *
 * Units: the JSON's ns become ms (renders) and us (blocks) in tables and
 * figures, as their headers say. */
#include "bb_anchors.h"
#include "bb_capacity.h"
#include "bb_cmds.h"
#include "bb_opt.h"
#include "bb_json.h"
#include "bb_plot.h"
#include "bb_stats.h"
#include "bb_variant.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXU = 128 };

typedef struct rep {
    bb_plot P;                /* the folder, gnuplot, the last error */
    bb_results r;
    const char *wl[MAXU], *st[MAXU], *pin[MAXU];
    int nwl, nst, npin;
    int th[MAXU], nth;
    const bb_anchors *anchors; /* --anchors FILE: the table of make bench-anchors, or NULL */
    const char *capacity[BB_CAPACITY_FILES_MAX]; /* --capacity FILE...: results of busbench capacity */
    int ncapacity;
} rep;

/* ---- small helpers ------------------------------------------------------------------ */
static int add_unique(const char **v, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(v[i], s)) return i;
    if (*n >= MAXU) return -1;
    v[(*n)++] = s;
    return *n - 1;
}

static const bb_bres *find(const rep *R, const char *w, const char *s, int t, const char *p)
{
    for (size_t i = 0; i < R->r.n; i++) {
        const bb_bres *b = &R->r.v[i];
        if (b->threads == t && !strcmp(b->workload, w) && !strcmp(b->strategy, s) && !strcmp(b->pin, p)) return b;
    }
    return NULL;
}

/* ---- figures ------------------------------------------------------------------------------- */

static int max_threads(const rep *R) { return R->nth ? R->th[R->nth - 1] : 1; }

/* The largest thread count at which (w, s, p) has a configuration. */
static const bb_bres *at_max(const rep *R, const char *w, const char *s, const char *p)
{
    for (int t = R->nth - 1; t >= 0; t--) {
        const bb_bres *b = find(R, w, s, R->th[t], p);
        if (b) return b;
    }
    return NULL;
}

/* ---- the scaling bound ---------------------------------------------------------------------- */
/* The 1-thread configuration of (w, s, p) whose sequential and parallel parts
 * and speedup over serial are known: the base of that strategy's bounds; NULL
 * when there is none (an older result, a wrong render). */
static const bb_bres *bound_base(const rep *R, const char *w, const char *s, const char *p)
{
    const bb_bres *b = find(R, w, s, 1, p);
    if (!b || !isfinite(b->speedup) || !isfinite(bb_stats_amdahl_bound(b->seq_ns, b->par_ns, 1))) return NULL;
    return b;
}

/* The bounds at threads t of the strategy whose 1-thread configuration is base,
 * as speedups over serial at 1 thread like the measured ones: the strategy's own
 * 1-thread speedup times the bound over its own 1-thread time. */
static double bound_amdahl(const bb_bres *base, int t)
{
    return base->speedup * bb_stats_amdahl_bound(base->seq_ns, base->par_ns, t);
}

static double bound_pipeline(const bb_bres *base, int t)
{
    return base->speedup * bb_stats_pipeline_bound(base->seq_ns, base->par_ns, t);
}

/* Does (w, s, p) have a bound to draw: a base and a configuration at more than 1 thread? */
static bool has_bound(const rep *R, const char *w, const char *s, const char *p)
{
    if (!bound_base(R, w, s, p)) return false;
    for (int t = 0; t < R->nth; t++)
        if (R->th[t] > 1 && find(R, w, s, R->th[t], p)) return true;
    return false;
}

static int fig_speedup(rep *R, int wi, char *fname, size_t fcap)
{
    const char *w = R->wl[wi];
    char sn[128];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(fname, fcap, "speedup_%.100s", sn);
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    fprintf(d, "# speedup over serial at 1 thread (same pinning) of workload %s\n# threads speedup ci95_lo ci95_hi\n", w);
    fprintf(b, "set title \"%s: speedup over serial at 1 thread (paired bootstrap 95%% CI)\"\n", w);
    fprintf(b, "set xlabel \"threads\"\nset ylabel \"speedup (x)\"\nset key outside right top\nset grid\n");
    fprintf(b, "set xrange [0.5:%d.5]\nset xtics 1\nset yrange [0:*]\n", max_threads(R));
    fprintf(b, "plot 1 with lines lc rgb \"#999999\" dt 2 title \"1x\"");
    int idx = 0, any = 0;
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++) {
            int pts = 0;
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *x = find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (x && isfinite(x->speedup)) pts++;
            }
            if (!pts) continue;
            fprintf(d, "%s# %s pin:%s\n", idx ? "\n\n" : "", R->st[s], R->pin[p]);
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *x = find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (x && isfinite(x->speedup))
                    fprintf(d, "%d %.6g %.6g %.6g\n", R->th[t], x->speedup, x->sp_lo, x->sp_hi);
            }
            fprintf(b, ", \\\n  \"data/%s.dat\" index %d using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 lc rgb \"%s\"%s title \"",
                    fname, idx, bb_plot_palette[(size_t)s % bb_plot_npalette], p ? " dt 2" : "");
            bb_plot_quote(b, R->st[s]);
            if (R->npin > 1) fprintf(b, " (%s)", R->pin[p]);
            fprintf(b, "\"");
            idx++;
            any = 1;
        }
    /* beside each curve of the first pinning, the bounds its 1-thread split allows */
    int bounds = 0;
    for (int s = 0; s < R->nst && any; s++) {
        if (!has_bound(R, w, R->st[s], R->pin[0])) continue;
        const bb_bres *base = bound_base(R, w, R->st[s], R->pin[0]);
        fprintf(d, "\n\n# %s pin:%s bounds from its 1-thread split (seq %.6g ns, par %.6g ns)\n# threads amdahl pipeline\n",
                R->st[s], R->pin[0], base->seq_ns, base->par_ns);
        for (int t = 0; t < R->nth; t++)
            fprintf(d, "%d %.6g %.6g\n", R->th[t], bound_amdahl(base, R->th[t]), bound_pipeline(base, R->th[t]));
        const char *col = bb_plot_palette[(size_t)s % bb_plot_npalette];
        fprintf(b, ", \\\n  \"data/%s.dat\" index %d using 1:2 with lines lw 1 dt 2 lc rgb \"%s\" notitle", fname, idx, col);
        fprintf(b, ", \\\n  \"data/%s.dat\" index %d using 1:3 with lines lw 1 dt 3 lc rgb \"%s\" notitle", fname, idx, col);
        idx++;
        bounds++;
    }
    if (bounds)
        fprintf(b, ", \\\n  NaN with lines lw 1 dt 2 lc rgb \"#333333\" title \"Amdahl bound\", \\\n"
                   "  NaN with lines lw 1 dt 3 lc rgb \"#333333\" title \"pipeline bound\"");
    fprintf(b, "\n");
    fclose(d);
    fclose(b);
    int rc = 1;
    if (any) rc = bb_plot_draw(&R->P, fname, dat, dn, body, 900, 560);
    free(dat);
    free(body);
    return rc; /* 1: nothing to draw */
}

/* A clustered histogram: one row per workload, one column per strategy. Values
 * from val(b) with an interval (lo, hi) when ci. */
typedef double (*getter)(const bb_bres *b, int which);

static double g_speedup(const bb_bres *b, int k) { return k == 0 ? b->speedup : k == 1 ? b->sp_lo : b->sp_hi; }
static double g_pre(const bb_bres *b, int k) { return (void)k, (double)b->counters.preprocess_calls; }
static double g_syn(const bb_bres *b, int k) { return (void)k, (double)b->counters.synth_calls; }
static double g_alloc(const bb_bres *b, int k) { return (void)k, (double)b->counters.allocs; }

static void histo_data(const rep *R, FILE *d, const char *pin, getter g, bool ci)
{
    fprintf(d, "# workload");
    for (int s = 0; s < R->nst; s++) fprintf(d, ci ? " \"%s\" lo hi" : " \"%s\"", R->st[s]);
    fprintf(d, "\n");
    for (int w = 0; w < R->nwl; w++) {
        fprintf(d, "\"%s\"", R->wl[w]);
        for (int s = 0; s < R->nst; s++) {
            const bb_bres *b = at_max(R, R->wl[w], R->st[s], pin);
            double v = b ? g(b, 0) : (double)NAN;
            if (ci) fprintf(d, " %.6g %.6g %.6g", v, b ? g(b, 1) : (double)NAN, b ? g(b, 2) : (double)NAN);
            else fprintf(d, " %.6g", v);
        }
        fprintf(d, "\n");
    }
}

static void histo_plot(const rep *R, FILE *b, const char *dat, bool ci)
{
    fprintf(b, "plot ");
    for (int s = 0; s < R->nst; s++) {
        int col = ci ? 2 + 3 * s : 2 + s;
        fprintf(b, "%s\"data/%s.dat\" using %d", s ? ", \\\n  " : "", dat, col);
        if (ci) fprintf(b, ":%d:%d", col + 1, col + 2);
        fprintf(b, "%s lc rgb \"%s\" title \"", s ? "" : ":xtic(1)", bb_plot_palette[(size_t)s % bb_plot_npalette]);
        bb_plot_quote(b, R->st[s]);
        fprintf(b, "\"");
    }
    fprintf(b, "\n");
}

static int fig_phases(rep *R, const char *pin, char *fname, size_t fcap)
{
    snprintf(fname, fcap, R->npin > 1 ? "phases_%s" : "phases", pin);
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    fprintf(d, "# speedup over serial at 1 thread, at the largest thread count measured (%d), pin %s; value lo hi per strategy\n",
            max_threads(R), pin);
    histo_data(R, d, pin, g_speedup, true);
    fprintf(b, "set title \"speedup per phase at %d thread%s (pin %s), 95%% CI\"\n", max_threads(R),
            max_threads(R) == 1 ? "" : "s", pin);
    fprintf(b, "set style data histogram\nset style histogram errorbars gap 2 lw 1\nset style fill solid 0.85 border -1\n");
    fprintf(b, "set boxwidth 0.9\nset key outside right top\nset grid ytics\nset yrange [0:*]\nset ylabel \"speedup (x)\"\n");
    fprintf(b, "set xtics rotate by -30\nset arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb \"#666666\" dt 2\n");
    histo_plot(R, b, fname, true);
    fclose(d);
    fclose(b);
    int rc = bb_plot_draw(&R->P, fname, dat, dn, body, 1000, 560);
    free(dat);
    free(body);
    return rc;
}

static int fig_cdf(rep *R, int wi, char *fname, size_t fcap)
{
    const char *w = R->wl[wi], *pin = R->pin[0];
    char sn[128];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(fname, fcap, "cdf_%.100s", sn);
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    fprintf(d, "# steady-state per-block processing time of %s at the largest thread count, pin %s\n# us cumulative_fraction\n",
            w, pin);
    double deadline = (double)NAN;
    int idx = 0;
    fprintf(b, "set logscale x\nset xlabel \"block processing time (us, log scale)\"\nset ylabel \"fraction of blocks\"\n");
    fprintf(b, "set yrange [0:1.02]\nset grid\nset key outside right top\n");
    char plot[16384];
    size_t used = 0;
    for (int s = 0; s < R->nst; s++) {
        const bb_bres *x = at_max(R, w, R->st[s], pin);
        if (!x || !isfinite(x->cdf_steady[0])) continue;
        if (isfinite(x->deadline_ns)) deadline = x->deadline_ns;
        fprintf(d, "%s# %s threads:%d\n", idx ? "\n\n" : "", R->st[s], x->threads);
        for (int i = 0; i < BB_JSON_CDF_POINTS; i++)
            if (isfinite(x->cdf_steady[i])) fprintf(d, "%.6g %.6g\n", x->cdf_steady[i] / 1e3, bb_json_cdf_p[i]);
        char title[256];
        snprintf(title, sizeof title, "%s (%d thr)", R->st[s], x->threads);
        int k = snprintf(plot + used, sizeof plot - used, "%s\"data/%s.dat\" index %d using 1:2 with steps lw 2 lc rgb \"%s\" title \"%s\"",
                         idx ? ", \\\n  " : "plot ", fname, idx, bb_plot_palette[(size_t)s % bb_plot_npalette], title);
        if (k > 0 && (size_t)k < sizeof plot - used) used += (size_t)k;
        idx++;
    }
    int rc = 1;
    if (idx) {
        if (isfinite(deadline)) {
            fprintf(b, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 lc rgb \"#d62728\" dt 2\n", deadline / 1e3,
                    deadline / 1e3);
            fprintf(b, "set label \"deadline %.1f us\" at %.6g, graph 0.5 right offset -0.5,0 tc rgb \"#d62728\"\n",
                    deadline / 1e3, deadline / 1e3);
            fprintf(b, "set xrange [*:%.6g]\n", deadline / 1e3 * 4);
        }
        fprintf(b, "set title \"%s: block processing time, steady state (after cycle 0)\"\n", w);
        fprintf(b, "%s\n", plot);
    }
    fclose(d);
    fclose(b);
    if (idx) rc = bb_plot_draw(&R->P, fname, dat, dn, body, 900, 560);
    free(dat);
    free(body);
    return rc;
}

/* True when some result has a positive value of g (a log-scale panel of zeros
 * has nothing to draw, and gnuplot refuses it). */
static bool any_positive(const rep *R, getter g)
{
    for (size_t i = 0; i < R->r.n; i++)
        if (g(&R->r.v[i], 0) > 0.0) return true;
    return false;
}

static int fig_counters(rep *R, char *fname, size_t fcap)
{
    const char *pin = R->pin[0];
    snprintf(fname, fcap, "counters");
    static const struct {
        const char *name, *label;
        getter g;
    } cs[] = {{"counters_pre", "preprocessing calls", g_pre},
              {"counters_syn", "synthesis calls (buffers synthesised)", g_syn},
              {"counters_alloc", "heap allocations during the render", g_alloc}};
    char *body = NULL;
    size_t bn = 0;
    FILE *b = open_memstream(&body, &bn);
    if (!b) return -1;
    fprintf(b, "set multiplot layout 3,1 title \"counters per phase at %d thread%s (pin %s); log scale, zero not drawn\"\n",
            max_threads(R), max_threads(R) == 1 ? "" : "s", pin);
    fprintf(b, "set style data histogram\nset style histogram clustered gap 2\nset style fill solid 0.85 border -1\n");
    fprintf(b, "set boxwidth 0.9\nset key outside right top\nset grid ytics\nset logscale y\nset yrange [0.8:*]\n");
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        char *dat = NULL;
        size_t dn = 0;
        FILE *d = open_memstream(&dat, &dn);
        if (!d) return -1;
        fprintf(d, "# %s per strategy at the largest thread count measured, pin %s\n", cs[c].label, pin);
        histo_data(R, d, pin, cs[c].g, false);
        fclose(d);
        char rel[512];
        snprintf(rel, sizeof rel, "data/%s.dat", cs[c].name);
        bb_result res = bb_plot_commit(&R->P, rel, dat, dn);
        free(dat);
        if (res) return -1;
        fprintf(b, "set ylabel \"%s\"\n", cs[c].label);
        if (c + 1 < sizeof cs / sizeof cs[0]) fprintf(b, "unset xtics\nset xtics format \"\"\n");
        else fprintf(b, "set xtics format \"%%g\"\n");
        if (any_positive(R, cs[c].g)) {
            histo_plot(R, b, cs[c].name, false);
        } else {
            fprintf(b, "set label 1 \"0 for every configuration\" at graph 0.5, 0.5 center\n"
                       "plot 1 notitle lc rgb \"white\"\nunset label 1\n");
        }
    }
    fprintf(b, "unset multiplot\n");
    fclose(b);
    int rc = bb_plot_figure(&R->P, fname, body, 1000, 900);
    free(body);
    return rc;
}

/* ---- the Markdown ------------------------------------------------------------------------------ */
static void md_num(FILE *f, double v, const char *fmt)
{
    if (isfinite(v)) fprintf(f, fmt, v);
    else fprintf(f, "n/a");
}

static void md_range(FILE *f, uint64_t lo, uint64_t hi)
{
    if (lo == hi) fprintf(f, "%" PRIu64, lo);
    else fprintf(f, "%" PRIu64 "-%" PRIu64, lo, hi);
}

static void md_context(FILE *f, const json_t *ctx)
{
    fprintf(f, "| | |\n|---|---|\n");
    static const char *const keys[] = {"date", "host_name", "cpu_model", "num_cpus", "cores", "mhz_per_cpu",
                                       "cpu_scaling_enabled", "topology", "hwloc_version", "compiler", "cflags",
                                       "git_commit", "executable", "command", "golden", "reps", "warmup", "min_time_s",
                                       "rounds", "order", "batch", "block_override", "load_avg", "bootstrap", "peak_memory",
                                       "shard", "merged"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const json_t *v = json_object_get(ctx, keys[i]);
        if (!v) continue;
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) continue;
        for (char *p = s; *p; p++)
            if (*p == '|' || *p == '\n') *p = ' ';
        fprintf(f, "| %s | `%s` |\n", keys[i], s);
        free(s);
    }
    const json_t *pins = json_object_get(ctx, "pinning");
    const char *pk;
    const json_t *pv;
    json_object_foreach((json_t *)pins, pk, pv) {
        fprintf(f, "| pinning %s | all bindings %s; workers found off their planned PU: %" JSON_INTEGER_FORMAT " |\n", pk,
                json_is_true(json_object_get(pv, "all_bound")) ? "succeeded" : "**FAILED for some**",
                json_integer_value(json_object_get(pv, "ran_elsewhere")));
        const char *tk;
        const json_t *tv;
        json_object_foreach((json_t *)json_object_get(pv, "placements"), tk, tv)
            fprintf(f, "| %s, %s thread%s | %s |\n", pk, tk, strcmp(tk, "1") ? "s" : "", json_string_value(tv));
    }
}

static void md_workload(FILE *f, const rep *R, const char *w)
{
    fprintf(f, "\n### %s\n\n", w);
    const bb_bres *any = NULL;
    for (size_t i = 0; i < R->r.n && !any; i++)
        if (!strcmp(R->r.v[i].workload, w)) any = &R->r.v[i];
    if (any)
        fprintf(f, "%" PRId64 " frames at %d Hz (%.3f s of audio), block %" PRId64 " samples: deadline %.1f us per block.\n\n",
                any->frames, any->sr, (double)any->frames / any->sr, any->block, any->deadline_ns / 1e3);
    fprintf(f, "| strategy | pin | threads | valid | median ms | 95%% CI ms | MAD ms | speedup | speedup 95%% CI | CPU/wall | "
               "steady p50 / p99 / p99.9 / max us | misses cold / steady | window misses |\n");
    fprintf(f, "|---|---|---:|---:|---:|---|---:|---:|---|---:|---|---|---|\n");
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *b = find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (!b) continue;
                fprintf(f, "| %s%s | %s | %d | %d/%d | ", b->strategy, b->error[0] ? " **WRONG**" : "", b->pin, b->threads,
                        b->valid, b->rounds);
                md_num(f, b->t.median / 1e6, "%.3f");
                fprintf(f, " | [");
                md_num(f, b->ci_lo / 1e6, "%.3f");
                fprintf(f, ", ");
                md_num(f, b->ci_hi / 1e6, "%.3f");
                fprintf(f, "] | ");
                md_num(f, b->t.mad / 1e6, "%.3f");
                fprintf(f, " | ");
                md_num(f, b->speedup, "%.2fx");
                fprintf(f, " | [");
                md_num(f, b->sp_lo, "%.2f");
                fprintf(f, ", ");
                md_num(f, b->sp_hi, "%.2f");
                fprintf(f, "] | ");
                md_num(f, b->cpu_median / b->t.median, "%.2f");
                fprintf(f, " | ");
                md_num(f, b->steady.p50 / 1e3, "%.1f");
                fprintf(f, " / ");
                md_num(f, b->steady.p99 / 1e3, "%.1f");
                fprintf(f, " / ");
                md_num(f, b->steady.p999 / 1e3, "%.1f");
                fprintf(f, " / ");
                md_num(f, b->steady.max / 1e3, "%.1f");
                fprintf(f, " | %" PRIu64 "/%zu / %" PRIu64 "/%zu | ", b->cold.misses, b->cold.n, b->steady.misses,
                        b->steady.n);
                if (b->window_blocks > 1)
                    fprintf(f, "%" PRIu64 "/%" PRIu64 " (W=%" PRId64 ") |\n", b->window_misses, b->windows_timed,
                            b->window_blocks);
                else
                    fprintf(f, "- |\n");
            }
    fprintf(f, "\nCounters (deterministic ones are checked equal across rounds: stable; heap allocations vary with the "
               "schedule when workers allocate, so their range over the rounds is given):\n\n");
    fprintf(f, "| strategy | pin | threads | blocks | cycles | preprocess calls | synth calls | requests | cache hits | "
               "cache misses | allocs | allocs steady | bus buffers from heap (steady) | pool reuse | voices | peak heap KiB | stable |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *b = find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (!b) continue;
                const bb_stats *c = &b->counters;
                if (!b->valid) {
                    fprintf(f, "| %s | %s | %d | no valid render |||||||||||||\n", b->strategy, b->pin, b->threads);
                    continue;
                }
                fprintf(f, "| %s | %s | %d | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
                           " | %" PRIu64 " | ",
                        b->strategy, b->pin, b->threads, c->blocks, c->cycles, c->preprocess_calls, c->synth_calls,
                        c->requests, c->cache_hits, c->cache_misses);
                md_range(f, b->allocs_lo, b->allocs_hi);
                fprintf(f, " | ");
                md_range(f, b->allocs_steady_lo, b->allocs_steady_hi);
                fprintf(f, " | %" PRIu64 " (%" PRIu64 ") | %" PRIu64 " | %" PRIu64 " | %.1f | %s |\n", c->busbuf_allocs,
                        c->busbuf_allocs_steady, c->pool_reuse, c->voices, (double)b->peak_heap / 1024.0,
                        b->counters_stable ? "yes" : "**no**");
            }
    /* the lanes (phase 3): how full they were, for the configurations that used them */
    bool lanes_hdr = false;
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *b = find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (!b || !b->valid || !(b->counters.lane_slots || b->counters.lane_fallbacks)) continue;
                const bb_stats *c = &b->counters;
                if (!lanes_hdr)
                    fprintf(f, "\nLanes (requests of one bus synthesised side by side, 8 to a SIMD vector): occupancy is "
                               "the lane-samples computed for a request over the lane-samples available; fallbacks are "
                               "requests synthesised one at a time (a bus the lane kernel cannot run, or alone of its bus in "
                               "its window).\n\n| strategy | pin | threads | lane groups | groups per window | occupancy | "
                               "fallbacks |\n|---|---|---:|---:|---:|---:|---:|\n");
                lanes_hdr = true;
                fprintf(f, "| %s | %s | %d | %" PRIu64 " | %.2f | %.1f%% | %" PRIu64 " |\n", b->strategy, b->pin, b->threads,
                        c->lane_groups,
                        c->preprocess_calls ? (double)c->lane_groups / (double)c->preprocess_calls : 0.0,
                        c->lane_slots ? 100.0 * (double)c->lane_samples / (double)c->lane_slots : 0.0, c->lane_fallbacks);
            }
}

/* The scaling bound of each strategy of w (first pinning): its 1-thread split,
 * then at every thread count above 1 the measured speedup beside the bounds, and
 * in words how far it is from them. Nothing when no strategy has a bound. */
static void md_bounds(FILE *f, const rep *R, const char *w)
{
    bool hdr = false;
    const char *p = R->pin[0];
    for (int s = 0; s < R->nst; s++) {
        if (!has_bound(R, w, R->st[s], p)) continue;
        const bb_bres *base = bound_base(R, w, R->st[s], p);
        if (!hdr)
            fprintf(f, "\nScaling bound (pin %s): at 1 thread the render loop's sequential part (the stateful continuous "
                       "outputs, scheduling and retiring voices, the sink: the render thread alone) and its parallel part "
                       "(resolving requests, i.e. synthesis, and mixing), medians over the rounds. Amdahl bound = "
                       "(seq + par) / (seq + par / threads); pipeline bound = (seq + par) / max(seq, (seq + par) / threads), "
                       "the sequential part overlapping the parallel work of later windows; both times the "
                       "strategy's own 1-thread speedup, so that they compare with the measured speedup over serial. The "
                       "resolvers' bookkeeping counts as parallel: the bounds are upper bounds.\n\n"
                       "| strategy | seq ms | par ms | seq share | threads | measured | Amdahl bound | pipeline bound | "
                       "of Amdahl | of pipeline |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
                    p);
        hdr = true;
        for (int t = 0; t < R->nth; t++) {
            int n = R->th[t];
            const bb_bres *x = n > 1 ? find(R, w, R->st[s], n, p) : NULL;
            if (!x) continue;
            double am = bound_amdahl(base, n), pl = bound_pipeline(base, n);
            fprintf(f, "| %s | %.3f | %.3f | %.0f%% | %d | ", R->st[s], base->seq_ns / 1e6, base->par_ns / 1e6,
                    100 * base->seq_ns / (base->seq_ns + base->par_ns), n);
            md_num(f, x->speedup, "%.2fx");
            fprintf(f, " | %.2fx | %.2fx | ", am, pl);
            md_num(f, 100 * x->speedup / am, "%.0f%%");
            fprintf(f, " | ");
            md_num(f, 100 * x->speedup / pl, "%.0f%%");
            fprintf(f, " |\n");
        }
    }
    if (!hdr) return;
    fprintf(f, "\n");
    for (int s = 0; s < R->nst; s++) {
        if (!has_bound(R, w, R->st[s], p)) continue;
        const bb_bres *base = bound_base(R, w, R->st[s], p);
        const bb_bres *x = at_max(R, w, R->st[s], p);
        if (!x || x->threads < 2 || !isfinite(x->speedup)) continue;
        double am = bound_amdahl(base, x->threads), pl = bound_pipeline(base, x->threads);
        double of = x->speedup / am;
        fprintf(f, "- %s at %d threads: %.2fx measured, Amdahl bound %.2fx, pipeline bound %.2fx: %.0f%% of Amdahl%s.\n",
                R->st[s], x->threads, x->speedup, am, pl, 100 * of,
                of >= 0.9 ? " (at its bound: more threads need a smaller sequential part, e.g. pipelining)"
                : of >= 0.6 ? " (near its bound)"
                            : " (far from its bound: the parallel part itself does not scale: hand-offs, imbalance, "
                              "a busy machine)");
    }
}

static void fig_md(FILE *f, const char *name, const char *caption)
{
    fprintf(f, "%s\n\n![%s](%s.png)\n\n([SVG](%s.svg), data: `data/%s*.dat`, script: `data/%s.gp`)\n\n", caption, name,
            name, name, name, name);
}

static int write_md(rep *R, const char **figs, const char **captions, const int *owner, int nfigs,
                    const char *const *skipped, int nskip)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    int wrong = 0, voided = 0;
    for (size_t i = 0; i < R->r.n; i++) {
        wrong += R->r.v[i].error[0] != 0;
        voided += R->r.v[i].voided;
    }
    const char *date = json_string_value(json_object_get(R->r.context, "date"));
    fprintf(f, "# busbench report\n\nFrom `%s` (copied here as `results.json`)%s%s: %zu configurations (%d workload%s x %d strateg%s x %d thread count%s x "
               "%d pinning%s).\n\n",
            R->P.src, date ? ", benched " : "", date ? date : "", R->r.n, R->nwl, R->nwl == 1 ? "" : "s", R->nst,
            R->nst == 1 ? "y" : "ies", R->nth, R->nth == 1 ? "" : "s", R->npin, R->npin == 1 ? "" : "s");
    fprintf(f, "## Verification\n\n");
    if (!wrong) {
        fprintf(f, "Every timed and warm-up render of every configuration was compared with its golden WAV and matched "
                   "bit for bit.\n");
    } else {
        fprintf(f, "**%d configuration%s produced wrong or failed renders** (%d rounds voided; their timings are not used):\n\n",
                wrong, wrong == 1 ? "" : "s", voided);
        for (size_t i = 0; i < R->r.n; i++)
            if (R->r.v[i].error[0])
                fprintf(f, "- `%s` (%d voided): %s\n", R->r.v[i].name, R->r.v[i].voided, R->r.v[i].error);
    }
    /* how much of a CPU did single-threaded renders get? Below 1, the process waited for
       a CPU: something else was running, and the spread of the times shows it */
    double cw[4 * MAXU];
    size_t ncw = 0;
    for (size_t i = 0; i < R->r.n && ncw < sizeof cw / sizeof cw[0]; i++)
        if (R->r.v[i].threads == 1 && isfinite(R->r.v[i].cpu_median) && R->r.v[i].t.median > 0)
            cw[ncw++] = R->r.v[i].cpu_median / R->r.v[i].t.median;
    double share = bb_stats_median(cw, ncw);
    if (isfinite(share) && share < 0.9)
        fprintf(f, "\n**The machine was busy**: single-thread renders got %.0f%% of a CPU (median CPU/wall time over the "
                   "1-thread configurations); the rest of the time they waited while something else ran. Intervals are wide "
                   "accordingly, and speedups from more threads are understated: bench an idle machine for numbers to keep.\n",
                share * 100);
    fprintf(f, "\n## Summary\n\n");
    fprintf(f, "Speedup over serial at 1 thread (median of the paired rounds, bootstrap 95%% interval) at the largest "
               "thread count measured for each strategy, pin %s:\n\n| workload |", R->pin[0]);
    for (int s = 0; s < R->nst; s++) fprintf(f, " %s |", R->st[s]);
    fprintf(f, "\n|---|");
    for (int s = 0; s < R->nst; s++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (int w = 0; w < R->nwl; w++) {
        fprintf(f, "| %s |", R->wl[w]);
        for (int s = 0; s < R->nst; s++) {
            const bb_bres *b = at_max(R, R->wl[w], R->st[s], R->pin[0]);
            if (!b || !isfinite(b->speedup)) {
                fprintf(f, " %s |", b && b->error[0] ? "**wrong**" : "n/a");
                continue;
            }
            fprintf(f, " %.2fx [%.2f, %.2f] |", b->speedup, b->sp_lo, b->sp_hi);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
    for (int i = 0; i < nfigs; i++)
        if (owner[i] < 0) fig_md(f, figs[i], captions[i]);
    for (int i = 0; i < nskip; i++) fprintf(f, "- not drawn: %s\n", skipped[i]);
    fprintf(f, "\n## Results per workload\n\n");
    fprintf(f, "Median wall time of the render (bb_render_run alone) over the valid rounds, its bootstrap 95%% interval, "
               "the median absolute deviation; speedup = median(serial, 1 thread) / median(this) over the rounds valid in "
               "both, with a paired bootstrap 95%% interval (pairs = the same round); CPU/wall = process CPU time over wall "
               "time (medians); block times are the processing time of each block as the sink sees it, pooled over the "
               "valid rounds, cold = blocks before cycle 1, steady = the rest; a miss is a block over the deadline "
               "(block / sample rate); for batched strategies, whose latency is W blocks (K blocks a window, times 1 + "
               "the look-ahead L when pipelined), each group of W blocks is also checked against W deadlines.\n");
    for (int w = 0; w < R->nwl; w++) {
        md_workload(f, R, R->wl[w]);
        md_bounds(f, R, R->wl[w]);
        fprintf(f, "\n");
        for (int i = 0; i < nfigs; i++)
            if (owner[i] == w) fig_md(f, figs[i], captions[i]);
    }
    if (R->anchors) bb_anchors_md(f, R->anchors);
    if (R->ncapacity && bb_capacity_md(f, R->capacity, R->ncapacity, &R->P.err)) {
        fclose(f);
        free(buf);
        return -1;
    }
    fprintf(f, "\n## Environment\n\n");
    md_context(f, R->r.context);
    fprintf(f, "| gnuplot | `%s`, PNG terminal `%s` |\n", R->P.gp_version, R->P.term);
    fclose(f);
    int rc = bb_plot_commit(&R->P, "report.md", buf, n) ? -1 : 0;
    free(buf);
    return rc;
}

/* ---- several machines (busbench merge --machines) ---------------------------------------------------- */
/* The strategies of r in the registry's (phase) order first, then the others as they come. */
static void add_strategies(const bb_results *r, const char **st, int *nst)
{
    for (size_t c = 0; bb_variants[c]; c++)
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->v[i].strategy, bb_variants[c]->name)) {
                add_unique(st, nst, bb_variants[c]->name);
                break;
            }
    for (size_t i = 0; i < r->n; i++) add_unique(st, nst, r->v[i].strategy);
}

typedef struct machine {
    const char *label, *source;
    bb_results r;
} machine;

typedef struct mrep {
    bb_plot P;
    machine m[MAXU];
    int nm;
    const char *wl[MAXU], *st[MAXU];
    int nwl, nst;
} mrep;

/* (w, s) on machine m at its largest thread count, on the first pinning it has for them. */
static const bb_bres *mach_best(const machine *m, const char *w, const char *s)
{
    const bb_bres *best = NULL;
    for (size_t i = 0; i < m->r.n; i++) {
        const bb_bres *b = &m->r.v[i];
        if (strcmp(b->workload, w) || strcmp(b->strategy, s) || (best && strcmp(b->pin, best->pin))) continue;
        if (!best || b->threads > best->threads) best = b;
    }
    return best;
}

/* Figure machines_W: one cluster per strategy, one bar per machine, speedup at its largest thread count. */
static int mach_figure(mrep *M, int wi, char *fname, size_t fcap)
{
    const char *w = M->wl[wi];
    char sn[128];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(fname, fcap, "machines_%.100s", sn);
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    fprintf(d, "# %s: speedup over serial at 1 thread at each machine's largest thread count; value lo hi per machine\n", w);
    for (int s = 0; s < M->nst; s++) {
        fprintf(d, "\"%s\"", M->st[s]);
        for (int m = 0; m < M->nm; m++) {
            const bb_bres *x = mach_best(&M->m[m], w, M->st[s]);
            fprintf(d, " %.6g %.6g %.6g", x ? x->speedup : (double)NAN, x ? x->sp_lo : (double)NAN, x ? x->sp_hi : (double)NAN);
        }
        fprintf(d, "\n");
    }
    fprintf(b, "set title \"%s: speedup per strategy on each machine (largest thread count, 95%% CI)\"\n", w);
    fprintf(b, "set style data histogram\nset style histogram errorbars gap 2 lw 1\nset style fill solid 0.85 border -1\n");
    fprintf(b, "set boxwidth 0.9\nset key outside below\nset grid ytics\nset yrange [0:*]\nset ylabel \"speedup (x)\"\n");
    fprintf(b, "set xtics rotate by -30\nset arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb \"#666666\" dt 2\nplot ");
    for (int m = 0; m < M->nm; m++) {
        fprintf(b, "%s\"data/%s.dat\" using %d:%d:%d%s lc rgb \"%s\" title \"", m ? ", \\\n  " : "", fname, 2 + 3 * m,
                3 + 3 * m, 4 + 3 * m, m ? "" : ":xtic(1)", bb_plot_palette[(size_t)(m + 1) % bb_plot_npalette]);
        bb_plot_quote(b, M->m[m].label);
        fprintf(b, "\"");
    }
    fprintf(b, "\n");
    fclose(d);
    fclose(b);
    int rc = bb_plot_draw(&M->P, fname, dat, dn, body, 1000, 600);
    free(dat);
    free(body);
    return rc;
}

/* The strategy x machine table of workload w: speedup [CI] (threads) and median time. */
static void mach_table(FILE *f, const mrep *M, const char *w)
{
    fprintf(f, "| strategy |");
    for (int m = 0; m < M->nm; m++) fprintf(f, " %s |", M->m[m].label);
    fprintf(f, "\n|---|");
    for (int m = 0; m < M->nm; m++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (int s = 0; s < M->nst; s++) {
        fprintf(f, "| %s |", M->st[s]);
        for (int m = 0; m < M->nm; m++) {
            const bb_bres *x = mach_best(&M->m[m], w, M->st[s]);
            if (!x) fprintf(f, " n/a |");
            else if (!isfinite(x->speedup)) fprintf(f, " %s |", x->error[0] ? "**wrong**" : "n/a");
            else
                fprintf(f, " %.2fx [%.2f, %.2f] at %d thr, %.3f ms |", x->speedup, x->sp_lo, x->sp_hi, x->threads,
                        x->t.median / 1e6);
        }
        fprintf(f, "\n");
    }
}

static int mach_markdown(mrep *M, char (*figs)[128], int nfigs)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    fprintf(f, "# busbench report: %d machines side by side\n\nFrom `%s` (busbench merge --machines; copied here as "
               "`results.json`). Each machine's series stays its own: speedups are over serial at 1 thread on the same "
               "machine, at that machine's largest thread count.\n\n| machine | from | commit | date | configurations |\n"
               "|---|---|---|---|---:|\n", M->nm, M->P.src);
    for (int m = 0; m < M->nm; m++) {
        const char *c = json_string_value(json_object_get(M->m[m].r.context, "git_commit"));
        const char *d = json_string_value(json_object_get(M->m[m].r.context, "date"));
        fprintf(f, "| %s | `%s` | %s | %s | %zu |\n", M->m[m].label, M->m[m].source, c ? c : "?", d ? d : "?", M->m[m].r.n);
    }
    for (int w = 0; w < M->nwl; w++) {
        fprintf(f, "\n## %s\n\nSpeedup per strategy (rows) on each machine (columns), bootstrap 95%% interval, and the "
                   "median render time:\n\n", M->wl[w]);
        mach_table(f, M, M->wl[w]);
        if (w < nfigs) fig_md(f, figs[w], "Speedups side by side.");
    }
    for (int m = 0; m < M->nm; m++) {
        fprintf(f, "\n## Environment: %s\n\n", M->m[m].label);
        md_context(f, M->m[m].r.context);
    }
    fclose(f);
    int rc = bb_plot_commit(&M->P, "report.md", buf, n) ? -1 : 0;
    free(buf);
    return rc;
}

/* Read each machine's result out of doc. 0 or -1 (M->P.err). */
static int mach_read(mrep *M, const json_t *doc)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(json_object_get(doc, "busbench"), "machines"), i, e) {
        if (M->nm >= MAXU) break;
        machine *m = &M->m[M->nm];
        m->label = json_string_value(json_object_get(e, "label"));
        m->source = json_string_value(json_object_get(e, "source"));
        if (!m->label || !m->source) {
            bb_error_set(&M->P.err, BB_ERR_FORMAT, M->P.src, 0, 0, "machine %zu has no label or source", i + 1);
            return -1;
        }
        if (bb_json_read_doc(json_object_get(e, "result"), m->label, &m->r, &M->P.err)) return -1;
        M->nm++;
        for (size_t k = 0; k < m->r.n; k++) add_unique(M->wl, &M->nwl, m->r.v[k].workload);
        add_strategies(&m->r, M->st, &M->nst);
    }
    if (!M->nm) bb_error_set(&M->P.err, BB_ERR_FORMAT, M->P.src, 0, 0, "a document of machines without any machine");
    return M->nm ? 0 : -1;
}

/* `busbench report` on a document of several machines. Returns the exit code. */
static int report_machines(const char *dir, const char *in, const json_t *doc)
{
    static mrep M; /* large; one per process */
    memset(&M, 0, sizeof M);
    bb_plot_init(&M.P, dir, in);
    static char figs[MAXU][128];
    int nf = 0, rc = mach_read(&M, doc);
    if (!rc) rc = bb_plot_open(&M.P) || bb_plot_keep_input(&M.P, "results.json") ? -1 : 0;
    for (int w = 0; !rc && w < M.nwl; w++, nf++) rc = mach_figure(&M, w, figs[nf], sizeof figs[nf]);
    if (!rc) rc = mach_markdown(&M, figs, nf);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (rc) fprintf(stderr, "busbench report: %s\n", bb_error_format(&M.P.err, msg, sizeof msg));
    else printf("busbench report: %d machines, %d figures (PNG and SVG) and %s/report.md\n", M.nm, nf, dir);
    for (int m = 0; m < M.nm; m++) bb_json_results_free(&M.m[m].r);
    return rc ? BB_EXIT_USAGE : BB_EXIT_OK;
}

/* ---- the command ---------------------------------------------------------------------------------- */
typedef struct report_opts {
    const char *dir, *anchors;
    const char *caps[BB_CAPACITY_FILES_MAX];
    int ncap;
} report_opts;

/* --capacity FILE, repeatable up to BB_CAPACITY_FILES_MAX */
static bb_result opt_capacity(void *base, const char *v, bb_error *err)
{
    report_opts *o = base;
    if (o->ncap >= BB_CAPACITY_FILES_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, "--capacity", 0, 0, "at most %d --capacity files", BB_CAPACITY_FILES_MAX);
    o->caps[o->ncap++] = v;
    return BB_OK;
}

static const bb_opt opts[] = {
    {"-o", BB_OPT_STR, offsetof(report_opts, dir), 0, 0, "DIR", "the report's folder (DIR/report.md, figures, data)", "an output folder",
     NULL},
    {"--out", BB_OPT_STR, offsetof(report_opts, dir), 0, 0, "DIR", "the same as -o", "an output path", NULL},
    {"--anchors", BB_OPT_STR, offsetof(report_opts, anchors), 0, 0, "HYPERFINE.json",
     "add the table of make bench-anchors (its hyperfine JSON, kept as DIR/anchors.json)", "a file", NULL},
    {"--capacity", BB_OPT_FN, 0, 0, 0, "CAP.json",
     "(repeatable) add a row per result of busbench capacity --out to the Capacity table", NULL, opt_capacity},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {
    "report", "RESULTS.json -o DIR [--anchors HYPERFINE.json] [--capacity CAP.json ...]",
    "Draw the bench result's figures with gnuplot (PNG and SVG) and write DIR/report.md.\n"
    "On a document of several machines (busbench merge --machines): each machine's speedups side\n"
    "by side per workload, and a strategy x machine table.\n"
    "Needs gnuplot (gnuplot-nox); BB_GNUPLOT names another gnuplot program.",
    "0 written, 2 bad input or no gnuplot"};

/* The capacity files (read, and refused, before anything is drawn), the anchors, the output folder.
 * 0, or -1 with R->P.err set. */
static int report_inputs(rep *R, const char *const *caps_in, int ncap, const char *anchors, bb_anchors *A)
{
    memcpy(R->capacity, caps_in, (size_t)ncap * sizeof caps_in[0]);
    R->ncapacity = ncap;
    if (ncap) {
        char *cbuf = NULL;
        size_t cn = 0;
        FILE *cf = open_memstream(&cbuf, &cn);
        bb_result cr = cf ? bb_capacity_md(cf, R->capacity, ncap, &R->P.err) : BB_ERR_NOMEM;
        if (cf) fclose(cf);
        free(cbuf);
        if (cr) return -1;
    }
    if (anchors) {
        if (bb_anchors_read(anchors, A, &R->P.err)) return -1;
        R->anchors = A;
    }
    return bb_plot_open(&R->P) || bb_plot_keep_input(&R->P, "results.json") ? -1 : 0;
}

/* The axes: workloads, strategies (canonical phase order first), threads (ascending), pins. */
static void report_axes(rep *R)
{
    add_strategies(&R->r, R->st, &R->nst);
    for (size_t i = 0; i < R->r.n; i++) {
        const bb_bres *b = &R->r.v[i];
        add_unique(R->wl, &R->nwl, b->workload);
        add_unique(R->pin, &R->npin, b->pin);
        int k = 0;
        while (k < R->nth && R->th[k] < b->threads) k++;
        if ((k == R->nth || R->th[k] != b->threads) && R->nth < MAXU) {
            memmove(&R->th[k + 1], &R->th[k], (size_t)(R->nth - k) * sizeof R->th[0]);
            R->th[k] = b->threads;
            R->nth++;
        }
    }
}

int bb_cmd_report(int argc, char **argv)
{
    static report_opts o; /* the capacity files' names */
    memset(&o, 0, sizeof o);
    const bb_opt_group groups[] = {{NULL, opts, &o}};
    const char *pos[1];
    int npos;
    int prc = bb_opt_parse(&spec, groups, 1, argc, argv, pos, 1, &npos);
    if (prc != BB_OPT_GO_ON) return prc;
    if (!npos || !o.dir) {
        fprintf(stderr, "busbench report: expected RESULTS.json and -o DIR\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        return BB_EXIT_USAGE;
    }
    const char *in = pos[0], *dir = o.dir, *anchors = o.anchors, *const *caps_in = o.caps;
    int ncap = o.ncap;
    static rep R; /* large; one per process */
    memset(&R, 0, sizeof R);
    bb_plot_init(&R.P, dir, in);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    json_t *doc = bb_json_load(in, &R.P.err);
    if (doc && bb_json_is_machines(doc)) {
        int mrc = report_machines(dir, in, doc);
        json_decref(doc);
        return mrc;
    }
    if (!doc || bb_json_read_doc(doc, in, &R.r, &R.P.err)) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&R.P.err, msg, sizeof msg));
        if (doc) json_decref(doc);
        return BB_EXIT_USAGE;
    }
    json_decref(doc);
    static bb_anchors A;
    if (report_inputs(&R, caps_in, ncap, anchors, &A)) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&R.P.err, msg, sizeof msg));
        bb_json_results_free(&R.r);
        bb_anchors_free(&A);
        return BB_EXIT_USAGE;
    }
    report_axes(&R);
    static char names[4 * MAXU + 8][128], caps[4 * MAXU + 8][512], skips[4 * MAXU + 8][256];
    const char *figs[4 * MAXU + 8], *captions[4 * MAXU + 8], *skipped[4 * MAXU + 8];
    int owner[4 * MAXU + 8];
    int nf = 0, ns = 0, rc = 0;
#define DONE(r, own, cap_fmt, ...)                                                                     \
    do {                                                                                               \
        if ((r) < 0) rc = -1;                                                                          \
        else if ((r) == 0) {                                                                           \
            snprintf(caps[nf], sizeof caps[nf], cap_fmt, __VA_ARGS__);                                 \
            owner[nf] = (own);                                                                         \
            figs[nf] = names[nf];                                                                      \
            captions[nf] = caps[nf];                                                                   \
            nf++;                                                                                      \
        } else {                                                                                       \
            snprintf(skips[ns], sizeof skips[ns], "%.200s (no valid data)", names[nf]);                    \
            skipped[ns] = skips[ns];                                                                   \
            ns++;                                                                                      \
        }                                                                                              \
    } while (0)
    for (int p = 0; p < R.npin && !rc; p++) {
        int r = fig_phases(&R, R.pin[p], names[nf], sizeof names[nf]);
        DONE(r, -1, "**Speedup per phase** at the largest thread count (pin %s), every workload.", R.pin[p]);
    }
    if (!rc) {
        int r = fig_counters(&R, names[nf], sizeof names[nf]);
        DONE(r, -1, "**Counters per phase**: preprocessing calls, synthesis calls, heap allocations (pin %s).", R.pin[0]);
    }
    for (int w = 0; w < R.nwl && !rc; w++) {
        int r = fig_speedup(&R, w, names[nf], sizeof names[nf]);
        DONE(r, w, "**%s**: speedup against threads.", R.wl[w]);
        if (rc) break;
        r = fig_cdf(&R, w, names[nf], sizeof names[nf]);
        DONE(r, w, "**%s**: block processing time (steady state) against the real-time deadline.", R.wl[w]);
    }
#undef DONE
    if (!rc && R.anchors && bb_anchors_commit(R.anchors, dir, &R.P.err)) rc = -1;
    if (!rc) rc = write_md(&R, figs, captions, owner, nf, skipped, ns);
    R.anchors = NULL;
    bb_anchors_free(&A);
    if (rc) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&R.P.err, msg, sizeof msg));
        bb_json_results_free(&R.r);
        return BB_EXIT_USAGE;
    }
    printf("busbench report: %d figures (PNG and SVG) and %s/report.md\n", nf, dir);
    bb_json_results_free(&R.r);
    return BB_EXIT_OK;
}
