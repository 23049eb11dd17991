/* bb_json.h - the bench's results model, written as Google Benchmark JSON
 * (through libjansson) and CSV, and read back by the report.
 *
 * One bb_bres is one configuration (workload x strategy x threads x pinning).
 * In the JSON file each configuration becomes, in Google Benchmark's terms, a
 * family of runs named "WORKLOAD/STRATEGY/threads:N/pin:P": one "iteration"
 * entry per valid repetition (real_time = that render's wall time, cpu_time =
 * the process CPU time it used, time_unit "ms", iterations 1), then
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

/* The strategy counters by name (for writing, reading and tabulating). */
typedef struct bb_json_counter {
    const char *name;
    size_t offset; /* of a uint64_t in bb_stats */
} bb_json_counter;
extern const bb_json_counter bb_json_counters[];
extern const size_t bb_json_ncounters;

typedef struct bb_bres {
    char name[320];          /* WORKLOAD/STRATEGY/threads:N/pin:P */
    char workload[96];
    char strategy[128];      /* as given to --strategy ("cycle,pool") */
    char pin[16];            /* none, compact, scatter */
    int threads;
    int sr;
    int64_t block;           /* samples */
    int64_t frames;
    double deadline_ns;      /* block / sr */
    int64_t window_blocks;   /* the strategy's latency in blocks (bb_render_latency_blocks): judged together */
    int rounds;              /* timed rounds run */
    double *rep_ns;          /* [rounds]: render wall time, NaN when the round was void (malloc'ed) */
    double *rep_cpu_ns;      /* [rounds]: process CPU time of the render, NaN when void */
    int valid, voided;       /* rounds with a correct render / with a wrong render or an error */
    bb_sample_stats t;       /* over the valid rounds, ns */
    double ci_lo, ci_hi;     /* bootstrap 95% interval of the median, ns */
    double cpu_median;       /* ns */
    char baseline[320];      /* name of the serial 1-thread configuration, "" if none */
    double speedup, sp_lo, sp_hi; /* median(baseline) / median(this) and its paired interval; NaN if none */
    int pairs;               /* rounds valid in both */
    bb_latency cold, steady; /* per-block processing time, ns, all valid rounds pooled */
    uint64_t window_misses;  /* windows whose blocks together exceeded window_blocks deadlines */
    uint64_t windows_timed;
    double cdf_cold[BB_JSON_CDF_POINTS], cdf_steady[BB_JSON_CDF_POINTS]; /* ns at bb_json_cdf_p, NaN if empty */
    double seq_ns, par_ns;   /* medians over the valid rounds of the render loop's sequential and parallel
                                parts (bb_render_times_seq/par; the sink's golden comparison in seq); NaN: none */
    bb_render_times steps;   /* medians of each step's time (ns) over the valid rounds; windows of the last */
    bb_stats counters;       /* of the last valid round */
    bool counters_stable;    /* every valid round had the same deterministic counters (all but the heap's) */
    uint64_t allocs_lo, allocs_hi;               /* heap allocations: range over the valid rounds */
    uint64_t allocs_steady_lo, allocs_steady_hi; /* ... after the first two cycles */
    int64_t peak_heap;       /* bytes: highest heap above the render's start, max over rounds */
    int64_t maxrss_kib;      /* process-wide peak resident set after the configuration's rounds */
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    bool pin_ok;             /* every planned binding succeeded */
    char error[512];         /* the first failure ("" when none) */
} bb_bres;

typedef struct bb_results {
    json_t *context;         /* owned: the Google Benchmark "context" object */
    bb_bres *v;
    size_t n, cap;
} bb_results;

void bb_json_results_init(bb_results *r);
void bb_json_results_free(bb_results *r);
/* Append a zeroed configuration (NaN statistics, rep arrays of rounds NaNs).
 * Returns it, or NULL when out of memory. */
bb_bres *bb_json_results_add(bb_results *r, int rounds);
/* The configuration named name, or NULL. */
bb_bres *bb_json_results_find(const bb_results *r, const char *name);

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

/* The hwloc topology of this machine (xml NULL) or of an hwloc XML file, as a
 * JSON object: packages, numa_nodes, cores, pus (counts), cpu_model, caches
 * (Google Benchmark's form: type, level, size in bytes, num_sharing PUs) and
 * summary (one line). A new reference, or NULL with err set (BB_ERR_IO) when
 * the topology cannot be loaded. */
json_t *bb_json_topology(const char *xml, bb_error *err);

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
