/* test_stats.c - Criterion suite "stats": the bench's statistics against
 * values computed by hand.
 *
 * Quantiles are type 7 (linear interpolation): for sorted x[0..n), q(p) =
 * x[h] + frac(h) (x[h+1] - x[h]) with h = (n-1) p. Every expected value below
 * is worked out in the comment beside it. The bootstrap is checked for its
 * contract (deterministic for a seed, an interval around the median, exact
 * when every resample gives the same value), not for particular numbers.
 * The normal and chi-square quantiles are checked against printed tables; the A/A noise floor
 * against its formula and its monotony (more configurations or confidence: higher; more trials:
 * lower). */
#include <criterion/criterion.h>

#include "bb_stats.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* a equals b up to rounding (relative 1e-12) */
static bool near(double a, double b) { return fabs(a - b) <= 1e-12 * (1 + fabs(b)); }

Test(stats, median_odd_even_and_unsorted)
{
    double odd[] = {3, 1, 2};        /* sorted 1 2 3: 2 */
    double even[] = {4, 1, 3, 2};    /* sorted 1 2 3 4: (2+3)/2 */
    double one[] = {7};
    cr_assert(near(bb_stats_median(odd, 3), 2));
    cr_assert(near(bb_stats_median(even, 4), 2.5));
    cr_assert(near(bb_stats_median(one, 1), 7));
    cr_assert(isnan(bb_stats_median(NULL, 0)));
    cr_assert(odd[0] == 3 && odd[1] == 1, "the input is not modified");
}

Test(stats, quantiles_type7)
{
    double x[10];
    for (int i = 0; i < 10; i++) x[i] = i + 1; /* 1..10 */
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 0), 1));
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 1), 10));
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 0.5), 5.5));   /* h = 4.5 */
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 0.9), 9.1));   /* h = 8.1: 9 + 0.1 */
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 0.99), 9.91)); /* h = 8.91 */
    cr_assert(near(bb_stats_quantile_sorted(x, 10, 0.25), 3.25)); /* h = 2.25 */
    cr_assert(isnan(bb_stats_quantile_sorted(x, 0, 0.5)));
}

Test(stats, mean_stddev)
{
    double x[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, squares sum 32, sample variance 32/7 */
    cr_assert(near(bb_stats_mean(x, 8), 5));
    cr_assert(near(bb_stats_stddev(x, 8), sqrt(32.0 / 7.0)));
    cr_assert(bb_stats_stddev(x, 1) == 0);
    cr_assert(isnan(bb_stats_stddev(x, 0)));
}

Test(stats, mad)
{
    double x[] = {1, 1, 2, 2, 4, 6, 9}; /* median 2; |x-2| = 1 1 0 0 2 4 7 -> sorted 0 0 1 1 2 4 7: 1 */
    cr_assert(near(bb_stats_mad(x, 7), 1));
    double y[] = {10, 20, 30, 40};      /* median 25; deviations 15 5 5 15 -> 5 5 15 15: 10 */
    cr_assert(near(bb_stats_mad(y, 4), 10));
}

Test(stats, summary)
{
    double x[] = {5, 1, 4, 2, 3};
    bb_sample_stats s;
    cr_assert(bb_stats_summary(x, 5, &s) == 0);
    cr_assert(s.n == 5);
    cr_assert(near(s.median, 3) && near(s.mean, 3) && near(s.min, 1) && near(s.max, 5));
    cr_assert(near(s.stddev, sqrt(10.0 / 4.0))); /* squares 4+1+0+1+4 = 10 over n-1 = 4 */
    cr_assert(near(s.mad, 1));                   /* deviations 2 2 1 1 0 -> median 1 */
    cr_assert(bb_stats_summary(x, 0, &s) == 0 && isnan(s.median) && s.n == 0);
}

Test(stats, latency_percentiles_and_misses)
{
    double x[1000];
    for (int i = 0; i < 1000; i++) x[999 - i] = i + 1; /* 1..1000, reversed */
    bb_latency l;
    cr_assert(bb_stats_latency(x, 1000, 990, &l) == 0);
    cr_assert(l.n == 1000);
    cr_assert(near(l.p50, 500.5));      /* h = 499.5 */
    cr_assert(near(l.p99, 990.01));     /* h = 989.01 */
    cr_assert(near(l.p999, 999.001));   /* h = 998.001 */
    cr_assert(near(l.max, 1000));
    cr_assert(l.misses == 10, "991..1000 are over 990 (got %llu)", (unsigned long long)l.misses);
    cr_assert(bb_stats_latency(x, 1000, 1000, &l) == 0 && l.misses == 0, "equal to the deadline is not a miss");
    cr_assert(bb_stats_latency(x, 0, 1, &l) == 0 && l.n == 0 && isnan(l.p99) && l.misses == 0);
}

Test(stats, rng_deterministic_and_bounded)
{
    bb_stats_rng a, b, c;
    bb_stats_rng_seed(&a, 42);
    bb_stats_rng_seed(&b, 42);
    bb_stats_rng_seed(&c, 43);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = bb_stats_rng_next(&a);
        cr_assert(x == bb_stats_rng_next(&b));
        differ |= x != bb_stats_rng_next(&c);
    }
    cr_assert(differ, "another seed gives another stream");
    int hist[7] = {0};
    for (int i = 0; i < 70000; i++) {
        uint64_t v = bb_stats_rng_below(&a, 7);
        cr_assert(v < 7);
        hist[v]++;
    }
    for (int i = 0; i < 7; i++) cr_assert(hist[i] > 9000 && hist[i] < 11000, "bucket %d: %d", i, hist[i]);
    cr_assert(bb_stats_rng_below(&a, 1) == 0);
}

Test(stats, bootstrap_median_ci)
{
    double x[] = {10.2, 9.8, 10.5, 10.1, 9.9, 10.0, 10.3, 9.7, 10.4, 10.6, 9.6};
    size_t n = sizeof x / sizeof x[0];
    double med = bb_stats_median(x, n), lo, hi, lo2, hi2;
    cr_assert(bb_stats_bootstrap_median_ci(x, n, 2000, 0.95, 7, &lo, &hi) == 0);
    cr_assert(lo <= med && med <= hi, "[%g, %g] contains the median %g", lo, hi, med);
    cr_assert(lo >= 9.6 && hi <= 10.6, "within the data's range");
    cr_assert(lo < hi, "a real interval for spread data");
    cr_assert(bb_stats_bootstrap_median_ci(x, n, 2000, 0.95, 7, &lo2, &hi2) == 0);
    cr_assert(lo == lo2 && hi == hi2, "deterministic for a seed");
    double one = 3.5;
    cr_assert(bb_stats_bootstrap_median_ci(&one, 1, 100, 0.95, 1, &lo, &hi) == 0 && lo == 3.5 && hi == 3.5);
    cr_assert(bb_stats_bootstrap_median_ci(x, 0, 100, 0.95, 1, &lo, &hi) == -1 && isnan(lo) && isnan(hi));
}

Test(stats, bootstrap_ratio_ci_paired)
{
    /* base is exactly twice x in every round: every resample's ratio is 2 */
    double x[] = {5, 7, 6, 9, 5.5, 8, 6.5};
    double base[7];
    for (int i = 0; i < 7; i++) base[i] = 2 * x[i];
    double lo, hi;
    cr_assert(bb_stats_bootstrap_ratio_ci(base, x, 7, 1000, 0.95, 3, &lo, &hi) == 0);
    cr_assert(near(lo, 2) && near(hi, 2), "[%g, %g]", lo, hi);
    /* drift that hits both sides of a pair cancels: rounds get slower and slower,
       the ratio stays near 3 and the paired interval stays tight around it */
    double b2[9], x2[9];
    for (int i = 0; i < 9; i++) {
        double drift = 1 + 0.2 * i;
        x2[i] = 1.0 * drift * (1 + 0.01 * (i % 3));
        b2[i] = 3.0 * drift;
    }
    cr_assert(bb_stats_bootstrap_ratio_ci(b2, x2, 9, 2000, 0.95, 3, &lo, &hi) == 0);
    double ratio = bb_stats_median(b2, 9) / bb_stats_median(x2, 9);
    cr_assert(lo <= ratio + 1e-9 && ratio <= hi + 1e-9, "[%g, %g] around %g", lo, hi, ratio);
    cr_assert(lo > 2.9 && hi < 3.01, "pairs cancel the drift: [%g, %g]", lo, hi);
    double lo2, hi2;
    bb_stats_bootstrap_ratio_ci(b2, x2, 9, 2000, 0.95, 3, &lo2, &hi2);
    cr_assert(lo == lo2 && hi == hi2);
}

/* The scaling bounds against values by hand: seq 30, par 70 (total 100).
 * Amdahl at 2: 100 / (30 + 35) = 1.538...; at 8: 100 / (30 + 8.75) = 2.580...
 * Pipeline at 2: 100 / max(30, 50) = 2; at 8: 100 / max(30, 12.5) = 3.333...
 * Both 1 at 1 thread, never above the threads, pipeline >= Amdahl. */
Test(stats, scaling_bounds)
{
    cr_assert(near(bb_stats_amdahl_bound(30, 70, 1), 1.0) && near(bb_stats_pipeline_bound(30, 70, 1), 1.0));
    cr_assert(near(bb_stats_amdahl_bound(30, 70, 2), 100.0 / 65.0));
    cr_assert(near(bb_stats_amdahl_bound(30, 70, 8), 100.0 / 38.75));
    cr_assert(near(bb_stats_pipeline_bound(30, 70, 2), 2.0));
    cr_assert(near(bb_stats_pipeline_bound(30, 70, 8), 100.0 / 30.0));
    cr_assert(near(bb_stats_amdahl_bound(0, 70, 4), 4.0) && near(bb_stats_pipeline_bound(0, 70, 4), 4.0),
              "no sequential part: linear");
    cr_assert(near(bb_stats_amdahl_bound(5, 0, 4), 1.0) && near(bb_stats_pipeline_bound(5, 0, 4), 1.0),
              "no parallel part: nothing to gain");
    for (int t = 1; t <= 64; t *= 2) {
        double a = bb_stats_amdahl_bound(12, 88, t), p = bb_stats_pipeline_bound(12, 88, t);
        cr_assert(a >= 1 && a <= t && p >= a && p <= t, "threads %d: Amdahl %g, pipeline %g", t, a, p);
    }
    cr_assert(isnan(bb_stats_amdahl_bound((double)NAN, 1, 2)) && isnan(bb_stats_pipeline_bound(1, -1, 2)));
    cr_assert(isnan(bb_stats_amdahl_bound(0, 0, 2)) && isnan(bb_stats_pipeline_bound(1, 1, 0)));
}

/* ---- the Mann-Whitney U test and the interval of a change (the gate's statistics): against values
 * computed by hand and by brute-force enumeration (exact: every arrangement of the ranks; normal
 * approximation: the textbook formula with the tie correction, evaluated independently) ---- */
Test(stats, mann_whitney_exact_small_samples)
{
    bb_stats_mwu u;
    double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    cr_assert(bb_stats_mann_whitney(a, 3, b, 3, &u) == 0);
    cr_assert(u.exact && u.u == 9, "U of y = every pair, 9; got %g", u.u);
    cr_assert(fabs(u.p - 0.1) < 1e-12, "complete separation of 3 and 3: p = 2/C(6,3) = 0.1, got %g", u.p);
    double c[] = {1, 2, 3, 4}, d[] = {5, 6, 7, 8};
    bb_stats_mann_whitney(c, 4, d, 4, &u);
    cr_assert(fabs(u.p - 2.0 / 70) < 1e-12, "4 and 4: p = 2/70, got %g", u.p);
    double e[] = {1, 3, 5}, f[] = {2, 4, 6};
    bb_stats_mann_whitney(e, 3, f, 3, &u);
    cr_assert(u.u == 6 && fabs(u.p - 0.7) < 1e-12, "interleaved: U = 6, p = 0.7 (enumeration), got %g, %g", u.u, u.p);
    double g[] = {1, 3, 5, 7, 9}, h[] = {2, 4, 6, 8, 10, 11, 12};
    bb_stats_mann_whitney(g, 5, h, 7, &u);
    cr_assert(u.u == 25 && fabs(u.p - 0.2676767676767677) < 1e-12, "5 and 7: U = 25, p = 0.26768 (enumeration), got %g, %g",
              u.u, u.p);
    /* symmetric: swapping the samples gives the same p and U' = mn - U */
    bb_stats_mwu v;
    bb_stats_mann_whitney(h, 7, g, 5, &v);
    cr_assert(fabs(v.p - u.p) < 1e-12 && v.u == 35 - u.u);
    /* identical samples: nothing to see */
    bb_stats_mann_whitney(a, 3, a, 3, &u);
    cr_assert(u.p == 1);
    bb_stats_mann_whitney(a, 0, b, 3, &u);
    cr_assert(u.p == 1 && u.u == 0, "an empty sample tests nothing");
}

Test(stats, mann_whitney_normal_approximation_with_ties)
{
    bb_stats_mwu u;
    double x[] = {1, 1, 2, 2, 3, 3, 4}, y[] = {2, 3, 3, 4, 5, 5, 6};
    cr_assert(bb_stats_mann_whitney(x, 7, y, 7, &u) == 0);
    cr_assert(!u.exact, "ties: the normal approximation");
    cr_assert(u.u == 40.5, "U with ties counting 1/2: 40.5, got %g", u.u);
    /* sigma^2 = mn/12 ((N+1) - sum(t^3 - t)/(N(N-1))) with ties 2,3,4,2,2 ... (hand: z = 2.018586) */
    cr_assert(fabs(u.z - 2.018586176023361) < 1e-9, "z %.12g", u.z);
    cr_assert(fabs(u.p - 0.043530249035711545) < 1e-9, "p %.12g", u.p);
    /* large samples (no ties, above the exact limit): 60 and 60, shifted by 30 */
    double a[60], b[60];
    for (int i = 0; i < 60; i++) {
        a[i] = i;
        b[i] = i + 30.5;
    }
    double want = 0;
    for (int i = 0; i < 60; i++)
        for (int j = 0; j < 60; j++) want += b[j] > a[i];
    bb_stats_mann_whitney(a, 60, b, 60, &u);
    cr_assert(!u.exact && u.u == want, "U %g, counted %g", u.u, want);
    cr_assert(u.p < 1e-10);
    /* the approximation agrees with the exact test at 20 and 20 (no ties) */
    double c[20], d[20];
    for (int i = 0; i < 20; i++) {
        c[i] = 2 * i;
        d[i] = 2 * i + 9;
    }
    bb_stats_mwu ex;
    bb_stats_mann_whitney(c, 20, d, 20, &ex);
    cr_assert(ex.exact);
    double z = (ex.u - 200 - 0.5) / sqrt(20.0 * 20 * 41 / 12);
    double pn = erfc(fabs(z) / sqrt(2.0));
    cr_assert(fabs(ex.p - pn) < 0.01, "exact %g vs normal %g", ex.p, pn);
}

Test(stats, change_interval_of_the_medians)
{
    double x[10], y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = 100;
        y[i] = 110;
    }
    double lo, hi;
    cr_assert(bb_stats_change_ci(x, 10, y, 10, 500, 0.95, 7, &lo, &hi) == 0);
    cr_assert(fabs(lo - 0.1) < 1e-12 && fabs(hi - 0.1) < 1e-12, "constant samples: [%g, %g]", lo, hi);
    for (int i = 0; i < 10; i++) {
        x[i] = 100 + i;
        y[i] = 120 + i;
    }
    cr_assert(bb_stats_change_ci(x, 10, y, 10, 2000, 0.95, 7, &lo, &hi) == 0);
    double truth = 124.5 / 104.5 - 1; /* ratio of the medians - 1 */
    cr_assert(lo < truth && truth < hi && lo > 0.1 && hi < 0.3, "[%g, %g] around %g", lo, hi, truth);
    double lo2, hi2;
    bb_stats_change_ci(x, 10, y, 10, 2000, 0.95, 7, &lo2, &hi2);
    cr_assert(lo == lo2 && hi == hi2, "seeded: the same interval every time");
    cr_assert(bb_stats_change_ci(x, 0, y, 10, 100, 0.95, 7, &lo, &hi) == -1 && isnan(lo));
}

Test(stats, normal_and_chi_square_quantiles)
{
    cr_assert(fabs(bb_stats_normal_quantile(0.975) - 1.959964) < 1e-5);
    cr_assert(fabs(bb_stats_normal_quantile(0.5)) < 1e-9);
    cr_assert(fabs(bb_stats_normal_quantile(0.01) + 2.326348) < 1e-5);
    cr_assert(isinf(bb_stats_normal_quantile(1)) && isnan(bb_stats_normal_quantile(1.5)));
    /* chi-square lower quantiles (tables): k = 1 and 2 exact, above Wilson-Hilferty, a little below the truth */
    cr_assert(fabs(bb_stats_chi2_quantile(0.05, 1) - 0.003932) < 1e-5);
    cr_assert(fabs(bb_stats_chi2_quantile(0.05, 2) - 0.102587) < 1e-5);
    double q5 = bb_stats_chi2_quantile(0.05, 5), q10 = bb_stats_chi2_quantile(0.01, 10);
    cr_assert(q5 <= 1.145476 && q5 > 1.145476 * 0.95, "%g", q5);
    cr_assert(q10 <= 2.558212 && q10 > 2.558212 * 0.95, "%g", q10);
    cr_assert(isnan(bb_stats_chi2_quantile(0.05, 0)));
}

Test(stats, aa_floor_bounds_the_spread_of_unchanged_runs)
{
    /* ln ratios of +-5%: s = ln 1.05 */
    double r[4] = {1.05, 1 / 1.05, 1.05, 1 / 1.05};
    double s = log(1.05);
    double one = bb_stats_aa_floor(r, 4, 0.99, 1);
    double zed = bb_stats_normal_quantile(1 - 0.01 / 2), chi = bb_stats_chi2_quantile(0.01, 4);
    cr_assert(fabs(one - 100 * (exp(zed * s * sqrt(4 / chi)) - 1)) < 1e-9, "%g", one);
    cr_assert(one > 5 * 2, "far above the spread seen in 4 trials: %g%%", one);
    cr_assert(bb_stats_aa_floor(r, 4, 0.99, 70) > one, "more configurations gated: a higher floor");
    cr_assert(bb_stats_aa_floor(r, 4, 0.95, 1) < one, "less confidence: a lower floor");
    double many[40];
    for (int i = 0; i < 40; i++) many[i] = i % 2 ? 1.05 : 1 / 1.05;
    cr_assert(bb_stats_aa_floor(many, 40, 0.99, 1) < one, "more trials: a tighter bound");
    double same[3] = {1, 1, 1};
    cr_assert(bb_stats_aa_floor(same, 3, 0.99, 4) == 0, "no spread, no floor");
    double none[2] = {(double)NAN, -1};
    cr_assert(isnan(bb_stats_aa_floor(none, 2, 0.99, 1)));
}
