/* bb_report_figs.h - the figures of `busbench report` (bb_report_figs.c says what each shows):
 * phases (a phase's own effect), counters, and per workload scaling_W (threading's effect with its
 * bounds) and cdf_W (the block-time tail). Each is drawn by bb_plot as PNG and SVG with its data and
 * script, and recorded in R->figs (or R->skipped, with why). */
#ifndef BB_REPORT_FIGS_H
#define BB_REPORT_FIGS_H

#include "bb_report.h"

/* Draw every figure of R (axes set: bb_report_axes) into R->P's folder. 0, or -1 with R->P.err. */
int bb_report_figs_draw(bb_report *R);

#endif
