/* bb_jackd.h - a dummy JACK server of our own: `jackd -n NAME -d dummy -r SR
 * -p PERIOD` started as a child, waited for until it answers, stopped with
 * SIGTERM. `busbench live --server dummy` runs on one; the tests start one at
 * another rate or period than a run asks, to see it reported.
 *
 * Hygiene: a server is stopped with SIGTERM, which lets it remove its entry
 * from JACK's shared-memory registry; SIGKILL (only when SIGTERM did not stop
 * it within BB_JACKD_STOP_MS) leaks the entry, and after eight leaked entries
 * no server of a new name starts on the machine ("Too many servers"). The
 * child gets PR_SET_PDEATHSIG SIGTERM: it does not outlive us. */
#ifndef BB_JACKD_H
#define BB_JACKD_H

#include "bb_result.h"

#include <stddef.h>
#include <sys/types.h>

enum {
    BB_JACKD_WAIT_MS = 10000,  /* how long a started server may take to answer */
    BB_JACKD_STOP_MS = 5000,   /* SIGTERM, then SIGKILL */
    BB_JACKD_NAME_MAX = 64     /* bytes of a server name, with the NUL */
};

/* A server name of our own, "busbench-PID-SEQ" (SEQ counts the calls of this process). */
void bb_jackd_name(char name[BB_JACKD_NAME_MAX]);

/* The name our clients take on our server `server`: "SERVER-c". libjack names a client's
 * notification socket by the client's name and uid alone (not the server's), beside the server's
 * own socket named by the server's name: a fixed client name ("busbench") would take the socket of
 * another process's client on another server at the same time, and the server's own name would
 * take the server's socket. */
void bb_jackd_client_name(const char *server, char name[BB_JACKD_NAME_MAX]);

/* Start `jackd -n name -d dummy -r sr -p period` (its output to /dev/null,
 * JACK_NO_AUDIO_RESERVATION=1) and wait until a client can open on it. BB_OK
 * with *pid set; BB_ERR_IO with err->file "jackd" when it cannot be started,
 * exits before answering (its status named) or does not answer within
 * BB_JACKD_WAIT_MS (it is stopped then, and *pid is 0). */
bb_result bb_jackd_start(const char *name, int sr, size_t period, pid_t *pid, bb_error *err);

/* Stop the server pid (SIGTERM, waited for; SIGKILL after BB_JACKD_STOP_MS) and reap it; *pid
 * becomes 0. Nothing when *pid <= 0. */
void bb_jackd_stop(pid_t *pid);

#endif
