/* bb_file.c - whole files written atomically (bb_file.h).
 *
 * A commit: bb_tmp_create makes DEST.tmp.XXXXXX beside the destination
 * (registered from before it exists, so a signal removes it), the bytes are
 * written (EINTR retried), the mode set from the umask (mkstemp makes 0600
 * files, and results are ordinary documents), fsync'd, closed and renamed over
 * DEST; any failure unlinks the temporary and names DEST and the reason.
 * Nothing here knows what the bytes are. */
#include "bb_file.h"

#include "bb_alloc.h"
#include "bb_tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bb_result bb_file_commit(const char *path, const void *data, size_t n, bb_error *err)
{
    char *tmp;
    int fd, slot;
    bb_result r = bb_tmp_create(path, &fd, &tmp, &slot, err);
    if (r) return r;
    const char *p = data;
    size_t left = n;
    int bad = 0;
    while (left && !bad) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) bad = errno ? errno : EIO;
        else {
            p += w;
            left -= (size_t)w;
        }
    }
    /* mkstemp makes 0600 files; results are ordinary documents: honour the umask */
    mode_t mask = umask(0);
    umask(mask);
    if (!bad && fchmod(fd, 0666 & ~mask) != 0) bad = errno;
    if (!bad && fsync(fd) != 0) bad = errno;
    if (close(fd) != 0 && !bad) bad = errno;
    if (!bad && rename(tmp, path) != 0) bad = errno;
    if (bad) {
        unlink(tmp);
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot write: %s", strerror(bad));
    }
    bb_tmp_unregister(slot);
    bb_free(tmp);
    return bad ? BB_ERR_IO : BB_OK;
}

bb_result bb_file_check_writable(const char *path, bb_error *err)
{
    char *tmp;
    int fd, slot;
    bb_result r = bb_tmp_create(path, &fd, &tmp, &slot, err);
    if (r) return r;
    close(fd);
    unlink(tmp);
    bb_tmp_unregister(slot);
    bb_free(tmp);
    return BB_OK;
}
