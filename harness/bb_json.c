/* bb_json.c - bench results as Google Benchmark JSON (libjansson) and CSV.
 *
 * What it is: the one place that knows the file formats of a bench result.
 * The bench fills bb_results and calls bb_json_write / bb_json_write_csv; the
 * report calls bb_json_read and gets the same model back (a round trip keeps
 * every field the report uses; tests check it).
 *
 * Invariants: files are replaced atomically (bb_file_commit: a temporary
 * beside the target, write, fsync, rename), so an interrupted bench never leaves half a result
 * where a good one was; NaN is never written (JSON has none): it becomes null
 * and null reads back as NaN; entries of one configuration share run_name.
 *
 * Units: the model is in ns and bytes; the JSON's real_time/cpu_time are in
 * ms (time_unit "ms"); every other time field names its unit (_ns); the CSV
 * gives render times in ms and block times in us, as its header says. */
#include "bb_json.h"

#include "bb_alloc.h"
#include "bb_file.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CDF_TAIL 0.995, 0.999, 0.9999, 1.0
const double bb_json_cdf_p[BB_JSON_CDF_POINTS] = {
    0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17,
    0.18, 0.19, 0.20, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33, 0.34, 0.35,
    0.36, 0.37, 0.38, 0.39, 0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.50, 0.51, 0.52, 0.53,
    0.54, 0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71,
    0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89,
    0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, CDF_TAIL,
};

/* The counters a result holds (BB_STAT_RESULT, and not absent from the file it was read from), in the
 * table's order. */
#define EACH_COUNTER(i, absent)                                                                                      \
    for (size_t i = 0; i < bb_stats_ncounters; i++)                                                                  \
        if ((bb_stats_counters[i].flags & BB_STAT_RESULT) && !((absent) >> i & 1))

/* ---- the fields, from the tables of bb_json.h ------------------------------------------ */
typedef enum field_kind { K_INT, K_I64, K_U64, K_SIZE, K_REAL, K_BOOL, K_STR } field_kind;

typedef struct field {
    field_kind kind;
    size_t off, size;        /* of the member in bb_bres */
    const char *json, *csv;  /* its key and CSV column (NULL: not in the CSV) */
    double div;              /* CSV value = model value / div */
} field;

#define FIELD(kind, member, dim, key, csv, div) {K_##kind, offsetof(bb_bres, member), sizeof(((bb_bres *)0)->member), key, csv, div},
#define NESTED(kind, path, key, csv, div) {K_##kind, offsetof(bb_bres, path), sizeof(((bb_bres *)0)->path), key, csv, div},
static const field config_fields[] = {BB_BRES_CONFIG(FIELD, NESTED)};
static const field stats_fields[] = {BB_BRES_STATS(FIELD, NESTED)};
static const field sample_fields[] = {BB_BRES_SAMPLE(FIELD, NESTED)};
static const field instr_fields[] = {BB_BRES_INSTR(FIELD, NESTED)};
#undef FIELD
#undef NESTED
#define NFIELDS(a) (sizeof a / sizeof a[0])

/* A whole-number field (every kind but REAL and STR) as JSON's integer. */
static json_int_t field_int(const bb_bres *b, const field *f)
{
    const char *p = (const char *)b + f->off;
    int i;
    int64_t i64;
    uint64_t u64;
    size_t z;
    bool t;
    switch (f->kind) {
    case K_INT: return memcpy(&i, p, sizeof i), i;
    case K_I64: return memcpy(&i64, p, sizeof i64), (json_int_t)i64;
    case K_U64: return memcpy(&u64, p, sizeof u64), (json_int_t)u64;
    case K_SIZE: return memcpy(&z, p, sizeof z), (json_int_t)z;
    case K_BOOL: return memcpy(&t, p, sizeof t), t;
    case K_REAL:
    case K_STR: break;
    }
    return 0;
}

static double field_real(const bb_bres *b, const field *f)
{
    double v;
    memcpy(&v, (const char *)b + f->off, sizeof v);
    return v;
}

/* ---- the model ------------------------------------------------------------------ */
void bb_json_results_init(bb_results *r) { memset(r, 0, sizeof *r); }

void bb_json_results_free(bb_results *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].rep_ns);
        free(r->v[i].rep_cpu_ns);
        free(r->v[i].rep_ir);
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
    for (int i = 0; i < rounds; i++) b->rep_ns[i] = b->rep_cpu_ns[i] = (double)NAN;
    b->t.median = b->t.mean = b->t.stddev = b->t.mad = b->t.min = b->t.max = (double)NAN;
    b->ci_lo = b->ci_hi = b->cpu_median = (double)NAN;
    b->speedup = b->sp_lo = b->sp_hi = (double)NAN;
    b->seq_ns = b->par_ns = (double)NAN;
    b->steps.schedule_ns = b->steps.resolve_ns = b->steps.mix_ns = b->steps.continuous_ns = b->steps.retire_ns = (double)NAN;
    b->cold.p50 = b->cold.p99 = b->cold.p999 = b->cold.max = (double)NAN;
    b->steady = b->cold;
    for (int i = 0; i < BB_JSON_CDF_POINTS; i++) b->cdf_cold[i] = b->cdf_steady[i] = (double)NAN;
    b->counters_stable = true;
    b->pin_ok = true;
    b->iterations = 1;
    r->n++;
    return b;
}

bb_bres *bb_json_results_find(const bb_results *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].name, name)) return &r->v[i];
    return NULL;
}

int bb_json_set_instructions(bb_bres *b, const double *ir, size_t n)
{
    size_t cap = n > (size_t)b->rounds ? n : (size_t)b->rounds; /* rep_ir has rounds entries or more */
    double *rep = malloc((cap ? cap : 1) * sizeof *rep), *v = malloc((n ? n : 1) * sizeof *v);
    if (!rep || !v) {
        free(rep);
        free(v);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < cap; i++) rep[i] = i < n ? ir[i] : (double)NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ir[i])) v[m++] = ir[i];
    if (m) {
        bb_stats_sort(v, m);
        b->instructions = (int64_t)llround(bb_stats_quantile_sorted(v, m, 0.5));
        b->instructions_min = (int64_t)llround(v[0]);
        b->instructions_max = (int64_t)llround(v[m - 1]);
    }
    b->instruction_rounds = (int)m;
    free(v);
    free(b->rep_ir);
    b->rep_ir = rep;
    return 0;
}

/* ---- writing ---------------------------------------------------------------------- */
enum { REAL_DIGITS = 10 }; /* significant digits of a real in the file */

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* ns as the file holds it (REAL_DIGITS digits, as its own field says it), in ms: a time written
 * both in ns and in ms is derived from the one value a reader gets back, so that a file read and
 * written again is the same bytes (2412190012.5 ns was written as 2.412190012 ms and read back from
 * its ns field as 2412190013). */
static json_t *ms(double ns)
{
    if (!isfinite(ns)) return json_null();
    char held[40];
    snprintf(held, sizeof held, "%.*g", REAL_DIGITS, ns);
    return json_real(strtod(held, NULL) / 1e6);
}

static int put(json_t *o, const char *k, json_t *v)
{
    return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *field_json(const bb_bres *b, const field *f)
{
    switch (f->kind) {
    case K_REAL: return num(field_real(b, f));
    case K_STR: return json_string((const char *)b + f->off);
    case K_BOOL: return json_boolean(field_int(b, f));
    case K_INT:
    case K_I64:
    case K_U64:
    case K_SIZE: break;
    }
    return json_integer(field_int(b, f));
}

static void put_fields(json_t *e, const bb_bres *b, const field *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) put(e, fs[i].json, field_json(b, &fs[i]));
}

static void put_config(json_t *e, const bb_bres *b, uint64_t absent)
{
    put_fields(e, b, config_fields, NFIELDS(config_fields));
    EACH_COUNTER(i, absent) put(e, bb_stats_counters[i].name, json_integer((json_int_t)bb_stats_counter(&b->counters, i)));
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
    put(e, "iterations", json_integer(b->iterations > 0 ? b->iterations : 1));
    put(e, "time_unit", json_string("ms"));
    put(e, "label", json_string(b->strategy));
    return e;
}

static void put_stats(json_t *e, const bb_bres *b)
{
    put_fields(e, b, stats_fields, NFIELDS(stats_fields));
    char pl[1024];
    put(e, "places", json_string(bb_workers_places_text(b->places, b->nplaces, pl, sizeof pl)));
    if (b->renders_checked > 0 || b->warmup_renders > 0) put_fields(e, b, sample_fields, NFIELDS(sample_fields));
    if (b->instruction_rounds > 0) put_fields(e, b, instr_fields, NFIELDS(instr_fields));
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
            put_config(e, b, r->counters_absent);
            if (b->rep_ir && isfinite(b->rep_ir[i])) put(e, "instructions", json_integer((json_int_t)llround(b->rep_ir[i])));
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
            put(e, "real_time", isfinite(v) ? ms(v) : json_real(0));
            double cv = a == 1 ? b->cpu_median : (double)NAN;
            put(e, "cpu_time", isfinite(cv) ? ms(cv) : isfinite(v) ? ms(v) : json_real(0));
            put_config(e, b, r->counters_absent);
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
        if (b->rep_ir) {
            json_t *a = json_array();
            for (int i = 0; a && i < b->rounds; i++)
                json_array_append_new(a, isfinite(b->rep_ir[i]) ? json_integer((json_int_t)llround(b->rep_ir[i])) : json_null());
            put(s, "rep_instructions", a);
        }
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

bb_result bb_json_commit_doc(const json_t *doc, const char *path, bb_error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(REAL_DIGITS));
    size_t n = text ? strlen(text) : 0;
    char *full = text ? realloc(text, n + 1) : NULL;
    if (!full) {
        free(text);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory to serialise the JSON document");
    }
    full[n] = '\n';
    bb_result res = bb_file_commit(path, full, n + 1, err);
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

static void csv_field(strbuf *sb, const bb_bres *b, const field *f)
{
    switch (f->kind) {
    case K_REAL: csv_num(sb, field_real(b, f), f->div); return;
    case K_STR:
        sb_printf(sb, ",");
        csv_str(sb, (const char *)b + f->off);
        return;
    case K_U64:
    case K_SIZE: sb_printf(sb, ",%" PRIu64, (uint64_t)field_int(b, f)); return;
    case K_INT:
    case K_I64:
    case K_BOOL: sb_printf(sb, ",%lld", (long long)field_int(b, f)); return;
    }
}

/* One row a configuration: name, the configuration and the statistics that have a CSV column
 * (bb_json.h's tables, in their order), the counters, the placement and the error. */
bb_result bb_json_write_csv(const bb_results *r, const char *path, bb_error *err)
{
    static const struct { const field *f; size_t n; } parts[] = {
        {config_fields, NFIELDS(config_fields)}, {stats_fields, NFIELDS(stats_fields)}, {sample_fields, NFIELDS(sample_fields)}};
    strbuf b = {0};
    sb_printf(&b, "name");
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
        for (size_t i = 0; i < parts[p].n; i++)
            if (parts[p].f[i].csv) sb_printf(&b, ",%s", parts[p].f[i].csv);
    EACH_COUNTER(i, r->counters_absent) sb_printf(&b, ",%s", bb_stats_counters[i].name);
    sb_printf(&b, ",places,error\n");
    for (size_t c = 0; c < r->n; c++) {
        const bb_bres *x = &r->v[c];
        csv_str(&b, x->name);
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
            for (size_t i = 0; i < parts[p].n; i++)
                if (parts[p].f[i].csv) csv_field(&b, x, &parts[p].f[i]);
        EACH_COUNTER(i, r->counters_absent) sb_printf(&b, ",%" PRIu64, bb_stats_counter(&x->counters, i));
        char pl[1024];
        sb_printf(&b, ",");
        csv_str(&b, bb_workers_places_text(x->places, x->nplaces, pl, sizeof pl));
        sb_printf(&b, ",");
        csv_str(&b, x->error);
        sb_printf(&b, "\n");
    }
    if (b.bad) {
        free(b.s);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory for the CSV");
    }
    bb_result res = bb_file_commit(path, b.s, b.n, err);
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

static void get_field(const json_t *e, bb_bres *b, const field *f)
{
    char *p = (char *)b + f->off;
    switch (f->kind) {
    case K_REAL: {
        double v = get_num(e, f->json);
        memcpy(p, &v, sizeof v);
        return;
    }
    case K_STR: get_str(e, f->json, p, f->size); return;
    case K_BOOL: {
        bool v = json_is_true(json_object_get(e, f->json));
        memcpy(p, &v, sizeof v);
        return;
    }
    case K_INT: {
        int v = (int)get_int(e, f->json);
        memcpy(p, &v, sizeof v);
        return;
    }
    case K_I64: {
        int64_t v = get_int(e, f->json);
        memcpy(p, &v, sizeof v);
        return;
    }
    case K_U64: {
        uint64_t v = (uint64_t)get_int(e, f->json);
        memcpy(p, &v, sizeof v);
        return;
    }
    case K_SIZE: {
        size_t v = (size_t)get_int(e, f->json);
        memcpy(p, &v, sizeof v);
        return;
    }
    }
}

static void get_fields(const json_t *e, bb_bres *b, const field *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) get_field(e, b, &fs[i]);
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
        get_fields(e, b, config_fields, NFIELDS(config_fields));
        get_fields(e, b, stats_fields, NFIELDS(stats_fields));
        get_fields(e, b, sample_fields, NFIELDS(sample_fields));
        if (b->iterations < 1) b->iterations = 1; /* Google Benchmark's field; 1 when absent */
        get_fields(e, b, instr_fields, NFIELDS(instr_fields));
        b->t.n = (size_t)b->valid;
        EACH_COUNTER(c, 0) {
            bb_stats_set_counter(&b->counters, c, (uint64_t)get_int(e, bb_stats_counters[c].name));
            if (!json_object_get(e, bb_stats_counters[c].name)) r->counters_absent |= (uint64_t)1 << c;
        }
        get_str(e, "error_message", b->error, sizeof b->error);
        if (series) {
            get_array(json_object_get(series, "rep_ns"), b->rep_ns, rounds);
            get_array(json_object_get(series, "rep_cpu_ns"), b->rep_cpu_ns, rounds);
            get_array(json_object_get(series, "cdf_cold_ns"), b->cdf_cold, BB_JSON_CDF_POINTS);
            get_array(json_object_get(series, "cdf_steady_ns"), b->cdf_steady, BB_JSON_CDF_POINTS);
            const json_t *ir = json_object_get(series, "rep_instructions");
            if (json_is_array(ir)) {
                b->rep_ir = malloc((size_t)(rounds ? rounds : 1) * sizeof *b->rep_ir);
                if (!b->rep_ir) {
                    bb_json_results_free(r);
                    return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
                }
                get_array(ir, b->rep_ir, rounds);
            }
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
