#include "bb_cmds.h"
int bb_cmd_history(int argc, char **argv) { (void)argc; (void)argv; return BB_EXIT_USAGE; }
