/* bb_cmd_live.c - `busbench live FILE.ph [options]`: play a program through a
 * JACK server (bb_live.h) and say what live mode cost: xruns, glitches,
 * callback times against the period, JACK's DSP load, latency; with --record,
 * keep what went to the server (written atomically at the end) and compare it
 * bit for bit with the offline render of the same program and reloads.
 *
 * Exit: 0 played (and, with --record, the recording equals the offline
 * render); 1 the recording differs (the first difference is named: frame,
 * seconds, cycle, beat); 2 bad options, no server, a render error, the server
 * gone mid-run (nothing is written then). SIGINT or SIGTERM stop the run at
 * the next 20 ms poll: the figures are printed, the recording so far (whole
 * periods) is written and compared with the offline render's same prefix, and
 * the exit status is 130. */
#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_json.h"
#include "bb_live.h"
#include "bb_opt.h"
#include "bb_verify.h"

#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum { EXIT_INTERRUPTED = 130 };

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

enum { SWEEP_PERIODS_MAX = 16, SWEEP_SECONDS = 5, CAPACITY_K_MAX = 1 << 16 };

typedef struct live_args {
    bb_live_cfg cfg;
    const char *record, *json;
    bool sweep;                 /* --sweep: the axes below */
    bool capacity;              /* --capacity: the largest --stack k that plays glitch-free */
    bb_golden_matrix axes;      /* strategies and threads (verify's axis syntax) */
    size_t periods[SWEEP_PERIODS_MAX];
    size_t nperiods;
    bool modes[2];              /* indexed by bb_live_mode */
} live_args;

/* A comma-separated list of periods into a->periods: NULL, or what was expected. */
static const char *parse_periods(live_args *a, const char *v)
{
    static const char want[] = "periods of 16 to 8192 frames, comma-separated (at most 16)";
    char buf[256];
    if (strlen(v) >= sizeof buf) return want;
    snprintf(buf, sizeof buf, "%s", v);
    a->nperiods = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long l;
        if (a->nperiods == SWEEP_PERIODS_MAX || bb_run_parse_long(t, BB_LIVE_PERIOD_MIN, BB_LIVE_PERIOD_MAX, &l))
            return want;
        a->periods[a->nperiods++] = (size_t)l;
    }
    return a->nperiods ? NULL : want;
}

/* server = "dummy" | a running server's NAME */
static bb_result opt_server(void *base, const char *v, bb_error *err)
{
    (void)err;
    bb_live_cfg *c = &((live_args *)base)->cfg;
    c->dummy = !strcmp(v, "dummy");
    c->server = c->dummy ? NULL : v;
    return BB_OK;
}

/* mode = "callback" | "ahead" */
static bb_result opt_mode(void *base, const char *v, bb_error *err)
{
    bb_live_cfg *c = &((live_args *)base)->cfg;
    if (!strcmp(v, "callback")) c->mode = BB_LIVE_CALLBACK;
    else if (!strcmp(v, "ahead")) c->mode = BB_LIVE_AHEAD;
    else return bb_error_set(err, BB_ERR_ARG, "--mode", 0, 0, "bad value '%s': expected callback or ahead", v);
    return BB_OK;
}

static bb_result opt_periods(void *base, const char *v, bb_error *err)
{
    const char *want = parse_periods(base, v);
    return want ? bb_error_set(err, BB_ERR_ARG, "--periods", 0, 0, "bad value '%s': expected %s", v, want) : BB_OK;
}

/* modes = a list holding callback, ahead or both */
static bb_result opt_modes(void *base, const char *v, bb_error *err)
{
    live_args *a = base;
    a->modes[BB_LIVE_CALLBACK] = strstr(v, "callback") != NULL;
    a->modes[BB_LIVE_AHEAD] = strstr(v, "ahead") != NULL;
    if (!a->modes[0] && !a->modes[1])
        return bb_error_set(err, BB_ERR_ARG, "--modes", 0, 0, "bad value '%s': expected callback, ahead or callback,ahead", v);
    return BB_OK;
}

static bb_result opt_strategies(void *base, const char *v, bb_error *err)
{
    return bb_golden_matrix_axis(&((live_args *)base)->axes, "--strategies", v, err);
}

static bb_result opt_threads_list(void *base, const char *v, bb_error *err)
{
    return bb_golden_matrix_axis(&((live_args *)base)->axes, "--threads", v, err);
}

#define LA(m) offsetof(live_args, m)
static const bb_opt opts[] = {
    {"--server", BB_OPT_FN, 0, 0, 0, "dummy|NAME",
     "dummy: start `jackd -n NAME -d dummy -r SR -p PERIOD` for the run under a name\n"
     "of its own and stop it at the end; NAME: that running server (default: JACK's\n"
     "default server; never started)", NULL, opt_server},
    {"--period", BB_OPT_SIZE, LA(cfg.period), BB_LIVE_PERIOD_MIN, BB_LIVE_PERIOD_MAX, "P",
     "frames per callback asked (16..8192): a dummy server starts at it (default 256);\n"
     "a running server at another period plays at its own, with a warning", "a period of 16 to 8192 frames", NULL},
    {"--mode", BB_OPT_FN, 0, 0, 0, "M",
     "callback (render in the process callback) or ahead (a render thread fills a\nring; the callback copies), default ahead",
     NULL, opt_mode},
    {"--ahead", BB_OPT_SIZE, LA(cfg.ahead), 1, BB_LIVE_AHEAD_MAX, "N", "ahead mode: periods in the ring (1..1024, default 4)",
     "a number of periods from 1 to 1024", NULL},
    {"--record", BB_OPT_STR, LA(record), 0, 0, "OUT.wav", "keep what went to the server and compare it with the offline render",
     "an output path", NULL},
    {"--json", BB_OPT_STR, LA(json), 0, 0, "OUT.json", "the figures as JSON", "an output path", NULL},
    {"--stack", BB_OPT_INT, LA(cfg.run.stack), 1, 1 << 16, "K",
     "every trigger of the output stacked K times (the load of `busbench capacity`)", "a number of copies from 1 to 65536", NULL},
    {"--sweep", BB_OPT_FLAG, LA(sweep), 0, 0, NULL,
     "per strategy x threads x mode, the smallest glitch-free period (needs\n"
     "--server dummy; each point --seconds long, default 5), over the four lists below", NULL, NULL},
    {"--strategies", BB_OPT_FN, 0, 0, 0, "L", "strategies as verify takes them (default: every one but the canaries)", NULL,
     opt_strategies},
    {"--threads-list", BB_OPT_FN, 0, 0, 0, "L", "thread counts (default: 1 and the core count)", NULL, opt_threads_list},
    {"--periods", BB_OPT_FN, 0, 0, 0, "L", "periods tried in increasing order (default 64,128,256,512,1024)", NULL, opt_periods},
    {"--modes", BB_OPT_FN, 0, 0, 0, "L", "callback,ahead (default both)", NULL, opt_modes},
    {"--capacity", BB_OPT_FLAG, LA(capacity), 0, 0, NULL,
     "the largest --stack k that plays glitch-free at this period, mode, strategy\n"
     "and threads (needs --server dummy; k doubling, then bisection to 10 %)", NULL, NULL},
    {"--watch", BB_OPT_FLAG, LA(cfg.watch), 0, 0, NULL,
     "recompile FILE when it is saved and switch to it at the next cycle boundary\n"
     "(after any --reload-at); a save that does not compile is reported, the\n"
     "previous program keeps playing", NULL, NULL},
    BB_OPT_END,
};
#undef LA

static const bb_opt_cmd spec = {
    "live", "FILE.ph [options]", "Plays FILE through a JACK server and measures it (--threads defaults to 1 here). Without --sr the\n"
    "render follows the server's rate; with --sr, a server at another rate is an error.",
    "0 played (with --record: the recording equals the offline render), 1 the recording differs,\n"
    "2 bad options, no server, a render error or the server gone, 130 interrupted (SIGINT, SIGTERM)"};

/* The command line into a (its defaults already set). Returns 0, 1 for --help (printed), or -1 with
 * the reason on stderr. */
static int parse(live_args *a, int argc, char **argv)
{
    bb_live_cfg *c = &a->cfg;
    const bb_opt_group groups[] = {{"live options", opts, a}, {"render options", bb_run_options, &c->run}};
    const char *pos[1];
    int npos;
    int rc = bb_opt_parse(&spec, groups, 2, argc, argv, pos, 1, &npos);
    if (rc != BB_OPT_GO_ON) return rc == BB_EXIT_OK ? 1 : -1;
    if (!npos) {
        fprintf(stderr, "busbench live: expected a program\n");
        bb_opt_usage(&spec, groups, 2, stderr);
        return -1;
    }
    c->run.program = pos[0];
    c->record = a->record != NULL;
    return 0;
}

static double us(double ns) { return ns / 1e3; }

static void print_figures(FILE *f, const live_args *a, const bb_live_out *o)
{
    const bb_live_cfg *c = &a->cfg;
    const double period_ns = (double)o->period * 1e9 / (double)o->sr;
    fprintf(f, "live: %s, strategy %s, threads %d, block %zu, %s mode", c->run.program, c->run.strategy,
            c->run.threads, c->run.block, c->mode == BB_LIVE_AHEAD ? "ahead" : "callback");
    if (c->mode == BB_LIVE_AHEAD) fprintf(f, " (%zu periods, render thread %s)", c->ahead, o->render_rt ? "real-time" : "not real-time");
    fprintf(f, "\nserver: %s%s, %u Hz, period %u (%.3f ms), real-time %s\n", o->server_name,
            c->dummy ? " (dummy, started for the run)" : "", o->sr, o->period, period_ns / 1e6, o->realtime ? "yes" : "no");
    fprintf(f, "played: %llu frames (%.3f s) in %llu callbacks%s\n", (unsigned long long)o->frames,
            (double)o->frames / (double)o->sr, (unsigned long long)o->callbacks, o->interrupted ? ", interrupted" : "");
    fprintf(f, "xruns %llu  glitches %llu\n", (unsigned long long)o->xruns, (unsigned long long)o->glitches);
    fprintf(f, "callback: p50 %.1f us (%.4f of the period)  p99 %.1f us (%.4f)  p99.9 %.1f us (%.4f)  max %.1f us (%.4f)\n",
            us(o->cb_p50_ns), o->cb_p50_ns / period_ns, us(o->cb_p99_ns), o->cb_p99_ns / period_ns, us(o->cb_p999_ns),
            o->cb_p999_ns / period_ns, us(o->cb_max_ns), o->cb_max_ns / period_ns);
    fprintf(f, "dsp load (jack_cpu_load): mean %.2f %%  max %.2f %%\n", o->load_mean, o->load_max);
    fprintf(f, "latency: %zu frames (%.2f ms) added by the client, plus the server's period\n", o->latency_frames,
            (double)o->latency_frames * 1e3 / (double)o->sr);
    fprintf(f, "voices peak %llu  allocs after cycle 2 %llu\n", (unsigned long long)o->voices_peak,
            (unsigned long long)o->stats.allocs_steady);
    if (c->watch)
        fprintf(f, "watch: %d switches, %llu bad saves; longest callback within %d periods of a switch %.1f us "
                   "(steady p99.9 %.1f us)\n",
                o->nreloads, (unsigned long long)o->bad_saves, 10, us(o->reload_cb_max_ns), us(o->cb_p999_ns));
}

/* The server ran otherwise than asked: said on stderr (the figures are the server's). */
static void warn_mismatch(const bb_live_out *o)
{
    if (o->sr_asked && o->sr != o->sr_asked)
        fprintf(stderr, "busbench live: warning: the server '%s' runs at %u Hz, not the %u Hz asked: the render follows "
                        "it\n", o->server_name, o->sr, o->sr_asked);
    if (o->period_asked && o->period != o->period_asked)
        fprintf(stderr, "busbench live: warning: the server '%s' runs at period %u, not the %u asked: played at %u "
                        "(the figures and the latency are at its period)\n",
                o->server_name, o->period, o->period_asked, o->period);
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *figures_json(const live_args *a, const bb_live_out *o, const char *rec_verdict)
{
    const bb_live_cfg *c = &a->cfg;
    const double period_ns = (double)o->period * 1e9 / (double)o->sr;
    json_t *d = json_object();
    json_object_set_new(d, "program", json_string(c->run.program));
    json_object_set_new(d, "strategy", json_string(c->run.strategy));
    json_object_set_new(d, "threads", json_integer(c->run.threads));
    json_object_set_new(d, "block", json_integer((json_int_t)c->run.block));
    json_object_set_new(d, "mode", json_string(c->mode == BB_LIVE_AHEAD ? "ahead" : "callback"));
    json_object_set_new(d, "ahead", json_integer(c->mode == BB_LIVE_AHEAD ? (json_int_t)c->ahead : 0));
    json_object_set_new(d, "server", json_string(o->server_name));
    json_object_set_new(d, "dummy", json_boolean(c->dummy));
    json_object_set_new(d, "sr", json_integer(o->sr));
    json_object_set_new(d, "period", json_integer(o->period));
    json_object_set_new(d, "sr_asked", o->sr_asked ? json_integer(o->sr_asked) : json_null());
    json_object_set_new(d, "period_asked", o->period_asked ? json_integer(o->period_asked) : json_null());
    json_object_set_new(d, "stack", json_integer(c->run.stack > 1 ? c->run.stack : 1));
    json_object_set_new(d, "realtime", json_boolean(o->realtime));
    json_object_set_new(d, "render_thread_realtime", json_boolean(o->render_rt));
    json_object_set_new(d, "interrupted", json_boolean(o->interrupted));
    json_object_set_new(d, "frames", json_integer((json_int_t)o->frames));
    json_object_set_new(d, "callbacks", json_integer((json_int_t)o->callbacks));
    json_object_set_new(d, "xruns", json_integer((json_int_t)o->xruns));
    json_object_set_new(d, "glitches", json_integer((json_int_t)o->glitches));
    json_object_set_new(d, "callback_p50_us", num(us(o->cb_p50_ns)));
    json_object_set_new(d, "callback_p99_us", num(us(o->cb_p99_ns)));
    json_object_set_new(d, "callback_p999_us", num(us(o->cb_p999_ns)));
    json_object_set_new(d, "callback_max_us", num(us(o->cb_max_ns)));
    json_object_set_new(d, "callback_p999_of_period", num(o->cb_p999_ns / period_ns));
    json_object_set_new(d, "callback_max_of_period", num(o->cb_max_ns / period_ns));
    json_object_set_new(d, "dsp_load_mean", num(o->load_mean));
    json_object_set_new(d, "dsp_load_max", num(o->load_max));
    json_object_set_new(d, "latency_frames", json_integer((json_int_t)o->latency_frames));
    json_object_set_new(d, "latency_ms", num((double)o->latency_frames * 1e3 / (double)o->sr));
    json_object_set_new(d, "voices_peak", json_integer((json_int_t)o->voices_peak));
    json_object_set_new(d, "allocs_steady", json_integer((json_int_t)o->stats.allocs_steady));
    json_object_set_new(d, "watch_switches", json_integer(o->nreloads));
    json_object_set_new(d, "watch_bad_saves", json_integer((json_int_t)o->bad_saves));
    json_object_set_new(d, "reload_callback_max_us", num(us(o->reload_cb_max_ns)));
    json_object_set_new(d, "record", rec_verdict ? json_string(rec_verdict) : json_null());
    return d;
}

/* The recording against the offline render (its prefix when interrupted):
 * "equal", "differs" (the first difference described on f), or NULL with the
 * reason on stderr (exit 2). */
static const char *compare_offline(FILE *f, const live_args *a, const bb_live_out *o)
{
    bb_run_cfg rc = a->cfg.run;
    rc.sr = (int)o->sr;
    if (o->first_path[0]) rc.program = o->first_path; /* --watch: the bytes first played */
    for (int i = 0; i < o->nreloads && rc.nreloads < BB_RENDER_RELOADS_MAX; i++) /* --watch's switches */
        rc.reloads[rc.nreloads++] = (bb_reload){.cycle = bb_rat_int(o->reloads[i].cycle), .path = o->reloads[i].path};
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_run_out off;
    if (bb_run(&rc, NULL, true, false, &off, &err)) {
        fprintf(stderr, "busbench live: offline render: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_run_out_free(&off);
        return NULL;
    }
    size_t want = o->interrupted && o->nrec < off.frames ? o->nrec : off.frames;
    bb_golden_diff d;
    bb_golden_compare(o->rec, o->nrec, off.samples, want, &d);
    const char *verdict = d.first < 0 ? "equal" : "differs";
    if (d.first < 0) {
        fprintf(f, "record: %s, %zu frames: bit-identical to the offline render%s\n", a->record, o->nrec,
                o->interrupted ? " (its prefix)" : "");
    } else {
        fprintf(f, "record: %s, %zu frames: DIFFERS from the offline render (%zu frames): first at frame %lld, %llu "
                   "frames differ\n",
                a->record, o->nrec, want, (long long)d.first, (unsigned long long)d.ndiff);
        bb_verify_describe(f, "  ", &rc, d.first, &err);
    }
    bb_run_out_free(&off);
    return verdict;
}

/* One point of the sweep, on a dummy server of its own: a line on f, an object
 * in arr; true when glitch-free: no glitch, and in callback mode no xrun. */
static bool sweep_point(const live_args *a, const char *strategy, int threads, bb_live_mode mode, size_t period,
                        FILE *f, json_t *arr, size_t *latency)
{
    live_args t = *a;
    t.cfg.run.strategy = strategy;
    t.cfg.run.threads = threads;
    t.cfg.mode = mode;
    t.cfg.period = period;
    t.cfg.record = t.cfg.watch = false;
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_live_out o;
    bb_result res = bb_live_run(&t.cfg, &o, &err);
    const char *m = mode == BB_LIVE_AHEAD ? "ahead" : "callback";
    if (res) {
        fprintf(f, "%-18s %2d %-8s %5zu  failed: %s\n", strategy, threads, m, period, bb_error_format(&err, msg, sizeof msg));
        bb_live_out_free(&o);
        return false;
    }
    /* ahead mode: the callback only copies, so an xrun is the server's or the
       machine's, not the render's (counted, printed, not held against it);
       callback mode: the render runs in the callback, an xrun is its own */
    warn_mismatch(&o);
    const bool ok = !o.glitches && !o.interrupted && (mode == BB_LIVE_AHEAD || !o.xruns);
    const double period_ns = (double)o.period * 1e9 / (double)o.sr;
    *latency = o.latency_frames + o.period;
    fprintf(f, "%-18s %2d %-8s %5u  k %4d  glitches %4llu  xruns %3llu  p99.9 %8.1f us (%.3f)  max %8.1f us  latency %7.2f ms  %s\n",
            strategy, threads, m, o.period, t.cfg.run.stack > 1 ? t.cfg.run.stack : 1, (unsigned long long)o.glitches, (unsigned long long)o.xruns,
            us(o.cb_p999_ns), o.cb_p999_ns / period_ns, us(o.cb_max_ns), (double)*latency * 1e3 / (double)o.sr,
            ok ? "ok" : "NOT glitch-free");
    fflush(f);
    json_t *d = figures_json(&t, &o, NULL);
    json_object_set_new(d, "glitch_free", json_boolean(ok));
    json_array_append_new(arr, d);
    bb_live_out_free(&o);
    return ok;
}

/* --sweep: per strategy x threads x mode, the periods in increasing order up
 * to the first glitch-free one (the smallest; larger periods are not tried),
 * then a summary. Exit 0, or 2 (bad options, the JSON not written). */
static int run_sweep(live_args *a)
{
    if (!a->cfg.dummy) {
        fprintf(stderr, "busbench live: --sweep runs on dummy servers of its own: add --server dummy\n");
        return BB_EXIT_USAGE;
    }
    if (a->cfg.run.seconds <= 0) a->cfg.run.seconds = SWEEP_SECONDS;
    json_t *arr = json_array();
    enum { ROWS_MAX = BB_GOLDEN_AXIS_MAX * BB_GOLDEN_AXIS_MAX * 2 };
    static struct {
        const char *strategy;
        int threads;
        bb_live_mode mode;
        size_t period, latency;
    } rows[ROWS_MAX];
    size_t nrows = 0;
    for (size_t si = 0; si < a->axes.nstrategies; si++)
        for (size_t ti = 0; ti < a->axes.nthreads; ti++)
            for (int m = 0; m < 2; m++) {
                if (!a->modes[m] || interrupted) continue;
                size_t found = 0, latency = 0;
                for (size_t pi = 0; pi < a->nperiods && !found && !interrupted; pi++)
                    if (sweep_point(a, a->axes.strategies[si], a->axes.threads[ti], (bb_live_mode)m, a->periods[pi],
                                    stdout, arr, &latency))
                        found = a->periods[pi];
                rows[nrows].strategy = a->axes.strategies[si];
                rows[nrows].threads = a->axes.threads[ti];
                rows[nrows].mode = (bb_live_mode)m;
                rows[nrows].period = found;
                rows[nrows++].latency = found ? latency : 0;
            }
    printf("\nsmallest glitch-free period (%.1f s each, %s):\n", a->cfg.run.seconds, a->cfg.run.program);
    printf("| strategy | threads | mode | period | latency (ms) |\n|---|---:|---|---:|---:|\n");
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].period)
            printf("| %s | %d | %s | %zu | %.2f |\n", rows[i].strategy, rows[i].threads,
                   rows[i].mode == BB_LIVE_AHEAD ? "ahead" : "callback", rows[i].period,
                   (double)rows[i].latency * 1e3 / (double)a->cfg.run.sr);
        else
            printf("| %s | %d | %s | none up to %zu | |\n", rows[i].strategy, rows[i].threads,
                   rows[i].mode == BB_LIVE_AHEAD ? "ahead" : "callback", a->periods[a->nperiods - 1]);
    }
    int rc = BB_EXIT_OK;
    if (a->json) {
        bb_error err;
        bb_error_clear(&err);
        char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        json_t *doc = json_pack("{s:o}", "sweep", arr);
        if (bb_json_commit_doc(doc, a->json, &err)) {
            fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
        }
        json_decref(doc);
    } else {
        json_decref(arr);
    }
    return interrupted && rc == BB_EXIT_OK ? EXIT_INTERRUPTED : rc;
}

/* One point of the capacity search: the run's setting at k copies. */
static bool capacity_point(const live_args *a, int k, json_t *arr)
{
    live_args t = *a;
    t.cfg.run.stack = k;
    size_t latency;
    return sweep_point(&t, a->cfg.run.strategy, a->cfg.run.threads, a->cfg.mode, a->cfg.period, stdout, arr, &latency);
}

/* --capacity: the largest k (every output trigger stacked k times, --stack)
 * that plays glitch-free (sweep_point) for --seconds at the run's
 * period, mode, strategy and threads: k = 1, doubling, then bisection to 10 %. */
static int run_capacity(live_args *a)
{
    if (!a->cfg.dummy) {
        fprintf(stderr, "busbench live: --capacity runs on dummy servers of its own: add --server dummy\n");
        return BB_EXIT_USAGE;
    }
    if (a->cfg.run.seconds <= 0) a->cfg.run.seconds = SWEEP_SECONDS;
    json_t *arr = json_array();
    int good = 0, bad = 0;
    for (int k = 1; k <= CAPACITY_K_MAX && !interrupted; k *= 2) {
        if (!capacity_point(a, k, arr)) {
            bad = k;
            break;
        }
        good = k;
    }
    while (bad && good && bad - good > (good / 10 > 1 ? good / 10 : 1) && !interrupted) {
        int mid = good + (bad - good) / 2;
        if (capacity_point(a, mid, arr))
            good = mid;
        else
            bad = mid;
    }
    printf("\nlive capacity of %s: k = %d (%s, %d threads, %s mode, period %zu, %.1f s a run)\n", a->cfg.run.program,
           good, a->cfg.run.strategy, a->cfg.run.threads, a->cfg.mode == BB_LIVE_AHEAD ? "ahead" : "callback",
           a->cfg.period, a->cfg.run.seconds);
    int rc = BB_EXIT_OK;
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    json_t *doc = json_pack("{s:i,s:o}", "capacity", good, "runs", arr);
    if (a->json && bb_json_commit_doc(doc, a->json, &err)) {
        fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
        rc = BB_EXIT_USAGE;
    }
    json_decref(doc);
    return interrupted && rc == BB_EXIT_OK ? EXIT_INTERRUPTED : rc;
}

int bb_cmd_live(int argc, char **argv)
{
    live_args a = {0};
    bb_run_cfg_default(&a.cfg.run);
    a.cfg.run.threads = 1;
    const int sr_default = a.cfg.run.sr;
    a.cfg.run.sr = 0; /* 0 after parsing: no --sr */
    a.cfg.mode = BB_LIVE_AHEAD;
    a.cfg.ahead = 4;
    bb_golden_matrix_default(&a.axes);
    static const size_t periods[] = {64, 128, 256, 512, 1024};
    memcpy(a.periods, periods, sizeof periods);
    a.nperiods = sizeof periods / sizeof periods[0];
    a.modes[BB_LIVE_CALLBACK] = a.modes[BB_LIVE_AHEAD] = true;
    int p = parse(&a, argc, argv);
    if (p) return p > 0 ? BB_EXIT_OK : BB_EXIT_USAGE;
    a.cfg.sr_asked = a.cfg.run.sr != 0;
    if (!a.cfg.sr_asked) a.cfg.run.sr = sr_default;
    if (a.cfg.dummy && !a.cfg.period) a.cfg.period = BB_LIVE_PERIOD_DEFAULT;
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (a.json && bb_json_check_writable(a.json, &err)) {
        fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    interrupted = 0;
    a.cfg.interrupt = (volatile int *)&interrupted;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (a.sweep || a.capacity) {
        int rc = a.sweep ? run_sweep(&a) : run_capacity(&a);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        return rc;
    }
    bb_live_out o;
    bb_result res = bb_live_run(&a.cfg, &o, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (res) {
        fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_live_out_free(&o);
        return BB_EXIT_USAGE;
    }
    print_figures(stdout, &a, &o);
    warn_mismatch(&o);
    const char *verdict = NULL;
    int rc = BB_EXIT_OK;
    if (a.record) {
        if (o.rec_lost) {
            fprintf(stderr, "busbench live: the recording fell behind and lost frames: nothing written\n");
            rc = BB_EXIT_USAGE;
        } else if ((res = bb_wav_write(a.record, o.rec, o.nrec, (int)o.sr, BB_WAV_F32, &err))) {
            fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
        } else if (!(verdict = compare_offline(stdout, &a, &o))) {
            rc = BB_EXIT_USAGE;
        } else if (strcmp(verdict, "equal")) {
            rc = BB_EXIT_FAIL;
        }
    }
    if (a.json) {
        json_t *d = figures_json(&a, &o, verdict);
        if (bb_json_commit_doc(d, a.json, &err)) {
            fprintf(stderr, "busbench live: %s\n", bb_error_format(&err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
        }
        json_decref(d);
    }
    bb_live_out_free(&o);
    fflush(stdout);
    return o.interrupted && rc == BB_EXIT_OK ? EXIT_INTERRUPTED : rc;
}
