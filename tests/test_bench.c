/* test_bench.c - Criterion suite "bench": the bench's files and plans.
 *
 * - The results model written as Google Benchmark JSON is parsed back with
 *   jansson directly (not with our reader) and checked for the fields tools
 *   expect; then read back with bb_json_read and compared (round trip).
 * - The placement plans on a 16-core, 2-package hwloc XML topology
 *   (tests/data/topo-2pkg-16core.xml, made with
 *   `lstopo -i "pack:2 [numa(memory=8GB)] l3:1 core:8 pu:1" --of xml`).
 * - A real bench on a tiny corpus built here (golden rendered by serial):
 *   exit 0 and a complete file; with a canary the wrong renders are reported,
 *   their timings void, exit 1.
 * - Timing samples: a sample repeats the render (iterations, sized from the
 *   warm-up by --min-sample-time) and every render is checked (the counts);
 *   a wrong one voids its sample; more threads than the PUs is said on the
 *   terminal and in the context (the test binds itself to one CPU).
 * - The report on that result: PNG and SVG figures and report.md (skipped,
 *   saying so, only when gnuplot is absent); no gnuplot is exit 2.
 * No assertion is about time: speed is shown by benchmarks, not tested. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_env.h"
#include "bb_json.h"
#include "bb_run.h"
#include "bb_testutil.h"
#include "bb_tinycorpus.h"
#include "bb_workers.h"

#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOPO_XML "tests/data/topo-2pkg-16core.xml"

static void fill(bb_bres *b, const char *wl, const char *st, int threads, double base_ms)
{
    snprintf(b->workload, sizeof b->workload, "%s", wl);
    snprintf(b->strategy, sizeof b->strategy, "%s", st);
    snprintf(b->pin, sizeof b->pin, "compact");
    snprintf(b->name, sizeof b->name, "%s/%s/threads:%d/pin:compact", wl, st, threads);
    snprintf(b->baseline, sizeof b->baseline, "%s/serial/threads:1/pin:compact", wl);
    b->threads = threads;
    b->sr = 44100;
    b->block = 512;
    b->frames = 88200;
    b->deadline_ns = 512.0 / 44100 * 1e9;
    b->window_blocks = 1;
    for (int i = 0; i < b->rounds; i++) {
        b->rep_ns[i] = (base_ms + 0.1 * i) * 1e6;
        b->rep_cpu_ns[i] = b->rep_ns[i] * threads;
    }
    b->rep_ns[1] = (double)NAN; /* a voided round */
    b->rep_cpu_ns[1] = (double)NAN;
    b->valid = b->rounds - 1;
    b->voided = 1;
    b->t.n = (size_t)b->valid;
    b->t.median = base_ms * 1e6;
    b->t.mean = b->t.median + 1;
    b->t.stddev = 2e4;
    b->t.mad = 1e4;
    b->t.min = b->t.median - 1e5;
    b->t.max = b->t.median + 1e5;
    b->ci_lo = b->t.median - 5e4;
    b->ci_hi = b->t.median + 5e4;
    b->cpu_median = b->t.median * threads;
    b->speedup = 10.0 / base_ms;
    b->sp_lo = b->speedup * 0.9;
    b->sp_hi = b->speedup * 1.1;
    b->cold.n = 5;
    b->cold.p50 = 1000;
    b->cold.p99 = 2000;
    b->cold.p999 = 2100;
    b->cold.max = 2200;
    b->steady = b->cold;
    b->steady.n = 160;
    b->steady.misses = 3;
    for (int i = 0; i < BB_JSON_CDF_POINTS; i++) {
        b->cdf_steady[i] = 1000 + 10 * i;
        b->cdf_cold[i] = 2000 + 10 * i;
    }
    b->counters.blocks = 173;
    b->counters.synth_calls = 12;
    b->counters.preprocess_calls = (uint64_t)threads;
    b->counters.allocs = 77;
    b->peak_heap = 123456;
    b->maxrss_kib = 4096;
    b->seq_ns = 0.3e6 * base_ms;
    b->par_ns = 0.7e6 * base_ms;
    b->steps = (bb_render_times){.windows = 173, .schedule_ns = 1e4, .resolve_ns = b->par_ns - 2e4, .mix_ns = 2e4,
                                 .continuous_ns = b->seq_ns - 2e4, .retire_ns = 1e4};
    b->nplaces = threads;
    for (int i = 0; i < threads; i++) b->places[i] = (bb_worker_place){.planned_pu = i, .last_pu = i, .bound = true};
    snprintf(b->error, sizeof b->error, "wrong render: first differing sample 5");
}

/* The commands print tables and messages: not into the test log. */
static void quiet(void)
{
    fflush(stdout);
    fflush(stderr);
    cr_assert_not_null(freopen("/dev/null", "w", stdout));
    cr_assert_not_null(freopen("/dev/null", "w", stderr));
}

Test(bench, json_google_benchmark_fields_and_round_trip)
{
    bb_results r;
    bb_json_results_init(&r);
    r.context = json_object();
    json_object_set_new(r.context, "date", json_string("2026-01-01T00:00:00+00:00"));
    json_object_set_new(r.context, "num_cpus", json_integer(2));
    fill(bb_json_results_add(&r, 4), "w", "serial", 1, 10);
    fill(bb_json_results_add(&r, 4), "w", "cycle,pool", 2, 4);
    char path[128];
    snprintf(path, sizeof path, "%s/r.json", tu_tmpdir("bench"));
    bb_error err;
    cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);

    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc, "%s", je.text);
    cr_assert(json_is_object(json_object_get(doc, "context")));
    json_t *benches = json_object_get(doc, "benchmarks");
    cr_assert(json_is_array(benches));
    size_t i;
    json_t *e;
    int iterations = 0, medians = 0;
    json_array_foreach(benches, i, e) {
        cr_assert(json_is_string(json_object_get(e, "name")));
        const char *rt = json_string_value(json_object_get(e, "run_type"));
        cr_assert(rt && (!strcmp(rt, "iteration") || !strcmp(rt, "aggregate")));
        cr_assert(json_is_number(json_object_get(e, "real_time")));
        cr_assert(json_is_number(json_object_get(e, "cpu_time")));
        cr_assert_str_eq(json_string_value(json_object_get(e, "time_unit")), "ms");
        cr_assert(json_integer_value(json_object_get(e, "iterations")) == 1);
        cr_assert(json_is_integer(json_object_get(e, "synth_calls")), "counters are extra fields");
        cr_assert(json_is_integer(json_object_get(e, "preprocess_calls")));
        cr_assert(json_is_integer(json_object_get(e, "allocs")));
        if (!strcmp(rt, "iteration")) iterations++;
        const char *an = json_string_value(json_object_get(e, "aggregate_name"));
        if (an && !strcmp(an, "median")) {
            medians++;
            cr_assert(json_is_number(json_object_get(e, "speedup")));
            cr_assert(json_is_number(json_object_get(e, "ci95_lo_ns")));
            cr_assert(json_is_number(json_object_get(e, "steady_p999_ns")));
            cr_assert(json_is_true(json_object_get(e, "error_occurred")), "a voided round marks the run");
        }
    }
    cr_assert(iterations == 6, "one iteration entry per valid round (3 + 3), got %d", iterations);
    cr_assert(medians == 2);
    /* the first iteration of the second configuration is 4 ms (its round 0) */
    json_t *first = NULL;
    json_array_foreach(benches, i, e) {
        if (!strcmp(json_string_value(json_object_get(e, "run_name")), "w/cycle,pool/threads:2/pin:compact")) {
            first = e;
            break;
        }
    }
    cr_assert_not_null(first);
    cr_assert(fabs(json_real_value(json_object_get(first, "real_time")) - 4.0) < 1e-9);
    cr_assert(fabs(json_real_value(json_object_get(first, "cpu_time")) - 8.0) < 1e-9);
    json_decref(doc);

    bb_results back;
    cr_assert(bb_json_read(path, &back, &err) == BB_OK, "%s", err.msg);
    cr_assert(back.n == 2);
    for (size_t k = 0; k < 2; k++) {
        const bb_bres *a = &r.v[k], *b = &back.v[k];
        cr_assert_str_eq(a->name, b->name);
        cr_assert_str_eq(a->strategy, b->strategy);
        cr_assert(a->threads == b->threads && a->rounds == b->rounds && a->valid == b->valid);
        cr_assert(fabs(a->t.median - b->t.median) < 1e-3 && fabs(a->speedup - b->speedup) < 1e-9);
        cr_assert(fabs(a->sp_lo - b->sp_lo) < 1e-9 && fabs(a->ci_hi - b->ci_hi) < 1e-3);
        cr_assert(isnan(b->rep_ns[1]) && fabs(b->rep_ns[2] - a->rep_ns[2]) < 1e-3, "a void round stays void");
        cr_assert(b->steady.misses == 3 && b->steady.n == 160 && fabs(b->steady.p999 - 2100) < 1e-9);
        cr_assert(fabs(b->cdf_steady[50] - a->cdf_steady[50]) < 1e-9);
        cr_assert(b->counters.synth_calls == 12 && b->counters.preprocess_calls == (uint64_t)a->threads);
        cr_assert(b->peak_heap == 123456 && b->nplaces == a->nplaces && b->places[b->nplaces - 1].bound);
        cr_assert(fabs(b->seq_ns - a->seq_ns) < 1e-3 && fabs(b->par_ns - a->par_ns) < 1e-3, "the 1-thread split");
        cr_assert(fabs(b->steps.continuous_ns - a->steps.continuous_ns) < 1e-3 && b->steps.windows == 173);
        cr_assert_str_eq(a->error, b->error);
    }
    bb_json_results_free(&back);

    char csv[160];
    snprintf(csv, sizeof csv, "%s.csv", path);
    cr_assert(bb_json_write_csv(&r, csv, &err) == BB_OK);
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f);
    char line[8192];
    int lines = 0, quoted = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        quoted += strstr(line, "\"w/cycle,pool/threads:2/pin:compact\",w,\"cycle,pool\",compact,2,") != NULL;
    }
    fclose(f);
    cr_assert(lines == 3, "header and two rows, got %d", lines);
    cr_assert(quoted == 1, "a strategy with a comma is quoted (name and strategy columns)");
    bb_json_results_free(&r);
}

/* The result fields are described once (bb_json.h's tables): what the reader takes is what the
 * writer writes, so the committed gate baseline (timed, counted, with instruction counts and a noise
 * floor) comes back byte for byte. */
Test(bench, baseline_json_reads_and_rewrites_byte_for_byte)
{
    bb_results r;
    bb_error err;
    bb_error_clear(&err);
    cr_assert(bb_json_read("reports/baseline.json", &r, &err) == BB_OK, "%s", err.msg);
    const char *d = tu_tmpdir("bbjson");
    char out[256];
    snprintf(out, sizeof out, "%s/again.json", d);
    cr_assert(bb_json_write(&r, out, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
    size_t na = 0, nb = 0;
    char *a = tu_slurp("reports/baseline.json", &na), *b = tu_slurp(out, &nb);
    cr_assert(a && b);
    size_t k = 0;
    while (k < na && k < nb && a[k] == b[k]) k++;
    cr_assert(na == nb && k == na, "rewritten baseline differs at byte %zu (of %zu and %zu): ...%.60s", k, na, nb,
              k < nb ? b + k : "");
    free(a);
    free(b);
}

Test(bench, json_read_rejects_other_files)
{
    char path[128];
    snprintf(path, sizeof path, "%s/x.json", tu_tmpdir("bench"));
    FILE *f = fopen(path, "w");
    fputs("{\"benchmarks\": 3}", f);
    fclose(f);
    bb_results r;
    bb_error err;
    cr_assert(bb_json_read(path, &r, &err) == BB_ERR_FORMAT);
    cr_assert(bb_json_read("/nonexistent/r.json", &r, &err) == BB_ERR_IO);
}

Test(bench, plan_on_a_16_core_two_package_topology)
{
    json_t *t = bb_env_topology(TOPO_XML, NULL);
    cr_assert_not_null(t, "load " TOPO_XML);
    cr_assert(json_integer_value(json_object_get(t, "packages")) == 2);
    cr_assert(json_integer_value(json_object_get(t, "cores")) == 16);
    cr_assert(json_integer_value(json_object_get(t, "pus")) == 16);
    json_decref(t);
    int plan[16];
    bb_error err;
    cr_assert(bb_workers_plan(TOPO_XML, BB_PIN_COMPACT, 16, plan, &err) == BB_OK);
    for (int i = 0; i < 16; i++) cr_assert(plan[i] == i, "compact: worker %d on PU %d", i, plan[i]);
    cr_assert(bb_workers_plan(TOPO_XML, BB_PIN_SCATTER, 16, plan, &err) == BB_OK);
    static const int scatter[16] = {0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15};
    for (int i = 0; i < 16; i++) cr_assert(plan[i] == scatter[i], "scatter: worker %d on PU %d", i, plan[i]);
    for (int i = 0; i + 1 < 16; i++) cr_assert((plan[i] < 8) != (plan[i + 1] < 8), "scatter alternates packages");
    cr_assert(bb_workers_plan(TOPO_XML, BB_PIN_SCATTER, 3, plan, &err) == BB_OK);
    cr_assert(plan[0] == 0 && plan[1] == 8 && plan[2] == 1);
    cr_assert(bb_workers_plan(TOPO_XML, BB_PIN_NONE, 2, plan, &err) == BB_OK && plan[0] == -1 && plan[1] == -1);
    cr_assert(bb_workers_plan("/nonexistent.xml", BB_PIN_COMPACT, 2, plan, &err) == BB_ERR_IO);
}

Test(bench, topo_command_loads_an_xml_topology)
{
    quiet();
    char *argv[] = {"topo", "--topology", TOPO_XML, "--threads", "4", NULL};
    fflush(stdout);
    cr_assert(bb_cmd_topo(5, argv) == BB_EXIT_OK);
    char *bad[] = {"topo", "--topology", "/nonexistent.xml", NULL};
    cr_assert(bb_cmd_topo(3, bad) == BB_EXIT_USAGE);
}

static json_t *load(const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc, "%s: %s", path, je.text);
    return doc;
}

static const json_t *median_of(const json_t *doc, const char *run_name)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        const char *an = json_string_value(json_object_get(e, "aggregate_name"));
        if (an && !strcmp(an, "median") && !strcmp(json_string_value(json_object_get(e, "run_name")), run_name)) return e;
    }
    return NULL;
}

static void run_bench(const char *dir, const char *strategies, const char *out, int want)
{
    char *argv[] = {"bench", "--golden", (char *)dir, "--strategies", (char *)strategies, "--threads", "1,2",
                    "--pins", "compact", "--reps", "3", "--warmup", "1", "--min-sample-time", "0.01", "--out",
                    (char *)out, "--quiet", NULL};
    fflush(stdout);
    int rc = bb_cmd_bench(18, argv);
    cr_assert(rc == want, "bench exit %d, expected %d", rc, want);
}

Test(bench, bench_checks_every_render_and_writes_google_benchmark_json)
{
    quiet();
    const char *dir = tu_tiny_corpus("bench", 2);
    char out[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    run_bench(dir, "cycle+pool,parallel", out, BB_EXIT_OK);
    json_t *doc = load(out);
    const json_t *ctx = json_object_get(doc, "context");
    static const char *const keys[] = {"date", "num_cpus", "caches", "cpu_model", "topology", "compiler", "cflags",
                                       "git_commit", "pinning", "hwloc"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        cr_assert_not_null(json_object_get(ctx, keys[k]), "context has %s", keys[k]);
    /* serial at 1 thread was not asked for: it is added as the reference */
    const json_t *ref = median_of(doc, "tiny/serial/threads:1/pin:compact");
    cr_assert_not_null(ref, "the reference was added");
    cr_assert(fabs(json_real_value(json_object_get(ref, "speedup")) - 1.0) < 1e-12);
    const json_t *m = median_of(doc, "tiny/cycle,pool/threads:2/pin:compact");
    cr_assert_not_null(m);
    cr_assert(json_integer_value(json_object_get(m, "valid")) == 3);
    cr_assert(json_integer_value(json_object_get(m, "voided")) == 0);
    cr_assert(json_object_get(m, "error_occurred") == NULL);
    double med = json_real_value(json_object_get(m, "median_ns"));
    double lo = json_real_value(json_object_get(m, "ci95_lo_ns")), hi = json_real_value(json_object_get(m, "ci95_hi_ns"));
    cr_assert(med > 0 && lo <= med && med <= hi);
    double sp = json_real_value(json_object_get(m, "speedup"));
    cr_assert(sp > 0 && json_real_value(json_object_get(m, "speedup_ci95_lo")) <= json_real_value(json_object_get(m, "speedup_ci95_hi")));
    cr_assert(json_integer_value(json_object_get(m, "preprocess_calls")) <= 2, "cycle: at most one per cycle (2 cycles)");
    cr_assert(json_integer_value(json_object_get(m, "steady_blocks")) > 0 && json_integer_value(json_object_get(m, "cold_blocks")) > 0);
    cr_assert(json_integer_value(json_object_get(m, "peak_heap_bytes")) > 0);
    cr_assert(json_is_true(json_object_get(m, "counters_stable")));
    /* the render loop's split, at every thread count (the report's bound takes the 1-thread one) */
    const json_t *one = median_of(doc, "tiny/cycle,pool/threads:1/pin:compact");
    cr_assert_not_null(one);
    static const char *const parts[] = {"seq_ns", "par_ns", "step_schedule_ns", "step_resolve_ns", "step_mix_ns",
                                        "step_continuous_ns", "step_retire_ns"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        cr_assert(json_is_number(json_object_get(one, parts[k])), "%s is recorded", parts[k]);
        cr_assert(json_number_value(json_object_get(one, parts[k])) >= 0, "%s", parts[k]);
    }
    cr_assert(json_number_value(json_object_get(one, "seq_ns")) > 0 && json_number_value(json_object_get(one, "par_ns")) > 0);
    cr_assert(json_integer_value(json_object_get(one, "step_windows")) == json_integer_value(json_object_get(one, "windows")),
              "every window timed");
    json_decref(doc);
}

Test(bench, wrong_renders_void_their_timing_and_exit_1)
{
    quiet();
    const char *dir = tu_tiny_corpus("bench", 2);
    char out[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    run_bench(dir, "serial,canary-stale", out, BB_EXIT_FAIL);
    json_t *doc = load(out);
    const json_t *m = median_of(doc, "tiny/canary-stale/threads:2/pin:compact");
    cr_assert_not_null(m, "the wrong configuration is still in the results");
    cr_assert(json_integer_value(json_object_get(m, "valid")) == 0);
    cr_assert(json_integer_value(json_object_get(m, "voided")) == 4, "warm-up and the three rounds");
    cr_assert(json_is_true(json_object_get(m, "error_occurred")));
    const char *msg = json_string_value(json_object_get(m, "error_message"));
    cr_assert(msg && strstr(msg, "audio differs at frame ") && strstr(msg, ", beat "), "localised (frame, cycle, beat): %s",
              msg ? msg : "(none)");
    const json_t *ok = median_of(doc, "tiny/serial/threads:2/pin:compact");
    cr_assert(ok && json_integer_value(json_object_get(ok, "valid")) == 3);
    json_decref(doc);
}

/* bench FILE.ph: the program's workload is named after it, its reference is its serial render of
 * this run (said in the context, no golden), and every render is checked against it. */
Test(bench, bench_of_a_program_names_the_workload_after_it)
{
    quiet();
    const char *dir = tu_tmpdir("benchprog");
    char ph[128], out[128];
    snprintf(ph, sizeof ph, "%s/song.ph", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    FILE *f = fopen(ph, "w");
    cr_assert_not_null(f);
    fputs("cps: 2\n~x: saw \"220 330 440\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n", f);
    fclose(f);
    char *argv[] = {"bench", ph, "--cycles", "2", "--sr", "8000", "--strategies", "serial,cycle", "--threads", "1,2",
                    "--reps", "2", "--warmup", "1", "--out", out, "--quiet", NULL};
    fflush(stdout);
    cr_assert_eq(bb_cmd_bench(17, argv), BB_EXIT_OK);
    json_t *doc = load(out);
    const json_t *ctx = json_object_get(doc, "context");
    cr_assert_null(json_object_get(ctx, "golden"), "no corpus was read");
    const char *ref = json_string_value(json_object_get(ctx, "reference"));
    cr_assert(ref && strstr(ref, "serial render"), "the context says what the reference is");
    size_t i, n = 0;
    const json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        cr_assert_str_eq(json_string_value(json_object_get(e, "workload")), "song");
        n++;
    }
    cr_assert_gt(n, 0);
    static const char *const runs[] = {"song/serial/threads:1/pin:compact", "song/serial/threads:2/pin:compact",
                                       "song/cycle/threads:1/pin:compact", "song/cycle/threads:2/pin:compact"};
    for (size_t k = 0; k < 4; k++) {
        const json_t *m = median_of(doc, runs[k]);
        cr_assert_not_null(m, "%s is in the results", runs[k]);
        cr_assert_eq(json_integer_value(json_object_get(m, "valid")), 2, "%s: every round checked and valid", runs[k]);
        cr_assert_eq(json_integer_value(json_object_get(m, "frames")), 8000, "2 cycles at 2 cps, 8000 Hz");
    }
    json_decref(doc);
}

/* A timing sample renders the workload again and again (Google Benchmark's iterations), sized from
 * the warm-up to last --min-sample-time; every render of it is compared with the golden (the counts
 * say so: valid samples x iterations timed renders, all checked), the times are per render, and a
 * wrong render ends and voids its sample. --min-sample-time 0 is one render a sample. */
Test(bench, samples_repeat_the_render_and_check_every_one)
{
    quiet();
    const char *dir = tu_tiny_corpus("bench", 2);
    char out[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    char *argv[] = {"bench", "--golden", (char *)dir, "--strategies", "serial,cycle", "--threads", "1", "--reps", "3",
                    "--min-sample-time", "0.05", "--out", out, "--quiet", NULL};
    cr_assert(bb_cmd_bench(14, argv) == BB_EXIT_OK);
    json_t *doc = load(out);
    cr_assert(json_real_value(json_object_get(json_object_get(doc, "context"), "min_sample_time_s")) == 0.05);
    static const char *const names[] = {"tiny/serial/threads:1/pin:compact", "tiny/cycle/threads:1/pin:compact"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *m = median_of(doc, names[k]);
        cr_assert_not_null(m);
        json_int_t it = json_integer_value(json_object_get(m, "iterations"));
        cr_assert(it >= 2, "a tiny render (well under 25 ms) is repeated to fill 50 ms: %d", (int)it);
        cr_assert(json_integer_value(json_object_get(m, "renders_checked")) == 3 * it, "every timed render checked");
        cr_assert(json_integer_value(json_object_get(m, "warmup_renders")) >= 1);
        size_t i;
        const json_t *e;
        int entries = 0;
        json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
            if (strcmp(json_string_value(json_object_get(e, "run_name")), names[k])) continue;
            cr_assert(json_integer_value(json_object_get(e, "iterations")) == it, "every entry says its iterations");
            entries++;
        }
        cr_assert(entries == 3 + 6);
    }
    json_decref(doc);
    /* one render a sample */
    argv[10] = "0";
    cr_assert(bb_cmd_bench(14, argv) == BB_EXIT_OK);
    doc = load(out);
    const json_t *m = median_of(doc, names[1]);
    cr_assert(json_integer_value(json_object_get(m, "iterations")) == 1);
    cr_assert(json_integer_value(json_object_get(m, "renders_checked")) == 3);
    cr_assert(json_integer_value(json_object_get(m, "warmup_renders")) == 1);
    json_decref(doc);
    /* a wrong render ends its sample: each of the three samples stops at its first render */
    argv[4] = "serial,canary-stale";
    argv[10] = "0.05";
    cr_assert(bb_cmd_bench(14, argv) == BB_EXIT_FAIL);
    doc = load(out);
    m = median_of(doc, "tiny/canary-stale/threads:1/pin:compact");
    cr_assert(json_integer_value(json_object_get(m, "valid")) == 0);
    cr_assert(json_integer_value(json_object_get(m, "renders_checked")) == 3, "checked, found wrong, the sample voided");
    json_decref(doc);
}

/* More threads than the PUs this process may run on: said on the terminal and in the context. */
Test(bench, oversubscription_is_said_on_the_terminal_and_in_the_context)
{
    cpu_set_t set;
    cr_assert(sched_getaffinity(0, sizeof set, &set) == 0);
    size_t cpu = CPU_SETSIZE;
    for (size_t c = 0; c < CPU_SETSIZE && cpu == CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) cpu = c;
    cr_assert(cpu < CPU_SETSIZE);
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    cr_assert(sched_setaffinity(0, sizeof set, &set) == 0, "bind this test to one CPU");
    const char *dir = tu_tiny_corpus("bench", 2);
    char out[128], errf[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(errf, sizeof errf, "%s/stderr.txt", dir);
    fflush(stdout);
    fflush(stderr);
    cr_assert_not_null(freopen("/dev/null", "w", stdout));
    cr_assert_not_null(freopen(errf, "w", stderr));
    char *argv[] = {"bench", "--golden", (char *)dir, "--strategies", "cycle", "--threads", "1,2", "--reps", "1",
                    "--min-sample-time", "0", "--out", out, "--quiet", NULL};
    cr_assert(bb_cmd_bench(14, argv) == BB_EXIT_OK);
    fflush(stderr);
    char *text = tu_slurp(errf, NULL);
    cr_assert(text && strstr(text, "warning: 2 threads is more than the 1 processing unit this process may run on: "
                                   "oversubscribed"), "%s", text ? text : "");
    cr_assert(!strstr(text, "warning: 1 threads"));
    free(text);
    json_t *doc = load(out);
    const json_t *ctx = json_object_get(doc, "context");
    cr_assert(json_integer_value(json_object_get(ctx, "pus_allowed")) == 1);
    const json_t *over = json_object_get(ctx, "oversubscribed");
    cr_assert(json_integer_value(json_object_get(over, "pus_allowed")) == 1);
    cr_assert(json_array_size(json_object_get(over, "threads")) == 1 &&
              json_integer_value(json_array_get(json_object_get(over, "threads"), 0)) == 2);
    json_decref(doc);
}

static bool has_gnuplot(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

static bool contains(const char *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(h + i, needle, k)) return true;
    return false;
}

static void assert_file(const char *dir, const char *name, const char *magic)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "%s exists", p);
    char head[512] = "";
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    cr_assert(n > 0, "%s is not empty", p);
    if (magic) cr_assert(contains(head, n, magic), "%s starts like a %s file", p, magic);
}

/* Bench the tiny corpus under strategies and report it into rdir (skips the test
 * without gnuplot); argv is the report's command line, to run it again. */
static void bench_and_report(const char *strategies, char *out, char *rdir, char **argv)
{
    if (!has_gnuplot()) cr_skip("gnuplot is not installed here: the report cannot draw (install gnuplot-nox)");
    quiet();
    const char *dir = tu_tiny_corpus("bench", 2);
    snprintf(out, 128, "%s/r.json", dir);
    snprintf(rdir, 128, "%s/report", dir);
    run_bench(dir, strategies, out, BB_EXIT_OK);
    argv[0] = "report";
    argv[1] = out;
    argv[2] = "-o";
    argv[3] = rdir;
    argv[4] = NULL;
    fflush(stdout);
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_OK);
}

Test(bench, report_draws_png_and_svg_and_writes_markdown)
{
    char out[128], rdir[128], *argv[5];
    bench_and_report("serial,cycle", out, rdir, argv);
    static const char *const figs[] = {"phases", "counters", "scaling_tiny", "cdf_tiny"};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        char n[64];
        snprintf(n, sizeof n, "%s.png", figs[i]);
        assert_file(rdir, n, "PNG");
        snprintf(n, sizeof n, "%s.svg", figs[i]);
        assert_file(rdir, n, "<svg");
    }
    assert_file(rdir, "report.md", "# busbench report");
    assert_file(rdir, "results.json", "\"context\"");
    char md[256];
    snprintf(md, sizeof md, "%s/report.md", rdir);
    FILE *f = fopen(md, "r");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cr_assert(strstr(buf, "![phases](phases.png)"), "the figures are in the report");
    cr_assert(strstr(buf, "matched bit for bit"));
    cr_assert(strstr(buf, "| cycle | compact | 2 |"), "the table has every configuration");
    /* the bound: its table row and its sentence, with a bound of at least 1x */
    cr_assert(strstr(buf, "Scaling bound (pin compact)"), "the bound is explained");
    const char *say = strstr(buf, "- cycle at 2 threads: ");
    cr_assert_not_null(say, "the bound in words");
    double meas, am, pl, pct;
    cr_assert(sscanf(say, "- cycle at 2 threads: %lfx measured, Amdahl bound %lfx, pipeline bound %lfx: %lf%% of Amdahl",
                     &meas, &am, &pl, &pct) == 4, "%.200s", say);
    cr_assert(meas > 0 && am > 0 && pl >= am - 0.01 && pct > 0, "pipeline >= Amdahl");
    cr_assert(strstr(buf, "| cycle | "), "the bound's table");
    char dat[256];
    snprintf(dat, sizeof dat, "%s/data/scaling_tiny.dat", rdir);
    FILE *df = fopen(dat, "r");
    cr_assert_not_null(df);
    char dbuf[1 << 14];
    size_t dn = fread(dbuf, 1, sizeof dbuf - 1, df);
    fclose(df);
    dbuf[dn] = '\0';
    cr_assert(strstr(dbuf, "# cycle pin:compact bounds from its 1-thread split"), "the figure draws the bounds");
    /* a second run replaces the files in place */
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_OK);
    assert_file(rdir, "phases.png", "PNG");
}

/* A result whose counters are all 0 on a panel (serial alone: no preprocessing
 * calls) still draws: gnuplot refuses a log-scale plot with no positive value. */
Test(bench, report_of_serial_alone_draws_its_counters)
{
    char out[128], rdir[128], *argv[5];
    bench_and_report("serial", out, rdir, argv);
    assert_file(rdir, "counters.png", "PNG");
    assert_file(rdir, "counters.svg", "<svg");
}

Test(bench, report_without_gnuplot_is_exit_2)
{
    quiet();
    const char *dir = tu_tiny_corpus("bench", 2);
    char out[128], rdir[128];
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(rdir, sizeof rdir, "%s/report", dir);
    run_bench(dir, "serial", out, BB_EXIT_OK);
    setenv("BB_GNUPLOT", "/nonexistent/gnuplot", 1);
    char *argv[] = {"report", out, "-o", rdir, NULL};
    cr_assert(bb_cmd_report(4, argv) == BB_EXIT_USAGE);
    unsetenv("BB_GNUPLOT");
    char *bad[] = {"report", "/nonexistent/r.json", "-o", rdir, NULL};
    cr_assert(bb_cmd_report(4, bad) == BB_EXIT_USAGE);
}
