/* bb_cmd_bench.c - `busbench bench`: the measuring matrix.
 *
 * What it is: the workloads are the golden corpus's (bb_golden.h: the manifest,
 * each workload's render options, its golden WAV checked against the manifest's
 * length and sha256 before it is trusted as a reference); every configuration
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
 * Invariants:
 *  - every render, warm-up included, is compared sample by sample (bit for
 *    bit, memcmp of the float32 samples) with its golden WAV as the blocks
 *    leave the render; a wrong render (or a failed one) voids that round's
 *    timing, is reported with its first differing sample, and makes the
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
 * How the command reads, top down: bb_cmd_bench = opts_parse, opts_metric,
 * opts_lists (the options), matrix_build (the workloads, the configurations,
 * the shard), rounds_run (warm-up and the interleaved rounds), output (the
 * statistics, the context, the table, the files).
 *
 * Units: ns inside; the JSON says ms for real_time/cpu_time, the table on
 * stdout ms for renders and us for blocks. A block's deadline is block / sr. */
#include "bb_callgrind.h"
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_gate.h"
#include "bb_golden.h"
#include "bb_json.h"
#include "bb_proc.h"
#include "bb_run.h"
#include "bb_shard.h"
#include "bb_stats.h"

#include "bb_alloc.h"
#include "bb_kit.h"
#include "bb_ph.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { MAX_TOKENS = 64, MAX_LIST = 64 };

/* ---- growable vectors of doubles (plain malloc: outside the core's counters) ---- */
typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static int dvec_push(dvec *d, double x)
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

static void dvec_free(dvec *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* ---- workloads: the golden corpus (bb_golden.h) ------------------------------------ */
typedef struct workload {
    char name[BB_GOLDEN_NAME_MAX];
    bb_golden_job job;        /* the render setup; job.cfg points into it: never moved */
    const bb_run_cfg *cfg;    /* &job.cfg */
    int64_t frames;           /* the golden's length */
    float *golden;            /* bb_malloc'ed by bb_golden_read */
    size_t ngolden;
    bb_kit *kit;
} workload;

/* Set w up from entry e of m: the job (options parsed, paths resolved), the
 * golden samples (checked against the manifest's frames and sha256: a golden
 * that was changed outside `make bless` is bad input, never a reference), the
 * kit. */
static bb_result prepare_workload(workload *w, const bb_golden_manifest *m, const bb_golden_entry *e, bb_error *err)
{
    snprintf(w->name, sizeof w->name, "%s", e->name);
    bb_result res = bb_golden_job_init(&w->job, m, e, err);
    if (res) return res;
    w->cfg = &w->job.cfg;
    char sha[BB_GOLDEN_SHA_HEX];
    if ((res = bb_golden_read(&w->job, e, &w->golden, &w->ngolden, sha, err))) return res;
    w->frames = (int64_t)w->ngolden;
    if (w->cfg->fmt != BB_WAV_F32)
        return bb_error_set(err, BB_ERR_FORMAT, w->name, 0, 0, "the bench compares float32 goldens only");
    if ((res = bb_kit_create(&w->kit, (double)w->cfg->sr)))
        return bb_error_set(err, res, w->name, 0, 0, "cannot build the sample kit");
    if (w->cfg->samples && (res = bb_kit_load_dir(w->kit, w->cfg->samples, err))) return res;
    return BB_OK;
}

static void free_workloads(workload *v, int n)
{
    for (int i = 0; v && i < n; i++) {
        bb_free(v[i].golden);
        bb_kit_destroy(v[i].kit);
        bb_golden_job_free(&v[i].job);
    }
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

/* Render w with strategy/threads/pin, comparing with the golden; when timed,
 * fill block times into sink (caller's buffer of cap blocks); ms: count the
 * render's instructions, add extra work. */
static void render_once(const workload *w, const char *strategy, int threads, bb_pin pin, size_t block,
                        size_t batch, vsink *s, rrun *o, const measure *ms)
{
    memset(o, 0, sizeof *o);
    o->instructions = NAN;
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
        if (s->first_diff >= 0 && (size_t)s->first_diff < w->ngolden && (size_t)s->first_diff < s->n)
            snprintf(o->msg, sizeof o->msg,
                     "wrong render: first differing sample %" PRId64 " (%.6f s): got %.9g, golden %.9g; %zu samples differ",
                     s->first_diff, (double)s->first_diff / w->cfg->sr, (double)s->got, (double)s->want, s->ndiff);
        else
            snprintf(o->msg, sizeof o->msg, "wrong render: %zu frames, golden has %zu", s->n, w->ngolden);
    } else if (s->overflow) {
        o->res = BB_ERR_INTERNAL;
        snprintf(o->msg, sizeof o->msg, "more blocks than expected (%zu): timing incomplete", s->cap);
    }
}

/* ---- configurations ---------------------------------------------------------------------- */
enum { BB_STEPS = 5 };

/* Step i (0..BB_STEPS) of the render loop's times, in the loop's order. */
static double *step_of(bb_render_times *t, int i)
{
    double *v[BB_STEPS] = {&t->schedule_ns, &t->resolve_ns, &t->mix_ns, &t->continuous_ns, &t->retire_ns};
    return v[i];
}

typedef struct config {
    workload *w;
    char strategy[128];       /* bb_plan_parse form ("cycle,pool") */
    int threads;
    bb_pin pin;
    bool added;               /* not asked for: the reference added for speedups */
    dvec rep, cpu;            /* per round; NaN when void */
    dvec ir;                  /* per round: instructions, NaN when void or not counted */
    dvec cold, steady;        /* block times of valid rounds */
    dvec step[BB_STEPS];      /* per valid round: the loop's step times (step_of) */
    dvec seq, par;            /* per valid round: its sequential and parallel parts */
    uint64_t step_windows;
    uint64_t window_misses, windows;
    int64_t window_blocks;
    bb_stats counters;
    bool have_counters, stable;
    uint64_t allocs_lo, allocs_hi, allocs_steady_lo, allocs_steady_hi; /* over valid rounds */
    int64_t peak_heap, maxrss;
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    bool pin_ok;
    int valid, voided;
    double total_ns;
    char error[512];
    int baseline;             /* index of the reference configuration, -1 none */
} config;

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

/* Record a render's outcome into c (timed: round's time, blocks). */
static void record(config *c, const rrun *o, const vsink *s, bool timed, double deadline)
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
    if (!timed) {
        if (!ok) c->voided++; /* a wrong warm-up counts as a failure too */
        return;
    }
    if (!ok) {
        c->voided++;
        dvec_push(&c->rep, NAN);
        dvec_push(&c->cpu, NAN);
        dvec_push(&c->ir, NAN);
        return;
    }
    c->valid++;
    c->total_ns += o->wall_ns;
    dvec_push(&c->rep, o->wall_ns);
    dvec_push(&c->cpu, o->cpu_ns);
    dvec_push(&c->ir, o->instructions);
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
    for (int i = 0; i < BB_STEPS; i++) dvec_push(&c->step[i], *step_of(&tm, i));
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
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static void config_name(const config *c, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/%s/threads:%d/pin:%s", c->w->name, c->strategy, c->threads, bb_pin_name(c->pin));
}

/* For each pinning policy and thread count, where the workers ran: all bound, how many ran elsewhere
 * than planned, and the placement of the configuration whose workers reported the most. */
static json_t *pinning_context(const config *cs, int nc)
{
    json_t *pins = json_object();
    for (int i = 0; i < nc; i++) {
        const config *c = &cs[i];
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

/* ---- the context ------------------------------------------------------------------------------ */
static json_t *context(int argc, char **argv, bool shuffled, const config *cs, int nc, const char *golden, int reps, int warmup, double min_time, int rounds,
                       size_t block_override, size_t batch)
{
    json_t *ctx = bb_env_context();
    json_object_set_new(ctx, "golden", json_string(golden));
    char cmd[2048];
    json_object_set_new(ctx, "command", json_string(bb_env_command(argc, argv, cmd, sizeof cmd)));
    json_object_set_new(ctx, "reps", json_integer(reps));
    json_object_set_new(ctx, "warmup", json_integer(warmup));
    json_object_set_new(ctx, "min_time_s", json_real(min_time));
    json_object_set_new(ctx, "rounds", json_integer(rounds));
    json_object_set_new(ctx, "order", json_string(shuffled ? "shuffled per round (seeded)" : "fixed"));
    json_object_set_new(ctx, "block_override", json_integer((json_int_t)block_override));
    json_object_set_new(ctx, "batch", json_integer((json_int_t)batch));
    json_object_set_new(ctx, "bootstrap", json_string("percentile, 2000 resamples, 95%, xoshiro256** seeded per configuration"));
    json_object_set_new(ctx, "peak_memory", json_string("peak_heap_bytes: the core's heap high-water mark from load to "
                                                        "close of one render (max over rounds); maxrss_kib: process-wide"));
    json_object_set_new(ctx, "pinning", pinning_context(cs, nc));
    return ctx;
}

/* ---- progress ---------------------------------------------------------------------------------- */
typedef struct progress {
    bool on;
    double t0;
    long done, total;
    int nconfigs;
} progress;

static void progress_show(progress *p, int round, int rounds, int which, int warm)
{
    if (!p->on) return;
    double el = (bb_now_ns() - p->t0) / 1e9;
    double left = p->done ? el / (double)p->done * (double)(p->total - p->done) : 0;
    if (left < 0) left = 0;
    int width = 30, fill = p->total ? (int)((double)width * (double)p->done / (double)p->total) : 0;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\rbench [%s] %s %d/%d, configuration %d/%d, %ld/%ld renders, about %d:%02d left ", bar,
            warm ? "warm-up" : "round", round, rounds, which, p->nconfigs, p->done, p->total, (int)left / 60,
            (int)left % 60);
    fflush(stderr);
}

static void progress_end(progress *p)
{
    if (p->on) fprintf(stderr, "\r%*s\r", 120, "");
}

/* ---- lists ---------------------------------------------------------------------------------------- */
/* "1,2,4", "1-8", "1..8" (mixed). Returns the count or -1. */
static int parse_threads(const char *s, int *out, int max)
{
    int n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strstr(t, "..");
        size_t skip = 2;
        if (!dash) {
            dash = strchr(t, '-');
            skip = 1;
        }
        long a, b;
        if (dash) {
            *dash = '\0';
            if (bb_run_parse_long(t, 1, BB_WORKERS_MAX, &a) || bb_run_parse_long(dash + skip, 1, BB_WORKERS_MAX, &b) || b < a) return -1;
        } else {
            if (bb_run_parse_long(t, 1, BB_WORKERS_MAX, &a)) return -1;
            b = a;
        }
        for (long v = a; v <= b; v++) {
            if (n >= max) return -1;
            out[n++] = (int)v;
        }
    }
    return n;
}

static int split_list(char *s, char **out, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n >= max) return -1;
        out[n++] = t;
    }
    return n;
}

/* ---- --metric instructions: the callgrind child, and the file with counts ------------------- */
enum { METRIC_TIME, METRIC_INSTR, METRIC_BOTH };

/* The instruction counts into res (configurations cs[0..nc), in the same order): measured here
 * (own_ir: this process is the callgrind child) or taken from the instruction child's document
 * (child, may be NULL; nothing is taken from one that cannot be read). Returns 0, or -1 when out of memory. */
static int results_instructions(bb_results *res, const config *cs, int nc, bool own_ir, const json_t *child)
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

/* ---- the options ---------------------------------------------------------------------------------------- */
/* What the command line asks for, once parsed and checked. */
typedef struct bench_opts {
    const char *golden, *out_json, *out_csv, *threads_arg;
    char wl_buf[1024], st_buf[1024], pin_buf[256];
    long reps, warmup, max_rounds, block, batch, seed;
    double min_time, extra_pct;
    bool quiet, shuffled, reps_given, warmup_given;
    bool counting;            /* this process is the callgrind child: count instructions */
    int metric;
    bb_shard shard;           /* count 0: the whole matrix */
    const char *shard_costs;  /* a previous result whose medians are the groups' expected costs (NULL: frames) */
    int threads[BB_WORKERS_MAX], nthreads;
    bb_pin pins[8];
    int npins;
    char *strats[MAX_LIST];   /* point into st_buf, '+' turned into ',' */
    int nstrats;
} bench_opts;

enum { GO_ON = -1 }; /* returned by the steps below when the command goes on; else an exit code */

/* list = item { "," item }, copied into the option's buffer (split later) */
static bb_result opt_list(char *buf, size_t cap, const char *name, const char *v, bb_error *err)
{
    if ((size_t)snprintf(buf, cap, "%s", v) < cap) return BB_OK;
    return bb_error_set(err, BB_ERR_LIMIT, name, 0, 0, "list longer than %zu characters", cap - 1);
}
static bb_result opt_workloads(void *b, const char *v, bb_error *e) { return opt_list(((bench_opts *)b)->wl_buf, sizeof ((bench_opts *)b)->wl_buf, "--workloads", v, e); }
static bb_result opt_strategies(void *b, const char *v, bb_error *e) { return opt_list(((bench_opts *)b)->st_buf, sizeof ((bench_opts *)b)->st_buf, "--strategies", v, e); }
static bb_result opt_pins(void *b, const char *v, bb_error *e) { return opt_list(((bench_opts *)b)->pin_buf, sizeof ((bench_opts *)b)->pin_buf, "--pins", v, e); }

/* metric = "time" | "instructions" | "both" */
static bb_result opt_metric(void *base, const char *v, bb_error *err)
{
    bench_opts *o = base;
    if (!strcmp(v, "time")) o->metric = METRIC_TIME;
    else if (!strcmp(v, "instructions")) o->metric = METRIC_INSTR;
    else if (!strcmp(v, "both")) o->metric = METRIC_BOTH;
    else return bb_error_set(err, BB_ERR_ARG, "--metric", 0, 0, "bad value '%s': expected time, instructions or both", v);
    return BB_OK;
}

/* order = "shuffled" | "fixed" */
static bb_result opt_order(void *base, const char *v, bb_error *err)
{
    bench_opts *o = base;
    if (strcmp(v, "shuffled") && strcmp(v, "fixed"))
        return bb_error_set(err, BB_ERR_ARG, "--order", 0, 0, "bad value '%s': expected shuffled or fixed", v);
    o->shuffled = !strcmp(v, "shuffled");
    return BB_OK;
}

static bb_result opt_shard(void *base, const char *v, bb_error *err)
{
    return bb_shard_parse(v, &((bench_opts *)base)->shard, err);
}

#define BO(m) offsetof(bench_opts, m)
static const bb_opt opts[] = {
    {"--golden", BB_OPT_STR, BO(golden), 0, 0, "DIR", "golden corpus with manifest.tsv (default golden)", "a folder", NULL},
    {"--workloads", BB_OPT_FN, 0, 0, 0, "LIST", "comma-separated workload names (default: the manifest's)", NULL, opt_workloads},
    {"--strategies", BB_OPT_FN, 0, 0, 0, "LIST",
     "comma-separated; compose with '+' (cycle+pool)\n(default: every strategy but the canaries: busbench strategies)", NULL,
     opt_strategies},
    {"--threads", BB_OPT_STR, BO(threads_arg), 0, 0, "LIST", "e.g. 1,2,4 or 1-8 (default 1-<cores>)", "a list of thread counts", NULL},
    {"--pins", BB_OPT_FN, 0, 0, 0, "LIST", "compact, scatter, none (default compact)", NULL, opt_pins},
    {"--reps", BB_OPT_LONG, BO(reps), 1, 100000, "N", "timed rounds, at least (default 10)", NULL, NULL},
    {"--warmup", BB_OPT_LONG, BO(warmup), 0, 1000, "N", "untimed (still checked) rounds first (default 1)", NULL, NULL},
    {"--min-time", BB_OPT_REAL, BO(min_time), 0, 86400, "S", "go on with rounds until every configuration has S s of valid timings",
     NULL, NULL},
    {"--max-rounds", BB_OPT_LONG, BO(max_rounds), 1, 1000000, "N", "... but stop after N rounds (default 1000)", NULL, NULL},
    {"--block", BB_OPT_LONG, BO(block), 1, BB_RENDER_BLOCK_MAX, "N", "samples per block for every workload (default: the manifest's)",
     "a block size from 1 to 65536 samples", NULL},
    {"--batch", BB_OPT_LONG, BO(batch), 1, 1024, "K", "blocks per window for batch and all (default: the strategy's)",
     "a number of blocks from 1 to 1024", NULL},
    {"--order", BB_OPT_FN, 0, 0, 0, "ORDER",
     "shuffled (default: every round in its own order, drawn from --seed)\nor fixed (A B C A B C ...)", NULL, opt_order},
    {"--seed", BB_OPT_LONG, BO(seed), 0, (double)LONG_MAX, "N", "seed of the bootstrap and of the shuffled order (default 1)", NULL, NULL},
    {"--out", BB_OPT_STR, BO(out_json), 0, 0, "FILE.json", "Google Benchmark JSON (default: none)", "an output path", NULL},
    {"--csv", BB_OPT_STR, BO(out_csv), 0, 0, "FILE.csv", "one row per configuration (default: none)", "an output path", NULL},
    {"--shard", BB_OPT_FN, 0, 0, 0, "I/N",
     "run the I-th of N slices of the matrix (groups workload x pinning, each\n"
     "in exactly one slice, balanced by expected cost); slurm/N takes I from\n"
     "SLURM_ARRAY_TASK_ID; put the slices together with busbench merge", NULL, opt_shard},
    {"--shard-costs", BB_OPT_STR, BO(shard_costs), 0, 0, "FILE",
     "expected costs from a previous result (its median times per group)\ninstead of the golden's frames: better balance", "a file",
     NULL},
    {"--metric", BB_OPT_FN, 0, 0, 0, "M",
     "time (default); instructions: count each render's instructions under\n"
     "valgrind's callgrind (deterministic at 1 thread; ~50x slower; default\n"
     "1 warm-up, 1 round; times are not recorded as speed); both: time as\n"
     "usual, then the counts in a callgrind child, in one file", NULL, opt_metric},
    {"--quiet", BB_OPT_FLAG, BO(quiet), 0, 0, NULL, "no table on stdout, no progress bar", NULL, NULL},
    /* test-only: a known extra cost per render, in per cent (the gate must catch it); not in the usage */
    {"--extra-work", BB_OPT_REAL, BO(extra_pct), 0, 1000, "PCT", NULL, NULL, NULL},
    BB_OPT_END,
};
#undef BO

static const bb_opt_cmd spec = {
    "bench", "[options]",
    "Render every configuration workload x strategy x threads x pinning, warm-up first,\n"
    "then in interleaved rounds; check every render against its golden WAV bit for bit;\n"
    "write Google Benchmark JSON (and CSV) with medians, bootstrap intervals, speedups over\n"
    "serial at 1 thread, per-block latency against the real-time deadline, counters, memory\n"
    "and placement.",
    "0 every render right, 1 a render was wrong or failed (its timing is void), 2 bad input"};

/* The command line into o. GO_ON, or an exit code (--help, a bad option). */
static int opts_parse(int argc, char **argv, bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->golden = "golden";
    /* every strategy of the registry that is not a canary (busbench strategies) */
    for (size_t i = 0, n = 0; bb_variants[i]; i++)
        if (!bb_variants[i]->canary)
            n += (size_t)snprintf(o->st_buf + n, sizeof o->st_buf - n, "%s%s", n ? "," : "", bb_variants[i]->name);
    snprintf(o->pin_buf, sizeof o->pin_buf, "compact");
    o->reps = o->warmup = -1; /* not given: 10 and 1 (1 and 1 when counting instructions) */
    o->max_rounds = 1000, o->seed = 1;
    o->shuffled = true;
    o->metric = METRIC_TIME;
    const bb_opt_group groups[] = {{NULL, opts, o}};
    int npos;
    int rc = bb_opt_parse(&spec, groups, 1, argc, argv, NULL, 0, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    o->reps_given = o->reps >= 0, o->warmup_given = o->warmup >= 0;
    if (!o->reps_given) o->reps = 10;
    if (!o->warmup_given) o->warmup = 1;
    if (o->max_rounds < o->reps) o->max_rounds = o->reps;
    return GO_ON;
}

/* --metric instructions|both: this process runs itself under callgrind, unless it is that child
 * (then it counts, 1 warm-up and 1 round unless told otherwise). GO_ON or an exit code. */
static int opts_metric(bench_opts *o, char **argv)
{
    if (o->metric == METRIC_TIME) return GO_ON;
    if (!bb_callgrind_built()) {
        fprintf(stderr, "busbench bench: --metric %s needs <valgrind/callgrind.h> at build time (the valgrind "
                        "package); rebuild with it installed\n", o->metric == METRIC_BOTH ? "both" : "instructions");
        return BB_EXIT_USAGE;
    }
    o->counting = bb_callgrind_child();
    if (!o->counting && o->metric == METRIC_INSTR) {
        char dir[PATH_MAX];
        if (bb_callgrind_dir_make(dir, sizeof dir)) {
            fprintf(stderr, "busbench bench: cannot make a temporary folder: %s\n", strerror(errno));
            return BB_EXIT_USAGE;
        }
        int rc = bb_callgrind_run(dir, argv);
        bb_callgrind_dir_remove(dir);
        return rc;
    }
    if (o->counting) {
        o->metric = METRIC_INSTR;
        if (!o->reps_given) o->reps = 1;
        if (!o->warmup_given) o->warmup = 1;
        if (o->max_rounds < o->reps) o->max_rounds = o->reps;
    }
    return GO_ON;
}

/* The lists: threads, pinnings, strategies (each strategy checked by bb_plan_parse). GO_ON or 2. */
static int opts_lists(bench_opts *o)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    if (o->threads_arg) {
        o->nthreads = parse_threads(o->threads_arg, o->threads, BB_WORKERS_MAX);
        if (o->nthreads <= 0) {
            fprintf(stderr, "busbench bench: bad --threads '%s' (expected e.g. 1,2,4 or 1-8, each 1..%d)\n",
                    o->threads_arg, BB_WORKERS_MAX);
            return BB_EXIT_USAGE;
        }
    } else {
        int cores = bb_workers_cores();
        o->nthreads = cores < BB_WORKERS_MAX ? cores : BB_WORKERS_MAX;
        for (int i = 0; i < o->nthreads; i++) o->threads[i] = i + 1;
    }
    char *pins_s[8];
    o->npins = split_list(o->pin_buf, pins_s, 8);
    for (int i = 0; i < o->npins; i++)
        if (bb_pin_parse(pins_s[i], &o->pins[i])) {
            fprintf(stderr, "busbench bench: unknown pinning '%s' (compact, scatter or none)\n", pins_s[i]);
            return BB_EXIT_USAGE;
        }
    o->nstrats = split_list(o->st_buf, o->strats, MAX_LIST);
    for (int i = 0; i < o->nstrats; i++) {
        for (char *p = o->strats[i]; *p; p++)
            if (*p == '+') *p = ',';
        bb_plan plan;
        if (bb_plan_parse(o->strats[i], 1, 0, BB_PIN_NONE, &plan, &err)) {
            fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
    }
    if (o->npins <= 0 || o->nstrats <= 0) {
        fprintf(stderr, "busbench bench: empty --pins or --strategies\n");
        return BB_EXIT_USAGE;
    }
    /* an unwritable --out or --csv is bad input now, not after the whole matrix */
    if ((o->out_json && bb_json_check_writable(o->out_json, &err)) || (o->out_csv && bb_json_check_writable(o->out_csv, &err))) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    return GO_ON;
}

/* ---- the matrix ------------------------------------------------------------------------------------------ */
/* The configurations to run: workload x pin x strategy x threads plus each (workload, pin)'s serial
 * 1-thread reference, cut down to the asked shard. A group is one (workload, pin): its configurations
 * stay together (their speedups are paired with the group's reference). */
typedef struct matrix {
    workload *all;            /* the workloads this shard renders */
    int nall;
    config *cs;
    int nc;
    int groups;               /* in the whole matrix */
    int groups_here;          /* in this shard */
    double cost_here, cost_total, cost_max; /* expected cost (frames rendered per round): this shard, all, the largest shard */
    size_t maxblocks;         /* the largest render's block count: the size of the block-time buffer */
} matrix;

static void matrix_free(matrix *m)
{
    for (int k = 0; m->cs && k < m->nc; k++) {
        dvec_free(&m->cs[k].ir);
        dvec_free(&m->cs[k].rep);
        dvec_free(&m->cs[k].cpu);
        dvec_free(&m->cs[k].cold);
        dvec_free(&m->cs[k].steady);
        dvec_free(&m->cs[k].seq);
        dvec_free(&m->cs[k].par);
        for (int i = 0; i < BB_STEPS; i++) dvec_free(&m->cs[k].step[i]);
    }
    free(m->cs);
    free_workloads(m->all, m->nall);
    memset(m, 0, sizeof *m);
}

/* The workloads asked for, in the order asked (default: the manifest's). GO_ON or 2. */
static int select_workloads(bench_opts *o, const bb_golden_manifest *man, const bb_golden_entry **sel, int *nsel)
{
    *nsel = 0;
    if (!o->wl_buf[0]) {
        for (size_t j = 0; j < man->n && *nsel < MAX_LIST; j++) sel[(*nsel)++] = &man->v[j];
        return GO_ON;
    }
    char *names[MAX_LIST];
    int nn = split_list(o->wl_buf, names, MAX_LIST);
    for (int i = 0; i < nn; i++) {
        const bb_golden_entry *e = bb_golden_manifest_find(man, names[i]);
        if (!e) {
            fprintf(stderr, "busbench bench: unknown workload '%s' (the manifest has:", names[i]);
            for (size_t j = 0; j < man->n; j++) fprintf(stderr, " %s", man->v[j].name);
            fprintf(stderr, ")\n");
            return BB_EXIT_USAGE;
        }
        sel[(*nsel)++] = e;
    }
    return GO_ON;
}

/* Does a group hold serial at 1 thread among the asked configurations? */
static bool asks_reference(const bench_opts *o)
{
    bool serial = false, one = false;
    for (int s = 0; s < o->nstrats; s++) serial |= !strcmp(o->strats[s], "serial");
    for (int t = 0; t < o->nthreads; t++) one |= o->threads[t] == 1;
    return serial && one;
}

/* --shard-costs: each group's cost from a previous result, the sum of its configurations' median times (ns);
 * a group it lacks is estimated from its frames at the known groups' mean time per frame. GO_ON or 2. */
static int costs_from(const bench_opts *o, const bb_golden_entry *const *sel, int ng, double *cost)
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
        const char *w = sel[g / o->npins]->name, *pin = bb_pin_name(o->pins[g % o->npins]);
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
    return GO_ON;
}

/* Which groups (index i * npins + p) this shard runs: owned[g]. GO_ON or 2. */
static int shard_groups(const bench_opts *o, const bb_golden_entry *const *sel, int nsel, bool *owned, matrix *m)
{
    int ng = nsel * o->npins;
    int per = o->nstrats * o->nthreads + !asks_reference(o);
    double *cost = malloc((size_t)ng * sizeof *cost), *load = calloc((size_t)(o->shard.count ? o->shard.count : 1), sizeof *load);
    int *owner = malloc((size_t)ng * sizeof *owner);
    int rc = GO_ON;
    if (!cost || !load || !owner) rc = BB_EXIT_USAGE;
    for (int g = 0; rc == GO_ON && g < ng; g++) cost[g] = (double)sel[g / o->npins]->frames * per;
    if (rc == GO_ON && o->shard_costs && o->shard.count) rc = costs_from(o, sel, ng, cost);
    if (rc == GO_ON && bb_shard_assign(cost, (size_t)ng, o->shard.count ? o->shard.count : 1, owner, load)) rc = BB_EXIT_USAGE;
    if (!cost || !load || !owner) fprintf(stderr, "busbench bench: no memory\n");
    m->groups = ng;
    for (int g = 0; rc == GO_ON && g < ng; g++) {
        owned[g] = !o->shard.count || owner[g] == o->shard.index;
        m->groups_here += owned[g];
        m->cost_here += owned[g] ? cost[g] : 0;
        m->cost_total += cost[g];
    }
    for (int s = 0; rc == GO_ON && s < (o->shard.count ? o->shard.count : 1); s++)
        if (load[s] > m->cost_max) m->cost_max = load[s];
    if (rc == GO_ON && !m->groups_here) {
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
static void add_group(const bench_opts *o, matrix *m, workload *w, bb_pin pin)
{
    int first = m->nc;
    for (int s = 0; s < o->nstrats; s++)
        for (int t = 0; t < o->nthreads; t++) {
            config *c = &m->cs[m->nc++];
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
        config *c = &m->cs[m->nc++];
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

/* Load the workloads this shard needs (golden checked, kit built) and lay out its configurations. GO_ON or 2. */
static int matrix_build(bench_opts *o, matrix *m)
{
    memset(m, 0, sizeof *m);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bb_golden_manifest man;
    if (bb_golden_manifest_load(o->golden, &man, &err)) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    const bb_golden_entry *sel[MAX_LIST];
    bool owned[MAX_LIST * 8];
    int nsel = 0, rc = select_workloads(o, &man, sel, &nsel);
    if (rc == GO_ON) rc = shard_groups(o, sel, nsel, owned, m);
    if (rc == GO_ON) {
        m->all = calloc((size_t)(nsel ? nsel : 1), sizeof *m->all);
        m->cs = calloc((size_t)m->groups_here * (size_t)(o->nstrats * o->nthreads + 1) + 1, sizeof *m->cs);
        if (!m->all || !m->cs) {
            fprintf(stderr, "busbench bench: no memory\n");
            rc = BB_EXIT_USAGE;
        }
    }
    for (int i = 0; rc == GO_ON && i < nsel; i++) {
        bool any = false;
        for (int p = 0; p < o->npins; p++) any |= owned[i * o->npins + p];
        if (!any) continue;
        workload *w = &m->all[m->nall++];
        if (prepare_workload(w, &man, sel[i], &err)) {
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
    bb_golden_manifest_free(&man);
    if (rc != GO_ON) matrix_free(m);
    return rc;
}

/* ---- the rounds -------------------------------------------------------------------------------------------- */
/* The state of the rounds: the sink with its block-time buffer, the progress bar, the order. */
typedef struct round_state {
    vsink sink;
    progress pg;
    measure meas;
    int *order;
    int done;                 /* timed rounds run */
} round_state;

/* Render configuration c once (timed or warm-up) and record it. */
static void run_config(const bench_opts *o, round_state *R, config *c, bool timed)
{
    size_t b = o->block ? (size_t)o->block : c->w->cfg->block;
    rrun out;
    R->sink.timed = timed && !o->counting; /* under callgrind blocks are not timed: clocks stay out of the count */
    R->meas.count = timed && o->counting;
    render_once(c->w, c->strategy, c->threads, c->pin, b, o->batch ? (size_t)o->batch : c->w->cfg->batch, &R->sink,
                &out, &R->meas);
    record(c, &out, &R->sink, timed, (double)b / c->w->cfg->sr * 1e9);
    R->pg.done++;
}

/* Rounds wanted beyond --reps for --min-time: 0 when every configuration has its time (or at --max-rounds). */
static int rounds_more(const bench_opts *o, const matrix *m, int done)
{
    if (done < o->reps) return (int)o->reps - done;
    if (done >= o->max_rounds || o->min_time <= 0) return 0;
    double need = 0;
    for (int k = 0; k < m->nc; k++) {
        const config *c = &m->cs[k];
        if (!c->valid) continue;
        double per = c->total_ns / c->valid, left = o->min_time * 1e9 - c->total_ns;
        if (left > 0 && ceil(left / per) > need) need = ceil(left / per);
    }
    if (need > (double)(o->max_rounds - done)) need = (double)(o->max_rounds - done);
    return (int)need;
}

/* One timed round, in its own order (Fisher-Yates from --seed when shuffled). */
static void round_once(const bench_opts *o, matrix *m, round_state *R, bb_stats_rng *rng, int planned)
{
    int nc = m->nc;
    for (int k = 0; k < nc; k++) R->order[k] = k;
    for (int k = nc - 1; o->shuffled && k > 0; k--) {
        int j = (int)bb_stats_rng_below(rng, (uint64_t)k + 1), t = R->order[k];
        R->order[k] = R->order[j];
        R->order[j] = t;
    }
    for (int k = 0; k < nc; k++) {
        run_config(o, R, &m->cs[R->order[k]], true);
        progress_show(&R->pg, R->done + 1, planned, k + 1, 0);
    }
    R->done++;
}

/* Warm-up, then rounds until --reps and --min-time are met. Returns the timed rounds run, -1 when out of memory. */
static int rounds_run(const bench_opts *o, matrix *m)
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
    R.pg = (progress){.on = !o->quiet && isatty(2), .t0 = bb_now_ns(), .nconfigs = m->nc};
    R.pg.total = (long)m->nc * (o->warmup + o->reps);
    for (int r = 0; r < o->warmup; r++)
        for (int k = 0; k < m->nc; k++) {
            run_config(o, &R, &m->cs[k], false);
            progress_show(&R.pg, r + 1, (int)o->warmup, k + 1, 1);
        }
    bb_stats_rng rng;
    bb_stats_rng_seed(&rng, (uint64_t)o->seed ^ 0x6f72646572ULL);
    for (int more; (more = rounds_more(o, m, R.done)) > 0;) {
        if (R.done >= o->reps) R.pg.total = R.pg.done + (long)m->nc * more; /* --min-time: the estimate so far */
        round_once(o, m, &R, &rng, R.done + more);
    }
    progress_end(&R.pg);
    free(R.order);
    free(R.sink.block_ns);
    return R.done;
}

/* ---- the output -------------------------------------------------------------------------------------------- */
/* A configuration's timing statistics: summary, bootstrap interval of the median, speedup over its reference. */
static void result_times(const bench_opts *o, const config *c, const config *base, bb_bres *b)
{
    dvec ok = {0}, okc = {0};
    for (size_t i = 0; i < c->rep.n; i++)
        if (isfinite(c->rep.v[i])) {
            dvec_push(&ok, c->rep.v[i]);
            dvec_push(&okc, c->cpu.v[i]);
        }
    bb_stats_summary(ok.v, ok.n, &b->t);
    uint64_t s = (uint64_t)o->seed ^ fnv1a(b->name);
    if (ok.n) bb_stats_bootstrap_median_ci(ok.v, ok.n, BB_STATS_BOOT_DEFAULT, 0.95, s, &b->ci_lo, &b->ci_hi);
    b->cpu_median = bb_stats_median(okc.v, okc.n);
    dvec_free(&ok);
    dvec_free(&okc);
    config_name(base, b->baseline, sizeof b->baseline);
    dvec pb = {0}, px = {0};
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
static void result_rest(config *c, bb_bres *b)
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
        for (int i = 0; i < BB_STEPS; i++) *step_of(&b->steps, i) = bb_stats_median(c->step[i].v, c->step[i].n);
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
static int results_build(const bench_opts *o, matrix *m, int rounds, bb_results *res)
{
    int failures = 0;
    for (int k = 0; k < m->nc; k++) {
        config *c = &m->cs[k];
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
        failures += c->voided > 0;
        result_times(o, c, &m->cs[c->baseline], b);
        result_rest(c, b);
    }
    return failures;
}

/* What the context says about the shard this result is (absent for the whole matrix). */
static json_t *shard_context(const bench_opts *o, const matrix *m)
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

/* --metric both: count the same matrix's instructions in a valgrind child. Returns its document (a new
 * reference) or NULL with *code set; *failures grows when the child saw wrong renders. */
static json_t *instructions_child(const bench_opts *o, int argc, char **argv, int *code, int *failures)
{
    char dir[PATH_MAX], cout[PATH_MAX + 32];
    char **cargs = calloc((size_t)argc + 16, sizeof *cargs);
    int crc = BB_EXIT_USAGE;
    json_t *doc = NULL;
    if (cargs && !bb_callgrind_dir_make(dir, sizeof dir)) {
        static const char *const drop[] = {"--metric", "--out", "--csv", "--reps", "--warmup", "--min-time", "--max-rounds"};
        size_t k = 0;
        cargs[k++] = argv[0];
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--quiet")) continue;
            bool skip = false, joined = false; /* "--reps 5" or "--reps=5" */
            for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++) {
                size_t n = strlen(drop[d]);
                skip |= !strcmp(argv[i], drop[d]);
                joined |= !strncmp(argv[i], drop[d], n) && argv[i][n] == '=';
            }
            if (skip || joined) {
                i += skip;
                continue;
            }
            cargs[k++] = argv[i];
        }
        snprintf(cout, sizeof cout, "%s/instructions.json", dir);
        cargs[k++] = "--metric";
        cargs[k++] = "instructions";
        cargs[k++] = "--out";
        cargs[k++] = cout;
        cargs[k++] = "--quiet";
        cargs[k] = NULL;
        if (!o->quiet) fprintf(stderr, "bench: counting instructions under callgrind (1 warm-up, 1 round)...\n");
        crc = bb_callgrind_run(dir, cargs);
        json_error_t je;
        doc = crc <= BB_EXIT_FAIL ? json_load_file(cout, 0, &je) : NULL;
        bb_callgrind_dir_remove(dir);
    }
    free(cargs);
    if (!doc) {
        fprintf(stderr, "busbench bench: the instruction count under callgrind failed (exit %d)\n", crc);
        *code = crc > BB_EXIT_FAIL ? crc : BB_EXIT_USAGE;
    } else if (crc == BB_EXIT_FAIL) {
        (*failures)++;
    }
    return doc;
}

/* The context's notes on the metrics (instructions measured here or by the child). */
static void metrics_context(const bench_opts *o, json_t *ctx, int rounds, const json_t *child_doc)
{
    if (o->metric == METRIC_TIME || !ctx) return;
    json_t *ms = json_array();
    if (o->metric == METRIC_BOTH) json_array_append_new(ms, json_string("time"));
    if (o->counting || child_doc) json_array_append_new(ms, json_string("instructions"));
    json_object_set_new(ctx, "metrics", ms);
    if (o->counting) {
        json_object_set_new(ctx, "instructions", bb_callgrind_context(rounds));
        json_object_set_new(ctx, "timing", json_string("rendered under valgrind: the times are not a measure of speed"));
    } else if (child_doc) {
        json_t *ic = json_object_get(json_object_get(child_doc, "context"), "instructions");
        if (ic) json_object_set(ctx, "instructions", ic);
    }
}

static const char *flag_of(const bb_bres *b)
{
    return !b->error[0] ? "" : !strncmp(b->error, "wrong", 5) ? "  WRONG" : "  FAILED";
}

/* The table on stdout: instructions when counting, else times and speedups. */
static void print_table(const bench_opts *o, const matrix *m, const bb_results *res)
{
    if (o->counting) {
        printf("%-44s %5s %16s %12s\n", "configuration", "valid", "instructions", "per frame");
        for (size_t k = 0; k < res->n; k++) {
            const bb_bres *b = &res->v[k];
            double ir = bb_stats_median(m->cs[k].ir.v, m->cs[k].ir.n);
            printf("%-44s %2d/%-2d %16.0f %12.1f%s\n", b->name, b->valid, b->rounds, ir, ir / (double)b->frames, flag_of(b));
        }
        return;
    }
    printf("%-44s %5s %10s %23s %7s %17s %10s %7s\n", "configuration", "valid", "median ms", "95% CI ms", "speedup",
           "95% CI", "p99 us", "misses");
    for (size_t k = 0; k < res->n; k++) {
        const bb_bres *b = &res->v[k];
        printf("%-44s %2d/%-2d %10.3f [%9.3f, %9.3f] %7.3f [%6.3f, %6.3f] %10.1f %7" PRIu64 "%s\n", b->name, b->valid,
               b->rounds, b->t.median / 1e6, b->ci_lo / 1e6, b->ci_hi / 1e6, b->speedup, b->sp_lo, b->sp_hi,
               b->steady.p99 / 1e3, b->steady.misses + b->cold.misses, flag_of(b));
    }
}

/* Write --out and --csv (atomically). Returns the exit code so far. */
static int output_write(const bench_opts *o, const bb_results *res)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    if (o->out_json && bb_json_write(res, o->out_json, &err)) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    if (o->out_csv && bb_json_write_csv(res, o->out_csv, &err)) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    return BB_EXIT_OK;
}

/* The statistics, the context, the instruction counts, the table and the files. Returns the exit code. */
static int output(const bench_opts *o, matrix *m, int rounds, int argc, char **argv)
{
    bb_results res;
    bb_json_results_init(&res);
    int failures = results_build(o, m, rounds, &res), code = BB_EXIT_OK;
    if (failures < 0) {
        fprintf(stderr, "busbench bench: no memory\n");
        bb_json_results_free(&res);
        return BB_EXIT_USAGE;
    }
    res.context = context(argc, argv, o->shuffled, m->cs, m->nc, o->golden, (int)o->reps, (int)o->warmup, o->min_time,
                          rounds, (size_t)o->block, (size_t)o->batch);
    if (res.context && o->shard.count) json_object_set_new(res.context, "shard", shard_context(o, m));
    json_t *child_doc = o->metric == METRIC_BOTH ? instructions_child(o, argc, argv, &code, &failures) : NULL;
    metrics_context(o, res.context, rounds, child_doc);
    if (results_instructions(&res, m->cs, m->nc, o->counting, child_doc)) {
        fprintf(stderr, "busbench bench: no memory\n");
        code = BB_EXIT_USAGE;
    }
    if (o->extra_pct > 0 && res.context) json_object_set_new(res.context, "extra_work_pct", json_real(o->extra_pct));
    if (!o->quiet && code == BB_EXIT_OK) print_table(o, m, &res);
    for (size_t k = 0; k < res.n; k++)
        if (res.v[k].error[0]) fprintf(stderr, "busbench bench: %s: %s\n", res.v[k].name, res.v[k].error);
    if (code == BB_EXIT_OK) code = output_write(o, &res);
    if (code == BB_EXIT_OK && failures) {
        fprintf(stderr, "busbench bench: %d configuration%s had wrong or failed renders (their timings are void)\n",
                failures, failures == 1 ? "" : "s");
        code = BB_EXIT_FAIL;
    }
    bb_json_results_free(&res);
    if (child_doc) json_decref(child_doc);
    return code;
}

/* ---- the command ---------------------------------------------------------------------------------------- */
int bb_cmd_bench(int argc, char **argv)
{
    bench_opts o;
    int rc = opts_parse(argc, argv, &o);
    if (rc == GO_ON) rc = opts_metric(&o, argv);
    if (rc == GO_ON) rc = opts_lists(&o);
    if (rc != GO_ON) return rc;
    matrix m;
    if ((rc = matrix_build(&o, &m)) != GO_ON) return rc;
    if (o.shard.count && !o.quiet)
        fprintf(stderr, "bench: shard %d/%d: %d of %d groups, %d configurations, expected cost %.0f of %.0f (largest shard %.0f)\n",
                o.shard.index, o.shard.count, m.groups_here, m.groups, m.nc, m.cost_here, m.cost_total, m.cost_max);
    int rounds = rounds_run(&o, &m);
    if (rounds < 0) {
        fprintf(stderr, "busbench bench: no memory\n");
        matrix_free(&m);
        return BB_EXIT_USAGE;
    }
    rc = output(&o, &m, rounds, argc, argv);
    matrix_free(&m);
    return rc;
}
