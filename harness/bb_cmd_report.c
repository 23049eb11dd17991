/* bb_cmd_report.c - `busbench report RESULTS.json -o DIR`: figures and a Markdown report from a
 * bench result (or, side by side, from a document of several machines).
 *
 * What it is: the command line (its option table), the inputs (the result, the capacity and anchors
 * tables), and the order of the work: the model and its axes (bb_report.c), the figures
 * (bb_report_figs.c), report.md (bb_report_tables.c). The report tells a phase's own effect (at 1
 * thread, over serial at 1 thread) from threading's (a strategy at n threads over itself at 1
 * thread), each with its interval and significance, beside the counters that explain it.
 * On a document of several machines (busbench merge --machines) it draws each machine's speedups
 * side by side per workload, with a strategy x machine table (below).
 *
 * Invariants: every number comes from the results file (the report computes ratios, ranks and
 * bounds of what it read); the whole report is written into a staged folder beside DIR and put in
 * its place only when complete (bb_plot_stage, bb_plot_publish): a report into an existing report
 * folder replaces it whole, no file of the older one is left, and a failure leaves DIR as it was;
 * a folder that is not a report (not empty, no report.md) is refused, never replaced; gnuplot's
 * absence is an error (exit 2).
 *
 * Units: the JSON's ns become ms (renders) and us (blocks) in tables and figures, as their headers
 * say. */
#include "bb_cmds.h"
#include "bb_opt.h"
#include "bb_report.h"
#include "bb_report_figs.h"
#include "bb_report_live.h"
#include "bb_report_tables.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- several machines (busbench merge --machines) ---------------------------------------------------- */

typedef struct machine {
    const char *label, *source;
    bb_results r;
} machine;

typedef struct mrep {
    bb_plot P;
    machine m[BB_REPORT_MAXU];
    int nm;
    const char *wl[BB_REPORT_MAXU], *st[BB_REPORT_MAXU];
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

/* Figure machines_W: one cluster per strategy (serial left out: over itself it is 1), one bar per
 * machine (hatched apart), its speedup over serial at 1 thread at that machine's largest thread count. */
static int mach_figure(mrep *M, int wi, char *fname, size_t fcap)
{
    const char *w = M->wl[wi];
    char sn[128], title[300];
    bb_plot_safe_name(sn, sizeof sn, w);
    snprintf(fname, fcap, "machines_%.100s", sn);
    const char *st[BB_REPORT_MAXU], *labels[BB_REPORT_MAXU], *colours[BB_REPORT_MAXU];
    int nst = 0, n = 0;
    for (int s = 0; s < M->nst; s++)
        if (strcmp(M->st[s], "serial")) st[nst++] = M->st[s];
    bb_report_bar *bars = malloc((size_t)(nst * M->nm + 1) * sizeof *bars);
    if (!bars) return -1;
    for (int m = 0; m < M->nm; m++) labels[m] = M->m[m].label;
    for (int s = 0; s < nst; s++) {
        colours[s] = bb_plot_strategy_colour(st[s]);
        for (int m = 0; m < M->nm; m++) {
            const bb_bres *x = mach_best(&M->m[m], w, st[s]);
            if (x && isfinite(x->speedup)) bars[n++] = (bb_report_bar){s, m, m, x->speedup, x->sp_lo, x->sp_hi, colours[s]};
        }
    }
    snprintf(title, sizeof title, "%.100s: speedup over serial at 1 thread on the same machine, each strategy at the "
                                  "machine's largest thread count", w);
    bb_report_bars f = {fname, title, "speedup over serial at 1 thread (x)", st, nst, M->nm, labels, M->nm, NULL, NULL, 0};
    int rc = bb_report_figs_bars(&M->P, &f, bars, n, 1000, 600);
    free(bars);
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
        if (!strcmp(M->st[s], "serial")) continue; /* over itself it is 1 */
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
        fprintf(f, "\n## %s\n\nSpeedup over serial at 1 thread on the same machine, per strategy (rows) on each machine "
                   "(columns), at its largest thread count, with the bootstrap 95%% interval and the median time per render "
                   "(serial is left out: over itself it is 1):\n\n", M->wl[w]);
        mach_table(f, M, M->wl[w]);
        if (w < nfigs) bb_report_tables_fig(f, figs[w], "Speedups side by side.");
    }
    for (int m = 0; m < M->nm; m++) {
        fprintf(f, "\n## Environment: %s\n\n", M->m[m].label);
        bb_report_tables_context(f, M->m[m].r.context);
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
        if (M->nm >= BB_REPORT_MAXU) break;
        machine *m = &M->m[M->nm];
        m->label = json_string_value(json_object_get(e, "label"));
        m->source = json_string_value(json_object_get(e, "source"));
        if (!m->label || !m->source) {
            bb_error_set(&M->P.err, BB_ERR_FORMAT, M->P.src, 0, 0, "machine %zu has no label or source", i + 1);
            return -1;
        }
        if (bb_json_read_doc(json_object_get(e, "result"), m->label, &m->r, &M->P.err)) return -1;
        M->nm++;
        for (size_t k = 0; k < m->r.n; k++) bb_report_add_unique(M->wl, &M->nwl, m->r.v[k].workload);
        bb_report_add_strategies(&m->r, M->st, &M->nst);
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
    static char figs[BB_REPORT_MAXU][128];
    const char *keep = "results.json";
    int nf = 0, rc = mach_read(&M, doc);
    if (!rc) rc = bb_plot_stage(&M.P, "report.md", &in, &keep, 1) || bb_plot_open(&M.P) ||
                  bb_plot_keep_input(&M.P, "results.json") ? -1 : 0;
    for (int w = 0; !rc && w < M.nwl; w++, nf++) rc = mach_figure(&M, w, figs[nf], sizeof figs[nf]);
    if (!rc) rc = mach_markdown(&M, figs, nf);
    if (!rc) rc = bb_plot_publish(&M.P);
    else bb_plot_discard(&M.P);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (rc) fprintf(stderr, "busbench report: %s\n", bb_error_format(&M.P.err, msg, sizeof msg));
    else printf("busbench report: %d machines, %d figures (PNG and SVG) and %s/report.md\n", M.nm, nf, dir);
    for (int m = 0; m < M.nm; m++) bb_json_results_free(&M.m[m].r);
    return rc ? BB_EXIT_USAGE : BB_EXIT_OK;
}

/* ---- the command ---------------------------------------------------------------------------------- */

/* ---- the command ---------------------------------------------------------------------------------- */
typedef struct report_opts {
    const char *dir, *anchors;
    const char *caps[BB_CAPACITY_FILES_MAX];
    int ncap;
    bb_report_live_files live; /* --live FILE...: results of busbench live --sweep / --capacity */
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
    {"-o", BB_OPT_STR, offsetof(report_opts, dir), 0, 0, "DIR",
     "the report's folder (DIR/report.md, figures, data); an existing report\nthere is replaced whole", "an output folder",
     NULL},
    {"--out", BB_OPT_STR, offsetof(report_opts, dir), 0, 0, "DIR", "the same as -o", "an output path", NULL},
    {"--anchors", BB_OPT_STR, offsetof(report_opts, anchors), 0, 0, "HYPERFINE.json",
     "add the table of make bench-anchors (its hyperfine JSON, kept as DIR/anchors.json)", "a file", NULL},
    {"--capacity", BB_OPT_FN, 0, 0, 0, "CAP.json",
     "(repeatable) add a row per result of busbench capacity --out to the Capacity table", NULL, opt_capacity},
    {"--live", BB_OPT_FN, offsetof(report_opts, live), 0, 0, "LIVE.json", "(repeatable) DIR/live.md and its figures from "
     "busbench live --sweep/--capacity --json\n(RESULTS.json may then be left out)", NULL, bb_report_live_opt},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {
    "report", "RESULTS.json -o DIR [--anchors HYPERFINE.json] [--capacity CAP.json ...] [--live LIVE.json ...]",
    "Draw the bench result's figures with gnuplot (PNG and SVG) and write DIR/report.md:\n"
    "which phase helps (each strategy at 1 thread over serial at 1 thread) and what threads\n"
    "add (each strategy at n threads over itself at 1 thread), with 95% intervals, significance\n"
    "and the counters that explain them. DIR is written whole, then put in place: an older\n"
    "report there is replaced; a folder that is not a report is refused. --live adds\n"
    "DIR/live.md, written after the report is in place.\n"
    "On a document of several machines (busbench merge --machines): each machine's speedups side\n"
    "by side per workload, and a strategy x machine table.\n"
    "Needs gnuplot (gnuplot-nox); BB_GNUPLOT names another gnuplot program.",
    "0 written, 2 bad input or no gnuplot"};

/* The capacity files (read, and refused, before anything is drawn), the anchors, the staged output
 * folder with gnuplot found and the input kept in it. 0, or -1 with R->P.err set. */
static int report_inputs(bb_report *R, const char *const *caps_in, int ncap, const char *anchors, bb_anchors *A)
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
    /* the inputs that must not lie in the folder it replaces (but the copies it keeps) */
    const char *ins[2 + BB_CAPACITY_FILES_MAX] = {R->P.src, anchors}, *keep[2 + BB_CAPACITY_FILES_MAX] = {"results.json",
                                                                                                         "anchors.json"};
    for (int i = 0; i < ncap; i++) ins[2 + i] = caps_in[i], keep[2 + i] = NULL;
    if (bb_plot_stage(&R->P, "report.md", ins, keep, 2 + ncap)) return -1;
    return bb_plot_open(&R->P) || bb_plot_keep_input(&R->P, "results.json") ? -1 : 0;
}

/* The report of one result, read into R->r: inputs, figures, Markdown, then the folder in place. 0 or -1. */
static int report_one(bb_report *R, const report_opts *o, bb_anchors *A)
{
    int rc = report_inputs(R, o->caps, o->ncap, o->anchors, A);
    if (!rc) {
        bb_report_axes(R);
        rc = bb_report_figs_draw(R);
    }
    if (!rc && R->anchors && bb_anchors_commit(R->anchors, R->P.dir, &R->P.err)) rc = -1;
    if (!rc) rc = bb_report_tables_md(R);
    if (!rc) rc = bb_plot_publish(&R->P);
    else bb_plot_discard(&R->P);
    R->anchors = NULL;
    return rc;
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
    if ((!npos && !o.live.n) || !o.dir) {
        fprintf(stderr, "busbench report: expected RESULTS.json and -o DIR\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        return BB_EXIT_USAGE;
    }
    if (!npos) return bb_report_live_cmd(&o.live, o.dir); /* DIR/live.md alone */
    static bb_report R; /* large; one per process */
    memset(&R, 0, sizeof R);
    bb_plot_init(&R.P, o.dir, pos[0]);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    json_t *doc = bb_json_load(pos[0], &R.P.err);
    if (doc && bb_json_is_machines(doc)) {
        int mrc = report_machines(o.dir, pos[0], doc);
        json_decref(doc);
        return mrc;
    }
    if (!doc || bb_json_read_doc(doc, pos[0], &R.r, &R.P.err)) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&R.P.err, msg, sizeof msg));
        if (doc) json_decref(doc);
        return BB_EXIT_USAGE;
    }
    json_decref(doc);
    static bb_anchors A;
    int rc = report_one(&R, &o, &A);
    bb_anchors_free(&A);
    bb_json_results_free(&R.r);
    if (rc) {
        fprintf(stderr, "busbench report: %s\n", bb_error_format(&R.P.err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    printf("busbench report: %d figures (PNG and SVG) and %s/report.md\n", R.nfigs, o.dir);
    /* after the report is in place: its publication replaces DIR whole */
    return o.live.n ? bb_report_live_cmd(&o.live, o.dir) : BB_EXIT_OK;
}
