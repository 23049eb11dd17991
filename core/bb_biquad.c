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
 * recomputed. Units: sr, cutoff in Hz; q dimensionless. */
#include "bb_dsp.h"
#include "bb_math.h"

void bb_biquad_init(bb_biquad *f, bb_biquad_kind kind, float sr)
{
    f->kind = kind;
    f->sr = sr;
    f->cut = 0.0f;
    f->q = 0.0f;
    f->b0 = f->b1 = f->b2 = f->a1 = f->a2 = 0.0f;
    f->x1 = f->x2 = f->y1 = f->y2 = 0.0f;
}

static void biquad_coefs(bb_biquad *f, float cut, float q)
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

/* Coefficients for raw inputs (cutoff, q), clamped; recomputed only on change. */
static void set_inputs(bb_biquad *f, float rc, float rq)
{
    const float cut_hi = 0.45f * f->sr;
    float c = rc >= 10.0f ? rc : 10.0f;
    c = c <= cut_hi ? c : cut_hi;
    float qq = rq >= 0.1f ? rq : 0.1f;
    qq = qq <= 20.0f ? qq : 20.0f;
    if (c != f->cut || qq != f->q) biquad_coefs(f, c, qq);
}

/* The filter over in[0..n) with the current coefficients, in two passes that
 * keep the order of operations of the formula above: first the feed-forward
 * sums b0 x + b1 x1 + b2 x2 into out (element-wise: the compiler vectorises
 * it), then the feedback, the only sequential part: out[i] - a2 y2 - a1 y1,
 * the y1 term last so the loop-carried chain is one multiply and one
 * subtract. State in locals, no branch in either loop. */
static void run(bb_biquad *f, const float *restrict in, float *restrict out, size_t n)
{
    if (n == 0) return;
    const float b0 = f->b0, b1 = f->b1, b2 = f->b2, a1 = f->a1, a2 = f->a2;
    const float x1 = f->x1, x2 = f->x2;
    out[0] = b0 * in[0] + b1 * x1 + b2 * x2;
    if (n > 1) out[1] = b0 * in[1] + b1 * in[0] + b2 * x1;
    for (size_t i = 2; i < n; i++) out[i] = b0 * in[i] + b1 * in[i - 1] + b2 * in[i - 2];
    f->x1 = in[n - 1];
    f->x2 = n > 1 ? in[n - 2] : x1;
    float y1 = f->y1, y2 = f->y2;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) { /* two samples a turn: no state moves */
        const float ya = out[i] - a2 * y2 - a1 * y1;
        const float yb = out[i + 1] - a2 * y1 - a1 * ya;
        out[i] = ya;
        out[i + 1] = yb;
        y2 = ya;
        y1 = yb;
    }
    if (i < n) {
        const float y = out[i] - a2 * y2 - a1 * y1;
        out[i] = y;
        y2 = y1;
        y1 = y;
    }
    f->y1 = y1;
    f->y2 = y2;
}

void bb_biquad_compute(bb_biquad *f, const float *restrict in, const float *restrict cutoff,
                       const float *restrict q, const bb_runs *runs, float *restrict out, size_t n)
{
    for (size_t i = 0; i < n;) {
        const size_t end = bb_runs_end(runs, i, n);
        set_inputs(f, cutoff[i], q[i]);
        run(f, in + i, out + i, end - i);
        i = end;
    }
}
