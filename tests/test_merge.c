/* test_merge.c - Criterion suite "merge": `busbench merge` and the report of
 * several machines.
 *
 * - Shards 1/3, 2/3, 3/3 of a real bench (three golden workloads), merged,
 *   give the configurations of the unsharded run and identical deterministic
 *   counters.
 * - Merge refuses (exit 2, one line on stderr, nothing written, a previous
 *   output left byte for byte) another CPU, another commit, other metrics, a
 *   configuration in two inputs or twice in one (also under --machines), a
 *   shard missing or given twice, shards mixed with
 *   whole results, a shard of another split or out of range (each message whole); and bad inputs: an empty file, truncated JSON, another
 *   tool's JSON, a document of machines.
 * - The merged document: the inputs' entries and series in command-line order,
 *   family_index renumbered, "merged" (inputs, shard count, hosts) for "shard".
 * - --machines keeps each machine apart (labelled CPU @ host), refuses one
 *   machine twice; report on it draws each machine's speedups side by side
 *   and its Markdown renders (cmark-gfm, GitHub's Markdown) with a strategy x
 *   machine table. */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_gate.h"
#include "bb_json.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A synthetic result of workloads wl (serial and cycle at 1 thread each) from cpu at host, commit;
 * shard i/n when n > 0. */
static void result(const char *path, const char *const *wl, int nwl, const char *cpu, const char *host, const char *commit,
                   int i, int n)
{
    bb_results r;
    bb_json_results_init(&r);
    r.context = tu_ctx(cpu);
    json_object_set_new(r.context, "git_commit", json_string(commit));
    json_object_set_new(r.context, "host_name", json_string(host));
    if (n) {
        json_t *s = json_object();
        json_object_set_new(s, "index", json_integer(i));
        json_object_set_new(s, "count", json_integer(n));
        json_object_set_new(r.context, "shard", s);
    }
    for (int w = 0; w < nwl; w++) {
        tu_config(bb_json_results_add(&r, 5), wl[w], "serial", 1, 10, 0.01);
        bb_bres *c = bb_json_results_add(&r, 5);
        tu_config(c, wl[w], "cycle", 1, 5, 0.01);
        c->speedup = 2, c->sp_lo = 1.9, c->sp_hi = 2.1;
        snprintf(c->baseline, sizeof c->baseline, "%s/serial/threads:1/pin:compact", wl[w]);
    }
    bb_error err;
    cr_assert(bb_json_write(&r, path, &err) == BB_OK, "%s", err.msg);
    bb_json_results_free(&r);
}

/* merge with args (a shell fragment) into out; asserts exit 2, one line on stderr naming why, out untouched. */
static void refused(const char *d, const char *args, const char *why)
{
    char out[256], log[256];
    snprintf(out, sizeof out, "%s/out.json", d);
    snprintf(log, sizeof log, "%s/err.txt", d);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    fputs("previous\n", f);
    fclose(f);
    int rc = tu_sh("cd %s && '%s' merge %s -o out.json 2>err.txt >/dev/null", d, tu_busbench(), args);
    cr_assert(rc == BB_EXIT_USAGE, "merge %s: exit 2, got %d", args, rc);
    char *e = tu_slurp(log, NULL), *o = tu_slurp(out, NULL);
    cr_assert(e && strstr(e, why), "merge %s: stderr says '%s': %s", args, why, e ? e : "(none)");
    cr_assert(strchr(e, '\n') == e + strlen(e) - 1, "one line: %s", e);
    cr_assert(o && !strcmp(o, "previous\n"), "merge %s: the output is left as it was", args);
    free(e);
    free(o);
}

Test(merge, shards_merged_equal_the_unsharded_run, .timeout = 300)
{
    const char *d = tu_tmpdir("merge");
    const char *bin = tu_busbench();
    const char *opts = "--golden golden --workloads phonon,static,noise --strategies serial,cycle --threads 1 --reps 1 "
                       "--warmup 0 --quiet";
    cr_assert(tu_sh("'%s' bench %s --out %s/all.json >/dev/null 2>&1", bin, opts, d) == 0);
    for (int i = 1; i <= 3; i++)
        cr_assert(tu_sh("'%s' bench %s --shard %d/3 --out %s/s%d.json >/dev/null 2>&1", bin, opts, i, d, i) == 0, "shard %d", i);
    cr_assert(tu_sh("cd %s && '%s' merge s3.json s1.json s2.json -o m.json", d, bin) == 0);
    char p[256], q[256];
    bb_gate_file m, s;
    bb_error err;
    snprintf(p, sizeof p, "%s/all.json", d);
    snprintf(q, sizeof q, "%s/m.json", d);
    tu_merged_equals_unsharded(p, q, 6);
    cr_assert(bb_gate_file_load(q, &m, &err) == BB_OK, "%s", err.msg);
    const json_t *mg = json_object_get(m.r.context, "merged");
    cr_assert(json_integer_value(json_object_get(mg, "shards")) == 3 && !json_object_get(m.r.context, "shard"));
    /* each shard ran a third of the groups, and said which */
    size_t total = 0;
    for (int i = 1; i <= 3; i++) {
        snprintf(p, sizeof p, "%s/s%d.json", d, i);
        cr_assert(bb_gate_file_load(p, &s, &err) == BB_OK);
        const json_t *sh = json_object_get(s.r.context, "shard");
        cr_assert(json_integer_value(json_object_get(sh, "index")) == i && json_integer_value(json_object_get(sh, "count")) == 3);
        cr_assert(json_integer_value(json_object_get(sh, "groups")) == 1, "3 workloads, 3 shards: one group each");
        total += s.r.n;
        bb_gate_file_free(&s);
    }
    cr_assert(total == 6, "each configuration in exactly one shard");
    bb_gate_file_free(&m);
    cr_assert(tu_sh("'%s' bench %s --shard 4/4 >/dev/null 2>&1", bin, opts) == BB_EXIT_USAGE, "3 groups cannot fill 4 shards");
    /* costs from the previous run: another split, still each configuration once */
    for (int i = 1; i <= 3; i++)
        cr_assert(tu_sh("'%s' bench %s --shard %d/3 --shard-costs %s/all.json --out %s/c%d.json >/dev/null 2>&1", bin, opts, i, d,
                        d, i) == 0);
    cr_assert(tu_sh("cd %s && '%s' merge c1.json c2.json c3.json -o mc.json", d, bin) == 0);
    snprintf(p, sizeof p, "%s/mc.json", d);
    cr_assert(bb_gate_file_load(p, &m, &err) == BB_OK && m.r.n == 6, "%s", err.msg);
    bb_gate_file_free(&m);
    snprintf(p, sizeof p, "%s/c1.json", d);
    cr_assert(bb_gate_file_load(p, &s, &err) == BB_OK);
    const char *model = json_string_value(json_object_get(json_object_get(s.r.context, "shard"), "cost_model"));
    cr_assert(model && strstr(model, "previous result"), "the shard says where its costs came from: %s", model ? model : "-");
    bb_gate_file_free(&s);
    cr_assert(tu_sh("'%s' bench %s --shard 1/3 --shard-costs %s/nope.json >/dev/null 2>&1", bin, opts, d) == BB_EXIT_USAGE,
              "an unreadable costs file is bad input");
}

Test(merge, refuses_mismatches_with_exit_2_and_writes_nothing)
{
    const char *d = tu_tmpdir("merge");
    const char *w1[] = {"a"}, *w2[] = {"b"}, *w3[] = {"c"};
    char p[256];
#define R(name, ...) (snprintf(p, sizeof p, "%s/%s", d, name), result(p, __VA_ARGS__))
    R("s1.json", w1, 1, "cpu A", "h1", "abc", 1, 3);
    R("s2.json", w2, 1, "cpu A", "h2", "abc", 2, 3);
    R("s3.json", w3, 1, "cpu A", "h3", "abc", 3, 3);
    R("cpu.json", w2, 1, "cpu B", "h2", "abc", 2, 3);
    R("commit.json", w2, 1, "cpu A", "h2", "def", 2, 3);
    R("dup.json", w1, 1, "cpu A", "h2", "abc", 2, 3);
    R("whole.json", w2, 1, "cpu A", "h2", "abc", 0, 0);
    R("instr.json", w2, 1, "cpu A", "h2", "abc", 2, 3);
    R("split.json", w2, 1, "cpu A", "h2", "abc", 1, 2);
    R("four.json", w2, 1, "cpu A", "h2", "abc", 4, 3);
    R("zero.json", w2, 1, "cpu A", "h2", "abc", 0, 3);
#undef R
    snprintf(p, sizeof p, "%s/instr.json", d);
    tu_make_instr(p, 1e9, "valgrind-3.19.0");
    cr_assert(tu_sh("cd %s && '%s' merge s1.json s2.json s3.json -o ok.json >/dev/null", d, tu_busbench()) == 0);
    /* each message whole: the line names the file, what differs and from what */
    refused(d, "s1.json cpu.json s3.json",
            "busbench merge: cpu.json: not from the environment of s1.json: CPU model differs: 'cpu A' (BASE) vs 'cpu B' (NEW)\n");
    refused(d, "s1.json commit.json s3.json", "busbench merge: commit.json: commit def, but s1.json is of commit abc\n");
    refused(d, "s1.json dup.json s3.json", "busbench merge: dup.json: configuration a/serial/threads:1/pin:compact is also in s1.json\n");
    refused(d, "s1.json s3.json", "busbench merge: shard 2/3 is missing (2 of 3 given)\n");
    refused(d, "s2.json s3.json", "busbench merge: shard 1/3 is missing (2 of 3 given)\n");
    refused(d, "s1.json s2.json", "busbench merge: shard 3/3 is missing (2 of 3 given)\n");
    refused(d, "s1.json s2.json s2.json s3.json", "busbench merge: s2.json: shard 2/3 given twice\n");
    refused(d, "s1.json whole.json s3.json", "busbench merge: shards of 3 and results that are not shards: merge the shards alone\n");
    refused(d, "whole.json s1.json s2.json s3.json",
            "busbench merge: shards of 3 and results that are not shards: merge the shards alone\n");
    refused(d, "s1.json instr.json s3.json",
            "busbench merge: instr.json: other metrics than s1.json (times: yes/no, instructions: no/yes)\n");
    refused(d, "s1.json split.json s3.json", "busbench merge: split.json: shard 1/2 of another split than 3 shards\n");
    refused(d, "s1.json four.json s3.json", "busbench merge: four.json: shard 4/3 is not a valid shard\n");
    refused(d, "s1.json zero.json s3.json", "busbench merge: zero.json: shard 0/3 is not a valid shard\n");
}

/* Three shards merged (given out of order: the output follows the command line): every entry and
 * series of the inputs in input order, family_index renumbered (0 to 5: two families per input),
 * the first input's context with "shard" replaced by "merged" (the inputs, the count, the hosts). */
Test(merge, the_merged_document_lists_every_input_in_order)
{
    const char *d = tu_tmpdir("merge");
    const char *w1[] = {"a"}, *w2[] = {"b"}, *w3[] = {"c"};
    char p[256];
#define R(name, ...) (snprintf(p, sizeof p, "%s/%s", d, name), result(p, __VA_ARGS__))
    R("s1.json", w1, 1, "cpu A", "h1", "abc", 1, 3);
    R("s2.json", w2, 1, "cpu A", "h2", "abc", 2, 3);
    R("s3.json", w3, 1, "cpu A", "h3", "abc", 3, 3);
#undef R
    cr_assert(tu_sh("cd %s && '%s' merge s2.json s3.json s1.json -o m.json >/dev/null", d, tu_busbench()) == 0);
    snprintf(p, sizeof p, "%s/m.json", d);
    json_error_t je;
    json_t *m = json_load_file(p, 0, &je);
    cr_assert_not_null(m, "%s", je.text);
    const json_t *ctx = json_object_get(m, "context");
    cr_expect_null(json_object_get(ctx, "shard"), "no shard of its own");
    char *merged = json_dumps(json_object_get(ctx, "merged"), JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_not_null(merged);
    cr_expect_str_eq(merged, "{\"hosts\":[\"h2\",\"h3\",\"h1\"],\"inputs\":[\"s2.json\",\"s3.json\",\"s1.json\"],\"shards\":3}");
    free(merged);
    cr_expect_str_eq(json_string_value(json_object_get(ctx, "host_name")), "h2", "the first input's context");
    /* the series, by name, in input order */
    char names[1024] = "";
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(m, "busbench"), "configs"), i, e) {
        size_t u = strlen(names);
        snprintf(names + u, sizeof names - u, "%s;", json_string_value(json_object_get(e, "name")));
    }
    cr_expect_str_eq(names, "b/serial/threads:1/pin:compact;b/cycle/threads:1/pin:compact;c/serial/threads:1/pin:compact;"
                            "c/cycle/threads:1/pin:compact;a/serial/threads:1/pin:compact;a/cycle/threads:1/pin:compact;");
    /* the Google Benchmark entries: each input's families after the previous input's */
    json_int_t last = -1;
    const char *prev = "";
    int families = 0;
    json_array_foreach(json_object_get(m, "benchmarks"), i, e) {
        const char *rn = json_string_value(json_object_get(e, "run_name"));
        json_int_t fi = json_integer_value(json_object_get(e, "family_index"));
        if (strcmp(rn, prev)) {
            cr_expect_eq(fi, last + 1, "%s: family %lld after %lld", rn, (long long)fi, (long long)last);
            families++;
            last = fi;
            prev = rn;
        } else {
            cr_expect_eq(fi, last, "%s: one family", rn);
        }
    }
    cr_expect_eq(families, 6, "two configurations in each of three inputs");
    json_decref(m);
}

/* One input that lists a configuration twice (a hand-edited or concatenated
 * result) is refused like two inputs that share one: exit 2, naming the
 * configuration and the file, nothing written; alone or with other shards. */
Test(merge, an_input_that_holds_a_configuration_twice_is_refused)
{
    const char *d = tu_tmpdir("merge");
    const char *w1[] = {"a"}, *w2[] = {"b", "b"}, *w3[] = {"c"};
    char p[256];
#define R(name, ...) (snprintf(p, sizeof p, "%s/%s", d, name), result(p, __VA_ARGS__))
    R("s1.json", w1, 1, "cpu A", "h1", "abc", 1, 3);
    R("s2.json", w2, 2, "cpu A", "h2", "abc", 2, 3);
    R("s3.json", w3, 1, "cpu A", "h3", "abc", 3, 3);
    R("whole.json", w2, 2, "cpu A", "h1", "abc", 0, 0);
#undef R
    refused(d, "s1.json s2.json s3.json", "s2.json: configuration b/serial/threads:1/pin:compact is twice in s2.json");
    refused(d, "whole.json", "whole.json: configuration b/serial/threads:1/pin:compact is twice in whole.json");
    refused(d, "--machines whole.json", "whole.json: configuration b/serial/threads:1/pin:compact is twice in whole.json");
}

Test(merge, bad_inputs_are_clear_errors)
{
    const char *d = tu_tmpdir("merge");
    const char *w1[] = {"a"};
    char p[256];
    snprintf(p, sizeof p, "%s/good.json", d);
    result(p, w1, 1, "cpu A", "h1", "abc", 0, 0);
    cr_assert(tu_sh("cd %s && : > empty.json && head -c 200 good.json > trunc.json && "
                    "printf '{\"context\":{\"library_version\":\"v1.8\"},\"benchmarks\":[{\"name\":\"BM_x\",\"run_type\":\"aggregate\","
                    "\"aggregate_name\":\"median\",\"real_time\":1}]}' > gbench.json && printf '{\"name\":\"pkg\"}' > pkg.json",
                    d) == 0);
    refused(d, "good.json empty.json", "empty.json: bad file format: empty file");
    refused(d, "good.json trunc.json", "trunc.json:");
    refused(d, "good.json gbench.json", "no busbench configurations");
    refused(d, "good.json pkg.json", "expected Google Benchmark JSON");
    refused(d, "good.json missing.json", "cannot open");
    cr_assert(tu_sh("cd %s && cp good.json other.json && '%s' merge --machines good.json -o mm.json >/dev/null", d,
                    tu_busbench()) == 0);
    refused(d, "mm.json", "several machines");
}

Test(merge, machines_side_by_side_and_their_report_renders)
{
    const char *d = tu_tmpdir("merge");
    const char *w[] = {"a", "b"};
    char p[256];
    snprintf(p, sizeof p, "%s/m1.json", d);
    result(p, w, 2, "cpu A", "host1", "abc", 0, 0);
    snprintf(p, sizeof p, "%s/m2.json", d);
    result(p, w, 2, "cpu B", "host2", "abc", 0, 0);
    const char *bin = tu_busbench();
    refused(d, "--machines m1.json m1.json", "also m1.json");
    cr_assert(tu_sh("cd %s && '%s' merge --machines m1.json m2.json -o mm.json >/dev/null", d, bin) == 0);
    snprintf(p, sizeof p, "%s/mm.json", d);
    json_error_t je;
    json_t *doc = json_load_file(p, 0, &je);
    cr_assert(doc && bb_json_is_machines(doc));
    const json_t *ms = json_object_get(json_object_get(doc, "busbench"), "machines");
    cr_assert(json_array_size(ms) == 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(ms, 1), "label")), "cpu B @ host2");
    cr_assert(json_array_size(json_object_get(json_object_get(json_array_get(ms, 0), "result"), "benchmarks")) > 0,
              "each machine's series kept whole");
    json_decref(doc);
    bb_results r;
    bb_error err;
    cr_assert(bb_json_read(p, &r, &err) == BB_ERR_FORMAT && strstr(err.msg, "several machines"), "compare and history refuse it");
    cr_assert(tu_sh("cd %s && '%s' report mm.json -o rep >/dev/null", d, bin) == 0);
    cr_assert(tu_sh("cd %s/rep && test -s machines_a.png && test -s machines_a.svg && test -s machines_b.png", d) == 0);
    /* GitHub's Markdown (cmark-gfm): two tables of strategies x machines plus the machines' table */
    cr_assert(tu_sh("cd %s/rep && cmark-gfm -e table report.md > report.html", d) == 0, "cmark-gfm runs (make deps installs it)");
    cr_assert(tu_sh("cd %s/rep && test $(grep -c '<table>' report.html) -ge 3 && grep -q '<th>cpu A @ host1</th>' report.html && "
                    "grep -q '<th>cpu B @ host2</th>' report.html && grep -q '<td>2.00x \\[1.90, 2.10\\] at 1 thr' report.html",
                    d) == 0, "the strategy x machine table renders");
}
