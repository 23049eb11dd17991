/* bb_rat.h - exact rational time.
 *
 * A bb_rat is num/den with 64-bit parts, den > 0 and gcd(|num|, den) = 1: every
 * value has exactly one representation, so equality is field equality. Arithmetic
 * is done in 128 bits and reduced; a result that does not fit 64 bits is the
 * invalid value BB_RAT_INVALID (den == 0), which propagates through every
 * operation, and sets a sticky per-thread flag (bb_rat_overflowed) so a whole
 * query or render can be checked once at its end. Nothing ever wraps. */
#ifndef BB_RAT_H
#define BB_RAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t num;
    int64_t den; /* > 0 when valid; 0 marks an overflowed (invalid) value */
} bb_rat;

#define BB_RAT_INVALID ((bb_rat){0, 0})

/* n/d reduced. d == 0, or a result that cannot be represented, gives BB_RAT_INVALID
 * (and sets the overflow flag). */
bb_rat bb_rat_make(int64_t n, int64_t d);
static inline bb_rat bb_rat_int(int64_t n) { return (bb_rat){n, 1}; }
static inline bool bb_rat_valid(bb_rat a) { return a.den > 0; }

bb_rat bb_rat_add(bb_rat a, bb_rat b);
bb_rat bb_rat_sub(bb_rat a, bb_rat b);
bb_rat bb_rat_mul(bb_rat a, bb_rat b);
/* a / b; b == 0 gives BB_RAT_INVALID. */
bb_rat bb_rat_div(bb_rat a, bb_rat b);
bb_rat bb_rat_neg(bb_rat a);

/* -1, 0, 1. Invalid operands compare as equal to anything (and set the flag). */
int bb_rat_cmp(bb_rat a, bb_rat b);
static inline bool bb_rat_eq(bb_rat a, bb_rat b) { return a.num == b.num && a.den == b.den; }
static inline bool bb_rat_lt(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) < 0; }
static inline bool bb_rat_le(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) <= 0; }
static inline bb_rat bb_rat_min(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) <= 0 ? a : b; }
static inline bb_rat bb_rat_max(bb_rat a, bb_rat b) { return bb_rat_cmp(a, b) >= 0 ? a : b; }

/* Largest integer <= a, and smallest integer >= a (0 for an invalid a). */
int64_t bb_rat_floor(bb_rat a);
int64_t bb_rat_ceil(bb_rat a);
/* Tidal's sam (start of the cycle containing a), nextSam, and cyclePos (a - sam a). */
static inline bb_rat bb_rat_sam(bb_rat a) { return bb_rat_valid(a) ? bb_rat_int(bb_rat_floor(a)) : a; }
bb_rat bb_rat_next_sam(bb_rat a);
bb_rat bb_rat_cycle_pos(bb_rat a);

/* Nearest double (for display and statistics only: never for time arithmetic). */
double bb_rat_to_double(bb_rat a);

/* Exact value of a decimal literal: [-]digits[.digits] (e.g. "0.5625" -> 9/16).
 * Returns false if text is not such a literal or does not fit. */
bool bb_rat_parse_decimal(const char *text, size_t len, bb_rat *out);

/* Write "n" or "n/d" (or "invalid") into buf; returns buf. */
const char *bb_rat_fmt(bb_rat a, char *buf, size_t cap);

/* Sticky per-thread overflow flag: set by any operation that produced or consumed
 * an invalid value since the last clear. */
bool bb_rat_overflowed(void);
void bb_rat_clear_overflow(void);

#endif
