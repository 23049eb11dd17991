/* bb_file.h - whole files written atomically: the one place where the harness
 * commits a file (results, CSV, JUnit, Markdown, gnuplot scripts, the manifest,
 * anchors' copies). A file is written to DEST.tmp.XXXXXX beside its destination
 * (core/bb_tmpfile.h: registered, removed by the signal handler), fsync'd and
 * renamed over DEST, so DEST is always the previous file or the complete new
 * one. WAVs stream through the same temporaries (core/bb_wav.c). */
#ifndef BB_FILE_H
#define BB_FILE_H

#include "bb_result.h"

#include <stddef.h>

/* Write the n bytes of data to path atomically, with the umask's permissions
 * (a temporary file in the same folder, then rename). BB_OK, or BB_ERR_IO (or
 * BB_ERR_ARG, BB_ERR_NOMEM) with the reason in err; nothing is left at path
 * or beside it then. data stays the caller's. */
bb_result bb_file_commit(const char *path, const void *data, size_t n, bb_error *err);

/* Could bb_file_commit write path? Refuses what it would refuse (a directory,
 * a device) and creates and removes a temporary file beside it, so that a long
 * command learns of an unwritable output before it starts. BB_OK or BB_ERR_IO
 * (BB_ERR_ARG for an empty path) with the reason. */
bb_result bb_file_check_writable(const char *path, bb_error *err);

#endif
