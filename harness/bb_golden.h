/* bb_golden.h - the golden corpus: its manifest, the SHA-256 of decoded samples,
 * sample-exact comparison, the matrix of combinations (every workload x
 * strategy x threads x block x pinning: bb_verify.h runs it) and the engine
 * behind `busbench bless` (re-render the goldens with serial and rewrite the
 * manifest).
 *
 * The manifest, DIR/manifest.tsv, is the corpus's one source of truth: one
 * workload a line, tab-separated,
 *
 *     workload  program  wav  frames  sha256  options
 *
 * where program and wav are paths relative to DIR, frames and sha256 are what
 * `make bless` last wrote ("-" for a workload that was never blessed), and
 * options are render options of bb_run_cfg_option separated by spaces, with
 * relative paths (--reload-at C:FILE, --samples DIR) relative to DIR, so that
 * `cd DIR && busbench render PROGRAM -o X.wav OPTIONS` reproduces the golden.
 * Lines starting with '#' and blank lines are comments. The sha256 is of the
 * decoded samples (float32, little-endian, frame order), not of the file bytes.
 *
 * Ownership: everything a function fills is owned by the caller and released
 * with the matching _free; strings are copied. Errors go through bb_error with
 * the file (and line) they concern. */
#ifndef BB_GOLDEN_H
#define BB_GOLDEN_H

#include "bb_opt.h"
#include "bb_run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    BB_GOLDEN_NAME_MAX = 64,    /* bytes of a workload name, with the NUL */
    BB_GOLDEN_PATH_MAX = 1024,  /* bytes of a path, with the NUL */
    BB_GOLDEN_OPTS_MAX = 1024,  /* bytes of a manifest line's options, with the NUL */
    BB_GOLDEN_ARGS_MAX = 64,    /* option tokens of one workload */
    BB_GOLDEN_ENTRIES_MAX = 256,/* workloads in one manifest */
    BB_GOLDEN_AXIS_MAX = 32,    /* values on one axis of the verify matrix */
    BB_GOLDEN_SHA_HEX = 65,     /* 64 hex digits and the NUL */
    BB_GOLDEN_BLOCK = 512       /* the block size a golden is rendered with */
};

#define BB_GOLDEN_MANIFEST "manifest.tsv"

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

/* ---- the manifest ---------------------------------------------------------- */

typedef struct bb_golden_entry {
    char name[BB_GOLDEN_NAME_MAX];     /* [A-Za-z0-9_.-]+, unique in the manifest */
    char program[BB_GOLDEN_PATH_MAX];  /* relative to the golden dir (or absolute) */
    char wav[BB_GOLDEN_PATH_MAX];      /* relative to the golden dir (or absolute) */
    bool blessed;                      /* frames and sha are set */
    uint64_t frames;
    char sha[BB_GOLDEN_SHA_HEX];       /* lowercase hex */
    char opts[BB_GOLDEN_OPTS_MAX];     /* render options, single spaces between tokens */
    int line;                          /* where it was read (0: not read from a file) */
} bb_golden_entry;

typedef struct bb_golden_manifest {
    char dir[BB_GOLDEN_PATH_MAX];      /* the golden dir, as given */
    bb_golden_entry *v;                /* bb_malloc'ed */
    size_t n;
} bb_golden_manifest;

/* The render options that are not a workload's (verify and bench vary them, or they change no
 * sample): --strategy --threads --pin --block --stats. NULL-terminated. */
extern const char *const bb_golden_axis_options[];

/* Read DIR/manifest.tsv. Every field is checked: names, paths, frames, the sha's
 * form, options (each must be a render option bb_run_cfg_option accepts, and not
 * one of verify's axes: --strategy --threads --pin --block; --format only f32;
 * no --stats), duplicates. Returns BB_ERR_IO (missing, unreadable) or
 * BB_ERR_FORMAT (with the manifest's path, line and column, and what was
 * expected), BB_ERR_LIMIT, BB_ERR_NOMEM. On failure m is empty (and freeable). */
bb_result bb_golden_manifest_load(const char *dir, bb_golden_manifest *m, bb_error *err);
/* Write m to path atomically (a temporary file beside it, renamed). BB_ERR_IO. */
bb_result bb_golden_manifest_write(const bb_golden_manifest *m, const char *path, bb_error *err);
void bb_golden_manifest_free(bb_golden_manifest *m);
/* The entry named name, or NULL. */
const bb_golden_entry *bb_golden_manifest_find(const bb_golden_manifest *m, const char *name);

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

/* ---- the matrix (verify's combinations; bless takes its workloads) ---- */

typedef struct bb_golden_matrix {
    char strategies[BB_GOLDEN_AXIS_MAX][128]; /* "cycle" or a composition "cycle,pool" */
    size_t nstrategies;
    int threads[BB_GOLDEN_AXIS_MAX];
    size_t nthreads;
    size_t blocks[BB_GOLDEN_AXIS_MAX];
    size_t nblocks;
    bb_pin pins[BB_GOLDEN_AXIS_MAX];
    size_t npins;
    char workloads[BB_GOLDEN_AXIS_MAX][BB_GOLDEN_NAME_MAX]; /* none: every workload */
    size_t nworkloads;
} bb_golden_matrix;

/* The default matrix: every strategy of the registry that is not a canary;
 * threads 1 and the core count (once when that is 1); blocks 64 and 512; pins
 * compact and none; every workload. */
void bb_golden_matrix_default(bb_golden_matrix *m);

/* Parse a comma-separated axis (what `busbench verify --strategies` and friends
 * take) into m, replacing that axis. Strategies are checked against the
 * registry; '+' composes ("cycle+pool" is the plan "cycle,pool"). Threads are
 * 1..BB_WORKERS_MAX, blocks 1..BB_RENDER_BLOCK_MAX, pins compact/scatter/none,
 * workloads names (checked by bb_verify_run against the manifest). Returns
 * BB_ERR_ARG naming the option and the bad value, BB_ERR_LIMIT beyond
 * BB_GOLDEN_AXIS_MAX values. */
bb_result bb_golden_matrix_axis(bb_golden_matrix *m, const char *option, const char *list, bb_error *err);

/* The axes as a table of options (--strategies, --threads, --blocks, --pins, --workloads; base: a
 * bb_golden_matrix), for verify and bless. */
extern const bb_opt bb_golden_matrix_options[];

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

/* ---- bless ------------------------------------------------------------------- */

/* Re-render the selected workloads (m's workload axis; none: all) of the corpus
 * in dir with serial (1 thread, block 512, no pinning), say on out for each
 * golden whether it is new, unchanged, or changed (frames before and after, the
 * largest absolute difference, the count of differing samples, the first
 * differing frame), then write every golden WAV and the manifest atomically.
 * Nothing is written unless every render succeeded. Does NOT check the state of
 * the source tree (the bless command does). Returns BB_EXIT_OK, or
 * BB_EXIT_USAGE with the reason on errf. */
/* keep_blessed: refuse (exit 2, nothing written, each named) when a golden already blessed
 * would change: a corpus outside the repository has no commit to protect it. */
int bb_golden_bless(const char *dir, const bb_golden_matrix *m, bool keep_blessed, FILE *out, FILE *errf);

#endif
