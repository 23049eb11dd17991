/* bb_prog.h - a compiled .ph program: signal graphs ("codes") for the output and
 * for every bus, the trigger definitions, and the exact time map of the render.
 *
 * A code is a flat array of nodes in evaluation order (inputs before users);
 * its last node is its result. Bus references are inlined (each use of a bus in
 * an expression evaluates its own copy, from the same fresh state, so copies
 * agree); a bus used as a trigger (`s "~x"`) is synthesised from its own code.
 * A compiled program is immutable and may be read by many threads.
 *
 * Time: the program is anchored at cycle c0 = sample s0 (0 and 0 for the first
 * program of a render, the reload cycle for a reloaded one). Sample k sits at
 * t_k = c0 + (k - s0) / spc and the sample of time t is idx(t) = s0 + ceil((t -
 * c0) * spc), spc = sr / cps, all exact. */
#ifndef BB_PROG_H
#define BB_PROG_H

#include "bb_arena.h"
#include "bb_kit.h"
#include "bb_pat.h"
#include "bb_ph.h"
#include "bb_rat.h"
#include "bb_result.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    BB_PROG_NODES_MAX = 4096,  /* nodes in one code (after inlining bus references) */
    BB_PROG_STACK_NODES_MAX = 1 << 18, /* nodes that stacking (bb_prog_opts.stack) adds to the output */
    BB_PROG_BUSES_MAX = 256
};

typedef enum {
    BB_N_CONST,   /* k */
    BB_N_PAT,     /* pattern as a signal: value of the event whose whole holds t_k, else 0 */
    BB_N_OSC,     /* sub = bb_osc_shape, a = frequency */
    BB_N_NOISE,   /* seed */
    BB_N_ADD, BB_N_SUB, BB_N_MUL, BB_N_DIV, /* a op b */
    BB_N_NEG,     /* -a */
    BB_N_FILT,    /* sub = bb_biquad_kind, a = input, b = cutoff, c = q */
    BB_N_DELAY,   /* a = input, p = time, feedback, mix */
    BB_N_REVERB,  /* a = input, p = room, damp, mix */
    BB_N_TRIG     /* trig = index of the trigger definition: the mix of its voices */
} bb_node_kind;

typedef struct bb_node {
    bb_node_kind kind;
    int sub;
    int32_t a, b, c;
    float k;
    float p[3];
    const bb_pat *pat;
    int32_t trig;
    uint64_t seed;
} bb_node;

/* `s PAT # note P # n P # gain P`: what a trigger pattern plays. */
typedef struct bb_trigdef {
    const bb_pat *pat;
    const bb_pat *note, *n, *gain; /* NULL when absent */
    int line, col;
} bb_trigdef;

typedef struct bb_code {
    bb_node *nodes;
    int32_t nnodes;
    bb_trigdef *trigs;
    int32_t ntrigs;
    bool is_static; /* no pattern input, no noise, no trigger: depends on length and pitch only */
} bb_code;

typedef struct bb_busdef {
    const char *name;
    size_t name_len;
    int line, col;     /* of its definition */
    uint64_t def_hash; /* of the definition's text: same text, same buffers */
    bb_code code;
} bb_busdef;

typedef struct bb_prog {
    bb_ph *ph;            /* owned: the source the patterns point into */
    bb_arena own;         /* nodes and patterns */
    double sr;
    bb_rat cps, spc;      /* spc = sr / cps */
    bb_rat c0;            /* anchor: cycle c0 ... */
    int64_t s0;           /* ... is sample s0 */
    bb_kit *kit;          /* borrowed; compiling makes the sounds it plays ready */
    bb_busdef *buses;
    int32_t nbuses;
    bb_code main;         /* the output: outputs summed in file order */
} bb_prog;

typedef struct bb_prog_opts {
    double sr;            /* Hz, integral */
    bb_kit *kit;          /* sample names are checked against it and made ready */
    bb_rat c0;
    int64_t s0;
    int stack;            /* > 1: every trigger of the output compiled as that many copies, each its
                             own trigger pattern (own voices, own --max-voices), summed in order:
                             the load of `busbench capacity`. 0 or 1: the program as written */
} bb_prog_opts;

/* Compile ph. Ownership of ph passes to the program (also on failure, when it is
 * freed). Returns BB_ERR_SEMANTIC (unknown function or bus, wrong arity, a bus
 * that refers to itself, a sample the kit lacks, a value of the wrong kind),
 * BB_ERR_PARSE (a pattern string), BB_ERR_LIMIT, BB_ERR_NOMEM, with the place in err. */
bb_result bb_prog_compile(bb_ph *ph, const bb_prog_opts *o, bb_prog **out, bb_error *err);
void bb_prog_free(bb_prog *p);

/* t_k and idx(t) of the program's time map (see above). Overflow gives an invalid
 * time / sets the rational overflow flag. */
bb_rat bb_prog_time(const bb_prog *p, int64_t k);
int64_t bb_prog_idx(const bb_prog *p, bb_rat t);
/* The cycle holding sample k: floor(t_k). */
int64_t bb_prog_cycle(const bb_prog *p, int64_t k);

/* Index of the bus named name[0..len), or -1. */
int32_t bb_prog_bus(const bb_prog *p, const char *name, size_t len);

/* A well-mixed 64-bit hash (splitmix64 finaliser) and FNV-1a of bytes. */
uint64_t bb_hash_mix(uint64_t x);
uint64_t bb_hash_bytes(const void *data, size_t n, uint64_t seed);

#endif
