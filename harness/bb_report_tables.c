/* bb_report_tables.c - report.md, the Markdown of `busbench report`.
 *
 * What it holds, in order: where the result comes from (and, first, when some thread counts were
 * more than the PUs); the verification; "Which phase helps": table 1, the phase's own effect (each
 * strategy at 1 thread over serial at 1 thread) with the counters that explain it (synthesis calls,
 * cache hits, preprocessing calls, instructions over serial's) and how long a render and a timing
 * sample took; table 2, threading (each strategy at n threads over itself at 1 thread) with CPU/wall,
 * the jobs kept local and the instructions over its own at 1 thread; the summary figures; then per
 * workload the full tables (times, block latency, counters, lanes), the scaling bounds in numbers
 * and words, and its figures; the anchors and capacity tables when given; the environment.
 *
 * Invariants: every number is read from the result or is a ratio of what was read (bb_report.c);
 * a speedup is always named with what it is over; a ratio is marked significant only when its 95%
 * interval leaves out 1; serial appears in neither effect table (over itself it is 1 by
 * definition, and it does not use its threads); the bounds' words never blame imbalance for what
 * oversubscription explains.
 *
 * Units: ms for renders and samples, us for blocks, KiB for the heap, x for ratios. */
#include "bb_report_tables.h"

#include "bb_stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void num(FILE *f, double v, const char *fmt)
{
    if (isfinite(v)) fprintf(f, fmt, v);
    else fprintf(f, "n/a");
}

static void range_u64(FILE *f, uint64_t lo, uint64_t hi)
{
    if (lo == hi) fprintf(f, "%" PRIu64, lo);
    else fprintf(f, "%" PRIu64 "-%" PRIu64, lo, hi);
}

/* An interval's end: 2 decimals, 3 when 2 would round it to 1 (a significant interval ending at
 * 0.996 must not read "1.00"). */
static void ci_end(FILE *f, double v)
{
    fprintf(f, fabs(v - 1.0) < 0.005 && v != 1.0 ? "%.3f" : "%.2f", v);
}

/* A ratio's cells: speedup (bold when significant) | [lo, hi] | significant. */
static void ratio_cells(FILE *f, const bb_report_ratio *q)
{
    fprintf(f, q->sig ? "**%.2fx**" : "%.2fx", q->x);
    fprintf(f, " | ");
    if (isfinite(q->lo)) {
        fprintf(f, "[");
        ci_end(f, q->lo);
        fprintf(f, ", ");
        ci_end(f, q->hi);
        fprintf(f, "]");
    }
    else fprintf(f, "n/a (no per-round times)");
    fprintf(f, " | %s", q->sig > 0 ? "yes, faster" : q->sig < 0 ? "yes, slower" : "no");
}

/* "a/b" of two counts, "a (b)" style: the strategy's and the reference's. */
static void vs(FILE *f, uint64_t a, uint64_t b) { fprintf(f, "%" PRIu64 " (%" PRIu64 ")", a, b); }

static void instr_ratio(FILE *f, const bb_bres *a, const bb_bres *b)
{
    if (a && b && a->instruction_rounds > 0 && b->instruction_rounds > 0 && b->instructions > 0)
        fprintf(f, "%.3fx", (double)a->instructions / (double)b->instructions);
    else fprintf(f, "-");
}

/* ---- table 1: the phase's own effect -------------------------------------------------------------- */
static void md_phase_table(FILE *f, const bb_report *R, const char *p)
{
    fprintf(f, "### 1. The phase's own effect: each strategy at 1 thread over serial at 1 thread (pin %s)\n\n", p);
    fprintf(f, "Speedup = median(serial) / median(strategy) over the rounds valid in both, paired by round; 95%% CI: "
               "percentile bootstrap of that ratio (2000 resamples of the rounds: the bench's speedup interval); "
               "**bold** when the interval leaves out 1 (significant), \"no\" when it holds 1 (no difference shown at "
               "this many rounds). Beside it, what the strategy did in the same render, with serial's in brackets: "
               "synthesis calls (buffers synthesised), cache hits, preprocessing calls; its instructions over "
               "serial's (callgrind, when the bench ran with `--metric both`); its time per render and the renders "
               "in one timing sample.\n\n");
    fprintf(f, "| workload | strategy | speedup over serial | 95%% CI | significant | synth calls (serial) | cache hits "
               "(serial) | preprocess calls | instructions vs serial | ms per render (renders per sample) |\n"
               "|---|---|---:|---|---|---:|---:|---:|---:|---:|\n");
    int n = 0, up = 0, down = 0;
    for (int w = 0; w < R->nwl; w++) {
        const bb_bres *ser = bb_report_find(R, R->wl[w], "serial", 1, p);
        for (int s = 0; s < R->nst; s++) {
            bb_report_ratio q;
            if (!strcmp(R->st[s], "serial") || !bb_report_phase(R, R->wl[w], R->st[s], p, &q)) continue;
            const bb_bres *x = bb_report_find(R, R->wl[w], R->st[s], 1, p);
            fprintf(f, "| %s | %s | ", R->wl[w], R->st[s]);
            ratio_cells(f, &q);
            fprintf(f, " | ");
            vs(f, x->counters.synth_calls, ser->counters.synth_calls);
            fprintf(f, " | ");
            vs(f, x->counters.cache_hits, ser->counters.cache_hits);
            fprintf(f, " | %" PRIu64 " | ", x->counters.preprocess_calls);
            instr_ratio(f, x, ser);
            fprintf(f, " | %.3f (%d) |\n", x->t.median / 1e6, x->iterations);
            n++, up += q.sig > 0, down += q.sig < 0;
        }
    }
    if (!n) fprintf(f, "| (no strategy but serial was measured at 1 thread) |||||||||| \n");
    fprintf(f, "\nSignificant: %d faster, %d slower, %d without a difference shown, of %d.\n\n", up, down, n - up - down, n);
}

/* ---- table 2: threading ------------------------------------------------------------------------- */
static void md_threading_row(FILE *f, const bb_report *R, const char *w, const char *s, int t, const char *p,
                             const bb_report_ratio *q)
{
    const bb_bres *one = bb_report_find(R, w, s, 1, p), *x = bb_report_find(R, w, s, t, p);
    fprintf(f, "| %s | %s | %d | ", w, s, t);
    ratio_cells(f, q);
    fprintf(f, " | ");
    num(f, x->cpu_median / x->t.median, "%.2f");
    fprintf(f, " | %" PRIu64 " | ", x->counters.jobs_local);
    instr_ratio(f, x, one);
    if (bb_report_oversubscribed(R, t))
        fprintf(f, " | **oversubscribed**: %d threads on %d PU%s |\n", t, R->pus, R->pus == 1 ? "" : "s");
    else fprintf(f, " | |\n");
}

static void md_threading_table(FILE *f, const bb_report *R, const char *p)
{
    fprintf(f, "### 2. Threading: each strategy at n threads over itself at 1 thread (pin %s)\n\n", p);
    if (R->th[R->nth - 1] < 2) {
        fprintf(f, "Only 1 thread was measured: nothing to say about threading.\n\n");
        return;
    }
    fprintf(f, "Speedup = median(the strategy at 1 thread) / median(at n threads) over the rounds valid in both, paired "
               "by round; 95%% CI: percentile bootstrap of that ratio (2000 resamples of the rounds, seeded by the two "
               "configurations' names), significance as above. serial is left out: it does not use its threads. "
               "CPU/wall: the process's CPU time over the wall time (the threads busy on average); jobs kept local: "
               "jobs whose work was below a hand-off and ran on the calling thread; instructions over its own at 1 "
               "thread (when counted). A speedup measured with more threads than PUs (oversubscribed) measures the "
               "threads sharing the PUs, not the strategy's scaling.\n\n");
    fprintf(f, "| workload | strategy | threads | speedup over itself at 1 thread | 95%% CI | significant | CPU/wall | "
               "jobs kept local | instructions vs 1 thread | note |\n|---|---|---:|---:|---|---|---:|---:|---:|---|\n");
    int n = 0, up = 0, down = 0;
    for (int w = 0; w < R->nwl; w++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                bb_report_ratio q;
                if (R->th[t] < 2 || !strcmp(R->st[s], "serial") ||
                    !bb_report_threading(R, R->wl[w], R->st[s], R->th[t], p, &q))
                    continue;
                md_threading_row(f, R, R->wl[w], R->st[s], R->th[t], p, &q);
                n++, up += q.sig > 0, down += q.sig < 0;
            }
    fprintf(f, "\nSignificant: %d faster, %d slower, %d without a difference shown, of %d.\n\n", up, down, n - up - down, n);
}

/* ---- per workload ----------------------------------------------------------------------------------- */
static void md_times_row(FILE *f, const bb_bres *b)
{
    fprintf(f, "| %s%s | %s | %d | %d/%d | %d | ", b->strategy, b->error[0] ? " **WRONG**" : "", b->pin, b->threads,
            b->valid, b->rounds, b->iterations);
    num(f, b->t.median * b->iterations / 1e6, "%.1f");
    fprintf(f, " | ");
    num(f, b->t.median / 1e6, "%.3f");
    fprintf(f, " | [");
    num(f, b->ci_lo / 1e6, "%.3f");
    fprintf(f, ", ");
    num(f, b->ci_hi / 1e6, "%.3f");
    fprintf(f, "] | ");
    num(f, b->t.mad / 1e6, "%.3f");
    fprintf(f, " | ");
    num(f, b->speedup, "%.2fx");
    fprintf(f, " | [");
    num(f, b->sp_lo, "%.2f");
    fprintf(f, ", ");
    num(f, b->sp_hi, "%.2f");
    fprintf(f, "] | ");
    num(f, b->cpu_median / b->t.median, "%.2f");
    fprintf(f, " | ");
    num(f, b->steady.p50 / 1e3, "%.1f");
    fprintf(f, " / ");
    num(f, b->steady.p99 / 1e3, "%.1f");
    fprintf(f, " / ");
    num(f, b->steady.p999 / 1e3, "%.1f");
    fprintf(f, " / ");
    num(f, b->steady.max / 1e3, "%.1f");
    fprintf(f, " | %" PRIu64 "/%zu / %" PRIu64 "/%zu | ", b->cold.misses, b->cold.n, b->steady.misses, b->steady.n);
    if (b->window_blocks > 1)
        fprintf(f, "%" PRIu64 "/%" PRIu64 " (W=%" PRId64 ") |\n", b->window_misses, b->windows_timed, b->window_blocks);
    else fprintf(f, "- |\n");
}

static void md_counters_row(FILE *f, const bb_bres *b)
{
    const bb_stats *c = &b->counters;
    if (!b->valid) {
        fprintf(f, "| %s | %s | %d | no valid render |||||||||||||\n", b->strategy, b->pin, b->threads);
        return;
    }
    fprintf(f, "| %s | %s | %d | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ",
            b->strategy, b->pin, b->threads, c->blocks, c->cycles, c->preprocess_calls, c->synth_calls, c->requests,
            c->cache_hits, c->cache_misses);
    range_u64(f, b->allocs_lo, b->allocs_hi);
    fprintf(f, " | ");
    range_u64(f, b->allocs_steady_lo, b->allocs_steady_hi);
    fprintf(f, " | %" PRIu64 " (%" PRIu64 ") | %" PRIu64 " | %" PRIu64 " | %.1f | %s |\n", c->busbuf_allocs,
            c->busbuf_allocs_steady, c->pool_reuse, c->voices, (double)b->peak_heap / 1024.0,
            b->counters_stable ? "yes" : "**no**");
}

/* A row of w's table for each of its configurations that has a result: by pinning, strategy,
 * threads, in the report's order. */
static void md_rows(FILE *f, const bb_report *R, const char *w, void (*row)(FILE *f, const bb_bres *b))
{
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *b = bb_report_find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (b) row(f, b);
            }
}

/* The lanes (phase 3): how full they were, for the configurations of w that used them. */
static void md_lanes(FILE *f, const bb_report *R, const char *w)
{
    bool hdr = false;
    for (int p = 0; p < R->npin; p++)
        for (int s = 0; s < R->nst; s++)
            for (int t = 0; t < R->nth; t++) {
                const bb_bres *b = bb_report_find(R, w, R->st[s], R->th[t], R->pin[p]);
                if (!b || !b->valid || !(b->counters.lane_slots || b->counters.lane_fallbacks)) continue;
                const bb_stats *c = &b->counters;
                if (!hdr)
                    fprintf(f, "\nLanes (requests of one bus synthesised side by side, 8 to a SIMD vector): occupancy is "
                               "the lane-samples computed for a request over the lane-samples available; fallbacks are "
                               "requests synthesised one at a time (a bus the lane kernel cannot run, or alone of its bus in "
                               "its window).\n\n| strategy | pin | threads | lane groups | groups per window | occupancy | "
                               "fallbacks |\n|---|---|---:|---:|---:|---:|---:|\n");
                hdr = true;
                fprintf(f, "| %s | %s | %d | %" PRIu64 " | %.2f | %.1f%% | %" PRIu64 " |\n", b->strategy, b->pin, b->threads,
                        c->lane_groups, c->preprocess_calls ? (double)c->lane_groups / (double)c->preprocess_calls : 0.0,
                        c->lane_slots ? 100.0 * (double)c->lane_samples / (double)c->lane_slots : 0.0, c->lane_fallbacks);
            }
}

static void md_workload(FILE *f, const bb_report *R, const char *w)
{
    fprintf(f, "\n### %s\n\n", w);
    const bb_bres *any = NULL;
    for (size_t i = 0; i < R->r.n && !any; i++)
        if (!strcmp(R->r.v[i].workload, w)) any = &R->r.v[i];
    if (any)
        fprintf(f, "%" PRId64 " frames at %d Hz (%.3f s of audio), block %" PRId64 " samples: deadline %.1f us per block.\n\n",
                any->frames, any->sr, (double)any->frames / any->sr, any->block, any->deadline_ns / 1e3);
    fprintf(f, "| strategy | pin | threads | valid | renders per sample | sample ms | median ms per render | 95%% CI ms | "
               "MAD ms | speedup over serial at 1 thread | its 95%% CI | CPU/wall | steady p50 / p99 / p99.9 / max us | "
               "misses cold / steady | window misses |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|---|---|\n");
    md_rows(f, R, w, md_times_row);
    fprintf(f, "\nCounters of one render (deterministic ones are checked equal across renders: stable; heap "
               "allocations vary with the schedule when workers allocate, so their range is given):\n\n");
    fprintf(f, "| strategy | pin | threads | blocks | cycles | preprocess calls | synth calls | requests | cache hits | "
               "cache misses | allocs | allocs steady | bus buffers from heap (steady) | pool reuse | voices | peak heap KiB | stable |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    md_rows(f, R, w, md_counters_row);
    md_lanes(f, R, w);
}

/* ---- the bounds ----------------------------------------------------------------------------------- */
/* The sentence on (w, s) at its most threads: measured against its bounds, and why it may fall short. */
static void md_bound_words(FILE *f, const bb_report *R, const char *w, const char *s, const char *p)
{
    const bb_bres *base = bb_report_bound_base(R, w, s, p), *x = bb_report_at_max(R, w, s, p, true);
    if (x && x->threads < 2) x = bb_report_at_max(R, w, s, p, false); /* only oversubscribed counts above 1 */
    bb_report_ratio q;
    if (!base || !x || x->threads < 2 || !bb_report_threading(R, w, s, x->threads, p, &q)) return;
    double am = bb_stats_amdahl_bound(base->seq_ns, base->par_ns, x->threads);
    double pl = bb_stats_pipeline_bound(base->seq_ns, base->par_ns, x->threads), of = q.x / am;
    fprintf(f, "- %s at %d threads: %.2fx measured, Amdahl bound %.2fx, pipeline bound %.2fx: %.0f%% of Amdahl", s,
            x->threads, q.x, am, pl, 100 * of);
    if (bb_report_oversubscribed(R, x->threads))
        fprintf(f, " (oversubscribed: %d threads time-share %d PU%s, and the bounds assume a PU per thread: measure "
                   "scaling with at most %d thread%s).\n", x->threads, R->pus, R->pus == 1 ? "" : "s", R->pus,
                R->pus == 1 ? "" : "s");
    else if (of >= 0.9) fprintf(f, " (at its bound: more threads need a smaller sequential part, e.g. pipelining).\n");
    else if (of >= 0.6) fprintf(f, " (near its bound).\n");
    else fprintf(f, " (far from its bound: the parallel part itself does not scale: hand-offs, imbalance, a busy machine).\n");
}

/* The scaling bound of each strategy of w (first pinning): its 1-thread split, then at every thread
 * count above 1 its speedup over itself at 1 thread beside the bounds, and in words how far it is. */
static void md_bounds(FILE *f, const bb_report *R, const char *w)
{
    bool hdr = false;
    const char *p = R->pin[0];
    for (int s = 0; s < R->nst; s++) {
        if (!strcmp(R->st[s], "serial") || !bb_report_has_bound(R, w, R->st[s], p)) continue;
        const bb_bres *base = bb_report_bound_base(R, w, R->st[s], p);
        if (!hdr)
            fprintf(f, "\nScaling bound (pin %s): at 1 thread the render loop's sequential part (the stateful continuous "
                       "outputs, scheduling and retiring voices, the sink: the render thread alone) and its parallel part "
                       "(resolving requests, i.e. synthesis, and mixing), medians over the renders. Amdahl bound = "
                       "(seq + par) / (seq + par / threads); pipeline bound = (seq + par) / max(seq, (seq + par) / threads), "
                       "the sequential part overlapping the parallel work of later windows; both over the strategy's own "
                       "1-thread time, like the measured speedup beside them (table 2). The resolvers' bookkeeping counts as "
                       "parallel: the bounds are upper bounds, and they assume a PU per thread.\n\n"
                       "| strategy | seq ms | par ms | seq share | threads | measured | Amdahl bound | pipeline bound | "
                       "of Amdahl | of pipeline |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", p);
        hdr = true;
        for (int t = 0; t < R->nth; t++) {
            int n = R->th[t];
            bb_report_ratio q;
            if (n < 2 || !bb_report_threading(R, w, R->st[s], n, p, &q)) continue;
            double am = bb_stats_amdahl_bound(base->seq_ns, base->par_ns, n);
            double pl = bb_stats_pipeline_bound(base->seq_ns, base->par_ns, n);
            fprintf(f, "| %s | %.3f | %.3f | %.0f%% | %d%s | %.2fx | %.2fx | %.2fx | %.0f%% | %.0f%% |\n", R->st[s],
                    base->seq_ns / 1e6, base->par_ns / 1e6, 100 * base->seq_ns / (base->seq_ns + base->par_ns), n,
                    bb_report_oversubscribed(R, n) ? " (oversubscribed)" : "", q.x, am, pl, 100 * q.x / am, 100 * q.x / pl);
        }
    }
    if (!hdr) return;
    fprintf(f, "\n");
    for (int s = 0; s < R->nst; s++)
        if (strcmp(R->st[s], "serial") && bb_report_has_bound(R, w, R->st[s], p)) md_bound_words(f, R, w, R->st[s], p);
}

/* ---- the whole ------------------------------------------------------------------------------------- */
void bb_report_tables_fig(FILE *f, const char *name, const char *caption)
{
    fprintf(f, "%s\n\n![%s](%s.png)\n\n([SVG](%s.svg), data: `data/%s*.dat`, script: `data/%s.gp`)\n\n", caption, name,
            name, name, name, name);
}

void bb_report_tables_context(FILE *f, const json_t *ctx)
{
    fprintf(f, "| | |\n|---|---|\n");
    static const char *const keys[] = {"date", "host_name", "cpu_model", "num_cpus", "pus_allowed", "cores", "mhz_per_cpu",
                                       "cpu_scaling_enabled", "topology", "hwloc_version", "compiler", "cflags",
                                       "git_commit", "executable", "command", "golden", "reps", "warmup", "min_time_s",
                                       "min_sample_time_s", "rounds", "order", "batch", "block_override", "load_avg",
                                       "bootstrap", "peak_memory", "oversubscribed", "shard", "merged"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const json_t *v = json_object_get(ctx, keys[i]);
        if (!v) continue;
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) continue;
        for (char *p = s; *p; p++)
            if (*p == '|' || *p == '\n') *p = ' ';
        fprintf(f, "| %s | `%s` |\n", keys[i], s);
        free(s);
    }
    const char *pk;
    const json_t *pv;
    json_object_foreach((json_t *)json_object_get(ctx, "pinning"), pk, pv) {
        fprintf(f, "| pinning %s | all bindings %s; workers found off their planned PU: %" JSON_INTEGER_FORMAT " |\n", pk,
                json_is_true(json_object_get(pv, "all_bound")) ? "succeeded" : "**FAILED for some**",
                json_integer_value(json_object_get(pv, "ran_elsewhere")));
        const char *tk;
        const json_t *tv;
        json_object_foreach((json_t *)json_object_get(pv, "placements"), tk, tv)
            fprintf(f, "| %s, %s thread%s | %s |\n", pk, tk, strcmp(tk, "1") ? "s" : "", json_string_value(tv));
    }
}

/* The verification, the machine's business and the thread counts above its PUs. */
static void md_checks(FILE *f, const bb_report *R)
{
    int wrong = 0, voided = 0;
    int64_t checked = 0;
    for (size_t i = 0; i < R->r.n; i++) {
        wrong += R->r.v[i].error[0] != 0;
        voided += R->r.v[i].voided;
        checked += R->r.v[i].renders_checked + R->r.v[i].warmup_renders;
    }
    fprintf(f, "## Verification\n\n");
    if (!wrong) {
        fprintf(f, "Every timed and warm-up render of every configuration was compared with its golden WAV and matched "
                   "bit for bit");
        if (checked) fprintf(f, " (%" PRId64 " renders)", checked);
        fprintf(f, ".\n");
    } else {
        fprintf(f, "**%d configuration%s produced wrong or failed renders** (%d samples voided; their timings are not "
                   "used):\n\n", wrong, wrong == 1 ? "" : "s", voided);
        for (size_t i = 0; i < R->r.n; i++)
            if (R->r.v[i].error[0]) fprintf(f, "- `%s` (%d voided): %s\n", R->r.v[i].name, R->r.v[i].voided, R->r.v[i].error);
    }
    /* how much of a CPU did single-threaded renders get? Below 1, the process waited for a CPU */
    double cw[4 * BB_REPORT_MAXU];
    size_t ncw = 0;
    for (size_t i = 0; i < R->r.n && ncw < sizeof cw / sizeof cw[0]; i++)
        if (R->r.v[i].threads == 1 && isfinite(R->r.v[i].cpu_median) && R->r.v[i].t.median > 0)
            cw[ncw++] = R->r.v[i].cpu_median / R->r.v[i].t.median;
    double share = bb_stats_median(cw, ncw);
    if (isfinite(share) && share < 0.9)
        fprintf(f, "\n**The machine was busy**: single-thread renders got %.0f%% of a CPU (median CPU/wall time over the "
                   "1-thread configurations); the rest of the time they waited while something else ran. Intervals are wide "
                   "accordingly, and speedups from more threads are understated: bench an idle machine for numbers to keep.\n",
                share * 100);
}

/* The opening lines: the source, the shape, the samples, oversubscription. */
static void md_head(FILE *f, const bb_report *R)
{
    const char *date = json_string_value(json_object_get(R->r.context, "date"));
    fprintf(f, "# busbench report\n\nFrom `%s` (copied here as `results.json`)%s%s: %zu configurations (%d workload%s x %d "
               "strateg%s x %d thread count%s x %d pinning%s).\n\n", R->P.src, date ? ", benched " : "", date ? date : "",
            R->r.n, R->nwl, R->nwl == 1 ? "" : "s", R->nst, R->nst == 1 ? "y" : "ies", R->nth, R->nth == 1 ? "" : "s",
            R->npin, R->npin == 1 ? "" : "s");
    double lo = (double)INFINITY, hi = 0, slo = (double)INFINITY; /* medians per render, per sample */
    int ilo = 1 << 30, ihi = 0;
    for (size_t i = 0; i < R->r.n; i++) {
        const bb_bres *b = &R->r.v[i];
        if (!isfinite(b->t.median)) continue;
        lo = fmin(lo, b->t.median), hi = fmax(hi, b->t.median), slo = fmin(slo, b->t.median * b->iterations);
        ilo = b->iterations < ilo ? b->iterations : ilo, ihi = b->iterations > ihi ? b->iterations : ihi;
    }
    double mst = json_number_value(json_object_get(R->r.context, "min_sample_time_s"));
    if (hi > 0 && mst > 0)
        fprintf(f, "A render took %.3f to %.3f ms (medians); a timing sample renders a configuration %d to %d times back "
                   "to back (every render checked) so that it lasts at least %g s (`--min-sample-time`, as sized from "
                   "the warm-up): the shortest median sample took %.1f ms. Times are per render.\n\n", lo / 1e6,
                hi / 1e6, ilo, ihi, mst, slo / 1e6);
    else if (hi > 0)
        fprintf(f, "A render took %.3f to %.3f ms (medians), and each timing sample was one render (%s): the clock's "
                   "and the machine's jitter weigh on renders this short, and the intervals are wide accordingly.\n\n",
                lo / 1e6, hi / 1e6, json_object_get(R->r.context, "min_sample_time_s") ? "`--min-sample-time 0`"
                                                                                   : "a result from before timing samples");
    int over = 0;
    for (int t = 0; t < R->nth; t++) over += bb_report_oversubscribed(R, R->th[t]);
    if (over) {
        fprintf(f, "**Oversubscribed**: the bench could use %d processing unit%s, and ran", R->pus, R->pus == 1 ? "" : "s");
        for (int t = 0, k = 0; t < R->nth; t++)
            if (bb_report_oversubscribed(R, R->th[t])) fprintf(f, "%s %d", k++ ? "," : "", R->th[t]);
        fprintf(f, " threads: those threads time-share the PUs, so their speedups measure the sharing, not how the "
                   "strategy scales (they are marked below).\n\n");
    }
}

int bb_report_tables_md(bb_report *R)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    md_head(f, R);
    md_checks(f, R);
    fprintf(f, "\n## Which phase helps\n\n");
    for (int p = 0; p < R->npin; p++) md_phase_table(f, R, R->pin[p]);
    for (int p = 0; p < R->npin; p++) md_threading_table(f, R, R->pin[p]);
    for (int i = 0; i < R->nfigs; i++)
        if (R->figs[i].owner < 0) bb_report_tables_fig(f, R->figs[i].name, R->figs[i].caption);
    for (int i = 0; i < R->nskipped; i++) fprintf(f, "- not drawn: %s\n", R->skipped[i]);
    fprintf(f, "\n## Results per workload\n\n");
    fprintf(f, "Median wall time per render (bb_render_run alone; a sample's time over its renders) over the valid "
               "rounds, its bootstrap 95%% interval, the median absolute deviation; speedup over serial at 1 thread = "
               "median(serial, 1 thread) / median(this) over the rounds valid in both, with a paired bootstrap 95%% "
               "interval (pairs = the same round); CPU/wall = process CPU time over wall time (medians); block times are "
               "the processing time of each block as the sink sees it, pooled over the valid renders, cold = blocks "
               "before cycle 1, steady = the rest; a miss is a block over the deadline (block / sample rate); for "
               "batched strategies, whose latency is W blocks (K blocks a window, times 1 + the look-ahead L when "
               "pipelined), each group of W blocks is also checked against W deadlines.\n");
    for (int w = 0; w < R->nwl; w++) {
        md_workload(f, R, R->wl[w]);
        md_bounds(f, R, R->wl[w]);
        fprintf(f, "\n");
        for (int i = 0; i < R->nfigs; i++)
            if (R->figs[i].owner == w) bb_report_tables_fig(f, R->figs[i].name, R->figs[i].caption);
    }
    if (R->anchors) bb_anchors_md(f, R->anchors);
    if (R->ncapacity && bb_capacity_md(f, R->capacity, R->ncapacity, &R->P.err)) {
        fclose(f);
        free(buf);
        return -1;
    }
    fprintf(f, "\n## Environment\n\n");
    bb_report_tables_context(f, R->r.context);
    fprintf(f, "| gnuplot | `%s`, PNG terminal `%s` |\n", R->P.gp_version, R->P.term);
    fclose(f);
    int rc = bb_plot_commit(&R->P, "report.md", buf, n) ? -1 : 0;
    free(buf);
    return rc;
}
