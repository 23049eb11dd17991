/* bb_run.h - one render as the harness runs it: options shared by render,
 * verify and bench, the kit, the plan, the render, the sink (a WAV writer, an
 * in-memory buffer, per-block timing), and what came out. */
#ifndef BB_RUN_H
#define BB_RUN_H

#include "bb_opt.h"
#include "bb_render.h"
#include "bb_variant.h"
#include "bb_wav.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct bb_run_cfg {
    const char *program;     /* .ph path */
    bb_rat cycles;           /* length in cycles (default 8) ... */
    double seconds;          /* ... or in seconds when > 0 */
    const char *strategy;    /* "serial", "cycle,pool", ... */
    int threads;             /* 0: the core count */
    bb_pin pin;
    size_t block;
    size_t batch;            /* 0: the strategy's default */
    size_t lookahead;        /* pipelined windows mixed ahead; 0: the strategy's default */
    int sr;
    bb_wav_format fmt;
    const char *samples;     /* Dirt-Samples folder or NULL */
    bb_reload reloads[BB_RENDER_RELOADS_MAX];
    int nreloads;
    bb_limits lim;
    bool stats;
    int stack;               /* > 1: the output's triggers stacked that many times (bb_render_opts.stack) */
    /* Timed runs only, NULL for none: asked after every window with the block times so far;
     * true ends the render there (out->frames and stats.frames say how far it got). */
    bool (*stop)(void *ctx, const double *block_ns, size_t nblocks);
    void *stop_ctx;
} bb_run_cfg;

void bb_run_cfg_default(bb_run_cfg *c);

/* The render options (bb_opt.h's table, offsets into bb_run_cfg), shared by every command that
 * renders (render, capacity) and by the golden manifest's option column. */
extern const bb_opt bb_run_options[];

/* If argv[*i] is a render option ("--name value" or "--name=value"), store it in c, advance *i
 * past it and return 1; return 0 if it is not one; -1 on a bad value (err says which). */
int bb_run_cfg_option(bb_run_cfg *c, int argc, char **argv, int *i, bb_error *err);

typedef struct bb_run_out {
    float *samples;          /* when collected: bb_malloc'ed, caller frees with bb_free */
    size_t frames;
    bb_stats stats;
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    double wall_ns;          /* the render (bb_render_run) alone, the sink's calls included */
    double sink_ns;          /* of wall_ns: the sink's calls (writing, collecting) */
    double commit_ns;        /* after the render: finishing the WAV (last writes, header, rename) */
    double cpu_ns;           /* CPU time of the process (every thread) over the same span */
    size_t latency_blocks;   /* bb_render_latency_blocks */
    bb_render_times times;   /* the loop's step times (with cfg.stats; the sink's calls in continuous_ns) */
    double *block_ns;        /* when timed: processing time of each block, bb_malloc'ed */
    size_t nblocks;
    int64_t steady_from_block; /* first block after cycle 1 (for cold/steady split) */
} bb_run_out;

/* The WAV path that means standard output. */
#define BB_RUN_STDOUT "-"

/* Render c. With wav, stream the output to it atomically (nothing is left at
 * wav on failure); a wav of BB_RUN_STDOUT goes to standard output, whole, once
 * the render has succeeded (nothing is written there on failure). With collect, keep the samples. With timed, measure every
 * block. On failure returns the error with err filled; out is still freed by
 * bb_run_out_free. */
bb_result bb_run(const bb_run_cfg *c, const char *wav, bool collect, bool timed, bb_run_out *out, bb_error *err);
void bb_run_out_free(bb_run_out *o);

/* The kit and the render of c as bb_run sets them up (plan, options, reloads,
 * length), with the given sink and stop hook (NULL: none), not yet run: for
 * a caller that drives the render itself (bb_render_step). On success *kit
 * and *r are the caller's (bb_render_close, then bb_kit_destroy); on failure
 * both are NULL and err says why (bb_run's errors). */
bb_result bb_run_open_render(const bb_run_cfg *c, bb_sink_fn sink_fn, void *sink_ctx, bool (*stop)(void *),
                             bb_kit **kit, bb_render **r, bb_error *err);

/* Print the counters (and worker placement) to f. */
void bb_run_print_stats(FILE *f, const bb_run_cfg *c, const bb_run_out *o);

/* A whole decimal number (strtol) / a real (strtod) in [lo, hi], all of s: 0 with *out set, or
 * -1 (out untouched) for anything else. The options of every command read numbers through these. */
int bb_run_parse_long(const char *s, long lo, long hi, long *out);
int bb_run_parse_double(const char *s, double lo, double hi, double *out);

/* Monotonic nanoseconds. */
double bb_now_ns(void);
/* CPU time of the process (every thread), nanoseconds. */
double bb_cpu_now_ns(void);

#endif
