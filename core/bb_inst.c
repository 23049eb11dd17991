/* bb_inst.c - evaluating a code block by block, and synthesising buses.
 *
 * Each node owns BB_CHUNK floats of output and their runs (bb_runs: where the
 * output may change). compute() walks the nodes in order (inputs first) over
 * the same sample range, so every unit sees its inputs for exactly the samples
 * it produces; the interpreter dispatches once per node and chunk, never per
 * sample. Runs: a constant is one run, a pattern starts a run at each event
 * edge, arithmetic merges its inputs' runs, everything else is audio-rate (a
 * run per sample). Oscillators and filters look at their control inputs once
 * per run. Node state is embedded per node; effects with
 * memory (delay, reverb) are created with the instance and only reset by init.
 *
 * A pattern used as a signal keeps its current cycle's events (sorted
 * canonically) and fills each sample range from them: the value at sample k is
 * that of the first event, in canonical order, whose part holds t_k, else 0.
 * Sample k is in the event's part [b, e) exactly when idx(b) <= k < idx(e), so
 * the fill is exact and block-size independent. The cached cycle survives
 * bb_inst_init: it depends on the pattern and the cycle alone, so the 84
 * buffers a cycle of golden/q.ph synthesises query their cutoff pattern once.
 *
 * Units: samples (absolute indices, int64), Hz, cycles (exact rationals). */
#include "bb_inst.h"

#include "bb_alloc.h"
#include "bb_dsp.h"
#include "bb_math.h"

#include <string.h>

typedef struct {
    bb_patcache cache;
    float *val;        /* per event in cache: value */
    int64_t *from, *to;/* per event: sample range of its part */
    size_t cap;
} patsig;

typedef union {
    bb_osc osc;
    bb_biquad bq;
    bb_noise noise;
    bb_delay *delay;
    bb_reverb *reverb;
    patsig *pat;
} nstate;

struct bb_inst {
    const bb_prog *prog;
    const bb_code *code;
    bb_limits lim;
    bool inline_trigs;
    float *buf;          /* nnodes * BB_CHUNK */
    bb_runs *runs;       /* per node: where its output may change within the chunk */
    nstate *st;
    bb_trig *trigs;
    size_t ntrigs;
    float ratio;
    uint64_t seed;
    bb_arena scratch;
    bb_result err;
    /* inline triggers: nested synthesis */
    bb_synth *nested;
    bb_pendlist pend;
};

static void release_heap(void *ctx, bb_busbuf *b)
{
    (void)ctx;
    if (--b->refs == 0) {
        bb_free(b->data);
        bb_free(b);
    }
}

static bb_result patsig_cycle(bb_inst *in, patsig *ps, int64_t cyc);

/* Events a pattern signal has room for from its creation. */
enum { PATSIG_RESERVE = 256 };

/* Room for PATSIG_RESERVE events, and the program's first cycle queried once,
 * so that the arena, the event list and the per-event arrays exist before the
 * render: a worker that meets a bus for the first time in the steady state does
 * not allocate (unless a cycle has more events). A failed query is left for
 * compute to report. */
static bb_result patsig_warm(bb_inst *in, patsig *ps)
{
    size_t cap = 0;
    if (bb_grow((void **)&ps->cache.haps.v, &cap, PATSIG_RESERVE, sizeof *ps->cache.haps.v)) return BB_ERR_NOMEM;
    ps->cache.haps.cap = cap;
    cap = 0;
    if (bb_grow((void **)&ps->val, &cap, PATSIG_RESERVE, sizeof *ps->val)) return BB_ERR_NOMEM;
    cap = 0;
    if (bb_grow((void **)&ps->from, &cap, PATSIG_RESERVE, sizeof *ps->from)) return BB_ERR_NOMEM;
    cap = 0;
    if (bb_grow((void **)&ps->to, &cap, PATSIG_RESERVE, sizeof *ps->to)) return BB_ERR_NOMEM;
    ps->cap = cap;
    bb_result r = patsig_cycle(in, ps, in->prog->c0.num / in->prog->c0.den);
    return r == BB_ERR_NOMEM ? r : BB_OK;
}

bb_result bb_inst_create(bb_inst **out, const bb_prog *prog, const bb_code *code, const bb_limits *lim,
                         bool inline_trigs)
{
    bb_inst *in = bb_calloc(1, sizeof *in);
    if (!in) return BB_ERR_NOMEM;
    in->prog = prog;
    in->code = code;
    in->lim = *lim;
    in->inline_trigs = inline_trigs;
    in->ratio = 1.0f;
    bb_arena_init(&in->scratch);
    size_t n = (size_t)code->nnodes;
    bb_result r = BB_OK;
    in->buf = bb_calloc(n * BB_CHUNK + 1, sizeof *in->buf);
    in->st = bb_calloc(n + 1, sizeof *in->st);
    in->runs = bb_calloc(n + 1, sizeof *in->runs);
    in->trigs = bb_calloc((size_t)code->ntrigs + 1, sizeof *in->trigs);
    if (!in->buf || !in->st || !in->runs || !in->trigs) {
        r = BB_ERR_NOMEM;
        goto fail;
    }
    const float sr = (float)prog->sr;
    for (size_t i = 0; i < n && !r; i++) {
        const bb_node *nd = &code->nodes[i];
        nstate *s = &in->st[i];
        bb_runs_every(&in->runs[i]); /* audio-rate, unless computed per chunk below */
        switch (nd->kind) {
        case BB_N_DELAY:
            r = bb_delay_create(&s->delay, sr, nd->p[0], nd->p[1], nd->p[2]);
            break;
        case BB_N_REVERB:
            r = bb_reverb_create(&s->reverb, sr, nd->p[0], nd->p[1], nd->p[2]);
            break;
        case BB_N_PAT:
            s->pat = bb_calloc(1, sizeof *s->pat);
            if (!s->pat) {
                r = BB_ERR_NOMEM;
                break;
            }
            s->pat->cache.pat = nd->pat;
            s->pat->cache.cycle = INT64_MIN;
            bb_haps_init(&s->pat->cache.haps);
            r = patsig_warm(in, s->pat);
            break;
        case BB_N_CONST: {
            float *o = in->buf + i * BB_CHUNK;
            for (size_t j = 0; j < BB_CHUNK; j++) o[j] = nd->k;
            bb_runs_one(&in->runs[i]);
            break;
        }
        default:
            break;
        }
    }
    for (size_t t = 0; t < (size_t)code->ntrigs && !r; t++) {
        r = bb_trig_init(&in->trigs[t], prog, &code->trigs[t], lim);
        in->ntrigs = t + 1;
    }
    if (r) goto fail;
    bb_inst_init(in, 1.0f, 0);
    *out = in;
    return BB_OK;
fail:
    bb_inst_destroy(in, release_heap, NULL);
    return r;
}

void bb_inst_init(bb_inst *in, float ratio, uint64_t seed)
{
    const bb_code *code = in->code;
    const float sr = (float)in->prog->sr;
    in->ratio = ratio;
    in->seed = seed;
    in->err = BB_OK;
    for (int32_t i = 0; i < code->nnodes; i++) {
        const bb_node *nd = &code->nodes[i];
        nstate *s = &in->st[i];
        switch (nd->kind) {
        case BB_N_OSC: bb_osc_init(&s->osc, (bb_osc_shape)nd->sub, in->prog->sr); break;
        case BB_N_FILT: bb_biquad_init(&s->bq, (bb_biquad_kind)nd->sub, sr); break;
        case BB_N_NOISE: bb_noise_init(&s->noise, bb_hash_mix(nd->seed ^ seed)); break;
        case BB_N_DELAY: bb_delay_init(s->delay); break;
        case BB_N_REVERB: bb_reverb_init(s->reverb); break;
        default: break; /* a pattern's cycle cache stays: it depends on the cycle alone */
        }
    }
    for (size_t t = 0; t < in->ntrigs; t++) bb_trig_clear(&in->trigs[t], release_heap, NULL);
}

/* Fill the pattern cache of ps with cycle cyc and the sample range of each event. */
static bb_result patsig_cycle(bb_inst *in, patsig *ps, int64_t cyc)
{
    bb_patcache *c = &ps->cache;
    if (c->cycle == cyc) return BB_OK;
    bb_haps_clear(&c->haps);
    bb_arena_reset(&in->scratch);
    bb_rat_clear_overflow();
    bb_result r = bb_pat_query(c->pat, bb_rat_int(cyc), bb_rat_int(cyc + 1), &in->scratch, &c->haps);
    if (!r) r = bb_haps_sort(&c->haps, &in->scratch);
    if (r) return r;
    size_t n = c->haps.n;
    if (n > ps->cap) {
        size_t cap = ps->cap;
        if (bb_grow((void **)&ps->val, &cap, n, sizeof *ps->val)) return BB_ERR_NOMEM;
        cap = ps->cap;
        if (bb_grow((void **)&ps->from, &cap, n, sizeof *ps->from)) return BB_ERR_NOMEM;
        cap = ps->cap;
        if (bb_grow((void **)&ps->to, &cap, n, sizeof *ps->to)) return BB_ERR_NOMEM;
        ps->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        const bb_hap *h = &c->haps.v[i];
        ps->val[i] = h->val.is_note ? (float)h->val.note : 0.0f;
        ps->from[i] = bb_prog_idx(in->prog, h->part_b);
        ps->to[i] = bb_prog_idx(in->prog, h->part_e);
    }
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    c->cycle = cyc;
    return BB_OK;
}

/* The pattern's values on [k0, k0 + n) and their runs: a run starts at k0, at
 * each cycle boundary and at each edge of an event inside the range. */
static void compute_pat(bb_inst *in, patsig *ps, int64_t k0, size_t n, float *restrict out, bb_runs *runs)
{
    for (size_t j = 0; j < n; j++) out[j] = 0.0f;
    bb_runs_one(runs);
    if (in->err) return; /* a failed query is not cached: asking again would only fail again, slowly */
    int64_t k1 = k0 + (int64_t)n;
    for (int64_t k = k0; k < k1;) {
        int64_t cyc = bb_prog_cycle(in->prog, k);
        bb_result r = patsig_cycle(in, ps, cyc);
        if (r) {
            if (!in->err) in->err = r;
            return;
        }
        int64_t cend = bb_prog_idx(in->prog, bb_rat_int(cyc + 1));
        int64_t stop = cend < k1 ? cend : k1;
        if (stop <= k) stop = k + 1; /* cannot happen with exact time; guards a stall */
        bb_runs_mark(runs, (size_t)(k - k0));
        /* later events first, so that the first in canonical order wins */
        for (size_t i = ps->cache.haps.n; i-- > 0;) {
            int64_t lo = ps->from[i] > k ? ps->from[i] : k;
            int64_t hi = ps->to[i] < stop ? ps->to[i] : stop;
            if (lo >= hi) continue;
            float v = ps->val[i];
            for (int64_t m = lo; m < hi; m++) out[m - k0] = v;
            bb_runs_mark(runs, (size_t)(lo - k0));
            if (hi < k1) bb_runs_mark(runs, (size_t)(hi - k0));
        }
        k = stop;
    }
}

static void compute_trig_inline(bb_inst *in, bb_trig *t, int64_t k0, size_t n, float *restrict out)
{
    int64_t k1 = k0 + (int64_t)n;
    in->pend.n = 0;
    bb_result r = bb_trig_schedule(t, k0, k1, &in->pend);
    /* a bus triggering buses: their synthesis context is made on first need
       (allocating, like the nested buffers: such programs are rare) */
    if (!r && in->pend.n && !in->nested) r = bb_synth_create(&in->nested, in->prog, &in->lim);
    for (size_t i = 0; i < in->pend.n && !r; i++) {
        bb_busreq *req = bb_pending_req(&in->pend.v[i]);
        bb_busbuf *b = bb_calloc(1, sizeof *b);
        float *d = bb_malloc((size_t)req->len * sizeof *d);
        if (!b || !d) {
            bb_free(b);
            bb_free(d);
            r = BB_ERR_NOMEM;
            break;
        }
        b->data = d;
        b->len = req->len;
        b->cap = (size_t)req->len;
        b->refs = 1;
        req->buf = b;
        bb_pending_bind(&in->pend.v[i]);
        r = bb_synth_run(in->nested, req, d);
    }
    for (size_t j = 0; j < n; j++) out[j] = 0.0f;
    if (r) {
        if (!in->err) in->err = r;
        return;
    }
    bb_trig_mix(t, k0, k1, out, false);
    bb_trig_retire(t, k1, release_heap, NULL);
}

const float *bb_inst_compute(bb_inst *in, int64_t k0, size_t n)
{
    const bb_code *code = in->code;
    for (int32_t i = 0; i < code->nnodes; i++) {
        const bb_node *nd = &code->nodes[i];
        nstate *s = &in->st[i];
        float *restrict o = in->buf + (size_t)i * BB_CHUNK;
        bb_runs *ro = &in->runs[i];
        const float *a = nd->a >= 0 ? in->buf + (size_t)nd->a * BB_CHUNK : NULL;
        const float *b = nd->b >= 0 ? in->buf + (size_t)nd->b * BB_CHUNK : NULL;
        const float *c = nd->c >= 0 ? in->buf + (size_t)nd->c * BB_CHUNK : NULL;
        const bb_runs *ra = nd->a >= 0 ? &in->runs[nd->a] : NULL;
        const bb_runs *rb = nd->b >= 0 ? &in->runs[nd->b] : NULL;
        switch (nd->kind) {
        case BB_N_CONST: break; /* filled at creation */
        case BB_N_PAT: compute_pat(in, s->pat, k0, n, o, ro); break;
        case BB_N_OSC: bb_osc_compute(&s->osc, a, ra, in->ratio, o, n); break;
        case BB_N_NOISE: bb_noise_compute(&s->noise, o, n); break;
        case BB_N_ADD: for (size_t j = 0; j < n; j++) o[j] = a[j] + b[j]; bb_runs_merge(ro, ra, rb); break;
        case BB_N_SUB: for (size_t j = 0; j < n; j++) o[j] = a[j] - b[j]; bb_runs_merge(ro, ra, rb); break;
        case BB_N_MUL: for (size_t j = 0; j < n; j++) o[j] = a[j] * b[j]; bb_runs_merge(ro, ra, rb); break;
        case BB_N_DIV: for (size_t j = 0; j < n; j++) o[j] = a[j] / b[j]; bb_runs_merge(ro, ra, rb); break;
        case BB_N_NEG: for (size_t j = 0; j < n; j++) o[j] = -a[j]; *ro = *ra; break;
        case BB_N_FILT: {
            bb_runs cq;
            bb_runs_merge(&cq, rb, &in->runs[nd->c]);
            bb_biquad_compute(&s->bq, a, b, c, &cq, o, n);
            break;
        }
        case BB_N_DELAY: bb_delay_compute(s->delay, a, o, n); break;
        case BB_N_REVERB: bb_reverb_compute(s->reverb, a, o, n); break;
        case BB_N_TRIG: {
            bb_trig *t = &in->trigs[nd->trig];
            if (in->inline_trigs) {
                compute_trig_inline(in, t, k0, n, o);
            } else {
                const float *w = t->win + (k0 - t->win_k0);
                for (size_t j = 0; j < n; j++) o[j] = w[j];
            }
            break;
        }
        }
    }
    return in->buf + (size_t)(code->nnodes - 1) * BB_CHUNK;
}

bb_result bb_inst_error(const bb_inst *in) { return in->err; }
size_t bb_inst_ntrigs(const bb_inst *in) { return in->ntrigs; }
bb_trig *bb_inst_trig(bb_inst *in, size_t i) { return &in->trigs[i]; }

void bb_inst_destroy(bb_inst *in, bb_release_fn rel, void *ctx)
{
    if (!in) return;
    for (size_t t = 0; t < in->ntrigs; t++)
        bb_trig_free(&in->trigs[t], in->inline_trigs ? release_heap : rel, ctx);
    for (int32_t i = 0; in->st && i < in->code->nnodes; i++) {
        const bb_node *nd = &in->code->nodes[i];
        nstate *s = &in->st[i];
        if (nd->kind == BB_N_DELAY && s->delay) bb_delay_destroy(s->delay);
        if (nd->kind == BB_N_REVERB && s->reverb) bb_reverb_destroy(s->reverb);
        if (nd->kind == BB_N_PAT && s->pat) {
            bb_haps_free(&s->pat->cache.haps);
            bb_free(s->pat->val);
            bb_free(s->pat->from);
            bb_free(s->pat->to);
            bb_free(s->pat);
        }
    }
    bb_synth_destroy(in->nested);
    bb_free(in->pend.v);
    bb_free(in->buf);
    bb_free(in->st);
    bb_free(in->runs);
    bb_free(in->trigs);
    bb_arena_free(&in->scratch);
    bb_free(in);
}

/* ---- synthesis -------------------------------------------------------------- */

struct bb_synth {
    const bb_prog *prog;
    bb_limits lim;
    bb_inst **inst;      /* per bus */
    bb_synth_counters count;
};

bb_result bb_synth_create(bb_synth **out, const bb_prog *prog, const bb_limits *lim)
{
    bb_synth *s = bb_calloc(1, sizeof *s);
    if (!s) return BB_ERR_NOMEM;
    s->prog = prog;
    s->lim = *lim;
    s->inst = bb_calloc((size_t)prog->nbuses + 1, sizeof *s->inst);
    if (!s->inst) {
        bb_free(s);
        return BB_ERR_NOMEM;
    }
    /* every bus's instance now, so synthesis never allocates (whichever worker
       happens to meet a bus first) */
    for (int32_t b = 0; b < prog->nbuses; b++) {
        bb_result r = bb_inst_create(&s->inst[b], prog, &prog->buses[b].code, lim, true);
        if (r) {
            bb_synth_destroy(s);
            return r;
        }
    }
    *out = s;
    return BB_OK;
}

uint64_t bb_synth_seed(const bb_busreq *req)
{
    return bb_hash_mix(req->prog->buses[req->bus].def_hash ^ bb_hash_mix((uint64_t)req->onset));
}

bb_result bb_synth_run(bb_synth *s, const bb_busreq *req, float *out)
{
    bb_inst *in = s->inst[req->bus];
    bb_inst_init(in, (float)bb_exp2(req->note / 12.0), bb_synth_seed(req));
    for (int64_t i = 0; i < req->len && !in->err;) {
        size_t n = req->len - i < BB_CHUNK ? (size_t)(req->len - i) : BB_CHUNK;
        const float *y = bb_inst_compute(in, req->onset + i, n);
        memcpy(out + i, y, n * sizeof *out);
        i += (int64_t)n;
    }
    s->count.calls++;
    s->count.samples += (uint64_t)req->len;
    if (in->nested) {
        bb_synth_counters nc = in->nested->count;
        s->count.calls += nc.calls;
        s->count.samples += nc.samples;
        in->nested->count.calls = in->nested->count.samples = 0;
    }
    return in->err;
}

bb_synth_counters bb_synth_counts(const bb_synth *s) { return s->count; }

bb_synth_counters bb_synth_take(bb_synth *s)
{
    bb_synth_counters c = s->count;
    s->count.calls = s->count.samples = 0;
    return c;
}
const bb_prog *bb_synth_prog(const bb_synth *s) { return s->prog; }

void bb_synth_destroy(bb_synth *s)
{
    if (!s) return;
    for (int32_t i = 0; i < s->prog->nbuses; i++) bb_inst_destroy(s->inst[i], release_heap, NULL);
    bb_free(s->inst);
    bb_free(s);
}

/* ---- keys ------------------------------------------------------------------- */

bb_buskey bb_buskey_of(const bb_busreq *req)
{
    const bb_busdef *bus = &req->prog->buses[req->bus];
    bb_buskey k;
    k.def = bus->def_hash;
    k.len = req->len;
    memcpy(&k.note_bits, &req->note, sizeof k.note_bits);
    k.onset = bus->code.is_static ? BB_ONSET_STATIC : req->onset;
    return k;
}

uint64_t bb_buskey_hash(const bb_buskey *k)
{
    return bb_hash_mix(k->def ^ bb_hash_mix((uint64_t)k->len ^ bb_hash_mix(k->note_bits ^ bb_hash_mix((uint64_t)k->onset))));
}
