/* bb_cmd_bench.c - placeholder until the bench command lands: says so and fails. */
#include "bb_cmds.h"

#include <stdio.h>

int bb_cmd_bench(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "busbench bench: not built yet\n");
    return BB_EXIT_USAGE;
}
