/* tsan_pool.c - the worker pool's stress (bb_poolstress.h) as a plain program, for the
 * ThreadSanitizer build (`make tsan`, `make tsan-quick`): Criterion's runner crashes under TSan.
 * It runs the hand-off at several thread counts, with the spin (threads within the processing
 * units) and without it (more threads than units, and BUSBENCH_SPIN_NS=0 forcing every
 * hand-off through the condition variables). Any report of TSan ends the process (halt_on_error);
 * a wrong slot or a pool that cannot be made exits 1; a hang ends by the watchdog's SIGALRM.
 * usage: tsan_pool [JOBS] */
#include "bb_poolstress.h"

#include <stdio.h>
#include <stdlib.h>

enum { TSAN_POOL_JOBS = 10000 };

int main(int argc, char **argv)
{
    long jobs = argc > 1 ? atol(argv[1]) : TSAN_POOL_JOBS;
    int over = 2 * bb_workers_cores() + 1;
    const int threads[] = {2, 3, 8, over};
    int fail = 0;
    for (int spin = 0; spin < 2; spin++) {
        if (spin) unsetenv("BUSBENCH_SPIN_NS");
        else setenv("BUSBENCH_SPIN_NS", "0", 1);
        for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
            long bad = ps_stress(threads[i], BB_PIN_NONE, jobs);
            printf("tsan_pool: %d threads, %s: %ld jobs, %ld wrong slots\n", threads[i], spin ? "spin" : "no spin",
                   jobs, bad);
            fail |= bad != 0;
            bad = ps_stress_background(threads[i], BB_PIN_NONE, jobs);
            printf("tsan_pool: %d threads, %s: %ld jobs beside background tasks, %ld wrong\n", threads[i],
                   spin ? "spin" : "no spin", jobs, bad);
            fail |= bad != 0;
        }
    }
    return fail;
}
