/* bb_biquad.c - RBJ Audio EQ Cookbook biquads: lowpass, highpass, bandpass.
 *
 * Per sample: the cutoff is clamped to [10, 0.45 sr] and q to [0.1, 20] (NaN
 * becomes the lower bound), both in float. When either clamped value differs
 * from the one the current coefficients were made for (f->cut, f->q; init sets
 * both to 0, which no clamped value equals, so the first sample always
 * computes), the coefficients are recomputed in double:
 *     w0 = 2 pi cut / sr,  c = bb_cos(w0),  alpha = bb_sin(w0) / (2 q)
 *     LP: b = (1-c)/2, 1-c, (1-c)/2      HP: b = (1+c)/2, -(1+c), (1+c)/2
 *     BP (constant 0 dB peak gain): b = alpha, 0, -alpha
 *     a = 1 + alpha, -2c, 1 - alpha
 * each divided by a0 in double and rounded once to float. A constant cutoff
 * thus costs one computation per init, and a pattern-driven one only at its
 * steps. The caller says where the inputs may change (bb_runs), so the inputs
 * are looked at once per run. The filter runs in direct form I in float with the fixed order
 *     y = b0 x + b1 x1 + b2 x2 - a2 y2 - a1 y1   (left to right: the y1 term
 *     last keeps the loop-carried dependency short)
 * and all state lives in the struct between calls, so the block size never
 * changes the result. The filter kind is looked at only when coefficients are
 * recomputed. The two passes are core/bb_kernel.h's, written once over a lane
 * type (width 1 here, width 8 for the `lanes` strategy, which keeps one
 * bb_biquad per lane for its coefficients). Units: sr, cutoff in Hz; q dimensionless. */
#include "bb_dsp.h"
#include "bb_math.h"

#define BB_KW 1
#include "bb_kernel.h" /* the filter per run: bb_k_biquad_runs_w1 */
#undef BB_KW

void bb_biquad_init(bb_biquad *f, bb_biquad_kind kind, float sr)
{
    f->kind = kind;
    f->sr = sr;
    f->cut = 0.0f;
    f->q = 0.0f;
    f->b0 = f->b1 = f->b2 = f->a1 = f->a2 = 0.0f;
    f->x1 = f->x2 = f->y1 = f->y2 = 0.0f;
}

void bb_biquad_coefs(bb_biquad *f, float cut, float q)
{
    const double w0 = 2.0 * BB_PI * (double)cut / (double)f->sr;
    const double c = bb_cos(w0);
    const double alpha = bb_sin(w0) / (2.0 * (double)q);
    double b0, b1, b2;
    switch (f->kind) {
    case BB_BIQUAD_HP:
        b0 = (1.0 + c) / 2.0;
        b1 = -(1.0 + c);
        b2 = (1.0 + c) / 2.0;
        break;
    case BB_BIQUAD_BP:
        b0 = alpha;
        b1 = 0.0;
        b2 = -alpha;
        break;
    case BB_BIQUAD_LP:
    default:
        b0 = (1.0 - c) / 2.0;
        b1 = 1.0 - c;
        b2 = (1.0 - c) / 2.0;
        break;
    }
    const double a0 = 1.0 + alpha;
    f->b0 = (float)(b0 / a0);
    f->b1 = (float)(b1 / a0);
    f->b2 = (float)(b2 / a0);
    f->a1 = (float)(-2.0 * c / a0);
    f->a2 = (float)((1.0 - alpha) / a0);
    f->cut = cut;
    f->q = q;
}

void bb_biquad_compute(bb_biquad *f, const float *restrict in, const float *restrict cutoff,
                       const float *restrict q, const bb_runs *runs, float *restrict out, size_t n)
{
    bb_k_bq_w1 k = {f->b0, f->b1, f->b2, f->a1, f->a2, f->x1, f->x2, f->y1, f->y2};
    bb_k_biquad_runs_w1(&k, f, in, cutoff, q, runs, out, n, false);
    f->x1 = k.x1;
    f->x2 = k.x2;
    f->y1 = k.y1;
    f->y2 = k.y2;
}
