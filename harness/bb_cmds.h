/* bb_cmds.h - the subcommands of the busbench program.
 *
 * Each command is one file, harness/bb_cmd_NAME.c, exporting
 * `int bb_cmd_NAME(int argc, char **argv)` where argv[0] is the command name.
 * Exit codes: 0 success, 1 a check failed (mismatch, regression), 2 bad input
 * or usage (with a message on stderr naming the problem); compare alone: 3 its
 * BASE cannot be compared with NEW (made elsewhere: the message says how to
 * re-make it). */
#ifndef BB_CMDS_H
#define BB_CMDS_H

enum { BB_EXIT_OK = 0, BB_EXIT_FAIL = 1, BB_EXIT_USAGE = 2, BB_EXIT_BASELINE = 3 };

typedef struct bb_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} bb_cmd;

int bb_cmd_query(int argc, char **argv);
int bb_cmd_render(int argc, char **argv);
int bb_cmd_verify(int argc, char **argv);
int bb_cmd_bench(int argc, char **argv);
int bb_cmd_report(int argc, char **argv);
int bb_cmd_topo(int argc, char **argv);
int bb_cmd_bless(int argc, char **argv);
int bb_cmd_compare(int argc, char **argv);
int bb_cmd_calibrate(int argc, char **argv);
int bb_cmd_merge(int argc, char **argv);
int bb_cmd_history(int argc, char **argv);
int bb_cmd_capacity(int argc, char **argv);
int bb_cmd_live(int argc, char **argv);
int bb_cmd_strategies(int argc, char **argv);

/* The table of commands, terminated by an entry with name == NULL. */
extern const bb_cmd bb_cmds[];

#endif
