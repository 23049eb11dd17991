/* bb_anchors.c - the anchors table of the report.
 *
 * What it is: `make bench-anchors` times busbench's q-like render beside the
 * same score in Csound, scsynth, Faust (scalar and -vec) and a plain C loop, in
 * one hyperfine run, and keeps hyperfine's JSON export. `busbench report
 * RESULTS.json -o DIR --anchors FILE` reads that export here and adds a section
 * to report.md: each command's median wall time, its ratio to Csound's and to
 * busbench serial's median, the spread and the CPU time, and the caveats (whole
 * processes, one pinned CPU; the engines' arithmetic differs, so the bench
 * checks "the same music", not the same bits). The file is copied beside the
 * report as DIR/anchors.json, like results.json, so every number in the
 * section comes from data kept with it.
 *
 * Invariants: the file is checked in full before the report writes anything
 * (a bad export is bad input, exit 2, nothing written); the section computes
 * nothing but ratios of the medians it read; a reference that is missing
 * makes its ratio column "n/a", never a wrong ratio. The references are found
 * by the names run.sh gives them ("csound", "busbench-serial").
 *
 * Units: hyperfine writes seconds; the table shows milliseconds. */
#include "bb_anchors.h"
#include "bb_file.h"
#include "bb_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ANCHORS_MAX_BYTES = 64 << 20, ANCHORS_MAX_ROWS = 256 };

static double num_or_nan(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : (double)NAN;
}

static bb_result read_all(const char *path, bb_anchors *a, bb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16;
    a->text = malloc(cap);
    a->len = 0;
    for (;;) {
        if (!a->text) {
            fclose(f);
            return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory");
        }
        size_t k = fread(a->text + a->len, 1, cap - a->len, f);
        a->len += k;
        if (k == 0) break;
        if (a->len == cap) {
            if (cap >= ANCHORS_MAX_BYTES) {
                fclose(f);
                return bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "larger than %d MiB: not a hyperfine export",
                                    ANCHORS_MAX_BYTES >> 20);
            }
            char *nb = realloc(a->text, cap * 2);
            if (!nb) {
                free(a->text);
                a->text = NULL;
                continue;
            }
            a->text = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read it");
    return BB_OK;
}

bb_result bb_anchors_read(const char *path, bb_anchors *a, bb_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    bb_result r = read_all(path, a, err);
    if (r) {
        bb_anchors_free(a);
        return r;
    }
    json_error_t je;
    json_t *doc = json_loadb(a->text, a->len, 0, &je);
    if (!doc) {
        bb_error_set(err, BB_ERR_FORMAT, path, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0,
                     "not JSON: %s", je.text);
        bb_anchors_free(a);
        return BB_ERR_FORMAT;
    }
    const json_t *res = json_object_get(doc, "results");
    size_t n = json_is_array(res) ? json_array_size(res) : 0;
    if (n == 0 || n > ANCHORS_MAX_ROWS) {
        r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                         "not a hyperfine export: expected \"results\", an array of 1 to %d results",
                         ANCHORS_MAX_ROWS);
        goto out;
    }
    a->v = calloc(n, sizeof *a->v);
    if (!a->v) {
        r = bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(res, i);
        const json_t *cmd = json_object_get(o, "command");
        bb_anchor_row *row = &a->v[i];
        if (!json_is_string(cmd) || json_string_length(cmd) == 0 || json_string_length(cmd) >= sizeof row->name) {
            r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "result %zu: \"command\" must be a name of 1 to %zu characters",
                             i + 1, sizeof row->name - 1);
            goto out;
        }
        snprintf(row->name, sizeof row->name, "%s", json_string_value(cmd));
        for (const char *c = row->name; *c; c++)
            if (*c == '|' || *c == '\n' || *c == '\r') {
                r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "result %zu: the name holds '|' or a line break", i + 1);
                goto out;
            }
        row->median_s = num_or_nan(o, "median");
        row->min_s = num_or_nan(o, "min");
        row->max_s = num_or_nan(o, "max");
        row->user_s = num_or_nan(o, "user");
        row->system_s = num_or_nan(o, "system");
        const json_t *times = json_object_get(o, "times");
        size_t nt = json_is_array(times) ? json_array_size(times) : 0;
        row->runs = nt > 1000000 ? 1000000 : (int)nt;
        if (!(isfinite(row->median_s) && row->median_s > 0.0)) {
            r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "result %zu (%s): \"median\" must be a positive number",
                             i + 1, row->name);
            goto out;
        }
    }
    a->n = n;
    r = BB_OK;
out:
    json_decref(doc);
    if (r) bb_anchors_free(a);
    return r;
}

void bb_anchors_free(bb_anchors *a)
{
    free(a->text);
    free(a->v);
    memset(a, 0, sizeof *a);
}

static const bb_anchor_row *find(const bb_anchors *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->v[i].name, name)) return &a->v[i];
    return NULL;
}

static void ms_or_na(FILE *f, double s)
{
    if (isfinite(s)) fprintf(f, "%.1f", s * 1e3);
    else fprintf(f, "n/a");
}

void bb_anchors_md(FILE *f, const bb_anchors *a)
{
    const bb_anchor_row *cs = find(a, "csound"), *se = find(a, "busbench-serial");
    fprintf(f, "\n## Anchors: the q-like score in other engines\n\n");
    fprintf(f, "From `%s` (data: `anchors.json`), written by `make bench-anchors`: each engine renders the q-like "
               "score (`bpm: 120`, `~x: saw # lpf 800 0.7071`, `out: s \"~x(7,17)\" # note \"c4'min7 f3'min7\"`; "
               "`ANCHORS_CYCLES` cycles, 64 by default) to a float WAV on tmpfs, as a whole process, all in one "
               "hyperfine run pinned to one CPU, after warm-up runs. Median wall time; ratio = median / median of "
               "Csound or of busbench serial (below 1: faster); CPU = hyperfine's mean user + system time. The "
               "engines' arithmetic differs (phase accumulation, filter form, Csound and scsynth start notes on "
               "64-sample control blocks), so the bench checks that the renders are the same music (same length, "
               "RMS within a few per cent, the same envelope), not the same bits.\n\n",
            a->path);
    fprintf(f, "| engine | median ms | x Csound | x busbench serial | min-max ms | CPU ms | runs |\n");
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < a->n; i++) {
        const bb_anchor_row *r = &a->v[i];
        fprintf(f, "| %s | %.1f | ", r->name, r->median_s * 1e3);
        if (cs) fprintf(f, "%.2f", r->median_s / cs->median_s);
        else fprintf(f, "n/a");
        fprintf(f, " | ");
        if (se) fprintf(f, "%.2f", r->median_s / se->median_s);
        else fprintf(f, "n/a");
        fprintf(f, " | ");
        ms_or_na(f, r->min_s);
        fprintf(f, "-");
        ms_or_na(f, r->max_s);
        fprintf(f, " | ");
        ms_or_na(f, r->user_s + r->system_s);
        fprintf(f, " | %d |\n", r->runs);
    }
    if (!cs || !se)
        fprintf(f, "\nNo `%s` result in the file: its ratio column is n/a.\n", !cs ? "csound" : "busbench-serial");
}

bb_result bb_anchors_commit(const bb_anchors *a, const char *dir, bb_error *err)
{
    char dst[4096];
    if ((size_t)snprintf(dst, sizeof dst, "%s/anchors.json", dir) >= sizeof dst)
        return bb_error_set(err, BB_ERR_ARG, dir, 0, 0, "path too long");
    return bb_file_commit(dst, a->text ? a->text : "", a->len, err);
}
