/* cycle.c - phase 2.1: once per musical cycle, look ahead at the whole cycle's
 * bus requests (bb_render_enumerate: the same events the blocks will schedule),
 * dedupe, synthesise them in parallel, and serve every block of the cycle from
 * that cache. Preprocessing calls <= cycles rendered (+ reloads). Entries of a
 * cycle are dropped when the render has moved past it (static ones are kept
 * when the plan keeps static buffers).
 *
 * At one worker with the one-request-a-task synthesiser the look-ahead has
 * nothing to win for a request whose key holds its onset (no second thread to
 * give work to, no lanes to fill; only a request at the same onset, so in the
 * same window, can share its buffer) and one thing to lose: a whole cycle's
 * buffers are written before the first is mixed, out of the caches by then
 * (golden/q.ph, 8 cycles, 1 thread, cachegrind: 115.9 k last-level data misses
 * against serial's 64.8 k). Such requests are resolved at their own window
 * instead (first use): looked up, and on a miss synthesised then. Requests of
 * static buses (keys without an onset, shared across the cycle) are still made
 * a cycle ahead. Hits, misses and synthesis are the same either way. */
#include "bb_variant.h"

/* Whether requests whose key holds an onset wait for their window (above). */
static bool first_use(const bb_drv *d)
{
    return bb_workers_count(d->workers) == 1 && d->plan.synthesiser == &bb_synthesise_each;
}

static bool drop_old(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    int64_t before = *(const int64_t *)arg;
    if (d->plan.keep_static && s->key.onset == BB_ONSET_STATIC) return false;
    return s->cycle < before;
}

/* Synthesise ahead every request of cycle c (clipped to the render). */
static bb_result prepare_cycle(bb_drv *d, int64_t c)
{
    int64_t frames = bb_render_options(d->r)->frames;
    int64_t a = bb_render_cycle_start(d->r, c), b = bb_render_cycle_start(d->r, c + 1);
    if (b > frames) b = frames;
    d->reqs.n = 0;
    d->uniq_n = 0;
    bb_result r = bb_render_enumerate(d->r, a, b, &d->reqs);
    if (r) return r;
    if (d->reqs.n) d->stats->preprocess_calls++;
    const bool lazy = first_use(d);
    for (size_t i = 0; i < d->reqs.n; i++) {
        if (lazy && d->plan.key(&d->reqs.v[i]).onset != BB_ONSET_STATIC) continue;
        if ((r = bb_drv_lookup_or_queue(d, &d->reqs.v[i], c))) return r;
    }
    return bb_drv_synth_uniq(d);
}

static bb_result resolve_cycle(bb_drv *d, int64_t k0, int64_t k1, const bb_pending *p, size_t n)
{
    const bb_prog *prog = bb_render_prog(d->r);
    int64_t c0 = bb_prog_cycle(prog, k0), c1 = bb_prog_cycle(prog, k1 - 1);
    bb_result r;
    if (c0 > d->prepared_cycle + 1 || d->prepared_cycle == INT64_MIN) d->prepared_cycle = c0 - 1;
    bb_drv_cache_evict(d, drop_old, &c0);
    for (int64_t c = d->prepared_cycle + 1; c <= c1; c++) {
        if ((r = prepare_cycle(d, c))) return r;
        d->prepared_cycle = c;
    }
    const bool lazy = first_use(d);
    d->uniq_n = 0;
    for (size_t i = 0; i < n; i++) {
        bb_busreq *req = bb_pending_req(&p[i]);
        bb_buskey k = d->plan.key(req);
        bb_busbuf *b;
        if (lazy && k.onset != BB_ONSET_STATIC) {
            if ((r = bb_drv_lookup_or_queue(d, req, bb_prog_cycle(prog, req->onset)))) return r;
            b = req->buf;
        } else if (!(b = bb_drv_cache_get(d, &k))) {
            /* look-ahead and scheduling disagree: a bug; fail loudly rather than
               synthesise something the counters would not show */
            return BB_ERR_INTERNAL;
        }
        b->refs++;
        req->buf = b;
    }
    return bb_drv_synth_uniq(d);
}

/* A new program: its first cycle is the next to synthesise ahead. */
static void reload_cycle(bb_drv *d, const bb_prog *new_prog) { d->prepared_cycle = bb_rat_floor(new_prog->c0) - 1; }

const bb_resolver bb_resolve_cycle = {"cycle", resolve_cycle, reload_cycle};

static void apply_cycle(bb_plan *p) { p->resolver = &bb_resolve_cycle; }

const bb_variant bb_variant_cycle = {"cycle", "2.1",
                                     "once per cycle: collect the cycle's requests, dedupe, synthesise in parallel, reuse",
                                     false, apply_cycle};
