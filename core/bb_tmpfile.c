/* bb_tmpfile.c - the registry of live temporary files.
 *
 * A fixed table of atomic pointers, no allocation and no lock: registering is a
 * compare-and-swap of a NULL slot, unregistering a store of NULL, and the
 * cleanup (called from a signal handler, possibly while another thread is in
 * the middle of registering) exchanges each slot with NULL and unlinks what it
 * held. A path may be unlinked after its writer renamed it into place (the
 * signal came between rename and unregister): unlink then fails with ENOENT
 * and nothing is lost, because mkstemp names are never reused while the file
 * exists. The child slot holds the pid of a helper that writes temporaries
 * itself (gnuplot): it is killed and reaped first, so that it cannot write a
 * file after the cleanup removed it. */
#include "bb_tmpfile.h"

#include "bb_alloc.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *_Atomic g_slots[BB_TMP_SLOTS];
static _Atomic pid_t g_child;

int bb_tmp_register(const char *path)
{
    if (!path) return -1;
    for (int i = 0; i < BB_TMP_SLOTS; i++) {
        const char *expect = NULL;
        if (atomic_compare_exchange_strong(&g_slots[i], &expect, path)) return i;
    }
    return -1;
}

void bb_tmp_unregister(int slot)
{
    if (slot >= 0 && slot < BB_TMP_SLOTS) atomic_store(&g_slots[slot], NULL);
}

void bb_tmp_set_child(pid_t pid)
{
    atomic_store(&g_child, pid);
}

void bb_tmp_cleanup(void)
{
    int saved = errno;
    pid_t pid = atomic_exchange(&g_child, 0);
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    for (int i = 0; i < BB_TMP_SLOTS; i++) {
        const char *p = atomic_exchange(&g_slots[i], NULL);
        if (p) unlink(p);
    }
    errno = saved;
}

bb_result bb_tmp_check_dest(const char *path, bb_error *err)
{
    struct stat st;
    if (!path || !path[0]) return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "empty output path");
    if (stat(path, &st) != 0) return BB_OK; /* absent (or unreachable: creating the temporary will say why) */
    if (S_ISREG(st.st_mode)) return BB_OK;
    return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot write '%s': it is %s, not a regular file (refusing to replace it)",
                        path, S_ISDIR(st.st_mode)    ? "a directory"
                              : S_ISCHR(st.st_mode)  ? "a character device"
                              : S_ISBLK(st.st_mode)  ? "a block device"
                              : S_ISFIFO(st.st_mode) ? "a FIFO"
                              : S_ISSOCK(st.st_mode) ? "a socket"
                                                     : "something else");
}

bb_result bb_tmp_create(const char *dest, int *fd, char **tmp, int *slot, bb_error *err)
{
    bb_result r = bb_tmp_check_dest(dest, err);
    if (r) return r;
    static const char suffix[] = ".tmp.XXXXXX";
    size_t n = strlen(dest);
    *tmp = bb_malloc(n + sizeof suffix);
    if (!*tmp) return bb_error_set(err, BB_ERR_NOMEM, dest, 0, 0, "no memory");
    memcpy(*tmp, dest, n);
    memcpy(*tmp + n, suffix, sizeof suffix);
    *slot = bb_tmp_register(*tmp); /* before the file exists: a signal may come at any time */
    *fd = mkstemp(*tmp);
    if (*fd >= 0) return BB_OK;
    r = bb_error_set(err, BB_ERR_IO, dest, 0, 0, "cannot create a temporary file beside it ('%s'): %s", dest,
                     strerror(errno));
    bb_tmp_unregister(*slot);
    bb_free(*tmp);
    *tmp = NULL;
    *slot = -1;
    return r;
}
