/* bb_math.h - the core's own deterministic transcendental functions.
 *
 * Values that reach the output never come from the platform's libm (whose sin,
 * cos and exp differ between glibc versions and architectures). These are
 * polynomial approximations evaluated with plain IEEE operations in a fixed
 * order (the build uses -ffp-contract=off), so they give the same bits on every
 * x86-64 and arm64 Linux. sqrt and floor are exact in IEEE 754 and may come
 * from libm. */
#ifndef BB_MATH_H
#define BB_MATH_H

#define BB_PI 3.14159265358979323846

/* sin(2*pi*p) in single precision for any finite p (reduced to [0,1) first).
 * Absolute error below 1e-6. */
float bb_sin2pi(float p);

/* sin(x), cos(x) in double precision, |x| < 1e6; relative error below 1e-14. */
double bb_sin(double x);
double bb_cos(double x);

/* 2^x in double precision for |x| < 1000; relative error below 1e-14. */
double bb_exp2(double x);

/* sin(2*pi*p) for p already in [0, 1): the kernel of bb_sin2pi without the range
 * reduction, inline so that oscillators can call it per sample. For p in [0, 1)
 * bb_sin2pi_unit(p) and bb_sin2pi(p) give the same bits. Outside [0, 1) the
 * result is meaningless (but finite for finite p).
 *
 * Method: q = p - 1/2 in [-1/2, 1/2); sin(2 pi p) = -sin(2 pi q); |q| is folded
 * onto b in [0, 1/4] with sin(2 pi |q|) = sin(2 pi b); x = 2 pi b in [0, pi/2]
 * and sin(x) is its Taylor polynomial up to x^13 (truncation error < 7e-10),
 * evaluated in double in a fixed order (Estrin's scheme on x^2, for
 * instruction-level parallelism), then rounded once to float. Every step
 * is a plain IEEE operation, so the bits are the same on every machine. The
 * absolute values and the final sign are taken branch-free (fabs, copysign:
 * s >= 0 on [0, pi/2]) so oscillator loops vectorise; the bits are those of
 * the comparisons they replace (checked for every float in [0, 1)). */
static inline float bb_sin2pi_unit(float p)
{
    const double q = (double)p - 0.5;
    const double a = __builtin_fabs(q);
    const double d = a - 0.25;
    const double b = 0.25 - __builtin_fabs(d);
    const double x = b * 0x1.921fb54442d18p+2; /* 2*pi */
    const double x2 = x * x;
    const double x4 = x2 * x2;
    /* Estrin's scheme: three independent pairs, then combined */
    const double p01 = -1.0 / 6.0 + x2 * (1.0 / 120.0);
    const double p23 = -1.0 / 5040.0 + x2 * (1.0 / 362880.0);
    const double p45 = -1.0 / 39916800.0 + x2 * (1.0 / 6227020800.0);
    const double s = x + x * x2 * (p01 + x4 * (p23 + x4 * p45));
    return (float)__builtin_copysign(s, -q); /* q < 0 ? s : -s (s >= 0 on [0, pi/2]) */
}

#endif
