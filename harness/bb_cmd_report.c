/* bb_cmd_report.c - placeholder until the report command lands: says so and fails. */
#include "bb_cmds.h"

#include <stdio.h>

int bb_cmd_report(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "busbench report: not built yet\n");
    return BB_EXIT_USAGE;
}
