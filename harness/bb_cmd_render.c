/* bb_cmd_render.c - `busbench render FILE.ph -o OUT.wav [options]`: one render to a WAV file (written
 * atomically), with the render options of bb_run_options. `-o -` writes the WAV to standard output
 * (for a player or sox), whole, once the render has succeeded; never to a terminal. */
#include "bb_cmds.h"
#include "bb_run.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct render_opts {
    bb_run_cfg cfg;
    const char *out;
} render_opts;

static const bb_opt opts[] = {
    {"-o", BB_OPT_STR, offsetof(render_opts, out), 0, 0, "OUT.wav",
     "the WAV file to write (replaced only when complete); - : standard output\n(written once the render is complete)",
     "an output path", NULL},
    {"--out", BB_OPT_STR, offsetof(render_opts, out), 0, 0, "OUT.wav", "the same as -o", "an output path", NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"render", "FILE.ph -o OUT.wav [options]", "Render a .ph program to a mono WAV file.",
                               "0 written, 2 bad input (the program, an option, an unwritable output)"};

int bb_cmd_render(int argc, char **argv)
{
    render_opts r = {.out = NULL};
    bb_run_cfg_default(&r.cfg);
    const bb_opt_group groups[] = {{NULL, opts, &r}, {"render options", bb_run_options, &r.cfg}};
    const char *pos[1];
    int npos;
    int rc = bb_opt_parse(&spec, groups, 2, argc, argv, pos, 1, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    if (!npos || !r.out) {
        fprintf(stderr, "busbench render: expected a program and -o OUT.wav\n");
        bb_opt_usage(&spec, groups, 2, stderr);
        return BB_EXIT_USAGE;
    }
    if (!strcmp(r.out, BB_RUN_STDOUT) && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "busbench render: -o - writes a WAV to standard output, which is a terminal here: pipe it "
                        "(| play -) or redirect it (> out.wav)\n");
        return BB_EXIT_USAGE;
    }
    r.cfg.program = pos[0];
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    bb_run_out o;
    if (bb_run(&r.cfg, r.out, false, false, &o, &err)) {
        fprintf(stderr, "busbench render: %s\n", bb_error_format(&err, msg, sizeof msg));
        bb_run_out_free(&o);
        return BB_EXIT_USAGE;
    }
    if (r.cfg.stats) bb_run_print_stats(stderr, &r.cfg, &o);
    bb_run_out_free(&o);
    return BB_EXIT_OK;
}
