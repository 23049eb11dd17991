/* bb_inst.h - an instance of a code: the state of every node of a signal graph,
 * evaluated block by block, and bus synthesis built on it.
 *
 * The main output's instance lives for the render (its triggers are driven by
 * the render loop: schedule, resolve, mix into each trigger's window buffer,
 * then compute). A bus instance is re-initialised for every buffer it
 * synthesises ("fresh state"): phases, filters and effects at 0, noise seeded
 * from (bus, onset), oscillators transposed by the request's pitch. Triggers
 * inside a synthesised bus are scheduled and mixed inline, their own bus
 * requests synthesised on the spot. */
#ifndef BB_INST_H
#define BB_INST_H

#include "bb_bus.h"
#include "bb_dsp.h"
#include "bb_prog.h"
#include "bb_voice.h"

#include <stdbool.h>
#include <stdint.h>

enum { BB_CHUNK = 256 }; /* samples evaluated per node per step */
_Static_assert((int)BB_CHUNK <= (int)BB_RUNS_MAX, "a chunk's runs fit a bb_runs");

typedef struct bb_inst bb_inst;
typedef struct bb_synth bb_synth;

/* Create an instance of code (one of prog's). inline_trigs: schedule and mix
 * triggers inside compute (bus synthesis) instead of reading window buffers.
 * Allocates all state; returns BB_ERR_NOMEM, BB_ERR_ARG (bad effect settings). */
bb_result bb_inst_create(bb_inst **out, const bb_prog *prog, const bb_code *code, const bb_limits *lim,
                         bool inline_trigs);
/* Fresh state: ratio multiplies every oscillator frequency; seed is mixed into
 * every noise generator's seed. Releases inline voices. Never allocates. */
void bb_inst_init(bb_inst *in, float ratio, uint64_t seed);
/* Evaluate samples [k0, k0+n), n <= BB_CHUNK; returns the result buffer (owned
 * by the instance, valid until the next call). Errors (pattern overflow or
 * limit, memory for nested synthesis) are sticky: see bb_inst_error. */
const float *bb_inst_compute(bb_inst *in, int64_t k0, size_t n);
bb_result bb_inst_error(const bb_inst *in);
/* The instance's triggers (render-driven mode). */
size_t bb_inst_ntrigs(const bb_inst *in);
bb_trig *bb_inst_trig(bb_inst *in, size_t i);
/* Nodes of the instance's graph that do signal processing of their own (oscillators, noise,
 * filters, delay and reverb lines): a measure of what evaluating it costs beyond mixing. */
size_t bb_inst_dsp_nodes(const bb_inst *in);
void bb_inst_destroy(bb_inst *in, bb_release_fn rel, void *ctx);
/* Render-driven instances: mix every trigger's voices into its window buffer (win, from win_k0)
 * over samples [k0, k1) (bb_trig_fill; reverse: the voices in reverse order) and add the sums of
 * triggers that the output graph reads (outputs summed, stacked triggers) into those windows in
 * place, as bb_inst_compute then expects. Reads the voices only: disjoint ranges may be mixed at
 * once on different threads. Never allocates, never fails. */
void bb_inst_mix(bb_inst *in, int64_t k0, int64_t k1, bool reverse);
/* How many sums bb_inst_mix folds into the windows. */
size_t bb_inst_folded(const bb_inst *in);
/* Whether node p of code (a pattern) is read only where its own runs start, so that the lanes
 * may write it there alone: it is not the code's result, and every user is an oscillator's
 * frequency or a filter input whose other control input is a constant (the filter's runs are
 * then p's). Reads code->nodes[0 .. nnodes) only; never fails. */
bool bb_inst_pat_is_control(const bb_code *code, int32_t p);

/* ---- synthesis --------------------------------------------------------------
 * A bb_synth is one thread's means to synthesise any bus of one program: an
 * instance per bus, all created with the synth (so synthesis does not allocate,
 * nested triggers aside) and re-initialised for each buffer. Not thread-safe: one per
 * worker. Counters are this synth's own; the caller sums them. */
typedef struct bb_synth_counters {
    uint64_t calls;    /* buffers synthesised (nested ones included) */
    uint64_t samples;  /* samples synthesised */
    uint64_t lane_groups;  /* bb_synth_lanes calls */
    uint64_t lane_samples; /* lane-samples computed for a request (its samples) */
    uint64_t lane_slots;   /* lane-samples available: BB_LANES per sample step */
} bb_synth_counters;

bb_result bb_synth_create(bb_synth **out, const bb_prog *prog, const bb_limits *lim);
/* Synthesise req (len samples from fresh state) into out[0 .. req->len). */
bb_result bb_synth_run(bb_synth *s, const bb_busreq *req, float *out);
/* Lanes: make a lane instance for every bus that can run in lanes (no delay,
 * reverb or trigger in its graph). Allocates; call before synthesis (a synth
 * without it has no lanes). Returns BB_ERR_NOMEM (the synth stays usable one
 * request at a time). */
bb_result bb_synth_lanes_enable(bb_synth *s);
/* Whether requests of bus can run in lanes (enabled and eligible). */
bool bb_synth_lanes_ok(const bb_synth *s, int32_t bus);
/* Synthesise reqs[0..n) (all of one bus for which bb_synth_lanes_ok; each with
 * buf set, room for its len) BB_LANES at a time: each request from fresh state
 * into reqs[i]->buf->data, bit for bit what bb_synth_run gives it. A lane whose
 * request ends takes the next request at the next chunk (requests of similar
 * lengths side by side waste the least). reassoc: only for the canary
 * canary-lanes, a different summation order in the lane filter. Never
 * allocates (pattern cycles with more events than any before aside). Counts
 * calls, samples, one lane group, lane-samples and lane slots. */
bb_result bb_synth_lanes(bb_synth *s, bb_busreq *const *reqs, size_t n, bool reassoc);
bb_synth_counters bb_synth_counts(const bb_synth *s);
/* The instruction set the lane kernel runs with on this machine: "avx2" (the
 * clone chosen at load time) or "baseline" (SSE2 on x86-64, the base ISA
 * elsewhere). Same bits either way. */
const char *bb_lanes_isa(void);
/* The counters since the last take, then zero them. */
bb_synth_counters bb_synth_take(bb_synth *s);
const bb_prog *bb_synth_prog(const bb_synth *s);
void bb_synth_destroy(bb_synth *s);

/* Voice seed of a bus buffer: mixes the bus definition and the onset. */
uint64_t bb_synth_seed(const bb_busreq *req);

#endif
