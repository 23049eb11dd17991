/* bb_stats.c - order statistics, spread, bootstrap intervals, PRNG.
 *
 * What it is: the arithmetic behind every number the bench and the report
 * print, kept apart from them so that tests can check it against values
 * computed by hand.
 *
 * Invariants: functions never modify their inputs (except bb_stats_sort);
 * quantiles are type 7 (linear interpolation), so q(0) is the minimum, q(1)
 * the maximum and q(0.5) the usual median; the bootstrap is a pure function of
 * (data, resamples, level, seed). The generator is xoshiro256** (Blackman and
 * Vigna) seeded through splitmix64, so a zero seed is as good as any other.
 *
 * Units: none of its own; whatever the samples are in. The render's counters (bb_stats of
 * bb_render.h) are listed here by name from their one table, for the harness's writers. */
#include "bb_stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define C(name, flags) {#name, offsetof(bb_stats, name), flags},
const bb_stats_counter_def bb_stats_counters[] = {BB_STATS_COUNTERS(C)};
#undef C
const size_t bb_stats_ncounters = sizeof bb_stats_counters / sizeof bb_stats_counters[0];
/* bb_results.counters_absent has a bit per counter */
_Static_assert(sizeof bb_stats_counters / sizeof bb_stats_counters[0] <= 64, "at most 64 counters");

uint64_t bb_stats_counter(const bb_stats *s, size_t i)
{
    uint64_t v;
    memcpy(&v, (const char *)s + bb_stats_counters[i].offset, sizeof v);
    return v;
}

void bb_stats_set_counter(bb_stats *s, size_t i, uint64_t v)
{
    memcpy((char *)s + bb_stats_counters[i].offset, &v, sizeof v);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bb_stats_sort(double *x, size_t n)
{
    if (n > 1) qsort(x, n, sizeof *x, cmp_double);
}

double bb_stats_quantile_sorted(const double *s, size_t n, double p)
{
    if (n == 0) return (double)NAN;
    if (!(p > 0)) return s[0];
    if (p >= 1) return s[n - 1];
    double h = (double)(n - 1) * p;
    double fl = floor(h);
    size_t i = (size_t)fl;
    if (i + 1 >= n) return s[n - 1];
    return s[i] + (h - fl) * (s[i + 1] - s[i]);
}

static double *sorted_copy(const double *x, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (!c) return NULL;
    if (n) memcpy(c, x, n * sizeof *c);
    bb_stats_sort(c, n);
    return c;
}

double bb_stats_median(const double *x, size_t n)
{
    if (n == 0) return (double)NAN;
    double *c = sorted_copy(x, n);
    if (!c) return (double)NAN;
    double m = bb_stats_quantile_sorted(c, n, 0.5);
    free(c);
    return m;
}

double bb_stats_mean(const double *x, size_t n)
{
    if (n == 0) return (double)NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s / (double)n;
}

double bb_stats_stddev(const double *x, size_t n)
{
    if (n == 0) return (double)NAN;
    if (n == 1) return 0;
    double m = bb_stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

/* MAD of sorted s[0..n) with median m, using scratch d[0..n). */
static double mad_sorted(const double *s, size_t n, double m, double *d)
{
    for (size_t i = 0; i < n; i++) d[i] = fabs(s[i] - m);
    bb_stats_sort(d, n);
    return bb_stats_quantile_sorted(d, n, 0.5);
}

double bb_stats_mad(const double *x, size_t n)
{
    if (n == 0) return (double)NAN;
    double *c = sorted_copy(x, n);
    double *d = malloc(n * sizeof *d);
    double r = (double)NAN;
    if (c && d) r = mad_sorted(c, n, bb_stats_quantile_sorted(c, n, 0.5), d);
    free(c);
    free(d);
    return r;
}

int bb_stats_summary(const double *x, size_t n, bb_sample_stats *out)
{
    out->n = n;
    out->median = out->mean = out->stddev = out->mad = out->min = out->max = (double)NAN;
    if (n == 0) return 0;
    double *c = sorted_copy(x, n);
    double *d = malloc(n * sizeof *d);
    if (!c || !d) {
        free(c);
        free(d);
        return -1;
    }
    out->median = bb_stats_quantile_sorted(c, n, 0.5);
    out->mean = bb_stats_mean(x, n);
    out->stddev = bb_stats_stddev(x, n);
    out->mad = mad_sorted(c, n, out->median, d);
    out->min = c[0];
    out->max = c[n - 1];
    free(c);
    free(d);
    return 0;
}

int bb_stats_latency(const double *x, size_t n, double deadline, bb_latency *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->p50 = out->p99 = out->p999 = out->max = (double)NAN;
    if (n == 0) return 0;
    double *c = sorted_copy(x, n);
    if (!c) return -1;
    out->p50 = bb_stats_quantile_sorted(c, n, 0.5);
    out->p99 = bb_stats_quantile_sorted(c, n, 0.99);
    out->p999 = bb_stats_quantile_sorted(c, n, 0.999);
    out->max = c[n - 1];
    for (size_t i = 0; i < n; i++) out->misses += c[i] > deadline;
    free(c);
    return 0;
}

int bb_stats_windows(const double *block_ns, size_t nblocks, size_t from, size_t w, double deadline, bb_latency *out)
{
    if (w < 1) w = 1;
    size_t nw = 0;
    double *load = malloc((nblocks / w + 1) * sizeof *load);
    if (!load) {
        bb_stats_latency(NULL, 0, 1.0, out);
        return -1;
    }
    for (size_t b0 = 0; b0 < nblocks; b0 += w) {
        size_t in = nblocks - b0 < w ? nblocks - b0 : w;
        double sum = 0;
        for (size_t b = b0; b < b0 + in; b++) sum += block_ns[b];
        if (b0 >= from) load[nw++] = sum / (deadline * (double)in);
    }
    int rc = bb_stats_latency(load, nw, 1.0, out);
    free(load);
    return rc;
}

/* ---- PRNG ------------------------------------------------------------------ */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t bb_stats_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

void bb_stats_rng_seed(bb_stats_rng *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++) g->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t bb_stats_rng_next(bb_stats_rng *g)
{
    uint64_t *s = g->s;
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

uint64_t bb_stats_rng_below(bb_stats_rng *g, uint64_t n)
{
    if (n <= 1) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the incomplete last run */
    for (;;) {
        uint64_t v = bb_stats_rng_next(g);
        if (v < limit) return v % n;
    }
}

/* ---- bootstrap --------------------------------------------------------------- */
static int interval(double *meds, unsigned b, double level, double *lo, double *hi)
{
    bb_stats_sort(meds, b);
    double a = (1 - level) / 2;
    *lo = bb_stats_quantile_sorted(meds, b, a);
    *hi = bb_stats_quantile_sorted(meds, b, 1 - a);
    return 0;
}

int bb_stats_bootstrap_median_ci(const double *x, size_t n, unsigned resamples, double level, uint64_t seed,
                                 double *lo, double *hi)
{
    *lo = *hi = (double)NAN;
    if (n == 0 || resamples == 0 || !(level > 0 && level < 1)) return -1;
    double *r = malloc(n * sizeof *r), *meds = malloc(resamples * sizeof *meds);
    if (!r || !meds) {
        free(r);
        free(meds);
        return -1;
    }
    bb_stats_rng g;
    bb_stats_rng_seed(&g, seed);
    for (unsigned b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++) r[i] = x[bb_stats_rng_below(&g, n)];
        bb_stats_sort(r, n);
        meds[b] = bb_stats_quantile_sorted(r, n, 0.5);
    }
    interval(meds, resamples, level, lo, hi);
    free(r);
    free(meds);
    return 0;
}

int bb_stats_bootstrap_ratio_ci(const double *base, const double *x, size_t n, unsigned resamples, double level,
                                uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = (double)NAN;
    if (n == 0 || resamples == 0 || !(level > 0 && level < 1)) return -1;
    double *rb = malloc(n * sizeof *rb), *rx = malloc(n * sizeof *rx), *ratios = malloc(resamples * sizeof *ratios);
    if (!rb || !rx || !ratios) {
        free(rb);
        free(rx);
        free(ratios);
        return -1;
    }
    bb_stats_rng g;
    bb_stats_rng_seed(&g, seed);
    for (unsigned b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++) {
            size_t k = (size_t)bb_stats_rng_below(&g, n);
            rb[i] = base[k];
            rx[i] = x[k];
        }
        bb_stats_sort(rb, n);
        bb_stats_sort(rx, n);
        ratios[b] = bb_stats_quantile_sorted(rb, n, 0.5) / bb_stats_quantile_sorted(rx, n, 0.5);
    }
    interval(ratios, resamples, level, lo, hi);
    free(rb);
    free(rx);
    free(ratios);
    return 0;
}

static bool bound_args(double seq, double par, int threads)
{
    return isfinite(seq) && isfinite(par) && seq >= 0 && par >= 0 && seq + par > 0 && threads >= 1;
}

double bb_stats_amdahl_bound(double seq, double par, int threads)
{
    if (!bound_args(seq, par, threads)) return (double)NAN;
    return (seq + par) / (seq + par / threads);
}

double bb_stats_pipeline_bound(double seq, double par, int threads)
{
    if (!bound_args(seq, par, threads)) return (double)NAN;
    double spread = (seq + par) / threads;
    return (seq + par) / (seq > spread ? seq : spread);
}

/* ---- Mann-Whitney U -------------------------------------------------------------- */
typedef struct tagged {
    double v;
    int g; /* 0: x, 1: y */
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return (x > y) - (x < y);
}

/* P(U <= u) and P(U >= u) for U = pairs with y > x, sizes nx, ny, no ties:
 * counts by the recurrence c(i, j, u) = c(i, j-1, u) + c(i-1, j, u-j) over i
 * values of y and j values of x (the largest value is an x, or a y above all
 * j x's). Doubles hold the counts exactly enough: C(100, 50) ~ 1e29 is well in
 * range and only additions of positive numbers occur. */
static int mwu_exact(size_t nx, size_t ny, double u, double *p_le, double *p_ge)
{
    size_t m = ny, n = nx, umax = nx * ny;
    size_t w = umax + 1;
    double *F = calloc((m + 1) * w, sizeof *F);
    if (!F) return -1;
    for (size_t i = 0; i <= m; i++) F[i * w] = 1; /* j = 0: U = 0 */
    for (size_t j = 1; j <= n; j++)
        for (size_t i = 1; i <= m; i++) {
            double *row = F + i * w;
            const double *prev = F + (i - 1) * w;
            for (size_t k = umax + 1; k-- > j;) row[k] += prev[k - j];
        }
    const double *c = F + m * w;
    double total = 0, le = 0, ge = 0;
    for (size_t k = 0; k <= umax; k++) {
        total += c[k];
        if ((double)k <= u + 1e-9) le += c[k];
        if ((double)k >= u - 1e-9) ge += c[k];
    }
    free(F);
    *p_le = le / total;
    *p_ge = ge / total;
    return 0;
}

int bb_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, bb_stats_mwu *out)
{
    out->u = 0;
    out->z = (double)NAN;
    out->p = 1;
    out->exact = false;
    if (!nx || !ny) return 0;
    size_t N = nx + ny;
    tagged *t = malloc(N * sizeof *t);
    if (!t) {
        out->p = (double)NAN;
        return -1;
    }
    for (size_t i = 0; i < nx; i++) t[i] = (tagged){x[i], 0};
    for (size_t i = 0; i < ny; i++) t[nx + i] = (tagged){y[i], 1};
    qsort(t, N, sizeof *t, cmp_tagged);
    double ry = 0, ties = 0;
    for (size_t i = 0; i < N;) {
        size_t j = i + 1;
        while (j < N && t[j].v == t[i].v) j++;
        double rank = ((double)(i + 1) + (double)j) / 2, k = (double)(j - i);
        for (size_t q = i; q < j; q++)
            if (t[q].g) ry += rank;
        ties += k * k * k - k;
        i = j;
    }
    free(t);
    double u = ry - (double)ny * ((double)ny + 1) / 2;
    out->u = u;
    double mn = (double)nx * (double)ny;
    if (ties == 0 && nx <= BB_STATS_MWU_EXACT_MAX && ny <= BB_STATS_MWU_EXACT_MAX) {
        double le, ge;
        if (mwu_exact(nx, ny, u, &le, &ge)) {
            out->p = (double)NAN;
            return -1;
        }
        double p = 2 * (le < ge ? le : ge);
        out->p = p > 1 ? 1 : p;
        out->exact = true;
        return 0;
    }
    double n = (double)N;
    double var = mn / 12 * ((n + 1) - ties / (n * (n - 1)));
    if (!(var > 0)) return 0; /* every value tied: nothing to test */
    double d = u - mn / 2;
    double ad = fabs(d) - 0.5;
    if (ad < 0) ad = 0;
    double z = (d < 0 ? -ad : ad) / sqrt(var);
    out->z = z;
    double p = erfc(fabs(z) / sqrt(2.0));
    out->p = p > 1 ? 1 : p;
    return 0;
}

static double median_of_draw(const double *x, size_t n, double *scratch, bb_stats_rng *g)
{
    for (size_t i = 0; i < n; i++) scratch[i] = x[bb_stats_rng_below(g, n)];
    bb_stats_sort(scratch, n);
    return bb_stats_quantile_sorted(scratch, n, 0.5);
}

int bb_stats_change_ci(const double *x, size_t nx, const double *y, size_t ny, unsigned resamples, double level,
                      uint64_t seed, double *lo, double *hi)
{
    *lo = *hi = (double)NAN;
    if (!nx || !ny || !resamples) return -1;
    double *sx = malloc(nx * sizeof *sx), *sy = malloc(ny * sizeof *sy), *r = malloc(resamples * sizeof *r);
    if (!sx || !sy || !r) {
        free(sx);
        free(sy);
        free(r);
        return -1;
    }
    bb_stats_rng g;
    bb_stats_rng_seed(&g, seed);
    for (unsigned b = 0; b < resamples; b++) {
        double mx = median_of_draw(x, nx, sx, &g), my = median_of_draw(y, ny, sy, &g);
        r[b] = my / mx - 1;
    }
    bb_stats_sort(r, resamples);
    double a = (1 - level) / 2;
    *lo = bb_stats_quantile_sorted(r, resamples, a);
    *hi = bb_stats_quantile_sorted(r, resamples, 1 - a);
    free(sx);
    free(sy);
    free(r);
    return 0;
}

double bb_stats_normal_quantile(double p)
{
    if (!(p >= 0 && p <= 1)) return (double)NAN;
    if (p == 0) return -(double)INFINITY;
    if (p == 1) return (double)INFINITY;
    /* P(Z <= x) = erfc(-x / sqrt 2) / 2 rises with x: bisect */
    double lo = -40, hi = 40;
    while (hi - lo > 1e-12) {
        double mid = (lo + hi) / 2;
        if (erfc(-mid / sqrt(2.0)) / 2 < p) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

double bb_stats_chi2_quantile(double p, int k)
{
    if (k < 1 || !(p > 0 && p < 1)) return (double)NAN;
    if (k == 1) {
        double z = bb_stats_normal_quantile((1 + p) / 2); /* X = Z^2 */
        return z * z;
    }
    if (k == 2) return -2 * log(1 - p); /* exponential with mean 2 */
    double c = 2.0 / (9.0 * k), b = 1 - c + bb_stats_normal_quantile(p) * sqrt(c);
    return b > 0 ? k * b * b * b : 1e-9 * k;
}

double bb_stats_aa_floor(const double *ratio, size_t n, double level, size_t family)
{
    double ss = 0;
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ratio[i]) && ratio[i] > 0) {
            double d = log(ratio[i]);
            ss += d * d;
            k++;
        }
    if (!k || !(level > 0 && level < 1)) return (double)NAN;
    double a = 1 - level, s = sqrt(ss / k);
    double s_up = s * sqrt(k / bb_stats_chi2_quantile(a, k));
    double z = bb_stats_normal_quantile(1 - a / (2.0 * (double)(family ? family : 1)));
    return 100 * (exp(z * s_up) - 1);
}
