/* bb_cmd_compare.c - `busbench compare BASE.json NEW.json`: the CI gate.
 *
 * What it is: the command around bb_gate_compare. It reads two bench results,
 * compares every configuration they share (matched by name) on the metrics
 * both carry (or those asked for with --metric), prints one line per
 * configuration and metric (old and new medians, the change with its 95%
 * interval, the U test's p-value, the verdict), the deterministic counters
 * that went up, and a summary; then exits 0 (nothing regressed), 1 (something
 * did: a slower configuration, a counter that went up, counters that varied,
 * a wrong render in NEW) or 2 (unusable input: unreadable files, no metric or
 * configuration in common, environments that cannot be compared without
 * --force, a timing threshold below the noise floor recorded in BASE).
 *
 * Invariants: the command reads, never writes; its verdicts are a pure
 * function of the files and options (the bootstrap is seeded); environment
 * differences it was told to accept (--force) are printed, never hidden.
 *
 * Units: the table gives times in ms, instructions in millions, changes in
 * percent of the old median; options take percent (--threshold 5 is 5%). */
#include "bb_cmds.h"
#include "bb_gate.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: busbench compare BASE.json NEW.json [options]\n\n"
            "Compare two bench results configuration by configuration. Deterministic counters\n"
            "(preprocessing and synthesis calls, samples synthesised, cache misses, bus buffers from\n"
            "the heap, and heap allocations at 1 thread) are gated exactly: any increase is a\n"
            "regression. Instruction counts (bench --metric instructions|both) are gated by a relative\n"
            "threshold. Times are gated by a Mann-Whitney U test and an effect threshold that may not\n"
            "be smaller than the noise floor recorded in BASE (busbench calibrate --record).\n"
            "Exit 0: nothing regressed; 1: something did; 2: unusable input.\n\n"
            "options:\n"
            "  --metric M            auto (default: every metric both files have), time, instructions\n"
            "  --threshold PCT       timing effect threshold (default: the larger of 5 and BASE's floor)\n"
            "  --instr-threshold PCT instruction threshold (default 1)\n"
            "  --alpha A             significance of the U test (default 0.05)\n"
            "  --force               compare across environments that differ (CPU, compiler, flags, ...)\n"
            "  --seed N              seed of the bootstrap intervals (default 1)\n"
            "  --quiet               print only regressions, warnings and the summary\n");
}

static int parse_pct(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static const char *ctx_str(const json_t *ctx, const char *k)
{
    const char *s = json_string_value(json_object_get(ctx, k));
    return s ? s : "?";
}

static void print_value(char *buf, size_t cap, int metric, double v)
{
    if (!isfinite(v)) snprintf(buf, cap, "-");
    else if (metric == BB_GATE_METRIC_TIME) snprintf(buf, cap, "%.3f ms", v / 1e6);
    else snprintf(buf, cap, "%.3f M", v / 1e6);
}

static void print_row(const bb_gate_row *r)
{
    if (r->verdict == BB_GATE_NOT_COMPARED && !r->nup && !r->unstable && !r->broken) {
        printf("%-44s %-6s not compared: %s\n", r->name, r->metric == BB_GATE_METRIC_TIME ? "time" : "instr", r->note);
        return;
    }
    char o[32], n[32], ch[16], ci[32], p[16];
    print_value(o, sizeof o, r->metric, r->base);
    print_value(n, sizeof n, r->metric, r->cur);
    if (isfinite(r->change)) snprintf(ch, sizeof ch, "%+.2f%%", r->change * 100);
    else snprintf(ch, sizeof ch, "-");
    if (isfinite(r->ci_lo) && isfinite(r->ci_hi))
        snprintf(ci, sizeof ci, "[%+.1f%%, %+.1f%%]", r->ci_lo * 100, r->ci_hi * 100);
    else snprintf(ci, sizeof ci, r->metric == BB_GATE_METRIC_INSTR && isfinite(r->change) ? "exact" : "-");
    if (isfinite(r->p)) snprintf(p, sizeof p, "%.4f", r->p);
    else snprintf(p, sizeof p, "-");
    printf("%-44s %-6s %13s %13s %9s %18s %7s  %s\n", r->name, r->metric == BB_GATE_METRIC_TIME ? "time" : "instr", o, n,
           ch, ci, p, bb_gate_verdict_name(r->verdict));
    for (int i = 0; i < r->nup; i++) {
        const bb_gate_counter_up *u = &r->up[i];
        if (u->cur > u->base)
            printf("    REGRESSION: %s %" PRIu64 " -> %" PRIu64 " (+%" PRIu64 ")\n", u->name, u->base, u->cur, u->cur - u->base);
        else
            printf("    CHANGED: %s %" PRIu64 " -> %" PRIu64 " (-%" PRIu64 "): fewer is no regression, but the tree no longer "
                   "does what the baseline recorded; if intended, re-make it (make baseline) and commit it\n",
                   u->name, u->base, u->cur, u->base - u->cur);
    }
    if (r->unstable) printf("    REGRESSION: NEW's deterministic counters varied between rounds\n");
    if (r->broken) printf("    REGRESSION: NEW had wrong or failed renders\n");
    if (r->note[0]) printf("    note: %s\n", r->note);
}

static bool row_regressed(const bb_gate_row *r)
{
    return r->verdict == BB_GATE_SLOWER || r->nup || r->unstable || r->broken;
}

int bb_cmd_compare(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int np = 0;
    bb_gate_opts opts;
    bb_gate_opts_default(&opts);
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return BB_EXIT_OK;
        }
        if (!strcmp(o, "--force")) {
            opts.force = true;
            continue;
        }
        if (!strcmp(o, "--quiet")) {
            quiet = true;
            continue;
        }
        if (o[0] != '-' || !o[1]) {
            if (np == 2) {
                fprintf(stderr, "busbench compare: unexpected argument '%s' (two files: BASE and NEW)\n", o);
                return BB_EXIT_USAGE;
            }
            paths[np++] = o;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "busbench compare: expected a value after %s\n", o);
            usage(stderr);
            return BB_EXIT_USAGE;
        }
        int bad = 0;
        if (!strcmp(o, "--threshold")) bad = parse_pct(v, 0, 999, &opts.threshold_pct);
        else if (!strcmp(o, "--instr-threshold")) bad = parse_pct(v, 0, 999, &opts.instr_threshold_pct);
        else if (!strcmp(o, "--alpha")) bad = parse_pct(v, 1e-12, 0.999999, &opts.alpha);
        else if (!strcmp(o, "--seed")) {
            double s;
            bad = parse_pct(v, 0, 9e15, &s) || s != floor(s);
            if (!bad) opts.seed = (uint64_t)s;
        } else if (!strcmp(o, "--metric")) {
            if (!strcmp(v, "auto")) opts.metrics = 0;
            else if (!strcmp(v, "time")) opts.metrics = BB_GATE_METRIC_TIME;
            else if (!strcmp(v, "instructions")) opts.metrics = BB_GATE_METRIC_INSTR;
            else bad = 1;
        } else {
            fprintf(stderr, "busbench compare: unknown option '%s'\n", o);
            usage(stderr);
            return BB_EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "busbench compare: bad value '%s' for %s\n", v, o);
            return BB_EXIT_USAGE;
        }
        i++;
    }
    if (np != 2) {
        fprintf(stderr, "busbench compare: expected two files, BASE.json and NEW.json\n");
        usage(stderr);
        return BB_EXIT_USAGE;
    }

    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bb_gate_file base, cur;
    bb_result res = bb_gate_file_load(paths[0], &base, &err);
    if (res) {
        fprintf(stderr, "busbench compare: BASE: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_gate_file_free(&base);
        return BB_EXIT_USAGE;
    }
    res = bb_gate_file_load(paths[1], &cur, &err);
    if (res) {
        fprintf(stderr, "busbench compare: NEW: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_gate_file_free(&base);
        bb_gate_file_free(&cur);
        return BB_EXIT_USAGE;
    }
    bb_gate_report rep;
    res = bb_gate_compare(&base, &cur, &opts, &rep, &err);
    if (res) {
        if (rep.warnings[0]) fprintf(stderr, "%s", rep.warnings);
        fprintf(stderr, "busbench compare: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_gate_report_free(&rep);
        bb_gate_file_free(&base);
        bb_gate_file_free(&cur);
        return BB_EXIT_USAGE;
    }

    printf("BASE %s (commit %s, %s)\nNEW  %s (commit %s, %s)\n", paths[0], ctx_str(base.r.context, "git_commit"),
           ctx_str(base.r.context, "date"), paths[1], ctx_str(cur.r.context, "git_commit"), ctx_str(cur.r.context, "date"));
    printf("gates: deterministic counters exact");
    if (rep.metrics & BB_GATE_METRIC_INSTR) printf("; instructions +-%g%%", rep.instr_threshold_pct);
    if (rep.metrics & BB_GATE_METRIC_TIME) {
        printf("; time: U test p < %g and change beyond +-%g%%", rep.alpha, rep.threshold_pct);
        if (base.floor.present) printf(" (noise floor in BASE: %.2f%%)", base.floor.pct);
    }
    printf("\n\n%-44s %-6s %13s %13s %9s %18s %7s  %s\n", "configuration", "metric", "old", "new", "change", "95% CI", "p",
           "verdict");
    for (size_t i = 0; i < rep.n; i++)
        if (!quiet || row_regressed(&rep.rows[i])) print_row(&rep.rows[i]);
    if (rep.warnings[0]) {
        printf("\nwarnings:\n");
        const char *s = rep.warnings;
        while (*s) {
            size_t l = strcspn(s, "\n");
            printf("  %.*s\n", (int)l, s);
            s += l + (s[l] == '\n');
        }
    }
    bool bad = bb_gate_regressed(&rep);
    printf("\n%d configuration%s compared: %d slower, %d faster, %d same, %d not compared; %d with counters that went "
           "up, %d with counters that only went down%s%s -> %s\n",
           rep.compared, rep.compared == 1 ? "" : "s", rep.slower, rep.faster, rep.same, rep.not_compared,
           rep.counter_regressions, rep.counter_changes, rep.unstable ? ", unstable counters" : "",
           rep.broken ? ", wrong renders" : "",
           rep.slower + rep.counter_regressions + rep.unstable + rep.broken ? "REGRESSION"
           : bad ? "CHANGED (re-make the baseline)" : "ok");
    bb_gate_report_free(&rep);
    bb_gate_file_free(&base);
    bb_gate_file_free(&cur);
    return bad ? BB_EXIT_FAIL : BB_EXIT_OK;
}
