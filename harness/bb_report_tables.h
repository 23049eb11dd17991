/* bb_report_tables.h - the Markdown of `busbench report` (bb_report_tables.c says what it holds):
 * report.md with the two tables that say which phase helps (its own effect, then threading's), the
 * tables per workload, the bounds in numbers and words, and the environment. */
#ifndef BB_REPORT_TABLES_H
#define BB_REPORT_TABLES_H

#include "bb_report.h"

#include <jansson.h>
#include <stdio.h>

/* Write R->P's folder's report.md from R (axes set, figures drawn: R->figs). 0, or -1 with R->P.err. */
int bb_report_tables_md(bb_report *R);

/* The environment table of a result's context (the keys that say where and how it was measured). */
void bb_report_tables_context(FILE *f, const json_t *ctx);

/* A figure in the Markdown: its caption, the PNG, links to the SVG, data and script. */
void bb_report_tables_fig(FILE *f, const char *name, const char *caption);

#endif
