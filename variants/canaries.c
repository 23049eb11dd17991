/* canaries.c - deliberately broken variants. Each is wrong in one realistic way
 * the seeds' engine could have been, and each wraps one part of a correct plan
 * rather than editing it. The test suite proves the verifier catches every one
 * at the first differing sample; they are never part of `all`.
 *
 *   canary-stale   treats every bus as static: pattern-modulated and noise buses
 *                  are reused across onsets (the seeds' "false positives could
 *                  cause stale audio").
 *   canary-key     leaves the pitch out of the key: chord tones of one bus at one
 *                  onset share the first tone's buffer.
 *   canary-reload  keys buffers by bus name and length (the seeds' (String,
 *                  usize) key) and keeps its cache across a reload: a redefined
 *                  bus keeps sounding like its old definition.
 *   canary-order   mixes voices in reverse canonical order: the same voices, a
 *                  different float sum.
 *   canary-lanes   the lanes phase with one operation changed in the lane path
 *                  only: the lane filter sums its feed-forward terms as
 *                  b0 x + (b1 x1 + b2 x2) (a reassociation, as a vectorising
 *                  compiler allowed -ffast-math would do), with cycle
 *                  windows; serial's width-1 kernel is untouched. */
#include "bb_variant.h"

#include <string.h>

static bb_buskey key_all_static(const bb_busreq *req)
{
    bb_buskey k = bb_buskey_of(req);
    k.onset = BB_ONSET_STATIC;
    return k;
}

static bb_buskey key_no_pitch(const bb_busreq *req)
{
    bb_buskey k = bb_buskey_of(req);
    k.note_bits = 0;
    return k;
}

static bb_buskey key_by_name(const bb_busreq *req)
{
    const bb_busdef *b = &req->prog->buses[req->bus];
    bb_buskey k = bb_buskey_of(req);
    k.def = bb_hash_bytes(b->name, b->name_len, 0);
    return k;
}

static void apply_stale(bb_plan *p)
{
    p->resolver = &bb_resolve_cycle;
    p->keep_static = true;
    p->key = key_all_static;
}

static void apply_key(bb_plan *p)
{
    p->resolver = &bb_resolve_cycle;
    p->key = key_no_pitch;
}

static void apply_reload(bb_plan *p)
{
    p->resolver = &bb_resolve_cycle;
    p->keep_static = true;
    p->key = key_by_name;
    p->keep_on_reload = true;
}

static void apply_order(bb_plan *p) { p->mix_reverse = true; }

static void apply_lanes_reassoc(bb_plan *p)
{
    p->resolver = &bb_resolve_cycle; /* whole cycles: full lanes on every workload */
    bb_plan_apply(p, "lanes", NULL);
    p->lanes_reassoc = true;
}

const bb_variant bb_variant_canary_stale = {"canary-stale", "canary", "treats every bus as static", true, apply_stale};
const bb_variant bb_variant_canary_key = {"canary-key", "canary", "leaves the pitch out of the key", true, apply_key};
const bb_variant bb_variant_canary_reload = {"canary-reload", "canary",
                                             "keys by bus name and keeps its cache across reload", true, apply_reload};
const bb_variant bb_variant_canary_order = {"canary-order", "canary", "mixes voices in reverse order", true, apply_order};
const bb_variant bb_variant_canary_lanes = {"canary-lanes", "canary",
                                            "lanes with the lane filter's feed-forward sum reassociated", true,
                                            apply_lanes_reassoc};
