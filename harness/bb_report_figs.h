/* bb_report_figs.h - the figures of `busbench report` (bb_report_figs.c says what each shows):
 * phases (a phase's own effect), counters, and per workload scaling_W (threading's effect with its
 * bounds) and cdf_W (the block-time tail). Each is drawn by bb_plot as PNG and SVG with its data and
 * script, and recorded in R->figs (or R->skipped, with why). */
#ifndef BB_REPORT_FIGS_H
#define BB_REPORT_FIGS_H

#include "bb_report.h"

/* A figure of clustered bars that start at 1x (up: faster, down: slower), whiskers the 95% interval,
 * the y axis logarithmic when the ratios span a factor of 10: clusters along x (their names the
 * tics), nslots bars a cluster; a bar has its own colour (its strategy's), drawn lighter for each
 * later series (several machines: the first in full colour); the keys name the series (in greys of
 * the same lightness) and the colours. */
typedef struct bb_report_bars {
    const char *name;                    /* NAME.png, NAME.svg, data/NAME.* */
    const char *title, *ylabel;          /* the title says what the ratio is over */
    const char *const *clusters;
    int nclusters, nslots;
    const char *const *series;           /* nseries > 1: a key per series (its lightness) */
    int nseries;
    const char *const *keys, *const *key_colours; /* a key per colour */
    int nkeys;
} bb_report_bars;

typedef struct bb_report_bar {
    int cluster, slot, series;
    double v, lo, hi;                    /* the ratio and its interval (NaN: none) */
    const char *colour;                  /* "#rrggbb" */
} bb_report_bar;

/* Draw f's bars b[0..n) as PNG and SVG in P's folder, w x h pixels: 0, 1 when there is no bar (nothing
 * drawn), or -1 with P->err. */
int bb_report_figs_bars(bb_plot *P, const bb_report_bars *f, const bb_report_bar *b, int n, int w, int h);

/* Draw every figure of R (axes set: bb_report_axes) into R->P's folder. 0, or -1 with R->P.err. */
int bb_report_figs_draw(bb_report *R);

#endif
