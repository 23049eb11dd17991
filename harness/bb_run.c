/* bb_run.c - set up and run one render for the harness.
 *
 * Options are parsed strictly: a value that is not entirely a number in range
 * is an error naming the option. The sink either streams blocks to a WAV writer
 * (atomic: a temporary file renamed on success, deleted on failure), keeps them
 * in memory, or both; when timed, it also records how long each block took to
 * produce (the time between consecutive blocks leaving the render loop, which
 * is what a real-time callback would see). */
#include "bb_run.h"

#include "bb_alloc.h"
#include "bb_stats.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double bb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bb_run_cfg_default(bb_run_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->cycles = bb_rat_int(8);
    c->strategy = "serial";
    c->pin = BB_PIN_NONE;
    c->block = 512;
    c->sr = 44100;
    c->fmt = BB_WAV_F32;
    c->lim.max_voices = 256;
    c->lim.max_bus_seconds = 10.0;
}

int bb_run_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int bb_run_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

/* cycles = a positive decimal (exact); it replaces a --seconds given before */
static bb_result opt_cycles(void *base, const char *v, bb_error *err)
{
    bb_run_cfg *c = base;
    if (!bb_rat_parse_decimal(v, strlen(v), &c->cycles) || c->cycles.num <= 0)
        return bb_error_set(err, BB_ERR_ARG, "--cycles", 0, 0, "bad value '%s': expected a positive number of cycles", v);
    c->seconds = 0;
    return BB_OK;
}

/* pin = "compact" | "scatter" | "none" */
static bb_result opt_pin(void *base, const char *v, bb_error *err)
{
    if (bb_pin_parse(v, &((bb_run_cfg *)base)->pin) == BB_OK) return BB_OK;
    return bb_error_set(err, BB_ERR_ARG, "--pin", 0, 0, "bad value '%s': expected compact, scatter or none", v);
}

/* format = "f32" | "s16" | "s24" */
static bb_result opt_format(void *base, const char *v, bb_error *err)
{
    if (bb_wav_format_parse(v, &((bb_run_cfg *)base)->fmt) == BB_OK) return BB_OK;
    return bb_error_set(err, BB_ERR_ARG, "--format", 0, 0, "bad value '%s': expected f32, s16 or s24", v);
}

/* reload = whole-cycle ":" file (at most BB_RENDER_RELOADS_MAX of them) */
static bb_result opt_reload(void *base, const char *v, bb_error *err)
{
    bb_run_cfg *c = base;
    const char *colon = strchr(v, ':');
    bool bad = !colon || c->nreloads >= BB_RENDER_RELOADS_MAX || !colon[1] ||
               !bb_rat_parse_decimal(v, (size_t)(colon - v), &c->reloads[c->nreloads].cycle) ||
               c->reloads[c->nreloads].cycle.den != 1 || c->reloads[c->nreloads].cycle.num <= 0;
    if (bad)
        return bb_error_set(err, BB_ERR_ARG, "--reload-at", 0, 0, "bad value '%s': expected CYCLE:FILE with a whole cycle number", v);
    c->reloads[c->nreloads++].path = colon + 1;
    return BB_OK;
}

#define CFG(m) offsetof(bb_run_cfg, m)
const bb_opt bb_run_options[] = {
    {"--cycles", BB_OPT_FN, 0, 0, 0, "N", "length in cycles (default 8; decimals are exact)", NULL, opt_cycles},
    {"--seconds", BB_OPT_REAL, CFG(seconds), 1e-6, (double)BB_RENDER_SECONDS_MAX, "S", "length in seconds (instead of --cycles)",
     "a positive number of seconds (at most 24 hours)", NULL},
    {"--strategy", BB_OPT_STR, CFG(strategy), 0, 0, "LIST",
     "a strategy (busbench strategies) or canary-*; compose with + or , (cycle+pool)", NULL, NULL},
    {"--threads", BB_OPT_INT, CFG(threads), 1, BB_WORKERS_MAX, "N", "worker threads (default: the cores hwloc reports)",
     "a number of threads from 1 to 256", NULL},
    {"--pin", BB_OPT_FN, 0, 0, 0, "POLICY", "compact, scatter or none (default none)", NULL, opt_pin},
    {"--block", BB_OPT_SIZE, CFG(block), 1, BB_RENDER_BLOCK_MAX, "N", "samples per block (default 512)",
     "a block size from 1 to 65536 samples", NULL},
    {"--batch", BB_OPT_SIZE, CFG(batch), 1, 1024, "K", "blocks per window for batch (default 8)", "a number of blocks from 1 to 1024", NULL},
    {"--lookahead", BB_OPT_SIZE, CFG(lookahead), 1, BB_RENDER_LOOKAHEAD_MAX, "L",
     "pipelined batch at 2 threads or more: windows mixed ahead of the one output\n"
     "(1 to 32; latency (L + 1) x K blocks; default 32 where the output graph's signal\n"
     "processing over a window outweighs a hand-off, else not pipelined)", "a number of windows from 1 to 32", NULL},
    {"--sr", BB_OPT_INT, CFG(sr), 1000, 768000, "HZ", "sample rate (default 44100)", "a sample rate from 1000 to 768000 Hz", NULL},
    {"--format", BB_OPT_FN, 0, 0, 0, "F", "f32, s16 or s24 (default f32)", NULL, opt_format},
    {"--samples", BB_OPT_STR, CFG(samples), 0, 0, "DIR", "a Dirt-Samples style folder", NULL, NULL},
    {"--reload-at", BB_OPT_FN, 0, 0, 0, "C:FILE", "switch to FILE at cycle C (repeatable)", NULL, opt_reload},
    {"--max-voices", BB_OPT_INT, CFG(lim.max_voices), 1, 65536, "N", "voices sounding at once per trigger pattern (default 256)",
     "a number of voices from 1 to 65536", NULL},
    {"--max-bus-seconds", BB_OPT_REAL, CFG(lim.max_bus_seconds), 1e-3, 3600, "S", "longest bus voice (default 10)",
     "a number of seconds from 0.001 to 3600", NULL},
    {"--stats", BB_OPT_FLAG, CFG(stats), 0, 0, NULL, "print the counters to stderr", NULL, NULL},
    BB_OPT_END,
};
#undef CFG

int bb_run_cfg_option(bb_run_cfg *c, int argc, char **argv, int *i, bb_error *err)
{
    const bb_opt_group g = {NULL, bb_run_options, c};
    return bb_opt_take(&g, 1, argc, argv, i, err);
}

typedef struct sink {
    bb_wav_writer *wav;
    bb_result wav_err;
    bb_error werr;      /* the sink's own: a pipelined render calls it on another thread than the render's */
    float *samples;
    size_t n, cap;
    bool collect, timed;
    const bb_run_cfg *cfg;
    double last_ns;
    double sink_ns;     /* time spent in on_block */
    double *block_ns;
    size_t nblocks, bcap;
} sink;

static void on_block(void *ctx, int64_t k0, const float *out, size_t n)
{
    (void)k0;
    sink *s = ctx;
    const double now = bb_now_ns();
    if (s->timed && !bb_grow((void **)&s->block_ns, &s->bcap, s->nblocks + 1, sizeof *s->block_ns))
        s->block_ns[s->nblocks++] = now - s->last_ns;
    if (s->wav && !s->wav_err) s->wav_err = bb_wav_writer_write(s->wav, out, n, &s->werr);
    if (s->collect && !bb_grow((void **)&s->samples, &s->cap, s->n + n, sizeof *s->samples)) {
        memcpy(s->samples + s->n, out, n * sizeof *out);
        s->n += n;
    }
    s->last_ns = bb_now_ns(); /* the sink's own work is not the render's */
    s->sink_ns += s->last_ns - now;
}

static bool on_window(void *ctx)
{
    sink *s = ctx;
    return s->timed && s->cfg->stop && s->cfg->stop(s->cfg->stop_ctx, s->block_ns, s->nblocks);
}

double bb_cpu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

bb_result bb_run_open_render(const bb_run_cfg *c, bb_sink_fn sink_fn, void *sink_ctx, bool (*stop)(void *),
                             bb_kit **kit, bb_render **r, bb_error *err)
{
    *kit = NULL;
    *r = NULL;
    bb_plan plan;
    int threads = c->threads > 0 ? c->threads : bb_workers_cores();
    bb_result res = bb_plan_parse(c->strategy, threads, c->batch, c->pin, &plan, err);
    if (c->lookahead) plan.lookahead = c->lookahead;
    if (!res && (res = bb_kit_create(kit, (double)c->sr))) bb_error_set(err, res, NULL, 0, 0, "cannot build the sample kit");
    if (!res && c->samples) res = bb_kit_load_dir(*kit, c->samples, err);
    bb_ph *ph = NULL;
    if (!res) res = bb_ph_load(c->program, &ph, err);
    bb_render_opts o;
    bb_render_opts_default(&o);
    o.sr = c->sr;
    o.block = c->block;
    o.lim = c->lim;
    o.kit = *kit;
    memcpy(o.reloads, c->reloads, sizeof o.reloads);
    o.nreloads = c->nreloads;
    if (c->seconds > 0) {
        o.frames = (int64_t)(c->seconds * c->sr + 0.5);
    } else {
        o.frames = -1;
        o.cycles = c->cycles;
    }
    bb_plan_render_opts(&plan, &o);
    o.sink = sink_fn;
    o.sink_ctx = sink_ctx;
    o.stop = stop;
    o.stack = c->stack;
    o.timing = c->stats; /* the step times --stats prints */
    if (!res) res = bb_render_open(r, ph, &o, err);
    if (res) {
        bb_render_close(*r);
        bb_kit_destroy(*kit);
        *r = NULL;
        *kit = NULL;
    }
    return res;
}

bb_result bb_run(const bb_run_cfg *c, const char *wav, bool collect, bool timed, bb_run_out *out, bb_error *err)
{
    memset(out, 0, sizeof *out);
    bb_kit *kit = NULL;
    bb_render *r = NULL;
    sink s = {.collect = collect, .timed = timed, .cfg = c};
    bb_result res = bb_run_open_render(c, on_block, &s, on_window, &kit, &r, err);
    if (!res && wav)
        res = strcmp(wav, BB_RUN_STDOUT) ? bb_wav_writer_open(&s.wav, wav, c->sr, c->fmt, err)
                                         : bb_wav_writer_open_fd(&s.wav, STDOUT_FILENO, "<stdout>", c->sr, c->fmt, err);
    if (!res) {
        s.last_ns = bb_now_ns();
        double t0 = s.last_ns, c0 = bb_cpu_now_ns();
        res = bb_render_run(r, err);
        out->wall_ns = bb_now_ns() - t0;
        out->cpu_ns = bb_cpu_now_ns() - c0;
        if (!res && s.wav_err) {
            *err = s.werr;
            res = s.wav_err;
        }
        if (!res && collect && s.n != (size_t)bb_render_stats(r)->frames)
            res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory to keep the rendered samples");
    }
    out->sink_ns = s.sink_ns;
    if (s.wav) {
        const double t0 = bb_now_ns();
        if (!res)
            res = bb_wav_writer_commit(s.wav, err);
        else
            bb_wav_writer_abort(s.wav);
        out->commit_ns = bb_now_ns() - t0;
    }
    if (r) {
        out->stats = *bb_render_stats(r);
        out->times = *bb_render_get_times(r);
        out->latency_blocks = bb_render_latency_blocks(r);
        out->nplaces = bb_driver_places(bb_render_strategy(r), out->places, BB_WORKERS_MAX);
        out->steady_from_block = (int64_t)((size_t)bb_render_cycle_start(r, 1) / c->block);
    }
    bb_render_close(r);
    bb_kit_destroy(kit);
    out->samples = s.samples;
    out->frames = s.n;
    out->block_ns = s.block_ns;
    out->nblocks = s.nblocks;
    return res;
}

void bb_run_out_free(bb_run_out *o)
{
    bb_free(o->samples);
    bb_free(o->block_ns);
    o->samples = NULL;
    o->block_ns = NULL;
}

void bb_run_print_stats(FILE *f, const bb_run_cfg *c, const bb_run_out *o)
{
    const bb_stats *s = &o->stats;
    fprintf(f, "strategy            %s\n", c->strategy);
    for (size_t i = 0; i < bb_stats_ncounters; i++)
        fprintf(f, "%-19s %llu\n", bb_stats_counters[i].name, (unsigned long long)bb_stats_counter(s, i));
    bb_lanes_print_stats(f, s);
    fprintf(f, "latency_blocks      %zu\n", o->latency_blocks);
    fprintf(f, "wall_ms             %.3f\n", o->wall_ns / 1e6); /* the render, the sink's calls included */
    /* DSP: the render without the sink; pipelined, the sink runs beside the render on another
       thread and this understates the render's wall time: wall_ms is the figure then */
    fprintf(f, "render_ms           %.3f\n", (o->wall_ns - o->sink_ns) / 1e6);
    fprintf(f, "sink_ms             %.3f\n", (o->sink_ns + o->commit_ns) / 1e6); /* writing the WAV */
    fprintf(f, "cpu_ms              %.3f\n", o->cpu_ns / 1e6); /* every thread's CPU time over the render */
    if (o->times.windows) { /* the loop's steps; seq without the sink's calls, as render_ms */
        fprintf(f, "seq_ms              %.3f\n", (bb_render_times_seq(&o->times) - o->sink_ns) / 1e6);
        fprintf(f, "par_ms              %.3f\n", bb_render_times_par(&o->times) / 1e6);
        fprintf(f, "step_ms             schedule %.3f resolve %.3f mix %.3f continuous %.3f retire %.3f\n",
                o->times.schedule_ns / 1e6, o->times.resolve_ns / 1e6, o->times.mix_ns / 1e6,
                (o->times.continuous_ns - o->sink_ns) / 1e6, o->times.retire_ns / 1e6);
    }
    for (int i = 0; i < o->nplaces; i++)
        fprintf(f, "worker %-3d          pin %s planned_pu %d last_pu %d%s\n", i, bb_pin_name(c->pin),
                o->places[i].planned_pu, o->places[i].last_pu,
                o->places[i].planned_pu >= 0 && !o->places[i].bound ? " (PIN FAILED)" : "");
}
