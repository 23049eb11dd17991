/* batch.c - phase 2.3: K blocks at a time (--batch K). The window's requests
 * are resolved together (deduped and synthesised in parallel, unless a cycle
 * resolver already did it ahead), the voices of the K blocks are mixed in
 * parallel, one block per task (parts of blocks when the window has fewer
 * than two blocks a worker; mixing only reads the voice list), and the
 * stateful continuous parts run block by block, in order.
 *
 * Pipelined (at 2 threads or more; plan.pipeline): up to L windows
 * (plan.lookahead, --lookahead, BB_PLAN_LOOKAHEAD by default) are resolved
 * and mixed ahead of the one output. Their continuous parts (the output graph:
 * delay, reverb, everything after the triggers) and the sink run in order as
 * the pool's background task, on a worker, while the render thread and the
 * other workers synthesise and mix; a cycle strategy, which synthesises a
 * whole cycle in one window, so hides the chain of the cycle's mixing-only
 * windows behind the next cycle's synthesis. Memory: L + 1 window buffers per
 * trigger of the output (K x block floats each), reserved when the render
 * starts. Latency: a block leaves up to (L + 1) K blocks after its first
 * sample was scheduled instead of K. Bits: identical to serial (bb_render.h says why);
 * a reload outputs the pending windows before the switch. The price of
 * batching and pipelining is latency: a block is ready only when its whole
 * window is; bench and capacity report it. */
#include "bb_variant.h"

typedef struct {
    bb_drv *d;
    int64_t k0, k1;
    size_t step;     /* samples a task mixes */
} mix_job;

enum { BB_MIX_STEP_MIN = 64 }; /* the fewest samples a mixing task takes */

static void mix_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const mix_job *j = ctx;
    int64_t a = j->k0 + (int64_t)(task * j->step);
    int64_t b = a + (int64_t)j->step < j->k1 ? a + (int64_t)j->step : j->k1;
    bb_render_mix(j->d->r, a, b);
}

/* A block a task, or, when the window has fewer than two blocks a worker,
 * parts of blocks (at least BB_MIX_STEP_MIN samples, a multiple of 16): every
 * worker finds mixing to take however few blocks the window has. Each sample
 * is mixed alone (its voices in order), so any cut gives the same floats. */
static size_t mix_step(const bb_drv *d, int64_t k0, int64_t k1)
{
    const size_t block = bb_render_options(d->r)->block, len = (size_t)(k1 - k0);
    const size_t want = 2 * (size_t)bb_workers_count(d->workers);
    if ((len + block - 1) / block >= want) return block;
    size_t step = ((len + want - 1) / want + 15) / 16 * 16;
    if (step < BB_MIX_STEP_MIN) step = BB_MIX_STEP_MIN;
    return step < block ? step : block;
}

bb_result bb_batch_mix(bb_strategy *s, int64_t k0, int64_t k1);

bb_result bb_batch_mix(bb_strategy *s, int64_t k0, int64_t k1)
{
    bb_drv *d = (bb_drv *)s;
    mix_job j = {d, k0, k1, mix_step(d, k0, k1)};
    size_t n = (size_t)((k1 - k0 + (int64_t)j.step - 1) / (int64_t)j.step);
    bb_drv_run(d, n, mix_task, &j, n > 1 && bb_workers_count(d->workers) > 1 ? bb_drv_mix_work(d, k0, k1) : UINT64_MAX);
    return BB_OK;
}

enum { BB_BATCH_DEFAULT = 8 }; /* blocks per window */

static void apply_batch(bb_plan *p)
{
    if (p->resolver == &bb_resolve_serial) p->resolver = &bb_resolve_block;
    if (p->batch <= 1) p->batch = BB_BATCH_DEFAULT;
    p->parallel_mix = true;
    p->pipeline = true;
}

const bb_variant bb_variant_batch = {"batch", "2.3",
                                     "K blocks at a time: synthesis and voice mixing of the window in parallel",
                                     false, apply_batch};
