/* bb_driver.c - carries out a plan behind the core's strategy interface.
 *
 * The driver owns what every strategy shares: the worker pool (created once per
 * render), one bb_synth per worker, the cache (an open-addressing table from
 * bb_buskey to a buffer; eviction works in place, never allocating), and
 * reference counting of buffers. The plan's resolver decides when buffers are
 * made, its store where they come from, its synthesiser how the distinct ones
 * are filled and its mixer how a window's voices are summed; the driver only
 * wires them together, through those tables, and names no variant. Its own
 * parts are the plain ones a plan starts with: buffers from the heap, one
 * request a task, mixing on the render thread.
 *
 * Invariants: every buffer in the cache holds one reference for the cache;
 * every voice holds one for itself; a buffer goes back to the store exactly when
 * its count reaches zero. Counters: a request served from the cache is a hit, a
 * request that caused a synthesis is a miss.
 *
 * Pipelining (bb_strategy_ops.background): the render's output chain runs as
 * the pool's background task, on a worker, while the render thread and the
 * other workers synthesise and mix later windows.
 *
 * Small jobs stay here (bb_drv_run): a job whose work, estimated before it
 * starts from its requests' lengths or its window's voices, is below what
 * handing it off costs runs on the calling thread, as worker 0, and is
 * counted (jobs_local). Which thread runs a task never changes its bits. The
 * costs were measured on the development machine (2 cores shared, load 4.4):
 * bb_workers_run of 8 empty tasks, 400 times, each after a 1 ms pause (the
 * worker asleep), took 10.9 us more at 2 threads than at 1 (median; 3.7 us at
 * the 10th percentile; 0.15 us back to back, the worker spinning); synthesis
 * took 1.5 ns a sample in lanes and 4.3 ns a sample one request at a time,
 * mixing 0.33 ns a voice-sample (q.ph, 8 cycles, 1 thread, the render's step
 * times, best of 5). The estimate is deterministic, so is the counter
 * (BUSBENCH_HANDOFF_NS moves the threshold, for experiments). */
#include "bb_variant.h"

#include "bb_alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- cache ------------------------------------------------------------------ */

static size_t slot_of(const bb_drv *d, const bb_buskey *k)
{
    return (size_t)bb_buskey_hash(k) & (d->nslots - 1);
}

bb_cache_slot *bb_drv_cache_find(bb_drv *d, const bb_buskey *k)
{
    if (!d->nslots) return NULL;
    for (size_t i = slot_of(d, k);; i = (i + 1) & (d->nslots - 1)) {
        bb_cache_slot *s = &d->slots[i];
        if (!s->buf) return NULL;
        if (bb_buskey_eq(&s->key, k)) return s;
    }
}

bb_busbuf *bb_drv_cache_get(bb_drv *d, const bb_buskey *k)
{
    bb_cache_slot *s = bb_drv_cache_find(d, k);
    return s ? s->buf : NULL;
}

static void insert(bb_cache_slot *slots, size_t n, const bb_cache_slot *e)
{
    for (size_t i = (size_t)bb_buskey_hash(&e->key) & (n - 1);; i = (i + 1) & (n - 1))
        if (!slots[i].buf) {
            slots[i] = *e;
            return;
        }
}

static bb_result grow(bb_drv *d, size_t want)
{
    size_t n = d->nslots ? d->nslots : 64;
    while (n < want * 2) n *= 2;
    if (n == d->nslots) return BB_OK;
    bb_cache_slot *t = bb_calloc(n, sizeof *t);
    if (!t) return BB_ERR_NOMEM;
    for (size_t i = 0; i < d->nslots; i++)
        if (d->slots[i].buf) insert(t, n, &d->slots[i]);
    bb_free(d->slots);
    d->slots = t;
    d->nslots = n;
    return BB_OK;
}

bb_result bb_drv_cache_put(bb_drv *d, bb_busbuf *b, int64_t cycle)
{
    if (d->nused + 1 > d->nslots / 2 && grow(d, d->nused + 1)) return BB_ERR_NOMEM;
    bb_cache_slot e = {.key = b->key, .buf = b, .cycle = cycle};
    insert(d->slots, d->nslots, &e);
    d->nused++;
    return BB_OK;
}

/* Empty slot i, moving the later entries of its run back where a lookup from
 * their hash must still find them (Knuth's algorithm R for linear probing). */
static void delete_at(bb_drv *d, size_t i)
{
    const size_t mask = d->nslots - 1;
    d->slots[i].buf = NULL;
    for (size_t j = (i + 1) & mask; d->slots[j].buf; j = (j + 1) & mask) {
        size_t h = slot_of(d, &d->slots[j].key);
        /* j stays when its home lies cyclically in (i, j] */
        if (i <= j ? (i < h && h <= j) : (i < h || h <= j)) continue;
        d->slots[i] = d->slots[j];
        d->slots[j].buf = NULL;
        i = j;
    }
}

/* In place, without allocating: each dropped entry is deleted at once. An
 * entry moved back into slot i is looked at again (one moved from the front of
 * the table to its end was kept already: asked again, drop says the same). */
size_t bb_drv_cache_evict(bb_drv *d, bool (*drop)(const bb_drv *, const bb_cache_slot *, const void *), const void *arg)
{
    size_t dropped = 0;
    for (size_t i = 0; i < d->nslots && d->nused > dropped; i++)
        while (d->slots[i].buf && drop(d, &d->slots[i], arg)) {
            bb_drv_unref(d, d->slots[i].buf);
            delete_at(d, i);
            dropped++;
        }
    d->nused -= dropped;
    return dropped;
}

static bool drop_all(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    (void)d, (void)s, (void)arg;
    return true;
}

/* ---- buffers ---------------------------------------------------------------- */

bb_busbuf *bb_drv_buffer(bb_drv *d, const bb_busreq *req)
{
    bb_busbuf *b = d->plan.store->get(d, req->len);
    if (!b) return NULL;
    b->len = req->len;
    b->refs = 1;
    b->key = d->plan.key(req);
    return b;
}

void bb_drv_unref(bb_drv *d, bb_busbuf *b)
{
    if (--b->refs == 0) d->plan.store->put(d, b);
}

bb_result bb_drv_lookup_or_queue(bb_drv *d, bb_busreq *req, int64_t cycle)
{
    bb_buskey k = d->plan.key(req);
    bb_cache_slot *s = bb_drv_cache_find(d, &k);
    bb_busbuf *b;
    if (s) {
        d->stats->cache_hits++;
        req->buf = s->buf;
        if (s->cycle < cycle) s->cycle = cycle; /* still needed in this cycle */
        return BB_OK;
    }
    if (!(b = bb_drv_buffer(d, req))) return BB_ERR_NOMEM;
    if (bb_drv_cache_put(d, b, cycle)) {
        bb_drv_unref(d, b);
        return BB_ERR_NOMEM;
    }
    /* req->buf only once nothing can fail: on failure the caller takes no
       reference for the voice, so a voice holding b would release the
       cache's reference (b stays in the cache, which frees it) */
    if (bb_grow((void **)&d->uniq, &d->uniq_cap, d->uniq_n + 1, sizeof *d->uniq)) return BB_ERR_NOMEM;
    req->buf = b;
    d->uniq[d->uniq_n++] = req;
    d->stats->cache_misses++;
    return BB_OK;
}

static bb_busbuf *heap_get(bb_drv *d, int64_t len)
{
    bb_busbuf *b = bb_calloc(1, sizeof *b);
    float *data = bb_malloc((size_t)len * sizeof *data);
    if (!b || !data) {
        bb_free(b);
        bb_free(data);
        return NULL;
    }
    b->data = data;
    b->cap = (size_t)len;
    d->stats->busbuf_allocs++;
    return b;
}

static void heap_put(bb_drv *d, bb_busbuf *b)
{
    (void)d;
    bb_free(b->data);
    bb_free(b);
}

static void heap_drain(bb_drv *d) { (void)d; }

const bb_store bb_store_heap = {"heap", heap_get, heap_put, heap_drain};

/* ---- running jobs -------------------------------------------------------------- */

/* What a hand-off costs and what work costs, in picoseconds (see the top; a
 * sample synthesised in lanes: lanes.c). */
enum {
    BB_DRV_HANDOFF_PS = 10000000,
    BB_DRV_SYNTH_PS = 4300,       /* a sample synthesised one request at a time */
    BB_DRV_MIX_PS = 330,          /* a voice-sample mixed */
    BB_DRV_CHAIN_PS = 2800        /* a sample of one signal-processing node of the output graph */
};

void bb_drv_run(bb_drv *d, size_t n, void (*fn)(void *ctx, size_t task, int worker), void *ctx, uint64_t work_ps)
{
    if (n > 1 && work_ps < d->handoff_ps && bb_workers_count(d->workers) > 1) {
        for (size_t t = 0; t < n; t++) fn(ctx, t, 0);
        d->stats->jobs_local++;
        return;
    }
    bb_workers_run(d->workers, n, fn, ctx);
}

/* BB_DRV_HANDOFF_PS, or BUSBENCH_HANDOFF_NS (an experiment knob: 0 hands
 * every job off, as before jobs stayed local). */
static uint64_t handoff_ps(void)
{
    const char *e = getenv("BUSBENCH_HANDOFF_NS");
    if (e && *e) {
        char *end;
        long long v = strtoll(e, &end, 10);
        if (*end == '\0' && v >= 0 && v < INT64_MAX / 1000) return (uint64_t)v * 1000;
    }
    return BB_DRV_HANDOFF_PS;
}

uint64_t bb_drv_synth_work(const bb_drv *d, uint64_t ps_per_sample)
{
    uint64_t n = 0;
    for (size_t i = 0; i < d->uniq_n; i++) n += (uint64_t)d->uniq[i]->len;
    return n * ps_per_sample;
}

uint64_t bb_drv_mix_work(const bb_drv *d, int64_t k0, int64_t k1)
{
    return bb_render_mix_work(d->r, k0, k1) * BB_DRV_MIX_PS;
}

/* ---- synthesis on the workers ---------------------------------------------- */

static void synth_task(void *ctx, size_t task, int worker)
{
    bb_drv *d = ctx;
    bb_busreq *req = d->uniq[task];
    if (atomic_load(&d->job_err)) return; /* the render fails anyway: do not synthesise the rest */
    bb_result r = bb_synth_run(d->synth[worker], req, req->buf->data);
    if (r) atomic_store(&d->job_err, (int)r); /* any failure fails the render; which one is immaterial */
}

void bb_drv_take_counts(bb_drv *d)
{
    for (int w = 0; w < bb_workers_count(d->workers); w++) {
        bb_synth_counters c = bb_synth_take(d->synth[w]);
        d->stats->synth_calls += c.calls;
        d->stats->synth_samples += c.samples;
        d->stats->lane_groups += c.lane_groups;
        d->stats->lane_samples += c.lane_samples;
        d->stats->lane_slots += c.lane_slots;
    }
}

/* The plain synthesiser: one request a task. */
static bb_result synth_each(bb_drv *d)
{
    atomic_store(&d->job_err, BB_OK);
    bb_drv_run(d, d->uniq_n, synth_task, d, bb_drv_synth_work(d, BB_DRV_SYNTH_PS));
    bb_drv_take_counts(d);
    return (bb_result)atomic_load(&d->job_err);
}

const bb_synthesiser bb_synthesise_each = {"each", NULL, synth_each};

bb_result bb_drv_synth_uniq(bb_drv *d)
{
    if (!d->uniq_n) return BB_OK;
    return d->plan.synthesiser->run(d);
}

/* ---- the strategy ops --------------------------------------------------------- */

static void free_synths(bb_drv *d)
{
    if (!d->synth) return;
    /* NULL each one: a reload whose make_synths fails half way leaves the rest
       NULL, not dangling, for drv_close */
    for (int w = 0; w < bb_workers_count(d->workers); w++) {
        bb_synth_destroy(d->synth[w]);
        d->synth[w] = NULL;
    }
}

static bb_result make_synths(bb_drv *d, const bb_prog *p)
{
    const bb_limits *lim = &bb_render_options(d->r)->lim;
    for (int w = 0; w < bb_workers_count(d->workers); w++) {
        bb_result r = bb_synth_create(&d->synth[w], p, lim);
        if (!r && d->plan.synthesiser->prepare) r = d->plan.synthesiser->prepare(d->synth[w]);
        if (r) return r;
    }
    return BB_OK;
}

static void drv_close(bb_strategy *s);

static bb_result drv_open(bb_render *r, const void *arg, bb_strategy **out)
{
    const bb_plan *plan = arg;
    bb_drv *d = bb_calloc(1, sizeof *d);
    if (!d) return BB_ERR_NOMEM;
    d->r = r;
    d->plan = *plan;
    d->stats = bb_render_counters(r);
    d->prepared_cycle = INT64_MIN;
    d->handoff_ps = handoff_ps();
    bb_result res = bb_workers_create(&d->workers, plan->threads, plan->pin, NULL);
    if (!res) {
        d->synth = bb_calloc((size_t)plan->threads, sizeof *d->synth);
        res = d->synth ? make_synths(d, bb_render_prog(r)) : BB_ERR_NOMEM;
    }
    if (!res) res = grow(d, 32);
    if (res) {
        drv_close((bb_strategy *)d);
        return res;
    }
    *out = (bb_strategy *)d;
    return BB_OK;
}

static void drv_close(bb_strategy *s)
{
    bb_drv *d = (bb_drv *)s;
    if (d->nused) bb_drv_cache_evict(d, drop_all, NULL);
    if (d->workers) free_synths(d);
    bb_free(d->synth);
    d->plan.store->drain(d);
    bb_workers_destroy(d->workers);
    bb_free(d->slots);
    bb_free(d->reqs.v);
    bb_free(d->uniq);
    bb_free(d->synth_tasks);
    bb_free(d);
}

static size_t drv_window(const bb_strategy *s) { return ((const bb_drv *)s)->plan.batch; }

static bb_result drv_resolve(bb_strategy *s, int64_t k0, int64_t k1, const bb_pending *p, size_t n)
{
    bb_drv *d = (bb_drv *)s;
    return d->plan.resolver->resolve(d, k0, k1, p, n);
}

static void drv_release(bb_strategy *s, bb_busbuf *b) { bb_drv_unref((bb_drv *)s, b); }

static bool drop_stale(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    (void)d;
    const bb_prog *np = arg;
    for (int32_t i = 0; i < np->nbuses; i++)
        if (np->buses[i].def_hash == s->key.def) return false;
    return true;
}

static bb_result drv_reload(bb_strategy *s, const bb_prog *old_prog, const bb_prog *new_prog, int64_t k)
{
    (void)old_prog, (void)k;
    bb_drv *d = (bb_drv *)s;
    if (!d->plan.keep_on_reload) d->stats->invalidated += bb_drv_cache_evict(d, drop_stale, new_prog);
    if (d->plan.resolver->reload) d->plan.resolver->reload(d, new_prog);
    free_synths(d);
    return make_synths(d, new_prog);
}

/* The plain mixer: the whole window on the render thread. */
static bb_result mix_here(bb_drv *d, int64_t k0, int64_t k1)
{
    bb_render_mix(d->r, k0, k1);
    return BB_OK;
}

const bb_mixer bb_mix_here = {"here", mix_here};

static bb_result drv_mix(bb_strategy *s, int64_t k0, int64_t k1)
{
    bb_drv *d = (bb_drv *)s;
    return d->plan.mixer->mix(d, k0, k1);
}

/* The plan's look-ahead. The default one (plan.lookahead 0) is declined (0: not pipelined)
 * when a window's output chain is less work than handing it off: its signal-processing nodes
 * (bb_render_chain_nodes) over the window, at BB_DRV_CHAIN_PS. The block loop and the sink
 * cost the same on either thread, so they do not count: an output that only sums its
 * triggers stays on the render thread. A look-ahead that was asked for is kept. */
static size_t drv_lookahead(const bb_strategy *s)
{
    const bb_drv *d = (const bb_drv *)s;
    const size_t la = bb_plan_lookahead(&d->plan);
    const uint64_t window = (uint64_t)bb_render_options(d->r)->block * (d->plan.batch > 1 ? d->plan.batch : 1);
    if (la && !d->plan.lookahead && (uint64_t)bb_render_chain_nodes(d->r) * window * BB_DRV_CHAIN_PS < d->handoff_ps)
        return 0;
    return la;
}

static bool drv_background(bb_strategy *s, void (*fn)(void *ctx), void *ctx)
{
    return bb_workers_post(((bb_drv *)s)->workers, fn, ctx);
}

static void drv_join(bb_strategy *s) { bb_workers_join_background(((bb_drv *)s)->workers); }

const bb_strategy_ops bb_driver_ops = {
    .name = "driver",
    .open = drv_open,
    .close = drv_close,
    .window_blocks = drv_window,
    .resolve = drv_resolve,
    .mix = drv_mix,
    .release = drv_release,
    .reload = drv_reload,
    .lookahead = drv_lookahead,
    .background = drv_background,
    .join = drv_join,
};

void bb_plan_render_opts(const bb_plan *plan, bb_render_opts *o)
{
    o->strategy = &bb_driver_ops;
    o->strategy_arg = plan;
    o->mix_reverse = plan->mix_reverse;
}

int bb_driver_places(const bb_strategy *s, bb_worker_place *out, int max)
{
    const bb_drv *d = (const bb_drv *)s;
    int n = bb_workers_count(d->workers);
    if (n > max) n = max;
    for (int i = 0; i < n; i++) out[i] = bb_workers_place(d->workers, i);
    return n;
}
