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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- runs: where a control input may change within a block ----------------
 * A block holds at most BB_RUNS_MAX samples. Bit i set: a run starts at sample
 * i (bit 0 is always set); the input is constant from one run start to the
 * next. A constant input is one run; a pattern changes at its events' edges,
 * so it has a few runs a block; an audio-rate input has a run at every sample.
 * Units that recompute something when an input changes (oscillator increments,
 * filter coefficients) do so once per run, never by comparing every sample. */
enum { BB_RUNS_MAX = 256 };

typedef struct bb_runs {
    uint64_t bits[BB_RUNS_MAX / 64];
} bb_runs;

/* One run over the whole block (a constant). */
static inline void bb_runs_one(bb_runs *r)
{
    for (size_t w = 0; w < BB_RUNS_MAX / 64; w++) r->bits[w] = 0;
    r->bits[0] = 1;
}

/* A run at every sample (an audio-rate signal). */
static inline void bb_runs_every(bb_runs *r)
{
    for (size_t w = 0; w < BB_RUNS_MAX / 64; w++) r->bits[w] = ~UINT64_C(0);
}

/* A run starts at sample i (i < BB_RUNS_MAX). */
static inline void bb_runs_mark(bb_runs *r, size_t i)
{
    r->bits[i >> 6] |= UINT64_C(1) << (i & 63);
}

/* r = the runs of a signal computed from a and b sample by sample. */
static inline void bb_runs_merge(bb_runs *r, const bb_runs *a, const bb_runs *b)
{
    for (size_t w = 0; w < BB_RUNS_MAX / 64; w++) r->bits[w] = a->bits[w] | b->bits[w];
}

/* The end of the run that starts at s in a block of n samples: the next run
 * start after s, or n. r == NULL: a run at every sample. */
static inline size_t bb_runs_end(const bb_runs *r, size_t s, size_t n)
{
    if (!r) return s + 1;
    for (size_t i = s + 1; i < n;) {
        const uint64_t m = r->bits[i >> 6] >> (i & 63);
        if (m) {
            const size_t e = i + (size_t)__builtin_ctzll(m);
            return e < n ? e : n;
        }
        i = ((i >> 6) + 1) << 6;
    }
    return n;
}

/* ---- oscillators ------------------------------------------------------------
 * The phase is a 32-bit unsigned fixed-point number (2^32 is one cycle) that
 * starts at 0 and wraps by overflow; p = (phase >> 8) / 2^24 is its top 24
 * bits as a fraction in [0, 1). Output for the current phase: sine
 * sin(2 pi p), saw 2p - 1, square p < 1/2 ? 1 : -1, tri 1 - 4 |p - 1/2|;
 * then phase += inc, where inc is f * ratio / sr * 2^32 rounded to the nearest
 * integer (ties to even) modulo 2^32, computed once per run of constant f
 * (see core/SEMANTICS.md for every operation). */
typedef enum { BB_OSC_SINE, BB_OSC_SAW, BB_OSC_SQUARE, BB_OSC_TRI } bb_osc_shape;

typedef struct bb_osc {
    bb_osc_shape shape;
    double sr;
    uint32_t phase;
} bb_osc;

/* sr: Hz, > 0. */
void bb_osc_init(bb_osc *o, bb_osc_shape shape, double sr);
/* The phase increment of frequency f (Hz) times ratio: see above. NaN, an
 * infinity or a step of 2^63 cycles or more gives 0. */
uint32_t bb_osc_inc(float f, float ratio, double sr);
/* freq[0..n): Hz, constant on each run of runs (NULL: a run per sample; else
 * n <= BB_RUNS_MAX); ratio: pitch multiplier (2^(note/12)). */
void bb_osc_compute(bb_osc *o, const float *restrict freq, const bb_runs *runs, float ratio,
                    float *restrict out, size_t n);

/* ---- RBJ-cookbook biquads (lowpass, highpass, bandpass with constant 0 dB peak)
 * Cutoff is clamped to [10, 0.45 sr], q to [0.1, 20]. Coefficients are computed
 * in double with bb_sin/bb_cos and stored as float, and recomputed only when the
 * (clamped) cutoff or q value changes, looked at once per run. Direct form I in
 * single precision. */
typedef enum { BB_BIQUAD_LP, BB_BIQUAD_HP, BB_BIQUAD_BP } bb_biquad_kind;

typedef struct bb_biquad {
    bb_biquad_kind kind;
    float sr;
    float cut, q;              /* the values the coefficients were computed for */
    float b0, b1, b2, a1, a2;  /* normalised by a0 */
    float x1, x2, y1, y2;
} bb_biquad;

void bb_biquad_init(bb_biquad *f, bb_biquad_kind kind, float sr);
/* Compute the coefficients for the clamped cut and q, and note them in f->cut and f->q. */
void bb_biquad_coefs(bb_biquad *f, float cut, float q);
/* Set the coefficients for raw inputs (cutoff Hz, q), clamped as above;
 * recomputed only when a clamped value differs from the current one. Returns
 * whether they were recomputed. State (x1..y2) untouched. Inline: once per run
 * of a filter, where a call would spill the filter's state. */
static inline bool bb_biquad_set(bb_biquad *f, float cutoff, float q)
{
    const float cut_hi = 0.45f * f->sr;
    float c = cutoff >= 10.0f ? cutoff : 10.0f;
    c = c <= cut_hi ? c : cut_hi;
    float qq = q >= 0.1f ? q : 0.1f;
    qq = qq <= 20.0f ? qq : 20.0f;
    if (c == f->cut && qq == f->q) return false;
    bb_biquad_coefs(f, c, qq);
    return true;
}
/* cutoff and q are constant on each run of runs (the merged runs of the two
 * inputs; NULL: a run per sample; else n <= BB_RUNS_MAX). */
void bb_biquad_compute(bb_biquad *f, const float *restrict in, const float *restrict cutoff,
                       const float *restrict q, const bb_runs *runs, float *restrict out, size_t n);

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

/* Allocates the lines. Returns BB_ERR_NOMEM, or BB_ERR_ARG for a rate outside (0, 1e7] Hz
 * (NaN included); *out is NULL on failure. */
bb_result bb_reverb_create(bb_reverb **out, float sr, float room, float damp, float mix);
void bb_reverb_init(bb_reverb *r);
void bb_reverb_compute(bb_reverb *r, const float *restrict in, float *restrict out, size_t n);
void bb_reverb_destroy(bb_reverb *r);

#endif
