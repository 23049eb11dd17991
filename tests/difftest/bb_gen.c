/* bb_gen.c - the generator of random, valid .ph programs (see bb_gen.h).
 *
 * What it is. A recursive generator over the .ph grammar (core/bb_ph.c) and the
 * mini-notation (core/bb_mini.c) that builds a tree of text nodes. Expressions
 * are made by the kind of value they must have (a signal, a trigger, a pattern
 * of numbers), so every program compiles: a trigger pattern holds sample names
 * and ~buses defined earlier in the file (no cycle of buses), a signal pattern
 * numbers and note names, `# note`/`# n`/`# gain` follow triggers, delay,
 * reverb and stut take plain numbers. A pattern appears in every argument
 * position that takes one and on either side of every operator.
 *
 * Invariants. Operator precedence is respected by construction: a child of
 * lower precedence than its place is wrapped in parentheses (a PAREN node).
 * Sizes are bounded (depth, steps, tones, factors) so that one program renders
 * in milliseconds at the campaign's rates (8 to 22.05 kHz).
 *
 * Units: frames and sample rates in samples and Hz; tempo in cycles per second. */
#include "bb_gen.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    GEN_EXPR_DEPTH = 3,   /* nesting of expressions */
    GEN_MINI_DEPTH = 2,   /* nesting of brackets in a pattern */
    GEN_STEPS_MAX = 4,    /* steps of one sequence */
    GEN_BUSES_MAX = 3,
    GEN_OUTS_MAX = 3
};

static const char *const tag_names[] = {
#define BB_GEN_TAG_NAME(id, text) text,
    BB_GEN_TAGS(BB_GEN_TAG_NAME)
#undef BB_GEN_TAG_NAME
};

const char *bb_gen_tag_name(bb_gen_tag t) { return t < BB_GT_COUNT ? tag_names[t] : "none"; }

/* ---- the node store ---------------------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? 2 * *cap : 64;
    while (n < need) n *= 2;
    void *p = realloc(*v, n * size);
    if (!p) return -1;
    *v = p;
    *cap = n;
    return 0;
}

static const char *keep_text(bb_gen_case *c, const char *s)
{
    if (!s || !*s) return "";
    if (grow((void **)&c->texts, &c->tcap, c->ntexts + 1, sizeof *c->texts)) return NULL;
    char *t = strdup(s);
    if (!t) return NULL;
    c->texts[c->ntexts++] = t;
    return t;
}

bb_gnode *bb_gen_node(bb_gen_case *c, const char *pre, const char *sep, const char *post, char cat, bb_gen_tag tag)
{
    if (grow((void **)&c->nodes, &c->cap, c->nnodes + 1, sizeof *c->nodes)) return NULL;
    bb_gnode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    c->nodes[c->nnodes++] = n;
    n->pre = keep_text(c, pre);
    n->sep = keep_text(c, sep);
    n->post = keep_text(c, post);
    n->cat = cat;
    n->tag = (uint8_t)tag;
    return n->pre && n->sep && n->post ? n : NULL;
}

int bb_gen_add(bb_gen_case *c, bb_gnode *parent, bb_gnode *kid)
{
    (void)c;
    if (!parent || !kid) return -1;
    bb_gnode **k = realloc(parent->kid, (parent->n + 1) * sizeof *k);
    if (!k) return -1;
    parent->kid = k;
    k[parent->n++] = kid;
    return 0;
}

void bb_gen_case_free(bb_gen_case *c)
{
    for (size_t i = 0; i < c->nnodes; i++) {
        free(c->nodes[i]->kid);
        free(c->nodes[i]);
    }
    for (size_t i = 0; i < c->ntexts; i++) free(c->texts[i]);
    free(c->nodes);
    free(c->texts);
    memset(c, 0, sizeof *c);
}

/* ---- printing and coverage --------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
    int bad;
} sbuf;

static void put(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (grow((void **)&b->s, &b->cap, b->n + k + 1, 1)) {
        b->bad = 1;
        return;
    }
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
}

static void print_node(sbuf *b, const bb_gnode *t)
{
    put(b, t->pre);
    for (size_t i = 0; i < t->n; i++) {
        if (i) put(b, t->sep);
        print_node(b, t->kid[i]);
    }
    put(b, t->post);
}

char *bb_gen_print(const bb_gnode *t)
{
    sbuf b = {0};
    put(&b, "");
    if (t) print_node(&b, t);
    if (b.bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

void bb_gen_coverage(const bb_gnode *t, uint64_t *counts)
{
    if (!t) return;
    if (t->tag < BB_GT_COUNT) counts[t->tag]++;
    for (size_t i = 0; i < t->n; i++) bb_gen_coverage(t->kid[i], counts);
}

/* ---- the random source: splitmix64 ------------------------------------------------------- */

typedef struct gen {
    bb_gen_case *c;
    uint64_t rng;
    int nbuses;        /* buses defined so far (b0 .. b(nbuses-1)) */
    bool in_bus;       /* generating a bus's definition */
    bool small;        /* a small program: buses the lanes can run, triggered by one output */
    bool fixed;        /* this bus is static: no pattern, noise, trigger or reference in it */
    double cps;
    int fail;
} gen;

static uint64_t next(gen *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int pick(gen *g, int n) { return (int)(next(g) % (uint64_t)n); }
static bool chance(gen *g, int percent) { return pick(g, 100) < percent; }
static const char *one_of(gen *g, const char *const *v, int n) { return v[pick(g, n)]; }
#define ONE_OF(g, ...) one_of(g, (const char *const[]){__VA_ARGS__}, \
                              (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))

static bb_gnode *node(gen *g, const char *pre, const char *sep, const char *post, char cat, bb_gen_tag tag)
{
    bb_gnode *n = bb_gen_node(g->c, pre, sep, post, cat, tag);
    if (!n) g->fail = 1;
    return n;
}

static bb_gnode *leaf(gen *g, const char *text, char cat, bb_gen_tag tag) { return node(g, text, "", "", cat, tag); }

static bb_gnode *add(gen *g, bb_gnode *p, bb_gnode *k)
{
    if (bb_gen_add(g->c, p, k)) g->fail = 1;
    return p;
}

static bb_gnode *list(gen *g, const char *pre, const char *sep, const char *post, char cat, bb_gen_tag tag, size_t min)
{
    bb_gnode *n = node(g, pre, sep, post, cat, tag);
    if (n) {
        n->removable = true;
        n->min_kids = min;
    }
    return n;
}

/* ---- mini-notation ----------------------------------------------------------------------- */

/* What the atoms of a pattern may be. */
typedef enum { VK_NUM, VK_FREQ, VK_CUT, VK_Q, VK_TRIG, VK_NOTE, VK_INT, VK_GAIN, VK_FACTOR } vkind;

static bb_gnode *gen_body(gen *g, vkind vk, int depth);
static bb_gnode *gen_seq(gen *g, vkind vk, int depth, int maxsteps);

static bb_gnode *gen_atom(gen *g, vkind vk)
{
    char buf[48];
    switch (vk) {
    case VK_NUM:
        if (chance(g, 15)) return leaf(g, ONE_OF(g, "c4", "e", "a3", "fs5", "bf2"), 'm', BB_GT_M_NOTE);
        return leaf(g, ONE_OF(g, "0", "0.5", "1", "-0.25", "2", "0.125", "3.5", "-1"), 'm', BB_GT_M_NUMBER);
    case VK_FREQ:
        if (chance(g, 10)) return leaf(g, ONE_OF(g, "c6", "a5", "e7"), 'm', BB_GT_M_NOTE);
        return leaf(g, ONE_OF(g, "55", "110", "220.5", "330", "440", "3", "0.5", "987.75", "2000"), 'm', BB_GT_M_NUMBER);
    case VK_CUT:
        return leaf(g, ONE_OF(g, "200", "800", "1500", "4000", "5", "30000", "633.3"), 'm', BB_GT_M_NUMBER);
    case VK_Q:
        return leaf(g, ONE_OF(g, "0.5", "0.7071", "2", "8", "0.01", "40"), 'm', BB_GT_M_NUMBER);
    case VK_INT:
        return leaf(g, ONE_OF(g, "0", "1", "2", "3"), 'm', BB_GT_M_NUMBER);
    case VK_GAIN:
        return leaf(g, ONE_OF(g, "1", "0.5", "0.25", "0.8", "1.2"), 'm', BB_GT_M_NUMBER);
    case VK_FACTOR:
        return leaf(g, ONE_OF(g, "1", "2", "3", "0.5", "1.5", "4"), 'm', BB_GT_M_NUMBER);
    case VK_NOTE:
        if (chance(g, 20))
            return leaf(g, ONE_OF(g, "c4'min7", "e'major", "a3'dom7", "c'maj7", "g'sus4", "d'minor"), 'm', BB_GT_M_CHORD);
        if (chance(g, 25)) return leaf(g, ONE_OF(g, "c5", "e", "g3", "bf4", "cs"), 'm', BB_GT_M_NOTE);
        return leaf(g, ONE_OF(g, "0", "7", "-5", "12", "0.5", "3", "-12.25"), 'm', BB_GT_M_NUMBER);
    case VK_TRIG:
        if (g->nbuses > 0 && chance(g, g->in_bus ? 45 : g->small ? 85 : 70)) {
            snprintf(buf, sizeof buf, "~b%d", pick(g, g->nbuses));
            return leaf(g, buf, 'm', BB_GT_M_BUS);
        }
        if (chance(g, 20)) {
            snprintf(buf, sizeof buf, "%s:%d", ONE_OF(g, "bd", "sn", "hh", "808ht"), pick(g, 4));
            return leaf(g, buf, 'm', BB_GT_M_COLON);
        }
        return leaf(g, ONE_OF(g, "bd", "sn", "hh", "oh", "cp", "808bd", "808sd", "808ht", "808mt", "808lt"), 'm',
                    BB_GT_M_SAMPLE);
    }
    return NULL;
}

/* factor of * and /: an integer, a decimal, or a pattern of them */
static bb_gnode *gen_factor(gen *g, bb_gen_tag *tag, int slow)
{
    int k = pick(g, 10);
    if (k < 5) {
        *tag = BB_GT_M_FAST_INT;
        return leaf(g, slow ? ONE_OF(g, "2", "3") : ONE_OF(g, "2", "3", "4"), 0, BB_GT_NONE);
    }
    if (k < 7) {
        *tag = BB_GT_M_FAST_DEC;
        return leaf(g, ONE_OF(g, "1.5", "0.5", "2.25"), 0, BB_GT_NONE);
    }
    *tag = BB_GT_M_FAST_PAT;
    bb_gnode *alt = list(g, chance(g, 60) ? "<" : "[", " ", "", 0, BB_GT_NONE, 1);
    alt->post = alt->pre[0] == '<' ? ">" : "]";
    int n = 2 + pick(g, 2);
    for (int i = 0; i < n; i++) add(g, alt, leaf(g, ONE_OF(g, "1", "2", "3"), 0, BB_GT_NONE));
    return alt;
}

static bb_gnode *gen_euclid(gen *g)
{
    bool rot = chance(g, 40), pat = chance(g, 30);
    bb_gnode *e = node(g, "(", ",", ")", 0, rot ? BB_GT_M_EUCLID_ROT : BB_GT_M_EUCLID);
    static const char *const ks[] = {"1", "2", "3", "5"}, *const ns[] = {"4", "5", "8", "7"};
    int i = pick(g, 4);
    add(g, e, pat ? node(g, ONE_OF(g, "<2 3>", "<1 3 2>"), "", "", 0, BB_GT_M_EUCLID_PAT) : leaf(g, ks[i], 0, BB_GT_NONE));
    add(g, e, leaf(g, ns[i], 0, BB_GT_NONE));
    if (rot) add(g, e, leaf(g, ONE_OF(g, "1", "2", "<0 2>"), 0, BB_GT_NONE));
    return e;
}

/* part { modifier }: the part is kid 0, each modifier a kid after it */
static bb_gnode *gen_part(gen *g, vkind vk, int depth)
{
    bb_gnode *p = list(g, "", "", "", 'm', BB_GT_NONE, 1);
    int k = depth < GEN_MINI_DEPTH ? pick(g, 100) : 0;
    if (k < 62) {
        add(g, p, gen_atom(g, vk));
    } else if (k < 76) {
        add(g, p, add(g, node(g, "[", "", "]", 'm', BB_GT_M_GROUP), gen_body(g, vk, depth + 1)));
    } else if (k < 90) {
        bb_gnode *alt = list(g, "<", ", ", ">", 'm', depth > 0 ? BB_GT_M_ALT_NESTED : BB_GT_M_ALT, 1);
        add(g, alt, gen_seq(g, vk, depth + 1, 3));
        if (chance(g, 15)) add(g, alt, gen_seq(g, vk, depth + 1, 3));
        add(g, p, alt);
    } else {
        bb_gnode *poly = list(g, "{", ", ", chance(g, 60) ? "}%4" : "}", 'm', BB_GT_M_POLY, 1);
        add(g, poly, gen_seq(g, vk, depth + 1, 3));
        add(g, poly, gen_seq(g, vk, depth + 1, 3));
        add(g, p, poly);
    }
    if (vk == VK_FACTOR) return p; /* keep factors plain numbers and groups */
    if (chance(g, 14)) {
        bb_gen_tag t;
        bb_gnode *f = gen_factor(g, &t, 0);
        add(g, p, add(g, node(g, "*", "", "", 0, t), f));
    } else if (chance(g, 7)) {
        bb_gen_tag t;
        add(g, p, add(g, node(g, "/", "", "", 0, BB_GT_M_SLOW), gen_factor(g, &t, 1)));
    }
    if (chance(g, 12)) add(g, p, gen_euclid(g));
    if (chance(g, 6)) {
        bool prob = chance(g, 50);
        add(g, p, leaf(g, prob ? "?0.3" : "?", 0, prob ? BB_GT_M_DEGRADE_P : BB_GT_M_DEGRADE));
    }
    return p;
}

/* step: a part, maybe replicated or elongated */
static bb_gnode *gen_step(gen *g, vkind vk, int depth)
{
    if (chance(g, 10)) return leaf(g, "~", 'm', BB_GT_M_REST);
    bb_gnode *part = gen_part(g, vk, depth);
    int k = pick(g, 100);
    if (k < 6) return add(g, node(g, "", "", "!", 'm', BB_GT_M_REPLICATE), part);
    if (k < 10) return add(g, node(g, "", "", ONE_OF(g, "!3", "! !"), 'm', BB_GT_M_REPLICATE), part);
    if (k < 15) return add(g, node(g, "", "", ONE_OF(g, "@2", "@1.5", "@3"), 'm', BB_GT_M_ELONGATE), part);
    if (k < 19) return add(g, node(g, "", "", " _", 'm', BB_GT_M_UNDERSCORE), part);
    return part;
}

static bb_gnode *gen_seq(gen *g, vkind vk, int depth, int maxsteps)
{
    bb_gnode *s = list(g, "", " ", "", 0, BB_GT_M_SEQ, 1);
    int n = 1 + pick(g, maxsteps);
    bool feet = n >= 3 && chance(g, 8);
    for (int i = 0; i < n; i++) {
        if (feet && i == n / 2) add(g, s, leaf(g, ".", 0, BB_GT_M_FEET));
        add(g, s, gen_step(g, vk, depth));
    }
    return s;
}

/* body: a sequence, a stack of sequences, or a random choice between them */
static bb_gnode *gen_body(gen *g, vkind vk, int depth)
{
    int k = pick(g, 100);
    if (vk == VK_FACTOR || k >= 18) return gen_seq(g, vk, depth, GEN_STEPS_MAX);
    bool stack = k < 12;
    bb_gnode *b = list(g, "", stack ? ", " : " | ", "", 0, stack ? BB_GT_M_STACK : BB_GT_M_CHOICE, 1);
    add(g, b, gen_seq(g, vk, depth, 3));
    add(g, b, gen_seq(g, vk, depth, 3));
    return b;
}

/* a "string": the mini-notation of a whole pattern; often a plain sequence of values, whose
   every step is a change point (a busy pattern's rests and modifiers hide many of them) */
static bb_gnode *gen_string(gen *g, vkind vk)
{
    bb_gnode *s = node(g, "\"", "", "\"", 'e', BB_GT_NONE);
    if (vk == VK_TRIG || !chance(g, 45)) return add(g, s, gen_body(g, vk, 0));
    bb_gnode *seq = list(g, "", " ", "", 0, BB_GT_M_SEQ, 1);
    for (int i = 0, n = 2 + pick(g, 3); i < n; i++) add(g, seq, gen_atom(g, vk));
    return add(g, s, seq);
}

/* ---- expressions ------------------------------------------------------------------------- */

/* Precedence of an expression's top (bb_ph.c): lowest first. */
enum { P_HASH = 1, P_DOLLAR, P_ADD, P_MUL, P_NEG, P_APP, P_PRIM };

typedef struct {
    bb_gnode *n;
    int prec;
} ex;

static ex mkex(bb_gnode *n, int prec) { return (ex){n, prec}; }

/* x in a place that needs precedence at least need: parenthesised when lower */
static bb_gnode *at_least(gen *g, ex x, int need)
{
    if (x.prec >= need) return x.n;
    return add(g, node(g, "(", "", ")", 'e', BB_GT_PAREN), x.n);
}

static ex gen_sig(gen *g, int depth);
static ex gen_trig(gen *g, int depth);

static ex num(gen *g, const char *text) { return mkex(leaf(g, text, 'e', BB_GT_NONE), P_PRIM); }

/* f arg...: an application; its arguments are primaries */
static bb_gnode *app(gen *g, const char *fn, bb_gen_tag tag, size_t min_args)
{
    bb_gnode *a = list(g, fn, " ", "", 'e', tag, min_args);
    a->pre = keep_text(g->c, fn);
    return a;
}

static void arg(gen *g, bb_gnode *a, ex x)
{
    if (a->n == 0) {
        char pre[32];
        snprintf(pre, sizeof pre, "%s ", a->pre);
        a->pre = keep_text(g->c, pre);
    }
    add(g, a, at_least(g, x, P_PRIM));
}

/* a pattern of numbers, maybe through a pattern transform (then parenthesised when an argument) */
static ex gen_numpat(gen *g, vkind vk)
{
    ex s = mkex(gen_string(g, vk), P_PRIM);
    if (!chance(g, 15)) return s;
    bb_gnode *f = app(g, "fast", BB_GT_FAST, 1);
    arg(g, f, mkex(gen_string(g, VK_FACTOR), P_PRIM));
    f->kid[0]->tag = BB_GT_PAT_FACTOR;
    bb_gnode *d = node(g, "", " $ ", "", 'e', BB_GT_DOLLAR_R);
    add(g, d, s.n);
    add(g, d, f);
    return mkex(d, P_DOLLAR);
}

/* `input OP f` in one of the three forms (x # f, x $ f, f $ x) */
static ex apply_to(gen *g, ex input, bb_gnode *f, bool hash_ok)
{
    int form = hash_ok ? pick(g, 3) : 1 + pick(g, 2);
    if (form == 0) {
        bb_gnode *h = node(g, "", " # ", "", 'e', BB_GT_HASH);
        add(g, h, at_least(g, input, P_HASH));
        add(g, h, f);
        return mkex(h, P_HASH);
    }
    bb_gnode *d;
    if (form == 1) {
        d = node(g, "", " $ ", "", 'e', BB_GT_DOLLAR_R);
        add(g, d, at_least(g, input, P_ADD));
        add(g, d, f);
    } else {
        d = node(g, "", " $ ", "", 'e', BB_GT_DOLLAR_L);
        add(g, d, f);
        add(g, d, at_least(g, input, P_DOLLAR));
    }
    return mkex(d, P_DOLLAR);
}

static ex gen_osc(gen *g, int depth)
{
    static const char *const names[] = {"sine", "saw", "square", "tri"};
    static const bb_gen_tag tags[] = {BB_GT_OSC_SINE, BB_GT_OSC_SAW, BB_GT_OSC_SQUARE, BB_GT_OSC_TRI};
    int w = pick(g, 4);
    bb_gnode *a = app(g, names[w], tags[w], 0);
    int k = pick(g, 100);
    if (k < 12) {
        bb_gnode *d = add(g, node(g, "", "", "", 0, BB_GT_OSC_DEFAULT), a);
        return mkex(d, P_APP);
    }
    if (k < 55 || g->fixed) {
        arg(g, a, num(g, ONE_OF(g, "220", "440", "110.25", "55", "3", "1000", "0.5")));
    } else if (k < 85 || depth >= GEN_EXPR_DEPTH) {
        ex p = gen_numpat(g, VK_FREQ);
        bb_gnode *t = add(g, node(g, "", "", "", 0, BB_GT_PAT_OSC_FREQ), at_least(g, p, P_PRIM));
        arg(g, a, mkex(t, P_PRIM));
    } else {
        ex s = gen_sig(g, depth + 1);
        bb_gnode *t = add(g, node(g, "(", "", ")", 0, BB_GT_SIG_FREQ), s.n);
        arg(g, a, mkex(t, P_PRIM));
    }
    return mkex(a, P_APP);
}

static ex gen_filter(gen *g, int depth)
{
    static const char *const names[] = {"lpf", "hpf", "bpf"};
    static const bb_gen_tag tags[] = {BB_GT_LPF, BB_GT_HPF, BB_GT_BPF};
    int w = pick(g, 3);
    bb_gnode *f = app(g, names[w], tags[w], 1);
    int k = pick(g, 100);
    if (k < 40 || g->fixed) {
        arg(g, f, num(g, ONE_OF(g, "800", "1200.5", "300", "5000")));
    } else if (k < 85 || depth >= GEN_EXPR_DEPTH) {
        bb_gnode *t = add(g, node(g, "", "", "", 0, BB_GT_PAT_CUTOFF), at_least(g, gen_numpat(g, VK_CUT), P_PRIM));
        arg(g, f, mkex(t, P_PRIM));
    } else {
        /* a signal cutoff: an LFO around a centre */
        bb_gnode *m = node(g, "(", "", " * 400 + 1000)", 0, BB_GT_SIG_CUTOFF);
        add(g, m, at_least(g, gen_sig(g, depth + 1), P_MUL));
        arg(g, f, mkex(m, P_PRIM));
    }
    if (chance(g, 60)) {
        bb_gnode *q = chance(g, 60) && !g->fixed ? add(g, node(g, "", "", "", 0, BB_GT_PAT_Q), gen_string(g, VK_Q))
                                    : leaf(g, ONE_OF(g, "0.5", "3", "12"), 'e', BB_GT_NONE);
        arg(g, f, mkex(q, P_PRIM));
        f = add(g, node(g, "", "", "", 0, BB_GT_FILTER_Q), f);
    }
    ex in;
    if (!(g->small && g->in_bus) && chance(g, 30)) {
        in = gen_trig(g, depth + 1);
        in.n = add(g, node(g, "", "", "", 0, BB_GT_TRIG_FX), in.n);
    } else {
        in = gen_sig(g, depth + 1);
    }
    return apply_to(g, in, f, true);
}

/* input # delay t fb [mix] or input # reverb room damp [mix] (or with $) */
static ex gen_effect_on(gen *g, ex in)
{
    bool delay = chance(g, 50);
    bb_gnode *f = app(g, delay ? "delay" : "reverb", delay ? BB_GT_DELAY : BB_GT_REVERB, 2);
    if (delay) {
        arg(g, f, num(g, ONE_OF(g, "0.25", "0.01", "0.334", "0.1")));
        arg(g, f, num(g, ONE_OF(g, "0.3", "0.6", "0")));
    } else {
        arg(g, f, num(g, ONE_OF(g, "0.9", "0.5", "0.2")));
        arg(g, f, num(g, ONE_OF(g, "0.99", "0.5", "0.1")));
    }
    if (chance(g, 40)) {
        arg(g, f, num(g, ONE_OF(g, "0.5", "0.3", "1")));
        f = add(g, node(g, "", "", "", 0, BB_GT_FX_MIX), f);
    }
    return apply_to(g, in, f, true);
}

static ex gen_effect(gen *g, int depth)
{
    return gen_effect_on(g, chance(g, 50) ? gen_trig(g, depth + 1) : gen_sig(g, depth + 1));
}

static ex gen_binop(gen *g, int depth)
{
    static const char *const ops[] = {" + ", " - ", " * ", " / "};
    static const bb_gen_tag tags[] = {BB_GT_ADD, BB_GT_SUB, BB_GT_MUL, BB_GT_DIV};
    int o = pick(g, 4);
    int prec = o < 2 ? P_ADD : P_MUL;
    bb_gnode *b = node(g, "", ops[o], "", 'e', tags[o]);
    for (int side = 0; side < 2; side++) {
        int k = pick(g, 100);
        bool pat = false;
        ex x;
        if (o == 3 && side == 1) { /* keep divisors away from 0 */
            pat = k >= 60 && !g->fixed;
            x = pat ? mkex(gen_string(g, VK_GAIN), P_PRIM) : num(g, ONE_OF(g, "2", "3", "0.5"));
        } else if (k < 25 || (g->fixed && k < 50)) {
            x = num(g, ONE_OF(g, "0.5", "2", "0.25", "100", "1"));
        } else if (k < 50) {
            pat = true;
            x = gen_numpat(g, o < 2 ? VK_NUM : VK_GAIN);
        } else {
            x = gen_sig(g, depth + 1);
        }
        if (pat) {
            x.n = add(g, node(g, "", "", "", 0, side ? BB_GT_PAT_RIGHT : BB_GT_PAT_LEFT), at_least(g, x, side ? prec + 1 : prec));
            x.prec = P_PRIM;
        }
        add(g, b, at_least(g, x, side ? prec + 1 : prec));
    }
    return mkex(b, prec);
}

static ex gen_ref(gen *g)
{
    char buf[16];
    snprintf(buf, sizeof buf, "~b%d", pick(g, g->nbuses));
    return mkex(leaf(g, buf, 'e', BB_GT_REF), P_PRIM);
}

/* An expression usable as a signal. */
static ex gen_sig(gen *g, int depth)
{
    if (depth >= GEN_EXPR_DEPTH) {
        if (g->nbuses && !g->fixed && chance(g, 25)) return gen_ref(g);
        if (!g->fixed && chance(g, 15)) return mkex(leaf(g, "noise", 'e', BB_GT_NOISE), P_APP);
        return gen_osc(g, depth);
    }
    int k = g->in_bus && g->small ? pick(g, 76) : pick(g, 100); /* small: no trigger or effect, lanes run it */
    if (g->fixed && k >= 22 && k < 26) k = 0;
    if (g->fixed && k >= 66) k = pick(g, 22);
    if (k < 22) return gen_osc(g, depth);
    if (k < 26) return mkex(leaf(g, "noise", 'e', BB_GT_NOISE), P_APP);
    if (k < 44) return gen_filter(g, depth);
    if (k < 62) return gen_binop(g, depth);
    if (k < 66) {
        bb_gnode *n = add(g, node(g, "-", "", "", 'e', BB_GT_NEG), at_least(g, gen_sig(g, depth + 1), P_APP)); /* never "--": a comment */
        return mkex(n, P_NEG);
    }
    if (k < 72 && g->nbuses) return gen_ref(g);
    if (k < 76) {
        ex p = gen_numpat(g, VK_NUM);
        return mkex(add(g, node(g, "", "", "", 'e', BB_GT_PAT_SIGNAL), p.n), p.prec);
    }
    if (k < 88) {
        ex t = gen_trig(g, depth + 1);
        if (g->in_bus) t.n = add(g, node(g, "", "", "", 'e', BB_GT_NESTED_TRIG), t.n);
        return t;
    }
    return gen_effect(g, depth);
}

/* s "pattern" and what applies to triggers: # note/n/gain, $ fast/slow/rev/stut */
static ex gen_trig(gen *g, int depth)
{
    bb_gnode *s = app(g, "s", BB_GT_S, 1);
    arg(g, s, mkex(gen_string(g, VK_TRIG), P_PRIM));
    ex t = mkex(s, P_APP);
    int mods = depth >= GEN_EXPR_DEPTH ? pick(g, 2) : pick(g, 4);
    bool controlled = false; /* transforms come before the triggers' controls */
    for (int i = 0; i < mods; i++) {
        int k = controlled ? pick(g, 45) : pick(g, 100);
        if (k < 45) {
            static const char *const ctl[] = {"note", "n", "gain"};
            static const bb_gen_tag tags[] = {BB_GT_NOTE, BB_GT_N, BB_GT_GAIN};
            static const vkind vks[] = {VK_NOTE, VK_INT, VK_GAIN};
            int c = k < 25 ? 0 : k < 35 ? 1 : 2;
            bb_gnode *f = app(g, ctl[c], tags[c], 1);
            arg(g, f, chance(g, 80) ? mkex(gen_string(g, vks[c]), P_PRIM) : num(g, ONE_OF(g, "3", "0.5", "1")));
            bb_gnode *h = node(g, "", " # ", "", 'e', BB_GT_HASH);
            add(g, h, at_least(g, t, P_HASH));
            add(g, h, f);
            t = mkex(h, P_HASH);
            controlled = true;
            continue;
        }
        bb_gnode *f;
        if (k < 60) {
            f = app(g, "fast", BB_GT_FAST, 1);
            bool p = chance(g, 50);
            ex x = p ? mkex(add(g, node(g, "", "", "", 0, BB_GT_PAT_FACTOR), gen_string(g, VK_FACTOR)), P_PRIM)
                     : num(g, ONE_OF(g, "2", "1.5", "0.5"));
            arg(g, f, x);
        } else if (k < 72) {
            f = app(g, "slow", BB_GT_SLOW, 1);
            arg(g, f, chance(g, 50) ? mkex(add(g, node(g, "", "", "", 0, BB_GT_PAT_FACTOR), gen_string(g, VK_FACTOR)), P_PRIM)
                                    : num(g, ONE_OF(g, "2", "1.5")));
        } else if (k < 84) {
            f = leaf(g, "rev", 'e', BB_GT_REV);
        } else {
            f = app(g, "stut", BB_GT_STUT, 3);
            arg(g, f, num(g, ONE_OF(g, "2", "3")));
            arg(g, f, num(g, ONE_OF(g, "0.125", "0.25", "0.1")));
            arg(g, f, num(g, ONE_OF(g, "0.5", "0.8")));
        }
        t = apply_to(g, t, f, true); /* a trigger stays a trigger under these */
    }
    return t;
}

/* ---- statements and cases ---------------------------------------------------------------- */

static bb_gnode *statement(gen *g, const char *head, bb_gen_tag tag, ex body)
{
    bb_gnode *st = node(g, head, "", "", 's', tag);
    if (chance(g, 8)) { /* the expression on a continuation line */
        bb_gnode *cont = node(g, "\n    ", "", "", 0, BB_GT_CONTINUATION);
        return add(g, st, add(g, cont, body.n));
    }
    return add(g, st, body.n);
}

static void gen_tempo(gen *g, bb_gnode *prog)
{
    int k = pick(g, 100);
    if (k < 15) return; /* the default, cps 1/2 */
    if (k < 70) {
        static const char *const bpm[] = {"120", "90", "150", "200", "133"};
        int i = pick(g, 5);
        char buf[32];
        snprintf(buf, sizeof buf, "bpm: %s", bpm[i]);
        g->cps = atof(bpm[i]) / 240.0;
        add(g, prog, leaf(g, buf, 's', BB_GT_TEMPO_BPM));
        return;
    }
    static const char *const cps[] = {"0.5625", "0.75", "1", "0.4", "0.6"};
    int i = pick(g, 5);
    bool tempo = k < 85;
    char buf[32];
    snprintf(buf, sizeof buf, "%s: %s", tempo ? "tempo" : "cps", cps[i]);
    g->cps = atof(cps[i]);
    add(g, prog, leaf(g, buf, 's', tempo ? BB_GT_TEMPO_TEMPO : BB_GT_TEMPO_CPS));
}

/* A whole program: tempo, buses b0.., outputs (or none: the buses no one refers to). */
static bb_gnode *gen_prog(gen *g)
{
    bb_gnode *prog = list(g, "", "\n", "\n", 0, BB_GT_NONE, 1);
    g->nbuses = 0;
    g->cps = 0.5;
    if (chance(g, 10)) add(g, prog, leaf(g, "-- a generated program", 's', BB_GT_COMMENT));
    gen_tempo(g, prog);
    g->small = chance(g, 50);
    int nb = g->small ? 1 + pick(g, 2) : pick(g, GEN_BUSES_MAX + 1);
    bool implicit = nb > 0 && chance(g, 8);
    for (int b = 0; b < nb; b++) {
        char head[32];
        bool dollar = chance(g, 30);
        snprintf(head, sizeof head, dollar ? "~b%d $ " : "~b%d: ", b);
        g->in_bus = true;
        g->fixed = g->small && chance(g, 40);
        ex body = !g->small && chance(g, 20) ? gen_trig(g, 1) : gen_sig(g, g->small);
        g->in_bus = g->fixed = false;
        add(g, prog, statement(g, head, dollar ? BB_GT_BUS_DOLLAR : BB_GT_BUS_COLON, body));
        g->nbuses = b + 1;
    }
    if (implicit) {
        prog->kid[prog->n - 1]->tag = BB_GT_OUT_IMPLICIT; /* the last bus is heard for sure */
        return prog;
    }
    int no = g->small ? 1 : 1 + pick(g, GEN_OUTS_MAX);
    for (int o = 0; o < no; o++) {
        char head[16];
        bool out = o == 0 && chance(g, 40);
        snprintf(head, sizeof head, out ? "out: " : "o%d: ", o + 1);
        ex body = g->small || chance(g, 70) ? gen_trig(g, 1) : gen_sig(g, 1);
        if (!g->small && chance(g, 30)) body = gen_effect_on(g, body);
        add(g, prog, statement(g, head, out ? BB_GT_OUT_OUT : BB_GT_OUT_ON, body));
    }
    return prog;
}

static bb_gnode *clone(gen *g, const bb_gnode *t)
{
    bb_gnode *n = node(g, t->pre, t->sep, t->post, t->cat, (bb_gen_tag)t->tag);
    if (!n) return NULL;
    n->removable = t->removable;
    n->min_kids = t->min_kids;
    for (size_t i = 0; i < t->n; i++) add(g, n, clone(g, t->kid[i]));
    return n;
}

/* The program a live coder reloads: a copy of prog with one bus redefined. */
static bb_gnode *gen_edit(gen *g, const bb_gnode *prog)
{
    bb_gnode *b = clone(g, prog);
    if (!b) return NULL;
    size_t buses[GEN_BUSES_MAX + 1], nb = 0;
    for (size_t i = 0; i < b->n && nb <= GEN_BUSES_MAX; i++)
        if (!strncmp(b->kid[i]->pre, "~b", 2)) buses[nb++] = i;
    if (!nb) return b;
    size_t i = buses[pick(g, (int)nb)];
    g->nbuses = atoi(b->kid[i]->pre + 2);
    g->in_bus = true;
    g->small = true; /* keep the new definition one the lanes can run */
    if (chance(g, 50)) /* a static one: its buffers depend on length and pitch alone */
        b->kid[i]->kid[0] = leaf(g, ONE_OF(g, "saw 330", "sine 220 * 0.5", "square 110 # lpf 900", "tri 440 + saw 2"), 'e',
                                 BB_GT_NONE);
    else
        b->kid[i]->kid[0] = gen_sig(g, 1).n;
    g->in_bus = false;
    return b;
}

static uint64_t mix64(uint64_t a, uint64_t b)
{
    gen g = {.rng = a ^ (b * 0x9E3779B97F4A7C15ull)};
    next(&g);
    return next(&g);
}

int bb_gen_case_make(bb_gen_case *c, uint64_t seed, uint64_t index)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->index = index;
    gen g = {.c = c, .rng = mix64(seed, index)};
    static const int rates[] = {8000, 8000, 11025, 22050};
    c->sr = rates[pick(&g, 4)];
    c->prog = gen_prog(&g);
    double cps = c->cps = g.cps;
    /* 1 to 3 cycles and a fraction (a length that ends mid-cycle), shorter at higher rates */
    double cycles = 0.5 + pick(&g, 2) + (double)pick(&g, 1000) / 1000.0;
    if (chance(&g, 35)) {
        c->reload_cycle = 1 + pick(&g, 2);
        if (cycles < (double)c->reload_cycle + 0.5) cycles = (double)c->reload_cycle + 0.5 + (double)pick(&g, 500) / 1000.0;
        c->reload = chance(&g, 65) ? gen_edit(&g, c->prog) : gen_prog(&g);
    }
    /* a whole number of 40 ms steps: the length is then an exact decimal number of seconds
       at every rate used here (busbench render --seconds reproduces it) */
    double steps = floor(cycles / cps / 0.04 + 0.5);
    if (steps > 100) steps = 100; /* 4 s */
    c->frames = (int64_t)steps * (c->sr / 25);
    if (g.fail) {
        bb_gen_case_free(c);
        return -1;
    }
    return 0;
}

void bb_gen_case_coverage(const bb_gen_case *c, uint64_t *counts)
{
    bb_gen_coverage(c->prog, counts);
    if (c->reload) {
        bb_gen_coverage(c->reload, counts);
        counts[BB_GT_RELOAD]++;
    }
    /* the first program's tempo (a reload may change it: then this is an estimate) */
    double cycles = (double)c->frames * c->cps / (double)c->sr;
    counts[BB_GT_MID_CYCLE] += cycles != floor(cycles);
}
