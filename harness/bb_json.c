/* bb_json.c - bench results as Google Benchmark JSON (libjansson) and CSV.
 *
 * What it is: the one place that knows the file formats of a bench result.
 * The bench fills bb_results and calls bb_json_write / bb_json_write_csv; the
 * report calls bb_json_read and gets the same model back (a round trip keeps
 * every field the report uses; tests check it).
 *
 * Invariants: files are replaced atomically (mkstemp beside the target,
 * write, fsync, rename), so an interrupted bench never leaves half a result
 * where a good one was; NaN is never written (JSON has none): it becomes null
 * and null reads back as NaN; entries of one configuration share run_name.
 *
 * Units: the model is in ns and bytes; the JSON's real_time/cpu_time are in
 * ms (time_unit "ms"); every other time field names its unit (_ns); the CSV
 * gives render times in ms and block times in us, as its header says. */
#include "bb_json.h"

#include "bb_alloc.h"
#include "bb_tmpfile.h"

#include <errno.h>
#include <hwloc.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CDF_TAIL 0.995, 0.999, 0.9999, 1.0
const double bb_json_cdf_p[BB_JSON_CDF_POINTS] = {
    0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17,
    0.18, 0.19, 0.20, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33, 0.34, 0.35,
    0.36, 0.37, 0.38, 0.39, 0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.50, 0.51, 0.52, 0.53,
    0.54, 0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71,
    0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89,
    0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, CDF_TAIL,
};

#define C(f) {#f, offsetof(bb_stats, f)}
const bb_json_counter bb_json_counters[] = {
    C(frames), C(blocks), C(windows), C(cycles), C(preprocess_calls), C(synth_calls), C(synth_samples),
    C(requests), C(cache_hits), C(cache_misses), C(allocs), C(alloc_bytes), C(allocs_steady),
    C(alloc_bytes_steady), C(busbuf_allocs), C(busbuf_allocs_steady), C(pool_reuse), C(voices),
    C(voices_dropped), C(clamps), C(reloads), C(invalidated), C(lane_groups), C(lane_samples), C(lane_slots),
    C(lane_fallbacks), C(jobs_local),
};
#undef C
const size_t bb_json_ncounters = sizeof bb_json_counters / sizeof bb_json_counters[0];

static uint64_t counter(const bb_stats *s, size_t i)
{
    uint64_t v;
    memcpy(&v, (const char *)s + bb_json_counters[i].offset, sizeof v);
    return v;
}

static void set_counter(bb_stats *s, size_t i, uint64_t v)
{
    memcpy((char *)s + bb_json_counters[i].offset, &v, sizeof v);
}

/* ---- the model ------------------------------------------------------------------ */
void bb_json_results_init(bb_results *r) { memset(r, 0, sizeof *r); }

void bb_json_results_free(bb_results *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].rep_ns);
        free(r->v[i].rep_cpu_ns);
    }
    free(r->v);
    if (r->context) json_decref(r->context);
    memset(r, 0, sizeof *r);
}

bb_bres *bb_json_results_add(bb_results *r, int rounds)
{
    if (rounds < 0) rounds = 0;
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 16;
        bb_bres *v = realloc(r->v, nc * sizeof *v);
        if (!v) return NULL;
        r->v = v;
        r->cap = nc;
    }
    bb_bres *b = &r->v[r->n];
    memset(b, 0, sizeof *b);
    b->rep_ns = malloc((size_t)(rounds ? rounds : 1) * sizeof *b->rep_ns);
    b->rep_cpu_ns = malloc((size_t)(rounds ? rounds : 1) * sizeof *b->rep_cpu_ns);
    if (!b->rep_ns || !b->rep_cpu_ns) {
        free(b->rep_ns);
        free(b->rep_cpu_ns);
        return NULL;
    }
    b->rounds = rounds;
    for (int i = 0; i < rounds; i++) b->rep_ns[i] = b->rep_cpu_ns[i] = NAN;
    b->t.median = b->t.mean = b->t.stddev = b->t.mad = b->t.min = b->t.max = NAN;
    b->ci_lo = b->ci_hi = b->cpu_median = NAN;
    b->speedup = b->sp_lo = b->sp_hi = NAN;
    b->seq_ns = b->par_ns = NAN;
    b->steps.schedule_ns = b->steps.resolve_ns = b->steps.mix_ns = b->steps.continuous_ns = b->steps.retire_ns = NAN;
    b->cold.p50 = b->cold.p99 = b->cold.p999 = b->cold.max = NAN;
    b->steady = b->cold;
    for (int i = 0; i < BB_JSON_CDF_POINTS; i++) b->cdf_cold[i] = b->cdf_steady[i] = NAN;
    b->counters_stable = true;
    b->pin_ok = true;
    r->n++;
    return b;
}

bb_bres *bb_json_results_find(const bb_results *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].name, name)) return &r->v[i];
    return NULL;
}

/* ---- writing ---------------------------------------------------------------------- */
static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static json_t *ms(double ns) { return num(ns / 1e6); }

static int put(json_t *o, const char *k, json_t *v)
{
    return v ? json_object_set_new(o, k, v) : -1;
}

static void put_config(json_t *e, const bb_bres *b)
{
    put(e, "workload", json_string(b->workload));
    put(e, "strategy", json_string(b->strategy));
    put(e, "pin", json_string(b->pin));
    put(e, "threads", json_integer(b->threads));
    put(e, "block", json_integer(b->block));
    put(e, "sample_rate", json_integer(b->sr));
    for (size_t i = 0; i < bb_json_ncounters; i++)
        put(e, bb_json_counters[i].name, json_integer((json_int_t)counter(&b->counters, i)));
}

static json_t *entry(const bb_bres *b, int family, const char *suffix, const char *run_type)
{
    json_t *e = json_object();
    if (!e) return NULL;
    char name[400];
    snprintf(name, sizeof name, "%s%s", b->name, suffix);
    put(e, "name", json_string(name));
    put(e, "family_index", json_integer(family));
    put(e, "per_family_instance_index", json_integer(0));
    put(e, "run_name", json_string(b->name));
    put(e, "run_type", json_string(run_type));
    put(e, "repetitions", json_integer(b->valid));
    put(e, "threads", json_integer(b->threads));
    put(e, "iterations", json_integer(1));
    put(e, "time_unit", json_string("ms"));
    put(e, "label", json_string(b->strategy));
    return e;
}

static void put_stats(json_t *e, const bb_bres *b)
{
    put(e, "rounds", json_integer(b->rounds));
    put(e, "valid", json_integer(b->valid));
    put(e, "voided", json_integer(b->voided));
    put(e, "frames", json_integer(b->frames));
    put(e, "median_ns", num(b->t.median));
    put(e, "mean_ns", num(b->t.mean));
    put(e, "stddev_ns", num(b->t.stddev));
    put(e, "mad_ns", num(b->t.mad));
    put(e, "min_ns", num(b->t.min));
    put(e, "max_ns", num(b->t.max));
    put(e, "ci95_lo_ns", num(b->ci_lo));
    put(e, "ci95_hi_ns", num(b->ci_hi));
    put(e, "cpu_median_ns", num(b->cpu_median));
    put(e, "baseline", json_string(b->baseline));
    put(e, "speedup", num(b->speedup));
    put(e, "speedup_ci95_lo", num(b->sp_lo));
    put(e, "speedup_ci95_hi", num(b->sp_hi));
    put(e, "speedup_pairs", json_integer(b->pairs));
    put(e, "deadline_ns", num(b->deadline_ns));
    put(e, "window_blocks", json_integer(b->window_blocks));
    put(e, "window_misses", json_integer((json_int_t)b->window_misses));
    put(e, "windows_timed", json_integer((json_int_t)b->windows_timed));
    put(e, "cold_blocks", json_integer((json_int_t)b->cold.n));
    put(e, "cold_p50_ns", num(b->cold.p50));
    put(e, "cold_p99_ns", num(b->cold.p99));
    put(e, "cold_p999_ns", num(b->cold.p999));
    put(e, "cold_max_ns", num(b->cold.max));
    put(e, "cold_misses", json_integer((json_int_t)b->cold.misses));
    put(e, "steady_blocks", json_integer((json_int_t)b->steady.n));
    put(e, "steady_p50_ns", num(b->steady.p50));
    put(e, "steady_p99_ns", num(b->steady.p99));
    put(e, "steady_p999_ns", num(b->steady.p999));
    put(e, "steady_max_ns", num(b->steady.max));
    put(e, "steady_misses", json_integer((json_int_t)b->steady.misses));
    put(e, "counters_stable", json_boolean(b->counters_stable));
    put(e, "allocs_min", json_integer((json_int_t)b->allocs_lo));
    put(e, "allocs_max", json_integer((json_int_t)b->allocs_hi));
    put(e, "allocs_steady_min", json_integer((json_int_t)b->allocs_steady_lo));
    put(e, "allocs_steady_max", json_integer((json_int_t)b->allocs_steady_hi));
    put(e, "peak_heap_bytes", json_integer(b->peak_heap));
    put(e, "maxrss_kib", json_integer(b->maxrss_kib));
    put(e, "seq_ns", num(b->seq_ns));
    put(e, "par_ns", num(b->par_ns));
    put(e, "step_schedule_ns", num(b->steps.schedule_ns));
    put(e, "step_resolve_ns", num(b->steps.resolve_ns));
    put(e, "step_mix_ns", num(b->steps.mix_ns));
    put(e, "step_continuous_ns", num(b->steps.continuous_ns));
    put(e, "step_retire_ns", num(b->steps.retire_ns));
    put(e, "step_windows", json_integer((json_int_t)b->steps.windows));
    put(e, "pin_ok", json_boolean(b->pin_ok));
    char pl[1024] = "";
    size_t used = 0;
    for (int i = 0; i < b->nplaces && used < sizeof pl; i++) {
        int w = snprintf(pl + used, sizeof pl - used, "%sw%d:%d>%d%s", i ? " " : "", i, b->places[i].planned_pu,
                         b->places[i].last_pu,
                         b->places[i].planned_pu >= 0 && !b->places[i].bound ? "!" : "");
        if (w < 0) break;
        used += (size_t)w;
    }
    put(e, "places", json_string(pl));
}

static json_t *array_of(const double *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++) json_array_append_new(a, num(v[i]));
    return a;
}

json_t *bb_json_document(const bb_results *r)
{
    json_t *doc = json_object(), *benches = json_array(), *bb = json_object(), *configs = json_array();
    if (!doc || !benches || !bb || !configs) goto fail;
    put(doc, "context", r->context ? json_deep_copy(r->context) : json_object());
    for (size_t c = 0; c < r->n; c++) {
        const bb_bres *b = &r->v[c];
        int rep = 0;
        for (int i = 0; i < b->rounds; i++) {
            if (!isfinite(b->rep_ns[i])) continue;
            json_t *e = entry(b, (int)c, "", "iteration");
            put(e, "repetition_index", json_integer(rep++));
            put(e, "round", json_integer(i));
            put(e, "real_time", ms(b->rep_ns[i]));
            put(e, "cpu_time", ms(b->rep_cpu_ns[i]));
            put_config(e, b);
            json_array_append_new(benches, e);
        }
        static const char *const aggs[] = {"mean", "median", "stddev", "mad", "min", "max"};
        for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++) {
            if (b->valid == 0 && strcmp(aggs[a], "median")) continue;
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%s", aggs[a]);
            json_t *e = entry(b, (int)c, suffix, "aggregate");
            put(e, "aggregate_name", json_string(aggs[a]));
            put(e, "aggregate_unit", json_string("time"));
            double v = a == 0 ? b->t.mean : a == 1 ? b->t.median : a == 2 ? b->t.stddev : a == 3 ? b->t.mad
                     : a == 4 ? b->t.min : b->t.max;
            put(e, "real_time", isfinite(v) ? json_real(v / 1e6) : json_real(0));
            double cv = a == 1 ? b->cpu_median : (double)NAN;
            put(e, "cpu_time", isfinite(cv) ? json_real(cv / 1e6) : isfinite(v) ? json_real(v / 1e6) : json_real(0));
            put_config(e, b);
            if (a == 1) put_stats(e, b);
            if (b->error[0]) {
                put(e, "error_occurred", json_true());
                put(e, "error_message", json_string(b->error));
            }
            json_array_append_new(benches, e);
        }
        json_t *s = json_object();
        put(s, "name", json_string(b->name));
        put(s, "rep_ns", array_of(b->rep_ns, b->rounds));
        put(s, "rep_cpu_ns", array_of(b->rep_cpu_ns, b->rounds));
        put(s, "cdf_cold_ns", array_of(b->cdf_cold, BB_JSON_CDF_POINTS));
        put(s, "cdf_steady_ns", array_of(b->cdf_steady, BB_JSON_CDF_POINTS));
        json_t *pl = json_array();
        for (int i = 0; pl && i < b->nplaces; i++) {
            json_t *w = json_object();
            put(w, "worker", json_integer(i));
            put(w, "planned_pu", json_integer(b->places[i].planned_pu));
            put(w, "last_pu", json_integer(b->places[i].last_pu));
            put(w, "bound", json_boolean(b->places[i].bound));
            json_array_append_new(pl, w);
        }
        put(s, "places", pl);
        json_array_append_new(configs, s);
    }
    put(doc, "benchmarks", benches);
    put(bb, "format", json_integer(1));
    put(bb, "cdf_p", array_of(bb_json_cdf_p, BB_JSON_CDF_POINTS));
    put(bb, "configs", configs);
    put(doc, "busbench", bb);
    return doc;
fail:
    json_decref(doc);
    json_decref(benches);
    json_decref(bb);
    json_decref(configs);
    return NULL;
}

bb_result bb_json_commit_file(const char *path, const void *data, size_t n, bb_error *err)
{
    char *tmp;
    int fd, slot;
    bb_result r = bb_tmp_create(path, &fd, &tmp, &slot, err);
    if (r) return r;
    const char *p = data;
    size_t left = n;
    int bad = 0;
    while (left && !bad) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) bad = errno ? errno : EIO;
        else {
            p += w;
            left -= (size_t)w;
        }
    }
    /* mkstemp makes 0600 files; results are ordinary documents: honour the umask */
    mode_t mask = umask(0);
    umask(mask);
    if (!bad && fchmod(fd, 0666 & ~mask) != 0) bad = errno;
    if (!bad && fsync(fd) != 0) bad = errno;
    if (close(fd) != 0 && !bad) bad = errno;
    if (!bad && rename(tmp, path) != 0) bad = errno;
    if (bad) {
        unlink(tmp);
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot write: %s", strerror(bad));
    }
    bb_tmp_unregister(slot);
    bb_free(tmp);
    return bad ? BB_ERR_IO : BB_OK;
}

bb_result bb_json_check_writable(const char *path, bb_error *err)
{
    char *tmp;
    int fd, slot;
    bb_result r = bb_tmp_create(path, &fd, &tmp, &slot, err);
    if (r) return r;
    close(fd);
    unlink(tmp);
    bb_tmp_unregister(slot);
    bb_free(tmp);
    return BB_OK;
}

bb_result bb_json_commit_doc(const json_t *doc, const char *path, bb_error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    size_t n = text ? strlen(text) : 0;
    char *full = text ? realloc(text, n + 1) : NULL;
    if (!full) {
        free(text);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory to serialise the JSON document");
    }
    full[n] = '\n';
    bb_result res = bb_json_commit_file(path, full, n + 1, err);
    free(full);
    return res;
}

bb_result bb_json_write(const bb_results *r, const char *path, bb_error *err)
{
    json_t *doc = bb_json_document(r);
    if (!doc) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory for the JSON document");
    bb_result res = bb_json_commit_doc(doc, path, err);
    json_decref(doc);
    return res;
}

/* ---- CSV ---------------------------------------------------------------------------- */
typedef struct strbuf {
    char *s;
    size_t n, cap;
    int bad;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    if (b->bad) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->bad = 1;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc <= b->n + (size_t)w) nc *= 2;
        char *s = realloc(b->s, nc);
        if (!s) {
            b->bad = 1;
            return;
        }
        b->s = s;
        b->cap = nc;
    }
}

static void csv_str(strbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        sb_printf(b, "%s", s);
        return;
    }
    sb_printf(b, "\"");
    for (const char *p = s; *p; p++) sb_printf(b, *p == '"' ? "\"\"" : "%c", *p);
    sb_printf(b, "\"");
}

static void csv_num(strbuf *b, double v, double scale)
{
    if (isfinite(v)) sb_printf(b, ",%.9g", v / scale);
    else sb_printf(b, ",");
}

static void csv_lat(strbuf *b, const bb_latency *l)
{
    csv_num(b, l->p50, 1e3);
    csv_num(b, l->p99, 1e3);
    csv_num(b, l->p999, 1e3);
    csv_num(b, l->max, 1e3);
    sb_printf(b, ",%" PRIu64 ",%zu", l->misses, l->n);
}

bb_result bb_json_write_csv(const bb_results *r, const char *path, bb_error *err)
{
    strbuf b = {0};
    sb_printf(&b, "name,workload,strategy,threads,pin,block,sample_rate,frames,rounds,valid,voided,"
                  "median_ms,mean_ms,stddev_ms,mad_ms,min_ms,max_ms,ci95_lo_ms,ci95_hi_ms,cpu_median_ms,"
                  "speedup,speedup_ci95_lo,speedup_ci95_hi,deadline_us,"
                  "cold_p50_us,cold_p99_us,cold_p999_us,cold_max_us,cold_misses,cold_blocks,"
                  "steady_p50_us,steady_p99_us,steady_p999_us,steady_max_us,steady_misses,steady_blocks,"
                  "window_blocks,window_misses,windows_timed,peak_heap_bytes,maxrss_kib,pin_ok,counters_stable,"
                  "allocs_min,allocs_max,allocs_steady_min,allocs_steady_max");
    for (size_t i = 0; i < bb_json_ncounters; i++) sb_printf(&b, ",%s", bb_json_counters[i].name);
    sb_printf(&b, ",places,error\n");
    for (size_t c = 0; c < r->n; c++) {
        const bb_bres *x = &r->v[c];
        csv_str(&b, x->name);
        sb_printf(&b, ",");
        csv_str(&b, x->workload);
        sb_printf(&b, ",");
        csv_str(&b, x->strategy);
        sb_printf(&b, ",%d,%s,%" PRId64 ",%d,%" PRId64 ",%d,%d,%d", x->threads, x->pin, x->block, x->sr, x->frames,
                  x->rounds, x->valid, x->voided);
        csv_num(&b, x->t.median, 1e6);
        csv_num(&b, x->t.mean, 1e6);
        csv_num(&b, x->t.stddev, 1e6);
        csv_num(&b, x->t.mad, 1e6);
        csv_num(&b, x->t.min, 1e6);
        csv_num(&b, x->t.max, 1e6);
        csv_num(&b, x->ci_lo, 1e6);
        csv_num(&b, x->ci_hi, 1e6);
        csv_num(&b, x->cpu_median, 1e6);
        csv_num(&b, x->speedup, 1);
        csv_num(&b, x->sp_lo, 1);
        csv_num(&b, x->sp_hi, 1);
        csv_num(&b, x->deadline_ns, 1e3);
        csv_lat(&b, &x->cold);
        csv_lat(&b, &x->steady);
        sb_printf(&b, ",%" PRId64 ",%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%" PRId64 ",%d,%d", x->window_blocks,
                  x->window_misses, x->windows_timed, x->peak_heap, x->maxrss_kib, x->pin_ok, x->counters_stable);
        sb_printf(&b, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, x->allocs_lo, x->allocs_hi, x->allocs_steady_lo,
                  x->allocs_steady_hi);
        for (size_t i = 0; i < bb_json_ncounters; i++) sb_printf(&b, ",%" PRIu64, counter(&x->counters, i));
        sb_printf(&b, ",");
        char pl[1024] = "";
        size_t used = 0;
        for (int i = 0; i < x->nplaces && used < sizeof pl; i++) {
            int w = snprintf(pl + used, sizeof pl - used, "%sw%d:%d>%d%s", i ? " " : "", i, x->places[i].planned_pu,
                             x->places[i].last_pu, x->places[i].planned_pu >= 0 && !x->places[i].bound ? "!" : "");
            if (w < 0) break;
            used += (size_t)w;
        }
        csv_str(&b, pl);
        sb_printf(&b, ",");
        csv_str(&b, x->error);
        sb_printf(&b, "\n");
    }
    if (b.bad) {
        free(b.s);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory for the CSV");
    }
    bb_result res = bb_json_commit_file(path, b.s, b.n, err);
    free(b.s);
    return res;
}

/* ---- reading -------------------------------------------------------------------------- */
static double get_num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : (double)NAN;
}

static int64_t get_int(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    if (json_is_real(v)) return (int64_t)json_real_value(v);
    return 0;
}

static void get_str(const json_t *o, const char *k, char *dst, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, k));
    snprintf(dst, cap, "%s", s ? s : "");
}

static void get_lat(const json_t *e, const char *pre, bb_latency *l)
{
    char k[64];
#define F(field, suffix) (snprintf(k, sizeof k, "%s_%s", pre, suffix), field = get_num(e, k))
    F(l->p50, "p50_ns");
    F(l->p99, "p99_ns");
    F(l->p999, "p999_ns");
    F(l->max, "max_ns");
#undef F
    snprintf(k, sizeof k, "%s_misses", pre);
    l->misses = (uint64_t)get_int(e, k);
    snprintf(k, sizeof k, "%s_blocks", pre);
    l->n = (size_t)get_int(e, k);
}

static void get_array(const json_t *a, double *dst, int n)
{
    for (int i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, (size_t)i);
        dst[i] = json_is_number(v) ? json_number_value(v) : (double)NAN;
    }
}

const char *bb_json_ctx_str(const json_t *ctx, const char *key)
{
    const char *s = json_string_value(json_object_get(ctx, key));
    return s ? s : "?";
}

bool bb_json_is_machines(const json_t *doc)
{
    return json_is_array(json_object_get(json_object_get(doc, "busbench"), "machines"));
}

json_t *bb_json_load(const char *path, bb_error *err)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (doc) return doc;
    FILE *f = fopen(path, "r");
    if (!f) {
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    int c = fgetc(f);
    fclose(f);
    if (c == EOF) bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "empty file (expected a busbench result)");
    else bb_error_set(err, BB_ERR_FORMAT, path, je.line, je.column, "not JSON: %s", je.text);
    return NULL;
}

bb_result bb_json_read(const char *path, bb_results *r, bb_error *err)
{
    bb_json_results_init(r);
    bb_error mine;
    if (!err) err = &mine;
    json_t *doc = bb_json_load(path, err);
    if (!doc) return err->code;
    bb_result res = bb_json_read_doc(doc, path, r, err);
    json_decref(doc);
    return res;
}

bb_result bb_json_read_doc(const json_t *doc, const char *path, bb_results *r, bb_error *err)
{
    bb_json_results_init(r);
    const json_t *benches = json_object_get(doc, "benchmarks");
    const json_t *ctx = json_object_get(doc, "context");
    if (bb_json_is_machines(doc))
        return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                            "a document of several machines (busbench merge --machines): only report reads it; give "
                            "one machine's result");
    if (!json_is_array(benches) || !json_is_object(ctx))
        return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                            "expected Google Benchmark JSON (a \"context\" object and a \"benchmarks\" array)");
    r->context = json_deep_copy(ctx);
    const json_t *configs = json_object_get(json_object_get(doc, "busbench"), "configs");
    size_t i;
    const json_t *e;
    json_array_foreach(benches, i, e) {
        const char *rt = json_string_value(json_object_get(e, "run_type"));
        const char *an = json_string_value(json_object_get(e, "aggregate_name"));
        if (!rt || strcmp(rt, "aggregate") || !an || strcmp(an, "median")) continue;
        if (!json_is_string(json_object_get(e, "workload"))) continue; /* not one of ours */
        const char *run_name = json_string_value(json_object_get(e, "run_name"));
        const json_t *series = NULL;
        size_t j;
        const json_t *s;
        json_array_foreach(configs, j, s) {
            const char *n = json_string_value(json_object_get(s, "name"));
            if (n && run_name && !strcmp(n, run_name)) {
                series = s;
                break;
            }
        }
        int rounds = series ? (int)json_array_size(json_object_get(series, "rep_ns")) : 0;
        bb_bres *b = bb_json_results_add(r, rounds);
        if (!b) {
            bb_json_results_free(r);
            return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
        }
        get_str(e, "run_name", b->name, sizeof b->name);
        get_str(e, "workload", b->workload, sizeof b->workload);
        get_str(e, "strategy", b->strategy, sizeof b->strategy);
        get_str(e, "pin", b->pin, sizeof b->pin);
        b->threads = (int)get_int(e, "threads");
        b->sr = (int)get_int(e, "sample_rate");
        b->block = get_int(e, "block");
        b->frames = get_int(e, "frames");
        b->valid = (int)get_int(e, "valid");
        b->voided = (int)get_int(e, "voided");
        b->t.n = (size_t)b->valid;
        b->t.median = get_num(e, "median_ns");
        b->t.mean = get_num(e, "mean_ns");
        b->t.stddev = get_num(e, "stddev_ns");
        b->t.mad = get_num(e, "mad_ns");
        b->t.min = get_num(e, "min_ns");
        b->t.max = get_num(e, "max_ns");
        b->ci_lo = get_num(e, "ci95_lo_ns");
        b->ci_hi = get_num(e, "ci95_hi_ns");
        b->cpu_median = get_num(e, "cpu_median_ns");
        get_str(e, "baseline", b->baseline, sizeof b->baseline);
        b->speedup = get_num(e, "speedup");
        b->sp_lo = get_num(e, "speedup_ci95_lo");
        b->sp_hi = get_num(e, "speedup_ci95_hi");
        b->pairs = (int)get_int(e, "speedup_pairs");
        b->deadline_ns = get_num(e, "deadline_ns");
        b->window_blocks = get_int(e, "window_blocks");
        b->window_misses = (uint64_t)get_int(e, "window_misses");
        b->windows_timed = (uint64_t)get_int(e, "windows_timed");
        get_lat(e, "cold", &b->cold);
        get_lat(e, "steady", &b->steady);
        for (size_t c = 0; c < bb_json_ncounters; c++)
            set_counter(&b->counters, c, (uint64_t)get_int(e, bb_json_counters[c].name));
        b->counters_stable = json_is_true(json_object_get(e, "counters_stable"));
        b->allocs_lo = (uint64_t)get_int(e, "allocs_min");
        b->allocs_hi = (uint64_t)get_int(e, "allocs_max");
        b->allocs_steady_lo = (uint64_t)get_int(e, "allocs_steady_min");
        b->allocs_steady_hi = (uint64_t)get_int(e, "allocs_steady_max");
        b->peak_heap = get_int(e, "peak_heap_bytes");
        b->maxrss_kib = get_int(e, "maxrss_kib");
        b->seq_ns = get_num(e, "seq_ns");
        b->par_ns = get_num(e, "par_ns");
        b->steps.schedule_ns = get_num(e, "step_schedule_ns");
        b->steps.resolve_ns = get_num(e, "step_resolve_ns");
        b->steps.mix_ns = get_num(e, "step_mix_ns");
        b->steps.continuous_ns = get_num(e, "step_continuous_ns");
        b->steps.retire_ns = get_num(e, "step_retire_ns");
        b->steps.windows = (uint64_t)get_int(e, "step_windows");
        b->pin_ok = json_is_true(json_object_get(e, "pin_ok"));
        get_str(e, "error_message", b->error, sizeof b->error);
        if (series) {
            get_array(json_object_get(series, "rep_ns"), b->rep_ns, rounds);
            get_array(json_object_get(series, "rep_cpu_ns"), b->rep_cpu_ns, rounds);
            get_array(json_object_get(series, "cdf_cold_ns"), b->cdf_cold, BB_JSON_CDF_POINTS);
            get_array(json_object_get(series, "cdf_steady_ns"), b->cdf_steady, BB_JSON_CDF_POINTS);
            const json_t *pl = json_object_get(series, "places");
            size_t k;
            const json_t *w;
            json_array_foreach(pl, k, w) {
                if (b->nplaces >= BB_WORKERS_MAX) break;
                bb_worker_place *p = &b->places[b->nplaces++];
                p->planned_pu = (int)get_int(w, "planned_pu");
                p->last_pu = (int)get_int(w, "last_pu");
                p->bound = json_is_true(json_object_get(w, "bound"));
            }
        }
    }
    if (r->n == 0) {
        bb_json_results_free(r);
        return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "no busbench configurations in this file");
    }
    return BB_OK;
}

/* ---- the topology ------------------------------------------------------------------------ */
static void human_bytes(char *dst, size_t cap, uint64_t b)
{
    if (b >= (1u << 20) && b % (1u << 20) == 0) snprintf(dst, cap, "%" PRIu64 " MiB", b >> 20);
    else if (b >= 1024 && b % 1024 == 0) snprintf(dst, cap, "%" PRIu64 " KiB", b >> 10);
    else snprintf(dst, cap, "%" PRIu64 " B", b);
}

static void cpuinfo_model(char *dst, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            const char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ') c++;
                snprintf(dst, cap, "%s", c);
                dst[strcspn(dst, "\n")] = '\0';
            }
            break;
        }
    fclose(f);
}

json_t *bb_json_topology(const char *xml, bb_error *err)
{
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0) {
        bb_error_set(err, BB_ERR_IO, "hwloc", 0, 0, "cannot initialise hwloc");
        return NULL;
    }
    if (xml && hwloc_topology_set_xml(t, xml) != 0) {
        hwloc_topology_destroy(t);
        bb_error_set(err, BB_ERR_IO, xml, 0, 0, "cannot read this hwloc XML topology");
        return NULL;
    }
    if (hwloc_topology_load(t) != 0) {
        hwloc_topology_destroy(t);
        bb_error_set(err, BB_ERR_IO, xml ? xml : "hwloc", 0, 0, "cannot load the topology");
        return NULL;
    }
    int npk = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), nnuma = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
    int ncore = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    json_t *o = json_object();
    json_object_set_new(o, "packages", json_integer(npk));
    json_object_set_new(o, "numa_nodes", json_integer(nnuma));
    json_object_set_new(o, "cores", json_integer(ncore));
    json_object_set_new(o, "pus", json_integer(npu));
    char model[256] = "";
    hwloc_obj_t pk = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
    const char *m = pk ? hwloc_obj_get_info_by_name(pk, "CPUModel") : NULL;
    if (m) snprintf(model, sizeof model, "%s", m);
    else if (!xml) cpuinfo_model(model, sizeof model);
    json_object_set_new(o, "cpu_model", json_string(model[0] ? model : "unknown"));
    static const struct {
        hwloc_obj_type_t type;
        const char *name;
    } kinds[] = {{HWLOC_OBJ_L1CACHE, "L1"}, {HWLOC_OBJ_L1ICACHE, "L1i"}, {HWLOC_OBJ_L2CACHE, "L2"},
                 {HWLOC_OBJ_L3CACHE, "L3"}, {HWLOC_OBJ_L4CACHE, "L4"}};
    json_t *caches = json_array();
    char summary[1024];
    int used = snprintf(summary, sizeof summary, "%d package%s, %d NUMA node%s, %d core%s, %d PU%s", npk,
                        npk == 1 ? "" : "s", nnuma, nnuma == 1 ? "" : "s", ncore, ncore == 1 ? "" : "s", npu,
                        npu == 1 ? "" : "s");
    bool first = true;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int count = hwloc_get_nbobjs_by_type(t, kinds[k].type);
        hwloc_obj_t c = hwloc_get_obj_by_type(t, kinds[k].type, 0);
        if (!c || count <= 0) continue;
        const char *ty = c->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "Data"
                       : c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction" : "Unified";
        int sharing = c->cpuset ? hwloc_bitmap_weight(c->cpuset) : 1;
        json_t *e = json_object();
        json_object_set_new(e, "type", json_string(ty));
        json_object_set_new(e, "level", json_integer(c->attr->cache.depth));
        json_object_set_new(e, "size", json_integer((json_int_t)c->attr->cache.size));
        json_object_set_new(e, "num_sharing", json_integer(sharing));
        json_array_append_new(caches, e);
        char hb[32];
        human_bytes(hb, sizeof hb, c->attr->cache.size);
        const char *label = kinds[k].type == HWLOC_OBJ_L1CACHE && c->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "L1d"
                                                                                                              : kinds[k].name;
        if (used > 0 && (size_t)used < sizeof summary)
            used += snprintf(summary + used, sizeof summary - (size_t)used, "%s %s %s x%d (%d PU%s each)",
                             first ? ";" : ",", label, hb, count, sharing, sharing == 1 ? "" : "s");
        first = false;
    }
    json_object_set_new(o, "caches", caches);
    json_object_set_new(o, "summary", json_string(summary));
    hwloc_topology_destroy(t);
    return o;
}
