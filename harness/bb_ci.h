/* bb_ci.h - the CI gate's verdicts in the forms CI systems display: a
 * Markdown summary (a pull-request comment, a GitHub job summary) and JUnit
 * XML (GitLab, Jenkins and most CI systems show each test case).
 *
 * Both are pure functions of a bb_gate_report and the two files it compared;
 * a configuration is one test case, failed when any of its rows regressed
 * (bb_ci_row_regressed), skipped when it could not be compared. */
#ifndef BB_CI_H
#define BB_CI_H

#include "bb_gate.h"

#include <stdbool.h>
#include <stdio.h>

/* One row's numbers as text: old and new medians (ms or millions of
 * instructions), change in percent, its interval ("exact" for instructions),
 * p-value; "-" where there is none. */
typedef struct bb_ci_cells {
    char old[32], cur[32], change[16], ci[40], p[16];
} bb_ci_cells;

void bb_ci_cells_of(const bb_gate_row *r, bb_ci_cells *c);
/* "time" or "instr". */
const char *bb_ci_metric_name(const bb_gate_row *r);
/* Did this row regress (slower, a counter up, unstable counters, a wrong render)? */
bool bb_ci_row_regressed(const bb_gate_row *r);

/* The Markdown summary of rep (base and cur as compared) on f. */
void bb_ci_markdown(FILE *f, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep);

/* rep as JUnit XML written atomically to path. BB_OK, or BB_ERR_IO / BB_ERR_NOMEM
 * with nothing left at path. */
bb_result bb_ci_junit(const char *path, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep,
                      bb_error *err);

#endif
