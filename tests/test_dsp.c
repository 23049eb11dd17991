/* test_dsp.c - Criterion suite "dsp": run bitmaps, oscillators, biquads, noise, delay, reverb.
 *
 * Expected values are computed here from the documented formulas (libm in
 * double for sines and filter coefficients, a hand-written xorshift64*, a
 * hand-written difference equation, a sample-by-sample Freeverb), never by
 * calling the code under test a second way. Block-size invariance is checked
 * bit for bit (memcmp) for every unit: 4096 samples in one call against chunks
 * of 1, 7 and 64. */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_dsp.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4096 };

static const size_t CHUNKS[] = { 1, 7, 64 };

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) x[i] = v;
}

static uint64_t lcg = 99;

static float frand(void) /* [-1, 1) */
{
    lcg = lcg * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (float)((double)(lcg >> 40) * 0x1p-23 - 1.0);
}

/* ---- run bitmaps ------------------------------------------------------------ */

/* The end of a run is the next run start after it, or the block's end, across the 64-bit words:
 * runs starting at 0, 5, 63, 64, 130, 200 and 255, by hand. */
Test(dsp, runs_end_at_the_next_start_or_the_block_end)
{
    bb_runs r;
    bb_runs_one(&r);
    static const size_t marks[] = {5, 63, 64, 130, 200, 255};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) bb_runs_mark(&r, marks[i]);
    static const struct {
        size_t s, n, end;
    } cases[] = {{0, 256, 5},   {5, 256, 63},   {63, 256, 64},  {64, 256, 130}, {130, 256, 200}, {200, 256, 255},
                 {254, 256, 255}, {255, 256, 256}, {64, 150, 130}, {130, 150, 150}, {64, 100, 100},  {0, 3, 3},
                 {6, 256, 63}, {65, 256, 130}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        cr_expect_eq(bb_runs_end(&r, cases[c].s, cases[c].n), cases[c].end, "run from %zu in %zu ends at %zu, got %zu",
                     cases[c].s, cases[c].n, cases[c].end, bb_runs_end(&r, cases[c].s, cases[c].n));
    cr_expect_eq(bb_runs_end(NULL, 7, 10), 8u, "no bitmap: a run at every sample");
    bb_runs_every(&r);
    cr_expect_eq(bb_runs_end(&r, 70, 256), 71u);
    bb_runs all;
    bb_runs_one(&all);
    bb_runs_mark(&all, 100);
    bb_runs_one(&r);
    bb_runs_mark(&r, 199);
    bb_runs_merge(&r, &r, &all);
    cr_expect_eq(bb_runs_end(&r, 0, 256), 100u);
    cr_expect_eq(bb_runs_end(&r, 100, 256), 199u, "the merge keeps both");
    cr_expect_eq(bb_runs_end(&r, 199, 256), 256u);
}

/* ---- oscillators ------------------------------------------------------------ */

static void osc_run(bb_osc_shape shape, float freq, float ratio, float sr, float *out, size_t n)
{
    static float f[N];
    fill(f, n, freq);
    bb_osc o;
    bb_osc_init(&o, shape, (double)sr);
    bb_osc_compute(&o, f, NULL, ratio, out, n);
}

/* sr = 32768 and f = sr/8 make every phase step exactly 1/8. */
Test(dsp, osc_saw_at_an_eighth_of_sr)
{
    float out[10];
    osc_run(BB_OSC_SAW, 4096.0f, 1.0f, 32768.0f, out, 10);
    const float want[10] = { -1, -0.75f, -0.5f, -0.25f, 0, 0.25f, 0.5f, 0.75f, -1, -0.75f };
    for (int i = 0; i < 10; i++) cr_assert(out[i] == want[i], "saw[%d] = %g", i, (double)out[i]);
}

Test(dsp, osc_square_at_an_eighth_of_sr)
{
    float out[10];
    osc_run(BB_OSC_SQUARE, 4096.0f, 1.0f, 32768.0f, out, 10);
    const float want[10] = { 1, 1, 1, 1, -1, -1, -1, -1, 1, 1 };
    for (int i = 0; i < 10; i++) cr_assert(out[i] == want[i], "square[%d] = %g", i, (double)out[i]);
}

Test(dsp, osc_tri_at_an_eighth_of_sr)
{
    float out[10];
    osc_run(BB_OSC_TRI, 4096.0f, 1.0f, 32768.0f, out, 10);
    const float want[10] = { -1, -0.5f, 0, 0.5f, 1, 0.5f, 0, -0.5f, -1, -0.5f };
    for (int i = 0; i < 10; i++) cr_assert(out[i] == want[i], "tri[%d] = %g", i, (double)out[i]);
}

Test(dsp, osc_sine_follows_sin_2pi_p)
{
    static float out[N];
    const double sr = 44100.0, f = 440.0;
    osc_run(BB_OSC_SINE, (float)f, 1.0f, (float)sr, out, N);
    /* the documented fixed-point phase: inc = round(f / sr * 2^32), p = top 24 bits */
    const uint32_t inc = (uint32_t)llrint(f / sr * 4294967296.0);
    uint32_t ph = 0;
    for (int i = 0; i < N; i++) {
        const double p = (double)(ph >> 8) / 16777216.0;
        cr_assert(fabs((double)out[i] - sin(2.0 * M_PI * p)) < 1e-6, "sine[%d]", i);
        ph += inc;
    }
    cr_assert(out[0] == 0.0f);
}

/* The increment is f * ratio / sr * 2^32 rounded once, half to even, modulo 2^32. */
Test(dsp, osc_increment_is_rounded_once_to_nearest_even)
{
    cr_assert_eq(bb_osc_inc(4096.0f, 1.0f, 32768.0), UINT32_C(1) << 29);
    cr_assert_eq(bb_osc_inc(440.0f, 1.0f, 44100.0), (uint32_t)llrint(440.0 / 44100.0 * 4294967296.0));
    /* sr = 2^33: the step of f Hz is f / 2, so ties fall on odd and even integers */
    cr_assert_eq(bb_osc_inc(1.0f, 1.0f, 0x1p33), 0u);   /* 0.5 -> 0 */
    cr_assert_eq(bb_osc_inc(3.0f, 1.0f, 0x1p33), 2u);   /* 1.5 -> 2 */
    cr_assert_eq(bb_osc_inc(5.0f, 1.0f, 0x1p33), 2u);   /* 2.5 -> 2 */
    cr_assert_eq(bb_osc_inc(-3.0f, 1.0f, 0x1p33), (uint32_t)-2); /* -1.5 -> -2 */
    cr_assert_eq(bb_osc_inc(-5.0f, 1.0f, 0x1p33), (uint32_t)-2); /* -2.5 -> -2 */
    cr_assert_eq(bb_osc_inc(-1.0f, 1.0f, 0x1p33), 0u);           /* -0.5 -> 0 */
    cr_assert_eq(bb_osc_inc(6.5f, 1.0f, 0x1p33), 3u);            /* 3.25 -> 3: below a half, odd */
    cr_assert_eq(bb_osc_inc(-6.5f, 1.0f, 0x1p33), (uint32_t)-3); /* -3.25 -> -3 */
    cr_assert_eq(bb_osc_inc(7.5f, 1.0f, 0x1p33), 4u);            /* 3.75 -> 4 */
    cr_assert_eq(bb_osc_inc(-7.5f, 1.0f, 0x1p33), (uint32_t)-4); /* -3.75 -> -4 */
    cr_assert_eq(bb_osc_inc(0x1p31f, 1.0f, 1.0), 0u);            /* a step of exactly 2^63: none meaningful */
    cr_assert_eq(bb_osc_inc(-4096.0f, 1.0f, 32768.0), (uint32_t)-(INT32_C(1) << 29));
    cr_assert_eq(bb_osc_inc(32768.0f + 4096.0f, 1.0f, 32768.0), UINT32_C(1) << 29); /* modulo 2^32 */
    cr_assert_eq(bb_osc_inc(NAN, 1.0f, 44100.0), 0u);
    cr_assert_eq(bb_osc_inc(INFINITY, 1.0f, 44100.0), 0u);
    cr_assert_eq(bb_osc_inc(-INFINITY, 1.0f, 44100.0), 0u);
    cr_assert_eq(bb_osc_inc(3e38f, 3e38f, 44100.0), 0u); /* no meaningful step */
}

/* The phase is exact: a minute at 440 Hz ends exactly at N * inc modulo 2^32, and
 * the last samples are the waveform of that phase (no drift). */
Test(dsp, osc_phase_does_not_drift)
{
    enum { SR = 44100, SECONDS = 60 };
    static float f[N], out[N];
    fill(f, N, 440.0f);
    bb_osc o;
    bb_osc_init(&o, BB_OSC_SAW, SR);
    const uint32_t inc = bb_osc_inc(440.0f, 1.0f, SR);
    uint64_t done = 0;
    while (done < (uint64_t)SR * SECONDS) {
        bb_osc_compute(&o, f, NULL, 1.0f, out, N);
        done += N;
    }
    const uint32_t want = (uint32_t)(done * inc);
    cr_assert_eq(o.phase, want, "phase %u, want %u", o.phase, want);
    const uint32_t last = (uint32_t)((done - 1) * inc);
    cr_assert(out[N - 1] == (float)((int32_t)(last >> 8) - 0x800000) * 0x1p-23f);
}

/* Runs: the frequency is read once per run, at the run's first sample. */
Test(dsp, osc_reads_the_frequency_once_per_run)
{
    static float f[64], a[64], b[64];
    fill(f, 64, 1000.0f);
    bb_runs runs;
    bb_runs_one(&runs);
    bb_runs_mark(&runs, 40);
    for (int i = 40; i < 64; i++) f[i] = 3000.0f;
    bb_osc o;
    bb_osc_init(&o, BB_OSC_TRI, 48000.0);
    bb_osc_compute(&o, f, &runs, 1.0f, a, 64);
    f[1] = f[41] = 12345.0f; /* inside runs: never read */
    bb_osc_init(&o, BB_OSC_TRI, 48000.0);
    bb_osc_compute(&o, f, &runs, 1.0f, b, 64);
    cr_assert(memcmp(a, b, sizeof a) == 0);
    bb_osc_init(&o, BB_OSC_TRI, 48000.0);
    bb_osc_compute(&o, f, NULL, 1.0f, b, 64); /* a run per sample: now they are */
    cr_assert(memcmp(a, b, sizeof a) != 0);
}

Test(dsp, osc_ratio_multiplies_the_frequency)
{
    float a[16], b[16];
    osc_run(BB_OSC_SAW, 2048.0f, 2.0f, 32768.0f, a, 16);
    osc_run(BB_OSC_SAW, 4096.0f, 1.0f, 32768.0f, b, 16);
    cr_assert(memcmp(a, b, sizeof a) == 0);
}

Test(dsp, osc_negative_frequency_runs_backwards)
{
    float out[9];
    osc_run(BB_OSC_SAW, -4096.0f, 1.0f, 32768.0f, out, 9);
    const float want[9] = { -1, 0.75f, 0.5f, 0.25f, 0, -0.25f, -0.5f, -0.75f, -1 };
    for (int i = 0; i < 9; i++) cr_assert(out[i] == want[i], "saw[%d] = %g", i, (double)out[i]);
}

Test(dsp, osc_frequency_above_sr_wraps)
{
    float a[16], b[16];
    osc_run(BB_OSC_SAW, 32768.0f + 4096.0f, 1.0f, 32768.0f, a, 16); /* step 1.125 */
    osc_run(BB_OSC_SAW, 4096.0f, 1.0f, 32768.0f, b, 16);
    cr_assert(memcmp(a, b, sizeof a) == 0);
}

Test(dsp, osc_block_size_invariance)
{
    static float f[N], whole[N], parts[N];
    for (int i = 0; i < N; i++) f[i] = 300.0f + 5000.0f * (float)i / (float)N;
    for (int s = BB_OSC_SINE; s <= BB_OSC_TRI; s++) {
        bb_osc o;
        bb_osc_init(&o, (bb_osc_shape)s, 48000.0);
        bb_osc_compute(&o, f, NULL, 1.5f, whole, N);
        for (size_t c = 0; c < 3; c++) {
            bb_osc_init(&o, (bb_osc_shape)s, 48000.0);
            for (size_t at = 0; at < N; at += CHUNKS[c]) {
                size_t m = N - at < CHUNKS[c] ? N - at : CHUNKS[c];
                bb_osc_compute(&o, f + at, NULL, 1.5f, parts + at, m);
            }
            cr_assert(memcmp(whole, parts, sizeof whole) == 0, "shape %d chunk %zu", s,
                      CHUNKS[c]);
        }
    }
}

/* ---- biquads ------------------------------------------------------------------ */

/* RBJ cookbook coefficients with libm, normalised by a0. */
static void rbj(bb_biquad_kind kind, double sr, double f0, double q, double c[5])
{
    double w0 = 2.0 * M_PI * f0 / sr, cs = cos(w0), alpha = sin(w0) / (2.0 * q);
    double b0, b1, b2, a0 = 1.0 + alpha, a1 = -2.0 * cs, a2 = 1.0 - alpha;
    if (kind == BB_BIQUAD_LP) { b0 = (1.0 - cs) / 2.0; b1 = 1.0 - cs; b2 = b0; }
    else if (kind == BB_BIQUAD_HP) { b0 = (1.0 + cs) / 2.0; b1 = -(1.0 + cs); b2 = b0; }
    else { b0 = alpha; b1 = 0.0; b2 = -alpha; }
    c[0] = b0 / a0; c[1] = b1 / a0; c[2] = b2 / a0; c[3] = a1 / a0; c[4] = a2 / a0;
}

static void ref_biquad(const double c[5], const float *in, double *out, size_t n)
{
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = (double)in[i];
        double y = c[0] * x + c[1] * x1 + c[2] * x2 - c[3] * y1 - c[4] * y2;
        x2 = x1; x1 = x; y2 = y1; y1 = y;
        out[i] = y;
    }
}

static void run_biquad(bb_biquad_kind kind, float sr, float cut, float q, const float *in,
                       float *out, size_t n)
{
    static float cv[N], qv[N];
    fill(cv, n, cut);
    fill(qv, n, q);
    bb_biquad f;
    bb_biquad_init(&f, kind, sr);
    bb_biquad_compute(&f, in, cv, qv, NULL, out, n);
}

Test(dsp, biquad_matches_rbj_difference_equation)
{
    static float in[N], out[N];
    static double want[N];
    for (int i = 0; i < N; i++) in[i] = 0.5f * frand();
    const bb_biquad_kind kinds[3] = { BB_BIQUAD_LP, BB_BIQUAD_HP, BB_BIQUAD_BP };
    const float cuts[3] = { 800.0f, 3000.0f, 12000.0f }, qs[3] = { 0.7071f, 2.0f, 0.3f };
    for (int k = 0; k < 3; k++) {
        for (int j = 0; j < 3; j++) {
            double c[5];
            rbj(kinds[k], 44100.0, (double)cuts[j], (double)qs[j], c);
            ref_biquad(c, in, want, N);
            run_biquad(kinds[k], 44100.0f, cuts[j], qs[j], in, out, N);
            for (int i = 0; i < N; i++)
                cr_assert(fabs((double)out[i] - want[i]) < 1e-5,
                          "kind %d cut %g sample %d: %.9g vs %.9g", k, (double)cuts[j], i,
                          (double)out[i], want[i]);
        }
    }
}

Test(dsp, biquad_coefficients_match_rbj)
{
    bb_biquad f;
    float in[1] = { 0 }, out[1], cut[1] = { 1234.5f }, q[1] = { 3.0f };
    const bb_biquad_kind kinds[3] = { BB_BIQUAD_LP, BB_BIQUAD_HP, BB_BIQUAD_BP };
    for (int k = 0; k < 3; k++) {
        double c[5];
        rbj(kinds[k], 48000.0, 1234.5, 3.0, c);
        bb_biquad_init(&f, kinds[k], 48000.0f);
        bb_biquad_compute(&f, in, cut, q, NULL, out, 1);
        const float got[5] = { f.b0, f.b1, f.b2, f.a1, f.a2 };
        for (int i = 0; i < 5; i++)
            cr_assert(fabs((double)got[i] - c[i]) <= 1e-7 * fabs(c[i]) + 1e-12,
                      "kind %d coef %d: %.9g vs %.17g", k, i, (double)got[i], c[i]);
    }
}

static double rms(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return sqrt(s / (double)n);
}

static void tone(float *x, size_t n, double f, double sr)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)sin(2.0 * M_PI * f * (double)i / sr);
}

Test(dsp, biquad_lowpass_passes_low_and_attenuates_high)
{
    static float in[N], out[N];
    tone(in, N, 100.0, 44100.0);
    run_biquad(BB_BIQUAD_LP, 44100.0f, 1000.0f, 0.7071f, in, out, N);
    cr_assert(rms(out + 1024, N - 1024) > 0.95 * rms(in + 1024, N - 1024));
    tone(in, N, 10000.0, 44100.0);
    run_biquad(BB_BIQUAD_LP, 44100.0f, 1000.0f, 0.7071f, in, out, N);
    cr_assert(rms(out + 1024, N - 1024) < 0.02 * rms(in + 1024, N - 1024));
}

Test(dsp, biquad_highpass_and_bandpass_shapes)
{
    static float in[N], out[N];
    tone(in, N, 100.0, 44100.0);
    run_biquad(BB_BIQUAD_HP, 44100.0f, 2000.0f, 0.7071f, in, out, N);
    cr_assert(rms(out + 1024, N - 1024) < 0.01 * rms(in + 1024, N - 1024));
    tone(in, N, 10000.0, 44100.0);
    run_biquad(BB_BIQUAD_HP, 44100.0f, 2000.0f, 0.7071f, in, out, N);
    cr_assert(rms(out + 1024, N - 1024) > 0.95 * rms(in + 1024, N - 1024));
    /* constant 0 dB peak gain: a tone at the centre passes at unit gain */
    tone(in, N, 1000.0, 44100.0);
    run_biquad(BB_BIQUAD_BP, 44100.0f, 1000.0f, 5.0f, in, out, N);
    double g = rms(out + 2048, N - 2048) / rms(in + 2048, N - 2048);
    cr_assert(fabs(g - 1.0) < 0.01, "bandpass centre gain %g", g);
}

Test(dsp, biquad_clamps_cutoff_and_q)
{
    bb_biquad f;
    float in[1] = { 0 }, out[1], cut[1] = { 1e9f }, q[1] = { 100.0f };
    bb_biquad_init(&f, BB_BIQUAD_LP, 44100.0f);
    bb_biquad_compute(&f, in, cut, q, NULL, out, 1);
    cr_assert(f.cut == 0.45f * 44100.0f);
    cr_assert(f.q == 20.0f);
    cut[0] = -5.0f;
    q[0] = 0.0f;
    bb_biquad_compute(&f, in, cut, q, NULL, out, 1);
    cr_assert(f.cut == 10.0f);
    cr_assert(f.q == 0.1f);
    cut[0] = NAN;
    q[0] = NAN;
    bb_biquad_compute(&f, in, cut, q, NULL, out, 1);
    cr_assert(f.cut == 10.0f && f.q == 0.1f);
    cr_assert(isfinite(f.b0) && isfinite(f.a1));
}

Test(dsp, biquad_recomputes_coefficients_only_on_change)
{
    bb_biquad f;
    static float in[64], out[64], cut[64], q[64];
    fill(in, 64, 0.0f);
    fill(cut, 64, 500.0f);
    fill(q, 64, 1.0f);
    bb_biquad_init(&f, BB_BIQUAD_LP, 44100.0f);
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    cr_assert(f.cut == 500.0f && f.q == 1.0f);
    const float real_b0 = f.b0;
    f.b0 = 42.0f; /* a marker: survives as long as nothing is recomputed */
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    cr_assert(f.b0 == 42.0f, "recomputed although cutoff and q did not change");
    /* two cutoffs above 0.45 sr clamp to the same value: still no recomputation */
    fill(cut, 64, 30000.0f);
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    const float b0_hi = f.b0;
    f.b0 = 43.0f;
    fill(cut, 64, 40000.0f);
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    cr_assert(f.b0 == 43.0f);
    (void)b0_hi;
    /* a change of q alone recomputes */
    fill(cut, 64, 500.0f);
    fill(q, 64, 1.0f);
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    cr_assert(f.b0 == real_b0);
    q[10] = 2.0f;
    f.b0 = 44.0f;
    bb_biquad_compute(&f, in, cut, q, NULL, out, 64);
    cr_assert(f.b0 != 44.0f && f.q == 1.0f); /* recomputed at 10 and again at 11 */
}

Test(dsp, biquad_block_size_invariance)
{
    static float in[N], cut[N], q[N], whole[N], parts[N];
    for (int i = 0; i < N; i++) {
        in[i] = frand();
        cut[i] = 200.0f + (float)(i / 100) * 300.0f; /* stepped, as a pattern would */
        q[i] = 0.5f + (float)(i / 500);
    }
    for (int k = BB_BIQUAD_LP; k <= BB_BIQUAD_BP; k++) {
        bb_biquad f;
        bb_biquad_init(&f, (bb_biquad_kind)k, 44100.0f);
        bb_biquad_compute(&f, in, cut, q, NULL, whole, N);
        for (size_t c = 0; c < 3; c++) {
            bb_biquad_init(&f, (bb_biquad_kind)k, 44100.0f);
            for (size_t at = 0; at < N; at += CHUNKS[c]) {
                size_t m = N - at < CHUNKS[c] ? N - at : CHUNKS[c];
                bb_biquad_compute(&f, in + at, cut + at, q + at, NULL, parts + at, m);
            }
            cr_assert(memcmp(whole, parts, sizeof whole) == 0, "kind %d chunk %zu", k,
                      CHUNKS[c]);
        }
    }
}

/* ---- noise ------------------------------------------------------------------- */

Test(dsp, noise_is_xorshift64star_top_24_bits)
{
    bb_noise z;
    z.state = UINT64_C(0x0123456789ABCDEF);
    float out[1000];
    bb_noise_compute(&z, out, 1000);
    uint64_t x = UINT64_C(0x0123456789ABCDEF);
    for (int i = 0; i < 1000; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t r = x * UINT64_C(2685821657736338717);
        double want = (double)(r >> 40) / 8388608.0 - 1.0;
        cr_assert((double)out[i] == want, "noise[%d] = %.9g, want %.9g", i, (double)out[i], want);
    }
    cr_assert(z.state == x);
}

Test(dsp, noise_reproducible_per_seed_and_different_between_seeds)
{
    static float a[N], b[N], c[N];
    bb_noise z;
    bb_noise_init(&z, 7);
    bb_noise_compute(&z, a, N);
    bb_noise_init(&z, 7);
    bb_noise_compute(&z, b, N);
    bb_noise_init(&z, 8);
    bb_noise_compute(&z, c, N);
    cr_assert(memcmp(a, b, sizeof a) == 0);
    int same = 0;
    for (int i = 0; i < N; i++) same += a[i] == c[i];
    cr_assert(same < 10, "seeds 7 and 8 share %d samples", same);
}

Test(dsp, noise_statistics)
{
    static float x[1 << 17];
    const size_t n = sizeof x / sizeof x[0];
    bb_noise z;
    bb_noise_init(&z, 0); /* seed 0 is fine too */
    bb_noise_compute(&z, x, n);
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(x[i] >= -1.0f && x[i] < 1.0f);
        mean += (double)x[i];
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) var += ((double)x[i] - mean) * ((double)x[i] - mean);
    var /= (double)n;
    cr_assert(fabs(mean) < 0.01, "mean %g", mean);
    cr_assert(fabs(var - 1.0 / 3.0) < 0.01, "variance %g", var);
}

Test(dsp, noise_block_size_invariance)
{
    static float whole[N], parts[N];
    bb_noise z;
    bb_noise_init(&z, 12345);
    bb_noise_compute(&z, whole, N);
    for (size_t c = 0; c < 3; c++) {
        bb_noise_init(&z, 12345);
        for (size_t at = 0; at < N; at += CHUNKS[c]) {
            size_t m = N - at < CHUNKS[c] ? N - at : CHUNKS[c];
            bb_noise_compute(&z, parts + at, m);
        }
        cr_assert(memcmp(whole, parts, sizeof whole) == 0, "chunk %zu", CHUNKS[c]);
    }
}

/* ---- delay ------------------------------------------------------------------- */

Test(dsp, delay_impulse_response)
{
    bb_delay *d;
    cr_assert(bb_delay_create(&d, 1000.0f, 0.01f, 0.5f, 0.25f) == BB_OK);
    cr_assert(bb_delay_length(d) == 10);
    float in[64] = { 1.0f }, out[64];
    bb_delay_compute(d, in, out, 64);
    for (int i = 0; i < 64; i++) {
        float want = i == 0 ? 0.75f : i == 10 ? 0.25f : i == 20 ? 0.125f : i == 30 ? 0.0625f
                   : i == 40 ? 0.03125f : i == 50 ? 0.015625f : i == 60 ? 0.0078125f : 0.0f;
        cr_assert(out[i] == want, "delay out[%d] = %g, want %g", i, (double)out[i], (double)want);
    }
    bb_delay_destroy(d);
}

Test(dsp, delay_time_rounding_and_arguments)
{
    bb_delay *d;
    cr_assert(bb_delay_create(&d, 44100.0f, 0.25f, 0.3f, 0.5f) == BB_OK);
    cr_assert(bb_delay_length(d) == 11025);
    bb_delay_destroy(d);
    cr_assert(bb_delay_create(&d, 1000.0f, 0.0123f, 0.3f, 0.5f) == BB_OK);
    cr_assert(bb_delay_length(d) == 12);
    bb_delay_destroy(d);
    cr_assert(bb_delay_create(&d, 1000.0f, 0.0001f, 0.3f, 0.5f) == BB_OK);
    cr_assert(bb_delay_length(d) == 1, "at least one sample");
    bb_delay_destroy(d);
    cr_assert(bb_delay_create(&d, 44100.0f, 0.0f, 0.3f, 0.5f) == BB_ERR_ARG);
    cr_assert(d == NULL);
    cr_assert(bb_delay_create(&d, 44100.0f, -1.0f, 0.3f, 0.5f) == BB_ERR_ARG);
    cr_assert(bb_delay_create(&d, 44100.0f, 10.5f, 0.3f, 0.5f) == BB_ERR_ARG);
    cr_assert(bb_delay_create(&d, 44100.0f, NAN, 0.3f, 0.5f) == BB_ERR_ARG);
}

Test(dsp, delay_clamps_feedback)
{
    bb_delay *d;
    cr_assert(bb_delay_create(&d, 1000.0f, 0.001f, 5.0f, 1.0f) == BB_OK);
    float in[4] = { 1.0f }, out[4];
    bb_delay_compute(d, in, out, 4);
    cr_assert(out[0] == 0.0f && out[1] == 1.0f && out[2] == 0.99f);
    bb_delay_destroy(d);
}

Test(dsp, delay_init_restores_fresh_state_and_compute_does_not_allocate)
{
    static float in[N], a[N], b[N];
    for (int i = 0; i < N; i++) in[i] = frand();
    bb_delay *d;
    cr_assert(bb_delay_create(&d, 44100.0f, 0.03f, 0.7f, 0.4f) == BB_OK);
    bb_alloc_stats s0 = bb_alloc_snapshot();
    bb_delay_compute(d, in, a, N);
    bb_delay_init(d);
    bb_delay_compute(d, in, b, N);
    bb_alloc_stats s1 = bb_alloc_snapshot();
    cr_assert(memcmp(a, b, sizeof a) == 0);
    cr_assert(s1.allocs == s0.allocs);
    bb_delay_destroy(d);
}

Test(dsp, delay_block_size_invariance)
{
    static float in[N], whole[N], parts[N];
    for (int i = 0; i < N; i++) in[i] = frand();
    bb_delay *d;
    cr_assert(bb_delay_create(&d, 44100.0f, 0.0071f, 0.6f, 0.5f) == BB_OK);
    bb_delay_compute(d, in, whole, N);
    for (size_t c = 0; c < 3; c++) {
        bb_delay_init(d);
        for (size_t at = 0; at < N; at += CHUNKS[c]) {
            size_t m = N - at < CHUNKS[c] ? N - at : CHUNKS[c];
            bb_delay_compute(d, in + at, parts + at, m);
        }
        cr_assert(memcmp(whole, parts, sizeof whole) == 0, "chunk %zu", CHUNKS[c]);
    }
    bb_delay_destroy(d);
}

Test(dsp, delay_create_reports_nomem)
{
    bb_delay *d;
    bb_alloc_fail_at(2);
    cr_assert(bb_delay_create(&d, 44100.0f, 0.5f, 0.5f, 0.5f) == BB_ERR_NOMEM);
    cr_assert(d == NULL);
    bb_alloc_fail_at(0);
}

/* ---- reverb ------------------------------------------------------------------ */

/* Freeverb, mono, sample by sample, straight from the documented formulas. */
typedef struct {
    float *buf[12];
    size_t len[12], pos[12];
    float store[8];
    float fb, d1, d2, mix;
} ref_verb;

static void ref_verb_init(ref_verb *r, double sr, float room, float damp, float mix)
{
    static const int t[12] = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617, 556, 441, 341, 225 };
    for (int k = 0; k < 12; k++) {
        long l = lround((double)t[k] * sr / 44100.0);
        r->len[k] = (size_t)(l < 1 ? 1 : l);
        r->buf[k] = calloc(r->len[k], sizeof(float));
        r->pos[k] = 0;
    }
    for (int k = 0; k < 8; k++) r->store[k] = 0;
    r->fb = room * 0.28f + 0.7f;
    r->d1 = damp * 0.4f;
    r->d2 = 1.0f - r->d1;
    r->mix = mix;
}

static float ref_verb_tick(ref_verb *r, float in)
{
    float x = in * 0.015f, acc = 0.0f;
    for (int k = 0; k < 8; k++) {
        float o = r->buf[k][r->pos[k]];
        r->store[k] = o * r->d2 + r->store[k] * r->d1;
        r->buf[k][r->pos[k]] = x + r->store[k] * r->fb;
        r->pos[k] = (r->pos[k] + 1) % r->len[k];
        acc += o;
    }
    for (int k = 8; k < 12; k++) {
        float b = r->buf[k][r->pos[k]];
        float y = b - acc;
        r->buf[k][r->pos[k]] = acc + b * 0.5f;
        r->pos[k] = (r->pos[k] + 1) % r->len[k];
        acc = y;
    }
    return (1.0f - r->mix) * in + r->mix * acc;
}

Test(dsp, reverb_matches_sample_by_sample_freeverb)
{
    enum { M = 3 * N };
    static float in[M], out[M];
    for (int i = 0; i < M; i++) in[i] = i < 500 ? frand() : 0.0f;
    /* 1200 Hz: the last allpass (225 at 44100) is 6 samples, shorter than a group of 8, and
       every other line is at least 9: the groups must fall back to one sample at a time */
    const double rates[3] = { 44100.0, 48000.0, 1200.0 };
    for (int s = 0; s < 3; s++) {
        bb_reverb *r;
        cr_assert(bb_reverb_create(&r, (float)rates[s], 0.8f, 0.3f, 0.6f) == BB_OK);
        bb_reverb_compute(r, in, out, M);
        ref_verb ref;
        ref_verb_init(&ref, rates[s], 0.8f, 0.3f, 0.6f);
        for (int i = 0; i < M; i++) {
            float want = ref_verb_tick(&ref, in[i]);
            cr_assert(fabsf(out[i] - want) <= 1e-6f, "sr %g sample %d: %.9g vs %.9g",
                      rates[s], i, (double)out[i], (double)want);
        }
        for (int k = 0; k < 12; k++) free(ref.buf[k]);
        bb_reverb_destroy(r);
    }
}

Test(dsp, reverb_fresh_init_repeats_and_decays)
{
    enum { M = 44100 * 4 };
    static float in[M], a[M], b[M];
    in[0] = 1.0f;
    bb_reverb *r;
    cr_assert(bb_reverb_create(&r, 44100.0f, 0.5f, 0.5f, 1.0f) == BB_OK);
    bb_alloc_stats s0 = bb_alloc_snapshot();
    bb_reverb_compute(r, in, a, M);
    bb_reverb_init(r);
    bb_reverb_compute(r, in, b, M);
    bb_alloc_stats s1 = bb_alloc_snapshot();
    cr_assert(s1.allocs == s0.allocs, "compute allocated");
    cr_assert(memcmp(a, b, sizeof a) == 0);
    double early = rms(a, 22050), late = rms(a + M - 22050, 22050);
    cr_assert(early > 1e-4, "reverb is silent (%g)", early);
    cr_assert(late < early * 0.01, "early %g late %g", early, late);
    bb_reverb_destroy(r);
}

Test(dsp, reverb_mix_zero_is_dry)
{
    static float in[N], out[N];
    for (int i = 0; i < N; i++) in[i] = frand();
    bb_reverb *r;
    cr_assert(bb_reverb_create(&r, 44100.0f, 0.9f, 0.1f, 0.0f) == BB_OK);
    bb_reverb_compute(r, in, out, N);
    cr_assert(memcmp(in, out, sizeof in) == 0);
    bb_reverb_destroy(r);
}

Test(dsp, reverb_tiny_sample_rate_keeps_lines_at_least_one)
{
    bb_reverb *r;
    cr_assert(bb_reverb_create(&r, 10.0f, 0.5f, 0.5f, 0.5f) == BB_OK);
    float in[64] = { 1.0f }, out[64];
    bb_reverb_compute(r, in, out, 64);
    for (int i = 0; i < 64; i++) cr_assert(isfinite(out[i]));
    bb_reverb_destroy(r);
    cr_assert(bb_reverb_create(&r, 0.0f, 0.5f, 0.5f, 0.5f) == BB_ERR_ARG);
}

/* The rates a reverb takes are (0, 1e7] Hz: 1e7 itself is taken, the next float above is not. */
Test(dsp, reverb_takes_rates_up_to_1e7_and_no_more)
{
    bb_reverb *r;
    cr_assert(bb_reverb_create(&r, 1e7f, 0.5f, 0.5f, 0.5f) == BB_OK);
    cr_assert(r != NULL);
    bb_reverb_destroy(r);
    cr_assert(bb_reverb_create(&r, nextafterf(1e7f, INFINITY), 0.5f, 0.5f, 0.5f) == BB_ERR_ARG);
    cr_assert(r == NULL);
    cr_assert(bb_reverb_create(&r, NAN, 0.5f, 0.5f, 0.5f) == BB_ERR_ARG);
    cr_assert(bb_reverb_create(&r, -1.0f, 0.5f, 0.5f, 0.5f) == BB_ERR_ARG);
}

Test(dsp, reverb_block_size_invariance)
{
    static float in[N], whole[N], parts[N];
    for (int i = 0; i < N; i++) in[i] = frand();
    bb_reverb *r;
    cr_assert(bb_reverb_create(&r, 44100.0f, 0.7f, 0.2f, 0.5f) == BB_OK);
    bb_reverb_compute(r, in, whole, N);
    const size_t chunks[4] = { 1, 7, 64, 300 };
    for (size_t c = 0; c < 4; c++) {
        bb_reverb_init(r);
        for (size_t at = 0; at < N; at += chunks[c]) {
            size_t m = N - at < chunks[c] ? N - at : chunks[c];
            bb_reverb_compute(r, in + at, parts + at, m);
        }
        cr_assert(memcmp(whole, parts, sizeof whole) == 0, "chunk %zu", chunks[c]);
    }
    bb_reverb_destroy(r);
}

Test(dsp, reverb_create_reports_nomem)
{
    bb_reverb *r;
    bb_alloc_fail_at(2);
    cr_assert(bb_reverb_create(&r, 44100.0f, 0.5f, 0.5f, 0.5f) == BB_ERR_NOMEM);
    cr_assert(r == NULL);
    bb_alloc_fail_at(0);
}
