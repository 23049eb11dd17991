/* bb_verify.c - `busbench verify`'s work: every selected workload rendered under every combination
 * of the matrix (strategy x threads x block x pinning), compared bit for bit with its reference (a
 * golden WAV of the corpus, or for a program given on the command line the serial render of this
 * run: bb_workload.h), and a failure localised: the first differing frame in seconds, cycle and
 * beat, the program in force and the events sounding there.
 *
 * Invariants: a golden whose samples do not match the manifest's sha256 is reported as tampered
 * (bad input) and still compared, so that the failures show where the file was changed; a
 * workload that does not render (bad input) stops that workload, never the others; every outcome
 * is one line on out, flushed as it comes.
 * Units: frames and seconds (frame / sample rate); beats are quarters of a cycle, from 0. */
#include "bb_verify.h"

#include "bb_alloc.h"
#include "bb_cmds.h"
#include "bb_kit.h"
#include "bb_pat.h"
#include "bb_prog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- where a frame lies ----------------------------------------------------------------- */

/* The text of p's value at time b (the event whose whole holds b), or NULL. */
static const char *value_at(const bb_pat *p, bb_rat b, bb_rat b1, bb_arena *scratch, bb_haps *h, char *buf, size_t cap)
{
    bb_haps_clear(h);
    if (bb_pat_query(p, b, b1, scratch, h)) return NULL;
    for (size_t i = 0; i < h->n; i++) {
        const bb_hap *x = &h->v[i];
        if (x->has_whole && bb_rat_le(x->whole_b, b) && bb_rat_lt(b, x->whole_e)) {
            if (x->val.kind == BB_VAL_NUM)
                snprintf(buf, cap, "%g", x->val.num);
            else
                snprintf(buf, cap, "%.*s", (int)(x->val.text_len > 60 ? 60 : x->val.text_len), x->val.text);
            return buf;
        }
    }
    return NULL;
}

static void describe_trig(FILE *f, const char *indent, const bb_prog *p, int t, int64_t k, bb_arena *scratch,
                          bb_haps *h, bb_haps *h2)
{
    const bb_trigdef *td = &p->main.trigs[t];
    bb_rat t0 = bb_prog_time(p, k), t1 = bb_prog_time(p, k + 1);
    bb_haps_clear(h);
    bb_arena_reset(scratch);
    bb_result r = bb_pat_query(td->pat, t0, t1, scratch, h);
    if (r) {
        fprintf(f, "%strigger %s:%d:%d: cannot query: %s\n", indent, p->ph->file, td->line, td->col, bb_result_str(r));
        return;
    }
    /* h holds the trigger's haps; value queries use h2 and the same scratch (not reset meanwhile) */
    int shown = 0, total = 0;
    for (size_t i = 0; i < h->n; i++) {
        const bb_hap *x = &h->v[i];
        if (!x->has_whole || !bb_rat_eq(x->part_b, t0) || !bb_rat_le(x->whole_b, t0) || !bb_rat_lt(t0, x->whole_e)) continue;
        total++;
        if (shown >= 8) continue;
        shown++;
        char b[48], e[48], vb[3][72];
        int64_t onset = bb_prog_idx(p, x->whole_b);
        bb_rat ob1 = bb_prog_time(p, onset + 1);
        const bb_pat *ctl[3] = {td->note, td->n, td->gain};
        static const char *const names[3] = {"note", "n", "gain"};
        char extra[256] = "";
        for (int c = 0; c < 3; c++) {
            if (!ctl[c]) continue;
            const char *v = value_at(ctl[c], x->whole_b, bb_rat_max(ob1, bb_rat_add(x->whole_b, bb_rat_make(1, 1 << 20))),
                                     scratch, h2, vb[c], sizeof vb[c]);
            size_t used = strlen(extra);
            snprintf(extra + used, sizeof extra - used, ", %s %s", names[c], v ? v : "(none: 0)");
        }
        char echo[48] = "";
        if (x->gain != 1.0) snprintf(echo, sizeof echo, ", echo gain %g", x->gain);
        fprintf(f, "%s%s:%d:%d  \"%.*s\"  whole [%s, %s)  onset frame %lld%s%s\n", indent, p->ph->file, td->line,
                td->col, (int)(x->val.text_len > 60 ? 60 : x->val.text_len), x->val.text,
                bb_rat_fmt(x->whole_b, b, sizeof b), bb_rat_fmt(x->whole_e, e, sizeof e), (long long)onset, echo,
                extra);
    }
    if (total > shown) fprintf(f, "%s... and %d more events of this trigger\n", indent, total - shown);
    if (!total) fprintf(f, "%s%s:%d:%d  no event of this trigger sounds here\n", indent, p->ph->file, td->line, td->col);
}

bb_result bb_verify_describe(FILE *f, const char *indent, const bb_run_cfg *cfg, int64_t k, bb_error *err)
{
    fprintf(f, "%sframe %lld is at %.6f s", indent, (long long)k, (double)k / cfg->sr);
    bb_kit *kit = NULL;
    bb_prog *progs[BB_RENDER_RELOADS_MAX + 1];
    int np = 0;
    bb_result r = bb_kit_create(&kit, (double)cfg->sr);
    if (r) bb_error_set(err, r, NULL, 0, 0, "cannot build the sample kit");
    if (!r && cfg->samples) r = bb_kit_load_dir(kit, cfg->samples, err);
    for (int i = 0; !r && i <= cfg->nreloads; i++) {
        const char *path = i ? cfg->reloads[i - 1].path : cfg->program;
        bb_prog_opts po = {.sr = (double)cfg->sr, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
        if (i) {
            po.c0 = cfg->reloads[i - 1].cycle;
            po.s0 = bb_prog_idx(progs[np - 1], po.c0);
        }
        bb_ph *ph;
        if ((r = bb_ph_load(path, &ph, err))) break;
        if ((r = bb_prog_compile(ph, &po, &progs[np], err))) break;
        np++;
    }
    if (r) {
        fprintf(f, " (cannot describe it further: %s)\n", err->msg);
    } else {
        int cur = 0;
        for (int i = 1; i < np; i++)
            if (progs[i]->s0 <= k) cur = i;
        const bb_prog *p = progs[cur];
        bb_rat t = bb_prog_time(p, k);
        int64_t cyc = bb_rat_floor(t);
        bb_rat pos = bb_rat_sub(t, bb_rat_int(cyc));
        char tb[64];
        fprintf(f, ", cycle %lld, beat %.4g (t = %s cycles; 4 beats a cycle, from 0)\n", (long long)cyc,
                bb_rat_to_double(bb_rat_mul(pos, bb_rat_int(4))), bb_rat_fmt(t, tb, sizeof tb));
        if (np > 1) {
            char cb[48];
            if (cur)
                fprintf(f, "%sprogram in force: %s (switched in at cycle %s)\n", indent, p->ph->file,
                        bb_rat_fmt(p->c0, cb, sizeof cb));
            else
                fprintf(f, "%sprogram in force: %s (the first; a reload follows)\n", indent, p->ph->file);
            if (cur) fprintf(f, "%s(voices of the previous program may still sound; they are not listed)\n", indent);
        }
        if (!p->main.ntrigs) fprintf(f, "%sno trigger pattern: only continuous outputs sound\n", indent);
        else fprintf(f, "%sevents sounding (whole begin <= t < whole end):\n", indent);
        bb_arena scratch;
        bb_arena_init(&scratch);
        bb_haps h, h2;
        bb_haps_init(&h);
        bb_haps_init(&h2);
        char ind2[64];
        snprintf(ind2, sizeof ind2, "%s  ", indent);
        for (int t2 = 0; t2 < p->main.ntrigs; t2++) describe_trig(f, ind2, p, t2, k, &scratch, &h, &h2);
        bb_haps_free(&h);
        bb_haps_free(&h2);
        bb_arena_free(&scratch);
    }
    for (int i = 0; i < np; i++) bb_prog_free(progs[i]);
    bb_kit_destroy(kit);
    return r;
}

static void report_add(bb_verify_report *rep, size_t *cap, const bb_verify_outcome *o)
{
    if (!rep) return;
    if (bb_grow((void **)&rep->v, cap, rep->n + 1, sizeof *rep->v)) return; /* counts still kept */
    rep->v[rep->n++] = *o;
}

void bb_verify_report_free(bb_verify_report *rep)
{
    bb_free(rep->v);
    memset(rep, 0, sizeof *rep);
}

static bool bad_input_result(bb_result r)
{
    return r == BB_ERR_PARSE || r == BB_ERR_SEMANTIC || r == BB_ERR_IO || r == BB_ERR_FORMAT || r == BB_ERR_ARG;
}

static void strategy_label(const char *s, char *out, size_t cap)
{
    snprintf(out, cap, "%s", s);
    for (char *c = out; *c; c++)
        if (*c == ',') *c = '+';
}

/* What a combination compares with: the workload, its reference and the word for it in messages. */
typedef struct verify_ref {
    const bb_workload *w;
    const char *word;         /* "golden" or "reference" */
} verify_ref;

/* A render that differs from its reference: where first (frame, seconds, cycle and beat, the events
 * sounding), the largest difference, how many samples differ; with residual_dir, the residual WAV. */
static void print_mismatch(FILE *out, const char *residual_dir, const verify_ref *v, const char *label, const char *combo,
                           const bb_verify_outcome *o, const bb_run_cfg *c, const bb_run_out *ro)
{
    const bb_golden_diff *d = &o->diff;
    const float *want = v->w->ref;
    size_t nwant = v->w->nref;
    fprintf(out, "FAIL  %s  first difference at frame %lld (%.6f s)\n", combo, (long long)d->first, (double)d->first / c->sr);
    char ended[64] = "";
    if ((size_t)d->first >= ro->frames) snprintf(ended, sizeof ended, " (the render ended before this frame)");
    else if ((size_t)d->first >= nwant) snprintf(ended, sizeof ended, " (the %s ended before this frame)", v->word);
    fprintf(out, "      rendered %.9g, %s %.9g%s\n", (double)d->got, v->word, (double)d->want, ended);
    if (d->got_frames != d->want_frames)
        fprintf(out, "      length: rendered %zu frames, %s %zu\n", d->got_frames, v->word, d->want_frames);
    bb_error derr;
    bb_error_clear(&derr);
    bb_verify_describe(out, "      ", c, d->first, &derr);
    fprintf(out, "      largest |difference| %.9g at frame %lld; %llu of %zu samples differ\n", d->max_abs,
            (long long)d->max_at, (unsigned long long)d->ndiff, ro->frames > nwant ? ro->frames : nwant);
    if (!residual_dir) return;
    char path[BB_GOLDEN_PATH_MAX + 256], name[400];
    snprintf(name, sizeof name, "%s.%s.t%d.b%zu.%s.wav", v->w->name, label, o->threads, o->block, bb_pin_name(o->pin));
    bb_error werr;
    bb_error_clear(&werr);
    if (mkdir(residual_dir, 0777) && errno != EEXIST)
        fprintf(out, "      residual: cannot create %s: %s\n", residual_dir, strerror(errno));
    else if (bb_golden_join_path(path, sizeof path, residual_dir, name))
        fprintf(out, "      residual: path too long\n");
    else if (bb_golden_residual(path, ro->samples, ro->frames, want, nwant, c->sr, &werr))
        fprintf(out, "      residual: %s\n", werr.msg);
    else
        fprintf(out, "      residual (rendered - %s): %s\n", v->word, path);
}

/* Render one combination o (strategy, threads, block, pin set) of v's workload and compare it with
 * the reference: one line on out, the outcome's status and diff set, the totals counted. Returns
 * false when the workload is bad input (it does not render: nothing more of it is tried). */
static bool verify_combo(const verify_ref *v, bb_verify_outcome *o, const char *residual_dir, FILE *out, FILE *errf,
                         bb_verify_report *tot)
{
    bb_run_cfg c = v->w->job.cfg;
    c.strategy = o->strategy;
    c.threads = o->threads;
    c.block = o->block;
    c.pin = o->pin;
    c.stats = false;
    bb_run_out ro;
    bb_error rerr;
    bb_error_clear(&rerr);
    double t0 = bb_now_ns() / 1e9;
    o->render_res = bb_run(&c, NULL, true, false, &ro, &rerr);
    o->seconds = bb_now_ns() / 1e9 - t0;
    char label[160], combo[512];
    strategy_label(o->strategy, label, sizeof label);
    snprintf(combo, sizeof combo, "%-11s %-14s threads %-3d block %-5zu pin %-7s", v->w->name, label, o->threads, o->block,
             bb_pin_name(o->pin));
    bool go_on = true;
    if (o->render_res) {
        char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        bb_error_format(&rerr, msg, sizeof msg);
        go_on = !bad_input_result(o->render_res);
        o->status = go_on ? BB_VERIFY_FAIL : BB_VERIFY_BAD;
        if (go_on) {
            tot->failed++;
            fprintf(out, "FAIL  %s  the render failed: %s\n", combo, msg);
        } else {
            tot->bad_inputs++;
            fprintf(out, "BAD   %s  the workload does not render: %s\n", combo, msg);
            fprintf(errf, "busbench verify: workload '%s': %s\n", v->w->name, msg);
        }
    } else {
        bb_golden_compare(ro.samples, ro.frames, v->w->ref, v->w->nref, &o->diff);
        if (o->diff.first < 0) {
            o->status = BB_VERIFY_PASS;
            tot->passed++;
            fprintf(out, "pass  %s  %zu frames  %.3f s\n", combo, ro.frames, o->seconds);
        } else {
            o->status = BB_VERIFY_FAIL;
            tot->failed++;
            print_mismatch(out, residual_dir, v, label, combo, o, &c, &ro);
        }
    }
    fflush(out);
    bb_run_out_free(&ro);
    return go_on;
}

/* Load w's reference (a tampered golden is reported and still compared), then every combination of m. */
static void verify_workload(bb_workload *w, const bb_golden_matrix *m, const char *residual_dir, FILE *out, FILE *errf,
                            bb_verify_report *rep, size_t *cap, bb_verify_report *tot)
{
    bb_error err;
    bb_error_clear(&err);
    bb_result r = bb_workload_reference(w, &err);
    if (r == BB_ERR_MISMATCH) {
        bb_golden_print_err(errf, "verify", &err);
        fprintf(out, "TAMPERED  %s: %s does not match its manifest sha256; comparing with the file as it is\n", w->name,
                w->job.wav);
        tot->tampered++;
        tot->bad_inputs++;
    } else if (r) {
        char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        bb_golden_print_err(errf, "verify", &err);
        fprintf(out, "BAD       %s: %s\n", w->name, bb_error_format(&err, msg, sizeof msg));
        tot->bad_inputs++;
        return;
    } else if (!w->entry) {
        fprintf(out, "reference %s: %s (serial, 1 thread, block %d): %zu frames in %.3f s\n", w->name,
                bb_workload_ref_name(w), BB_GOLDEN_BLOCK, w->nref, w->ref_seconds);
    }
    const verify_ref v = {w, w->entry ? "golden" : "reference"};
    for (size_t si = 0; si < m->nstrategies; si++)
        for (size_t ti = 0; ti < m->nthreads; ti++)
            for (size_t bi = 0; bi < m->nblocks; bi++)
                for (size_t pi = 0; pi < m->npins; pi++) {
                    bb_verify_outcome o;
                    memset(&o, 0, sizeof o);
                    snprintf(o.workload, sizeof o.workload, "%s", w->name);
                    snprintf(o.strategy, sizeof o.strategy, "%s", m->strategies[si]);
                    o.threads = m->threads[ti];
                    o.block = m->blocks[bi];
                    o.pin = m->pins[pi];
                    bool go_on = verify_combo(&v, &o, residual_dir, out, errf, tot);
                    report_add(rep, cap, &o);
                    if (!go_on) return;
                }
}

int bb_verify_run(const bb_workload_src *src, const bb_golden_matrix *m, const char *residual_dir, FILE *out, FILE *errf,
                  bb_verify_report *rep)
{
    bb_verify_report tot;
    memset(&tot, 0, sizeof tot);
    if (rep) memset(rep, 0, sizeof *rep);
    size_t cap = 0;
    double t0 = (bb_now_ns() / 1e9);
    bb_workload_src s = *src;
    const char *names[BB_GOLDEN_AXIS_MAX];
    for (size_t w = 0; w < m->nworkloads; w++) names[w] = m->workloads[w];
    s.names = names;
    s.nnames = m->nworkloads;
    bb_workload_set set;
    bb_error err;
    bb_error_clear(&err);
    if (bb_workload_open(&set, &s, &err)) {
        bb_golden_print_err(errf, "verify", &err);
        if (rep) rep->bad_inputs = 1;
        return BB_EXIT_USAGE;
    }
    for (size_t i = 0; i < set.n; i++) verify_workload(&set.v[i], m, residual_dir, out, errf, rep, &cap, &tot);
    tot.seconds = (bb_now_ns() / 1e9) - t0;
    size_t ncomb = tot.passed + tot.failed;
    fprintf(out, "verify: %zu %s%s%s%s, %zu combination%s: %zu passed, %zu failed", set.n,
            src->nprograms ? "program" : "workload", set.n == 1 ? "" : "s", src->nprograms ? "" : " of ", set.golden, ncomb,
            ncomb == 1 ? "" : "s", tot.passed, tot.failed);
    if (tot.bad_inputs) fprintf(out, ", %zu bad input%s", tot.bad_inputs, tot.bad_inputs == 1 ? "" : "s");
    if (tot.tampered) fprintf(out, " (%zu tampered golden%s)", tot.tampered, tot.tampered == 1 ? "" : "s");
    fprintf(out, " in %.1f s\n", tot.seconds);
    fflush(out);
    bb_workload_set_free(&set);
    if (rep) {
        rep->passed = tot.passed;
        rep->failed = tot.failed;
        rep->bad_inputs = tot.bad_inputs;
        rep->tampered = tot.tampered;
        rep->seconds = tot.seconds;
    }
    if (tot.bad_inputs) return BB_EXIT_USAGE;
    return tot.failed ? BB_EXIT_FAIL : BB_EXIT_OK;
}
