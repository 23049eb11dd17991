/* bb_bench.c - the measuring engine of `busbench bench` (its command line, progress and output
 * are bb_cmd_bench.c): the checking sink, one render, a configuration's record and the rounds.
 * The workloads, configurations and shards are bb_bench_matrix.c; the statistics of the results
 * are bb_bench_results.c.
 *
 * What it is: the workloads are the golden corpus's (bb_golden.h: the manifest,
 * each workload's render options, its golden WAV checked against the manifest's
 * length and sha256 before it is trusted as a reference) or the programs given on
 * the command line (each with the serial render of this run as its reference:
 * bb_workload.h; below, "golden" is whichever reference); every configuration
 * workload x strategy x threads x pinning is
 * rendered --warmup times untimed, then in rounds: round r renders every
 * configuration once (interleaved: A B C, C A B, ...), so that drift of the
 * machine (frequency, heat, a neighbour) hits every configuration alike and
 * round r of one configuration pairs with round r of another. Each round has
 * its own order, drawn from --seed: with one fixed order (--order fixed, A B C
 * A B C) a load that ramps within a round always lands on the same positions
 * and becomes a bias between configurations; shuffled, it is noise that the
 * paired intervals include. Rounds go on until --reps rounds are done and
 * every configuration has --min-time seconds of valid timings (at most
 * --max-rounds).
 *
 * Timing samples (as Google Benchmark's min_time): a configuration's turn in
 * a round is one sample of `iters` renders back to back, so that a sample
 * lasts at least --min-sample-time (default BB_BENCH_MIN_SAMPLE_S) and the
 * clock's and the machine's jitter is small beside it: a bundled render takes
 * 1 to 10 ms, and single renders gave intervals that all spanned 1x. iters is
 * chosen once, after the warm-up, from the configuration's fastest right
 * warm-up render: its last warm-up renders again and again until they have
 * lasted --min-sample-time (Google Benchmark's run-until-min_time; there is
 * always a warm-up when samples are sized, even at --warmup 0); at most
 * BB_BENCH_ITERS_MAX, and fixed for every round (the rounds stay comparable
 * and paired). The round's time is the sample's wall
 * (and CPU) time divided by iters: every statistic is per render. Every
 * render of a sample is compared with the golden as before (the counts are
 * recorded: renders_checked, warmup_renders); a wrong one ends and voids the
 * sample. Counters,
 * steps and block times are taken from every right render of the sample.
 * Counting instructions, a sample is one render.
 *
 * Invariants:
 *  - every render, warm-up included, is compared sample by sample (bit for
 *    bit, memcmp of the float32 samples) with its golden WAV as the blocks
 *    leave the render; a wrong render (or a failed one) voids that round's
 *    timing, is reported with its first differing frame localised as verify
 *    does ("audio differs at frame N (cycle c, beat b, t s)": the program is
 *    compiled again for that, only after a wrong render), and makes the
 *    command exit 1 once the results are written;
 *  - times come from CLOCK_MONOTONIC (wall) and CLOCK_PROCESS_CPUTIME_ID (CPU,
 *    every thread of the process) around bb_render_run alone: loading,
 *    compiling and starting the worker pool are outside; the sink's own work
 *    (the comparison) is inside the wall time but outside the per-block times;
 *  - every render times its loop's steps (bb_render_opts.timing: a clock read
 *    per step of a window) and the result keeps the medians of the sequential
 *    and parallel parts (bb_render_times_seq/par) and of each step; the report
 *    draws a strategy's scaling bound from its 1-thread split. The sink's
 *    comparison is inside the sequential part, as it is inside the wall time;
 *  - serial at 1 thread is the reference of every (workload, pinning): it is
 *    added to the matrix when not asked for, and speedups are ratios of
 *    medians over the rounds valid in both, with a paired bootstrap interval;
 *  - the statistics are reproducible: bootstrap seeds derive from --seed and
 *    the configuration's name;
 *  - a batched strategy (K blocks a window) does a window's work before the
 *    window's first block leaves, and a pipelined one (look-ahead L) mixes up
 *    to L windows ahead of the one going out, so its per-block times are
 *    judged twice: block by block against the block deadline, and by groups
 *    of W consecutive blocks against W deadlines, W = its latency in blocks
 *    (bb_render_latency_blocks: K, or (L + 1) K pipelined; the grouping
 *    counts from block 0, so it is approximate after a reload, where the
 *    render cuts a window short).
 *
 * Why not bb_run: a render's setup (building the synthetic kit above all)
 * costs several times a short render, so the bench builds each workload's kit
 * once and drives bb_render_* itself, which also lets it take CPU time and the
 * heap's high-water mark around the render alone and keep the sink free of
 * allocation (its buffers are plain malloc, outside the core's counters).
 *
 * Instruction counts (--metric instructions): the bench runs itself again
 * under valgrind's callgrind with instrumentation off (--instr-atstart=no);
 * around bb_render_run alone, client requests of <valgrind/callgrind.h> zero
 * the counters, switch instrumentation on, then off, and dump; the dump's
 * total is the render's instruction count (every thread's: valgrind
 * serialises them; the sink's golden comparison included, loading, compiling,
 * the worker pool's start, warm-up and teardown excluded). At 1 thread the
 * count is a pure function of the code, the compiler, libc and valgrind:
 * the CI gate compares it with a 1% threshold instead of timings. Under
 * valgrind a render takes some 50 times longer, so this mode does 1 warm-up
 * and 1 round by default; its wall times are not a measure of speed, and its
 * blocks are not timed. --metric both does the timed bench as usual, then the
 * instruction count in a valgrind child, and writes one file with both.
 *
 * Test-only: --extra-work PCT (hidden, never in the default matrix) makes
 * every render of every configuration also run a render of the same
 * configuration PCT% as long, inside the timed and counted region: a known
 * extra cost for proving that the gate catches it. It is recorded in the
 * context (extra_work_pct) and leaves the counters alone.
 *
 * How it reads, top down: bb_bench_rounds (warm-up and the interleaved rounds: round_once,
 * run_config), render_once (one render through the checking sink: render_open, render_measure,
 * render_verdict), record_render and record_sample (what a configuration keeps of it). Before
 * it: bb_bench_matrix_build; after it: bb_bench_results.
 *
 * Units: ns inside; the JSON says ms for real_time/cpu_time, the table on
 * stdout ms for renders and us for blocks. A block's deadline is block / sr. */
#include "bb_bench.h"

#include "bb_callgrind.h"
#include "bb_verify.h"

#include "bb_alloc.h"
#include "bb_ph.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ---- growable vectors of doubles (plain malloc: outside the core's counters), comma lists ---- */

int bb_bench_dvec_push(bb_bench_dvec *d, double x)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? 2 * d->cap : 64;
        double *v = realloc(d->v, nc * sizeof *v);
        if (!v) return -1;
        d->v = v;
        d->cap = nc;
    }
    d->v[d->n++] = x;
    return 0;
}

void bb_bench_dvec_free(bb_bench_dvec *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

int bb_bench_split_list(char *s, char **out, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n >= max) return -1;
        out[n++] = t;
    }
    return n;
}

/* ---- one render -------------------------------------------------------------------- */
typedef struct vsink {
    const float *golden;
    size_t ngolden;
    size_t n;                 /* frames received */
    int64_t first_diff;       /* -1: none so far */
    size_t ndiff;
    float got, want;
    bool timed;
    double last_ns;
    double *block_ns;
    size_t nblocks, cap;
    bool overflow;            /* more blocks than room (never expected) */
} vsink;

static void on_block(void *ctx, int64_t k0, const float *out, size_t n)
{
    (void)k0;
    vsink *s = ctx;
    if (s->timed) {
        double now = bb_now_ns();
        if (s->nblocks < s->cap) s->block_ns[s->nblocks++] = now - s->last_ns;
        else s->overflow = true;
    }
    size_t have = s->n < s->ngolden ? s->ngolden - s->n : 0;
    size_t m = n < have ? n : have;
    if (m && memcmp(out, s->golden + s->n, m * sizeof *out) != 0) {
        for (size_t i = 0; i < m; i++) {
            if (memcmp(&out[i], &s->golden[s->n + i], sizeof *out) != 0) {
                if (s->first_diff < 0) {
                    s->first_diff = (int64_t)(s->n + i);
                    s->got = out[i];
                    s->want = s->golden[s->n + i];
                }
                s->ndiff++;
            }
        }
    }
    if (m < n) {
        if (s->first_diff < 0) s->first_diff = (int64_t)(s->n + m);
        s->ndiff += n - m;
    }
    s->n += n;
    if (s->timed) s->last_ns = bb_now_ns();
}

typedef struct rrun {
    bb_result res;
    char msg[512];
    double wall_ns, cpu_ns;
    bb_stats stats;
    bb_render_times times;    /* the loop's step times */
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    int64_t steady_from;      /* first block of cycle 1 */
    int64_t peak_heap;        /* bytes above the live heap before loading */
    int64_t window_blocks;
    bool wrong;
    double instructions;      /* of the render (callgrind), NaN when not counted */
} rrun;

/* How a render is measured beyond its times. */
typedef struct measure {
    bool count;               /* count its instructions (under callgrind) */
    double extra;             /* test-only extra work: also render this fraction of its length */
} measure;

/* Where frame k of a render of cfg lies, as verify localises it: "cycle C, beat B" into buf
 * (from bb_verify_describe's first line), or "" when it cannot say. */
static void where_frame(const bb_run_cfg *cfg, int64_t k, char *buf, size_t cap)
{
    buf[0] = '\0';
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return;
    bb_error err;
    bb_error_clear(&err);
    bb_verify_describe(f, "", cfg, k, &err);
    fclose(f);
    const char *c = text ? strstr(text, ", cycle ") : NULL;
    const char *e = c ? strstr(c, " (t = ") : NULL;
    if (c && e) snprintf(buf, cap, "%.*s", (int)(e - c - 2), c + 2);
    free(text);
}

/* The renders of one measurement, opened by render_open: the measured one (r) and the test-only
 * extra one (r2, NULL without --extra-work), with the plans their options point to. */
typedef struct rpair {
    bb_plan plan, plan2;
    bb_render *r, *r2;
} rpair;

/* Empty the sink for a render of w: nothing received, nothing differs, no block timed. */
static void sink_reset(vsink *s, const bb_bench_workload *w)
{
    s->golden = w->golden;
    s->ngolden = w->ngolden;
    s->n = 0;
    s->first_diff = -1;
    s->ndiff = 0;
    s->nblocks = 0;
    s->overflow = false;
}

/* w's render options under plan at this block size: its blocks go to s, its steps are timed. */
static void render_options(const bb_bench_workload *w, size_t block, const bb_plan *plan, vsink *s, bb_render_opts *ro)
{
    bb_render_opts_default(ro);
    ro->sr = w->cfg->sr;
    ro->block = block;
    ro->lim = w->cfg->lim;
    ro->kit = w->kit;
    memcpy(ro->reloads, w->cfg->reloads, sizeof ro->reloads);
    ro->nreloads = w->cfg->nreloads;
    if (w->cfg->seconds > 0) { /* the length as the options say it, exactly as bb_run reads them */
        ro->frames = (int64_t)(w->cfg->seconds * w->cfg->sr + 0.5);
    } else {
        ro->frames = -1;
        ro->cycles = w->cfg->cycles;
    }
    bb_plan_render_opts(plan, ro);
    ro->sink = on_block;
    ro->sink_ctx = s;
    ro->timing = true; /* the sequential and parallel parts (a few clock reads per window) */
}

/* Parse the plan, load w's program and open its render into rp; with ms's extra work, first a
 * second render of the same configuration, that fraction of w's length, without a sink. BB_OK, or
 * the first failure (err says it; what was opened is in rp, for the caller to close). */
static bb_result render_open(const bb_bench_workload *w, const char *strategy, int threads, bb_pin pin, size_t block,
                             size_t batch, vsink *s, const measure *ms, rpair *rp, bb_error *err)
{
    bb_ph *ph = NULL, *ph2 = NULL;
    bb_result res = bb_plan_parse(strategy, threads, batch, pin, &rp->plan, err);
    if (w->cfg->lookahead) rp->plan.lookahead = w->cfg->lookahead;
    if (!res) res = bb_ph_load(w->cfg->program, &ph, err);
    bb_render_opts ro;
    render_options(w, block, &rp->plan, s, &ro);
    int64_t extra_frames = ms->extra > 0 ? llround((double)w->frames * ms->extra) : 0;
    if (!res && extra_frames > 0) {
        /* test-only: the same configuration, extra_frames long, no sink; opened before the
           measured render, whose heap counters start when it is opened */
        rp->plan2 = rp->plan;
        bb_render_opts ro2 = ro;
        ro2.frames = extra_frames;
        ro2.sink = NULL;
        ro2.sink_ctx = NULL;
        bb_plan_render_opts(&rp->plan2, &ro2);
        res = bb_ph_load(w->cfg->program, &ph2, err);
        if (!res) res = bb_render_open(&rp->r2, ph2, &ro2, err);
    }
    if (!res) res = bb_render_open(&rp->r, ph, &ro, err);
    else bb_ph_free(ph); /* bb_render_open would have taken it */
    return res;
}

/* Run rp's renders (the measured one, then the extra one) between the wall and CPU clocks, and
 * under callgrind's counter when ms->count; their times, instructions and blocks into o. */
static bb_result render_measure(const rpair *rp, size_t block, const measure *ms, vsink *s, rrun *o, bb_error *err)
{
    o->steady_from = bb_render_cycle_start(rp->r, 1) / (int64_t)block;
    o->window_blocks = (int64_t)bb_render_latency_blocks(rp->r);
    double c0 = bb_cpu_now_ns();
    s->last_ns = bb_now_ns();
    double t0 = s->last_ns;
    if (ms->count) bb_callgrind_start();
    bb_result res = bb_render_run(rp->r, err);
    if (!res && rp->r2) res = bb_render_run(rp->r2, err);
    if (ms->count) o->instructions = bb_callgrind_stop();
    double t1 = bb_now_ns();
    o->cpu_ns = bb_cpu_now_ns() - c0;
    o->wall_ns = t1 - t0;
    return res;
}

/* o's message for the render's outcome (o->res set): failed (res, err), wrong (its first differing
 * frame localised as verify does, or its length) or a block-time buffer too small (o->res becomes
 * BB_ERR_INTERNAL); none when it was right. */
static void render_verdict(const bb_bench_workload *w, const vsink *s, rrun *o, bb_result res, const bb_error *err)
{
    char m[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (res) {
        snprintf(o->msg, sizeof o->msg, "render failed: %s", bb_error_format(err, m, sizeof m));
    } else if (s->first_diff >= 0 || s->n != w->ngolden) {
        o->wrong = true;
        char at[96];
        if (s->first_diff >= 0 && (size_t)s->first_diff < w->ngolden && (size_t)s->first_diff < s->n) {
            where_frame(w->cfg, s->first_diff, at, sizeof at);
            snprintf(o->msg, sizeof o->msg,
                     "wrong render: audio differs at frame %" PRId64 " (%s%s%.6f s): got %.9g, golden %.9g; %zu samples differ",
                     s->first_diff, at, at[0] ? ", " : "", (double)s->first_diff / w->cfg->sr, (double)s->got,
                     (double)s->want, s->ndiff);
        }
        else
            snprintf(o->msg, sizeof o->msg, "wrong render: %zu frames, golden has %zu", s->n, w->ngolden);
    } else if (s->overflow) {
        o->res = BB_ERR_INTERNAL;
        snprintf(o->msg, sizeof o->msg, "more blocks than expected (%zu): timing incomplete", s->cap);
    }
}

/* Render w with strategy/threads/pin, comparing with the golden; when timed,
 * fill block times into sink (caller's buffer of cap blocks); ms: count the
 * render's instructions, add extra work. The heap's high-water mark is taken from
 * before the plan is parsed to after the renders are closed. */
static void render_once(const bb_bench_workload *w, const char *strategy, int threads, bb_pin pin, size_t block,
                        size_t batch, vsink *s, rrun *o, const measure *ms)
{
    memset(o, 0, sizeof *o);
    o->instructions = (double)NAN;
    bb_error err;
    bb_error_clear(&err);
    sink_reset(s, w);
    rpair rp;
    rp.r = rp.r2 = NULL;
    bb_alloc_peak_reset();
    bb_alloc_stats a0 = bb_alloc_snapshot();
    bb_result res = render_open(w, strategy, threads, pin, block, batch, s, ms, &rp, &err);
    if (!res) res = render_measure(&rp, block, ms, s, o, &err);
    if (rp.r) {
        o->stats = *bb_render_stats(rp.r);
        o->times = *bb_render_get_times(rp.r);
        o->nplaces = bb_driver_places(bb_render_strategy(rp.r), o->places, BB_WORKERS_MAX);
    }
    bb_render_close(rp.r);
    bb_render_close(rp.r2);
    bb_alloc_stats a1 = bb_alloc_snapshot();
    o->peak_heap = a1.peak - a0.live;
    o->res = res;
    render_verdict(w, s, o, res, &err);
}

/* ---- configurations ---------------------------------------------------------------------- */

/* Step i (0..BB_BENCH_STEPS) of the render loop's times, in the loop's order. */
double *bb_bench_step(bb_render_times *t, int i)
{
    double *v[BB_BENCH_STEPS] = {&t->schedule_ns, &t->resolve_ns, &t->mix_ns, &t->continuous_ns, &t->retire_ns};
    return v[i];
}

/* The deterministic counters: all but the heap's (with worker threads, which
 * worker first grows its scratch depends on the schedule, so the number of
 * allocations may differ between identical renders; the bench records their
 * range instead). */
static bool same_counters(const bb_stats *a, const bb_stats *b)
{
    for (size_t i = 0; i < bb_stats_ncounters; i++)
        if (!(bb_stats_counters[i].flags & BB_STAT_HEAP) && bb_stats_counter(a, i) != bb_stats_counter(b, i)) return false;
    return true;
}

/* Record a render's outcome into c: its first failure, where its workers ran, and, timed and right,
 * its counters, steps and block times (untimed and right: the fastest warm-up). Returns whether it
 * was right. */
static bool record_render(bb_bench_config *c, const rrun *o, const vsink *s, bool timed, double deadline)
{
    bool ok = !o->res && !o->wrong;
    if (!ok && !c->error[0]) snprintf(c->error, sizeof c->error, "%s", o->msg);
    if (o->nplaces) {
        c->nplaces = o->nplaces;
        memcpy(c->places, o->places, sizeof c->places[0] * (size_t)o->nplaces);
        /* a pin holds when the binding succeeded and the worker's read-back placement is the plan's */
        for (int i = 0; i < o->nplaces; i++) {
            const bb_worker_place *w = &o->places[i];
            if (w->planned_pu >= 0 && (!w->bound || (w->last_pu >= 0 && w->last_pu != w->planned_pu))) c->pin_ok = false;
        }
    }
    if (!ok) return false;
    if (!timed) {
        if (!(c->warm_ns > 0) || o->wall_ns < c->warm_ns) c->warm_ns = o->wall_ns;
        return true;
    }
    bb_stats k = o->stats;
    if (c->have_counters) {
        if (!same_counters(&c->counters, &k)) c->stable = false;
        if (k.allocs < c->allocs_lo) c->allocs_lo = k.allocs;
        if (k.allocs > c->allocs_hi) c->allocs_hi = k.allocs;
        if (k.allocs_steady < c->allocs_steady_lo) c->allocs_steady_lo = k.allocs_steady;
        if (k.allocs_steady > c->allocs_steady_hi) c->allocs_steady_hi = k.allocs_steady;
    } else {
        c->allocs_lo = c->allocs_hi = k.allocs;
        c->allocs_steady_lo = c->allocs_steady_hi = k.allocs_steady;
    }
    c->counters = k;
    c->have_counters = true;
    bb_render_times tm = o->times;
    for (int i = 0; i < BB_BENCH_STEPS; i++) bb_bench_dvec_push(&c->step[i], *bb_bench_step(&tm, i));
    bb_bench_dvec_push(&c->seq, bb_render_times_seq(&tm));
    bb_bench_dvec_push(&c->par, bb_render_times_par(&tm));
    c->step_windows = tm.windows;
    if (o->peak_heap > c->peak_heap) c->peak_heap = o->peak_heap;
    c->window_blocks = o->window_blocks;
    for (size_t b = 0; b < s->nblocks; b++)
        bb_bench_dvec_push((int64_t)b < o->steady_from ? &c->cold : &c->steady, s->block_ns[b]);
    bb_latency win;
    if (bb_stats_windows(s->block_ns, s->nblocks, 0, o->window_blocks > 0 ? (size_t)o->window_blocks : 1, deadline,
                         &win) == 0) {
        c->windows += win.n;
        c->window_misses += win.misses;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > c->maxrss) c->maxrss = ru.ru_maxrss;
    return true;
}

/* Record a timed sample of n renders (wall, cpu, ir: their sums) into c: the round's time per
 * render, or a void round when one of its renders was wrong or failed. */
static void record_sample(bb_bench_config *c, bool ok, double wall, double cpu, double ir, int n)
{
    if (!ok) {
        c->voided++;
        bb_bench_dvec_push(&c->rep, (double)NAN);
        bb_bench_dvec_push(&c->cpu, (double)NAN);
        bb_bench_dvec_push(&c->ir, (double)NAN);
        return;
    }
    c->valid++;
    c->total_ns += wall;
    bb_bench_dvec_push(&c->rep, wall / n);
    bb_bench_dvec_push(&c->cpu, cpu / n);
    bb_bench_dvec_push(&c->ir, ir / n);
}

/* ---- the rounds -------------------------------------------------------------------------------------------- */
/* The state of the rounds: the sink with its block-time buffer, the progress bar, the order. */
typedef struct round_state {
    vsink sink;
    bb_bench_progress *pg;
    measure meas;
    int *order;
    int done;                 /* timed rounds run */
} round_state;

/* Configuration c's timing sample (timed: c->iters renders back to back, each compared with the
 * golden; the sample stops at a wrong one, which voids it) or its warm-up (one render; fill: renders
 * until they have lasted --min-sample-time, as Google Benchmark runs until min_time, so that the
 * fastest of them sizes the samples), recorded. */
static void run_config(const bb_bench_opts *o, round_state *R, bb_bench_config *c, bool timed, bool fill)
{
    size_t b = o->block ? (size_t)o->block : c->w->cfg->block;
    double deadline = (double)b / c->w->cfg->sr * 1e9;
    int n = timed && c->iters > 1 ? c->iters : 1;
    double wall = 0, cpu = 0, ir = 0, fill_ns = fill && !timed && !o->counting ? o->min_sample_time * 1e9 : 0;
    bool ok = true;
    for (int i = 0; ok && (i < n || (wall < fill_ns && i < BB_BENCH_ITERS_MAX)); i++) {
        rrun out;
        R->sink.timed = timed && !o->counting; /* under callgrind blocks are not timed: clocks stay out of the count */
        R->meas.count = timed && o->counting;
        render_once(c->w, c->strategy, c->threads, c->pin, b, o->batch ? (size_t)o->batch : c->w->cfg->batch, &R->sink,
                    &out, &R->meas);
        *(timed ? &c->renders_checked : &c->warmup_renders) += out.res == BB_OK; /* ran to its end: every block compared */
        ok = record_render(c, &out, &R->sink, timed, deadline);
        wall += out.wall_ns;
        cpu += out.cpu_ns;
        ir += out.instructions;
    }
    if (timed) record_sample(c, ok, wall, cpu, ir, n);
    else if (!ok) c->voided++; /* a wrong warm-up counts as a failure too */
    R->pg->done++;
}

/* Renders per timing sample for c: enough that a sample lasts --min-sample-time at the pace of its
 * fastest right warm-up render, at most BB_BENCH_ITERS_MAX; 1 when counting instructions (a count
 * is per render), when samples are not sized, or when no warm-up render was right. */
static int sample_iters(const bb_bench_opts *o, const bb_bench_config *c)
{
    if (o->counting || o->min_sample_time <= 0 || !(c->warm_ns > 0)) return 1;
    double n = ceil(o->min_sample_time * 1e9 / c->warm_ns);
    return n <= 1 ? 1 : n >= BB_BENCH_ITERS_MAX ? BB_BENCH_ITERS_MAX : (int)n;
}

/* Rounds wanted beyond --reps for --min-time: 0 when every configuration has its time (or at --max-rounds). */
static int rounds_more(const bb_bench_opts *o, const bb_bench_matrix *m, int done)
{
    if (done < o->reps) return (int)o->reps - done;
    if (done >= o->max_rounds || o->min_time <= 0) return 0;
    double need = 0;
    for (int k = 0; k < m->nc; k++) {
        const bb_bench_config *c = &m->cs[k];
        if (!c->valid) continue;
        double per = c->total_ns / c->valid, left = o->min_time * 1e9 - c->total_ns;
        if (left > 0 && ceil(left / per) > need) need = ceil(left / per);
    }
    if (need > (double)(o->max_rounds - done)) need = (double)(o->max_rounds - done);
    return (int)need;
}

/* One timed round, in its own order (Fisher-Yates from --seed when shuffled). */
static void round_once(const bb_bench_opts *o, bb_bench_matrix *m, round_state *R, bb_stats_rng *rng, int planned)
{
    int nc = m->nc;
    for (int k = 0; k < nc; k++) R->order[k] = k;
    for (int k = nc - 1; o->shuffled && k > 0; k--) {
        int j = (int)bb_stats_rng_below(rng, (uint64_t)k + 1), t = R->order[k];
        R->order[k] = R->order[j];
        R->order[j] = t;
    }
    for (int k = 0; k < nc; k++) {
        run_config(o, R, &m->cs[R->order[k]], true, false);
        if (R->pg->show) R->pg->show(R->pg, R->done + 1, planned, k + 1, false);
    }
    R->done++;
}

/* Warm-up, then rounds until --reps and --min-time are met. Returns the timed rounds run, -1 when out of memory. */
int bb_bench_rounds(const bb_bench_opts *o, bb_bench_matrix *m, bb_bench_progress *pg)
{
    round_state R;
    memset(&R, 0, sizeof R);
    R.meas.extra = o->extra_pct / 100;
    R.sink.block_ns = malloc(m->maxblocks * sizeof *R.sink.block_ns);
    R.sink.cap = m->maxblocks;
    R.order = malloc((size_t)(m->nc ? m->nc : 1) * sizeof *R.order);
    if (!R.sink.block_ns || !R.order) {
        free(R.sink.block_ns);
        free(R.order);
        return -1;
    }
    R.pg = pg;
    /* samples are sized from the warm-up: at least one render, even at --warmup 0 */
    long warmup = o->warmup < 1 && o->min_sample_time > 0 && !o->counting ? 1 : o->warmup;
    pg->done = 0;
    pg->total = (long)m->nc * (warmup + o->reps);
    for (int r = 0; r < warmup; r++)
        for (int k = 0; k < m->nc; k++) {
            run_config(o, &R, &m->cs[k], false, r + 1 == warmup); /* the last warm-up sizes the samples */
            if (pg->show) pg->show(pg, r + 1, (int)warmup, k + 1, true);
        }
    for (int k = 0; k < m->nc; k++) m->cs[k].iters = sample_iters(o, &m->cs[k]);
    bb_stats_rng rng;
    bb_stats_rng_seed(&rng, (uint64_t)o->seed ^ 0x6f72646572ULL);
    for (int more; (more = rounds_more(o, m, R.done)) > 0;) {
        if (R.done >= o->reps) pg->total = pg->done + (long)m->nc * more; /* --min-time: the estimate so far */
        round_once(o, m, &R, &rng, R.done + more);
    }
    free(R.order);
    free(R.sink.block_ns);
    return R.done;
}
