/* bb_osc.c - the signal sources: oscillators and the noise generator.
 *
 * Oscillators. The phase is an unsigned 32-bit fixed-point fraction of a cycle
 * that starts at 0 and wraps by overflow, so it is exact: N samples at a
 * constant frequency advance it by exactly N * inc modulo 2^32, the pitch
 * never drifts, and the loop-carried chain is one integer addition with no
 * compare and no branch. The increment is the only rounding: for frequency f
 * (Hz, float) and pitch ratio r (float),
 *     x = (double)f * (double)r          exact (two 24-bit significands)
 *     y = (x / sr) * 2^32                one rounding (the division), then exact
 *     inc = round-half-even(y) mod 2^32  (NaN, infinities, |y| >= 2^63: 0)
 * computed once per run of constant f (bb_runs), so a constant or pattern
 * frequency costs one division per run. Negative frequencies run the phase
 * backwards; frequencies above the sample rate alias, as on any digital
 * oscillator. The waveforms read the phase's top 24 bits u (p = u / 2^24):
 *     saw    (u - 2^23) * 2^-23                    = 2p - 1, exact
 *     square u < 2^23 ? 1 : -1
 *     tri    (2^24 - 4 |u - 2^23|) * 2^-24         = 1 - 4 |p - 1/2|, exact
 *     sine   bb_sin2pi_unit(u * 2^-24)             (p exact in [0, 1))
 * Integers are converted to float exactly (|value| <= 2^24). A run is an
 * element-wise loop over samples (the phase of sample j is the run's start plus
 * j * inc), which the compiler vectorises; the shape is chosen once per call.
 * The formulas themselves are in core/bb_kernel.h, written once over a lane
 * type: this file runs them at width 1, the `lanes` strategy at width 8.
 *
 * Noise: xorshift64* (Marsaglia's xorshift with shifts 12, 25, 27, its state
 * multiplied by 0x2545F4914F6CDD1D on output; Vigna 2014). The state is seeded
 * through one SplitMix64 step (add 0x9E3779B97F4A7C15, then the mixer with
 * 0xBF58476D1CE4E5B9 and 0x94D049BB133111EB) so that neighbouring seeds (voice
 * onsets 1, 2, 3...) give unrelated streams; a zero state, which xorshift can
 * never leave, is replaced by 0x9E3779B97F4A7C15. A sample is the top 24 bits
 * u of the output: u * 2^-23 - 1, exactly representable, uniform on the 2^24
 * values of [-1, 1). */
#include "bb_dsp.h"
#include "bb_math.h"

#define BB_KW 1
#include "bb_kernel.h" /* the formulas: bb_k_osc_w1, bb_k_noise_w1 */
#undef BB_KW

#include <stdint.h>

/* ---- oscillators ------------------------------------------------------------ */

void bb_osc_init(bb_osc *o, bb_osc_shape shape, double sr)
{
    o->shape = shape;
    o->sr = sr;
    o->phase = 0;
}

uint32_t bb_osc_inc(float f, float ratio, double sr)
{
    const double y = (double)f * (double)ratio / sr * 4294967296.0;
    if (!(y > -0x1p63 && y < 0x1p63)) return 0; /* NaN, infinite, or no meaningful step */
    int64_t v = (int64_t)y;                         /* toward zero */
    const double frac = y - (double)v;              /* exact */
    if (frac > 0.5 || (frac == 0.5 && (v & 1))) v++;
    else if (frac < -0.5 || (frac == -0.5 && (v & 1))) v--;
    return (uint32_t)(uint64_t)v;
}

void bb_osc_compute(bb_osc *o, const float *restrict freq, const bb_runs *runs, float ratio,
                    float *restrict out, size_t n)
{
    bb_k_osc_w1(o->shape, &o->phase, o->sr, freq, runs, &ratio, out, n);
}

/* ---- noise ------------------------------------------------------------------ */

#define NOISE_ZERO_STATE UINT64_C(0x9E3779B97F4A7C15)

void bb_noise_init(bb_noise *z, uint64_t seed)
{
    uint64_t s = seed + UINT64_C(0x9E3779B97F4A7C15);
    s = (s ^ (s >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    s = (s ^ (s >> 27)) * UINT64_C(0x94D049BB133111EB);
    s ^= s >> 31;
    z->state = s ? s : NOISE_ZERO_STATE;
}

void bb_noise_compute(bb_noise *z, float *restrict out, size_t n)
{
    const uint64_t x = z->state;
    uint64_t st = x ? x : NOISE_ZERO_STATE; /* a zeroed struct still makes noise */
    bb_k_noise_w1(&st, out, n);
    z->state = st;
}
