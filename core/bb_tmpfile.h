/* bb_tmpfile.h - temporary files that must not outlive an interrupted process,
 * and the destinations an atomic writer may replace.
 *
 * Every writer that replaces a file atomically (a temporary file beside the
 * destination, renamed over it on success: bb_wav, the harness's results,
 * manifest and reports) registers the temporary's path here for as long as the
 * file exists. A program that wants its temporaries gone when a signal stops it
 * calls bb_tmp_cleanup() from its signal handler (busbench does, for SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, then dies of the signal as usual): it
 * stops the registered child process, if any, and unlinks every registered
 * path, using only async-signal-safe calls. The core installs no handler
 * itself: that is the program's decision.
 *
 * SIGKILL (and a power cut) cannot be caught: after one, a temporary named
 * DEST.tmp.XXXXXX can remain beside DEST. DEST itself is never half-written: it is either the previous file or
 * the complete new one. */
#ifndef BB_TMPFILE_H
#define BB_TMPFILE_H

#include "bb_result.h"

#include <sys/types.h>

enum { BB_TMP_SLOTS = 64 /* temporaries tracked at once; more still work, untracked */ };

/* Track path (the caller's buffer, which must stay valid and unchanged, except
 * for mkstemp filling in its XXXXXX, until bb_tmp_unregister). Register before
 * creating the file, so that no moment exists where it is on disk untracked.
 * Returns a slot for bb_tmp_unregister, or -1 when every slot is taken. */
int bb_tmp_register(const char *path);
/* Stop tracking the path of slot (-1 is ignored). Call after the rename or the
 * unlink, before freeing the buffer. */
void bb_tmp_unregister(int slot);

/* A child process writing registered temporaries (gnuplot): bb_tmp_cleanup
 * kills and reaps it before unlinking. 0 clears it. */
void bb_tmp_set_child(pid_t pid);

/* Async-signal-safe: kill and reap the registered child, unlink every
 * registered path and forget them. Safe to call at any time, in any thread. */
void bb_tmp_cleanup(void);

/* May an atomic writer replace path? BB_OK when it does not exist or is a
 * regular file (or a link to one); BB_ERR_IO, naming it, when it is a
 * directory, a device, a FIFO or a socket (renaming over /dev/null would
 * replace the device). */
bb_result bb_tmp_check_dest(const char *path, bb_error *err);

/* The start of every atomic write: refuse what bb_tmp_check_dest refuses, then
 * create DEST.tmp.XXXXXX beside dest (mode 0600), registered from before it
 * exists. Sets *fd, *tmp (bb_malloc'd, the caller's: bb_free it after
 * bb_tmp_unregister(*slot)) and *slot. On failure (BB_ERR_ARG, BB_ERR_IO with
 * the reason, BB_ERR_NOMEM) nothing is left to clean up: *tmp is NULL and
 * *slot -1 if they were set. */
bb_result bb_tmp_create(const char *dest, int *fd, char **tmp, int *slot, bb_error *err);

#endif
