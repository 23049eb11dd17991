/* bb_cmd_verify.c - `busbench verify`: every golden workload under every
 * combination of strategy x threads x block size x pinning, compared bit for
 * bit with its golden WAV.
 *
 * This file is only the command line: the axes are parsed by
 * bb_golden_matrix_axis and the work is bb_verify_run (bb_golden.h), which
 * prints one line per combination and, on a failure, the first differing frame
 * (seconds, cycle, beat, the events sounding there), the largest difference and
 * the count of differing samples. Exit codes: 0 every combination passed, 1 a
 * mismatch or a failed render, 2 bad input (usage, a missing or malformed
 * manifest or golden, a golden that does not match its manifest's sha256). */
#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_verify.h"

#include <stddef.h>
#include <stdio.h>

typedef struct verify_opts {
    const char *golden, *residual;
} verify_opts;

static const bb_opt opts[] = {
    {"--golden", BB_OPT_STR, offsetof(verify_opts, golden), 0, 0, "DIR", "the corpus: DIR/manifest.tsv and its files (default golden)",
     "a folder", NULL},
    {"--residual", BB_OPT_STR, offsetof(verify_opts, residual), 0, 0, "DIR",
     "write rendered - golden of every failure as DIR/WORKLOAD.STRATEGY.tT.bB.PIN.wav", "a folder", NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"verify", "[options]",
                               "Render every golden workload under every combination and compare it, bit for bit,\n"
                               "with its golden WAV (rendered by serial, see golden/README.md).",
                               "0 all passed, 1 a mismatch or a failed render, 2 bad input"};

int bb_cmd_verify(int argc, char **argv)
{
    verify_opts v = {"golden", NULL};
    bb_golden_matrix m;
    bb_golden_matrix_default(&m);
    const bb_opt_group groups[] = {{NULL, opts, &v}, {"the matrix (comma-separated lists)", bb_golden_matrix_options, &m}};
    int npos;
    int rc = bb_opt_parse(&spec, groups, 2, argc, argv, NULL, 0, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    return bb_verify_run(v.golden, &m, v.residual, stdout, stderr, NULL);
}
