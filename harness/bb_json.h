/* bb_json.h - the bench's results model, written as Google Benchmark JSON
 * (through libjansson) and CSV, and read back by the report.
 *
 * One bb_bres is one configuration (workload x strategy x threads x pinning).
 * In the JSON file each configuration becomes, in Google Benchmark's terms, a
 * family of runs named "WORKLOAD/STRATEGY/threads:N/pin:P": one "iteration"
 * entry per valid repetition, i.e. timing sample (real_time = the sample's
 * wall time per render, cpu_time = the process CPU time per render, time_unit
 * "ms", iterations = the renders in the sample, as Google Benchmark counts its
 * iterations), then
 * "aggregate" entries mean, median, stddev, mad, min and max. Every entry
 * carries the configuration and the strategy counters as extra fields; the
 * median aggregate also carries the statistics (bootstrap interval, speedup,
 * block latency, memory, placement, verification). Arrays that do not fit
 * Google Benchmark's flat entries (each round's time with voids as null, the
 * block-time CDFs, per-worker placement) live in a top-level "busbench"
 * object, keyed by the same names; tools that know only Google Benchmark's
 * format ignore it. Numbers that do not exist (NaN) are written as null.
 *
 * Units in the model: nanoseconds for times, bytes for memory. In the JSON
 * entries real_time and cpu_time are in milliseconds (time_unit), every other
 * time field says its unit in its name (_ns). */
#ifndef BB_JSON_H
#define BB_JSON_H

#include "bb_render.h"
#include "bb_result.h"
#include "bb_stats.h"
#include "bb_workers.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Probabilities at which block-time CDFs are sampled. */
enum { BB_JSON_CDF_POINTS = 104 };
extern const double bb_json_cdf_p[BB_JSON_CDF_POINTS];


/* The fields of a result, described once: the struct below, the JSON writer and reader and the
 * CSV writer (bb_json.c) are all made from these tables. Each row is
 *   F(KIND, member, dim, json key, CSV column or NULL, CSV divisor)    a member of bb_bres
 *   N(KIND, path,        json key, CSV column or NULL, CSV divisor)    a member of a member (t.median)
 * KIND: INT int, I64 int64_t, U64 uint64_t, SIZE size_t, REAL double (NaN is written null, and
 * null reads back NaN), BOOL bool, STR char[dim] (text). The CSV divisor turns the model's unit
 * into the column's (ns / 1e6 = ms, ns / 1e3 = us); integer columns are written whole.
 * The rows are in the order the JSON entry and the CSV row write them. */
#define BB_KIND_INT_T int
#define BB_KIND_I64_T int64_t
#define BB_KIND_U64_T uint64_t
#define BB_KIND_SIZE_T size_t
#define BB_KIND_REAL_T double
#define BB_KIND_BOOL_T bool
#define BB_KIND_STR_T char

/* What a configuration is: on every entry of the JSON (iterations and aggregates) and in the CSV. */
#define BB_BRES_CONFIG(F, N)                                            \
    F(STR, workload, [96], "workload", "workload", 1)                   \
    F(STR, strategy, [128], "strategy", "strategy", 1) /* as given to --strategy ("cycle,pool") */ \
    F(STR, pin, [16], "pin", "pin", 1)                 /* none, compact, scatter */                \
    F(INT, threads, , "threads", "threads", 1)                          \
    F(I64, block, , "block", "block", 1)               /* samples */    \
    F(INT, sr, , "sample_rate", "sample_rate", 1)

/* What was measured: on the median aggregate entry and in the CSV. */
#define BB_BRES_STATS(F, N)                                                                              \
    F(INT, rounds, , "rounds", "rounds", 1)              /* timed rounds run */                          \
    F(INT, valid, , "valid", "valid", 1)                 /* rounds with a correct render */              \
    F(INT, voided, , "voided", "voided", 1)              /* rounds with a wrong render or an error */    \
    F(I64, frames, , "frames", "frames", 1)                                                              \
    N(REAL, t.median, "median_ns", "median_ms", 1e6)     /* t: over the valid rounds, ns */              \
    N(REAL, t.mean, "mean_ns", "mean_ms", 1e6)                                                           \
    N(REAL, t.stddev, "stddev_ns", "stddev_ms", 1e6)                                                     \
    N(REAL, t.mad, "mad_ns", "mad_ms", 1e6)                                                              \
    N(REAL, t.min, "min_ns", "min_ms", 1e6)                                                              \
    N(REAL, t.max, "max_ns", "max_ms", 1e6)                                                              \
    F(REAL, ci_lo, , "ci95_lo_ns", "ci95_lo_ms", 1e6)    /* bootstrap 95% interval of the median, ns */  \
    F(REAL, ci_hi, , "ci95_hi_ns", "ci95_hi_ms", 1e6)                                                    \
    F(REAL, cpu_median, , "cpu_median_ns", "cpu_median_ms", 1e6)                                         \
    F(STR, baseline, [320], "baseline", NULL, 1)         /* the serial 1-thread configuration, "" if none */ \
    F(REAL, speedup, , "speedup", "speedup", 1)          /* median(baseline) / median(this); NaN if none */ \
    F(REAL, sp_lo, , "speedup_ci95_lo", "speedup_ci95_lo", 1) /* its paired interval */                  \
    F(REAL, sp_hi, , "speedup_ci95_hi", "speedup_ci95_hi", 1)                                            \
    F(INT, pairs, , "speedup_pairs", NULL, 1)            /* rounds valid in both */                      \
    F(REAL, deadline_ns, , "deadline_ns", "deadline_us", 1e3) /* block / sr */                           \
    F(I64, window_blocks, , "window_blocks", "window_blocks", 1) /* the strategy's latency in blocks */  \
    F(U64, window_misses, , "window_misses", "window_misses", 1) /* windows over window_blocks deadlines */ \
    F(U64, windows_timed, , "windows_timed", "windows_timed", 1)                                         \
    N(SIZE, cold.n, "cold_blocks", "cold_blocks", 1)     /* cold, steady: per-block time, ns, pooled */  \
    N(REAL, cold.p50, "cold_p50_ns", "cold_p50_us", 1e3)                                                 \
    N(REAL, cold.p99, "cold_p99_ns", "cold_p99_us", 1e3)                                                 \
    N(REAL, cold.p999, "cold_p999_ns", "cold_p999_us", 1e3)                                              \
    N(REAL, cold.max, "cold_max_ns", "cold_max_us", 1e3)                                                 \
    N(U64, cold.misses, "cold_misses", "cold_misses", 1)                                                 \
    N(SIZE, steady.n, "steady_blocks", "steady_blocks", 1)                                               \
    N(REAL, steady.p50, "steady_p50_ns", "steady_p50_us", 1e3)                                           \
    N(REAL, steady.p99, "steady_p99_ns", "steady_p99_us", 1e3)                                           \
    N(REAL, steady.p999, "steady_p999_ns", "steady_p999_us", 1e3)                                        \
    N(REAL, steady.max, "steady_max_ns", "steady_max_us", 1e3)                                           \
    N(U64, steady.misses, "steady_misses", "steady_misses", 1)                                           \
    F(BOOL, counters_stable, , "counters_stable", "counters_stable", 1) /* same counters every round */  \
    F(U64, allocs_lo, , "allocs_min", "allocs_min", 1)   /* heap allocations: range over the rounds */   \
    F(U64, allocs_hi, , "allocs_max", "allocs_max", 1)                                                   \
    F(U64, allocs_steady_lo, , "allocs_steady_min", "allocs_steady_min", 1) /* after two cycles */       \
    F(U64, allocs_steady_hi, , "allocs_steady_max", "allocs_steady_max", 1)                              \
    F(I64, peak_heap, , "peak_heap_bytes", "peak_heap_bytes", 1) /* above the render's start, max */     \
    F(I64, maxrss_kib, , "maxrss_kib", "maxrss_kib", 1)  /* process peak resident set after the rounds */ \
    F(REAL, seq_ns, , "seq_ns", NULL, 1) /* medians of the loop's sequential and parallel parts; NaN: none */ \
    F(REAL, par_ns, , "par_ns", NULL, 1)                                                                 \
    N(REAL, steps.schedule_ns, "step_schedule_ns", NULL, 1) /* steps: medians of each step's time, ns */ \
    N(REAL, steps.resolve_ns, "step_resolve_ns", NULL, 1)                                                \
    N(REAL, steps.mix_ns, "step_mix_ns", NULL, 1)                                                        \
    N(REAL, steps.continuous_ns, "step_continuous_ns", NULL, 1)                                          \
    N(REAL, steps.retire_ns, "step_retire_ns", NULL, 1)                                                  \
    N(U64, steps.windows, "step_windows", NULL, 1)                                                       \
    F(BOOL, pin_ok, , "pin_ok", "pin_ok", 1)             /* every planned binding succeeded */

/* The timing samples (bench --min-sample-time): on the median entry of a result that records them
 * (renders_checked or warmup_renders > 0; a file from before them has none, and is written back
 * without them). A
 * sample is `iterations` renders back to back, each compared with the golden; its time divided by
 * them is the time per render that real_time, rep_ns and every statistic above give (Google
 * Benchmark's iterations: every entry's "iterations" is this number, 1 for older files). */
#define BB_BRES_SAMPLE(F, N)                                                                              \
    F(INT, iterations, , "iterations", "iterations", 1) /* renders per timing sample */                   \
    F(I64, renders_checked, , "renders_checked", "renders_checked", 1) /* timed renders compared bit for \
                                                                          bit: valid x iterations when all right */ \
    F(I64, warmup_renders, , "warmup_renders", "warmup_renders", 1) /* warm-up renders, compared too */

/* Instruction counts (bench --metric instructions or both): on the median entry when counted. */
#define BB_BRES_INSTR(F, N)                                                                   \
    F(I64, instructions, , "instructions", NULL, 1)         /* median of the counted rounds */ \
    F(I64, instructions_min, , "instructions_min", NULL, 1)                                   \
    F(I64, instructions_max, , "instructions_max", NULL, 1)                                   \
    F(INT, instruction_rounds, , "instruction_rounds", NULL, 1) /* 0: not counted */

#define BB_BRES_DECLARE(kind, member, dim, key, csv, div) BB_KIND_##kind##_T member dim;
#define BB_BRES_NESTED(kind, path, key, csv, div)

typedef struct bb_bres {
    char name[320];          /* WORKLOAD/STRATEGY/threads:N/pin:P */
    BB_BRES_CONFIG(BB_BRES_DECLARE, BB_BRES_NESTED)
    BB_BRES_STATS(BB_BRES_DECLARE, BB_BRES_NESTED)
    BB_BRES_SAMPLE(BB_BRES_DECLARE, BB_BRES_NESTED)
    BB_BRES_INSTR(BB_BRES_DECLARE, BB_BRES_NESTED)
    double *rep_ns;          /* [rounds]: wall time per render of the round's sample, NaN when void (malloc'ed) */
    double *rep_cpu_ns;      /* [rounds]: process CPU time per render of the sample, NaN when void */
    double *rep_ir;          /* [rounds]: instructions of each round, NaN where void; NULL: not counted per round */
    bb_sample_stats t;       /* over the valid rounds, ns */
    bb_latency cold, steady; /* per-block processing time, ns, all valid rounds pooled */
    double cdf_cold[BB_JSON_CDF_POINTS], cdf_steady[BB_JSON_CDF_POINTS]; /* ns at bb_json_cdf_p, NaN if empty */
    bb_render_times steps;   /* medians of each step's time (ns) over the valid rounds; windows of the last */
    bb_stats counters;       /* of the last valid round */
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    char error[512];         /* the first failure ("" when none) */
} bb_bres;

typedef struct bb_results {
    json_t *context;         /* owned: the Google Benchmark "context" object */
    uint64_t counters_absent; /* bit i: counter i of bb_stats_counters was not in the file read (a file
                                 older than the counter): written back without it, not as a 0 */
    bb_bres *v;
    size_t n, cap;
} bb_results;

void bb_json_results_init(bb_results *r);
void bb_json_results_free(bb_results *r);
/* Append a zeroed configuration (NaN statistics, rep arrays of rounds NaNs, rep_ir NULL).
 * Returns it, or NULL when out of memory. */
bb_bres *bb_json_results_add(bb_results *r, int rounds);
/* The configuration named name, or NULL. */
bb_bres *bb_json_results_find(const bb_results *r, const char *name);

/* Set b's instruction fields from its per-round counts ir[0..n) (NaN where void or not counted):
 * rep_ir (a copy, NaN past n up to b->rounds), the median, least and most of the counted rounds, and their number. Returns 0,
 * or -1 when out of memory (b unchanged). */
int bb_json_set_instructions(bb_bres *b, const double *ir, size_t n);

/* The Google Benchmark document for r (a new reference). NULL when out of memory. */
json_t *bb_json_document(const bb_results *r);

/* Write r as JSON / CSV to path atomically (a temporary file beside it,
 * renamed over it only when complete). BB_ERR_IO on failure. */
bb_result bb_json_write(const bb_results *r, const char *path, bb_error *err);
bb_result bb_json_write_csv(const bb_results *r, const char *path, bb_error *err);

/* Read a file written by bb_json_write back into r (initialised here).
 * BB_ERR_IO when unreadable, BB_ERR_FORMAT (with the reason) when it is not
 * busbench's Google Benchmark JSON. */
bb_result bb_json_read(const char *path, bb_results *r, bb_error *err);

/* Read the JSON document at path (a new reference), or NULL with err set:
 * BB_ERR_IO when it cannot be opened, BB_ERR_FORMAT for an empty file or text
 * that is not JSON (with the line and column). err must not be NULL. */
json_t *bb_json_load(const char *path, bb_error *err);
/* bb_json_read on a document already loaded (path names it in errors); doc
 * stays the caller's. */
bb_result bb_json_read_doc(const json_t *doc, const char *path, bb_results *r, bb_error *err);
/* The string ctx[key] of a results context, or "?" when it is absent or not a string. */
const char *bb_json_ctx_str(const json_t *ctx, const char *key);
/* Is doc a document of several machines (`busbench merge --machines`: its
 * "busbench" object holds "machines", an array of {label, host_name,
 * cpu_model, source, result}, each result a bench document)? */
bool bb_json_is_machines(const json_t *doc);


/* Write n bytes to path atomically (temporary file in the same folder, then
 * rename). BB_ERR_IO on failure; nothing is left at path then. */
bb_result bb_json_commit_file(const char *path, const void *data, size_t n, bb_error *err);
/* Serialise doc (indented, reals to 10 significant digits, a final newline)
 * and commit it to path with bb_json_commit_file. doc stays the caller's.
 * BB_ERR_NOMEM or BB_ERR_IO on failure; nothing is left at path then. */
bb_result bb_json_commit_doc(const json_t *doc, const char *path, bb_error *err);
/* Could bb_json_commit_file write path? Refuses what it would refuse (a
 * directory, a device) and creates and removes a temporary file beside it, so
 * that a long bench learns of an unwritable --out before it starts. BB_OK or
 * BB_ERR_IO (BB_ERR_ARG for an empty path) with the reason. */
bb_result bb_json_check_writable(const char *path, bb_error *err);

#endif
