/* bb_ci.h - the CI gate's verdicts in the forms people and CI systems read:
 * the lines of the plain table, a Markdown summary (a pull-request comment, a
 * GitHub job summary) and JUnit XML (GitLab, Jenkins and most CI systems show
 * each test case).
 *
 * All are pure functions of a bb_gate_report and the two files it compared,
 * and all list the same checks with the same verdicts: one row of the report
 * (a configuration's counters, instructions or time) is one table row and one
 * JUnit test case; a configuration that could not be compared is one row and
 * one skipped case. The summary line counts those rows, so it agrees with the
 * table by construction. */
#ifndef BB_CI_H
#define BB_CI_H

#include "bb_gate.h"

#include <stdbool.h>
#include <stdio.h>

/* One row's numbers as text: old and new medians (ms or millions of
 * instructions), change in percent, its interval ("exact" for instructions
 * and counters), p-value; "-" where there is none. */
typedef struct bb_ci_cells {
    char old[32], cur[32], change[16], ci[40], p[16];
} bb_ci_cells;

void bb_ci_cells_of(const bb_gate_row *r, bb_ci_cells *c);
/* "counters", "instr" or "time". */
const char *bb_ci_metric_name(const bb_gate_row *r);
/* Did this row regress (slower, a counter up, counters that varied, a wrong render)? */
bool bb_ci_row_regressed(const bb_gate_row *r);
/* Does this row fail the gate (a regression, or counters that went down: re-make the baseline)? */
bool bb_ci_row_failed(const bb_gate_row *r);
/* The verdict as every output shows it: "REGRESSION (slower)", "REGRESSION (up)", "CHANGED (down)",
 * else the verdict's name ("same", "inconclusive", ...). A static string. */
const char *bb_ci_verdict(const bb_gate_row *r);

/* The gates applied, one line without a newline ("deterministic counters exact; instructions +-1%; ..."),
 * into buf. */
void bb_ci_gates(const bb_gate_file *base, const bb_gate_report *rep, char *buf, size_t cap);
/* The summary line, counted from the rows ("2 configurations compared: counters 2 same; time 1 slower,
 * 1 same -> REGRESSION"), into buf. */
void bb_ci_summary(const bb_gate_report *rep, char *buf, size_t cap);
/* The plain table's lines of one row, on f. */
void bb_ci_text_row(FILE *f, const bb_gate_row *r);

/* The Markdown summary of rep (base and cur as compared) on f. */
void bb_ci_markdown(FILE *f, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep);

/* rep as JUnit XML written atomically to path. BB_OK, or BB_ERR_IO / BB_ERR_NOMEM
 * with nothing left at path. */
bb_result bb_ci_junit(const char *path, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep,
                      bb_error *err);

#endif
