/* bb_bench_matrix.c - what `busbench bench` runs: the workloads, the configurations and the shard
 * of them this process renders. The rounds that render them are bb_bench.c.
 *
 * What it is: the workloads asked for (--workloads, default every workload of the corpus or every
 * program given) are opened and their references read (a golden checked against the manifest's
 * frames and sha256) or rendered (a program's serial render); the configurations are workload x
 * pinning x strategy x threads. A group is one (workload, pinning): its configurations stay
 * together in one process, since their speedups are paired with the group's reference.
 *
 * Sharding (--shard I/N, bb_shard.h): the matrix is cut into groups, each holding its
 * configurations and their serial 1-thread reference; the shard runs the groups bb_shard_assign
 * gives it and records which in the context's "shard" object (bb_bench_matrix_shard_context);
 * `busbench merge` puts the shards together.
 *
 * Invariants:
 *  - every group holds serial at 1 thread, its reference: added last (c->added) when not asked for;
 *    every configuration's baseline is the index of its group's reference;
 *  - a group's configurations are contiguous in m->cs, groups in the order workload, then pinning;
 *  - a program's reference is rendered before the matrix is cut (its length is its group's cost),
 *    and only the workloads of this shard get a kit;
 *  - m->maxblocks is at least the block count of every render of the shard (plus one).
 *
 * Units: a group's expected cost is the frames it renders per round (its reference's frames times
 * its configurations), or with --shard-costs the sum of its configurations' median times in ns
 * from a previous result. */
#include "bb_bench_matrix.h"

#include "bb_cmds.h"

#include "bb_kit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- workloads: a corpus's or the programs given (bb_workload.h) ------------------------ */

/* Set w up from wl: its reference (a golden checked against the manifest's frames and sha256: one
 * that was changed outside `make bless` is bad input, never a reference; or a program's serial
 * render), the kit. */
static bb_result prepare_workload(bb_bench_workload *w, bb_workload *wl, bb_error *err)
{
    snprintf(w->name, sizeof w->name, "%s", wl->name);
    w->wl = wl;
    w->cfg = &wl->job.cfg;
    bb_result res = bb_workload_reference(wl, err);
    if (res) return res;
    w->golden = wl->ref;
    w->ngolden = wl->nref;
    w->frames = (int64_t)wl->nref;
    if (w->cfg->fmt != BB_WAV_F32)
        return bb_error_set(err, BB_ERR_FORMAT, w->name, 0, 0, "the bench compares float32 goldens only");
    if ((res = bb_kit_create(&w->kit, (double)w->cfg->sr)))
        return bb_error_set(err, res, w->name, 0, 0, "cannot build the sample kit");
    if (w->cfg->samples && (res = bb_kit_load_dir(w->kit, w->cfg->samples, err))) return res;
    return BB_OK;
}

static void free_workloads(bb_bench_workload *v, int n)
{
    for (int i = 0; v && i < n; i++) bb_kit_destroy(v[i].kit);
    free(v);
}

/* ---- the matrix ------------------------------------------------------------------------------------------ */

void bb_bench_matrix_free(bb_bench_matrix *m)
{
    for (int k = 0; m->cs && k < m->nc; k++) {
        bb_bench_dvec_free(&m->cs[k].ir);
        bb_bench_dvec_free(&m->cs[k].rep);
        bb_bench_dvec_free(&m->cs[k].cpu);
        bb_bench_dvec_free(&m->cs[k].cold);
        bb_bench_dvec_free(&m->cs[k].steady);
        bb_bench_dvec_free(&m->cs[k].seq);
        bb_bench_dvec_free(&m->cs[k].par);
        for (int i = 0; i < BB_BENCH_STEPS; i++) bb_bench_dvec_free(&m->cs[k].step[i]);
    }
    free(m->cs);
    free_workloads(m->all, m->nall);
    bb_workload_set_free(&m->set);
    memset(m, 0, sizeof *m);
}

/* The workloads asked for, in the order asked (default: the manifest's, or the programs'), into
 * m->set; a program's reference rendered now (its length is its group's cost). BB_BENCH_GO_ON or 2. */
static int select_workloads(bb_bench_opts *o, bb_bench_matrix *m)
{
    char *names[BB_BENCH_LIST_MAX];
    int nn = o->wl_buf[0] ? bb_bench_split_list(o->wl_buf, names, BB_BENCH_LIST_MAX) : 0;
    const bb_workload_src src = {.golden = o->golden, .programs = o->programs, .nprograms = o->nprograms,
                                 .opts = &o->wopts, .names = (const char *const *)names, .nnames = nn > 0 ? (size_t)nn : 0};
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bb_result r = nn < 0 ? bb_error_set(&err, BB_ERR_LIMIT, "--workloads", 0, 0, "more than %d workloads", BB_BENCH_LIST_MAX)
                         : bb_workload_open(&m->set, &src, &err);
    if (!r && m->set.n > BB_BENCH_LIST_MAX)
        r = bb_error_set(&err, BB_ERR_LIMIT, m->set.golden, 0, 0, "more than %d workloads: choose with --workloads",
                         BB_BENCH_LIST_MAX);
    for (size_t i = 0; !r && i < m->set.n; i++)
        if (!m->set.v[i].entry) r = bb_workload_reference(&m->set.v[i], &err);
    if (!r) return BB_BENCH_GO_ON;
    fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
    return BB_EXIT_USAGE;
}

/* Does a group hold serial at 1 thread among the asked configurations? */
static bool asks_reference(const bb_bench_opts *o)
{
    bool serial = false, one = false;
    for (int s = 0; s < o->nstrats; s++) serial |= !strcmp(o->strats[s], "serial");
    for (int t = 0; t < o->nthreads; t++) one |= o->threads[t] == 1;
    return serial && one;
}

/* --shard-costs: each group's cost from a previous result, the sum of its configurations' median times (ns);
 * a group it lacks is estimated from its frames at the known groups' mean time per frame. BB_BENCH_GO_ON or 2. */
static int costs_from(const bb_bench_opts *o, const bb_workload *sel, int ng, double *cost)
{
    bb_results prev;
    bb_error err;
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (bb_json_read(o->shard_costs, &prev, &err)) {
        fprintf(stderr, "busbench bench: --shard-costs: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    double known = 0, known_frames = 0;
    for (int g = 0; g < ng; g++) {
        const char *w = sel[g / o->npins].name, *pin = bb_pin_name(o->pins[g % o->npins]);
        double t = 0;
        for (size_t k = 0; k < prev.n; k++)
            if (!strcmp(prev.v[k].workload, w) && !strcmp(prev.v[k].pin, pin) && isfinite(prev.v[k].t.median))
                t += prev.v[k].t.median;
        if (t > 0) known += t, known_frames += cost[g];
        cost[g] = t > 0 ? t : -cost[g]; /* negative: frames, to be scaled */
    }
    double per_frame = known_frames > 0 ? known / known_frames : 1;
    for (int g = 0; g < ng; g++)
        if (cost[g] < 0) cost[g] = -cost[g] * per_frame;
    bb_json_results_free(&prev);
    return BB_BENCH_GO_ON;
}

/* Which groups (index i * npins + p) this shard runs: owned[g]. BB_BENCH_GO_ON or 2. */
static int shard_groups(const bb_bench_opts *o, const bb_workload *sel, int nsel, bool *owned, bb_bench_matrix *m)
{
    int ng = nsel * o->npins;
    int per = o->nstrats * o->nthreads + !asks_reference(o);
    double *cost = malloc((size_t)ng * sizeof *cost), *load = calloc((size_t)(o->shard.count ? o->shard.count : 1), sizeof *load);
    int *owner = malloc((size_t)ng * sizeof *owner);
    int rc = BB_BENCH_GO_ON;
    if (!cost || !load || !owner) rc = BB_EXIT_USAGE;
    for (int g = 0; rc == BB_BENCH_GO_ON && g < ng; g++) cost[g] = (double)(sel[g / o->npins].frames > 0 ? sel[g / o->npins].frames : 0) * per;
    if (rc == BB_BENCH_GO_ON && o->shard_costs && o->shard.count) rc = costs_from(o, sel, ng, cost);
    if (rc == BB_BENCH_GO_ON && bb_shard_assign(cost, (size_t)ng, o->shard.count ? o->shard.count : 1, owner, load)) rc = BB_EXIT_USAGE;
    if (!cost || !load || !owner) fprintf(stderr, "busbench bench: no memory\n");
    m->groups = ng;
    for (int g = 0; rc == BB_BENCH_GO_ON && g < ng; g++) {
        owned[g] = !o->shard.count || owner[g] == o->shard.index;
        m->groups_here += owned[g];
        m->cost_here += owned[g] ? cost[g] : 0;
        m->cost_total += cost[g];
    }
    for (int s = 0; rc == BB_BENCH_GO_ON && s < (o->shard.count ? o->shard.count : 1); s++)
        if (load[s] > m->cost_max) m->cost_max = load[s];
    if (rc == BB_BENCH_GO_ON && !m->groups_here) {
        fprintf(stderr, "busbench bench: shard %d/%d has nothing to run: the matrix has %d group%s (workload x pinning) "
                        "to share out; use at most %d shards\n", o->shard.index, o->shard.count, ng, ng == 1 ? "" : "s", ng);
        rc = BB_EXIT_USAGE;
    }
    free(cost);
    free(load);
    free(owner);
    return rc;
}

/* Append group (w, pin)'s configurations to m->cs, the reference last when it was not asked for. */
static void add_group(const bb_bench_opts *o, bb_bench_matrix *m, bb_bench_workload *w, bb_pin pin)
{
    int first = m->nc;
    for (int s = 0; s < o->nstrats; s++)
        for (int t = 0; t < o->nthreads; t++) {
            bb_bench_config *c = &m->cs[m->nc++];
            c->w = w;
            snprintf(c->strategy, sizeof c->strategy, "%s", o->strats[s]);
            c->threads = o->threads[t];
            c->pin = pin;
        }
    int ref = -1;
    for (int k = first; k < m->nc; k++)
        if (!strcmp(m->cs[k].strategy, "serial") && m->cs[k].threads == 1) ref = k;
    if (ref < 0) {
        ref = m->nc;
        bb_bench_config *c = &m->cs[m->nc++];
        c->w = w;
        snprintf(c->strategy, sizeof c->strategy, "serial");
        c->threads = 1;
        c->pin = pin;
        c->added = true;
    }
    for (int k = first; k < m->nc; k++) {
        m->cs[k].baseline = ref;
        m->cs[k].stable = true;
        m->cs[k].pin_ok = true;
    }
}

/* Load the workloads this shard needs (reference checked or rendered, kit built) and lay out its configurations. BB_BENCH_GO_ON or 2. */
int bb_bench_matrix_build(bb_bench_opts *o, bb_bench_matrix *m)
{
    memset(m, 0, sizeof *m);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    bool owned[BB_BENCH_LIST_MAX * 8];
    int rc = select_workloads(o, m), nsel = (int)m->set.n;
    if (rc == BB_BENCH_GO_ON) rc = shard_groups(o, m->set.v, nsel, owned, m);
    if (rc == BB_BENCH_GO_ON) {
        m->all = calloc((size_t)(nsel ? nsel : 1), sizeof *m->all);
        m->cs = calloc((size_t)m->groups_here * (size_t)(o->nstrats * o->nthreads + 1) + 1, sizeof *m->cs);
        if (!m->all || !m->cs) {
            fprintf(stderr, "busbench bench: no memory\n");
            rc = BB_EXIT_USAGE;
        }
    }
    for (int i = 0; rc == BB_BENCH_GO_ON && i < nsel; i++) {
        bool any = false;
        for (int p = 0; p < o->npins; p++) any |= owned[i * o->npins + p];
        if (!any) continue;
        bb_bench_workload *w = &m->all[m->nall++];
        if (prepare_workload(w, &m->set.v[i], &err)) {
            fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
            rc = BB_EXIT_USAGE;
            break;
        }
        for (int p = 0; p < o->npins; p++)
            if (owned[i * o->npins + p]) add_group(o, m, w, o->pins[p]);
        size_t b = o->block ? (size_t)o->block : w->cfg->block;
        size_t nb = (size_t)((w->frames + (int64_t)b - 1) / (int64_t)b) + 1;
        if (nb > m->maxblocks) m->maxblocks = nb;
    }
    if (rc != BB_BENCH_GO_ON) bb_bench_matrix_free(m);
    return rc;
}

/* ---- the shard in the result's context ---------------------------------------------------------------- */

json_t *bb_bench_matrix_shard_context(const bb_bench_opts *o, const bb_bench_matrix *m)
{
    json_t *s = json_object();
    json_object_set_new(s, "index", json_integer(o->shard.index));
    json_object_set_new(s, "count", json_integer(o->shard.count));
    json_object_set_new(s, "groups", json_integer(m->groups_here));
    json_object_set_new(s, "groups_total", json_integer(m->groups));
    json_object_set_new(s, "configurations", json_integer(m->nc));
    json_object_set_new(s, "expected_cost", json_real(m->cost_here));
    json_object_set_new(s, "expected_cost_total", json_real(m->cost_total));
    json_object_set_new(s, "expected_cost_max", json_real(m->cost_max));
    json_object_set_new(s, "cost_model", json_string(o->shard_costs ? "the median times (ns) of a previous result "
                                                                      "(--shard-costs), summed per group"
                                                                    : "frames rendered per round: a group (workload x "
                                                                      "pinning) costs its golden's frames times its "
                                                                      "configurations"));
    if (o->shard_costs) json_object_set_new(s, "costs_from", json_string(o->shard_costs));
    return s;
}
