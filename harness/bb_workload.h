/* bb_workload.h - what verify and bench check: a workload (a name and its render setup) and its
 * reference, the samples that every render of it must equal bit for bit. Workloads come from one
 * of two places, and nothing after loading (the combinations, the comparison, the localisation of
 * a difference, the results) tells them apart:
 *
 *   - a golden corpus (bb_golden.h): the workloads of DIR/manifest.tsv, each with the options of
 *     its line; the reference is its golden WAV, checked against the manifest's frames and sha256;
 *   - programs named on the command line (`busbench verify FILE.ph...`, `busbench bench FILE.ph...`):
 *     one workload a program, named after its file (song.ph: "song"), all with the workload
 *     options of the command line; the reference is the serial render of this run, made once, as
 *     bless would make its golden (bb_golden_serial: serial, 1 thread, block 512, no pinning).
 *
 * Ownership: a set owns its workloads, their jobs, their references and its manifest; free it with
 * bb_workload_set_free. A workload never moves once the set is open (its cfg points into it). */
#ifndef BB_WORKLOAD_H
#define BB_WORKLOAD_H

#include "bb_golden.h"
#include "bb_opt.h"
#include "bb_run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BB_WORKLOAD_PROGRAMS_MAX = 64,  /* programs on one command line */
    BB_WORKLOAD_OPTIONS_MAX = 24    /* rows of the workload options' table, with its end */
};

/* Where the workloads come from: the programs when there are any, else the corpus. */
typedef struct bb_workload_src {
    const char *golden;             /* the corpus folder; NULL: bb_workload_default_golden() */
    const char *const *programs;    /* .ph paths given on the command line (borrowed) */
    int nprograms;
    const bb_run_cfg *opts;         /* the programs' workload options (program unset); NULL: the defaults */
    const char *const *names;       /* only these workloads, in this order; none: every one */
    size_t nnames;
} bb_workload_src;

typedef struct bb_workload {
    char name[BB_GOLDEN_NAME_MAX];
    bb_golden_job job;              /* the render setup, job.cfg (strategy serial until a caller sets one) */
    const bb_golden_entry *entry;   /* its manifest line (in the set's manifest); NULL: a program */
    int64_t frames;                 /* expected length: the manifest's, or the reference's; -1 while unknown */
    float *ref;                     /* the reference once loaded (bb_malloc'ed, the set's), else NULL */
    size_t nref;
    bool tampered;                  /* a golden whose samples do not match its manifest's sha256 */
    double ref_seconds;             /* how long making the reference took (the serial render, or reading) */
} bb_workload;

typedef struct bb_workload_set {
    char golden[BB_GOLDEN_PATH_MAX];  /* the corpus read; "" for programs */
    bb_golden_manifest man;
    bb_workload *v;                   /* the selected workloads, in order (bb_calloc'ed) */
    size_t n;
} bb_workload_set;

/* Open the workloads of src: the corpus's manifest read and checked, or each program named; the
 * selected ones set up (options parsed, paths resolved), no reference yet. Returns BB_ERR_IO or
 * BB_ERR_FORMAT for a missing or malformed manifest (its path, line and column), BB_ERR_ARG for
 * an unknown workload name (the message lists the known ones), BB_ERR_LIMIT, BB_ERR_NOMEM; s is
 * freeable either way. A program that does not exist or does not compile is found by
 * bb_workload_reference, not here. */
bb_result bb_workload_open(bb_workload_set *s, const bb_workload_src *src, bb_error *err);

/* Is src a command line's sensible choice? BB_ERR_ARG when it names programs and a corpus (a
 * program is checked against its serial render, a corpus against its goldens) or gives workload
 * options (opts other than bb_run_cfg_default's) without programs (a corpus's workloads take theirs
 * from its manifest). */
bb_result bb_workload_check_src(const bb_workload_src *src, bb_error *err);

/* Load w's reference (nothing when it is already loaded): read its golden, or render the program
 * serially. Returns BB_OK; BB_ERR_MISMATCH for a golden that does not match its manifest (w->ref
 * still set, w->tampered true); bb_golden_read's errors; bb_run's for a program (BB_ERR_IO,
 * BB_ERR_PARSE, BB_ERR_SEMANTIC with the file, line and column). Sets w->frames. */
bb_result bb_workload_reference(bb_workload *w, bb_error *err);

/* What w's reference is, in words: "golden/q.wav" or "the serial render of this run". Static or w's. */
const char *bb_workload_ref_name(const bb_workload *w);

void bb_workload_set_free(bb_workload_set *s);

/* The corpus verify and bench read when given neither programs nor --golden: ./golden when that
 * folder exists, else the installed one (BINDIR/../share/busbench/golden beside this executable,
 * where `make install` puts it) when it exists, else "golden" (whose absence the manifest's error
 * then names). Static storage. */
const char *bb_workload_default_golden(void);

/* A sentence for a command's usage: which corpus is the default, and which one it is here. Into buf; returns buf. */
const char *bb_workload_default_text(char *buf, size_t cap);

/* The installed corpus's path (as above, whether it exists or not) into out; -1 when this
 * executable's path cannot be read or does not fit. */
int bb_workload_installed_golden(char *out, size_t cap);

/* The workload options of a command line that names programs, as a table (bb_opt.h) into out
 * (cap rows, BB_WORKLOAD_OPTIONS_MAX fit every one): the render options (bb_run_options) but those
 * that are not a workload's (bb_golden_axis_options), --format (a reference is float32) and the
 * names in also (NULL-terminated or NULL: the command's own options of the same name, which win).
 * Base: a bb_run_cfg. Returns out. */
const bb_opt *bb_workload_options(bb_opt *out, size_t cap, const char *const *also);

#endif
