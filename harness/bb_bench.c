/* bb_bench.c - the measuring engine of `busbench bench` (its command line, progress and output
 * are bb_cmd_bench.c): workloads, the checking sink, configurations, the matrix and its shards,
 * the rounds, the results.
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
 * Sharding (--shard I/N, bb_shard.h): the matrix is cut into groups, one per
 * (workload, pinning), each holding its configurations and their serial
 * 1-thread reference (speedups stay paired within one process); the shard
 * runs the groups bb_shard_assign gives it and records which in the
 * context's "shard" object; `busbench merge` puts the shards together.
 *
 * How it reads, top down: bb_bench_matrix_build (the workloads, the configurations, the
 * shard), bb_bench_rounds (warm-up and the interleaved rounds: render_once, record),
 * bb_bench_results (the statistics of each configuration into bb_json's model).
 *
 * Units: ns inside; the JSON says ms for real_time/cpu_time, the table on
 * stdout ms for renders and us for blocks. A block's deadline is block / sr. */
#include "bb_bench.h"

#include "bb_callgrind.h"
#include "bb_cmds.h"
#include "bb_verify.h"

#include "bb_alloc.h"
#include "bb_kit.h"
#include "bb_ph.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- growable vectors of doubles (plain malloc: outside the core's counters) ---- */


static int dvec_push(bb_bench_dvec *d, double x)
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

static void dvec_free(bb_bench_dvec *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* ---- workloads: a corpus's or the programs given (bb_workload.h) ------------------------ */


/* Set w up from wl: its reference (a golden checked against the manifest's frames and sha256: one
 * that was changed outside `make bless` is bad input, never a reference; or a program's serial
 * render), the kit. */
static bb_result prepare_workload(bb_bench_workload *w, bb_workload *wl, bb_error *err)
{
    snprintf(w->name, sizeof w->name, "%s", wl->name);
    w->wl = wl;
    w->cfg = &wl->job.cfg;
    bb_result res = bb_workload_reference(wl, err);
    if (res) return res;
    w->golden = wl->ref;
    w->ngolden = wl->nref;
    w->frames = (int64_t)wl->nref;
    if (w->cfg->fmt != BB_WAV_F32)
        return bb_error_set(err, BB_ERR_FORMAT, w->name, 0, 0, "the bench compares float32 goldens only");
    if ((res = bb_kit_create(&w->kit, (double)w->cfg->sr)))
        return bb_error_set(err, res, w->name, 0, 0, "cannot build the sample kit");
    if (w->cfg->samples && (res = bb_kit_load_dir(w->kit, w->cfg->samples, err))) return res;
    return BB_OK;
}

static void free_workloads(bb_bench_workload *v, int n)
{
    for (int i = 0; v && i < n; i++) bb_kit_destroy(v[i].kit);
    free(v);
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

/* Render w with strategy/threads/pin, comparing with the golden; when timed,
 * fill block times into sink (caller's buffer of cap blocks); ms: count the
 * render's instructions, add extra work. */
static void render_once(const bb_bench_workload *w, const char *strategy, int threads, bb_pin pin, size_t block,
                        size_t batch, vsink *s, rrun *o, const measure *ms)
{
    memset(o, 0, sizeof *o);
    o->instructions = (double)NAN;
    bb_plan plan2;
    bb_render *r2 = NULL;
    bb_ph *ph2 = NULL;
    bb_error err;
    bb_error_clear(&err);
    s->golden = w->golden;
    s->ngolden = w->ngolden;
    s->n = 0;
    s->first_diff = -1;
    s->ndiff = 0;
    s->nblocks = 0;
    s->overflow = false;
    bb_plan plan;
    bb_render *r = NULL;
    bb_ph *ph = NULL;
    bb_alloc_peak_reset();
    bb_alloc_stats a0 = bb_alloc_snapshot();
    bb_result res = bb_plan_parse(strategy, threads, batch, pin, &plan, &err);
    if (w->cfg->lookahead) plan.lookahead = w->cfg->lookahead;
    if (!res) res = bb_ph_load(w->cfg->program, &ph, &err);
    bb_render_opts ro;
    bb_render_opts_default(&ro);
    ro.sr = w->cfg->sr;
    ro.block = block;
    ro.lim = w->cfg->lim;
    ro.kit = w->kit;
    memcpy(ro.reloads, w->cfg->reloads, sizeof ro.reloads);
    ro.nreloads = w->cfg->nreloads;
    if (w->cfg->seconds > 0) { /* the length as the options say it, exactly as bb_run reads them */
        ro.frames = (int64_t)(w->cfg->seconds * w->cfg->sr + 0.5);
    } else {
        ro.frames = -1;
        ro.cycles = w->cfg->cycles;
    }
    bb_plan_render_opts(&plan, &ro);
    ro.sink = on_block;
    ro.sink_ctx = s;
    ro.timing = true; /* the sequential and parallel parts (a few clock reads per window) */
    int64_t extra_frames = ms->extra > 0 ? llround((double)w->frames * ms->extra) : 0;
    if (!res && extra_frames > 0) {
        /* test-only: the same configuration, extra_frames long, no sink; opened before the
           measured render, whose heap counters start when it is opened */
        plan2 = plan;
        bb_render_opts ro2 = ro;
        ro2.frames = extra_frames;
        ro2.sink = NULL;
        ro2.sink_ctx = NULL;
        bb_plan_render_opts(&plan2, &ro2);
        res = bb_ph_load(w->cfg->program, &ph2, &err);
        if (!res) res = bb_render_open(&r2, ph2, &ro2, &err);
    }
    if (!res) res = bb_render_open(&r, ph, &ro, &err);
    else bb_ph_free(ph); /* bb_render_open would have taken it */
    if (!res) {
        o->steady_from = bb_render_cycle_start(r, 1) / (int64_t)block;
        o->window_blocks = (int64_t)bb_render_latency_blocks(r);
        double c0 = bb_cpu_now_ns();
        s->last_ns = bb_now_ns();
        double t0 = s->last_ns;
        if (ms->count) bb_callgrind_start();
        res = bb_render_run(r, &err);
        if (!res && r2) res = bb_render_run(r2, &err);
        if (ms->count) o->instructions = bb_callgrind_stop();
        double t1 = bb_now_ns();
        o->cpu_ns = bb_cpu_now_ns() - c0;
        o->wall_ns = t1 - t0;
    }
    if (r) {
        o->stats = *bb_render_stats(r);
        o->times = *bb_render_get_times(r);
        o->nplaces = bb_driver_places(bb_render_strategy(r), o->places, BB_WORKERS_MAX);
    }
    bb_render_close(r);
    bb_render_close(r2);
    bb_alloc_stats a1 = bb_alloc_snapshot();
    o->peak_heap = a1.peak - a0.live;
    o->res = res;
    char m[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (res) {
        snprintf(o->msg, sizeof o->msg, "render failed: %s", bb_error_format(&err, m, sizeof m));
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

/* ---- configurations ---------------------------------------------------------------------- */

/* Step i (0..BB_BENCH_STEPS) of the render loop's times, in the loop's order. */
static double *step_of(bb_render_times *t, int i)
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
    for (int i = 0; i < BB_BENCH_STEPS; i++) dvec_push(&c->step[i], *step_of(&tm, i));
    dvec_push(&c->seq, bb_render_times_seq(&tm));
    dvec_push(&c->par, bb_render_times_par(&tm));
    c->step_windows = tm.windows;
    if (o->peak_heap > c->peak_heap) c->peak_heap = o->peak_heap;
    c->window_blocks = o->window_blocks;
    for (size_t b = 0; b < s->nblocks; b++)
        dvec_push((int64_t)b < o->steady_from ? &c->cold : &c->steady, s->block_ns[b]);
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
        dvec_push(&c->rep, (double)NAN);
        dvec_push(&c->cpu, (double)NAN);
        dvec_push(&c->ir, (double)NAN);
        return;
    }
    c->valid++;
    c->total_ns += wall;
    dvec_push(&c->rep, wall / n);
    dvec_push(&c->cpu, cpu / n);
    dvec_push(&c->ir, ir / n);
}

static void config_name(const bb_bench_config *c, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/%s/threads:%d/pin:%s", c->w->name, c->strategy, c->threads, bb_pin_name(c->pin));
}

/* For each pinning policy and thread count, where the workers ran: all bound, how many ran elsewhere
 * than planned, and the placement of the configuration whose workers reported the most. */
json_t *bb_bench_pinning(const bb_bench_config *cs, int nc)
{
    json_t *pins = json_object();
    for (int i = 0; i < nc; i++) {
        const bb_bench_config *c = &cs[i];
        const char *pn = bb_pin_name(c->pin);
        json_t *p = json_object_get(pins, pn);
        if (!p) {
            p = json_object();
            json_object_set_new(p, "all_bound", json_true());
            json_object_set_new(p, "ran_elsewhere", json_integer(0));
            json_object_set_new(p, "placements", json_object());
            json_object_set_new(pins, pn, p);
        }
        if (!c->pin_ok) json_object_set_new(p, "all_bound", json_false());
        int elsewhere = 0;
        for (int k = 0; k < c->nplaces; k++)
            elsewhere += c->places[k].planned_pu >= 0 && c->places[k].last_pu >= 0 &&
                         c->places[k].last_pu != c->places[k].planned_pu;
        json_object_set_new(p, "ran_elsewhere",
                            json_integer(json_integer_value(json_object_get(p, "ran_elsewhere")) + elsewhere));
        /* the placement shown for (policy, threads): the configuration whose workers
           reported the most locations (serial runs no job on its workers: they report none) */
        int best = -1, best_known = -1;
        for (int j = 0; j < nc; j++) {
            if (cs[j].pin != c->pin || cs[j].threads != c->threads) continue;
            int kj = 0;
            for (int k = 0; k < cs[j].nplaces; k++) kj += cs[j].places[k].last_pu >= 0;
            if (kj > best_known) {
                best_known = kj;
                best = j;
            }
        }
        if (best != i) continue;
        char key[32], val[1024] = "";
        snprintf(key, sizeof key, "%d", c->threads);
        json_t *pl = json_object_get(p, "placements");
        if (!c->nplaces) continue;
        size_t used = 0;
        for (int k = 0; k < c->nplaces && used < sizeof val; k++) {
            int wr = snprintf(val + used, sizeof val - used, "%sworker %d: planned PU %d, ran on PU %d%s", k ? "; " : "", k,
                              c->places[k].planned_pu, c->places[k].last_pu,
                              c->places[k].planned_pu >= 0 && !c->places[k].bound ? " (PIN FAILED)" : "");
            if (wr < 0) break;
            used += (size_t)wr;
        }
        char full[1400];
        snprintf(full, sizeof full, "%s (seen in %s/%s)", val, c->w->name, c->strategy);
        json_object_set_new(pl, key, json_string(full));
    }
    return pins;
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


/* The instruction counts into res (configurations cs[0..nc), in the same order): measured here
 * (own_ir: this process is the callgrind child) or taken from the instruction child's document
 * (child, may be NULL; nothing is taken from one that cannot be read). Returns 0, or -1 when out of memory. */
int bb_bench_instructions(bb_results *res, const bb_bench_config *cs, int nc, bool own_ir, const json_t *child)
{
    bb_results cr;
    bb_json_results_init(&cr);
    bb_error err;
    if (!own_ir && (!child || bb_json_read_doc(child, "the instruction counts", &cr, &err))) return 0;
    for (int k = 0; k < nc && (size_t)k < res->n; k++) {
        bb_bres *b = &res->v[k];
        if (own_ir) {
            if (bb_json_set_instructions(b, cs[k].ir.v, cs[k].ir.n)) return -1;
            continue;
        }
        const bb_bres *from = bb_json_results_find(&cr, b->name);
        if (!from) continue;
        b->instructions = from->instructions;
        b->instructions_min = from->instructions_min;
        b->instructions_max = from->instructions_max;
        b->instruction_rounds = from->instruction_rounds;
    }
    bb_json_results_free(&cr);
    return 0;
}

/* ---- the matrix ------------------------------------------------------------------------------------------ */
/* The configurations to run: workload x pin x strategy x threads plus each (workload, pin)'s serial
 * 1-thread reference, cut down to the asked shard. A group is one (workload, pin): its configurations
 * stay together (their speedups are paired with the group's reference). */


void bb_bench_matrix_free(bb_bench_matrix *m)
{
    for (int k = 0; m->cs && k < m->nc; k++) {
        dvec_free(&m->cs[k].ir);
        dvec_free(&m->cs[k].rep);
        dvec_free(&m->cs[k].cpu);
        dvec_free(&m->cs[k].cold);
        dvec_free(&m->cs[k].steady);
        dvec_free(&m->cs[k].seq);
        dvec_free(&m->cs[k].par);
        for (int i = 0; i < BB_BENCH_STEPS; i++) dvec_free(&m->cs[k].step[i]);
    }
    free(m->cs);
    free_workloads(m->all, m->nall);
    bb_workload_set_free(&m->set);
    memset(m, 0, sizeof *m);
}

/* The workloads asked for, in the order asked (default: the manifest's, or the programs'), into
 * m->set; a program's reference rendered now (its length is its group's cost). BB_BENCH_GO_ON or 2. */
static int select_workloads(bb_bench_opts *o, bb_bench_matrix *m)
{
    char *names[BB_BENCH_LIST_MAX];
    int nn = o->wl_buf[0] ? bb_bench_split_list(o->wl_buf, names, BB_BENCH_LIST_MAX) : 0;
    const bb_workload_src src = {.golden = o->golden, .programs = o->programs, .nprograms = o->nprograms,
                                 .opts = &o->wopts, .names = (const char *const *)names, .nnames = nn > 0 ? (size_t)nn : 0};
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bb_result r = nn < 0 ? bb_error_set(&err, BB_ERR_LIMIT, "--workloads", 0, 0, "more than %d workloads", BB_BENCH_LIST_MAX)
                         : bb_workload_open(&m->set, &src, &err);
    if (!r && m->set.n > BB_BENCH_LIST_MAX)
        r = bb_error_set(&err, BB_ERR_LIMIT, m->set.golden, 0, 0, "more than %d workloads: choose with --workloads",
                         BB_BENCH_LIST_MAX);
    for (size_t i = 0; !r && i < m->set.n; i++)
        if (!m->set.v[i].entry) r = bb_workload_reference(&m->set.v[i], &err);
    if (!r) return BB_BENCH_GO_ON;
    fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
    return BB_EXIT_USAGE;
}

/* Does a group hold serial at 1 thread among the asked configurations? */
static bool asks_reference(const bb_bench_opts *o)
{
    bool serial = false, one = false;
    for (int s = 0; s < o->nstrats; s++) serial |= !strcmp(o->strats[s], "serial");
    for (int t = 0; t < o->nthreads; t++) one |= o->threads[t] == 1;
    return serial && one;
}

/* --shard-costs: each group's cost from a previous result, the sum of its configurations' median times (ns);
 * a group it lacks is estimated from its frames at the known groups' mean time per frame. BB_BENCH_GO_ON or 2. */
static int costs_from(const bb_bench_opts *o, const bb_workload *sel, int ng, double *cost)
{
    bb_results prev;
    bb_error err;
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (bb_json_read(o->shard_costs, &prev, &err)) {
        fprintf(stderr, "busbench bench: --shard-costs: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    double known = 0, known_frames = 0;
    for (int g = 0; g < ng; g++) {
        const char *w = sel[g / o->npins].name, *pin = bb_pin_name(o->pins[g % o->npins]);
        double t = 0;
        for (size_t k = 0; k < prev.n; k++)
            if (!strcmp(prev.v[k].workload, w) && !strcmp(prev.v[k].pin, pin) && isfinite(prev.v[k].t.median))
                t += prev.v[k].t.median;
        if (t > 0) known += t, known_frames += cost[g];
        cost[g] = t > 0 ? t : -cost[g]; /* negative: frames, to be scaled */
    }
    double per_frame = known_frames > 0 ? known / known_frames : 1;
    for (int g = 0; g < ng; g++)
        if (cost[g] < 0) cost[g] = -cost[g] * per_frame;
    bb_json_results_free(&prev);
    return BB_BENCH_GO_ON;
}

/* Which groups (index i * npins + p) this shard runs: owned[g]. BB_BENCH_GO_ON or 2. */
static int shard_groups(const bb_bench_opts *o, const bb_workload *sel, int nsel, bool *owned, bb_bench_matrix *m)
{
    int ng = nsel * o->npins;
    int per = o->nstrats * o->nthreads + !asks_reference(o);
    double *cost = malloc((size_t)ng * sizeof *cost), *load = calloc((size_t)(o->shard.count ? o->shard.count : 1), sizeof *load);
    int *owner = malloc((size_t)ng * sizeof *owner);
    int rc = BB_BENCH_GO_ON;
    if (!cost || !load || !owner) rc = BB_EXIT_USAGE;
    for (int g = 0; rc == BB_BENCH_GO_ON && g < ng; g++) cost[g] = (double)(sel[g / o->npins].frames > 0 ? sel[g / o->npins].frames : 0) * per;
    if (rc == BB_BENCH_GO_ON && o->shard_costs && o->shard.count) rc = costs_from(o, sel, ng, cost);
    if (rc == BB_BENCH_GO_ON && bb_shard_assign(cost, (size_t)ng, o->shard.count ? o->shard.count : 1, owner, load)) rc = BB_EXIT_USAGE;
    if (!cost || !load || !owner) fprintf(stderr, "busbench bench: no memory\n");
    m->groups = ng;
    for (int g = 0; rc == BB_BENCH_GO_ON && g < ng; g++) {
        owned[g] = !o->shard.count || owner[g] == o->shard.index;
        m->groups_here += owned[g];
        m->cost_here += owned[g] ? cost[g] : 0;
        m->cost_total += cost[g];
    }
    for (int s = 0; rc == BB_BENCH_GO_ON && s < (o->shard.count ? o->shard.count : 1); s++)
        if (load[s] > m->cost_max) m->cost_max = load[s];
    if (rc == BB_BENCH_GO_ON && !m->groups_here) {
        fprintf(stderr, "busbench bench: shard %d/%d has nothing to run: the matrix has %d group%s (workload x pinning) "
                        "to share out; use at most %d shards\n", o->shard.index, o->shard.count, ng, ng == 1 ? "" : "s", ng);
        rc = BB_EXIT_USAGE;
    }
    free(cost);
    free(load);
    free(owner);
    return rc;
}

/* Append group (w, pin)'s configurations to m->cs, the reference last when it was not asked for. */
static void add_group(const bb_bench_opts *o, bb_bench_matrix *m, bb_bench_workload *w, bb_pin pin)
{
    int first = m->nc;
    for (int s = 0; s < o->nstrats; s++)
        for (int t = 0; t < o->nthreads; t++) {
            bb_bench_config *c = &m->cs[m->nc++];
            c->w = w;
            snprintf(c->strategy, sizeof c->strategy, "%s", o->strats[s]);
            c->threads = o->threads[t];
            c->pin = pin;
        }
    int ref = -1;
    for (int k = first; k < m->nc; k++)
        if (!strcmp(m->cs[k].strategy, "serial") && m->cs[k].threads == 1) ref = k;
    if (ref < 0) {
        ref = m->nc;
        bb_bench_config *c = &m->cs[m->nc++];
        c->w = w;
        snprintf(c->strategy, sizeof c->strategy, "serial");
        c->threads = 1;
        c->pin = pin;
        c->added = true;
    }
    for (int k = first; k < m->nc; k++) {
        m->cs[k].baseline = ref;
        m->cs[k].stable = true;
        m->cs[k].pin_ok = true;
    }
}

/* Load the workloads this shard needs (reference checked or rendered, kit built) and lay out its configurations. BB_BENCH_GO_ON or 2. */
int bb_bench_matrix_build(bb_bench_opts *o, bb_bench_matrix *m)
{
    memset(m, 0, sizeof *m);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bool owned[BB_BENCH_LIST_MAX * 8];
    int rc = select_workloads(o, m), nsel = (int)m->set.n;
    if (rc == BB_BENCH_GO_ON) rc = shard_groups(o, m->set.v, nsel, owned, m);
    if (rc == BB_BENCH_GO_ON) {
        m->all = calloc((size_t)(nsel ? nsel : 1), sizeof *m->all);
        m->cs = calloc((size_t)m->groups_here * (size_t)(o->nstrats * o->nthreads + 1) + 1, sizeof *m->cs);
        if (!m->all || !m->cs) {
            fprintf(stderr, "busbench bench: no memory\n");
            rc = BB_EXIT_USAGE;
        }
    }
    for (int i = 0; rc == BB_BENCH_GO_ON && i < nsel; i++) {
        bool any = false;
        for (int p = 0; p < o->npins; p++) any |= owned[i * o->npins + p];
        if (!any) continue;
        bb_bench_workload *w = &m->all[m->nall++];
        if (prepare_workload(w, &m->set.v[i], &err)) {
            fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
            break;
        }
        for (int p = 0; p < o->npins; p++)
            if (owned[i * o->npins + p]) add_group(o, m, w, o->pins[p]);
        size_t b = o->block ? (size_t)o->block : w->cfg->block;
        size_t nb = (size_t)((w->frames + (int64_t)b - 1) / (int64_t)b) + 1;
        if (nb > m->maxblocks) m->maxblocks = nb;
    }
    if (rc != BB_BENCH_GO_ON) bb_bench_matrix_free(m);
    return rc;
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

/* ---- the output -------------------------------------------------------------------------------------------- */
/* A configuration's timing statistics: summary, bootstrap interval of the median, speedup over its reference. */
static void result_times(const bb_bench_opts *o, const bb_bench_config *c, const bb_bench_config *base, bb_bres *b)
{
    bb_bench_dvec ok = {0}, okc = {0};
    for (size_t i = 0; i < c->rep.n; i++)
        if (isfinite(c->rep.v[i])) {
            dvec_push(&ok, c->rep.v[i]);
            dvec_push(&okc, c->cpu.v[i]);
        }
    bb_stats_summary(ok.v, ok.n, &b->t);
    uint64_t s = (uint64_t)o->seed ^ bb_stats_hash(b->name);
    if (ok.n) bb_stats_bootstrap_median_ci(ok.v, ok.n, BB_STATS_BOOT_DEFAULT, 0.95, s, &b->ci_lo, &b->ci_hi);
    b->cpu_median = bb_stats_median(okc.v, okc.n);
    dvec_free(&ok);
    dvec_free(&okc);
    config_name(base, b->baseline, sizeof b->baseline);
    bb_bench_dvec pb = {0}, px = {0};
    for (size_t i = 0; i < c->rep.n && i < base->rep.n; i++)
        if (isfinite(c->rep.v[i]) && isfinite(base->rep.v[i])) {
            dvec_push(&pb, base->rep.v[i]);
            dvec_push(&px, c->rep.v[i]);
        }
    b->pairs = (int)pb.n;
    if (pb.n) {
        b->speedup = bb_stats_median(pb.v, pb.n) / bb_stats_median(px.v, px.n);
        bb_stats_bootstrap_ratio_ci(pb.v, px.v, pb.n, BB_STATS_BOOT_DEFAULT, 0.95, s ^ 0x9e3779b97f4a7c15ULL, &b->sp_lo,
                                    &b->sp_hi);
    }
    dvec_free(&pb);
    dvec_free(&px);
}

/* A configuration's block latencies, counters, memory and placement. */
static void result_rest(bb_bench_config *c, bb_bres *b)
{
    bb_stats_latency(c->cold.v, c->cold.n, b->deadline_ns, &b->cold);
    bb_stats_latency(c->steady.v, c->steady.n, b->deadline_ns, &b->steady);
    bb_stats_sort(c->cold.v, c->cold.n);
    bb_stats_sort(c->steady.v, c->steady.n);
    for (int i = 0; i < BB_JSON_CDF_POINTS; i++) {
        b->cdf_cold[i] = bb_stats_quantile_sorted(c->cold.v, c->cold.n, bb_json_cdf_p[i]);
        b->cdf_steady[i] = bb_stats_quantile_sorted(c->steady.v, c->steady.n, bb_json_cdf_p[i]);
    }
    b->window_misses = c->window_misses;
    b->windows_timed = c->windows;
    if (c->seq.n) {
        b->seq_ns = bb_stats_median(c->seq.v, c->seq.n);
        b->par_ns = bb_stats_median(c->par.v, c->par.n);
        for (int i = 0; i < BB_BENCH_STEPS; i++) *step_of(&b->steps, i) = bb_stats_median(c->step[i].v, c->step[i].n);
        b->steps.windows = c->step_windows;
    }
    b->counters = c->counters;
    b->counters_stable = c->stable;
    b->allocs_lo = c->allocs_lo;
    b->allocs_hi = c->allocs_hi;
    b->allocs_steady_lo = c->allocs_steady_lo;
    b->allocs_steady_hi = c->allocs_steady_hi;
    b->peak_heap = c->peak_heap;
    b->maxrss_kib = c->maxrss;
    b->nplaces = c->nplaces;
    memcpy(b->places, c->places, sizeof b->places[0] * (size_t)c->nplaces);
    b->pin_ok = c->pin_ok;
    snprintf(b->error, sizeof b->error, "%s", c->error);
}

/* The results model of every configuration. Returns the configurations with failures, -1 when out of memory. */
int bb_bench_results(const bb_bench_opts *o, bb_bench_matrix *m, int rounds, bb_results *res)
{
    int failures = 0;
    for (int k = 0; k < m->nc; k++) {
        bb_bench_config *c = &m->cs[k];
        bb_bres *b = bb_json_results_add(res, rounds);
        if (!b) return -1;
        config_name(c, b->name, sizeof b->name);
        snprintf(b->workload, sizeof b->workload, "%s", c->w->name);
        snprintf(b->strategy, sizeof b->strategy, "%s", c->strategy);
        snprintf(b->pin, sizeof b->pin, "%s", bb_pin_name(c->pin));
        b->threads = c->threads;
        b->sr = c->w->cfg->sr;
        b->block = o->block ? o->block : (int64_t)c->w->cfg->block;
        b->frames = c->w->frames;
        b->deadline_ns = (double)b->block / b->sr * 1e9;
        b->window_blocks = c->window_blocks ? c->window_blocks : 1;
        for (int i = 0; i < rounds && (size_t)i < c->rep.n; i++) {
            b->rep_ns[i] = c->rep.v[i];
            b->rep_cpu_ns[i] = c->cpu.v[i];
        }
        b->valid = c->valid;
        b->voided = c->voided;
        b->iterations = c->iters > 0 ? c->iters : 1;
        b->renders_checked = c->renders_checked;
        b->warmup_renders = c->warmup_renders;
        failures += c->voided > 0;
        result_times(o, c, &m->cs[c->baseline], b);
        result_rest(c, b);
    }
    return failures;
}

/* What the context says about the shard this result is (absent for the whole matrix). */
json_t *bb_bench_shard_context(const bb_bench_opts *o, const bb_bench_matrix *m)
{
    json_t *s = json_object();
    json_object_set_new(s, "index", json_integer(o->shard.index));
    json_object_set_new(s, "count", json_integer(o->shard.count));
    json_object_set_new(s, "groups", json_integer(m->groups_here));
    json_object_set_new(s, "groups_total", json_integer(m->groups));
    json_object_set_new(s, "configurations", json_integer(m->nc));
    json_object_set_new(s, "expected_cost", json_real(m->cost_here));
    json_object_set_new(s, "expected_cost_total", json_real(m->cost_total));
    json_object_set_new(s, "expected_cost_max", json_real(m->cost_max));
    json_object_set_new(s, "cost_model", json_string(o->shard_costs ? "the median times (ns) of a previous result "
                                                                      "(--shard-costs), summed per group"
                                                                    : "frames rendered per round: a group (workload x "
                                                                      "pinning) costs its golden's frames times its "
                                                                      "configurations"));
    if (o->shard_costs) json_object_set_new(s, "costs_from", json_string(o->shard_costs));
    return s;
}
