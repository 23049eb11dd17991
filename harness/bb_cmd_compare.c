/* bb_cmd_compare.c - `busbench compare BASE.json NEW.json`: the CI gate.
 *
 * What it is: the command around bb_gate_compare. It reads two bench results,
 * compares every configuration they share (matched by name) on the metrics
 * both carry (or those asked for with --metric), prints one line per check
 * (a configuration's counters, its instructions at 1 thread, its time: old
 * and new medians, the change with its 95% interval, the U test's p-value,
 * the verdict), under it what moved, and a summary counted from those lines;
 * then exits 0 (nothing regressed), 1 (something did: a slower
 * configuration, a counter that went up or down, counters that varied, a
 * wrong render in NEW), 2 (unusable input: unreadable files, no
 * configuration in common, a timing threshold below the noise floor recorded
 * in BASE, a metric NEW lacks) or 3 (BASE cannot be compared with NEW: made
 * with another ISA, compiler or flags, CPU for times, valgrind or libc for
 * instructions, or without the metric compared, as times taken under
 * valgrind; stderr says how to re-make it here; --force compares across
 * environments anyway).
 * Without a noise floor recorded in BASE, a timing difference is
 * "inconclusive" (exit 0 unless counters or instructions regress): the floor
 * is what says how far two processes of one binary drift apart on this
 * machine. With one, each configuration is judged against its own floor.
 *
 * CI-native output (bb_ci.h): --markdown prints a Markdown summary instead
 * of the table; --junit FILE writes JUnit XML (each check a test case, a
 * regression a failure), atomically, only when the files could be compared.
 *
 * Invariants: the command reads, never writes (but --junit's file); its verdicts are a pure
 * function of the files and options (the bootstrap is seeded); environment
 * differences it was told to accept (--force) are printed, never hidden.
 *
 * Units: the table gives times in ms, instructions in millions, changes in
 * percent of the old median; options take percent (--threshold 5 is 5%). */
#include "bb_cmds.h"
#include "bb_ci.h"
#include "bb_file.h"
#include "bb_gate.h"
#include "bb_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cmp_opts {
    const char *paths[2];
    int np;
    bb_gate_opts gate;
    bool quiet, markdown;
    const char *junit;
} cmp_opts;

/* seed = a whole number from 0 to 9e15 */
static bb_result opt_seed(void *base, const char *v, bb_error *err)
{
    double s;
    if (bb_run_parse_double(v, 0, 9e15, &s) || s != floor(s))
        return bb_error_set(err, BB_ERR_ARG, "--seed", 0, 0, "bad value '%s': expected a whole number from 0 to 9e15", v);
    ((cmp_opts *)base)->gate.seed = (uint64_t)s;
    return BB_OK;
}

/* metric = "auto" | "time" | "instructions" */
static bb_result opt_metric(void *base, const char *v, bb_error *err)
{
    bb_gate_opts *g = &((cmp_opts *)base)->gate;
    if (!strcmp(v, "auto")) g->metrics = 0;
    else if (!strcmp(v, "time")) g->metrics = BB_GATE_METRIC_TIME;
    else if (!strcmp(v, "instructions")) g->metrics = BB_GATE_METRIC_INSTR;
    else return bb_error_set(err, BB_ERR_ARG, "--metric", 0, 0, "bad value '%s': expected auto, time or instructions", v);
    return BB_OK;
}

#define CO(m) offsetof(cmp_opts, m)
static const bb_opt opts[] = {
    {"--metric", BB_OPT_FN, 0, 0, 0, "M", "auto (default: every metric both files have), time, instructions", NULL, opt_metric},
    {"--threshold", BB_OPT_REAL, CO(gate.threshold_pct), 0, 999, "PCT", "timing effect threshold (default: the larger of 5 and the\nconfiguration's noise floor in BASE)",
     NULL, NULL},
    {"--instr-threshold", BB_OPT_REAL, CO(gate.instr_threshold_pct), 0, 999, "PCT", "instruction threshold (default 1)", NULL, NULL},
    {"--alpha", BB_OPT_REAL, CO(gate.alpha), 1e-12, 0.999999, "A", "significance of the U test (default 0.05)", NULL, NULL},
    {"--force", BB_OPT_FLAG, CO(gate.force), 0, 0, NULL, "compare across environments that differ (CPU, compiler, flags, ...)", NULL, NULL},
    {"--seed", BB_OPT_FN, 0, 0, 0, "N", "seed of the bootstrap intervals (default 1)", NULL, opt_seed},
    {"--quiet", BB_OPT_FLAG, CO(quiet), 0, 0, NULL, "print only regressions, warnings and the summary", NULL, NULL},
    {"--markdown", BB_OPT_FLAG, CO(markdown), 0, 0, NULL,
     "print a Markdown summary instead of the table (a pull-request comment,\na GitHub job summary)", NULL, NULL},
    {"--junit", BB_OPT_STR, CO(junit), 0, 0, "FILE",
     "also write JUnit XML: each check a test case, a regression a failure\n(written atomically)", "an output path", NULL},
    BB_OPT_END,
};
#undef CO

static const bb_opt_cmd spec = {
    "compare", "BASE.json NEW.json [options]",
    "Compare two bench results configuration by configuration. Deterministic counters\n"
    "(preprocessing and synthesis calls, samples synthesised, cache misses, bus buffers from\n"
    "the heap, and heap allocations at 1 thread) are gated exactly: any increase is a\n"
    "regression. Instruction counts (bench --metric instructions|both) are gated by a relative\n"
    "threshold. Times are gated by a Mann-Whitney U test and an effect threshold that may not\n"
    "be smaller than the configuration's noise floor recorded in BASE (busbench calibrate\n"
    "--record); without a recorded floor a timing difference is inconclusive, never a regression.",
    "0 nothing regressed, 1 something did (or counters went down: re-make\n"
    "the baseline), 2 unusable input, 3 BASE cannot be compared with NEW: made with another ISA,\n"
    "compiler or flags (for times: CPU; for instructions: valgrind, libc) or without the metric\n"
    "compared (times taken under valgrind); stderr says how to re-make it here"};

/* The command line into o: -1 to go on, else the exit code. */
static int parse(int argc, char **argv, cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    bb_gate_opts_default(&o->gate);
    const bb_opt_group groups[] = {{NULL, opts, o}};
    int rc = bb_opt_parse(&spec, groups, 1, argc, argv, o->paths, 2, &o->np);
    if (rc != BB_OPT_GO_ON) return rc;
    if (o->np != 2) {
        fprintf(stderr, "busbench compare: expected two files, BASE.json and NEW.json\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        return BB_EXIT_USAGE;
    }
    return -1;
}

/* The plain table on stdout. */
static void print_table(const cmp_opts *o, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep)
{
    char line[1024];
    printf("BASE %s (commit %s, %s)\nNEW  %s (commit %s, %s)\n", base->path, bb_json_ctx_str(base->r.context, "git_commit"),
           bb_json_ctx_str(base->r.context, "date"), cur->path, bb_json_ctx_str(cur->r.context, "git_commit"),
           bb_json_ctx_str(cur->r.context, "date"));
    bb_ci_gates(base, rep, line, sizeof line);
    printf("gates: %s\n", line);
    printf("\n%-44s %-8s %13s %13s %9s %18s %7s  %s\n", "configuration", "check", "old", "new", "change", "95% CI", "p",
           "verdict");
    for (size_t i = 0; i < rep->n; i++)
        if (!o->quiet || bb_ci_row_failed(&rep->rows[i])) bb_ci_text_row(stdout, &rep->rows[i]);
    if (rep->warnings[0]) {
        printf("\nwarnings:\n");
        const char *s = rep->warnings;
        while (*s) {
            size_t l = strcspn(s, "\n");
            printf("  %.*s\n", (int)l, s);
            s += l + (s[l] == '\n');
        }
    }
    bb_ci_summary(rep, line, sizeof line);
    printf("\n%s\n", line);
}

/* Load both files and compare them. BB_OK, or an error already said on stderr. */
static bb_result load_and_compare(const cmp_opts *o, bb_gate_file *base, bb_gate_file *cur, bb_gate_report *rep)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    memset(rep, 0, sizeof *rep);
    memset(cur, 0, sizeof *cur);
    bb_result res = bb_gate_file_load(o->paths[0], base, &err);
    if (res) {
        fprintf(stderr, "busbench compare: BASE: %s\n", bb_error_format(&err, msg, sizeof msg));
        return res;
    }
    if ((res = bb_gate_file_load(o->paths[1], cur, &err))) {
        fprintf(stderr, "busbench compare: NEW: %s\n", bb_error_format(&err, msg, sizeof msg));
        return res;
    }
    if (o->junit && (res = bb_file_check_writable(o->junit, &err))) {
        fprintf(stderr, "busbench compare: %s\n", bb_error_format(&err, msg, sizeof msg));
        return res;
    }
    if ((res = bb_gate_compare(base, cur, &o->gate, rep, &err))) {
        if (rep->warnings[0]) fprintf(stderr, "%s", rep->warnings);
        fprintf(stderr, "busbench compare: %s\n", bb_error_format(&err, msg, sizeof msg));
        if (rep->remake_base) fprintf(stderr, "%s", rep->remake);
    }
    return res;
}

int bb_cmd_compare(int argc, char **argv)
{
    cmp_opts o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    bb_gate_file base, cur;
    bb_gate_report rep;
    rc = load_and_compare(&o, &base, &cur, &rep) ? (rep.remake_base ? BB_EXIT_BASELINE : BB_EXIT_USAGE)
       : bb_gate_regressed(&rep)                 ? BB_EXIT_FAIL
                                                 : BB_EXIT_OK;
    bool compared = rc == BB_EXIT_OK || rc == BB_EXIT_FAIL;
    if (compared) {
        if (o.markdown) bb_ci_markdown(stdout, &base, &cur, &rep);
        else print_table(&o, &base, &cur, &rep);
    }
    bb_error err;
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (compared && o.junit && bb_ci_junit(o.junit, &base, &cur, &rep, &err)) {
        fprintf(stderr, "busbench compare: %s\n", bb_error_format(&err, msg, sizeof msg));
        rc = BB_EXIT_USAGE;
    }
    bb_gate_report_free(&rep);
    bb_gate_file_free(&base);
    bb_gate_file_free(&cur);
    return rc;
}
