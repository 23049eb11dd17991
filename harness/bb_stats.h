/* bb_stats.h - the statistics of a benchmark: order statistics, spread,
 * bootstrap confidence intervals, the Mann-Whitney U test, the normal and chi-square quantiles and
 * the noise floor of A/A ratios built on them, the scaling bounds of a sequential and a parallel
 * part, and a small reproducible PRNG.
 *
 * Units are whatever the caller's samples are in (the bench passes
 * nanoseconds). Quantiles use linear interpolation between order statistics
 * (Hyndman and Fan type 7: R's default and numpy's "linear"): for sorted x of
 * n values, q(p) = x[h] + (h - floor h) (x[floor h + 1] - x[floor h]) with
 * h = (n - 1) p. The median is q(0.5); MAD is the raw (unscaled) median
 * absolute deviation from the median. Standard deviation is the sample one
 * (n - 1 in the denominator; 0 for fewer than two values).
 *
 * Bootstrap intervals are percentile intervals over B resamples drawn with a
 * xoshiro256** generator seeded by splitmix64 from a caller's seed: the same
 * data and seed give the same interval on every machine. The paired form
 * resamples indices (repetition rounds) and applies the same indices to both
 * series, so drift that hit one round hits both sides of the ratio.
 *
 * Nothing here allocates except the functions that say so; NaN inputs are
 * the caller's to filter (the bench drops voided timings before calling). */
#ifndef BB_STATS_H
#define BB_STATS_H

#include "bb_render.h"

#include <stddef.h>
#include <stdint.h>

/* Summary of a sample. All fields are NaN when n == 0. */
typedef struct bb_sample_stats {
    size_t n;
    double median, mean, stddev, mad, min, max;
} bb_sample_stats;

/* Latency of blocks against a deadline: quantiles of the processing times,
 * how many exceeded the deadline, out of how many. */
typedef struct bb_latency {
    size_t n;
    double p50, p99, p999, max;  /* NaN when n == 0 */
    uint64_t misses;             /* values strictly greater than the deadline */
} bb_latency;

/* Sort x[0..n) ascending in place (doubles, no NaN). */
void bb_stats_sort(double *x, size_t n);

/* Quantile p in [0, 1] of sorted[0..n) by linear interpolation (type 7).
 * NaN when n == 0. */
double bb_stats_quantile_sorted(const double *sorted, size_t n, double p);

/* Median of x[0..n) (x is not modified). Allocates a copy; NaN when n == 0 or
 * out of memory. */
double bb_stats_median(const double *x, size_t n);

/* Arithmetic mean; NaN when n == 0. */
double bb_stats_mean(const double *x, size_t n);

/* Sample standard deviation (n - 1); 0 when n == 1, NaN when n == 0. */
double bb_stats_stddev(const double *x, size_t n);

/* Raw median absolute deviation from the median; NaN when n == 0. Allocates. */
double bb_stats_mad(const double *x, size_t n);

/* Everything of bb_sample_stats at once. Returns 0, or -1 when out of memory
 * (then *out has NaNs). */
int bb_stats_summary(const double *x, size_t n, bb_sample_stats *out);

/* Latency summary of x[0..n) against deadline (same unit). Allocates a sorted
 * copy. Returns 0, or -1 when out of memory. */
int bb_stats_latency(const double *x, size_t n, double deadline, bb_latency *out);

/* Windows of w consecutive blocks (grouped from block 0; the last may be shorter)
 * against their deadlines: a window's load is the sum of its blocks' times over
 * (its blocks x deadline), so 1 is exactly on time. A batched strategy does a
 * whole window's work before the window's first block leaves, so its latency is
 * w blocks and this is how it keeps real time; w = 1 judges block by block. Only
 * windows whose first block is at or after block `from` count. Fills out with
 * the quantiles of the loads (p50 ... max, unitless), the windows whose load
 * exceeds 1 (misses) and n. Allocates. Returns 0, or -1 when out of memory. */
int bb_stats_windows(const double *block_ns, size_t nblocks, size_t from, size_t w, double deadline, bb_latency *out);

/* ---- scaling bounds ------------------------------------------------------- */
/* The speedups over its own 1-thread time that a run allows at `threads`
 * (>= 1) threads, when its 1-thread time splits into a sequential part seq and
 * a parallel part par (ns, finite, >= 0, seq + par > 0); NaN otherwise.
 * Amdahl: (seq + par) / (seq + par / threads), the parts one after the other.
 * Pipeline: (seq + par) / max(seq, (seq + par) / threads), the sequential part
 * of one window overlapping the parallel part of the next ones: no faster than
 * the sequential chain, nor than all the work spread evenly over every thread
 * (the max(seq, par / threads) leaves that second limit out and would
 * promise more than `threads` at small seq). Both are 1 at 1 thread, never
 * above threads, and pipeline >= Amdahl. */
double bb_stats_amdahl_bound(double seq, double par, int threads);
double bb_stats_pipeline_bound(double seq, double par, int threads);

/* ---- reproducible PRNG ---------------------------------------------------- */
typedef struct bb_stats_rng {
    uint64_t s[4];
} bb_stats_rng;

/* A seed from a name (64-bit FNV-1a of its bytes): the same name, the same seed on every machine. */
uint64_t bb_stats_hash(const char *s);
/* Seed the generator (any seed, 0 included). */
void bb_stats_rng_seed(bb_stats_rng *g, uint64_t seed);
/* Next 64 random bits. */
uint64_t bb_stats_rng_next(bb_stats_rng *g);
/* Uniform integer in [0, n) without modulo bias; n >= 1. */
uint64_t bb_stats_rng_below(bb_stats_rng *g, uint64_t n);

/* ---- bootstrap ------------------------------------------------------------- */
enum { BB_STATS_BOOT_DEFAULT = 2000 };

/* Percentile bootstrap interval at confidence level (e.g. 0.95) of the median
 * of x[0..n), from resamples resamples drawn with seed. Returns 0 with *lo <=
 * *hi, or -1 (n == 0, resamples == 0, out of memory: *lo = *hi = NaN). With
 * n == 1 the interval is the single value. */
int bb_stats_bootstrap_median_ci(const double *x, size_t n, unsigned resamples, double level, uint64_t seed,
                                 double *lo, double *hi);

/* Paired percentile bootstrap interval of median(base) / median(x), where
 * (base[i], x[i]) are pairs (the same repetition round): each resample draws
 * n indices and takes both medians over them. This is a speedup interval when
 * base holds the reference's times and x a candidate's. Same returns as above. */
int bb_stats_bootstrap_ratio_ci(const double *base, const double *x, size_t n, unsigned resamples, double level,
                                uint64_t seed, double *lo, double *hi);

/* The counters of bb_stats (BB_STATS_COUNTERS of bb_render.h) by name, in its order: what
 * --stats prints, bench writes and reads back, the bench checks for stability and the gate compares. */
typedef struct bb_stats_counter_def {
    const char *name;
    size_t offset;           /* of its uint64_t in bb_stats */
    unsigned flags;          /* BB_STAT_RESULT, BB_STAT_GATED, BB_STAT_HEAP */
} bb_stats_counter_def;
extern const bb_stats_counter_def bb_stats_counters[];
extern const size_t bb_stats_ncounters;

/* Counter i of s / set it. */
uint64_t bb_stats_counter(const bb_stats *s, size_t i);
void bb_stats_set_counter(bb_stats *s, size_t i, uint64_t v);

/* ---- Mann-Whitney U ------------------------------------------------------------ */
typedef struct bb_stats_mwu {
    double u;       /* U of y: pairs (x_i, y_j) with y_j > x_i, ties counting 1/2 */
    double z;       /* normal approximation's z (continuity corrected); NaN when exact */
    double p;       /* two-sided p-value; 1 when there is nothing to test */
    bool exact;     /* p from the exact distribution (no ties, both sizes <= BB_STATS_MWU_EXACT_MAX) */
} bb_stats_mwu;

enum { BB_STATS_MWU_EXACT_MAX = 50 };

/* Two-sided Mann-Whitney U test of x[0..nx) against y[0..ny) (NaNs must be
 * filtered by the caller). Exact when there are no ties and nx, ny <=
 * BB_STATS_MWU_EXACT_MAX; otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction. With nx or ny == 0
 * the result is u = 0, p = 1. Returns 0, or -1 when out of memory (then p is
 * NaN). */
int bb_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, bb_stats_mwu *out);

/* Percentile bootstrap interval at level of median(y) / median(x) - 1, the two
 * samples resampled independently (resamples draws, xoshiro seeded with seed).
 * Returns 0 with *lo <= *hi, or -1 (an empty sample, out of memory: NaNs). */
int bb_stats_change_ci(const double *x, size_t nx, const double *y, size_t ny, unsigned resamples, double level,
                      uint64_t seed, double *lo, double *hi);

/* The standard normal quantile: x with P(Z <= x) = p (bisection on erfc, to 1e-12); -inf at 0,
 * +inf at 1, NaN outside [0, 1]. */
double bb_stats_normal_quantile(double p);

/* The p-quantile of the chi-square distribution with k degrees of freedom: exact for k = 1 and 2,
 * else the Wilson-Hilferty approximation (at p <= 0.05 it lies a few per cent below the truth:
 * an upper bound of a variance built on it is conservative). NaN for k < 1 or p outside (0, 1). */
double bb_stats_chi2_quantile(double p, int k);

/* The noise floor (percent) of n A/A ratios median(B)/median(A) of one configuration, benched as
 * one of family configurations gated together: the change that an unchanged configuration
 * exceeds, either way, with probability at most (1 - level) / family, with confidence level in
 * the spread. The model: ln(ratio) ~ N(0, s^2) (A and B are the same build, so the centre is 0,
 * known, not estimated); s is estimated by the root mean square of the ln ratios, taken at its
 * upper level confidence bound s sqrt(n / chi2_{1-level}(n)); the floor is
 * 100 (exp(z s_up) - 1) with z the normal quantile 1 - (1 - level) / (2 family) (Bonferroni: a
 * gate of many configurations must not call one of them slower by chance). NaN when no ratio is
 * finite and positive. */
double bb_stats_aa_floor(const double *ratio, size_t n, double level, size_t family);

#endif
