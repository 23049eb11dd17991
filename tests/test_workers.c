/* test_workers.c - the worker pool on its own: its hand-off survives many short jobs at
 * thread counts within and beyond the processing units, spinning and sleeping (a lost
 * wake-up hangs it: the watchdog of bb_poolstress.h turns that into a failure within
 * seconds), and every worker it binds runs where the plan put it (read back from the
 * system, not from the pool's own record of the binding call). */
#include "bb_poolstress.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

TestSuite(workers);

enum { STRESS_JOBS = 5000 };

typedef struct {
    int threads; /* 0: more threads than processing units (2 x cores + 1) */
    bool spin;   /* false: BUSBENCH_SPIN_NS=0, every hand-off sleeps */
} stress_case;

ParameterizedTestParameters(workers, many_short_jobs_hand_off_every_result)
{
    static stress_case c[] = {{2, true}, {3, true}, {8, true}, {0, true}, {2, false}, {3, false}, {0, false}};
    return cr_make_param_array(stress_case, c, sizeof c / sizeof c[0]);
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
