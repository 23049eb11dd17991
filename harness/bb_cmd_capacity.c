/* bb_cmd_capacity.c - `busbench capacity FILE.ph`: the largest load a strategy
 * sustains in real time, the figure real-time audio people compare (polyphony at
 * full load).
 *
 * The load: the program's output triggers stacked k times (bb_render_opts.stack:
 * k copies of every trigger pattern, each copy its own trigger with its own
 * voices and its own --max-voices, summed in order). The copies play the same
 * events, so a strategy that dedupes bus requests by key (cycle, static, all)
 * synthesises each buffer once and pays k times for mixing, which is what such
 * an engine would do with k identical layers; serial synthesises every voice.
 *
 * The criterion, on the per-block times of bb_run's timed sink (the time between
 * consecutive blocks leaving the render loop, the sink's own work excluded: what
 * a real-time callback would see), over the steady part of the render (blocks
 * from cycle 1 on; all blocks when the render is shorter): blocks are grouped in
 * windows of W blocks, W = the render's latency in blocks, and a window's load is
 * its blocks' time over W deadlines (deadline = block / sr). W = 1 for a strategy
 * without batching; K for a batched one (--batch K, 8 by default), which produces
 * a whole window before its first block leaves, so it runs with K blocks of
 * output latency and keeps real time when each window's work fits in K
 * deadlines; (L + 1) K for a pipelined one (batch from 2 threads on), which
 * mixes up to L windows ahead of the one going out. Capacity is a real-time
 * figure, so its look-ahead is 1 unless --lookahead says otherwise (render and
 * bench default to BB_PLAN_LOOKAHEAD, a throughput setting); the criterion
 * is the same for both: the 99.9th percentile of the window loads at most 1 and
 * no window above 2. A run that has already failed (a window above 2, or more
 * windows above 1 than the percentile allows) is stopped early.
 *
 * The search: k = 1, then doubling while it passes (the last step capped at
 * --max-k, which is itself tried), then bisection between the
 * last pass and the first failure until they are 1 apart or within --tolerance
 * per cent. Each k is run --reps times (3) and passes when most runs pass (it
 * stops as soon as that is decided): one unlucky run on a shared machine does
 * not decide. A limit of the program (its graph's node count, or the nodes the
 * copies add beyond BB_PROG_STACK_NODES_MAX) ends the search as
 * a failure would, and the result says it was the limit.
 *
 * What it prints: one line per k tried, then k, the voices sounding at once at
 * k (the render's voices_peak, at block starts), and the load at k: DSP load =
 * render time / audio time (1.0 = the render thread saturated) and CPU = CPU time
 * of every thread / audio time (in cores), medians of k's passing runs. --out
 * writes the same as JSON, atomically. Exit 0 when measured, 2 for bad input or a
 * program that fails to render (one line, nothing written). */
#include "bb_capacity.h"
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_file.h"
#include "bb_json.h"
#include "bb_run.h"
#include "bb_stats.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { REPS_MAX = 15, STEPS_MAX = 64 };

typedef struct step {
    long k;
    bool pass, limit;
    int runs, passes;
    uint64_t voices_peak;
    double p999, max, dsp, cpu; /* medians over the runs (dsp, cpu: over the passing runs when any) */
} step;

typedef struct cap {
    bb_run_cfg cfg;
    size_t window;            /* blocks judged together */
    double deadline_ns;
    long reps, max_k;
    double tol;
    bool quiet;
    const char *out;          /* --out FILE.json, or NULL */
    step steps[STEPS_MAX];
    int nsteps;
    bb_capacity_watch watch; /* the early stop of the current run */
} cap;

bool bb_capacity_watch_feed(void *ctx, const double *block_ns, size_t nblocks)
{
    bb_capacity_watch *w = ctx;
    for (; w->seen < nblocks; w->seen++) {
        w->wsum += block_ns[w->seen];
        if (++w->in_win < w->window) continue;
        if (w->seen + 1 - w->window >= w->from) {
            double load = w->wsum / (w->deadline_ns * (double)w->window);
            w->misses += load > 1;
            if (load > 2 || (double)w->misses > 0.001 * (double)w->expect + 1) w->failed = true;
        }
        w->wsum = 0;
        w->in_win = 0;
    }
    return w->failed;
}

static double median_of(double *v, int n)
{
    if (n <= 0) return (double)NAN;
    bb_stats_sort(v, (size_t)n);
    return bb_stats_quantile_sorted(v, (size_t)n, 0.5);
}

/* Run k, C->reps times at most. BB_OK with the step filled, or the render's error. */
static bb_result run_k(cap *C, long k, step *st, bb_error *err)
{
    memset(st, 0, sizeof *st);
    st->k = k;
    double p999[REPS_MAX], mx[REPS_MAX], dsp[REPS_MAX], cpu[REPS_MAX], pdsp[REPS_MAX], pcpu[REPS_MAX];
    int np = 0;
    long need = C->reps / 2 + 1;
    for (long r = 0; r < C->reps && st->passes < need && st->runs - st->passes < need; r++) {
        bb_run_cfg c = C->cfg;
        c.stack = (int)k;
        /* every window judged, and failed at the second miss (from and expect 0) */
        C->watch = (bb_capacity_watch){.window = C->window, .deadline_ns = C->deadline_ns};
        c.stop = bb_capacity_watch_feed;
        c.stop_ctx = &C->watch;
        bb_run_out o;
        bb_result res = bb_run(&c, NULL, false, true, &o, err);
        if (res) {
            bb_run_out_free(&o);
            if (res == BB_ERR_LIMIT && k > 1) {
                st->limit = true;
                return BB_OK;
            }
            return res;
        }
        size_t from = o.steady_from_block > 0 && (size_t)o.steady_from_block < o.nblocks ? (size_t)o.steady_from_block : 0;
        bb_latency L;
        bool ok = false;
        /* judged by the render's own latency: a pipelined render whose window buffers would not fit
           looks ahead less than the plan says (bb_render_latency_blocks) */
        if (!C->watch.failed && bb_stats_windows(o.block_ns, o.nblocks, from, o.latency_blocks, C->deadline_ns, &L) == 0 &&
            L.n) {
            ok = L.p999 <= 1 && L.max <= 2;
            p999[st->runs] = L.p999;
            mx[st->runs] = L.max;
        } else {
            p999[st->runs] = mx[st->runs] = (double)NAN;
        }
        double audio_ns = (double)o.stats.frames / (double)c.sr * 1e9;
        dsp[st->runs] = audio_ns > 0 ? o.wall_ns / audio_ns : (double)NAN;
        cpu[st->runs] = audio_ns > 0 ? o.cpu_ns / audio_ns : (double)NAN;
        if (ok) {
            pdsp[np] = dsp[st->runs];
            pcpu[np++] = cpu[st->runs];
        }
        if (o.stats.voices_peak > st->voices_peak) st->voices_peak = o.stats.voices_peak;
        st->passes += ok;
        st->runs++;
        bb_run_out_free(&o);
    }
    st->pass = st->passes >= need;
    int nv = 0;
    for (int i = 0; i < st->runs; i++)
        if (!isnan(p999[i])) {
            p999[nv] = p999[i];
            mx[nv++] = mx[i];
        }
    st->p999 = median_of(p999, nv);
    st->max = median_of(mx, nv);
    st->dsp = np ? median_of(pdsp, np) : median_of(dsp, st->runs);
    st->cpu = np ? median_of(pcpu, np) : median_of(cpu, st->runs);
    return BB_OK;
}

static void print_step(const cap *C, const step *s)
{
    if (C->quiet) return;
    if (s->limit) {
        printf("k %6ld  a limit of the program (its graph, or BB_PROG_STACK_NODES_MAX): the search stops here\n", s->k);
        return;
    }
    printf("k %6ld  voices %7llu  p99.9 %6.2f  max %6.2f  DSP %5.2f  CPU %5.2f cores  %s (%d of %d runs; nan: stopped early)\n", s->k,
           (unsigned long long)s->voices_peak, s->p999, s->max, s->dsp, s->cpu, s->pass ? "pass" : "FAIL", s->passes,
           s->runs);
    fflush(stdout);
}

/* Run k and move the bracket: lo (passes, *best its step) or hi (fails). 0, or -1 on error. */
static int try_k(cap *C, long k, long *lo, long *hi, const step **best, bb_error *err)
{
    step *s = &C->steps[C->nsteps];
    if (run_k(C, k, s, err)) return -1;
    C->nsteps++;
    print_step(C, s);
    if (s->pass) {
        *lo = k;
        *best = s;
    } else {
        *hi = k;
    }
    return 0;
}

long bb_capacity_bisect(long lo, long hi, double tol)
{
    return lo > 0 && hi - lo > 1 && (double)(hi - lo) > (double)lo * tol / 100 ? lo + (hi - lo) / 2 : 0;
}

/* k, or -1 on error (err set). *best: the step of the result (NULL when k = 1 fails). */
static long search(cap *C, const step **best, const char **bound, bb_error *err)
{
    long lo = 0, hi = -1;
    *best = NULL;
    *bound = "the deadline";
    for (long k = 1; hi < 0; k *= 2) {
        if (lo == C->max_k) {
            *bound = "--max-k";
            return lo;
        }
        if (k > C->max_k) k = C->max_k; /* --max-k itself is tried: the search never stops short of it */
        if (try_k(C, k, &lo, &hi, best, err)) return -1;
        if (hi >= 0 && C->steps[C->nsteps - 1].limit) *bound = "a limit of the program";
        if (C->nsteps >= STEPS_MAX) return lo;
    }
    for (long k; (k = bb_capacity_bisect(lo, hi, C->tol)) && C->nsteps < STEPS_MAX;)
        if (try_k(C, k, &lo, &hi, best, err)) return -1;
    return lo;
}

static const char criterion_text[] =
    "blocks grouped in windows of W blocks, W = the strategy's latency in blocks (1 without batching, K "
    "for a batched strategy, which produces a window before the window's first block leaves, (L + 1) K "
    "for a pipelined one, which mixes up to L windows ahead of the one going out); a window's load "
    "is its blocks' processing time over W deadlines (deadline = block / sr); steady state (blocks from "
    "cycle 1 on); a k passes when, in most of its runs, the 99.9th percentile of the window loads is at "
    "most 1 and no window is above 2";

static json_t *result_json(const cap *C, long k, const step *best, const char *bound, int threads)
{
    json_t *d = json_object();
    json_object_set_new(d, "busbench_capacity", json_integer(1));
    json_object_set_new(d, "program", json_string(C->cfg.program));
    json_object_set_new(d, "strategy", json_string(C->cfg.strategy));
    json_object_set_new(d, "threads", json_integer(threads));
    json_object_set_new(d, "pin", json_string(bb_pin_name(C->cfg.pin)));
    json_object_set_new(d, "block", json_integer((json_int_t)C->cfg.block));
    json_object_set_new(d, "window_blocks", json_integer((json_int_t)C->window));
    json_object_set_new(d, "sr", json_integer(C->cfg.sr));
    char cyc[64];
    if (C->cfg.seconds > 0) snprintf(cyc, sizeof cyc, "%gs", C->cfg.seconds);
    else bb_rat_fmt(C->cfg.cycles, cyc, sizeof cyc);
    json_object_set_new(d, "length", json_string(cyc));
    json_object_set_new(d, "reps", json_integer(C->reps));
    json_object_set_new(d, "deadline_ms", json_real(C->deadline_ns / 1e6));
    json_object_set_new(d, "criterion", json_string(criterion_text));
    json_object_set_new(d, "k", json_integer(k));
    json_object_set_new(d, "bounded_by", json_string(bound));
    json_object_set_new(d, "voices_at_once", json_integer(best ? (json_int_t)best->voices_peak : 0));
    json_object_set_new(d, "dsp_load", best ? json_real(best->dsp) : json_null());
    json_object_set_new(d, "cpu_cores", best ? json_real(best->cpu) : json_null());
    json_t *steps = json_array();
    for (int i = 0; i < C->nsteps; i++) {
        const step *s = &C->steps[i];
        json_t *e = json_object();
        json_object_set_new(e, "k", json_integer(s->k));
        json_object_set_new(e, "pass", json_boolean(s->pass));
        json_object_set_new(e, "limit", json_boolean(s->limit));
        json_object_set_new(e, "runs", json_integer(s->runs));
        json_object_set_new(e, "passes", json_integer(s->passes));
        json_object_set_new(e, "voices_peak", json_integer((json_int_t)s->voices_peak));
        json_object_set_new(e, "p999_load", isnan(s->p999) ? json_null() : json_real(s->p999));
        json_object_set_new(e, "max_load", isnan(s->max) ? json_null() : json_real(s->max));
        json_object_set_new(e, "dsp_load", isnan(s->dsp) ? json_null() : json_real(s->dsp));
        json_object_set_new(e, "cpu_cores", isnan(s->cpu) ? json_null() : json_real(s->cpu));
        json_array_append_new(steps, e);
    }
    json_object_set_new(d, "steps", steps);
    json_t *ctx = bb_env_context(); /* the machine, as bench's results say it */
    json_object_set_new(d, "context", ctx);
    return d;
}

#define CAP(m) offsetof(cap, m)
static const bb_opt opts[] = {
    {"--reps", BB_OPT_LONG, CAP(reps), 1, REPS_MAX, "N", "runs per k, a k passes when most pass (default 3, at most 15)",
     "a number of runs from 1 to 15", NULL},
    {"--max-k", BB_OPT_LONG, CAP(max_k), 1, 1L << 20, "N", "stop the search there: N is tried and reported when it passes (default 65536)", "a k from 1 to 1048576", NULL},
    {"--tolerance", BB_OPT_REAL, CAP(tol), 0, 100, "PCT", "stop the bisection when the bracket is within PCT% of k (default 5; 0: exact)",
     "0 to 100 per cent", NULL},
    {"--out", BB_OPT_STR, CAP(out), 0, 0, "FILE.json", "write the result (atomically)", "an output path", NULL},
    {"--quiet", BB_OPT_FLAG, CAP(quiet), 0, 0, NULL, "print the result only, not each k tried", NULL, NULL},
    BB_OPT_END,
};
#undef CAP

int bb_cmd_capacity(int argc, char **argv)
{
    static cap C;
    memset(&C, 0, sizeof C);
    bb_run_cfg_default(&C.cfg);
    C.cfg.strategy = "all";
    C.cfg.cycles = bb_rat_int(4);
    C.cfg.lookahead = 1; /* real time: the least latency a pipelined batch has */
    C.reps = 3;
    C.max_k = 65536; /* above what q reaches (5376 at 1 thread here): the deadline or the stack limit bounds it */
    C.tol = 5;
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64], about[1024];
    snprintf(about, sizeof about,
             "The largest k such that the program with every trigger pattern of its output stacked k times\n"
             "(k copies, each its own voices) renders in real time: k = 1, then doubling, then bisection.\n"
             "Criterion: %s.\n"
             "Every render option applies; defaults here: --strategy all, --cycles 4, --lookahead 1.",
             criterion_text);
    const bb_opt_cmd spec = {"capacity", "FILE.ph [options]", about, "0 measured, 2 bad input"};
    const bb_opt_group groups[] = {{NULL, opts, &C}, {"render options", bb_run_options, &C.cfg}};
    const char *pos[1];
    int npos;
    int rc = bb_opt_parse(&spec, groups, 2, argc, argv, pos, 1, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    if (!npos) {
        fprintf(stderr, "busbench capacity: expected a program (FILE.ph)\n");
        bb_opt_usage(&spec, groups, 2, stderr);
        return BB_EXIT_USAGE;
    }
    C.cfg.program = pos[0];
    const char *outp = C.out;
    if (outp && bb_file_check_writable(outp, &err)) {
        fprintf(stderr, "busbench capacity: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    int threads = C.cfg.threads > 0 ? C.cfg.threads : bb_workers_cores();
    C.cfg.threads = threads;
    bb_plan plan;
    if (bb_plan_parse(C.cfg.strategy, threads, C.cfg.batch, C.cfg.pin, &plan, &err)) {
        fprintf(stderr, "busbench capacity: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    plan.lookahead = C.cfg.lookahead;
    C.window = (plan.batch ? plan.batch : 1) * (1 + bb_plan_lookahead(&plan));
    C.deadline_ns = (double)C.cfg.block / (double)C.cfg.sr * 1e9;
    if (!C.quiet)
        printf("capacity of %s under %s, %d thread%s, pin %s, block %zu (deadline %.2f ms), windows of %zu block%s%s\n",
               C.cfg.program, C.cfg.strategy, threads, threads == 1 ? "" : "s", bb_pin_name(C.cfg.pin), C.cfg.block,
               C.deadline_ns / 1e6, C.window, C.window == 1 ? "" : "s",
               C.window > 1 ? " (the strategy's latency: judged per window against as many deadlines)" : "");
    const step *best;
    const char *bound;
    long k = search(&C, &best, &bound, &err);
    if (k < 0) {
        fprintf(stderr, "busbench capacity: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    if (best)
        printf("capacity: k = %ld (%ld cop%s of every trigger pattern; bounded by %s): %llu voices at once; at k: "
               "DSP load %.2f (render time / audio time), CPU %.2f cores (CPU time / audio time)\n",
               k, k, k == 1 ? "y" : "ies", bound, (unsigned long long)best->voices_peak, best->dsp, best->cpu);
    else
        printf("capacity: k = 0: the program as written misses the criterion (%s, %d thread%s)\n", C.cfg.strategy,
               threads, threads == 1 ? "" : "s");
    if (outp) {
        json_t *d = result_json(&C, k, best, bound, threads);
        bb_result r = d ? bb_json_commit_doc(d, outp, &err) : BB_ERR_NOMEM;
        json_decref(d);
        if (r) {
            fprintf(stderr, "busbench capacity: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
    }
    return BB_EXIT_OK;
}

/* ---- the report's table ------------------------------------------------------------------------- */

typedef struct caprow {
    char program[256], strategy[128], loadavg[128];
    long threads, block, window, k;
    long long voices;
    double dsp, cpu;
    char bound[64];
} caprow;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static bb_result read_row(const char *path, caprow *r, bb_error *err)
{
    json_t *d = bb_json_load(path, err);
    if (!d) return err ? err->code : BB_ERR_IO;
    json_t *k = json_object_get(d, "k"), *prog = json_object_get(d, "program"), *st = json_object_get(d, "strategy"),
           *th = json_object_get(d, "threads");
    if (json_integer_value(json_object_get(d, "busbench_capacity")) != 1 || !json_is_integer(k) || !json_is_string(prog) ||
        !json_is_string(st) || !json_is_integer(th)) {
        json_decref(d);
        return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "not a busbench capacity result (busbench capacity --out)");
    }
    memset(r, 0, sizeof *r);
    snprintf(r->program, sizeof r->program, "%s", base_name(json_string_value(prog)));
    snprintf(r->strategy, sizeof r->strategy, "%s", json_string_value(st));
    const char *b = json_string_value(json_object_get(d, "bounded_by"));
    snprintf(r->bound, sizeof r->bound, "%s", b ? b : "?");
    const json_t *ctx = json_object_get(d, "context"), *lav = json_object_get(ctx, "load_avg");
    const char *la = json_string_value(json_object_get(ctx, "loadavg")); /* before bb_env: a string */
    if (json_array_size(lav) == 3)
        snprintf(r->loadavg, sizeof r->loadavg, "%.2f %.2f %.2f", json_number_value(json_array_get(lav, 0)),
                 json_number_value(json_array_get(lav, 1)), json_number_value(json_array_get(lav, 2)));
    else snprintf(r->loadavg, sizeof r->loadavg, "%.14s", la ? la : "?");
    r->threads = (long)json_integer_value(th);
    r->k = (long)json_integer_value(k);
    r->block = (long)json_integer_value(json_object_get(d, "block"));
    r->window = (long)json_integer_value(json_object_get(d, "window_blocks"));
    r->voices = (long long)json_integer_value(json_object_get(d, "voices_at_once"));
    json_t *x = json_object_get(d, "dsp_load");
    r->dsp = json_is_number(x) ? json_number_value(x) : (double)NAN;
    x = json_object_get(d, "cpu_cores");
    r->cpu = json_is_number(x) ? json_number_value(x) : (double)NAN;
    json_decref(d);
    return BB_OK;
}

bb_result bb_capacity_md(FILE *f, const char *const *paths, int n, bb_error *err)
{
    static caprow rows[BB_CAPACITY_FILES_MAX];
    if (n > BB_CAPACITY_FILES_MAX) n = BB_CAPACITY_FILES_MAX;
    for (int i = 0; i < n; i++) {
        bb_result r = read_row(paths[i], &rows[i], err);
        if (r) return r;
    }
    fprintf(f, "\n## Capacity\n\n"
               "`busbench capacity`: the largest k such that the program with every trigger pattern of its output "
               "stacked k times renders in real time (%s). Voices: sounding at once at k. DSP load: render time / audio "
               "time at k; CPU: CPU time of every thread / audio time, in cores. x 1 thread: k over the 1-thread k of "
               "the same program, strategy and block.\n\n",
               criterion_text);
    fprintf(f, "| program | strategy | threads | block | window | k | voices at once | DSP load | CPU (cores) | x 1 thread | "
               "bounded by | load average |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (int i = 0; i < n; i++) {
        const caprow *r = &rows[i];
        char ratio[32] = "-";
        for (int j = 0; j < n; j++)
            if (rows[j].threads == 1 && rows[j].k > 0 && !strcmp(rows[j].program, r->program) &&
                !strcmp(rows[j].strategy, r->strategy) && rows[j].block == r->block)
                snprintf(ratio, sizeof ratio, "%.2f", (double)r->k / (double)rows[j].k);
        fprintf(f, "| %s | %s | %ld | %ld | %ld | %ld | %lld | %.2f | %.2f | %s | %s | %s |\n", r->program, r->strategy,
                r->threads, r->block, r->window, r->k, r->voices, r->dsp, r->cpu, ratio, r->bound, r->loadavg);
    }
    return BB_OK;
}
