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

enum { NCOMB = 8, NALLPASS = 4 };

static const int comb_tuning[NCOMB] = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617 };
static const int allpass_tuning[NALLPASS] = { 556, 441, 341, 225 };

struct bb_reverb {
    float *mem;                 /* one block holding every line */
    float *comb[NCOMB];
    size_t comb_len[NCOMB];
    size_t comb_pos[NCOMB];
    float comb_store[NCOMB];
    float *ap[NALLPASS];
    size_t ap_len[NALLPASS];
    size_t ap_pos[NALLPASS];
    size_t total;               /* floats in mem */
    float feedback, damp1, damp2, mix, dry;
};

static size_t scaled_len(int tuning, float sr)
{
    double d = floor((double)tuning * (double)sr / 44100.0 + 0.5);
    return d < 1.0 ? 1 : (size_t)d;
}

bb_result bb_reverb_create(bb_reverb **out, float sr, float room, float damp, float mix)
{
    *out = NULL;
    if (!(sr > 0.0f) || sr > 1e7f) return BB_ERR_ARG;
    bb_reverb *r = bb_calloc(1, sizeof *r);
    if (!r) return BB_ERR_NOMEM;
    size_t total = 0;
    for (int k = 0; k < NCOMB; k++) {
        r->comb_len[k] = scaled_len(comb_tuning[k], sr);
        total += r->comb_len[k];
    }
    for (int k = 0; k < NALLPASS; k++) {
        r->ap_len[k] = scaled_len(allpass_tuning[k], sr);
        total += r->ap_len[k];
    }
    r->mem = bb_malloc(total * sizeof *r->mem);
    if (!r->mem) {
        bb_free(r);
        return BB_ERR_NOMEM;
    }
    r->total = total;
    float *p = r->mem;
    for (int k = 0; k < NCOMB; k++) {
        r->comb[k] = p;
        p += r->comb_len[k];
    }
    for (int k = 0; k < NALLPASS; k++) {
        r->ap[k] = p;
        p += r->ap_len[k];
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
    for (int k = 0; k < NCOMB; k++) {
        r->comb_pos[k] = 0;
        r->comb_store[k] = 0.0f;
    }
    for (int k = 0; k < NALLPASS; k++) r->ap_pos[k] = 0;
}

/* The eight combs as one bank in vector lanes, one comb per lane. Per sample,
 * every comb reads its line, advances its damping state and writes its line;
 * the outputs are summed in comb order starting from 0. The bank advances in
 * runs during which no line wraps (the shortest distance to a line's end
 * bounds the run). Within a run the reads come first: a line is at least
 * 1116 * sr / 44100 samples long, more than a chunk, so every sample a run
 * reads was written before the run began. So a run is: the sums, element-wise
 * over samples (the 0 + o0 + ... + o7 of each sample, in that order); then the
 * eight damping chains side by side in one vector (st = o * damp2 + st * damp1,
 * the line gets x + st * feedback: each lane does the scalar operations in the
 * scalar order), eight samples at a time through 8x8 transposes of the lines'
 * contiguous samples, the remainder sample by sample. acc[0 .. n) receives
 * the sum. */
typedef bb_kf_w8 comb_vec;

/* v in every lane (not 0 + v, which would turn -0 into +0). */
static inline __attribute__((always_inline)) comb_vec splat(float v)
{
    return (comb_vec){v, v, v, v, v, v, v, v};
}

BB_LANE_CLONES static void comb_bank(bb_reverb *r, const float *restrict in, float *restrict acc, size_t n)
{
    const comb_vec damp1 = splat(r->damp1), damp2 = splat(r->damp2), fb = splat(r->feedback);
    comb_vec st;
    memcpy(&st, r->comb_store, sizeof st);
    float *line[NCOMB];
    for (size_t i = 0; i < n;) {
        size_t m = n - i;
        for (int k = 0; k < NCOMB; k++) {
            const size_t left = r->comb_len[k] - r->comb_pos[k];
            if (left < m) m = left;
            line[k] = r->comb[k] + r->comb_pos[k];
        }
        float *restrict a = acc + i;
        const float *restrict x = in + i;
        for (size_t j = 0; j < m; j++) a[j] = 0.0f;
        for (int k = 0; k < NCOMB; k++) {
            const float *restrict o = line[k];
            for (size_t j = 0; j < m; j++) a[j] += o[j];
        }
        size_t j = 0;
        for (; j + 8 <= m; j += 8) {
            comb_vec v[8];
#pragma GCC unroll 8
            for (int k = 0; k < NCOMB; k++) memcpy(&v[k], line[k] + j, sizeof v[k]);
            bb_lane_transpose8(v); /* v[s]: sample j + s of every comb */
#pragma GCC unroll 8
            for (int s = 0; s < 8; s++) {
                st = v[s] * damp2 + st * damp1;
                v[s] = splat(x[j + (size_t)s] * 0.015f) + st * fb;
            }
            bb_lane_transpose8(v); /* v[k]: comb k's eight new samples */
#pragma GCC unroll 8
            for (int k = 0; k < NCOMB; k++) memcpy(line[k] + j, &v[k], sizeof v[k]);
        }
        for (; j < m; j++) {
            comb_vec o, w;
            for (int k = 0; k < NCOMB; k++) o[k] = line[k][j];
            st = o * damp2 + st * damp1;
            w = splat(x[j] * 0.015f) + st * fb;
            for (int k = 0; k < NCOMB; k++) line[k][j] = w[k];
        }
        for (int k = 0; k < NCOMB; k++) {
            r->comb_pos[k] += m;
            if (r->comb_pos[k] == r->comb_len[k]) r->comb_pos[k] = 0;
        }
        i += m;
    }
    memcpy(r->comb_store, &st, sizeof st);
}

/* One allpass over a chunk, in place. Within a run that does not wrap, every
 * line position is read once and then written once, and no sample depends on
 * the one before: the run is an element-wise loop that the compiler
 * vectorises. A line shorter than the chunk wraps within it, and the next run
 * reads what this one wrote, as the sample-by-sample definition does. */
static void allpass_run(bb_reverb *r, int k, float *restrict acc, size_t n)
{
    const size_t len = r->ap_len[k];
    size_t pos = r->ap_pos[k];
    for (size_t i = 0; i < n;) {
        const size_t m = n - i < len - pos ? n - i : len - pos;
        float *restrict buf = r->ap[k] + pos;
        float *restrict x = acc + i;
        for (size_t j = 0; j < m; j++) {
            const float b = buf[j];
            const float v = x[j];
            buf[j] = v + b * 0.5f;
            x[j] = b - v;
        }
        pos += m;
        if (pos == len) pos = 0;
        i += m;
    }
    r->ap_pos[k] = pos;
}

/* The bank and the allpasses run one after another over chunks of up to
 * REVERB_CHUNK samples. Each comb and allpass is sequential on its own, and
 * for every sample the combs are still summed in the order 0..7 starting from
 * 0, so the bits equal those of the sample-by-sample loop written in the
 * essay, whatever the chunking. */
enum { REVERB_CHUNK = 256 };

void bb_reverb_compute(bb_reverb *r, const float *restrict in, float *restrict out, size_t n)
{
    const float mix = r->mix, dry = r->dry;
    float acc[REVERB_CHUNK];
    while (n > 0) {
        const size_t m = n < REVERB_CHUNK ? n : REVERB_CHUNK;
        comb_bank(r, in, acc, m);
        for (int k = 0; k < NALLPASS; k++) allpass_run(r, k, acc, m);
        for (size_t i = 0; i < m; i++) out[i] = dry * in[i] + mix * acc[i];
        in += m;
        out += m;
        n -= m;
    }
}

void bb_reverb_destroy(bb_reverb *r)
{
    if (!r) return;
    bb_free(r->mem);
    bb_free(r);
}
