/* bb_kernel.h - the synthesis kernel, written once over a lane type.
 *
 * Every DSP formula a bus graph evaluates per sample lives here, and only
 * here: oscillator waveforms and phase, the biquad's two passes, the noise
 * generator, the arithmetic nodes. The file is a template: define BB_KW (1 or
 * 8) and include it; it defines static inline functions named bb_k_NAME_wW
 * over the lane types of bb_lane.h. Width 1 is the serial reference (a lane is
 * a float: core/bb_osc.c, bb_biquad.c and bb_inst.c include it so); width 8 is
 * the `lanes` strategy's kernel (eight requests of one bus side by side:
 * bb_inst.c's lane interpreter). A lane performs exactly the scalar code's
 * IEEE operations in the same order, so both widths give the same bits; what
 * differs is only what is done per lane outside the formulas (one increment or
 * one set of coefficients per lane, from the scalar functions of bb_dsp.h).
 *
 * Buffers are arrays of lane values: sample j of lane l is element l of
 * buf[j]; a scalar input read per lane (a frequency, a cutoff) is the float at
 * index j * W + l. No include guard: included once per width. */
#ifndef BB_KW
#error "define BB_KW (1 or 8) before including bb_kernel.h"
#endif

#include "bb_dsp.h"
#include "bb_lane.h"
#include "bb_math.h"
#include "bb_prog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BB_K_PASTE_(n, w) n##_w##w
#define BB_K_PASTE(n, w) BB_K_PASTE_(n, w)
#define BB_K(n) BB_K_PASTE(n, BB_KW)
#define VF BB_K(bb_kf)
#define VI BB_K(bb_ki)
#define VU BB_K(bb_ku)
#define VU64 BB_K(bb_ku64)
#define KCVT BB_K(BB_CVT)
#define KLANE BB_K(BB_LANE)
#define KIABS BB_K(BB_IABS)
#define KINL static inline __attribute__((always_inline))

/* The waveform at phase ph (see bb_osc.c); shape is a constant wherever this
 * is inlined. The sine's double-precision kernel runs lane by lane. */
KINL VF BB_K(bb_k_wave)(bb_osc_shape shape, VU ph)
{
    const VI u = (VI)(ph >> 8); /* p = u / 2^24 */
    switch (shape) {
    case BB_OSC_SINE: {
        VF s = {0};
        for (size_t l = 0; l < BB_KW; l++) KLANE(s, l) = bb_sin2pi_unit((float)KLANE(u, l) * 0x1p-24f);
        return s;
    }
    case BB_OSC_SAW: return KCVT(u - 0x800000, VF) * 0x1p-23f;
    case BB_OSC_SQUARE: return KCVT(1 - 2 * (u >> 23), VF); /* 1, then -1 from p = 1/2 */
    case BB_OSC_TRI: {
        const VI m = u - 0x800000;
        return KCVT(0x1000000 - 4 * KIABS(m), VF) * 0x1p-24f;
    }
    default: return (VF){0}; /* not a shape: silence, the phase still advances */
    }
}

/* An oscillator of one shape over out[0..n): per run of runs, each lane's
 * increment bb_osc_inc(freq[i * W + l], ratio[l], sr), then an element-wise
 * loop. Returns the phase after the block. */
KINL VU BB_K(bb_k_osc_shape)(bb_osc_shape shape, VU ph, double sr, const float *restrict freq, const bb_runs *runs,
                             const float *restrict ratio, VF *restrict out, size_t n)
{
    for (size_t i = 0; i < n;) {
        const size_t end = bb_runs_end(runs, i, n);
        VU inc = {0};
        for (size_t l = 0; l < BB_KW; l++) KLANE(inc, l) = bb_osc_inc(freq[i * BB_KW + l], ratio[l], sr);
        VF *restrict o = out + i;
        const size_t m = end - i;
#if BB_KW > 1
#pragma GCC unroll 4
#endif
        for (size_t j = 0; j < m; j++) {
            o[j] = BB_K(bb_k_wave)(shape, ph);
            ph += inc;
        }
        i = end;
    }
    return ph;
}

/* The same with the shape chosen once per call; the phase is read from and
 * written back to *ph (a pointer, not a vector value: clang refuses 256-bit
 * vector arguments in a caller built without AVX, the default clone). */
KINL void BB_K(bb_k_osc)(bb_osc_shape shape, VU *ph, double sr, const float *restrict freq, const bb_runs *runs,
                         const float *restrict ratio, VF *restrict out, size_t n)
{
    switch (shape) {
    case BB_OSC_SINE: *ph = BB_K(bb_k_osc_shape)(BB_OSC_SINE, *ph, sr, freq, runs, ratio, out, n); break;
    case BB_OSC_SAW: *ph = BB_K(bb_k_osc_shape)(BB_OSC_SAW, *ph, sr, freq, runs, ratio, out, n); break;
    case BB_OSC_SQUARE: *ph = BB_K(bb_k_osc_shape)(BB_OSC_SQUARE, *ph, sr, freq, runs, ratio, out, n); break;
    case BB_OSC_TRI: *ph = BB_K(bb_k_osc_shape)(BB_OSC_TRI, *ph, sr, freq, runs, ratio, out, n); break;
    default: *ph = BB_K(bb_k_osc_shape)((bb_osc_shape)-1, *ph, sr, freq, runs, ratio, out, n); break;
    }
}

/* Biquad state and coefficients of W lanes (coefficients normalised by a0). */
typedef struct {
    VF b0, b1, b2, a1, a2;
    VF x1, x2, y1, y2;
} BB_K(bb_k_bq);

/* Direct form I over in[0..n) with constant coefficients, keeping the order
 * of operations of y = b0 x + b1 x1 + b2 x2 - a2 y2 - a1 y1, the y1 term last
 * so the loop-carried chain is one multiply and one subtract. Width 1, in two
 * passes: first the feed-forward sums into out (element-wise: the compiler
 * vectorises it across samples), then the feedback, the only sequential part.
 * Wider (lanes), in one pass: a lane vector gains nothing from a pass across
 * samples, and one pass loads and stores each sample once. State in locals,
 * two samples a turn so that no state moves, no branch in the loops.
 * reassoc: sum the feed-forward as b0 x + (b1 x1 + b2 x2) instead: a
 * different float result, only for the canary canary-lanes (a constant false
 * wherever the real kernel is instantiated). */
KINL void BB_K(bb_k_biquad)(BB_K(bb_k_bq) *restrict f, const VF *restrict in, VF *restrict out, size_t n,
                            bool reassoc)
{
    if (n == 0) return;
    const VF b0 = f->b0, b1 = f->b1, b2 = f->b2, a1 = f->a1, a2 = f->a2;
#if BB_KW > 1
    /* lanes: one pass, each sample's feed-forward sum then its feedback, the
       same operations in the same order (a lane vector has nothing to gain
       from a pass vectorised across samples; one pass loads and stores once) */
    VF x1 = f->x1, x2 = f->x2, y1 = f->y1, y2 = f->y2;
    if (reassoc)
        for (size_t i = 0; i < n; i++) { /* the canary order */
            const VF x = in[i], y = b0 * x + (b1 * x1 + b2 * x2) - a2 * y2 - a1 * y1;
            out[i] = y, x2 = x1, x1 = x, y2 = y1, y1 = y;
        }
    else {
        size_t i = 0;
        for (; i + 2 <= n; i += 2) { /* two samples a turn: no state moves */
            const VF xa = in[i], xb = in[i + 1];
            const VF ya = b0 * xa + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
            const VF yb = b0 * xb + b1 * xa + b2 * x1 - a2 * y1 - a1 * ya;
            out[i] = ya, out[i + 1] = yb;
            x2 = xa, x1 = xb, y2 = ya, y1 = yb;
        }
        if (i < n) {
            const VF x = in[i], y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
            out[i] = y, x2 = x1, x1 = x, y2 = y1, y1 = y;
        }
    }
    f->x1 = x1, f->x2 = x2, f->y1 = y1, f->y2 = y2;
#else
    const VF x1 = f->x1, x2 = f->x2;
    out[0] = b0 * in[0] + b1 * x1 + b2 * x2;
    if (n > 1) out[1] = b0 * in[1] + b1 * in[0] + b2 * x1;
    if (reassoc)
        for (size_t i = 2; i < n; i++) out[i] = b0 * in[i] + (b1 * in[i - 1] + b2 * in[i - 2]);
    else
        for (size_t i = 2; i < n; i++) out[i] = b0 * in[i] + b1 * in[i - 1] + b2 * in[i - 2];
    f->x1 = in[n - 1];
    f->x2 = n > 1 ? in[n - 2] : x1;
    VF y1 = f->y1, y2 = f->y2;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) { /* two samples a turn: no state moves */
        const VF ya = out[i] - a2 * y2 - a1 * y1;
        const VF yb = out[i + 1] - a2 * y1 - a1 * ya;
        out[i] = ya;
        out[i + 1] = yb;
        y2 = ya;
        y1 = yb;
    }
    if (i < n) {
        const VF y = out[i] - a2 * y2 - a1 * y1;
        out[i] = y;
        y2 = y1;
        y1 = y;
    }
    f->y1 = y1;
    f->y2 = y2;
#endif
}

/* The filter over in[0..n) whose cutoff and q (read per lane: cut[j * W + l]) may change where
 * runs start: at each run start each lane's coefficients are set (bb_biquad_set, c[l]: recomputed
 * only when its inputs changed) and copied into lane l of k, then the run is filtered. The per-run
 * loop of the serial filter (bb_biquad_compute) and of the lanes, written once. */
KINL void BB_K(bb_k_biquad_runs)(BB_K(bb_k_bq) *restrict k, bb_biquad *restrict c, const VF *restrict in,
                                 const float *restrict cut, const float *restrict q, const bb_runs *runs,
                                 VF *restrict out, size_t n, bool reassoc)
{
    for (size_t j = 0; j < n;) {
        const size_t end = bb_runs_end(runs, j, n);
        for (size_t l = 0; l < BB_KW; l++) {
            const bb_biquad *cl = &c[l];
            if (!bb_biquad_set(&c[l], cut[j * BB_KW + l], q[j * BB_KW + l])) continue;
            KLANE(k->b0, l) = cl->b0, KLANE(k->b1, l) = cl->b1, KLANE(k->b2, l) = cl->b2;
            KLANE(k->a1, l) = cl->a1, KLANE(k->a2, l) = cl->a2;
        }
        BB_K(bb_k_biquad)(k, in + j, out + j, end - j, reassoc);
        j = end;
    }
}

/* Noise: xorshift64* per lane (see bb_osc.c) over out[0..n); the state is
 * read from and written back to *state (a pointer: see bb_k_osc). */
KINL void BB_K(bb_k_noise)(VU64 *state, VF *restrict out, size_t n)
{
    VU64 x = *state;
    for (size_t i = 0; i < n; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        const VU64 r = x * UINT64_C(0x2545F4914F6CDD1D);
        const VI u = KCVT(r >> 40, VI); /* 0 .. 2^24 - 1 */
        out[i] = KCVT(u - 8388608, VF) * 0x1p-23f;
    }
    *state = x;
}

/* The arithmetic nodes: o = a op b (op: BB_N_ADD, SUB, MUL, DIV) or -a (BB_N_NEG). */
KINL void BB_K(bb_k_arith)(int op, const VF *restrict a, const VF *restrict b, VF *restrict o, size_t n)
{
    switch (op) {
    case BB_N_ADD: for (size_t j = 0; j < n; j++) o[j] = a[j] + b[j]; break;
    case BB_N_SUB: for (size_t j = 0; j < n; j++) o[j] = a[j] - b[j]; break;
    case BB_N_MUL: for (size_t j = 0; j < n; j++) o[j] = a[j] * b[j]; break;
    case BB_N_DIV: for (size_t j = 0; j < n; j++) o[j] = a[j] / b[j]; break;
    default: for (size_t j = 0; j < n; j++) o[j] = -a[j]; break;
    }
}

#undef KINL
#undef KIABS
#undef KLANE
#undef KCVT
#undef VU64
#undef VU
#undef VI
#undef VF
#undef BB_K
#undef BB_K_PASTE
#undef BB_K_PASTE_
