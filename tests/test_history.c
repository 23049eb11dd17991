/* test_history.c - Criterion suite "history": `busbench history`.
 *
 * - 24 synthetic commits (given out of order: the dates order them) whose
 *   instruction counts wander by 0.01% with one +3% step at one commit: the
 *   change points name exactly that commit, no other, in changes.tsv and in
 *   history.md; every configuration gets its trend figure (PNG and SVG).
 * - A deterministic counter that moves (up, then down) is a change point at
 *   each of the two commits.
 * - Two commits that each move one counter: changes.tsv, every line of it,
 *   names each commit and the one before it; commits dated in three time
 *   zones are ordered by the instant.
 * - Four commits (one without a commit date, times only; one with times and
 *   instructions; an environment change): history.md, changes.tsv, the trend's
 *   data and the summary line, asserted whole.
 * - Bad inputs (an empty file, truncated JSON, another tool's JSON, a
 *   document of several machines, a single result) are exit 2 with one line,
 *   and nothing is written. */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_json.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

enum { COMMITS = 24, STEP = 13 };

/* Commit k's result: instructions 1e9 x wobble (x 1.03 from STEP on), cycle's synth_calls + bump,
 * serial's preprocess_calls + bump_pre; dated day k. */
static void commit_result2(const char *dir, int k, double wobble, double step, uint64_t bump, uint64_t bump_pre)
{
    bb_results r;
    bb_json_results_init(&r);
    r.context = tu_ctx("cpu A");
    char s[64], path[256];
    snprintf(s, sizeof s, "c%02d%08x", k, (unsigned)k * 2654435761u);
    json_object_set_new(r.context, "git_commit", json_string(s));
    snprintf(s, sizeof s, "2026-03-%02dT12:00:00+02:00", k + 1);
    json_object_set_new(r.context, "git_commit_date", json_string(s));
    bb_bres *c = bb_json_results_add(&r, 5);
    tu_config(c, "w", "serial", 1, 10, 0.01);
    c->counters.preprocess_calls += bump_pre;
    c = bb_json_results_add(&r, 5);
    tu_config(c, "w", "cycle", 1, 5, 0.01);
    c->counters.synth_calls += bump;
    bb_error err;
    snprintf(path, sizeof path, "%s/r%02d.json", dir, k);
    cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
    tu_make_instr(path, 1e9 * wobble * step, "valgrind-3.19.0");
}

static void commit_result(const char *dir, int k, double wobble, double step, uint64_t bump)
{
    commit_result2(dir, k, wobble, step, bump, 0);
}

/* history of every commit, the files listed in a scrambled order. */
static int history(const char *d, const char *extra)
{
    char list[4096] = "";
    for (int i = 0; i < COMMITS; i++) {
        int k = (i * 7) % COMMITS; /* 7 is prime to 24: a permutation */
        size_t u = strlen(list);
        snprintf(list + u, sizeof list - u, " r%02d.json", k);
    }
    return tu_sh("cd %s && '%s' history%s -o out %s >log.txt 2>&1", d, tu_busbench(), list, extra);
}

static int lines_with(const char *path, const char *what)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) n += strstr(line, what) != NULL;
    fclose(f);
    return n;
}

Test(history, an_injected_3pct_instruction_step_names_exactly_its_commit, .timeout = 120)
{
    const char *d = tu_tmpdir("hist");
    for (int k = 0; k < COMMITS; k++)
        commit_result(d, k, 1 + 1e-4 * (double)((k * 5) % 3 - 1), k >= STEP ? 1.03 : 1, 0);
    cr_assert(history(d, "") == 0);
    char p[256], want[64];
    snprintf(want, sizeof want, "c%02d%08x\t", STEP, (unsigned)STEP * 2654435761u);
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    cr_assert(lines_with(p, "\t") == 3, "a header and two change points (serial and cycle at the step)");
    cr_assert(lines_with(p, want) == 2 && lines_with(p, "\tinstructions\t") == 2, "both at commit %d, both instructions", STEP);
    snprintf(p, sizeof p, "%s/out/history.md", d);
    want[strlen(want) - 1] = '\0';
    cr_assert(lines_with(p, want) == 3, "the commits table and two change-point rows name commit %d", STEP);
    cr_assert(lines_with(p, "| +3.0") == 2, "the step's size, +3%% (and the wobble)");
    cr_assert(tu_sh("cd %s/out && test -s trend_w_serial_threads_1_pin_compact.png && test -s trend_w_cycle_threads_1_pin_compact.svg",
                    d) == 0);
    cr_assert(tu_sh("cd %s/out && cmark-gfm -e table history.md | grep -c '<table>' | grep -qx 2", d) == 0,
              "the Markdown renders its two tables");
    /* with a tolerance above the step, nothing is a change point */
    cr_assert(history(d, "--instr-tolerance 5") == 0);
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    cr_assert(lines_with(p, "\t") == 1, "only the header");
}

Test(history, a_counter_that_moves_is_a_change_point_both_ways, .timeout = 120)
{
    const char *d = tu_tmpdir("hist");
    for (int k = 0; k < COMMITS; k++) commit_result(d, k, 1, 1, k >= 5 && k < 9 ? 1 : 0);
    cr_assert(history(d, "") == 0);
    char p[256];
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    cr_assert(lines_with(p, "\tsynth_calls\t") == 2, "up at commit 5, down at commit 9");
    cr_assert(lines_with(p, "c05") == 1 && lines_with(p, "c09") == 1);
    cr_assert(lines_with(p, "\t12\t13\t") == 1 && lines_with(p, "\t13\t12\t") == 1, "before and after, each way");
}

/* Commit 5 moves cycle's synth_calls, commit 9 serial's preprocess_calls:
 * changes.tsv is exactly its header and two lines, each naming the commit that
 * moved the counter and the one before it, the configuration, the counter,
 * before, after and the change. */
Test(history, the_change_list_is_exactly_the_two_counter_moves, .timeout = 120)
{
    const char *d = tu_tmpdir("hist");
    for (int k = 0; k < COMMITS; k++) commit_result2(d, k, 1, 1, k >= 5, k >= 9);
    cr_assert(history(d, "") == 0);
    char p[256], want[1024];
#define C(k) (unsigned)(k), (unsigned)(k) * 2654435761u
    snprintf(want, sizeof want,
             "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n"
             "c%02d%08x\tc%02d%08x\tw/cycle/threads:1/pin:compact\tsynth_calls\t12\t13\t8.333333\n"
             "c%02d%08x\tc%02d%08x\tw/serial/threads:1/pin:compact\tpreprocess_calls\t8\t9\t12.500000\n",
             C(5), C(4), C(9), C(8));
#undef C
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    char *got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want);
    free(got);
}

/* A result of commit `commit` dated `date` (NULL: no commit date, the bench's date 2026-01-01 counts),
 * cycle's synth_calls = synth, its median time 5.01 ms (tu_config: 4.95, 5.02, 4.98, 5.05, 5.01) with the
 * interval [4.98, 5.02] ms,
 * its instructions ir / 2 measured under valgrind vg (vg NULL: times only; time: times too). */
static void dated_result_ir(const char *dir, const char *commit, const char *date, uint64_t synth, double ir, const char *vg,
                            bool time)
{
    bb_results r;
    bb_json_results_init(&r);
    r.context = tu_ctx("cpu A");
    json_object_set_new(r.context, "git_commit", json_string(commit));
    if (date) json_object_set_new(r.context, "git_commit_date", json_string(date));
    bb_bres *c = bb_json_results_add(&r, 5);
    tu_config(c, "w", "cycle", 1, 5, 0.01);
    c->counters.synth_calls = synth;
    c->ci_lo = 4.98e6;
    c->ci_hi = 5.02e6;
    char path[256];
    snprintf(path, sizeof path, "%s/%s.json", dir, commit);
    bb_error err;
    cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
    if (!vg) return;
    tu_make_instr(path, ir, vg);
    if (!time) return;
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc);
    json_array_append_new(json_object_get(json_object_get(doc, "context"), "metrics"), json_string("time"));
    cr_assert(json_dump_file(doc, path, JSON_INDENT(1)) == 0);
    json_decref(doc);
}

static void dated_result(const char *dir, const char *commit, const char *date, uint64_t synth)
{
    dated_result_ir(dir, commit, date, synth, 1e9, "valgrind-3.19.0", false);
}

/* Commit dates in three time zones: ordered by the instant (07:00, 10:00,
 * 11:00 UTC), not by the local clock (12:00, 10:00, 08:00), so the change
 * list runs a -> b -> c. */
Test(history, commits_are_ordered_by_the_instant_whatever_their_time_zone, .timeout = 60)
{
    const char *d = tu_tmpdir("hist");
    dated_result(d, "ca", "2026-03-01T12:00:00+05:00", 12);
    dated_result(d, "cb", "2026-03-01T10:00:00Z", 13);
    dated_result(d, "cc", "2026-03-01T08:00:00-03:00", 14);
    cr_assert(tu_sh("cd %s && '%s' history cc.json ca.json cb.json -o out >log.txt 2>&1", d, tu_busbench()) == 0);
    char p[256];
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    char *got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n"
                          "cb\tca\tw/cycle/threads:1/pin:compact\tsynth_calls\t12\t13\t8.333333\n"
                          "cc\tcb\tw/cycle/threads:1/pin:compact\tsynth_calls\t13\t14\t7.692308\n");
    free(got);
}

/* 2100 is not a leap year: 2100-02-28T20:00-12:00 is 2100-03-01T08:00Z, after 2100-03-01T06:00Z
 * (with a 29 February between, it would come first). */
Test(history, the_instant_of_a_date_follows_the_gregorian_calendar, .timeout = 60)
{
    const char *d = tu_tmpdir("hist");
    dated_result(d, "ya", "2100-02-28T20:00:00-12:00", 12);
    dated_result(d, "yb", "2100-03-01T06:00:00Z", 13);
    cr_assert(tu_sh("cd %s && '%s' history ya.json yb.json -o out >log.txt 2>&1", d, tu_busbench()) == 0);
    char p[256];
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    char *got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n"
                          "ya\tyb\tw/cycle/threads:1/pin:compact\tsynth_calls\t13\t12\t-7.692308\n");
    free(got);
}

/* Four commits, asserted whole: c0 has no commit date (its bench date, 2026-01-01, orders it
 * first) and times only, ca times and instructions, cb and cc instructions only; ca, cb, cc are
 * ordered by the instant; cb moves synth_calls 12 -> 13; cc moves the
 * instructions by +10% (5e8 -> 5.5e8: the result's cycle configuration counts half of 1e9, 1.1e9)
 * under another valgrind (an environment row). history.md (both tables, the figure), changes.tsv,
 * the trend's data and the summary on stdout, every line. */
Test(history, four_commits_give_exactly_these_tables_data_and_summary, .timeout = 60)
{
    const char *d = tu_tmpdir("hist");
    dated_result_ir(d, "c0", NULL, 12, 0, NULL, true);
    dated_result_ir(d, "ca", "2026-03-01T12:00:00+05:00", 12, 1e9, "valgrind-3.19.0", true);
    dated_result_ir(d, "cb", "2026-03-01T10:00:00Z", 13, 1e9, "valgrind-3.19.0", false);
    dated_result_ir(d, "cc", "2026-03-01T08:00:00-03:00", 13, 1.1e9, "valgrind-3.20.0", false);
    cr_assert(tu_sh("cd %s && '%s' history cc.json ca.json c0.json cb.json -o out >log.txt 2>err.txt", d, tu_busbench()) == 0);
    char p[256];
    snprintf(p, sizeof p, "%s/log.txt", d);
    char *got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "busbench history: 4 results, 1 configurations, 2 change points: out/history.md\n");
    free(got);
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n"
                          "cb\tca\tw/cycle/threads:1/pin:compact\tsynth_calls\t12\t13\t8.333333\n"
                          "cc\tcb\tw/cycle/threads:1/pin:compact\tinstructions\t500000000\t550000000\t10.000000\n");
    free(got);
    snprintf(p, sizeof p, "%s/out/history.md", d);
    got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "# busbench history\n"
                     "\n"
                     "4 results, 1 configurations, ordered by commit date (else bench date).\n"
                     "\n"
                     "| # | commit | date | from | configurations | metrics |\n"
                     "|---:|---|---|---|---:|---|\n"
                     "| 0 | `c0` | 2026-01-01T00:00:00+00:00 | `c0.json` | 1 | time |\n"
                     "| 1 | `ca` | 2026-03-01T12:00:00+05:00 | `ca.json` | 1 | time, instructions |\n"
                     "| 2 | `cb` | 2026-03-01T10:00:00Z | `cb.json` | 1 | instructions |\n"
                     "| 3 | `cc` | 2026-03-01T08:00:00-03:00 | `cc.json` | 1 | instructions |\n"
                     "\n"
                     "## Change points\n"
                     "\n"
                     "Between each result and the one before it: deterministic counters that moved (exact), instruction counts that moved by more than 1%. 2 found:\n"
                     "\n"
                     "| commit | after | configuration | what moved | before | after | change |\n"
                     "|---|---|---|---|---:|---:|---:|\n"
                     "| `cb` | `ca` | `w/cycle/threads:1/pin:compact` | synth_calls | 12 | 13 | +8.333% |\n"
                     "| `cc` | `cb` | (environment) | valgrind differs: 'valgrind-3.19.0' (BASE) vs 'valgrind-3.20.0' (NEW)  | | | |\n"
                     "| `cc` | `cb` | `w/cycle/threads:1/pin:compact` | instructions | 500000000 | 550000000 | +10.000% |\n"
                     "\n"
                     "## Trends\n"
                     "\n"
                     "![w/cycle/threads:1/pin:compact](trend_w_cycle_threads_1_pin_compact.png)\n"
                     "\n"
                     "([SVG](trend_w_cycle_threads_1_pin_compact.svg), data `data/trend_w_cycle_threads_1_pin_compact.dat`)\n"
                     "\n");
    free(got);
    snprintf(p, sizeof p, "%s/out/data/trend_w_cycle_threads_1_pin_compact.dat", d);
    got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "# w/cycle/threads:1/pin:compact: index commit median_ms ci95_lo_ms ci95_hi_ms instructions_M (NaN: not measured)\n"
                     "0 \"c0\" 5.01 4.98 5.02 nan\n"
                     "1 \"ca\" 5.01 4.98 5.02 500\n"
                     "2 \"cb\" nan nan nan 500\n"
                     "3 \"cc\" nan nan nan 550\n");
    free(got);
}

/* A result with w/serial and w/cycle, then one with w/cycle alone, then both again, w/serial's
 * counters moved meanwhile: a configuration missing from one of two neighbouring results is
 * no change point between them (nothing to compare), and w/cycle, unchanged, is none either. */
Test(history, a_configuration_missing_from_a_neighbour_is_no_change_point, .timeout = 60)
{
    const char *d = tu_tmpdir("hist");
    for (int k = 0; k < 3; k++) {
        bb_results r;
        bb_json_results_init(&r);
        r.context = tu_ctx("cpu A");
        char s[64], path[256];
        snprintf(s, sizeof s, "k%d", k);
        json_object_set_new(r.context, "git_commit", json_string(s));
        snprintf(s, sizeof s, "2026-03-0%dT12:00:00Z", k + 1);
        json_object_set_new(r.context, "git_commit_date", json_string(s));
        if (k != 1) {
            bb_bres *c = bb_json_results_add(&r, 5);
            tu_config(c, "w", "serial", 1, 10, 0.01);
            c->counters.synth_calls += (uint64_t)k; /* 0, then 2: never neighbours */
        }
        tu_config(bb_json_results_add(&r, 5), "w", "cycle", 1, 5, 0.01);
        bb_error err;
        snprintf(path, sizeof path, "%s/k%d.json", d, k);
        cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);
        bb_json_results_free(&r);
        tu_make_instr(path, 1e9, "valgrind-3.19.0");
    }
    cr_assert(tu_sh("cd %s && '%s' history k0.json k1.json k2.json -o out >log.txt 2>err.txt", d, tu_busbench()) == 0);
    char p[256];
    snprintf(p, sizeof p, "%s/out/changes.tsv", d);
    char *got = tu_slurp(p, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, "commit\tprevious\tconfiguration\tmetric\tbefore\tafter\tchange_pct\n");
    free(got);
}

Test(history, bad_inputs_are_clear_errors)
{
    const char *d = tu_tmpdir("hist");
    commit_result(d, 0, 1, 1, 0);
    commit_result(d, 1, 1, 1, 0);
    cr_assert(tu_sh("cd %s && : > empty.json && head -c 300 r00.json > trunc.json && printf '[1,2]' > other.json && "
                    "'%s' merge --machines r00.json -o mm.json >/dev/null",
                    d, tu_busbench()) == 0);
    static const struct {
        const char *args, *says;
    } bad[] = {{"r00.json empty.json", "empty.json: bad file format: empty file"},
               {"r00.json trunc.json", "trunc.json:"},
               {"r00.json other.json", "expected Google Benchmark JSON"},
               {"r00.json mm.json", "several machines"},
               {"r00.json", "at least two"},
               {"r00.json r01.json --instr-tolerance x", "--instr-tolerance"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = tu_sh("cd %s && '%s' history %s -o out >/dev/null 2>err.txt", d, tu_busbench(), bad[i].args);
        cr_assert(rc == BB_EXIT_USAGE, "%s: exit 2, got %d", bad[i].args, rc);
        char p[256];
        snprintf(p, sizeof p, "%s/err.txt", d);
        cr_assert(lines_with(p, bad[i].says) == 1, "%s: stderr names '%s'", bad[i].args, bad[i].says);
        cr_assert(tu_sh("test ! -e %s/out", d) == 0, "%s: nothing written", bad[i].args);
    }
    /* an option that wants a value, given last */
    int rc = tu_sh("cd %s && '%s' history r00.json r01.json -o out --instr-tolerance >/dev/null 2>err.txt", d, tu_busbench());
    cr_assert(rc == BB_EXIT_USAGE, "--instr-tolerance last: exit 2, got %d", rc);
    char p[256];
    snprintf(p, sizeof p, "%s/err.txt", d);
    cr_assert(lines_with(p, "--instr-tolerance") == 1, "one line on stderr names the option");
    cr_assert(tu_sh("test ! -e %s/out", d) == 0, "nothing written");
}
