/* test_compare.c - Criterion suite "compare": the CI gate.
 *
 * - The verdict rules (the U test and the interval of the change are the stats
 *   suite's: bb_stats).
 * - The counter gate on synthetic results: any increase of a deterministic
 *   counter is a regression, heap allocations only at 1 thread.
 * - `busbench compare` on synthetic result files: exit 0 when nothing
 *   regressed, 1 on a slower timing, a counter that went up, instructions
 *   beyond the threshold; 2 for a threshold below the recorded noise floor;
 *   3 (BASE must be re-made) for environments that cannot be compared
 *   (unless --force) or a metric BASE lacks.
 * - A baseline made elsewhere (another ISA: arch or the lanes' clone; another
 *   compiler; for instructions another valgrind; for times, one benched under
 *   valgrind) is refused with exit 3, says what differs, and gives the
 *   commands that re-make it (BASE's own bench options, the metric compared,
 *   calibrate for times); a like-for-like one passes, an older one without
 *   the arch key is not refused for it; the help lists exit 3.
 * - The gate never cries wolf: without a noise floor in BASE, timing
 *   differences are "inconclusive" (five benches of one build, drifting as
 *   real processes do, compared pairwise: exit 0, in text, Markdown and
 *   JUnit); with floors recorded per configuration, each configuration is
 *   judged against its own (a slowdown beyond it is caught though another
 *   configuration's floor is larger; a change below it is not a regression).
 *   The same on real benches: five processes of one build (tiny renders, 5
 *   rounds) compared pairwise never regress, without a floor (inconclusive)
 *   nor with the floors calibrate records (same).
 * - A wrong render is the headline of its configuration: its counters,
 *   instructions and times are not compared; every output names the frame,
 *   the JUnit case of a real bench of a changed program included.
 * - The proof that the gate works, end to end on a tiny corpus built here:
 *   `busbench bench --metric instructions` (valgrind's callgrind) of an
 *   unchanged tree twice is identical and passes `busbench compare`; the same
 *   bench with the hidden --extra-work 5 and 20 (a known extra cost) fails it,
 *   the 20% one by more.
 * - `busbench calibrate --record` writes a noise floor into a result file, and
 *   a failed calibration leaves that file byte for byte as it was.
 * - The committed baseline (reports/baseline.json) is usable by `make gate`.
 * No assertion is about time: timings are compared only in synthetic files,
 * and real benches are only asserted never to regress. */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_gate.h"
#include "bb_golden.h"
#include "bb_json.h"
#include "bb_run.h"
#include "bb_testutil.h"
#include "bb_tinycorpus.h"
#include "bb_cmdutil.h"

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */

/* The row of configuration w/STRATEGY/threads:1/pin:compact that checks metric (BB_GATE_METRIC_*): asserted there. */
static const bb_gate_row *row_of(const bb_gate_report *rep, const char *strategy, int metric)
{
    char name[128];
    snprintf(name, sizeof name, "w/%s/threads:1/pin:compact", strategy);
    for (size_t i = 0; i < rep->n; i++)
        if (!strcmp(rep->rows[i].name, name) && rep->rows[i].metric == metric) return &rep->rows[i];
    cr_assert_fail("no row %s metric %d", name, metric);
    return NULL;
}
#define TIME_OF(s) row_of(&rep, s, BB_GATE_METRIC_TIME)
#define INSTR_OF(s) row_of(&rep, s, BB_GATE_METRIC_INSTR)
#define COUNTERS_OF(s) row_of(&rep, s, BB_GATE_METRIC_COUNTERS)

static int compare(const char *base, const char *cur, const char *opt1, const char *opt2)
{
    char *argv[8];
    int n = 0;
    argv[n++] = "compare";
    argv[n++] = (char *)base;
    argv[n++] = (char *)cur;
    if (opt1) argv[n++] = (char *)opt1;
    if (opt2) argv[n++] = (char *)opt2;
    argv[n] = NULL;
    fflush(stdout);
    return bb_cmd_compare(n, argv);
}

/* ---- Mann-Whitney U --------------------------------------------------------------- */
Test(compare, verdict_rules)
{
    cr_assert(bb_gate_time_verdict(0.20, 0.001, 0.05, 0.05) == BB_GATE_SLOWER);
    cr_assert(bb_gate_time_verdict(-0.20, 0.001, 0.05, 0.05) == BB_GATE_FASTER);
    cr_assert(bb_gate_time_verdict(0.20, 0.2, 0.05, 0.05) == BB_GATE_SAME, "not significant: same");
    cr_assert(bb_gate_time_verdict(0.03, 1e-6, 0.05, 0.05) == BB_GATE_SAME, "significant but inside the threshold");
    cr_assert(bb_gate_instr_verdict(0.011, 0.01) == BB_GATE_SLOWER);
    cr_assert(bb_gate_instr_verdict(0.009, 0.01) == BB_GATE_SAME);
    cr_assert(bb_gate_instr_verdict(-0.02, 0.01) == BB_GATE_FASTER);
}

/* ---- the counter gate -------------------------------------------------------------- */

Test(compare, counters_that_move_either_way_are_reported)
{
    bb_results r;
    bb_json_results_init(&r);
    bb_bres *a = bb_json_results_add(&r, 3), *b = bb_json_results_add(&r, 3);
    tu_config(a, "w", "serial", 1, 10, 0.01);
    tu_config(b, "w", "serial", 1, 10, 0.01);
    bb_gate_counter_up up[BB_GATE_COUNTERS_MAX];
    cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 0, "equal counters pass");
    b->counters.synth_calls = 13;
    cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 1);
    cr_assert_str_eq(up[0].name, "synth_calls");
    cr_assert(up[0].base == 12 && up[0].cur == 13);
    b->counters.synth_calls = 11; /* fewer: not a regression, but a change the gate reports */
    cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 1);
    cr_assert(up[0].base == 12 && up[0].cur == 11);
    b->counters.preprocess_calls = 9;
    b->counters.synth_samples = 12001;
    b->counters.allocs = 78;
    cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 4, "preprocess, synthesis, samples and allocs at 1 thread");
    /* with worker threads heap allocations depend on the schedule: not gated */
    a->threads = b->threads = 2;
    cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 3);
    for (int i = 0; i < 3; i++) cr_assert(strcmp(up[i].name, "allocs") != 0);
    bb_json_results_free(&r);
}

/* ---- compare on synthetic files ------------------------------------------------------------ */

/* A result of serial and cycle (1 thread, 12 rounds, a fixed zigzag of +-spread) on cpu with medians
 * ms_serial and ms_cycle; cycle's synthesis calls moved by bump. */
static void write_pair(const char *path, double ms_serial, double ms_cycle, double spread, int bump, const char *cpu)
{
    bb_results r;
    bb_json_results_init(&r);
    r.context = tu_ctx(cpu);
    tu_config(bb_json_results_add(&r, 12), "w", "serial", 1, ms_serial, spread);
    bb_bres *c = bb_json_results_add(&r, 12);
    tu_config(c, "w", "cycle", 1, ms_cycle, spread);
    c->counters.synth_calls = (uint64_t)((int64_t)c->counters.synth_calls + bump);
    bb_error err;
    cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
}

/* A result file of two configurations; ms: serial's median (cycle's 5 ms); cycle's synthesis calls moved by bump. */
static void write_file(const char *path, double ms, double spread, int bump, const char *cpu)
{
    write_pair(path, ms, 5, spread, bump, cpu);
}


Test(compare, timing_gate_on_files)
{
    tu_quiet();
    const char *d = tu_tmpdir("cmp");
    char base[128], same[128], slow[128], fast[128], bump[128], drop[128], other[128];
    snprintf(base, sizeof base, "%s/base.json", d);
    snprintf(same, sizeof same, "%s/same.json", d);
    snprintf(slow, sizeof slow, "%s/slow.json", d);
    snprintf(fast, sizeof fast, "%s/fast.json", d);
    snprintf(bump, sizeof bump, "%s/bump.json", d);
    snprintf(drop, sizeof drop, "%s/drop.json", d);
    snprintf(other, sizeof other, "%s/other.json", d);
    write_file(base, 10, 0.01, 0, "cpu A");
    write_file(same, 10.02, 0.01, 0, "cpu A");
    write_file(slow, 13, 0.01, 0, "cpu A");
    write_file(fast, 7, 0.01, 0, "cpu A");
    write_file(bump, 10, 0.01, 1, "cpu A");
    write_file(drop, 10, 0.01, -1, "cpu A");
    write_file(other, 10, 0.01, 0, "cpu B");
    /* no noise floor in BASE: a timing difference is inconclusive, the counters still gate */
    cr_assert(compare(base, slow, NULL, NULL) == BB_EXIT_OK, "30%% slower without a floor: inconclusive");
    cr_assert(compare(base, bump, NULL, NULL) == BB_EXIT_FAIL, "a counter that went up fails without a floor too");
    bb_gate_file b, s;
    bb_error err;
    bb_gate_opts o;
    bb_gate_opts_default(&o);
    bb_gate_report rep;
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK);
    cr_assert(bb_gate_file_load(slow, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    cr_assert(TIME_OF("serial")->verdict == BB_GATE_INCONCLUSIVE && TIME_OF("cycle")->verdict == BB_GATE_INCONCLUSIVE);
    cr_assert(rep.inconclusive == 2 && rep.slower == 0 && !bb_gate_regressed(&rep));
    cr_assert(TIME_OF("serial")->p < 1e-3 && fabs(TIME_OF("serial")->change - 0.3) < 1e-9, "the numbers are still there");
    cr_assert(strstr(rep.warnings, "no noise floor") && strstr(rep.warnings, "inconclusive"), "%s", rep.warnings);
    cr_assert(strstr(TIME_OF("serial")->note, "calibrate --record"), "says how to get one: %s", TIME_OF("serial")->note);
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&s);

    tu_floor(base, 3, "w/serial/threads:1/pin:compact", 3.0, "w/cycle/threads:1/pin:compact", 3.0, NULL);
    cr_assert(compare(base, same, NULL, NULL) == BB_EXIT_OK, "unchanged passes");
    cr_assert(compare(base, slow, NULL, NULL) == BB_EXIT_FAIL, "30%% slower fails");
    cr_assert(compare(base, fast, NULL, NULL) == BB_EXIT_OK, "faster passes");
    cr_assert(compare(base, slow, "--threshold", "40") == BB_EXIT_OK, "30%% is inside a 40%% threshold");
    cr_assert(compare(base, bump, NULL, NULL) == BB_EXIT_FAIL, "a counter that went up fails, times equal");
    cr_assert(compare(base, drop, NULL, NULL) == BB_EXIT_FAIL, "a counter that went down fails: re-make the baseline");
    cr_assert(compare(base, other, NULL, NULL) == BB_EXIT_BASELINE, "another CPU: refused (re-make BASE)");
    cr_assert(compare(base, other, "--force", NULL) == BB_EXIT_OK, "... unless forced");
    cr_assert(compare(base, "/nonexistent.json", NULL, NULL) == BB_EXIT_USAGE);
    cr_assert(compare(base, same, "--metric", "instructions") == BB_EXIT_BASELINE, "BASE has no instructions: re-make it");
    cr_assert(compare(same, base, "--metric", "instructions") == BB_EXIT_BASELINE, "either way, BASE is what lacks them");

    /* the verdicts themselves */
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK);
    cr_assert(bb_gate_file_load(slow, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    cr_assert(rep.n == 4 && rep.compared == 2 && rep.threshold_pct == 5 && TIME_OF("serial")->threshold_pct == 5,
              "counters and time of two configurations; default threshold 5%% above a 3%% floor");
    const bb_gate_row *ts = TIME_OF("serial");
    cr_assert(ts->verdict == BB_GATE_SLOWER && fabs(ts->change - 0.3) < 1e-9);
    cr_assert(ts->p < 1e-3 && ts->ci_lo > 0.25 && ts->ci_hi < 0.35, "p %g, [%g, %g]", ts->p, ts->ci_lo, ts->ci_hi);
    cr_assert(TIME_OF("cycle")->verdict == BB_GATE_SAME && COUNTERS_OF("serial")->verdict == BB_GATE_SAME,
              "cycle did not change, nor did serial's counters");
    cr_assert(!strstr(rep.warnings, "no noise floor"), "%s", rep.warnings);
    bb_gate_report_free(&rep);
    bb_gate_file_free(&s);
    /* a drop is a change, not a regression */
    cr_assert(bb_gate_file_load(drop, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    cr_assert(rep.counter_regressions == 0 && rep.counter_changes == 1 && bb_gate_regressed(&rep));
    const bb_gate_row *cc = COUNTERS_OF("cycle");
    cr_assert(cc->verdict == BB_GATE_DOWN && cc->nup == 1 && cc->up[0].base == 12 && cc->up[0].cur == 11);
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&s);
}

Test(compare, threshold_below_the_noise_floor_is_refused)
{
    tu_quiet();
    const char *d = tu_tmpdir("cmp");
    char base[128], slow[128];
    snprintf(base, sizeof base, "%s/base.json", d);
    snprintf(slow, sizeof slow, "%s/slow.json", d);
    write_file(base, 10, 0.01, 0, "cpu A");
    write_file(slow, 10.8, 0.01, 0, "cpu A");
    tu_floor(base, 2, NULL);
    cr_assert(compare(base, slow, NULL, NULL) == BB_EXIT_FAIL, "8%% slower, default threshold 5%% above a 2%% floor");
    tu_floor(base, 12.5, NULL); /* a global floor only (no configuration's own): each configuration uses it */
    bb_error err;
    cr_assert(compare(base, slow, "--threshold", "5") == BB_EXIT_USAGE, "5%% < the 12.5%% floor: refused");
    cr_assert(compare(base, slow, "--threshold", "12.5") == BB_EXIT_OK, "at the floor: 8%% is noise");
    cr_assert(compare(base, slow, NULL, NULL) == BB_EXIT_OK, "the default threshold is the floor (12.5%%)");

    bb_gate_file b, s;
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK);
    cr_assert(bb_gate_file_load(slow, &s, &err) == BB_OK);
    cr_assert(b.floor.present && b.floor.pct == 12.5 && b.floor.trials == 10);
    bb_gate_opts o;
    bb_gate_opts_default(&o);
    o.threshold_pct = 3;
    bb_gate_report rep;
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_ERR_ARG);
    cr_assert(strstr(err.msg, "noise floor of 12.50%") && strstr(err.msg, "noise alone"), "says why: %s", err.msg);
    bb_gate_report_free(&rep);
    o.threshold_pct = (double)NAN;
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    const bb_gate_row *ts = TIME_OF("serial");
    cr_assert(ts->floor_src == BB_GATE_FLOOR_GLOBAL && ts->threshold_pct == 12.5 && rep.floor_global == 2);
    cr_assert(strstr(ts->note, "global floor 12.50%") && strstr(rep.warnings, "used the global floor"), "says so: %s / %s",
              ts->note, rep.warnings);
    bb_gate_report_free(&rep);
    /* the instruction gate has no floor: a timing floor never stops it */
    bb_gate_file_free(&b);
    bb_gate_file_free(&s);
}

/* ---- a gate that never cries wolf ------------------------------------------------------------ */

Test(compare, five_benches_of_one_build_are_inconclusive_without_a_floor)
{
    /* one build benched five times: each process's median drifts (as measured: +42%, +54%) while
     * its rounds agree within +-5%, so the U test finds p < 0.01 between processes */
    static const double drift[5] = {1.00, 1.42, 0.80, 1.54, 1.10};
    const char *d = tu_tmpdir("wolf");
    char path[5][128];
    for (int k = 0; k < 5; k++) {
        snprintf(path[k], sizeof path[k], "%s/run%d.json", d, k);
        write_pair(path[k], 10 * drift[k], 5 * drift[(k + 2) % 5], 0.05, 0, "cpu A");
    }
    tu_quiet();
    double pmin = 1;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            if (i == j) continue;
            cr_assert(compare(path[i], path[j], NULL, NULL) == BB_EXIT_OK, "run%d vs run%d: no regression", i, j);
            bb_gate_file a, b;
            bb_error err;
            bb_gate_opts o;
            bb_gate_opts_default(&o);
            bb_gate_report rep;
            cr_assert(bb_gate_file_load(path[i], &a, &err) == BB_OK && bb_gate_file_load(path[j], &b, &err) == BB_OK);
            cr_assert(bb_gate_compare(&a, &b, &o, &rep, &err) == BB_OK, "%s", err.msg);
            cr_assert(rep.n == 4 && rep.inconclusive == 2 && rep.slower + rep.faster + rep.same == 0);
            pmin = fmin(pmin, fmin(TIME_OF("serial")->p, TIME_OF("cycle")->p));
            bb_gate_report_free(&rep);
            bb_gate_file_free(&a);
            bb_gate_file_free(&b);
        }
    cr_assert(pmin < 0.01, "the drift is significant to the U test (p %g): without the rule it would cry wolf", pmin);
    /* the counters stay the verdict */
    char bump[128];
    snprintf(bump, sizeof bump, "%s/bump.json", d);
    write_pair(bump, 10 * drift[1], 5, 0.05, 1, "cpu A");
    cr_assert(compare(path[0], bump, NULL, NULL) == BB_EXIT_FAIL, "a counter that went up fails without a floor");
    /* each output says so: text, Markdown, JUnit (an inconclusive check passes, with its verdict) */
    const char *bin = tu_busbench();
    cr_assert(tu_sh("cd %s && '%s' compare run0.json run3.json > t.txt && grep -q '^w/serial/threads:1/pin:compact .* "
                    "inconclusive$' t.txt && grep -q '2 inconclusive.* -> ok$' t.txt && grep -q 'time: inconclusive' t.txt",
                    d, bin) == 0, "the text table: see %s/t.txt", d);
    cr_assert(tu_sh("cd %s && '%s' compare run0.json run3.json --markdown > m.md && grep -q 'no regression' m.md && "
                    "grep -q '| inconclusive |$' m.md && grep -q '2 inconclusive' m.md && grep -q 'time: inconclusive' m.md",
                    d, bin) == 0, "the Markdown: see %s/m.md", d);
    cr_assert(tu_sh("cd %s && '%s' compare run0.json run3.json --junit j.xml >/dev/null && grep -c '<testcase' j.xml | grep -qx 4 "
                    "&& ! grep -qE '<failure|<skipped' j.xml && grep -q 'time: .*: inconclusive; inconclusive: BASE records no "
                    "noise floor' j.xml",
                    d, bin) == 0, "the JUnit: see %s/j.xml", d);
}

Test(compare, each_configuration_is_judged_against_its_own_floor)
{
    tu_quiet();
    const char *d = tu_tmpdir("floor");
    char base[128], slow[128], small[128];
    snprintf(base, sizeof base, "%s/base.json", d);
    snprintf(slow, sizeof slow, "%s/slow.json", d);
    snprintf(small, sizeof small, "%s/small.json", d);
    write_pair(base, 10, 5, 0.01, 0, "cpu A");
    write_pair(slow, 13.7, 5, 0.01, 0, "cpu A");  /* serial +37%, cycle unchanged */
    write_pair(small, 10.8, 5, 0.01, 0, "cpu A"); /* serial +8% */
    /* serial's floor 10%, cycle's 64% (the largest, as in the measured case that hid +37%) */
    tu_floor(base, 64, "w/serial/threads:1/pin:compact", 10.0, "w/cycle/threads:1/pin:compact", 64.0, NULL);
    cr_assert(compare(base, slow, NULL, NULL) == BB_EXIT_FAIL, "+37%% beyond serial's 10%% floor is caught");
    cr_assert(compare(base, small, NULL, NULL) == BB_EXIT_OK, "+8%% is inside serial's 10%% floor: no regression");
    cr_assert(compare(base, slow, "--threshold", "20") == BB_EXIT_USAGE, "20%% is below cycle's floor: refused");
    cr_assert(compare(base, slow, "--threshold", "64") == BB_EXIT_OK, "... an asked threshold applies to all");

    bb_gate_file b, s;
    bb_error err;
    bb_gate_opts o;
    bb_gate_opts_default(&o);
    bb_gate_report rep;
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK && bb_gate_file_load(slow, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK, "%s", err.msg);
    const bb_gate_row *rs = TIME_OF("serial"), *rc = TIME_OF("cycle");
    cr_assert(rs->floor_src == BB_GATE_FLOOR_OWN && rs->floor_pct == 10 && rs->threshold_pct == 10, "serial: its own 10%%");
    cr_assert(rc->floor_src == BB_GATE_FLOOR_OWN && rc->floor_pct == 64 && rc->threshold_pct == 64, "cycle: its own 64%%");
    cr_assert(rs->verdict == BB_GATE_SLOWER && fabs(rs->change - 0.37) < 1e-9 && rs->p < 1e-3);
    cr_assert(rc->verdict == BB_GATE_SAME && rep.slower == 1 && rep.floor_global == 0 && bb_gate_regressed(&rep));
    bb_gate_report_free(&rep);
    bb_gate_file_free(&s);
    cr_assert(bb_gate_file_load(small, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    cr_assert(TIME_OF("serial")->p < 1e-3 && TIME_OF("serial")->verdict == BB_GATE_SAME, "significant, but below the floor: same");
    cr_assert(!bb_gate_regressed(&rep));
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&s);

    /* a configuration without a floor of its own uses the global one, and says so */
    tu_floor(base, 64, "w/serial/threads:1/pin:compact", 10.0, NULL);
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK && bb_gate_file_load(slow, &s, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &s, &o, &rep, &err) == BB_OK);
    cr_assert(TIME_OF("serial")->verdict == BB_GATE_SLOWER && TIME_OF("cycle")->floor_src == BB_GATE_FLOOR_GLOBAL);
    cr_assert(TIME_OF("cycle")->threshold_pct == 64 && rep.floor_global == 1 &&
                  strstr(TIME_OF("cycle")->note, "global floor 64.00%"),
              "%s", TIME_OF("cycle")->note);
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&s);
}

Test(compare, a_wrong_render_is_the_headline_and_its_counters_are_not_compared, .timeout = 120)
{
    /* synthetic: NEW's render was wrong and its counters moved: the render is the verdict */
    const char *d = tu_tmpdir("wrong");
    char base[128], cur[128];
    snprintf(base, sizeof base, "%s/base.json", d);
    snprintf(cur, sizeof cur, "%s/cur.json", d);
    write_pair(base, 10, 5, 0.01, 0, "cpu A");
    bb_results r;
    bb_json_results_init(&r);
    r.context = tu_ctx("cpu A");
    tu_config(bb_json_results_add(&r, 12), "w", "serial", 1, 10, 0.01);
    bb_bres *c = bb_json_results_add(&r, 12);
    tu_config(c, "w", "cycle", 1, 5, 0.01);
    c->counters.synth_calls -= 3;
    snprintf(c->error, sizeof c->error, "wrong render: audio differs at frame 22050 (cycle 1, beat 0, 0.5 s)");
    bb_error err;
    cr_assert(bb_json_write(&r, cur, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
    bb_gate_file b, n;
    bb_gate_opts o;
    bb_gate_opts_default(&o);
    bb_gate_report rep;
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK && bb_gate_file_load(cur, &n, &err) == BB_OK);
    cr_assert(bb_gate_compare(&b, &n, &o, &rep, &err) == BB_OK, "%s", err.msg);
    const bb_gate_row *cc = COUNTERS_OF("cycle");
    cr_assert(cc->broken && cc->verdict == BB_GATE_WRONG && cc->nup == 0 && rep.counter_changes == 0 && rep.broken == 1);
    cr_assert(strstr(cc->headline, "frame 22050 (cycle 1, beat 0") && bb_gate_regressed(&rep));
    cr_assert(TIME_OF("cycle")->verdict == BB_GATE_NOT_COMPARED, "nor its time: it timed a wrong render");
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&n);
    const char *bin = tu_busbench();
    cr_assert(tu_sh("cd %s && '%s' compare base.json cur.json > t.txt; test $? = 1 && grep -A1 '^w/cycle/threads:1/pin:compact "
                    "*counters .*REGRESSION (wrong render)$' t.txt | grep -q '^    NEW: wrong render: audio differs at frame "
                    "22050' && ! grep -q 'CHANGED\\|re-make' t.txt", d, bin) == 0,
              "the text: see %s/t.txt", d);
    cr_assert(tu_sh("cd %s && '%s' compare base.json cur.json --markdown > m.md; grep -q '\\*\\*wrong render: audio differs at "
                    "frame 22050 (cycle 1, beat 0' m.md && ! grep -q synth_calls m.md", d, bin) == 0,
              "the Markdown: see %s/m.md", d);
    cr_assert(tu_sh("cd %s && '%s' compare base.json cur.json --junit j.xml >/dev/null; grep -A1 'name=\"w/cycle/threads:1/"
                    "pin:compact: counters\"' j.xml | grep -q '<failure type=\"regression\" message=\"wrong render: audio "
                    "differs at frame 22050 (cycle 1, beat 0' && ! grep -q synth_calls j.xml",
                    d, bin) == 0, "the JUnit case names the frame: see %s/j.xml", d);

    /* end to end: the program changed under its golden (cycle 1's note): bench localises the frame */
    const char *dir = tu_tiny_corpus("wrong", 4);
    cr_assert(tu_sh("cd %s && sed -i 's/<0 7>/<0 5>/' tiny.ph && '%s' bench --golden . --strategies serial --threads 1 "
                    "--reps 1 --quiet --out w.json >w.log 2>&1; test $? = 1", dir, bin) == 0, "a wrong render: exit 1");
    cr_assert(tu_sh("grep -q 'audio differs at frame 2205[0-9] (cycle 1, beat 0' %s/w.log", dir) == 0,
              "bench names the frame, its cycle and beat: see %s/w.log", dir);
    /* ... and the gate's JUnit case of that configuration names it, against a bench of the right program */
    cr_assert(tu_sh("cd %s && sed -i 's/<0 5>/<0 7>/' tiny.ph && '%s' bench --golden . --strategies serial --threads 1 "
                    "--reps 1 --quiet --out ok.json >ok.log 2>&1", dir, bin) == 0, "the right program: see %s/ok.log", dir);
    cr_assert(tu_sh("cd %s && '%s' compare ok.json w.json --junit j.xml > c.txt 2>&1; test $? = 1 && grep -A1 "
                    "'name=\"tiny/serial/threads:1/pin:compact: counters\"' j.xml | grep -q '<failure type=\"regression\" "
                    "message=\"wrong render: audio differs at frame 2205[0-9] (cycle 1, beat 0'",
                    dir, bin) == 0, "the JUnit case names the frame: see %s/j.xml and c.txt", dir);
}

/* ---- a baseline made elsewhere ------------------------------------------------------------ */

/* Set the context key of the result at path to the string v (NULL: remove the key). */
static void set_ctx(const char *path, const char *key, const char *v)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc, "%s: %s", path, je.text);
    json_t *ctx = json_object_get(doc, "context");
    if (v) json_object_set_new(ctx, key, json_string(v));
    else json_object_del(ctx, key);
    cr_assert(json_dump_file(doc, path, JSON_INDENT(1)) == 0);
    json_decref(doc);
}

/* A pair b.json, n.json in d, alike: x86_64, the lanes' AVX2 clone, b.json made by a bench command; instr: as
 * instruction counts (valgrind 3.19). */
static void alike(const char *d, bool instr)
{
    char b[128], n[128];
    snprintf(b, sizeof b, "%s/b.json", d);
    snprintf(n, sizeof n, "%s/n.json", d);
    write_pair(b, 10, 5, 0.01, 0, "cpu A");
    write_pair(n, 10, 5, 0.01, 0, "cpu A");
    for (int k = 0; k < 2; k++) {
        const char *p = k ? n : b;
        if (instr) tu_make_instr(p, 1e9, "valgrind-3.19.0");
        set_ctx(p, "arch", "x86_64");
        set_ctx(p, "lanes_isa", "avx2");
    }
    set_ctx(b, "command", "busbench bench --workloads w --strategies serial,cycle --threads 1 --reps 12 --out old.json");
}

/* compare b.json n.json in d (stdout to out.txt, stderr to err.txt): the exit status. */
static int compare_bn(const char *d, const char *opts)
{
    return tu_sh("cd %s && '%s' compare b.json n.json %s > out.txt 2> err.txt", d, tu_busbench(), opts);
}

Test(compare, a_baseline_made_elsewhere_is_refused_with_how_to_remake_it, .timeout = 60)
{
    const char *d = tu_tmpdir("remake");
    char b[128];
    snprintf(b, sizeof b, "%s/b.json", d);
    static const struct {
        const char *key, *base, *says;
    } other[] = {
        {"arch", "aarch64", "instruction set differs: 'aarch64' (BASE) vs 'x86_64' (NEW)"},
        {"lanes_isa", "baseline", "lane kernel ISA differs: 'baseline' (BASE) vs 'avx2' (NEW)"},
        {"compiler", "cc Debian Clang 14.0.6", "compiler differs: 'cc Debian Clang 14.0.6' (BASE) vs 'cc 12.2.0' (NEW)"},
    };
    for (int instr = 0; instr < 2; instr++) {
        alike(d, instr);
        cr_assert(compare_bn(d, "") == BB_EXIT_OK, "like with like passes: see %s/err.txt", d);
        for (size_t k = 0; k < sizeof other / sizeof *other; k++) {
            alike(d, instr);
            set_ctx(b, other[k].key, other[k].base);
            int rc = compare_bn(d, "");
            cr_assert(rc == BB_EXIT_BASELINE, "%s %s: exit 3, got %d", instr ? "instructions" : "times", other[k].key, rc);
            cr_assert(tu_sh("cd %s && grep -qF \"%s\" err.txt && grep -q \"^re-make BASE in NEW's environment\" err.txt && "
                            "test ! -s out.txt", d, other[k].says) == 0, "says what differs, and no verdicts: see %s/err.txt", d);
            /* the commands that re-make it: BASE's own bench options, with the metric compared and BASE as the output */
            cr_assert(tu_sh("cd %s && grep -qxF '  busbench bench --metric %s --workloads w --strategies serial,cycle --threads 1 "
                            "--reps 12 --quiet --out b.json' err.txt && grep -q 'harness/ci/gate.sh COMMIT' err.txt && "
                            "grep -q 'force compares anyway' err.txt", d, instr ? "instructions" : "time") == 0,
                      "how to re-make it: see %s/err.txt", d);
            cr_assert(tu_sh("cd %s && %s grep -qxF '  busbench calibrate --workloads w --strategies serial,cycle --threads 1 --reps "
                            "12 --record b.json   (its noise floor, for times)' err.txt", d, instr ? "!" : "") == 0,
                      "a noise floor for times only: see %s/err.txt", d);
            cr_assert(compare_bn(d, "--force") == BB_EXIT_OK, "--force compares anyway");
        }
    }
    /* another valgrind, for instructions */
    alike(d, true);
    tu_make_instr(b, 1e9, "valgrind-3.18.1");
    cr_assert(compare_bn(d, "") == BB_EXIT_BASELINE && tu_sh("grep -q \"valgrind differs: 'valgrind-3.18.1'\" %s/err.txt", d) == 0);
    /* times asked of a BASE benched under valgrind: its times measure nothing */
    alike(d, false);
    tu_make_instr(b, 1e9, "valgrind-3.19.0");
    cr_assert(compare_bn(d, "--metric time") == BB_EXIT_BASELINE, "see %s/err.txt", d);
    cr_assert(tu_sh("cd %s && grep -q 'times were taken under valgrind' err.txt && grep -q -- '--metric both --workloads w "
                    "--strategies serial,cycle --threads 1 --reps 12 --quiet --out b.json' err.txt", d) == 0,
              "says so, and to bench both: see %s/err.txt", d);
    /* a BASE older than the arch key is not refused for lacking it */
    alike(d, false);
    set_ctx(b, "arch", NULL);
    cr_assert(compare_bn(d, "") == BB_EXIT_OK, "see %s/err.txt", d);
    /* the exit code is in the help */
    cr_assert(tu_sh("'%s' compare --help | grep -q '3 BASE cannot be compared with NEW'", tu_busbench()) == 0);
}

/* ---- the gate never cries wolf, on real benches ------------------------------------------------- */

Test(compare, five_real_benches_of_one_build_never_regress_with_or_without_a_calibrated_floor, .timeout = 300)
{
    const char *bin = tu_busbench();
    const char *dir = tu_tiny_corpus("aa", 4);
    /* five processes of one build, few rounds of one render each (5: enough for the U test to reach p < 0.05) */
    for (int k = 0; k < 5; k++)
        cr_assert(tu_sh("cd %s && '%s' bench --golden . --strategies serial,cycle --threads 1,2 --reps 5 --min-sample-time 0 "
                        "--quiet --out r%d.json > r%d.log 2>&1", dir, bin, k, k) == 0, "see %s/r%d.log", dir, k);
    for (int floor = 0; floor < 2; floor++) {
        if (floor) {
            /* calibrate's floors, recorded in every file (each is BASE in turn) */
            cr_assert(tu_sh("cd %s && '%s' calibrate --golden . --workloads tiny --strategies serial,cycle --threads 1,2 --trials 5 "
                            "--reps 5 --min-sample-time 0 --record r0.json > cal.log 2>&1", dir, bin) == 0, "see %s/cal.log", dir);
            bb_gate_file f;
            bb_error err;
            char p0[256];
            snprintf(p0, sizeof p0, "%s/r0.json", dir);
            cr_assert(bb_gate_file_load(p0, &f, &err) == BB_OK, "%s", err.msg);
            cr_assert(f.floor.present && json_object_size(f.floor.per_config) == 4, "a floor per configuration");
            json_t *nf = json_deep_copy(json_object_get(f.r.context, "noise_floor"));
            bb_gate_file_free(&f);
            for (int k = 1; k < 5; k++) {
                char p[256];
                snprintf(p, sizeof p, "%s/r%d.json", dir, k);
                cr_assert(bb_gate_set_context(p, "noise_floor", nf, &err) == BB_OK, "%s", err.msg);
            }
            json_decref(nf);
        }
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) {
                if (i == j) continue;
                int rc = tu_sh("cd %s && '%s' compare r%d.json r%d.json > c.txt 2>&1", dir, bin, i, j);
                cr_assert(rc == BB_EXIT_OK, "%s: r%d against r%d: no regression, got exit %d: see %s/c.txt",
                          floor ? "with calibrate's floor" : "without a floor", i, j, rc, dir);
                cr_assert(tu_sh("cd %s && ! grep -q 'REGRESSION\\|slower' c.txt && grep -qE '^4 configurations compared: counters "
                                "4 same; time [0-9a-z ,]+ -> ok$' c.txt", dir) == 0,
                          "no time row says slower, the counters the same: see %s/c.txt", dir);
                if (!floor)
                    cr_assert(tu_sh("grep -q 'time 4 inconclusive -> ok$' %s/c.txt", dir) == 0, "inconclusive: %s/c.txt", dir);
                else
                    cr_assert(tu_sh("! grep -q 'inconclusive' %s/c.txt", dir) == 0, "judged against the floor: %s/c.txt", dir);
            }
    }
}

Test(compare, instruction_gate_on_files)
{
    tu_quiet();
    const char *d = tu_tmpdir("cmp");
    char base[128], same[128], up[128], vg[128], timed[128];
    snprintf(base, sizeof base, "%s/base.json", d);
    snprintf(same, sizeof same, "%s/same.json", d);
    snprintf(up, sizeof up, "%s/up.json", d);
    snprintf(vg, sizeof vg, "%s/vg.json", d);
    snprintf(timed, sizeof timed, "%s/timed.json", d);
    /* instruction files: their times are meaningless and must not be gated (base 10 ms, others 50 ms) */
    write_file(base, 10, 0.01, 0, "cpu A");
    tu_make_instr(base, 1e9, "valgrind-3.19.0");
    write_file(same, 50, 0.01, 0, "cpu B");
    tu_make_instr(same, 1.005e9, "valgrind-3.19.0");
    write_file(up, 50, 0.01, 0, "cpu A");
    tu_make_instr(up, 1.02e9, "valgrind-3.19.0");
    write_file(vg, 10, 0.01, 0, "cpu A");
    tu_make_instr(vg, 1e9, "valgrind-3.22.0");
    write_file(timed, 10, 0.01, 0, "cpu A");
    cr_assert(compare(base, same, NULL, NULL) == BB_EXIT_OK, "+0.5%% is inside 1%%; another CPU only warns");
    cr_assert(compare(base, up, NULL, NULL) == BB_EXIT_FAIL, "+2%% instructions fails");
    cr_assert(compare(base, up, "--instr-threshold", "3") == BB_EXIT_OK);
    cr_assert(compare(base, vg, NULL, NULL) == BB_EXIT_BASELINE, "another valgrind: refused (re-make BASE)");
    cr_assert(compare(base, timed, NULL, NULL) == BB_EXIT_BASELINE, "instructions vs times: BASE's times were taken under "
                                                                    "valgrind: re-make it");

    bb_gate_file b, u;
    bb_error err;
    cr_assert(bb_gate_file_load(base, &b, &err) == BB_OK);
    cr_assert(bb_gate_file_load(up, &u, &err) == BB_OK);
    cr_assert(b.has_instr && !b.has_time && b.instr[0] == 1e9 && b.instr[1] == 5e8);
    bb_gate_opts o;
    bb_gate_opts_default(&o);
    bb_gate_report rep;
    cr_assert(bb_gate_compare(&b, &u, &o, &rep, &err) == BB_OK);
    cr_assert(rep.metrics == BB_GATE_METRIC_INSTR && rep.instr_threshold_pct == 1);
    cr_assert(INSTR_OF("serial")->verdict == BB_GATE_SLOWER && fabs(INSTR_OF("serial")->change - 0.02) < 1e-12);
    cr_assert(INSTR_OF("cycle")->verdict == BB_GATE_SLOWER && bb_gate_regressed(&rep));
    bb_gate_report_free(&rep);
    bb_gate_file_free(&b);
    bb_gate_file_free(&u);
}

/* ---- end to end: callgrind, injected work, calibrate ---------------------------------------- */
static int count(const char *bin, const char *dir, const char *out, const char *extra)
{
    return tu_sh("'%s' bench --golden %s --metric instructions --strategies serial,cycle --threads 1 --quiet --out %s %s%s "
              ">%s.log 2>&1",
              bin, dir, out, extra ? "--extra-work " : "", extra ? extra : "", out);
}

Test(compare, gate_passes_an_unchanged_tree_and_catches_injected_work, .timeout = 300)
{
    const char *bin = tu_busbench();
    const char *dir = tu_tiny_corpus("cmp", 4);
    char a[128], b[128], x5[128], x20[128];
    snprintf(a, sizeof a, "%s/a.json", dir);
    snprintf(b, sizeof b, "%s/b.json", dir);
    snprintf(x5, sizeof x5, "%s/x5.json", dir);
    snprintf(x20, sizeof x20, "%s/x20.json", dir);
    cr_assert(count(bin, dir, a, NULL) == 0, "bench --metric instructions works (valgrind installed?): see %s.log", a);
    cr_assert(count(bin, dir, b, NULL) == 0, "see %s.log", b);
    cr_assert(count(bin, dir, x5, "5") == 0, "see %s.log", x5);
    cr_assert(count(bin, dir, x20, "20") == 0, "see %s.log", x20);

    bb_gate_file fa, fb, f5, f20;
    bb_error err;
    cr_assert(bb_gate_file_load(a, &fa, &err) == BB_OK, "%s", err.msg);
    cr_assert(bb_gate_file_load(b, &fb, &err) == BB_OK);
    cr_assert(bb_gate_file_load(x5, &f5, &err) == BB_OK);
    cr_assert(bb_gate_file_load(x20, &f20, &err) == BB_OK);
    cr_assert(fa.has_instr && !fa.has_time, "an instruction file, its times not a measure");
    cr_assert(fa.r.n == 2, "serial and cycle (serial is also the reference)");
    for (size_t i = 0; i < fa.r.n; i++) {
        cr_assert(fa.instr[i] > 1e6, "%s: %g instructions", fa.r.v[i].name, fa.instr[i]);
        cr_assert(fa.instr[i] == fb.instr[i], "deterministic: %s %.0f vs %.0f", fa.r.v[i].name, fa.instr[i], fb.instr[i]);
        double c5 = f5.instr[i] / fa.instr[i] - 1, c20 = f20.instr[i] / fa.instr[i] - 1;
        cr_assert(c5 > 0.01 && c20 > c5, "%s: +%.2f%% and +%.2f%%", fa.r.v[i].name, 100 * c5, 100 * c20);
        cr_assert(f5.r.v[i].counters.synth_calls == fa.r.v[i].counters.synth_calls,
                  "the injected work leaves the counters alone");
    }
    cr_assert(f5.extra_work_pct == 5 && fa.extra_work_pct == 0);
    bb_gate_file_free(&fa);
    bb_gate_file_free(&fb);
    bb_gate_file_free(&f5);
    bb_gate_file_free(&f20);

    tu_quiet();
    cr_assert(compare(a, b, "--metric", "instructions") == BB_EXIT_OK, "an unchanged tree passes");
    cr_assert(compare(a, x5, "--metric", "instructions") == BB_EXIT_FAIL, "5%% more work is caught");
    cr_assert(compare(a, x20, "--metric", "instructions") == BB_EXIT_FAIL, "20%% more work is caught");
    cr_assert(compare(x5, a, "--metric", "instructions") == BB_EXIT_OK, "less work is no regression");
}

Test(compare, calibrate_records_a_floor_and_a_failure_leaves_the_file, .timeout = 300)
{
    const char *bin = tu_busbench();
    const char *dir = tu_tiny_corpus("cmp", 4);
    char res[128], cal[128];
    snprintf(res, sizeof res, "%s/r.json", dir);
    snprintf(cal, sizeof cal, "%s/cal.json", dir);
    cr_assert(tu_sh("'%s' bench --golden %s --strategies serial --threads 1 --reps 3 --min-sample-time 0 --quiet --out %s "
                    ">/dev/null 2>&1", bin,
                 dir, res) == 0);
    cr_assert(tu_sh("'%s' calibrate --golden %s --workloads tiny --trials 2 --reps 3 --min-sample-time 0 --record %s --out %s "
                    ">%s.log 2>&1", bin,
                 dir, res, cal, cal) == 0,
              "see %s.log", cal);
    bb_gate_file f;
    bb_error err;
    cr_assert(bb_gate_file_load(res, &f, &err) == BB_OK, "still a results file: %s", err.msg);
    cr_assert(f.floor.present && f.floor.pct >= 0 && f.floor.trials == 2 && f.floor.reps == 3);
    cr_assert(f.r.n == 1 && f.has_time, "the results are intact");
    bb_gate_file_free(&f);
    json_error_t je;
    json_t *c = json_load_file(cal, 0, &je);
    cr_assert_not_null(c);
    json_t *ratios = json_object_get(json_object_get(json_object_get(c, "configurations"), "tiny/serial/threads:1/pin:compact"),
                                     "aa_ratios");
    cr_assert(json_array_size(ratios) == 2, "one ratio per trial");
    json_decref(c);

    /* a calibration that fails (no such workload) leaves the file byte for byte */
    FILE *fp = fopen(res, "rb");
    cr_assert_not_null(fp);
    static char before[1 << 20], after[1 << 20];
    size_t nb = fread(before, 1, sizeof before, fp);
    fclose(fp);
    cr_assert(tu_sh("'%s' calibrate --golden %s --workloads nosuch --trials 2 --reps 1 --record %s >/dev/null 2>&1", bin, dir,
                 res) != 0);
    fp = fopen(res, "rb");
    size_t na = fread(after, 1, sizeof after, fp);
    fclose(fp);
    cr_assert(na == nb && !memcmp(before, after, na), "the recorded file is untouched");
}

Test(compare, committed_baseline_is_usable_by_make_gate)
{
    bb_gate_file f;
    bb_error err;
    cr_assert(bb_gate_file_load("reports/baseline.json", &f, &err) == BB_OK, "reports/baseline.json: %s", err.msg);
    cr_assert(f.has_instr, "the baseline has instruction counts (make baseline)");
    cr_assert(f.has_time, "... and times");
    cr_assert(f.floor.present && f.floor.pct > 0, "... and the noise floor");
    cr_assert(f.extra_work_pct == 0, "no injected work in a baseline");
    size_t one = 0, two = 0;
    for (size_t i = 0; i < f.r.n; i++) {
        /* the gate's subset runs at 1 thread (instructions and counters) and 2 (counters) */
        cr_assert(f.r.v[i].threads == 1 || f.r.v[i].threads == 2, "%s: the gate's subset runs at 1 and 2 threads",
                  f.r.v[i].name);
        one += f.r.v[i].threads == 1;
        two += f.r.v[i].threads == 2;
        cr_assert(isfinite(f.instr[i]) && f.instr[i] > 0, "%s has a count", f.r.v[i].name);
        cr_assert(f.r.v[i].error[0] == '\0' && f.r.v[i].counters_stable, "%s was correct and stable", f.r.v[i].name);
    }
    cr_assert(one > 0 && one == two, "%zu configurations at 1 thread, %zu at 2", one, two);
    bb_gate_file_free(&f);
}
