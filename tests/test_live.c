/* test_live.c - live mode through a real JACK server (bb_live.h).
 *
 * Every test that plays starts a dummy server of its own (`jackd -n
 * busbench-PID-SEQ -d dummy`, bb_live_cfg.dummy), so tests never meet each
 * other's server or a user's. When jackd cannot start at all (not installed,
 * no permission for its shared memory), the test is skipped with jackd's
 * reason; any other failure fails.
 *
 * What is checked: a 2 s run of every strategy in ahead mode, and of serial and
 * all in callback mode, records exactly the offline render's samples with no
 * glitch (ahead mode: a ring of 32 periods, so that the machine's load cannot
 * starve it); a reload scripted with --reload-at plays as offline; the render
 * makes no allocation after its second cycle while it plays; the callback
 * times, the period and the rate are reported; no server gives BB_ERR_IO
 * naming the server. */
#include "bb_live.h"
#include "bb_programs.h"
#include "bb_testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

TestSuite(live, .init = tu_watchdog);

typedef struct {
    char strategy[24];
    int threads;
    bb_live_mode mode;
} live_case;

/* cfg for src (a temporary file) for `seconds` s on a dummy server at period 256. */
static void live_cfg(bb_live_cfg *c, const char *src, const char *strategy, int threads, bb_live_mode mode, double seconds)
{
    memset(c, 0, sizeof *c);
    bb_run_cfg_default(&c->run);
    c->run.program = tu_tmpfile(src);
    c->run.strategy = strategy;
    c->run.threads = threads;
    c->run.seconds = seconds;
    c->run.lookahead = 2; /* a pipelined batch's default look-ahead (32 windows) is 3 s: more than the run */
    c->period = 256;
    c->mode = mode;
    c->ahead = 32;
    c->dummy = true;
    c->record = true;
}

/* Play c into o; skip the test when jackd itself could not start. */
static void play(const bb_live_cfg *c, bb_live_out *o)
{
    bb_error err;
    bb_error_clear(&err);
    bb_result res = bb_live_run(c, o, &err);
    char msg[1024];
    bb_error_format(&err, msg, sizeof msg);
    if (res == BB_ERR_IO && !strcmp(err.file, "jackd")) cr_skip_test("jackd cannot start here: %s", msg);
    cr_assert_eq(res, BB_OK, "%s", msg);
}

/* The offline render of c's program, collected. */
static void offline(const bb_live_cfg *c, const bb_live_out *o, bb_run_out *off)
{
    bb_run_cfg rc = c->run;
    rc.sr = (int)o->sr;
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_run(&rc, NULL, true, false, off, &err), BB_OK, "%s", err.msg);
}

static void expect_bit_identical(const bb_live_cfg *c, const bb_live_out *o, const char *what)
{
    bb_run_out off;
    offline(c, o, &off);
    cr_expect_eq(o->glitches, 0, "%s: %llu glitches", what, (unsigned long long)o->glitches);
    cr_expect(!o->rec_lost, "%s: the recording lost frames", what);
    cr_expect_eq(o->nrec, off.frames, "%s: %zu frames recorded, %zu offline", what, o->nrec, off.frames);
    long d = tu_first_diff(o->rec, o->nrec, off.samples, off.frames);
    cr_expect_eq(d, -1, "%s: first difference at frame %ld", what, d);
    cr_expect_eq(o->frames, off.frames, "%s: frames played", what);
    bb_run_out_free(&off);
}

ParameterizedTestParameters(live, two_seconds_play_bit_identical_to_offline)
{
    static const char *const strategies[] = {"serial", "parallel", "cycle", "static", "pool",
                                             "batch",  "all",      "lanes", "cycle,lanes,pool"};
    enum { NS = sizeof strategies / sizeof strategies[0] };
    static live_case c[NS + 3];
    size_t n = 0;
    for (size_t s = 0; s < NS; s++) {
        snprintf(c[n].strategy, sizeof c[n].strategy, "%s", strategies[s]);
        c[n].threads = 2;
        c[n++].mode = BB_LIVE_AHEAD;
    }
    static const live_case cb[] = {{"serial", 1, BB_LIVE_CALLBACK}, {"all", 1, BB_LIVE_CALLBACK}, {"all", 2, BB_LIVE_CALLBACK}};
    for (size_t i = 0; i < 3; i++) c[n++] = cb[i];
    return cr_make_param_array(live_case, c, n);
}

/* q.ph for 2 s, through the server, recorded: the offline render's bytes. */
ParameterizedTest(live_case *lc, live, two_seconds_play_bit_identical_to_offline)
{
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_Q, lc->strategy, lc->threads, lc->mode, 2.0);
    bb_live_out o;
    play(&c, &o);
    char what[96];
    snprintf(what, sizeof what, "%s at %d threads, %s mode", lc->strategy, lc->threads,
             lc->mode == BB_LIVE_AHEAD ? "ahead" : "callback");
    expect_bit_identical(&c, &o, what);
    cr_expect_eq(o.period, 256, "%s: period %u", what, o.period);
    cr_expect_eq(o.sr, 44100, "%s: rate %u", what, o.sr);
    cr_expect_geq(o.callbacks, 88200 / 256, "%s: %llu callbacks", what, (unsigned long long)o.callbacks);
    cr_expect(o.cb_p50_ns > 0 && o.cb_p50_ns <= o.cb_p999_ns && o.cb_p999_ns <= o.cb_max_ns,
              "%s: callback quantiles p50 %g p99.9 %g max %g ns", what, o.cb_p50_ns, o.cb_p999_ns, o.cb_max_ns);
    bb_live_out_free(&o);
}

/* A reload scripted at cycle 1 (--reload-at, 2 s in) switches during playback as offline. */
Test(live, a_scripted_reload_plays_as_offline)
{
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_RELOAD_A, "all", 1, BB_LIVE_AHEAD, 3.0); /* cycle 1 begins at 2 s */
    c.run.reloads[0].cycle = bb_rat_int(1);
    c.run.reloads[0].path = tu_tmpfile(BB_PROG_RELOAD_B);
    c.run.nreloads = 1;
    bb_live_out o;
    play(&c, &o);
    cr_expect_eq(o.stats.reloads, 1);
    expect_bit_identical(&c, &o, "reload in ahead mode");
    bb_live_out_free(&o);
}

/* While it plays, the render allocates nothing after its second cycle (all, in
 * both modes: in callback mode the render runs in the server's thread). */
Test(live, no_allocation_in_the_steady_state)
{
    static const bb_live_mode modes[] = {BB_LIVE_AHEAD, BB_LIVE_CALLBACK};
    for (size_t m = 0; m < 2; m++) {
        bb_live_cfg c;
        live_cfg(&c, BB_PROG_Q, "all", 1, modes[m], 4.5); /* cycles of 2 s */
        bb_live_out o;
        play(&c, &o);
        cr_expect_gt(o.stats.cycles, 2, "the run passes its second cycle");
        cr_expect_eq(o.stats.allocs_steady, 0, "mode %zu: %llu allocations after cycle 2", m,
                     (unsigned long long)o.stats.allocs_steady);
        bb_live_out_free(&o);
    }
}

/* Latency: the ring plus the render's window in ahead mode, the window alone in callback mode. */
Test(live, latency_is_the_ring_plus_the_window)
{
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_KICK, "serial", 1, BB_LIVE_AHEAD, 0.5);
    c.ahead = 4;
    c.run.block = 128;
    bb_live_out o;
    play(&c, &o);
    cr_expect_eq(o.latency_frames, 4 * 256 + 128);
    bb_live_out_free(&o);
    c.mode = BB_LIVE_CALLBACK;
    play(&c, &o);
    cr_expect_eq(o.latency_frames, 128);
    bb_live_out_free(&o);
}

/* No server of that name: BB_ERR_IO naming it, at once (no server is started). */
Test(live, no_server_is_a_clear_error)
{
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_KICK, "serial", 1, BB_LIVE_AHEAD, 0.5);
    c.dummy = false;
    char name[64];
    snprintf(name, sizeof name, "busbench-none-%d", (int)getpid());
    c.server = name;
    bb_live_out o;
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_live_run(&c, &o, &err), BB_ERR_IO);
    cr_expect(strstr(err.msg, name) != NULL, "%s", err.msg);
    cr_expect_eq(o.frames, 0);
    bb_live_out_free(&o);
}
