/* bb_pat.c - the pattern engine: Tidal Cycles 1.9 patterns over exact rational time.
 *
 * What it is. A pattern is an immutable tree of nodes (struct bb_pat) allocated in
 * an owner arena. Querying a node for a time span [b, e) yields "haps": events with
 * a whole (the event's full extent) and a part (the fragment inside the query).
 * Each node kind is one of Tidal's combinators, implemented as Tidal defines it
 * (Sound.Tidal.Pattern / Core / UI, version 1.9): pure, stack, compressArc (which
 * timeCat is built from), _fast, rotL, rev, tParam/innerJoin for patterned
 * factors, degradeBy and chooseBy with the time-seeded generator, euclidOff with
 * Bjorklund placement, and stut. Mirroring Tidal node by node (including where
 * it splits queries at cycle boundaries and how it maps wholes back) is what makes
 * the events identical to Tidal's, and makes every query consistent with any split
 * of it into smaller queries, up to how parts are fragmented.
 *
 * Units. Time is in cycles, as bb_rat, everywhere: no floating point ever touches
 * time. Doubles appear only in values (gain, the number of a NUM atom) and in
 * bb_pat_rand's result, which is an exact multiple of 2^-29 computed from
 * rationals.
 *
 * Invariants. Nodes are never modified after construction, and the query code
 * keeps no static mutable state, so any number of threads may query one pattern
 * at once, each with its own scratch arena and output list. All temporary memory
 * of a query comes from the scratch arena (steady state: no heap allocation once
 * the arena's chunks and the output list are large enough). Internally a query
 * appends "ihaps" (arcs plus a pointer to the atom node) to arena-backed lists;
 * a transform queries its child into the tail of the list and rewrites that tail
 * in place. Rational overflow is never silent: bb_rat operations set a per-thread
 * flag that bb_pat_query clears at its start and checks (also at every step of
 * work) so the query fails with BB_ERR_OVERFLOW. A work counter bounds every
 * query, so a pathological span is a BB_ERR_LIMIT, never a hang. */
#include "bb_pat.h"

#include "bb_alloc.h"

#include <stdio.h>
#include <string.h>

typedef __int128 i128;

/* Named limits of the query machinery. */
enum {
    /* steps (events made, spans visited) per query: 16 per event allowed. A million events
       of "<x y z>*1048576" take about 10 a piece; 64 let a 17-byte pattern that makes no
       event at all, "bf(0!9799,2)!9799" (found by fuzzing), spin 10 s before the limit
       stopped it; 16 stops it in about 2.5 s. */
    BB_PAT_WORK_MAX = 16 * BB_PAT_QUERY_EVENTS_MAX,
    BB_PAT_QUERY_DEPTH_MAX = 4096,                  /* nesting of node queries */
    BB_PAT_LIST_MIN = 32                            /* first capacity of a temporary list */
};

typedef enum {
    PK_SILENCE,
    PK_ATOM,          /* pure val */
    PK_STACK,         /* kids[0..n) */
    PK_COMPRESS,      /* compressArc [a, b) kid */
    PK_FAST,          /* _fast a kid (a may be <= 0: silence / rev) */
    PK_ROTL,          /* rotL a kid */
    PK_REV,           /* rev kid */
    PK_FASTP,         /* tParam _fast / _slow: factor p1, times scale a, slow flag i1 */
    PK_DEGRADE,       /* degradeBy amount a, seed i1 */
    PK_CHOOSE,        /* cycle choice among kids, seed i1 */
    PK_EUCLID,        /* euclidOff with patterned pulses p1, steps p2, rotation p3 */
    PK_EUCLID_FIXED,  /* _euclidOff i1 i2 i3 (made on the stack during a query) */
    PK_STUT           /* stut: i1 copies, step a, gains[] */
} pat_kind;

struct bb_pat {
    pat_kind kind;
    const bb_pat *kid;
    const bb_pat *const *kids;
    size_t n;
    bb_rat a, b;
    const bb_pat *p1, *p2, *p3;
    int64_t i1, i2, i3;
    const double *gains;
    bb_val val;      /* ATOM */
    bb_rat num;      /* ATOM: exact value of a NUM, when has_num */
    bool has_num;
};

typedef struct {
    bb_rat b, e;
} arc;

typedef struct {
    arc w, p;
    double gain;
    const bb_pat *atom;
} ihap;

typedef struct {
    ihap *v;
    size_t n, cap;
} ilist;

typedef struct {
    bb_arena *ar;
    uint64_t work;
    unsigned depth;
} qctx;

/* ---- small rational helpers ---------------------------------------------------- */

static bb_rat R(int64_t n) { return bb_rat_int(n); }
static bool lt(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) < 0; }
static bool le(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) <= 0; }
static bool eq(bb_rat a, bb_rat b) { return bb_rat_eq(a, b); }
static bb_rat add(bb_rat a, bb_rat b) { return bb_rat_add(a, b); }
static bb_rat sub(bb_rat a, bb_rat b) { return bb_rat_sub(a, b); }
static bb_rat mul(bb_rat a, bb_rat b) { return bb_rat_mul(a, b); }
static bb_rat dvd(bb_rat a, bb_rat b) { return bb_rat_div(a, b); }

/* Tidal's subArc: the intersection, or false where there is none. Zero-width
 * results are kept except at the end of a non-zero-width arc. */
static bool sub_arc(arc a, arc b, arc *out)
{
    bb_rat s = bb_rat_max(a.b, b.b), e = bb_rat_min(a.e, b.e);
    int c = bb_rat_cmp(s, e);
    if (c == 0 && eq(s, a.e) && lt(a.b, a.e)) return false;
    if (c == 0 && eq(s, b.e) && lt(b.b, b.e)) return false;
    if (c > 0) return false;
    out->b = s;
    out->e = e;
    return true;
}

static arc arc_add(arc a, bb_rat t) { return (arc){add(a.b, t), add(a.e, t)}; }
static arc arc_mul(arc a, bb_rat t) { return (arc){mul(a.b, t), mul(a.e, t)}; }
static arc arc_div(arc a, bb_rat t) { return (arc){dvd(a.b, t), dvd(a.e, t)}; }

/* ---- query bookkeeping ---------------------------------------------------------- */

/* One unit of work: bounds the query and notices overflow early. */
static bb_result tick(qctx *c)
{
    if (++c->work > BB_PAT_WORK_MAX) return BB_ERR_LIMIT;
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    return BB_OK;
}

/* n units of work at once: the events a transform maps after its child's query
 * (each level of nesting touches every event again: 64 levels of fast and rev
 * over a few thousand events did 10^6 uncounted rational operations). */
static bb_result charge(qctx *c, size_t n)
{
    c->work += n;
    return c->work > BB_PAT_WORK_MAX ? BB_ERR_LIMIT : BB_OK;
}

static bb_result push(qctx *c, ilist *l, ihap h)
{
    bb_result r = tick(c);
    if (r) return r;
    if (l->n == l->cap) {
        if (l->n >= BB_PAT_QUERY_EVENTS_MAX) return BB_ERR_LIMIT;
        size_t cap = l->cap ? 2 * l->cap : BB_PAT_LIST_MIN;
        ihap *v = bb_arena_alloc(c->ar, cap * sizeof *v);
        if (!v) return BB_ERR_NOMEM;
        if (l->n) memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = h;
    return BB_OK;
}

static bb_result query(qctx *c, const bb_pat *p, arc a, ilist *out);

/* ---- Tidal's generator ---------------------------------------------------------- */

/* xorwise on a 64-bit Int, as Haskell computes it (wrapping shifts left,
 * arithmetic shift right). */
static int64_t xorwise(int64_t x)
{
    uint64_t ux = (uint64_t)x;
    int64_t a = (int64_t)((ux << 13) ^ ux);
    int64_t sr = a >> 17; /* gcc: arithmetic for signed values, as Haskell's shiftR */
    int64_t b = sr ^ a;
    uint64_t ub = (uint64_t)b;
    return (int64_t)((ub << 5) ^ ub);
}

/* timeToIntSeed t mod 2^29: the 29-bit integer k with timeToRand t = k / 2^29.
 * t/300, its fractional part (truncating toward zero), times 2^29, truncated. */
static int64_t rand_k(bb_rat t)
{
    if (!bb_rat_valid(t)) return 0;
    i128 den = (i128)t.den * 300;
    i128 q = (i128)t.num / den;
    i128 frac = (i128)t.num - q * den;          /* same sign as t */
    i128 v = frac * ((i128)1 << 29) / den;      /* |v| < 2^29 */
    int64_t s = xorwise((int64_t)v);
    int64_t k = s % ((int64_t)1 << 29);
    if (k < 0) k += (int64_t)1 << 29;
    return k;
}

double bb_pat_rand(bb_rat t) { return (double)rand_k(t) / (double)((int64_t)1 << 29); }

/* seed/10000, the rotL Tidal gives each '?' and '|' of a pattern. */
static bb_rat seed_shift(int64_t seed) { return bb_rat_make(seed, 10000); }

/* ---- Bjorklund -------------------------------------------------------------------- */

/* Tidal's bjorklund (i pulses over j' steps) into a fresh scratch array of *len
 * booleans. Both groups stay homogeneous through the algorithm, so each is kept as
 * one sequence and a count: x (count i) and y (count j). */
static bb_result bjorklund(qctx *c, int64_t pulses, int64_t steps, bool **bits, size_t *len)
{
    int64_t i = pulses, j = steps - pulses;
    size_t cap = (size_t)(steps > pulses ? steps : pulses) + 2;
    bool *x = bb_arena_alloc(c->ar, cap), *y = bb_arena_alloc(c->ar, cap), *t = bb_arena_alloc(c->ar, cap);
    if (!x || !y || !t) return BB_ERR_NOMEM;
    size_t lx = 1, ly = 1;
    x[0] = true;
    y[0] = false;
    while ((i < j ? i : j) > 1) {
        memcpy(t, x, lx);
        memcpy(t + lx, y, ly);
        size_t lt_ = lx + ly;
        if (i > j) { /* left: (j, i-j), x' = x++y, y' = x */
            bool *ox = x;
            x = t;
            t = y;
            y = ox;
            ly = lx;
            lx = lt_;
            int64_t ni = j;
            j = i - j;
            i = ni;
        } else { /* right: (i, j-i), x' = x++y, y' = y */
            bool *ox = x;
            x = t;
            t = ox;
            lx = lt_;
            j = j - i;
        }
    }
    size_t n = (size_t)i * lx + (j > 0 ? (size_t)j * ly : 0);
    bool *out = bb_arena_alloc(c->ar, n ? n : 1);
    if (!out) return BB_ERR_NOMEM;
    size_t k = 0;
    for (int64_t m = 0; m < i; m++, k += lx) memcpy(out + k, x, lx);
    for (int64_t m = 0; m < j; m++, k += ly) memcpy(out + k, y, ly);
    *bits = out;
    *len = n;
    return BB_OK;
}

/* ---- node queries ----------------------------------------------------------------- */

/* pure: one event per cycle that the arc touches (Tidal's cycleArcsInArc). */
static bb_result q_atom(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    if (lt(a.e, a.b)) return BB_OK;
    int64_t c0 = bb_rat_floor(a.b);
    int64_t c1 = eq(a.b, a.e) ? c0 : bb_rat_ceil(a.e) - 1;
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    if ((i128)c1 - c0 >= BB_PAT_QUERY_EVENTS_MAX) return BB_ERR_LIMIT;
    if (c1 == INT64_MAX) return BB_ERR_OVERFLOW;
    for (int64_t cy = c0; cy <= c1; cy++) {
        arc w = {R(cy), R(cy + 1)};
        ihap h = {w, {bb_rat_max(a.b, w.b), bb_rat_min(a.e, w.e)}, 1.0, p};
        bb_result r = push(c, out, h);
        if (r) return r;
    }
    return BB_OK;
}

/* The arc pieces of Tidal's arcCyclesZW: a split at cycle boundaries; a
 * zero-width arc is its own single piece. Iterate with
 * for (bool more = first_piece(...); more; more = next_piece(...)). */
typedef struct {
    arc whole, piece;
} splitter;

static bool first_piece(splitter *s, arc a)
{
    s->whole = a;
    if (eq(a.b, a.e)) {
        s->piece = a;
        return true;
    }
    if (!lt(a.b, a.e)) return false;
    s->piece = (arc){a.b, bb_rat_min(bb_rat_next_sam(a.b), a.e)};
    return true;
}

static bool next_piece(splitter *s)
{
    bb_rat b = s->piece.e;
    if (!lt(b, s->whole.e)) return false;
    s->piece = (arc){b, bb_rat_min(bb_rat_next_sam(b), s->whole.e)};
    return true;
}

static bb_result q_stack(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    for (size_t i = 0; i < p->n; i++) {
        bb_result r = query(c, p->kids[i], a, out);
        if (r) return r;
    }
    return BB_OK;
}

/* _fastGap's result mapping of one arc: sam s + (t - sam s)/r for both ends,
 * where s is the arc's own start. */
static arc gap_map(arc x, bb_rat r)
{
    bb_rat s = bb_rat_sam(x.b);
    return (arc){add(s, dvd(sub(x.b, s), r)), add(s, dvd(sub(x.e, s), r))};
}

/* compressArc (Arc s e) p = s `rotR` _fastGap (1/(e-s)) p. */
static bb_result q_compress(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    bb_rat s = p->a, e = p->b;
    if (lt(e, s) || lt(R(1), s) || lt(R(1), e) || lt(s, R(0)) || lt(e, R(0))) return BB_OK;
    bb_rat r = dvd(R(1), sub(e, s));
    bb_rat rr = bb_rat_max(r, R(1));
    splitter sp;
    for (bool more = first_piece(&sp, arc_add(a, bb_rat_neg(s))); more; more = next_piece(&sp)) {
        bb_result res = tick(c);
        if (res) return res;
        arc pc = sp.piece;
        bb_rat sb = bb_rat_sam(pc.b), se = bb_rat_sam(pc.e);
        arc q = {add(sb, bb_rat_min(R(1), mul(rr, sub(pc.b, sb)))),
                 add(se, bb_rat_min(R(1), mul(rr, sub(pc.e, se))))};
        if (eq(q.b, bb_rat_next_sam(pc.b))) continue;
        size_t m = out->n;
        if ((res = query(c, p->kid, q, out)) || (res = charge(c, out->n - m))) return res;
        for (size_t i = m; i < out->n; i++) {
            ihap *h = &out->v[i];
            h->w = arc_add(gap_map(h->w, rr), s);
            h->p = arc_add(gap_map(h->p, rr), s);
        }
    }
    return BB_OK;
}

static bb_result q_rev(qctx *c, const bb_pat *kid, arc a, ilist *out);

/* _fast rate: 0 is silence, negative is rev of the positive. */
static bb_result q_fast_rate(qctx *c, bb_rat rate, const bb_pat *kid, arc a, ilist *out)
{
    int sg = bb_rat_cmp(rate, R(0));
    if (bb_rat_overflowed()) return BB_ERR_OVERFLOW;
    if (sg == 0) return BB_OK;
    if (sg < 0) {
        bb_pat f = {.kind = PK_FAST, .kid = kid, .a = bb_rat_neg(rate)};
        return q_rev(c, &f, a, out);
    }
    size_t m = out->n;
    bb_result r = query(c, kid, arc_mul(a, rate), out);
    if (r || (r = charge(c, out->n - m))) return r;
    for (size_t i = m; i < out->n; i++) {
        out->v[i].w = arc_div(out->v[i].w, rate);
        out->v[i].p = arc_div(out->v[i].p, rate);
    }
    return BB_OK;
}

static bb_result q_rotl(qctx *c, bb_rat t, const bb_pat *kid, arc a, ilist *out)
{
    size_t m = out->n;
    bb_result r = query(c, kid, arc_add(a, t), out);
    if (r || (r = charge(c, out->n - m))) return r;
    bb_rat nt = bb_rat_neg(t);
    for (size_t i = m; i < out->n; i++) {
        out->v[i].w = arc_add(out->v[i].w, nt);
        out->v[i].p = arc_add(out->v[i].p, nt);
    }
    return BB_OK;
}

/* rev: per cycle, mirror the query around the middle of the cycle and the
 * parts back; wholes keep their offsets relative to their parts. */
static bb_result q_rev(qctx *c, const bb_pat *kid, arc a, ilist *out)
{
    splitter sp;
    for (bool more = first_piece(&sp, a); more; more = next_piece(&sp)) {
        bb_result r = tick(c);
        if (r) return r;
        arc pc = sp.piece;
        bb_rat two_mid = add(mul(R(2), bb_rat_sam(pc.b)), R(1));
        arc q = {sub(two_mid, pc.e), sub(two_mid, pc.b)};
        size_t m = out->n;
        if ((r = query(c, kid, q, out)) || (r = charge(c, out->n - m))) return r;
        for (size_t i = m; i < out->n; i++) {
            ihap *h = &out->v[i];
            bb_rat rel_b = sub(h->p.b, h->w.b), rel_e = sub(h->w.e, h->p.e);
            arc np = {sub(two_mid, h->p.e), sub(two_mid, h->p.b)};
            h->w = (arc){sub(np.b, rel_e), add(np.e, rel_b)};
            h->p = np;
        }
    }
    return BB_OK;
}

/* innerJoin's clipping of the events appended since m to the query arc a. */
static void clip_to(ilist *out, size_t m, arc a)
{
    size_t w = m;
    for (size_t i = m; i < out->n; i++) {
        ihap h = out->v[i];
        arc p1, p2;
        if (!sub_arc(a, h.p, &p1) || !sub_arc(p1, a, &p2)) continue;
        h.p = p2;
        out->v[w++] = h;
    }
    out->n = w;
}

static bb_result new_list(qctx *c, ilist *l)
{
    l->n = 0;
    l->cap = BB_PAT_LIST_MIN;
    l->v = bb_arena_alloc(c->ar, l->cap * sizeof *l->v);
    return l->v ? BB_OK : BB_ERR_NOMEM;
}

/* The exact number an event of a parameter pattern carries, if any. */
static bool hap_num(const ihap *h, bb_rat *v)
{
    if (!h->atom || h->atom->kind != PK_ATOM || !h->atom->has_num) return false;
    *v = h->atom->num;
    return true;
}

static bool rat_abs_le(bb_rat v, int64_t lim)
{
    return bb_rat_valid(v) && (i128)(v.num < 0 ? -v.num : v.num) <= (i128)lim * v.den;
}

/* tParam _fast / _slow: innerJoin $ (\r -> _fast r kid) <$> factor. */
static bb_result q_fastp(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    ilist f;
    bb_result r = new_list(c, &f);
    if (r || (r = query(c, p->p1, a, &f))) return r;
    for (size_t i = 0; i < f.n; i++) {
        bb_rat v;
        if (!hap_num(&f.v[i], &v)) continue;
        if (!rat_abs_le(v, BB_PAT_FACTOR_MAX)) return bb_rat_valid(v) ? BB_ERR_LIMIT : BB_ERR_OVERFLOW;
        bb_rat rate = mul(v, p->a);
        if (p->i1) { /* _slow 0 is silence; _slow r = _fast (1/r) */
            if (eq(rate, R(0))) continue;
            rate = dvd(R(1), rate);
        }
        size_t m = out->n;
        if ((r = q_fast_rate(c, rate, p->kid, f.v[i].p, out))) return r;
        clip_to(out, m, a);
    }
    return BB_OK;
}

/* _degradeByUsing (rotL (seed/10000) rand) amount: the random value is read over
 * each event's whole; keep when it is greater than the amount. */
static bb_result q_degrade(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    size_t m = out->n;
    bb_result r = query(c, p->kid, a, out);
    if (r || (r = charge(c, out->n - m))) return r;
    bb_rat shift = seed_shift(p->i1), amt = p->a;
    size_t w = m;
    for (size_t i = m; i < out->n; i++) {
        ihap h = out->v[i];
        bb_rat t = add(dvd(add(h.w.b, h.w.e), R(2)), shift);
        i128 k = rand_k(t);
        if (!(k * amt.den > (i128)amt.num * ((i128)1 << 29))) continue;
        arc pp;
        if (!sub_arc(h.p, h.w, &pp)) continue;
        h.p = pp;
        out->v[w++] = h;
    }
    out->n = w;
    return bb_rat_overflowed() ? BB_ERR_OVERFLOW : BB_OK;
}

/* unwrap $ segment 1 $ chooseBy (rotL (seed/10000) rand) kids. */
static bb_result q_choose(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    if (lt(a.e, a.b) || p->n == 0) return BB_OK;
    int64_t c0 = bb_rat_floor(a.b);
    int64_t c1 = eq(a.b, a.e) ? c0 : bb_rat_ceil(a.e) - 1;
    if (bb_rat_overflowed() || c1 == INT64_MAX) return BB_ERR_OVERFLOW;
    if ((i128)c1 - c0 >= BB_PAT_QUERY_EVENTS_MAX) return BB_ERR_LIMIT;
    bb_rat shift = add(bb_rat_make(1, 2), seed_shift(p->i1));
    for (int64_t cy = c0; cy <= c1; cy++) {
        bb_result r = tick(c);
        if (r) return r;
        arc w = {R(cy), R(cy + 1)};
        arc part = {bb_rat_max(a.b, w.b), bb_rat_min(a.e, w.e)};
        i128 k = rand_k(add(R(cy), shift));
        size_t idx = (size_t)((k * (i128)p->n) >> 29);
        size_t m = out->n;
        if ((r = query(c, p->kids[idx], part, out)) || (r = charge(c, out->n - m))) return r;
        size_t wi = m;
        for (size_t i = m; i < out->n; i++) {
            ihap h = out->v[i];
            arc nw, np;
            if (!sub_arc(w, h.w, &nw) || !sub_arc(part, h.p, &np)) continue;
            h.w = nw;
            h.p = np;
            out->v[wi++] = h;
        }
        out->n = wi;
    }
    return BB_OK;
}

/* _euclidOff pulses steps rot kid = rotL (rot%steps) (_euclid pulses steps kid),
 * with _euclid n k a = fastcat (map (bool silence a) (bjorklund (n, k))) for
 * n >= 0 and the inverse for n < 0; fastcat ps = _fast (length ps) (cat ps). */
static bb_result q_euclid_fixed(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    int64_t pulses = p->i1, steps = p->i2, rot = p->i3;
    if (steps == 0) return BB_OK;
    bool *bits;
    size_t len;
    bb_result r = bjorklund(c, pulses < 0 ? -pulses : pulses, steps, &bits, &len);
    if (r) return r;
    if (len == 0) return BB_OK;
    bool want = pulses >= 0;
    bb_rat shift = bb_rat_make(rot, steps), L = R((int64_t)len);
    arc qa = arc_mul(arc_add(a, shift), L);
    size_t m = out->n;
    splitter sp;
    for (bool more = first_piece(&sp, qa); more; more = next_piece(&sp)) {
        if ((r = tick(c))) return r;
        int64_t cyc = bb_rat_floor(sp.piece.b);
        int64_t i = cyc % (int64_t)len;
        if (i < 0) i += (int64_t)len;
        if (bits[i] != want) continue;
        /* cat: pattern i plays its own cycle (cyc - i) / len, shifted to cyc */
        bb_rat offset = R(cyc - (cyc - i) / (int64_t)len);
        size_t k0 = out->n;
        if ((r = query(c, p->kid, arc_add(sp.piece, bb_rat_neg(offset)), out)) || (r = charge(c, 2 * (out->n - k0))))
            return r;
        for (size_t k = k0; k < out->n; k++) {
            out->v[k].w = arc_add(out->v[k].w, offset);
            out->v[k].p = arc_add(out->v[k].p, offset);
        }
    }
    bb_rat nshift = bb_rat_neg(shift);
    for (size_t k = m; k < out->n; k++) {
        out->v[k].w = arc_add(arc_div(out->v[k].w, L), nshift);
        out->v[k].p = arc_add(arc_div(out->v[k].p, L), nshift);
    }
    return BB_OK;
}

static bool hap_int(const ihap *h, int64_t *v)
{
    bb_rat x;
    if (!hap_num(h, &x) || x.den != 1) return false;
    *v = x.num;
    return true;
}

/* tParam3 _euclidOff: the three argument patterns combined with <*> (wholes and
 * parts intersected, the later ones queried over the earlier whole), then
 * innerJoin. */
static bb_result q_euclid(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    ilist la, lb, lc;
    bb_result r;
    if ((r = new_list(c, &la)) || (r = new_list(c, &lb)) || (r = new_list(c, &lc))) return r;
    if ((r = query(c, p->p1, a, &la))) return r;
    for (size_t i = 0; i < la.n; i++) {
        int64_t n, k, s;
        if (!hap_int(&la.v[i], &n)) continue;
        lb.n = 0;
        if ((r = query(c, p->p2, la.v[i].w, &lb))) return r;
        for (size_t j = 0; j < lb.n; j++) {
            arc w1, p1;
            if (!hap_int(&lb.v[j], &k)) continue;
            if (!sub_arc(la.v[i].w, lb.v[j].w, &w1) || !sub_arc(la.v[i].p, lb.v[j].p, &p1)) continue;
            lc.n = 0;
            if ((r = query(c, p->p3, w1, &lc))) return r;
            for (size_t l = 0; l < lc.n; l++) {
                arc w2, p2;
                if (!hap_int(&lc.v[l], &s)) continue;
                if (!sub_arc(w1, lc.v[l].w, &w2) || !sub_arc(p1, lc.v[l].p, &p2)) continue;
                if (n > BB_PAT_EUCLID_MAX || n < -BB_PAT_EUCLID_MAX || k > BB_PAT_EUCLID_MAX ||
                    k < -BB_PAT_EUCLID_MAX)
                    return BB_ERR_LIMIT;
                if (k < 0) continue; /* a negative step count means nothing; Tidal errors */
                bb_pat f = {.kind = PK_EUCLID_FIXED, .kid = p->kid, .i1 = n, .i2 = k, .i3 = s};
                size_t m = out->n;
                if ((r = q_euclid_fixed(c, &f, p2, out))) return r;
                clip_to(out, m, a);
            }
        }
    }
    return BB_OK;
}

/* stut: copy i shifted later by i*t, gain times gains[i]. */
static bb_result q_stut(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    for (int64_t i = 0; i < p->i1; i++) {
        size_t m = out->n;
        bb_result r = q_rotl(c, bb_rat_neg(mul(R(i), p->a)), p->kid, a, out);
        if (r) return r;
        for (size_t k = m; k < out->n; k++) out->v[k].gain *= p->gains[i];
    }
    return BB_OK;
}

static bb_result query(qctx *c, const bb_pat *p, arc a, ilist *out)
{
    if (++c->depth > BB_PAT_QUERY_DEPTH_MAX) return BB_ERR_LIMIT;
    bb_result r = tick(c);
    if (!r) {
        switch (p->kind) {
        case PK_SILENCE: break;
        case PK_ATOM: r = q_atom(c, p, a, out); break;
        case PK_STACK: r = q_stack(c, p, a, out); break;
        case PK_COMPRESS: r = q_compress(c, p, a, out); break;
        case PK_FAST: r = q_fast_rate(c, p->a, p->kid, a, out); break;
        case PK_ROTL: r = q_rotl(c, p->a, p->kid, a, out); break;
        case PK_REV: r = q_rev(c, p->kid, a, out); break;
        case PK_FASTP: r = q_fastp(c, p, a, out); break;
        case PK_DEGRADE: r = q_degrade(c, p, a, out); break;
        case PK_CHOOSE: r = q_choose(c, p, a, out); break;
        case PK_EUCLID: r = q_euclid(c, p, a, out); break;
        case PK_EUCLID_FIXED: r = q_euclid_fixed(c, p, a, out); break;
        case PK_STUT: r = q_stut(c, p, a, out); break;
        default: r = BB_ERR_INTERNAL; break;
        }
    }
    c->depth--;
    return r;
}

/* ---- public query interface ---------------------------------------------------------- */

void bb_haps_init(bb_haps *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
}

void bb_haps_free(bb_haps *h)
{
    bb_free(h->v);
    bb_haps_init(h);
}

bool bb_hap_has_onset(const bb_hap *h) { return h->has_whole && bb_rat_eq(h->part_b, h->whole_b); }

static int text_cmp(const bb_val *a, const bb_val *b)
{
    uint32_t n = a->text_len < b->text_len ? a->text_len : b->text_len;
    int c = n ? memcmp(a->text, b->text, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return (a->text_len > b->text_len) - (a->text_len < b->text_len);
}

int bb_hap_cmp(const bb_hap *a, const bb_hap *b)
{
    int c;
    if ((c = bb_rat_cmp(a->whole_b, b->whole_b))) return c;
    if ((c = bb_rat_cmp(a->whole_e, b->whole_e))) return c;
    if ((c = text_cmp(&a->val, &b->val))) return c;
    if (a->gain != b->gain) return a->gain < b->gain ? -1 : 1;
    return bb_rat_cmp(a->part_b, b->part_b);
}

/* Stable merge sort of v[0..n) with tmp[0..n) as the buffer. */
static void merge_sort(bb_hap *v, bb_hap *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    if (bb_hap_cmp(&v[h - 1], &v[h]) <= 0) return;
    memcpy(tmp, v, n * sizeof *v);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) v[k++] = bb_hap_cmp(&tmp[j], &tmp[i]) < 0 ? tmp[j++] : tmp[i++];
    while (i < h) v[k++] = tmp[i++];
    while (j < n) v[k++] = tmp[j++];
}

static bb_result sort_range(bb_hap *v, size_t n, bb_arena *scratch)
{
    if (n < 2) return BB_OK;
    bb_hap *tmp = bb_arena_alloc(scratch, n * sizeof *tmp);
    if (!tmp) return BB_ERR_NOMEM;
    merge_sort(v, tmp, n);
    return BB_OK;
}

bb_result bb_haps_sort(bb_haps *h, bb_arena *scratch) { return sort_range(h->v, h->n, scratch); }

/* The query proper: the overflow flag is clear on entry and checked on exit. */
static bb_result run_query(const bb_pat *p, bb_rat b, bb_rat e, bb_arena *scratch, bb_haps *out)
{
    if (!bb_rat_valid(b) || !bb_rat_valid(e)) return BB_ERR_OVERFLOW;
    if (lt(e, b)) return BB_OK; /* a reversed span holds nothing (as in Tidal) */
    qctx c = {scratch, 0, 0};
    ilist l;
    bb_result r = new_list(&c, &l);
    if (!r) r = query(&c, p, (arc){b, e}, &l);
    if (!r && bb_rat_overflowed()) r = BB_ERR_OVERFLOW;
    if (!r && out->n + l.n > BB_PAT_QUERY_EVENTS_MAX) r = BB_ERR_LIMIT;
    if (!r && bb_grow((void **)&out->v, &out->cap, out->n + l.n, sizeof *out->v)) r = BB_ERR_NOMEM;
    if (r) return r;
    for (size_t i = 0; i < l.n; i++) {
        const ihap *h = &l.v[i];
        bb_hap *o = &out->v[out->n++];
        o->whole_b = h->w.b;
        o->whole_e = h->w.e;
        o->part_b = h->p.b;
        o->part_e = h->p.e;
        o->has_whole = true;
        o->gain = h->gain;
        o->val = h->atom->val;
    }
    return BB_OK;
}

bb_result bb_pat_query(const bb_pat *p, bb_rat b, bb_rat e, bb_arena *scratch, bb_haps *out)
{
    /* The flag is sticky for the caller: clear it for the query, and set it again
     * afterwards if it was set before (an operation on an invalid value sets it). */
    bool saved = bb_rat_overflowed();
    bb_rat_clear_overflow();
    bb_result r = run_query(p, b, e, scratch, out);
    if (saved) (void)bb_rat_neg(BB_RAT_INVALID);
    return r;
}

bb_result bb_pat_query_onsets(const bb_pat *p, bb_rat b, bb_rat e, bb_arena *scratch, bb_haps *out)
{
    size_t n0 = out->n;
    bb_result r = bb_pat_query(p, b, e, scratch, out);
    if (r) return r;
    size_t w = n0;
    for (size_t i = n0; i < out->n; i++) {
        const bb_hap *h = &out->v[i];
        if (bb_hap_has_onset(h) && le(b, h->whole_b) && lt(h->whole_b, e)) out->v[w++] = *h;
    }
    out->n = w;
    /* out->v is NULL when nothing was ever stored: no pointer arithmetic on it */
    if (w - n0 > 1 && (r = sort_range(out->v + n0, w - n0, scratch))) out->n = n0;
    return r;
}

const char *bb_hap_fmt(const bb_hap *h, char *buf, size_t cap)
{
    char b[48], e[48];
    snprintf(buf, cap, "%s %s %.*s", bb_rat_fmt(h->whole_b, b, sizeof b), bb_rat_fmt(h->whole_e, e, sizeof e),
             (int)h->val.text_len, h->val.text);
    return buf;
}

/* ---- constructors ------------------------------------------------------------------------ */

static bb_pat *node(bb_arena *own, pat_kind k)
{
    bb_pat *p = bb_arena_alloc(own, sizeof *p);
    if (p) {
        memset(p, 0, sizeof *p);
        p->kind = k;
    }
    return p;
}

static bb_result done(bb_pat *p, bb_pat **out)
{
    if (!p) return BB_ERR_NOMEM;
    *out = p;
    return BB_OK;
}

static const bb_pat **copy_kids(bb_arena *own, const bb_pat *const *ps, size_t n)
{
    const bb_pat **k = bb_arena_alloc(own, (n ? n : 1) * sizeof *k);
    if (k && n) memcpy(k, ps, n * sizeof *k);
    return k;
}

bb_result bb_pat_silence(bb_arena *own, bb_pat **out) { return done(node(own, PK_SILENCE), out); }

bb_result bb_pat_pure(bb_arena *own, const bb_val *v, bb_pat **out)
{
    bb_pat *p = node(own, PK_ATOM);
    if (!p) return BB_ERR_NOMEM;
    p->val = *v;
    if (v->kind == BB_VAL_NUM) p->has_num = bb_rat_parse_decimal(v->text, v->text_len, &p->num);
    *out = p;
    return BB_OK;
}

bb_result bb_pat_pure_num(bb_arena *own, bb_rat x, bb_pat **out)
{
    if (!bb_rat_valid(x)) return BB_ERR_ARG;
    bb_pat *p = node(own, PK_ATOM);
    char buf[48];
    bb_rat_fmt(x, buf, sizeof buf);
    size_t n = strlen(buf);
    char *t = bb_arena_alloc(own, n + 1);
    if (!p || !t) return BB_ERR_NOMEM;
    memcpy(t, buf, n + 1);
    p->val = (bb_val){.kind = BB_VAL_NUM, .text = t, .text_len = (uint32_t)n, .name = t, .name_len = (uint32_t)n,
                      .num = bb_rat_to_double(x), .is_note = true, .note = bb_rat_to_double(x)};
    p->num = x;
    p->has_num = true;
    *out = p;
    return BB_OK;
}

bb_result bb_pat_stack(bb_arena *own, const bb_pat *const *ps, size_t n, bb_pat **out)
{
    if (n == 0) return bb_pat_silence(own, out);
    bb_pat *p = node(own, PK_STACK);
    if (!p || !(p->kids = copy_kids(own, ps, n))) return BB_ERR_NOMEM;
    p->n = n;
    *out = p;
    return BB_OK;
}

bb_result bb_pat_timecat(bb_arena *own, const bb_pat *const *ps, const bb_rat *weights, size_t n,
                         bb_pat **out)
{
    if (n == 0) return bb_pat_silence(own, out);
    bool saved = bb_rat_overflowed();
    bb_rat total = R(0);
    for (size_t i = 0; i < n; i++) {
        if (!bb_rat_valid(weights[i]) || bb_rat_cmp(weights[i], R(0)) <= 0) return BB_ERR_ARG;
        total = add(total, weights[i]);
    }
    bb_pat *st = node(own, PK_STACK);
    bb_pat **kids = bb_arena_alloc(own, n * sizeof *kids);
    if (!st || !kids) return BB_ERR_NOMEM;
    bb_rat t = R(0);
    for (size_t i = 0; i < n; i++) {
        bb_pat *k = node(own, PK_COMPRESS);
        if (!k) return BB_ERR_NOMEM;
        k->kid = ps[i];
        k->a = dvd(t, total);
        t = add(t, weights[i]);
        k->b = dvd(t, total);
        kids[i] = k;
    }
    if (!saved && bb_rat_overflowed()) {
        bb_rat_clear_overflow();
        return BB_ERR_OVERFLOW;
    }
    st->kids = (const bb_pat *const *)kids;
    st->n = n;
    *out = st;
    return BB_OK;
}

static bb_result fastp(bb_arena *own, const bb_pat *p, const bb_pat *factor, bb_rat scale, bool slow,
                       bb_pat **out)
{
    bb_pat *n = node(own, PK_FASTP);
    if (!n) return BB_ERR_NOMEM;
    n->kid = p;
    n->p1 = factor;
    n->a = scale;
    n->i1 = slow;
    *out = n;
    return BB_OK;
}

bb_result bb_pat_fast(bb_arena *own, const bb_pat *p, const bb_pat *factor, bb_pat **out)
{
    return fastp(own, p, factor, R(1), false, out);
}

bb_result bb_pat_slow(bb_arena *own, const bb_pat *p, const bb_pat *factor, bb_pat **out)
{
    return fastp(own, p, factor, R(1), true, out);
}

bb_result bb_pat_polymeter(bb_arena *own, const bb_pat *const *ps, const bb_rat *steps, size_t n,
                           const bb_pat *steprate, bb_pat **out)
{
    const bb_pat **kids = bb_arena_alloc(own, (n ? n : 1) * sizeof *kids);
    if (!kids) return BB_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!bb_rat_valid(steps[i])) return BB_ERR_ARG;
        if (bb_rat_cmp(steps[i], R(0)) == 0) continue; /* (/0): nothing to play */
        bb_pat *k;
        bb_result r = fastp(own, ps[i], steprate, dvd(R(1), steps[i]), false, &k);
        if (r) return r;
        kids[m++] = k;
    }
    return bb_pat_stack(own, kids, m, out);
}

bb_result bb_pat_rev(bb_arena *own, const bb_pat *p, bb_pat **out)
{
    bb_pat *n = node(own, PK_REV);
    if (n) n->kid = p;
    return done(n, out);
}

bb_result bb_pat_rotl(bb_arena *own, const bb_pat *p, bb_rat t, bb_pat **out)
{
    if (!bb_rat_valid(t)) return BB_ERR_ARG;
    bb_pat *n = node(own, PK_ROTL);
    if (n) {
        n->kid = p;
        n->a = t;
    }
    return done(n, out);
}

bb_result bb_pat_degrade(bb_arena *own, const bb_pat *p, bb_rat amount, int seed, bb_pat **out)
{
    if (!bb_rat_valid(amount)) return BB_ERR_ARG;
    bb_pat *n = node(own, PK_DEGRADE);
    if (n) {
        n->kid = p;
        n->a = amount;
        n->i1 = seed;
    }
    return done(n, out);
}

bb_result bb_pat_choose(bb_arena *own, const bb_pat *const *ps, size_t n, int seed, bb_pat **out)
{
    if (n == 0) return bb_pat_silence(own, out);
    bb_pat *p = node(own, PK_CHOOSE);
    if (!p || !(p->kids = copy_kids(own, ps, n))) return BB_ERR_NOMEM;
    p->n = n;
    p->i1 = seed;
    *out = p;
    return BB_OK;
}

bb_result bb_pat_euclid(bb_arena *own, const bb_pat *p, const bb_pat *pulses, const bb_pat *steps,
                        const bb_pat *rotation, bb_pat **out)
{
    bb_pat *n = node(own, PK_EUCLID);
    if (n) {
        n->kid = p;
        n->p1 = pulses;
        n->p2 = steps;
        n->p3 = rotation;
    }
    return done(n, out);
}

bb_result bb_pat_stut(bb_arena *own, const bb_pat *p, int n, bb_rat t, double decay, bb_pat **out)
{
    if (n < 1 || !bb_rat_valid(t)) return BB_ERR_ARG;
    if (n > BB_PAT_STUT_MAX) return BB_ERR_LIMIT;
    bb_pat *s = node(own, PK_STUT);
    double *g = bb_arena_alloc(own, (size_t)n * sizeof *g);
    if (!s || !g) return BB_ERR_NOMEM;
    g[0] = 1.0;
    for (int i = 1; i < n; i++) g[i] = g[i - 1] * decay;
    s->kid = p;
    s->i1 = n;
    s->a = t;
    s->gains = g;
    *out = s;
    return BB_OK;
}

/* ---- atoms ------------------------------------------------------------------------------- */

int bb_pat_foreach_atom(const bb_pat *p, int (*fn)(const bb_val *v, void *ctx), void *ctx)
{
    int r = 0;
    switch (p->kind) {
    case PK_ATOM: return fn(&p->val, ctx);
    case PK_STACK:
    case PK_CHOOSE:
        for (size_t i = 0; i < p->n && !r; i++) {
            const bb_pat *k = p->kids[i];
            /* '!' repeats one child: visit the source atom once */
            if (i > 0 && k->kind == PK_COMPRESS && p->kids[i - 1]->kind == PK_COMPRESS &&
                k->kid == p->kids[i - 1]->kid)
                continue;
            r = bb_pat_foreach_atom(k, fn, ctx);
        }
        return r;
    case PK_SILENCE: return 0;
    default: return p->kid ? bb_pat_foreach_atom(p->kid, fn, ctx) : 0;
    }
}
