/* bb_golden_bless.h - the engine behind `busbench bless`: re-render the goldens with serial and
 * rewrite the manifest (bb_golden_bless.c). */
#ifndef BB_GOLDEN_BLESS_H
#define BB_GOLDEN_BLESS_H

#include "bb_golden_matrix.h"

#include <stdbool.h>
#include <stdio.h>

/* Re-render the selected workloads (m's workload axis; none: all) of the corpus
 * in dir with serial (1 thread, block 512, no pinning), say on out for each
 * golden whether it is new, unchanged, or changed (frames before and after, the
 * largest absolute difference, the count of differing samples, the first
 * differing frame), then write every golden WAV and the manifest atomically.
 * Nothing is written unless every render succeeded. Does NOT check the state of
 * the source tree (the bless command does). keep_blessed: refuse (exit 2, nothing
 * written, each named) when a golden already blessed would change: a corpus outside
 * the repository has no commit to protect it. Returns BB_EXIT_OK, or
 * BB_EXIT_USAGE with the reason on errf. */
int bb_golden_bless(const char *dir, const bb_golden_matrix *m, bool keep_blessed, FILE *out, FILE *errf);

#endif
