/* parallel.c - phase 1: per audio block (per window), collect the block's bus
 * requests, dedupe them by key, synthesise the distinct ones on the worker pool,
 * and hand every request its buffer. One preprocessing call per block that has
 * requests: the seed's "~70 preprocessing calls for 4 seconds". */
#include "bb_variant.h"

#include "bb_alloc.h"

static bool drop_unkept(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    (void)arg;
    return !(d->plan.keep_static && s->key.onset == BB_ONSET_STATIC);
}

/* Give req a buffer: from the cache (a hit) or a new one queued for synthesis. */
bb_result bb_drv_lookup_or_queue(bb_drv *d, bb_busreq *req, int64_t cycle, bool *hit)
{
    bb_buskey k = d->plan.key(req);
    bb_cache_slot *s = bb_drv_cache_find(d, &k);
    bb_busbuf *b;
    if (s) {
        *hit = true;
        req->buf = s->buf;
        if (s->cycle < cycle) s->cycle = cycle; /* still needed in this cycle */
        return BB_OK;
    }
    *hit = false;
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
    return BB_OK;
}

static bb_result resolve_block(bb_drv *d, int64_t k0, int64_t k1, const bb_pending *p, size_t n)
{
    (void)k0, (void)k1;
    d->uniq_n = 0;
    d->stats->preprocess_calls++;
    for (size_t i = 0; i < n; i++) {
        bool hit;
        bb_busreq *req = bb_pending_req(&p[i]);
        bb_result r = bb_drv_lookup_or_queue(d, req, 0, &hit);
        if (r) return r;
        if (hit) d->stats->cache_hits++;
        else d->stats->cache_misses++;
        req->buf->refs++; /* the voice's reference */
    }
    bb_result r = bb_drv_synth_uniq(d);
    /* the table only dedupes within the block, unless static buffers are kept */
    bb_drv_cache_evict(d, drop_unkept, NULL);
    return r;
}

const bb_resolver bb_resolve_block = {"block", resolve_block};

static void apply_parallel(bb_plan *p)
{
    if (p->resolver == &bb_resolve_serial) p->resolver = &bb_resolve_block;
}

const bb_variant bb_variant_parallel = {"parallel", "1",
                                        "per block: collect requests, dedupe by key, synthesise on the worker pool",
                                        false, apply_parallel};
