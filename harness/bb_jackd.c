/* bb_jackd.c - a dummy JACK server of our own, started, waited for, stopped
 * (bb_jackd.h).
 *
 * Start: fork, then in the child PR_SET_PDEATHSIG SIGTERM (the server dies
 * with us), stdin/stdout/stderr to /dev/null, SIGINT ignored (a terminal's ^C
 * goes to busbench, which stops the server itself) and exec of `jackd`
 * found on PATH. The parent polls every POLL_MS: a client opened with
 * JackNoStartServer on the server's name means it answers (the client is
 * closed at once); the child reaped meanwhile means it failed.
 *
 * libjack's error and info messages ("cannot connect to server socket", while
 * the server is not up yet) are silenced: bb_jackd_start sets JACK's error
 * and info functions, process-wide, to functions that drop them.
 *
 * Units: ms, Hz, frames. */
#define _GNU_SOURCE
#include "bb_jackd.h"

#include <jack/jack.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { POLL_MS = 20 };

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static void quiet(const char *msg) { (void)msg; }

void bb_jackd_name(char name[BB_JACKD_NAME_MAX])
{
    static atomic_int seq;
    snprintf(name, BB_JACKD_NAME_MAX, "busbench-%d-%d", (int)getpid(), atomic_fetch_add(&seq, 1));
}

/* The child: never returns. */
static void exec_jackd(const char *name, const char *sr, const char *period)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
    }
    signal(SIGINT, SIG_IGN);
    execlp("jackd", "jackd", "-n", name, "-d", "dummy", "-r", sr, "-p", period, (char *)NULL);
    _exit(127);
}

void bb_jackd_client_name(const char *server, char name[BB_JACKD_NAME_MAX])
{
    snprintf(name, BB_JACKD_NAME_MAX, "%.*s-c", BB_JACKD_NAME_MAX - 3, server);
}

/* Does a client (bb_jackd_client_name's) open on the server name? */
static bool answers(const char *name)
{
    jack_status_t st;
    char as[BB_JACKD_NAME_MAX];
    bb_jackd_client_name(name, as);
    jack_client_t *c = jack_client_open(as, (jack_options_t)(JackNoStartServer | JackServerName), &st, name);
    if (c) jack_client_close(c);
    return c != NULL;
}

bb_result bb_jackd_start(const char *name, int sr, size_t period, pid_t *pid, bb_error *err)
{
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    char srs[32], ps[32];
    snprintf(srs, sizeof srs, "%d", sr);
    snprintf(ps, sizeof ps, "%zu", period);
    *pid = fork();
    if (*pid < 0) {
        *pid = 0;
        return bb_error_set(err, BB_ERR_IO, "jackd", 0, 0, "cannot fork: %s", strerror(errno));
    }
    if (*pid == 0) exec_jackd(name, srs, ps);
    for (int t = 0; t * POLL_MS < BB_JACKD_WAIT_MS; t++) {
        if (answers(name)) return BB_OK;
        int status;
        if (waitpid(*pid, &status, WNOHANG) == *pid) {
            *pid = 0;
            return bb_error_set(err, BB_ERR_IO, "jackd", 0, 0,
                                "the dummy server '%s' exited (%s %d) before answering: run `jackd -n %s -d dummy` "
                                "by hand to see why",
                                name, WIFEXITED(status) ? "status" : "signal",
                                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), name);
        }
        sleep_ms(POLL_MS);
    }
    bb_jackd_stop(pid);
    return bb_error_set(err, BB_ERR_IO, "jackd", 0, 0, "the dummy server '%s' did not answer within %d ms", name,
                        BB_JACKD_WAIT_MS);
}

void bb_jackd_stop(pid_t *pid)
{
    if (*pid <= 0) return;
    kill(*pid, SIGTERM);
    for (int t = 0; t * POLL_MS < BB_JACKD_STOP_MS; t++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = 0;
            return;
        }
        sleep_ms(POLL_MS);
    }
    fprintf(stderr, "busbench: the JACK server %d did not stop on SIGTERM: killed (its shared-memory registry entry "
                    "leaks; /dev/shm/jack* may need removing when no jackd runs)\n", (int)*pid);
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}
