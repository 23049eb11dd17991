/* bb_pat.h - Tidal-semantics patterns and the mini-notation.
 *
 * A pattern is a function from a time span (cycles, exact rationals) to events
 * ("haps") with a whole (the event's full extent) and a part (the fragment that
 * lies in the queried span), as in Tidal Cycles 1.9. Patterns are immutable trees
 * whose nodes live in an owner arena (program lifetime); querying is thread-safe
 * as long as each thread brings its own scratch arena and output list.
 *
 * Memory: nothing returned here is owned by the caller except the bb_haps
 * storage (released with bb_haps_free). */
#ifndef BB_PAT_H
#define BB_PAT_H

#include "bb_arena.h"
#include "bb_rat.h"
#include "bb_result.h"

#include <stdbool.h>
#include <stdint.h>

/* The events one query may produce. The fuzz build (make fuzz) defines it smaller, so
   that an input the limit refuses costs the fuzzer little; everything else uses 1 << 20. */
#ifndef BB_PAT_QUERY_EVENTS_LIMIT
#define BB_PAT_QUERY_EVENTS_LIMIT (1 << 20)
#endif

/* Named limits. Exceeding one is a clear BB_ERR_LIMIT, never a hang. */
enum {
    BB_PAT_DEPTH_MAX = 64,          /* nesting depth of brackets/operators in one pattern */
    BB_PAT_MODIFIERS_MAX = 64,      /* modifiers ((k,n), ?, *, /) chained after one step */
    BB_PAT_SRC_MAX = 65536,         /* bytes of one mini-notation string */
    BB_PAT_EUCLID_MAX = 4096,       /* largest n in x(k,n) */
    BB_PAT_QUERY_EVENTS_MAX = BB_PAT_QUERY_EVENTS_LIMIT, /* events one query may produce */
    BB_PAT_FACTOR_MAX = 1 << 20,    /* largest |factor| of * and / and fast/slow */
    BB_CHORD_TONES_MAX = 12
};

typedef enum {
    BB_VAL_NUM,   /* numeric literal: 3, -1.5, 0.25 */
    BB_VAL_WORD,  /* identifier, optionally with ":index": bd, bd:3, c4, a */
    BB_VAL_CHORD, /* root'name: c4'min7, c'maj7, 0'major */
    BB_VAL_BUS    /* ~name: a bus trigger (not the rest "~") */
} bb_val_kind;

typedef struct bb_val {
    bb_val_kind kind;
    const char *text;  /* the token exactly as written ("bd:3", "c4'min7", "~x", "0.5") */
    uint32_t text_len;
    const char *name;  /* WORD: name before ':' ("bd"); BUS: name without '~' ("x"); else text */
    uint32_t name_len;
    int32_t index;     /* WORD "bd:3" -> 3; 0 when absent */
    double num;        /* NUM: the value */
    bool is_note;      /* true when the token denotes a pitch: NUM, a note name, a chord */
    double note;       /* semitones relative to c4 when is_note (NUM: the number itself;
                          CHORD: the root) */
    uint8_t ntones;    /* CHORD: number of tones; others: 0 */
    int8_t tones[BB_CHORD_TONES_MAX]; /* CHORD: intervals in semitones from the root */
} bb_val;

typedef struct bb_hap {
    bb_rat whole_b, whole_e; /* the event's whole [b, e) */
    bb_rat part_b, part_e;   /* the fragment within the query */
    bool has_whole;          /* always true for the discrete patterns of this module */
    double gain;             /* multiplier from transforms such as stut (1 otherwise) */
    bb_val val;
} bb_hap;

/* A growable list of haps; storage comes from bb_alloc and is kept across clears. */
typedef struct bb_haps {
    bb_hap *v;
    size_t n, cap;
} bb_haps;

void bb_haps_init(bb_haps *h);
static inline void bb_haps_clear(bb_haps *h) { h->n = 0; }
void bb_haps_free(bb_haps *h);

/* True when the hap's part starts at its whole's start (the event "has an onset"). */
bool bb_hap_has_onset(const bb_hap *h);

/* Canonical total order: whole begin, whole end, value text, gain, part begin. */
int bb_hap_cmp(const bb_hap *a, const bb_hap *b);
/* Stable sort of h->v[0..n) by bb_hap_cmp (no allocation beyond scratch). */
bb_result bb_haps_sort(bb_haps *h, bb_arena *scratch);

typedef struct bb_pat bb_pat;

/* Parse mini-notation src[0..len). Nodes are allocated in `own` (which the caller
 * keeps alive as long as the pattern is used); the source is copied there, so
 * bb_val text pointers stay valid. On failure returns BB_ERR_PARSE (or
 * BB_ERR_LIMIT, BB_ERR_NOMEM) and fills err with file, line and column
 * (line = base_line, col = base_col + byte offset in src) and what was expected. */
bb_result bb_mini_parse(bb_arena *own, const char *src, size_t len, const char *file,
                        int base_line, int base_col, bb_pat **out, bb_error *err);

/* Append to out every hap of p intersecting [b, e) (Tidal order, not sorted).
 * Temporary memory comes from scratch, which the caller may reset after consuming
 * the haps. Returns BB_ERR_OVERFLOW if rational time overflowed, BB_ERR_LIMIT
 * when more than BB_PAT_QUERY_EVENTS_MAX events would result, BB_ERR_NOMEM. */
bb_result bb_pat_query(const bb_pat *p, bb_rat b, bb_rat e, bb_arena *scratch, bb_haps *out);

/* Transforms (Tidal semantics); the new node lives in own. Return BB_ERR_NOMEM
 * on allocation failure. fast/slow take a pattern of numbers (patterned, as
 * Tidal's tParam: the factor's events structure the result). */
bb_result bb_pat_fast(bb_arena *own, const bb_pat *p, const bb_pat *factor, bb_pat **out);
bb_result bb_pat_slow(bb_arena *own, const bb_pat *p, const bb_pat *factor, bb_pat **out);
bb_result bb_pat_rev(bb_arena *own, const bb_pat *p, bb_pat **out);
/* stut n t decay: n copies (the original and n-1 echoes), copy i shifted later by
 * i*t cycles with its gain multiplied by decay^i. n >= 1. */
bb_result bb_pat_stut(bb_arena *own, const bb_pat *p, int n, bb_rat t, double decay,
                      bb_pat **out);

/* Call fn for every value atom of p (sample names, bus triggers, numbers, notes),
 * in source order, including atoms inside transforms; structural arguments such as
 * Euclid counts or the factor of '*' are not visited. Stops early and returns
 * fn's value when fn returns non-zero; returns 0 otherwise. */
int bb_pat_foreach_atom(const bb_pat *p, int (*fn)(const bb_val *v, void *ctx), void *ctx);

/* ---- Additions: limits, pattern algebra, onset queries and formatting ---- */

enum {
    BB_PAT_STEPS_MAX = 65536,  /* steps of one mini-notation pattern, all its sequences together
                                  (after '!' replication) */
    BB_PAT_STUT_MAX = 256      /* largest n in stut */
};

/* Notes on the functions above.
 * bb_pat_query: a zero-width span [t, t] returns the events whose whole holds t
 * (with part [t, t]), as Tidal does; a reversed span (e < b) returns nothing; an
 * invalid b or e is BB_ERR_OVERFLOW. On error out is left as it was. The query
 * clears the per-thread overflow flag for itself and sets it again afterwards if
 * it was set on entry, so the flag stays sticky for the caller.
 * bb_pat_query with fragments: like Tidal, parts are split at cycle boundaries
 * and wherever a combinator splits its queries; events with an onset, and the
 * wholes of all events, do not depend on how a span is split into queries.
 * Haps: has_whole is true and gain 1.0 unless stut changed it; val is a copy of
 * the atom's bb_val (its strings live in the pattern's owner arena).
 * bb_pat_fast/slow: factor events whose value is not a number are ignored; a
 * factor of 0 gives silence, a negative fast factor plays reversed; a factor
 * over BB_PAT_FACTOR_MAX in magnitude makes the query fail with BB_ERR_LIMIT.
 * bb_pat_stut: n < 1 or an invalid t gives BB_ERR_ARG, n > BB_PAT_STUT_MAX BB_ERR_LIMIT.
 * bb_pat_foreach_atom visits each source atom once (a step repeated with '!' is
 * one atom), never a rest, a factor, a polymeter step count or a Euclid argument. */

/* Constructors for Tidal's combinators, used by the mini-notation parser and
 * available to the program compiler. Every new node lives in own; the patterns
 * passed in must live at least as long. Each returns BB_OK, or BB_ERR_NOMEM
 * (BB_ERR_ARG for a bad argument, as noted). */

/* silence: no events. */
bb_result bb_pat_silence(bb_arena *own, bb_pat **out);
/* pure v: one event per cycle, whole [c, c+1). The struct is copied; the strings
 * it points to are not and must outlive the pattern (keep them in own). A NUM
 * whose text is a decimal literal also carries its exact value (for fast/slow). */
bb_result bb_pat_pure(bb_arena *own, const bb_val *v, bb_pat **out);
/* pure x for an exact number x (text is x formatted by bb_rat_fmt, kept in own).
 * BB_ERR_ARG for an invalid x. */
bb_result bb_pat_pure_num(bb_arena *own, bb_rat x, bb_pat **out);
/* stack: all of ps[0..n) at once. n == 0 gives silence. */
bb_result bb_pat_stack(bb_arena *own, const bb_pat *const *ps, size_t n, bb_pat **out);
/* timeCat: ps[i] squeezed into a share weights[i]/sum of every cycle (Tidal's
 * compressArc, which keeps each child's cycle number). Weights must be > 0
 * (BB_ERR_ARG otherwise). A repeated pointer (ps[i] == ps[i-1]) is how '!' is
 * represented; foreach_atom visits it once. */
bb_result bb_pat_timecat(bb_arena *own, const bb_pat *const *ps, const bb_rat *weights, size_t n,
                         bb_pat **out);
/* Polymeter: stack of fast (steprate / steps[i]) ps[i]; steprate is a pattern of
 * numbers; a child with steps[i] == 0 is silent. ('<a b>' is steprate 1.) */
bb_result bb_pat_polymeter(bb_arena *own, const bb_pat *const *ps, const bb_rat *steps, size_t n,
                           const bb_pat *steprate, bb_pat **out);
/* degradeBy amount with Tidal's seeded generator: keeps an event when
 * bb_pat_rand(mid(whole) + seed/10000) > amount. */
bb_result bb_pat_degrade(bb_arena *own, const bb_pat *p, bb_rat amount, int seed, bb_pat **out);
/* Random choice per cycle among ps[0..n) (Tidal's `|`): cycle c plays
 * ps[floor(n * bb_pat_rand(c + 1/2 + seed/10000))], wholes clipped to the cycle. */
bb_result bb_pat_choose(bb_arena *own, const bb_pat *const *ps, size_t n, int seed, bb_pat **out);
/* Euclid with patterned integer arguments (Tidal's euclidOff): pulses k, steps n,
 * rotation r (left, by r/n cycles). Bjorklund placement; negative k inverts. */
bb_result bb_pat_euclid(bb_arena *own, const bb_pat *p, const bb_pat *pulses, const bb_pat *steps,
                        const bb_pat *rotation, bb_pat **out);
/* rotL t: shift p earlier by t cycles (rotR is rotL of -t). */
bb_result bb_pat_rotl(bb_arena *own, const bb_pat *p, bb_rat t, bb_pat **out);

/* Tidal's timeToRand: a deterministic value in [0, 1) for time t, computed
 * exactly from t (a multiple of 2^-29). 0 for an invalid t. */
double bb_pat_rand(bb_rat t);

/* Like bb_pat_query, but appends only the haps with an onset in [b, e) (part
 * begins at whole begin, b <= begin < e), sorted by bb_hap_cmp. Same errors; on
 * error out is left as it was. */
bb_result bb_pat_query_onsets(const bb_pat *p, bb_rat b, bb_rat e, bb_arena *scratch, bb_haps *out);

/* "BEGIN END VALUE" for h's whole (reduced rationals, the value's text), as the
 * `busbench query` command prints it, without newline. Returns buf. */
const char *bb_hap_fmt(const bb_hap *h, char *buf, size_t cap);

#endif
