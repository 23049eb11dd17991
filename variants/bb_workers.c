/* bb_workers.c - worker threads, job hand-off and hwloc placement.
 *
 * Hand-off: a job (fn, ctx, ntasks) is published by bumping an atomic
 * generation number; workers take tasks with an atomic counter and count
 * themselves out; the caller (worker 0) works too and then waits for the count
 * to reach zero. A batch window is tens of microseconds of work, the cost of a
 * futex wake-up and a context switch, so both sides spin first: a worker
 * watches the generation for up to spin_ns after its last job before it sleeps
 * on the condition variable, and the caller watches the count before it sleeps.
 * Sleeping is Dekker-style: the sleeper raises its flag (sleepers,
 * caller_waiting), then re-reads the word it waits on, under the mutex; the
 * waker writes that word, then reads the flag, and only then takes the mutex
 * to signal. Sequentially consistent atomics make at least one of them see
 * the other, so no wake-up is lost and a job without sleepers costs no
 * system call. Spinning is off (spin_ns 0) when there are more workers than
 * processing units: a spinning worker would steal the core of a working one.
 * BUSBENCH_SPIN_NS overrides the spin (an experiment knob: 0 always sleeps).
 *
 * Invariants: no allocation per job (each worker owns a bitmap for
 * hwloc_get_last_cpu_location); the job fields are written only while every
 * worker is idle (active == 0) and read only after a worker saw the new
 * generation. Creation returns once every worker has bound itself and
 * recorded its placement under the mutex, so the placement can be read at any
 * time without a race.
 *
 * Placement: compact takes cores in topology (logical) order; scatter takes
 * cores round robin across packages (then across the cores of each package),
 * so consecutive workers land on different packages when there are several.
 * Worker i gets the first PU of the chosen core; workers beyond the core count
 * wrap around. */
#include "bb_workers.h"

#include "bb_alloc.h"

#include <hwloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct worker {
    struct bb_workers *pool;
    int id;
    pthread_t th;
    hwloc_bitmap_t where; /* scratch for note_location, made at creation */
    bb_worker_place place;
} worker;

/* Default spin before sleeping: 1 ms. It must outlast the render thread's sequential work
 * between two jobs (the output graph's delay and reverb, the sink), or every window pays a
 * wake-up: on q, 2 threads under batch took 147 ms with a 50 us spin, 89 ms with 200 us and
 * 61 ms with 1 ms (1 thread: 78-86 ms). OpenMP runtimes spin for 200 ms by default. */
enum { BB_WORKERS_SPIN_NS = 1000000 };

struct bb_workers {
    int n;
    bb_pin pin;
    hwloc_topology_t topo;
    hwloc_cpuset_t caller_saved;
    bool caller_bound;
    worker *w;
    long spin_ns;            /* how long to spin before sleeping; 0: sleep at once */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_ulong gen;        /* bumped to publish a job */
    atomic_bool quit;
    atomic_int active;       /* workers still in the current job (at creation: still placing themselves) */
    atomic_int sleepers;     /* workers asleep (or about to be) on go */
    atomic_bool caller_waiting; /* the caller is asleep (or about to be) on done */
    void (*fn)(void *, size_t, int);
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
};

bb_result bb_pin_parse(const char *s, bb_pin *out)
{
    if (!strcmp(s, "none")) *out = BB_PIN_NONE;
    else if (!strcmp(s, "compact")) *out = BB_PIN_COMPACT;
    else if (!strcmp(s, "scatter")) *out = BB_PIN_SCATTER;
    else return BB_ERR_ARG;
    return BB_OK;
}

const char *bb_pin_name(bb_pin p)
{
    return p == BB_PIN_COMPACT ? "compact" : p == BB_PIN_SCATTER ? "scatter" : "none";
}

/* The PU OS index for worker i under p on topo, or -1. */
static int plan_one(hwloc_topology_t topo, bb_pin p, int i)
{
    if (p == BB_PIN_NONE) return -1;
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    hwloc_obj_type_t t = HWLOC_OBJ_CORE;
    if (ncores <= 0) {
        t = HWLOC_OBJ_PU;
        ncores = hwloc_get_nbobjs_by_type(topo, t);
    }
    if (ncores <= 0) return -1;
    int slot = i % ncores;
    hwloc_obj_t core = NULL;
    if (p == BB_PIN_COMPACT) {
        core = hwloc_get_obj_by_type(topo, t, (unsigned)slot);
    } else {
        int npk = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
        if (npk <= 0) npk = 1;
        /* round robin: the slot-th pick visits package slot % npk, its (slot / npk)-th core,
           skipping packages that have run out of cores */
        int picked = 0;
        for (int round = 0; round < ncores && !core; round++) {
            for (int pk = 0; pk < npk && !core; pk++) {
                hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, (unsigned)pk);
                int in_pkg = pkg ? hwloc_get_nbobjs_inside_cpuset_by_type(topo, pkg->cpuset, t) : ncores;
                if (round >= in_pkg) continue;
                if (picked++ == slot)
                    core = pkg ? hwloc_get_obj_inside_cpuset_by_type(topo, pkg->cpuset, t, (unsigned)round)
                               : hwloc_get_obj_by_type(topo, t, (unsigned)round);
            }
        }
    }
    if (!core) return -1;
    hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, 0);
    return pu ? (int)pu->os_index : -1;
}

static bb_result load_topo(hwloc_topology_t *topo, const char *xml, bb_error *err)
{
    if (hwloc_topology_init(topo) != 0) return bb_error_set(err, BB_ERR_IO, "hwloc", 0, 0, "cannot initialise hwloc");
    if (xml && hwloc_topology_set_xml(*topo, xml) != 0) {
        hwloc_topology_destroy(*topo);
        return bb_error_set(err, BB_ERR_IO, xml, 0, 0, "cannot read this hwloc XML topology");
    }
    if (hwloc_topology_load(*topo) != 0) {
        hwloc_topology_destroy(*topo);
        return bb_error_set(err, BB_ERR_IO, xml ? xml : "hwloc", 0, 0, "cannot load the topology");
    }
    return BB_OK;
}

bb_result bb_workers_plan(const char *topo_xml, bb_pin p, int n, int *plan, bb_error *err)
{
    hwloc_topology_t topo;
    bb_result r = load_topo(&topo, topo_xml, err);
    if (r) return r;
    for (int i = 0; i < n; i++) plan[i] = plan_one(topo, p, i);
    hwloc_topology_destroy(topo);
    return BB_OK;
}

int bb_workers_cores(void)
{
    hwloc_topology_t topo;
    if (load_topo(&topo, NULL, NULL)) return 1;
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    if (n <= 0) n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    hwloc_topology_destroy(topo);
    return n > 0 ? n : 1;
}

/* Bind the calling thread to worker i's PU and note where it runs. */
static void place_self(bb_workers *p, worker *w)
{
    w->place.planned_pu = plan_one(p->topo, p->pin, w->id);
    w->place.bound = false;
    if (w->place.planned_pu >= 0) {
        hwloc_bitmap_t set = hwloc_bitmap_alloc();
        if (set) {
            hwloc_bitmap_only(set, (unsigned)w->place.planned_pu);
            w->place.bound = hwloc_set_cpubind(p->topo, set, HWLOC_CPUBIND_THREAD) == 0;
            hwloc_bitmap_free(set);
        }
    }
}

static void note_location(bb_workers *p, worker *w)
{
    w->place.last_pu = -1;
    if (w->where && hwloc_get_last_cpu_location(p->topo, w->where, HWLOC_CPUBIND_THREAD) == 0)
        w->place.last_pu = hwloc_bitmap_first(w->where);
}

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Has a job been posted since generation seen (or quit)? */
static bool job_posted(bb_workers *p, unsigned long seen) { return atomic_load(&p->gen) != seen || atomic_load(&p->quit); }

/* Has every worker finished the current job? */
static bool job_done(bb_workers *p, unsigned long unused)
{
    (void)unused;
    return atomic_load(&p->active) == 0;
}

/* Spin up to p->spin_ns until ready(p, arg). True if it became ready. */
static bool spin_until(bb_workers *p, bool (*ready)(bb_workers *, unsigned long), unsigned long arg)
{
    if (p->spin_ns <= 0) return false;
    long t0 = now_ns();
    for (unsigned i = 1;; i++) {
        if (ready(p, arg)) return true;
        cpu_relax();
        if (i % 64 == 0 && now_ns() - t0 > p->spin_ns) return false;
    }
}

static void work(bb_workers *p, worker *w)
{
    for (;;) {
        size_t t = atomic_fetch_add(&p->next, 1);
        if (t >= p->ntasks) break;
        p->fn(p->ctx, t, w->id);
    }
    note_location(p, w);
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    bb_workers *p = w->pool;
    place_self(p, w);
    unsigned long seen = 0;
    /* w->place is published under the mutex: create waits for every worker */
    pthread_mutex_lock(&p->mu);
    if (atomic_fetch_sub(&p->active, 1) == 1) pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->mu);
    for (;;) {
        if (!spin_until(p, job_posted, seen)) {
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (!job_posted(p, seen)) pthread_cond_wait(&p->go, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit)) break;
        seen = atomic_load(&p->gen);
        work(p, w);
        if (atomic_fetch_sub(&p->active, 1) == 1 && atomic_load(&p->caller_waiting)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

/* The spin for n workers: BUSBENCH_SPIN_NS if set, else the default; 0 when
 * the workers outnumber the processing units this process may run on. */
static long spin_for(hwloc_topology_t topo, int n)
{
    const char *e = getenv("BUSBENCH_SPIN_NS");
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == '\0' && v >= 0) return v;
    }
    int pus = hwloc_bitmap_weight(hwloc_topology_get_allowed_cpuset(topo));
    return pus > 0 && n <= pus ? BB_WORKERS_SPIN_NS : 0;
}

bb_result bb_workers_create(bb_workers **out, int n, bb_pin pin, bb_error *err)
{
    if (n < 1 || n > BB_WORKERS_MAX)
        return bb_error_set(err, BB_ERR_ARG, "--threads", 0, 0, "expected 1 to %d threads, found %d", BB_WORKERS_MAX, n);
    bb_workers *p = bb_calloc(1, sizeof *p);
    if (!p) return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the worker pool");
    p->n = n;
    p->pin = pin;
    bb_result r = load_topo(&p->topo, NULL, err);
    if (r) {
        bb_free(p);
        return r;
    }
    p->w = bb_calloc((size_t)n, sizeof *p->w);
    if (!p->w) {
        hwloc_topology_destroy(p->topo);
        bb_free(p);
        return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the worker pool");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->spin_ns = spin_for(p->topo, n);
    for (int i = 0; i < n; i++) {
        p->w[i].pool = p;
        p->w[i].id = i;
        p->w[i].where = hwloc_bitmap_alloc();
        p->w[i].place.planned_pu = p->w[i].place.last_pu = -1;
    }
    if (pin != BB_PIN_NONE) {
        p->caller_saved = hwloc_bitmap_alloc();
        if (p->caller_saved && hwloc_get_cpubind(p->topo, p->caller_saved, HWLOC_CPUBIND_THREAD) == 0)
            p->caller_bound = true;
    }
    place_self(p, &p->w[0]);
    atomic_store(&p->active, n - 1); /* counted down by each worker once placed */
    for (int i = 1; i < n; i++) {
        if (pthread_create(&p->w[i].th, NULL, thread_main, &p->w[i]) != 0) {
            for (int j = i; j < n; j++) hwloc_bitmap_free(p->w[j].where);
            p->n = i;
            bb_workers_destroy(p);
            return bb_error_set(err, BB_ERR_THREAD, NULL, 0, 0, "cannot start worker thread %d", i);
        }
    }
    /* every worker has placed itself before the pool is used: its placement is then
       complete (and read without a race) even if it never gets a task */
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->active) > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    *out = p;
    return BB_OK;
}

int bb_workers_count(const bb_workers *w) { return w->n; }

void bb_workers_run(bb_workers *p, size_t ntasks, void (*fn)(void *, size_t, int), void *ctx)
{
    if (ntasks == 0) return;
    if (p->n == 1 || ntasks == 1) {
        for (size_t t = 0; t < ntasks; t++) fn(ctx, t, 0);
        note_location(p, &p->w[0]);
        return;
    }
    /* every worker is idle (active was 0): the job fields are ours until gen moves */
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    atomic_store(&p->active, p->n - 1);
    atomic_fetch_add(&p->gen, 1);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    work(p, &p->w[0]);
    if (spin_until(p, job_done, 0)) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->caller_waiting, true);
    while (!job_done(p, 0)) pthread_cond_wait(&p->done, &p->mu);
    atomic_store(&p->caller_waiting, false);
    pthread_mutex_unlock(&p->mu);
}

bb_worker_place bb_workers_place(const bb_workers *p, int i) { return p->w[i].place; }

void bb_workers_destroy(bb_workers *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, true);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->w[i].th, NULL);
    if (p->caller_bound) hwloc_set_cpubind(p->topo, p->caller_saved, HWLOC_CPUBIND_THREAD);
    if (p->caller_saved) hwloc_bitmap_free(p->caller_saved);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    hwloc_topology_destroy(p->topo);
    for (int i = 0; i < p->n; i++) hwloc_bitmap_free(p->w[i].where);
    bb_free(p->w);
    bb_free(p);
}
