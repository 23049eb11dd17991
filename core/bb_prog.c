/* bb_prog.c - from statements to signal graphs.
 *
 * Compilation gives every expression one of five kinds: a number (folded
 * exactly as doubles), a pattern (a "string", or a transform of one), a trigger
 * (`s PAT` with its controls), a signal (a node of the code being built), or,
 * for the right side of `#` and either side of `$`, a function still waiting for
 * its input. Kinds convert only upwards (number -> pattern -> signal, trigger ->
 * signal); anything else is an error that names the place and what was expected.
 *
 * Invariants: a code's nodes only read nodes with smaller indices; every bus
 * definition is compiled (an unused bus with an error is still an error); a bus
 * that reaches itself through references or triggers is rejected before any
 * code is built, so synthesis never recurses forever. */
#include "bb_prog.h"

#include "bb_alloc.h"
#include "bb_dsp.h"

#include <stdio.h>
#include <string.h>

uint64_t bb_hash_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t bb_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return bb_hash_mix(h);
}

/* ---- time map ------------------------------------------------------------ */

bb_rat bb_prog_time(const bb_prog *p, int64_t k)
{
    return bb_rat_add(p->c0, bb_rat_div(bb_rat_int(k - p->s0), p->spc));
}

typedef __int128 i128;

static i128 floor_div(i128 a, i128 b) /* b > 0 */
{
    i128 q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* idx(t) and the cycle of k are on every block's path: computed directly in
 * 128 bits (no reduction), falling back to reduced rationals when a product
 * would not fit. Both give the exact same integers. */
int64_t bb_prog_idx(const bb_prog *p, bb_rat t)
{
    i128 x, num, den;
    if (bb_rat_valid(t) && bb_rat_valid(p->c0) && p->c0.den == 1 && bb_rat_valid(p->spc) &&
        !__builtin_mul_overflow((i128)p->c0.num, (i128)t.den, &x) &&
        !__builtin_sub_overflow((i128)t.num, x, &x) && !__builtin_mul_overflow(x, (i128)p->spc.num, &num) &&
        !__builtin_mul_overflow((i128)t.den, (i128)p->spc.den, &den)) {
        i128 c = -floor_div(-num, den); /* ceil */
        if (c >= INT64_MIN + (i128)1 - p->s0 && c <= INT64_MAX - (i128)p->s0 && c > -(i128)INT64_MAX && c < (i128)INT64_MAX)
            return p->s0 + (int64_t)c;
    }
    return p->s0 + bb_rat_ceil(bb_rat_mul(bb_rat_sub(t, p->c0), p->spc));
}

int64_t bb_prog_cycle(const bb_prog *p, int64_t k)
{
    i128 num;
    if (bb_rat_valid(p->c0) && p->c0.den == 1 && bb_rat_valid(p->spc) &&
        !__builtin_mul_overflow((i128)k - p->s0, (i128)p->spc.den, &num)) {
        i128 c = floor_div(num, p->spc.num) + p->c0.num;
        if (c > -(i128)INT64_MAX && c < (i128)INT64_MAX) return (int64_t)c;
    }
    return bb_rat_floor(bb_prog_time(p, k));
}

int32_t bb_prog_bus(const bb_prog *p, const char *name, size_t len)
{
    for (int32_t i = 0; i < p->nbuses; i++)
        if (p->buses[i].name_len == len && !memcmp(p->buses[i].name, name, len)) return i;
    return -1;
}

/* ---- functions ------------------------------------------------------------ */

typedef enum { F_OSC, F_NOISE, F_FILT, F_DELAY, F_REVERB, F_S, F_NOTE, F_N, F_GAIN, F_FAST, F_SLOW, F_REV, F_STUT } fn_kind;

typedef struct {
    const char *name;
    fn_kind kind;
    int sub;
    bool takes_input; /* applied to an input with `#` or `$` */
    int min_args, max_args;
    const char *usage;
} fn_def;

static const fn_def fns[] = {
    {"sine", F_OSC, BB_OSC_SINE, false, 0, 1, "sine [freq]"},
    {"saw", F_OSC, BB_OSC_SAW, false, 0, 1, "saw [freq]"},
    {"square", F_OSC, BB_OSC_SQUARE, false, 0, 1, "square [freq]"},
    {"tri", F_OSC, BB_OSC_TRI, false, 0, 1, "tri [freq]"},
    {"noise", F_NOISE, 0, false, 0, 0, "noise"},
    {"lpf", F_FILT, BB_BIQUAD_LP, true, 1, 2, "x # lpf cutoff [q]"},
    {"hpf", F_FILT, BB_BIQUAD_HP, true, 1, 2, "x # hpf cutoff [q]"},
    {"bpf", F_FILT, BB_BIQUAD_BP, true, 1, 2, "x # bpf cutoff [q]"},
    {"delay", F_DELAY, 0, true, 2, 3, "x # delay time feedback [mix]"},
    {"reverb", F_REVERB, 0, true, 2, 3, "x # reverb room damp [mix]"},
    {"s", F_S, 0, false, 1, 1, "s \"pattern\""},
    {"note", F_NOTE, 0, true, 1, 1, "triggers # note \"pattern\""},
    {"n", F_N, 0, true, 1, 1, "triggers # n \"pattern\""},
    {"gain", F_GAIN, 0, true, 1, 1, "triggers # gain \"pattern\""},
    {"fast", F_FAST, 0, true, 1, 1, "pattern $ fast factor"},
    {"slow", F_SLOW, 0, true, 1, 1, "pattern $ slow factor"},
    {"rev", F_REV, 0, true, 0, 0, "pattern $ rev"},
    {"stut", F_STUT, 0, true, 3, 3, "pattern $ stut count time decay"},
};

static const fn_def *find_fn(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strlen(fns[i].name) == len && !memcmp(fns[i].name, name, len)) return &fns[i];
    return NULL;
}

/* ---- compiler state --------------------------------------------------------- */

typedef enum { CV_NUM, CV_PAT, CV_TRIG, CV_SIG } cv_kind;

typedef struct {
    cv_kind kind;
    int line, col;
    double num;
    const bb_pat *pat;
    bb_trigdef trig;
    int32_t node;
} cval;

typedef struct {
    bb_prog *prog;
    bb_error *err;
    const char *file;
    bb_code *code;       /* code being built */
    size_t node_cap, trig_cap;
    const bb_stmt **bus_stmt; /* per bus index */
    int32_t stack[BB_PROG_BUSES_MAX]; /* buses being inlined */
    int depth;
    int stack_triggers;  /* copies of every trigger of the output (bb_prog_opts.stack) */
    int32_t stack_nodes; /* nodes of the output's code that stacking added (its own limit) */
} comp;

static bb_result cerr(comp *c, int line, int col, const char *fmt, const char *a, const char *b)
{
    return bb_error_set(c->err, BB_ERR_SEMANTIC, c->file, line, col, fmt, a, b);
}

static bb_result nomem(comp *c, int line, int col)
{
    return bb_error_set(c->err, BB_ERR_NOMEM, c->file, line, col, "no memory to compile the program");
}

static bb_result add_node(comp *c, const bb_node *n, int line, int col, int32_t *idx)
{
    bb_code *code = c->code;
    const int32_t added = code == &c->prog->main ? c->stack_nodes : 0;
    if (code->nnodes - added >= BB_PROG_NODES_MAX)
        return bb_error_set(c->err, BB_ERR_LIMIT, c->file, line, col,
                            "graph larger than %d nodes (after inlining bus references)", BB_PROG_NODES_MAX);
    if (bb_grow((void **)&code->nodes, &c->node_cap, (size_t)code->nnodes + 1, sizeof *code->nodes))
        return nomem(c, line, col);
    code->nodes[code->nnodes] = *n;
    if (n->kind == BB_N_PAT || n->kind == BB_N_NOISE || n->kind == BB_N_TRIG) code->is_static = false;
    *idx = code->nnodes++;
    return BB_OK;
}

static bb_node mk(bb_node_kind kind)
{
    bb_node n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    n.a = n.b = n.c = -1;
    n.trig = -1;
    return n;
}

static int atom_is_note(const bb_val *v, void *ctx)
{
    const bb_val **bad = ctx;
    if (!v->is_note) {
        *bad = v;
        return 1;
    }
    return 0;
}

/* Parse a "string" (or a number's text) as a pattern. */
static bb_result mini(comp *c, const char *s, size_t len, int line, int col, const bb_pat **out)
{
    bb_pat *p;
    bb_result r = bb_mini_parse(&c->prog->own, s, len, c->file, line, col, &p, c->err);
    if (r) return r;
    *out = p;
    return BB_OK;
}

static bb_result to_pat(comp *c, const cval *v, const bb_pat **out)
{
    if (v->kind == CV_PAT) {
        *out = v->pat;
        return BB_OK;
    }
    if (v->kind == CV_NUM) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%.17g", v->num);
        return mini(c, buf, (size_t)n, v->line, v->col, out);
    }
    return cerr(c, v->line, v->col, "expected a number or a \"pattern\" here%s%s", "", "");
}

static bb_result to_sig(comp *c, const cval *v, int32_t *idx)
{
    bb_node n;
    switch (v->kind) {
    case CV_SIG:
        *idx = v->node;
        return BB_OK;
    case CV_NUM:
        n = mk(BB_N_CONST);
        n.k = (float)v->num;
        return add_node(c, &n, v->line, v->col, idx);
    case CV_PAT: {
        const bb_val *bad = NULL;
        if (bb_pat_foreach_atom(v->pat, atom_is_note, &bad)) {
            char what[80];
            snprintf(what, sizeof what, "%.*s", (int)(bad->text_len > 60 ? 60 : bad->text_len), bad->text);
            return cerr(c, v->line, v->col,
                        "a pattern used as a signal must hold numbers or notes, not '%s'%s", what, "");
        }
        n = mk(BB_N_PAT);
        n.pat = v->pat;
        return add_node(c, &n, v->line, v->col, idx);
    }
    case CV_TRIG: {
        /* the output's triggers stacked: copies summed in order, ((t0 + t1) + t2) ...; the
           copies' nodes (a trigger and a sum each) count against BB_PROG_STACK_NODES_MAX, not
           against the program's own limit */
        bb_code *code = c->code;
        int copies = code == &c->prog->main && c->stack_triggers > 1 ? c->stack_triggers : 1;
        for (int j = 0; j < copies; j++) {
            if (j > 0 && c->stack_nodes > BB_PROG_STACK_NODES_MAX - 2)
                return bb_error_set(c->err, BB_ERR_LIMIT, c->file, v->line, v->col,
                                    "stacked copies beyond %d graph nodes", BB_PROG_STACK_NODES_MAX);
            if (bb_grow((void **)&code->trigs, &c->trig_cap, (size_t)code->ntrigs + 1, sizeof *code->trigs))
                return nomem(c, v->line, v->col);
            code->trigs[code->ntrigs] = v->trig;
            n = mk(BB_N_TRIG);
            n.trig = code->ntrigs++;
            int32_t t;
            bb_result r = add_node(c, &n, v->line, v->col, &t);
            if (r) return r;
            if (j == 0) {
                *idx = t;
                continue;
            }
            bb_node sum = mk(BB_N_ADD);
            sum.a = *idx;
            sum.b = t;
            if ((r = add_node(c, &sum, v->line, v->col, idx))) return r;
            c->stack_nodes += 2;
        }
        return BB_OK;
    }
    }
    return BB_ERR_INTERNAL;
}

static bb_result expect_num(comp *c, const cval *v, const char *what, double *out)
{
    if (v->kind != CV_NUM) return cerr(c, v->line, v->col, "expected a number for %s%s", what, "");
    *out = v->num;
    return BB_OK;
}

static bb_result compile(comp *c, const bb_ast *a, cval *out);

typedef struct {
    const char *name;
    size_t len;
    const bb_prog *prog;
    bb_kit *kit;
    const bb_val *bad;
    const char *why;
    bb_result res;      /* BB_ERR_NOMEM: a sound could not be synthesised */
} trig_check;

static int check_trig_atom(const bb_val *v, void *ctx)
{
    trig_check *t = ctx;
    if (v->kind == BB_VAL_BUS) {
        if (bb_prog_bus(t->prog, v->name, v->name_len) < 0) {
            t->bad = v;
            t->why = "no bus is defined with this name";
            return 1;
        }
        return 0;
    }
    if (v->kind == BB_VAL_WORD) {
        if (t->kit && (t->res = bb_kit_use(t->kit, v->name, v->name_len))) {
            t->bad = v;
            return 1;
        }
        if (t->kit && !bb_kit_get(t->kit, v->name, v->name_len, 0)) {
            t->bad = v;
            t->why = "no such sample in the kit (built-in: bd sn hh oh cp 808bd 808sd 808ht 808mt 808lt)";
            return 1;
        }
        return 0;
    }
    t->bad = v;
    t->why = "expected a sample name or a ~bus";
    return 1;
}

/* The number of arguments fa gives fn: BB_OK, or an error that says how many it takes. */
static bb_result check_arity(comp *c, const bb_ast *fa, const fn_def *fn)
{
    if (fa->nargs >= fn->min_args && fa->nargs <= fn->max_args) return BB_OK;
    char want[32];
    if (fn->min_args == fn->max_args)
        snprintf(want, sizeof want, "%d", fn->min_args);
    else
        snprintf(want, sizeof want, "%d to %d", fn->min_args, fn->max_args);
    return bb_error_set(c->err, BB_ERR_SEMANTIC, c->file, fa->line, fa->col,
                        "'%s' takes %s argument%s, found %d (usage: %s)", fn->name, want,
                        fn->max_args == 1 && fn->min_args == 1 ? "" : "s", fa->nargs, fn->usage);
}

/* `input # delay time feedback [mix]` or `input # reverb room damp [mix]`: numbers in range (a
 * delay time in (0, 10] seconds, its feedback at most 0.99; the rest in [0, 1]; mix 0.5 when left
 * out), a node on the input. */
static bb_result apply_fx(comp *c, const bb_ast *fa, const fn_def *fn, const cval *args, const cval *input, cval *out)
{
    bb_result r;
    double p[3] = {0, 0, 0.5};
    static const char *const names[2][3] = {{"the delay time (seconds)", "the feedback", "the mix"},
                                            {"the room size", "the damping", "the mix"}};
    int which = fn->kind == F_REVERB;
    for (int i = 0; i < fa->nargs; i++)
        if ((r = expect_num(c, &args[i], names[which][i], &p[i]))) return r;
    if (fn->kind == F_DELAY && (p[0] <= 0 || p[0] > 10))
        return cerr(c, fa->args[0]->line, fa->args[0]->col, "expected a delay time in (0, 10] seconds%s%s", "", "");
    for (int i = fn->kind == F_DELAY ? 1 : 0; i < 3; i++) {
        double hi = fn->kind == F_DELAY && i == 1 ? 0.99 : 1.0;
        if (p[i] < 0 || p[i] > hi)
            return bb_error_set(c->err, BB_ERR_SEMANTIC, c->file, fa->line, fa->col,
                                "expected %s in [0, %g], found %g", names[which][i], hi, p[i]);
    }
    bb_node n = mk(fn->kind == F_DELAY ? BB_N_DELAY : BB_N_REVERB);
    for (int i = 0; i < 3; i++) n.p[i] = (float)p[i];
    if ((r = to_sig(c, input, &n.a))) return r;
    out->kind = CV_SIG;
    return add_node(c, &n, fa->line, fa->col, &out->node);
}

/* `s "pattern"`: triggers of a pattern whose atoms are samples of the kit or ~buses. */
static bb_result apply_s(comp *c, const bb_ast *fa, const cval *args, cval *out)
{
    if (args[0].kind != CV_PAT)
        return cerr(c, args[0].line, args[0].col, "expected a \"pattern\" of sample names or ~buses%s%s", "", "");
    trig_check t = {.prog = c->prog, .kit = c->prog->kit};
    if (bb_pat_foreach_atom(args[0].pat, check_trig_atom, &t)) {
        if (t.res) return nomem(c, args[0].line, args[0].col);
        char what[80];
        snprintf(what, sizeof what, "%.*s", (int)(t.bad->text_len > 60 ? 60 : t.bad->text_len), t.bad->text);
        return cerr(c, args[0].line, args[0].col, "'%s': %s", what, t.why);
    }
    out->kind = CV_TRIG;
    out->trig.pat = args[0].pat;
    out->trig.line = fa->line;
    out->trig.col = fa->col;
    return BB_OK;
}

/* `triggers # note|n|gain "pattern"`: the triggers with that control, a pattern of numbers or
 * notes. */
static bb_result apply_control(comp *c, const bb_ast *fa, const fn_def *fn, const cval *args, const cval *input,
                               cval *out)
{
    bb_result r;
    if (input->kind != CV_TRIG)
        return cerr(c, fa->line, fa->col, "'%s' applies to triggers (s \"...\"): expected triggers on its left%s",
                    fn->name, "");
    const bb_pat *p;
    if ((r = to_pat(c, &args[0], &p))) return r;
    const bb_val *bad = NULL;
    if (bb_pat_foreach_atom(p, atom_is_note, &bad))
        return cerr(c, args[0].line, args[0].col, "expected numbers or notes in the '%s' pattern%s", fn->name, "");
    *out = *input;
    if (fn->kind == F_NOTE) out->trig.note = p;
    if (fn->kind == F_N) out->trig.n = p;
    if (fn->kind == F_GAIN) out->trig.gain = p;
    return BB_OK;
}

/* `pattern $ stut count time decay` on src into *res: a whole count in 1..BB_PAT_STUT_MAX, a time
 * written as a plain number of cycles (kept exact), a decay. */
static bb_result stut_of(comp *c, const bb_ast *fa, const cval *args, const bb_pat *src, bb_pat **res)
{
    bb_result r;
    double cnt = 0, dec = 0;
    const bb_ast *ta = fa->args[1];
    if ((r = expect_num(c, &args[0], "the stut count", &cnt)) || (r = expect_num(c, &args[2], "the stut decay", &dec)))
        return r;
    if (!(cnt >= 1 && cnt <= BB_PAT_STUT_MAX) || cnt != (double)(int)cnt)
        return bb_error_set(c->err, BB_ERR_LIMIT, c->file, fa->args[0]->line, fa->args[0]->col,
                            "expected a whole stut count in 1..%d (BB_PAT_STUT_MAX)", BB_PAT_STUT_MAX);
    if (ta->kind != BB_AST_NUM)
        return cerr(c, ta->line, ta->col, "expected a plain number of cycles for the stut time%s%s", "", "");
    bb_rat t = ta->rat;
    return bb_pat_stut(&c->prog->own, src, (int)cnt, t, dec, res);
}

/* `pattern $ fast|slow|rev|stut ...` (or on triggers, before their controls): the transformed
 * pattern, or the triggers of the transformed pattern. */
static bb_result apply_transform(comp *c, const bb_ast *fa, const fn_def *fn, const cval *args, const cval *input,
                                 cval *out)
{
    bb_result r;
    const bb_pat *src;
    if (input->kind == CV_TRIG) {
        if (input->trig.note || input->trig.n || input->trig.gain)
            return cerr(c, fa->line, fa->col,
                        "'%s' must come before '# note', '# n' and '# gain' (transform the triggers first)%s",
                        fn->name, "");
        src = input->trig.pat;
    } else if ((r = to_pat(c, input, &src))) {
        return r;
    }
    bb_pat *res = NULL;
    if (fn->kind == F_FAST || fn->kind == F_SLOW) {
        const bb_pat *f;
        if ((r = to_pat(c, &args[0], &f))) return r;
        r = fn->kind == F_FAST ? bb_pat_fast(&c->prog->own, src, f, &res) : bb_pat_slow(&c->prog->own, src, f, &res);
    } else if (fn->kind == F_REV) {
        r = bb_pat_rev(&c->prog->own, src, &res);
    } else {
        r = stut_of(c, fa, args, src, &res);
    }
    if (r) return r == BB_ERR_NOMEM ? nomem(c, fa->line, fa->col) : r;
    *out = *input;
    if (input->kind == CV_TRIG)
        out->trig.pat = res;
    else {
        out->kind = CV_PAT;
        out->pat = res;
    }
    out->line = fa->line;
    out->col = fa->col;
    return BB_OK;
}

/* Apply function application `fa` (an APP of fn) to `input` (NULL when fn takes none). */
static bb_result apply(comp *c, const bb_ast *fa, const fn_def *fn, const cval *input, cval *out)
{
    cval args[BB_PH_ARGS_MAX];
    bb_result r;
    if ((r = check_arity(c, fa, fn))) return r;
    for (int i = 0; i < fa->nargs; i++)
        if ((r = compile(c, fa->args[i], &args[i]))) return r;
    memset(out, 0, sizeof *out);
    out->line = fa->line;
    out->col = fa->col;
    bb_node n;
    switch (fn->kind) {
    case F_OSC: {
        cval f = {.kind = CV_NUM, .num = 261.6256, .line = fa->line, .col = fa->col};
        n = mk(BB_N_OSC);
        n.sub = fn->sub;
        if ((r = to_sig(c, fa->nargs ? &args[0] : &f, &n.a))) return r;
        out->kind = CV_SIG;
        return add_node(c, &n, fa->line, fa->col, &out->node);
    }
    case F_NOISE:
        n = mk(BB_N_NOISE);
        n.seed = bb_hash_mix(((uint64_t)(uint32_t)fa->line << 32) | (uint32_t)fa->col);
        out->kind = CV_SIG;
        return add_node(c, &n, fa->line, fa->col, &out->node);
    case F_FILT: {
        cval q = {.kind = CV_NUM, .num = 0.7071, .line = fa->line, .col = fa->col};
        n = mk(BB_N_FILT);
        n.sub = fn->sub;
        if ((r = to_sig(c, input, &n.a)) || (r = to_sig(c, &args[0], &n.b)) ||
            (r = to_sig(c, fa->nargs > 1 ? &args[1] : &q, &n.c)))
            return r;
        out->kind = CV_SIG;
        return add_node(c, &n, fa->line, fa->col, &out->node);
    }
    case F_DELAY:
    case F_REVERB:
        return apply_fx(c, fa, fn, args, input, out);
    case F_S:
        return apply_s(c, fa, args, out);
    case F_NOTE:
    case F_N:
    case F_GAIN:
        return apply_control(c, fa, fn, args, input, out);
    case F_FAST:
    case F_SLOW:
    case F_REV:
    case F_STUT:
        return apply_transform(c, fa, fn, args, input, out);
    }
    return BB_ERR_INTERNAL;
}

static bb_result app_fn(comp *c, const bb_ast *a, const fn_def **fn)
{
    char name[64];
    *fn = find_fn(a->text, a->len);
    if (*fn) return BB_OK;
    snprintf(name, sizeof name, "%.*s", (int)(a->len > 40 ? 40 : a->len), a->text);
    return cerr(c, a->line, a->col,
                "unknown function '%s' (known: sine saw square tri noise lpf hpf bpf delay reverb s note n gain fast slow rev stut)%s",
                name, "");
}

static bb_result compile_ref(comp *c, const bb_ast *a, cval *out)
{
    int32_t b = bb_prog_bus(c->prog, a->text, a->len);
    if (b < 0) {
        char name[80];
        snprintf(name, sizeof name, "%.*s", (int)a->len, a->text);
        return cerr(c, a->line, a->col, "unknown bus '~%s': expected a bus defined with '~%s: ...'", name, name);
    }
    for (int i = 0; i < c->depth; i++)
        if (c->stack[i] == b) {
            char name[80];
            snprintf(name, sizeof name, "%.*s", (int)a->len, a->text);
            return cerr(c, a->line, a->col, "bus '~%s' refers to itself%s", name, "");
        }
    if (c->depth >= BB_PROG_BUSES_MAX)
        return bb_error_set(c->err, BB_ERR_LIMIT, c->file, a->line, a->col, "bus references nested too deeply");
    c->stack[c->depth++] = b;
    bb_result r = compile(c, c->bus_stmt[b]->expr, out);
    c->depth--;
    return r;
}

static bb_result compile(comp *c, const bb_ast *a, cval *out)
{
    bb_result r;
    memset(out, 0, sizeof *out);
    out->line = a->line;
    out->col = a->col;
    switch (a->kind) {
    case BB_AST_NUM:
        out->kind = CV_NUM;
        out->num = a->num;
        return BB_OK;
    case BB_AST_STR:
        out->kind = CV_PAT;
        return mini(c, a->text, a->len, a->line, a->text_col, &out->pat);
    case BB_AST_REF:
        return compile_ref(c, a, out);
    case BB_AST_APP: {
        const fn_def *fn;
        if ((r = app_fn(c, a, &fn))) return r;
        if (fn->takes_input) {
            return bb_error_set(c->err, BB_ERR_SEMANTIC, c->file, a->line, a->col,
                                "'%s' needs an input: write 'x # %s ...' or '%s ... $ x'", fn->name, fn->name, fn->name);
        }
        return apply(c, a, fn, NULL, out);
    }
    case BB_AST_NEG: {
        cval x;
        if ((r = compile(c, a->a, &x))) return r;
        if (x.kind == CV_NUM) {
            out->kind = CV_NUM;
            out->num = -x.num;
            return BB_OK;
        }
        bb_node n = mk(BB_N_NEG);
        if ((r = to_sig(c, &x, &n.a))) return r;
        out->kind = CV_SIG;
        return add_node(c, &n, a->line, a->col, &out->node);
    }
    case BB_AST_BIN: {
        cval x, y;
        if ((r = compile(c, a->a, &x)) || (r = compile(c, a->b, &y))) return r;
        if (x.kind == CV_NUM && y.kind == CV_NUM) {
            out->kind = CV_NUM;
            switch (a->op) {
            case '+': out->num = x.num + y.num; break;
            case '-': out->num = x.num - y.num; break;
            case '*': out->num = x.num * y.num; break;
            default: out->num = x.num / y.num; break;
            }
            return BB_OK;
        }
        bb_node n = mk(a->op == '+' ? BB_N_ADD : a->op == '-' ? BB_N_SUB : a->op == '*' ? BB_N_MUL : BB_N_DIV);
        if ((r = to_sig(c, &x, &n.a)) || (r = to_sig(c, &y, &n.b))) return r;
        out->kind = CV_SIG;
        return add_node(c, &n, a->line, a->col, &out->node);
    }
    case BB_AST_HASH:
    case BB_AST_DOLLAR: {
        const bb_ast *fa = NULL, *in = NULL;
        const fn_def *fn = NULL;
        if (a->b->kind == BB_AST_APP && (r = app_fn(c, a->b, &fn))) return r;
        if (fn && fn->takes_input) {
            fa = a->b;
            in = a->a;
        } else if (a->kind == BB_AST_DOLLAR && a->a->kind == BB_AST_APP) {
            if ((r = app_fn(c, a->a, &fn))) return r;
            if (fn->takes_input) {
                fa = a->a;
                in = a->b;
            }
        }
        if (!fa)
            return cerr(c, a->b->line, a->b->col,
                        a->kind == BB_AST_HASH ? "expected a function such as 'lpf 800' or 'note \"0\"' after '#'%s%s"
                                               : "expected a function waiting for its input (such as 'fast 2') on one side of '$'%s%s",
                        "", "");
        cval x;
        if ((r = compile(c, in, &x))) return r;
        return apply(c, fa, fn, &x, out);
    }
    }
    return BB_ERR_INTERNAL;
}

/* Make node idx (of c's code) the code's last, as a code's signal is: when it is an earlier node,
 * add idx + 0 after it (line, col: where an error points). */
static bb_result end_with(comp *c, int32_t *idx, int line, int col)
{
    if (*idx == c->code->nnodes - 1) return BB_OK;
    bb_node z = mk(BB_N_CONST), n = mk(BB_N_ADD);
    int32_t zi;
    bb_result r = add_node(c, &z, line, col, &zi);
    if (r) return r;
    n.a = *idx;
    n.b = zi;
    return add_node(c, &n, line, col, idx);
}

/* Compile expression a into a fresh code whose last node is its signal. */
static bb_result compile_code(comp *c, const bb_ast *a, bb_code *code, int32_t self)
{
    c->code = code;
    c->node_cap = c->trig_cap = 0;
    code->is_static = true;
    c->depth = 0;
    if (self >= 0) c->stack[c->depth++] = self;
    cval v;
    bb_result r = compile(c, a, &v);
    int32_t idx;
    if (!r) r = to_sig(c, &v, &idx);
    if (!r) r = end_with(c, &idx, a->line, a->col); /* an earlier node: copied to the end */
    return r;
}

/* ---- bus dependency check (references and triggers) ------------------------ */

typedef struct {
    const bb_prog *prog;
    uint8_t *used;      /* per bus: referenced by some statement */
    int32_t *edges;     /* adjacency: edges[from * nb + to] */
    int32_t from, nb;
} dep_ctx;

static void add_dep(dep_ctx *d, int32_t to)
{
    if (to < 0) return;
    d->used[to] = 1;
    if (d->from >= 0) d->edges[(size_t)d->from * (size_t)d->nb + (size_t)to] = 1;
}

static int dep_atom(const bb_val *v, void *ctx)
{
    dep_ctx *d = ctx;
    if (v->kind == BB_VAL_BUS) add_dep(d, bb_prog_bus(d->prog, v->name, v->name_len));
    return 0;
}

static bb_result deps_of(dep_ctx *d, const bb_ast *a, bb_arena *tmp, bb_error *err, const char *file)
{
    if (!a) return BB_OK;
    bb_result r;
    if (a->kind == BB_AST_REF) add_dep(d, bb_prog_bus(d->prog, a->text, a->len));
    if (a->kind == BB_AST_STR) {
        bb_pat *p;
        if ((r = bb_mini_parse(tmp, a->text, a->len, file, a->line, a->text_col, &p, err))) return r;
        bb_pat_foreach_atom(p, dep_atom, d);
    }
    if ((r = deps_of(d, a->a, tmp, err, file)) || (r = deps_of(d, a->b, tmp, err, file))) return r;
    for (int i = 0; i < a->nargs; i++)
        if ((r = deps_of(d, a->args[i], tmp, err, file))) return r;
    return BB_OK;
}

/* Depth-first search for a cycle through bus b; state 1 = on the path, 2 = done. */
static int32_t find_cycle(const dep_ctx *d, int32_t b, uint8_t *state, int32_t *via)
{
    state[b] = 1;
    for (int32_t t = 0; t < d->nb; t++) {
        if (!d->edges[(size_t)b * (size_t)d->nb + (size_t)t]) continue;
        if (state[t] == 1) {
            *via = b;
            return t;
        }
        if (state[t] == 0) {
            int32_t x = find_cycle(d, t, state, via);
            if (x >= 0) return x;
        }
    }
    state[b] = 2;
    return -1;
}

static bb_result check_deps(comp *c, const bb_ph *ph, uint8_t *used, int32_t *edges)
{
    bb_prog *p = c->prog;
    int32_t nb = p->nbuses;
    bb_arena tmp;
    bb_arena_init(&tmp);
    uint8_t *state = bb_calloc((size_t)nb + 1, 1);
    bb_result r = BB_OK;
    if (!state) {
        r = nomem(c, 0, 0);
        goto done;
    }
    dep_ctx d = {.prog = p, .used = used, .edges = edges, .nb = nb};
    for (size_t i = 0; i < ph->nstmts && !r; i++) {
        const bb_stmt *st = &ph->stmts[i];
        if (st->kind == BB_STMT_TEMPO) continue;
        d.from = st->kind == BB_STMT_BUS ? bb_prog_bus(p, st->name, st->name_len) : -1;
        r = deps_of(&d, st->expr, &tmp, c->err, c->file);
    }
    for (int32_t b = 0; b < nb && !r; b++) {
        if (state[b]) continue;
        int32_t via = -1, t = find_cycle(&d, b, state, &via);
        if (t >= 0) {
            const bb_stmt *st = c->bus_stmt[t];
            char n1[80], n2[80];
            snprintf(n1, sizeof n1, "%.*s", (int)p->buses[t].name_len, p->buses[t].name);
            snprintf(n2, sizeof n2, "%.*s", (int)p->buses[via].name_len, p->buses[via].name);
            r = via == t ? cerr(c, st->line, st->col, "bus '~%s' refers to itself%s", n1, "")
                         : bb_error_set(c->err, BB_ERR_SEMANTIC, c->file, st->line, st->col,
                                        "bus '~%s' refers to itself through '~%s' (a cycle of buses)", n1, n2);
        }
    }
done:
    bb_free(state);
    bb_arena_free(&tmp);
    return r;
}

/* The identity of bus b's buffers: its name and text, the texts of every bus it
 * reaches (references and triggers, transitively), and, unless it is static, the
 * time map (tempo and anchor), since its pattern inputs are read in absolute time. */
static uint64_t def_identity(const bb_prog *p, const int32_t *edges, int32_t b, uint8_t *seen)
{
    int32_t nb = p->nbuses;
    memset(seen, 0, (size_t)nb);
    int32_t stack[BB_PROG_BUSES_MAX], sp = 0;
    uint64_t h = p->buses[b].def_hash;
    stack[sp++] = b;
    seen[b] = 1;
    while (sp) {
        int32_t x = stack[--sp];
        for (int32_t t = 0; t < nb; t++)
            if (edges[(size_t)x * (size_t)nb + (size_t)t] && !seen[t]) {
                seen[t] = 1;
                h += bb_hash_mix(p->buses[t].def_hash); /* order-free combination */
                stack[sp++] = t;
            }
    }
    h = bb_hash_mix(h ^ bb_hash_mix((uint64_t)p->sr));
    if (!p->buses[b].code.is_static) {
        uint64_t tm[6] = {(uint64_t)p->cps.num, (uint64_t)p->cps.den, (uint64_t)p->c0.num,
                          (uint64_t)p->c0.den, (uint64_t)p->s0, 0};
        h = bb_hash_bytes(tm, sizeof tm, h);
    }
    return h;
}

/* ---- the program ---------------------------------------------------------- */

/* A new program for ph under o: its time map (samples per cycle from the tempo), nothing compiled.
 * BB_ERR_ARG for bad options, BB_ERR_NOMEM; ph is freed on failure. */
static bb_result prog_new(bb_ph *ph, const bb_prog_opts *o, bb_prog **out, bb_error *err)
{
    if (!bb_rat_valid(o->c0) || o->sr < 1 || o->sr != (double)(int64_t)o->sr) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_ARG, NULL, 0, 0, "bad program options: an integral sample rate and a valid anchor cycle are needed");
    }
    bb_prog *p = bb_calloc(1, sizeof *p);
    if (!p) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the program");
    }
    bb_arena_init(&p->own);
    p->ph = ph;
    p->sr = o->sr;
    p->kit = o->kit;
    p->cps = ph->cps;
    p->c0 = o->c0;
    p->s0 = o->s0;
    p->spc = bb_rat_div(bb_rat_int((int64_t)o->sr), ph->cps);
    *out = p;
    return BB_OK;
}

/* What the program's size allows: at most BB_PROG_BUSES_MAX buses (nb), and a tempo whose
 * samples per cycle at p's rate are an exact 64-bit fraction. */
static bb_result check_size(const bb_prog *p, const bb_ph *ph, size_t nb, bb_error *err)
{
    if (nb > BB_PROG_BUSES_MAX) return bb_error_set(err, BB_ERR_LIMIT, ph->file, 0, 0, "more than %d buses", BB_PROG_BUSES_MAX);
    if (bb_rat_valid(p->spc)) return BB_OK;
    /* e.g. tempo: 0.123901263874590123 (an 18-digit denominator) at 44100 Hz */
    const bb_stmt *ts = NULL;
    for (size_t i = 0; i < ph->nstmts; i++)
        if (ph->stmts[i].kind == BB_STMT_TEMPO) ts = &ph->stmts[i];
    return bb_error_set(err, BB_ERR_LIMIT, ph->file, ts ? ts->line : 0, ts ? ts->col : 0,
                        "this tempo at %g Hz gives a number of samples per cycle that is not an exact 64-bit "
                        "fraction: write the tempo with fewer digits",
                        p->sr);
}

/* The bus definitions of ph, in order, into c->prog->buses (name, place, the hash of its text) and
 * c->bus_stmt (room for every one allocated): a bus defined twice is an error. */
static bb_result declare_buses(comp *c, const bb_ph *ph)
{
    bb_prog *p = c->prog;
    for (size_t i = 0; i < ph->nstmts; i++) {
        const bb_stmt *st = &ph->stmts[i];
        if (st->kind != BB_STMT_BUS) continue;
        if (bb_prog_bus(p, st->name, st->name_len) >= 0) {
            char name[80];
            snprintf(name, sizeof name, "%.*s", (int)st->name_len, st->name);
            return cerr(c, st->line, st->col, "bus '~%s' is defined twice%s", name, "");
        }
        bb_busdef *b = &p->buses[p->nbuses];
        b->name = st->name;
        b->name_len = st->name_len;
        b->line = st->line;
        b->col = st->col;
        b->def_hash = bb_hash_bytes(st->def, st->def_len, bb_hash_bytes(st->name, st->name_len, 0));
        c->bus_stmt[p->nbuses++] = st;
    }
    return BB_OK;
}

/* Every bus's def_hash becomes its identity (def_identity over the dependency edges), once every
 * bus's code is compiled (whether it is static is known then). */
static bb_result identify_buses(comp *c, const int32_t *edges)
{
    bb_prog *p = c->prog;
    uint64_t *ids = bb_calloc((size_t)p->nbuses + 1, sizeof *ids);
    uint8_t *seen = bb_calloc((size_t)p->nbuses + 1, 1);
    bb_result r = BB_OK;
    if (!ids || !seen) {
        r = nomem(c, 0, 0);
    } else {
        for (int32_t b = 0; b < p->nbuses; b++) ids[b] = def_identity(p, edges, b, seen);
        for (int32_t b = 0; b < p->nbuses; b++) p->buses[b].def_hash = ids[b];
    }
    bb_free(ids);
    bb_free(seen);
    return r;
}

/* The output, c->prog->main: the explicit outputs (nout of them), else every bus nothing else
 * refers to (used), summed in order; none is an error. */
static bb_result compile_main(comp *c, const bb_ph *ph, size_t nout, const uint8_t *used)
{
    bb_prog *p = c->prog;
    const bb_ast **roots = bb_calloc(ph->nstmts + 1, sizeof *roots);
    size_t nroots = 0;
    if (!roots) return nomem(c, 0, 0);
    for (size_t i = 0; i < ph->nstmts; i++) {
        const bb_stmt *st = &ph->stmts[i];
        if (nout ? st->kind == BB_STMT_OUT
                 : st->kind == BB_STMT_BUS && !used[bb_prog_bus(p, st->name, st->name_len)])
            roots[nroots++] = st->expr;
    }
    if (nroots == 0) {
        bb_free(roots);
        return bb_error_set(c->err, BB_ERR_SEMANTIC, ph->file, 0, 0,
                            ph->nstmts == 0 ? "empty program: expected at least a bus ('~name: ...') or an output ('out: ...')"
                                            : "the program has no output: expected 'out: ...' or a bus that nothing else uses");
    }
    c->code = &p->main;
    c->node_cap = c->trig_cap = 0;
    p->main.is_static = true;
    int32_t acc = -1;
    bb_result r = BB_OK;
    for (size_t i = 0; i < nroots && !r; i++) {
        cval v;
        int32_t idx;
        c->depth = 0;
        if ((r = compile(c, roots[i], &v)) || (r = to_sig(c, &v, &idx))) break;
        if (acc < 0) {
            acc = idx;
        } else {
            bb_node n = mk(BB_N_ADD);
            n.a = acc;
            n.b = idx;
            r = add_node(c, &n, roots[i]->line, roots[i]->col, &acc);
        }
    }
    if (!r) r = end_with(c, &acc, 0, 0);
    bb_free(roots);
    return r;
}

bb_result bb_prog_compile(bb_ph *ph, const bb_prog_opts *o, bb_prog **out, bb_error *err)
{
    bb_prog *p = NULL;
    bb_result r = prog_new(ph, o, &p, err);
    if (r) return r;
    comp c = {.prog = p, .err = err, .file = ph->file, .stack_triggers = o->stack};
    uint8_t *used = NULL;
    int32_t *edges = NULL;
    size_t nb = 0, nout = 0;
    for (size_t i = 0; i < ph->nstmts; i++) {
        nb += ph->stmts[i].kind == BB_STMT_BUS;
        nout += ph->stmts[i].kind == BB_STMT_OUT;
    }
    if ((r = check_size(p, ph, nb, err))) goto fail;
    p->buses = bb_calloc(nb + 1, sizeof *p->buses);
    c.bus_stmt = bb_calloc(nb + 1, sizeof *c.bus_stmt);
    used = bb_calloc(nb + 1, 1);
    edges = bb_calloc(nb * nb + 1, sizeof *edges);
    if (!p->buses || !c.bus_stmt || !used || !edges) {
        r = nomem(&c, 0, 0);
        goto fail;
    }
    if ((r = declare_buses(&c, ph)) || (r = check_deps(&c, ph, used, edges))) goto fail;
    for (int32_t b = 0; b < p->nbuses; b++)
        if ((r = compile_code(&c, c.bus_stmt[b]->expr, &p->buses[b].code, b))) goto fail;
    if ((r = identify_buses(&c, edges)) || (r = compile_main(&c, ph, nout, used))) goto fail;
    bb_free(c.bus_stmt);
    bb_free(used);
    bb_free(edges);
    *out = p;
    return BB_OK;
fail:
    bb_free(c.bus_stmt);
    bb_free(used);
    bb_free(edges);
    bb_prog_free(p);
    return r;
}

static void code_free(bb_code *c)
{
    bb_free(c->nodes);
    bb_free(c->trigs);
}

void bb_prog_free(bb_prog *p)
{
    if (!p) return;
    for (int32_t i = 0; i < p->nbuses; i++) code_free(&p->buses[i].code);
    bb_free(p->buses);
    code_free(&p->main);
    bb_arena_free(&p->own);
    bb_ph_free(p->ph);
    bb_free(p);
}
