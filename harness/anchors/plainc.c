/* plainc.c - the floor: the q-like score as a plain scalar C loop.
 *
 * This anchor is what a programmer writes by hand for one fixed score, with no
 * engine around it: read the voice list (events.txt, from gen.py), and for each
 * voice run one loop that makes a naive saw (2p - 1 of a single-precision phase
 * that starts at 0 and wraps by a compare and a subtraction), filters it with
 * an RBJ-cookbook low-pass biquad in direct form I (coefficients computed once
 * per voice in double, run in float), shapes it with SPEC's linear ramps and
 * the chord gain, and adds it into the output buffer; then write the WAV.
 * Every voice starts from fresh state, as a busbench bus voice does.
 *
 * The loop is split in three (attack, middle, release) so the middle has no
 * branch besides the phase wrap; the compiler sees a loop-carried chain of the
 * phase and the filter's two outputs, which is what bounds it. No SIMD, no
 * caching of identical voices: that is the point of a floor for the reference
 * core's per-voice-sample work.
 *
 * Usage: plainc EVENTS.txt OUT.wav. Exit 0, or 1 with a message. */
#include "anchor_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    float p, inc;
    float b0, b1, b2, a1, a2;
    float x1, x2, y1, y2;
} voice_state;

static void voice_init(voice_state *st, double freq, double cutoff, double q, int sr)
{
    const double pi = 3.14159265358979323846;
    double w0 = 2.0 * pi * cutoff / sr, cw = cos(w0), alpha = sin(w0) / (2.0 * q), a0 = 1.0 + alpha;
    st->p = 0.0f;
    st->inc = (float)(freq / sr);
    st->b0 = (float)((1.0 - cw) / 2.0 / a0);
    st->b1 = (float)((1.0 - cw) / a0);
    st->b2 = st->b0;
    st->a1 = (float)(-2.0 * cw / a0);
    st->a2 = (float)((1.0 - alpha) / a0);
    st->x1 = st->x2 = st->y1 = st->y2 = 0.0f;
}

/* n samples into o, the envelope e0 + k * de (de = 0 in the middle) */
static void voice_run(voice_state *restrict st, float *restrict o, int64_t n, float e0, float de)
{
    float p = st->p, x1 = st->x1, x2 = st->x2, y1 = st->y1, y2 = st->y2;
    for (int64_t k = 0; k < n; k++) {
        float x = 2.0f * p - 1.0f;
        p += st->inc;
        if (p >= 1.0f) p -= 1.0f;
        float y = st->b0 * x + st->b1 * x1 + st->b2 * x2 - st->a1 * y1 - st->a2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        o[k] += y * (e0 + (float)k * de);
    }
    st->p = p;
    st->x1 = x1;
    st->x2 = x2;
    st->y1 = y1;
    st->y2 = y2;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: plainc EVENTS.txt OUT.wav\n");
        return 1;
    }
    anchor_score s;
    if (anchor_score_read("plainc", argv[1], &s)) return 1;
    float *out = anchor_buffer("plainc", s.frames);
    if (!out) return 1;
    for (size_t i = 0; i < s.nv; i++) {
        const anchor_voice *v = &s.v[i];
        voice_state st;
        voice_init(&st, v->freq, s.cutoff, s.q, s.sr);
        float g = (float)v->gain, step = v->ramp > 0 ? g / (float)v->ramp : 0.0f;
        float *o = out + v->onset;
        voice_run(&st, o, v->ramp, 0.0f, step);
        voice_run(&st, o + v->ramp, v->len - 2 * v->ramp, g, 0.0f);
        voice_run(&st, o + v->len - v->ramp, v->ramp, (float)v->ramp * step, -step);
    }
    int rc = anchor_wav_write("plainc", argv[2], out, s.frames, s.sr) ? 1 : 0;
    free(out);
    anchor_score_free(&s);
    return rc;
}
