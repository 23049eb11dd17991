/* bb_cmd_verify.c - placeholder until the verify command lands: says so and fails. */
#include "bb_cmds.h"

#include <stdio.h>

int bb_cmd_verify(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "busbench verify: not built yet\n");
    return BB_EXIT_USAGE;
}
