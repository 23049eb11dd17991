/* bb_anchors.h - the anchors table of `busbench report --anchors FILE`: the
 * hyperfine JSON of `make bench-anchors`, read, checked and written as Markdown. */
#ifndef BB_ANCHORS_H
#define BB_ANCHORS_H

#include "bb_result.h"

#include <stddef.h>
#include <stdio.h>

typedef struct bb_anchor_row {
    char name[64];                 /* hyperfine's "command": the -n name */
    double median_s, min_s, max_s; /* wall time, seconds */
    double user_s, system_s;       /* mean CPU time, seconds (NaN when absent) */
    int runs;                      /* timed runs (length of "times"; 0 when absent) */
} bb_anchor_row;

typedef struct bb_anchors {
    const char *path;  /* as given */
    char *text;        /* the file's bytes (copied beside the report) */
    size_t len;
    bb_anchor_row *v;
    size_t n;
} bb_anchors;

/* Read and check a hyperfine JSON export: an object with a non-empty "results" array,
 * each result a "command" string and a positive "median". BB_ERR_IO / BB_ERR_FORMAT
 * (naming the file and the result) or BB_ERR_NOMEM, with err set. */
bb_result bb_anchors_read(const char *path, bb_anchors *a, bb_error *err);
void bb_anchors_free(bb_anchors *a);

/* The Markdown section: one row per command, median, ratios to "csound" and to
 * "busbench-serial" (n/a when absent), min-max, CPU, runs, and the caveats. */
void bb_anchors_md(FILE *f, const bb_anchors *a);

/* Keep the data beside the report: DIR/anchors.json (atomic, as the report's files). */
bb_result bb_anchors_commit(const bb_anchors *a, const char *dir, bb_error *err);

#endif
