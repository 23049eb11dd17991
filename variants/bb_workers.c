/* bb_workers.c - worker threads, job hand-off and hwloc placement.
 *
 * Hand-off: one atomic word holds the job's generation, a CLOSED bit and the
 * number of workers inside the job. The caller (worker 0) publishes a job by
 * writing its fields and storing a new, open generation; a worker joins by
 * incrementing the inside count with a compare-and-swap that also checks the
 * generation is the one it saw and still open; it takes task indices from an
 * atomic counter until none are left, then leaves (decrement). The caller
 * works too, and when no task is left to take it CLOSES the job and waits only
 * for the workers inside: a worker that was asleep or preempted when the job
 * came never joins it, and nobody waits for it. This is what keeps the pool
 * graceful on a busy machine: with more runnable threads than processing
 * units, a worker may not run for a whole time slice (milliseconds), and a
 * hand-off that counted every worker out would wait that long every window;
 * here the caller simply does the work itself.
 *
 * Spinning: a batch window is tens of microseconds of work, about the cost of
 * a futex wake-up, so a worker watches the generation for a while after its
 * last job before it sleeps, and the caller watches the inside count before it
 * sleeps. Spinning only pays when the machine has a processing unit to spare,
 * so the spin is
 *   - off for the pool's life when the workers outnumber the processing units
 *     this process may run on (its affinity mask: `taskset -c 1` gives one);
 *   - off while the machine is busy: the caller samples the number of runnable
 *     threads (the fourth field of /proc/loadavg) every LOAD_PERIOD_NS; the
 *     machine is busy when the other threads' runnable ones outnumber the
 *     processing units ours leave (ours: the caller and the workers awake
 *     are runnable, a spinning one too, and are not counted against the
 *     pool; a worker asleep needs its unit when a job wakes it), since then a
 *     spinning thread takes a core from a thread with work. The first sample
 *     sets the state; after it, LOAD_DEBOUNCE samples in a row must disagree
 *     to change it, so that one burst of another process's threads does not
 *     turn the spin off (counted: busy_flips);
 *   - adaptive per worker: a spin that ran out before the job came halves the
 *     worker's budget (to zero after a few), a sleep that a spin of twice its
 *     length would have avoided doubles it again, up to spin_ns (1 ms). A
 *     render whose sequential part outlasts the budget thus stops burning a
 *     core on spins that never pay.
 * Sleeping is Dekker-style: the sleeper raises its flag (sleepers,
 * caller_waiting), then re-reads the word it waits on, under the mutex; the
 * waker writes that word, then reads the flag, and only then takes the mutex
 * to signal. Sequentially consistent atomics make at least one of them see
 * the other, so no wake-up is lost and a job without sleepers costs no
 * system call. BUSBENCH_SPIN_NS sets the largest spin (an experiment knob: 0
 * always sleeps); BUSBENCH_LOADAVG reads another file than /proc/loadavg (for
 * tests: a file that says the machine is busy).
 *
 * Background task (bb_workers_post): one at a time, in a word of its own
 * (idle, posted, running). A waiting worker wakes for it as for a job, takes
 * it with a compare-and-swap, runs it, and goes back to waiting; jobs posted
 * meanwhile go on without it, as they do without a preempted worker. A
 * pipelined render runs its output chain this way, alongside its own jobs.
 * The caller joins it by taking it back when no worker has started it, else
 * by waiting (spin, then sleep on done, Dekker-style like the rest).
 *
 * Invariants: no allocation per job (each worker owns a bitmap for
 * hwloc_get_last_cpu_location); the job fields are written only while the job
 * is closed with nobody inside, and read only by a worker that joined the
 * generation they belong to. Creation returns once every worker has bound
 * itself and recorded its placement under the mutex, so the placement can be
 * read at any time without a race.
 *
 * Placement: compact takes cores in topology (logical) order; scatter takes
 * cores round robin across packages (then across the cores of each package),
 * so consecutive workers land on different packages when there are several.
 * On this machine only the cores with a processing unit in the calling
 * thread's affinity mask are eligible (`taskset` is obeyed, not escaped).
 * Worker i gets the first eligible PU of the chosen core; workers beyond the
 * core count wrap around. */
#include "bb_workers.h"

#include "bb_alloc.h"

#include <fcntl.h>
#include <hwloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct worker {
    struct bb_workers *pool;
    int id;
    pthread_t th;
    hwloc_bitmap_t where; /* scratch for note_location, made at creation */
    bb_worker_place place;
    long budget;          /* this worker's current spin budget (ns), adapted */
    /* counters, written by this worker only, read after the pool is idle */
    uint64_t joined, spin_hits, spin_misses, sleeps;
} worker;

/* Largest spin before sleeping: 1 ms. It must outlast the render thread's sequential work
 * between two jobs (the output graph's delay and reverb, the sink), or every window pays a
 * wake-up: on q, 2 threads under batch took 147 ms with a 50 us spin, 89 ms with 200 us and
 * 61 ms with 1 ms (1 thread: 78-86 ms). OpenMP runtimes spin for 200 ms by default. */
enum { BB_WORKERS_SPIN_NS = 1000000 };
/* How often the caller samples the machine's runnable threads, and how many
 * samples in a row must disagree with the busy state to change it. */
#define LOAD_PERIOD_NS 2000000L
enum { LOAD_DEBOUNCE = 3 };
/* A budget below this is zero: a spin shorter than a wake-up never pays. */
#define SPIN_FLOOR_NS 4000L

/* The state word: generation (high 32 bits), CLOSED, workers inside (low bits). */
#define ST_CLOSED ((uint64_t)1 << 31)
#define ST_INSIDE(s) ((s) & (ST_CLOSED - 1))
#define ST_GEN(s) ((s) >> 32)

struct bb_workers {
    int n;
    bb_pin pin;
    hwloc_topology_t topo;
    hwloc_cpuset_t mask;     /* the caller's affinity mask at creation (NULL: unknown) */
    hwloc_cpuset_t caller_saved;
    bool caller_bound;
    worker *w;
    long spin_ns;            /* the largest spin; 0: sleep at once, always */
    int online_pus;          /* processing units of the machine (for the load test) */
    int load_fd;             /* /proc/loadavg (or BUSBENCH_LOADAVG), -1 when unreadable */
    long load_t;             /* when it was last sampled (caller only) */
    uint64_t busy_samples, samples;       /* caller only */
    uint64_t busy_flips;     /* changes of the busy state after the first sample (caller only) */
    int load_streak;         /* samples in a row that disagreed with the busy state (caller only) */
    uint64_t caller_spin_hits, caller_sleeps; /* caller only */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    _Atomic uint64_t state;  /* generation | CLOSED | inside */
    atomic_bool quit;
    atomic_bool busy;        /* the machine has more runnable threads than PUs: do not spin */
    atomic_int placing;      /* workers still placing themselves (creation) */
    atomic_int sleepers;     /* workers asleep (or about to be) on go */
    atomic_bool caller_waiting; /* the caller is asleep (or about to be) on done */
    void (*fn)(void *, size_t, int);
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
    /* the background task (bb_workers_post): BG_IDLE, BG_POSTED, BG_RUNNING */
    atomic_int bg;
    void (*bg_fn)(void *);
    void *bg_ctx;
    atomic_bool bg_waiting;  /* the caller is asleep (or about to be) on done, for the background task */
    uint64_t bg_posted, bg_taken_back; /* caller only */
    atomic_uint_fast64_t bg_run; /* background tasks run by workers (counted before the task is idle again) */
};

enum { BG_IDLE, BG_POSTED, BG_RUNNING };

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

/* ---- placement ------------------------------------------------------------------ */

char *bb_workers_places_text(const bb_worker_place *p, int n, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i < n && used < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%sw%d:%d>%d%s", i ? " " : "", i, p[i].planned_pu, p[i].last_pu,
                         p[i].planned_pu >= 0 && !p[i].bound ? "!" : "");
        if (w < 0) break;
        used += (size_t)w;
    }
    return buf;
}

/* The type placement counts in: cores, or PUs where the topology has no cores. */
static hwloc_obj_type_t unit_type(hwloc_topology_t topo)
{
    return hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

/* Is unit o eligible under mask (NULL: every unit is)? */
static bool eligible(hwloc_obj_t o, hwloc_const_cpuset_t mask)
{
    return o && o->cpuset && (!mask || hwloc_bitmap_intersects(o->cpuset, mask));
}

/* Eligible units in topology order (inside set, NULL: the whole machine). */
static int count_units(hwloc_topology_t topo, hwloc_const_cpuset_t set, hwloc_const_cpuset_t mask)
{
    hwloc_obj_type_t t = unit_type(topo);
    int n = 0;
    for (hwloc_obj_t o = hwloc_get_next_obj_by_type(topo, t, NULL); o; o = hwloc_get_next_obj_by_type(topo, t, o))
        if (eligible(o, mask) && (!set || hwloc_bitmap_isincluded(o->cpuset, set))) n++;
    return n;
}

static hwloc_obj_t nth_unit(hwloc_topology_t topo, hwloc_const_cpuset_t set, hwloc_const_cpuset_t mask, int i)
{
    hwloc_obj_type_t t = unit_type(topo);
    for (hwloc_obj_t o = hwloc_get_next_obj_by_type(topo, t, NULL); o; o = hwloc_get_next_obj_by_type(topo, t, o))
        if (eligible(o, mask) && (!set || hwloc_bitmap_isincluded(o->cpuset, set)) && i-- == 0) return o;
    return NULL;
}

/* The PU OS index for worker i under p on topo, among the units mask allows
 * (NULL: all), or -1. A mask that allows no unit is ignored. */
static int plan_one(hwloc_topology_t topo, hwloc_const_cpuset_t mask, bb_pin p, int i)
{
    if (p == BB_PIN_NONE) return -1;
    int nunits = count_units(topo, NULL, mask);
    if (nunits <= 0 && mask) {
        mask = NULL;
        nunits = count_units(topo, NULL, NULL);
    }
    if (nunits <= 0) return -1;
    int slot = i % nunits;
    hwloc_obj_t unit = NULL;
    if (p == BB_PIN_COMPACT) {
        unit = nth_unit(topo, NULL, mask, slot);
    } else {
        int npk = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
        if (npk <= 0) npk = 1;
        /* round robin: the slot-th pick visits package slot % npk, its (slot / npk)-th unit,
           skipping packages that have run out of units */
        int picked = 0;
        for (int round = 0; round < nunits && !unit; round++) {
            for (int pk = 0; pk < npk && !unit; pk++) {
                hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, (unsigned)pk);
                hwloc_const_cpuset_t in = pkg ? pkg->cpuset : NULL;
                if (round >= count_units(topo, in, mask)) continue;
                if (picked++ == slot) unit = nth_unit(topo, in, mask, round);
            }
        }
    }
    if (!unit) return -1;
    for (hwloc_obj_t pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, unit->cpuset, HWLOC_OBJ_PU, NULL); pu;
         pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, unit->cpuset, HWLOC_OBJ_PU, pu))
        if (!mask || hwloc_bitmap_isset(mask, pu->os_index)) return (int)pu->os_index;
    return -1;
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

/* The calling thread's affinity mask, or NULL when it cannot be read. */
static hwloc_cpuset_t own_mask(hwloc_topology_t topo)
{
    hwloc_cpuset_t m = hwloc_bitmap_alloc();
    if (m && hwloc_get_cpubind(topo, m, HWLOC_CPUBIND_THREAD) == 0 && !hwloc_bitmap_iszero(m)) return m;
    hwloc_bitmap_free(m);
    return NULL;
}

bb_result bb_workers_plan(const char *topo_xml, bb_pin p, int n, int *plan, bb_error *err)
{
    hwloc_topology_t topo;
    bb_result r = load_topo(&topo, topo_xml, err);
    if (r) return r;
    hwloc_cpuset_t mask = topo_xml ? NULL : own_mask(topo);
    for (int i = 0; i < n; i++) plan[i] = plan_one(topo, mask, p, i);
    hwloc_bitmap_free(mask);
    hwloc_topology_destroy(topo);
    return BB_OK;
}

int bb_workers_cores(void)
{
    hwloc_topology_t topo;
    if (load_topo(&topo, NULL, NULL)) return 1;
    hwloc_cpuset_t mask = own_mask(topo);
    int n = count_units(topo, NULL, mask);
    if (n <= 0) n = count_units(topo, NULL, NULL);
    hwloc_bitmap_free(mask);
    hwloc_topology_destroy(topo);
    return n > 0 ? n : 1;
}

/* Bind the calling thread to worker i's PU and note where it runs. */
static void place_self(bb_workers *p, worker *w)
{
    w->place.planned_pu = plan_one(p->topo, p->mask, p->pin, w->id);
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

/* ---- the machine's load ------------------------------------------------------------ */

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Runnable threads on the machine now (loadavg's "R/T" field), or -1. */
static long runnable_now(int fd)
{
    char buf[128];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return -1;
    buf[n] = '\0';
    double a, b, c;
    long running, total;
    return sscanf(buf, "%lf %lf %lf %ld/%ld", &a, &b, &c, &running, &total) == 5 ? running : -1;
}

/* Caller only: sample the load when the last sample is older than LOAD_PERIOD_NS. */
static void sample_load(bb_workers *p)
{
    if (p->load_fd < 0) return;
    long t = now_ns();
    if (p->samples && t - p->load_t < LOAD_PERIOD_NS) return;
    p->load_t = t;
    const long r = runnable_now(p->load_fd);
    const long ours = p->n - atomic_load(&p->sleepers); /* runnable now: the caller, the workers awake */
    const bool busy = r >= 0 && r - ours > p->online_pus - p->n;
    const bool was = atomic_load_explicit(&p->busy, memory_order_relaxed);
    p->samples++;
    p->busy_samples += busy;
    if (p->samples > 1 && busy != was && ++p->load_streak < LOAD_DEBOUNCE) return;
    p->load_streak = 0;
    if (p->samples > 1 && busy != was) p->busy_flips++;
    atomic_store_explicit(&p->busy, busy, memory_order_relaxed);
}

/* ---- hand-off ------------------------------------------------------------------------ */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Has the generation moved past seen, or a background task come (or is the pool quitting)? */
static bool job_posted(bb_workers *p, uint64_t seen)
{
    return ST_GEN(atomic_load(&p->state)) != seen || atomic_load(&p->bg) == BG_POSTED || atomic_load(&p->quit);
}

static bool bg_idle(bb_workers *p, uint64_t unused)
{
    (void)unused;
    return atomic_load(&p->bg) == BG_IDLE;
}

/* Run the background task if it is posted and nobody has taken it (a worker: counted in bg_run). */
static bool run_background(bb_workers *p, bool by_worker)
{
    int s = BG_POSTED;
    if (!atomic_compare_exchange_strong(&p->bg, &s, BG_RUNNING)) return false;
    p->bg_fn(p->bg_ctx);
    if (by_worker) atomic_fetch_add(&p->bg_run, 1);
    atomic_store(&p->bg, BG_IDLE);
    if (atomic_load(&p->bg_waiting)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
    return true;
}

/* Is the current job closed with nobody inside? */
static bool job_done(bb_workers *p, uint64_t unused)
{
    (void)unused;
    uint64_t s = atomic_load(&p->state);
    return (s & ST_CLOSED) && ST_INSIDE(s) == 0;
}

/* Spin up to budget ns until ready(p, arg); returns the ns it took, or -1 if it ran out. */
static long spin_until(bb_workers *p, long budget, bool (*ready)(bb_workers *, uint64_t), uint64_t arg)
{
    if (budget <= 0) return -1;
    long t0 = now_ns();
    for (unsigned i = 1;; i++) {
        if (ready(p, arg)) return i < 64 ? 0 : now_ns() - t0;
        cpu_relax();
        if (i % 64 == 0) {
            long dt = now_ns() - t0;
            if (dt > budget) return -1;
            if (i % 4096 == 0 && atomic_load_explicit(&p->busy, memory_order_relaxed)) return -1;
        }
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

/* Join generation g if it is still open: true when this worker is now inside it. */
static bool try_join(bb_workers *p, uint64_t g)
{
    uint64_t s = atomic_load(&p->state);
    while (ST_GEN(s) == g && !(s & ST_CLOSED))
        if (atomic_compare_exchange_weak(&p->state, &s, s + 1)) return true;
    return false;
}

static void leave(bb_workers *p)
{
    uint64_t s = atomic_fetch_sub(&p->state, 1) - 1;
    if ((s & ST_CLOSED) && ST_INSIDE(s) == 0 && atomic_load(&p->caller_waiting)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Wait (spin, then sleep) until the generation moves past seen; adapts w->budget. */
static void wait_for_job(bb_workers *p, worker *w, uint64_t seen)
{
    long budget = atomic_load_explicit(&p->busy, memory_order_relaxed) ? 0 : w->budget;
    long took = spin_until(p, budget, job_posted, seen);
    if (took >= 0) {
        w->spin_hits++;
        return;
    }
    if (budget > 0) {
        w->spin_misses++;
        w->budget = w->budget / 2 < SPIN_FLOOR_NS ? 0 : w->budget / 2;
    }
    long t0 = now_ns();
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->sleepers, 1);
    while (!job_posted(p, seen)) pthread_cond_wait(&p->go, &p->mu);
    atomic_fetch_sub(&p->sleepers, 1);
    pthread_mutex_unlock(&p->mu);
    w->sleeps++;
    /* a spin of twice this sleep would have caught the job: spin more next time */
    long slept = now_ns() - t0 + budget;
    if (2 * slept <= p->spin_ns) {
        long b = w->budget * 2 > 2 * slept ? w->budget * 2 : 2 * slept;
        if (b < SPIN_FLOOR_NS) b = SPIN_FLOOR_NS;
        w->budget = b < p->spin_ns ? b : p->spin_ns;
    }
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    bb_workers *p = w->pool;
    place_self(p, w);
    note_location(p, w);
    uint64_t seen = 0;
    /* w->place is published under the mutex: create waits for every worker */
    pthread_mutex_lock(&p->mu);
    if (atomic_fetch_sub(&p->placing, 1) == 1) pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->mu);
    for (;;) {
        wait_for_job(p, w, seen);
        if (atomic_load(&p->quit)) break;
        run_background(p, true);
        seen = ST_GEN(atomic_load(&p->state));
        if (try_join(p, seen)) {
            w->joined++;
            work(p, w);
            leave(p);
        }
    }
    return NULL;
}

/* The largest spin for n workers: BUSBENCH_SPIN_NS if set, else the default; 0 when
 * the workers outnumber the processing units this process may run on (the PUs
 * hwloc allows, within the caller's affinity mask). */
static long spin_for(hwloc_topology_t topo, hwloc_const_cpuset_t mask, int n)
{
    const char *e = getenv("BUSBENCH_SPIN_NS");
    long spin = BB_WORKERS_SPIN_NS;
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == '\0' && v >= 0) spin = v;
    }
    hwloc_bitmap_t usable = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
    if (!usable) return 0;
    if (mask) hwloc_bitmap_and(usable, usable, mask);
    int pus = hwloc_bitmap_weight(usable);
    hwloc_bitmap_free(usable);
    return pus > 0 && n <= pus ? spin : 0;
}

bb_result bb_workers_create(bb_workers **out, int n, bb_pin pin, bb_error *err)
{
    if (n < 1 || n > BB_WORKERS_MAX)
        return bb_error_set(err, BB_ERR_ARG, "--threads", 0, 0, "expected 1 to %d threads, found %d", BB_WORKERS_MAX, n);
    bb_workers *p = bb_calloc(1, sizeof *p);
    if (!p) return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the worker pool");
    p->n = n;
    p->pin = pin;
    p->load_fd = -1;
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
    atomic_store(&p->state, ST_CLOSED); /* generation 0, closed, nobody inside */
    p->mask = own_mask(p->topo);
    p->spin_ns = n > 1 ? spin_for(p->topo, p->mask, n) : 0;
    long pus = sysconf(_SC_NPROCESSORS_ONLN);
    p->online_pus = pus > 0 ? (int)pus : 1;
    if (p->spin_ns > 0) {
        const char *la = getenv("BUSBENCH_LOADAVG");
        p->load_fd = open(la && *la ? la : "/proc/loadavg", O_RDONLY | O_CLOEXEC);
        sample_load(p); /* before any worker waits: a busy machine sees no spin at all */
    }
    for (int i = 0; i < n; i++) {
        p->w[i].pool = p;
        p->w[i].id = i;
        p->w[i].where = hwloc_bitmap_alloc();
        p->w[i].place.planned_pu = p->w[i].place.last_pu = -1;
        p->w[i].budget = p->spin_ns;
    }
    if (pin != BB_PIN_NONE) {
        p->caller_saved = hwloc_bitmap_alloc();
        if (p->caller_saved && hwloc_get_cpubind(p->topo, p->caller_saved, HWLOC_CPUBIND_THREAD) == 0)
            p->caller_bound = true;
    }
    place_self(p, &p->w[0]);
    note_location(p, &p->w[0]);
    atomic_store(&p->placing, n - 1); /* counted down by each worker once placed */
    for (int i = 1; i < n; i++) {
        if (pthread_create(&p->w[i].th, NULL, thread_main, &p->w[i]) != 0) {
            for (int j = i; j < n; j++) hwloc_bitmap_free(p->w[j].where);
            atomic_fetch_sub(&p->placing, n - i);
            p->n = i;
            bb_workers_destroy(p);
            return bb_error_set(err, BB_ERR_THREAD, NULL, 0, 0, "cannot start worker thread %d", i);
        }
    }
    /* every worker has placed itself before the pool is used: its placement is then
       complete (and read without a race) even if it never gets a task */
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->placing) > 0) pthread_cond_wait(&p->done, &p->mu);
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
    sample_load(p);
    /* the job is closed with nobody inside: its fields are ours until we open it */
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    uint64_t g = ST_GEN(atomic_load(&p->state)) + 1;
    if (g == 0xffffffffu) g = 1; /* wraps past 2^32 jobs; 0 is the workers' start */
    atomic_store(&p->state, g << 32);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    work(p, &p->w[0]);
    /* no task is left to take: close the job and wait for the workers inside it only */
    if (ST_INSIDE(atomic_fetch_or(&p->state, ST_CLOSED)) == 0) return;
    long budget = atomic_load_explicit(&p->busy, memory_order_relaxed) ? 0 : p->spin_ns;
    if (spin_until(p, budget, job_done, 0) >= 0) {
        p->caller_spin_hits++;
        return;
    }
    p->caller_sleeps++;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->caller_waiting, true);
    while (!job_done(p, 0)) pthread_cond_wait(&p->done, &p->mu);
    atomic_store(&p->caller_waiting, false);
    pthread_mutex_unlock(&p->mu);
}

bool bb_workers_post(bb_workers *p, void (*fn)(void *ctx), void *ctx)
{
    if (p->n == 1 || atomic_load(&p->bg) != BG_IDLE) return false;
    /* idle: the fields are ours until the store below */
    p->bg_fn = fn;
    p->bg_ctx = ctx;
    atomic_store(&p->bg, BG_POSTED);
    p->bg_posted++;
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    return true;
}

bool bb_workers_background_idle(bb_workers *p) { return atomic_load(&p->bg) == BG_IDLE; }

void bb_workers_join_background(bb_workers *p)
{
    if (run_background(p, false)) { /* no worker had taken it: the caller runs it */
        p->bg_taken_back++;
        return;
    }
    long budget = atomic_load_explicit(&p->busy, memory_order_relaxed) ? 0 : p->spin_ns;
    if (spin_until(p, budget, bg_idle, 0) >= 0) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->bg_waiting, true);
    while (!bg_idle(p, 0)) pthread_cond_wait(&p->done, &p->mu);
    atomic_store(&p->bg_waiting, false);
    pthread_mutex_unlock(&p->mu);
}

bb_worker_place bb_workers_place(const bb_workers *p, int i) { return p->w[i].place; }

bb_workers_stats bb_workers_get_stats(const bb_workers *p)
{
    bb_workers_stats s = {.spin_ns = p->spin_ns,
                          .load_samples = p->samples,
                          .busy_samples = p->busy_samples,
                          .busy_flips = p->busy_flips,
                          .caller_spin_hits = p->caller_spin_hits,
                          .caller_sleeps = p->caller_sleeps,
                          .bg_posted = p->bg_posted,
                          .bg_run = atomic_load(&p->bg_run),
                          .bg_taken_back = p->bg_taken_back};
    for (int i = 1; i < p->n; i++) {
        s.joined += p->w[i].joined;
        s.spin_hits += p->w[i].spin_hits;
        s.spin_misses += p->w[i].spin_misses;
        s.sleeps += p->w[i].sleeps;
    }
    return s;
}

void bb_workers_destroy(bb_workers *p)
{
    if (!p) return;
    bb_workers_join_background(p);
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, true);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->w[i].th, NULL);
    if (p->caller_bound) hwloc_set_cpubind(p->topo, p->caller_saved, HWLOC_CPUBIND_THREAD);
    if (p->caller_saved) hwloc_bitmap_free(p->caller_saved);
    if (p->mask) hwloc_bitmap_free(p->mask);
    if (p->load_fd >= 0) close(p->load_fd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    hwloc_topology_destroy(p->topo);
    for (int i = 0; i < p->n; i++) hwloc_bitmap_free(p->w[i].where);
    bb_free(p->w);
    bb_free(p);
}
