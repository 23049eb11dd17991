/* bb_poolstress.h - a stress of the worker pool's hand-off, shared by the workers suite
 * (test_workers.c) and the ThreadSanitizer program (tsan_pool.c: Criterion's runner does not
 * run under TSan).
 *
 * Many short jobs, one after another, each of a few tasks: every task writes its slot with a
 * plain store, and after bb_workers_run returns the caller reads every slot. Those reads are
 * correct only if the pool's hand-off orders the workers' writes before the caller's return
 * (an acquire where the caller sees the job done): a too-weak ordering is a data race that
 * ThreadSanitizer reports, and on a weakly ordered CPU a wrong slot. A lost wake-up hangs the
 * pool: a watchdog (SIGALRM, whose default action ends the process) turns the hang into a
 * failure within PS_WATCHDOG_S seconds. */
#ifndef BB_POOLSTRESS_H
#define BB_POOLSTRESS_H

#include "bb_workers.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

enum {
    PS_TASKS_MAX = 16,  /* tasks per job: 1 .. PS_TASKS_MAX, varying */
    PS_WATCHDOG_S = 20  /* a hung pool fails after this long */
};

typedef struct ps_job {
    uint64_t slot[PS_TASKS_MAX];
    uint64_t gen;
} ps_job;

static void ps_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    ps_job *j = ctx;
    j->slot[task] = j->gen; /* plain store: published only by the hand-off */
}

/* Run `jobs` jobs on a pool of `threads` workers. Returns the number of slots found wrong after
 * their job returned, or -1 when the pool could not be created. The watchdog is armed for the
 * whole run. */
static long ps_stress(int threads, bb_pin pin, long jobs)
{
    bb_workers *w;
    if (bb_workers_create(&w, threads, pin, NULL)) return -1;
    alarm(PS_WATCHDOG_S);
    ps_job j = {{0}, 0};
    long bad = 0;
    for (long k = 0; k < jobs; k++) {
        size_t n = 1 + (size_t)(k * 7 % PS_TASKS_MAX);
        j.gen = (uint64_t)k + 1;
        bb_workers_run(w, n, ps_task, &j);
        for (size_t t = 0; t < n; t++) bad += j.slot[t] != j.gen;
    }
    alarm(0);
    bb_workers_destroy(w);
    return bad;
}

/* The background task beside jobs: a task posted every other job writes its slots with plain
 * stores, and the caller reads them after joining it (every third job, so that a posted task is
 * sometimes still unstarted and taken back, sometimes running, sometimes done). Returns the
 * slots found wrong plus the background tasks not run exactly once, or -1 when the pool could
 * not be created. */
typedef struct ps_bg {
    uint64_t slot[PS_TASKS_MAX];
    uint64_t gen;
    uint64_t runs;
} ps_bg;

static void ps_bg_task(void *ctx)
{
    ps_bg *b = ctx;
    for (int t = 0; t < PS_TASKS_MAX; t++) b->slot[t] = b->gen;
    b->runs++;
}

static long ps_stress_background(int threads, bb_pin pin, long jobs)
{
    bb_workers *w;
    if (bb_workers_create(&w, threads, pin, NULL)) return -1;
    alarm(PS_WATCHDOG_S);
    ps_job j = {{0}, 0};
    ps_bg b = {{0}, 0, 0};
    long bad = 0;
    uint64_t posted = 0;
    bool pending = false;
    for (long k = 0; k < jobs; k++) {
        if (!pending && k % 2 == 0) {
            b.gen = (uint64_t)k + 1;
            pending = bb_workers_post(w, ps_bg_task, &b);
            posted += pending;
        }
        size_t n = 1 + (size_t)(k * 7 % PS_TASKS_MAX);
        j.gen = (uint64_t)k + 1;
        bb_workers_run(w, n, ps_task, &j);
        for (size_t t = 0; t < n; t++) bad += j.slot[t] != j.gen;
        if (pending && k % 3 == 0) {
            bb_workers_join_background(w);
            for (int t = 0; t < PS_TASKS_MAX; t++) bad += b.slot[t] != b.gen;
            pending = false;
        }
    }
    bb_workers_join_background(w);
    alarm(0);
    bad += b.runs != posted; /* (the pool's counters are read while no worker runs: in the workers suite) */
    bb_workers_destroy(w);
    return bad;
}

#endif
