/* bb_golden_bless.c - the engine of `busbench bless` (the command, with its check of the source
 * tree, is bb_cmd_bless.c): re-render the selected goldens with serial, say what changes, then
 * write every golden WAV and the manifest.
 *
 * What it guarantees:
 *   - Goldens are rendered as bb_golden_serial sets a render up (serial, 1 thread, block
 *     BB_GOLDEN_BLOCK, no pinning), with the workload's own options.
 *   - Nothing is written unless every render succeeded (and, with keep_blessed, none of the
 *     goldens already blessed would change); then every WAV is written atomically (bb_wav_write),
 *     and the manifest last, atomically too, with each workload's frames and sha256.
 *   - Each golden's change is said before anything is written: new, replaced (unreadable),
 *     changed (frames before and after, the largest |difference|, the count of differing samples,
 *     the first differing frame) or unchanged.
 *
 * Units: frames, seconds (double: the audio's length and the time a render took, for display). */
#include "bb_golden_bless.h"

#include "bb_golden.h"

#include "bb_alloc.h"
#include "bb_cmds.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static double now_s(void) { return bb_now_ns() / 1e9; }

/* What blessing the render got[0..n) (at sr, rendered in secs) does to the golden at wav: new,
 * replaced (unreadable), changed (where first, by how much) or unchanged. */
static void say_change(FILE *out, const char *name, const char *wav, const float *got, size_t n, int sr, double secs)
{
    float *old = NULL;
    size_t nold = 0;
    int osr = 0, och = 0;
    bb_error oerr;
    bb_error_clear(&oerr);
    if (access(wav, F_OK) != 0) {
        fprintf(out, "new        %-11s %s: %zu frames (%.2f s of audio, rendered in %.2f s)\n", name, wav, n,
                (double)n / sr, secs);
        return;
    }
    if (bb_wav_read(wav, &old, &nold, &osr, &och, &oerr)) {
        fprintf(out, "replaced   %-11s %s: the old file is unreadable (%s); now %zu frames\n", name, wav, oerr.msg, n);
        return;
    }
    bb_golden_diff d;
    if (och != 1 || osr != sr) {
        fprintf(out, "changed    %-11s %s: was %d channel(s) at %d Hz, now mono at %d Hz, %zu frames\n", name, wav, och, osr,
                sr, n);
    } else {
        bb_golden_compare(got, n, old, nold, &d);
        if (d.first < 0) {
            fprintf(out, "unchanged  %-11s %s: %zu frames\n", name, wav, n);
        } else {
            char was[48], now[48];
            if ((size_t)d.first < nold) snprintf(was, sizeof was, "%.9g", (double)d.want);
            else snprintf(was, sizeof was, "(absent)");
            if ((size_t)d.first < n) snprintf(now, sizeof now, "%.9g", (double)d.got);
            else snprintf(now, sizeof now, "(absent)");
            fprintf(out,
                    "changed    %-11s %s: frames %zu -> %zu, max |diff| %.9g, %llu samples differ (first at "
                    "frame %lld: %s -> %s)\n",
                    name, wav, nold, n, d.max_abs, (unsigned long long)d.ndiff, (long long)d.first, was, now);
        }
    }
    bb_free(old);
}

/* ---- bless ---------------------------------------------------------------------------------- */

int bb_golden_bless(const char *dir, const bb_golden_matrix *m, bool keep_blessed, FILE *out, FILE *errf)
{
    bb_golden_manifest man;
    bb_error err;
    bb_error_clear(&err);
    if (bb_golden_manifest_load(dir, &man, &err)) {
        bb_golden_print_err(errf, "bless", &err);
        return BB_EXIT_USAGE;
    }
    size_t sel[BB_GOLDEN_ENTRIES_MAX], nsel;
    if (bb_golden_select(&man, m, sel, &nsel, "bless", errf)) {
        bb_golden_manifest_free(&man);
        return BB_EXIT_USAGE;
    }
    float *got[BB_GOLDEN_ENTRIES_MAX] = {0};
    size_t ngot[BB_GOLDEN_ENTRIES_MAX] = {0};
    bb_golden_job *jobs = bb_calloc(nsel ? nsel : 1, sizeof *jobs);
    int rc = BB_EXIT_OK;
    if (!jobs) {
        fprintf(errf, "busbench bless: out of memory\n");
        rc = BB_EXIT_USAGE;
    }
    size_t njobs = 0, ndiffer = 0;
    /* 1. render everything (nothing is written unless all succeed) */
    for (size_t i = 0; i < nsel && rc == BB_EXIT_OK; i++) {
        bb_golden_entry *e = &man.v[sel[i]];
        bb_golden_job *job = &jobs[njobs++];
        if (bb_golden_job_init(job, &man, e, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
            break;
        }
        bb_run_cfg c = job->cfg;
        bb_golden_serial(&c);
        bb_run_out ro;
        double t0 = now_s();
        if (bb_run(&c, NULL, true, false, &ro, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            fprintf(errf, "busbench bless: workload '%s' does not render; nothing was written\n", e->name);
            bb_run_out_free(&ro);
            rc = BB_EXIT_USAGE;
            break;
        }
        got[i] = ro.samples;
        ngot[i] = ro.frames;
        ro.samples = NULL;
        bb_run_out_free(&ro);
        char sha[BB_GOLDEN_SHA_HEX];
        if (bb_golden_sha256_samples(got[i], ngot[i], sha, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
            break;
        }
        /* 2. say what changes */
        say_change(out, e->name, job->wav, got[i], ngot[i], c.sr, now_s() - t0);
        if (e->blessed && strcmp(e->sha, sha)) {
            fprintf(out, "           %-11s manifest sha256 %.12s... -> %.12s...\n", e->name, e->sha, sha);
            if (keep_blessed) {
                fprintf(errf, "busbench bless: workload '%s' has a golden that differs from this render\n", e->name);
                ndiffer++;
            }
        }
        e->blessed = true;
        e->frames = (uint64_t)ngot[i];
        memcpy(e->sha, sha, sizeof e->sha);
    }
    if (rc == BB_EXIT_OK && ndiffer) {
        rc = BB_EXIT_USAGE;
        fprintf(errf, "busbench bless: refusing to overwrite goldens that differ (nothing was written); "
                      "bless --force overwrites them\n");
    }
    /* 3. write: every WAV (atomically), then the manifest (atomically) */
    for (size_t i = 0; i < nsel && rc == BB_EXIT_OK; i++) {
        if (bb_wav_write(jobs[i].wav, got[i], ngot[i], jobs[i].cfg.sr, BB_WAV_F32, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
        }
    }
    if (rc == BB_EXIT_OK) {
        char path[BB_GOLDEN_PATH_MAX];
        bb_golden_join_path(path, sizeof path, dir, BB_GOLDEN_MANIFEST);
        if (bb_golden_manifest_write(&man, path, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
        } else {
            fprintf(out, "bless: %zu golden%s written, %s rewritten\n", nsel, nsel == 1 ? "" : "s", path);
        }
    }
    for (size_t i = 0; i < njobs; i++) bb_golden_job_free(&jobs[i]);
    for (size_t i = 0; i < nsel; i++) bb_free(got[i]);
    bb_free(jobs);
    bb_golden_manifest_free(&man);
    return rc;
}

