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
 * naming the server; --watch switches at the next cycle boundary and the
 * recording equals the offline render replaying the logged switches, a bad
 * save being reported and not played; an interrupt (SIGINT in the command)
 * leaves whole periods, a prefix of the render; a killed server is BB_ERR_IO
 * ("went away") and leaves no server behind; the process callback takes no
 * lock in ahead mode, and in callback mode takes the pool's mutex when the
 * render wakes a worker (libc's lock functions are defined in this binary and
 * counted while bb_live_in_process is up: see the section below); a running
 * server at another rate than asked is an error (exit 2 from the command),
 * at another rate with none asked the render follows it bit for bit, at
 * another period it plays and both periods are reported (JSON, warning). */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "bb_live.h"
#include "bb_programs.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

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

/* Our clients are named after our servers: never "busbench" (a fixed name), never the server's
 * own name (its socket), one per server. libjack names a client's socket by the client's name
 * alone: two processes, each with a client "busbench" on a server of its own, took each other's
 * socket (status 0x21, "Cannot notify add client": two of the twelve plays of
 * two_seconds_play_bit_identical_to_offline failed in about half the runs of the suite at --jobs 2). */
Test(live, our_clients_are_named_after_our_servers)
{
    char s1[BB_JACKD_NAME_MAX], s2[BB_JACKD_NAME_MAX], c1[BB_JACKD_NAME_MAX], c2[BB_JACKD_NAME_MAX];
    bb_jackd_name(s1);
    bb_jackd_name(s2);
    bb_jackd_client_name(s1, c1);
    bb_jackd_client_name(s2, c2);
    cr_expect_neq(strcmp(s1, s2), 0, "%s twice", s1);
    cr_expect_neq(strcmp(c1, c2), 0, "%s twice", c1);
    cr_expect_neq(strcmp(c1, s1), 0, "the client takes its server's name %s", s1);
    cr_expect_neq(strcmp(c1, s2), 0, "a client takes another server's name %s", s2);
    cr_expect_neq(strcmp(c1, "busbench"), 0, "a fixed client name");
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

/* ---- a run on another thread, acted upon from the test's ------------------------------------- */

typedef struct bg_run {
    bb_live_cfg cfg;
    bb_live_out out;
    bb_error err;
    bb_result res;
    pthread_t th;
    atomic_bool playing, returned;
} bg_run;

static void *bg_main(void *arg)
{
    bg_run *b = arg;
    bb_error_clear(&b->err);
    b->res = bb_live_run(&b->cfg, &b->out, &b->err);
    atomic_store(&b->returned, true);
    return NULL;
}

static void sleep_s(double s);

/* The run started, and playing (or returned: the join says why) when this returns. */
static void bg_start(bg_run *b)
{
    b->cfg.playing = &b->playing;
    cr_assert_eq(pthread_create(&b->th, NULL, bg_main, b), 0);
    while (!atomic_load(&b->playing) && !atomic_load(&b->returned)) sleep_s(0.01);
}

static void bg_join(bg_run *b)
{
    pthread_join(b->th, NULL);
    if (b->res == BB_ERR_IO && !strcmp(b->err.file, "jackd")) cr_skip_test("jackd cannot start here: %s", b->err.msg);
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Write text to path as an editor does: a temporary beside it renamed over it. */
static void save(const char *path, const char *text)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(tmp, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(rename(tmp, path), 0);
}

/* --watch: the file rewritten during playback (cycles of 2 s), then saved with
 * an error (reported, not played), then saved again correctly, then broken
 * again: the recording
 * equals the offline render of the copies saved (the first program, the
 * switches), and nothing glitched. */
Test(live, watched_reloads_match_offline_and_a_bad_save_keeps_playing)
{
    bg_run b;
    memset(&b, 0, sizeof b);
    live_cfg(&b.cfg, BB_PROG_RELOAD_A, "serial", 1, BB_LIVE_AHEAD, 7.0);
    b.cfg.watch = true;
    const char *path = b.cfg.run.program;
    bg_start(&b);
    sleep_s(1.0);
    save(path, BB_PROG_RELOAD_B);
    sleep_s(1.5);
    save(path, "bpm: 120\nout: s \"~nope\"\n");
    sleep_s(1.5);
    save(path, BB_PROG_RELOAD_A);
    sleep_s(0.5);
    save(path, "bpm: 120\nout: s \"~gone\"\n"); /* the file as it stands at the end is not what played */
    bg_join(&b);
    cr_assert_eq(b.res, BB_OK, "%s", b.err.msg);
    cr_expect_eq(b.out.bad_saves, 2);
    cr_assert_eq(b.out.nreloads, 2, "%d switches", b.out.nreloads);
    /* the next boundary the render reaches: when depends on the server's start-up */
    cr_expect(b.out.reloads[0].cycle >= 1 && b.out.reloads[1].cycle > b.out.reloads[0].cycle, "cycles %lld, %lld",
              (long long)b.out.reloads[0].cycle, (long long)b.out.reloads[1].cycle);
    cr_expect_eq(b.out.stats.reloads, 2);
    bb_live_cfg replay = b.cfg;
    cr_assert(b.out.first_path[0], "the first program was saved");
    replay.run.program = b.out.first_path;
    for (int i = 0; i < b.out.nreloads; i++)
        replay.run.reloads[replay.run.nreloads++] =
            (bb_reload){.cycle = bb_rat_int(b.out.reloads[i].cycle), .path = b.out.reloads[i].path};
    expect_bit_identical(&replay, &b.out, "watched reloads");
    bb_live_out_free(&b.out);
}

/* An interrupt (what SIGINT sets in `busbench live`) stops the run early; what
 * went out is whole periods, and a prefix of the offline render. */
Test(live, an_interrupt_stops_early_with_a_prefix_of_the_render)
{
    static volatile int stop;
    bg_run b;
    memset(&b, 0, sizeof b);
    live_cfg(&b.cfg, BB_PROG_Q, "serial", 1, BB_LIVE_AHEAD, 10.0);
    b.cfg.interrupt = &stop;
    bg_start(&b);
    sleep_s(1.0);
    stop = 1;
    bg_join(&b);
    cr_assert_eq(b.res, BB_OK, "%s", b.err.msg);
    cr_expect(b.out.interrupted);
    cr_expect(b.out.nrec > 0 && b.out.nrec < 10 * 44100, "%zu frames", b.out.nrec);
    cr_expect_eq(b.out.nrec % 256, 0, "whole periods");
    bb_run_out off;
    offline(&b.cfg, &b.out, &off);
    cr_expect_eq(tu_first_diff(b.out.rec, b.out.nrec, off.samples, b.out.nrec), -1);
    bb_run_out_free(&off);
    bb_live_out_free(&b.out);
}

/* The pid of our child named jackd, or 0. */
static pid_t our_jackd(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    pid_t found = 0;
    while (d && !found && (de = readdir(d))) {
        char p[300], stat[512];
        snprintf(p, sizeof p, "/proc/%s/stat", de->d_name);
        FILE *f = fopen(p, "r");
        if (!f) continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = 0;
        int pid, ppid;
        char comm[64], state;
        if (sscanf(stat, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid) == 4 && ppid == getpid() &&
            !strcmp(comm, "jackd"))
            found = pid;
    }
    if (d) closedir(d);
    return found;
}

/* The server killed mid-run: BB_ERR_IO saying it went away, and the run returns. SIGTERM, not
 * SIGKILL: a server killed outright leaves its entry in JACK's shared-memory registry, and
 * after eight of them no server of another name can start on the machine. */
Test(live, a_killed_server_is_a_clear_error)
{
    bg_run b;
    memset(&b, 0, sizeof b);
    live_cfg(&b.cfg, BB_PROG_Q, "serial", 1, BB_LIVE_AHEAD, 10.0);
    bg_start(&b);
    sleep_s(1.5);
    pid_t j = our_jackd();
    if (!j) {
        bg_join(&b);
        cr_assert_fail("no jackd child found (run: %s)", b.err.msg);
    }
    kill(j, SIGTERM);
    bg_join(&b);
    cr_expect_eq(b.res, BB_ERR_IO);
    cr_expect(strstr(b.err.msg, "went away") != NULL, "%s", b.err.msg);
    cr_expect_eq(our_jackd(), 0, "no server left");
    bb_live_out_free(&b.out);
}

/* ---- locks taken by the process callback ------------------------------------------------------ */
/* This test binary defines libc's lock functions (mutexes, read-write and spin locks, condition and
 * semaphore waits): every call of them in the process comes here, ours directly and those of the
 * shared libraries (libjack's) through their PLT, since an executable's definitions come first in
 * the dynamic lookup. A call is counted when the calling thread is inside the process callback
 * (bb_live_in_process), then goes on to libc's function (dlsym RTLD_NEXT). Not seen: libc's calls to
 * itself (malloc's arena lock: allocations have their own counters) and raw futexes. */
static atomic_ulong process_locks;

#define COUNTED_LOCK(name, params, args)                                                 \
    int name params                                                                      \
    {                                                                                    \
        static int (*_Atomic next) params;                                               \
        if (bb_live_in_process) atomic_fetch_add(&process_locks, 1);                     \
        int (*f) params = atomic_load_explicit(&next, memory_order_relaxed);             \
        if (!f) {                                                                        \
            f = (int (*) params)dlsym(RTLD_NEXT, #name);                                 \
            if (!f) abort();                                                             \
            atomic_store_explicit(&next, f, memory_order_relaxed);                       \
        }                                                                                \
        return f args;                                                                   \
    }

COUNTED_LOCK(pthread_mutex_lock, (pthread_mutex_t *m), (m))
COUNTED_LOCK(pthread_mutex_trylock, (pthread_mutex_t *m), (m))
COUNTED_LOCK(pthread_mutex_timedlock, (pthread_mutex_t *restrict m, const struct timespec *restrict t), (m, t))
COUNTED_LOCK(pthread_rwlock_rdlock, (pthread_rwlock_t *l), (l))
COUNTED_LOCK(pthread_rwlock_wrlock, (pthread_rwlock_t *l), (l))
COUNTED_LOCK(pthread_rwlock_tryrdlock, (pthread_rwlock_t *l), (l))
COUNTED_LOCK(pthread_rwlock_trywrlock, (pthread_rwlock_t *l), (l))
COUNTED_LOCK(pthread_spin_lock, (pthread_spinlock_t *l), (l))
COUNTED_LOCK(pthread_spin_trylock, (pthread_spinlock_t *l), (l))
COUNTED_LOCK(pthread_cond_wait, (pthread_cond_t *restrict c, pthread_mutex_t *restrict m), (c, m))
COUNTED_LOCK(pthread_cond_timedwait,
             (pthread_cond_t *restrict c, pthread_mutex_t *restrict m, const struct timespec *restrict t), (c, m, t))
COUNTED_LOCK(sem_wait, (sem_t *s), (s))
COUNTED_LOCK(sem_trywait, (sem_t *s), (s))
COUNTED_LOCK(sem_timedwait, (sem_t *restrict s, const struct timespec *restrict t), (s, t))
#undef COUNTED_LOCK

/* The counter counts: a mutex taken while the flag is up is one lock, none while it is down. */
static void expect_lock_counter_works(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    const unsigned long before = atomic_load(&process_locks);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    cr_assert_eq(atomic_load(&process_locks), before, "not counted outside the callback");
    bb_live_in_process = true;
    pthread_mutex_lock(&m);
    bb_live_in_process = false;
    pthread_mutex_unlock(&m);
    cr_assert_eq(atomic_load(&process_locks), before + 1, "counted inside the callback");
}

/* q.ph for 2 s under strategy at threads in mode: the locks its callbacks took. */
static unsigned long callback_locks(const char *strategy, int threads, bb_live_mode mode)
{
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_Q, strategy, threads, mode, 2.0);
    c.record = false;
    atomic_store(&process_locks, 0);
    bb_live_out o;
    play(&c, &o);
    const unsigned long n = atomic_load(&process_locks);
    cr_assert_geq(o.callbacks, 88200 / 256, "%s: %llu callbacks", strategy, (unsigned long long)o.callbacks);
    cr_expect_eq(o.glitches, 0);
    bb_live_out_free(&o);
    return n;
}

/* Ahead mode: the callback copies from the ring and posts a semaphore, and takes no lock, whatever
 * the render thread does meanwhile (all at 2 threads: its workers wait and wake on the pool's mutex). */
Test(live, the_callback_takes_no_lock_in_ahead_mode)
{
    expect_lock_counter_works();
    static const char *const strategies[] = {"serial", "all"};
    for (size_t i = 0; i < 2; i++) {
        unsigned long n = callback_locks(strategies[i], 2, BB_LIVE_AHEAD);
        cr_expect_eq(n, 0, "%s, ahead mode: %lu locks taken in the callback", strategies[i], n);
    }
}

/* Callback mode runs the render in the callback, with whatever it does: serial takes no lock, a
 * strategy that hands work to worker threads takes the pool's mutex to wake them (spin off, so that
 * they sleep between jobs): the counter sees locks taken on the server's thread. */
Test(live, the_callback_locks_in_callback_mode_when_the_render_wakes_workers)
{
    expect_lock_counter_works();
    unsigned long n = callback_locks("serial", 1, BB_LIVE_CALLBACK);
    cr_expect_eq(n, 0, "serial, callback mode: %lu locks", n);
    setenv("BUSBENCH_SPIN_NS", "0", 1);
    n = callback_locks("parallel", 2, BB_LIVE_CALLBACK);
    unsetenv("BUSBENCH_SPIN_NS");
    cr_expect_gt(n, 0, "parallel at 2 threads, callback mode: the hand-off to a sleeping worker locks");
}

/* ---- a running server at another rate or period than asked ----------------------------------- */

/* A server of our own at 48000 Hz, period 512 (skips the test when jackd cannot start). */
static void start_other_server(char name[BB_JACKD_NAME_MAX], pid_t *pid)
{
    bb_jackd_name(name);
    bb_error err;
    bb_error_clear(&err);
    if (bb_jackd_start(name, 48000, 512, pid, &err)) cr_skip_test("jackd cannot start here: %s", err.msg);
}

/* With a rate asked (--sr) that is not the server's: BB_ERR_ARG naming both rates, nothing played.
 * With none asked: the render follows the server's rate (the recording is the offline render at
 * 48000 Hz); the period played is the server's, the one asked reported beside it. */
Test(live, a_server_at_another_rate_or_period_is_reported)
{
    char name[BB_JACKD_NAME_MAX];
    pid_t pid;
    start_other_server(name, &pid);
    bb_live_cfg c;
    live_cfg(&c, BB_PROG_KICK, "serial", 1, BB_LIVE_AHEAD, 1.0);
    c.dummy = false;
    c.server = name;
    c.sr_asked = true; /* 44100 */
    bb_live_out o;
    bb_error err;
    bb_error_clear(&err);
    cr_expect_eq(bb_live_run(&c, &o, &err), BB_ERR_ARG);
    cr_expect(strstr(err.msg, "48000 Hz") && strstr(err.msg, "44100 Hz") && strstr(err.msg, name), "%s", err.msg);
    cr_expect_eq(o.frames, 0, "nothing played");
    bb_live_out_free(&o);
    c.sr_asked = false;
    bb_error_clear(&err);
    bb_result res = bb_live_run(&c, &o, &err);
    cr_expect_eq(res, BB_OK, "%s", err.msg);
    cr_expect_eq(o.sr, 48000);
    cr_expect_eq(o.sr_asked, 0, "no rate asked");
    cr_expect_eq(o.period, 512);
    cr_expect_eq(o.period_asked, 256);
    if (!res) expect_bit_identical(&c, &o, "at the server's rate");
    bb_live_out_free(&o);
    bb_jackd_stop(&pid);
    cr_expect_eq(pid, 0, "the server stopped");
}

/* The command: --sr at another rate than the server's is exit 2 with the reason; another --period
 * plays with a warning on stderr and both periods in the JSON. */
Test(live, the_command_reports_a_server_at_another_rate_or_period)
{
    char name[BB_JACKD_NAME_MAX];
    pid_t pid;
    start_other_server(name, &pid);
    const char *prog = tu_tmpfile(BB_PROG_KICK), *dir = tu_tmpdir("live-other");
    const char *bb = tu_busbench();
    int rc = tu_sh("%s live %s --server %s --sr 44100 --seconds 0.5 2>%s/err1 >/dev/null", bb, prog, name, dir);
    cr_expect_eq(rc, 2, "a rate not the server's is exit 2");
    rc = tu_sh("grep -q 'runs at 48000 Hz, not the 44100 Hz asked' %s/err1", dir);
    cr_expect_eq(rc, 0, "the reason is said");
    rc = tu_sh("%s live %s --server %s --period 256 --seconds 0.5 --json %s/o.json 2>%s/err2 >/dev/null", bb, prog,
               name, dir, dir);
    cr_expect_eq(rc, 0, "another period plays");
    cr_expect_eq(tu_sh("grep -q 'runs at period 512, not the 256 asked' %s/err2", dir), 0, "with a warning");
    char path[256];
    snprintf(path, sizeof path, "%s/o.json", dir);
    json_error_t je;
    json_t *d = json_load_file(path, 0, &je);
    cr_assert_not_null(d, "%s: %s", path, je.text);
    cr_expect_eq(json_integer_value(json_object_get(d, "period")), 512);
    cr_expect_eq(json_integer_value(json_object_get(d, "period_asked")), 256);
    cr_expect_eq(json_integer_value(json_object_get(d, "sr")), 48000);
    cr_expect(json_is_null(json_object_get(d, "sr_asked")), "no rate asked");
    json_decref(d);
    bb_jackd_stop(&pid);
}
