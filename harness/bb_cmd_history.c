/* bb_cmd_history.c - `busbench history RESULTS... -o DIR`: results of
 * successive commits as trends, with their exact change points.
 *
 * What it is: every input is one bench result (bb_gate_file_load: empty,
 * truncated or foreign files are bad input, exit 2); its context names the
 * commit (git_commit) and when it was made (git_commit_date when the build
 * recorded it, else the bench's date). The results are put in that order
 * (ties keep the command line's order). Then, per configuration (matched by
 * name), a trend figure of the median time with its bootstrap 95% interval
 * (results with speed timings only) and of the instruction count (results
 * that carry it), each PNG and SVG with the data and gnuplot script beside it
 * (bb_plot); and between each result and the one before it, the change
 * points: the deterministic counters that moved (bb_gate_counters, either way:
 * the gate's counters, heap allocations at 1 thread only), and instruction
 * counts that moved by more than --instr-tolerance (default 1%, the gate's
 * threshold). DIR/history.md has the table of commits, the table of change
 * points and the figures; DIR/changes.tsv the change points, one a line.
 *
 * Why exact: instruction counts and the deterministic counters are a
 * function of the code (given the compiler, flags, libc and valgrind), so a
 * step in them names the commit that made it; times are shown, never used to
 * find change points (their noise would name commits that changed nothing).
 * When the environment of the instruction counts changed between two results
 * (bb_env_fingerprint), the table says so on that commit's row.
 *
 * Invariants: every file is written atomically; nothing is written when an
 * input is bad. Units: ms for times, millions for instructions, percent for
 * changes. */
#include "bb_cmds.h"
#include "bb_opt.h"
#include "bb_run.h"
#include "bb_env.h"
#include "bb_gate.h"
#include "bb_json.h"
#include "bb_plot.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { HIST_MAX = 4096 };

typedef struct point {
    const char *path;
    int arg;                  /* position on the command line */
    double when;              /* seconds since the epoch (NaN: unknown) */
    bb_gate_file f;
} point;

typedef struct history {
    bb_plot P;
    point *p;
    int n;
    const char **names;       /* every configuration, in order of first appearance */
    int nnames;
    double tol;               /* instruction tolerance, fraction */
    FILE *md, *tsv;           /* the change points, as they are found */
    int changes;
} history;

typedef struct history_opts {
    const char *dir;
    double tol;
} history_opts;

/* tolerance = per cent, 0 <= PCT < 1000 (stored as a fraction) */
static bb_result opt_tolerance(void *base, const char *v, bb_error *err)
{
    double pct;
    if (bb_run_parse_double(v, 0, 999.999999, &pct))
        return bb_error_set(err, BB_ERR_ARG, "--instr-tolerance", 0, 0, "bad value '%s': expected per cent, 0 to under 1000", v);
    ((history_opts *)base)->tol = pct / 100;
    return BB_OK;
}

static const bb_opt opts[] = {
    {"-o", BB_OPT_STR, offsetof(history_opts, dir), 0, 0, "DIR", "the folder of the figures and tables", "an output folder", NULL},
    {"--out", BB_OPT_STR, offsetof(history_opts, dir), 0, 0, "DIR", "the same as -o", "an output path", NULL},
    {"--instr-tolerance", BB_OPT_FN, 0, 0, 0, "PCT", "an instruction count moved by more than PCT% is a change point (default 1)", NULL,
     opt_tolerance},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {
    "history", "RESULTS.json... -o DIR [--instr-tolerance PCT]",
    "Results of successive commits (ordered by the commit date their context records, else the\n"
    "bench date): per configuration a trend figure of the median time (95% CI) and the\n"
    "instruction count (PNG and SVG), and a table of the exact change points, the commits where\n"
    "a deterministic counter moved or the instruction count moved beyond the tolerance\n"
    "(default 1%): DIR/history.md, DIR/changes.tsv. Needs gnuplot.",
    "0 written, 2 bad input or no gnuplot"};

/* "2026-01-02T03:04:05+01:00" (or Z, or no zone: UTC) as seconds since the epoch; NaN when not a date. */
static double iso_seconds(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                     &tm.tm_sec, &used) != 6)
        return (double)NAN;
    const char *end = s + used;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    double t = (double)timegm(&tm);
    int hh, mm;
    if ((end[0] == '+' || end[0] == '-') && sscanf(end + 1, "%2d:%2d", &hh, &mm) == 2)
        t -= (end[0] == '+' ? 1 : -1) * (hh * 3600.0 + mm * 60.0);
    return t;
}

static int by_time(const void *a, const void *b)
{
    const point *x = a, *y = b;
    if (isfinite(x->when) && isfinite(y->when) && x->when != y->when) return x->when < y->when ? -1 : 1;
    return (x->arg > y->arg) - (x->arg < y->arg);
}

/* Read the inputs and order them. 0, or -1 after one line on stderr. */
static int load(history *H)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    for (int i = 0; i < H->n; i++) {
        bb_error_clear(&err);
        if (bb_gate_file_load(H->p[i].path, &H->p[i].f, &err)) {
            fprintf(stderr, "busbench history: %s\n", bb_error_format(&err, msg, sizeof msg));
            return -1;
        }
        const json_t *c = H->p[i].f.r.context;
        const char *d = json_string_value(json_object_get(c, "git_commit_date"));
        H->p[i].when = iso_seconds(d ? d : bb_json_ctx_str(c, "date"));
    }
    qsort(H->p, (size_t)H->n, sizeof *H->p, by_time);
    H->names = calloc((size_t)H->n * 64 + 1, sizeof *H->names);
    for (int i = 0; H->names && i < H->n; i++)
        for (size_t k = 0; k < H->p[i].f.r.n; k++) {
            const char *nm = H->p[i].f.r.v[k].name;
            int j = 0;
            while (j < H->nnames && strcmp(H->names[j], nm)) j++;
            if (j == H->nnames && H->nnames < H->n * 64) H->names[H->nnames++] = nm;
        }
    if (!H->names) fprintf(stderr, "busbench history: no memory\n");
    return H->names ? 0 : -1;
}

/* The configuration named nm in point i (its index in the model), or -1. */
static int find(const point *p, const char *nm)
{
    const bb_bres *b = bb_json_results_find(&p->f.r, nm);
    return b ? (int)(b - p->f.r.v) : -1;
}

static void change(history *H, const point *a, const point *b, const char *cfg, const char *what, double x, double y)
{
    double pct = x != 0 ? (y / x - 1) * 100 : (double)NAN;
    fprintf(H->md, "| `%s` | `%s` | `%s` | %s | %.0f | %.0f | %+.3f%% |\n", bb_json_ctx_str(b->f.r.context, "git_commit"),
            bb_json_ctx_str(a->f.r.context, "git_commit"), cfg, what, x, y, pct);
    fprintf(H->tsv, "%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.6f\n", bb_json_ctx_str(b->f.r.context, "git_commit"),
            bb_json_ctx_str(a->f.r.context, "git_commit"), cfg, what, x, y, pct);
    H->changes++;
}

/* The change points between consecutive results a and b for configuration nm. */
static void changes_of(history *H, const point *a, const point *b, const char *nm)
{
    int i = find(a, nm), j = find(b, nm);
    if (i < 0 || j < 0) return;
    const bb_bres *x = &a->f.r.v[i], *y = &b->f.r.v[j];
    bb_gate_counter_up up[BB_GATE_COUNTERS_MAX];
    if (x->valid && y->valid) {
        const int n = bb_gate_counters(x, y, up, BB_GATE_COUNTERS_MAX); /* either way */
        for (int k = 0; k < n; k++) change(H, a, b, nm, up[k].name, (double)up[k].base, (double)up[k].cur);
    }
    double ia = a->f.instr[i], ib = b->f.instr[j];
    if (isfinite(ia) && isfinite(ib) && ia > 0 && fabs(ib / ia - 1) > H->tol) change(H, a, b, nm, "instructions", ia, ib);
}

/* Every change point, and the environment changes that may explain some. */
static void find_changes(history *H)
{
    fprintf(H->md, "| commit | after | configuration | what moved | before | after | change |\n|---|---|---|---|---:|---:|---:|\n");
    fprintf(H->tsv, "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n");
    for (int i = 1; i < H->n; i++) {
        const point *a = &H->p[i - 1], *b = &H->p[i];
        char refuse[1024] = "", warn[1024] = "";
        if (a->f.has_instr && b->f.has_instr &&
            bb_env_fingerprint(a->f.r.context, b->f.r.context, false, refuse, sizeof refuse, warn, sizeof warn)) {
            for (char *c = refuse; *c; c++)
                if (*c == '\n' || *c == '|') *c = ' ';
            fprintf(H->md, "| `%s` | `%s` | (environment) | %s | | | |\n", bb_json_ctx_str(b->f.r.context, "git_commit"),
                    bb_json_ctx_str(a->f.r.context, "git_commit"), refuse);
        }
        for (int k = 0; k < H->nnames; k++) changes_of(H, a, b, H->names[k]);
    }
}

/* The trend figure of configuration k: median time with its interval (left axis), instructions (right). */
static int trend(history *H, int k, char *fname, size_t cap)
{
    char sn[300];
    bb_plot_safe_name(sn, sizeof sn, H->names[k]);
    snprintf(fname, cap, "trend_%.200s", sn);
    char *dat = NULL, *body = NULL;
    size_t dn = 0, bn = 0;
    FILE *d = open_memstream(&dat, &dn), *b = open_memstream(&body, &bn);
    if (!d || !b) return -1;
    fprintf(d, "# %s: index commit median_ms ci95_lo_ms ci95_hi_ms instructions_M (NaN: not measured)\n", H->names[k]);
    bool any_t = false, any_i = false;
    for (int i = 0; i < H->n; i++) {
        const point *p = &H->p[i];
        int j = find(p, H->names[k]);
        const bb_bres *x = j >= 0 ? &p->f.r.v[j] : NULL;
        bool t = x && p->f.has_time && isfinite(x->t.median);
        double ir = j >= 0 ? p->f.instr[j] : (double)NAN;
        any_t |= t, any_i |= isfinite(ir);
        fprintf(d, "%d \"%.12s\" %.6g %.6g %.6g %.9g\n", i, bb_json_ctx_str(p->f.r.context, "git_commit"), t ? x->t.median / 1e6 : (double)NAN,
                t ? x->ci_lo / 1e6 : (double)NAN, t ? x->ci_hi / 1e6 : (double)NAN, ir / 1e6);
    }
    fprintf(b, "set title \"%s\"\nset grid\nset key outside below\nset xtics rotate by -45\nset xlabel \"commit\"\n", H->names[k]);
    fprintf(b, "set ylabel \"median time (ms), 95%% CI\"\nset y2label \"instructions (millions)\"\nset y2tics\nset ytics nomirror\n");
    fprintf(b, "plot ");
    if (any_t) fprintf(b, "\"data/%s.dat\" using 1:3:4:5:xtic(2) with yerrorlines lw 2 pt 7 lc rgb \"%s\" title \"median time\"%s",
                       fname, bb_plot_palette[1], any_i ? ", \\\n  " : "");
    if (any_i) fprintf(b, "\"data/%s.dat\" using 1:6%s axes x1y2 with linespoints lw 2 pt 5 lc rgb \"%s\" title \"instructions\"",
                       fname, any_t ? "" : ":xtic(2)", bb_plot_palette[2]);
    fprintf(b, "\n");
    fclose(d);
    fclose(b);
    int rc = any_t || any_i ? bb_plot_draw(&H->P, fname, dat, dn, body, 900, 520) : 1;
    free(dat);
    free(body);
    return rc;
}

/* history.md and changes.tsv. 0 or -1. */
static int write_outputs(history *H)
{
    char *md = NULL, *ch = NULL, *tsv = NULL;
    size_t mn = 0, cn = 0, tn = 0;
    FILE *f = open_memstream(&md, &mn);
    H->md = open_memstream(&ch, &cn);
    H->tsv = open_memstream(&tsv, &tn);
    if (!f || !H->md || !H->tsv) return -1;
    find_changes(H);
    fclose(H->md);
    fclose(H->tsv);
    fprintf(f, "# busbench history\n\n%d results, %d configurations, ordered by commit date (else bench date).\n\n"
               "| # | commit | date | from | configurations | metrics |\n|---:|---|---|---|---:|---|\n", H->n, H->nnames);
    for (int i = 0; i < H->n; i++) {
        const json_t *c = H->p[i].f.r.context;
        const char *d = json_string_value(json_object_get(c, "git_commit_date"));
        fprintf(f, "| %d | `%s` | %s | `%s` | %zu | %s%s%s |\n", i, bb_json_ctx_str(c, "git_commit"), d ? d : bb_json_ctx_str(c, "date"),
                H->p[i].path, H->p[i].f.r.n, H->p[i].f.has_time ? "time" : "", H->p[i].f.has_time && H->p[i].f.has_instr ? ", " : "",
                H->p[i].f.has_instr ? "instructions" : "");
    }
    fprintf(f, "\n## Change points\n\nBetween each result and the one before it: deterministic counters that moved (exact), "
               "instruction counts that moved by more than %g%%. %d found%s\n\n%s\n## Trends\n\n",
            H->tol * 100, H->changes, H->changes ? ":" : ".", H->changes ? ch : "");
    int rc = 0;
    for (int k = 0; k < H->nnames && !rc; k++) {
        char fname[256];
        int r = trend(H, k, fname, sizeof fname);
        if (r < 0) rc = -1;
        else if (r == 0) fprintf(f, "![%s](%s.png)\n\n([SVG](%s.svg), data `data/%s.dat`)\n\n", H->names[k], fname, fname, fname);
    }
    fclose(f);
    if (!rc && (bb_plot_commit(&H->P, "changes.tsv", tsv, tn) || bb_plot_commit(&H->P, "history.md", md, mn))) rc = -1;
    free(md);
    free(ch);
    free(tsv);
    return rc;
}

/* The command line. -1 to go on, else an exit code. */
static int parse(int argc, char **argv, history *H, const char **dir)
{
    history_opts ho = {NULL, H->tol};
    const bb_opt_group groups[] = {{NULL, opts, &ho}};
    const char **pos = calloc((size_t)argc, sizeof *pos);
    int n = 0;
    int rc = pos ? bb_opt_parse(&spec, groups, 1, argc, argv, pos, HIST_MAX, &n) : BB_EXIT_USAGE;
    for (int i = 0; rc == BB_OPT_GO_ON && i < n; i++) {
        H->p[i].path = pos[i];
        H->p[i].arg = i;
    }
    free(pos);
    if (rc != BB_OPT_GO_ON) return rc;
    H->n = n;
    H->tol = ho.tol;
    *dir = ho.dir;
    if (!*dir || H->n < 2) {
        fprintf(stderr, "busbench history: expected at least two result files and -o DIR\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        return BB_EXIT_USAGE;
    }
    return -1;
}

int bb_cmd_history(int argc, char **argv)
{
    history H;
    memset(&H, 0, sizeof H);
    H.tol = 0.01;
    H.p = calloc((size_t)argc + 1, sizeof *H.p);
    const char *dir = NULL;
    int rc = H.p ? parse(argc, argv, &H, &dir) : BB_EXIT_USAGE;
    if (rc < 0) {
        bb_plot_init(&H.P, dir, H.p[0].path);
        char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        rc = BB_EXIT_OK;
        if (load(&H)) rc = BB_EXIT_USAGE;
        else if (bb_plot_open(&H.P) || write_outputs(&H)) {
            fprintf(stderr, "busbench history: %s\n", bb_error_format(&H.P.err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
        } else {
            printf("busbench history: %d results, %d configurations, %d change point%s: %s/history.md\n", H.n, H.nnames,
                   H.changes, H.changes == 1 ? "" : "s", dir);
        }
    }
    for (int i = 0; H.p && i < H.n; i++) bb_gate_file_free(&H.p[i].f);
    free(H.names);
    free(H.p);
    return rc;
}
