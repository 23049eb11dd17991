/* test_report_live.c - `busbench report --live` (bb_report_live.h): the live
 * sweep and capacity drawn and said in words.
 *
 * What is checked: from a hand-made sweep whose answer is known, the words
 * name each strategy's smallest glitch-free period per mode with its latency
 * (and a lower latency at a larger period when there is one), the strategy
 * glitch-free at no period, the summary and the lowest latency, the table,
 * and the figures (PNG, SVG, their data) of each mode; a capacity result is
 * drawn against k with its largest k in the table; a run that lacks a field
 * is an error naming the file, the run and the field, and nothing is written;
 * a real sweep (`busbench live --sweep` on a dummy server) is read and drawn,
 * so that the reader and the writer of the JSON cannot drift apart. Skipped
 * without gnuplot (the report cannot draw). */
#include "bb_cmds.h"
#include "bb_report_live.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <criterion/criterion.h>
#include <jansson.h>

TestSuite(report_live, .init = tu_watchdog);

static void need_gnuplot(void)
{
    if (system("gnuplot --version >/dev/null 2>&1") != 0)
        cr_skip_test("gnuplot is not installed here: the report cannot draw (install gnuplot-nox)");
}

/* A run as `busbench live --json` writes it (the fields the report reads, and a few more). */
static json_t *run(const char *strategy, int threads, const char *mode, int period, int glitches, int xruns,
                   int latency, bool ok, double p999_us)
{
    return json_pack("{s:s,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:b,s:b,s:i}", "program", "golden/q.ph", "strategy",
                     strategy, "threads", threads, "mode", mode, "period", period, "sr", 44100, "glitches", glitches,
                     "xruns", xruns, "latency_frames", latency, "frames", 44100, "callback_p999_us", p999_us,
                     "glitch_free", ok, "realtime", true, "stack", 1);
}

/* doc written to a fresh folder's in.json; returns the folder. */
static const char *write_doc(json_t *doc, const char *tag)
{
    const char *dir = tu_tmpdir(tag);
    char path[256];
    snprintf(path, sizeof path, "%s/in.json", dir);
    cr_assert_eq(json_dump_file(doc, path, JSON_INDENT(1)), 0);
    json_decref(doc);
    return dir;
}

/* `busbench report --live DIR/in.json -o DIR/out`: its exit status. */
static int report(const char *dir)
{
    char in[256], out[256];
    snprintf(in, sizeof in, "%s/in.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = {"report", "--live", in, "-o", out, NULL};
    fflush(stdout);
    return bb_cmd_report(5, argv);
}

static char *slurp_out(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/out/%s", dir, name);
    size_t n;
    char *s = tu_slurp(p, &n);
    cr_assert_not_null(s, "%s is written", p);
    return s;
}

static void expect_has(const char *text, const char *needle)
{
    cr_expect(strstr(text, needle) != NULL, "expected \"%s\" in:\n%s", needle, text);
}

static void expect_figure(const char *dir, const char *name)
{
    static const char *const ext[] = {"png", "svg"};
    for (int i = 0; i < 2; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/out/%s.%s", dir, name, ext[i]);
        struct stat st;
        cr_expect(stat(p, &st) == 0 && st.st_size > 1000, "%s is drawn", p);
    }
}

/* serial: glitch-free at 64 in both modes. cycle: ahead from 128 (64 glitched); callback from
 * 128 at 2 threads (latency (1024 + 128) / 44100 = 26.12 ms), while 1 thread needs 256 but costs
 * less ((512 + 256) / 44100 = 17.41 ms). all: glitch-free nowhere. */
static json_t *known_sweep(void)
{
    json_t *a = json_array();
    json_array_append_new(a, run("serial", 1, "callback", 64, 0, 0, 512, true, 150));
    json_array_append_new(a, run("serial", 1, "ahead", 64, 0, 3, 768, true, 60)); /* ahead: xruns not held */
    json_array_append_new(a, run("cycle", 1, "callback", 64, 0, 2, 512, false, 900));
    json_array_append_new(a, run("cycle", 1, "callback", 128, 0, 1, 512, false, 1500));
    json_array_append_new(a, run("cycle", 1, "callback", 256, 0, 0, 512, true, 3000));
    json_array_append_new(a, run("cycle", 2, "callback", 64, 0, 4, 1024, false, 800));
    json_array_append_new(a, run("cycle", 2, "callback", 128, 0, 0, 1024, true, 1200));
    json_array_append_new(a, run("cycle", 1, "ahead", 64, 3, 0, 768, false, 70));
    json_array_append_new(a, run("cycle", 1, "ahead", 128, 0, 0, 1024, true, 75));
    json_array_append_new(a, run("all", 1, "ahead", 64, 9, 0, 768, false, 80));
    json_array_append_new(a, run("all", 1, "ahead", 128, 5, 0, 1024, false, 80));
    json_array_append_new(a, run("all", 1, "ahead", 256, 1, 0, 1536, false, 80));
    json_array_append_new(a, run("all", 1, "callback", 64, 0, 7, 512, false, 2000));
    return json_pack("{s:o}", "sweep", a);
}

Test(report_live, the_words_name_the_smallest_glitch_free_period_per_strategy)
{
    need_gnuplot();
    const char *dir = write_doc(known_sweep(), "report-live");
    tu_quiet();
    cr_assert_eq(report(dir), BB_EXIT_OK);
    char *md = slurp_out(dir, "live.md");
    expect_has(md, "- **serial**: safe live in ahead mode from period 64 (1 thread, latency 18.87 ms); in callback "
                   "mode from period 64 (1 thread, latency 13.06 ms).");
    expect_has(md, "- **cycle**: safe live in ahead mode from period 128 (1 thread, latency 26.12 ms); in callback "
                   "mode from period 128 (2 threads, latency 26.12 ms), the lowest latency at period 256 (1 thread, "
                   "latency 17.41 ms).");
    expect_has(md, "- **all**: not glitch-free in ahead mode at any period tried (64 to 256); not glitch-free in "
                   "callback mode at any period tried (64 to 64).");
    expect_has(md, "Safe live in both modes: serial and cycle. Not safe live at any period tried: all.");
    expect_has(md, "The lowest latency: serial in callback mode at period 64 (1 thread), 13.06 ms.");
    /* strategies in the phase order, whatever the file's order */
    cr_expect(strstr(md, "- **serial**") < strstr(md, "- **cycle**") && strstr(md, "- **cycle**") < strstr(md, "- **all**"));
    expect_has(md, "| cycle | 1 | callback | 256 | 17.41 | 3000.0 (0.517) | 64 (0 glitches, 2 xruns), 128 (0 glitches, "
                   "1 xruns) |");
    expect_has(md, "| all | 1 | ahead | none | | | 64 (9 glitches, 0 xruns), 128 (5 glitches, 0 xruns), 256 (1 "
                   "glitches, 0 xruns) |");
    expect_has(md, "![live_period_ahead](live_period_ahead.png)");
    expect_has(md, "![live_period_callback](live_period_callback.png)");
    free(md);
    expect_figure(dir, "live_period_ahead");
    expect_figure(dir, "live_period_callback");
    /* the data: a series per strategy x threads in each mode, the counted column with the xruns in callback mode */
    char *dat = slurp_out(dir, "data/live_period_callback.dat");
    expect_has(dat, "# cycle 2 threads callback\n64 0 4 4 800 0\n128 0 0 0 1200 1\n");
    free(dat);
    dat = slurp_out(dir, "data/live_period_ahead.dat");
    expect_has(dat, "# serial 1 threads ahead\n64 0 3 0 60 1\n");
    free(dat);
    char *kept = slurp_out(dir, "live_1.json");
    expect_has(kept, "\"sweep\"");
    free(kept);
}

/* A capacity search's result: one series against k, and its largest k in the table. */
Test(report_live, a_capacity_result_is_drawn_against_k)
{
    need_gnuplot();
    json_t *a = json_array();
    static const int ks[] = {1, 2, 4, 8, 6, 5};
    static const bool oks[] = {true, true, true, false, false, true};
    for (int i = 0; i < 6; i++) {
        json_t *r = run("all", 2, "ahead", 256, oks[i] ? 0 : 3, 0, 1024 + 512, oks[i], 100.0 * ks[i]);
        json_object_set_new(r, "stack", json_integer(ks[i]));
        json_array_append_new(a, r);
    }
    const char *dir = write_doc(json_pack("{s:i,s:o}", "capacity", 5, "runs", a), "report-live-cap");
    tu_quiet();
    cr_assert_eq(report(dir), BB_EXIT_OK);
    char *md = slurp_out(dir, "live.md");
    expect_has(md, "| golden/q.ph | all | 2 | ahead | 256 | 5 | 1, 2, 4, 5, 6 (not glitch-free), 8 (not glitch-free) |");
    expect_has(md, "![live_stack](live_stack.png)");
    cr_expect(!strstr(md, "Which phases are safe live"), "no sweep, no sweep section");
    free(md);
    expect_figure(dir, "live_stack");
}

/* A run without its verdict: the file, the run and the field named, exit 2, nothing written. */
Test(report_live, a_run_without_a_field_is_an_error_naming_it)
{
    json_t *doc = known_sweep();
    json_object_del(json_array_get(json_object_get(doc, "sweep"), 3), "glitch_free");
    const char *dir = write_doc(doc, "report-live-bad");
    bb_report_live_files files = {{NULL}, 0};
    char in[256], out[256];
    snprintf(in, sizeof in, "%s/in.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    cr_assert_eq(bb_report_live_opt(&files, in, NULL), BB_OK);
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_report_live(&files, out, &err), BB_ERR_FORMAT);
    cr_expect_str_eq(err.file, in);
    expect_has(err.msg, "sweep[3]: expected a boolean \"glitch_free\"");
    struct stat st;
    cr_expect(stat(out, &st) != 0, "nothing written: %s", out);
    tu_quiet();
    cr_expect_eq(report(dir), BB_EXIT_USAGE);
    /* not a live result at all */
    dir = write_doc(json_pack("{s:[]}", "benchmarks"), "report-live-other");
    cr_expect_eq(report(dir), BB_EXIT_USAGE);
}

/* A real sweep, one short point on a dummy server, reported: what `live --json` writes is what the
 * report reads. */
Test(report_live, a_real_sweep_is_reported)
{
    need_gnuplot();
    if (system("command -v jackd >/dev/null 2>&1") != 0) cr_skip_test("no jackd here: no live sweep");
    const char *dir = tu_tmpdir("report-live-real");
    const char *prog = tu_tmpfile("~kick: sine 55\nout: s \"~kick ~ ~kick ~\"\n");
    int rc = tu_sh("%s live %s --server dummy --sweep --strategies serial --threads-list 1 --modes ahead --periods 256 "
                   "--seconds 0.5 --json %s/in.json >%s/sweep.txt 2>&1",
                   tu_busbench(), prog, dir, dir);
    cr_assert_eq(rc, 0, "the sweep ran (see %s/sweep.txt)", dir);
    if (tu_sh("grep -q 'failed: jackd' %s/sweep.txt", dir) == 0) cr_skip_test("jackd cannot start here (%s/sweep.txt)", dir);
    tu_quiet();
    cr_assert_eq(report(dir), BB_EXIT_OK);
    char *md = slurp_out(dir, "live.md");
    expect_has(md, "- **serial**: ");
    expect_has(md, "| serial | 1 | ahead | ");
    free(md);
    expect_figure(dir, "live_period_ahead");
}
