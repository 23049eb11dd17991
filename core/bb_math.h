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

#endif
