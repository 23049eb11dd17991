/* bb_render.h - a render: programs, the output instance, the block loop, the
 * strategy interface and the counters.
 *
 * The render loop is the same for every strategy. Per window of W blocks
 * (W = the strategy's window_blocks, 1 but for batching):
 *   1. schedule: every trigger of the output creates the voices of the window's
 *      onsets (render thread; pattern queries);
 *   2. resolve: the strategy gives each new bus voice its buffer (it decides
 *      when and where buffers are synthesised and kept, never how: synthesis is
 *      bb_synth_run, keys are bb_buskey_of);
 *   3. mix: the triggers' voices are mixed into their window buffers (the
 *      strategy may split the window by blocks over threads);
 *   4. continuous: the output graph runs block by block, in order, and each
 *      block goes to the sink;
 *   5. retire: voices that have ended release their buffers to the strategy.
 * Pipelined (a strategy whose lookahead L is at least 1: batch at 2 threads or
 * more), up to L windows may be resolved and mixed but not yet output; their
 * continuous parts run, oldest first, on another thread (bb_strategy_ops.
 * background) while the render resolves and mixes later windows, so steps 1-3
 * and 5 of w+1 .. w+L may come before step 4 of w; each trigger mixes into
 * one of L + 1 window buffers while the output graph reads an older one
 * (bb_trig.out). The bytes are those of the serial order: the output graph
 * still sees every sample once, in order, and step 4 reads only the window
 * buffers of windows already mixed, which nothing writes until they are
 * output. A reload outputs every pending
 * window before it switches (no look-ahead across a switch).
 * A reload switches program at a cycle boundary: the old output's sounding
 * voices finish (mixed dry into the output, after the new program's signal),
 * the new program's continuous parts start fresh.
 *
 * The strategy interface lives here (the core defines it, variants/ implement
 * it), like SQLite's VFS. */
#ifndef BB_RENDER_H
#define BB_RENDER_H

#include "bb_bus.h"
#include "bb_inst.h"
#include "bb_kit.h"
#include "bb_prog.h"
#include "bb_result.h"
#include "bb_voice.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BB_RENDER_BLOCK_MAX = 1 << 16,    /* samples per block */
    BB_RENDER_RELOADS_MAX = 64,
    BB_RENDER_SECONDS_MAX = 24 * 3600, /* longest render */
    BB_RENDER_LOOKAHEAD_MAX = BB_TRIG_WINDOWS - 1, /* windows mixed ahead of the one output */
    BB_RENDER_WINDOW_BYTES = 64 << 20, /* a pipelined render's window buffers: the look-ahead shrinks to fit */
    BB_RENDER_STEP_MAX = 1 << 20      /* frames one bb_render_step may ask for */
};

/* The counters of a render, described once: X(name, flags) declares a uint64_t member of bb_stats,
 * and the harness prints (--stats), writes (bench results), checks for stability and gates them
 * from the same rows, in this order. Flags:
 *   BB_STAT_RESULT  written in bench results (JSON, CSV) and read back
 *   BB_STAT_GATED   compared by the CI gate: work or memory that must not grow unnoticed
 *   BB_STAT_HEAP    the heap's: not required to repeat from round to round; gated at 1 thread only */
enum { BB_STAT_RESULT = 1, BB_STAT_GATED = 2, BB_STAT_HEAP = 4 };
#define BB_STATS_COUNTERS(X)                                                                          \
    X(frames, BB_STAT_RESULT)                                                                         \
    X(blocks, BB_STAT_RESULT)                                                                         \
    X(windows, BB_STAT_RESULT)                                                                        \
    X(cycles, BB_STAT_RESULT)                   /* cycles touched */                                  \
    X(preprocess_calls, BB_STAT_RESULT | BB_STAT_GATED) /* batches of bus synthesis a strategy started */ \
    X(synth_calls, BB_STAT_RESULT | BB_STAT_GATED)      /* buffers synthesised */                     \
    X(synth_samples, BB_STAT_RESULT | BB_STAT_GATED)                                                  \
    X(requests, BB_STAT_RESULT)                 /* bus buffers asked for by voices */                 \
    X(cache_hits, BB_STAT_RESULT)                                                                     \
    X(cache_misses, BB_STAT_RESULT | BB_STAT_GATED)                                                   \
    X(allocs, BB_STAT_RESULT | BB_STAT_GATED | BB_STAT_HEAP) /* heap allocations during the render */ \
    X(alloc_bytes, BB_STAT_RESULT | BB_STAT_GATED | BB_STAT_HEAP)                                     \
    X(allocs_steady, BB_STAT_RESULT | BB_STAT_GATED | BB_STAT_HEAP) /* ... after the first two cycles */ \
    X(alloc_bytes_steady, BB_STAT_RESULT | BB_STAT_GATED | BB_STAT_HEAP)                              \
    X(busbuf_allocs, BB_STAT_RESULT | BB_STAT_GATED) /* bus buffers obtained from the heap */         \
    X(busbuf_allocs_steady, BB_STAT_RESULT | BB_STAT_GATED)                                           \
    X(pool_reuse, BB_STAT_RESULT)               /* bus buffers reused from a pool */                  \
    X(voices, BB_STAT_RESULT)                                                                         \
    X(voices_dropped, BB_STAT_RESULT)                                                                 \
    X(clamps, BB_STAT_RESULT)                                                                         \
    X(voices_peak, 0)       /* most voices sounding at once (at the first sample of a block) */       \
    X(sums_folded, 0)       /* sums of triggers the mixing adds into the windows (bb_inst_mix), the   \
                               most of any program of the render */                                  \
    X(reloads, BB_STAT_RESULT)                  /* program switches */                                \
    X(invalidated, BB_STAT_RESULT)              /* cache entries dropped by them */                   \
    /* lanes (phase 3): lane kernel calls (groups of requests of one bus side by side), the           \
       lane-samples they computed for a request and the lane-samples they had (occupancy =            \
       lane_samples / lane_slots), and the requests a lanes plan synthesised one at a time (a bus     \
       the lane kernel cannot run, or a request alone of its bus in its window) */                    \
    X(lane_groups, BB_STAT_RESULT)                                                                    \
    X(lane_samples, BB_STAT_RESULT)                                                                   \
    X(lane_slots, BB_STAT_RESULT)                                                                     \
    X(lane_fallbacks, BB_STAT_RESULT)                                                                 \
    /* jobs (a window's synthesis or mixing) a pool of 2 threads or more ran on the calling thread:    \
       their work was below a hand-off (bb_driver.c) */                                               \
    X(jobs_local, BB_STAT_RESULT)

#define BB_STATS_DECLARE(name, flags) uint64_t name;
typedef struct bb_stats {
    BB_STATS_COUNTERS(BB_STATS_DECLARE)
} bb_stats;
#undef BB_STATS_DECLARE

/* Where the render's wall time went, step by step of the loop (see the top of
 * this file), summed over the windows; only when bb_render_opts.timing is set
 * (a handful of clock reads per window, none per sample). Times are not
 * counters: they differ from run to run, so they live here and not in
 * bb_stats, whose deterministic counters the CI gate compares.
 * The split that bounds scaling: the sequential part is what the render thread
 * does alone whatever the strategy (schedule, the continuous outputs, retire);
 * the parallel part is what a strategy may spread over its workers (resolve:
 * synthesis; mix). The resolvers' own bookkeeping (enumerating, deduplicating,
 * the cache) is inside resolve and so counted as parallel: a bound drawn from
 * these figures is an upper bound. */
typedef struct bb_render_times {
    uint64_t windows;      /* windows timed */
    double schedule_ns;    /* 1. schedule (and reloads, and a pipelined render's waits for a free window slot) */
    double resolve_ns;     /* 2. resolve */
    double mix_ns;         /* 3. mix (the strategy's) */
    double continuous_ns;  /* the reload tails' voices, 4. the output graph, the sink's calls included */
    double retire_ns;      /* 5. retire (and the stop hook) */
} bb_render_times;

/* Sequential part of t (schedule + continuous + retire) and parallel part
 * (resolve + mix), ns. */
double bb_render_times_seq(const bb_render_times *t);
double bb_render_times_par(const bb_render_times *t);

typedef struct bb_render bb_render;
typedef struct bb_strategy bb_strategy; /* a strategy's own state */

typedef struct bb_strategy_ops {
    const char *name;
    /* Called once the render is set up; arg is the strategy's configuration. */
    bb_result (*open)(bb_render *r, const void *arg, bb_strategy **out);
    void (*close)(bb_strategy *s);
    /* Blocks per window (>= 1). */
    size_t (*window_blocks)(const bb_strategy *s);
    /* Give every pending request of window [k0, k1) a buffer (req->buf, with one
     * reference for the voice). */
    bb_result (*resolve)(bb_strategy *s, int64_t k0, int64_t k1, const bb_pending *p, size_t n);
    /* Mix the window (NULL: the render calls bb_render_mix over it). Every
     * sample of [k0, k1) must be mixed once: the window buffers are not zeroed. */
    bb_result (*mix)(bb_strategy *s, int64_t k0, int64_t k1);
    /* A voice is done with b: drop one reference. */
    void (*release)(bb_strategy *s, bb_busbuf *b);
    /* The program changes from old to new at sample k (NULL: nothing to do). */
    bb_result (*reload)(bb_strategy *s, const bb_prog *old_prog, const bb_prog *new_prog, int64_t k);
    /* Pipelining (all three set and lookahead > 0, or none). lookahead: windows
     * the render may resolve and mix ahead of the one it outputs (at most
     * BB_RENDER_LOOKAHEAD_MAX). background: start fn(ctx) on another thread
     * and return at once; false, starting nothing, while an earlier fn is
     * still running. join: return once no fn runs (one not yet started may
     * run on the calling thread). fn outputs mixed windows: it reads the
     * output graph and the windows already mixed, writes the output and calls
     * the sink (and the stop hook), and touches neither the voices nor the
     * strategy. */
    size_t (*lookahead)(const bb_strategy *s);
    bool (*background)(bb_strategy *s, void (*fn)(void *ctx), void *ctx);
    void (*join)(bb_strategy *s);
} bb_strategy_ops;

typedef struct bb_reload {
    bb_rat cycle;       /* a whole cycle number */
    const char *path;
} bb_reload;

typedef void (*bb_sink_fn)(void *ctx, int64_t k0, const float *out, size_t n);

typedef struct bb_render_opts {
    int sr;                     /* Hz */
    int64_t frames;             /* length of the render in samples, or -1: ... */
    bb_rat cycles;              /* ... this many cycles (in the programs' own tempi) */
    size_t block;               /* samples per block */
    bb_limits lim;
    bb_kit *kit;                /* borrowed; at rate sr; the programs make their sounds ready */
    const bb_strategy_ops *strategy;
    const void *strategy_arg;
    bb_reload reloads[BB_RENDER_RELOADS_MAX];
    int nreloads;
    bool mix_reverse;           /* mix voices in reverse canonical order (a canary) */
    int stack;                  /* > 1: every program's output triggers stacked that many times
                                   (bb_prog_opts.stack; `busbench capacity`); 0 or 1: as written */
    bb_sink_fn sink;            /* receives every block in order; may be NULL */
    void *sink_ctx;
    bool timing;                /* time the loop's steps (bb_render_get_times); off: no clock is read */
    bool (*stop)(void *sink_ctx); /* asked after every window has gone to the sink, on the thread
                                     that calls the sink (NULL: never): true ends the render
                                     there, bb_render_run returning BB_OK with fewer frames than
                                     asked (stats.frames says how many); a measurement that has
                                     already failed need not run to the end */
} bb_render_opts;

/* Defaults: sr 44100, block 512, 256 voices, 10 s buses, no reload. */
void bb_render_opts_default(bb_render_opts *o);

/* Set up a render of program ph (ownership passes to the render, also on
 * failure). Reload programs are read and compiled now, so every error surfaces
 * before the first sample. Returns the compile errors of bb_prog_compile and
 * bb_ph_load, BB_ERR_ARG for bad options, and whatever the strategy's open says. */
bb_result bb_render_open(bb_render **out, bb_ph *ph, const bb_render_opts *o, bb_error *err);
/* Run the whole render, calling the sink block by block. Errors (overflow,
 * limits, memory, a strategy failure) stop it and are described in err. */
bb_result bb_render_run(bb_render *r, bb_error *err);
void bb_render_close(bb_render *r);

/* The step API: the same render, pulled n frames at a time by its caller (an
 * audio callback, a thread filling a ring) instead of pushed to the sink.
 * bb_render_step renders whole windows as bb_render_run does (the same loop,
 * so the same bytes: the sink and the stop hook are still called) into a FIFO
 * inside the render and hands out the next n frames from it; a window longer
 * than n is rendered in the call that first needs it, and later calls are
 * served from the FIFO. A render is either run or stepped, never both.
 *
 * bb_render_step_reserve: before the first step, from the thread that will
 * step; allocates the FIFO for calls of at most nmax frames (nmax + the
 * render's latency in frames) and the pipelined window buffers, so that
 * stepping allocates only what the render loop itself allocates. Returns
 * BB_ERR_ARG (called twice, after the render started, nmax outside [1,
 * BB_RENDER_STEP_MAX]), BB_ERR_NOMEM.
 * bb_render_step: copies min(n, what is left) frames to out and says how many
 * in *got (fewer than n only at the end; 0 once bb_render_done). n must be at
 * most nmax (BB_ERR_ARG). The render's errors (bb_render_run's) stop it:
 * later calls return BB_OK with *got 0. */
bb_result bb_render_step_reserve(bb_render *r, size_t nmax, bb_error *err);
bb_result bb_render_step(bb_render *r, float *out, size_t n, size_t *got, bb_error *err);
/* True once every frame of the render has been handed out by bb_render_step. */
bool bb_render_done(bb_render *r);

/* Live reloads: a program compiled while the render plays (bb_prog_compile at
 * the render's rate, with its kit, which must not change: bb_kit_use_all it
 * before the render starts) becomes its next switch. From any one thread at a
 * time, not the one that steps: bb_render_offer hands p over (BB_ERR_ARG,
 * keeping nothing, while an earlier offer is still pending); before its next
 * window the render takes it if p->c0 is a whole cycle after the last switch
 * (bb_render_last_prog's c0), p->s0 is where that program puts p->c0
 * (bb_prog_idx) and the render has not passed s0 (bb_render_position); else
 * it refuses it. bb_render_offer_poll says where the offer stands: PENDING,
 * TAKEN (the render owns p now), REFUSED (p is the caller's again, in *back),
 * IDLE (nothing offered); TAKEN and REFUSED are said once, then IDLE. The
 * switch itself is that of a scripted reload: at the cycle boundary, the old
 * voices ringing out. */
enum { BB_RENDER_OFFER_IDLE, BB_RENDER_OFFER_PENDING, BB_RENDER_OFFER_TAKEN, BB_RENDER_OFFER_REFUSED };
bb_result bb_render_offer(bb_render *r, bb_prog *p);
int bb_render_offer_poll(bb_render *r, bb_prog **back);
/* The program of the last switch known (the first program when none); read it
 * only while no offer is pending. */
const bb_prog *bb_render_last_prog(const bb_render *r);
/* The first sample the render has not yet mixed (any thread; it only grows). */
int64_t bb_render_position(const bb_render *r);

/* Counters of the render so far (voices and clamps are gathered at the end of run). */
const bb_stats *bb_render_stats(const bb_render *r);

/* Step times of the render so far (all zero unless opts.timing). */
const bb_render_times *bb_render_get_times(const bb_render *r);

/* The render's output latency in blocks: a block leaves at most this many blocks
 * after its window began to be made (the window, times 1 + the look-ahead of a
 * pipelined render: bb_strategy_ops.lookahead, shrunk to BB_RENDER_WINDOW_BYTES). */
size_t bb_render_latency_blocks(const bb_render *r);

/* The strategy's own state (for its owner to inspect, e.g. worker placement). */
bb_strategy *bb_render_strategy(const bb_render *r);

/* ---- for strategies ---------------------------------------------------------- */
bb_stats *bb_render_counters(bb_render *r);
const bb_render_opts *bb_render_options(const bb_render *r);
/* The program in force at sample k (the current one during a window). */
const bb_prog *bb_render_prog(const bb_render *r);
/* Bus requests of the output's triggers with onsets in [k0, k1), in canonical
 * order, appended to out (look-ahead: creates no voice). Render thread only. */
bb_result bb_render_enumerate(bb_render *r, int64_t k0, int64_t k1, bb_reqlist *out);
/* Mix the voices of every trigger over [k0, k1) (a part of the current window)
 * into the window buffers, writing every sample of the range (what was there
 * before does not count), and add there the sums of triggers the output graph
 * reads (bb_inst_mix: folded into the mixing, which runs in parallel, out of
 * the output graph, which runs in order). Safe to call concurrently for
 * disjoint ranges. */
void bb_render_mix(bb_render *r, int64_t k0, int64_t k1);
/* Voice-samples bb_render_mix over [k0, k1) mixes (after the window's schedule). */
uint64_t bb_render_mix_work(const bb_render *r, int64_t k0, int64_t k1);
/* Signal-processing nodes of the output graph (bb_inst_dsp_nodes of the program the render
 * opens with): the part of a window's continuous work that a pipelined render moves to
 * another thread, beyond the block loop and the sink, which every window costs anyway. */
size_t bb_render_chain_nodes(const bb_render *r);
/* Sample index of the start of cycle c in the current program. */
int64_t bb_render_cycle_start(const bb_render *r, int64_t c);

#endif
