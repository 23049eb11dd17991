/* bb_report_live.c - the live part of `busbench report --live FILE.json`
 * (bb_report_live.h): what live mode costs each phase, drawn and said.
 *
 * What it reads: the JSON of `busbench live --sweep` ({"sweep": [run...]}:
 * per strategy x threads x mode, the periods tried in increasing order up to
 * the first glitch-free one) and of `busbench live --capacity` ({"capacity":
 * k, "runs": [run...]}: one strategy, threads, mode and period, the runs at
 * each stacked k tried). A run is the object `busbench live --json` writes;
 * its glitch_free is the sweep's verdict (no glitch, and in callback mode no
 * xrun: there the render runs in the callback, so an xrun is its own), taken
 * as it is: the report computes nothing but minima and ratios of what it read.
 *
 * Series: the sweep runs of all files, one per (strategy, threads, mode),
 * against the period; the runs of each capacity file, one series, against k.
 * Colours: one per strategy, in the phase order of the bench report (serial,
 * parallel, cycle, static, pool, batch, lanes, all, then any other as met), so
 * that a strategy has the colour it has there; the dash type tells thread
 * counts apart; a filled point is a glitch-free run, an open one is not.
 *
 * The words: per strategy and mode, the smallest glitch-free period over the
 * thread counts tried (ties: the lower latency, then fewer threads), and the
 * latency it costs: what the client adds (the ring of ahead mode and the
 * render's window, latency_frames) plus the server's period, in ms at the
 * run's rate. A strategy is safe live in a mode when some run of it in that
 * mode was glitch-free.
 *
 * Units: frames and Hz as read; latency in ms; callback times in us. */
#include "bb_report_live.h"

#include "bb_cmds.h"
#include "bb_json.h"
#include "bb_plot.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
    SERIES_MAX = 512,      /* strategy x threads x mode of the sweeps, plus one per capacity file */
    STRATEGIES_MAX = 64,
    THREADS_MAX = 64,      /* distinct thread counts (dash types) */
    FIELD_MAX = 1 << 24,   /* the largest period, thread count, k or rate read */
    COUNT_MAX = 1 << 30,   /* the largest glitch, xrun or latency count read */
    DASHES = 5             /* gnuplot dash types used */
};

typedef struct lrun {
    const char *strategy, *program; /* the document's strings */
    long threads, period, sr, stack, x; /* x: the period (sweep) or k (capacity) */
    long glitches, xruns, latency;  /* latency: the client's frames (latency_frames) */
    double p999_us;                 /* NaN: the run had no callback */
    double seconds;                 /* frames / sr; NaN when frames is absent */
    bool ahead, ok, realtime;
    int file, series;
} lrun;

typedef struct lfile {
    const char *path;
    json_t *doc;
    bool capacity;
    long k;                         /* capacity: the document's largest glitch-free k */
} lfile;

typedef struct lseries {
    int first, n;                   /* its runs in R->r, sorted by x */
} lseries;

typedef struct lrep {
    bb_plot P;
    lfile f[BB_REPORT_LIVE_FILES_MAX];
    int nf;
    lrun r[BB_REPORT_LIVE_RUNS_MAX];
    int nr, nsweep;                 /* runs; those of sweeps */
    lseries s[SERIES_MAX];
    int ns;
    const char *st[STRATEGIES_MAX];
    int nst;
    long th[THREADS_MAX];           /* ascending */
    int nth;
} lrep;

bb_result bb_report_live_opt(void *base, const char *value, bb_error *err)
{
    bb_report_live_files *f = base;
    if (f->n >= BB_REPORT_LIVE_FILES_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, "--live", 0, 0, "at most %d --live files", BB_REPORT_LIVE_FILES_MAX);
    f->path[f->n++] = value;
    return BB_OK;
}

/* ---- reading ------------------------------------------------------------------------------------ */

static bool int_field(const json_t *o, const char *key, long lo, long hi, long *v)
{
    const json_t *x = json_object_get(o, key);
    if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi) return false;
    *v = (long)json_integer_value(x);
    return true;
}

static int strategy_index(lrep *R, const char *s)
{
    for (int i = 0; i < R->nst; i++)
        if (!strcmp(R->st[i], s)) return i;
    if (R->nst == STRATEGIES_MAX) return -1;
    R->st[R->nst] = s;
    return R->nst++;
}

static int threads_rank(const lrep *R, long t)
{
    for (int i = 0; i < R->nth; i++)
        if (R->th[i] == t) return i;
    return 0;
}

static void add_threads(lrep *R, long t)
{
    int k = 0;
    while (k < R->nth && R->th[k] < t) k++;
    if ((k < R->nth && R->th[k] == t) || R->nth == THREADS_MAX) return;
    memmove(&R->th[k + 1], &R->th[k], (size_t)(R->nth - k) * sizeof R->th[0]);
    R->th[k] = t;
    R->nth++;
}

/* The series of run u (a new one when it has none yet): -1 when there are too many. */
static int series_of(lrep *R, const lrun *u)
{
    for (int i = 0; i < R->nr; i++) {
        const lrun *v = &R->r[i];
        if (v == u || v->series < 0) continue;
        bool same = R->f[u->file].capacity ? v->file == u->file
                                           : !R->f[v->file].capacity && v->threads == u->threads &&
                                                 v->ahead == u->ahead && !strcmp(v->strategy, u->strategy);
        if (same) return v->series;
    }
    return R->ns < SERIES_MAX ? R->ns++ : -1;
}

/* run = {"strategy": S, "threads": T, "mode": "ahead" | "callback", "period": P, "sr": HZ,
 *        "glitches": N, "xruns": N, "latency_frames": N, "callback_p999_us": US | null,
 *        "glitch_free": BOOL [, "stack": K] [, "program": PATH] [, "frames": N] [, "realtime": BOOL] ...}
 * (stack: required in a capacity document, 1 when absent in a sweep; other members ignored) */
static bb_result read_run(lrep *R, int fi, const char *arr, size_t i, const json_t *o, bb_error *err)
{
    const lfile *f = &R->f[fi];
    if (R->nr == BB_REPORT_LIVE_RUNS_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, f->path, 0, 0, "more than %d runs in all", BB_REPORT_LIVE_RUNS_MAX);
    lrun *u = &R->r[R->nr];
    memset(u, 0, sizeof *u);
    u->file = fi;
    u->series = -1;
    const char *mode = json_string_value(json_object_get(o, "mode"));
    const json_t *p = json_object_get(o, "callback_p999_us"), *ok = json_object_get(o, "glitch_free");
    long frames = 0;
    const char *want = NULL;
    if (!json_is_object(o)) want = "a run (an object)";
    else if (!(u->strategy = json_string_value(json_object_get(o, "strategy")))) want = "a string \"strategy\"";
    else if (!int_field(o, "threads", 1, FIELD_MAX, &u->threads)) want = "an integer \"threads\" >= 1";
    else if (!mode || (strcmp(mode, "ahead") && strcmp(mode, "callback"))) want = "\"mode\": \"ahead\" or \"callback\"";
    else if (!int_field(o, "period", 1, FIELD_MAX, &u->period)) want = "an integer \"period\" >= 1";
    else if (!int_field(o, "sr", 1, FIELD_MAX, &u->sr)) want = "an integer \"sr\" >= 1";
    else if (!int_field(o, "glitches", 0, COUNT_MAX, &u->glitches)) want = "an integer \"glitches\" >= 0";
    else if (!int_field(o, "xruns", 0, COUNT_MAX, &u->xruns)) want = "an integer \"xruns\" >= 0";
    else if (!int_field(o, "latency_frames", 0, COUNT_MAX, &u->latency)) want = "an integer \"latency_frames\" >= 0";
    else if (!json_is_number(p) && !json_is_null(p)) want = "a number (or null) \"callback_p999_us\"";
    else if (!json_is_boolean(ok)) want = "a boolean \"glitch_free\"";
    else if (json_object_get(o, "stack") ? !int_field(o, "stack", 1, FIELD_MAX, &u->stack) : f->capacity)
        want = "an integer \"stack\" >= 1 (the k of the run)";
    else if (json_object_get(o, "frames") && !int_field(o, "frames", 0, LONG_MAX, &frames))
        want = "an integer \"frames\" >= 0";
    if (want) return bb_error_set(err, BB_ERR_FORMAT, f->path, 0, 0, "%s[%zu]: expected %s", arr, i, want);
    if (!u->stack) u->stack = 1;
    u->ahead = !strcmp(mode, "ahead");
    u->ok = json_is_true(ok);
    u->realtime = json_is_true(json_object_get(o, "realtime"));
    u->p999_us = json_is_number(p) ? json_number_value(p) : (double)NAN;
    u->seconds = json_object_get(o, "frames") ? (double)frames / (double)u->sr : (double)NAN;
    u->program = json_string_value(json_object_get(o, "program"));
    u->x = f->capacity ? u->stack : u->period;
    if (strategy_index(R, u->strategy) < 0 || (u->series = series_of(R, u)) < 0)
        return bb_error_set(err, BB_ERR_LIMIT, f->path, 0, 0, "more than %d strategies or %d series", STRATEGIES_MAX,
                            SERIES_MAX);
    add_threads(R, u->threads);
    R->nr++;
    R->nsweep += !f->capacity;
    return BB_OK;
}

/* doc = {"sweep": [run...]} | {"capacity": K, "runs": [run...]} */
static bb_result read_file(lrep *R, int fi, bb_error *err)
{
    lfile *f = &R->f[fi];
    if (!(f->doc = bb_json_load(f->path, err))) return err->code ? err->code : BB_ERR_IO;
    const json_t *sweep = json_object_get(f->doc, "sweep"), *runs = json_object_get(f->doc, "runs");
    f->capacity = !sweep && runs;
    if (f->capacity && !int_field(f->doc, "capacity", 0, FIELD_MAX, &f->k))
        return bb_error_set(err, BB_ERR_FORMAT, f->path, 0, 0, "expected an integer \"capacity\" >= 0 beside \"runs\"");
    const json_t *arr = f->capacity ? runs : sweep;
    if (!json_is_array(arr))
        return bb_error_set(err, BB_ERR_FORMAT, f->path, 0, 0,
                            "expected the JSON of busbench live --sweep ({\"sweep\": [runs]}) or --capacity "
                            "({\"capacity\": k, \"runs\": [runs]})");
    size_t i;
    const json_t *o;
    json_array_foreach(arr, i, o) {
        bb_result res = read_run(R, fi, f->capacity ? "runs" : "sweep", i, o, err);
        if (res) return res;
    }
    return BB_OK;
}

static int by_series_then_x(const void *a, const void *b)
{
    const lrun *u = a, *v = b;
    if (u->series != v->series) return u->series < v->series ? -1 : 1;
    return (u->x > v->x) - (u->x < v->x);
}

/* The strategies in the bench report's phase order, then the others as met. */
static void order_strategies(lrep *R)
{
    static const char *const canon[] = {"serial", "parallel", "cycle", "static", "pool", "batch", "lanes", "all"};
    const char *met[STRATEGIES_MAX];
    int n = 0;
    for (size_t c = 0; c < sizeof canon / sizeof canon[0]; c++)
        for (int i = 0; i < R->nst; i++)
            if (!strcmp(R->st[i], canon[c])) met[n++] = R->st[i];
    for (int i = 0; i < R->nst; i++) {
        bool in = false;
        for (int k = 0; k < n; k++) in |= met[k] == R->st[i];
        if (!in) met[n++] = R->st[i];
    }
    memcpy(R->st, met, (size_t)n * sizeof met[0]);
}

/* Every file read, the runs sorted into their series. */
static bb_result read_all(lrep *R, const bb_report_live_files *files, bb_error *err)
{
    for (int i = 0; i < files->n; i++) {
        R->f[R->nf].path = files->path[i];
        R->nf++;
        bb_result res = read_file(R, i, err);
        if (res) return res;
    }
    if (!R->nr) return bb_error_set(err, BB_ERR_FORMAT, R->f[0].path, 0, 0, "no run to report");
    qsort(R->r, (size_t)R->nr, sizeof R->r[0], by_series_then_x);
    for (int i = 0; i < R->nr; i++) {
        lseries *s = &R->s[R->r[i].series];
        if (!s->n) s->first = i;
        s->n++;
    }
    order_strategies(R);
    return BB_OK;
}

/* ---- figures ------------------------------------------------------------------------------------ */

static const char *colour(const lrep *R, const char *strategy)
{
    for (int i = 0; i < R->nst; i++)
        if (!strcmp(R->st[i], strategy)) return bb_plot_palette[(size_t)i % bb_plot_npalette];
    return bb_plot_palette[0];
}

/* What a run's verdict held against it: its glitches, and in callback mode its xruns. */
static long counted(const lrun *u) { return u->glitches + (u->ahead ? 0 : u->xruns); }

static void series_title(FILE *b, const lrun *u, bool capacity)
{
    fprintf(b, "title \"");
    bb_plot_quote(b, u->strategy);
    fprintf(b, ", %ld thread%s", u->threads, u->threads == 1 ? "" : "s");
    if (capacity) fprintf(b, ", %s, period %ld", u->ahead ? "ahead" : "callback", u->period);
    fprintf(b, "\"");
}

/* One panel: the series picked (pick[i]) in column col of the data file, titled (the top panel)
 * or not (the bottom one, after the deadline). */
static void plot_panel(FILE *b, const lrep *R, const char *name, const bool *pick, int col, bool titled, bool capacity)
{
    int idx = 0;
    for (int i = 0; i < R->ns; i++) {
        if (!pick[i]) continue;
        const lrun *u = &R->r[R->s[i].first];
        fprintf(b, "%s\"data/%s.dat\" index %d using 1:%d:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 "
                   "lc rgb \"%s\" dt %d ",
                idx || !titled ? ", \\\n  " : "", name, idx, col, colour(R, u->strategy), 1 + threads_rank(R, u->threads) % DASHES);
        if (titled) series_title(b, u, capacity);
        else fprintf(b, "notitle");
        idx++;
    }
}

/* Figure name: the series picked, what their verdict counted (top: ylabel) and callback p99.9
 * (bottom) against x. */
static int draw(lrep *R, const char *name, const bool *pick, bool capacity, const char *title, const char *ylabel)
{
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    long xmin = LONG_MAX, xmax = 1, ymax = 1;
    fprintf(d, "# %s\n# x glitches xruns counted callback_p999_us glitch_free   (x: %s)\n", title,
            capacity ? "stacked copies k" : "period, frames");
    for (int i = 0; i < R->ns; i++) {
        if (!pick[i]) continue;
        const lseries *s = &R->s[i];
        fprintf(d, "# %s %ld threads %s\n", R->r[s->first].strategy, R->r[s->first].threads,
                R->r[s->first].ahead ? "ahead" : "callback");
        for (int k = s->first; k < s->first + s->n; k++) {
            const lrun *u = &R->r[k];
            fprintf(d, "%ld %ld %ld %ld %.6g %d\n", u->x, u->glitches, u->xruns, counted(u), u->p999_us, u->ok);
            xmin = u->x < xmin ? u->x : xmin;
            xmax = u->x > xmax ? u->x : xmax;
            ymax = counted(u) > ymax ? counted(u) : ymax;
        }
        fprintf(d, "\n\n");
    }
    fprintf(b, "set multiplot layout 2,1 title \"");
    bb_plot_quote(b, title);
    fprintf(b, " (filled: glitch-free)\"\nset lmargin at screen 0.09\nset rmargin at screen 0.70\n");
    fprintf(b, "set logscale x 2\nset xrange [%g:%g]\nset grid\nset key outside right top\n", (double)xmin / 1.5,
            (double)xmax * 1.5);
    fprintf(b, "set xlabel \"%s\"\nset ylabel \"%s\"\nset yrange [-0.5:%g]\n",
            capacity ? "stacked copies k" : "period (frames)", ylabel, (double)ymax * 1.1 + 0.5);
    fprintf(b, "plot ");
    plot_panel(b, R, name, pick, 4, true, capacity);
    fprintf(b, "\nset ylabel \"callback p99.9 (us)\"\nset logscale y\nset yrange [*:*]\nplot ");
    const lrun *u0 = NULL;
    for (int i = 0; i < R->ns && !u0; i++)
        if (pick[i]) u0 = &R->r[R->s[i].first];
    if (capacity) fprintf(b, "%g", (double)u0->period * 1e6 / (double)u0->sr);
    else fprintf(b, "x * 1e6 / %ld", u0->sr);
    fprintf(b, " with lines lc rgb \"#666666\" dt 3 title \"the period at %ld Hz (the deadline)\"", u0->sr);
    plot_panel(b, R, name, pick, 5, false, capacity);
    fprintf(b, "\nunset multiplot\n");
    fclose(d);
    fclose(b);
    int rc = bb_plot_draw(&R->P, name, dat, dn, body, 1000, 800);
    free(dat);
    free(body);
    return rc;
}

/* The figures: the sweep per mode, the capacity runs. 0 or -1. */
static int figures(lrep *R, char (*names)[64], int *nfig)
{
    bool pick[SERIES_MAX];
    for (int m = 0; m < 3; m++) { /* ahead, callback, capacity */
        int any = 0;
        for (int i = 0; i < R->ns; i++) {
            const lrun *u = &R->r[R->s[i].first];
            pick[i] = m == 2 ? R->f[u->file].capacity : !R->f[u->file].capacity && u->ahead == (m == 0);
            any += pick[i];
        }
        if (!any) continue;
        static const char *const fig[] = {"live_period_ahead", "live_period_callback", "live_stack"};
        static const char *const title[] = {"live sweep, ahead mode", "live sweep, callback mode",
                                            "live capacity: stacked copies"};
        static const char *const ylabel[] = {"glitches", "glitches + xruns", "glitches (+ xruns in callback mode)"};
        snprintf(names[*nfig], 64, "%s", fig[m]);
        if (draw(R, fig[m], pick, m == 2, title[m], ylabel[m])) return -1;
        (*nfig)++;
    }
    return 0;
}

/* ---- words -------------------------------------------------------------------------------------- */

static double latency_ms(const lrun *u) { return (double)(u->latency + u->period) * 1e3 / (double)u->sr; }

/* Is u a better pick than best: by_latency, the lower latency (ties: the smaller period); else the
 * smaller period (ties: the lower latency); then fewer threads. */
static bool better(const lrun *u, const lrun *best, bool by_latency)
{
    if (!best) return true;
    const double lu = latency_ms(u), lb = latency_ms(best);
    if (by_latency && lu != lb) return lu < lb;
    if (u->period != best->period) return u->period < best->period;
    if (lu != lb) return lu < lb;
    return u->threads < best->threads;
}

/* The sweep runs of strategy in a mode: the glitch-free one with the smallest period (by_latency:
 * the lowest latency), or NULL; *tried counts the runs, *pmin and *pmax bound their periods. */
static const lrun *best_ok(const lrep *R, const char *strategy, bool ahead, bool by_latency, int *tried, long *pmin,
                           long *pmax)
{
    const lrun *best = NULL;
    *tried = 0;
    *pmin = LONG_MAX;
    *pmax = 0;
    for (int i = 0; i < R->nr; i++) {
        const lrun *u = &R->r[i];
        if (R->f[u->file].capacity || u->ahead != ahead || strcmp(u->strategy, strategy)) continue;
        (*tried)++;
        *pmin = u->period < *pmin ? u->period : *pmin;
        *pmax = u->period > *pmax ? u->period : *pmax;
        if (u->ok && better(u, best, by_latency)) best = u;
    }
    return best;
}

static const char *mode_name(bool ahead) { return ahead ? "ahead" : "callback"; }

static void say_run(FILE *f, const lrun *u)
{
    fprintf(f, "period %ld (%ld thread%s, latency %.2f ms)", u->period, u->threads, u->threads == 1 ? "" : "s",
            latency_ms(u));
}

/* "- **S**: safe live in ahead mode from period P (T threads, latency L ms) [, the lowest latency at
 * ...]; in callback mode from ... | not glitch-free in callback mode at any period tried (P0 to P1)." */
static void strategy_words(FILE *f, const lrep *R, const char *s)
{
    fprintf(f, "- **%s**:", s);
    int said = 0;
    bool safe_said = false;
    for (int m = 0; m < 2; m++) {
        int tried;
        long pmin, pmax;
        const lrun *u = best_ok(R, s, m == 0, false, &tried, &pmin, &pmax);
        const lrun *low = best_ok(R, s, m == 0, true, &tried, &pmin, &pmax);
        if (!tried) continue;
        if (u) {
            fprintf(f, "%s%s in %s mode from ", said ? ";" : "", safe_said ? "" : " safe live", mode_name(m == 0));
            safe_said = true;
            say_run(f, u);
            if (latency_ms(low) < latency_ms(u)) {
                fprintf(f, ", the lowest latency at ");
                say_run(f, low);
            }
        } else {
            fprintf(f, "%s not glitch-free in %s mode at any period tried (%ld to %ld)", said ? ";" : "",
                    mode_name(m == 0), pmin, pmax);
        }
        said++;
    }
    fprintf(f, ".\n");
}

/* Which strategies are safe in both modes, one, none; the lowest latency of all. */
static void summary_words(FILE *f, const lrep *R)
{
    const lrun *low = NULL;
    const char *group[4][STRATEGIES_MAX]; /* both, ahead only, callback only, neither */
    int ng[4] = {0, 0, 0, 0};
    for (int i = 0; i < R->nst; i++) {
        int tried[2];
        long pmin, pmax;
        bool ok[2];
        for (int m = 0; m < 2; m++) {
            const lrun *u = best_ok(R, R->st[i], m == 0, true, &tried[m], &pmin, &pmax);
            ok[m] = u != NULL;
            if (u && (!low || latency_ms(u) < latency_ms(low))) low = u;
        }
        if (!tried[0] && !tried[1]) continue;
        int g = ok[0] && ok[1] ? 0 : ok[0] ? 1 : ok[1] ? 2 : 3;
        group[g][ng[g]++] = R->st[i];
    }
    static const char *const what[] = {"Safe live in both modes", "Safe live in ahead mode only",
                                       "Safe live in callback mode only", "Not safe live at any period tried"};
    for (int g = 0; g < 4; g++) {
        if (!ng[g]) continue;
        fprintf(f, "%s: ", what[g]);
        for (int k = 0; k < ng[g]; k++) fprintf(f, "%s%s", k ? (k == ng[g] - 1 ? " and " : ", ") : "", group[g][k]);
        fprintf(f, ". ");
    }
    if (low)
        fprintf(f, "The lowest latency: %s in %s mode at period %ld (%ld thread%s), %.2f ms.", low->strategy,
                mode_name(low->ahead), low->period, low->threads, low->threads == 1 ? "" : "s", latency_ms(low));
    fprintf(f, "\n\n");
}

/* The sweep: definitions, words, one row per series. */
static void sweep_md(FILE *f, const lrep *R)
{
    fprintf(f, "## Which phases are safe live, and at what latency\n\n"
               "A run is glitch-free when no period went out as silence because nothing was ready (a glitch) and, in "
               "callback mode, the server had no xrun (there the render runs in the callback, so an xrun is its own); "
               "in ahead mode the callback only copies, and an xrun is the server's or the machine's: counted, not held "
               "against the phase. The latency is what the client adds (the ring of ahead mode and the render's window) "
               "plus the server's period.\n\n");
    summary_words(f, R);
    for (int i = 0; i < R->nst; i++) strategy_words(f, R, R->st[i]);
    fprintf(f, "\n| strategy | threads | mode | smallest glitch-free period | latency (ms) | callback p99.9 there "
               "(us, of the period) | not glitch-free at |\n|---|---:|---|---:|---:|---:|---|\n");
    for (int i = 0; i < R->ns; i++) {
        const lseries *s = &R->s[i];
        const lrun *u = &R->r[s->first], *ok = NULL;
        if (R->f[u->file].capacity) continue;
        for (int k = s->first; k < s->first + s->n && !ok; k++)
            if (R->r[k].ok) ok = &R->r[k];
        fprintf(f, "| %s | %ld | %s | ", u->strategy, u->threads, mode_name(u->ahead));
        if (ok)
            fprintf(f, "%ld | %.2f | %.1f (%.3f) | ", ok->period, latency_ms(ok), ok->p999_us,
                    ok->p999_us * (double)ok->sr / (double)ok->period / 1e6);
        else
            fprintf(f, "none | | | ");
        int bad = 0;
        for (int k = s->first; k < s->first + s->n; k++)
            if (!R->r[k].ok)
                fprintf(f, "%s%ld (%ld glitches, %ld xruns)", bad++ ? ", " : "", R->r[k].period, R->r[k].glitches,
                        R->r[k].xruns);
        fprintf(f, " |\n");
    }
    fprintf(f, "\n");
}

/* The capacity files: one row each, and in words. */
static void capacity_md(FILE *f, const lrep *R)
{
    fprintf(f, "## Live capacity\n\nThe most copies of every output trigger (`--stack k`) that played glitch-free, "
               "as `busbench live --capacity` found it (k doubling, then bisection):\n\n");
    fprintf(f, "| file | program | strategy | threads | mode | period | largest glitch-free k | k tried |\n"
               "|---|---|---|---:|---|---:|---:|---|\n");
    for (int fi = 0; fi < R->nf; fi++) {
        if (!R->f[fi].capacity) continue;
        const lrun *u = NULL;
        for (int i = 0; i < R->nr && !u; i++)
            if (R->r[i].file == fi) u = &R->r[i];
        if (!u) continue;
        fprintf(f, "| `%s` | %s | %s | %ld | %s | %ld | %ld | ", R->f[fi].path, u->program ? u->program : "?",
                u->strategy, u->threads, mode_name(u->ahead), u->period, R->f[fi].k);
        const lseries *s = &R->s[u->series];
        for (int k = s->first; k < s->first + s->n; k++)
            fprintf(f, "%s%ld%s", k > s->first ? ", " : "", R->r[k].x, R->r[k].ok ? "" : " (not glitch-free)");
        fprintf(f, " |\n");
    }
    fprintf(f, "\n");
}

/* live.md: where from, the sweep's words and table, the capacity table, the figures. */
static int write_md(lrep *R, char (*names)[64], int nfig)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    const lrun *u = &R->r[0];
    bool rt = true, one_program = u->program != NULL;
    for (int i = 0; i < R->nr; i++) {
        rt &= R->r[i].realtime;
        one_program &= R->r[i].program && u->program && !strcmp(R->r[i].program, u->program);
    }
    fprintf(f, "# busbench live report\n\nFrom");
    for (int i = 0; i < R->nf; i++)
        fprintf(f, "%s `%s` (%s, copied here as `live_%d.json`)", i ? "," : "", R->f[i].path,
                R->f[i].capacity ? "`busbench live --capacity`" : "`busbench live --sweep`", i + 1);
    fprintf(f, ": %d runs of %s%s%s at %ld Hz", R->nr, one_program ? "`" : "", one_program ? u->program : "more than one program",
            one_program ? "`" : "", u->sr);
    if (isfinite(u->seconds)) fprintf(f, ", %.1f s a run", u->seconds);
    fprintf(f, ", on %s.\n\n", rt ? "real-time servers" : "servers that were not all real-time");
    if (R->nsweep) sweep_md(f, R);
    if (R->nsweep < R->nr) capacity_md(f, R);
    static const char *const caption[] = {"live_period_ahead", "Ahead mode: glitches and callback p99.9 against the period.",
                                          "live_period_callback",
                                          "Callback mode: glitches and xruns, and callback p99.9, against the period.",
                                          "live_stack", "Capacity: glitches and callback p99.9 against stacked copies k."};
    for (int i = 0; i < nfig; i++)
        for (size_t c = 0; c < sizeof caption / sizeof caption[0]; c += 2)
            if (!strcmp(names[i], caption[c]))
                fprintf(f, "%s\n\n![%s](%s.png)\n\n([SVG](%s.svg), data: `data/%s.dat`, script: `data/%s.gp`)\n\n",
                        caption[c + 1], names[i], names[i], names[i], names[i], names[i]);
    fprintf(f, "Drawn with `%s` (PNG terminal `%s`).\n", R->P.gp_version, R->P.term);
    fclose(f);
    int rc = bb_plot_commit(&R->P, "live.md", buf, n) ? -1 : 0;
    free(buf);
    return rc;
}

/* ---- the entry points --------------------------------------------------------------------------- */

bb_result bb_report_live(const bb_report_live_files *files, const char *dir, bb_error *err)
{
    static lrep R; /* large; one report at a time */
    memset(&R, 0, sizeof R);
    if (files->n < 1) return bb_error_set(err, BB_ERR_ARG, "--live", 0, 0, "expected a file");
    bb_plot_init(&R.P, dir, files->path[0]);
    bb_result res = read_all(&R, files, &R.P.err);
    int rc = res ? -1 : bb_plot_open(&R.P);
    for (int i = 0; !rc && i < R.nf; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "live_%d.json", i + 1);
        R.P.src = R.f[i].path;
        rc = bb_plot_keep_input(&R.P, rel);
    }
    R.P.src = files->path[0];
    char names[3][64];
    int nfig = 0;
    if (!rc) rc = figures(&R, names, &nfig);
    if (!rc) rc = write_md(&R, names, nfig);
    for (int i = 0; i < R.nf; i++) json_decref(R.f[i].doc);
    if (!rc) return BB_OK;
    *err = R.P.err;
    return err->code ? err->code : BB_ERR_IO;
}

int bb_report_live_cmd(const bb_report_live_files *files, const char *dir)
{
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (bb_report_live(files, dir, &err)) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    printf("busbench report: the live figures (PNG and SVG) and %s/live.md\n", dir);
    return BB_EXIT_OK;
}
