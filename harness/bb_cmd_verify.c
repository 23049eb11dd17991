/* bb_cmd_verify.c - `busbench verify`: every golden workload under every
 * combination of strategy x threads x block size x pinning, compared bit for
 * bit with its golden WAV.
 *
 * This file is only the command line: the axes are parsed by
 * bb_golden_matrix_axis and the work is bb_golden_verify (bb_golden.h), which
 * prints one line per combination and, on a failure, the first differing frame
 * (seconds, cycle, beat, the events sounding there), the largest difference and
 * the count of differing samples. Exit codes: 0 every combination passed, 1 a
 * mismatch or a failed render, 2 bad input (usage, a missing or malformed
 * manifest or golden, a golden that does not match its manifest's sha256). */
#include "bb_cmds.h"
#include "bb_golden.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: busbench verify [options]\n\n"
            "Render every golden workload under every combination and compare it, bit for bit,\n"
            "with its golden WAV (rendered by serial, see golden/README.md).\n\n"
            "options (lists are comma-separated):\n"
            "  --golden DIR        the corpus: DIR/manifest.tsv and its files (default golden)\n"
            "  --strategies LIST   default: every strategy that is not a canary; '+' composes (cycle+pool)\n"
            "  --threads LIST      default: 1 and the core count\n"
            "  --blocks LIST       default: 64,512\n"
            "  --pins LIST         compact, scatter, none (default: compact,none)\n"
            "  --workloads LIST    default: every workload of the manifest\n"
            "  --residual DIR      write rendered - golden of every failure as DIR/WORKLOAD.STRATEGY.tT.bB.PIN.wav\n\n"
            "exit: 0 all passed, 1 a mismatch or a failed render, 2 bad input\n");
}

int bb_cmd_verify(int argc, char **argv)
{
    const char *dir = "golden", *residual = NULL;
    bb_golden_matrix m;
    bb_golden_matrix_default(&m);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return BB_EXIT_OK;
        }
        bool axis = !strcmp(o, "--strategies") || !strcmp(o, "--threads") || !strcmp(o, "--blocks") ||
                    !strcmp(o, "--pins") || !strcmp(o, "--workloads");
        bool valued = axis || !strcmp(o, "--golden") || !strcmp(o, "--residual");
        if (!valued) {
            fprintf(stderr, "busbench verify: unknown %s '%s'\n", o[0] == '-' ? "option" : "argument", o);
            usage(stderr);
            return BB_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "busbench verify: expected a value after %s\n", o);
            return BB_EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (!strcmp(o, "--golden")) {
            dir = v;
        } else if (!strcmp(o, "--residual")) {
            residual = v;
        } else {
            bb_error err;
            bb_error_clear(&err);
            if (bb_golden_matrix_axis(&m, o, v, &err)) {
                fprintf(stderr, "busbench verify: %s: %s\n", o, err.msg);
                return BB_EXIT_USAGE;
            }
        }
    }
    return bb_golden_verify(dir, &m, residual, stdout, stderr, NULL);
}
