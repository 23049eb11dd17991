/* bb_verify.h - `busbench verify`: every workload under every combination of the matrix, compared
 * bit for bit with its reference (its golden WAV, or the serial render of this run for a program
 * given on the command line), and a failure localised (bb_verify.c). The corpus, its manifest and
 * the matrix are bb_golden's; workloads and their references bb_workload's. */
#ifndef BB_VERIFY_H
#define BB_VERIFY_H

#include "bb_golden.h"
#include "bb_workload.h"

#include <stdint.h>
#include <stdio.h>

/* ---- where a frame is -------------------------------------------------------- */

/* Print to f, each line starting with indent, where frame k of a render of cfg
 * lies: seconds, cycle and beat (4 beats a cycle, counted from 0), the program
 * in force (after a reload, the reloaded one), and the events of its trigger
 * patterns sounding at that instant (whole begin <= t_k < whole end: value,
 * whole, onset frame, and the note/n/gain values at the onset). A sample can
 * ring past its event's whole; such voices are not listed. Returns the compile
 * errors of the program (nothing is printed then but the time in seconds). */
bb_result bb_verify_describe(FILE *f, const char *indent, const bb_run_cfg *cfg, int64_t k, bb_error *err);

/* The outcome of one combination. */
typedef enum { BB_VERIFY_PASS, BB_VERIFY_FAIL, BB_VERIFY_BAD } bb_verify_status;

typedef struct bb_verify_outcome {
    char workload[BB_GOLDEN_NAME_MAX];
    char strategy[128];       /* as the plan names it: "cycle,pool" */
    int threads;
    size_t block;
    bb_pin pin;
    bb_verify_status status;  /* FAIL: a mismatch or a render that failed */
    bb_result render_res;     /* BB_OK, or why the render failed */
    bb_golden_diff diff;      /* when the render succeeded */
    double seconds;           /* wall time of the render */
} bb_verify_outcome;

typedef struct bb_verify_report {
    bb_verify_outcome *v;     /* bb_malloc'ed, one per combination run, in order */
    size_t n;
    size_t passed, failed;
    size_t bad_inputs;        /* workloads (or the whole corpus) that were bad input */
    size_t tampered;          /* goldens whose samples do not match their sha256 */
    double seconds;           /* the whole verify */
} bb_verify_report;

/* Render every selected workload of src (m's workload axis; none: all) under every combination of m
 * and compare it with its reference. For programs, a line first says how the reference was made.
 * One line per combination goes to out (pass or FAIL; on a failure, indented lines: the first
 * differing frame with seconds, cycle, beat and the sounding events, the largest difference, the
 * count of differing samples, and the residual WAV written to residual_dir when that is not
 * NULL), then a summary line. Bad input (no or malformed manifest, an unknown workload, a missing,
 * unreadable or malformed golden, a program that is missing or does not compile) is described on
 * errf naming the file (and line and column); a workload whose golden does not match its manifest
 * sha256 is reported as tampered on errf and still compared (its failures then show where the file
 * was changed). rep (may be NULL) receives every outcome; free it with bb_verify_report_free.
 * Returns BB_EXIT_OK when every combination passed, BB_EXIT_USAGE when any input was bad (tampered
 * goldens included), else BB_EXIT_FAIL. */
int bb_verify_run(const bb_workload_src *src, const bb_golden_matrix *m, const char *residual_dir, FILE *out, FILE *errf,
                  bb_verify_report *rep);
void bb_verify_report_free(bb_verify_report *rep);

#endif
