/* lanes.c - phase 3: vector synthesis across requests.
 *
 * The deduped requests of a window (a cycle under `cycle`, a block under
 * `parallel`, a batch window under `batch`; `lanes` alone makes the window a
 * block) mostly run the same graph: golden/q.ph's 84 requests a cycle are one
 * bus at 84 onsets and pitches, every one a distinct key, so no cache helps.
 * This phase sorts the window's requests by bus, then by length (longest
 * first, so that lanes side by side end together), and hands each bus's run to
 * the lane kernel (bb_synth_lanes: the serial kernel of core/bb_kernel.h at
 * width BB_LANES, a lane per request, a lane that finishes taking the next
 * request). On the worker pool a bus's run is split into one task per group
 * of BB_LANES requests, so that a worker busy elsewhere when the job starts (a
 * pipelined render's output chain) still finds groups to take when it joins:
 * on golden/q.ph, 64 cycles, `all` at 2 threads, this took the render from
 * 1.59-1.67x to 1.77-1.81x its 1-thread time (one task per worker before).
 * A request alone of its bus in the window, and every request of a bus the
 * lane kernel cannot run (a delay, a reverb or a trigger in its graph), is
 * synthesised one at a time, as before, and counted (lane_fallbacks). Every request's bits are those serial gives
 * it: each lane performs the serial code's operations in the same order.
 *
 * Counters: lane_groups (lane kernel calls), lane_samples / lane_slots (the
 * lane occupancy), lane_fallbacks. */
#include "bb_variant.h"

#include "bb_alloc.h"
#include "bb_lane.h"

#include <stdlib.h>

/* A task: a run of requests of one bus, in d->uniq (the driver's
 * synth_tasks hold them). */
typedef struct bb_lane_task {
    bb_busreq **v;   /* requests of one bus, in d->uniq */
    size_t n;
    bool lanes;      /* through the lane kernel (else one at a time) */
} bb_lane_task;

/* A sample synthesised in lanes, in picoseconds (measured as the driver's
 * costs are: bb_driver.c's essay). */
enum { BB_LANES_SAMPLE_PS = 1500 };

/* Bus, then length descending, then onset and pitch: a total order on a
 * window's distinct keys, so the grouping is the same on every run. */
static int cmp_req(const void *pa, const void *pb)
{
    const bb_busreq *a = *(bb_busreq *const *)pa, *b = *(bb_busreq *const *)pb;
    if (a->bus != b->bus) return a->bus < b->bus ? -1 : 1;
    if (a->len != b->len) return a->len > b->len ? -1 : 1;
    if (a->onset != b->onset) return a->onset < b->onset ? -1 : 1;
    return (a->note > b->note) - (a->note < b->note);
}

static void lane_task(void *ctx, size_t task, int worker)
{
    bb_drv *d = ctx;
    const bb_lane_task *t = (const bb_lane_task *)d->synth_tasks + task;
    if (atomic_load(&d->job_err)) return; /* the render fails anyway */
    bb_synth *s = d->synth[worker];
    bb_result r = BB_OK;
    if (t->lanes) r = bb_synth_lanes(s, t->v, t->n, d->plan.lanes_reassoc);
    else
        for (size_t i = 0; i < t->n && !r; i++) r = bb_synth_run(s, t->v[i], t->v[i]->buf->data);
    if (r) atomic_store(&d->job_err, (int)r);
}

static bb_result add_task(bb_drv *d, bb_busreq **v, size_t n, bool lanes)
{
    if (bb_grow(&d->synth_tasks, &d->synth_tasks_cap, d->synth_tasks_n + 1, sizeof(bb_lane_task))) return BB_ERR_NOMEM;
    ((bb_lane_task *)d->synth_tasks)[d->synth_tasks_n++] = (bb_lane_task){v, n, lanes};
    return BB_OK;
}

/* The synthesiser: d->uniq sorted, cut into tasks, run on the workers. */
static bb_result synth_lanes(bb_drv *d)
{
    qsort(d->uniq, d->uniq_n, sizeof *d->uniq, cmp_req);
    d->synth_tasks_n = 0;
    /* at most a task per request: room for as many as d->uniq has, so the
       steady state does not allocate */
    if (bb_grow(&d->synth_tasks, &d->synth_tasks_cap, d->uniq_cap, sizeof(bb_lane_task))) return BB_ERR_NOMEM;
    for (size_t i = 0; i < d->uniq_n;) {
        size_t e = i + 1;
        while (e < d->uniq_n && d->uniq[e]->bus == d->uniq[i]->bus) e++;
        const size_t m = e - i;
        bb_result r = BB_OK;
        if (m < 2 || !bb_synth_lanes_ok(d->synth[0], d->uniq[i]->bus)) {
            d->stats->lane_fallbacks += m;
            for (size_t j = i; j < e && !r; j++) r = add_task(d, &d->uniq[j], 1, false);
        } else {
            /* a task per group: a worker that comes late (a pipelined render's output chain
               runs on one) still finds groups to take */
            for (size_t j = i; j < e && !r; j += BB_LANES) r = add_task(d, &d->uniq[j], e - j < BB_LANES ? e - j : BB_LANES, true);
        }
        if (r) return r;
        i = e;
    }
    atomic_store(&d->job_err, BB_OK);
    bb_drv_run(d, d->synth_tasks_n, lane_task, d, bb_drv_synth_work(d, BB_LANES_SAMPLE_PS));
    bb_drv_take_counts(d);
    return (bb_result)atomic_load(&d->job_err);
}

/* Each worker's synth gets the lane kernels of the buses that allow them. */
static const bb_synthesiser synthesise_lanes = {"lanes", bb_synth_lanes_enable, synth_lanes};

static void apply_lanes(bb_plan *p)
{
    if (p->resolver == &bb_resolve_serial) p->resolver = &bb_resolve_block;
    p->synthesiser = &synthesise_lanes;
}

const bb_variant bb_variant_lanes = {"lanes", "3",
                                     "a window's requests of one bus synthesised 8 at a time, one per SIMD lane",
                                     false, apply_lanes};
