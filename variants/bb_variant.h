/* bb_variant.h - the strategies: a registry of named variants that compose into
 * one plan, and the driver that carries a plan out behind bb_strategy_ops.
 *
 * A variant is a const table: its name, the phase of the seeds it implements,
 * and apply(), which adds its behaviour to a plan. `--strategy cycle,pool`
 * applies cycle then pool. The plan's parts are themselves swappable tables
 * (when requests are resolved, where buffers come from, how the distinct
 * requests are synthesised, how a window is mixed) or switches (keep static
 * buffers, window size); canaries wrap a part (the key function, reload, mix
 * order) instead of editing the strategies they break.
 *
 * A phase lives in one file: variants/NAME.c defines its parts (static tables)
 * and its bb_variant, and one line of the registry (variants/bb_registry.c)
 * lists it. The driver calls the parts only through the plan's tables and
 * names no variant; docs/strategies.md adds one, step by step. */
#ifndef BB_VARIANT_H
#define BB_VARIANT_H

#include "bb_render.h"
#include "bb_workers.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct bb_drv bb_drv;

/* When buffers are made: the resolve step of the render loop. reload, when
 * not NULL, is told that the program has changed to new_prog (after the cache
 * has dropped the stale buffers, before the new synths are made). */
typedef struct bb_resolver {
    const char *name;
    bb_result (*resolve)(bb_drv *d, int64_t k0, int64_t k1, const bb_pending *p, size_t n);
    void (*reload)(bb_drv *d, const bb_prog *new_prog);
} bb_resolver;

/* Where buffers come from and go back to. get returns a buffer with room for
 * len samples and refs = 1, or NULL when out of memory. */
typedef struct bb_store {
    const char *name;
    bb_busbuf *(*get)(bb_drv *d, int64_t len);
    void (*put)(bb_drv *d, bb_busbuf *b);
    void (*drain)(bb_drv *d); /* release everything kept (at close) */
} bb_store;

/* How the window's distinct requests (d->uniq[0 .. d->uniq_n), n > 0, each with
 * its buffer and references) are synthesised: run fills their buffers, counts
 * synthesis calls and samples (bb_drv_take_counts) and returns the first
 * failure. prepare, when not NULL, readies each worker's bb_synth once it is
 * made (at open and at every reload). */
typedef struct bb_synthesiser {
    const char *name;
    bb_result (*prepare)(bb_synth *s);
    bb_result (*run)(bb_drv *d);
} bb_synthesiser;

/* How the voices of the window [k0, k1) are mixed (bb_render_mix of every
 * sample, in any cut, on any thread: the floats are the same). */
typedef struct bb_mixer {
    const char *name;
    bb_result (*mix)(bb_drv *d, int64_t k0, int64_t k1);
} bb_mixer;

/* The fields are ordered so that the struct keeps its size (the render's heap
 * counters include the driver's state, which holds a plan). */
typedef struct bb_plan {
    const bb_resolver *resolver;  /* serial, per block, per cycle */
    const bb_store *store;        /* heap or pool */
    const bb_synthesiser *synthesiser; /* one request a task, or lanes */
    const bb_mixer *mixer;        /* on the render thread, or on the workers */
    size_t batch;                 /* blocks per window (1: no batching) */
    size_t lookahead;             /* pipelined: windows mixed ahead of the one output (1 .. BB_RENDER_LOOKAHEAD_MAX);
                                     0: BB_PLAN_LOOKAHEAD, which the driver declines when a window's
                                     output chain is less work than a hand-off (set: always pipelined) */
    bb_buskey (*key)(const bb_busreq *req);
    bool keep_static;             /* static buffers survive cycles (until reload) */
    bool pipeline;                /* at 2 threads or more: the continuous parts of mixed windows run alongside
                                     later windows' synthesis and mixing (bb_strategy_ops.background) */
    bool keep_on_reload;          /* canary: keep the cache across reloads */
    bool mix_reverse;             /* canary: mix voices in reverse order */
    bool lanes_reassoc;           /* canary: another summation order in the lane filter */
    int threads;
    bb_pin pin;
    char name[128];               /* the list it was built from */
} bb_plan;

typedef struct bb_variant {
    const char *name;
    const char *phase;            /* "0", "1", "2.1", ... or "canary" */
    const char *summary;
    bool canary;
    void (*apply)(bb_plan *plan);
} bb_variant;

/* The registry, NULL-terminated: real strategies first, then canaries. */
extern const bb_variant *const bb_variants[];
const bb_variant *bb_variant_find(const char *name, size_t len);

/* Build a plan from "name[,name...]" with threads and pinning. Returns
 * BB_ERR_ARG naming the unknown strategy. */
bb_result bb_plan_parse(const char *list, int threads, size_t batch, bb_pin pin, bb_plan *plan, bb_error *err);
/* Apply the variants of list ("name[,name...]") to plan, in order: how a
 * variant composes others by name (all.c). BB_ERR_ARG naming the first
 * unknown one (err may be NULL); the variants before it are applied. */
bb_result bb_plan_apply(bb_plan *plan, const char *list, bb_error *err);

enum { BB_PLAN_LOOKAHEAD = 32 }; /* windows mixed ahead when pipelined and plan.lookahead is 0 */

/* Windows a render with plan may mix ahead of the one it outputs: plan.lookahead (or
 * BB_PLAN_LOOKAHEAD) when it pipelines (batch, from 2 threads on), else 0. */
size_t bb_plan_lookahead(const bb_plan *plan);

/* The strategy ops that carry out a plan (arg of open: a const bb_plan *). */
extern const bb_strategy_ops bb_driver_ops;

/* Point render options at the driver with plan (which must outlive the render). */
void bb_plan_render_opts(const bb_plan *plan, bb_render_opts *o);

/* Where the driver's workers ran: fills out[0..n) and returns n (<= max). */
int bb_driver_places(const bb_strategy *s, bb_worker_place *out, int max);

/* ---- what the variant files use from the driver ---------------------------- */
/* The parts a plan starts with (bb_plan_parse): resolve on demand (serial.c),
 * buffers from the heap, one request a task on the workers, mixing on the
 * render thread (the last three are the driver's). */
extern const bb_resolver bb_resolve_serial;
extern const bb_store bb_store_heap;
extern const bb_synthesiser bb_synthesise_each;
extern const bb_mixer bb_mix_here;
/* The resolvers other variants build on: per block (parallel.c), per cycle (cycle.c). */
extern const bb_resolver bb_resolve_block, bb_resolve_cycle;

typedef struct bb_cache_slot {
    bb_buskey key;
    bb_busbuf *buf;   /* NULL: empty */
    int64_t cycle;    /* last cycle that needs it (eviction) */
} bb_cache_slot;

/* Driver state the variants read. */
struct bb_drv {
    bb_render *r;
    bb_plan plan;
    bb_workers *workers;
    bb_synth **synth;        /* per worker, for the current program */
    bb_stats *stats;
    /* the cache: key -> buffer (one reference held), open addressing */
    bb_cache_slot *slots;
    size_t nslots, nused;
    int64_t prepared_cycle;  /* a resolver's look-ahead: the last cycle synthesised ahead (INT64_MIN: none) */
    /* scratch, reused */
    bb_reqlist reqs;
    bb_busreq **uniq;
    size_t uniq_n, uniq_cap;
    atomic_int job_err;      /* a synthesis task's failure (bb_result), written by any worker */
    uint64_t handoff_ps;     /* a job below this much work stays on the calling thread (bb_drv_run) */
    /* the store's free lists (pool.c) */
    bb_busbuf *free_lists[64];
    /* the synthesiser's tasks, of its own type (lanes.c: runs of d->uniq);
       grown with bb_grow by the synthesiser, freed at close */
    void *synth_tasks;
    size_t synth_tasks_n, synth_tasks_cap;
};

/* Run fn(ctx, task, worker) for task in [0, n) on the workers, or on the
 * calling thread (worker 0) when work_ps, the job's estimated work in
 * picoseconds, is below what a hand-off costs (counted: jobs_local). */
void bb_drv_run(bb_drv *d, size_t n, void (*fn)(void *ctx, size_t task, int worker), void *ctx, uint64_t work_ps);
/* Estimated work of synthesising d->uniq at ps_per_sample picoseconds a
 * sample, and of mixing the window [k0, k1), in picoseconds. */
uint64_t bb_drv_synth_work(const bb_drv *d, uint64_t ps_per_sample);
uint64_t bb_drv_mix_work(const bb_drv *d, int64_t k0, int64_t k1);
/* Synthesise d->uniq[0 .. d->uniq_n) (requests with buf set and refs held)
 * with the plan's synthesiser; nothing when there are none. Counts synthesis
 * calls and samples; returns the first failure. */
bb_result bb_drv_synth_uniq(bb_drv *d);
/* Give req a buffer for cycle: from the cache (a hit, counted; the entry is
 * kept until cycle at least) or a fresh one from the store, put in the cache
 * and queued in d->uniq for synthesis (a miss, counted). BB_ERR_NOMEM when out
 * of memory (req->buf is then unset, nothing counted). The caller takes the
 * voice's reference. */
bb_result bb_drv_lookup_or_queue(bb_drv *d, bb_busreq *req, int64_t cycle);
/* Sum the workers' synthesis counters into the render's. */
void bb_drv_take_counts(bb_drv *d);
/* A fresh buffer from the store for req (key set), or NULL. */
bb_busbuf *bb_drv_buffer(bb_drv *d, const bb_busreq *req);
/* Cache lookup (NULL if absent) and insertion (takes one reference). */
bb_busbuf *bb_drv_cache_get(bb_drv *d, const bb_buskey *k);
bb_cache_slot *bb_drv_cache_find(bb_drv *d, const bb_buskey *k);
bb_result bb_drv_cache_put(bb_drv *d, bb_busbuf *b, int64_t cycle);
/* Drop cache entries for which drop(entry) is true; returns how many. */
size_t bb_drv_cache_evict(bb_drv *d, bool (*drop)(const bb_drv *d, const bb_cache_slot *s, const void *arg), const void *arg);
/* Hand a reference back (to the store when it was the last). */
void bb_drv_unref(bb_drv *d, bb_busbuf *b);

#endif
