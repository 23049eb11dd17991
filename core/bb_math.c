/* bb_math.c - sin, cos, 2^x and sin(2 pi p) without the platform's libm.
 *
 * Why: glibc's sin/cos/exp differ in the last bit between versions and between
 * x86-64 and arm64, and one differing bit in an oscillator or a filter
 * coefficient changes every later sample of a render. The golden WAVs must match
 * on any machine, so every transcendental value that can reach the output comes
 * from here: a fixed sequence of IEEE additions and multiplications (the build
 * uses -ffp-contract=off, so no fused multiply-add sneaks in), plus floor, which
 * IEEE 754 defines exactly.
 *
 * Methods (all polynomials are Taylor series; their coefficients are 1/n!
 * written as exact integer divisions that the compiler folds with correct
 * rounding):
 *   - bb_sin, bb_cos: Cody-Waite reduction x = k*(pi/2) + r, |r| <= pi/4, with
 *     pi/2 split in three parts (33 + 33 + 53 bits) so that k*part is exact for
 *     k < 2^20, which covers the contract's |x| < 1e6. Then sin(r) to r^17 and
 *     cos(r) to r^16 (truncation error below 1e-19), chosen by k mod 4.
 *     Relative error ~2 ulp; beyond |x| = 1e6 accuracy degrades gracefully, and
 *     |x| > 1e15 or a non-finite x gives NaN.
 *   - bb_exp2: x = k + f, |f| <= 1/2, e^(f ln 2) to the 13th power (truncation
 *     error below 1e-17), scaled by 2^k built from its bit pattern. x >= 1024
 *     gives +inf, x < -1080 gives 0, results between are correctly scaled
 *     (subnormal ones rounded once).
 *   - bb_sin2pi: reduce p to [0, 1) (p - floor(p) of a float is exact
 *     in double but for tiny negative p), then the kernel bb_sin2pi_unit of bb_math.h. */
#include "bb_math.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* pi/2 = PIO2_1 + PIO2_2 + PIO2_3 (+ ~1e-37). PIO2_1 and PIO2_2 have 33
 * significant bits each. */
static const double PIO2_1 = 0x1.921fb544p+0;
static const double PIO2_2 = 0x1.0b4611a6p-34;
static const double PIO2_3 = 0x1.3198a2e037073p-69;
static const double INV_PIO2 = 0x1.45f306dc9c883p-1; /* 2/pi */
static const double LN2 = 0x1.62e42fefa39efp-1;

/* sin(r) for |r| <= pi/4. */
static double kernel_sin(double r)
{
    const double r2 = r * r;
    const double p = -1.0 / 6.0
        + r2 * (1.0 / 120.0
        + r2 * (-1.0 / 5040.0
        + r2 * (1.0 / 362880.0
        + r2 * (-1.0 / 39916800.0
        + r2 * (1.0 / 6227020800.0
        + r2 * (-1.0 / 1307674368000.0
        + r2 * (1.0 / 355687428096000.0)))))));
    return r + r * r2 * p;
}

/* cos(r) for |r| <= pi/4. */
static double kernel_cos(double r)
{
    const double r2 = r * r;
    const double p = -1.0 / 2.0
        + r2 * (1.0 / 24.0
        + r2 * (-1.0 / 720.0
        + r2 * (1.0 / 40320.0
        + r2 * (-1.0 / 3628800.0
        + r2 * (1.0 / 479001600.0
        + r2 * (-1.0 / 87178291200.0
        + r2 * (1.0 / 20922789888000.0)))))));
    return 1.0 + r2 * p;
}

/* x = k*pi/2 + *r; returns k mod 4, or -1 when x is not finite or too large. */
static int reduce_pio2(double x, double *r)
{
    if (!(fabs(x) <= 1e15)) return -1;
    const double k = floor(x * INV_PIO2 + 0.5);
    double y = x - k * PIO2_1;
    y = y - k * PIO2_2;
    y = y - k * PIO2_3;
    *r = y;
    const double m = k - 4.0 * floor(k * 0.25); /* exact: 0, 1, 2 or 3 */
    return (int)m;
}

double bb_sin(double x)
{
    double r;
    switch (reduce_pio2(x, &r)) {
    case 0: return kernel_sin(r);
    case 1: return kernel_cos(r);
    case 2: return -kernel_sin(r);
    case 3: return -kernel_cos(r);
    default: return (double)NAN;
    }
}

double bb_cos(double x)
{
    double r;
    switch (reduce_pio2(x, &r)) {
    case 0: return kernel_cos(r);
    case 1: return -kernel_sin(r);
    case 2: return -kernel_cos(r);
    case 3: return kernel_sin(r);
    default: return (double)NAN;
    }
}

/* 2^k for -1022 <= k <= 1023, from its bit pattern. */
static double pow2i(int k)
{
    const uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

double bb_exp2(double x)
{
    if (x != x) return x;
    if (x >= 1024.0) return HUGE_VAL;
    if (x < -1080.0) return 0.0;
    const double kd = floor(x + 0.5);
    const double t = (x - kd) * LN2; /* |t| <= ln(2)/2 */
    const double p = 1.0 + t * (1.0
        + t * (1.0 / 2.0
        + t * (1.0 / 6.0
        + t * (1.0 / 24.0
        + t * (1.0 / 120.0
        + t * (1.0 / 720.0
        + t * (1.0 / 5040.0
        + t * (1.0 / 40320.0
        + t * (1.0 / 362880.0
        + t * (1.0 / 3628800.0
        + t * (1.0 / 39916800.0
        + t * (1.0 / 479001600.0
        + t * (1.0 / 6227020800.0)))))))))))));
    int k = (int)kd;
    double s = p;
    if (k > 1023) { /* x in [1023.5, 1024): 2 * 2^1023 */
        s *= 2.0;
        k -= 1;
    } else if (k < -1022) { /* subnormal result: scale in two exact steps */
        s *= 0x1p-64;
        k += 64;
    }
    return s * pow2i(k);
}

float bb_sin2pi(float p)
{
    const double d = (double)p;
    if (!(fabs(d) < 0x1p24)) /* every float this large is an integer */
        return d != d || fabs(d) == HUGE_VAL ? NAN : 0.0f;
    /* In [0, 1) and exact, except for a negative p so small that 1 + p rounds
     * to 1, which the kernel maps to sin(2 pi) = -0: error below 1e-37. */
    const double r = d - floor(d);
    return bb_sin2pi_unit((float)r);
}
