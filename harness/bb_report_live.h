/* bb_report_live.h - the live part of `busbench report --live FILE.json`: the
 * results of `busbench live --sweep --json` (runs over periods) and `busbench
 * live --capacity --json` (runs over stacked copies k) drawn with gnuplot and
 * said in words, in DIR/live.md: which phases are safe live, and at what
 * latency. */
#ifndef BB_REPORT_LIVE_H
#define BB_REPORT_LIVE_H

#include "bb_result.h"

#include <stdio.h>

enum {
    BB_REPORT_LIVE_FILES_MAX = 16,  /* --live files of one report */
    BB_REPORT_LIVE_RUNS_MAX = 4096  /* runs in all of them */
};

/* The --live files of a command line, in order. */
typedef struct bb_report_live_files {
    const char *path[BB_REPORT_LIVE_FILES_MAX];
    int n;
} bb_report_live_files;

/* The option handler of `--live FILE.json` (BB_OPT_FN; base is a bb_report_live_files):
 * appends the path. BB_OK, or BB_ERR_LIMIT beyond BB_REPORT_LIVE_FILES_MAX files. */
bb_result bb_report_live_opt(void *base, const char *value, bb_error *err);

/* Read every file (each the JSON of `busbench live --sweep` or `--capacity`),
 * then, in the folder dir: a figure per mode swept (live_period_ahead,
 * live_period_callback: glitches and callback p99.9 against the period) and
 * one of the capacity runs (live_stack: against k), PNG and SVG with their
 * data and scripts under dir/data, a copy of each input (live_N.json) and
 * dir/live.md: the words (per strategy, the smallest glitch-free period in
 * each mode and its latency), the tables, the figures. BB_OK, or the error:
 * BB_ERR_IO / BB_ERR_FORMAT naming the file and what was expected (nothing is
 * drawn then), gnuplot's absence or failure (bb_plot.h). Every file is
 * written atomically. */
bb_result bb_report_live(const bb_report_live_files *files, const char *dir, bb_error *err);

/* bb_report_live for the report command: its error on stderr, or a line saying what was
 * written on stdout. Returns the exit status: 0 written, 2 bad input or no gnuplot. */
int bb_report_live_cmd(const bb_report_live_files *files, const char *dir);

#endif
