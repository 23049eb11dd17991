/* bb_voice.h - trigger patterns: scheduling voices from events and mixing them.
 *
 * A bb_trig turns the events of one `s PAT # note .. # n .. # gain ..` into
 * voices and mixes them. The two halves are separate so that a strategy can
 * schedule a window of blocks first (sequential, cheap: pattern queries), give
 * the new voices their bus buffers (possibly in parallel), then mix the blocks
 * of the window in parallel (mixing only reads the voice list).
 *
 * Canonical order: voices are kept in onset order, then the event order of
 * bb_hap_cmp, then chord tone. Mixing adds voices into the output one after
 * the other in that order, so each output sample is the same float sum however
 * the render is cut into blocks. */
#ifndef BB_VOICE_H
#define BB_VOICE_H

#include "bb_bus.h"
#include "bb_pat.h"
#include "bb_prog.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    BB_TRIG_WINDOWS = 33      /* window buffers per trigger: a render looks ahead at most 32 windows */
};

typedef struct bb_limits {
    int max_voices;           /* sounding at once per trigger pattern (default 256) */
    double max_bus_seconds;   /* a bus voice is clamped to this (default 10) */
} bb_limits;

typedef struct bb_voice {
    int64_t onset, end;   /* sounds on samples [onset, end) = [onset, onset + rel_at + env) */
    int64_t len;          /* natural length */
    int64_t rel_at;       /* the release ramp starts here (relative): len - env, or where dropped */
    int32_t env;          /* attack = release length in samples */
    float rel_level;      /* the envelope where the release starts: 1, or its level when dropped */
    bool dropped;         /* released early by the voice limit */
    float gain;
    double rate;          /* sample voices: source frames per output sample */
    const float *data;    /* source: the bus buffer's data or the sample's frames */
    size_t frames;
    bool is_bus;
    bb_busreq req;        /* bus voices: the request; req.buf holds the reference */
} bb_voice;

/* A cycle's worth of events of one pattern, sorted canonically. */
typedef struct bb_patcache {
    const bb_pat *pat;
    int64_t cycle;        /* cycle held, or INT64_MIN */
    bb_haps haps;
} bb_patcache;

typedef struct bb_trig_counters {
    uint64_t voices, dropped, clamps;
} bb_trig_counters;

typedef struct bb_trig {
    const bb_prog *prog;
    const bb_trigdef *def;
    bb_limits lim;
    bb_patcache pat, note, n, gain;
    int64_t *on, *off;    /* per event of pat's cycle: the samples of its whole's begin and end */
    size_t on_cap;
    bb_arena scratch;
    bb_voice *v;          /* voices in canonical order */
    size_t nv, cap;
    float *win;           /* output of the window being mixed (render-driven mode): one of wins */
    int64_t win_k0;
    float *wins[BB_TRIG_WINDOWS]; /* window buffers: a pipelined render mixes the next windows into */
    size_t wins_cap[BB_TRIG_WINDOWS]; /* some while the output graph reads an older one (bb_render.c) */
    const float *out;     /* the window the output graph reads (the render publishes one of wins here) */
    int64_t out_k0;
    bb_trig_counters count;
} bb_trig;

/* A pending bus request: voice vi of trigger t. */
typedef struct bb_pending {
    bb_trig *t;
    size_t vi;
} bb_pending;

typedef struct bb_pendlist {
    bb_pending *v;
    size_t n, cap;
} bb_pendlist;

/* Release callback for bus buffers whose voice ended. */
typedef void (*bb_release_fn)(void *ctx, bb_busbuf *b);

/* Initialise t for def of prog. Allocates the voice list (lim->max_voices). */
bb_result bb_trig_init(bb_trig *t, const bb_prog *prog, const bb_trigdef *def, const bb_limits *lim);
/* Release everything (voices' buffers through rel). */
void bb_trig_free(bb_trig *t, bb_release_fn rel, void *ctx);

/* Create the voices of events with onset samples in [k0, k1). Bus voices get a
 * request with buf == NULL; each is appended to pend (which the caller resolves
 * before mixing). twin: NULL, or a trigger just scheduled over the same span
 * (the one before t): where it holds a cycle of the same pattern, t copies its
 * events instead of querying again (capacity's k stacked copies query once).
 * Returns BB_ERR_OVERFLOW, BB_ERR_LIMIT, BB_ERR_NOMEM. */
bb_result bb_trig_schedule(bb_trig *t, const bb_trig *twin, int64_t k0, int64_t k1, bb_pendlist *pend);

/* The bus requests that bb_trig_schedule would make for [k0, k1), appended to
 * out (copies; no voice is created; twin as there). Used to look ahead (cycle
 * strategies). */
typedef struct bb_reqlist {
    bb_busreq *v;
    size_t n, cap;
} bb_reqlist;
bb_result bb_trig_enumerate(bb_trig *t, const bb_trig *twin, int64_t k0, int64_t k1, bb_reqlist *out);

/* Add the voices' samples on [k0, k1) to out[0 .. k1-k0) (out is not cleared).
 * Reads only. reverse mixes in the reverse of canonical order (the canary). */
void bb_trig_mix(const bb_trig *t, int64_t k0, int64_t k1, float *restrict out, bool reverse);

/* Voice-samples of [k0, k1): the samples bb_trig_mix over it adds (the work of
 * mixing it, known before it starts). */
uint64_t bb_trig_mix_work(const bb_trig *t, int64_t k0, int64_t k1);

/* Write the voices' samples on [k0, k1) to out[0 .. k1-k0): the same floats as
 * zeroing out and bb_trig_mix over it, without a pass that zeroes (a sample no
 * voice reaches is zeroed). Reads the voices only. */
void bb_trig_fill(const bb_trig *t, int64_t k0, int64_t k1, float *restrict out, bool reverse);

/* Drop the voices that have ended by sample k, releasing their buffers. */
void bb_trig_retire(bb_trig *t, int64_t k, bb_release_fn rel, void *ctx);

/* Forget every voice and cached cycle (voices' buffers through rel). */
void bb_trig_clear(bb_trig *t, bb_release_fn rel, void *ctx);

int bb_pendlist_push(bb_pendlist *l, bb_trig *t, size_t vi);
static inline bb_busreq *bb_pending_req(const bb_pending *p) { return &p->t->v[p->vi].req; }
/* Point a resolved voice at its buffer's data. */
void bb_pending_bind(const bb_pending *p);

#endif
