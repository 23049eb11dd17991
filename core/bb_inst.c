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

#include <stdlib.h>
#include <string.h>

#define BB_KW 1
#include "bb_kernel.h" /* the arithmetic nodes at width 1 */
#undef BB_KW
#define BB_KW 8
#include "bb_kernel.h" /* every formula at width BB_LANES, for the lanes */
#undef BB_KW

typedef struct {
    bb_patcache cache;
    uint64_t stamp;    /* when last used (lanes: which slot to refill) */
    float *val;        /* per event in cache: value */
    int64_t *from, *to;/* per event: sample range of its part */
    size_t cap;
} patsig;

/* A node's part in a fold (see fold_plan): a trigger or a sum of triggers whose
 * value the mixing leaves in a trigger's window buffer, in place. */
enum { FOLD_NONE, FOLD_MEMBER, FOLD_ROOT };
enum { BB_FOLD_CHUNK = 1024 }; /* samples bb_inst_mix takes at a time (its scratch: 4 KiB of stack) */
typedef struct {
    int32_t users;     /* nodes (and the result) reading this one */
    int32_t dst, src;  /* a sum: the triggers whose windows hold a's value (and then the sum) and b's */
    uint8_t role;      /* FOLD_*; a root is read from its dst trigger's window */
    bool scratch;      /* a trigger that is a sum's right operand: mixed into a scratch chunk there */
} fold_state;

typedef union {
    bb_osc osc;
    bb_biquad bq;
    bb_noise noise;
    bb_delay *delay;
    bb_reverb *reverb;
    patsig *pat;
    fold_state fold;   /* BB_N_ADD and BB_N_TRIG nodes of a render-driven instance */
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
    uint32_t nfold;      /* sums folded into the mixing (fold_plan; beside ratio, in what was padding) */
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

static bb_result patsig_cycle(const bb_prog *prog, bb_arena *scratch, patsig *ps, int64_t cyc);

/* Events a pattern signal has room for from its creation, and the cycles it
 * queries then. */
enum { PATSIG_RESERVE = 256, PATSIG_WARM_CYCLES = 8 };

/* Room for n events in ps's arrays. */
static bb_result patsig_reserve(patsig *ps, size_t n)
{
    size_t cap = ps->cache.haps.cap;
    if (bb_grow((void **)&ps->cache.haps.v, &cap, n, sizeof *ps->cache.haps.v)) return BB_ERR_NOMEM;
    ps->cache.haps.cap = cap;
    cap = ps->cap;
    if (bb_grow((void **)&ps->val, &cap, n, sizeof *ps->val)) return BB_ERR_NOMEM;
    cap = ps->cap;
    if (bb_grow((void **)&ps->from, &cap, n, sizeof *ps->from)) return BB_ERR_NOMEM;
    cap = ps->cap;
    if (bb_grow((void **)&ps->to, &cap, n, sizeof *ps->to)) return BB_ERR_NOMEM;
    ps->cap = cap;
    return BB_OK;
}

/* Room for PATSIG_RESERVE events, and the program's first PATSIG_WARM_CYCLES
 * cycles queried once, so that the arena, the event list and the per-event
 * arrays exist before the render at the size those cycles need (alternations
 * `<...>` make cycles differ: golden/q.ph's cutoff has 6 events in cycle 0 and
 * 38 in cycle 1, and its query's scratch grows with them): a worker that meets
 * a bus for the first time in the steady state does not allocate, unless a
 * later cycle needs more. A failed query is left for compute to report. */
static bb_result patsig_warm(const bb_prog *prog, bb_arena *scratch, patsig *ps, size_t *most)
{
    if (patsig_reserve(ps, PATSIG_RESERVE)) return BB_ERR_NOMEM;
    const int64_t c0 = prog->c0.num / prog->c0.den;
    for (int64_t c = c0; c < c0 + PATSIG_WARM_CYCLES; c++) {
        const bb_result r = patsig_cycle(prog, scratch, ps, c);
        if (r) return r == BB_ERR_NOMEM ? r : BB_OK;
        if (ps->cache.haps.n > *most) *most = ps->cache.haps.n;
    }
    return BB_OK;
}

/* A pattern signal of pat, warmed (see patsig_warm); *most: the most events
 * of a warmed cycle (at least what it held). */
static bb_result patsig_create(const bb_prog *prog, bb_arena *scratch, const bb_pat *pat, patsig *ps, size_t *most)
{
    ps->cache.pat = pat;
    ps->cache.cycle = INT64_MIN;
    bb_haps_init(&ps->cache.haps);
    return patsig_warm(prog, scratch, ps, most);
}

/* Free what ps holds (not ps). */
static void patsig_release(patsig *ps)
{
    bb_haps_free(&ps->cache.haps);
    bb_free(ps->val);
    bb_free(ps->from);
    bb_free(ps->to);
}

static void patsig_free(patsig *ps)
{
    if (!ps) return;
    patsig_release(ps);
    bb_free(ps);
}

/* ---- folding sums of triggers into the mixing --------------------------------
 * An output that sums triggers (outputs summed, a trigger stacked k times by
 * capacity) spends the continuous part, which runs in order on one thread, on
 * copying k window buffers and adding them. Those sums depend on nothing but
 * the windows, sample by sample, so the mixing (in parallel, by sample
 * ranges) does them instead: a sum node whose inputs are triggers or such
 * sums, each read by it alone, is added in place into the window buffer of its
 * leftmost trigger, in node order, so every sample sees the same additions in
 * the same order as the node-by-node evaluation (the same bits). The output
 * graph then reads a root sum (one read by anything else) from that window and
 * skips its members. Folding state lives in the node states of sums and
 * triggers, which have none of their own: no allocation. */

static bool fold_leaf_ok(const bb_inst *in, int32_t x)
{
    const bb_node_kind k = in->code->nodes[x].kind;
    const fold_state *f = &in->st[x].fold;
    return f->users == 1 && (k == BB_N_TRIG || (k == BB_N_ADD && f->role != FOLD_NONE));
}

/* The trigger whose window holds node x's value once folded. */
static int32_t fold_window(const bb_inst *in, int32_t x)
{
    const bb_node *nd = &in->code->nodes[x];
    return nd->kind == BB_N_TRIG ? nd->trig : in->st[x].fold.dst;
}

/* Node x (-1: none) has one more reader. Counted for sums and triggers alone: only their node
 * state is free to hold it. */
static void fold_read(bb_inst *in, int32_t x)
{
    if (x >= 0 && (in->code->nodes[x].kind == BB_N_ADD || in->code->nodes[x].kind == BB_N_TRIG))
        in->st[x].fold.users++;
}

static void fold_plan(bb_inst *in)
{
    const bb_code *code = in->code;
    /* bb_inst_mix mixes the triggers through their nodes: each must have one */
    size_t ntrig_nodes = 0;
    for (int32_t i = 0; i < code->nnodes; i++) ntrig_nodes += code->nodes[i].kind == BB_N_TRIG;
    if (ntrig_nodes != in->ntrigs) return;
    for (int32_t i = 0; i < code->nnodes; i++) {
        fold_read(in, code->nodes[i].a);
        fold_read(in, code->nodes[i].b);
        fold_read(in, code->nodes[i].c);
    }
    fold_read(in, code->nnodes - 1); /* the result, by the output */
    for (int32_t i = 0; i < code->nnodes; i++) {
        const bb_node *nd = &code->nodes[i];
        if (nd->kind != BB_N_ADD || !fold_leaf_ok(in, nd->a) || !fold_leaf_ok(in, nd->b)) continue;
        fold_state *f = &in->st[i].fold;
        f->dst = fold_window(in, nd->a);
        f->src = fold_window(in, nd->b);
        f->role = FOLD_ROOT; /* until a sum reads it */
        in->st[nd->a].fold.role = in->st[nd->b].fold.role = FOLD_MEMBER;
        in->st[nd->b].fold.scratch = code->nodes[nd->b].kind == BB_N_TRIG;
        in->nfold++;
    }
}

static void mix_trig(const bb_trig *t, int64_t k0, int64_t k1, bool reverse)
{
    bb_trig_fill(t, k0, k1, t->win + (k0 - t->win_k0), reverse);
}

/* Chunk by chunk, in node order: a trigger that is a sum's left operand is
 * mixed into its window, one that is a right operand into a scratch chunk just
 * before the sum adds it (its window is never written: k stacked copies touch
 * one window, not k), and a sum adds in place while both are in the cache. */
void bb_inst_mix(bb_inst *in, int64_t k0, int64_t k1, bool reverse)
{
    if (!in->nfold) {
        for (size_t t = 0; t < in->ntrigs; t++) mix_trig(&in->trigs[t], k0, k1, reverse);
        return;
    }
    const bb_code *code = in->code;
    float tmp[BB_FOLD_CHUNK];
    for (int64_t c0 = k0; c0 < k1; c0 += BB_FOLD_CHUNK) {
        const int64_t c1 = k1 - c0 < BB_FOLD_CHUNK ? k1 : c0 + BB_FOLD_CHUNK;
        const size_t n = (size_t)(c1 - c0);
        for (int32_t i = 0; i < code->nnodes; i++) {
            const bb_node *nd = &code->nodes[i];
            const fold_state *f = &in->st[i].fold;
            if (nd->kind == BB_N_TRIG && !f->scratch) mix_trig(&in->trigs[nd->trig], c0, c1, reverse);
            if (nd->kind != BB_N_ADD || f->role == FOLD_NONE) continue;
            const bb_trig *td = &in->trigs[f->dst], *ts = &in->trigs[f->src];
            float *restrict d = td->win + (c0 - td->win_k0);
            const float *restrict x = ts->win + (c0 - ts->win_k0);
            if (in->st[nd->b].fold.scratch) {
                bb_trig_fill(ts, c0, c1, tmp, reverse);
                x = tmp;
            }
            for (size_t j = 0; j < n; j++) d[j] = d[j] + x[j];
        }
    }
}

size_t bb_inst_folded(const bb_inst *in) { return in->nfold; }

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
        case BB_N_PAT: {
            size_t most = 0;
            s->pat = bb_calloc(1, sizeof *s->pat);
            r = s->pat ? patsig_create(prog, &in->scratch, nd->pat, s->pat, &most) : BB_ERR_NOMEM;
            break;
        }
        case BB_N_CONST: {
            float *o = in->buf + i * BB_CHUNK;
            for (size_t j = 0; j < BB_CHUNK; j++) o[j] = nd->k;
            bb_runs_one(&in->runs[i]);
            break;
        }
        case BB_N_OSC:
        case BB_N_NOISE:
        case BB_N_ADD:
        case BB_N_SUB:
        case BB_N_MUL:
        case BB_N_DIV:
        case BB_N_NEG:
        case BB_N_FILT:
        case BB_N_TRIG: break; /* no state to create */
        }
    }
    for (size_t t = 0; t < (size_t)code->ntrigs && !r; t++) {
        r = bb_trig_init(&in->trigs[t], prog, &code->trigs[t], lim);
        in->ntrigs = t + 1;
    }
    if (r) goto fail;
    if (!inline_trigs) fold_plan(in);
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
        case BB_N_PAT: break; /* its cycle cache stays: it depends on the cycle alone */
        case BB_N_CONST:
        case BB_N_ADD:
        case BB_N_SUB:
        case BB_N_MUL:
        case BB_N_DIV:
        case BB_N_NEG:
        case BB_N_TRIG: break; /* no state */
        }
    }
    for (size_t t = 0; t < in->ntrigs; t++) bb_trig_clear(&in->trigs[t], release_heap, NULL);
}

/* Fill the pattern cache of ps with cycle cyc and the sample range of each event. */
static bb_result patsig_cycle(const bb_prog *prog, bb_arena *scratch, patsig *ps, int64_t cyc)
{
    bb_patcache *c = &ps->cache;
    if (c->cycle == cyc) return BB_OK;
    bb_haps_clear(&c->haps);
    bb_arena_reset(scratch);
    bb_rat_clear_overflow();
    bb_result r = bb_pat_query(c->pat, bb_rat_int(cyc), bb_rat_int(cyc + 1), scratch, &c->haps);
    if (!r) r = bb_haps_sort(&c->haps, scratch);
    if (r) return r;
    size_t n = c->haps.n;
    if (n > ps->cap && patsig_reserve(ps, n)) return BB_ERR_NOMEM; /* the event list has room already */
    for (size_t i = 0; i < n; i++) {
        const bb_hap *h = &c->haps.v[i];
        ps->val[i] = h->val.is_note ? (float)h->val.note : 0.0f;
        ps->from[i] = bb_prog_idx(prog, h->part_b);
        ps->to[i] = bb_prog_idx(prog, h->part_e);
    }
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    c->cycle = cyc;
    return BB_OK;
}

/* The pattern's values on [k0, k0 + n) into out[0..n) (which must hold zeros)
 * and their run starts marked in runs: a run starts at k0, at each cycle
 * boundary and at each edge of an event inside the range. Each cycle's events
 * come from ps (the lanes read segments instead: lanes_pat). A failed query
 * sets *err and stops. */
static void pat_fill(const bb_prog *prog, bb_arena *scratch, bb_result *err, patsig *ps, int64_t k0, size_t n,
                     float *restrict out, bb_runs *runs)
{
    int64_t k1 = k0 + (int64_t)n;
    for (int64_t k = k0; k < k1;) {
        int64_t cyc = bb_prog_cycle(prog, k);
        bb_result r = patsig_cycle(prog, scratch, ps, cyc);
        if (r) {
            if (!*err) *err = r;
            return;
        }
        int64_t cend = bb_prog_idx(prog, bb_rat_int(cyc + 1));
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

/* The pattern signal of one instance: see pat_fill. */
static void compute_pat(bb_inst *in, patsig *ps, int64_t k0, size_t n, float *restrict out, bb_runs *runs)
{
    for (size_t j = 0; j < n; j++) out[j] = 0.0f;
    bb_runs_one(runs);
    if (in->err) return; /* a failed query is not cached: asking again would only fail again, slowly */
    pat_fill(in->prog, &in->scratch, &in->err, ps, k0, n, out, runs);
}

static void compute_trig_inline(bb_inst *in, bb_trig *t, int64_t k0, size_t n, float *restrict out)
{
    int64_t k1 = k0 + (int64_t)n;
    in->pend.n = 0;
    bb_result r = bb_trig_schedule(t, NULL, k0, k1, &in->pend);
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

/* Samples [k0, k0+n) of the window the output graph reads from t. */
static void copy_window(const bb_trig *t, int64_t k0, size_t n, float *restrict o)
{
    const float *w = t->out + (k0 - t->out_k0);
    for (size_t j = 0; j < n; j++) o[j] = w[j];
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
        case BB_N_ADD:
            if (s->fold.role != FOLD_NONE) {
                /* folded: the mixing left the sum in a window (a member: nothing to do) */
                if (s->fold.role == FOLD_ROOT) copy_window(&in->trigs[s->fold.dst], k0, n, o);
                bb_runs_merge(ro, ra, rb);
                break;
            }
            /* fall through */
        case BB_N_SUB:
        case BB_N_MUL:
        case BB_N_DIV: bb_k_arith_w1((int)nd->kind, a, b, o, n); bb_runs_merge(ro, ra, rb); break;
        case BB_N_NEG: bb_k_arith_w1((int)nd->kind, a, b, o, n); *ro = *ra; break;
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
            if (in->inline_trigs) compute_trig_inline(in, t, k0, n, o);
            else if (s->fold.role == FOLD_NONE) copy_window(t, k0, n, o);
            break;
        }
        }
    }
    return in->buf + (size_t)(code->nnodes - 1) * BB_CHUNK;
}

bb_result bb_inst_error(const bb_inst *in) { return in->err; }
size_t bb_inst_ntrigs(const bb_inst *in) { return in->ntrigs; }

/* Which node kinds are signal processing of their own, one entry per kind (the static
 * assertion fails when a kind is added without one): generators, filters and effect
 * lines; not constants, pattern reads, arithmetic or the triggers' mixes. */
static const bool dsp_kind[] = {
    [BB_N_CONST] = false, [BB_N_PAT] = false,  [BB_N_OSC] = true,     [BB_N_NOISE] = true,
    [BB_N_ADD] = false,   [BB_N_SUB] = false,  [BB_N_MUL] = false,    [BB_N_DIV] = false,
    [BB_N_NEG] = false,   [BB_N_FILT] = true,  [BB_N_DELAY] = true,   [BB_N_REVERB] = true,
    [BB_N_TRIG] = false,
};
_Static_assert(sizeof dsp_kind / sizeof dsp_kind[0] == BB_N_TRIG + 1, "dsp_kind: one entry per node kind");

size_t bb_inst_dsp_nodes(const bb_inst *in)
{
    size_t n = 0;
    for (int32_t i = 0; i < in->code->nnodes; i++) n += dsp_kind[in->code->nodes[i].kind];
    return n;
}
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
        if (nd->kind == BB_N_PAT) patsig_free(s->pat);
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

/* ---- lanes: eight requests of one bus side by side ---------------------------
 * A lane instance is the same graph as an instance, its buffers and state
 * widened to BB_LANES: node i's chunk is BB_CHUNK lane vectors (sample j of
 * lane l is element l of vector j), an oscillator's phase, a filter's state and
 * coefficients, a noise generator's state are lane vectors, and each lane has
 * its own request: its onset (pattern inputs read its own timeline, through
 * its own cycle cache), its pitch ratio, its noise seed, its length. A node's
 * runs are the union of the lanes' runs: at every run start each lane's
 * increment or coefficients are recomputed from its own inputs, which gives
 * what the lane's serial runs give (an increment is a function of the input
 * value; coefficients are recomputed only when the clamped inputs change).
 * The chunk step (lanes_compute) is built for the baseline ISA and, on x86-64,
 * an AVX2 clone chosen at load time (bb_lane.h); both perform the same IEEE
 * operations. Graphs with a delay, a reverb or a trigger are not run in lanes
 * (bb_synth_lanes_ok): their requests are synthesised one by one. */

typedef union {
    bb_ku_w8 phase;                       /* oscillator */
    struct {
        bb_k_bq_w8 k;                     /* lane state and coefficients */
        bb_biquad c[BB_LANES];            /* each lane's coefficients and their inputs */
    } bq;
    bb_ku64_w8 noise;
} lstate;

typedef struct bb_lanes {
    const bb_prog *prog;
    const bb_code *code;
    void *raw;                             /* the allocation buf and st live in */
    bb_kf_w8 *buf;                         /* nnodes * BB_CHUNK */
    lstate *st;                            /* per node */
    bb_runs *runs;                         /* per node: the union of the lanes' runs */
    struct lpat **pat;                     /* per node * BB_LANES: the lanes' cycle caches */
    bool *ctl;                             /* per node: a pattern read only at its run starts */
    uint64_t clock;                        /* stamps of the cycle caches */
    bb_arena scratch;
    bb_result err;
    float ratio[BB_LANES];
    int64_t k0[BB_LANES];                  /* the absolute sample of each lane's chunk start */
    bool live[BB_LANES];
} bb_lanes;

/* Which node kinds the lane instance runs, one entry per kind (the static assertion below fails
 * when a kind is added without one): every kind whose state widens to lane vectors; not the delay
 * and reverb lines (their buffers are per instance) nor triggers (voices of their own). */
static const bool lane_kind[] = {
    [BB_N_CONST] = true, [BB_N_PAT] = true,   [BB_N_OSC] = true,     [BB_N_NOISE] = true,
    [BB_N_ADD] = true,   [BB_N_SUB] = true,   [BB_N_MUL] = true,     [BB_N_DIV] = true,
    [BB_N_NEG] = true,   [BB_N_FILT] = true,  [BB_N_DELAY] = false,  [BB_N_REVERB] = false,
    [BB_N_TRIG] = false,
};
_Static_assert(sizeof lane_kind / sizeof lane_kind[0] == BB_N_TRIG + 1, "lane_kind: one entry per node kind");

static bool lanes_ok(const bb_code *code)
{
    for (int32_t i = 0; i < code->nnodes; i++)
        if (!lane_kind[code->nodes[i].kind]) return false;
    return code->nnodes > 0;
}

bool bb_inst_pat_is_control(const bb_code *code, int32_t p)
{
    if (p == code->nnodes - 1) return false;
    for (int32_t j = 0; j < code->nnodes; j++) {
        const bb_node *u = &code->nodes[j];
        const bool ia = u->a == p, ib = u->b == p, ic = u->c == p;
        if (!ia && !ib && !ic) continue;
        if (u->kind == BB_N_OSC && !ib && !ic) continue;
        if (u->kind == BB_N_FILT && !ia && ib != ic && code->nodes[ib ? u->c : u->b].kind == BB_N_CONST) continue;
        return false;
    }
    return true;
}

/* ---- a pattern in lanes: a cycle as segments of one value ------------------
 * A lane's pattern input changes only at the edges of the cycle's events, so
 * each cached cycle is resolved once into segments (the value of the first
 * event in canonical order that holds a sample, else 0, as pat_fill paints
 * it) and a chunk of a lane reads the few segments it meets: no cycle
 * arithmetic when the chunk's cycle is cached, nothing written per sample for
 * a control input. A segment starts at the cycle's first sample and at every
 * edge of a non-empty event inside the cycle: the run starts pat_fill marks. */

/* A lane's cycle cache: the pattern's events and their segments. */
typedef struct lpat {
    patsig ps;
    int64_t seg_cycle; /* the cycle the segments hold, or INT64_MIN */
    int64_t kb, ke;    /* its samples */
    int64_t *seg_k;    /* segment s from seg_k[s] to seg_k[s + 1] (the last to ke) */
    float *seg_v;      /* its value */
    size_t nseg, seg_cap;
    bool seg_heap;     /* seg_k and seg_v are allocations of their own (else in the lanes' raw block) */
} lpat;

static void lpat_free(lpat *lp)
{
    if (!lp) return;
    patsig_release(&lp->ps);
    if (lp->seg_heap) {
        bb_free(lp->seg_k);
        bb_free(lp->seg_v);
    }
    bb_free(lp);
}

/* Room for n segments. The lanes' raw block holds what their warmed cycles
 * need (lanes_create); a later cycle with more events moves them to the heap. */
static bb_result segments_reserve(lpat *lp, size_t n)
{
    lp->seg_cycle = INT64_MIN;
    if (n <= lp->seg_cap) return BB_OK;
    int64_t *k = bb_malloc(n * sizeof *k);
    float *v = bb_malloc(n * sizeof *v);
    if (!k || !v) {
        bb_free(k);
        bb_free(v);
        return BB_ERR_NOMEM;
    }
    if (lp->seg_heap) {
        bb_free(lp->seg_k);
        bb_free(lp->seg_v);
    }
    lp->seg_k = k;
    lp->seg_v = v;
    lp->seg_cap = n;
    lp->seg_heap = true;
    return BB_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The first segment whose start is after k (seg_k[0] <= k). */
static size_t segment_after(const lpat *lp, int64_t k)
{
    size_t lo = 1, hi = lp->nseg;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (lp->seg_k[mid] <= k) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* lp's segments for the cycle it caches (patsig_cycle's). Values painted later
 * events first, as pat_fill paints samples. */
static bb_result lane_segments(const bb_prog *prog, lpat *lp)
{
    const patsig *ps = &lp->ps;
    const int64_t cyc = ps->cache.cycle;
    const size_t ne = ps->cache.haps.n;
    bb_rat_clear_overflow();
    const int64_t kb = bb_prog_idx(prog, bb_rat_int(cyc)), ke = bb_prog_idx(prog, bb_rat_int(cyc + 1));
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    if (segments_reserve(lp, 2 * ne + 1)) return BB_ERR_NOMEM;
    size_t m = 0;
    lp->seg_k[m++] = kb;
    for (size_t i = 0; i < ne; i++) {
        if (ps->from[i] >= ps->to[i]) continue;
        if (ps->from[i] > kb && ps->from[i] < ke) lp->seg_k[m++] = ps->from[i];
        if (ps->to[i] > kb && ps->to[i] < ke) lp->seg_k[m++] = ps->to[i];
    }
    qsort(lp->seg_k, m, sizeof *lp->seg_k, cmp_i64);
    size_t u = 1;
    for (size_t s = 1; s < m; s++)
        if (lp->seg_k[s] != lp->seg_k[u - 1]) lp->seg_k[u++] = lp->seg_k[s];
    lp->nseg = u;
    for (size_t s = 0; s < u; s++) lp->seg_v[s] = 0.0f;
    for (size_t i = ne; i-- > 0;) {
        const int64_t lo = ps->from[i] > kb ? ps->from[i] : kb, hi = ps->to[i] < ke ? ps->to[i] : ke;
        if (lo >= hi) continue;
        for (size_t s = segment_after(lp, lo) - 1; s < u && lp->seg_k[s] < hi; s++) lp->seg_v[s] = ps->val[i];
    }
    lp->kb = kb;
    lp->ke = ke;
    lp->seg_cycle = cyc;
    return BB_OK;
}

/* The slot of node i's lanes whose segments hold sample k: one already made
 * (no cycle arithmetic), else the least recently used one refilled with k's
 * cycle. NULL with L->err set when a query fails. */
static const lpat *lane_slot(bb_lanes *L, size_t i, int64_t k)
{
    lpat *const *slots = L->pat + i * BB_LANES;
    for (size_t s = 0; s < BB_LANES; s++) {
        lpat *lp = slots[s];
        if (lp->seg_cycle != INT64_MIN && lp->kb <= k && k < lp->ke) {
            lp->ps.stamp = ++L->clock;
            return lp;
        }
    }
    const int64_t cyc = bb_prog_cycle(L->prog, k);
    lpat *lp = slots[0];
    for (size_t s = 1; s < BB_LANES && lp->ps.cache.cycle != cyc; s++)
        if (slots[s]->ps.cache.cycle == cyc || slots[s]->ps.stamp < lp->ps.stamp) lp = slots[s];
    lp->ps.stamp = ++L->clock;
    bb_result r = patsig_cycle(L->prog, &L->scratch, &lp->ps, cyc);
    if (!r) r = lane_segments(L->prog, lp);
    if (!r && !(lp->kb <= k && k < lp->ke)) r = BB_ERR_OVERFLOW; /* exact time says it holds k */
    if (r) {
        lp->seg_cycle = INT64_MIN;
        if (!L->err) L->err = r;
        return NULL;
    }
    return lp;
}

/* Lane l of pattern node i on its chunk [k0, k0 + n): each segment's start
 * marked in own, its value in o (element l) at that start, or at every sample
 * of it when all is set. After a failed query, 0 to the end. */
static void lane_pat(bb_lanes *L, size_t i, size_t l, size_t n, bool all, bb_kf_w8 *restrict o, bb_runs *own)
{
    const int64_t k0 = L->k0[l], k1 = k0 + (int64_t)n;
    for (int64_t k = k0; k < k1;) {
        const lpat *lp = lane_slot(L, i, k);
        const int64_t stop = !lp ? k1 : lp->ke < k1 ? lp->ke : k1;
        for (size_t s = lp ? segment_after(lp, k) - 1 : 0; k < stop; s++) {
            const int64_t e = !lp ? k1 : s + 1 < lp->nseg ? lp->seg_k[s + 1] : lp->ke;
            const int64_t end = e < stop ? e : stop;
            const float v = lp ? lp->seg_v[s] : 0.0f;
            bb_runs_mark(own, (size_t)(k - k0));
            if (all)
                for (int64_t j = k; j < end; j++) o[j - k0][l] = v;
            else
                o[k - k0][l] = v;
            k = end;
        }
    }
}

/* Pattern node i for every lane into o (lane l: element l), its runs in ro
 * (the union of the lanes'): every sample, or only where ro's runs start when
 * the node is a control (L->ctl): a lane's value at a run start of another
 * lane is its value at the run start before. Lanes without a request (or
 * after a failed query) read 0. */
static void lanes_pat(bb_lanes *L, size_t i, size_t n, bb_kf_w8 *restrict o, bb_runs *ro)
{
    const bool all = !L->ctl[i];
    bb_runs own[BB_LANES];
    bb_runs_one(ro);
    for (size_t l = 0; l < BB_LANES; l++) {
        bb_runs_one(&own[l]);
        if (L->live[l] && !L->err) {
            lane_pat(L, i, l, n, all, o, &own[l]);
        } else if (all) {
            for (size_t j = 0; j < n; j++) o[j][l] = 0.0f;
        } else {
            o[0][l] = 0.0f;
        }
        bb_runs_merge(ro, ro, &own[l]);
    }
    if (all) return;
    for (size_t p = 0, j = bb_runs_end(ro, 0, n); j < n; p = j, j = bb_runs_end(ro, j, n))
        for (size_t l = 0; l < BB_LANES; l++)
            if (!(own[l].bits[j >> 6] >> (j & 63) & 1)) o[j][l] = o[p][l];
}

static void lanes_destroy(bb_lanes *L)
{
    if (!L) return;
    for (size_t i = 0; L->pat && i < (size_t)L->code->nnodes * BB_LANES; i++) lpat_free(L->pat[i]);
    bb_free(L->pat);
    bb_free(L->ctl);
    bb_free(L->runs);
    bb_free(L->raw);
    bb_arena_free(&L->scratch);
    bb_free(L);
}

/* The lanes' cycle caches of pattern node i, warmed; *segs grows by the
 * segments their warmed cycles need (2 per event and 1 each). */
static bb_result lanes_create_pats(bb_lanes *L, size_t i, size_t *segs)
{
    const bb_node *nd = &L->code->nodes[i];
    size_t most = 0;
    for (size_t l = 0; l < BB_LANES; l++) {
        lpat *lp = bb_calloc(1, sizeof *lp);
        L->pat[i * BB_LANES + l] = lp;
        if (!lp) return BB_ERR_NOMEM;
        /* one warms the lanes' shared arena with the first cycles; the others,
           the same pattern, only make room for as many events */
        bb_result r = l == 0 ? patsig_create(L->prog, &L->scratch, nd->pat, &lp->ps, &most)
                             : patsig_reserve(&lp->ps, most > PATSIG_RESERVE ? most : PATSIG_RESERVE);
        if (l > 0) {
            lp->ps.cache.pat = nd->pat;
            lp->ps.cache.cycle = INT64_MIN;
        }
        if (r) return r;
        lp->seg_cycle = INT64_MIN;
        lp->seg_cap = 2 * most + 1;
        *segs += lp->seg_cap;
    }
    return BB_OK;
}

/* One block holds the node buffers, the node states and the patterns'
 * segments (their keys, then their values). */
static bb_result lanes_create(bb_lanes **out, const bb_prog *prog, const bb_code *code)
{
    bb_lanes *L = bb_calloc(1, sizeof *L);
    if (!L) return BB_ERR_NOMEM;
    L->prog = prog;
    L->code = code;
    bb_arena_init(&L->scratch);
    const size_t n = (size_t)code->nnodes;
    L->runs = bb_calloc(n, sizeof *L->runs);
    L->pat = bb_calloc(n * BB_LANES, sizeof *L->pat);
    L->ctl = bb_calloc(n, sizeof *L->ctl);
    bb_result r = L->runs && L->pat && L->ctl ? BB_OK : BB_ERR_NOMEM;
    size_t segs = 0;
    for (size_t i = 0; i < n && !r; i++)
        if (code->nodes[i].kind == BB_N_PAT) {
            L->ctl[i] = bb_inst_pat_is_control(code, (int32_t)i);
            r = lanes_create_pats(L, i, &segs);
        }
    const size_t bufb = n * BB_CHUNK * sizeof *L->buf, stb = n * sizeof *L->st;
    if (!r && !(L->raw = bb_calloc(bufb + stb + segs * (sizeof(int64_t) + sizeof(float)) + 64, 1))) r = BB_ERR_NOMEM;
    if (!r) {
        char *base = (char *)(((uintptr_t)L->raw + 63) & ~(uintptr_t)63);
        L->buf = (bb_kf_w8 *)(void *)base;
        L->st = (lstate *)(void *)(base + bufb);
        int64_t *k = (int64_t *)(void *)(base + bufb + stb);
        float *v = (float *)(void *)(k + segs);
        for (size_t i = 0; i < n * BB_LANES; i++) {
            lpat *lp = L->pat[i];
            if (!lp) continue;
            lp->seg_k = k, k += lp->seg_cap;
            lp->seg_v = v, v += lp->seg_cap;
        }
    }
    for (size_t i = 0; i < n && !r; i++) {
        const bb_node *nd = &code->nodes[i];
        bb_runs_every(&L->runs[i]);
        if (nd->kind == BB_N_CONST) {
            for (size_t j = 0; j < BB_CHUNK; j++) L->buf[i * BB_CHUNK + j] = (bb_kf_w8){0} + nd->k;
            bb_runs_one(&L->runs[i]);
        }
    }
    if (r) {
        lanes_destroy(L);
        return r;
    }
    *out = L;
    return BB_OK;
}

/* Lane l starts req from fresh state (bb_inst_init's, for one lane). */
static void lanes_start(bb_lanes *L, size_t l, const bb_busreq *req)
{
    const bb_code *code = L->code;
    const float sr = (float)L->prog->sr;
    const uint64_t seed = bb_synth_seed(req);
    L->ratio[l] = (float)bb_exp2(req->note / 12.0);
    L->live[l] = true;
    for (int32_t i = 0; i < code->nnodes; i++) {
        const bb_node *nd = &code->nodes[i];
        lstate *s = &L->st[i];
        switch (nd->kind) {
        case BB_N_OSC: s->phase[l] = 0; break;
        case BB_N_FILT: {
            bb_biquad *c = &s->bq.c[l];
            bb_biquad_init(c, (bb_biquad_kind)nd->sub, sr);
            bb_k_bq_w8 *k = &s->bq.k;
            k->b0[l] = c->b0, k->b1[l] = c->b1, k->b2[l] = c->b2, k->a1[l] = c->a1, k->a2[l] = c->a2;
            k->x1[l] = k->x2[l] = k->y1[l] = k->y2[l] = 0.0f;
            break;
        }
        case BB_N_NOISE: {
            bb_noise z;
            bb_noise_init(&z, bb_hash_mix(nd->seed ^ seed));
            s->noise[l] = z.state;
            break;
        }
        case BB_N_CONST:
        case BB_N_PAT: /* its lane's cycle cache is restamped by pat_fill */
        case BB_N_ADD:
        case BB_N_SUB:
        case BB_N_MUL:
        case BB_N_DIV:
        case BB_N_NEG: break;
        case BB_N_DELAY:
        case BB_N_REVERB:
        case BB_N_TRIG: break; /* never in lanes (lane_kind) */
        }
    }
}

/* One chunk of n samples for every lane: each live lane l at its own L->k0[l];
 * then lane l's first valid[l] samples to dst[l] (NULL: a lane without a
 * request). reassoc: the canary canary-lanes (bb_k_biquad_w8). */
BB_LANE_CLONES static void lanes_compute(bb_lanes *L, size_t n, bool reassoc, float *const *dst, const size_t *valid)
{
    const bb_code *code = L->code;
    const double sr = L->prog->sr;
    for (int32_t i = 0; i < code->nnodes; i++) {
        const bb_node *nd = &code->nodes[i];
        lstate *s = &L->st[i];
        bb_kf_w8 *restrict o = L->buf + (size_t)i * BB_CHUNK;
        bb_runs *ro = &L->runs[i];
        const bb_kf_w8 *a = nd->a >= 0 ? L->buf + (size_t)nd->a * BB_CHUNK : NULL;
        const bb_kf_w8 *b = nd->b >= 0 ? L->buf + (size_t)nd->b * BB_CHUNK : NULL;
        const bb_runs *ra = nd->a >= 0 ? &L->runs[nd->a] : NULL;
        const bb_runs *rb = nd->b >= 0 ? &L->runs[nd->b] : NULL;
        switch (nd->kind) {
        case BB_N_CONST: break; /* filled at creation */
        case BB_N_PAT: lanes_pat(L, (size_t)i, n, o, ro); break;
        case BB_N_OSC:
            bb_k_osc_w8((bb_osc_shape)nd->sub, &s->phase, sr, (const float *)a, ra, L->ratio, o, n);
            break;
        case BB_N_NOISE: bb_k_noise_w8(&s->noise, o, n); break;
        case BB_N_ADD:
        case BB_N_SUB:
        case BB_N_MUL:
        case BB_N_DIV: bb_k_arith_w8((int)nd->kind, a, b, o, n); bb_runs_merge(ro, ra, rb); break;
        case BB_N_NEG: bb_k_arith_w8((int)nd->kind, a, b, o, n); *ro = *ra; break;
        case BB_N_FILT: {
            bb_runs cq;
            bb_runs_merge(&cq, rb, &L->runs[nd->c]);
            const float *cut = (const float *)b, *q = (const float *)(L->buf + (size_t)nd->c * BB_CHUNK);
            bb_k_biquad_runs_w8(&s->bq.k, s->bq.c, a, cut, q, &cq, o, n, reassoc);
            break;
        }
        case BB_N_DELAY:
        case BB_N_REVERB:
        case BB_N_TRIG: break; /* never in lanes (lane_kind) */
        }
    }
    /* eight samples of eight lanes at a time, transposed into the lanes' buffers:
       in registers while every lane takes all eight, then lane by lane */
    const bb_kf_w8 *y = L->buf + (size_t)(code->nnodes - 1) * BB_CHUNK;
    size_t full = n; /* samples every lane takes */
    for (size_t l = 0; l < BB_LANES; l++) full = dst[l] && valid[l] < full ? valid[l] : !dst[l] ? 0 : full;
    size_t j = 0;
    if (full >= 8) {
        float *d[BB_LANES];
        for (size_t l = 0; l < BB_LANES; l++) d[l] = dst[l];
        for (; j + 8 <= full; j += 8) {
            bb_kf_w8 r[8];
#pragma GCC unroll 8
            for (size_t i = 0; i < 8; i++) r[i] = y[j + i];
            bb_lane_transpose8(r);
#pragma GCC unroll 8
            for (size_t l = 0; l < BB_LANES; l++) bb_lane_store(d[l] + j, &r[l]);
        }
    }
    for (; j < n; j += 8) {
        bb_kf_w8 r[8];
        memcpy(r, y + j, sizeof r); /* j + 8 <= BB_CHUNK: past n only stale values, never stored */
        bb_lane_transpose8(r);
        for (size_t l = 0; l < BB_LANES; l++) {
            if (!dst[l] || j >= valid[l]) continue;
            if (j + 8 <= valid[l]) memcpy(dst[l] + j, &r[l], sizeof r[l]);
            else memcpy(dst[l] + j, &r[l], (valid[l] - j) * sizeof *dst[l]);
        }
    }
}

/* ---- synthesis -------------------------------------------------------------- */

struct bb_synth {
    const bb_prog *prog;
    bb_limits lim;
    bb_inst **inst;      /* per bus */
    bb_lanes **lanes;    /* per bus, NULL where the bus cannot run in lanes (or lanes are off) */
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

bb_result bb_synth_lanes_enable(bb_synth *s)
{
    if (s->lanes) return BB_OK;
    s->lanes = bb_calloc((size_t)s->prog->nbuses + 1, sizeof *s->lanes);
    if (!s->lanes) return BB_ERR_NOMEM;
    for (int32_t b = 0; b < s->prog->nbuses; b++) {
        const bb_code *code = &s->prog->buses[b].code;
        if (!lanes_ok(code)) continue;
        bb_result r = lanes_create(&s->lanes[b], s->prog, code);
        if (r) return r;
    }
    return BB_OK;
}

const char *bb_lanes_isa(void)
{
#ifdef BB_LANE_CLONES_ON
    if (__builtin_cpu_supports("avx2")) return "avx2";
#endif
    return "baseline";
}

bool bb_synth_lanes_ok(const bb_synth *s, int32_t bus) { return s->lanes && s->lanes[bus]; }

bb_result bb_synth_lanes(bb_synth *s, bb_busreq *const *reqs, size_t n, bool reassoc)
{
    if (!n) return BB_OK;
    bb_lanes *L = s->lanes[reqs[0]->bus];
    const bb_busreq *cur[BB_LANES] = {0};
    int64_t pos[BB_LANES] = {0};
    size_t next = 0, nlive = 0;
    L->err = BB_OK;
    for (size_t l = 0; l < BB_LANES; l++) L->live[l] = false;
    s->count.lane_groups++;
    for (;;) {
        /* every free lane takes the next request that has samples */
        for (size_t l = 0; l < BB_LANES; l++) {
            if (L->live[l]) continue;
            while (next < n && reqs[next]->len <= 0) {
                s->count.calls++;
                next++;
            }
            if (next == n) continue;
            cur[l] = reqs[next++];
            pos[l] = 0;
            lanes_start(L, l, cur[l]);
            nlive++;
        }
        if (!nlive) break;
        size_t m = 0, valid[BB_LANES] = {0};
        for (size_t l = 0; l < BB_LANES; l++) {
            if (!L->live[l]) continue;
            const int64_t left = cur[l]->len - pos[l];
            valid[l] = left < BB_CHUNK ? (size_t)left : BB_CHUNK;
            if (valid[l] > m) m = valid[l];
            L->k0[l] = cur[l]->onset + pos[l];
        }
        float *dst[BB_LANES];
        for (size_t l = 0; l < BB_LANES; l++) dst[l] = L->live[l] ? cur[l]->buf->data + pos[l] : NULL;
        lanes_compute(L, m, reassoc, dst, valid);
        if (L->err) break;
        s->count.lane_slots += (uint64_t)m * BB_LANES;
        for (size_t l = 0; l < BB_LANES; l++) {
            if (!L->live[l]) continue;
            s->count.lane_samples += valid[l];
            pos[l] += (int64_t)valid[l];
            if (pos[l] == cur[l]->len) {
                L->live[l] = false;
                nlive--;
                s->count.calls++;
                s->count.samples += (uint64_t)cur[l]->len;
            }
        }
    }
    return L->err;
}

bb_synth_counters bb_synth_counts(const bb_synth *s) { return s->count; }

bb_synth_counters bb_synth_take(bb_synth *s)
{
    bb_synth_counters c = s->count;
    memset(&s->count, 0, sizeof s->count);
    return c;
}
const bb_prog *bb_synth_prog(const bb_synth *s) { return s->prog; }

void bb_synth_destroy(bb_synth *s)
{
    if (!s) return;
    for (int32_t i = 0; i < s->prog->nbuses; i++) bb_inst_destroy(s->inst[i], release_heap, NULL);
    for (int32_t i = 0; s->lanes && i < s->prog->nbuses; i++) lanes_destroy(s->lanes[i]);
    bb_free(s->lanes);
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
