/* bb_mini.c - the mini-notation parser: text to pattern nodes.
 *
 * What it is. A recursive-descent parser for Tidal Cycles 1.9's mini-notation
 * (Sound.Tidal.ParseBP), building the pattern through the constructors of
 * bb_pat.h exactly as Tidal's toPat does: a sequence is a timeCat of its steps,
 * `<...>` and `{...}` are polymeters (fast by steprate/steps), `*` and `/` are
 * patterned fast/slow, `(k,n,r)` is euclidOff, `?` is degradeBy and `|` a per-cycle
 * choice with the seed Tidal gives them (a counter over the pattern, incremented
 * by every `?` and every `|` group in parse order), `!` repeats and `@`/`_`
 * stretch steps, `.` groups steps into feet.
 *
 * Atoms. Three modes: VALUE (the pattern's own atoms: words, `bd:3`, numbers,
 * note names, chords `c4'min7`, bus triggers `~x`), RAT (factors of `*`, `/`, `%`:
 * exact decimals and n%d fractions) and INT (Euclid arguments). A lone `~` is a
 * rest in every mode; `~` immediately followed by a letter is a bus trigger.
 *
 * Invariants. The source is copied once into the owner arena and every bb_val
 * points into that copy. Every error names the column (base_col + byte offset)
 * and what was expected; nothing is silently skipped. Nesting is bounded by
 * BB_PAT_DEPTH_MAX (so recursion is bounded), and all other limits are the named
 * constants of bb_pat.h. Units: time values (factors, weights) are exact bb_rat;
 * the parser never uses floating point for them. */
#include "bb_pat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { M_VALUE, M_RAT, M_INT } pmode;

typedef struct {
    const char *s; /* the source copy (NUL-terminated) */
    size_t len, pos;
    bb_arena *own;
    const char *file;
    int line, col0;
    bb_error *err;
    int depth;
    int seed; /* Tidal's newSeed counter */
    size_t steps; /* steps of every sequence so far: BB_PAT_STEPS_MAX bounds the pattern */
} parser;

/* The steps of one sequence under construction. */
typedef struct {
    const bb_pat **pat;
    bb_rat *w;
    size_t n, cap;
    size_t *foot_at;  /* step index where each '.' falls */
    size_t *foot_pos; /* its byte offset, for errors */
    size_t nfeet, fcap;
} steps_t;

typedef struct {
    bb_pat *pat;
    bb_rat steps; /* Tidal's step count of the sequence (for polymeters) */
} seq_t;

static bb_result parse_sequence(parser *P, pmode m, seq_t *out);
static bb_result parse_part(parser *P, pmode m, bb_pat **out);
static bb_result parse_group(parser *P, pmode m, bb_pat **out);
static bb_result parse_poly(parser *P, pmode m, bb_pat **out);
static bb_result parse_alt(parser *P, pmode m, bb_pat **out);

/* ---- characters and errors ------------------------------------------------------ */

static int cur(const parser *P) { return P->pos < P->len ? (unsigned char)P->s[P->pos] : -1; }
static int at(const parser *P, size_t off)
{
    return P->pos + off < P->len ? (unsigned char)P->s[P->pos + off] : -1;
}
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_word_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == ':' || c == '.' || c == '_' || c == '-' || c == '#' || c == '\'';
}

static void ws(parser *P)
{
    while (is_space(cur(P))) P->pos++;
}

/* What sits at offset pos, for "found ..." in messages. */
static const char *found(const parser *P, size_t pos, char *buf, size_t cap)
{
    if (pos >= P->len)
        snprintf(buf, cap, "the end of the pattern");
    else if ((unsigned char)P->s[pos] < 0x20 || (unsigned char)P->s[pos] >= 0x7f)
        snprintf(buf, cap, "byte 0x%02x", (unsigned char)P->s[pos]);
    else
        snprintf(buf, cap, "'%c'", P->s[pos]);
    return buf;
}

static bb_result perr(parser *P, size_t pos, bb_result code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bb_result perr(parser *P, size_t pos, bb_result code, const char *fmt, ...)
{
    char msg[BB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bb_error_set(P->err, code, P->file, P->line, P->col0 + (int)pos, "%s", msg);
}

static bb_result nomem(parser *P) { return perr(P, P->pos, BB_ERR_NOMEM, "out of memory while parsing"); }

/* Propagate a constructor failure with a position. */
static bb_result built(parser *P, bb_result r, size_t pos)
{
    if (r == BB_OK) return r;
    if (r == BB_ERR_NOMEM) return nomem(P);
    if (r == BB_ERR_OVERFLOW) return perr(P, pos, r, "expected step sizes whose total fits 64-bit rationals");
    return perr(P, pos, r, "expected a valid argument here");
}

/* ---- numbers ---------------------------------------------------------------------- */

/* Whether a number (optionally signed) starts at the current position. */
static bool number_starts(const parser *P)
{
    int c = cur(P);
    return is_digit(c) || ((c == '-' || c == '+') && is_digit(at(P, 1)));
}

/* number := ['-'|'+'] digits ['.' digits] ['%' digits]     (fraction: RAT only;
 *           decimals: not in INT mode). It must end at a delimiter. */
static bb_result parse_number(parser *P, pmode m, bb_rat *out)
{
    size_t start = P->pos;
    if (cur(P) == '-' || cur(P) == '+') P->pos++;
    if (!is_digit(cur(P))) return perr(P, P->pos, BB_ERR_PARSE, "expected a number");
    while (is_digit(cur(P))) P->pos++;
    if (cur(P) == '.' && is_digit(at(P, 1))) {
        if (m == M_INT) return perr(P, start, BB_ERR_PARSE, "expected a whole number (Euclid arguments are integers)");
        P->pos++;
        while (is_digit(cur(P))) P->pos++;
    }
    size_t end = P->pos;
    bb_rat den = bb_rat_int(1);
    if (m == M_RAT && cur(P) == '%' && is_digit(at(P, 1)) && !memchr(P->s + start, '.', end - start)) {
        P->pos++;
        size_t ds = P->pos;
        while (is_digit(cur(P))) P->pos++;
        if (!bb_rat_parse_decimal(P->s + ds, P->pos - ds, &den) || den.num == 0)
            return perr(P, ds, BB_ERR_PARSE, "expected a non-zero denominator that fits 64 bits");
    }
    int c = cur(P);
    if (is_alpha(c) || is_digit(c) || c == '.' || c == ':' || c == '\'' || c == '#' || c == '%') {
        while (is_word_char(cur(P)) || cur(P) == '%') P->pos++;
        return perr(P, start, BB_ERR_PARSE, "malformed number '%.*s': expected digits with at most one '.'",
                    (int)(P->pos - start), P->s + start);
    }
    bb_rat v;
    if (!bb_rat_parse_decimal(P->s + start, end - start, &v))
        return perr(P, start, BB_ERR_PARSE, "expected a number that fits 64-bit rationals");
    bool saved = bb_rat_overflowed();
    v = bb_rat_div(v, den);
    if (!bb_rat_valid(v)) {
        if (!saved) bb_rat_clear_overflow();
        return perr(P, start, BB_ERR_PARSE, "expected a number that fits 64-bit rationals");
    }
    *out = v;
    return BB_OK;
}

/* num_atom := number     (RAT/INT mode; |value| <= BB_PAT_FACTOR_MAX, or
 *                          BB_PAT_EUCLID_MAX for Euclid arguments) */
static bb_result parse_num_atom(parser *P, pmode m, bb_pat **out)
{
    size_t start = P->pos;
    bb_rat v;
    bb_result r = parse_number(P, m, &v);
    if (r) return r;
    int64_t lim = m == M_INT ? BB_PAT_EUCLID_MAX : BB_PAT_FACTOR_MAX;
    __int128 a = v.num < 0 ? -(__int128)v.num : v.num;
    if (a > (__int128)lim * v.den)
        return perr(P, start, BB_ERR_LIMIT, "expected a %s of at most %lld in magnitude",
                    m == M_INT ? "Euclid argument" : "factor", (long long)lim);
    return built(P, bb_pat_pure_num(P->own, v, out), start);
}

/* ---- value atoms ------------------------------------------------------------------- */

/* note := letter('a'..'g') { 's' | '#' | 'f' | 'n' } [ octave digits ]
 * Semitones relative to c4 (a bare letter is octave 4). */
static bool note_value(const char *t, size_t n, double *semis)
{
    static const int base[7] = {9, 11, 0, 2, 4, 5, 7}; /* a b c d e f g */
    if (n == 0 || t[0] < 'a' || t[0] > 'g') return false;
    int v = base[t[0] - 'a'];
    size_t i = 1;
    for (; i < n && (t[i] == 's' || t[i] == '#' || t[i] == 'f' || t[i] == 'n'); i++)
        v += t[i] == 'f' ? -1 : (t[i] == 'n' ? 0 : 1);
    int oct = 4;
    if (i < n) {
        if (n - i > 3) return false;
        oct = 0;
        for (; i < n; i++) {
            if (!is_digit(t[i])) return false;
            oct = oct * 10 + (t[i] - '0');
        }
    }
    *semis = (double)(v + (oct - 4) * 12);
    return true;
}

static bool is_decimal_text(const char *t, size_t n)
{
    size_t i = 0;
    if (i < n && t[i] == '-') i++;
    size_t d0 = i;
    while (i < n && is_digit(t[i])) i++;
    if (i == d0) return false;
    if (i < n && t[i] == '.') {
        size_t f0 = ++i;
        while (i < n && is_digit(t[i])) i++;
        if (i == f0) return false;
    }
    return i == n;
}

/* The double nearest a decimal literal, independent of the locale: the exact
 * rational divided once (correctly rounded while both parts fit 53 bits), else
 * strtod of the text (a literal this long has no '.' issue worth a locale). */
static double text_to_double(const char *t, size_t n)
{
    bb_rat r;
    const int64_t exact = INT64_C(1) << 53;
    if (bb_rat_parse_decimal(t, n, &r) && r.num <= exact && r.num >= -exact && r.den <= exact)
        return (double)r.num / (double)r.den;
    char buf[72];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

typedef struct {
    const char *name;
    int8_t tones[8];
    uint8_t n;
} chord_def;

/* Tidal 1.9's chordTable (Sound.Tidal.Chords), every name and alias. */
static const chord_def chord_table[] = {
    {"major", {0, 4, 7}, 3}, {"maj", {0, 4, 7}, 3}, {"M", {0, 4, 7}, 3},
    {"aug", {0, 4, 8}, 3}, {"plus", {0, 4, 8}, 3}, {"sharp5", {0, 4, 8}, 3},
    {"six", {0, 4, 7, 9}, 4}, {"6", {0, 4, 7, 9}, 4},
    {"sixNine", {0, 4, 7, 9, 14}, 5}, {"six9", {0, 4, 7, 9, 14}, 5}, {"sixby9", {0, 4, 7, 9, 14}, 5},
    {"6by9", {0, 4, 7, 9, 14}, 5},
    {"major7", {0, 4, 7, 11}, 4}, {"maj7", {0, 4, 7, 11}, 4},
    {"major9", {0, 4, 7, 11, 14}, 5}, {"maj9", {0, 4, 7, 11, 14}, 5},
    {"add9", {0, 4, 7, 14}, 4},
    {"major11", {0, 4, 7, 11, 14, 17}, 6}, {"maj11", {0, 4, 7, 11, 14, 17}, 6},
    {"add11", {0, 4, 7, 17}, 4},
    {"major13", {0, 4, 7, 11, 14, 21}, 6}, {"maj13", {0, 4, 7, 11, 14, 21}, 6},
    {"add13", {0, 4, 7, 21}, 4},
    {"dom7", {0, 4, 7, 10}, 4}, {"dom9", {0, 4, 7, 14}, 4}, {"dom11", {0, 4, 7, 17}, 4},
    {"dom13", {0, 4, 7, 21}, 4},
    {"sevenFlat5", {0, 4, 6, 10}, 4}, {"7f5", {0, 4, 6, 10}, 4},
    {"sevenSharp5", {0, 4, 8, 10}, 4}, {"7s5", {0, 4, 8, 10}, 4},
    {"sevenFlat9", {0, 4, 7, 10, 13}, 5}, {"7f9", {0, 4, 7, 10, 13}, 5},
    {"nine", {0, 4, 7, 10, 14}, 5},
    {"eleven", {0, 4, 7, 10, 14, 17}, 6}, {"11", {0, 4, 7, 10, 14, 17}, 6},
    {"thirteen", {0, 4, 7, 10, 14, 17, 21}, 7}, {"13", {0, 4, 7, 10, 14, 17, 21}, 7},
    {"minor", {0, 3, 7}, 3}, {"min", {0, 3, 7}, 3}, {"m", {0, 3, 7}, 3},
    {"diminished", {0, 3, 6}, 3}, {"dim", {0, 3, 6}, 3},
    {"minorSharp5", {0, 3, 8}, 3}, {"msharp5", {0, 3, 8}, 3}, {"mS5", {0, 3, 8}, 3},
    {"minor6", {0, 3, 7, 9}, 4}, {"min6", {0, 3, 7, 9}, 4}, {"m6", {0, 3, 7, 9}, 4},
    {"minorSixNine", {0, 3, 9, 7, 14}, 5}, {"minor69", {0, 3, 9, 7, 14}, 5},
    {"min69", {0, 3, 9, 7, 14}, 5}, {"minSixNine", {0, 3, 9, 7, 14}, 5}, {"m69", {0, 3, 9, 7, 14}, 5},
    {"mSixNine", {0, 3, 9, 7, 14}, 5}, {"m6by9", {0, 3, 9, 7, 14}, 5},
    {"minor7flat5", {0, 3, 6, 10}, 4}, {"minor7f5", {0, 3, 6, 10}, 4}, {"min7flat5", {0, 3, 6, 10}, 4},
    {"min7f5", {0, 3, 6, 10}, 4}, {"m7flat5", {0, 3, 6, 10}, 4}, {"m7f5", {0, 3, 6, 10}, 4},
    {"minor7", {0, 3, 7, 10}, 4}, {"min7", {0, 3, 7, 10}, 4}, {"m7", {0, 3, 7, 10}, 4},
    {"minor7sharp5", {0, 3, 8, 10}, 4}, {"minor7s5", {0, 3, 8, 10}, 4},
    {"min7sharp5", {0, 3, 8, 10}, 4}, {"min7s5", {0, 3, 8, 10}, 4}, {"m7sharp5", {0, 3, 8, 10}, 4},
    {"m7s5", {0, 3, 8, 10}, 4},
    {"minor7flat9", {0, 3, 7, 10, 13}, 5}, {"minor7f9", {0, 3, 7, 10, 13}, 5},
    {"min7flat9", {0, 3, 7, 10, 13}, 5}, {"min7f9", {0, 3, 7, 10, 13}, 5},
    {"m7flat9", {0, 3, 7, 10, 13}, 5}, {"m7f9", {0, 3, 7, 10, 13}, 5},
    {"minor7sharp9", {0, 3, 7, 10, 15}, 5}, {"minor7s9", {0, 3, 7, 10, 15}, 5},
    {"min7sharp9", {0, 3, 7, 10, 15}, 5}, {"min7s9", {0, 3, 7, 10, 15}, 5},
    {"m7sharp9", {0, 3, 7, 10, 15}, 5}, {"m7s9", {0, 3, 7, 10, 15}, 5},
    {"diminished7", {0, 3, 6, 9}, 4}, {"dim7", {0, 3, 6, 9}, 4},
    {"minor9", {0, 3, 7, 10, 14}, 5}, {"min9", {0, 3, 7, 10, 14}, 5}, {"m9", {0, 3, 7, 10, 14}, 5},
    {"minor11", {0, 3, 7, 10, 14, 17}, 6}, {"min11", {0, 3, 7, 10, 14, 17}, 6},
    {"m11", {0, 3, 7, 10, 14, 17}, 6},
    {"minor13", {0, 3, 7, 10, 14, 17, 21}, 7}, {"min13", {0, 3, 7, 10, 14, 17, 21}, 7},
    {"m13", {0, 3, 7, 10, 14, 17, 21}, 7},
    {"minorMajor7", {0, 3, 7, 11}, 4}, {"minMaj7", {0, 3, 7, 11}, 4}, {"mmaj7", {0, 3, 7, 11}, 4},
    {"one", {0}, 1}, {"1", {0}, 1}, {"five", {0, 7}, 2}, {"5", {0, 7}, 2},
    {"sus2", {0, 2, 7}, 3}, {"sus4", {0, 5, 7}, 3},
    {"sevenSus2", {0, 2, 7, 10}, 4}, {"7sus2", {0, 2, 7, 10}, 4},
    {"sevenSus4", {0, 5, 7, 10}, 4}, {"7sus4", {0, 5, 7, 10}, 4},
    {"nineSus4", {0, 5, 7, 10, 14}, 5}, {"ninesus4", {0, 5, 7, 10, 14}, 5}, {"9sus4", {0, 5, 7, 10, 14}, 5},
    {"sevenFlat10", {0, 4, 7, 10, 15}, 5}, {"7f10", {0, 4, 7, 10, 15}, 5},
    {"nineSharp5", {0, 1, 13}, 3}, {"9sharp5", {0, 1, 13}, 3}, {"9s5", {0, 1, 13}, 3},
    {"minor9sharp5", {0, 1, 14}, 3}, {"minor9s5", {0, 1, 14}, 3}, {"min9sharp5", {0, 1, 14}, 3},
    {"min9s5", {0, 1, 14}, 3}, {"m9sharp5", {0, 1, 14}, 3}, {"m9s5", {0, 1, 14}, 3},
    {"sevenSharp5flat9", {0, 4, 8, 10, 13}, 5}, {"7s5f9", {0, 4, 8, 10, 13}, 5},
    {"minor7sharp5flat9", {0, 3, 8, 10, 13}, 5}, {"m7sharp5flat9", {0, 3, 8, 10, 13}, 5},
    {"elevenSharp", {0, 4, 7, 10, 14, 18}, 6}, {"11s", {0, 4, 7, 10, 14, 18}, 6},
    {"minor11sharp", {0, 3, 7, 10, 14, 18}, 6}, {"m11sharp", {0, 3, 7, 10, 14, 18}, 6},
    {"m11s", {0, 3, 7, 10, 14, 18}, 6},
};

static const chord_def *chord_lookup(const char *t, size_t n)
{
    for (size_t i = 0; i < sizeof chord_table / sizeof chord_table[0]; i++)
        if (strlen(chord_table[i].name) == n && !memcmp(chord_table[i].name, t, n)) return &chord_table[i];
    return NULL;
}

static bool all_of(const char *t, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] != c) return false;
    return n > 0;
}

static bool digits_value(const char *t, size_t n, int *v)
{
    if (n == 0 || n > 4) return false;
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(t[i])) return false;
        x = x * 10 + (t[i] - '0');
    }
    *v = x;
    return true;
}

/* chord := [root] "'" name { "'" modifier }
 * root := note | number;  modifier := 'i'+ | 'i' digits | 'o'+ | 'd' digits | digits
 * (Tidal's modifiers: invert, open, drop, range; applied left to right). */
static bb_result parse_chord(parser *P, size_t start, size_t n, bb_val *v)
{
    const char *t = P->s + start;
    size_t q = (size_t)((const char *)memchr(t, '\'', n) - t);
    double root = 0;
    if (q > 0) {
        if (is_decimal_text(t, q))
            root = text_to_double(t, q);
        else if (!note_value(t, q, &root))
            return perr(P, start, BB_ERR_PARSE, "expected a note name or a number as the root of chord '%.*s'",
                        (int)n, t);
    }
    size_t ns = q + 1, ne = ns;
    while (ne < n && t[ne] != '\'') ne++;
    const chord_def *cd = chord_lookup(t + ns, ne - ns);
    if (!cd)
        return perr(P, start + ns, BB_ERR_PARSE,
                    "expected a chord name from Tidal's chord table (major, minor, maj7, min7, dom7, ...), found '%.*s'",
                    (int)(ne - ns), t + ns);
    int tones[BB_CHORD_TONES_MAX];
    int nt = cd->n;
    for (int i = 0; i < nt; i++) tones[i] = cd->tones[i];
    while (ne < n) {
        size_t ms = ne + 1, me = ms;
        while (me < n && t[me] != '\'') me++;
        const char *m = t + ms;
        size_t ml = me - ms;
        int k = 0;
        if (all_of(m, ml, 'i') || (ml > 1 && m[0] == 'i' && digits_value(m + 1, ml - 1, &k))) {
            int times = all_of(m, ml, 'i') ? (int)ml : k;
            for (int r = 0; r < times && nt > 0; r++) { /* invert: first tone up an octave, to the end */
                int first = tones[0];
                memmove(tones, tones + 1, (size_t)(nt - 1) * sizeof tones[0]);
                tones[nt - 1] = first + 12;
                if (tones[nt - 1] > 127) return perr(P, start + ms, BB_ERR_LIMIT, "expected fewer inversions (tones over 127 semitones)");
            }
        } else if (all_of(m, ml, 'o')) {
            for (size_t r = 0; r < ml; r++)
                if (nt > 2) { /* open: [d0-12, d2-12, d1] ++ the rest */
                    int d0 = tones[0], d1 = tones[1], d2 = tones[2];
                    tones[0] = d0 - 12;
                    tones[1] = d2 - 12;
                    tones[2] = d1;
                }
        } else if (ml > 1 && m[0] == 'd' && digits_value(m + 1, ml - 1, &k)) {
            if (k < 1) return perr(P, start + ms, BB_ERR_PARSE, "expected a drop of at least 1 ('d1')");
            if (nt >= k) { /* drop: tone at nt-k down an octave, to the front */
                int s = nt - k, d = tones[s] - 12;
                memmove(tones + 1, tones, (size_t)s * sizeof tones[0]);
                tones[0] = d;
            }
        } else if (digits_value(m, ml, &k)) {
            if (k < 1) return perr(P, start + ms, BB_ERR_PARSE, "expected a chord range of at least 1 tone");
            if (k > BB_CHORD_TONES_MAX)
                return perr(P, start + ms, BB_ERR_LIMIT, "expected a chord range of at most %d tones", BB_CHORD_TONES_MAX);
            int src[BB_CHORD_TONES_MAX];
            int ns_ = nt;
            memcpy(src, tones, (size_t)nt * sizeof src[0]);
            if (ns_ == 0) return perr(P, start + ms, BB_ERR_PARSE, "expected a chord with tones before a range");
            for (int i = 0; i < k; i++) tones[i] = src[i % ns_] + 12 * (i / ns_);
            nt = k;
            for (int i = 0; i < nt; i++)
                if (tones[i] > 127) return perr(P, start + ms, BB_ERR_LIMIT, "expected a smaller range (tones over 127 semitones)");
        } else {
            return perr(P, start + ms, BB_ERR_PARSE,
                        "expected a chord modifier (i, iN, o, dN or a number of tones), found '%.*s'", (int)ml, m);
        }
        ne = me;
    }
    for (int i = 0; i < nt; i++)
        if (tones[i] < -128 || tones[i] > 127)
            return perr(P, start, BB_ERR_LIMIT, "expected chord tones within -128..127 semitones");
    v->kind = BB_VAL_CHORD;
    v->is_note = true;
    v->note = root;
    v->ntones = (uint8_t)nt;
    for (int i = 0; i < nt; i++) v->tones[i] = (int8_t)tones[i];
    return BB_OK;
}

/* atom (VALUE mode) := '~' letter { letter | digit | '_' }     a bus trigger
 *                    | '~'                                     a rest
 *                    | word                                    word, number, note, chord
 * word := ( letter | digit | "'" | '-' digit ) { letter | digit | ':' | '.' | '_' | '-' | '#' | "'" } */
static bb_result parse_value_atom(parser *P, bb_pat **out)
{
    size_t start = P->pos;
    bb_val v;
    memset(&v, 0, sizeof v);
    if (cur(P) == '~') {
        P->pos++;
        if (!is_alpha(cur(P))) return built(P, bb_pat_silence(P->own, out), start);
        while (is_alpha(cur(P)) || is_digit(cur(P)) || cur(P) == '_') P->pos++;
        v.kind = BB_VAL_BUS;
        v.text = P->s + start;
        v.text_len = (uint32_t)(P->pos - start);
        v.name = v.text + 1;
        v.name_len = v.text_len - 1;
        return built(P, bb_pat_pure(P->own, &v, out), start);
    }
    if (cur(P) == '-') P->pos++;
    while (is_word_char(cur(P))) P->pos++;
    const char *t = P->s + start;
    size_t n = P->pos - start;
    v.text = v.name = t;
    v.text_len = v.name_len = (uint32_t)n;
    bool numeric_shape = is_digit(t[0]) || t[0] == '-';
    for (size_t i = 0; i < n && numeric_shape; i++)
        if (!is_digit(t[i]) && t[i] != '.' && t[i] != '-') numeric_shape = false;
    if (numeric_shape) {
        if (!is_decimal_text(t, n))
            return perr(P, start, BB_ERR_PARSE, "malformed number '%.*s': expected digits with at most one '.'",
                        (int)n, t);
        if (n > 64) return perr(P, start, BB_ERR_LIMIT, "expected a number of at most 64 characters");
        v.kind = BB_VAL_NUM;
        v.num = text_to_double(t, n);
        v.is_note = true;
        v.note = v.num;
    } else if (memchr(t, '\'', n)) {
        bb_result r = parse_chord(P, start, n, &v);
        if (r) return r;
    } else {
        v.kind = BB_VAL_WORD;
        const char *colon = memchr(t, ':', n);
        if (colon) {
            size_t cn = (size_t)(colon - t), rest = n - cn - 1;
            int idx = 0;
            if (cn == 0) return perr(P, start, BB_ERR_PARSE, "expected a name before ':'");
            if (rest == 0 || rest > 9) 
                return perr(P, start + cn + 1, BB_ERR_PARSE, "expected a sample index (up to 9 digits) after ':'");
            for (size_t i = 0; i < rest; i++) {
                if (!is_digit(colon[1 + i]))
                    return perr(P, start + cn + 1 + i, BB_ERR_PARSE, "expected a sample index (digits) after ':'");
                idx = idx * 10 + (colon[1 + i] - '0');
            }
            v.name_len = (uint32_t)cn;
            v.index = idx;
        }
        double semis;
        if (note_value(v.name, v.name_len, &semis)) {
            v.is_note = true;
            v.note = semis;
        }
    }
    return built(P, bb_pat_pure(P->own, &v, out), start);
}

/* Whether a step can start here in mode m. */
static bool step_starts(const parser *P, pmode m)
{
    int c = cur(P);
    if (c == '[' || c == '<' || c == '{' || c == '~') return true;
    if (m == M_VALUE) return is_alpha(c) || is_digit(c) || c == '\'' || (c == '-' && is_digit(at(P, 1)));
    return number_starts(P);
}

/* ---- modifiers ---------------------------------------------------------------------- */

/* degrade := '?' [ decimal ] ws      (each '?' takes the next seed) */
static bb_result parse_degrade(parser *P, bb_pat **pat)
{
    size_t start = P->pos;
    P->pos++;
    bb_rat amount = bb_rat_make(1, 2);
    if (is_digit(cur(P))) {
        size_t s = P->pos;
        while (is_digit(cur(P))) P->pos++;
        if (cur(P) == '.' && is_digit(at(P, 1))) {
            P->pos++;
            while (is_digit(cur(P))) P->pos++;
        }
        if (!bb_rat_parse_decimal(P->s + s, P->pos - s, &amount))
            return perr(P, s, BB_ERR_PARSE, "expected a probability such as 0.3 after '?'");
    }
    ws(P);
    return built(P, bb_pat_degrade(P->own, *pat, amount, P->seed++, pat), start);
}

/* factor := number | group | poly | alt          (all in RAT mode) */
static bb_result parse_factor(parser *P, const char *after, bb_pat **out)
{
    int c = cur(P);
    if (c == '[') return parse_group(P, M_RAT, out);
    if (c == '{') return parse_poly(P, M_RAT, out);
    if (c == '<') return parse_alt(P, M_RAT, out);
    if (number_starts(P)) return parse_num_atom(P, M_RAT, out);
    char f[32];
    return perr(P, P->pos, BB_ERR_PARSE, "expected a number or a bracketed pattern of numbers after '%s', found %s",
                after, found(P, P->pos, f, sizeof f));
}

/* mult := ( '*' | '/' ) ws factor */
static bb_result parse_mult(parser *P, bb_pat **pat)
{
    int op = cur(P);
    size_t start = P->pos;
    P->pos++;
    ws(P);
    bb_pat *f;
    bb_result r = parse_factor(P, op == '*' ? "*" : "/", &f);
    if (r) return r;
    r = op == '*' ? bb_pat_fast(P->own, *pat, f, pat) : bb_pat_slow(P->own, *pat, f, pat);
    return built(P, r, start);
}

static bb_result enter(parser *P, size_t pos)
{
    if (++P->depth > BB_PAT_DEPTH_MAX)
        return perr(P, pos, BB_ERR_LIMIT, "expected brackets nested at most %d deep", BB_PAT_DEPTH_MAX);
    return BB_OK;
}

/* euclid_arg := ws sequence      (INT mode, at least one step) */
static bb_result euclid_arg(parser *P, const char *what, bb_pat **out)
{
    ws(P);
    size_t start = P->pos;
    seq_t s;
    bb_result r = parse_sequence(P, M_INT, &s);
    if (r) return r;
    if (P->pos == start) {
        char f[32];
        return perr(P, start, BB_ERR_PARSE, "expected %s (an integer or a pattern of integers), found %s", what,
                    found(P, start, f, sizeof f));
    }
    *out = s.pat;
    return BB_OK;
}

/* euclid := '(' sequence ',' sequence [ ',' sequence ] ')' ws    (INT mode) */
static bb_result parse_euclid(parser *P, bb_pat **pat)
{
    size_t open = P->pos;
    bb_result r = enter(P, open);
    if (r) return r;
    P->pos++;
    bb_pat *k, *n, *rot;
    char f[32];
    if ((r = euclid_arg(P, "the number of Euclid pulses", &k))) return r;
    if (cur(P) != ',')
        return perr(P, P->pos, BB_ERR_PARSE, "expected ',' and the number of steps: Euclid takes (pulses,steps[,rotation]), found %s",
                    found(P, P->pos, f, sizeof f));
    P->pos++;
    if ((r = euclid_arg(P, "the number of Euclid steps", &n))) return r;
    if (cur(P) == ',') {
        P->pos++;
        if ((r = euclid_arg(P, "the Euclid rotation", &rot))) return r;
    } else if ((r = built(P, bb_pat_pure_num(P->own, bb_rat_int(0), &rot), open))) {
        return r;
    }
    if (cur(P) != ')')
        return perr(P, P->pos, BB_ERR_PARSE, "expected ')' to close '(' at column %d, found %s", P->col0 + (int)open,
                    found(P, P->pos, f, sizeof f));
    P->pos++;
    ws(P);
    P->depth--;
    return built(P, bb_pat_euclid(P->own, *pat, k, n, rot, pat), open);
}

/* ---- structure ------------------------------------------------------------------------ */

/* body := sequence { ',' sequence }      a stack
 *       | sequence { '|' sequence }      a random choice per cycle (takes the next seed) */
static bb_result parse_body(parser *P, pmode m, bb_pat **out)
{
    seq_t s;
    bb_result r = parse_sequence(P, m, &s);
    if (r) return r;
    int sep = cur(P);
    if (sep != ',' && sep != '|') {
        *out = s.pat;
        return BB_OK;
    }
    size_t start = P->pos, n = 1, cap = 8;
    const bb_pat **v = bb_arena_alloc(P->own, cap * sizeof *v);
    if (!v) return nomem(P);
    v[0] = s.pat;
    while (cur(P) == sep) {
        P->pos++;
        if ((r = parse_sequence(P, m, &s))) return r;
        if (n == cap) {
            const bb_pat **nv = bb_arena_alloc(P->own, 2 * cap * sizeof *nv);
            if (!nv) return nomem(P);
            memcpy(nv, v, n * sizeof *v);
            v = nv;
            cap *= 2;
        }
        v[n++] = s.pat;
    }
    if (sep == ',') return built(P, bb_pat_stack(P->own, v, n, out), start);
    return built(P, bb_pat_choose(P->own, v, n, P->seed++, out), start);
}

/* group := '[' body ']' ws [ mult ] */
static bb_result parse_group(parser *P, pmode m, bb_pat **out)
{
    size_t open = P->pos;
    bb_result r = enter(P, open);
    if (r) return r;
    P->pos++;
    if ((r = parse_body(P, m, out))) return r;
    if (cur(P) != ']') {
        char f[32];
        return perr(P, P->pos, BB_ERR_PARSE, "expected ']' to close '[' at column %d, found %s", P->col0 + (int)open,
                    found(P, P->pos, f, sizeof f));
    }
    P->pos++;
    ws(P);
    P->depth--;
    if (cur(P) == '*' || cur(P) == '/') return parse_mult(P, out);
    return BB_OK;
}

/* poly_seqs := sequence { ',' sequence } close ws     (inside '{...}' or '<...>') */
static bb_result poly_seqs(parser *P, pmode m, char close, size_t open, const bb_pat ***pats, bb_rat **steps,
                           size_t *n)
{
    size_t cap = 4;
    *pats = bb_arena_alloc(P->own, cap * sizeof **pats);
    *steps = bb_arena_alloc(P->own, cap * sizeof **steps);
    if (!*pats || !*steps) return nomem(P);
    *n = 0;
    for (;;) {
        seq_t s;
        bb_result r = parse_sequence(P, m, &s);
        if (r) return r;
        if (*n == cap) {
            const bb_pat **np = bb_arena_alloc(P->own, 2 * cap * sizeof *np);
            bb_rat *ns = bb_arena_alloc(P->own, 2 * cap * sizeof *ns);
            if (!np || !ns) return nomem(P);
            memcpy(np, *pats, *n * sizeof *np);
            memcpy(ns, *steps, *n * sizeof *ns);
            *pats = np;
            *steps = ns;
            cap *= 2;
        }
        (*pats)[*n] = s.pat;
        (*steps)[*n] = s.steps;
        (*n)++;
        if (cur(P) != ',') break;
        P->pos++;
    }
    if (cur(P) != close) {
        char f[32];
        return perr(P, P->pos, BB_ERR_PARSE, "expected '%c' to close '%c' at column %d, found %s", close,
                    close == '}' ? '{' : '<', P->col0 + (int)open, found(P, P->pos, f, sizeof f));
    }
    P->pos++;
    ws(P);
    return BB_OK;
}

/* poly := '{' sequence { ',' sequence } '}' ws [ '%' ws factor ] [ mult ]
 * Steps per cycle: the factor, or the first sequence's step count. */
static bb_result parse_poly(parser *P, pmode m, bb_pat **out)
{
    size_t open = P->pos;
    bb_result r = enter(P, open);
    if (r) return r;
    P->pos++;
    const bb_pat **pats;
    bb_rat *steps;
    size_t n;
    if ((r = poly_seqs(P, m, '}', open, &pats, &steps, &n))) return r;
    P->depth--;
    bb_pat *rate;
    if (cur(P) == '%') {
        P->pos++;
        ws(P);
        if ((r = parse_factor(P, "%", &rate))) return r;
    } else if ((r = built(P, bb_pat_pure_num(P->own, steps[0], &rate), open))) {
        return r;
    }
    if ((r = built(P, bb_pat_polymeter(P->own, pats, steps, n, rate, out), open))) return r;
    if (cur(P) == '*' || cur(P) == '/') return parse_mult(P, out);
    return BB_OK;
}

/* alt := '<' sequence { ',' sequence } '>' ws [ mult ]        (one step per cycle) */
static bb_result parse_alt(parser *P, pmode m, bb_pat **out)
{
    size_t open = P->pos;
    bb_result r = enter(P, open);
    if (r) return r;
    P->pos++;
    const bb_pat **pats;
    bb_rat *steps;
    size_t n;
    if ((r = poly_seqs(P, m, '>', open, &pats, &steps, &n))) return r;
    P->depth--;
    bb_pat *one;
    if ((r = built(P, bb_pat_pure_num(P->own, bb_rat_int(1), &one), open))) return r;
    if ((r = built(P, bb_pat_polymeter(P->own, pats, steps, n, one, out), open))) return r;
    if (cur(P) == '*' || cur(P) == '/') return parse_mult(P, out);
    return BB_OK;
}

/* part := ( group | poly | alt | atom ) { euclid | degrade | mult }
 *         (at most BB_PAT_MODIFIERS_MAX modifiers)
 * The modifiers after the base apply left to right, as Strudel's krill grammar has it
 * (Tidal 1.9 takes one Euclid then one degrade): `a(3,8)*2` is fast 2 of the Euclid
 * pattern, `a*2(3,8)` Euclid of `a*2`, `a(3,8,<0 2>)/2` slow 2. '!' and '@' follow the
 * part at the step level (parse_step), so `a(3,8)!2` and `a(3,8)@3` repeat and
 * stretch the whole Euclid pattern. */
static bb_result parse_part(parser *P, pmode m, bb_pat **out)
{
    int c = cur(P);
    bb_result r;
    if (c == '[')
        r = parse_group(P, m, out);
    else if (c == '{')
        r = parse_poly(P, m, out);
    else if (c == '<')
        r = parse_alt(P, m, out);
    else {
        if (m == M_VALUE) {
            r = parse_value_atom(P, out);
        } else if (c == '~') { /* a rest among numbers */
            P->pos++;
            r = built(P, bb_pat_silence(P->own, out), P->pos);
        } else {
            r = parse_num_atom(P, m, out);
        }
    }
    for (int k = 0; !r && k < BB_PAT_MODIFIERS_MAX; k++) {
        c = cur(P);
        if (c == '(') r = parse_euclid(P, out);
        else if (c == '?') r = parse_degrade(P, out);
        else if (c == '*' || c == '/') r = parse_mult(P, out);
        else return r;
    }
    if (!r && (cur(P) == '(' || cur(P) == '?' || cur(P) == '*' || cur(P) == '/'))
        return perr(P, P->pos, BB_ERR_LIMIT, "expected at most %d modifiers after one step", BB_PAT_MODIFIERS_MAX);
    return r;
}

static bb_result steps_push(parser *P, steps_t *st, const bb_pat *p, bb_rat w)
{
    /* the bound is for the whole pattern, not each sequence: 200 sequences of
       "[x!65000]" (2 KB, found by fuzzing) took 13 s and 3.5 GB to parse */
    if (st->n >= BB_PAT_STEPS_MAX || P->steps >= BB_PAT_STEPS_MAX)
        return perr(P, P->pos, BB_ERR_LIMIT, "expected at most %d steps in one pattern ('!' replications included)",
                    BB_PAT_STEPS_MAX);
    P->steps++;
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 8;
        const bb_pat **np = bb_arena_alloc(P->own, cap * sizeof *np);
        bb_rat *nw = bb_arena_alloc(P->own, cap * sizeof *nw);
        if (!np || !nw) return nomem(P);
        if (st->n) {
            memcpy(np, st->pat, st->n * sizeof *np);
            memcpy(nw, st->w, st->n * sizeof *nw);
        }
        st->pat = np;
        st->w = nw;
        st->cap = cap;
    }
    st->pat[st->n] = p;
    st->w[st->n] = w;
    st->n++;
    return BB_OK;
}

/* step := part ws [ elongation | replication ]
 * elongation := { ( '@' | '_' ) [ number ] ws }+      weight 1 + sum of (number - 1), or + 1 each
 * replication := { '!' [ digits ] ws }+               count 1 + sum of (digits - 1), or + 1 each */
static bb_result parse_step(parser *P, pmode m, steps_t *st)
{
    bb_pat *p;
    bb_result r = parse_part(P, m, &p);
    if (r) return r;
    ws(P);
    bb_rat w = bb_rat_int(1);
    int64_t count = 1;
    if (cur(P) == '@' || cur(P) == '_') {
        size_t start = P->pos;
        while (cur(P) == '@' || cur(P) == '_') {
            P->pos++;
            bb_rat x = bb_rat_int(2);
            if (number_starts(P)) {
                if ((r = parse_number(P, M_RAT, &x))) return r;
            }
            w = bb_rat_add(w, bb_rat_sub(x, bb_rat_int(1)));
            if (!bb_rat_valid(w)) return perr(P, start, BB_ERR_PARSE, "expected an elongation that fits 64-bit rationals");
            ws(P);
        }
        if (bb_rat_cmp(w, bb_rat_int(0)) <= 0)
            return perr(P, start, BB_ERR_PARSE, "expected a positive elongation");
        if (bb_rat_cmp(w, bb_rat_int(BB_PAT_FACTOR_MAX)) > 0)
            return perr(P, start, BB_ERR_LIMIT, "expected an elongation of at most %d", BB_PAT_FACTOR_MAX);
    } else if (cur(P) == '!') {
        while (cur(P) == '!') {
            P->pos++;
            if (is_digit(cur(P))) {
                size_t s = P->pos;
                int64_t k = 0;
                while (is_digit(cur(P))) {
                    if (k <= BB_PAT_STEPS_MAX) k = k * 10 + (cur(P) - '0');
                    P->pos++;
                }
                if (k < 1) return perr(P, s, BB_ERR_PARSE, "expected a repeat count of at least 1");
                count += k - 1;
            } else {
                count += 1;
            }
            if (count > BB_PAT_STEPS_MAX)
                return perr(P, P->pos, BB_ERR_LIMIT, "expected at most %d steps in one pattern ('!' replications included)",
                            BB_PAT_STEPS_MAX);
            ws(P);
        }
    }
    for (int64_t i = 0; i < count; i++)
        if ((r = steps_push(P, st, p, w))) return r;
    return BB_OK;
}

/* sequence := ws { step | '.' ws } [ degrade ]
 * '.' splits the steps into feet: "a b . c d e" is "[a b] [c d e]". */
static bb_result parse_sequence(parser *P, pmode m, seq_t *out)
{
    steps_t st;
    memset(&st, 0, sizeof st);
    bb_result r;
    ws(P);
    for (;;) {
        if (cur(P) == '.') {
            if (at(P, 1) == '.')
                return perr(P, P->pos, BB_ERR_PARSE, "expected a step: ranges with '..' are not supported");
            if (is_digit(at(P, 1)))
                return perr(P, P->pos, BB_ERR_PARSE, "malformed number: expected a digit before '.' (write 0.5)");
            if (st.nfeet == st.fcap) {
                size_t cap = st.fcap ? 2 * st.fcap : 4;
                size_t *na = bb_arena_alloc(P->own, cap * sizeof *na), *np = bb_arena_alloc(P->own, cap * sizeof *np);
                if (!na || !np) return nomem(P);
                if (st.nfeet) {
                    memcpy(na, st.foot_at, st.nfeet * sizeof *na);
                    memcpy(np, st.foot_pos, st.nfeet * sizeof *np);
                }
                st.foot_at = na;
                st.foot_pos = np;
                st.fcap = cap;
            }
            st.foot_at[st.nfeet] = st.n;
            st.foot_pos[st.nfeet] = P->pos;
            st.nfeet++;
            P->pos++;
            ws(P);
            continue;
        }
        if (!step_starts(P, m)) break;
        if ((r = parse_step(P, m, &st))) return r;
    }
    size_t start = P->pos;
    if (st.nfeet == 0) {
        if ((r = built(P, bb_pat_timecat(P->own, st.pat, st.w, st.n, &out->pat), start))) return r;
        out->steps = bb_rat_int(0);
        for (size_t i = 0; i < st.n; i++) out->steps = bb_rat_add(out->steps, st.w[i]);
        if (!bb_rat_valid(out->steps)) return perr(P, start, BB_ERR_PARSE, "expected step sizes whose total fits 64-bit rationals");
    } else {
        size_t nf = st.nfeet + 1;
        const bb_pat **feet = bb_arena_alloc(P->own, nf * sizeof *feet);
        bb_rat *ones = bb_arena_alloc(P->own, nf * sizeof *ones);
        if (!feet || !ones) return nomem(P);
        size_t from = 0;
        for (size_t f = 0; f < nf; f++) {
            size_t to = f < st.nfeet ? st.foot_at[f] : st.n;
            if (to == from)
                return perr(P, f < st.nfeet ? st.foot_pos[f] : st.foot_pos[f - 1], BB_ERR_PARSE,
                            f < st.nfeet ? "expected a step before '.'" : "expected a step after '.'");
            bb_pat *fp;
            if ((r = built(P, bb_pat_timecat(P->own, st.pat + from, st.w + from, to - from, &fp), start))) return r;
            feet[f] = fp;
            ones[f] = bb_rat_int(1);
            from = to;
        }
        if ((r = built(P, bb_pat_timecat(P->own, feet, ones, nf, &out->pat), start))) return r;
        out->steps = bb_rat_int((int64_t)nf);
    }
    if (cur(P) == '?') {
        if ((r = parse_degrade(P, &out->pat))) return r;
        out->steps = bb_rat_int(1);
    }
    return BB_OK;
}

/* pattern := body end */
bb_result bb_mini_parse(bb_arena *own, const char *src, size_t len, const char *file, int base_line, int base_col,
                        bb_pat **out, bb_error *err)
{
    parser P = {.own = own, .file = file, .line = base_line, .col0 = base_col, .err = err};
    if (len > BB_PAT_SRC_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, file, base_line, base_col,
                            "expected a pattern of at most %d bytes", BB_PAT_SRC_MAX);
    char *copy = bb_arena_alloc(own, len + 1);
    if (!copy) return bb_error_set(err, BB_ERR_NOMEM, file, base_line, base_col, "out of memory while parsing");
    if (len) memcpy(copy, src, len);
    copy[len] = '\0';
    P.s = copy;
    P.len = len;
    bb_pat *p;
    bb_result r = parse_body(&P, M_VALUE, &p);
    if (r) return r;
    if (P.pos < P.len) {
        char f[32];
        return perr(&P, P.pos, BB_ERR_PARSE, "expected a step, ',', '|' or the end of the pattern, found %s",
                    found(&P, P.pos, f, sizeof f));
    }
    *out = p;
    return BB_OK;
}
