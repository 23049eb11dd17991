/* bb_workers.h - a pthread worker pool placed with hwloc.
 *
 * A pool of N threads is created once per render: the calling thread is worker
 * 0 and N-1 threads wait for jobs. A job is n tasks; workers take task indices
 * from a shared counter until none are left; bb_workers_run returns when all
 * tasks are done. Placement follows a pinning policy (compact: cores in
 * topology order; scatter: round robin over packages, then cores; none: the
 * kernel decides). Every worker records the processing unit it actually ran on
 * (hwloc_get_last_cpu_location) and whether its binding succeeded: a pin that
 * fails is reported, never hidden. The spin before sleeping stops when the
 * machine is busy (other processes' threads want the cores, over several
 * samples) or spinning does not pay (bb_workers.c says how). */
#ifndef BB_WORKERS_H
#define BB_WORKERS_H

#include "bb_result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BB_WORKERS_MAX = 256 };

typedef enum { BB_PIN_NONE, BB_PIN_COMPACT, BB_PIN_SCATTER } bb_pin;

/* Parse "none", "compact", "scatter". BB_ERR_ARG otherwise. */
bb_result bb_pin_parse(const char *s, bb_pin *out);
const char *bb_pin_name(bb_pin p);

typedef struct bb_workers bb_workers;

typedef struct bb_worker_place {
    int planned_pu;   /* OS index of the PU the policy chose, -1 for none */
    int last_pu;      /* OS index of the PU the worker last ran on, -1 if unknown */
    bool bound;       /* the binding call succeeded */
} bb_worker_place;

/* The one text form of where workers ran, in every output (render --stats, the
 * bench's JSON, CSV and context, the report): "w0:2>2 w1:3>5!", worker i's
 * planned PU, '>', the PU it last ran on, '!' when a planned binding failed;
 * BB_WORKERS_PLACES_LEGEND says so in words. Writes the places of p[0..n) to
 * buf (cap bytes, cut short at the end when it must) and returns buf. */
#define BB_WORKERS_PLACES_LEGEND "wN:P>L: worker N, planned PU P (-1: none), last ran on PU L (-1: unknown); !: the binding failed"
char *bb_workers_places_text(const bb_worker_place *p, int n, char *buf, size_t cap);

/* The plan: for worker i of n under policy p, the OS index of the PU to bind to
 * (or -1). topo_xml: an hwloc XML file to plan against instead of this machine
 * (NULL for this machine: then only the cores with a PU in the calling thread's
 * affinity mask are used). Fills plan[0..n). Returns BB_ERR_IO if the topology
 * cannot be loaded. */
bb_result bb_workers_plan(const char *topo_xml, bb_pin p, int n, int *plan, bb_error *err);

/* The default thread count: the cores of this machine (as hwloc reports them)
 * with at least one PU in the calling thread's affinity mask, at least 1. Under
 * `taskset -c 1` that is 1, whatever the machine has. */
int bb_workers_cores(void);

/* Start n workers (1 <= n <= BB_WORKERS_MAX) placed by p. Returns BB_ERR_THREAD,
 * BB_ERR_NOMEM, BB_ERR_ARG. The calling thread becomes worker 0 (and is bound
 * too, until bb_workers_destroy restores its previous binding). */
bb_result bb_workers_create(bb_workers **out, int n, bb_pin p, bb_error *err);
int bb_workers_count(const bb_workers *w);

/* Run fn(ctx, task, worker) for task in [0, ntasks) on the workers; returns when
 * all are done. Each task runs exactly once, on the caller (worker 0) or on a
 * worker that joined in time; which worker runs which task is unspecified.
 * fn must not fail (record errors in ctx). */
void bb_workers_run(bb_workers *w, size_t ntasks, void (*fn)(void *ctx, size_t task, int worker), void *ctx);

/* A background task: fn(ctx) runs once on a worker (1..n-1) while the caller
 * goes on; a worker busy with it misses the jobs posted meanwhile (the caller
 * and the other workers do them) and joins the next one when it is done.
 * Returns false, posting nothing, when a background task is still posted or
 * running, or the pool has no worker but the caller. Caller only. */
bool bb_workers_post(bb_workers *w, void (*fn)(void *ctx), void *ctx);
/* Whether no background task is posted or running (caller only). */
bool bb_workers_background_idle(bb_workers *w);
/* Return once no background task is posted or running: one that no worker
 * has taken yet runs on the caller (caller only). */
void bb_workers_join_background(bb_workers *w);

/* Where worker i ran (its PU when placed at creation, then after each job it took part in). */
bb_worker_place bb_workers_place(const bb_workers *w, int i);

/* How the pool handed work over (read while no job runs). joined counts the
 * jobs workers 1..n-1 took part in; a worker that was asleep or preempted when
 * a job was posted does not hold it up, it misses it. */
typedef struct bb_workers_stats {
    long spin_ns;                /* the largest spin; 0: the pool never spins */
    uint64_t joined;             /* worker entries into jobs */
    uint64_t spin_hits, spin_misses, sleeps; /* workers waiting for the next job */
    uint64_t caller_spin_hits, caller_sleeps; /* the caller waiting for workers inside */
    uint64_t load_samples, busy_samples;     /* load samples; those that said "busy" */
    uint64_t busy_flips;                     /* changes of the busy state (debounced, after the first sample) */
    uint64_t bg_posted, bg_run, bg_taken_back; /* background tasks posted; run by workers; by the caller */
} bb_workers_stats;
bb_workers_stats bb_workers_get_stats(const bb_workers *w);
void bb_workers_destroy(bb_workers *w);

#endif
