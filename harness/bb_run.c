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

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char bb_run_cfg_usage[] =
    "  --cycles N          length in cycles (default 8; decimals are exact)\n"
    "  --seconds S         length in seconds (instead of --cycles)\n"
    "  --strategy LIST     serial, parallel, cycle, static, pool, batch, all, canary-*; comma-separated to compose\n"
    "  --threads N         worker threads (default: the cores hwloc reports)\n"
    "  --pin POLICY        compact, scatter or none (default none)\n"
    "  --block N           samples per block (default 512)\n"
    "  --batch K           blocks per window for batch (default 8)\n"
    "  --lookahead L       pipelined batch at 2 threads or more: windows mixed ahead of the one output\n"
    "                      (1 to 32, default 32; latency (L + 1) x K blocks)\n"
    "  --sr HZ             sample rate (default 44100)\n"
    "  --format F          f32, s16 or s24 (default f32)\n"
    "  --samples DIR       a Dirt-Samples style folder\n"
    "  --reload-at C:FILE  switch to FILE at cycle C (repeatable)\n"
    "  --max-voices N      voices sounding at once per trigger pattern (default 256)\n"
    "  --max-bus-seconds S longest bus voice (default 10)\n"
    "  --stats             print the counters to stderr\n";

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

int bb_run_cfg_option(bb_run_cfg *c, int argc, char **argv, int *i, bb_error *err)
{
    const char *o = argv[*i];
    static const char *const with_value[] = {"--cycles", "--seconds", "--strategy", "--threads", "--pin",
                                             "--block", "--batch", "--lookahead", "--sr", "--format", "--samples",
                                             "--reload-at", "--max-voices", "--max-bus-seconds", NULL};
    if (!strcmp(o, "--stats")) {
        c->stats = true;
        (*i)++;
        return 1;
    }
    int known = 0;
    for (int k = 0; with_value[k]; k++) known |= !strcmp(o, with_value[k]);
    if (!known) return 0;
    if (*i + 1 >= argc) {
        bb_error_set(err, BB_ERR_ARG, o, 0, 0, "expected a value after %s", o);
        return -1;
    }
    const char *v = argv[*i + 1];
    long l;
    double d;
    int bad = 0;
    const char *want = "";
    if (!strcmp(o, "--cycles")) {
        bad = !bb_rat_parse_decimal(v, strlen(v), &c->cycles) || c->cycles.num <= 0;
        want = "a positive number of cycles";
        c->seconds = 0;
    } else if (!strcmp(o, "--seconds")) {
        bad = bb_run_parse_double(v, 1e-6, (double)BB_RENDER_SECONDS_MAX, &c->seconds);
        want = "a positive number of seconds (at most 24 hours)";
    } else if (!strcmp(o, "--strategy")) {
        c->strategy = v;
    } else if (!strcmp(o, "--threads")) {
        bad = bb_run_parse_long(v, 1, BB_WORKERS_MAX, &l);
        c->threads = (int)l;
        want = "a number of threads from 1 to 256";
    } else if (!strcmp(o, "--pin")) {
        bad = bb_pin_parse(v, &c->pin) != BB_OK;
        want = "compact, scatter or none";
    } else if (!strcmp(o, "--block")) {
        bad = bb_run_parse_long(v, 1, BB_RENDER_BLOCK_MAX, &l);
        c->block = (size_t)l;
        want = "a block size from 1 to 65536 samples";
    } else if (!strcmp(o, "--batch")) {
        bad = bb_run_parse_long(v, 1, 1024, &l);
        c->batch = (size_t)l;
        want = "a number of blocks from 1 to 1024";
    } else if (!strcmp(o, "--lookahead")) {
        bad = bb_run_parse_long(v, 1, BB_RENDER_LOOKAHEAD_MAX, &l);
        c->lookahead = (size_t)l;
        want = "a number of windows from 1 to 32";
    } else if (!strcmp(o, "--sr")) {
        bad = bb_run_parse_long(v, 1000, 768000, &l);
        c->sr = (int)l;
        want = "a sample rate from 1000 to 768000 Hz";
    } else if (!strcmp(o, "--format")) {
        bad = bb_wav_format_parse(v, &c->fmt) != BB_OK;
        want = "f32, s16 or s24";
    } else if (!strcmp(o, "--samples")) {
        c->samples = v;
    } else if (!strcmp(o, "--reload-at")) {
        const char *colon = strchr(v, ':');
        want = "CYCLE:FILE with a whole cycle number";
        bad = !colon || c->nreloads >= BB_RENDER_RELOADS_MAX || !colon[1] ||
              !bb_rat_parse_decimal(v, (size_t)(colon - v), &c->reloads[c->nreloads].cycle) ||
              c->reloads[c->nreloads].cycle.den != 1 || c->reloads[c->nreloads].cycle.num <= 0;
        if (!bad) c->reloads[c->nreloads++].path = colon + 1;
    } else if (!strcmp(o, "--max-voices")) {
        bad = bb_run_parse_long(v, 1, 65536, &l);
        c->lim.max_voices = (int)l;
        want = "a number of voices from 1 to 65536";
    } else if (!strcmp(o, "--max-bus-seconds")) {
        bad = bb_run_parse_double(v, 1e-3, 3600, &d);
        c->lim.max_bus_seconds = d;
        want = "a number of seconds from 0.001 to 3600";
    }
    if (bad) {
        bb_error_set(err, BB_ERR_ARG, o, 0, 0, "bad value '%s': expected %s", v, want);
        return -1;
    }
    *i += 2;
    return 1;
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
    if (!res && wav) res = bb_wav_writer_open(&s.wav, wav, c->sr, c->fmt, err);
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
    fprintf(f, "frames              %llu\n", (unsigned long long)s->frames);
    fprintf(f, "cycles              %llu\n", (unsigned long long)s->cycles);
    fprintf(f, "blocks              %llu\n", (unsigned long long)s->blocks);
    fprintf(f, "windows             %llu\n", (unsigned long long)s->windows);
    fprintf(f, "preprocess_calls    %llu\n", (unsigned long long)s->preprocess_calls);
    fprintf(f, "synth_calls         %llu\n", (unsigned long long)s->synth_calls);
    fprintf(f, "synth_samples       %llu\n", (unsigned long long)s->synth_samples);
    fprintf(f, "requests            %llu\n", (unsigned long long)s->requests);
    fprintf(f, "cache_hits          %llu\n", (unsigned long long)s->cache_hits);
    fprintf(f, "cache_misses        %llu\n", (unsigned long long)s->cache_misses);
    fprintf(f, "allocs              %llu\n", (unsigned long long)s->allocs);
    fprintf(f, "alloc_bytes         %llu\n", (unsigned long long)s->alloc_bytes);
    fprintf(f, "allocs_steady       %llu\n", (unsigned long long)s->allocs_steady);
    fprintf(f, "busbuf_allocs       %llu\n", (unsigned long long)s->busbuf_allocs);
    fprintf(f, "busbuf_allocs_steady %llu\n", (unsigned long long)s->busbuf_allocs_steady);
    fprintf(f, "pool_reuse          %llu\n", (unsigned long long)s->pool_reuse);
    fprintf(f, "voices              %llu\n", (unsigned long long)s->voices);
    fprintf(f, "voices_dropped      %llu\n", (unsigned long long)s->voices_dropped);
    fprintf(f, "clamps              %llu\n", (unsigned long long)s->clamps);
    fprintf(f, "voices_peak         %llu\n", (unsigned long long)s->voices_peak);
    fprintf(f, "reloads             %llu\n", (unsigned long long)s->reloads);
    fprintf(f, "invalidated         %llu\n", (unsigned long long)s->invalidated);
    bb_lanes_print_stats(f, s);
    fprintf(f, "jobs_local          %llu\n", (unsigned long long)s->jobs_local);
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
