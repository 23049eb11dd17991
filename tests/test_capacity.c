/* test_capacity.c - Criterion suite "capacity": the stacked load and the
 * capacity command.
 *
 * - Stacking k copies of every output trigger gives each copy its own voices:
 *   the voice count and the voices sounding at once are k times the program's.
 * - Stacked copies are summed in order: with no effect after them, the output
 *   at k = 2 is exactly twice the output at k = 1, sample for sample (x + x is
 *   exact in floating point), so the copies play the same events.
 * - The windowed judgement (bb_stats_windows): a batched window's work is
 *   judged against K deadlines, block-by-block judgement sees a miss where the
 *   window has none.
 * - The early stop of a run (bb_capacity_watch), exact: the windows it judges, a load of
 *   exactly 1 met, above 1 a miss, the misses a 99.9th percentile allows, above 2 a failure.
 * - The bisection's next k (bb_capacity_bisect), exact, a bracket closed at 1 wide or at exactly
 *   --tolerance per cent.
 * - `busbench capacity` writes a result whose fields the report reads, and its
 *   Markdown row; bad input is exit 2 with nothing written.
 * - The search: a program that triggers nothing has the capacity --max-k
 *   exactly, --max-k itself tried (the steps listed whole); with --tolerance 0
 *   the k reported passed and k + 1 failed, by the command's own steps, and
 *   no k was tried twice.
 * - A cheap program's result is exact in every field that does not depend on
 *   time (runs and passes per k for --reps 1, 2, 3, 15; voices; the loads of
 *   its last step); a program that misses every deadline has capacity 0.
 * - The report's capacity table, every row (the ratio to 1 thread where there
 *   is one, loads of k = 0, both forms of load average); its errors exact.
 * No assertion is about time: the k found against the deadline depends on the
 * machine; what is checked is that the search brackets it exactly. */
#include <criterion/criterion.h>

#include "bb_testutil.h"
#include "bb_cmdutil.h"
#include "bb_capacity.h"
#include "bb_run.h"

static const char prog_src[] = "bpm: 120\n~x: saw 220 # lpf 900\nout: s \"~x(3,8) bd\" # gain 0.5\n";

static bb_run_out render_stacked(const char *path, int stack)
{
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    c.program = path;
    c.cycles = bb_rat_int(2);
    c.threads = 1;
    c.stack = stack;
    bb_run_out o;
    bb_error err;
    cr_assert(bb_run(&c, NULL, true, false, &o, &err) == BB_OK, "%s", err.msg);
    return o;
}

Test(capacity, stacked_copies_have_their_own_voices)
{
    const char *p = tu_tmpfile(prog_src);
    bb_run_out a = render_stacked(p, 1), b = render_stacked(p, 3);
    cr_assert_gt(a.stats.voices, 0u);
    cr_assert_eq(b.stats.voices, 3 * a.stats.voices);
    cr_assert_gt(a.stats.voices_peak, 0u);
    cr_assert_eq(b.stats.voices_peak, 3 * a.stats.voices_peak);
    bb_run_out_free(&a);
    bb_run_out_free(&b);
}

Test(capacity, two_copies_sum_to_exactly_twice_the_program)
{
    const char *p = tu_tmpfile(prog_src);
    bb_run_out a = render_stacked(p, 1), b = render_stacked(p, 2), z = render_stacked(p, 0);
    cr_assert_eq(a.frames, b.frames);
    cr_assert_eq(a.frames, z.frames);
    double rms = 0;
    for (size_t i = 0; i < a.frames; i++) {
        cr_assert(b.samples[i] == 2.0f * a.samples[i], "sample %zu: %g, twice %g is %g", i, (double)b.samples[i],
                  (double)a.samples[i], 2.0 * (double)a.samples[i]);
        cr_assert(memcmp(&z.samples[i], &a.samples[i], sizeof(float)) == 0, "stack 0 is the program as written");
        rms += (double)a.samples[i] * (double)a.samples[i];
    }
    cr_assert_gt(rms, 0, "the program makes sound");
    bb_run_out_free(&a);
    bb_run_out_free(&b);
    bb_run_out_free(&z);
}

Test(capacity, batched_windows_are_judged_against_k_deadlines)
{
    /* a batch of 4 does its window's work in the first block: 3 deadlines, then 3 idle blocks */
    const double ns[8] = {3, 0, 0, 0, 1, 1, 1, 1.5};
    bb_latency w4, w1, steady;
    cr_assert(bb_stats_windows(ns, 8, 0, 4, 1.0, &w4) == 0);
    cr_assert_eq(w4.n, 2u);
    cr_assert_eq(w4.misses, 1u, "the second window is over its 4 deadlines (4.5)");
    cr_assert_float_eq(w4.max, 4.5 / 4, 1e-12);
    cr_assert(bb_stats_windows(ns, 8, 0, 1, 1.0, &w1) == 0);
    cr_assert_eq(w1.n, 8u);
    cr_assert_eq(w1.misses, 2u, "block by block, the batch's first block (3) misses too");
    cr_assert(bb_stats_windows(ns, 8, 4, 4, 1.0, &steady) == 0);
    cr_assert_eq(steady.n, 1u, "only windows from block 4 on");
}

/* The early stop (bb_capacity_watch), fed in pieces as a render feeds it: windows of 2 blocks,
 * deadline 1000 ns, 1000 windows expected (2 misses allowed). Loads: 3.0 (blocks 0 and 1), 1.05
 * (a miss), 1.0 exactly (met), 1.0005 (a miss), 1.0 (met): judged from block 2 on (or from block
 * 1: the window that starts before it is not judged), 2 misses, not failed; a third fails the run. */
Test(capacity, the_early_stop_counts_windows_above_their_deadlines_from_the_first_judged_block)
{
    const double ns[] = {3000, 3000, 1500, 600, 1000, 1000, 999, 1002, 2000, 0, 1000, 1001};
    for (size_t from = 1; from <= 2; from++) {
        bb_capacity_watch w = {.window = 2, .deadline_ns = 1000, .from = from, .expect = 1000};
        cr_expect_not(bb_capacity_watch_feed(&w, ns, 3), "from %zu: a window in progress is not judged", from);
        cr_expect_eq(w.misses, 0u, "from %zu", from);
        cr_expect_not(bb_capacity_watch_feed(&w, ns, 10), "from %zu: the first window is not judged", from);
        cr_expect_eq(w.seen, 10u);
        cr_expect_eq(w.misses, 2u, "from %zu: two windows above 1; windows at exactly 1 meet their deadlines", from);
        cr_expect(bb_capacity_watch_feed(&w, ns, 12), "a third miss of 1000 windows: the 99.9th percentile is above 1");
        cr_expect_eq(w.misses, 3u);
    }
}

/* A judged window above 2 deadlines fails the run at once, one at exactly 2 is a miss only. */
Test(capacity, the_early_stop_fails_a_window_above_twice_its_deadlines)
{
    const double ns[] = {2000, 2001};
    bb_capacity_watch w = {.window = 1, .deadline_ns = 1000, .expect = 1000000};
    cr_expect_not(bb_capacity_watch_feed(&w, ns, 1));
    cr_expect_eq(w.misses, 1u);
    cr_expect(bb_capacity_watch_feed(&w, ns, 2));
    cr_expect_eq(w.misses, 2u);
}

/* The bisection's steps, exact: the midpoint rounded down until the bracket is 1 wide or within
 * --tolerance per cent of the k that passed (a bracket exactly that wide is closed). */
Test(capacity, the_bisection_halves_the_bracket_until_it_is_closed)
{
    cr_expect_eq(bb_capacity_bisect(16, 32, 0), 24);
    cr_expect_eq(bb_capacity_bisect(16, 19, 0), 17, "the midpoint rounded down");
    cr_expect_eq(bb_capacity_bisect(16, 18, 0), 17);
    cr_expect_eq(bb_capacity_bisect(16, 17, 0), 0, "1 apart: closed");
    cr_expect_eq(bb_capacity_bisect(0, 1, 0), 0, "k = 1 failed: closed");
    cr_expect_eq(bb_capacity_bisect(0, 4, 0), 0, "nothing passed: closed");
    cr_expect_eq(bb_capacity_bisect(4, 8, 99.5), 6, "4 apart is more than 99.5%% of 4");
    cr_expect_eq(bb_capacity_bisect(4, 8, 100), 0, "4 apart is 100%% of 4: closed");
    cr_expect_eq(bb_capacity_bisect(20, 22, 10), 0, "2 apart is 10%% of 20: closed");
    cr_expect_eq(bb_capacity_bisect(20, 23, 10), 21);
}

Test(capacity, command_writes_a_result_the_report_reads)
{
    tu_quiet();
    const char *dir = tu_tmpdir("cap");
    const char *p = tu_tmpfile(prog_src);
    char out[512], md[600];
    snprintf(out, sizeof out, "%s/cap.json", dir);
    snprintf(md, sizeof md, "%s/cap.md", dir);
    cr_assert_eq(tu_sh("%s capacity %s --cycles 2 --block 4096 --threads 1 --strategy serial --reps 1 --max-k 2 "
                       "--out %s >/dev/null",
                       tu_busbench(), p, out),
                 0);
    json_error_t je;
    json_t *d = json_load_file(out, 0, &je);
    cr_assert_not_null(d, "%s", je.text);
    json_int_t k = json_integer_value(json_object_get(d, "k"));
    cr_assert(k >= 0 && k <= 2);
    cr_assert(json_array_size(json_object_get(d, "steps")) >= 1);
    cr_assert_str_eq(json_string_value(json_object_get(d, "strategy")), "serial");
    cr_assert_eq(json_integer_value(json_object_get(d, "window_blocks")), 1);
    cr_assert_not_null(json_string_value(json_object_get(d, "criterion")));
    json_decref(d);
    FILE *f = fopen(md, "w");
    cr_assert_not_null(f);
    const char *paths[1] = {out};
    bb_error err;
    cr_assert(bb_capacity_md(f, paths, 1, &err) == BB_OK);
    fclose(f);
    cr_assert_eq(tu_sh("grep -q '^## Capacity' %s && grep -q '| serial | 1 | 4096 | 1 |' %s", md, md), 0);
    cr_assert_eq(tu_sh("test $(grep -c '^|' %s) = 3", md), 0, "the table: a header, its rule and one row per result");
}

Test(capacity, bad_input_is_exit_2_and_writes_nothing)
{
    tu_quiet();
    const char *dir = tu_tmpdir("capbad");
    const char *bad = tu_tmpfile("out: s \"bd\" # nosuchfunction 3\n");
    cr_assert_eq(tu_sh("%s capacity %s/missing.ph --out %s/a.json", tu_busbench(), dir, dir), 2);
    cr_assert_eq(tu_sh("%s capacity %s --out %s/b.json", tu_busbench(), bad, dir), 2);
    cr_assert_eq(tu_sh("%s capacity %s --reps 0", tu_busbench(), bad), 2);
    cr_assert_eq(tu_sh("%s capacity", tu_busbench()), 2);
    cr_assert_eq(tu_sh("ls -A %s | grep -q .", dir), 1, "nothing written");
    const char *paths[1] = {bad};
    bb_error err;
    FILE *f = fopen("/dev/null", "w");
    cr_assert(bb_capacity_md(f, paths, 1, &err) != BB_OK, "a program is not a capacity result");
    fclose(f);
}

/* capacity --out FILE on program path with extra options; the result document (asserted read). */
static json_t *capacity_json(const char *path, const char *opts)
{
    const char *dir = tu_tmpdir("capk");
    char out[512];
    snprintf(out, sizeof out, "%s/cap.json", dir);
    cr_assert_eq(tu_sh("%s capacity %s --cycles 2 --block 4096 --threads 1 --strategy serial %s --out %s >/dev/null",
                       tu_busbench(), path, opts, out),
                 0, "capacity %s", opts);
    json_error_t je;
    json_t *d = json_load_file(out, 0, &je);
    cr_assert_not_null(d, "%s", je.text);
    return d;
}

/* A program that triggers nothing costs next to nothing at any k: its capacity
 * is --max-k exactly, and --max-k itself is tried (doubling 1, 2, 4 and then
 * 5, not stopping at 4). */
Test(capacity, max_k_is_tried_and_is_the_capacity_of_a_silent_program, .timeout = 120)
{
    tu_quiet();
    const char *p = tu_tmpfile("bpm: 480\nout: s \"~\"\n");
    static const struct {
        const char *opts;
        long k, steps[4];
        size_t nsteps;
    } cases[] = {{"--max-k 3", 3, {1, 2, 3}, 3}, {"--max-k 5", 5, {1, 2, 4, 5}, 4}, {"--max-k 4", 4, {1, 2, 4}, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char opts[64];
        snprintf(opts, sizeof opts, "%s --reps 3", cases[c].opts);
        json_t *d = capacity_json(p, opts);
        cr_expect_eq(json_integer_value(json_object_get(d, "k")), cases[c].k, "%s: k", cases[c].opts);
        cr_expect_str_eq(json_string_value(json_object_get(d, "bounded_by")), "--max-k", "%s", cases[c].opts);
        const json_t *steps = json_object_get(d, "steps");
        cr_assert_eq(json_array_size(steps), cases[c].nsteps, "%s: %zu steps", cases[c].opts, json_array_size(steps));
        for (size_t i = 0; i < cases[c].nsteps; i++) {
            const json_t *s = json_array_get(steps, i);
            cr_expect_eq(json_integer_value(json_object_get(s, "k")), cases[c].steps[i], "%s: step %zu", cases[c].opts, i);
            cr_expect(json_is_true(json_object_get(s, "pass")), "%s: step %zu passes", cases[c].opts, i);
        }
        json_decref(d);
    }
}

/* --tolerance 0: the k reported passed and k + 1 failed, each by the command's
 * own criterion (its steps say so), whatever the machine's speed: a thousand
 * triggers of rests cost a few per cent of real time each, so the deadline
 * bounds k within a few seconds of search. */
Test(capacity, exact_search_reports_a_k_that_passes_and_whose_successor_fails, .timeout = 300)
{
    tu_quiet();
    enum { TRIGGERS = 1000 };
    char *src = malloc(16 + TRIGGERS * 8 + 2);
    cr_assert_not_null(src);
    size_t n = (size_t)sprintf(src, "bpm: 480\nout: ");
    for (int i = 0; i < TRIGGERS; i++) n += (size_t)sprintf(src + n, "%ss \"~\"", i ? " + " : "");
    sprintf(src + n, "\n");
    const char *p = tu_tmpfile(src);
    free(src);
    json_t *d = capacity_json(p, "--reps 1 --tolerance 0 --max-k 1024");
    const long k = (long)json_integer_value(json_object_get(d, "k"));
    const json_t *steps = json_object_get(d, "steps");
    const char *bound = json_string_value(json_object_get(d, "bounded_by"));
    cr_assert_str_eq(bound, "the deadline", "1024 copies of 1000 triggers cannot keep real time");
    bool k_passed = k == 0, next_failed = false;
    size_t i;
    const json_t *s;
    json_array_foreach(steps, i, s) {
        const long sk = (long)json_integer_value(json_object_get(s, "k"));
        const bool pass = json_is_true(json_object_get(s, "pass"));
        if (pass) cr_expect_leq(sk, k, "a step that passed (%ld) is above the k reported (%ld)", sk, k);
        else cr_expect_gt(sk, k, "a step that failed (%ld) is at or below the k reported (%ld)", sk, k);
        k_passed |= sk == k && pass;
        next_failed |= sk == k + 1 && !pass;
        for (size_t j = 0; j < i; j++)
            cr_expect_neq(json_integer_value(json_object_get(json_array_get(steps, j), "k")), sk,
                          "k = %ld tried twice (steps %zu and %zu): the bisection stops at a bracket 1 wide", sk, j, i);
    }
    cr_expect(k_passed, "k = %ld was tried and passed", k);
    cr_expect(next_failed, "k + 1 = %ld was tried and failed: the search did not stop short", k + 1);
    json_decref(d);
}

/* The fields of a step that do not depend on time: k, pass, limit, runs, passes, voices_peak. */
static void expect_step(const json_t *s, long k, bool pass, long runs, long passes, const char *what)
{
    cr_expect_eq(json_integer_value(json_object_get(s, "k")), k, "%s: k", what);
    cr_expect_eq(json_is_true(json_object_get(s, "pass")), pass, "%s: pass", what);
    cr_expect(json_is_false(json_object_get(s, "limit")), "%s: not a limit", what);
    cr_expect_eq(json_integer_value(json_object_get(s, "runs")), runs, "%s: runs", what);
    cr_expect_eq(json_integer_value(json_object_get(s, "passes")), passes, "%s: passes", what);
}

/* Two sounds a cycle (at block 4096, two voices sound at once at a block start: each copy its own),
 * far below real time at any k up to 5: the result, every field that does not depend on time, is
 * exact. Each k runs until most of --reps runs have passed: 2 runs of 3, 2 of 2, 1 of 1. The
 * result's loads are those of its last step. */
Test(capacity, every_step_of_a_cheap_program_is_exact_but_its_times, .timeout = 120)
{
    tu_quiet();
    const char *p = tu_tmpfile("bpm: 480\nout: s \"bd sn\"\n");
    json_t *d = capacity_json(p, "--max-k 5 --reps 3");
    cr_expect_eq(json_integer_value(json_object_get(d, "busbench_capacity")), 1);
    cr_expect_str_eq(json_string_value(json_object_get(d, "program")), p);
    cr_expect_str_eq(json_string_value(json_object_get(d, "strategy")), "serial");
    cr_expect_eq(json_integer_value(json_object_get(d, "threads")), 1);
    cr_expect_str_eq(json_string_value(json_object_get(d, "pin")), "none");
    cr_expect_eq(json_integer_value(json_object_get(d, "block")), 4096);
    cr_expect_eq(json_integer_value(json_object_get(d, "window_blocks")), 1);
    cr_expect_eq(json_integer_value(json_object_get(d, "sr")), 44100);
    cr_expect_str_eq(json_string_value(json_object_get(d, "length")), "2");
    cr_expect_eq(json_integer_value(json_object_get(d, "reps")), 3);
    cr_expect_float_eq(json_real_value(json_object_get(d, "deadline_ms")), 4096.0 / 44100 * 1e3, 1e-6);
    cr_expect_eq(json_integer_value(json_object_get(d, "k")), 5);
    cr_expect_str_eq(json_string_value(json_object_get(d, "bounded_by")), "--max-k");
    cr_expect_eq(json_integer_value(json_object_get(d, "voices_at_once")), 10);
    const json_t *steps = json_object_get(d, "steps");
    cr_assert_eq(json_array_size(steps), 4u);
    static const long ks[4] = {1, 2, 4, 5};
    for (size_t i = 0; i < 4; i++) {
        const json_t *s = json_array_get(steps, i);
        char what[32];
        snprintf(what, sizeof what, "step %zu", i);
        expect_step(s, ks[i], true, 2, 2, what);
        cr_expect_eq(json_integer_value(json_object_get(s, "voices_peak")), 2 * ks[i], "%s: two voices a copy", what);
        const double p999 = json_real_value(json_object_get(s, "p999_load")), mx = json_real_value(json_object_get(s, "max_load"));
        cr_expect(p999 >= 0 && p999 <= 1 && mx >= p999 && mx <= 2, "%s: loads %g, %g", what, p999, mx);
        cr_expect(json_is_real(json_object_get(s, "dsp_load")) && json_is_real(json_object_get(s, "cpu_cores")), "%s", what);
    }
    const json_t *last = json_array_get(steps, 3);
    cr_expect(json_real_value(json_object_get(d, "dsp_load")) == json_real_value(json_object_get(last, "dsp_load")));
    cr_expect(json_real_value(json_object_get(d, "cpu_cores")) == json_real_value(json_object_get(last, "cpu_cores")));
    json_decref(d);
    static const struct {
        const char *opts;
        long runs;
    } reps[] = {{"--max-k 1 --reps 2", 2}, {"--max-k 1 --reps 1", 1}, {"--max-k 1 --reps 15", 8}};
    for (size_t c = 0; c < sizeof reps / sizeof reps[0]; c++) {
        d = capacity_json(p, reps[c].opts);
        steps = json_object_get(d, "steps");
        cr_assert_eq(json_array_size(steps), 1u, "%s", reps[c].opts);
        expect_step(json_array_get(steps, 0), 1, true, reps[c].runs, reps[c].runs, reps[c].opts);
        json_decref(d);
    }
}

/* One sample a block at 768 kHz (a deadline of 1.3 us): no render keeps it, so the first window
 * above 2 deadlines stops each run (its loads unknown: null); k = 1 fails by 2 runs of 3, and the
 * capacity is 0, with no voices and no loads, bounded by the deadline; the command says so. */
Test(capacity, a_program_that_misses_every_deadline_has_capacity_0, .timeout = 120)
{
    tu_quiet();
    const char *p = tu_tmpfile("bpm: 480\nout: s \"bd sn\"\n");
    const char *dir = tu_tmpdir("cap0");
    cr_assert_eq(tu_sh("cd %s && %s capacity %s --cycles 2 --block 1 --sr 768000 --threads 1 --strategy serial --reps 3 "
                       "--out cap.json >log.txt && tail -n 1 log.txt > last.txt",
                       dir, tu_busbench(), p),
                 0);
    char path[512];
    snprintf(path, sizeof path, "%s/last.txt", dir);
    char *last = tu_slurp(path, NULL);
    cr_assert_not_null(last);
    cr_expect_str_eq(last, "capacity: k = 0: the program as written misses the criterion (serial, 1 thread)\n");
    free(last);
    snprintf(path, sizeof path, "%s/cap.json", dir);
    json_error_t je;
    json_t *d = json_load_file(path, 0, &je);
    cr_assert_not_null(d, "%s", je.text);
    cr_expect_eq(json_integer_value(json_object_get(d, "k")), 0);
    cr_expect_str_eq(json_string_value(json_object_get(d, "bounded_by")), "the deadline");
    cr_expect_eq(json_integer_value(json_object_get(d, "voices_at_once")), 0);
    cr_expect(json_is_null(json_object_get(d, "dsp_load")) && json_is_null(json_object_get(d, "cpu_cores")));
    const json_t *steps = json_object_get(d, "steps");
    cr_assert_eq(json_array_size(steps), 1u);
    const json_t *s = json_array_get(steps, 0);
    expect_step(s, 1, false, 2, 0, "k = 1");
    cr_expect(json_is_null(json_object_get(s, "p999_load")) && json_is_null(json_object_get(s, "max_load")), "stopped early");
    cr_expect(json_real_value(json_object_get(s, "dsp_load")) > 1, "the failing runs' load");
    json_decref(d);
}

/* A capacity result file as `capacity --out` writes it (the fields the report reads); load average
 * as an array (bb_env), or as the older string when la is given. */
static void cap_file(const char *path, const char *prog, const char *strategy, long threads, long block, long window, long k,
                     long voices, double dsp, double cpu, const char *la)
{
    json_t *d = json_object(), *ctx = json_object();
    json_object_set_new(d, "busbench_capacity", json_integer(1));
    json_object_set_new(d, "program", json_string(prog));
    json_object_set_new(d, "strategy", json_string(strategy));
    json_object_set_new(d, "threads", json_integer(threads));
    json_object_set_new(d, "block", json_integer(block));
    json_object_set_new(d, "window_blocks", json_integer(window));
    json_object_set_new(d, "k", json_integer(k));
    json_object_set_new(d, "bounded_by", json_string(k ? "the deadline" : "--max-k"));
    json_object_set_new(d, "voices_at_once", json_integer(voices));
    json_object_set_new(d, "dsp_load", k ? json_real(dsp) : json_null());
    json_object_set_new(d, "cpu_cores", k ? json_real(cpu) : json_null());
    if (la) {
        json_object_set_new(ctx, "loadavg", json_string(la));
    } else {
        json_t *a = json_array();
        json_array_append_new(a, json_real(1.5));
        json_array_append_new(a, json_real(2.25));
        json_array_append_new(a, json_real(3));
        json_object_set_new(ctx, "load_avg", a);
    }
    json_object_set_new(d, "context", ctx);
    cr_assert(json_dump_file(d, path, 0) == 0);
    json_decref(d);
}

/* The report's capacity table, every row whole: "x 1 thread" is k over the 1-thread k of the same
 * program (by base name), strategy and block, wherever that row is (s.ph's comes last), "-" where
 * there is none (another block, another
 * strategy, a 1-thread k of 0); no loads where k = 0 (nan); the load average from either form. A
 * file that is not a capacity result is BB_ERR_FORMAT, a missing one BB_ERR_IO. */
Test(capacity, the_report_table_is_exact)
{
    const char *dir = tu_tmpdir("capmd");
    char p[8][512];
    for (int i = 0; i < 8; i++) snprintf(p[i], sizeof p[i], "%s/c%d.json", dir, i);
    cap_file(p[0], "/x/q.ph", "all", 1, 512, 8, 4, 40, 0.5, 0.625, NULL);
    cap_file(p[1], "/y/q.ph", "all", 2, 512, 16, 6, 60, 0.75, 1.5, NULL);
    cap_file(p[2], "q.ph", "all", 2, 1024, 16, 9, 90, 0.25, 0.5, NULL);
    cap_file(p[3], "q.ph", "serial", 2, 512, 1, 3, 30, 1, 1, "0.50 0.40 0.30 1/99 1234");
    cap_file(p[4], "r.ph", "cycle", 1, 512, 1, 0, 0, 0, 0, NULL);
    cap_file(p[5], "r.ph", "cycle", 2, 512, 1, 2, 20, 0.125, 0.25, NULL);
    /* the 1-thread k given last */
    cap_file(p[6], "s.ph", "all", 2, 512, 16, 8, 80, 0.5, 1, NULL);
    cap_file(p[7], "s.ph", "all", 1, 512, 8, 4, 40, 0.5, 0.5, NULL);
    char md[600];
    snprintf(md, sizeof md, "%s/cap.md", dir);
    FILE *f = fopen(md, "w");
    cr_assert_not_null(f);
    const char *paths[8] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]};
    bb_error err;
    cr_assert(bb_capacity_md(f, paths, 8, &err) == BB_OK);
    fclose(f);
    cr_assert(tu_sh("grep '^| [a-z]' %s > %s.rows", md, md) == 0);
    char rows[700];
    snprintf(rows, sizeof rows, "%s.rows", md);
    char *got = tu_slurp(rows, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got,
                     "| program | strategy | threads | block | window | k | voices at once | DSP load | CPU (cores) | x 1 thread | "
                     "bounded by | load average |\n"
                     "| q.ph | all | 1 | 512 | 8 | 4 | 40 | 0.50 | 0.62 | 1.00 | the deadline | 1.50 2.25 3.00 |\n"
                     "| q.ph | all | 2 | 512 | 16 | 6 | 60 | 0.75 | 1.50 | 1.50 | the deadline | 1.50 2.25 3.00 |\n"
                     "| q.ph | all | 2 | 1024 | 16 | 9 | 90 | 0.25 | 0.50 | - | the deadline | 1.50 2.25 3.00 |\n"
                     "| q.ph | serial | 2 | 512 | 1 | 3 | 30 | 1.00 | 1.00 | - | the deadline | 0.50 0.40 0.30 |\n"
                     "| r.ph | cycle | 1 | 512 | 1 | 0 | 0 | nan | nan | - | --max-k | 1.50 2.25 3.00 |\n"
                     "| r.ph | cycle | 2 | 512 | 1 | 2 | 20 | 0.12 | 0.25 | - | the deadline | 1.50 2.25 3.00 |\n"
                     "| s.ph | all | 2 | 512 | 16 | 8 | 80 | 0.50 | 1.00 | 2.00 | the deadline | 1.50 2.25 3.00 |\n"
                     "| s.ph | all | 1 | 512 | 8 | 4 | 40 | 0.50 | 0.50 | 1.00 | the deadline | 1.50 2.25 3.00 |\n");
    free(got);
    /* a table of fewer rows: s.ph's 1-thread row, given before, is not in it, so its 2-thread row has no
       ratio (rows of an earlier table are not read) */
    f = fopen(md, "w");
    cr_assert_not_null(f);
    cr_assert(bb_capacity_md(f, paths, 7, &err) == BB_OK);
    fclose(f);
    cr_assert(tu_sh("grep -qxF '| s.ph | all | 2 | 512 | 16 | 8 | 80 | 0.50 | 1.00 | - | the deadline | 1.50 2.25 3.00 |' %s", md) ==
                  0,
              "no ratio without a 1-thread row: see %s", md);
    const char *bad[1] = {tu_tmpfile("out: s \"bd\"\n")};
    f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    bb_error_clear(&err);
    cr_expect_eq(bb_capacity_md(f, bad, 1, &err), BB_ERR_FORMAT, "a program is not JSON: %s", err.msg);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.json", dir);
    const char *gone[1] = {missing};
    bb_error_clear(&err);
    cr_expect_eq(bb_capacity_md(f, gone, 1, &err), BB_ERR_IO, "%s", err.msg);
    fclose(f);
}
