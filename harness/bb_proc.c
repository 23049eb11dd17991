/* bb_proc.c - start a child (posix_spawnp) and wait for it; find our own executable.
 *
 * Invariants: stdout and stderr are flushed before a child starts (its output never precedes
 * ours out of order); a wait interrupted by a signal is resumed; a child that could not be run is
 * status 127 with the reason in *why, one killed by signal S is 128 + S, as a shell reports them. */
#include "bb_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int bb_proc_self_exe(char *buf, size_t cap)
{
    const char *e = getenv("BB_BUSBENCH");
    if (e && *e) {
        if (strlen(e) >= cap) return -1;
        snprintf(buf, cap, "%s", e);
        return 0;
    }
    if (cap < 2) return -1;
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0 || (size_t)n >= cap - 1) return -1;
    buf[n] = '\0';
    return 0;
}

int bb_proc_run(char *const argv[], bool quiet, int *why)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        if (why) *why = rc;
        return 127;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            if (why) *why = errno;
            return 127;
        }
    if (WIFEXITED(st)) {
        if (WEXITSTATUS(st) == 127 && why) *why = ENOENT;
        return WEXITSTATUS(st);
    }
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
}
