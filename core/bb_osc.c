/* bb_osc.c - the signal sources: oscillators and the noise generator.
 *
 * Oscillators. The phase p is a float in [0, 1) and starts at 0. For each
 * sample: the output is computed from the current p (sine sin(2 pi p) through
 * bb_sin2pi_unit, saw 2p - 1, square p < 1/2 ? 1 : -1, tri p < 1/2 ? 4p - 1 :
 * 3 - 4p), then p advances by inc = (freq[i] * ratio) * inv_sr, all in float,
 * in exactly that order, and wraps into [0, 1):
 *     s = p + inc;  s -= trunc(s);  if (s < 0) s += 1;  if (s >= 1) s = 0;
 * trunc is a float -> int32 -> float round trip (exact; every float of magnitude
 * 2^23 or more is already an integer, so those, and NaN, give phase 0). The
 * last step catches s = -tiny, where s + 1 rounds to 1. So negative
 * frequencies run the phase backwards, frequencies above the sample rate alias
 * as they would on any digital oscillator, and nothing can leave [0, 1).
 * The shape is chosen once per call, outside the sample loop; the loops keep
 * the phase in a local and write it back at the end, so computing n samples in
 * one call or in any split gives the same bits.
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

#include <stdint.h>

/* ---- oscillators ------------------------------------------------------------ */

/* The general wrap, for steps of a period or more. */
static __attribute__((noinline)) float wrap01_slow(float s)
{
    if (!(s > -8388608.0f && s < 8388608.0f)) /* NaN, or an integer anyway */
        return 0.0f;
    s -= (float)(int32_t)s;
    s += s < 0.0f ? 1.0f : 0.0f;
    return s >= 1.0f ? 0.0f : s;
}

/* s - trunc(s), +1 when negative, 1 -> 0: see the essay. The fast paths give the
 * same bits as wrap01_slow (s - 1 is exact for s in [1, 2)) and keep the
 * phase's dependency chain to an addition and a subtraction. */
static inline float wrap01(float s)
{
    if (s >= 0.0f && s < 1.0f) return s;
    if (s >= 1.0f && s < 2.0f) return s - 1.0f;
    return wrap01_slow(s);
}

void bb_osc_init(bb_osc *o, bb_osc_shape shape)
{
    o->shape = shape;
    o->phase = 0.0f;
}

void bb_osc_compute(bb_osc *o, const float *restrict freq, float ratio, float inv_sr,
                    float *restrict out, size_t n)
{
    float p = o->phase;
    switch (o->shape) {
    case BB_OSC_SINE:
        /* two passes: the phase chain, then the (vectorisable) sines */
        for (size_t i = 0; i < n; i++) {
            out[i] = p;
            p = wrap01(p + freq[i] * ratio * inv_sr);
        }
        for (size_t i = 0; i < n; i++) out[i] = bb_sin2pi_unit(out[i]);
        break;
    case BB_OSC_SAW:
        for (size_t i = 0; i < n; i++) {
            out[i] = 2.0f * p - 1.0f;
            p = wrap01(p + freq[i] * ratio * inv_sr);
        }
        break;
    case BB_OSC_SQUARE:
        for (size_t i = 0; i < n; i++) {
            out[i] = p < 0.5f ? 1.0f : -1.0f;
            p = wrap01(p + freq[i] * ratio * inv_sr);
        }
        break;
    case BB_OSC_TRI:
        for (size_t i = 0; i < n; i++) {
            out[i] = p < 0.5f ? 4.0f * p - 1.0f : 3.0f - 4.0f * p;
            p = wrap01(p + freq[i] * ratio * inv_sr);
        }
        break;
    default: /* not a shape: silence, phase still advances */
        for (size_t i = 0; i < n; i++) {
            out[i] = 0.0f;
            p = wrap01(p + freq[i] * ratio * inv_sr);
        }
        break;
    }
    o->phase = p;
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
    uint64_t x = z->state;
    if (!x) x = NOISE_ZERO_STATE; /* a zeroed struct still makes noise */
    for (size_t i = 0; i < n; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        const uint64_t r = x * UINT64_C(0x2545F4914F6CDD1D);
        const int32_t u = (int32_t)(r >> 40); /* 0 .. 2^24 - 1 */
        out[i] = (float)(u - 8388608) * 0x1p-23f;
    }
    z->state = x;
}
