/* main.c - the busbench command: dispatch to one subcommand of bb_cmds. */
#include "bb_cmds.h"

#include <stdio.h>
#include <string.h>

const bb_cmd bb_cmds[] = {
    {"render", bb_cmd_render, "render a .ph program to a WAV file"},
    {"verify", bb_cmd_verify, "check every strategy against the golden WAVs"},
    {"bless", bb_cmd_bless, "re-render the golden WAVs with serial and rewrite the manifest"},
    {"bench", bb_cmd_bench, "measure the workloads x strategies x threads x pinning matrix"},
    {"report", bb_cmd_report, "plot a bench result and write a Markdown report"},
    {"topo", bb_cmd_topo, "show the topology and the placement of each pinning policy"},
    {"query", bb_cmd_query, "print the events of a mini-notation pattern"},
    {"compare", bb_cmd_compare, "gate a bench result against a baseline (counters, instructions, times)"},
    {"calibrate", bb_cmd_calibrate, "measure the timing noise floor (A/A runs) and the gate's detection rates"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: busbench COMMAND [OPTIONS]\n\ncommands:\n");
    for (const bb_cmd *c = bb_cmds; c->name; c++) fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n'busbench COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return BB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return BB_EXIT_OK;
    }
    for (const bb_cmd *c = bb_cmds; c->name; c++)
        if (!strcmp(argv[1], c->name)) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "busbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return BB_EXIT_USAGE;
}
