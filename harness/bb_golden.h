/* bb_golden.h - the golden corpus: the SHA-256 of decoded samples, sample-exact comparison, jobs
 * (a manifest entry as a render setup, its golden read and checked) and the selection of
 * workloads. The manifest and its format are bb_golden_manifest.h, the matrix of combinations
 * (bb_verify.h runs it) bb_golden_matrix.h, both included here; the engine behind `busbench
 * bless` is bb_golden_bless.h.
 *
 * Ownership: everything a function fills is owned by the caller and released
 * with the matching _free; strings are copied. Errors go through bb_error with
 * the file (and line) they concern. */
#ifndef BB_GOLDEN_H
#define BB_GOLDEN_H

#include "bb_golden_manifest.h"
#include "bb_golden_matrix.h"
#include "bb_run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { BB_GOLDEN_BLOCK = 512 }; /* the block size a golden is rendered with */

/* ---- SHA-256 (OpenSSL's EVP interface) ----------------------------------- */

/* SHA-256 of data[0..n) as 64 lowercase hex digits into hex. Returns
 * BB_ERR_INTERNAL when libcrypto fails (err says so). */
bb_result bb_golden_sha256(const void *data, size_t n, char hex[BB_GOLDEN_SHA_HEX], bb_error *err);
/* SHA-256 of samples x[0..n) as IEEE-754 binary32, little-endian, in order: the
 * same on every host. Same errors. */
bb_result bb_golden_sha256_samples(const float *x, size_t n, char hex[BB_GOLDEN_SHA_HEX], bb_error *err);

/* ---- comparison ----------------------------------------------------------- */

/* How two renderings differ. Samples are compared by their bits (so -0 and +0
 * differ, and a NaN never equals anything); a frame present in only one of them
 * differs from nothing, with |difference| the size of the sample that is there. */
typedef struct bb_golden_diff {
    size_t got_frames, want_frames;
    int64_t first;        /* first differing frame, -1 when identical */
    float got, want;      /* the two samples at first (0 where one is absent) */
    double max_abs;       /* largest |got - want| (infinity for a NaN) ... */
    int64_t max_at;       /* ... and its frame, -1 when identical */
    uint64_t ndiff;       /* frames that differ, the length difference included */
} bb_golden_diff;

void bb_golden_compare(const float *got, size_t ngot, const float *want, size_t nwant, bb_golden_diff *d);

/* Write got - want (absent frames count as 0; length: the longer) as a float32
 * WAV at rate sr, atomically. Returns BB_ERR_NOMEM, BB_ERR_IO. */
bb_result bb_golden_residual(const char *path, const float *got, size_t ngot, const float *want, size_t nwant,
                             int sr, bb_error *err);

/* ---- jobs ------------------------------------------------------------------ */

/* The render options that are not a workload's (verify and bench vary them, or they change no
 * sample): --strategy --threads --pin --block --stats. NULL-terminated. */
extern const char *const bb_golden_axis_options[];

/* A render setup built from a manifest entry: the run configuration with every
 * path resolved against the golden dir (the strings it points to live here). */
typedef struct bb_golden_job {
    bb_run_cfg cfg;
    char program[BB_GOLDEN_PATH_MAX];
    char wav[BB_GOLDEN_PATH_MAX];
    char *owned[BB_GOLDEN_ARGS_MAX];   /* resolved option values */
    int nowned;
} bb_golden_job;

/* Fill job from entry e of m (the serial defaults of bb_run_cfg_default, then
 * e's options). Returns BB_ERR_FORMAT naming the manifest line for an option
 * that does not parse, BB_ERR_NOMEM. job is freeable either way. */
bb_result bb_golden_job_init(bb_golden_job *job, const bb_golden_manifest *m, const bb_golden_entry *e,
                             bb_error *err);
/* Release the option values job keeps; cfg points to none of them afterwards. */
void bb_golden_job_free(bb_golden_job *job);

/* Read the golden WAV of job (e's) and check it: mono, at the job's rate,
 * e->frames long, its samples' sha256 equal to e->sha. Returns BB_ERR_IO (missing,
 * unreadable), BB_ERR_FORMAT (not audio, wrong rate, channels or length; a
 * workload that was never blessed) with a message naming the file; those leave
 * *data NULL. A sha256 that differs is BB_ERR_MISMATCH, with the samples kept in
 * *data (so the caller can still say where the file differs from renders) and
 * the computed sha in sha_out. *data is bb_malloc'ed, the caller frees it. */
bb_result bb_golden_read(const bb_golden_job *job, const bb_golden_entry *e, float **data, size_t *frames,
                         char sha_out[BB_GOLDEN_SHA_HEX], bb_error *err);

/* ---- helpers of verify and bless ---- */
/* dir/rel, or rel when it is absolute or dir is empty or ".". -1 when it does not fit. */
int bb_golden_join_path(char *out, size_t cap, const char *dir, const char *rel);
/* "busbench CMD: the error" on errf. */
void bb_golden_print_err(FILE *errf, const char *cmd, const bb_error *e);
/* The entries of man that m selects (all when its workload axis is empty), as indices into sel.
 * Returns -1 (the names the manifest lists, on errf) for an unknown workload. */
int bb_golden_select(const bb_golden_manifest *man, const bb_golden_matrix *m, size_t *sel, size_t *nsel, const char *cmd,
                     FILE *errf);
/* Workloads by name: into sel, the index in names[0..n) of each of want[0..nwant), in want's order
 * (0..n-1 when nwant is 0). Returns BB_ERR_ARG for a name that is not among them (the message lists
 * them after where, e.g. "the manifest in golden lists"), BB_ERR_LIMIT past cap indices. */
bb_result bb_golden_pick(const char *const *names, size_t n, const char *const *want, size_t nwant, const char *where,
                         size_t *sel, size_t cap, size_t *nsel, bb_error *err);
/* Set c up as a golden is rendered: serial, 1 thread, block BB_GOLDEN_BLOCK, no pinning, no stats
 * (the rest, the workload's options, untouched). Bless renders goldens so, and a program given on
 * the command line gets its reference so (bb_workload.h). */
void bb_golden_serial(bb_run_cfg *c);

#endif
