/* test_report.c - Criterion suite "report": what `busbench report` says, from results made by hand
 * whose ratios are known.
 *
 * - The two tables: a phase's own effect (each strategy at 1 thread over serial at 1 thread) and
 *   threading's (a strategy at n threads over itself at 1 thread): per-round times are chosen so
 *   that the medians' ratios and their paired bootstrap intervals are exact (cycle's rounds are
 *   serial's halved: 2x, [2, 2]; pool's are serial's in another order: 1x, an interval around 1),
 *   and the tables must show them, with their significance and the counters beside them, and no
 *   serial row.
 * - Oversubscription (more threads than the context's PUs): said at the top, on its rows, and the
 *   bound's words name it instead of imbalance.
 * - A report into an existing report folder replaces it whole (no older file left); a folder that is
 *   not a report is refused; a failed report leaves the old one as it was (needs gnuplot: skipped,
 *   saying so, without it).
 * The tables are written by bb_report_tables_md directly (no gnuplot needed). */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_json.h"
#include "bb_report.h"
#include "bb_report_tables.h"
#include "bb_stats.h"
#include "bb_testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { ROUNDS = 10 };

/* serial's per-round times (ms): 10.0 to 10.9 in a scrambled order */
static double serial_ms(int i) { return 10.0 + 0.1 * ((i * 7) % ROUNDS); }

/* Add configuration (w, st, threads) with round i's time ms(i) * scale (ms), its statistics as the
 * bench computes them and its speedup over ref (serial at 1 thread; NULL: it is the reference). */
static bb_bres *conf(bb_results *r, const char *st, int threads, double (*ms)(int), double scale, bool reversed,
                     const bb_bres *ref)
{
    bb_bres *b = bb_json_results_add(r, ROUNDS);
    cr_assert_not_null(b);
    snprintf(b->workload, sizeof b->workload, "w");
    snprintf(b->strategy, sizeof b->strategy, "%s", st);
    snprintf(b->pin, sizeof b->pin, "compact");
    snprintf(b->name, sizeof b->name, "w/%s/threads:%d/pin:compact", st, threads);
    b->threads = threads, b->sr = 44100, b->block = 512, b->frames = 88200;
    b->deadline_ns = 512.0 / 44100 * 1e9;
    b->window_blocks = 1;
    for (int i = 0; i < ROUNDS; i++) {
        b->rep_ns[i] = ms(reversed ? ROUNDS - 1 - i : i) * scale * 1e6;
        b->rep_cpu_ns[i] = b->rep_ns[i];
    }
    b->valid = ROUNDS, b->iterations = 4, b->renders_checked = 4 * ROUNDS, b->warmup_renders = 4;
    bb_stats_summary(b->rep_ns, ROUNDS, &b->t);
    b->ci_lo = b->t.min, b->ci_hi = b->t.max, b->cpu_median = b->t.median;
    const double *base = ref ? ref->rep_ns : b->rep_ns;
    b->speedup = bb_stats_median(base, ROUNDS) / b->t.median;
    bb_stats_bootstrap_ratio_ci(base, b->rep_ns, ROUNDS, BB_STATS_BOOT_DEFAULT, 0.95, 7, &b->sp_lo, &b->sp_hi);
    b->pairs = ROUNDS;
    b->seq_ns = 0.3 * b->t.median, b->par_ns = 0.7 * b->t.median;
    b->counters.synth_calls = 12, b->counters.requests = 12;
    return b;
}

/* serial, cycle (serial's rounds halved at 1 thread, halved again at 2), pool (serial's rounds in
 * reverse order at 1 thread, those times 1.25 at 2) at 1 and 2 threads; threads adds cycle at 4. */
static void hand_made(bb_results *r, int pus, bool four)
{
    bb_json_results_init(r);
    r->context = json_object();
    json_object_set_new(r->context, "pus_allowed", json_integer(pus));
    json_object_set_new(r->context, "min_sample_time_s", json_real(0.05));
    bb_bres *ser = conf(r, "serial", 1, serial_ms, 1, false, NULL);
    conf(r, "serial", 2, serial_ms, 1, false, ser);
    bb_bres *c1 = conf(r, "cycle", 1, serial_ms, 0.5, false, r->v);
    c1->counters.synth_calls = 3, c1->counters.cache_hits = 9;
    conf(r, "cycle", 2, serial_ms, 0.25, false, r->v);
    if (four) conf(r, "cycle", 4, serial_ms, 0.4, false, r->v);
    conf(r, "pool", 1, serial_ms, 1, true, r->v);
    conf(r, "pool", 2, serial_ms, 1.25, true, r->v);
}

/* report.md of r written by the tables alone, into a fresh folder; returns its text (freed by the caller). */
static char *tables_of(bb_results *r)
{
    static bb_report R;
    memset(&R, 0, sizeof R);
    R.r = *r;
    bb_plot_init(&R.P, tu_tmpdir("report"), "hand-made.json");
    bb_report_axes(&R);
    cr_assert(bb_report_tables_md(&R) == 0, "%s", R.P.err.msg);
    char p[256];
    snprintf(p, sizeof p, "%s/report.md", R.P.dir);
    char *md = tu_slurp(p, NULL);
    cr_assert_not_null(md);
    return md;
}

/* The text of section "### N." of md up to the next "###" (static storage). */
static const char *section(const char *md, const char *head)
{
    static char buf[1 << 15];
    const char *a = strstr(md, head);
    cr_assert_not_null(a, "the report has a section %s", head);
    const char *e = strstr(a + 3, "\n###");
    size_t n = e ? (size_t)(e - a) : strlen(a);
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), a);
    return buf;
}

Test(report, the_effects_are_paired_ratios_of_medians_with_their_intervals)
{
    bb_results r;
    hand_made(&r, 2, false);
    static bb_report R;
    memset(&R, 0, sizeof R);
    R.r = r;
    bb_report_axes(&R);
    bb_report_ratio q;
    cr_assert(bb_report_phase(&R, "w", "cycle", "compact", &q));
    cr_assert(fabs(q.x - 2.0) < 1e-12 && fabs(q.lo - 2.0) < 1e-12 && fabs(q.hi - 2.0) < 1e-12 && q.sig == 1,
              "cycle's rounds are serial's halved: %g [%g, %g]", q.x, q.lo, q.hi);
    cr_assert(bb_report_phase(&R, "w", "pool", "compact", &q));
    cr_assert(fabs(q.x - 1.0) < 1e-12 && q.lo < 1 && q.hi > 1 && q.sig == 0, "pool: the same times: %g [%g, %g]", q.x,
              q.lo, q.hi);
    cr_assert(bb_report_threading(&R, "w", "cycle", 2, "compact", &q));
    cr_assert(fabs(q.x - 2.0) < 1e-12 && fabs(q.lo - 2.0) < 1e-12 && fabs(q.hi - 2.0) < 1e-12 && q.sig == 1 &&
              q.pairs == ROUNDS, "cycle at 2 threads is itself at 1 halved: %g [%g, %g]", q.x, q.lo, q.hi);
    cr_assert(bb_report_threading(&R, "w", "pool", 2, "compact", &q));
    cr_assert(fabs(q.x - 0.8) < 1e-12 && fabs(q.hi - 0.8) < 1e-12 && q.sig == -1, "pool at 2 threads: 1.25 times slower");
    cr_assert(!bb_report_threading(&R, "w", "cycle", 3, "compact", &q), "no such configuration");
    /* a void round is left out of the pairs */
    R.r.v[3].rep_ns[4] = (double)NAN;
    cr_assert(bb_report_threading(&R, "w", "cycle", 2, "compact", &q) && q.pairs == ROUNDS - 1);
    bb_json_results_free(&r);
}

Test(report, two_tables_say_which_phase_helps_and_what_threads_add)
{
    bb_results r;
    hand_made(&r, 2, false);
    char *md = tables_of(&r);
    const char *t1 = section(md, "### 1. The phase's own effect: each strategy at 1 thread over serial at 1 thread");
    cr_assert(strstr(t1, "| w | cycle | **2.00x** | [2.00, 2.00] | yes, faster | 3 (12) | 9 (0) | 0 | - | 5.225 (4) |"),
              "cycle's row, with its counters and serial's: %s", t1);
    const char *pool = strstr(t1, "| w | pool | 1.00x | [");
    cr_assert_not_null(pool, "pool: 1x, not bold");
    cr_assert(!strncmp(strstr(pool, "] | ") + 4, "no |", 4), "pool's interval holds 1: not significant");
    cr_assert(!strstr(t1, "| w | serial |"), "no serial row: over itself it is 1 by definition");
    cr_assert(strstr(t1, "Significant: 1 faster, 0 slower, 1 without a difference shown, of 2."));
    const char *t2 = section(md, "### 2. Threading: each strategy at n threads over itself at 1 thread");
    cr_assert(strstr(t2, "| w | cycle | 2 | **2.00x** | [2.00, 2.00] | yes, faster |"), "%s", t2);
    cr_assert(strstr(t2, "| w | pool | 2 | **0.80x** | [0.80, 0.80] | yes, slower |"), "%s", t2);
    cr_assert(!strstr(t2, "| w | serial |"), "serial does not use its threads");
    cr_assert(strstr(t2, "Significant: 1 faster, 1 slower, 0 without a difference shown, of 2."));
    cr_assert(!strstr(md, "**Oversubscribed**"), "2 threads on 2 PUs is not oversubscribed");
    cr_assert(strstr(md, "a timing sample renders a configuration 4 to 4 times back to back"), "the samples are said");
    free(md);
    bb_json_results_free(&r);
}

Test(report, oversubscription_is_said_and_not_blamed_on_imbalance)
{
    bb_results r;
    hand_made(&r, 2, true);
    char *md = tables_of(&r);
    cr_assert(strstr(md, "**Oversubscribed**: the bench could use 2 processing units, and ran 4 threads"), "%.600s", md);
    cr_assert(strstr(md, "| w | cycle | 4 | **1.25x** | [1.25, 1.25] | yes, faster | 1.00 | 0 | - | **oversubscribed**: "
                         "4 threads on 2 PUs |"), "the row says so");
    cr_assert(strstr(md, " | 30% | 4 (oversubscribed) | 1.25x |"), "the bounds' table says so");
    cr_assert(strstr(md, "- cycle at 2 threads: 2.00x measured"), "the words take the most threads within the PUs");
    free(md);
    bb_json_results_free(&r);
    /* one PU: the only count above 1 is oversubscribed, and the words say that, not imbalance */
    hand_made(&r, 1, false);
    md = tables_of(&r);
    const char *say = strstr(md, "- pool at 2 threads: 0.80x measured");
    cr_assert_not_null(say);
    const char *eol = strchr(say, '\n');
    cr_assert(strstr(say, "(oversubscribed: 2 threads time-share 1 PU,") && strstr(say, "(oversubscribed") < eol);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(eol - say), say);
    cr_assert(!strstr(line, "imbalance"), "oversubscription is not imbalance: %s", line);
    free(md);
    bb_json_results_free(&r);
}

/* ---- the folder -------------------------------------------------------------------------------- */
static bool has_gnuplot(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

static bool exists(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void touch(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* No staged folder (".NAME.tmp.*") left in parent. */
static void no_stage_left(const char *parent)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.'", parent);
    cr_assert(system(cmd) != 0, "a staged folder was left in %s", parent);
}

Test(report, into_an_existing_report_replaces_it_whole)
{
    if (!has_gnuplot()) cr_skip("gnuplot is not installed here: the report cannot draw (install gnuplot-nox)");
    fflush(stdout);
    fflush(stderr);
    cr_assert_not_null(freopen("/dev/null", "w", stdout));
    cr_assert_not_null(freopen("/dev/null", "w", stderr));
    bb_results r;
    hand_made(&r, 2, false);
    const char *parent = tu_tmpdir("reportdir");
    char in[256], dir[256];
    snprintf(in, sizeof in, "%s/r.json", parent);
    snprintf(dir, sizeof dir, "%s/out", parent);
    bb_error err;
    cr_assert(bb_json_write(&r, in, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
    char *argv[] = {"report", in, "-o", dir, NULL};
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_OK);
    cr_assert(exists(dir, "report.md") && exists(dir, "phases.png") && exists(dir, "scaling_w.svg"));
    touch(dir, "stale.png", "from an older report");
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_OK);
    cr_assert(!exists(dir, "stale.png"), "the older report's files are gone");
    cr_assert(exists(dir, "report.md") && exists(dir, "results.json") && exists(dir, "data/phases.dat"));
    no_stage_left(parent);
    /* a failure (no gnuplot) leaves the report as it was, and nothing beside it */
    touch(dir, "stale.png", "still here");
    setenv("BB_GNUPLOT", "/nonexistent/gnuplot", 1);
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_USAGE);
    unsetenv("BB_GNUPLOT");
    cr_assert(exists(dir, "stale.png") && exists(dir, "report.md") && exists(dir, "phases.png"), "untouched");
    no_stage_left(parent);
    /* a folder that is not a report is not replaced */
    char other[300];
    snprintf(other, sizeof other, "%s/mine", parent);
    cr_assert(mkdir(other, 0777) == 0);
    touch(other, "notes.txt", "mine");
    char *argv2[] = {"report", in, "-o", other, NULL};
    cr_assert(bb_cmd_report(4, argv2) == BB_EXIT_USAGE);
    cr_assert(exists(other, "notes.txt") && !exists(other, "report.md"));
    /* nor is an input that lies in the report folder lost with it */
    char inside[300];
    snprintf(inside, sizeof inside, "%s/r2.json", dir);
    char cp[600];
    snprintf(cp, sizeof cp, "cp '%s' '%s'", in, inside);
    cr_assert(system(cp) == 0);
    char *argv3[] = {"report", inside, "-o", dir, NULL};
    cr_assert(bb_cmd_report(4, argv3) == BB_EXIT_USAGE);
    cr_assert(exists(dir, "r2.json"));
    no_stage_left(parent);
}
