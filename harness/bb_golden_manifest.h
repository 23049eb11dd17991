/* bb_golden_manifest.h - the golden corpus's manifest (bb_golden_manifest.c reads and writes it).
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
#ifndef BB_GOLDEN_MANIFEST_H
#define BB_GOLDEN_MANIFEST_H

#include "bb_run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BB_GOLDEN_NAME_MAX = 64,    /* bytes of a workload name, with the NUL */
    BB_GOLDEN_PATH_MAX = 1024,  /* bytes of a path, with the NUL */
    BB_GOLDEN_OPTS_MAX = 1024,  /* bytes of a manifest line's options, with the NUL */
    BB_GOLDEN_ARGS_MAX = 64,    /* option tokens of one workload */
    BB_GOLDEN_ENTRIES_MAX = 256,/* workloads in one manifest */
    BB_GOLDEN_SHA_HEX = 65      /* 64 hex digits and the NUL */
};

#define BB_GOLDEN_MANIFEST "manifest.tsv"

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

/* Read DIR/manifest.tsv. Every field is checked: names, paths, frames, the sha's
 * form, options (each must be a render option bb_run_cfg_option accepts, and not
 * one of verify's axes: --strategy --threads --pin --block; --format only f32;
 * no --stats), duplicates. Returns BB_ERR_IO (missing, unreadable) or
 * BB_ERR_FORMAT (with the manifest's path, line and column, and what was
 * expected), BB_ERR_LIMIT, BB_ERR_NOMEM. On failure m is empty (and freeable). */
bb_result bb_golden_manifest_load(const char *dir, bb_golden_manifest *m, bb_error *err);
/* Write m to path atomically (a temporary file beside it, renamed). BB_ERR_IO. */
bb_result bb_golden_manifest_write(const bb_golden_manifest *m, const char *path, bb_error *err);
/* Release m's entries; m is empty again. */
void bb_golden_manifest_free(bb_golden_manifest *m);
/* The entry named name, or NULL. */
const bb_golden_entry *bb_golden_manifest_find(const bb_golden_manifest *m, const char *name);

/* An entry's options (opts) as an argument vector: copied into buf, split at spaces into
 * argv[0..*argc), argv[*argc] NULL (pointing into buf). 0, or -1 past BB_GOLDEN_ARGS_MAX tokens. */
int bb_golden_manifest_argv(const char *opts, char buf[BB_GOLDEN_OPTS_MAX], char *argv[BB_GOLDEN_ARGS_MAX + 1], int *argc);

#endif
