/* bb_report_figs.c - the figures of `busbench report`, drawn for a slide.
 *
 * What it is: each figure is a data file and a gnuplot script (bb_plot draws them as PNG and SVG):
 *   phases     the phase's own effect: each strategy at 1 thread over serial at 1 thread, one
 *              cluster of bars per workload; a bar starts at 1x (up: faster, down: slower),
 *              whiskers the 95% interval;
 *   counters   what each phase does at 1 thread: synthesis calls, cache hits, preprocessing calls,
 *              heap allocations, instructions (when counted), one panel each, per workload;
 *   scaling_W  threading's effect on workload W: one panel per strategy that uses threads, its
 *              speedup at n threads over itself at 1 thread with the 95% interval, the ideal n x,
 *              and light beside the curve the band its 1-thread split allows, from the Amdahl bound
 *              to the pipeline bound (bb_stats.h); thread counts above the PUs are shaded;
 *   cdf_W      the tail of W's steady-state block processing time: for each strategy (at the
 *              largest thread count within the PUs) the fraction of blocks slower than x, on
 *              log-log axes, so that p99 and p99.9 are rows of the grid, the deadline drawn.
 *
 * Invariants: a strategy has one colour in every figure (bb_plot_strategy_colour); an axis is
 * logarithmic when its values span a factor of BB_FIGS_DECADE or more; every title says what a
 * speedup is over; a panel or a figure without data is not drawn (the skipped list says why).
 *
 * Units: speedups (x), block times in us, counts per render. */
#include "bb_report_figs.h"

#include "bb_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BB_FIGS_DECADE 10.0 /* a span of values from which an axis is logarithmic */

/* A figure being written: its data and its script, in memory. */
typedef struct gp {
    char *dat, *body;
    size_t dn, bn;
    FILE *d, *b;
} gp;

static int gp_open(gp *g)
{
    memset(g, 0, sizeof *g);
    g->d = open_memstream(&g->dat, &g->dn);
    g->b = open_memstream(&g->body, &g->bn);
    return g->d && g->b ? 0 : -1;
}

/* Close g and draw it as name when draw (0 or -1), else 1 (nothing to draw). */
static int gp_draw(bb_plot *P, gp *g, const char *name, bool draw, int w, int h)
{
    if (g->d) fclose(g->d);
    if (g->b) fclose(g->b);
    int rc = !g->d || !g->b ? -1 : draw ? bb_plot_draw(P, name, g->dat, g->dn, g->body, w, h) : 1;
    free(g->dat);
    free(g->body);
    return rc;
}

/* The values of an axis: lo..hi, what it shows (intervals included); mlo..mhi, what decides its scale
 * (medians, bounds: a wide interval alone does not make an axis logarithmic). */
typedef struct span {
    double lo, hi, mlo, mhi;
} span;

static void span_add(span *a, double v, double l, double h)
{
    a->lo = fmin(a->lo, l), a->hi = fmax(a->hi, h), a->mlo = fmin(a->mlo, v), a->mhi = fmax(a->mhi, v);
}

static bool decades(const span *a) { return a->mlo > 0 && isfinite(a->mhi) && a->mhi / a->mlo >= BB_FIGS_DECADE; }

/* A logarithmic y axis over [lo, hi] with tics at 1, 2 and 5 times the powers of ten ("0.5", "20"). */
static void log_y(FILE *b, double lo, double hi)
{
    fprintf(b, "set logscale y\nset yrange [%.6g:%.6g]\nset ytics (", lo, hi);
    int n = 0;
    for (double d = pow(10, floor(log10(lo))); d <= hi; d *= 10)
        for (int k = 0; k < 3; k++) {
            double v = d * (k == 0 ? 1 : k == 1 ? 2 : 5);
            if (v >= lo && v <= hi) fprintf(b, "%s\"%g\" %.6g", n++ ? ", " : "", v, v);
        }
    fprintf(b, ")\n");
}

static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    bb_plot_quote(f, s);
    fputc('"', f);
}

/* ---- phases ------------------------------------------------------------------------------------ */
/* The strategies other than serial that have a phase ratio on some workload (pin p), into st. */
static int phase_strategies(const bb_report *R, const char *p, const char **st)
{
    int m = 0;
    bb_report_ratio q;
    for (int s = 0; s < R->nst; s++) {
        if (!strcmp(R->st[s], "serial")) continue;
        for (int w = 0; w < R->nwl; w++)
            if (bb_report_phase(R, R->wl[w], R->st[s], p, &q)) {
                st[m++] = R->st[s];
                break;
            }
    }
    return m;
}

/* ---- clustered bars from 1x ---------------------------------------------------------------------- */
/* How much lighter series k of n is drawn (0: the colour itself). */
static double bar_light(int k, int n) { return n > 1 ? 0.6 * k / (n - 1) : 0; }

/* The bars' data: a block per series (x ratio lo hi colour), x = cluster + the slot's offset. */
static void bars_data(FILE *d, const bb_report_bars *f, const bb_report_bar *b, int n, span *a)
{
    double bw = 0.8 / (f->nslots ? f->nslots : 1);
    fprintf(d, "# x ratio ci95_lo ci95_hi colour (x: the cluster's index, shifted per slot)\n");
    for (int k = 0; k < (f->nseries ? f->nseries : 1); k++) {
        fprintf(d, "%s# series %d\n", k ? "\n\n" : "", k);
        for (int i = 0; i < n; i++) {
            if (b[i].series != k || !isfinite(b[i].v)) continue;
            double l = isfinite(b[i].lo) ? b[i].lo : b[i].v, h = isfinite(b[i].hi) ? b[i].hi : b[i].v;
            span_add(a, b[i].v, l, h);
            char c[8];
            unsigned rgb = 0;
            bb_plot_lighter(b[i].colour, bar_light(k, f->nseries), c);
            if (sscanf(c + 1, "%6x", &rgb) != 1) rgb = 0x808080;
            fprintf(d, "%.4f %.6g %.6g %.6g %u\n", b[i].cluster + (b[i].slot - (f->nslots - 1) / 2.0) * bw, b[i].v, l, h, rgb);
        }
    }
}

int bb_report_figs_bars(bb_plot *P, const bb_report_bars *f, const bb_report_bar *b, int n, int w, int h)
{
    gp g;
    if (gp_open(&g)) return gp_draw(P, &g, f->name, false, 0, 0); /* -1 */
    span a = {1, 1, 1, 1};
    bars_data(g.d, f, b, n, &a);
    double hw = 0.4 / (f->nslots ? f->nslots : 1);
    bool lg = decades(&a);
    fprintf(g.b, "set title \"%s\\nbars start at 1x (up: faster, down: slower); whiskers: 95%% CI%s\"\n", f->title,
            lg ? "; log scale" : "");
    fprintf(g.b, "set ylabel \"%s\"\nset key outside right top\nset grid ytics\nset xrange [-0.6:%d.4]\nset xtics (",
            f->ylabel, f->nclusters - 1);
    for (int c = 0; c < f->nclusters; c++) {
        fprintf(g.b, "%s", c ? ", " : "");
        quoted(g.b, f->clusters[c]);
        fprintf(g.b, " %d", c);
    }
    fprintf(g.b, ")\nset xtics rotate by -30\n");
    if (lg) log_y(g.b, a.lo / 1.3, a.hi * 1.3);
    else fprintf(g.b, "set yrange [0:%.6g]\n", a.hi * 1.1);
    fprintf(g.b, "set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb \"#555555\" dt 2 lw 1.5\nplot ");
    for (int k = 0; k < (f->nseries ? f->nseries : 1); k++) {
        fprintf(g.b, "%s\"data/%s.dat\" index %d using 1:2:($1-%.4f):($1+%.4f):($2<1?$2:1):($2<1?1:$2):5 with boxxyerror "
                     "fs solid 1 noborder lc rgb variable notitle, \\\n  \"data/%s.dat\" index %d using 1:3:(0):($4-$3) "
                     "with vectors nohead lw 1 lc rgb \"#222222\" notitle", k ? ", \\\n  " : "", f->name, k, hw, hw,
                f->name, k);
        if (f->nseries > 1) {
            char grey[8];
            bb_plot_lighter("#555555", bar_light(k, f->nseries), grey);
            fprintf(g.b, ", \\\n  NaN with boxes fs solid 1 noborder lc rgb \"%s\" title ", grey);
            quoted(g.b, f->series[k]);
        }
    }
    for (int k = 0; k < f->nkeys; k++) {
        fprintf(g.b, ", \\\n  NaN with boxes fs solid 0.9 noborder lc rgb \"%s\" title ", f->key_colours[k]);
        quoted(g.b, f->keys[k]);
    }
    fprintf(g.b, "\n");
    return gp_draw(P, &g, f->name, n > 0, w, h);
}

static int fig_phases(bb_report *R, const char *pin, char *name, size_t cap)
{
    if (R->npin > 1) snprintf(name, cap, "phases_%s", pin);
    else snprintf(name, cap, "phases");
    const char *st[BB_REPORT_MAXU], *colours[BB_REPORT_MAXU];
    int m = phase_strategies(R, pin, st), n = 0;
    bb_report_bar *bars = malloc((size_t)(m * R->nwl + 1) * sizeof *bars);
    if (!bars) return -1;
    for (int k = 0; k < m; k++) {
        colours[k] = bb_plot_strategy_colour(st[k]);
        for (int w = 0; w < R->nwl; w++) {
            bb_report_ratio q;
            if (bb_report_phase(R, R->wl[w], st[k], pin, &q))
                bars[n++] = (bb_report_bar){w, k, 0, q.x, q.lo, q.hi, colours[k]};
        }
    }
    char title[256];
    snprintf(title, sizeof title, "What each phase buys on its own: speedup over serial, both at 1 thread (pin %s)", pin);
    bb_report_bars f = {name, title, "speedup over serial at 1 thread (x)", R->wl, R->nwl, m, NULL, 0, st, colours, m};
    int rc = bb_report_figs_bars(&R->P, &f, bars, n, 1000, 560);
    free(bars);
    return rc;
}

/* ---- counters --------------------------------------------------------------------------------- */
typedef double (*getter)(const bb_bres *b);
static double g_syn(const bb_bres *b) { return (double)b->counters.synth_calls; }
static double g_hits(const bb_bres *b) { return (double)b->counters.cache_hits; }
static double g_pre(const bb_bres *b) { return (double)b->counters.preprocess_calls; }
static double g_alloc(const bb_bres *b) { return (double)b->counters.allocs; }
static double g_instr(const bb_bres *b) { return b->instruction_rounds > 0 ? (double)b->instructions : (double)NAN; }

/* One panel's data: a row per workload, a column per strategy (1 thread, pin p); true when a
 * value is positive (a log-scale panel of zeros would be blank: it is left out). */
static bool counter_data(const bb_report *R, FILE *d, const char *p, getter g, double *lo, double *hi)
{
    bool any = false;
    *lo = (double)INFINITY, *hi = 0;
    fprintf(d, "# workload");
    for (int s = 0; s < R->nst; s++) fprintf(d, " \"%s\"", R->st[s]);
    fprintf(d, "\n");
    for (int w = 0; w < R->nwl; w++) {
        fprintf(d, "\"%s\"", R->wl[w]);
        for (int s = 0; s < R->nst; s++) {
            const bb_bres *b = bb_report_find(R, R->wl[w], R->st[s], 1, p);
            double v = b && b->valid ? g(b) : (double)NAN;
            any |= v > 0;
            if (v > 0) *lo = fmin(*lo, v), *hi = fmax(*hi, v);
            fprintf(d, " %.6g", v);
        }
        fprintf(d, "\n");
    }
    return any;
}

static int fig_counters(bb_report *R, char *name, size_t cap)
{
    static const struct {
        const char *file, *label;
        getter g;
    } cs[] = {{"counters_syn", "synthesis calls", g_syn},     {"counters_hits", "cache hits", g_hits},
              {"counters_pre", "preprocessing calls", g_pre}, {"counters_alloc", "heap allocations", g_alloc},
              {"counters_instr", "instructions", g_instr}};
    enum { NC = sizeof cs / sizeof cs[0] };
    const char *p = R->pin[0];
    snprintf(name, cap, "counters");
    bool on[NC];
    double lo[NC], hi[NC];
    int n = 0;
    for (int c = 0; c < NC; c++) {
        char *dat = NULL, rel[256];
        size_t dn = 0;
        FILE *d = open_memstream(&dat, &dn);
        if (!d) return -1;
        fprintf(d, "# %s per render at 1 thread (pin %s), per workload and strategy\n", cs[c].label, p);
        on[c] = counter_data(R, d, p, cs[c].g, &lo[c], &hi[c]);
        fclose(d);
        snprintf(rel, sizeof rel, "data/%s.dat", cs[c].file);
        bb_result res = on[c] ? bb_plot_commit(&R->P, rel, dat, dn) : BB_OK;
        free(dat);
        if (res) return -1;
        n += on[c];
    }
    gp g;
    if (gp_open(&g)) return gp_draw(&R->P, &g, name, false, 0, 0); /* -1 */
    fprintf(g.b, "set multiplot layout %d,1 title \"What each phase does, at 1 thread (pin %s): counts per render "
                 "(log scale; a zero is not drawn, the tables have it)\"\n", n ? n : 1, p);
    fprintf(g.b, "set style data histogram\nset style histogram clustered gap 2\nset style fill solid 0.9 noborder\n"
                 "set boxwidth 0.9\nset key outside right top\nset grid ytics\nset logscale y\n"
                 "set format y \"%%.0s%%c\"\nset lmargin at screen 0.08\nset rmargin at screen 0.84\n");
    for (int c = 0, k = 0; c < NC; c++) {
        if (!on[c]) continue;
        /* from below the least count (a bar of it shows) to above the most; the key once */
        fprintf(g.b, "set yrange [%.6g:%.6g]\n%s", lo[c] / 2, hi[c] * 2, k ? "unset key\n" : "");
        fprintf(g.b, "set ylabel \"%s\"\nset xtics format \"%s\"\n", cs[c].label, ++k == n ? "%g" : "");
        fprintf(g.b, "plot ");
        for (int s = 0; s < R->nst; s++) {
            fprintf(g.b, "%s\"data/%s.dat\" using %d%s lc rgb \"%s\" title ", s ? ", \\\n  " : "", cs[c].file, 2 + s,
                    s ? "" : ":xtic(1)", bb_plot_strategy_colour(R->st[s]));
            quoted(g.b, R->st[s]);
        }
        fprintf(g.b, "\n");
    }
    fprintf(g.b, "unset multiplot\n");
    return gp_draw(&R->P, &g, name, n > 0, 1000, 60 + 260 * (n ? n : 1));
}

/* ---- scaling ------------------------------------------------------------------------------------ */
/* The strategies of w (pin of the first) with a threading ratio at more than 1 thread, serial
 * left out (it does not use its threads), into st. */
static int scaling_strategies(const bb_report *R, const char *w, const char **st)
{
    int m = 0;
    for (int s = 0; s < R->nst; s++) {
        bb_report_ratio q;
        if (!strcmp(R->st[s], "serial")) continue;
        for (int t = 0; t < R->nth; t++)
            if (R->th[t] > 1 && bb_report_threading(R, w, R->st[s], R->th[t], R->pin[0], &q)) {
                st[m++] = R->st[s];
                break;
            }
    }
    return m;
}

/* The data of strategy s of w: a block per pinning (threads speedup lo hi), then a block of its
 * bounds (threads amdahl pipeline) when it has them. Widens a. Returns the blocks written. */
static int scaling_data(const bb_report *R, FILE *d, const char *w, const char *s, int idx, span *a)
{
    int n = 0;
    for (int p = 0; p < R->npin; p++) {
        fprintf(d, "%s# %s pin:%s: speedup over itself at 1 thread\n", idx + n ? "\n\n" : "", s, R->pin[p]);
        for (int t = 0; t < R->nth; t++) {
            bb_report_ratio q;
            if (!bb_report_threading(R, w, s, R->th[t], R->pin[p], &q)) continue;
            double l = R->th[t] == 1 || !isfinite(q.lo) ? q.x : q.lo, h = R->th[t] == 1 || !isfinite(q.hi) ? q.x : q.hi;
            span_add(a, q.x, l, h);
            fprintf(d, "%d %.6g %.6g %.6g\n", R->th[t], R->th[t] == 1 ? 1.0 : q.x, l, h);
        }
        n++;
    }
    const bb_bres *base = bb_report_has_bound(R, w, s, R->pin[0]) ? bb_report_bound_base(R, w, s, R->pin[0]) : NULL;
    if (!base) return n;
    fprintf(d, "\n\n# %s pin:%s bounds from its 1-thread split (seq %.6g ns, par %.6g ns)\n# threads amdahl pipeline\n", s,
            R->pin[0], base->seq_ns, base->par_ns);
    for (int t = 0; t < R->nth; t++) {
        double am = bb_stats_amdahl_bound(base->seq_ns, base->par_ns, R->th[t]);
        double pl = bb_stats_pipeline_bound(base->seq_ns, base->par_ns, R->th[t]);
        span_add(a, pl, pl, pl);
        fprintf(d, "%d %.6g %.6g\n", R->th[t], am, pl);
    }
    return n + 1;
}

/* The axes shared by the panels of a scaling figure. */
static void scaling_axes(const bb_report *R, FILE *b, const span *a)
{
    int tmin = R->th[0], tmax = R->th[R->nth - 1];
    if (tmax / tmin >= 8) fprintf(b, "set logscale x 2\nset xrange [%.4g:%.4g]\n", tmin / 1.25, tmax * 1.25);
    else fprintf(b, "set xrange [%.4g:%.4g]\n", tmin - 0.4, tmax + 0.4);
    fprintf(b, "set xtics (");
    for (int t = 0; t < R->nth; t++) fprintf(b, "%s%d", t ? ", " : "", R->th[t]);
    fprintf(b, ")\nset grid\nset xlabel \"threads\"\n");
    if (decades(a)) log_y(b, a->lo / 1.3, a->hi * 1.3);
    else fprintf(b, "set yrange [0:%.6g]\n", fmax(a->hi, 1.0) * 1.08);
    if (bb_report_oversubscribed(R, tmax))
        fprintf(b, "set object 1 rect from first %.4g, graph 0 to graph 1, graph 1 fc rgb \"#e4e4e4\" fs solid 1 noborder "
                   "behind\nset label 1 \"> %d PUs\" at first %.4g, graph 0.95 left tc rgb \"#666666\"\n",
                R->pus + 0.5, R->pus, R->pus + 0.55);
}

static int fig_scaling(bb_report *R, int wi, char *name, size_t cap)
{
    const char *w = R->wl[wi];
    char sn[128];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(name, cap, "scaling_%.100s", sn);
    const char *st[BB_REPORT_MAXU];
    int m = scaling_strategies(R, w, st), blocks[BB_REPORT_MAXU], idx = 0;
    gp g;
    if (gp_open(&g)) return gp_draw(&R->P, &g, name, false, 0, 0); /* -1 */
    double tmax = R->th[R->nth - 1];
    span a = {1, tmax, 1, tmax}; /* the ideal's */
    for (int k = 0; k < m; k++) {
        blocks[k] = idx;
        idx += scaling_data(R, g.d, w, st[k], idx, &a);
    }
    int cols = m < 4 ? (m ? m : 1) : 4, rows = (m + cols - 1) / cols;
    fprintf(g.b, "set multiplot layout %d,%d title \"%s: speedup at n threads over the same strategy at 1 thread "
                 "(whiskers: 95%% CI)\\nlight band: from the Amdahl to the pipeline bound of its 1-thread split; "
                 "dotted: ideal (n x)%s\"\n", rows ? rows : 1, cols, w,
            bb_report_oversubscribed(R, R->th[R->nth - 1]) ? "; grey: more threads than PUs (oversubscribed)" : "");
    scaling_axes(R, g.b, &a);
    fprintf(g.b, "set key top left font \",9\"\n");
    for (int k = 0; k < m; k++) {
        const char *col = bb_plot_strategy_colour(st[k]);
        char light[8], edge[8];
        bb_plot_lighter(col, 0.75, light);
        bb_plot_lighter(col, 0.45, edge);
        fprintf(g.b, "set title ");
        quoted(g.b, st[k]);
        fprintf(g.b, "\nset ylabel \"%s\"\n%s", k % cols ? "" : "speedup over itself at 1 thread (x)", k ? "unset key\n" : "");
        fprintf(g.b, "plot (x >= 1 ? x : 1/0) with lines lc rgb \"#999999\" dt 3 lw 1 title \"ideal\"");
        int nb = R->npin;
        if (bb_report_has_bound(R, w, st[k], R->pin[0])) {
            fprintf(g.b, ", \\\n  \"data/%s.dat\" index %d using 1:2:3 with filledcurves fc rgb \"%s\" fs solid 0.6 noborder "
                         "title \"bounds\", \\\n  \"data/%s.dat\" index %d using 1:2 with lines lc rgb \"%s\" dt 2 lw 1 notitle",
                    name, blocks[k] + nb, light, name, blocks[k] + nb, edge);
        }
        for (int p = 0; p < R->npin; p++)
            fprintf(g.b, ", \\\n  \"data/%s.dat\" index %d using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb \"%s\"%s "
                         "title \"measured%s%s\"", name, blocks[k] + p, col, p ? " dt 2" : "", R->npin > 1 ? ", " : "",
                    R->npin > 1 ? R->pin[p] : "");
        fprintf(g.b, "\n");
    }
    fprintf(g.b, "unset multiplot\n");
    return gp_draw(&R->P, &g, name, m > 0, 320 * cols + 40, 290 * (rows ? rows : 1) + 70);
}

/* ---- the block-time tail ------------------------------------------------------------------------ */
/* The tail lines of w: a block per strategy (us, fraction at most, fraction slower) into d, its
 * plot clause into pl; widens the x range, takes the deadline and the most threads. Returns the lines. */
static int cdf_lines(const bb_report *R, const char *w, const char *name, FILE *d, FILE *pl, double *xmin, double *xmax,
                     double *deadline, int *thr)
{
    int idx = 0;
    for (int s = 0; s < R->nst; s++) {
        const bb_bres *x = bb_report_at_max(R, w, R->st[s], R->pin[0], true);
        if (!x || !isfinite(x->cdf_steady[0])) continue;
        if (isfinite(x->deadline_ns)) *deadline = x->deadline_ns;
        *thr = *thr > x->threads ? *thr : x->threads;
        fprintf(d, "%s# %s threads:%d\n", idx ? "\n\n" : "", R->st[s], x->threads);
        for (int i = 0; i < BB_JSON_CDF_POINTS && bb_json_cdf_p[i] < 1.0; i++) {
            if (!isfinite(x->cdf_steady[i]) || x->cdf_steady[i] <= 0) continue;
            *xmin = fmin(*xmin, x->cdf_steady[i] / 1e3), *xmax = fmax(*xmax, x->cdf_steady[i] / 1e3);
            fprintf(d, "%.6g %.6g %.6g\n", x->cdf_steady[i] / 1e3, bb_json_cdf_p[i], 1.0 - bb_json_cdf_p[i]);
        }
        fprintf(pl, "%s\"data/%s.dat\" index %d using 1:3 with lines lw 2 lc rgb \"%s\" title ", idx ? ", \\\n  " : "plot ",
                name, idx, bb_plot_strategy_colour(R->st[s]));
        fprintf(pl, "\"");
        bb_plot_quote(pl, R->st[s]);
        fprintf(pl, " (%d thr)\"", x->threads);
        idx++;
    }
    return idx;
}

static int fig_cdf(bb_report *R, int wi, char *name, size_t cap)
{
    const char *w = R->wl[wi];
    char sn[128];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(name, cap, "cdf_%.100s", sn);
    gp g;
    char *plot = NULL;
    size_t pn = 0;
    FILE *pl = open_memstream(&plot, &pn);
    if (gp_open(&g) || !pl) {
        if (pl) fclose(pl);
        free(plot);
        return gp_draw(&R->P, &g, name, false, 0, 0); /* -1 */
    }
    fprintf(g.d, "# steady-state block processing time of %s (pin %s): us, fraction of blocks at most, fraction slower\n",
            w, R->pin[0]);
    double deadline = (double)NAN, xmin = (double)INFINITY, xmax = 0;
    int thr = 0, idx = cdf_lines(R, w, name, g.d, pl, &xmin, &xmax, &deadline, &thr);
    fclose(pl);
    fprintf(g.b, "set title \"%s: steady-state block processing time, each strategy at its most threads within the PUs "
                 "(up to %d)\\nfraction of blocks slower than x (log-log: the tail p99, p99.9 is readable); red: the "
                 "deadline\"\n", w, thr);
    fprintf(g.b, "set logscale xy\nset xlabel \"block processing time (us)\"\nset ylabel \"fraction of blocks slower\"\n"
                 "set ytics (\"all\" 1, \"p50\" 0.5, \"p90\" 0.1, \"p99\" 0.01, \"p99.9\" 0.001, \"p99.99\" 0.0001)\n"
                 "set yrange [5e-5:1.5]\nset grid xtics ytics\nset key outside right top\n");
    if (isfinite(deadline)) {
        xmax = fmax(xmax, deadline / 1e3);
        fprintf(g.b, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 lc rgb \"#d62728\" dt 2\n"
                     "set label \"deadline %.0f us\" at %.6g, graph 0.92 right offset -0.5,0 tc rgb \"#d62728\"\n",
                deadline / 1e3, deadline / 1e3, deadline / 1e3, deadline / 1e3);
    }
    if (idx) fprintf(g.b, "set xrange [%.6g:%.6g]\n%s\n", xmin / 1.5, xmax * 1.5, plot);
    free(plot);
    return gp_draw(&R->P, &g, name, idx > 0, 900, 560);
}

/* ---- all of them ---------------------------------------------------------------------------------- */
int bb_report_figs_draw(bb_report *R)
{
    char name[128];
    int rc = 0;
    for (int p = 0; p < R->npin && !rc; p++)
        rc = bb_report_fig_done(R, fig_phases(R, R->pin[p], name, sizeof name), name, -1,
                                "no strategy but serial at 1 thread",
                                "**What each phase buys on its own**: every strategy at 1 thread over serial at 1 thread "
                                "(pin %s), every workload.", R->pin[p]);
    if (!rc)
        rc = bb_report_fig_done(R, fig_counters(R, name, sizeof name), name, -1, "no counter above 0 at 1 thread",
                                "**What each phase does**: its counters per render at 1 thread (pin %s).", R->pin[0]);
    for (int w = 0; w < R->nwl && !rc; w++) {
        rc = bb_report_fig_done(R, fig_scaling(R, w, name, sizeof name), name, w,
                                "no strategy that uses threads at more than 1 thread",
                                "**%s**: threading, each strategy at n threads over itself at 1 thread, with its bounds.",
                                R->wl[w]);
        if (!rc)
            rc = bb_report_fig_done(R, fig_cdf(R, w, name, sizeof name), name, w, "no block times",
                                    "**%s**: the tail of the block processing time (steady state) against the deadline.",
                                    R->wl[w]);
    }
    return rc;
}
