/* bb_fx.c - the stateful effects: a feedback delay and a Freeverb-style reverb.
 *
 * Both own memory (their lines), allocated once in create through bb_alloc;
 * init zeroes every line and index without allocating, so a unit can be reset
 * to the fresh state any number of times; compute touches only the lines and
 * never fails. Both are strictly sample-sequential with all state in the
 * struct, so n samples computed in one call or in any split give the same bits.
 *
 * Delay: a circular line of D = max(1, floor(time * sr + 1/2)) samples (the
 * product taken in double). Per sample, with wet = line[pos]:
 *     line[pos] = in + feedback * wet;   out = (1 - mix) * in + mix * wet
 * so an impulse comes out at sample 0 scaled by 1 - mix, at D by mix, at 2D by
 * mix * feedback, at kD by mix * feedback^(k-1). feedback is clamped to
 * [0, 0.99] and mix to [0, 1] (NaN becomes 0); 1 - mix is computed once in float.
 *
 * Reverb: Jezar's Freeverb network, mono. Eight lowpass-feedback combs in
 * parallel (44.1 kHz lengths 1116 1188 1277 1356 1422 1491 1557 1617) feed four
 * allpasses in series (556 441 341 225); lengths are scaled by sr / 44100 and
 * rounded, at least 1. With room, damp, mix clamped to [0, 1]:
 *     feedback = room * 0.28 + 0.7,  damp1 = damp * 0.4,  damp2 = 1 - damp1
 *     x = in * 0.015
 *     comb:    o = buf[i]; store = o * damp2 + store * damp1;
 *              buf[i] = x + store * feedback;   acc += o   (combs in order 0..7)
 *     allpass: b = buf[j]; y = b - acc; buf[j] = acc + b * 0.5; acc = y
 *     out = (1 - mix) * in + mix * acc
 * all in float. The wet signal is used as is (Freeverb's default wet 1/3 times
 * its scalewet 3). */
#include "bb_dsp.h"
#include "bb_alloc.h"
#include "bb_lane.h"

#include <math.h>
#include <string.h>

static float clampf(float v, float lo, float hi)
{
    if (!(v >= lo)) return lo; /* NaN too */
    return v <= hi ? v : hi;
}

/* ---- delay ------------------------------------------------------------------- */

struct bb_delay {
    float *line;
    size_t len;
    size_t pos;
    float feedback;
    float mix;
    float dry; /* 1 - mix */
};

bb_result bb_delay_create(bb_delay **out, float sr, float time, float feedback, float mix)
{
    *out = NULL;
    if (!(sr > 0.0f) || !(time > 0.0f) || !(time <= 10.0f) || sr > 1e7f)
        return BB_ERR_ARG;
    double d = floor((double)time * (double)sr + 0.5);
    size_t len = d < 1.0 ? 1 : (size_t)d;
    bb_delay *dl = bb_malloc(sizeof *dl);
    if (!dl) return BB_ERR_NOMEM;
    dl->line = bb_malloc(len * sizeof *dl->line);
    if (!dl->line) {
        bb_free(dl);
        return BB_ERR_NOMEM;
    }
    dl->len = len;
    dl->feedback = clampf(feedback, 0.0f, 0.99f);
    dl->mix = clampf(mix, 0.0f, 1.0f);
    dl->dry = 1.0f - dl->mix;
    bb_delay_init(dl);
    *out = dl;
    return BB_OK;
}

void bb_delay_init(bb_delay *d)
{
    memset(d->line, 0, d->len * sizeof *d->line);
    d->pos = 0;
}

/* The line is walked in runs that do not wrap, so the sample loop has no
 * compare on the position (the ring wraps between runs). */
void bb_delay_compute(bb_delay *d, const float *restrict in, float *restrict out, size_t n)
{
    const size_t len = d->len;
    const float fb = d->feedback, mix = d->mix, dry = d->dry;
    size_t pos = d->pos;
    for (size_t i = 0; i < n;) {
        const size_t m = n - i < len - pos ? n - i : len - pos;
        float *restrict line = d->line + pos;
        const float *restrict x = in + i;
        float *restrict y = out + i;
        for (size_t j = 0; j < m; j++) {
            const float wet = line[j];
            line[j] = x[j] + fb * wet;
            y[j] = dry * x[j] + mix * wet;
        }
        pos += m;
        if (pos == len) pos = 0;
        i += m;
    }
    d->pos = pos;
}

void bb_delay_destroy(bb_delay *d)
{
    if (!d) return;
    bb_free(d->line);
    bb_free(d);
}

/* Line length in samples, for tests and for the engine's documentation. */
size_t bb_delay_length(const bb_delay *d)
{
    return d->len;
}

/* ---- reverb ------------------------------------------------------------------ */

enum { NCOMB = 8, NALLPASS = 4, NLINE = NCOMB + NALLPASS };

static const int tuning[NLINE] = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617, /* combs */
                                   556, 441, 341, 225 /* allpasses */ };

struct bb_reverb {
    float *mem;                 /* one block holding every line */
    float *line[NLINE];         /* combs 0..7, then allpasses 0..3 */
    size_t len[NLINE];
    size_t pos[NLINE];
    float comb_store[NCOMB];
    size_t total;               /* floats in mem */
    float feedback, damp1, damp2, mix, dry;
};

static size_t scaled_len(int t, float sr)
{
    double d = floor((double)t * (double)sr / 44100.0 + 0.5);
    return d < 1.0 ? 1 : (size_t)d;
}

bb_result bb_reverb_create(bb_reverb **out, float sr, float room, float damp, float mix)
{
    *out = NULL;
    if (!(sr > 0.0f) || sr > 1e7f) return BB_ERR_ARG;
    bb_reverb *r = bb_calloc(1, sizeof *r);
    if (!r) return BB_ERR_NOMEM;
    size_t total = 0;
    for (int k = 0; k < NLINE; k++) {
        r->len[k] = scaled_len(tuning[k], sr);
        total += r->len[k];
    }
    r->mem = bb_malloc(total * sizeof *r->mem);
    if (!r->mem) {
        bb_free(r);
        return BB_ERR_NOMEM;
    }
    r->total = total;
    float *p = r->mem;
    for (int k = 0; k < NLINE; k++) {
        r->line[k] = p;
        p += r->len[k];
    }
    r->feedback = clampf(room, 0.0f, 1.0f) * 0.28f + 0.7f;
    r->damp1 = clampf(damp, 0.0f, 1.0f) * 0.4f;
    r->damp2 = 1.0f - r->damp1;
    r->mix = clampf(mix, 0.0f, 1.0f);
    r->dry = 1.0f - r->mix;
    bb_reverb_init(r);
    *out = r;
    return BB_OK;
}

void bb_reverb_init(bb_reverb *r)
{
    memset(r->mem, 0, r->total * sizeof *r->mem);
    for (int k = 0; k < NLINE; k++) r->pos[k] = 0;
    for (int k = 0; k < NCOMB; k++) r->comb_store[k] = 0.0f;
}

/* The reverb advances in groups of eight samples, each group once through the
 * whole network, in vector lanes:
 *   - the comb sums, element-wise over the eight samples: each comb's eight
 *     contiguous samples loaded as one vector, the vectors added in comb order
 *     to 0;
 *   - the four allpasses in series on the sums, element-wise over samples;
 *   - the output, element-wise;
 *   - the eight damping chains side by side in one vector, one comb per lane
 *     (st = o * damp2 + st * damp1, each lane doing the scalar operations in
 *     the scalar order): the loaded vectors turned into per-sample vectors by
 *     an 8x8 transpose (bb_lane_transpose8), the damping states turned back
 *     by 4x4 transposes within 128-bit halves (bb_lane_transpose4x2) and
 *     stored half by half; the lines get x + st * feedback, element-wise over
 *     the samples.
 * A line is at least eight samples long (below, see the end), so a group
 * reads and then writes eight distinct positions of each line, all reads
 * before the writes: no sample of a group reads what the group wrote, as the
 * sample-by-sample definition has it. Only the chains carry a dependency from
 * one sample to the next; the sums, allpasses, output and transposes of a
 * group wait for no chain, and its line writes for its own chains only, so
 * the core overlaps them with the chains, and a call makes one pass over
 * its samples, not one per stage. (The loop is bound about as much by its
 * shuffles and other vector operations as by the chains' latency.) While no
 * line reaches its end, groups work on the lines in place. The group that
 * crosses a line's end works on that line through a copy of its eight
 * positions (wrapping), written back after it; the last samples of a call
 * (fewer than eight) go through the same group code on copies padded to
 * eight, the chains advancing only over the real samples; padding lanes are
 * computed and dropped. With a line shorter than eight (sr under about 1.5
 * kHz), every group is one sample long, through copies. */
typedef bb_kf_w8 comb_vec;
typedef float comb_half __attribute__((vector_size(16)));

/* v in every lane (not 0 + v, which would turn -0 into +0). */
#define SPLAT(v) ((comb_vec){(v), (v), (v), (v), (v), (v), (v), (v)})

static inline __attribute__((always_inline)) comb_vec load8(const float *p)
{
    comb_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store8(float *p, const comb_vec *v)
{
    memcpy(p, v, sizeof *v);
}

/* v's elements 0..3 to p[0..4), 4..7 to q[0..4). */
static inline __attribute__((always_inline)) void store_halves(float *p, float *q, const comb_vec *v)
{
    memcpy(p, v, sizeof(comb_half));
    memcpy(q, (const char *)v + sizeof(comb_half), sizeof(comb_half));
}

typedef struct {
    comb_vec damp1, damp2, fb, mix, dry;
} reverb_k;

/* One group: samples j .. j + 8 of x and y and of the lines l[] (combs 0..7,
 * then allpasses, at offset j); the chains advance over the first g of them
 * (st is the damping state). Lanes past g are read and computed too, so they
 * must be padding there (see reverb_edge). */
static inline __attribute__((always_inline)) void reverb_group(const reverb_k *c, float *const *l,
                                                              const float *x, float *y, size_t j,
                                                              size_t g, comb_vec *st)
{
    /* the sums, the allpasses, the output */
    comb_vec v[8];
#pragma GCC unroll 8
    for (int k = 0; k < NCOMB; k++) v[k] = load8(l[k] + j);
    comb_vec acc = SPLAT(0.0f);
#pragma GCC unroll 8
    for (int k = 0; k < NCOMB; k++) acc += v[k];
#pragma GCC unroll 4
    for (int k = NCOMB; k < NLINE; k++) {
        const comb_vec b = load8(l[k] + j), w = acc + b * 0.5f;
        store8(l[k] + j, &w);
        acc = b - acc;
    }
    const comb_vec o = c->dry * load8(x + j) + c->mix * acc;
    store8(y + j, &o);
    /* the chains: v[s] = combs 0..7 at sample s */
    bb_lane_transpose8(v);
    comb_vec s = *st;
#pragma GCC unroll 8
    for (size_t i = 0; i < g; i++) {
        s = v[i] * c->damp2 + s * c->damp1;
        v[i] = s;
    }
    *st = s;
    bb_lane_transpose4x2(v);
    bb_lane_transpose4x2(v + 4);
    /* v[k]: combs k and k + 4 at samples 0..3 (halves), v[k + 4] at 4..7 */
    const float *xj = x + j;
    const comb_vec x03 = (comb_vec){ xj[0], xj[1], xj[2], xj[3], xj[0], xj[1], xj[2], xj[3] } * 0.015f;
    const comb_vec x47 = (comb_vec){ xj[4], xj[5], xj[6], xj[7], xj[4], xj[5], xj[6], xj[7] } * 0.015f;
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const comb_vec w03 = x03 + v[k] * c->fb, w47 = x47 + v[k + 4] * c->fb;
        store_halves(l[k] + j, l[k + 4] + j, &w03);
        store_halves(l[k] + j + 4, l[k + 4] + j + 4, &w47);
    }
}

/* One group of g samples (g == 8 or the call's last samples, or 1) at the
 * lines' positions, each line in place when its g positions lie before its
 * end and g == 8, else through a copy padded with zeros to eight (len >= g,
 * so the copy wraps at most once). x and y likewise when g < 8. */
static inline __attribute__((always_inline)) void reverb_edge(bb_reverb *r, const reverb_k *c,
                                                             const float *x, float *y, size_t g,
                                                             comb_vec *st)
{
    float cp[NLINE + 2][8];
    float *l[NLINE];
    const bool pad = g < 8;
    if (pad) memset(cp, 0, sizeof cp);
    for (int k = 0; k < NLINE; k++) {
        const size_t len = r->len[k], pos = r->pos[k];
        if (!pad && len - pos >= 8) {
            l[k] = r->line[k] + pos;
            continue;
        }
        for (size_t s = 0; s < g; s++) cp[k][s] = r->line[k][pos + s < len ? pos + s : pos + s - len];
        l[k] = cp[k];
    }
    if (pad) {
        for (size_t s = 0; s < g; s++) cp[NLINE][s] = x[s];
        reverb_group(c, l, cp[NLINE], cp[NLINE + 1], 0, g, st);
        for (size_t s = 0; s < g; s++) y[s] = cp[NLINE + 1][s];
    } else {
        reverb_group(c, l, x, y, 0, 8, st);
    }
    for (int k = 0; k < NLINE; k++) {
        const size_t len = r->len[k], pos = r->pos[k];
        if (l[k] == cp[k])
            for (size_t s = 0; s < g; s++) r->line[k][pos + s < len ? pos + s : pos + s - len] = cp[k][s];
        r->pos[k] = pos + g < len ? pos + g : pos + g - len;
    }
}

BB_LANE_CLONES static void reverb_run(bb_reverb *r, const float *restrict in, float *restrict out, size_t n)
{
    /* SPLAT is a compound literal, not a call: clang refuses a call that returns a 256-bit
       vector in the default (pre-AVX) clone of this function */
    const reverb_k c = {SPLAT(r->damp1), SPLAT(r->damp2), SPLAT(r->feedback), SPLAT(r->mix), SPLAT(r->dry)};
    comb_vec st;
    memcpy(&st, r->comb_store, sizeof st);
    size_t gmax = 8;
    for (int k = 0; k < NLINE; k++)
        if (r->len[k] < 8) gmax = 1;
    float *l[NLINE];
    for (size_t i = 0; i < n;) {
        /* the groups before any line's end, in place */
        size_t m = n - i;
        for (int k = 0; k < NLINE; k++) {
            const size_t left = r->len[k] - r->pos[k];
            if (left < m) m = left;
            l[k] = r->line[k] + r->pos[k];
        }
        const size_t full = m / 8 * 8; /* 0 when gmax == 1: a line is shorter than 8 */
        for (size_t j = 0; j < full; j += 8) reverb_group(&c, l, in + i, out + i, j, 8, &st);
        for (int k = 0; k < NLINE; k++) {
            r->pos[k] += full;
            if (r->pos[k] == r->len[k]) r->pos[k] = 0;
        }
        i += full;
        if (i == n) break;
        /* the group across a line's end, or the call's last samples */
        const size_t g = n - i < gmax ? n - i : gmax;
        reverb_edge(r, &c, in + i, out + i, g, &st);
        i += g;
    }
    memcpy(r->comb_store, &st, sizeof st);
}

/* Each comb and allpass is sequential on its own, and for every sample the
 * combs are still summed in the order 0..7 starting from 0, so the bits equal
 * those of the sample-by-sample loop written in the essay, whatever the
 * split into calls. */
void bb_reverb_compute(bb_reverb *r, const float *restrict in, float *restrict out, size_t n)
{
    reverb_run(r, in, out, n);
}

void bb_reverb_destroy(bb_reverb *r)
{
    if (!r) return;
    bb_free(r->mem);
    bb_free(r);
}
