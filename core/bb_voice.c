/* bb_voice.c - from trigger events to voices, and voices to samples.
 *
 * Scheduling walks the cycles that [k0, k1) touches. Each cycle's events are
 * queried once and kept sorted (bb_patcache), so a render with one-sample blocks
 * queries each pattern once per cycle, not once per block. An event with an
 * onset at sample o = idx(whole begin) in [k0, k1) makes one voice per tone of
 * its note (a chord makes several, each at gain 1/sqrt(tones)). Controls take
 * the value of the control pattern's event whose part holds the onset time;
 * with none, note 0, n from "name:index" (else 0) and gain 1.
 *
 * Envelope: a linear attack over the first a samples (0, 1/a, ..., (a-1)/a) and
 * a linear release over the last a ((a)/a ... 1/a), a = min(round(0.002 sr),
 * len/2). Bus voices, and sample voices at rate 1, read their source sample by
 * sample; other sample voices read it at position i * rate with linear
 * interpolation. Both are pure functions of (voice, absolute sample), hence
 * block-size invariant.
 *
 * The voice limit: no more than max_voices voices of one trigger pattern are
 * held at one instant. When a new voice would exceed it, the oldest held voice
 * is released at the new onset c (relative to its own onset): unless it is
 * already in its release (c >= len - a), its envelope falls from its level at c
 * to 0 over a samples, like a natural release, and it ends at c + a; a released
 * voice no longer counts as held. (Cutting it off at c was a click.) */
#include "bb_voice.h"

#include "bb_alloc.h"
#include "bb_lane.h"
#include "bb_math.h"

#include <limits.h>
#include <math.h>
#include <string.h>

static void cache_init(bb_patcache *c, const bb_pat *p)
{
    c->pat = p;
    c->cycle = INT64_MIN;
    bb_haps_init(&c->haps);
}

bb_result bb_trig_init(bb_trig *t, const bb_prog *prog, const bb_trigdef *def, const bb_limits *lim)
{
    memset(t, 0, sizeof *t);
    t->prog = prog;
    t->def = def;
    t->lim = *lim;
    cache_init(&t->pat, def->pat);
    cache_init(&t->note, def->note);
    cache_init(&t->n, def->n);
    cache_init(&t->gain, def->gain);
    bb_arena_init(&t->scratch);
    size_t cap = (size_t)(lim->max_voices > 0 ? lim->max_voices : 1) * 2;
    if (bb_grow((void **)&t->v, &t->cap, cap, sizeof *t->v)) return BB_ERR_NOMEM;
    return BB_OK;
}

void bb_trig_clear(bb_trig *t, bb_release_fn rel, void *ctx)
{
    for (size_t i = 0; i < t->nv; i++)
        if (t->v[i].is_bus && t->v[i].req.buf) rel(ctx, t->v[i].req.buf);
    t->nv = 0;
    t->pat.cycle = t->note.cycle = t->n.cycle = t->gain.cycle = INT64_MIN;
}

void bb_trig_free(bb_trig *t, bb_release_fn rel, void *ctx)
{
    bb_trig_clear(t, rel, ctx);
    bb_free(t->v);
    bb_free(t->on);
    bb_free(t->off);
    for (int i = 0; i < BB_TRIG_WINDOWS; i++) bb_free(t->wins[i]);
    bb_haps_free(&t->pat.haps);
    bb_haps_free(&t->note.haps);
    bb_haps_free(&t->n.haps);
    bb_haps_free(&t->gain.haps);
    bb_arena_free(&t->scratch);
    memset(t, 0, sizeof *t);
}

/* Make c hold cycle cyc's events (only those with an onset when onsets): a copy
 * of twin's (the same cache of another trigger, or NULL) when it holds them for
 * the same pattern (a query gives the same events, in the same order), else
 * queried. */
static bb_result cache_cycle(bb_trig *t, bb_patcache *c, int64_t cyc, bool onsets, const bb_patcache *twin)
{
    if (c->cycle == cyc) return BB_OK;
    if (twin && twin->pat == c->pat && twin->cycle == cyc) {
        if (bb_grow((void **)&c->haps.v, &c->haps.cap, twin->haps.n, sizeof *c->haps.v)) return BB_ERR_NOMEM;
        if (twin->haps.n) memcpy(c->haps.v, twin->haps.v, twin->haps.n * sizeof *c->haps.v);
        c->haps.n = twin->haps.n;
        c->cycle = cyc;
        return BB_OK;
    }
    bb_haps_clear(&c->haps);
    bb_arena_reset(&t->scratch);
    bb_result r = bb_pat_query(c->pat, bb_rat_int(cyc), bb_rat_int(cyc + 1), &t->scratch, &c->haps);
    if (r) return r;
    if (onsets) {
        size_t w = 0;
        for (size_t i = 0; i < c->haps.n; i++)
            if (bb_hap_has_onset(&c->haps.v[i])) c->haps.v[w++] = c->haps.v[i];
        c->haps.n = w;
    }
    if ((r = bb_haps_sort(&c->haps, &t->scratch))) return r;
    c->cycle = cyc;
    return BB_OK;
}

/* The trigger pattern's events of cycle cyc with their onset and end samples:
 * the exact time arithmetic is done once per cycle, not once per block. */
static bb_result trig_cycle(bb_trig *t, int64_t cyc, const bb_trig *twin)
{
    if (t->pat.cycle == cyc) return BB_OK;
    bb_result r = cache_cycle(t, &t->pat, cyc, true, twin ? &twin->pat : NULL);
    if (r) return r;
    const size_t n = t->pat.haps.n;
    if (n > t->on_cap) {
        size_t cap = t->on_cap;
        if (bb_grow((void **)&t->on, &cap, n, sizeof *t->on)) return BB_ERR_NOMEM;
        cap = t->on_cap;
        if (bb_grow((void **)&t->off, &cap, n, sizeof *t->off)) return BB_ERR_NOMEM;
        t->on_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        t->on[i] = bb_prog_idx(t->prog, t->pat.haps.v[i].whole_b);
        t->off[i] = bb_prog_idx(t->prog, t->pat.haps.v[i].whole_e);
    }
    return BB_OK;
}

/* The first event of c (cycle cyc) whose part holds time b, or NULL. */
static const bb_hap *control_at(bb_trig *t, bb_patcache *c, int64_t cyc, bb_rat b, size_t *from, bb_result *r,
                               const bb_patcache *twin)
{
    if (!c->pat) return NULL;
    if ((*r = cache_cycle(t, c, cyc, false, twin))) return NULL;
    for (size_t i = *from; i < c->haps.n; i++) {
        const bb_hap *h = &c->haps.v[i];
        if (bb_rat_le(h->part_b, b) && bb_rat_lt(b, h->part_e)) {
            *from = i + 1;
            return h;
        }
    }
    *from = c->haps.n;
    return NULL;
}

typedef bb_result (*voice_fn)(bb_trig *t, const bb_voice *proto, void *ctx);

/* Generate, in canonical order, the voices of events with onsets in [k0, k1). */
static bb_result each_voice(bb_trig *t, const bb_trig *twin, int64_t k0, int64_t k1, voice_fn fn, void *ctx)
{
    const bb_prog *p = t->prog;
    if (k1 <= k0) return BB_OK;
    bb_rat_clear_overflow();
    int64_t c_first = bb_prog_cycle(p, k0), c_last = bb_prog_cycle(p, k1 - 1);
    const int32_t env_max = (int32_t)lround(0.002 * p->sr);
    const int64_t bus_max = (int64_t)llround(t->lim.max_bus_seconds * p->sr);
    bb_result r = BB_OK;
    for (int64_t cyc = c_first; cyc <= c_last; cyc++) {
        if ((r = trig_cycle(t, cyc, twin))) return r;
        for (size_t i = 0; i < t->pat.haps.n; i++) {
            const bb_hap *h = &t->pat.haps.v[i];
            const int64_t o = t->on[i];
            if (o >= k1) break; /* onsets are sorted */
            if (o < k0) continue;
            const int64_t ev_len = t->off[i] - o;
            if (ev_len <= 0) continue; /* zero-length events make no sound */
            /* controls at the onset */
            double gain = h->gain, n = h->val.kind == BB_VAL_WORD ? h->val.index : 0;
            size_t from = 0;
            const bb_hap *g = control_at(t, &t->gain, cyc, h->whole_b, &from, &r, twin ? &twin->gain : NULL);
            if (r) return r;
            if (g) gain *= g->val.note;
            from = 0;
            const bb_hap *nh = control_at(t, &t->n, cyc, h->whole_b, &from, &r, twin ? &twin->n : NULL);
            if (r) return r;
            if (nh) n = nh->val.note;
            bb_voice v;
            memset(&v, 0, sizeof v);
            v.onset = o;
            v.is_bus = h->val.kind == BB_VAL_BUS;
            const bb_sample *smp = NULL;
            if (v.is_bus) {
                v.req.prog = p;
                v.req.bus = bb_prog_bus(p, h->val.name, h->val.name_len);
                v.req.onset = o;
                v.len = ev_len;
                if (v.len > bus_max) {
                    v.len = bus_max;
                    t->count.clamps++;
                }
                v.req.len = v.len;
                if (v.req.bus < 0 || v.len <= 0) continue;
            } else {
                /* a sample index from `# n`, clamped to int (counted): never an undefined conversion */
                double ni = floor(n);
                if (!(ni >= (double)INT_MIN && ni <= (double)INT_MAX)) {
                    ni = ni < 0 ? (double)INT_MIN : (double)INT_MAX;
                    t->count.clamps++;
                }
                smp = bb_kit_get(p->kit, h->val.name, h->val.name_len, (int)ni);
                if (!smp || smp->frames < 2) continue;
            }
            /* one voice per tone of each note event at the onset (note 0 without one) */
            size_t nfrom = 0;
            bool any = false;
            for (;;) {
                const bb_hap *nt = control_at(t, &t->note, cyc, h->whole_b, &nfrom, &r, twin ? &twin->note : NULL);
                if (r) return r;
                if (!nt && any) break;
                double root = nt ? nt->val.note : 0.0;
                int tones = nt && nt->val.kind == BB_VAL_CHORD ? nt->val.ntones : 1;
                double cg = 1.0 / sqrt((double)tones);
                for (int k = 0; k < tones; k++) {
                    double note = root + (nt && nt->val.kind == BB_VAL_CHORD ? nt->val.tones[k] : 0);
                    double ratio = bb_exp2(note / 12.0);
                    v.gain = (float)(gain * cg);
                    if (v.is_bus) {
                        v.req.note = note;
                        v.rate = 1.0;
                    } else {
                        v.rate = smp->sr / p->sr * ratio;
                        v.data = smp->data;
                        v.frames = smp->frames;
                        /* pitched far down, a sample would last for hours (or for ever: a rate
                           of 0): clamped like a bus voice, to --max-bus-seconds, and counted */
                        const double len = ceil((double)(smp->frames - 1) / v.rate);
                        if (!(len <= (double)bus_max)) t->count.clamps++;
                        v.len = len <= (double)bus_max ? (int64_t)len : bus_max;
                        if (v.len <= 0) continue;
                    }
                    v.env = (int32_t)(v.len / 2 < env_max ? v.len / 2 : env_max);
                    v.rel_at = v.len - v.env;
                    v.rel_level = 1.0f;
                    v.end = v.onset + v.len;
                    if ((r = fn(t, &v, ctx))) return r;
                }
                any = true;
                if (!nt) break;
            }
        }
    }
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    return BB_OK;
}

/* The envelope of voice sample j outside the release: the attack ramp, then 1. */
static float env_held(const bb_voice *v, int64_t j)
{
    return j < v->env ? (float)j / (float)v->env : 1.0f;
}

/* The voice limit releases v at absolute sample k (see the essay). */
static void release_early(bb_voice *v, int64_t k)
{
    const int64_t c = k - v->onset;
    v->dropped = true;
    if (c >= v->rel_at) return; /* already releasing: it ends by itself */
    v->rel_level = env_held(v, c);
    v->rel_at = c;
    v->end = v->onset + c + v->env;
}

static bb_result add_voice(bb_trig *t, const bb_voice *proto, void *ctx)
{
    bb_pendlist *pend = ctx;
    /* the voice limit: release the oldest held voice at this onset */
    size_t held = 0, oldest = SIZE_MAX;
    for (size_t i = 0; i < t->nv; i++)
        if (t->v[i].end > proto->onset && !t->v[i].dropped) {
            held++;
            if (oldest == SIZE_MAX) oldest = i;
        }
    if ((int)held >= t->lim.max_voices && oldest != SIZE_MAX) {
        release_early(&t->v[oldest], proto->onset);
        t->count.dropped++;
    }
    if (bb_grow((void **)&t->v, &t->cap, t->nv + 1, sizeof *t->v)) return BB_ERR_NOMEM;
    t->v[t->nv] = *proto;
    if (proto->is_bus && bb_pendlist_push(pend, t, t->nv)) return BB_ERR_NOMEM;
    t->nv++;
    t->count.voices++;
    return BB_OK;
}

bb_result bb_trig_schedule(bb_trig *t, const bb_trig *twin, int64_t k0, int64_t k1, bb_pendlist *pend)
{
    return each_voice(t, twin, k0, k1, add_voice, pend);
}

static bb_result add_req(bb_trig *t, const bb_voice *proto, void *ctx)
{
    (void)t;
    bb_reqlist *l = ctx;
    if (!proto->is_bus) return BB_OK;
    if (bb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return BB_ERR_NOMEM;
    l->v[l->n++] = proto->req;
    return BB_OK;
}

bb_result bb_trig_enumerate(bb_trig *t, const bb_trig *twin, int64_t k0, int64_t k1, bb_reqlist *out)
{
    bb_trig_counters saved = t->count;
    bb_result r = each_voice(t, twin, k0, k1, add_req, out);
    t->count = saved; /* looking ahead counts nothing */
    return r;
}

/* The source value of voice sample j: d[j] (direct: a bus buffer, or a sample
 * at rate 1), or the sample read at j * rate with linear interpolation. direct
 * is a constant at every call site, so each loop below is compiled for one
 * kind of voice. */
static inline __attribute__((always_inline)) float voice_src(const bb_voice *v, const float *restrict d, int64_t j,
                                                             bool direct)
{
    if (direct) return d[j];
    const double pos = (double)j * v->rate;
    size_t s = (size_t)pos;
    if (s > v->frames - 2) s = v->frames - 2;
    const float frac = (float)(pos - (double)s);
    return d[s] + (d[s + 1] - d[s]) * frac;
}

/* o[j] += x(j) * env(j) * gain for voice samples j in [j0, j1) (relative to the
 * onset). The attack and release ramps compute their envelope per sample; the
 * plateau between them, where the envelope is 1, multiplies by the gain alone
 * (x * 1 * g and x * g are the same float), so for a bus voice it is an
 * element-wise loop the compiler vectorises across samples. The release falls
 * from rel_level: rel_level * ((rel_at + a - j) / a). store: o[j] = 0 + ...
 * instead, the same float as adding into a zeroed o[j] (0 + y is y, but +0 for
 * a y of -0, as the add gives), without reading o. */
static inline __attribute__((always_inline)) void mix_span(const bb_voice *v, float *restrict o, int64_t j0,
                                                           int64_t j1, bool direct, bool store)
{
    const float *restrict d = v->data;
    const int64_t a = v->env, rel_at = v->rel_at;
    const float fa = (float)a, g = v->gain, lvl = v->rel_level;
    int64_t j = j0;
    const int64_t attack_end = j1 < a ? j1 : a < rel_at ? a : rel_at;
    for (; j < attack_end; j++) o[j] = (store ? 0.0f : o[j]) + voice_src(v, d, j, direct) * ((float)j / fa) * g;
    const int64_t plateau_end = j1 < rel_at ? j1 : rel_at;
    for (; j < plateau_end; j++) o[j] = (store ? 0.0f : o[j]) + voice_src(v, d, j, direct) * g;
    for (; j < j1; j++)
        o[j] = (store ? 0.0f : o[j]) + voice_src(v, d, j, direct) * (lvl * ((float)(rel_at + a - j) / fa)) * g;
}

/* The voice's samples j in [j0, j1) (relative to its onset; within what it
 * sounds) into o (o[j] for voice sample j): added, or stored (store). Built
 * for the baseline ISA and, on x86-64, an AVX2 clone chosen at load time
 * (bb_lane.h): the plateau's element-wise loop 8 samples a step instead of 4,
 * the same IEEE operation on each sample. */
BB_LANE_CLONES static void mix_part(const bb_voice *v, float *restrict o, int64_t j0, int64_t j1, bool store)
{
    const bool direct = v->is_bus || v->rate == 1.0;
    if (direct && store) mix_span(v, o, j0, j1, true, true);
    else if (direct) mix_span(v, o, j0, j1, true, false);
    else if (store) mix_span(v, o, j0, j1, false, true);
    else mix_span(v, o, j0, j1, false, false);
}

/* The voice's samples on [k0, k1) added to out[0 .. k1 - k0). */
static void mix_voice(const bb_voice *v, int64_t k0, int64_t k1, float *restrict out)
{
    const int64_t lo = v->onset > k0 ? v->onset : k0;
    const int64_t hi = v->end < k1 ? v->end : k1;
    if (lo >= hi || !v->data) return;
    mix_part(v, out + (v->onset - k0), lo - v->onset, hi - v->onset, false);
}

void bb_trig_mix(const bb_trig *t, int64_t k0, int64_t k1, float *restrict out, bool reverse)
{
    if (!reverse) {
        for (size_t i = 0; i < t->nv; i++) mix_voice(&t->v[i], k0, k1, out);
    } else {
        for (size_t i = t->nv; i-- > 0;) mix_voice(&t->v[i], k0, k1, out);
    }
}

uint64_t bb_trig_mix_work(const bb_trig *t, int64_t k0, int64_t k1)
{
    uint64_t n = 0;
    for (size_t i = 0; i < t->nv; i++) {
        const bb_voice *v = &t->v[i];
        const int64_t lo = v->onset > k0 ? v->onset : k0, hi = v->end < k1 ? v->end : k1;
        if (lo < hi && v->data) n += (uint64_t)(hi - lo);
    }
    return n;
}

/* The voice's samples on [k0, k1) into out, of which [k0, *z) is written: the
 * part below *z added, a gap [*z, onset) zeroed, the rest stored; *z moves to
 * the voice's end within [k0, k1). */
static void fill_voice(const bb_voice *v, int64_t k0, int64_t k1, float *restrict out, int64_t *z)
{
    const int64_t lo = v->onset > k0 ? v->onset : k0;
    const int64_t hi = v->end < k1 ? v->end : k1;
    if (lo >= hi || !v->data) return;
    for (int64_t k = *z; k < lo; k++) out[k - k0] = 0.0f;
    const int64_t mid = hi < *z ? hi : *z > lo ? *z : lo;
    float *restrict o = out + (v->onset - k0);
    if (lo < mid) mix_part(v, o, lo - v->onset, mid - v->onset, false);
    if (mid < hi) {
        mix_part(v, o, mid - v->onset, hi - v->onset, true);
        *z = hi;
    }
}

/* The same floats as zeroing out[0 .. k1 - k0) and bb_trig_mix over it: every
 * sample is 0 + its voices in order. Each voice extends the written prefix
 * [k0, z): it adds where an earlier voice wrote, zeroes only a gap no voice has
 * reached, and stores the rest; what no voice reaches is zeroed at the end. */
void bb_trig_fill(const bb_trig *t, int64_t k0, int64_t k1, float *restrict out, bool reverse)
{
    int64_t z = k0;
    if (!reverse) {
        for (size_t i = 0; i < t->nv; i++) fill_voice(&t->v[i], k0, k1, out, &z);
    } else {
        for (size_t i = t->nv; i-- > 0;) fill_voice(&t->v[i], k0, k1, out, &z);
    }
    for (int64_t k = z; k < k1; k++) out[k - k0] = 0.0f;
}

void bb_trig_retire(bb_trig *t, int64_t k, bb_release_fn rel, void *ctx)
{
    size_t w = 0;
    for (size_t i = 0; i < t->nv; i++) {
        bb_voice *v = &t->v[i];
        if (v->end <= k) {
            if (v->is_bus && v->req.buf) rel(ctx, v->req.buf);
            continue;
        }
        t->v[w++] = *v;
    }
    t->nv = w;
}

int bb_pendlist_push(bb_pendlist *l, bb_trig *t, size_t vi)
{
    if (bb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return -1;
    l->v[l->n].t = t;
    l->v[l->n].vi = vi;
    l->n++;
    return 0;
}

void bb_pending_bind(const bb_pending *p)
{
    bb_voice *v = &p->t->v[p->vi];
    v->data = v->req.buf ? v->req.buf->data : NULL;
    v->frames = (size_t)v->len;
}
