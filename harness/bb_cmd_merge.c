/* bb_cmd_merge.c - `busbench merge A.json B.json ... -o M.json [--machines]`.
 *
 * What it is: shards of one matrix (bench --shard I/N), or any results of one
 * machine and one build, put together into one result; with --machines,
 * results of different machines put side by side in one document for
 * `busbench report`.
 *
 * Shards (the default): every input is read as the gate reads it
 * (bb_gate_file_load: empty, truncated or foreign files are bad input), and
 * must come from an environment whose measurements can be put together:
 * bb_env_fingerprint (the CPU model, number of PUs, compiler, code-generation
 * flags; for instruction counts also valgrind and libc), the same commit and
 * the same metrics. No configuration may appear twice, in two inputs or
 * within one (a hand-edited or concatenated file: refused, naming the
 * configuration and the file, not merged as two). When the inputs are
 * shards, they must be N distinct shards of the same N, all of them. The
 * merged file is the inputs' Google Benchmark entries and busbench series in
 * input order (family_index renumbered), with the first input's context, its
 * "shard" object replaced by "merged" (the inputs, the shard count, the hosts).
 *
 * Machines (--machines): each input is one machine's result, labelled
 * "CPU MODEL @ HOST" from its context; two inputs of one label are refused
 * (merge that machine's shards first). The document keeps every machine's
 * result whole under "busbench": {"machines": [...]} (bb_json_is_machines),
 * none of them listing a configuration twice;
 * its "benchmarks" array is empty, so a Google Benchmark tool sees nothing
 * to misread, and compare and history refuse it with a clear message.
 *
 * Invariants: nothing is written unless every input was read and every check
 * passed (exit 2, one line naming the file and the problem); the output is
 * committed atomically (bb_json_commit_doc). Units: none of its own. */
#include "bb_cmds.h"
#include "bb_file.h"
#include "bb_opt.h"
#include "bb_env.h"
#include "bb_gate.h"
#include "bb_json.h"
#include "bb_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MERGE_MAX = 4096 };

typedef struct input {
    const char *path;
    bb_gate_file f;           /* the model, as the gate reads it */
    json_t *doc;              /* the document itself */
} input;

typedef struct merge_opts {
    const char *out;
    bool machines;
} merge_opts;

static const bb_opt opts[] = {
    {"-o", BB_OPT_STR, offsetof(merge_opts, out), 0, 0, "FILE", "the merged file (written atomically)", "an output path", NULL},
    {"--out", BB_OPT_STR, offsetof(merge_opts, out), 0, 0, "FILE", "the same as -o", "an output path", NULL},
    {"--machines", BB_OPT_FLAG, offsetof(merge_opts, machines), 0, 0, NULL,
     "results of different machines into one document that keeps each machine's\n"
     "series apart, labelled by CPU model and host; busbench report draws them\nside by side", NULL, NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {
    "merge", "A.json B.json ... -o M.json [--machines]",
    "Put the shards of one bench matrix (bench --shard I/N), or results of one machine and one\n"
    "build, together into one result. Refused (exit 2, nothing written): environments that\n"
    "differ (CPU model, PUs, compiler, flags; valgrind and libc for instruction counts), another\n"
    "commit, other metrics, a configuration in two inputs or twice in one, a missing or repeated shard.",
    "0 written, 2 refused or bad input (nothing written)"};

/* Read every input. 0, or -1 after one line on stderr. */
static int load_inputs(input *in, int n)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    for (int i = 0; i < n; i++) {
        bb_error_clear(&err);
        in[i].doc = bb_json_load(in[i].path, &err);
        if (in[i].doc && bb_json_is_machines(in[i].doc))
            bb_error_set(&err, BB_ERR_FORMAT, in[i].path, 0, 0,
                         "already a document of several machines: merge the machines' own results");
        else if (in[i].doc && !bb_gate_file_load(in[i].path, &in[i].f, &err))
            continue;
        fprintf(stderr, "busbench merge: %s\n", bb_error_format(&err, msg, sizeof msg));
        return -1;
    }
    return 0;
}

static void free_inputs(input *in, int n)
{
    for (int i = 0; i < n; i++) {
        bb_gate_file_free(&in[i].f);
        if (in[i].doc) json_decref(in[i].doc);
    }
}

/* Input b against input a: metrics, environment, commit. 0 or -1 (said why). */
static int same_build(const input *a, const input *b)
{
    char refuse[2048] = "", warn[2048] = "";
    const json_t *x = a->f.r.context, *y = b->f.r.context;
    if (a->f.has_time != b->f.has_time || a->f.has_instr != b->f.has_instr) {
        fprintf(stderr, "busbench merge: %s: other metrics than %s (times: %s/%s, instructions: %s/%s)\n", b->path, a->path,
                a->f.has_time ? "yes" : "no", b->f.has_time ? "yes" : "no", a->f.has_instr ? "yes" : "no",
                b->f.has_instr ? "yes" : "no");
        return -1;
    }
    int bad = 0;
    if (a->f.has_time || b->f.has_time) bad += bb_env_fingerprint(x, y, true, refuse, sizeof refuse, warn, sizeof warn);
    if (a->f.has_instr || b->f.has_instr)
        bad += bb_env_fingerprint(x, y, false, refuse + strlen(refuse), sizeof refuse - strlen(refuse), warn, sizeof warn);
    if (bad) {
        refuse[strcspn(refuse, "\n")] = '\0';
        fprintf(stderr, "busbench merge: %s: not from the environment of %s: %s\n", b->path, a->path, refuse);
        return -1;
    }
    if (strcmp(bb_json_ctx_str(x, "git_commit"), bb_json_ctx_str(y, "git_commit"))) {
        fprintf(stderr, "busbench merge: %s: commit %s, but %s is of commit %s\n", b->path, bb_json_ctx_str(y, "git_commit"),
                a->path, bb_json_ctx_str(x, "git_commit"));
        return -1;
    }
    return 0;
}

/* No configuration twice within one input (a hand-edited or concatenated result file). 0 or -1. */
static int none_twice_in(const input *x)
{
    for (size_t k = 0; k < x->f.r.n; k++)
        if (bb_json_results_find(&x->f.r, x->f.r.v[k].name) != &x->f.r.v[k]) {
            fprintf(stderr, "busbench merge: %s: configuration %s is twice in %s\n", x->path, x->f.r.v[k].name, x->path);
            return -1;
        }
    return 0;
}

/* No configuration twice: within an input, or in two inputs. 0 or -1. */
static int no_duplicates(const input *in, int n)
{
    for (int i = 0; i < n; i++) {
        if (none_twice_in(&in[i])) return -1;
        for (size_t k = 0; k < in[i].f.r.n; k++)
            for (int j = 0; j < i; j++)
                if (bb_json_results_find(&in[j].f.r, in[i].f.r.v[k].name)) {
                    fprintf(stderr, "busbench merge: %s: configuration %s is also in %s\n", in[i].path,
                            in[i].f.r.v[k].name, in[j].path);
                    return -1;
                }
    }
    return 0;
}

/* Shards: all of one count, each once, none missing (or no input a shard). Returns the count (0: not shards), -1. */
static int shards_complete(const input *in, int n)
{
    int count = 0, with = 0;
    static char seen[BB_SHARD_MAX + 1];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < n; i++) {
        const json_t *s = json_object_get(in[i].f.r.context, "shard");
        if (!s) continue;
        int idx = (int)json_integer_value(json_object_get(s, "index")), cnt = (int)json_integer_value(json_object_get(s, "count"));
        if (with++ && cnt != count) {
            fprintf(stderr, "busbench merge: %s: shard %d/%d of another split than %d shards\n", in[i].path, idx, cnt, count);
            return -1;
        }
        count = cnt;
        if (idx < 1 || idx > cnt || cnt > BB_SHARD_MAX || seen[idx]) {
            fprintf(stderr, "busbench merge: %s: shard %d/%d %s\n", in[i].path, idx, cnt,
                    idx >= 1 && idx <= cnt && cnt <= BB_SHARD_MAX ? "given twice" : "is not a valid shard");
            return -1;
        }
        seen[idx] = 1;
    }
    if (with && with != n) {
        fprintf(stderr, "busbench merge: shards of %d and results that are not shards: merge the shards alone\n", count);
        return -1;
    }
    for (int k = 1; with && k <= count; k++)
        if (!seen[k]) {
            fprintf(stderr, "busbench merge: shard %d/%d is missing (%d of %d given)\n", k, count, with, count);
            return -1;
        }
    return count;
}

/* The merged document: entries and series in input order, the first context with "merged". */
static json_t *merged_doc(const input *in, int n, int shards)
{
    json_t *doc = json_deep_copy(in[0].doc), *benches = json_array(), *configs = json_array();
    json_t *ctx = json_object_get(doc, "context"), *from = json_array(), *hosts = json_array();
    json_int_t family = 0;
    for (int i = 0; i < n; i++) {
        size_t k;
        json_t *e;
        json_int_t top = -1;
        json_array_foreach(json_object_get(in[i].doc, "benchmarks"), k, e) {
            json_t *c = json_deep_copy(e);
            json_int_t fi = json_integer_value(json_object_get(e, "family_index"));
            if (fi > top) top = fi;
            json_object_set_new(c, "family_index", json_integer(family + fi));
            json_array_append_new(benches, c);
        }
        family += top + 1;
        json_array_foreach(json_object_get(json_object_get(in[i].doc, "busbench"), "configs"), k, e)
            json_array_append(configs, e);
        json_array_append_new(from, json_string(in[i].path));
        json_array_append_new(hosts, json_string(bb_json_ctx_str(in[i].f.r.context, "host_name")));
    }
    json_object_set_new(doc, "benchmarks", benches);
    json_object_set_new(json_object_get(doc, "busbench"), "configs", configs);
    json_object_del(ctx, "shard");
    json_t *m = json_object();
    json_object_set_new(m, "inputs", from);
    json_object_set_new(m, "shards", json_integer(shards));
    json_object_set_new(m, "hosts", hosts);
    json_object_set_new(ctx, "merged", m);
    return doc;
}

/* The machines document: each input whole, labelled. NULL (said why) when a machine comes twice. */
static json_t *machines_doc(const input *in, int n)
{
    json_t *doc = json_object(), *ctx = json_object(), *bb = json_object(), *ms = json_array(), *labels = json_array();
    for (int i = 0; i < n; i++) {
        const json_t *c = in[i].f.r.context;
        char label[512];
        if (none_twice_in(&in[i])) {
            json_decref(doc), json_decref(ctx), json_decref(bb), json_decref(ms), json_decref(labels);
            return NULL;
        }
        snprintf(label, sizeof label, "%s @ %s", bb_json_ctx_str(c, "cpu_model"), bb_json_ctx_str(c, "host_name"));
        size_t k;
        json_t *l;
        json_array_foreach(labels, k, l)
            if (!strcmp(json_string_value(l), label)) {
                fprintf(stderr, "busbench merge: %s: machine '%s' is also %s: merge its shards first (without --machines)\n",
                        in[i].path, label, in[k].path);
                json_decref(doc), json_decref(ctx), json_decref(bb), json_decref(ms), json_decref(labels);
                return NULL;
            }
        json_array_append_new(labels, json_string(label));
        json_t *m = json_object();
        json_object_set_new(m, "label", json_string(label));
        json_object_set_new(m, "cpu_model", json_string(bb_json_ctx_str(c, "cpu_model")));
        json_object_set_new(m, "host_name", json_string(bb_json_ctx_str(c, "host_name")));
        json_object_set_new(m, "source", json_string(in[i].path));
        json_object_set(m, "result", in[i].doc);
        json_array_append_new(ms, m);
    }
    json_object_set_new(ctx, "machines", labels);
    json_object_set_new(ctx, "date", json_string(bb_json_ctx_str(in[0].f.r.context, "date")));
    json_object_set_new(doc, "context", ctx);
    json_object_set_new(doc, "benchmarks", json_array());
    json_object_set_new(bb, "format", json_integer(1));
    json_object_set_new(bb, "machines", ms);
    json_object_set_new(doc, "busbench", bb);
    return doc;
}

/* Check the inputs (shards of one build) and build the merged document; NULL after a message. */
static json_t *merge_shards(const input *in, int n)
{
    for (int i = 1; i < n; i++)
        if (same_build(&in[0], &in[i])) return NULL;
    int shards = shards_complete(in, n);
    if (shards < 0 || no_duplicates(in, n)) return NULL;
    return merged_doc(in, n, shards);
}

int bb_cmd_merge(int argc, char **argv)
{
    merge_opts mo = {NULL, false};
    const bb_opt_group groups[] = {{NULL, opts, &mo}};
    const char **pos = calloc((size_t)argc, sizeof *pos);
    input *in = calloc((size_t)argc, sizeof *in);
    int n = 0;
    int rc = pos && in ? bb_opt_parse(&spec, groups, 1, argc, argv, pos, MERGE_MAX, &n) : BB_EXIT_USAGE;
    for (int i = 0; rc == BB_OPT_GO_ON && i < n; i++) in[i].path = pos[i];
    free(pos);
    if (rc == BB_OPT_GO_ON && (!mo.out || n < 1)) {
        fprintf(stderr, "busbench merge: expected result files and -o M.json\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        rc = BB_EXIT_USAGE;
    }
    if (rc != BB_OPT_GO_ON) {
        free(in);
        return rc;
    }
    const char *out = mo.out;
    bool machines = mo.machines;
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_error err;
    bb_error_clear(&err);
    json_t *doc = NULL;
    if (bb_file_check_writable(out, &err)) fprintf(stderr, "busbench merge: %s\n", bb_error_format(&err, msg, sizeof msg));
    else if (!load_inputs(in, n)) doc = machines ? machines_doc(in, n) : merge_shards(in, n);
    rc = doc ? BB_EXIT_OK : BB_EXIT_USAGE;
    if (doc && bb_json_commit_doc(doc, out, &err)) {
        fprintf(stderr, "busbench merge: %s\n", bb_error_format(&err, msg, sizeof msg));
        rc = BB_EXIT_USAGE;
    }
    if (doc) json_decref(doc);
    free_inputs(in, n);
    free(in);
    return rc;
}
