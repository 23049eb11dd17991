/* bb_cmd_verify.c - `busbench verify [FILE.ph...]`: every workload under every combination of
 * strategy x threads x block size x pinning, compared bit for bit with its reference: the golden
 * WAVs of a corpus, or, for programs given on the command line, the serial render of this run.
 *
 * This file is only the command line: the axes are parsed by bb_golden_matrix_axis, a program's
 * render options are the workload options of bb_workload_options, and the work is bb_verify_run
 * (bb_verify.h), which prints one line per combination and, on a failure, the first differing
 * frame (seconds, cycle, beat, the events sounding there), the largest difference and the count of
 * differing samples. Exit codes: 0 every combination passed, 1 a mismatch or a failed render, 2
 * bad input (usage, a missing or malformed manifest or golden, a golden that does not match its
 * manifest's sha256, a program that is missing or does not compile). */
#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_verify.h"
#include "bb_workload.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

typedef struct verify_opts {
    const char *golden, *residual;
} verify_opts;

static const bb_opt opts[] = {
    {"--golden", BB_OPT_STR, offsetof(verify_opts, golden), 0, 0, "DIR",
     "the corpus: DIR/manifest.tsv and its files (default: ./golden when it\n"
     "exists, else the installed corpus; which one is said above)", "a folder", NULL},
    {"--residual", BB_OPT_STR, offsetof(verify_opts, residual), 0, 0, "DIR",
     "write rendered - reference of every failure as DIR/WORKLOAD.STRATEGY.tT.bB.PIN.wav", "a folder", NULL},
    BB_OPT_END,
};

/* The paragraph of the usage: what verify does, and which corpus it reads here without --golden. */
static const char *about(char *buf, size_t cap)
{
    char def[2 * PATH_MAX];
    snprintf(buf, cap,
             "Render every workload under every combination and compare it, bit for bit, with\n"
             "its reference. Without FILE.ph, the workloads of a golden corpus, each against its\n"
             "golden WAV (rendered by serial, see golden/README.md). With FILE.ph..., each program\n"
             "(named after its file) against its serial render at 1 thread, made once in this run;\n"
             "the workload options below are then the programs' (what a manifest line gives).\n%s",
             bb_workload_default_text(def, sizeof def));
    return buf;
}

int bb_cmd_verify(int argc, char **argv)
{
    verify_opts v = {NULL, NULL};
    bb_golden_matrix m;
    bb_golden_matrix_default(&m);
    bb_run_cfg wopts;
    bb_run_cfg_default(&wopts);
    bb_opt wtable[BB_WORKLOAD_OPTIONS_MAX];
    char text[3 * PATH_MAX];
    const bb_opt_cmd spec = {"verify", "[FILE.ph...] [options]", about(text, sizeof text),
                             "0 all passed, 1 a mismatch or a failed render, 2 bad input"};
    const bb_opt_group groups[] = {{NULL, opts, &v},
                                   {"the matrix (comma-separated lists)", bb_golden_matrix_options, &m},
                                   {"workload options (with FILE.ph)", bb_workload_options(wtable, BB_WORKLOAD_OPTIONS_MAX, NULL),
                                    &wopts}};
    const char *programs[BB_WORKLOAD_PROGRAMS_MAX];
    int nprograms;
    int rc = bb_opt_parse(&spec, groups, 3, argc, argv, programs, BB_WORKLOAD_PROGRAMS_MAX, &nprograms);
    if (rc != BB_OPT_GO_ON) return rc;
    const bb_workload_src src = {.golden = v.golden, .programs = programs, .nprograms = nprograms, .opts = &wopts};
    bb_error err;
    bb_error_clear(&err);
    if (bb_workload_check_src(&src, &err)) {
        bb_golden_print_err(stderr, "verify", &err);
        return BB_EXIT_USAGE;
    }
    return bb_verify_run(&src, &m, v.residual, stdout, stderr, NULL);
}
