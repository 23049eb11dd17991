/* bb_cmd_topo.c - placeholder until the topo command lands: says so and fails. */
#include "bb_cmds.h"

#include <stdio.h>

int bb_cmd_topo(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "busbench topo: not built yet\n");
    return BB_EXIT_USAGE;
}
