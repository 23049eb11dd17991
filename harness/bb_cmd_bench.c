/* bb_cmd_bench.c - `busbench bench`: the command line (its option table), the progress bar and the
 * output (the context, the table on stdout, the JSON and CSV files, the instruction child of
 * --metric both). The measuring itself is bb_bench.c, whose essay says how and why; the matrix is
 * bb_bench_matrix.c, the statistics of the results bb_bench_results.c.
 *
 * How the command reads, top down: bb_cmd_bench = opts_parse, opts_metric, opts_lists (the
 * options), bb_bench_matrix_build, bb_bench_rounds (with progress_show), output (the statistics,
 * the context, the table, the files).
 *
 * Units: ns inside; the JSON says ms for real_time/cpu_time, the table on stdout ms for renders
 * and us for blocks. */
#include "bb_bench_matrix.h"
#include "bb_bench_results.h"

#include "bb_callgrind.h"
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_file.h"
#include "bb_opt.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the context ------------------------------------------------------------------------------ */
static json_t *context(int argc, char **argv, bool shuffled, const bb_bench_config *cs, int nc, const char *golden, int reps, int warmup, double min_time, int rounds,
                       size_t block_override, size_t batch)
{
    json_t *ctx = bb_env_context();
    if (golden) json_object_set_new(ctx, "golden", json_string(golden));
    else json_object_set_new(ctx, "reference", json_string("programs given on the command line, each against its "
                                                           "serial render (1 thread, block 512) made in this run"));
    char cmd[2048];
    json_object_set_new(ctx, "command", json_string(bb_env_command(argc, argv, cmd, sizeof cmd)));
    json_object_set_new(ctx, "reps", json_integer(reps));
    json_object_set_new(ctx, "warmup", json_integer(warmup));
    json_object_set_new(ctx, "min_time_s", json_real(min_time));
    json_object_set_new(ctx, "rounds", json_integer(rounds));
    json_object_set_new(ctx, "order", json_string(shuffled ? "shuffled per round (seeded)" : "fixed"));
    json_object_set_new(ctx, "block_override", json_integer((json_int_t)block_override));
    json_object_set_new(ctx, "batch", json_integer((json_int_t)batch));
    json_object_set_new(ctx, "bootstrap", json_string("percentile, 2000 resamples, 95%, xoshiro256** seeded per configuration"));
    json_object_set_new(ctx, "peak_memory", json_string("peak_heap_bytes: the core's heap high-water mark from load to "
                                                        "close of one render (max over rounds); maxrss_kib: process-wide"));
    json_object_set_new(ctx, "pinning", bb_bench_results_pinning(cs, nc));
    return ctx;
}

/* The thread counts above the processing units this process may run on (pus), as a context
 * object {pus_allowed, threads: [...], note}; NULL when none is. */
static json_t *oversubscribed(const bb_bench_opts *o, int pus)
{
    json_t *ts = NULL;
    for (int i = 0; i < o->nthreads; i++)
        if (o->threads[i] > pus) {
            if (!ts) ts = json_array();
            json_array_append_new(ts, json_integer(o->threads[i]));
        }
    if (!ts) return NULL;
    json_t *x = json_object();
    json_object_set_new(x, "pus_allowed", json_integer(pus));
    json_object_set_new(x, "threads", ts);
    json_object_set_new(x, "note", json_string("more threads than processing units: the threads time-share them, so "
                                               "these speedups measure the sharing, not the strategy's scaling"));
    return x;
}

/* Say on the terminal which thread counts are oversubscribed (even with --quiet: it changes what
 * the numbers mean). */
static void warn_oversubscribed(const bb_bench_opts *o, int pus)
{
    for (int i = 0; i < o->nthreads; i++)
        if (o->threads[i] > pus)
            fprintf(stderr, "bench: warning: %d threads is more than the %d processing unit%s this process may run on: "
                            "oversubscribed (the threads time-share the PUs; their speedups measure that)\n",
                    o->threads[i], pus, pus == 1 ? "" : "s");
}

/* ---- progress ---------------------------------------------------------------------------------- */
typedef struct progress {
    bb_bench_progress base;   /* first: the engine's counts (done, total) and this bar's show */
    double t0;
    int nconfigs;
} progress;

static void progress_show(bb_bench_progress *b, int round, int rounds, int which, bool warm)
{
    progress *p = (progress *)b;
    double el = (bb_now_ns() - p->t0) / 1e9;
    double left = p->base.done ? el / (double)p->base.done * (double)(p->base.total - p->base.done) : 0;
    if (left < 0) left = 0;
    int width = 30, fill = p->base.total ? (int)((double)width * (double)p->base.done / (double)p->base.total) : 0;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\rbench [%s] %s %d/%d, configuration %d/%d, %ld/%ld samples, about %d:%02d left ", bar,
            warm ? "warm-up" : "round", round, rounds, which, p->nconfigs, p->base.done, p->base.total, (int)left / 60,
            (int)left % 60);
    fflush(stderr);
}

static void progress_end(const progress *p)
{
    if (p->base.show) fprintf(stderr, "\r%*s\r", 120, "");
}

/* ---- lists ---------------------------------------------------------------------------------------- */
/* "1,2,4", "1-8", "1..8" (mixed). Returns the count or -1. */
static int parse_threads(const char *s, int *out, int max)
{
    int n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strstr(t, "..");
        size_t skip = 2;
        if (!dash) {
            dash = strchr(t, '-');
            skip = 1;
        }
        long a, b;
        if (dash) {
            *dash = '\0';
            if (bb_run_parse_long(t, 1, BB_WORKERS_MAX, &a) || bb_run_parse_long(dash + skip, 1, BB_WORKERS_MAX, &b) || b < a) return -1;
        } else {
            if (bb_run_parse_long(t, 1, BB_WORKERS_MAX, &a)) return -1;
            b = a;
        }
        for (long v = a; v <= b; v++) {
            if (n >= max) return -1;
            out[n++] = (int)v;
        }
    }
    return n;
}


/* ---- the options ---------------------------------------------------------------------------------------- */
/* What the command line asks for, once parsed and checked. */



/* list = item { "," item }, copied into the option's buffer (split later) */
static bb_result opt_list(char *buf, size_t cap, const char *name, const char *v, bb_error *err)
{
    if ((size_t)snprintf(buf, cap, "%s", v) < cap) return BB_OK;
    return bb_error_set(err, BB_ERR_LIMIT, name, 0, 0, "list longer than %zu characters", cap - 1);
}
static bb_result opt_workloads(void *b, const char *v, bb_error *e) { return opt_list(((bb_bench_opts *)b)->wl_buf, sizeof ((bb_bench_opts *)b)->wl_buf, "--workloads", v, e); }
static bb_result opt_strategies(void *b, const char *v, bb_error *e) { return opt_list(((bb_bench_opts *)b)->st_buf, sizeof ((bb_bench_opts *)b)->st_buf, "--strategies", v, e); }
static bb_result opt_pins(void *b, const char *v, bb_error *e) { return opt_list(((bb_bench_opts *)b)->pin_buf, sizeof ((bb_bench_opts *)b)->pin_buf, "--pins", v, e); }

/* metric = "time" | "instructions" | "both" */
static bb_result opt_metric(void *base, const char *v, bb_error *err)
{
    bb_bench_opts *o = base;
    if (!strcmp(v, "time")) o->metric = BB_BENCH_METRIC_TIME;
    else if (!strcmp(v, "instructions")) o->metric = BB_BENCH_METRIC_INSTR;
    else if (!strcmp(v, "both")) o->metric = BB_BENCH_METRIC_BOTH;
    else return bb_error_set(err, BB_ERR_ARG, "--metric", 0, 0, "bad value '%s': expected time, instructions or both", v);
    return BB_OK;
}

/* order = "shuffled" | "fixed" */
static bb_result opt_order(void *base, const char *v, bb_error *err)
{
    bb_bench_opts *o = base;
    if (strcmp(v, "shuffled") && strcmp(v, "fixed"))
        return bb_error_set(err, BB_ERR_ARG, "--order", 0, 0, "bad value '%s': expected shuffled or fixed", v);
    o->shuffled = !strcmp(v, "shuffled");
    return BB_OK;
}

static bb_result opt_shard(void *base, const char *v, bb_error *err)
{
    return bb_shard_parse(v, &((bb_bench_opts *)base)->shard, err);
}

#define BO(m) offsetof(bb_bench_opts, m)
static const bb_opt opts[] = {
    {"--golden", BB_OPT_STR, BO(golden), 0, 0, "DIR",
     "golden corpus with manifest.tsv (default: ./golden when it exists,\nelse the installed corpus; which one is said above)",
     "a folder", NULL},
    {"--workloads", BB_OPT_FN, 0, 0, 0, "LIST", "comma-separated workload names (default: the manifest's, or\nevery program given)",
     NULL, opt_workloads},
    {"--strategies", BB_OPT_FN, 0, 0, 0, "LIST",
     "comma-separated; compose with '+' (cycle+pool)\n(default: every strategy but the canaries: busbench strategies)", NULL,
     opt_strategies},
    {"--threads", BB_OPT_STR, BO(threads_arg), 0, 0, "LIST", "e.g. 1,2,4 or 1-8 (default 1-<cores>)", "a list of thread counts", NULL},
    {"--pins", BB_OPT_FN, 0, 0, 0, "LIST", "compact, scatter, none (default compact)", NULL, opt_pins},
    {"--reps", BB_OPT_LONG, BO(reps), 1, 100000, "N", "timed rounds, at least (default 10)", NULL, NULL},
    {"--warmup", BB_OPT_LONG, BO(warmup), 0, 1000, "N", "untimed (still checked) rounds first (default 1)", NULL, NULL},
    {"--min-time", BB_OPT_REAL, BO(min_time), 0, 86400, "S", "go on with rounds until every configuration has S s of valid timings",
     NULL, NULL},
    {"--max-rounds", BB_OPT_LONG, BO(max_rounds), 1, 1000000, "N", "... but stop after N rounds (default 1000)", NULL, NULL},
    {"--min-sample-time", BB_OPT_REAL, BO(min_sample_time), 0, 60, "S",
     "a timing sample renders the workload again and again (each render\n"
     "checked) until it lasts S s, as sized from the warm-up (default 0.05;\n"
     "0: one render a sample); times are per render", NULL, NULL},
    {"--block", BB_OPT_LONG, BO(block), 1, BB_RENDER_BLOCK_MAX, "N", "samples per block for every workload (default: the manifest's)",
     "a block size from 1 to 65536 samples", NULL},
    {"--batch", BB_OPT_LONG, BO(batch), 1, 1024, "K", "blocks per window for batch and all (default: the strategy's)",
     "a number of blocks from 1 to 1024", NULL},
    {"--order", BB_OPT_FN, 0, 0, 0, "ORDER",
     "shuffled (default: every round in its own order, drawn from --seed)\nor fixed (A B C A B C ...)", NULL, opt_order},
    {"--seed", BB_OPT_LONG, BO(seed), 0, (double)LONG_MAX, "N", "seed of the bootstrap and of the shuffled order (default 1)", NULL, NULL},
    {"--out", BB_OPT_STR, BO(out_json), 0, 0, "FILE.json", "Google Benchmark JSON (default: none)", "an output path", NULL},
    {"--csv", BB_OPT_STR, BO(out_csv), 0, 0, "FILE.csv", "one row per configuration (default: none)", "an output path", NULL},
    {"--shard", BB_OPT_FN, 0, 0, 0, "I/N",
     "run the I-th of N slices of the matrix (groups workload x pinning, each\n"
     "in exactly one slice, balanced by expected cost); slurm/N takes I from\n"
     "SLURM_ARRAY_TASK_ID; put the slices together with busbench merge", NULL, opt_shard},
    {"--shard-costs", BB_OPT_STR, BO(shard_costs), 0, 0, "FILE",
     "expected costs from a previous result (its median times per group)\ninstead of the golden's frames: better balance", "a file",
     NULL},
    {"--metric", BB_OPT_FN, 0, 0, 0, "M",
     "time (default); instructions: count each render's instructions under\n"
     "valgrind's callgrind (deterministic at 1 thread; ~50x slower; default\n"
     "1 warm-up, 1 round; times are not recorded as speed); both: time as\n"
     "usual, then the counts in a callgrind child, in one file", NULL, opt_metric},
    {"--quiet", BB_OPT_FLAG, BO(quiet), 0, 0, NULL, "no table on stdout, no progress bar", NULL, NULL},
    /* test-only: a known extra cost per render, in per cent (the gate must catch it); not in the usage */
    {"--extra-work", BB_OPT_REAL, BO(extra_pct), 0, 1000, "PCT", NULL, NULL, NULL},
    BB_OPT_END,
};
#undef BO

/* The paragraph of the usage: what bench does, and which corpus it reads here without --golden. */
static const char *about(char *buf, size_t cap)
{
    char def[2 * PATH_MAX];
    snprintf(buf, cap,
             "Render every configuration workload x strategy x threads x pinning, warm-up first,\n"
             "then in interleaved rounds; check every render against its reference bit for bit;\n"
             "write Google Benchmark JSON (and CSV) with medians, bootstrap intervals, speedups over\n"
             "serial at 1 thread, per-block latency against the real-time deadline, counters, memory\n"
             "and placement. Without FILE.ph, the workloads of a golden corpus, each against its\n"
             "golden WAV; with FILE.ph..., each program (named after its file) against its serial\n"
             "render made once in this run, with the workload options below.\n%s",
             bb_workload_default_text(def, sizeof def));
    return buf;
}

static const char *const bench_exits =
    "0 every render right, 1 a render was wrong or failed (its timing is void), 2 bad input";

/* The command line into o. BB_BENCH_GO_ON, or an exit code (--help, a bad option). */
static int opts_parse(int argc, char **argv, bb_bench_opts *o)
{
    memset(o, 0, sizeof *o);
    /* every strategy of the registry that is not a canary (busbench strategies) */
    for (size_t i = 0, n = 0; bb_variants[i]; i++)
        if (!bb_variants[i]->canary)
            n += (size_t)snprintf(o->st_buf + n, sizeof o->st_buf - n, "%s%s", n ? "," : "", bb_variants[i]->name);
    snprintf(o->pin_buf, sizeof o->pin_buf, "compact");
    o->reps = o->warmup = -1; /* not given: 10 and 1 (1 and 1 when counting instructions) */
    o->max_rounds = 1000, o->seed = 1;
    o->min_sample_time = BB_BENCH_MIN_SAMPLE_S;
    o->shuffled = true;
    o->metric = BB_BENCH_METRIC_TIME;
    bb_run_cfg_default(&o->wopts);
    static const char *const own[] = {"--batch", NULL}; /* bench's --batch is every workload's */
    bb_opt wtable[BB_WORKLOAD_OPTIONS_MAX];
    char text[3 * PATH_MAX];
    const bb_opt_cmd spec = {"bench", "[FILE.ph...] [options]", about(text, sizeof text), bench_exits};
    const bb_opt_group groups[] = {
        {NULL, opts, o}, {"workload options (with FILE.ph)", bb_workload_options(wtable, BB_WORKLOAD_OPTIONS_MAX, own), &o->wopts}};
    int rc = bb_opt_parse(&spec, groups, 2, argc, argv, o->programs, BB_WORKLOAD_PROGRAMS_MAX, &o->nprograms);
    if (rc != BB_OPT_GO_ON) return rc;
    const bb_workload_src src = {.golden = o->golden, .nprograms = o->nprograms, .opts = &o->wopts};
    bb_error err;
    bb_error_clear(&err);
    if (bb_workload_check_src(&src, &err)) {
        bb_golden_print_err(stderr, "bench", &err);
        return BB_EXIT_USAGE;
    }
    o->reps_given = o->reps >= 0, o->warmup_given = o->warmup >= 0;
    if (!o->reps_given) o->reps = 10;
    if (!o->warmup_given) o->warmup = 1;
    if (o->max_rounds < o->reps) o->max_rounds = o->reps;
    return BB_BENCH_GO_ON;
}

/* --metric instructions|both: this process runs itself under callgrind, unless it is that child
 * (then it counts, 1 warm-up and 1 round unless told otherwise). BB_BENCH_GO_ON or an exit code. */
static int opts_metric(bb_bench_opts *o, char **argv)
{
    if (o->metric == BB_BENCH_METRIC_TIME) return BB_BENCH_GO_ON;
    if (!bb_callgrind_built()) {
        fprintf(stderr, "busbench bench: --metric %s needs <valgrind/callgrind.h> at build time (the valgrind "
                        "package); rebuild with it installed\n", o->metric == BB_BENCH_METRIC_BOTH ? "both" : "instructions");
        return BB_EXIT_USAGE;
    }
    o->counting = bb_callgrind_child();
    if (!o->counting && o->metric == BB_BENCH_METRIC_INSTR) {
        char dir[PATH_MAX];
        if (bb_callgrind_dir_make(dir, sizeof dir)) {
            fprintf(stderr, "busbench bench: cannot make a temporary folder: %s\n", strerror(errno));
            return BB_EXIT_USAGE;
        }
        int rc = bb_callgrind_run(dir, argv);
        bb_callgrind_dir_remove(dir);
        return rc;
    }
    if (o->counting) {
        o->metric = BB_BENCH_METRIC_INSTR;
        if (!o->reps_given) o->reps = 1;
        if (!o->warmup_given) o->warmup = 1;
        if (o->max_rounds < o->reps) o->max_rounds = o->reps;
    }
    return BB_BENCH_GO_ON;
}

/* The lists: threads, pinnings, strategies (each strategy checked by bb_plan_parse). BB_BENCH_GO_ON or 2. */
static int opts_lists(bb_bench_opts *o)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    if (o->threads_arg) {
        o->nthreads = parse_threads(o->threads_arg, o->threads, BB_WORKERS_MAX);
        if (o->nthreads <= 0) {
            fprintf(stderr, "busbench bench: bad --threads '%s' (expected e.g. 1,2,4 or 1-8, each 1..%d)\n",
                    o->threads_arg, BB_WORKERS_MAX);
            return BB_EXIT_USAGE;
        }
    } else {
        int cores = bb_workers_cores();
        o->nthreads = cores < BB_WORKERS_MAX ? cores : BB_WORKERS_MAX;
        for (int i = 0; i < o->nthreads; i++) o->threads[i] = i + 1;
    }
    char *pins_s[8];
    o->npins = bb_bench_split_list(o->pin_buf, pins_s, 8);
    for (int i = 0; i < o->npins; i++)
        if (bb_pin_parse(pins_s[i], &o->pins[i])) {
            fprintf(stderr, "busbench bench: unknown pinning '%s' (compact, scatter or none)\n", pins_s[i]);
            return BB_EXIT_USAGE;
        }
    o->nstrats = bb_bench_split_list(o->st_buf, o->strats, BB_BENCH_LIST_MAX);
    for (int i = 0; i < o->nstrats; i++) {
        for (char *p = o->strats[i]; *p; p++)
            if (*p == '+') *p = ',';
        bb_plan plan;
        if (bb_plan_parse(o->strats[i], 1, 0, BB_PIN_NONE, &plan, &err)) {
            fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
    }
    if (o->npins <= 0 || o->nstrats <= 0) {
        fprintf(stderr, "busbench bench: empty --pins or --strategies\n");
        return BB_EXIT_USAGE;
    }
    /* an unwritable --out or --csv is bad input now, not after the whole bb_bench_matrix */
    if ((o->out_json && bb_file_check_writable(o->out_json, &err)) || (o->out_csv && bb_file_check_writable(o->out_csv, &err))) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    return BB_BENCH_GO_ON;
}

/* --metric both: count the same matrix's instructions in a valgrind child. Returns its document (a new
 * reference) or NULL with *code set; *failures grows when the child saw wrong renders. */
static json_t *instructions_child(const bb_bench_opts *o, int argc, char **argv, int *code, int *failures)
{
    char dir[PATH_MAX], cout[PATH_MAX + 32];
    char **cargs = calloc((size_t)argc + 16, sizeof *cargs);
    int crc = BB_EXIT_USAGE;
    json_t *doc = NULL;
    if (cargs && !bb_callgrind_dir_make(dir, sizeof dir)) {
        static const char *const drop[] = {"--metric", "--out", "--csv", "--reps", "--warmup", "--min-time", "--max-rounds"};
        size_t k = 0;
        cargs[k++] = argv[0];
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--quiet")) continue;
            bool skip = false, joined = false; /* "--reps 5" or "--reps=5" */
            for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++) {
                size_t n = strlen(drop[d]);
                skip |= !strcmp(argv[i], drop[d]);
                joined |= !strncmp(argv[i], drop[d], n) && argv[i][n] == '=';
            }
            if (skip || joined) {
                i += skip;
                continue;
            }
            cargs[k++] = argv[i];
        }
        snprintf(cout, sizeof cout, "%s/instructions.json", dir);
        cargs[k++] = "--metric";
        cargs[k++] = "instructions";
        cargs[k++] = "--out";
        cargs[k++] = cout;
        cargs[k++] = "--quiet";
        cargs[k] = NULL;
        if (!o->quiet) fprintf(stderr, "bench: counting instructions under callgrind (1 warm-up, 1 round)...\n");
        crc = bb_callgrind_run(dir, cargs);
        json_error_t je;
        doc = crc <= BB_EXIT_FAIL ? json_load_file(cout, 0, &je) : NULL;
        bb_callgrind_dir_remove(dir);
    }
    free(cargs);
    if (!doc) {
        fprintf(stderr, "busbench bench: the instruction count under callgrind failed (exit %d)\n", crc);
        *code = crc > BB_EXIT_FAIL ? crc : BB_EXIT_USAGE;
    } else if (crc == BB_EXIT_FAIL) {
        (*failures)++;
    }
    return doc;
}

/* The context's notes on the metrics (instructions measured here or by the child). */
static void metrics_context(const bb_bench_opts *o, json_t *ctx, int rounds, const json_t *child_doc)
{
    if (o->metric == BB_BENCH_METRIC_TIME || !ctx) return;
    json_t *ms = json_array();
    if (o->metric == BB_BENCH_METRIC_BOTH) json_array_append_new(ms, json_string("time"));
    if (o->counting || child_doc) json_array_append_new(ms, json_string("instructions"));
    json_object_set_new(ctx, "metrics", ms);
    if (o->counting) {
        json_object_set_new(ctx, "instructions", bb_callgrind_context(rounds));
        json_object_set_new(ctx, "timing", json_string("rendered under valgrind: the times are not a measure of speed"));
    } else if (child_doc) {
        json_t *ic = json_object_get(json_object_get(child_doc, "context"), "instructions");
        if (ic) json_object_set(ctx, "instructions", ic);
    }
}

static const char *flag_of(const bb_bres *b)
{
    return !b->error[0] ? "" : !strncmp(b->error, "wrong", 5) ? "  WRONG" : "  FAILED";
}

/* The table on stdout: instructions when counting, else times and speedups. */
static void print_table(const bb_bench_opts *o, const bb_bench_matrix *m, const bb_results *res)
{
    if (o->counting) {
        printf("%-44s %5s %16s %12s\n", "configuration", "valid", "instructions", "per frame");
        for (size_t k = 0; k < res->n; k++) {
            const bb_bres *b = &res->v[k];
            double ir = bb_stats_median(m->cs[k].ir.v, m->cs[k].ir.n);
            printf("%-44s %2d/%-2d %16.0f %12.1f%s\n", b->name, b->valid, b->rounds, ir, ir / (double)b->frames, flag_of(b));
        }
        return;
    }
    printf("%-44s %5s %5s %10s %23s %7s %17s %10s %7s\n", "configuration", "valid", "x", "median ms", "95% CI ms",
           "speedup", "95% CI", "p99 us", "misses");
    for (size_t k = 0; k < res->n; k++) {
        const bb_bres *b = &res->v[k];
        printf("%-44s %2d/%-2d %5d %10.3f [%9.3f, %9.3f] %7.3f [%6.3f, %6.3f] %10.1f %7" PRIu64 "%s\n", b->name,
               b->valid, b->rounds, b->iterations, b->t.median / 1e6, b->ci_lo / 1e6, b->ci_hi / 1e6, b->speedup,
               b->sp_lo, b->sp_hi, b->steady.p99 / 1e3, b->steady.misses + b->cold.misses, flag_of(b));
    }
    printf("(x: renders per timing sample, each checked; times are per render; speedup: over serial at 1 thread)\n");
}

/* Write --out and --csv (atomically). Returns the exit code so far. */
static int output_write(const bb_bench_opts *o, const bb_results *res)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    if (o->out_json && bb_json_write(res, o->out_json, &err)) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    if (o->out_csv && bb_json_write_csv(res, o->out_csv, &err)) {
        fprintf(stderr, "busbench bench: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    return BB_EXIT_OK;
}

/* The statistics, the context, the instruction counts, the table and the files. Returns the exit code. */
static int output(const bb_bench_opts *o, bb_bench_matrix *m, int rounds, int argc, char **argv)
{
    bb_results res;
    bb_json_results_init(&res);
    int failures = bb_bench_results(o, m, rounds, &res), code = BB_EXIT_OK;
    if (failures < 0) {
        fprintf(stderr, "busbench bench: no memory\n");
        bb_json_results_free(&res);
        return BB_EXIT_USAGE;
    }
    res.context = context(argc, argv, o->shuffled, m->cs, m->nc, o->nprograms ? NULL : m->set.golden, (int)o->reps, (int)o->warmup, o->min_time,
                          rounds, (size_t)o->block, (size_t)o->batch);
    if (res.context && o->shard.count) json_object_set_new(res.context, "shard", bb_bench_matrix_shard_context(o, m));
    json_t *child_doc = o->metric == BB_BENCH_METRIC_BOTH ? instructions_child(o, argc, argv, &code, &failures) : NULL;
    metrics_context(o, res.context, rounds, child_doc);
    if (bb_bench_results_instructions(&res, m->cs, m->nc, o->counting, child_doc)) {
        fprintf(stderr, "busbench bench: no memory\n");
        code = BB_EXIT_USAGE;
    }
    if (o->extra_pct > 0 && res.context) json_object_set_new(res.context, "extra_work_pct", json_real(o->extra_pct));
    if (res.context) {
        json_object_set_new(res.context, "min_sample_time_s", json_real(o->counting ? 0 : o->min_sample_time));
        json_t *over = oversubscribed(o, bb_env_pus_allowed());
        if (over) json_object_set_new(res.context, "oversubscribed", over);
    }
    if (!o->quiet && code == BB_EXIT_OK) print_table(o, m, &res);
    for (size_t k = 0; k < res.n; k++)
        if (res.v[k].error[0]) fprintf(stderr, "busbench bench: %s: %s\n", res.v[k].name, res.v[k].error);
    if (code == BB_EXIT_OK) code = output_write(o, &res);
    if (code == BB_EXIT_OK && failures) {
        fprintf(stderr, "busbench bench: %d configuration%s had wrong or failed renders (their timings are void)\n",
                failures, failures == 1 ? "" : "s");
        code = BB_EXIT_FAIL;
    }
    bb_json_results_free(&res);
    if (child_doc) json_decref(child_doc);
    return code;
}

/* ---- the command ---------------------------------------------------------------------------------------- */
int bb_cmd_bench(int argc, char **argv)
{
    bb_bench_opts o;
    int rc = opts_parse(argc, argv, &o);
    if (rc == BB_BENCH_GO_ON) rc = opts_metric(&o, argv);
    if (rc == BB_BENCH_GO_ON) rc = opts_lists(&o);
    if (rc != BB_BENCH_GO_ON) return rc;
    bb_bench_matrix m;
    if ((rc = bb_bench_matrix_build(&o, &m)) != BB_BENCH_GO_ON) return rc;
    if (!o.counting) warn_oversubscribed(&o, bb_env_pus_allowed());
    if (o.shard.count && !o.quiet)
        fprintf(stderr, "bench: shard %d/%d: %d of %d groups, %d configurations, expected cost %.0f of %.0f (largest shard %.0f)\n",
                o.shard.index, o.shard.count, m.groups_here, m.groups, m.nc, m.cost_here, m.cost_total, m.cost_max);
    progress pg = {{!o.quiet && isatty(2) ? progress_show : NULL, 0, 0}, bb_now_ns(), m.nc};
    int rounds = bb_bench_rounds(&o, &m, &pg.base);
    progress_end(&pg);
    if (rounds < 0) {
        fprintf(stderr, "busbench bench: no memory\n");
        bb_bench_matrix_free(&m);
        return BB_EXIT_USAGE;
    }
    rc = output(&o, &m, rounds, argc, argv);
    bb_bench_matrix_free(&m);
    return rc;
}
