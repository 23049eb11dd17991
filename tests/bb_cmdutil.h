/* bb_cmdutil.h - helpers of the suites that drive the busbench program and
 * its result files: the program beside the test binary, a shell command,
 * silence, a merged result checked against the unsharded run, and synthetic bench results (a configuration with fixed times and
 * counters, a context, a recorded noise floor, instruction counts). Include after bb_testutil.h. */
#ifndef BB_CMDUTIL_H
#define BB_CMDUTIL_H

#include "bb_gate.h"
#include "bb_json.h"
#include "bb_stats.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Silence stdout and stderr (a command under test prints). */
static inline void tu_quiet(void)
{
    fflush(stdout);
    fflush(stderr);
    cr_assert_not_null(freopen("/dev/null", "w", stdout));
    cr_assert_not_null(freopen("/dev/null", "w", stderr));
}

/* The busbench program beside this test binary ($(BUILD)/busbench). */
static inline const char *tu_busbench(void)
{
    static char p[PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    cr_assert(n > 0);
    self[n] = '\0';
    snprintf(p, sizeof p, "%s/busbench", dirname(self));
    cr_assert(access(p, X_OK) == 0, "%s is built (make builds it before the tests)", p);
    return p;
}

/* Run a shell command line; returns its exit status. */
static inline int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tu_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Assert that the merged result at merged_path has exactly the configurations of the unsharded
 * result at all_path (n of them) with the same deterministic counters, each valid with its speedup. */
static inline void tu_merged_equals_unsharded(const char *all_path, const char *merged_path, size_t n)
{
    bb_gate_file all, m;
    bb_error err;
    cr_assert(bb_gate_file_load(all_path, &all, &err) == BB_OK, "%s", err.msg);
    cr_assert(bb_gate_file_load(merged_path, &m, &err) == BB_OK, "%s", err.msg);
    cr_assert(all.r.n == n && m.r.n == all.r.n, "%zu configurations merged, %zu unsharded, %zu expected", m.r.n, all.r.n, n);
    bb_gate_counter_up up[BB_GATE_COUNTERS_MAX];
    for (size_t k = 0; k < all.r.n; k++) {
        const bb_bres *a = &all.r.v[k], *b = bb_json_results_find(&m.r, a->name);
        cr_assert_not_null(b, "%s is in the merged result", a->name);
        cr_assert(bb_gate_counters(a, b, up, BB_GATE_COUNTERS_MAX) == 0 && bb_gate_counters(b, a, up, BB_GATE_COUNTERS_MAX) == 0,
                  "%s: the same deterministic counters", a->name);
        cr_assert(a->counters.synth_calls == b->counters.synth_calls && a->counters.blocks == b->counters.blocks);
        cr_assert(b->valid == 1 && isfinite(b->speedup), "%s: valid, with its speedup (its reference in its shard)", a->name);
    }
    bb_gate_file_free(&all);
    bb_gate_file_free(&m);
}

/* A configuration of b->rounds rounds around ms (a fixed zigzag of the given spread) with fixed counters. */
static inline void tu_config(bb_bres *b, const char *wl, const char *st, int threads, double ms, double spread)
{
    snprintf(b->workload, sizeof b->workload, "%s", wl);
    snprintf(b->strategy, sizeof b->strategy, "%s", st);
    snprintf(b->pin, sizeof b->pin, "compact");
    snprintf(b->name, sizeof b->name, "%s/%s/threads:%d/pin:compact", wl, st, threads);
    b->threads = threads;
    b->sr = 44100;
    b->block = 512;
    b->frames = 88200;
    b->deadline_ns = 512.0 / 44100 * 1e9;
    for (int i = 0; i < b->rounds; i++) {
        /* a fixed zigzag around ms: the same spread every time */
        double off = ((i * 7) % 11 - 5) / 5.0 * spread;
        b->rep_ns[i] = ms * (1 + off) * 1e6;
        b->rep_cpu_ns[i] = b->rep_ns[i];
    }
    b->valid = b->rounds;
    bb_stats_summary(b->rep_ns, (size_t)b->rounds, &b->t);
    b->counters.frames = 88200;
    b->counters.blocks = 173;
    b->counters.preprocess_calls = 8;
    b->counters.synth_calls = 12;
    b->counters.synth_samples = 12000;
    b->counters.allocs = 77;
    b->counters.alloc_bytes = 7700;
    b->allocs_lo = b->allocs_hi = 77;
    b->counters_stable = true;
}

/* A context: one date, commit abc, the given CPU, one compiler and flags. */
static inline json_t *tu_ctx(const char *cpu)
{
    json_t *c = json_object();
    json_object_set_new(c, "date", json_string("2026-01-01T00:00:00+00:00"));
    json_object_set_new(c, "git_commit", json_string("abc"));
    json_object_set_new(c, "num_cpus", json_integer(2));
    json_object_set_new(c, "cpu_model", json_string(cpu));
    json_object_set_new(c, "topology", json_string("1 package"));
    json_object_set_new(c, "compiler", json_string("cc 12.2.0"));
    json_object_set_new(c, "cflags", json_string("cc -std=c11 -O2 -g -Wall -ffp-contract=off -Icore"));
    return c;
}

/* Record a noise floor in the result file at path as `busbench calibrate --record` writes it:
 * global (floor_pct), then NAME, PCT pairs (each configuration's own), NULL-terminated. */
static inline void tu_floor(const char *path, double global, ...)
{
    json_t *nf = json_object(), *per = json_object();
    json_object_set_new(nf, "floor_pct", json_real(global));
    json_object_set_new(nf, "level", json_real(0.95));
    json_object_set_new(nf, "trials", json_integer(10));
    json_object_set_new(nf, "reps", json_integer(10));
    va_list ap;
    va_start(ap, global);
    for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *))
        json_object_set_new(per, name, json_real(va_arg(ap, double)));
    va_end(ap);
    if (json_object_size(per)) json_object_set(nf, "per_configuration_pct", per);
    json_decref(per);
    bb_error err;
    cr_assert(bb_gate_set_context(path, "noise_floor", nf, &err) == BB_OK, "%s", err.msg);
    json_decref(nf);
}

/* Turn a result file into an instruction-count file: metrics, the tool's
 * versions, and instructions on each median entry (serial: ir, cycle: ir / 2). */
static inline void tu_make_instr(const char *path, double ir, const char *valgrind)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc);
    json_t *ctx = json_object_get(doc, "context");
    json_t *ms = json_array();
    json_array_append_new(ms, json_string("instructions"));
    json_object_set_new(ctx, "metrics", ms);
    json_t *ic = json_object();
    json_object_set_new(ic, "valgrind", json_string(valgrind));
    json_object_set_new(ic, "libc", json_string("2.36"));
    json_object_set_new(ctx, "instructions", ic);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        const char *an = json_string_value(json_object_get(e, "aggregate_name"));
        if (!an || strcmp(an, "median")) continue;
        bool serial = strstr(json_string_value(json_object_get(e, "run_name")), "/serial/") != NULL;
        json_object_set_new(e, "instructions", json_integer((json_int_t)(serial ? ir : ir / 2)));
    }
    cr_assert(json_dump_file(doc, path, JSON_INDENT(1)) == 0);
    json_decref(doc);
}

#endif
