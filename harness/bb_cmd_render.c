/* bb_cmd_render.c - `busbench render FILE.ph -o OUT.wav [options]`. */
#include "bb_cmds.h"
#include "bb_run.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: busbench render FILE.ph -o OUT.wav [options]\n\noptions:\n%s", bb_run_cfg_usage);
}

int bb_cmd_render(int argc, char **argv)
{
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    bb_error err;
    bb_error_clear(&err);
    const char *outp = NULL;
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    for (int i = 1; i < argc;) {
        int k = bb_run_cfg_option(&c, argc, argv, &i, &err);
        if (k < 0) {
            fprintf(stderr, "busbench render: %s\n", bb_error_format(&err, msg, sizeof msg));
            return BB_EXIT_USAGE;
        }
        if (k) continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return BB_EXIT_OK;
        }
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            outp = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "-o")) {
            fprintf(stderr, "busbench render: expected an output path after -o\n");
            return BB_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "busbench render: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return BB_EXIT_USAGE;
        } else if (!c.program) {
            c.program = argv[i++];
        } else {
            fprintf(stderr, "busbench render: unexpected argument '%s'\n", argv[i]);
            return BB_EXIT_USAGE;
        }
    }
    if (!c.program || !outp) {
        fprintf(stderr, "busbench render: expected a program and -o OUT.wav\n");
        usage(stderr);
        return BB_EXIT_USAGE;
    }
    bb_run_out o;
    bb_result r = bb_run(&c, outp, false, false, &o, &err);
    if (r) {
        fprintf(stderr, "busbench render: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_run_out_free(&o);
        return BB_EXIT_USAGE;
    }
    if (c.stats) bb_run_print_stats(stderr, &c, &o);
    bb_run_out_free(&o);
    return BB_EXIT_OK;
}
