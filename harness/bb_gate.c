/* bb_gate.c - the comparison behind `busbench compare` and the measurements
 * behind `busbench calibrate`.
 *
 * What it is: the gate's use of its statistics (bb_stats: the Mann-Whitney U
 * test and the bootstrap interval of the change of medians), the reading of
 * bench results as the gate needs them (the bench's model from bb_json_read,
 * plus the instruction counts, metrics and noise floor that bb_json's model
 * does not carry), the environment check (bb_env_fingerprint) and, when BASE
 * is what cannot be compared, how to re-make it; the per-configuration checks
 * (one row each: counters, instructions, time) and their verdicts; and
 * rewriting a results file's context atomically (calibrate --record). Child
 * processes are bb_proc's.
 *
 * Invariants:
 *  - a deterministic counter that went up is a regression whatever the
 *    thresholds; one that went down is no regression but a change of
 *    behaviour (a cache that keeps more than it should synthesises less): it
 *    fails the gate too, until the baseline is re-made, so that the baseline
 *    always describes the tree exactly and a later rise back cannot hide;
 *    heap allocations count only at 1 thread (with workers, which
 *    worker first grows its scratch depends on the schedule: the bench keeps
 *    them as ranges for that reason);
 *  - a timing verdict other than "same" needs both the U test (p < alpha) and
 *    the effect (|change| > threshold); the threshold is never below the
 *    configuration's noise floor recorded in the base file (bb_gate_compare
 *    refuses it); without a recorded floor the verdict is "inconclusive",
 *    never "slower" (the U test alone cannot tell a regression from the
 *    drift between two processes of one binary: it sees only the rounds
 *    within each), and a configuration without a floor of its own uses the
 *    global one, said in its note and in the warnings;
 *  - instruction counts are compared without statistics: they are exact at 1
 *    thread (and gated only there); the threshold absorbs what libc and
 *    valgrind may change;
 *  - nothing here reads a clock: a comparison is a pure function of the two
 *    files and the options (the bootstrap is seeded from the configuration's
 *    name and opts->seed).
 *
 * Units: ns for times, counts for instructions, percent for thresholds and
 * floors in the options and the files, fractions for changes. */
#include "bb_gate.h"

#include "bb_env.h"
#include "bb_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ---- reading results ---------------------------------------------------------------- */
static bool has_string(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        const char *t = json_string_value(v);
        if (t && !strcmp(t, s)) return true;
    }
    return false;
}

void bb_gate_floor_of(const json_t *context, bb_gate_floor *out)
{
    memset(out, 0, sizeof *out);
    const json_t *f = json_object_get(context, "noise_floor");
    const json_t *pct = json_object_get(f, "floor_pct");
    if (!json_is_object(f) || !json_is_number(pct)) return;
    out->present = true;
    out->pct = json_number_value(pct);
    const json_t *per = json_object_get(f, "per_configuration_pct");
    out->per_config = json_is_object(per) ? per : NULL;
    const json_t *lv = json_object_get(f, "level");
    out->level = json_is_number(lv) ? json_number_value(lv) : (double)NAN;
    out->trials = (int)json_integer_value(json_object_get(f, "trials"));
    out->reps = (int)json_integer_value(json_object_get(f, "reps"));
    const char *d = json_string_value(json_object_get(f, "date"));
    snprintf(out->date, sizeof out->date, "%s", d ? d : "?");
    size_t used = 0, i;
    const json_t *c;
    json_array_foreach(json_object_get(f, "configurations"), i, c) {
        const char *s = json_string_value(c);
        if (!s || used >= sizeof out->configs) continue;
        int w = snprintf(out->configs + used, sizeof out->configs - used, "%s%s", used ? ", " : "", s);
        if (w < 0) break;
        used += (size_t)w;
    }
}

double bb_gate_floor_for(const bb_gate_floor *fl, const char *name, bb_gate_floor_src *src)
{
    const json_t *own = fl->present ? json_object_get(fl->per_config, name) : NULL;
    if (json_is_number(own) && json_number_value(own) >= 0) {
        *src = BB_GATE_FLOOR_OWN;
        return json_number_value(own);
    }
    *src = fl->present ? BB_GATE_FLOOR_GLOBAL : BB_GATE_FLOOR_NONE;
    return fl->present ? fl->pct : (double)NAN;
}

void bb_gate_file_free(bb_gate_file *f)
{
    bb_json_results_free(&f->r);
    free(f->instr);
    free(f->instr_lo);
    free(f->instr_hi);
    f->instr = f->instr_lo = f->instr_hi = NULL;
}

bb_result bb_gate_file_load(const char *path, bb_gate_file *f, bb_error *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    bb_result res = bb_json_read(path, &f->r, err);
    if (res) return res;
    size_t n = f->r.n;
    f->instr = malloc(n * sizeof *f->instr);
    f->instr_lo = malloc(n * sizeof *f->instr_lo);
    f->instr_hi = malloc(n * sizeof *f->instr_hi);
    if (!f->instr || !f->instr_lo || !f->instr_hi) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    for (size_t i = 0; i < n; i++) f->instr[i] = f->instr_lo[i] = f->instr_hi[i] = (double)NAN;
    const json_t *ctx = f->r.context;
    const json_t *metrics = json_object_get(ctx, "metrics");
    f->has_time = !json_is_array(metrics) || has_string(metrics, "time");
    bool instr_metric = json_is_array(metrics) && has_string(metrics, "instructions");
    const json_t *xw = json_object_get(ctx, "extra_work_pct");
    f->extra_work_pct = json_is_number(xw) ? json_number_value(xw) : 0;
    bb_gate_floor_of(ctx, &f->floor);
    if (!instr_metric) return BB_OK;
    /* the instruction counts: extra fields of each configuration's median entry */
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) return bb_error_set(err, BB_ERR_FORMAT, path, je.line, je.column, "not JSON: %s", je.text);
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        const char *an = json_string_value(json_object_get(e, "aggregate_name"));
        const char *rn = json_string_value(json_object_get(e, "run_name"));
        if (!an || strcmp(an, "median") || !rn) continue;
        const bb_bres *b = bb_json_results_find(&f->r, rn);
        const json_t *v = json_object_get(e, "instructions");
        if (!b || !json_is_number(v)) continue;
        size_t k = (size_t)(b - f->r.v);
        f->instr[k] = json_number_value(v);
        const json_t *lo = json_object_get(e, "instructions_min"), *hi = json_object_get(e, "instructions_max");
        f->instr_lo[k] = json_is_number(lo) ? json_number_value(lo) : f->instr[k];
        f->instr_hi[k] = json_is_number(hi) ? json_number_value(hi) : f->instr[k];
        f->has_instr = true;
    }
    json_decref(doc);
    return BB_OK;
}


/* ---- the comparison ------------------------------------------------------------------------- */
const char *bb_gate_verdict_name(bb_gate_verdict v)
{
    switch (v) {
    case BB_GATE_SAME: return "same";
    case BB_GATE_FASTER: return "faster";
    case BB_GATE_SLOWER: return "slower";
    case BB_GATE_NOT_COMPARED: return "not compared";
    case BB_GATE_INCONCLUSIVE: return "inconclusive";
    case BB_GATE_UP: return "up";
    case BB_GATE_DOWN: return "down";
    case BB_GATE_VARIED: return "varied";
    case BB_GATE_WRONG: return "wrong render";
    }
    return "?";
}

bool bb_gate_verdict_regressed(bb_gate_verdict v)
{
    return v == BB_GATE_SLOWER || v == BB_GATE_UP || v == BB_GATE_VARIED || v == BB_GATE_WRONG;
}

void bb_gate_opts_default(bb_gate_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold_pct = (double)NAN;
    o->instr_threshold_pct = (double)NAN;
    o->alpha = (double)NAN;
    o->resamples = BB_STATS_BOOT_DEFAULT;
    o->seed = 1;
}

void bb_gate_report_free(bb_gate_report *rep)
{
    free(rep->rows);
    rep->rows = NULL;
    rep->n = rep->cap = 0;
}

static bb_gate_row *add_row(bb_gate_report *rep, const char *name, int metric)
{
    if (rep->n == rep->cap) {
        size_t nc = rep->cap ? 2 * rep->cap : 32;
        bb_gate_row *v = realloc(rep->rows, nc * sizeof *v);
        if (!v) return NULL;
        rep->rows = v;
        rep->cap = nc;
    }
    bb_gate_row *r = &rep->rows[rep->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->metric = metric;
    r->base = r->cur = r->change = r->ci_lo = r->ci_hi = r->p = (double)NAN;
    r->threshold_pct = r->floor_pct = (double)NAN;
    return r;
}

/* Add a sentence to a row's note ("; "-separated). */
static void note_add(bb_gate_row *row, const char *s)
{
    bb_result_appendf(row->note, sizeof row->note, "%s%s", row->note[0] ? "; " : "", s);
}

int bb_gate_counters(const bb_bres *b, const bb_bres *c, bb_gate_counter_up *up, int max)
{
    int n = 0;
    bool one_thread = b->threads == 1 && c->threads == 1;
    /* the counters that cost work or memory (BB_STAT_GATED); the heap's at 1 thread only */
    for (size_t i = 0; i < bb_stats_ncounters; i++) {
        unsigned fl = bb_stats_counters[i].flags;
        if (!(fl & BB_STAT_GATED) || ((fl & BB_STAT_HEAP) && !one_thread)) continue;
        uint64_t x = bb_stats_counter(&b->counters, i), y = bb_stats_counter(&c->counters, i);
        if (y != x && n < max) up[n++] = (bb_gate_counter_up){bb_stats_counters[i].name, x, y};
    }
    return n;
}

bb_gate_verdict bb_gate_time_verdict(double change, double p, double threshold, double alpha)
{
    if (!(p < alpha)) return BB_GATE_SAME;
    if (change > threshold) return BB_GATE_SLOWER;
    if (change < -threshold) return BB_GATE_FASTER;
    return BB_GATE_SAME;
}

bb_gate_verdict bb_gate_instr_verdict(double change, double threshold)
{
    if (change > threshold) return BB_GATE_SLOWER;
    if (change < -threshold) return BB_GATE_FASTER;
    return BB_GATE_SAME;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Finite values of v[0..n) into out (caller's room for n). Returns the count. */
static size_t finite_of(const double *v, int n, double *out)
{
    size_t k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) out[k++] = v[i];
    return k;
}

static const char *metric_names(int m)
{
    return m == (BB_GATE_METRIC_TIME | BB_GATE_METRIC_INSTR) ? "time and instructions"
         : m == BB_GATE_METRIC_TIME                          ? "time"
         : m == BB_GATE_METRIC_INSTR                         ? "instructions"
                                                             : "neither time nor instructions";
}

static int metrics_of(const bb_gate_file *f)
{
    return (f->has_time ? BB_GATE_METRIC_TIME : 0) | (f->has_instr ? BB_GATE_METRIC_INSTR : 0);
}

/* The timing threshold of row (configuration b of BASE): the configuration's floor (its own, else
 * BASE's global one, said in the note), and the larger of it and 5% (or --threshold, which
 * gate_thresholds checked). No floor: NaN, and the note says why the verdict is inconclusive. */
static void time_threshold(const bb_gate_file *base, const bb_gate_opts *o, bb_gate_report *rep, bb_gate_row *row)
{
    double fl = bb_gate_floor_for(&base->floor, row->name, &row->floor_src);
    row->floor_pct = fl;
    if (row->floor_src == BB_GATE_FLOOR_NONE) {
        note_add(row, "inconclusive: BASE records no noise floor (busbench calibrate --record BASE)");
        return;
    }
    if (row->floor_src == BB_GATE_FLOOR_GLOBAL) {
        char why[160];
        snprintf(why, sizeof why, "no noise floor of its own in BASE: the global floor %.2f%% is used", fl);
        note_add(row, why);
        rep->floor_global++;
    }
    double thr = o->threshold_pct;
    if (isnan(thr)) thr = fl > 5 ? ceil(fl * 10) / 10 : 5;
    row->threshold_pct = thr;
}

/* Compare the timing of b and c into row (its threshold_pct set: NaN gives INCONCLUSIVE). */
static bb_result time_row(const bb_bres *b, const bb_bres *c, const bb_gate_opts *o, double alpha, bb_gate_row *row)
{
    double *xb = malloc((size_t)(b->rounds > 0 ? b->rounds : 1) * sizeof *xb);
    double *xc = malloc((size_t)(c->rounds > 0 ? c->rounds : 1) * sizeof *xc);
    if (!xb || !xc) {
        free(xb);
        free(xc);
        return BB_ERR_NOMEM;
    }
    size_t nb = finite_of(b->rep_ns, b->rounds, xb), nc = finite_of(c->rep_ns, c->rounds, xc);
    row->nbase = nb;
    row->ncur = nc;
    if (!nb || !nc) {
        row->verdict = BB_GATE_NOT_COMPARED;
        note_add(row, !nb ? "no valid timed rounds in BASE" : "no valid timed rounds in NEW");
    } else {
        row->base = bb_stats_median(xb, nb);
        row->cur = bb_stats_median(xc, nc);
        row->change = row->cur / row->base - 1;
        bb_stats_change_ci(xb, nb, xc, nc, o->resamples ? o->resamples : BB_STATS_BOOT_DEFAULT, 0.95,
                          o->seed ^ fnv1a(b->name), &row->ci_lo, &row->ci_hi);
        bb_stats_mwu u;
        if (bb_stats_mann_whitney(xb, nb, xc, nc, &u)) {
            free(xb);
            free(xc);
            return BB_ERR_NOMEM;
        }
        row->p = u.p;
        row->verdict = isnan(row->threshold_pct) ? BB_GATE_INCONCLUSIVE
                                                 : bb_gate_time_verdict(row->change, row->p, row->threshold_pct / 100, alpha);
        /* the smallest p the exact test can give is 2 / C(nb + nc, nb) */
        double pmin = 2;
        for (size_t i = 1; i <= nb; i++) pmin *= (double)i / (double)(nc + i);
        char why[96];
        snprintf(why, sizeof why, "%zu and %zu rounds cannot reach p < %g: more --reps", nb, nc, alpha);
        if (u.exact && pmin >= alpha) note_add(row, why);
    }
    free(xb);
    free(xc);
    return BB_OK;
}

/* Tokens of BASE's bench command (its context's "command") into out, space-separated: keep_sel only
 * the options that calibrate takes too (--golden, --workloads, --strategies, --threads, --pins, --reps,
 * --min-sample-time), else
 * all but --out, --metric, --shard and --quiet. Returns false when BASE was not made by one bench. */
static bool bench_options(const bb_gate_file *base, bool keep_sel, char *out, size_t cap)
{
    static const char *const drop[] = {"--out", "-o", "--metric", "--shard"};
    static const char *const sel[] = {"--golden",  "--workloads", "--strategies",
                                      "--threads", "--pins",      "--reps", "--min-sample-time"};
    out[0] = '\0';
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", bb_json_ctx_str(base->r.context, "command"));
    char *save = NULL, *t = strtok_r(buf, " ", &save);
    if (!t || strcmp(t, "busbench") || !(t = strtok_r(NULL, " ", &save)) || strcmp(t, "bench")) return false;
    while ((t = strtok_r(NULL, " ", &save))) {
        size_t k = strcspn(t, "=");
        bool value_next = t[k] == '\0', keep = !keep_sel, known = false;
        for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
            if (strlen(drop[i]) == k && !strncmp(t, drop[i], k)) keep = false, known = true;
        for (size_t i = 0; keep_sel && i < sizeof sel / sizeof *sel; i++)
            if (strlen(sel[i]) == k && !strncmp(t, sel[i], k)) keep = known = true;
        if (!strcmp(t, "--quiet")) keep = false;
        char *v = known && value_next ? strtok_r(NULL, " ", &save) : NULL;
        if (keep) bb_result_appendf(out, cap, " %s%s%s", t, v ? " " : "", v ? v : "");
    }
    return true;
}

/* BASE is what cannot be compared (made elsewhere, or without a metric): say how to re-make it here. */
static void remake_hint(const bb_gate_file *base, int want, bool env, bb_gate_report *rep)
{
    char opts[1024], sel[1024];
    int m = want | metrics_of(base);
    bool bench_made = bench_options(base, false, opts, sizeof opts);
    bench_options(base, true, sel, sizeof sel);
    rep->remake_base = true;
    bb_result_appendf(rep->remake, sizeof rep->remake,
           "re-make BASE in NEW's environment (%s): build the commit it measures (%s) there and, with that build,\n"
           "  busbench bench --metric %s%s --quiet --out %s\n",
           env ? "the same ISA, compiler and flags; for times the same CPU; for instructions the same valgrind and libc"
               : "benched with the metrics compared",
           bb_json_ctx_str(base->r.context, "git_commit"),
           m == (BB_GATE_METRIC_TIME | BB_GATE_METRIC_INSTR) ? "both" : m == BB_GATE_METRIC_TIME ? "time" : "instructions",
           bench_made ? opts : " [BASE's options]", base->path);
    if (m & BB_GATE_METRIC_TIME)
        bb_result_appendf(rep->remake, sizeof rep->remake, "  busbench calibrate%s --record %s   (its noise floor, for times)\n",
               bench_made ? sel : " [the same selection]", base->path);
    bb_result_appendf(rep->remake, sizeof rep->remake,
           "harness/ci/gate.sh COMMIT makes a baseline of COMMIT this way in a git worktree and compares; in busbench's "
           "repository, make baseline re-makes reports/baseline.json%s\n",
           env ? "; --force compares anyway" : "");
}

/* The metrics to gate: asked (o->metrics) or every one both files have. BB_OK with rep->metrics set,
 * or BB_ERR_FORMAT naming the file without the metric (BASE: rep->remake says how to re-make it). */
static bb_result gate_metrics(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *o,
                              bb_gate_report *rep, bb_error *err)
{
    int have = metrics_of(base) & metrics_of(cur);
    int want = o->metrics ? o->metrics : have;
    const char *vg = base->has_instr && !base->has_time ? " (its times were taken under valgrind: bench --metric "
                                                          "instructions)"
                                                        : "";
    if (!want) {
        if (metrics_of(cur) & ~metrics_of(base)) remake_hint(base, metrics_of(cur), false, rep);
        return bb_error_set(err, BB_ERR_FORMAT, cur->path, 0, 0,
                            "no metric in common: BASE has %s%s, NEW has %s (bench both with --metric instructions or "
                            "both without)",
                            metric_names(metrics_of(base)), vg, metric_names(metrics_of(cur)));
    }
    if ((want & have) != want) {
        const bb_gate_file *lack = (want & ~metrics_of(base)) ? base : cur;
        if (lack == base) remake_hint(base, want, false, rep);
        return bb_error_set(err, BB_ERR_FORMAT, lack->path, 0, 0, "has no %s to compare (it has %s%s)",
                            metric_names(want & ~metrics_of(lack)), metric_names(metrics_of(lack)), lack == base ? vg : "");
    }
    rep->metrics = want;
    return BB_OK;
}

/* The environments must match for each metric gated (bb_env_fingerprint); --force turns a
 * refusal into a warning. */
static bb_result gate_environments(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *o,
                                   bb_gate_report *rep, bb_error *err)
{
    char refuse[1024] = "";
    int nref = 0;
    if (rep->metrics & BB_GATE_METRIC_TIME)
        nref += bb_env_fingerprint(base->r.context, cur->r.context, true, refuse, sizeof refuse, rep->warnings,
                                    sizeof rep->warnings);
    if (rep->metrics & BB_GATE_METRIC_INSTR)
        nref += bb_env_fingerprint(base->r.context, cur->r.context, false, refuse, sizeof refuse, rep->warnings,
                                    sizeof rep->warnings);
    if (nref && !o->force) {
        remake_hint(base, rep->metrics, true, rep);
        char first[256];
        snprintf(first, sizeof first, "%s", refuse);
        first[strcspn(first, "\n")] = '\0';
        bb_result_appendf(rep->warnings, sizeof rep->warnings, "%s", refuse);
        return bb_error_set(err, BB_ERR_FORMAT, cur->path, 0, 0,
                            "measured in an environment that BASE's measurements cannot be compared with (%s%s); "
                            "--force compares anyway",
                            first, nref > 1 ? ", and more" : "");
    }
    if (nref) bb_result_appendf(rep->warnings, sizeof rep->warnings, "compared anyway (--force): %s", refuse);
    return BB_OK;
}

/* The largest floor in BASE over the configurations that both files have (NaN: none), its name into worst. */
static double largest_floor(const bb_gate_file *base, const bb_gate_file *cur, const char **worst)
{
    double m = (double)NAN;
    *worst = NULL;
    for (size_t i = 0; i < base->r.n; i++) {
        bb_gate_floor_src src;
        double f = bb_gate_floor_for(&base->floor, base->r.v[i].name, &src);
        if (bb_json_results_find(&cur->r, base->r.v[i].name) && src != BB_GATE_FLOOR_NONE && !(f <= m)) {
            m = f;
            *worst = base->r.v[i].name;
        }
    }
    return m;
}

/* The timing threshold asked (never below the floor of a configuration compared, unless
 * o->below_floor_ok; per configuration: time_threshold) and the instruction threshold. */
static bb_result gate_thresholds(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *o,
                                 bb_gate_report *rep, bb_error *err)
{
    if (rep->metrics & BB_GATE_METRIC_TIME) {
        const bb_gate_floor *fl = &base->floor;
        double thr = o->threshold_pct;
        const char *worst;
        double top = largest_floor(base, cur, &worst);
        if (!fl->present)
            bb_result_appendf(rep->warnings, sizeof rep->warnings,
                   "BASE records no noise floor (busbench calibrate --record BASE): timing differences are "
                   "inconclusive, never a regression; the deterministic counters%s still gate\n",
                   rep->metrics & BB_GATE_METRIC_INSTR ? " and the instruction counts" : "");
        if (isnan(thr)) {
            thr = 5;
        } else if (!(thr >= 0 && thr < 1000)) {
            return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "--threshold must lie in [0, 1000) percent");
        } else if (!o->below_floor_ok && worst && thr < top) {
            return bb_error_set(err, BB_ERR_ARG, base->path, 0, 0,
                                "refusing a timing threshold of %g%%: it is below the noise floor of %.2f%% recorded "
                                "in BASE for %s (busbench calibrate, %s: %d A/A trials of %d rounds, level %g: a "
                                "change that unchanged runs reach), so noise alone would be called a regression; use "
                                "--threshold %.1f or more, leave it out (each configuration then uses its own floor), "
                                "or re-calibrate",
                                thr, top, worst, fl->date, fl->trials, fl->reps, fl->level, ceil(top * 10) / 10);
        }
        rep->threshold_pct = thr;
        rep->threshold_asked = !isnan(o->threshold_pct);
    }
    if (rep->metrics & BB_GATE_METRIC_INSTR) {
        double t = isnan(o->instr_threshold_pct) ? 1 : o->instr_threshold_pct;
        if (!(t >= 0 && t < 1000))
            return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "--instr-threshold must lie in [0, 1000) percent");
        rep->instr_threshold_pct = t;
    }
    if (cur->extra_work_pct > 0)
        bb_result_appendf(rep->warnings, sizeof rep->warnings,
               "NEW was benched with --extra-work %g (a test-only injected cost)\n", cur->extra_work_pct);
    if (base->extra_work_pct > 0)
        bb_result_appendf(rep->warnings, sizeof rep->warnings,
               "BASE was benched with --extra-work %g (a test-only injected cost)\n", base->extra_work_pct);
    return BB_OK;
}

/* The counters row of a configuration: those that moved, unstable counters, a broken render (NEW's
 * render was wrong or failed: its counters describe no correct render, so they are not compared, and
 * no advice to re-make the baseline follows from them). */
static void counters_row(bb_gate_report *rep, bb_gate_row *row, const bb_bres *b, const bb_bres *c)
{
    row->broken = c->error[0] != '\0';
    row->nup = row->broken ? 0 : bb_gate_counters(b, c, row->up, BB_GATE_COUNTERS_MAX);
    row->unstable = !row->broken && c->valid >= 2 && !c->counters_stable;
    if (row->broken) snprintf(row->headline, sizeof row->headline, "%s", c->error);
    bool rose = false;
    for (int u = 0; u < row->nup; u++) rose |= row->up[u].cur > row->up[u].base;
    row->verdict = row->broken     ? BB_GATE_WRONG
                 : row->unstable   ? BB_GATE_VARIED
                 : rose            ? BB_GATE_UP
                 : row->nup        ? BB_GATE_DOWN
                                   : BB_GATE_SAME;
    rep->counter_regressions += rose;
    rep->counter_changes += row->nup > 0 && !rose;
    rep->unstable += row->unstable;
    rep->broken += row->broken;
    if (!row->broken && !b->counters_stable && b->valid >= 2)
        snprintf(row->note, sizeof row->note, "BASE's deterministic counters varied between rounds");
}

/* The instruction row of configuration i of BASE (j of NEW), both at 1 thread. */
static void instr_row(const bb_gate_report *rep, bb_gate_row *row, const bb_gate_file *base, const bb_gate_file *cur,
                      size_t i, size_t j)
{
    row->base = base->instr[i];
    row->cur = cur->instr[j];
    row->nbase = row->ncur = 1;
    if (!isfinite(row->base) || !isfinite(row->cur) || row->base <= 0) {
        row->verdict = BB_GATE_NOT_COMPARED;
        snprintf(row->note, sizeof row->note, "no instruction count in %s",
                 !isfinite(row->base) || row->base <= 0 ? "BASE" : "NEW");
    } else {
        row->change = row->cur / row->base - 1;
        row->threshold_pct = rep->instr_threshold_pct;
        row->verdict = bb_gate_instr_verdict(row->change, rep->instr_threshold_pct / 100);
        if ((base->instr_lo[i] != base->instr_hi[i] || cur->instr_lo[j] != cur->instr_hi[j]))
            snprintf(row->note, sizeof row->note, "instruction counts varied between rounds (BASE %.0f..%.0f, NEW %.0f..%.0f)",
                     base->instr_lo[i], base->instr_hi[i], cur->instr_lo[j], cur->instr_hi[j]);
    }
}

/* Why configuration b of BASE and c of NEW cannot be compared (into buf), or NULL. */
static const char *not_comparable(const bb_bres *b, const bb_bres *c, char *buf, size_t cap)
{
    if (b->frames != c->frames || b->sr != c->sr || b->block != c->block) {
        snprintf(buf, cap, "a different workload: %lld frames at %d Hz, blocks of %lld (BASE) vs %lld, %d, %lld (NEW)",
                 (long long)b->frames, b->sr, (long long)b->block, (long long)c->frames, c->sr, (long long)c->block);
        return buf;
    }
    return b->error[0] && b->valid == 0 ? "BASE had no correct render" : NULL;
}

/* A counters row "not compared" of name (the configuration could not be compared), with note. 0, or -1
 * when out of memory. */
static int row_not_compared(bb_gate_report *rep, const char *name, const char *note)
{
    bb_gate_row *row = add_row(rep, name, BB_GATE_METRIC_COUNTERS);
    if (!row) return -1;
    row->verdict = BB_GATE_NOT_COMPARED;
    snprintf(row->note, sizeof row->note, "%s", note);
    rep->not_compared++;
    return 0;
}

/* The rows of configuration i of BASE: counters, then instructions (at 1 thread: above, valgrind's
 * serialised threads count waiting and stealing), then time. 0, or -1 when out of memory. */
static int compare_config(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *o, double alpha,
                          size_t i, bb_gate_report *rep)
{
    static const int order[2] = {BB_GATE_METRIC_INSTR, BB_GATE_METRIC_TIME};
    const bb_bres *b = &base->r.v[i];
    const bb_bres *c = bb_json_results_find(&cur->r, b->name);
    if (!c) return row_not_compared(rep, b->name, "not in NEW");
    char whybuf[200];
    const char *why = not_comparable(b, c, whybuf, sizeof whybuf);
    if (why) return row_not_compared(rep, b->name, why);
    rep->compared++;
    bb_gate_row *row = add_row(rep, b->name, BB_GATE_METRIC_COUNTERS);
    if (!row) return -1;
    counters_row(rep, row, b, c);
    bool broken = row->broken;
    for (int k = 0; k < 2; k++) {
        int m = order[k];
        if (!(rep->metrics & m) || (m == BB_GATE_METRIC_INSTR && (b->threads > 1 || c->threads > 1))) continue;
        if (!(row = add_row(rep, b->name, m))) return -1;
        if (broken) {
            row->verdict = BB_GATE_NOT_COMPARED;
            snprintf(row->note, sizeof row->note, "NEW's render was wrong: its measurements describe no correct render");
        } else if (m == BB_GATE_METRIC_TIME) {
            time_threshold(base, o, rep, row);
            if (time_row(b, c, o, alpha, row)) return -1;
        } else {
            instr_row(rep, row, base, cur, i, (size_t)(c - cur->r.v));
        }
        switch (row->verdict) {
        case BB_GATE_SAME: rep->same++; break;
        case BB_GATE_FASTER: rep->faster++; break;
        case BB_GATE_SLOWER: rep->slower++; break;
        case BB_GATE_INCONCLUSIVE: rep->inconclusive++; break;
        default: rep->not_compared++; break;
        }
    }
    return 0;
}

bb_result bb_gate_compare(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *o,
                          bb_gate_report *rep, bb_error *err)
{
    memset(rep, 0, sizeof *rep);
    rep->threshold_pct = rep->instr_threshold_pct = (double)NAN;
    double alpha = isnan(o->alpha) ? 0.05 : o->alpha;
    rep->alpha = alpha;
    if (!(alpha > 0 && alpha < 1)) return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "alpha must lie in (0, 1)");
    bb_result r;
    if ((r = gate_metrics(base, cur, o, rep, err)) || (r = gate_environments(base, cur, o, rep, err)) ||
        (r = gate_thresholds(base, cur, o, rep, err)))
        return r;
    for (size_t i = 0; i < base->r.n; i++)
        if (compare_config(base, cur, o, alpha, i, rep)) goto nomem;
    for (size_t j = 0; j < cur->r.n; j++)
        if (!bb_json_results_find(&base->r, cur->r.v[j].name) && row_not_compared(rep, cur->r.v[j].name, "not in BASE"))
            goto nomem;
    if (rep->floor_global)
        bb_result_appendf(rep->warnings, sizeof rep->warnings,
               "%d configuration%s without a noise floor of %s own in BASE used the global floor (%.2f%%): "
               "re-calibrate (busbench calibrate --record BASE) to give each its own\n",
               rep->floor_global, rep->floor_global == 1 ? "" : "s", rep->floor_global == 1 ? "its" : "their",
               base->floor.pct);
    if (!rep->compared)
        return bb_error_set(err, BB_ERR_FORMAT, cur->path, 0, 0,
                            "no configuration of BASE could be compared (%zu in BASE, %zu in NEW, none in common with "
                            "the same workload)",
                            base->r.n, cur->r.n);
    return BB_OK;
nomem:
    bb_gate_report_free(rep);
    return bb_error_set(err, BB_ERR_NOMEM, "<compare>", 0, 0, "no memory");
}

bool bb_gate_regressed(const bb_gate_report *rep)
{
    return rep->slower + rep->counter_regressions + rep->counter_changes + rep->unstable + rep->broken > 0;
}

bb_result bb_gate_set_context(const char *path, const char *key, json_t *value, bb_error *err)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        if (access(path, R_OK) != 0) return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
        return bb_error_set(err, BB_ERR_FORMAT, path, je.line, je.column, "not JSON: %s", je.text);
    }
    json_t *ctx = json_object_get(doc, "context");
    if (!json_is_object(ctx) || !json_is_array(json_object_get(doc, "benchmarks"))) {
        json_decref(doc);
        return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "not a busbench results file (no context and benchmarks)");
    }
    json_object_set(ctx, key, value);
    bb_result res = bb_json_commit_doc(doc, path, err);
    json_decref(doc);
    return res;
}
