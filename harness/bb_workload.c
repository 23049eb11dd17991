/* bb_workload.c - the workloads verify and bench check and their references (bb_workload.h): a
 * corpus's manifest lines with their golden WAVs, or programs given on the command line with the
 * serial render of this run.
 *
 * Invariants: a reference is trusted only as bb_golden_read checks it (length, rate, channels,
 * sha256) or as bb_golden_serial renders it, the setup bless gives a golden, so that `verify
 * FILE.ph` checks what `bless` then `verify --golden` would check; a program's reference is made
 * once per run, before any strategy renders it; names are unique in a set (a second song.ph is
 * "song-2") and made of the characters a manifest allows, so results and residual file names
 * stay well formed; selection by name is bb_golden_pick's for both sources.
 * Units: frames (samples of the mono output); seconds of wall time for ref_seconds. */
#include "bb_workload.h"

#include "bb_alloc.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALLED_GOLDEN "/share/busbench/golden" /* under PREFIX = BINDIR/.., as `make install` lays it out */
#define LOCAL_GOLDEN "golden"

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int bb_workload_installed_golden(char *out, size_t cap)
{
    char self[PATH_MAX], up[PATH_MAX + 4], prefix[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return -1;
    self[n] = '\0';
    snprintf(up, sizeof up, "%s/..", dirname(self));
    if (!realpath(up, prefix)) return -1;
    int k = snprintf(out, cap, "%s%s", strcmp(prefix, "/") ? prefix : "", INSTALLED_GOLDEN);
    return k < 0 || (size_t)k >= cap ? -1 : 0;
}

const char *bb_workload_default_golden(void)
{
    static char installed[PATH_MAX];
    if (is_dir(LOCAL_GOLDEN)) return LOCAL_GOLDEN;
    if (!bb_workload_installed_golden(installed, sizeof installed) && is_dir(installed)) return installed;
    return LOCAL_GOLDEN;
}

const char *bb_workload_default_text(char *buf, size_t cap)
{
    char inst[PATH_MAX];
    if (bb_workload_installed_golden(inst, sizeof inst)) snprintf(inst, sizeof inst, "BINDIR/..%s", INSTALLED_GOLDEN);
    snprintf(buf, cap, "The default corpus is ./golden when that folder exists, else the installed one,\n%s; here: %s.", inst,
             bb_workload_default_golden());
    return buf;
}

const bb_opt *bb_workload_options(bb_opt *out, size_t cap, const char *const *also)
{
    size_t n = 0;
    for (const bb_opt *o = bb_run_options; o->name && n + 1 < cap; o++) {
        bool drop = !strcmp(o->name, "--format");
        for (int k = 0; bb_golden_axis_options[k]; k++) drop |= !strcmp(o->name, bb_golden_axis_options[k]);
        for (int k = 0; also && also[k]; k++) drop |= !strcmp(o->name, also[k]);
        if (!drop) out[n++] = *o;
    }
    out[n] = (bb_opt)BB_OPT_END;
    return out;
}

/* ---- names ------------------------------------------------------------------------------- */

/* The workload name of a program path: its file name without ".ph", other characters than a
 * manifest name allows turned into '_', "-2", "-3"... after a name taken by an earlier one. */
static void program_name(const char *path, char (*taken)[BB_GOLDEN_NAME_MAX], size_t ntaken, char *out)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len >= 3 && !strcmp(base + len - 3, ".ph")) len -= 3;
    char stem[BB_GOLDEN_NAME_MAX - 8];
    if (len >= sizeof stem) len = sizeof stem - 1;
    for (size_t i = 0; i < len; i++) {
        char c = base[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        stem[i] = ok ? c : '_';
    }
    stem[len] = '\0';
    if (!len) snprintf(stem, sizeof stem, "program");
    snprintf(out, BB_GOLDEN_NAME_MAX, "%s", stem);
    for (int k = 2;; k++) {
        size_t i = 0;
        while (i < ntaken && strcmp(taken[i], out)) i++;
        if (i == ntaken) return;
        snprintf(out, BB_GOLDEN_NAME_MAX, "%s-%d", stem, k);
    }
}

/* ---- opening ------------------------------------------------------------------------------ */

static bb_result open_corpus(bb_workload_set *s, const bb_workload_src *src, bb_error *err)
{
    const char *dir = src->golden ? src->golden : bb_workload_default_golden();
    snprintf(s->golden, sizeof s->golden, "%s", dir);
    bb_result r = bb_golden_manifest_load(dir, &s->man, err);
    if (r) return r;
    const char *names[BB_GOLDEN_ENTRIES_MAX];
    for (size_t i = 0; i < s->man.n; i++) names[i] = s->man.v[i].name;
    char where[BB_GOLDEN_PATH_MAX + 32];
    snprintf(where, sizeof where, "the manifest in %.1000s lists", dir);
    size_t sel[BB_GOLDEN_ENTRIES_MAX], nsel = 0;
    r = bb_golden_pick(names, s->man.n, src->names, src->nnames, where, sel, BB_GOLDEN_ENTRIES_MAX, &nsel, err);
    if (!r && !(s->v = bb_calloc(nsel ? nsel : 1, sizeof *s->v)))
        r = bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "no memory for the workloads");
    for (size_t i = 0; !r && i < nsel; i++) {
        bb_workload *w = &s->v[s->n++];
        w->entry = &s->man.v[sel[i]];
        snprintf(w->name, sizeof w->name, "%s", w->entry->name);
        w->frames = w->entry->blessed ? (int64_t)w->entry->frames : -1;
        r = bb_golden_job_init(&w->job, &s->man, w->entry, err);
    }
    return r;
}

static bb_result open_programs(bb_workload_set *s, const bb_workload_src *src, bb_error *err)
{
    if (src->nprograms > BB_WORKLOAD_PROGRAMS_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, "<arg>", 0, 0, "more than %d programs", BB_WORKLOAD_PROGRAMS_MAX);
    char taken[BB_WORKLOAD_PROGRAMS_MAX][BB_GOLDEN_NAME_MAX];
    const char *names[BB_WORKLOAD_PROGRAMS_MAX];
    size_t np = (size_t)src->nprograms, sel[BB_WORKLOAD_PROGRAMS_MAX], nsel = 0;
    for (size_t i = 0; i < np; i++) {
        program_name(src->programs[i], taken, i, taken[i]);
        names[i] = taken[i];
    }
    bb_result r = bb_golden_pick(names, np, src->names, src->nnames, "the programs given are", sel,
                                 BB_WORKLOAD_PROGRAMS_MAX, &nsel, err);
    if (!r && !(s->v = bb_calloc(nsel ? nsel : 1, sizeof *s->v)))
        r = bb_error_set(err, BB_ERR_NOMEM, "<arg>", 0, 0, "no memory for the workloads");
    for (size_t i = 0; !r && i < nsel; i++) {
        bb_workload *w = &s->v[s->n++];
        const char *path = src->programs[sel[i]];
        snprintf(w->name, sizeof w->name, "%s", taken[sel[i]]);
        w->frames = -1;
        if (src->opts) w->job.cfg = *src->opts;
        else bb_run_cfg_default(&w->job.cfg);
        if (snprintf(w->job.program, sizeof w->job.program, "%s", path) >= (int)sizeof w->job.program)
            r = bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "program path too long: %.80s...", path);
        w->job.cfg.program = w->job.program;
        w->job.cfg.strategy = "serial";
    }
    return r;
}

bb_result bb_workload_check_src(const bb_workload_src *src, bb_error *err)
{
    bb_run_cfg def;
    bb_run_cfg_default(&def);
    if (src->nprograms && src->golden)
        return bb_error_set(err, BB_ERR_ARG, "--golden", 0, 0,
                            "programs and a corpus: give one or the other (a program is checked against its serial "
                            "render, a corpus against its goldens)");
    if (!src->nprograms && src->opts && memcmp(src->opts, &def, sizeof def))
        return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0,
                            "workload options (--cycles, --sr, --reload-at...) are for programs given on the command "
                            "line: a corpus's workloads take theirs from its manifest");
    return BB_OK;
}

bb_result bb_workload_open(bb_workload_set *s, const bb_workload_src *src, bb_error *err)
{
    memset(s, 0, sizeof *s);
    bb_result r = src->nprograms ? open_programs(s, src, err) : open_corpus(s, src, err);
    if (r) bb_workload_set_free(s);
    return r;
}

/* ---- references --------------------------------------------------------------------------- */

bb_result bb_workload_reference(bb_workload *w, bb_error *err)
{
    if (w->ref) return BB_OK;
    double t0 = bb_now_ns();
    bb_result r;
    if (w->entry) {
        char sha[BB_GOLDEN_SHA_HEX];
        r = bb_golden_read(&w->job, w->entry, &w->ref, &w->nref, sha, err);
        w->tampered = r == BB_ERR_MISMATCH;
    } else {
        bb_run_cfg c = w->job.cfg;
        bb_golden_serial(&c);
        bb_run_out o;
        r = bb_run(&c, NULL, true, false, &o, err);
        if (!r) {
            w->ref = o.samples;
            w->nref = o.frames;
            o.samples = NULL;
        }
        bb_run_out_free(&o);
    }
    if (w->ref) w->frames = (int64_t)w->nref;
    w->ref_seconds = (bb_now_ns() - t0) / 1e9;
    return r;
}

const char *bb_workload_ref_name(const bb_workload *w)
{
    return w->entry ? w->job.wav : "the serial render of this run";
}

void bb_workload_set_free(bb_workload_set *s)
{
    for (size_t i = 0; s->v && i < s->n; i++) {
        bb_free(s->v[i].ref);
        bb_golden_job_free(&s->v[i].job);
    }
    bb_free(s->v);
    bb_golden_manifest_free(&s->man);
    memset(s, 0, sizeof *s);
}
