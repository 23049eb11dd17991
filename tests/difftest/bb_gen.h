/* bb_gen.h - random, valid .ph programs as syntax trees (the differential test's generator).
 *
 * A generated program is a tree of text nodes: each node prints as
 * `pre kid0 sep kid1 sep ... post`, so one node type covers the .ph grammar and
 * the mini-notation inside its strings alike, and the reducer (bb_difftest.c)
 * can cut any subtree without knowing the grammar: a cut that makes the
 * program invalid simply fails to reproduce. Every node that stands for a
 * construct of the language carries that construct's tag; bb_gen_coverage
 * counts the tags of a tree, so coverage is what the printed program holds.
 *
 * Reproducible: program `index` of campaign `seed` depends on (seed, index)
 * alone, never on the programs before it. */
#ifndef BB_GEN_H
#define BB_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The constructs a campaign must cover (the coverage table's rows). */
#define BB_GEN_TAGS(X)                                                                             \
    X(TEMPO_BPM, "bpm: N")                                                                         \
    X(TEMPO_TEMPO, "tempo: X")                                                                     \
    X(TEMPO_CPS, "cps: X")                                                                         \
    X(BUS_COLON, "~bus: expr")                                                                     \
    X(BUS_DOLLAR, "~bus $ expr")                                                                   \
    X(OUT_OUT, "out: expr")                                                                        \
    X(OUT_ON, "oN: expr")                                                                          \
    X(OUT_IMPLICIT, "no output statement")                                                         \
    X(COMMENT, "-- comment")                                                                       \
    X(CONTINUATION, "continuation line")                                                           \
    X(OSC_SINE, "sine")                                                                            \
    X(OSC_SAW, "saw")                                                                              \
    X(OSC_SQUARE, "square")                                                                        \
    X(OSC_TRI, "tri")                                                                              \
    X(OSC_DEFAULT, "oscillator at its default frequency")                                         \
    X(NOISE, "noise")                                                                              \
    X(LPF, "lpf")                                                                                  \
    X(HPF, "hpf")                                                                                  \
    X(BPF, "bpf")                                                                                  \
    X(FILTER_Q, "filter with q")                                                                   \
    X(DELAY, "delay")                                                                              \
    X(REVERB, "reverb")                                                                            \
    X(FX_MIX, "effect with mix")                                                                   \
    X(S, "s \"pattern\"")                                                                          \
    X(NOTE, "# note")                                                                              \
    X(N, "# n")                                                                                    \
    X(GAIN, "# gain")                                                                              \
    X(FAST, "fast")                                                                                \
    X(SLOW, "slow")                                                                                \
    X(REV, "rev")                                                                                  \
    X(STUT, "stut")                                                                                \
    X(ADD, "+")                                                                                    \
    X(SUB, "-")                                                                                    \
    X(MUL, "*")                                                                                    \
    X(DIV, "/")                                                                                    \
    X(NEG, "unary minus")                                                                          \
    X(PAREN, "( )")                                                                                \
    X(HASH, "x # f")                                                                               \
    X(DOLLAR_R, "x $ f")                                                                           \
    X(DOLLAR_L, "f $ x")                                                                           \
    X(REF, "~bus reference")                                                                       \
    X(NESTED_TRIG, "trigger inside a bus")                                                         \
    X(TRIG_FX, "trigger through a filter")                                                         \
    X(PAT_OSC_FREQ, "pattern: oscillator frequency")                                               \
    X(PAT_CUTOFF, "pattern: filter cutoff")                                                        \
    X(PAT_Q, "pattern: filter q")                                                                  \
    X(PAT_LEFT, "pattern: left of an operator")                                                    \
    X(PAT_RIGHT, "pattern: right of an operator")                                                  \
    X(PAT_FACTOR, "pattern: fast/slow factor")                                                     \
    X(PAT_SIGNAL, "pattern: a signal alone")                                                       \
    X(SIG_FREQ, "signal: oscillator frequency")                                                    \
    X(SIG_CUTOFF, "signal: filter cutoff")                                                         \
    X(M_SEQ, "mini: sequence")                                                                     \
    X(M_REST, "mini: ~ rest")                                                                      \
    X(M_GROUP, "mini: [ ]")                                                                        \
    X(M_ALT, "mini: < >")                                                                          \
    X(M_ALT_NESTED, "mini: nested < >")                                                            \
    X(M_FAST_INT, "mini: * int")                                                                   \
    X(M_FAST_DEC, "mini: * decimal")                                                               \
    X(M_FAST_PAT, "mini: * pattern")                                                               \
    X(M_SLOW, "mini: /")                                                                           \
    X(M_EUCLID, "mini: (k,n)")                                                                     \
    X(M_EUCLID_ROT, "mini: (k,n,r)")                                                               \
    X(M_EUCLID_PAT, "mini: patterned euclid")                                                      \
    X(M_STACK, "mini: , stack")                                                                    \
    X(M_REPLICATE, "mini: !")                                                                      \
    X(M_ELONGATE, "mini: @")                                                                       \
    X(M_UNDERSCORE, "mini: _")                                                                     \
    X(M_FEET, "mini: . feet")                                                                      \
    X(M_POLY, "mini: { }%n")                                                                       \
    X(M_DEGRADE, "mini: ?")                                                                        \
    X(M_DEGRADE_P, "mini: ?0.x")                                                                   \
    X(M_CHOICE, "mini: | choice")                                                                  \
    X(M_COLON, "mini: bd:3")                                                                       \
    X(M_NUMBER, "mini: number")                                                                    \
    X(M_NOTE, "mini: note name")                                                                   \
    X(M_CHORD, "mini: chord")                                                                      \
    X(M_BUS, "mini: ~bus trigger")                                                                 \
    X(M_SAMPLE, "mini: sample name")                                                               \
    X(RELOAD, "reload between two programs")                                                       \
    X(MID_CYCLE, "length ends mid-cycle")

typedef enum {
#define BB_GEN_TAG_ENUM(id, text) BB_GT_##id,
    BB_GEN_TAGS(BB_GEN_TAG_ENUM)
#undef BB_GEN_TAG_ENUM
    BB_GT_COUNT,
    BB_GT_NONE = BB_GT_COUNT
} bb_gen_tag;

/* The text of a tag (its coverage row). */
const char *bb_gen_tag_name(bb_gen_tag t);

typedef struct bb_gnode {
    const char *pre, *sep, *post; /* pre and post: literal text; sep: between kids */
    struct bb_gnode **kid;
    size_t n;
    size_t min_kids;  /* the reducer may remove kids down to this many (0: none removable) */
    bool removable;   /* kids may be removed one by one (a list) */
    char cat;         /* 'e' expression, 'm' mini-notation step, 's' statement, 0 other */
    uint8_t tag;      /* bb_gen_tag */
} bb_gnode;

/* One generated case: the program, an optional second program switched in at
 * reload_cycle, and the render's length and rate. Owns every node it ever held
 * (the reducer's cut subtrees included) until bb_gen_case_free. */
typedef struct bb_gen_case {
    bb_gnode *prog;
    bb_gnode *reload;       /* NULL: no reload */
    int64_t reload_cycle;   /* a whole cycle, >= 1 */
    int sr;                 /* Hz */
    double cps;             /* the first program's tempo, cycles per second */
    int64_t frames;         /* render length in samples */
    uint64_t seed;
    uint64_t index;
    /* the node store */
    bb_gnode **nodes;
    size_t nnodes, cap;
    char **texts;           /* strings the nodes point to */
    size_t ntexts, tcap;
} bb_gen_case;

/* Generate case index of campaign seed into c (c is initialised here).
 * Returns 0, or -1 when out of memory (c is then freed). */
int bb_gen_case_make(bb_gen_case *c, uint64_t seed, uint64_t index);
void bb_gen_case_free(bb_gen_case *c);

/* A new node in c's store (text copied), or NULL when out of memory. */
bb_gnode *bb_gen_node(bb_gen_case *c, const char *pre, const char *sep, const char *post, char cat, bb_gen_tag tag);
int bb_gen_add(bb_gen_case *c, bb_gnode *parent, bb_gnode *kid);

/* Print tree t into a malloc'd NUL-terminated string (the caller frees), or NULL. */
char *bb_gen_print(const bb_gnode *t);

/* Add the tags found in tree t to counts[BB_GT_COUNT]. */
void bb_gen_coverage(const bb_gnode *t, uint64_t *counts);
/* Count the tags of the whole case (both programs, reload and length tags included). */
void bb_gen_case_coverage(const bb_gen_case *c, uint64_t *counts);

#endif
