/* bb_dsp.h - the DSP units: oscillators, RBJ biquads, noise, delay, reverb.
 *
 * Every unit follows create/init/compute/destroy: create allocates (units with
 * memory only), init resets to the fresh state (phases 0, filter and effect state
 * 0) without allocating, compute processes a block of n samples and never
 * allocates nor fails, destroy releases. Audio is single precision; units are
 * plain structs so a synthesis instance can embed them. Sample rate in Hz,
 * frequencies in Hz, times in seconds. */
#ifndef BB_DSP_H
#define BB_DSP_H

#include "bb_result.h"

#include <stddef.h>
#include <stdint.h>

/* ---- oscillators ------------------------------------------------------------
 * Phase p starts at 0. Output for the current p: sine sin(2*pi*p), saw 2p-1,
 * square p < 0.5 ? 1 : -1, tri p < 0.5 ? 4p-1 : 3-4p. Then p += f * inv_sr with
 * f = freq[i] * ratio, wrapped into [0, 1). */
typedef enum { BB_OSC_SINE, BB_OSC_SAW, BB_OSC_SQUARE, BB_OSC_TRI } bb_osc_shape;

typedef struct bb_osc {
    bb_osc_shape shape;
    float phase;
} bb_osc;

void bb_osc_init(bb_osc *o, bb_osc_shape shape);
/* freq[0..n): Hz; ratio: pitch multiplier (2^(note/12)); inv_sr: 1.0f / sr. */
void bb_osc_compute(bb_osc *o, const float *restrict freq, float ratio, float inv_sr,
                    float *restrict out, size_t n);

/* ---- RBJ-cookbook biquads (lowpass, highpass, bandpass with constant 0 dB peak)
 * Cutoff is clamped to [10, 0.45 sr], q to [0.1, 20]. Coefficients are computed
 * in double with bb_sin/bb_cos and stored as float, and recomputed only when the
 * (clamped) cutoff or q value changes. Direct form I in single precision. */
typedef enum { BB_BIQUAD_LP, BB_BIQUAD_HP, BB_BIQUAD_BP } bb_biquad_kind;

typedef struct bb_biquad {
    bb_biquad_kind kind;
    float sr;
    float cut, q;              /* the values the coefficients were computed for */
    float b0, b1, b2, a1, a2;  /* normalised by a0 */
    float x1, x2, y1, y2;
} bb_biquad;

void bb_biquad_init(bb_biquad *f, bb_biquad_kind kind, float sr);
void bb_biquad_compute(bb_biquad *f, const float *restrict in, const float *restrict cutoff,
                       const float *restrict q, float *restrict out, size_t n);
/* The same with constant cutoff and q (bit-identical to passing constant buffers). */
void bb_biquad_compute_const(bb_biquad *f, const float *restrict in, float cutoff, float q,
                             float *restrict out, size_t n);

/* ---- noise: a documented PRNG (xorshift64*), uniform in [-1, 1). ----------- */
typedef struct bb_noise {
    uint64_t state;
} bb_noise;

/* Any seed is fine (0 is mapped to a fixed non-zero state). */
void bb_noise_init(bb_noise *z, uint64_t seed);
void bb_noise_compute(bb_noise *z, float *restrict out, size_t n);

/* ---- delay: feedback delay line, out = (1-mix)*in + mix*wet ------------------
 * time in seconds (rounded to whole samples, at least 1), feedback in [0, 0.99],
 * mix in [0, 1]. */
typedef struct bb_delay bb_delay;

/* Allocates the line. Returns BB_ERR_NOMEM or BB_ERR_ARG (time <= 0 or > 10 s). */
bb_result bb_delay_create(bb_delay **out, float sr, float time, float feedback, float mix);
void bb_delay_init(bb_delay *d);
void bb_delay_compute(bb_delay *d, const float *restrict in, float *restrict out, size_t n);
void bb_delay_destroy(bb_delay *d);
/* The line length in samples: max(1, floor(time * sr + 0.5)), the product taken
 * in double. An impulse at sample 0 comes back at this sample. */
size_t bb_delay_length(const bb_delay *d);

/* ---- reverb: Freeverb-style (8 lowpass-feedback combs in parallel, 4 allpasses
 * in series, lengths from the 44.1 kHz originals scaled to sr), mono.
 * room and damp in [0, 1]; mix in [0, 1]: out = (1-mix)*in + mix*wet. */
typedef struct bb_reverb bb_reverb;

bb_result bb_reverb_create(bb_reverb **out, float sr, float room, float damp, float mix);
void bb_reverb_init(bb_reverb *r);
void bb_reverb_compute(bb_reverb *r, const float *restrict in, float *restrict out, size_t n);
void bb_reverb_destroy(bb_reverb *r);

#endif
