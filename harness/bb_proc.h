/* bb_proc.h - child processes of busbench: which program to run (itself, or $BB_BUSBENCH) and
 * running one to its end. bench runs itself under valgrind (--metric instructions), calibrate runs
 * bench A/A; both go through here, so a child is started and waited for in one way. */
#ifndef BB_PROC_H
#define BB_PROC_H

#include <stdbool.h>
#include <stddef.h>

/* The path of the busbench program to run child commands with: $BB_BUSBENCH if
 * set, else this process's own executable. Returns 0, or -1 (buf unchanged). */
int bb_proc_self_exe(char *buf, size_t cap);

/* Run argv[0] (searched in PATH) with argv, stdout and stderr to /dev/null when
 * quiet, and wait. Returns its exit status, 127 when it could not be started
 * (errno-like reason in *why when why != NULL), 128 + signal when killed. */
int bb_proc_run(char *const argv[], bool quiet, int *why);

#endif
