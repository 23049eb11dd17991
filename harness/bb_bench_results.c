/* bb_bench_results.c - what `busbench bench` makes of its rounds: the results model (bb_json.h's
 * bb_bres) of every configuration, the instruction counts, and where the workers ran.
 *
 * What it is: a configuration's timed rounds give its time per render (wall and CPU), summarised
 * with a bootstrap interval of the median and its speedup over its group's reference (the ratio
 * of the medians over the rounds valid in both, with a paired bootstrap interval); its right
 * renders give its block latencies (cold: before cycle 1; steady: after), its step times, its
 * counters, heap and placement.
 *
 * Invariants:
 *  - a void round (a wrong or failed render) is NaN in rep, cpu and ir, and is left out of every
 *    statistic; the per-round values are kept as measured (rep_ns, rep_cpu_ns);
 *  - the statistics are reproducible: bootstrap seeds derive from --seed and the configuration's
 *    name;
 *  - results are in the order of the matrix's configurations (bb_bench_results_instructions
 *    relies on it for a count measured here).
 *
 * Units: ns (times, blocks, deadlines), bytes (peak heap), KiB (maxrss). */
#include "bb_bench_results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the results model ------------------------------------------------------------------------------ */

/* A configuration's name in the results: WORKLOAD/STRATEGY/threads:N/pin:POLICY. */
static void config_name(const bb_bench_config *c, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/%s/threads:%d/pin:%s", c->w->name, c->strategy, c->threads, bb_pin_name(c->pin));
}

/* A configuration's timing statistics: summary, bootstrap interval of the median, speedup over its reference. */
static void result_times(const bb_bench_opts *o, const bb_bench_config *c, const bb_bench_config *base, bb_bres *b)
{
    bb_bench_dvec ok = {0}, okc = {0};
    for (size_t i = 0; i < c->rep.n; i++)
        if (isfinite(c->rep.v[i])) {
            bb_bench_dvec_push(&ok, c->rep.v[i]);
            bb_bench_dvec_push(&okc, c->cpu.v[i]);
        }
    bb_stats_summary(ok.v, ok.n, &b->t);
    uint64_t s = (uint64_t)o->seed ^ bb_stats_hash(b->name);
    if (ok.n) bb_stats_bootstrap_median_ci(ok.v, ok.n, BB_STATS_BOOT_DEFAULT, 0.95, s, &b->ci_lo, &b->ci_hi);
    b->cpu_median = bb_stats_median(okc.v, okc.n);
    bb_bench_dvec_free(&ok);
    bb_bench_dvec_free(&okc);
    config_name(base, b->baseline, sizeof b->baseline);
    bb_bench_dvec pb = {0}, px = {0};
    for (size_t i = 0; i < c->rep.n && i < base->rep.n; i++)
        if (isfinite(c->rep.v[i]) && isfinite(base->rep.v[i])) {
            bb_bench_dvec_push(&pb, base->rep.v[i]);
            bb_bench_dvec_push(&px, c->rep.v[i]);
        }
    b->pairs = (int)pb.n;
    if (pb.n) {
        b->speedup = bb_stats_median(pb.v, pb.n) / bb_stats_median(px.v, px.n);
        bb_stats_bootstrap_ratio_ci(pb.v, px.v, pb.n, BB_STATS_BOOT_DEFAULT, 0.95, s ^ 0x9e3779b97f4a7c15ULL, &b->sp_lo,
                                    &b->sp_hi);
    }
    bb_bench_dvec_free(&pb);
    bb_bench_dvec_free(&px);
}

/* A configuration's block latencies, counters, memory and placement. */
static void result_rest(bb_bench_config *c, bb_bres *b)
{
    bb_stats_latency(c->cold.v, c->cold.n, b->deadline_ns, &b->cold);
    bb_stats_latency(c->steady.v, c->steady.n, b->deadline_ns, &b->steady);
    bb_stats_sort(c->cold.v, c->cold.n);
    bb_stats_sort(c->steady.v, c->steady.n);
    for (int i = 0; i < BB_JSON_CDF_POINTS; i++) {
        b->cdf_cold[i] = bb_stats_quantile_sorted(c->cold.v, c->cold.n, bb_json_cdf_p[i]);
        b->cdf_steady[i] = bb_stats_quantile_sorted(c->steady.v, c->steady.n, bb_json_cdf_p[i]);
    }
    b->window_misses = c->window_misses;
    b->windows_timed = c->windows;
    if (c->seq.n) {
        b->seq_ns = bb_stats_median(c->seq.v, c->seq.n);
        b->par_ns = bb_stats_median(c->par.v, c->par.n);
        for (int i = 0; i < BB_BENCH_STEPS; i++) *bb_bench_step(&b->steps, i) = bb_stats_median(c->step[i].v, c->step[i].n);
        b->steps.windows = c->step_windows;
    }
    b->counters = c->counters;
    b->counters_stable = c->stable;
    b->allocs_lo = c->allocs_lo;
    b->allocs_hi = c->allocs_hi;
    b->allocs_steady_lo = c->allocs_steady_lo;
    b->allocs_steady_hi = c->allocs_steady_hi;
    b->peak_heap = c->peak_heap;
    b->maxrss_kib = c->maxrss;
    b->nplaces = c->nplaces;
    memcpy(b->places, c->places, sizeof b->places[0] * (size_t)c->nplaces);
    b->pin_ok = c->pin_ok;
    snprintf(b->error, sizeof b->error, "%s", c->error);
}

int bb_bench_results(const bb_bench_opts *o, bb_bench_matrix *m, int rounds, bb_results *res)
{
    int failures = 0;
    for (int k = 0; k < m->nc; k++) {
        bb_bench_config *c = &m->cs[k];
        bb_bres *b = bb_json_results_add(res, rounds);
        if (!b) return -1;
        config_name(c, b->name, sizeof b->name);
        snprintf(b->workload, sizeof b->workload, "%s", c->w->name);
        snprintf(b->strategy, sizeof b->strategy, "%s", c->strategy);
        snprintf(b->pin, sizeof b->pin, "%s", bb_pin_name(c->pin));
        b->threads = c->threads;
        b->sr = c->w->cfg->sr;
        b->block = o->block ? o->block : (int64_t)c->w->cfg->block;
        b->frames = c->w->frames;
        b->deadline_ns = (double)b->block / b->sr * 1e9;
        b->window_blocks = c->window_blocks ? c->window_blocks : 1;
        for (int i = 0; i < rounds && (size_t)i < c->rep.n; i++) {
            b->rep_ns[i] = c->rep.v[i];
            b->rep_cpu_ns[i] = c->cpu.v[i];
        }
        b->valid = c->valid;
        b->voided = c->voided;
        b->iterations = c->iters > 0 ? c->iters : 1;
        b->renders_checked = c->renders_checked;
        b->warmup_renders = c->warmup_renders;
        failures += c->voided > 0;
        result_times(o, c, &m->cs[c->baseline], b);
        result_rest(c, b);
    }
    return failures;
}
/* ---- instruction counts ---------------------------------------------------------------------------------- */

int bb_bench_results_instructions(bb_results *res, const bb_bench_config *cs, int nc, bool own_ir, const json_t *child)
{
    bb_results cr;
    bb_json_results_init(&cr);
    bb_error err;
    if (!own_ir && (!child || bb_json_read_doc(child, "the instruction counts", &cr, &err))) return 0;
    for (int k = 0; k < nc && (size_t)k < res->n; k++) {
        bb_bres *b = &res->v[k];
        if (own_ir) {
            if (bb_json_set_instructions(b, cs[k].ir.v, cs[k].ir.n)) return -1;
            continue;
        }
        const bb_bres *from = bb_json_results_find(&cr, b->name);
        if (!from) continue;
        b->instructions = from->instructions;
        b->instructions_min = from->instructions_min;
        b->instructions_max = from->instructions_max;
        b->instruction_rounds = from->instruction_rounds;
    }
    bb_json_results_free(&cr);
    return 0;
}
/* ---- where the workers ran (the context's "pinning") -------------------------------------------------------- */

json_t *bb_bench_results_pinning(const bb_bench_config *cs, int nc)
{
    json_t *pins = json_object();
    for (int i = 0; i < nc; i++) {
        const bb_bench_config *c = &cs[i];
        const char *pn = bb_pin_name(c->pin);
        json_t *p = json_object_get(pins, pn);
        if (!p) {
            p = json_object();
            json_object_set_new(p, "all_bound", json_true());
            json_object_set_new(p, "ran_elsewhere", json_integer(0));
            json_object_set_new(p, "placements", json_object());
            json_object_set_new(pins, pn, p);
        }
        if (!c->pin_ok) json_object_set_new(p, "all_bound", json_false());
        int elsewhere = 0;
        for (int k = 0; k < c->nplaces; k++)
            elsewhere += c->places[k].planned_pu >= 0 && c->places[k].last_pu >= 0 &&
                         c->places[k].last_pu != c->places[k].planned_pu;
        json_object_set_new(p, "ran_elsewhere",
                            json_integer(json_integer_value(json_object_get(p, "ran_elsewhere")) + elsewhere));
        /* the placement shown for (policy, threads): the configuration whose workers
           reported the most locations (serial runs no job on its workers: they report none) */
        int best = -1, best_known = -1;
        for (int j = 0; j < nc; j++) {
            if (cs[j].pin != c->pin || cs[j].threads != c->threads) continue;
            int kj = 0;
            for (int k = 0; k < cs[j].nplaces; k++) kj += cs[j].places[k].last_pu >= 0;
            if (kj > best_known) {
                best_known = kj;
                best = j;
            }
        }
        if (best != i) continue;
        char key[32], val[1024];
        snprintf(key, sizeof key, "%d", c->threads);
        json_t *pl = json_object_get(p, "placements");
        if (!c->nplaces) continue;
        char full[1400];
        snprintf(full, sizeof full, "%s (seen in %s/%s; %s)", bb_workers_places_text(c->places, c->nplaces, val, sizeof val),
                 c->w->name, c->strategy, BB_WORKERS_PLACES_LEGEND);
        json_object_set_new(pl, key, json_string(full));
    }
    return pins;
}
