/* test_math.c - Criterion suite "math": the core's own sin, cos, exp2, sin2pi.
 *
 * The references are the platform's libm in double precision (glibc's sin, cos
 * and exp2 are within an ulp or so), used here only as a yardstick with a
 * tolerance; the tested functions never call them. Points come from a fixed
 * LCG so every run checks the same values. */
#include <criterion/criterion.h>

#include "bb_math.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static uint64_t lcg_state = 0x1234567u;

static double urand(void) /* [0, 1) */
{
    lcg_state = lcg_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(lcg_state >> 11) * 0x1p-53;
}

/* |got - want| <= rel * |want| + abs_tol */
static int close_to(double got, double want, double rel, double abs_tol)
{
    return fabs(got - want) <= rel * fabs(want) + abs_tol;
}

Test(math, sin_small_arguments_match_libm)
{
    for (int i = -20000; i <= 20000; i++) {
        double x = (double)i * 0.000731;
        double want = sin(x);
        cr_assert(close_to(bb_sin(x), want, 1e-14, 1e-300), "bb_sin(%.17g) = %.17g, want %.17g",
                  x, bb_sin(x), want);
    }
}

Test(math, sin_random_arguments_up_to_1e6_match_libm)
{
    for (int i = 0; i < 200000; i++) {
        double x = (urand() * 2.0 - 1.0) * 1e6;
        double want = sin(x);
        cr_assert(close_to(bb_sin(x), want, 1e-14, 1e-300), "bb_sin(%.17g) = %.17g, want %.17g",
                  x, bb_sin(x), want);
    }
}

Test(math, cos_random_arguments_up_to_1e6_match_libm)
{
    for (int i = 0; i < 200000; i++) {
        double x = (urand() * 2.0 - 1.0) * (i % 2 ? 1e6 : 10.0);
        double want = cos(x);
        cr_assert(close_to(bb_cos(x), want, 1e-14, 1e-300), "bb_cos(%.17g) = %.17g, want %.17g",
                  x, bb_cos(x), want);
    }
}

Test(math, sin_cos_near_multiples_of_half_pi_keep_relative_accuracy)
{
    /* Where the result is tiny, only an accurate argument reduction helps. */
    for (int k = -5000; k <= 5000; k += 7) {
        double x = (double)k * (M_PI / 2.0);
        for (int j = -2; j <= 2; j++) {
            double y = nextafter(x, j < 0 ? -(double)INFINITY : (double)INFINITY);
            if (j == 0) y = x;
            cr_assert(close_to(bb_sin(y), sin(y), 1e-14, 1e-300), "bb_sin(%.17g)", y);
            cr_assert(close_to(bb_cos(y), cos(y), 1e-14, 1e-300), "bb_cos(%.17g)", y);
        }
    }
}

Test(math, sin_cos_exact_points_and_symmetry)
{
    cr_assert(bb_sin(0.0) == 0.0);
    cr_assert(bb_cos(0.0) == 1.0);
    for (int i = 0; i < 10000; i++) {
        double x = urand() * 1000.0;
        cr_assert(bb_sin(-x) == -bb_sin(x), "sin is odd at %.17g", x);
        cr_assert(bb_cos(-x) == bb_cos(x), "cos is even at %.17g", x);
    }
}

Test(math, sin_cos_non_finite_give_nan)
{
    cr_assert(isnan(bb_sin((double)INFINITY)));
    cr_assert(isnan(bb_cos(-(double)INFINITY)));
    cr_assert(isnan(bb_sin((double)NAN)));
}

Test(math, exp2_matches_libm_over_its_range)
{
    for (int i = 0; i < 200000; i++) {
        double x = (urand() * 2.0 - 1.0) * (i % 2 ? 999.0 : 4.0);
        double want = exp2(x);
        cr_assert(close_to(bb_exp2(x), want, 1e-14, 0.0), "bb_exp2(%.17g) = %.17g, want %.17g",
                  x, bb_exp2(x), want);
    }
}

Test(math, exp2_of_integers_is_exact)
{
    for (int k = -1022; k <= 1023; k++)
        cr_assert(bb_exp2((double)k) == ldexp(1.0, k), "bb_exp2(%d)", k);
    cr_assert(bb_exp2(0.5) == bb_exp2(0.5));
    cr_assert(close_to(bb_exp2(0.5), M_SQRT2, 1e-15, 0.0));
}

Test(math, exp2_edges)
{
    cr_assert(isinf(bb_exp2(1024.0)));
    cr_assert(bb_exp2(-2000.0) == 0.0);
    cr_assert(isnan(bb_exp2((double)NAN)));
    /* subnormal results are close to libm's */
    cr_assert(close_to(bb_exp2(-1030.3), exp2(-1030.3), 1e-12, 0x1p-1074));
    cr_assert(close_to(bb_exp2(1023.7), exp2(1023.7), 1e-14, 0.0));
}

Test(math, sin2pi_error_below_1e6_on_unit_interval)
{
    for (int i = 0; i < 1000000; i++) {
        float p = (float)i / 1000000.0f;
        double want = sin(2.0 * M_PI * (double)p);
        float got = bb_sin2pi(p);
        cr_assert(fabs((double)got - want) < 1e-6, "bb_sin2pi(%.9g) = %.9g, want %.17g",
                  (double)p, (double)got, want);
    }
}

Test(math, sin2pi_reduces_negative_and_large_arguments)
{
    for (int i = 0; i < 200000; i++) {
        float p = (float)((urand() * 2.0 - 1.0) * (i % 2 ? 4000.0 : 3.0));
        double frac = (double)p - floor((double)p);
        double want = sin(2.0 * M_PI * frac);
        float got = bb_sin2pi(p);
        cr_assert(fabs((double)got - want) < 1e-6, "bb_sin2pi(%.9g) = %.9g, want %.17g",
                  (double)p, (double)got, want);
    }
    cr_assert(bb_sin2pi(1e9f) == 0.0f);
    cr_assert(fabsf(bb_sin2pi(-1e-30f)) < 1e-20f);
    cr_assert(isnan(bb_sin2pi(NAN)));
}

Test(math, sin2pi_quarter_points)
{
    cr_assert(bb_sin2pi(0.0f) == 0.0f);
    cr_assert(bb_sin2pi(0.25f) == 1.0f);
    cr_assert(fabsf(bb_sin2pi(0.5f)) < 1e-7f);
    cr_assert(bb_sin2pi(0.75f) == -1.0f);
    cr_assert(bb_sin2pi(-0.25f) == -1.0f);
}

Test(math, sin2pi_unit_kernel_equals_reduced_function)
{
    for (int i = 0; i < 100000; i++) {
        float p = (float)urand();
        float a = bb_sin2pi_unit(p), b = bb_sin2pi(p);
        cr_assert(memcmp(&a, &b, sizeof a) == 0, "p = %.9g", (double)p);
    }
}
