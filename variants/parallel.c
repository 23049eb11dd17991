/* parallel.c - phase 1: per audio block (per window), collect the block's bus
 * requests, dedupe them by key, synthesise the distinct ones on the worker pool,
 * and hand every request its buffer. One preprocessing call per block that has
 * requests: the seed's "~70 preprocessing calls for 4 seconds". */
#include "bb_variant.h"

static bool drop_unkept(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    (void)arg;
    return !(d->plan.keep_static && s->key.onset == BB_ONSET_STATIC);
}

static bb_result resolve_block(bb_drv *d, int64_t k0, int64_t k1, const bb_pending *p, size_t n)
{
    (void)k0, (void)k1;
    d->uniq_n = 0;
    d->stats->preprocess_calls++;
    for (size_t i = 0; i < n; i++) {
        bb_busreq *req = bb_pending_req(&p[i]);
        bb_result r = bb_drv_lookup_or_queue(d, req, 0);
        if (r) return r;
        req->buf->refs++; /* the voice's reference */
    }
    bb_result r = bb_drv_synth_uniq(d);
    /* the table only dedupes within the block, unless static buffers are kept */
    bb_drv_cache_evict(d, drop_unkept, NULL);
    return r;
}

const bb_resolver bb_resolve_block = {"block", resolve_block, NULL};

static void apply_parallel(bb_plan *p)
{
    if (p->resolver == &bb_resolve_serial) p->resolver = &bb_resolve_block;
}

const bb_variant bb_variant_parallel = {"parallel", "1",
                                        "per block: collect requests, dedupe by key, synthesise on the worker pool",
                                        false, apply_parallel};
