/* bb_wav.h - WAV output and input through libsndfile.
 *
 * Writing is streaming and atomic: frames go to a temporary file beside the
 * destination, which is renamed over it only on commit, so an interrupted or
 * failed render never leaves a half-written file where a good one was. No PEAK
 * chunk and no timestamps are written: the same samples give the same bytes. */
#ifndef BB_WAV_H
#define BB_WAV_H

#include "bb_result.h"

#include <stddef.h>

typedef enum { BB_WAV_F32, BB_WAV_S16, BB_WAV_S24 } bb_wav_format;

/* Parse "f32", "s16", "s24". Returns BB_ERR_ARG for anything else. */
bb_result bb_wav_format_parse(const char *s, bb_wav_format *out);

typedef struct bb_wav_writer bb_wav_writer;

/* Open a mono writer for path at rate sr. Returns BB_ERR_IO (with the reason in
 * err) when the temporary file cannot be created. */
bb_result bb_wav_writer_open(bb_wav_writer **out, const char *path, int sr,
                             bb_wav_format fmt, bb_error *err);
/* Open a mono writer whose file goes to the descriptor fd (standard output, a pipe; left open:
 * the caller's), named name in messages ("<stdout>"). The file is built in memory (a WAV's header
 * is rewritten at the end, which a pipe cannot do) and written to fd whole by commit; abort (or a
 * failed commit before its first byte) writes nothing. Returns BB_ERR_ARG, BB_ERR_NOMEM. */
bb_result bb_wav_writer_open_fd(bb_wav_writer **out, int fd, const char *name, int sr, bb_wav_format fmt,
                                bb_error *err);
/* Append n frames (PCM formats clamp to [-1, 1]). Returns BB_ERR_IO on a short
 * write (disk full). */
bb_result bb_wav_writer_write(bb_wav_writer *w, const float *frames, size_t n, bb_error *err);
/* Close and rename into place (a descriptor's writer: write the file to it). The writer is freed
 * whatever the result. */
bb_result bb_wav_writer_commit(bb_wav_writer *w, bb_error *err);
/* Close and delete the temporary file; the destination is untouched. Frees w. */
void bb_wav_writer_abort(bb_wav_writer *w);

/* Write a whole buffer (open, write, commit). */
bb_result bb_wav_write(const char *path, const float *frames, size_t n, int sr,
                       bb_wav_format fmt, bb_error *err);

/* Read a WAV (or any libsndfile format) as float frames, interleaved if
 * channels > 1. *data is allocated with bb_malloc and owned by the caller.
 * Returns BB_ERR_IO (missing, unreadable), BB_ERR_FORMAT (not audio, truncated). */
bb_result bb_wav_read(const char *path, float **data, size_t *frames, int *sr, int *channels,
                      bb_error *err);

/* Read only the header of an audio file: its length in frames, rate and channel
 * count. Same errors as bb_wav_read, without reading (or allocating for) the
 * samples, so a caller can enforce its limits first. */
bb_result bb_wav_info(const char *path, size_t *frames, int *sr, int *channels, bb_error *err);

#endif
