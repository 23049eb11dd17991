/* serial.c - phase 0, the reference: every bus request is synthesised when it
 * triggers, on the render thread, into its own buffer. No cache, no dedupe, no
 * look-ahead: the simplest correct thing, against which all others are judged. */
#include "bb_variant.h"

static bb_result resolve_serial(bb_drv *d, int64_t k0, int64_t k1, const bb_pending *p, size_t n)
{
    (void)k0, (void)k1;
    for (size_t i = 0; i < n; i++) {
        bb_busreq *req = bb_pending_req(&p[i]);
        bb_busbuf *b = bb_drv_buffer(d, req);
        if (!b) return BB_ERR_NOMEM;
        req->buf = b;
        d->stats->cache_misses++;
        bb_result r = bb_synth_run(d->synth[0], req, b->data);
        bb_synth_counters c = bb_synth_take(d->synth[0]);
        d->stats->synth_calls += c.calls;
        d->stats->synth_samples += c.samples;
        if (r) return r;
    }
    return BB_OK;
}

const bb_resolver bb_resolve_serial = {"serial", resolve_serial, NULL};

static void apply_serial(bb_plan *p) { p->resolver = &bb_resolve_serial; }

const bb_variant bb_variant_serial = {"serial", "0", "synthesise each bus request when it triggers, on the render thread",
                                      false, apply_serial};
