/* bb_rat.c - exact rational arithmetic on 64-bit parts.
 *
 * Invariants: den > 0 and gcd(|num|, den) == 1 for every valid value; INT64_MIN
 * never appears as a numerator (so negation is always safe). Intermediate
 * products are computed in __int128 and reduced before narrowing; when the
 * reduced value still does not fit, the result is BB_RAT_INVALID and the
 * thread's overflow flag is set. Units: cycles, but nothing here knows that. */
#include "bb_rat.h"

#include <stdio.h>

typedef __int128 i128;

static _Thread_local bool t_overflow;

bool bb_rat_overflowed(void) { return t_overflow; }
void bb_rat_clear_overflow(void) { t_overflow = false; }

static bb_rat invalid(void)
{
    t_overflow = true;
    return BB_RAT_INVALID;
}

static i128 gcd128(i128 a, i128 b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        i128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static bb_rat reduce128(i128 n, i128 d)
{
    if (d == 0) return invalid();
    if (d < 0) {
        n = -n;
        d = -d;
    }
    if (n >= -INT64_MAX && n <= INT64_MAX && d <= INT64_MAX) {
        /* the common case: 64-bit remainders are several times cheaper */
        int64_t n64 = (int64_t)n, d64 = (int64_t)d;
        uint64_t g64 = gcd64((uint64_t)(n64 < 0 ? -n64 : n64), (uint64_t)d64);
        if (g64 > 1) {
            n64 /= (int64_t)g64;
            d64 /= (int64_t)g64;
        }
        if (n64 == 0) d64 = 1;
        return (bb_rat){n64, d64};
    }
    i128 g = gcd128(n, d);
    if (g > 1) {
        n /= g;
        d /= g;
    }
    if (n == 0) d = 1;
    if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) return invalid();
    return (bb_rat){(int64_t)n, (int64_t)d};
}

bb_rat bb_rat_make(int64_t n, int64_t d)
{
    if (n == INT64_MIN || d == INT64_MIN) return invalid();
    return reduce128(n, d);
}

bb_rat bb_rat_add(bb_rat a, bb_rat b)
{
    if (!bb_rat_valid(a) || !bb_rat_valid(b)) return invalid();
    if (a.den == b.den) return reduce128((i128)a.num + b.num, a.den);
    return reduce128((i128)a.num * b.den + (i128)b.num * a.den, (i128)a.den * b.den);
}

bb_rat bb_rat_sub(bb_rat a, bb_rat b)
{
    if (!bb_rat_valid(a) || !bb_rat_valid(b)) return invalid();
    return bb_rat_add(a, bb_rat_neg(b));
}

bb_rat bb_rat_mul(bb_rat a, bb_rat b)
{
    if (!bb_rat_valid(a) || !bb_rat_valid(b)) return invalid();
    return reduce128((i128)a.num * b.num, (i128)a.den * b.den);
}

bb_rat bb_rat_div(bb_rat a, bb_rat b)
{
    if (!bb_rat_valid(a) || !bb_rat_valid(b) || b.num == 0) return invalid();
    return reduce128((i128)a.num * b.den, (i128)a.den * b.num);
}

bb_rat bb_rat_neg(bb_rat a)
{
    if (!bb_rat_valid(a)) return invalid();
    return (bb_rat){-a.num, a.den};
}

int bb_rat_cmp(bb_rat a, bb_rat b)
{
    if (!bb_rat_valid(a) || !bb_rat_valid(b)) {
        t_overflow = true;
        return 0;
    }
    i128 l = (i128)a.num * b.den, r = (i128)b.num * a.den;
    return (l > r) - (l < r);
}

int64_t bb_rat_floor(bb_rat a)
{
    if (!bb_rat_valid(a)) {
        t_overflow = true;
        return 0;
    }
    int64_t q = a.num / a.den;
    if (a.num % a.den != 0 && a.num < 0) q -= 1;
    return q;
}

int64_t bb_rat_ceil(bb_rat a)
{
    if (!bb_rat_valid(a)) {
        t_overflow = true;
        return 0;
    }
    int64_t q = a.num / a.den;
    if (a.num % a.den != 0 && a.num > 0) q += 1;
    return q;
}

bb_rat bb_rat_next_sam(bb_rat a)
{
    if (!bb_rat_valid(a)) return invalid();
    int64_t f = bb_rat_floor(a);
    if (f == INT64_MAX) return invalid();
    return bb_rat_int(f + 1);
}

bb_rat bb_rat_cycle_pos(bb_rat a) { return bb_rat_sub(a, bb_rat_sam(a)); }

double bb_rat_to_double(bb_rat a)
{
    if (!bb_rat_valid(a)) return 0.0;
    return (double)a.num / (double)a.den;
}

bool bb_rat_parse_decimal(const char *text, size_t len, bb_rat *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (text[i] == '-' || text[i] == '+')) {
        neg = text[i] == '-';
        i++;
    }
    i128 n = 0, d = 1;
    size_t digits = 0;
    bool dot = false;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') return false;
        n = n * 10 + (c - '0');
        if (dot) d *= 10;
        digits++;
        if (n > INT64_MAX || d > INT64_MAX) return false;
    }
    if (digits == 0) return false;
    bool saved = t_overflow;
    bb_rat r = reduce128(neg ? -n : n, d);
    t_overflow = saved;
    if (!bb_rat_valid(r)) return false;
    *out = r;
    return true;
}

const char *bb_rat_fmt(bb_rat a, char *buf, size_t cap)
{
    if (!bb_rat_valid(a))
        snprintf(buf, cap, "invalid");
    else if (a.den == 1)
        snprintf(buf, cap, "%lld", (long long)a.num);
    else
        snprintf(buf, cap, "%lld/%lld", (long long)a.num, (long long)a.den);
    return buf;
}
