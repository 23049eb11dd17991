/* bb_wav.c - WAV output and audio input through libsndfile.
 *
 * Writer. Frames never go to the destination directly: open creates
 * "PATH.tmp.XXXXXX" beside it with mkstemp (same directory, so the final
 * rename is atomic on one file system), makes it mode 0644 (mkstemp's 0600
 * would be a surprise on a render), and hands the descriptor to libsndfile
 * (which does not close it; we do). Before any frame is written the PEAK chunk
 * is switched off (SFC_SET_ADD_PEAK_CHUNK false): it is the one place where
 * libsndfile puts a timestamp, and without it the same samples give the same
 * bytes. The output is a mono RIFF/WAVE file, float32, or PCM 16/24-bit; for
 * PCM every frame is first clamped to [-1, 1] here (NaN becomes 0), so the
 * result does not depend on how a libsndfile version converts out-of-range
 * floats, and libsndfile's own clipping is switched on as well. commit =
 * sf_close + close + rename over the destination; abort (or any failure) =
 * sf_close + close + unlink, the destination untouched. There is no fsync:
 * rename keeps readers from ever seeing half a file, not a power cut. The
 * file is written through libsndfile's virtual I/O with a buffer of
 * WAV_WRITE_BYTES, so it gets 64 KiB writes whatever the format (a render
 * block is 2 KiB of floats; libsndfile's own PCM conversion writes 8 KiB); a
 * write error is kept (errno) and reported by the write or the commit that
 * meets it, and then nothing is left behind either. A writer on a descriptor
 * (bb_wav_writer_open_fd: standard output, a pipe) keeps the whole file in memory
 * instead, because libsndfile rewrites the header's lengths when it closes and a
 * pipe cannot seek back: commit writes it to the descriptor in one go, so a
 * reader gets a complete WAV or, after a failure or an abort, nothing at all. The
 * temporary is registered with bb_tmpfile while it exists, so a program that
 * cleans up on signals (busbench) removes it when interrupted; a destination
 * that exists and is not a regular file (a directory, /dev/null) is refused
 * before anything is written, rather than replaced by the rename.
 *
 * Reader. The file is opened with open(2) first, so a missing or unreadable
 * file is BB_ERR_IO with the system's reason, then given to libsndfile; what
 * libsndfile rejects is BB_ERR_FORMAT with its reason. libsndfile quietly
 * accepts a RIFF/WAVE or AIFF file cut short inside its sample data (it
 * shortens the length it announces), so the reader first walks the chunk list
 * itself and calls the file truncated when the data chunk ("data", "SSND")
 * claims more bytes than the file holds (a size of 0 or 0xFFFFFFFF, which
 * streaming writers leave behind, is not checked). Then it reads exactly the
 * frames announced and fails with BB_ERR_FORMAT if fewer come.
 *
 * Every message names the file and the reason. Units: frames (one sample per
 * channel), Hz. */
#include "bb_wav.h"
#include "bb_alloc.h"
#include "bb_tmpfile.h"

#include <sndfile.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bb_result bb_wav_format_parse(const char *s, bb_wav_format *out)
{
    if (!s) return BB_ERR_ARG;
    if (strcmp(s, "f32") == 0) *out = BB_WAV_F32;
    else if (strcmp(s, "s16") == 0) *out = BB_WAV_S16;
    else if (strcmp(s, "s24") == 0) *out = BB_WAV_S24;
    else return BB_ERR_ARG;
    return BB_OK;
}

/* ---- writer ------------------------------------------------------------------ */

enum { WAV_CHUNK = 1024 };

/* Bytes gathered before a write(2): the file is written 64 KiB at a time. */
enum { WAV_WRITE_BYTES = 64 * 1024 };

/* libsndfile's virtual I/O over the temporary file, with a write buffer: the
 * bytes of [at, at + n) wait in buf. A seek away from the buffer's end (the
 * header rewrite at close) or a read flushes it first. */
typedef struct wav_io {
    int fd;
    int err;                  /* errno of the first failed write, or 0 */
    sf_count_t pos, len;      /* the logical position and file length */
    sf_count_t at;            /* file offset of buf[0] */
    size_t n;
    unsigned char *mem;       /* in memory (bb_wav_writer_open_fd): the whole file, else NULL */
    size_t memcap;
    bool in_mem;
    unsigned char buf[WAV_WRITE_BYTES];
} wav_io;

struct bb_wav_writer {
    SNDFILE *sf;
    int fd;
    int tmp_slot; /* in the temporary-file registry (bb_tmpfile.h), or -1 */
    bb_wav_format fmt;
    char *path;
    char *tmp;
    float scratch[WAV_CHUNK]; /* clamped PCM frames on their way out */
    wav_io io;
};

static int io_flush(wav_io *io)
{
    if (io->in_mem) return io->err ? -1 : 0;
    size_t done = 0;
    while (done < io->n && !io->err) {
        const ssize_t k = pwrite(io->fd, io->buf + done, io->n - done, (off_t)(io->at + (sf_count_t)done));
        if (k > 0) done += (size_t)k;
        else if (k < 0 && errno == EINTR) continue;
        else io->err = k < 0 ? errno : EIO;
    }
    io->at += (sf_count_t)io->n;
    io->n = 0;
    return io->err ? -1 : 0;
}

static sf_count_t io_filelen(void *user) { return ((wav_io *)user)->len; }
static sf_count_t io_tell(void *user) { return ((wav_io *)user)->pos; }

static sf_count_t io_seek(sf_count_t off, int whence, void *user)
{
    wav_io *io = user;
    const sf_count_t base = whence == SEEK_CUR ? io->pos : whence == SEEK_END ? io->len : 0;
    if (off < -base) return -1;
    io->pos = base + off;
    return io->pos;
}

/* In memory: the bytes at pos, the file grown as needed (0 on no memory, kept as ENOMEM). */
static sf_count_t mem_write(wav_io *io, const void *ptr, sf_count_t count)
{
    size_t end = (size_t)(io->pos + count);
    if (end > io->memcap) {
        size_t cap = io->memcap ? io->memcap : WAV_WRITE_BYTES;
        while (cap < end) cap *= 2;
        unsigned char *m = bb_realloc(io->mem, cap);
        if (!m) {
            io->err = ENOMEM;
            return 0;
        }
        memset(m + io->memcap, 0, cap - io->memcap);
        io->mem = m;
        io->memcap = cap;
    }
    memcpy(io->mem + io->pos, ptr, (size_t)count);
    io->pos += count;
    if (io->pos > io->len) io->len = io->pos;
    return count;
}

static sf_count_t io_write(const void *ptr, sf_count_t count, void *user)
{
    wav_io *io = user;
    if (io->err || count < 0) return 0;
    if (io->in_mem) return mem_write(io, ptr, count);
    if (io->n && io->pos != io->at + (sf_count_t)io->n && io_flush(io)) return 0;
    if (!io->n) io->at = io->pos;
    const unsigned char *p = ptr;
    for (sf_count_t left = count; left > 0;) {
        size_t m = WAV_WRITE_BYTES - io->n;
        if ((sf_count_t)m > left) m = (size_t)left;
        memcpy(io->buf + io->n, p, m);
        io->n += m;
        p += m;
        left -= (sf_count_t)m;
        if (io->n == WAV_WRITE_BYTES && io_flush(io)) return count - left;
    }
    io->pos += count;
    if (io->pos > io->len) io->len = io->pos;
    return count;
}

static sf_count_t io_read(void *ptr, sf_count_t count, void *user)
{
    wav_io *io = user;
    if (io_flush(io) || count < 0) return 0;
    if (io->in_mem) {
        sf_count_t k = io->pos < io->len ? io->len - io->pos : 0;
        if (k > count) k = count;
        if (k > 0) memcpy(ptr, io->mem + io->pos, (size_t)k);
        io->pos += k;
        return k;
    }
    const ssize_t k = pread(io->fd, ptr, (size_t)count, (off_t)io->pos);
    if (k <= 0) return 0;
    io->pos += k;
    return k;
}

static SF_VIRTUAL_IO wav_vio = {io_filelen, io_seek, io_read, io_write, io_tell};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bb_malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static void writer_free(bb_wav_writer *w)
{
    bb_free(w->io.mem);
    bb_tmp_unregister(w->tmp_slot);
    bb_free(w->path);
    bb_free(w->tmp);
    bb_free(w);
}

/* Close everything and delete the temporary file. */
static void writer_discard(bb_wav_writer *w)
{
    if (w->sf) sf_close(w->sf);
    if (w->io.in_mem) { /* nothing reached the descriptor, which is the caller's */
        writer_free(w);
        return;
    }
    if (w->fd >= 0) close(w->fd);
    unlink(w->tmp);
    writer_free(w);
}

/* libsndfile's subformat of fmt, or 0 for none. */
static int subformat(bb_wav_format fmt)
{
    switch (fmt) {
    case BB_WAV_F32: return SF_FORMAT_FLOAT;
    case BB_WAV_S16: return SF_FORMAT_PCM_16;
    case BB_WAV_S24: return SF_FORMAT_PCM_24;
    }
    return 0;
}

/* A writer named path (a file's path, or what a descriptor is called in messages), nothing open. */
static bb_result writer_new(bb_wav_writer **out, const char *path, int sr, bb_wav_format fmt, bb_error *err)
{
    *out = NULL;
    if (!path || !path[0])
        return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "empty output path");
    if (sr <= 0)
        return bb_error_set(err, BB_ERR_ARG, path, 0, 0,
                            "cannot write '%s': sample rate %d is not positive", path, sr);
    if (!subformat(fmt))
        return bb_error_set(err, BB_ERR_ARG, path, 0, 0,
                            "cannot write '%s': unknown sample format %d", path, (int)fmt);
    bb_wav_writer *w = bb_malloc(sizeof *w);
    if (!w) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory opening '%s'", path);
    w->sf = NULL;
    w->fd = -1;
    w->tmp_slot = -1;
    w->tmp = NULL;
    w->fmt = fmt;
    memset(&w->io, 0, offsetof(wav_io, buf));
    w->path = dup_str(path);
    if (!w->path) {
        writer_free(w);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory opening '%s'", path);
    }
    *out = w;
    return BB_OK;
}

/* Open libsndfile on w's virtual I/O (a mono WAV at sr); on failure w is discarded. */
static bb_result writer_sf(bb_wav_writer *w, int sr, bb_error *err)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = sr;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | subformat(w->fmt);
    w->io.fd = w->fd;
    w->sf = sf_open_virtual(&wav_vio, SFM_WRITE, &info, &w->io);
    if (!w->sf) {
        bb_error_set(err, BB_ERR_IO, w->path, 0, 0, "cannot open '%s' for writing: %s", w->tmp ? w->tmp : w->path,
                     sf_strerror(NULL));
        writer_discard(w);
        return BB_ERR_IO;
    }
    sf_command(w->sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    if (w->fmt != BB_WAV_F32) sf_command(w->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    return BB_OK;
}

bb_result bb_wav_writer_open(bb_wav_writer **out, const char *path, int sr,
                             bb_wav_format fmt, bb_error *err)
{
    *out = NULL;
    bb_wav_writer *w;
    bb_result r = writer_new(&w, path, sr, fmt, err);
    if (r) return r;
    r = bb_tmp_create(path, &w->fd, &w->tmp, &w->tmp_slot, err);
    if (r) {
        writer_free(w);
        return r;
    }
    if (fchmod(w->fd, 0644) != 0) {
        int e = errno;
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot set the mode of '%s': %s", w->tmp,
                     strerror(e));
        writer_discard(w);
        return BB_ERR_IO;
    }
    if ((r = writer_sf(w, sr, err))) return r;
    *out = w;
    return BB_OK;
}

bb_result bb_wav_writer_open_fd(bb_wav_writer **out, int fd, const char *name, int sr, bb_wav_format fmt,
                                bb_error *err)
{
    *out = NULL;
    bb_wav_writer *w;
    bb_result r = writer_new(&w, name, sr, fmt, err);
    if (r) return r;
    w->fd = fd;
    w->io.in_mem = true;
    if ((r = writer_sf(w, sr, err))) return r;
    *out = w;
    return BB_OK;
}

static bb_result write_frames(bb_wav_writer *w, const float *frames, size_t n, bb_error *err)
{
    sf_count_t got = sf_writef_float(w->sf, frames, (sf_count_t)n);
    if (got != (sf_count_t)n || w->io.err)
        return bb_error_set(err, BB_ERR_IO, w->path, 0, 0,
                            "cannot write to '%s' (%lld of %zu frames written): %s", w->tmp ? w->tmp : w->path,
                            (long long)got, n, w->io.err ? strerror(w->io.err) : sf_strerror(w->sf));
    return BB_OK;
}

bb_result bb_wav_writer_write(bb_wav_writer *w, const float *frames, size_t n, bb_error *err)
{
    if (w->fmt == BB_WAV_F32) return n ? write_frames(w, frames, n, err) : BB_OK;
    while (n > 0) {
        const size_t m = n < WAV_CHUNK ? n : WAV_CHUNK;
        for (size_t i = 0; i < m; i++) {
            const float v = frames[i];
            w->scratch[i] = v >= 1.0f ? 1.0f : v <= -1.0f ? -1.0f : v == v ? v : 0.0f;
        }
        bb_result r = write_frames(w, w->scratch, m, err);
        if (r != BB_OK) return r;
        frames += m;
        n -= m;
    }
    return BB_OK;
}

/* The in-memory file, whole, to the descriptor (w->fd stays open: it is the caller's). */
static bb_result commit_fd(bb_wav_writer *w, bb_error *err)
{
    size_t done = 0, n = (size_t)w->io.len;
    while (done < n) {
        const ssize_t k = write(w->fd, w->io.mem + done, n - done);
        if (k > 0) done += (size_t)k;
        else if (k < 0 && errno == EINTR) continue;
        else {
            bb_error_set(err, BB_ERR_IO, w->path, 0, 0, "cannot write to %s (%zu of %zu bytes written): %s", w->path, done,
                         n, k < 0 ? strerror(errno) : "nothing written");
            writer_discard(w);
            return BB_ERR_IO;
        }
    }
    writer_free(w);
    return BB_OK;
}

bb_result bb_wav_writer_commit(bb_wav_writer *w, bb_error *err)
{
    int rc = sf_close(w->sf);
    w->sf = NULL;
    if (rc != 0 || io_flush(&w->io)) {
        bb_error_set(err, BB_ERR_IO, w->path, 0, 0, "cannot finish '%s': %s", w->tmp ? w->tmp : w->path,
                     w->io.err ? strerror(w->io.err) : sf_error_number(rc));
        writer_discard(w);
        return BB_ERR_IO;
    }
    if (w->io.in_mem) return commit_fd(w, err);
    rc = close(w->fd);
    w->fd = -1;
    if (rc != 0) {
        int e = errno;
        bb_error_set(err, BB_ERR_IO, w->path, 0, 0, "cannot close '%s': %s", w->tmp,
                     strerror(e));
        writer_discard(w);
        return BB_ERR_IO;
    }
    if (rename(w->tmp, w->path) != 0) {
        int e = errno;
        bb_error_set(err, BB_ERR_IO, w->path, 0, 0, "cannot rename '%s' to '%s': %s", w->tmp,
                     w->path, strerror(e));
        writer_discard(w);
        return BB_ERR_IO;
    }
    writer_free(w);
    return BB_OK;
}

void bb_wav_writer_abort(bb_wav_writer *w)
{
    if (w) writer_discard(w);
}

bb_result bb_wav_write(const char *path, const float *frames, size_t n, int sr,
                       bb_wav_format fmt, bb_error *err)
{
    bb_wav_writer *w;
    bb_result r = bb_wav_writer_open(&w, path, sr, fmt, err);
    if (r != BB_OK) return r;
    r = bb_wav_writer_write(w, frames, n, err);
    if (r != BB_OK) {
        bb_wav_writer_abort(w);
        return r;
    }
    return bb_wav_writer_commit(w, err);
}

/* ---- reader ------------------------------------------------------------------ */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}

/* For RIFF/WAVE and AIFF files: 1 when the sample data chunk claims more bytes
 * than the file holds (*claimed, *held set), else 0 (also for other formats). */
static int data_chunk_truncated(int fd, off_t size, uint64_t *claimed, uint64_t *held)
{
    unsigned char h[12];
    if (size < 12 || pread(fd, h, 12, 0) != 12) return 0;
    int little;
    const char *data_id;
    if (memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0) {
        little = 1;
        data_id = "data";
    } else if (memcmp(h, "FORM", 4) == 0 &&
               (memcmp(h + 8, "AIFF", 4) == 0 || memcmp(h + 8, "AIFC", 4) == 0)) {
        little = 0;
        data_id = "SSND";
    } else {
        return 0;
    }
    uint64_t off = 12;
    for (int guard = 0; guard < 4096 && off + 8 <= (uint64_t)size; guard++) {
        unsigned char c[8];
        if (pread(fd, c, 8, (off_t)off) != 8) return 0;
        const uint32_t len = little ? le32(c + 4) : be32(c + 4);
        if (memcmp(c, data_id, 4) == 0) {
            if (len == 0 || len == 0xFFFFFFFFu) return 0;
            *claimed = len;
            *held = (uint64_t)size - off - 8;
            return (uint64_t)len > *held;
        }
        off += 8 + (uint64_t)len + (len & 1u);
    }
    return 0;
}

/* Open path for reading: on success *fd and *sf are open and info is filled. */
static bb_result open_read(const char *path, int *fd, SNDFILE **sf, SF_INFO *info,
                           bb_error *err)
{
    *sf = NULL;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        int e = errno;
        return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot open '%s': %s", path,
                            strerror(e));
    }
    struct stat st;
    if (fstat(*fd, &st) != 0) {
        int e = errno;
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read '%s': %s", path, strerror(e));
        close(*fd);
        return BB_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read '%s': %s", path,
                     S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
        close(*fd);
        return BB_ERR_IO;
    }
    uint64_t claimed = 0, held = 0;
    if (data_chunk_truncated(*fd, st.st_size, &claimed, &held)) {
        bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                     "'%s' is truncated: its sample data should have %llu bytes, the file "
                     "holds %llu", path, (unsigned long long)claimed, (unsigned long long)held);
        close(*fd);
        return BB_ERR_FORMAT;
    }
    memset(info, 0, sizeof *info);
    *sf = sf_open_fd(*fd, SFM_READ, info, SF_FALSE);
    if (!*sf) {
        bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "'%s' is not a readable audio file: %s",
                     path, sf_strerror(NULL));
        close(*fd);
        return BB_ERR_FORMAT;
    }
    if (info->channels < 1 || info->samplerate < 1 || info->frames < 0 ||
        info->frames == SF_COUNT_MAX) {
        bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                     "'%s' announces no usable length, rate or channel count "
                     "(%lld frames, %d Hz, %d channels)", path, (long long)info->frames,
                     info->samplerate, info->channels);
        sf_close(*sf);
        close(*fd);
        return BB_ERR_FORMAT;
    }
    return BB_OK;
}

bb_result bb_wav_info(const char *path, size_t *frames, int *sr, int *channels, bb_error *err)
{
    int fd;
    SNDFILE *sf;
    SF_INFO info;
    bb_result r = open_read(path, &fd, &sf, &info, err);
    if (r != BB_OK) return r;
    *frames = (size_t)info.frames;
    *sr = info.samplerate;
    *channels = info.channels;
    sf_close(sf);
    close(fd);
    return BB_OK;
}

bb_result bb_wav_read(const char *path, float **data, size_t *frames, int *sr, int *channels,
                      bb_error *err)
{
    *data = NULL;
    int fd;
    SNDFILE *sf;
    SF_INFO info;
    bb_result r = open_read(path, &fd, &sf, &info, err);
    if (r != BB_OK) return r;
    const uint64_t nf = (uint64_t)info.frames, ch = (uint64_t)info.channels;
    float *buf = NULL;
    if (nf > SIZE_MAX / sizeof(float) / ch) {
        r = bb_error_set(err, BB_ERR_LIMIT, path, 0, 0, "'%s' is too long (%llu frames)", path,
                         (unsigned long long)nf);
        goto out;
    }
    buf = bb_malloc(nf > 0 ? (size_t)(nf * ch) * sizeof *buf : sizeof *buf);
    if (!buf) {
        r = bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory reading '%s'", path);
        goto out;
    }
    uint64_t got = 0;
    while (got < nf) {
        sf_count_t k = sf_readf_float(sf, buf + got * ch, (sf_count_t)(nf - got));
        if (k <= 0) break;
        got += (uint64_t)k;
    }
    if (got != nf) {
        const char *why = sf_error(sf) ? sf_strerror(sf) : "unexpected end of data";
        r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0,
                         "'%s' is truncated: %llu of %llu frames read: %s", path,
                         (unsigned long long)got, (unsigned long long)nf, why);
        bb_free(buf);
        goto out;
    }
    *data = buf;
    *frames = (size_t)nf;
    *sr = info.samplerate;
    *channels = info.channels;
out:
    sf_close(sf);
    close(fd);
    return r;
}
