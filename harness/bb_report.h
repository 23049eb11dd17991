/* bb_report.h - the model of `busbench report` (bb_report.c says how it reads a result): the
 * result read back, its axes (workloads, strategies, thread counts, pinnings), the two effects a
 * report separates (a phase's own, at 1 thread over serial; threading's, a strategy at n threads
 * over itself at 1 thread) with their intervals, the scaling bounds, and the list of figures drawn.
 * The Markdown is bb_report_tables.c's, the figures bb_report_figs.c's, the command
 * bb_cmd_report.c's. */
#ifndef BB_REPORT_H
#define BB_REPORT_H

#include "bb_anchors.h"
#include "bb_capacity.h"
#include "bb_json.h"
#include "bb_plot.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    BB_REPORT_MAXU = 128,                      /* workloads, strategies, thread counts, pinnings: each at most */
    BB_REPORT_FIGS_MAX = 4 * BB_REPORT_MAXU + 8 /* figures in one report */
};

/* One figure of the report: its file name (NAME.png, NAME.svg, data/NAME.*), its caption, and
 * where report.md shows it (owner: a workload's index, -1 the summary). */
typedef struct bb_report_fig {
    char name[128];
    char caption[512];
    int owner;
} bb_report_fig;

typedef struct bb_report {
    bb_plot P;                                 /* the folder, gnuplot, the last error */
    bb_results r;                              /* the result read */
    const char *wl[BB_REPORT_MAXU], *st[BB_REPORT_MAXU], *pin[BB_REPORT_MAXU];
    int nwl, nst, npin;
    int th[BB_REPORT_MAXU], nth;               /* thread counts, ascending */
    int pus;                                   /* the PUs the bench could use (context), 0 when unknown */
    const bb_anchors *anchors;                 /* --anchors FILE: the table of make bench-anchors, or NULL */
    const char *capacity[BB_CAPACITY_FILES_MAX]; /* --capacity FILE...: results of busbench capacity */
    int ncapacity;
    bb_report_fig figs[BB_REPORT_FIGS_MAX];    /* drawn, in report.md's order */
    int nfigs;
    char skipped[BB_REPORT_FIGS_MAX][256];     /* figures not drawn, and why */
    int nskipped;
} bb_report;

/* A ratio of medians with its interval: x = median(base) / median(other) over the rounds valid in
 * both (pairs: the same round), lo and hi the paired percentile bootstrap 95% interval (NaN when
 * the result has no per-round times), sig +1 when the interval lies above 1 (faster), -1 below
 * (slower), 0 when it holds 1 or is unknown. */
typedef struct bb_report_ratio {
    double x, lo, hi;
    int pairs, sig;
} bb_report_ratio;

/* The axes of R->r: workloads and pinnings as they come, strategies in the phases' order (serial,
 * parallel, cycle, static, pool, batch, lanes, all, then the others), thread counts ascending; and
 * R->pus from the context (pus_allowed, else num_cpus). */
void bb_report_axes(bb_report *R);
/* The strategies of r in the phases' order first, then the others as they come, appended to st. */
void bb_report_add_strategies(const bb_results *r, const char **st, int *nst);
/* s's index in v[0..*n), appended when absent; -1 when v is full. */
int bb_report_add_unique(const char **v, int *n, const char *s);

/* The configuration (w, s, threads t, pinning p), or NULL. */
const bb_bres *bb_report_find(const bb_report *R, const char *w, const char *s, int t, const char *p);
/* (w, s, p) at the largest thread count it was measured at; with within_pus, the largest not above
 * R->pus (when known and there is one). NULL when none. */
const bb_bres *bb_report_at_max(const bb_report *R, const char *w, const char *s, const char *p, bool within_pus);
/* Are t threads more than the PUs the bench could use? (false when unknown) */
bool bb_report_oversubscribed(const bb_report *R, int t);

/* The phase's own effect of (w, s, p): s at 1 thread over serial at 1 thread, the bench's speedup and
 * interval (the same paired ratio). false when either is missing or has no valid round. */
bool bb_report_phase(const bb_report *R, const char *w, const char *s, const char *p, bb_report_ratio *out);
/* Threading's effect: (w, s, p) at t threads over itself at 1 thread, from the per-round times
 * (2000 paired resamples seeded by the two names; the ratio of the medians alone when the file has
 * no per-round times). false when either is missing or has no valid round. */
bool bb_report_threading(const bb_report *R, const char *w, const char *s, int t, const char *p, bb_report_ratio *out);

/* The 1-thread configuration of (w, s, p) whose sequential and parallel parts are known: the base
 * of its scaling bounds, or NULL. */
const bb_bres *bb_report_bound_base(const bb_report *R, const char *w, const char *s, const char *p);
/* Does (w, s, p) have a bound to draw: a base and a configuration at more than 1 thread? */
bool bb_report_has_bound(const bb_report *R, const char *w, const char *s, const char *p);

/* Record figure `name` drawn (rc 0: caption from fmt), not drawn (rc 1: named in the skipped list
 * with why), or failed (rc < 0: returns -1). Returns 0 otherwise. */
int bb_report_fig_done(bb_report *R, int rc, const char *name, int owner, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
