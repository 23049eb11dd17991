/* test_ci.c - Criterion suite "ci": what `busbench compare` says to people and CI systems (bb_ci:
 * the table, --markdown, --junit FILE) and the CI examples in harness/ci/ run as copied.
 *
 * - The JUnit XML is read by a real consumer, Debian's python3-junitparser
 *   (make deps installs it): one test case per check that ran (a configuration's counters, its
 *   instructions at 1 thread, its time), a regression a failure that names what moved, a
 *   configuration missing from NEW skipped, the others passed; names with XML's special
 *   characters survive; the totals of <testsuites> and <testsuite> (tests, failures, errors,
 *   skipped) equal what the <testcase> elements hold.
 * - The three outputs agree, checked on whole outputs by tests/ci/agree.py: every table row is a
 *   Markdown row and a JUnit case with the same verdict, a row that lists a counter that went up
 *   says REGRESSION (never "same"), and the summary line is the one counted from the rows; on a
 *   comparison that holds every verdict the gate gives (the 2-thread counter checks real cases, one
 *   of them failed; a counter down; a wrong render whose case names the frame; configurations in
 *   one file only), and on the real benches of the GitHub example below.
 * - The Markdown renders with cmark-gfm (GitHub's Markdown; make deps): a
 *   table with one row per check, the regression in bold.
 * - Both whole outputs, every byte (junit_is_exact, markdown_is_exact), on a timing and counter
 *   comparison and on one that holds every verdict: totals, cases, messages, numbers, table rows.
 * - An unwritable --junit is exit 2 before anything is compared; a refused
 *   comparison (another CPU: exit 3) writes no JUnit file.
 * - harness/ci/github-actions.yml parses as YAML (tests/ci/workflow.py, python3-yaml) with the
 *   gate's needs (whole history, a step that finds the commit to compare with, harness/ci/gate.sh
 *   run with it), every run: script parses as bash, and says in its first lines where its baseline
 *   comes from; its step that finds the commit gives a pull request's merge base, a push's
 *   previous commit, a new branch's parent, run in a git repository made here; its gate step runs
 *   harness/ci/gate.sh there against a tiny corpus (the worktree's build stood in for by a copy of
 *   this build, to keep the suite fast): an unchanged tree passes (exit 0, the summary in
 *   GITHUB_STEP_SUMMARY, the worktree and its temporary folder gone), a tree with 5% injected work
 *   (bench's test-only --extra-work) fails on its instructions (exit 1), a ref that is no commit
 *   is exit 2. */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"
#include "bb_tinycorpus.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* BASE: w/serial, w/cycle, w/"a&b<c>" (a strategy name with XML's specials), gone/serial, a 5% noise floor;
 * NEW: the same but gone/serial, with cycle's synthesis calls up when bump, serial 30% slower when slow. */
static void files(const char *d, bool bump, bool slow, const char *cpu)
{
    for (int which = 0; which < 2; which++) {
        bb_results r;
        bb_json_results_init(&r);
        r.context = tu_ctx(which ? cpu : "cpu A");
        tu_config(bb_json_results_add(&r, 12), "w", "serial", 1, which && slow ? 13 : 10, 0.01);
        bb_bres *c = bb_json_results_add(&r, 12);
        tu_config(c, "w", "cycle", 1, 5, 0.01);
        if (which && bump) c->counters.synth_calls++;
        tu_config(bb_json_results_add(&r, 12), "w", "a&b<c>", 1, 5, 0.01);
        if (!which) tu_config(bb_json_results_add(&r, 12), "gone", "serial", 1, 5, 0.01);
        char p[256];
        snprintf(p, sizeof p, "%s/%s.json", d, which ? "new" : "base");
        bb_error err;
        cr_assert(bb_json_write(&r, p, &err) == BB_OK, "%s", err.msg);
        bb_json_results_free(&r);
        if (!which) tu_floor(p, 5, NULL); /* a timing verdict needs BASE's noise floor */
    }
}

/* Writes totals.txt in the folder given: the totals <testsuites> and <testsuite> state (tests,
 * failures, errors, skipped), then the same counted from the <testcase> elements. */
#define TOTALS_CMD \
    "cd %s && /usr/bin/python3 -c '\n" \
    "import xml.etree.ElementTree as E\n" \
    "r = E.parse(\"j.xml\").getroot()\n" \
    "out = open(\"totals.txt\", \"w\")\n" \
    "for e in [r] + r.findall(\"testsuite\"):\n" \
    "    out.write(\"%%s %%s %%s %%s %%s\\n\" %% (e.tag, e.get(\"tests\"), e.get(\"failures\"), e.get(\"errors\"), e.get(\"skipped\")))\n" \
    "c = r.findall(\".//testcase\")\n" \
    "out.write(\"cases %%d %%d %%d %%d\\n\" %% (len(c), sum(1 for x in c if x.find(\"failure\") is not None),\n" \
    "          sum(1 for x in c if x.find(\"error\") is not None), sum(1 for x in c if x.find(\"skipped\") is not None)))\n" \
    "'"

/* The test cases of DIR/j.xml as python3-junitparser (make deps installs it) reads them, one line
 * each: classname|name|passed, failure or skipped|message (malloc'ed), their count in *n. */
static char *junit_cases(const char *d, int *n)
{
    int rc = tu_sh("cd %s && /usr/bin/python3 -c '\n"
                   "from junitparser import JUnitXml, Failure, Skipped\n"
                   "x = JUnitXml.fromfile(\"j.xml\")\n"
                   "cases = [c for s in x for c in s]\n"
                   "out = open(\"parsed.txt\", \"w\")\n"
                   "for c in cases:\n"
                   "    r = c.result[0] if c.result else None\n"
                   "    kind = \"failure\" if isinstance(r, Failure) else \"skipped\" if isinstance(r, Skipped) else \"passed\"\n"
                   "    out.write(\"%%s|%%s|%%s|%%s\\n\" %% (c.classname, c.name, kind, r.message if r is not None else \"\"))\n"
                   "'",
                   d);
    cr_assert(rc == 0, "python3-junitparser reads %s/j.xml (make deps installs it)", d);
    char p[256];
    snprintf(p, sizeof p, "%s/parsed.txt", d);
    char *all = tu_slurp(p, NULL);
    cr_assert_not_null(all);
    *n = 0;
    for (const char *s = all; (s = strchr(s, '\n')); s++) (*n)++;
    return all;
}

Test(ci, junit_is_read_by_junitparser, .timeout = 60)
{
    const char *d = tu_tmpdir("ci");
    files(d, true, true, "cpu A");
    int rc = tu_sh("cd %s && '%s' compare base.json new.json --junit j.xml >/dev/null 2>&1", d, tu_busbench());
    cr_assert(rc == BB_EXIT_FAIL, "a regression: exit 1, got %d", rc);
    int n;
    char *all = junit_cases(d, &n);
    cr_assert(n == 7, "one test case per check (counters and time of 3 configurations) and one for the one not "
                      "compared: %s", all);
    cr_assert(strstr(all, "busbench.w|w/serial/threads:1/pin:compact: time|failure|time slower: +30.00% (threshold 5%)"),
              "%s", all);
    cr_assert(strstr(all, "busbench.w|w/serial/threads:1/pin:compact: counters|passed|"), "%s", all);
    cr_assert(strstr(all, "busbench.w|w/cycle/threads:1/pin:compact: counters|failure|synth_calls 12 -> 13"), "%s", all);
    cr_assert(strstr(all, "busbench.w|w/cycle/threads:1/pin:compact: time|passed|"), "%s", all);
    cr_assert(strstr(all, "busbench.w|w/a&b<c>/threads:1/pin:compact: counters|passed|"), "names with & and < survive: %s", all);
    cr_assert(strstr(all, "busbench.gone|gone/serial/threads:1/pin:compact|skipped|not compared: not in NEW"), "%s", all);
    free(all);
    /* the totals: <testsuites> and <testsuite> say tests, failures, errors, skipped; counted from the
       <testcase> elements themselves they must be the same, 7 cases, 2 failures, 0 errors, 1 skipped */
    rc = tu_sh(TOTALS_CMD, d);
    cr_assert(rc == 0, "python3 reads the XML");
    char p[256];
    snprintf(p, sizeof p, "%s/totals.txt", d);
    char *tot = tu_slurp(p, NULL);
    cr_assert_not_null(tot);
    cr_expect_str_eq(tot, "testsuites 7 2 0 1\ntestsuite 7 2 0 1\ncases 7 2 0 1\n");
    free(tot);
    /* and with one failure of seven (passed and failed no longer equal in number) */
    files(d, true, false, "cpu A");
    cr_assert(tu_sh("cd %s && '%s' compare base.json new.json --junit j.xml >/dev/null 2>&1", d, tu_busbench()) == BB_EXIT_FAIL);
    cr_assert(tu_sh(TOTALS_CMD, d) == 0);
    tot = tu_slurp(p, NULL);
    cr_assert_not_null(tot);
    cr_expect_str_eq(tot, "testsuites 7 1 0 1\ntestsuite 7 1 0 1\ncases 7 1 0 1\n");
    free(tot);
}

Test(ci, markdown_renders_as_github_markdown)
{
    const char *d = tu_tmpdir("ci");
    files(d, false, true, "cpu A");
    int rc = tu_sh("cd %s && '%s' compare base.json new.json --markdown > s.md 2>/dev/null", d, tu_busbench());
    cr_assert(rc == BB_EXIT_FAIL);
    cr_assert(tu_sh("cd %s && test $(grep -c '^| `' s.md) = 7", d) == 0, "one table row per check, and one for the "
                                                                       "configuration not compared, no more");
    cr_assert(tu_sh("cd %s && cmark-gfm -e table s.md > s.html", d) == 0, "cmark-gfm runs (make deps installs it)");
    cr_assert(tu_sh("cd %s && test $(grep -c '<table>' s.html) = 1 && test $(grep -c '<tr>' s.html) = 8", d) == 0,
              "one table: a header and a row per check and per configuration not compared");
    cr_assert(tu_sh("cd %s && grep -q '<td><strong>REGRESSION (slower)</strong></td>' s.html && "
                    "grep -q '<h3>busbench compare: REGRESSION</h3>' s.html && grep -q '<code>w/a&amp;b&lt;c&gt;/' s.html",
                    d) == 0, "the verdict in bold, the title, names escaped by the renderer");
    files(d, false, false, "cpu A");
    cr_assert(tu_sh("cd %s && '%s' compare base.json new.json --markdown | grep -q '^### busbench compare: no regression$'", d,
                    tu_busbench()) == 0);
}

Test(ci, no_junit_when_the_comparison_is_refused)
{
    const char *d = tu_tmpdir("ci");
    files(d, false, false, "cpu B");
    int rc = tu_sh("cd %s && '%s' compare base.json new.json --junit j.xml >/dev/null 2>&1", d, tu_busbench());
    cr_assert(rc == BB_EXIT_BASELINE, "another CPU: refused (BASE must be re-made), got %d", rc);
    cr_assert(tu_sh("test ! -e %s/j.xml", d) == 0, "no JUnit file");
    rc = tu_sh("cd %s && '%s' compare base.json new.json --force --junit nodir/j.xml >/dev/null 2>err.txt", d, tu_busbench());
    cr_assert(rc == BB_EXIT_USAGE, "an unwritable --junit: exit 2, got %d", rc);
    cr_assert(tu_sh("grep -q 'nodir/j.xml' %s/err.txt", d) == 0, "named");
}

/* ---- the three outputs agree ------------------------------------------------------------------ */

/* Instruction results, every verdict of the gate. BASE: w/serial, w/cycle and w/bad at 1 thread, w/serial and
 * w/cycle at 2, gone/serial; NEW: the same but gone, and new/serial; at 2 threads w/serial's synthesis calls
 * went up, at 1 thread w/cycle's went down, w/bad's render was wrong. */
static void mixed(const char *d)
{
    for (int which = 0; which < 2; which++) {
        bb_results r;
        bb_json_results_init(&r);
        r.context = tu_ctx("cpu A");
        tu_config(bb_json_results_add(&r, 1), "w", "serial", 1, 10, 0);
        bb_bres *s2 = bb_json_results_add(&r, 1), *c1 = bb_json_results_add(&r, 1);
        tu_config(s2, "w", "serial", 2, 10, 0);
        tu_config(c1, "w", "cycle", 1, 10, 0);
        tu_config(bb_json_results_add(&r, 1), "w", "cycle", 2, 10, 0);
        bb_bres *bad = bb_json_results_add(&r, 1);
        tu_config(bad, "w", "bad", 1, 10, 0);
        tu_config(bb_json_results_add(&r, 1), which ? "new" : "gone", "serial", 1, 10, 0);
        if (which) {
            s2->counters.synth_calls++;
            c1->counters.synth_calls--;
            snprintf(bad->error, sizeof bad->error, "wrong render: audio differs at frame 22050 (cycle 1, beat 0, 0.5 s)");
        }
        char p[256];
        snprintf(p, sizeof p, "%s/%s.json", d, which ? "new" : "base");
        bb_error err;
        cr_assert(bb_json_write(&r, p, &err) == BB_OK, "%s", err.msg);
        bb_json_results_free(&r);
        tu_make_instr(p, 1e9, "valgrind-3.19.0");
    }
}

/* tests/ci/agree.py on d's t.txt (the table), m.md and j.xml: its exit status (its verdict in d/agree.txt). */
static int agree(const char *d)
{
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    return tu_sh("cd %s && /usr/bin/python3 '%s/tests/ci/agree.py' t.txt m.md j.xml > agree.txt 2>&1", d, cwd);
}

/* compare BASE NEW in d as a table (t.txt), Markdown (m.md) and JUnit (j.xml); agree()'s status. */
static int outputs_agree(const char *d, const char *base, const char *cur, const char *opts)
{
    const char *bin = tu_busbench();
    tu_sh("cd %s && '%s' compare %s %s %s > t.txt 2>/dev/null; '%s' compare %s %s %s --markdown > m.md 2>/dev/null; "
          "'%s' compare %s %s %s --junit j.xml > /dev/null 2>&1", d, bin, base, cur, opts, bin, base, cur, opts, bin, base,
          cur, opts);
    return agree(d);
}

Test(ci, table_markdown_junit_and_summary_agree_on_every_verdict, .timeout = 60)
{
    const char *d = tu_tmpdir("ci");
    mixed(d);
    int rc = tu_sh("cd %s && '%s' compare base.json new.json > /dev/null 2>&1", d, tu_busbench());
    cr_assert(rc == BB_EXIT_FAIL, "regressions: exit 1, got %d", rc);
    cr_assert(outputs_agree(d, "base.json", "new.json", "") == 0, "the outputs agree: see %s/agree.txt and t.txt, m.md, j.xml", d);
    /* the summary line, exactly: counted from the rows */
    cr_assert(tu_sh("cd %s && grep -qxF '5 configurations compared, 2 not compared: counters 2 same, 1 up, 1 down, 1 wrong "
                    "render; instructions 2 same, 1 not compared -> REGRESSION' t.txt",
                    d) == 0, "the summary: see %s/t.txt", d);
    cr_assert(tu_sh("cd %s && grep -q '^w/serial/threads:2/pin:compact .*REGRESSION (up)$' t.txt && "
                    "! grep -q 'threads:2/pin:compact *instr' t.txt", d) == 0,
              "the 2-thread row that lists a counter that went up says so; no instruction row above 1 thread: %s/t.txt", d);
    int n;
    char *all = junit_cases(d, &n);
    cr_assert(n == 10, "8 checks of 5 configurations, 2 configurations in one file: %s", all);
    cr_assert(strstr(all, "busbench.w|w/serial/threads:2/pin:compact: counters|failure|synth_calls 12 -> 13\n"),
              "a 2-thread counter check is a real case, here failed: %s", all);
    cr_assert(strstr(all, "busbench.w|w/cycle/threads:2/pin:compact: counters|passed|\n"), "... here passed: %s", all);
    cr_assert(strstr(all, "busbench.w|w/cycle/threads:1/pin:compact: counters|failure|synth_calls 12 -> 11 (fewer is no "
                          "regression: re-make the baseline if intended)\n"), "%s", all);
    cr_assert(strstr(all, "busbench.w|w/bad/threads:1/pin:compact: counters|failure|wrong render: audio differs at frame "
                          "22050 (cycle 1, beat 0, 0.5 s)\n"), "a wrong render's case names the frame: %s", all);
    cr_assert(strstr(all, "busbench.w|w/bad/threads:1/pin:compact: instructions|skipped|not compared: NEW's render was wrong"),
              "its instructions are not compared: %s", all);
    cr_assert(strstr(all, "busbench.new|new/serial/threads:1/pin:compact|skipped|not compared: not in BASE\n"), "%s", all);
    free(all);
    /* the checker is no rubber stamp: another comparison's JUnit disagrees with this table */
    files(d, true, true, "cpu A");
    cr_assert(tu_sh("cd %s && '%s' compare base.json new.json --junit j.xml > /dev/null 2>&1", d, tu_busbench()) == 1);
    cr_assert(agree(d) == 1, "agree.py finds that the JUnit of another comparison disagrees with the table");
    cr_assert(tu_sh("grep -q 'test cases for 10 table rows' %s/agree.txt", d) == 0, "and says why: %s/agree.txt", d);
}

/* Instruction results of w/serial at 1 thread and w/cycle at 2 (3 rounds each: no instruction check
 * at 2 threads, so cycle's counters are the last row) where only that last row moved,
 * as kind says: 0 NEW's cycle render was wrong; 1 its synthesis calls went up and its counters varied
 * between rounds; 2 nothing moved. What broke is listed above the table from the last row too, and
 * the blank line after the list comes with it only. */
static void last_row(const char *d, int kind)
{
    for (int which = 0; which < 2; which++) {
        bb_results r;
        bb_json_results_init(&r);
        r.context = tu_ctx("cpu A");
        tu_config(bb_json_results_add(&r, 3), "w", "serial", 1, 10, 0);
        bb_bres *c = bb_json_results_add(&r, 3);
        tu_config(c, "w", "cycle", 2, 10, 0);
        if (which && kind == 0)
            snprintf(c->error, sizeof c->error, "wrong render: audio differs at frame 7 (cycle 0, beat 0, 0.0 s)");
        if (which && kind == 1) {
            c->counters.synth_calls++;
            c->counters_stable = false;
        }
        char p[256];
        snprintf(p, sizeof p, "%s/%s.json", d, which ? "new" : "base");
        bb_error err;
        cr_assert(bb_json_write(&r, p, &err) == BB_OK, "%s", err.msg);
        bb_json_results_free(&r);
        tu_make_instr(p, 1e9, "valgrind-3.19.0");
    }
}

/* ---- the whole outputs ------------------------------------------------------------------------ */

/* compare BASE NEW in d, its output of the given form (OPTS: --markdown, or --junit j.xml and the
 * file read back) as a string (malloc'ed), its exit status in *rc. */
static char *whole_output(const char *d, const char *opts, bool junit, int *rc)
{
    *rc = tu_sh("cd %s && '%s' compare base.json new.json %s > out.txt 2>/dev/null", d, tu_busbench(), opts);
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d, junit ? "j.xml" : "out.txt");
    char *all = tu_slurp(p, NULL);
    cr_assert_not_null(all, "%s", p);
    return all;
}

/* compare --junit on files(d, true, true, "cpu A"): 7 cases, 2 failures (a counter up, a time slower), 1 skipped */
static const char JUNIT_FILES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<testsuites name=\"busbench compare\" tests=\"7\" failures=\"2\" errors=\"0\" skipped=\"1\">\n"
    "  <testsuite name=\"busbench compare\" tests=\"7\" failures=\"2\" errors=\"0\" skipped=\"1\" timestamp=\"2026-01-01T00:00:00+00:00\">\n"
    "    <properties>\n"
    "      <property name=\"base\" value=\"base.json\"/>\n"
    "      <property name=\"new\" value=\"new.json\"/>\n"
    "      <property name=\"base_commit\" value=\"abc\"/>\n"
    "      <property name=\"new_commit\" value=\"abc\"/>\n"
    "    </properties>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/serial/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <system-out>counters: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/serial/threads:1/pin:compact: time\" time=\"0\">\n"
    "      <failure type=\"regression\" message=\"time slower: +30.00% (threshold 5%)\"/>\n"
    "      <system-out>time: 9.990 ms -&gt; 12.987 ms, change +30.00% [+29.0%, +31.2%], p 0.0000: REGRESSION (slower); no noise floor of its own in BASE: the global floor 5.00% is used</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/cycle/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <failure type=\"regression\" message=\"synth_calls 12 -&gt; 13\"/>\n"
    "      <system-out>counters: REGRESSION (up)</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/cycle/threads:1/pin:compact: time\" time=\"0\">\n"
    "      <system-out>time: 4.995 ms -&gt; 4.995 ms, change +0.00% [-0.8%, +0.8%], p 1.0000: same; no noise floor of its own in BASE: the global floor 5.00% is used</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/a&amp;b&lt;c&gt;/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <system-out>counters: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/a&amp;b&lt;c&gt;/threads:1/pin:compact: time\" time=\"0\">\n"
    "      <system-out>time: 4.995 ms -&gt; 4.995 ms, change +0.00% [-0.8%, +0.9%], p 1.0000: same; no noise floor of its own in BASE: the global floor 5.00% is used</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.gone\" name=\"gone/serial/threads:1/pin:compact\" time=\"0\">\n"
    "      <skipped message=\"not compared: not in NEW\"/>\n"
    "      <system-out>counters: not compared; not in NEW</system-out>\n"
    "    </testcase>\n"
    "  </testsuite>\n"
    "</testsuites>\n";

/* compare --junit on mixed(d): 10 cases, 3 failures (a counter up, one down, a wrong render), 3 skipped */
static const char JUNIT_MIXED[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<testsuites name=\"busbench compare\" tests=\"10\" failures=\"3\" errors=\"0\" skipped=\"3\">\n"
    "  <testsuite name=\"busbench compare\" tests=\"10\" failures=\"3\" errors=\"0\" skipped=\"3\" timestamp=\"2026-01-01T00:00:00+00:00\">\n"
    "    <properties>\n"
    "      <property name=\"base\" value=\"base.json\"/>\n"
    "      <property name=\"new\" value=\"new.json\"/>\n"
    "      <property name=\"base_commit\" value=\"abc\"/>\n"
    "      <property name=\"new_commit\" value=\"abc\"/>\n"
    "    </properties>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/serial/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <system-out>counters: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/serial/threads:1/pin:compact: instructions\" time=\"0\">\n"
    "      <system-out>instr: 1000.000 M -&gt; 1000.000 M, change +0.00% exact, p -: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/serial/threads:2/pin:compact: counters\" time=\"0\">\n"
    "      <failure type=\"regression\" message=\"synth_calls 12 -&gt; 13\"/>\n"
    "      <system-out>counters: REGRESSION (up)</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/cycle/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <failure type=\"changed\" message=\"synth_calls 12 -&gt; 11 (fewer is no regression: re-make the baseline if intended)\"/>\n"
    "      <system-out>counters: CHANGED (down)</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/cycle/threads:1/pin:compact: instructions\" time=\"0\">\n"
    "      <system-out>instr: 500.000 M -&gt; 500.000 M, change +0.00% exact, p -: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/cycle/threads:2/pin:compact: counters\" time=\"0\">\n"
    "      <system-out>counters: same</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/bad/threads:1/pin:compact: counters\" time=\"0\">\n"
    "      <failure type=\"regression\" message=\"wrong render: audio differs at frame 22050 (cycle 1, beat 0, 0.5 s)\"/>\n"
    "      <system-out>counters: REGRESSION (wrong render); NEW: wrong render: audio differs at frame 22050 (cycle 1, beat 0, 0.5 s)</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.w\" name=\"w/bad/threads:1/pin:compact: instructions\" time=\"0\">\n"
    "      <skipped message=\"not compared: NEW&apos;s render was wrong: its measurements describe no correct render\"/>\n"
    "      <system-out>instr: - -&gt; -, change - -, p -: not compared; NEW&apos;s render was wrong: its measurements describe no correct render</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.gone\" name=\"gone/serial/threads:1/pin:compact\" time=\"0\">\n"
    "      <skipped message=\"not compared: not in NEW\"/>\n"
    "      <system-out>counters: not compared; not in NEW</system-out>\n"
    "    </testcase>\n"
    "    <testcase classname=\"busbench.new\" name=\"new/serial/threads:1/pin:compact\" time=\"0\">\n"
    "      <skipped message=\"not compared: not in BASE\"/>\n"
    "      <system-out>counters: not compared; not in BASE</system-out>\n"
    "    </testcase>\n"
    "  </testsuite>\n"
    "</testsuites>\n";

/* compare --markdown on files(d, true, true, "cpu A") */
static const char MD_FILES[] =
    "### busbench compare: REGRESSION\n"
    "\n"
    "BASE `base.json` (commit `abc`, 2026-01-01T00:00:00+00:00) against NEW `new.json` (commit `abc`, 2026-01-01T00:00:00+00:00).\n"
    "\n"
    "Gates: deterministic counters exact; time: U test p < 0.05 and change beyond each configuration's noise floor in BASE (at least 5%).\n"
    "\n"
    "**3 configurations compared, 1 not compared: counters 2 same, 1 up; time 2 same, 1 slower -> REGRESSION**\n"
    "\n"
    "- `w/cycle/threads:1/pin:compact`: counter **synth_calls** 12 -> 13\n"
    "\n"
    "| configuration | check | old | new | change | 95% CI | p | verdict |\n"
    "|---|---|---:|---:|---:|---|---:|---|\n"
    "| `w/serial/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/serial/threads:1/pin:compact` | time | 9.990 ms | 12.987 ms | +30.00% | [+29.0%, +31.2%] | 0.0000 | **REGRESSION (slower)** |\n"
    "| `w/cycle/threads:1/pin:compact` | counters | - | - | - | exact | - | **REGRESSION (up)** |\n"
    "| `w/cycle/threads:1/pin:compact` | time | 4.995 ms | 4.995 ms | +0.00% | [-0.8%, +0.8%] | 1.0000 | same |\n"
    "| `w/a&b<c>/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/a&b<c>/threads:1/pin:compact` | time | 4.995 ms | 4.995 ms | +0.00% | [-0.8%, +0.9%] | 1.0000 | same |\n"
    "| `gone/serial/threads:1/pin:compact` | counters | - | - | - | - | - | not compared |\n"
    "\n"
    "<details><summary>warnings</summary>\n"
    "\n"
    "- 3 configurations without a noise floor of their own in BASE used the global floor (5.00%): re-calibrate (busbench calibrate --record BASE) to give each its own\n"
    "\n"
    "</details>\n";

/* compare --markdown on mixed(d) */
static const char MD_MIXED[] =
    "### busbench compare: REGRESSION\n"
    "\n"
    "BASE `base.json` (commit `abc`, 2026-01-01T00:00:00+00:00) against NEW `new.json` (commit `abc`, 2026-01-01T00:00:00+00:00).\n"
    "\n"
    "Gates: deterministic counters exact; instructions +-1% (at 1 thread).\n"
    "\n"
    "**5 configurations compared, 2 not compared: counters 2 same, 1 up, 1 down, 1 wrong render; instructions 2 same, 1 not compared -> REGRESSION**\n"
    "\n"
    "- `w/bad/threads:1/pin:compact`: **wrong render: audio differs at frame 22050 (cycle 1, beat 0, 0.5 s)** (its counters, instructions and times are not compared)\n"
    "- `w/serial/threads:2/pin:compact`: counter **synth_calls** 12 -> 13\n"
    "- `w/cycle/threads:1/pin:compact`: counter **synth_calls** 12 -> 11 (fewer: re-make the baseline if intended)\n"
    "\n"
    "| configuration | check | old | new | change | 95% CI | p | verdict |\n"
    "|---|---|---:|---:|---:|---|---:|---|\n"
    "| `w/serial/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/serial/threads:1/pin:compact` | instr | 1000.000 M | 1000.000 M | +0.00% | exact | - | same |\n"
    "| `w/serial/threads:2/pin:compact` | counters | - | - | - | exact | - | **REGRESSION (up)** |\n"
    "| `w/cycle/threads:1/pin:compact` | counters | - | - | - | exact | - | **CHANGED (down)** |\n"
    "| `w/cycle/threads:1/pin:compact` | instr | 500.000 M | 500.000 M | +0.00% | exact | - | same |\n"
    "| `w/cycle/threads:2/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/bad/threads:1/pin:compact` | counters | - | - | - | - | - | **REGRESSION (wrong render)** |\n"
    "| `w/bad/threads:1/pin:compact` | instr | - | - | - | - | - | not compared |\n"
    "| `gone/serial/threads:1/pin:compact` | counters | - | - | - | - | - | not compared |\n"
    "| `new/serial/threads:1/pin:compact` | counters | - | - | - | - | - | not compared |\n";

/* compare --markdown on last_row(d, kind) for kind 0, 1, 2 */
static const char *const MD_LAST[3] = {
    "### busbench compare: REGRESSION\n"
    "\n"
    "BASE `base.json` (commit `abc`, 2026-01-01T00:00:00+00:00) against NEW `new.json` (commit `abc`, 2026-01-01T00:00:00+00:00).\n"
    "\n"
    "Gates: deterministic counters exact; instructions +-1% (at 1 thread).\n"
    "\n"
    "**2 configurations compared: counters 1 same, 1 wrong render; instructions 1 same -> REGRESSION**\n"
    "\n"
    "- `w/cycle/threads:2/pin:compact`: **wrong render: audio differs at frame 7 (cycle 0, beat 0, 0.0 s)** (its counters, instructions and times are not compared)\n"
    "\n"
    "| configuration | check | old | new | change | 95% CI | p | verdict |\n"
    "|---|---|---:|---:|---:|---|---:|---|\n"
    "| `w/serial/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/serial/threads:1/pin:compact` | instr | 1000.000 M | 1000.000 M | +0.00% | exact | - | same |\n"
    "| `w/cycle/threads:2/pin:compact` | counters | - | - | - | - | - | **REGRESSION (wrong render)** |\n",
    "### busbench compare: REGRESSION\n"
    "\n"
    "BASE `base.json` (commit `abc`, 2026-01-01T00:00:00+00:00) against NEW `new.json` (commit `abc`, 2026-01-01T00:00:00+00:00).\n"
    "\n"
    "Gates: deterministic counters exact; instructions +-1% (at 1 thread).\n"
    "\n"
    "**2 configurations compared: counters 1 same, 1 varied; instructions 1 same -> REGRESSION**\n"
    "\n"
    "- `w/cycle/threads:2/pin:compact`: counter **synth_calls** 12 -> 13\n"
    "- `w/cycle/threads:2/pin:compact`: deterministic counters varied between rounds\n"
    "\n"
    "| configuration | check | old | new | change | 95% CI | p | verdict |\n"
    "|---|---|---:|---:|---:|---|---:|---|\n"
    "| `w/serial/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/serial/threads:1/pin:compact` | instr | 1000.000 M | 1000.000 M | +0.00% | exact | - | same |\n"
    "| `w/cycle/threads:2/pin:compact` | counters | - | - | - | exact | - | **REGRESSION (varied)** |\n",
    "### busbench compare: no regression\n"
    "\n"
    "BASE `base.json` (commit `abc`, 2026-01-01T00:00:00+00:00) against NEW `new.json` (commit `abc`, 2026-01-01T00:00:00+00:00).\n"
    "\n"
    "Gates: deterministic counters exact; instructions +-1% (at 1 thread).\n"
    "\n"
    "**2 configurations compared: counters 2 same; instructions 1 same -> ok**\n"
    "\n"
    "| configuration | check | old | new | change | 95% CI | p | verdict |\n"
    "|---|---|---:|---:|---:|---|---:|---|\n"
    "| `w/serial/threads:1/pin:compact` | counters | - | - | - | exact | - | same |\n"
    "| `w/serial/threads:1/pin:compact` | instr | 1000.000 M | 1000.000 M | +0.00% | exact | - | same |\n"
    "| `w/cycle/threads:2/pin:compact` | counters | - | - | - | exact | - | same |\n"};

/* The output of compare OPTS on the files in d is want, every byte, with exit status st. */
static void expect_whole(const char *d, const char *opts, bool junit, int st, const char *want, const char *what)
{
    int rc;
    char *all = whole_output(d, opts, junit, &rc);
    cr_expect_eq(rc, st, "%s: exit %d", what, rc);
    cr_expect_str_eq(all, want, "%s", what);
    free(all);
}

/* The JUnit file, every byte: the totals of <testsuites> and <testsuite>, the properties, and every
 * case with its failure or skipped message and its numbers. On files(): a counter up and a time 30%
 * slower (2 failures of 7, 1 skipped); on mixed(): every verdict of the gate on instructions. */
Test(ci, junit_is_exact, .timeout = 60)
{
    const char *d = tu_tmpdir("ci");
    files(d, true, true, "cpu A");
    expect_whole(d, "--junit j.xml", true, BB_EXIT_FAIL, JUNIT_FILES, "files");
    d = tu_tmpdir("ci");
    mixed(d);
    expect_whole(d, "--junit j.xml", true, BB_EXIT_FAIL, JUNIT_MIXED, "mixed");
}

/* The Markdown, every byte: title, files and commits, gates, summary, what broke, the table (one row
 * per check, failures in bold), on the same two comparisons as junit_is_exact, and on three where
 * only the last row moved (a wrong render; a counter up that also varied; nothing: no list). */
Test(ci, markdown_is_exact, .timeout = 60)
{
    const char *d = tu_tmpdir("ci");
    files(d, true, true, "cpu A");
    expect_whole(d, "--markdown", false, BB_EXIT_FAIL, MD_FILES, "files");
    d = tu_tmpdir("ci");
    mixed(d);
    expect_whole(d, "--markdown", false, BB_EXIT_FAIL, MD_MIXED, "mixed");
    static const char *const kinds[] = {"a wrong render", "a counter up that varied", "nothing moved"};
    for (int kind = 0; kind < 3; kind++) {
        d = tu_tmpdir("ci");
        last_row(d, kind);
        expect_whole(d, "--markdown", false, kind == 2 ? BB_EXIT_OK : BB_EXIT_FAIL, MD_LAST[kind], kinds[kind]);
    }
}

/* ---- the CI examples, run as copied ---------------------------------------------------------- */

/* The totals of DIR/gate-out/junit.xml into DIR/totals.txt (TOTALS_CMD's lines). */
static char *gate_totals(const char *d)
{
    char sub[256], p[300];
    snprintf(sub, sizeof sub, "%s/r/gate-out", d);
    cr_assert(tu_sh("cp %s/junit.xml %s/j.xml", sub, sub) == 0 && tu_sh(TOTALS_CMD, sub) == 0, "see %s", sub);
    snprintf(p, sizeof p, "%s/totals.txt", sub);
    char *t = tu_slurp(p, NULL);
    cr_assert_not_null(t);
    return t;
}

Test(ci, the_github_workflow_makes_its_baseline_on_the_runner, .timeout = 600)
{
    const char *bin = tu_busbench();
    char corpus[128], cwd[PATH_MAX];
    snprintf(corpus, sizeof corpus, "%s", tu_tiny_corpus("cigate", 4));
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    const char *d = tu_tmpdir("ciwf");
    /* the YAML, as GitHub reads it; its run: scripts, as bash reads them; its first lines say where the baseline comes from */
    cr_assert(tu_sh("/usr/bin/python3 tests/ci/workflow.py harness/ci/github-actions.yml %s/wf > %s/steps.txt 2> %s/wf.err", d,
                    d, d) == 0, "the workflow: see %s/wf.err", d);
    cr_assert(tu_sh("test -s %s/wf/gate-base.sh && test -s %s/wf/gate-gate.sh", d, d) == 0);
    cr_assert(tu_sh("head -8 harness/ci/github-actions.yml | grep -q 'The baseline is made here, not committed'") == 0);
    /* a repository: main c1 -> c2; pr from c1 -> c3, checked out (as a pull request's head) */
    cr_assert(tu_sh("cd %s && mkdir r tmp && cd r && G='git -c user.name=t -c user.email=t@t' && git init -q -b main . && "
                    "mkdir -p harness/ci && cp '%s/harness/ci/gate.sh' harness/ci/ && echo 1 > f && git add -A && "
                    "$G commit -qm c1 && echo 2 > f && $G commit -qam c2 && git checkout -qb pr HEAD~1 && echo 3 > g && "
                    "git add g && $G commit -qm c3", d, cwd) == 0, "a git repository in %s/r", d);
    /* the step that finds the commit to compare with */
    cr_assert(tu_sh("cd %s/r && PR_BASE=$(git rev-parse main) BEFORE= GITHUB_OUTPUT=../o1 bash ../wf/gate-base.sh && "
                    "test \"$(cat ../o1)\" = \"sha=$(git rev-parse main~1)\"", d) == 0, "a pull request: the merge base");
    cr_assert(tu_sh("cd %s/r && PR_BASE= BEFORE=$(git rev-parse main) GITHUB_OUTPUT=../o2 bash ../wf/gate-base.sh && "
                    "test \"$(cat ../o2)\" = \"sha=$(git rev-parse main)\"", d) == 0, "a push: the commit before it");
    cr_assert(tu_sh("cd %s/r && PR_BASE= BEFORE=0000000000000000000000000000000000000000 GITHUB_OUTPUT=../o3 "
                    "bash ../wf/gate-base.sh && test \"$(cat ../o3)\" = \"sha=$(git rev-parse HEAD~1)\"", d) == 0,
              "a new branch: its parent");
    /* the gate step, against the tiny corpus; the worktree's build is a copy of this one */
    char env[1024];
    snprintf(env, sizeof env,
             "BASE_SHA=$(git rev-parse main~1) TMPDIR=%s/tmp GITHUB_STEP_SUMMARY=%s/step.md "
             "BUSBENCH_BUILD=\"mkdir -p build && cp '%s' build/busbench\" "
             "BUSBENCH_GATE_FLAGS='--golden %s --strategies serial,cycle --threads 1,2'",
             d, d, bin, corpus);
    int rc = tu_sh("cd %s/r && %s BUSBENCH='%s' bash ../wf/gate-gate.sh > ../gate.txt 2>&1", d, env, bin);
    cr_assert(rc == 0, "an unchanged tree passes, got %d: see %s/gate.txt", rc, d);
    cr_assert(tu_sh("grep -q '^### busbench compare: no regression$' %s/step.md", d) == 0, "the job summary");
    cr_assert(tu_sh("cd %s/r && test $(git worktree list | wc -l) = 1 && test -z \"$(ls ../tmp)\"", d) == 0,
              "the worktree and its folder are gone");
    char *tot = gate_totals(d);
    cr_expect_str_eq(tot, "testsuites 6 0 0 0\ntestsuite 6 0 0 0\ncases 6 0 0 0\n",
                     "counters at 1 and 2 threads and instructions at 1, of serial and cycle: all ran, all passed");
    free(tot);
    cr_assert(tu_sh("cd %s/r/gate-out && '%s' compare base.json new.json > t.txt; cp summary.md m.md && cp junit.xml j.xml", d,
                    bin) == 0);
    char sub[256];
    snprintf(sub, sizeof sub, "%s/r/gate-out", d);
    cr_assert(agree(sub) == 0, "the outputs of real benches agree: see %s/agree.txt", sub);

    /* 5% more work in this tree (bench's test-only --extra-work): its instructions fail the gate */
    char slow[300];
    snprintf(slow, sizeof slow, "%s/slow.sh", d);
    FILE *f = fopen(slow, "w");
    cr_assert_not_null(f);
    fprintf(f, "#!/bin/sh\nif [ \"$1\" = bench ]; then exec '%s' \"$@\" --extra-work 5; fi\nexec '%s' \"$@\"\n", bin, bin);
    fclose(f);
    cr_assert(chmod(slow, 0755) == 0);
    rc = tu_sh("cd %s/r && %s BUSBENCH='%s' bash ../wf/gate-gate.sh > ../gate5.txt 2>&1", d, env, slow);
    cr_assert(rc == 1, "5%% more work fails, got %d: see %s/gate5.txt", rc, d);
    tot = gate_totals(d);
    cr_expect_str_eq(tot, "testsuites 6 2 0 0\ntestsuite 6 2 0 0\ncases 6 2 0 0\n", "the two instruction checks failed");
    free(tot);
    cr_assert(tu_sh("grep -A1 'name=\"tiny/serial/threads:1/pin:compact: instructions\"' %s/r/gate-out/junit.xml | "
                    "grep -q 'message=\"instructions slower: +[0-9.]*%% (threshold 1%%)'", d) == 0,
              "named: see %s/r/gate-out/junit.xml", d);

    /* a ref that is no commit */
    rc = tu_sh("cd %s/r && BUSBENCH='%s' bash harness/ci/gate.sh nosuchref > ../bad.txt 2>&1", d, bin);
    cr_assert(rc == 2 && tu_sh("grep -q \"'nosuchref' is not a commit of this clone\" %s/bad.txt", d) == 0,
              "exit 2 and why, got %d: see %s/bad.txt", rc, d);
}
