/* test_workers.c - Criterion suite "workers": the worker pool's hand-off, its
 * default size, and when it spins.
 *
 * - Every task of every job runs exactly once, at 1, 2, 3 and 8 workers, for
 *   jobs of 1 to 40 tasks, thousands of jobs in a row (a worker that misses a
 *   job must never run a task of it, or of the next one, twice).
 * - The default thread count and the pinning plan obey the affinity mask: a
 *   test process bound to one CPU gets 1 thread, and both workers of a compact
 *   plan on that CPU.
 * - The spin is off for the pool's life when the workers outnumber the PUs the
 *   affinity mask allows.
 * - A machine the load file says is busy (BUSBENCH_LOADAVG: more runnable
 *   threads than PUs) gets no spin at all; a quiet one is not called busy.
 * - A spin that never pays (jobs further apart than the spin) is given up: the
 *   misses stop after the budget has halved to zero.
 * - Many short jobs hand off every result at thread counts within and beyond the
 *   processing units, spinning and sleeping (a lost wake-up hangs the pool: the
 *   watchdog of bb_poolstress.h turns that into a failure within seconds).
 * - Background tasks (bb_workers_post) run exactly once beside jobs, their
 *   results seen after the join; one that runs long holds no job up.
 * - Every worker the pool binds runs where the plan put it (read back from the
 *   system, not from the pool's record of the binding call).
 * Each test runs in its own process (Criterion), so binding it or setting the
 * environment touches no other test. No assertion is about time. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bb_poolstress.h"
#include "bb_testutil.h"
#include "bb_workers.h"

#include <sched.h>
#include <stdatomic.h>
#include <time.h>

enum { MAXT = 64 };

typedef struct {
    atomic_int hits[MAXT];
    atomic_int bad_worker;
    int nworkers;
} count_ctx;

static void count_task(void *ctx, size_t task, int worker)
{
    count_ctx *c = ctx;
    if (worker < 0 || worker >= c->nworkers) atomic_fetch_add(&c->bad_worker, 1);
    atomic_fetch_add(&c->hits[task], 1);
}

Test(workers, every_task_runs_exactly_once)
{
    static const int ns[] = {1, 2, 3, 8};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        bb_workers *w;
        bb_error err;
        cr_assert(bb_workers_create(&w, ns[k], BB_PIN_NONE, &err) == BB_OK);
        cr_assert_eq(bb_workers_count(w), ns[k]);
        count_ctx c = {.nworkers = ns[k]};
        for (int job = 0; job < 3000; job++) {
            size_t nt = (size_t)(job % 40) + 1;
            for (size_t t = 0; t < nt; t++) atomic_store(&c.hits[t], 0);
            bb_workers_run(w, nt, count_task, &c);
            for (size_t t = 0; t < nt; t++)
                cr_assert_eq(atomic_load(&c.hits[t]), 1, "%d workers, job %d: task %zu ran %d times", ns[k], job, t,
                             atomic_load(&c.hits[t]));
        }
        cr_assert_eq(atomic_load(&c.bad_worker), 0);
        bb_workers_destroy(w);
    }
}

/* Bind this (single-threaded) test process to its first allowed CPU; false if it cannot. */
static bool bind_to_one_cpu(int *cpu)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
    for (size_t c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) {
            CPU_ZERO(&set);
            CPU_SET(c, &set);
            *cpu = (int)c;
            return sched_setaffinity(0, sizeof set, &set) == 0;
        }
    return false;
}

Test(workers, default_threads_and_plan_follow_the_affinity_mask)
{
    int cpu;
    cr_assert(bind_to_one_cpu(&cpu));
    cr_assert_eq(bb_workers_cores(), 1);
    int plan[2];
    bb_error err;
    cr_assert(bb_workers_plan(NULL, BB_PIN_COMPACT, 2, plan, &err) == BB_OK);
    cr_assert(plan[0] == cpu && plan[1] == cpu, "plan %d %d, the mask allows CPU %d only", plan[0], plan[1], cpu);
    cr_assert(bb_workers_plan(NULL, BB_PIN_SCATTER, 2, plan, &err) == BB_OK);
    cr_assert(plan[0] == cpu && plan[1] == cpu);
}

Test(workers, no_spin_when_workers_outnumber_the_allowed_pus)
{
    int cpu;
    cr_assert(bind_to_one_cpu(&cpu));
    bb_workers *w;
    bb_error err;
    cr_assert(bb_workers_create(&w, 2, BB_PIN_NONE, &err) == BB_OK);
    count_ctx c = {.nworkers = 2};
    for (int job = 0; job < 100; job++) bb_workers_run(w, 4, count_task, &c);
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_assert_eq(s.spin_ns, 0);
    cr_assert_eq(s.spin_hits + s.spin_misses + s.caller_spin_hits, 0u);
    cr_assert_eq(s.load_samples, 0u, "no spin to decide: the load is not read");
    bb_workers_destroy(w);
}

static void with_loadavg(const char *text)
{
    cr_assert(setenv("BUSBENCH_LOADAVG", tu_tmpfile(text), 1) == 0);
    cr_assert(unsetenv("BUSBENCH_SPIN_NS") == 0);
}

Test(workers, no_spin_while_the_machine_is_busy)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) cr_skip_test("one processing unit: the pool never spins here");
    with_loadavg("9.00 9.00 9.00 64/300 4242\n");
    bb_workers *w;
    bb_error err;
    cr_assert(bb_workers_create(&w, 2, BB_PIN_NONE, &err) == BB_OK);
    count_ctx c = {.nworkers = 2};
    for (int job = 0; job < 200; job++) bb_workers_run(w, 8, count_task, &c);
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_assert_gt(s.spin_ns, 0, "two workers fit this machine: spinning is allowed in principle");
    cr_assert_gt(s.load_samples, 0u);
    cr_assert_eq(s.busy_samples, s.load_samples, "64 runnable threads is busy");
    cr_assert_eq(s.spin_hits + s.spin_misses + s.caller_spin_hits, 0u, "nobody spun on a busy machine");
    bb_workers_destroy(w);
}

Test(workers, a_quiet_machine_is_not_called_busy)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) cr_skip_test("one processing unit: the pool never spins here");
    with_loadavg("0.00 0.00 0.00 1/300 4242\n");
    bb_workers *w;
    bb_error err;
    cr_assert(bb_workers_create(&w, 2, BB_PIN_NONE, &err) == BB_OK);
    count_ctx c = {.nworkers = 2};
    for (int job = 0; job < 50; job++) bb_workers_run(w, 8, count_task, &c);
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_assert_gt(s.load_samples, 0u);
    cr_assert_eq(s.busy_samples, 0u);
    bb_workers_destroy(w);
}

/* Rewrite the load file a pool reads (it reads it again at every sample). */
static void set_loadavg(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* One job after a pause longer than the load's sampling period: one sample each. */
static void sampled_jobs(bb_workers *w, count_ctx *c, int n)
{
    for (int i = 0; i < n; i++) {
        struct timespec ts = {0, 3000000}; /* 3 ms > LOAD_PERIOD_NS */
        nanosleep(&ts, NULL);
        bb_workers_run(w, 8, count_task, c);
    }
}

/* The busy state is debounced: one sample of another process's burst does not
 * turn the spin off, three in a row do, and three quiet ones turn it on again. */
Test(workers, one_busy_sample_does_not_stop_the_spin)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) cr_skip_test("one processing unit: the pool never spins here");
    with_loadavg("0.00 0.00 0.00 1/300 4242\n");
    const char *path = getenv("BUSBENCH_LOADAVG");
    bb_workers *w;
    bb_error err;
    cr_assert(bb_workers_create(&w, 2, BB_PIN_NONE, &err) == BB_OK);
    count_ctx c = {.nworkers = 2};
    sampled_jobs(w, &c, 2);
    set_loadavg(path, "9.00 9.00 9.00 64/300 4242\n");
    sampled_jobs(w, &c, 1);
    set_loadavg(path, "0.00 0.00 0.00 1/300 4242\n");
    sampled_jobs(w, &c, 2);
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_assert_eq(s.busy_samples, 1u, "the burst was sampled once");
    cr_assert_eq(s.busy_flips, 0u, "one busy sample changes nothing");
    set_loadavg(path, "9.00 9.00 9.00 64/300 4242\n");
    sampled_jobs(w, &c, 3);
    s = bb_workers_get_stats(w);
    cr_assert_eq(s.busy_flips, 1u, "three busy samples in a row: busy");
    set_loadavg(path, "0.00 0.00 0.00 1/300 4242\n");
    sampled_jobs(w, &c, 3);
    s = bb_workers_get_stats(w);
    cr_assert_eq(s.busy_flips, 2u, "three quiet samples in a row: quiet again");
    bb_workers_destroy(w);
}

Test(workers, a_spin_that_never_pays_is_given_up)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) cr_skip_test("one processing unit: the pool never spins here");
    with_loadavg("0.00 0.00 0.00 1/300 4242\n");
    cr_assert(setenv("BUSBENCH_SPIN_NS", "200000", 1) == 0); /* 200 us: halves to zero in 6 misses */
    bb_workers *w;
    bb_error err;
    cr_assert(bb_workers_create(&w, 2, BB_PIN_NONE, &err) == BB_OK);
    count_ctx c = {.nworkers = 2};
    /* jobs 3 ms apart: a worker's wait always outlasts its 200 us spin */
    for (int job = 0; job < 30; job++) {
        struct timespec gap = {0, 3000000};
        nanosleep(&gap, NULL);
        bb_workers_run(w, 8, count_task, &c);
    }
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_assert_eq(s.spin_ns, 200000);
    /* each worker's budget halves at each miss: 200, 100, 50, 25, 12.5, 6.25 us, then none; how often a
       worker is woken at all depends on the schedule (the caller may take a job's tasks alone) */
    cr_assert_leq(s.spin_misses, 6u * 2u + 6u * s.spin_hits, "misses %llu, hits %llu",
                  (unsigned long long)s.spin_misses, (unsigned long long)s.spin_hits);
    cr_assert_gt(s.sleeps, 0u);
    bb_workers_destroy(w);
}

/* ---- stress and placement ---------------------------------------------------------------- */

enum { STRESS_JOBS = 5000 };

typedef struct {
    int threads; /* 0: more threads than processing units (2 x cores + 1) */
    bool spin;   /* false: BUSBENCH_SPIN_NS=0, every hand-off sleeps */
} stress_case;

static stress_case stress_cases[] = {{2, true}, {3, true}, {8, true}, {0, true}, {2, false}, {3, false}, {0, false}};

ParameterizedTestParameters(workers, many_short_jobs_hand_off_every_result)
{
    return cr_make_param_array(stress_case, stress_cases, sizeof stress_cases / sizeof stress_cases[0]);
}

/* each Criterion parameter runs in its own process: setenv does not leak into other tests */
ParameterizedTest(stress_case *c, workers, many_short_jobs_hand_off_every_result)
{
    if (!c->spin) setenv("BUSBENCH_SPIN_NS", "0", 1);
    int n = c->threads ? c->threads : 2 * bb_workers_cores() + 1;
    long bad = ps_stress(n, BB_PIN_NONE, STRESS_JOBS);
    cr_assert_geq(bad, 0, "cannot create a pool of %d workers", n);
    cr_expect_eq(bad, 0, "%d workers: %ld results not seen by the caller after their job returned", n, bad);
}

/* Background tasks beside jobs: each runs exactly once (on a worker, or taken back by the
 * caller's join), its plain stores are seen after the join, and the jobs posted meanwhile still
 * hand off every result; spinning and sleeping, within and beyond the processing units. */
ParameterizedTestParameters(workers, background_tasks_run_once_beside_jobs)
{
    return cr_make_param_array(stress_case, stress_cases, sizeof stress_cases / sizeof stress_cases[0]);
}

ParameterizedTest(stress_case *c, workers, background_tasks_run_once_beside_jobs)
{
    if (!c->spin) setenv("BUSBENCH_SPIN_NS", "0", 1);
    int n = c->threads ? c->threads : 2 * bb_workers_cores() + 1;
    long bad = ps_stress_background(n, BB_PIN_NONE, STRESS_JOBS);
    cr_assert_geq(bad, 0, "cannot create a pool of %d workers", n);
    cr_expect_eq(bad, 0, "%d workers: %ld wrong results or background tasks not run exactly once", n, bad);
}

typedef struct {
    atomic_int started, release;
} hold_ctx;

/* Runs until the caller releases it. */
static void hold(void *ctx)
{
    hold_ctx *h = ctx;
    atomic_store(&h->started, 1);
    while (!atomic_load(&h->release)) sched_yield();
}

/* A background task that runs long does not hold jobs up: with 2 workers, the only worker
 * busy with it, 100 jobs complete (the caller does their tasks); meanwhile another task
 * cannot be posted; a pool of 1 has nobody to run one. A hang ends by the watchdog. */
Test(workers, a_running_background_task_holds_no_job_up)
{
    bb_workers *w;
    cr_assert_eq(bb_workers_create(&w, 1, BB_PIN_NONE, NULL), BB_OK);
    hold_ctx h = {0};
    cr_expect(!bb_workers_post(w, hold, &h), "a pool of 1 ran a background task");
    bb_workers_destroy(w);
    cr_assert_eq(bb_workers_create(&w, 2, BB_PIN_NONE, NULL), BB_OK);
    alarm(PS_WATCHDOG_S);
    cr_assert(bb_workers_post(w, hold, &h));
    while (!atomic_load(&h.started)) sched_yield(); /* the worker has it (the caller never waited) */
    cr_expect(!bb_workers_post(w, hold, &h), "a second background task was posted while one runs");
    cr_expect(!bb_workers_background_idle(w));
    count_ctx c = {.nworkers = 2};
    for (int job = 0; job < 100; job++) {
        atomic_store(&c.hits[0], 0);
        atomic_store(&c.hits[1], 0);
        bb_workers_run(w, 2, count_task, &c);
        cr_assert(atomic_load(&c.hits[0]) == 1 && atomic_load(&c.hits[1]) == 1, "job %d", job);
    }
    atomic_store(&h.release, 1);
    bb_workers_join_background(w);
    cr_expect(bb_workers_background_idle(w));
    alarm(0);
    bb_workers_stats s = bb_workers_get_stats(w);
    cr_expect_eq(s.bg_posted, 1);
    cr_expect_eq(s.bg_run, 1, "run by the worker, not taken back");
    bb_workers_destroy(w);
}

static void note_nothing(void *ctx, size_t task, int worker) { (void)ctx, (void)task, (void)worker; }

typedef struct {
    bb_pin pin;
} pin_case;

ParameterizedTestParameters(workers, bound_workers_run_where_the_plan_put_them)
{
    static pin_case c[] = {{BB_PIN_COMPACT}, {BB_PIN_SCATTER}};
    return cr_make_param_array(pin_case, c, sizeof c / sizeof c[0]);
}

/* One worker per core: after a job, each worker's last processing unit (read back with
 * hwloc_get_last_cpu_location) must be its planned one when its binding succeeded, and a
 * machine that refuses binding refuses it for every worker (binding the whole process instead of
 * the thread makes the last binding win for all: workers then run elsewhere than planned). */
ParameterizedTest(pin_case *c, workers, bound_workers_run_where_the_plan_put_them)
{
    int n = bb_workers_cores();
    if (n < 2) n = 2;
    bb_workers *w;
    cr_assert_eq(bb_workers_create(&w, n, c->pin, NULL), BB_OK);
    bb_workers_run(w, (size_t)n * 4, note_nothing, NULL);
    int bound = 0;
    for (int i = 0; i < n; i++) {
        bb_worker_place p = bb_workers_place(w, i);
        cr_expect_geq(p.planned_pu, 0, "worker %d has no plan under %s", i, bb_pin_name(c->pin));
        if (!p.bound) continue;
        bound++;
        cr_expect_eq(p.last_pu, p.planned_pu, "worker %d of %d (%s): planned PU %d, ran on PU %d", i, n,
                     bb_pin_name(c->pin), p.planned_pu, p.last_pu);
    }
    cr_expect(bound == 0 || bound == n, "%d of %d workers bound: a binding was lost", bound, n);
    if (!bound) cr_log_warn("this machine refuses thread binding: placement not checked");
    bb_workers_destroy(w);
}
