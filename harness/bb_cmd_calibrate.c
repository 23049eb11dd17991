/* bb_cmd_calibrate.c - `busbench calibrate`: the timing noise floor of this
 * machine, and how well the timing gate sees known slowdowns.
 *
 * What it is: an A/A experiment. The same configurations (default: q, serial,
 * 1 thread) are benched again and again in separate processes, as A and as B
 * (`busbench bench ... --reps R`, each run a fresh process: heap layout, code
 * placement, frequency and the neighbours' load differ between runs exactly
 * as between a baseline and a later CI run). Each trial gives, per
 * configuration, the ratio median(B) / median(A); nothing changed, so every
 * departure from 1 is noise. A configuration's floor (bb_stats_aa_floor) is
 * the change, in percent, that an unchanged configuration exceeds with
 * probability at most (1 - level) / M, M the configurations calibrated
 * (default level 0.99), with that confidence in the spread measured by the
 * few trials: the smallest change that this machine can tell from noise with
 * R rounds a side, without the gate ever crying wolf on one of M
 * configurations. (An empirical quantile of the trials' |ratio - 1| would be
 * exceeded by 1 - level of all later unchanged runs, per configuration: with
 * 70 configurations nearly every gate run would flag one.)
 * `--record RESULTS.json` writes the floors into a results file's context
 * (key "noise_floor": "per_configuration_pct", and "floor_pct", the largest),
 * where `busbench compare` finds them: it judges each configuration against
 * its own floor and refuses a timing threshold below it.
 *
 * With --detect 5,10,20 it goes on with fresh trials: each runs A, B and one
 * run per injected slowdown (bench's test-only --extra-work PCT), in an order
 * rotated from trial to trial, and judges B and each slowed run against A with
 * the gate's own timing verdict (bb_gate_compare, A carrying the floors just
 * measured: U test p < alpha and change beyond the threshold, by default the
 * gate's own, the larger of 5% and the configuration's floor). It reports the
 * A/A false positive rate and the detection rate of each slowdown, with the
 * slowdown the injection really caused (median ratio). That is a benchmark,
 * not a test: its figures depend on the machine and its load.
 *
 * Invariants: every bench run checks its renders against the goldens (a
 * wrong render stops the calibration, exit 1); nothing is written unless the
 * whole experiment ran; writes are atomic (--out, --record).
 *
 * Units: ratios are plain numbers, floors and thresholds percent, times ns. */
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_opt.h"
#include "bb_proc.h"
#include "bb_run.h"
#include "bb_gate.h"
#include "bb_stats.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_DETECT = 8, MAX_RUNS = 2 + MAX_DETECT };

typedef struct opts {
    const char *golden, *workloads, *strategies, *threads, *pins;
    int trials, reps;
    double level, threshold, alpha;
    double min_sample;        /* bench's --min-sample-time (s); NaN: bench's default */
    long seed;
    double detect[MAX_DETECT];
    int ndetect;
    bool quiet;
    const char *out_path, *record;
    char exe[PATH_MAX];
    char dir[PATH_MAX];
} opts;

/* detect = PCT { "," PCT }, each 0.001 to 1000, at most MAX_DETECT */
static bb_result opt_detect(void *base, const char *v, bb_error *err)
{
    opts *o = base;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    o->ndetect = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (o->ndetect == MAX_DETECT || bb_run_parse_double(t, 0.001, 1000, &o->detect[o->ndetect++]))
            return bb_error_set(err, BB_ERR_ARG, "--detect", 0, 0,
                                "bad value '%s': expected at most %d per cents from 0.001 to 1000, comma-separated", v, MAX_DETECT);
    if (!o->ndetect) return bb_error_set(err, BB_ERR_ARG, "--detect", 0, 0, "expected a list of per cents");
    return BB_OK;
}

#define CO(m) offsetof(opts, m)
static const bb_opt options[] = {
    {"--golden", BB_OPT_STR, CO(golden), 0, 0, "DIR", "golden corpus (default golden)", "a folder", NULL},
    {"--workloads", BB_OPT_STR, CO(workloads), 0, 0, "LIST", "(default q)", "a list", NULL},
    {"--strategies", BB_OPT_STR, CO(strategies), 0, 0, "LIST", "(default serial)", "a list", NULL},
    {"--threads", BB_OPT_STR, CO(threads), 0, 0, "LIST", "(default 1)", "a list", NULL},
    {"--pins", BB_OPT_STR, CO(pins), 0, 0, "LIST", "(default compact)", "a list", NULL},
    {"--trials", BB_OPT_INT, CO(trials), 2, 10000, "T", "A/A trials (default 10)", NULL, NULL},
    {"--reps", BB_OPT_INT, CO(reps), 1, 100000, "R", "timed rounds per bench run (default 10)", NULL, NULL},
    {"--min-sample-time", BB_OPT_REAL, CO(min_sample), 0, 3600, "S", "bench's --min-sample-time for every run (default: bench's)",
     NULL, NULL},
    {"--level", BB_OPT_REAL, CO(level), 0.5, 0.999999, "L",
     "confidence that no unchanged configuration of those calibrated exceeds\nits floor (default 0.99)", NULL, NULL},
    {"--record", BB_OPT_STR, CO(record), 0, 0, "FILE.json", "write the floor into this bench result's context (atomically)", "a file",
     NULL},
    {"--out", BB_OPT_STR, CO(out_path), 0, 0, "FILE.json", "the calibration: every ratio, the floors, the detection rates",
     "an output path", NULL},
    {"--detect", BB_OPT_FN, 0, 0, 0, "LIST",
     "then --trials fresh trials with these injected slowdowns (percent\n"
     "extra work, e.g. 5,10,20): A/A false positive and detection rates", NULL, opt_detect},
    {"--threshold", BB_OPT_REAL, CO(threshold), 0, 999, "PCT",
     "timing threshold for --detect (default: compare's, the larger of 5\nand each configuration's floor measured)", NULL, NULL},
    {"--alpha", BB_OPT_REAL, CO(alpha), 1e-12, 0.999999, "A", "significance for --detect (default 0.05)", NULL, NULL},
    {"--seed", BB_OPT_LONG, CO(seed), 0, 1e15, "N", "first bench seed (default 1; each run gets its own)", NULL, NULL},
    {"--quiet", BB_OPT_FLAG, CO(quiet), 0, 0, NULL, "only the summary", NULL, NULL},
    BB_OPT_END,
};
#undef CO

static const bb_opt_cmd spec = {
    "calibrate", "[options]",
    "Bench the same configurations as A and B in separate processes, --trials times, and\n"
    "report the spread of the timing ratios median(B)/median(A). A configuration's noise floor\n"
    "(percent) is the change that an unchanged configuration exceeds, either way, with\n"
    "probability at most (1 - L) / M over the M configurations calibrated, with confidence L\n"
    "in the spread the trials measured (ln ratios normal around 0). busbench compare judges\n"
    "each configuration against its floor recorded in BASE (--record), and without one calls\n"
    "timing differences inconclusive.",
    "0 measured (and recorded), 1 a bench run had wrong renders, 2 bad input or a failed run"};

/* One bench run into dir/NAME.json; extra: --extra-work percent (0: none).
 * Loads the result into f. Returns 0, or the bench's exit code (1: wrong
 * renders, 2: anything else) with a message. */
static int bench_run(const opts *o, const char *name, double extra, long seed, bb_gate_file *f)
{
    char out[PATH_MAX + 64], reps[16], sd[32], xw[32], ms[32];
    snprintf(out, sizeof out, "%s/%s.json", o->dir, name);
    snprintf(reps, sizeof reps, "%d", o->reps);
    snprintf(sd, sizeof sd, "%ld", seed);
    snprintf(xw, sizeof xw, "%g", extra);
    char *argv[32];
    int k = 0;
    argv[k++] = (char *)o->exe;
    argv[k++] = "bench";
    argv[k++] = "--golden";
    argv[k++] = (char *)o->golden;
    argv[k++] = "--workloads";
    argv[k++] = (char *)o->workloads;
    argv[k++] = "--strategies";
    argv[k++] = (char *)o->strategies;
    argv[k++] = "--threads";
    argv[k++] = (char *)o->threads;
    argv[k++] = "--pins";
    argv[k++] = (char *)o->pins;
    argv[k++] = "--reps";
    argv[k++] = reps;
    argv[k++] = "--warmup";
    argv[k++] = "1";
    argv[k++] = "--seed";
    argv[k++] = sd;
    argv[k++] = "--quiet";
    argv[k++] = "--out";
    argv[k++] = out;
    if (extra > 0) {
        argv[k++] = "--extra-work";
        argv[k++] = xw;
    }
    if (!isnan(o->min_sample)) {
        snprintf(ms, sizeof ms, "%g", o->min_sample);
        argv[k++] = "--min-sample-time";
        argv[k++] = ms;
    }
    argv[k] = NULL;
    int why = 0;
    int rc = bb_proc_run(argv, true, &why);
    if (rc) {
        fprintf(stderr, "busbench calibrate: bench run %s failed (exit %d%s%s); run it by hand to see why:\n ", name, rc,
                why ? ": " : "", why ? strerror(why) : "");
        for (int i = 0; i < k; i++) fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, "\n");
        return rc == BB_EXIT_FAIL ? BB_EXIT_FAIL : BB_EXIT_USAGE;
    }
    bb_error err;
    bb_error_clear(&err);
    bb_result res = bb_gate_file_load(out, f, &err);
    unlink(out);
    if (res) {
        char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        fprintf(stderr, "busbench calibrate: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_gate_file_free(f);
        return BB_EXIT_USAGE;
    }
    return 0;
}

/* median of the valid rounds of b (NaN when none) */
static double median_rounds(const bb_bres *b)
{
    double *v = malloc((size_t)(b->rounds > 0 ? b->rounds : 1) * sizeof *v);
    if (!v) return (double)NAN;
    size_t n = 0;
    for (int i = 0; i < b->rounds; i++)
        if (isfinite(b->rep_ns[i])) v[n++] = b->rep_ns[i];
    double m = bb_stats_median(v, n);
    free(v);
    return m;
}

/* Per-configuration series of ratios. */
typedef struct series {
    char name[320];
    double *ratio;       /* [trials] */
    int n;
    double floor_pct;
    int aa_slower, aa_faster;      /* detection phase: A/A verdicts */
    int det_slower[MAX_DETECT];    /* detection phase: slowed runs flagged slower */
    double *det_ratio[MAX_DETECT]; /* [trials]: median(C)/median(A) */
    int ndet;                      /* detection trials done */
} series;

/* A calibration under way: the options, the series of each configuration, the next bench seed. */
typedef struct cal {
    opts o;
    series *S;
    int ns;
    long seed;
    double floor_pct;         /* the largest configuration's floor */
    int det_trials;
} cal;

/* The series, one per configuration of the first A run (the calibration's configurations). 0 or -1. */
static int series_init(cal *C, const bb_gate_file *A)
{
    C->ns = (int)A->r.n;
    C->S = calloc((size_t)(C->ns ? C->ns : 1), sizeof *C->S);
    for (int k = 0; C->S && k < C->ns; k++) {
        snprintf(C->S[k].name, sizeof C->S[k].name, "%s", A->r.v[k].name);
        C->S[k].ratio = calloc((size_t)C->o.trials, sizeof *C->S[k].ratio);
        for (int d = 0; d < C->o.ndetect; d++) C->S[k].det_ratio[d] = calloc((size_t)C->o.trials, sizeof(double));
    }
    return C->S ? 0 : -1;
}

/* Phase 1: --trials A/A pairs, each configuration's ratio median(B)/median(A). Returns the exit code so far. */
static int phase_aa(cal *C)
{
    const opts *o = &C->o;
    for (int t = 0; t < o->trials; t++) {
        bb_gate_file A, B;
        char na[32], nb[32];
        snprintf(na, sizeof na, "a%d", t);
        snprintf(nb, sizeof nb, "b%d", t);
        int code = bench_run(o, na, 0, C->seed++, &A);
        if (code) return code;
        if ((code = bench_run(o, nb, 0, C->seed++, &B))) {
            bb_gate_file_free(&A);
            return code;
        }
        if (!C->S && series_init(C, &A)) code = BB_EXIT_USAGE;
        for (int k = 0; !code && k < C->ns; k++) {
            const bb_bres *a = bb_json_results_find(&A.r, C->S[k].name), *b = bb_json_results_find(&B.r, C->S[k].name);
            double r = a && b ? median_rounds(b) / median_rounds(a) : (double)NAN;
            if (C->S[k].ratio && isfinite(r)) C->S[k].ratio[C->S[k].n++] = r;
        }
        if (!o->quiet && !code)
            fprintf(stderr, "calibrate: A/A trial %d/%d done (%s: ratio %.4f)\n", t + 1, o->trials, C->ns ? C->S[0].name : "?",
                    C->ns && C->S[0].n ? C->S[0].ratio[C->S[0].n - 1] : (double)NAN);
        bb_gate_file_free(&A);
        bb_gate_file_free(&B);
        if (code) return code;
    }
    return BB_EXIT_OK;
}

/* Each configuration's floor (bb_stats_aa_floor at --level over the configurations) and the table of ratios;
 * C->floor_pct. */
static int floor_table(cal *C)
{
    const opts *o = &C->o;
    printf("noise floor: %d A/A trials (separate processes), %d rounds a side; floor = the change an unchanged\n"
           "configuration exceeds with probability < %g / %d, at confidence %g in the spread of ln(B/A)\n\n",
           o->trials, o->reps, 1 - o->level, C->ns, o->level);
    printf("%-44s %6s %8s %8s %8s %8s %8s %9s\n", "configuration", "trials", "min", "q2.5", "median", "q97.5", "max",
           "floor %");
    for (int k = 0; k < C->ns; k++) {
        series *s = &C->S[k];
        double *c = malloc((size_t)(s->n ? s->n : 1) * sizeof *c);
        if (!c) return BB_EXIT_USAGE;
        for (int i = 0; i < s->n; i++) c[i] = s->ratio[i];
        bb_stats_sort(c, (size_t)s->n);
        s->floor_pct = bb_stats_aa_floor(s->ratio, (size_t)s->n, o->level, (size_t)C->ns);
        if (!(s->floor_pct >= 0)) {
            fprintf(stderr, "busbench calibrate: %s: no usable A/A ratio\n", s->name);
            free(c);
            return BB_EXIT_USAGE;
        }
        if (s->floor_pct > C->floor_pct) C->floor_pct = s->floor_pct;
        size_t n = (size_t)s->n;
        printf("%-44s %6d %8.4f %8.4f %8.4f %8.4f %8.4f %9.2f\n", s->name, s->n, bb_stats_quantile_sorted(c, n, 0),
               bb_stats_quantile_sorted(c, n, 0.025), bb_stats_quantile_sorted(c, n, 0.5),
               bb_stats_quantile_sorted(c, n, 0.975), bb_stats_quantile_sorted(c, n, 1), s->floor_pct);
        free(c);
    }
    printf("\nnoise floor: per configuration above (the largest %.2f%%): busbench compare judges each configuration\n"
           "against its own and refuses timing thresholds below it\n",
           C->floor_pct);
    return BB_EXIT_OK;
}

/* The gate's verdicts of detection trial t: run F[j] (1: B, 2..: slowed) against F[0] (A), A
 * carrying the floors nf measured (as --record would write them). */
static int detect_verdicts(cal *C, bb_gate_file *F, int nruns, int t, json_t *nf)
{
    json_object_set(F[0].r.context, "noise_floor", nf);
    bb_gate_floor_of(F[0].r.context, &F[0].floor);
    bb_gate_opts go;
    bb_gate_opts_default(&go);
    go.metrics = BB_GATE_METRIC_TIME;
    go.threshold_pct = C->o.threshold;
    go.below_floor_ok = true; /* an experiment may ask how a threshold below the floor fares */
    go.alpha = C->o.alpha;
    go.seed = (uint64_t)t;
    for (int j = 1; j < nruns; j++) {
        bb_gate_report rep;
        bb_error err;
        bb_error_clear(&err);
        if (bb_gate_compare(&F[0], &F[j], &go, &rep, &err)) {
            char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
            fprintf(stderr, "busbench calibrate: %s\n", bb_error_format(&err, msg, sizeof msg));
            bb_gate_report_free(&rep);
            return BB_EXIT_USAGE;
        }
        for (size_t r = 0; r < rep.n; r++)
            for (int k = 0; k < C->ns; k++) {
                series *s = &C->S[k];
                if (strcmp(s->name, rep.rows[r].name) || rep.rows[r].metric != BB_GATE_METRIC_TIME) continue;
                bb_gate_verdict v = rep.rows[r].verdict;
                if (j == 1) {
                    s->aa_slower += v == BB_GATE_SLOWER;
                    s->aa_faster += v == BB_GATE_FASTER;
                } else {
                    s->det_slower[j - 2] += v == BB_GATE_SLOWER;
                    s->det_ratio[j - 2][t] = rep.rows[r].cur / rep.rows[r].base;
                }
            }
        bb_gate_report_free(&rep);
    }
    return BB_EXIT_OK;
}

/* Phase 2 (--detect): --trials fresh trials of A, B and one slowed run per injected slowdown, in a
 * rotated order, judged against A. Returns the exit code so far. */
static int phase_detect(cal *C, json_t *nf)
{
    const opts *o = &C->o;
    int code = BB_EXIT_OK;
    for (int t = 0; t < o->trials && o->ndetect && code == BB_EXIT_OK; t++) {
        int nruns = 2 + o->ndetect;
        bb_gate_file F[MAX_RUNS];
        int have = 0;
        for (int j = 0; j < nruns && code == BB_EXIT_OK; j++) {
            int which = (j + t) % nruns; /* rotated order: 0 = A, 1 = B, 2.. = slowed */
            char nm[32];
            snprintf(nm, sizeof nm, "d%d-%d", t, which);
            code = bench_run(o, nm, which >= 2 ? o->detect[which - 2] : 0, C->seed++, &F[which]);
            if (!code) have |= 1 << which;
        }
        if (code == BB_EXIT_OK && (code = detect_verdicts(C, F, nruns, t, nf)) == BB_EXIT_OK) {
            for (int k = 0; k < C->ns; k++) C->S[k].ndet++;
            C->det_trials++;
            if (!o->quiet) fprintf(stderr, "calibrate: detection trial %d/%d done\n", t + 1, o->trials);
        }
        for (int j = 0; j < nruns; j++)
            if (have & (1 << j)) bb_gate_file_free(&F[j]);
    }
    return code;
}

static void detect_table(const cal *C)
{
    const opts *o = &C->o;
    char thr[96];
    if (isnan(o->threshold)) snprintf(thr, sizeof thr, "the larger of 5%% and the configuration's floor");
    else snprintf(thr, sizeof thr, "%.1f%%", o->threshold);
    printf("\ndetection: %d fresh trials, each A, B and one run per injected slowdown (bench --extra-work), "
           "judged against A\nby the timing gate: U test p < %g and change > %s\n\n",
           C->det_trials, o->alpha, thr);
    printf("%-44s %14s", "configuration", "A/A flagged");
    for (int d = 0; d < o->ndetect; d++) printf("   +%g%% flagged (real)", o->detect[d]);
    printf("\n");
    for (int k = 0; k < C->ns; k++) {
        const series *s = &C->S[k];
        printf("%-44s %4d/%-3d %4.0f%%", s->name, s->aa_slower + s->aa_faster, s->ndet,
               100.0 * (s->aa_slower + s->aa_faster) / (s->ndet ? s->ndet : 1));
        for (int d = 0; d < o->ndetect; d++) {
            double med = bb_stats_median(s->det_ratio[d], (size_t)s->ndet);
            printf("   %3d/%-3d %4.0f%% (%+5.1f%%)", s->det_slower[d], s->ndet, 100.0 * s->det_slower[d] / (s->ndet ? s->ndet : 1),
                   (med - 1) * 100);
        }
        printf("\n");
    }
    printf("\n'A/A flagged': unchanged runs called slower or faster (the false positive rate); '+X%% flagged':\n"
           "slowed runs called slower; '(real)': the slowdown the injection caused (median ratio - 1).\n");
}

/* The record of the floor (a new object): what --record writes into a result's context. */
static json_t *noise_floor_json(const cal *C)
{
    char date[64];
    bb_env_date(date, sizeof date);
    json_t *nf = json_object();
    json_object_set_new(nf, "floor_pct", json_real(C->floor_pct));
    json_object_set_new(nf, "level", json_real(C->o.level));
    json_object_set_new(nf, "trials", json_integer(C->o.trials));
    json_object_set_new(nf, "reps", json_integer(C->o.reps));
    json_object_set_new(nf, "date", json_string(date));
    json_object_set_new(nf, "method",
                        json_string("A/A: the same configurations benched as A and B in separate processes; a "
                                    "configuration's floor (per_configuration_pct) = 100 (exp(z s_up) - 1), s_up the "
                                    "upper level confidence bound of the RMS of ln(median(B)/median(A)), z the normal "
                                    "quantile 1 - (1 - level) / (2 M), M the configurations calibrated; floor_pct = "
                                    "the largest, used for a configuration without its own"));
    json_t *cfgs = json_array(), *per = json_object();
    for (int k = 0; k < C->ns; k++) {
        json_array_append_new(cfgs, json_string(C->S[k].name));
        json_object_set_new(per, C->S[k].name, json_real(C->S[k].floor_pct));
    }
    json_object_set_new(nf, "configurations", cfgs);
    json_object_set_new(nf, "per_configuration_pct", per);
    return nf;
}

/* One configuration's series in --out: the A/A ratios and, with --detect, its detection counts. */
static json_t *series_json(const cal *C, const series *s)
{
    json_t *e = json_object(), *a = json_array();
    for (int i = 0; i < s->n; i++) json_array_append_new(a, json_real(s->ratio[i]));
    json_object_set_new(e, "aa_ratios", a);
    if (!C->o.ndetect) return e;
    json_object_set_new(e, "detection_trials", json_integer(s->ndet));
    json_object_set_new(e, "aa_flagged", json_integer(s->aa_slower + s->aa_faster));
    json_t *det = json_object();
    for (int d = 0; d < C->o.ndetect; d++) {
        char key[32];
        snprintf(key, sizeof key, "%g", C->o.detect[d]);
        json_t *x = json_object(), *rs = json_array();
        json_object_set_new(x, "flagged_slower", json_integer(s->det_slower[d]));
        for (int i = 0; i < s->ndet; i++) json_array_append_new(rs, json_real(s->det_ratio[d][i]));
        json_object_set_new(x, "ratios", rs);
        json_object_set_new(det, key, x);
    }
    json_object_set_new(e, "detection", det);
    return e;
}

/* --out and --record (each atomically). Returns the exit code. */
static int write_records(const cal *C, json_t *nf)
{
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    if (C->o.out_path) {
        json_t *doc = json_object(), *ser = json_object();
        json_object_set(doc, "noise_floor", nf);
        for (int k = 0; k < C->ns; k++) json_object_set_new(ser, C->S[k].name, series_json(C, &C->S[k]));
        json_object_set_new(doc, "configurations", ser);
        if (C->o.ndetect) {
            /* null: the gate's default, each configuration's own floor (at least 5%) */
            json_object_set_new(doc, "detection_threshold_pct",
                                isnan(C->o.threshold) ? json_null() : json_real(C->o.threshold));
            json_object_set_new(doc, "detection_alpha", json_real(C->o.alpha));
        }
        bb_result r = bb_json_commit_doc(doc, C->o.out_path, &err);
        json_decref(doc);
        if (r) {
            fprintf(stderr, "busbench calibrate: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
    }
    if (C->o.record) {
        if (bb_gate_set_context(C->o.record, "noise_floor", nf, &err)) {
            fprintf(stderr, "busbench calibrate: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
        if (!C->o.quiet) printf("recorded in %s (context.noise_floor)\n", C->o.record);
    }
    return BB_EXIT_OK;
}

/* Before the first run: --record is a result we may rewrite, we know our program, a temporary folder. */
static int setup(opts *o)
{
    if (o->record && access(o->record, R_OK | W_OK) != 0) {
        fprintf(stderr, "busbench calibrate: --record %s: %s (it must be an existing bench result)\n", o->record,
                strerror(errno));
        return BB_EXIT_USAGE;
    }
    if (bb_proc_self_exe(o->exe, sizeof o->exe)) {
        fprintf(stderr, "busbench calibrate: cannot find the busbench program (set BB_BUSBENCH)\n");
        return BB_EXIT_USAGE;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(o->dir, sizeof o->dir, "%s/busbench-cal-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(o->dir)) {
        fprintf(stderr, "busbench calibrate: cannot make a temporary folder: %s\n", strerror(errno));
        return BB_EXIT_USAGE;
    }
    return BB_EXIT_OK;
}

int bb_cmd_calibrate(int argc, char **argv)
{
    static cal C; /* the paths are large */
    memset(&C, 0, sizeof C);
    C.o = (opts){.golden = "golden", .workloads = "q", .strategies = "serial", .threads = "1", .pins = "compact",
                 .trials = 10, .reps = 10, .level = 0.99, .threshold = (double)NAN, .min_sample = (double)NAN, .alpha = 0.05, .seed = 1};
    const bb_opt_group groups[] = {{NULL, options, &C.o}};
    int npos;
    int code = bb_opt_parse(&spec, groups, 1, argc, argv, NULL, 0, &npos);
    if (code != BB_OPT_GO_ON) return code;
    if ((code = setup(&C.o))) return code;
    C.seed = C.o.seed;
    code = phase_aa(&C);
    if (code == BB_EXIT_OK) code = floor_table(&C);
    json_t *nf = code == BB_EXIT_OK ? noise_floor_json(&C) : NULL;
    if (code == BB_EXIT_OK) code = phase_detect(&C, nf);
    if (code == BB_EXIT_OK && C.o.ndetect) detect_table(&C);
    if (code == BB_EXIT_OK) code = write_records(&C, nf);
    json_decref(nf);
    for (int k = 0; C.S && k < C.ns; k++) {
        free(C.S[k].ratio);
        for (int d = 0; d < C.o.ndetect; d++) free(C.S[k].det_ratio[d]);
    }
    free(C.S);
    rmdir(C.o.dir);
    return code;
}
