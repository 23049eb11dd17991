/* test_wav.c - Criterion suite "wav": the atomic libsndfile writer and the reader.
 *
 * Every test works in its own mkdtemp folder under /tmp (Criterion may run
 * tests in parallel processes). Files are checked byte by byte and through
 * libsndfile directly, independently of bb_wav_read where it matters. */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_wav.h"
#include "bb_testutil.h"

#include <sndfile.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static void make_tmpdir(void) { snprintf(tmpdir, sizeof tmpdir, "%s", tu_tmpdir("wav")); }

TestSuite(wav, .init = make_tmpdir);

static const char *tmp_path(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

/* tu_slurp, and a file that cannot be read fails the test. */
static unsigned char *slurp(const char *path, size_t *n)
{
    char *b = tu_slurp(path, n);
    cr_assert_not_null(b, "cannot open %s", path);
    return (unsigned char *)b;
}

static void spit(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert(fwrite(data, 1, n, f) == n);
    fclose(f);
}

static int count_entries(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static float *ramp(size_t n)
{
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)sin((double)i * 0.01) * 0.8f + 1e-7f * (float)i;
    return x;
}

Test(wav, format_parse)
{
    bb_wav_format f;
    cr_assert(bb_wav_format_parse("f32", &f) == BB_OK && f == BB_WAV_F32);
    cr_assert(bb_wav_format_parse("s16", &f) == BB_OK && f == BB_WAV_S16);
    cr_assert(bb_wav_format_parse("s24", &f) == BB_OK && f == BB_WAV_S24);
    cr_assert(bb_wav_format_parse("s8", &f) == BB_ERR_ARG);
    cr_assert(bb_wav_format_parse("F32", &f) == BB_ERR_ARG);
    cr_assert(bb_wav_format_parse("", &f) == BB_ERR_ARG);
    cr_assert(bb_wav_format_parse(NULL, &f) == BB_ERR_ARG);
}

Test(wav, f32_round_trip_is_exact)
{
    const size_t n = 10007;
    float *x = ramp(n);
    x[5] = 3.5f; /* float files keep out-of-range values */
    x[6] = -1e-30f;
    bb_error err;
    const char *p = tmp_path("a.wav");
    cr_assert(bb_wav_write(p, x, n, 48000, BB_WAV_F32, &err) == BB_OK, "%s", err.msg);
    float *y;
    size_t frames;
    int sr, ch;
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_OK, "%s", err.msg);
    cr_assert(frames == n && sr == 48000 && ch == 1);
    cr_assert(memcmp(x, y, n * sizeof *x) == 0);
    bb_free(y);
    free(x);
}

Test(wav, header_is_mono_wav_of_the_requested_format)
{
    float x[4] = { 0, 0.5f, -0.5f, 0.25f };
    const bb_wav_format fmts[3] = { BB_WAV_F32, BB_WAV_S16, BB_WAV_S24 };
    const int subs[3] = { SF_FORMAT_FLOAT, SF_FORMAT_PCM_16, SF_FORMAT_PCM_24 };
    for (int i = 0; i < 3; i++) {
        const char *p = tmp_path("h.wav");
        cr_assert(bb_wav_write(p, x, 4, 22050, fmts[i], NULL) == BB_OK);
        SF_INFO info;
        memset(&info, 0, sizeof info);
        SNDFILE *sf = sf_open(p, SFM_READ, &info);
        cr_assert_not_null(sf);
        cr_assert(info.format == (SF_FORMAT_WAV | subs[i]), "format %x", info.format);
        cr_assert(info.channels == 1 && info.samplerate == 22050 && info.frames == 4);
        sf_close(sf);
        struct stat st;
        cr_assert(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "mode %o", st.st_mode);
    }
}

Test(wav, s16_clamps_out_of_range_and_nan)
{
    float x[6] = { 2.0f, -3.0f, 0.5f, NAN, 1.0f, -1.0f };
    const char *p = tmp_path("c.wav");
    cr_assert(bb_wav_write(p, x, 6, 44100, BB_WAV_S16, NULL) == BB_OK);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(p, SFM_READ, &info);
    short s[6];
    cr_assert(sf_readf_short(sf, s, 6) == 6);
    sf_close(sf);
    cr_assert(s[0] == 32767 && s[1] == -32768, "%d %d", s[0], s[1]);
    cr_assert(s[2] == 16384 || s[2] == 16383, "%d", s[2]);
    cr_assert(s[3] == 0, "NaN wrote %d", s[3]);
    cr_assert(s[4] == 32767 && s[5] <= -32767);
}

Test(wav, s24_round_trip_within_one_step)
{
    const size_t n = 5000;
    float *x = ramp(n);
    const char *p = tmp_path("s24.wav");
    cr_assert(bb_wav_write(p, x, n, 44100, BB_WAV_S24, NULL) == BB_OK);
    float *y;
    size_t frames;
    int sr, ch;
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, NULL) == BB_OK);
    cr_assert(frames == n);
    for (size_t i = 0; i < n; i++)
        cr_assert(fabsf(x[i] - y[i]) <= 0x1p-23f, "frame %zu: %g vs %g", i, (double)x[i],
                  (double)y[i]);
    bb_free(y);
    free(x);
}

static int has_bytes(const unsigned char *b, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0) return 1;
    return 0;
}

Test(wav, no_peak_chunk)
{
    float *x = ramp(1000);
    const bb_wav_format fmts[3] = { BB_WAV_F32, BB_WAV_S16, BB_WAV_S24 };
    for (int i = 0; i < 3; i++) {
        const char *p = tmp_path("p.wav");
        cr_assert(bb_wav_write(p, x, 1000, 44100, fmts[i], NULL) == BB_OK);
        size_t n;
        unsigned char *b = slurp(p, &n);
        cr_assert(n > 44 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0);
        cr_assert(!has_bytes(b, n, "PEAK"), "format %d has a PEAK chunk", i);
        free(b);
    }
    free(x);
}

Test(wav, same_samples_give_same_bytes)
{
    const size_t n = 30000;
    float *x = ramp(n);
    const bb_wav_format fmts[3] = { BB_WAV_F32, BB_WAV_S16, BB_WAV_S24 };
    for (int i = 0; i < 3; i++) {
        const char *a = tmp_path("one.wav"), *b = tmp_path("two.wav");
        cr_assert(bb_wav_write(a, x, n, 44100, fmts[i], NULL) == BB_OK);
        sleep(i == 0 ? 1 : 0); /* a timestamp would now differ */
        /* the second one streamed in uneven pieces */
        bb_wav_writer *w;
        cr_assert(bb_wav_writer_open(&w, b, 44100, fmts[i], NULL) == BB_OK);
        size_t at = 0, step = 1;
        while (at < n) {
            size_t m = n - at < step ? n - at : step;
            cr_assert(bb_wav_writer_write(w, x + at, m, NULL) == BB_OK);
            at += m;
            step = step * 3 + 1;
        }
        cr_assert(bb_wav_writer_commit(w, NULL) == BB_OK);
        size_t na, nb;
        unsigned char *ba = slurp(a, &na), *bb = slurp(b, &nb);
        cr_assert(na == nb && memcmp(ba, bb, na) == 0, "format %d differs", i);
        free(ba);
        free(bb);
    }
    free(x);
}

Test(wav, zero_frames_is_a_valid_file)
{
    const char *p = tmp_path("empty.wav");
    cr_assert(bb_wav_write(p, NULL, 0, 44100, BB_WAV_F32, NULL) == BB_OK);
    float *y;
    size_t frames = 99;
    int sr, ch;
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, NULL) == BB_OK);
    cr_assert(frames == 0 && y != NULL);
    bb_free(y);
}

Test(wav, missing_file_is_io_error_naming_the_path)
{
    bb_error err;
    bb_error_clear(&err);
    float *y;
    size_t frames;
    int sr, ch;
    const char *p = tmp_path("nope.wav");
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_ERR_IO);
    cr_assert(err.code == BB_ERR_IO);
    cr_assert(strstr(err.msg, p) != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
    cr_assert(y == NULL);
    cr_assert(bb_wav_read(tmpdir, &y, &frames, &sr, &ch, &err) == BB_ERR_IO, "a directory");
}

Test(wav, garbage_and_empty_files_are_format_errors)
{
    bb_error err;
    float *y;
    size_t frames;
    int sr, ch;
    const char *p = tmp_path("junk.wav");
    spit(p, "this is not a sound file, not at all, no", 40);
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_ERR_FORMAT);
    cr_assert(strstr(err.msg, p) != NULL, "%s", err.msg);
    spit(p, "", 0);
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_ERR_FORMAT);
    size_t info_frames;
    cr_assert(bb_wav_info(p, &info_frames, &sr, &ch, &err) == BB_ERR_FORMAT);
}

Test(wav, truncated_file_is_a_format_error)
{
    const size_t n = 4000;
    float *x = ramp(n);
    const bb_wav_format fmts[3] = { BB_WAV_F32, BB_WAV_S16, BB_WAV_S24 };
    for (int i = 0; i < 3; i++) {
        const char *p = tmp_path("t.wav");
        cr_assert(bb_wav_write(p, x, n, 44100, fmts[i], NULL) == BB_OK);
        struct stat st;
        cr_assert(stat(p, &st) == 0);
        cr_assert(truncate(p, st.st_size / 2) == 0);
        bb_error err;
        float *y;
        size_t frames;
        int sr, ch;
        cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_ERR_FORMAT, "format %d", i);
        cr_assert(strstr(err.msg, "truncated") != NULL, "%s", err.msg);
        /* cut inside the header too */
        cr_assert(truncate(p, 30) == 0);
        cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, &err) == BB_ERR_FORMAT);
    }
    free(x);
}

Test(wav, info_reads_the_header_only)
{
    float x[100] = { 0 };
    const char *p = tmp_path("i.wav");
    cr_assert(bb_wav_write(p, x, 100, 8000, BB_WAV_S16, NULL) == BB_OK);
    size_t frames;
    int sr, ch;
    bb_alloc_stats s0 = bb_alloc_snapshot();
    cr_assert(bb_wav_info(p, &frames, &sr, &ch, NULL) == BB_OK);
    bb_alloc_stats s1 = bb_alloc_snapshot();
    cr_assert(frames == 100 && sr == 8000 && ch == 1);
    cr_assert(s1.allocs == s0.allocs);
}

Test(wav, abort_leaves_destination_untouched_and_no_temporary)
{
    float a[3] = { 0.1f, 0.2f, 0.3f }, b[3] = { -0.5f, -0.5f, -0.5f };
    const char *p = tmp_path("keep.wav");
    cr_assert(bb_wav_write(p, a, 3, 44100, BB_WAV_F32, NULL) == BB_OK);
    size_t n0;
    unsigned char *before = slurp(p, &n0);
    bb_wav_writer *w;
    cr_assert(bb_wav_writer_open(&w, p, 44100, BB_WAV_F32, NULL) == BB_OK);
    cr_assert(count_entries() == 2, "the temporary file sits beside the destination");
    cr_assert(bb_wav_writer_write(w, b, 3, NULL) == BB_OK);
    bb_wav_writer_abort(w);
    size_t n1;
    unsigned char *after = slurp(p, &n1);
    cr_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    cr_assert(count_entries() == 1, "temporary file left behind");
    free(before);
    free(after);
}

Test(wav, commit_replaces_destination_and_leaves_no_temporary)
{
    float a[3] = { 0.1f, 0.2f, 0.3f }, b[5] = { -0.5f, -0.5f, -0.5f, 0, 0 };
    const char *p = tmp_path("new.wav");
    cr_assert(bb_wav_write(p, a, 3, 44100, BB_WAV_F32, NULL) == BB_OK);
    cr_assert(bb_wav_write(p, b, 5, 44100, BB_WAV_F32, NULL) == BB_OK);
    cr_assert(count_entries() == 1);
    float *y;
    size_t frames;
    int sr, ch;
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, NULL) == BB_OK);
    cr_assert(frames == 5 && memcmp(y, b, sizeof b) == 0);
    bb_free(y);
}

Test(wav, unwritable_destination_is_io_error_naming_the_path)
{
    bb_error err;
    bb_wav_writer *w;
    const char *p = tmp_path("no/such/dir/out.wav");
    cr_assert(bb_wav_writer_open(&w, p, 44100, BB_WAV_F32, &err) == BB_ERR_IO);
    cr_assert(w == NULL);
    cr_assert(strstr(err.msg, p) != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
    cr_assert(bb_wav_writer_open(&w, tmp_path("x.wav"), 0, BB_WAV_F32, &err) == BB_ERR_ARG);
    cr_assert(bb_wav_writer_open(&w, "", 44100, BB_WAV_F32, &err) == BB_ERR_ARG);
    cr_assert(count_entries() == 0);
}

Test(wav, reads_multichannel_interleaved)
{
    const char *p = tmp_path("st.wav");
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = 32000;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE *sf = sf_open(p, SFM_WRITE, &info);
    float x[6] = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f };
    cr_assert(sf_writef_float(sf, x, 3) == 3);
    sf_close(sf);
    float *y;
    size_t frames;
    int sr, ch;
    cr_assert(bb_wav_read(p, &y, &frames, &sr, &ch, NULL) == BB_OK);
    cr_assert(frames == 3 && ch == 2 && sr == 32000);
    cr_assert(memcmp(x, y, sizeof x) == 0);
    bb_free(y);
}

/* A writer on a descriptor (a pipe here) writes the file's bytes only at commit, the same bytes a
 * file writer gives; abort writes nothing. */
Test(wav, writer_on_a_descriptor_writes_the_whole_file_at_commit)
{
    enum { N = 3000 }; /* 12 KB of float32: fits in a pipe's buffer */
    float *x = ramp(N);
    bb_error err;
    const char *path = tmp_path("f.wav");
    cr_assert_eq(bb_wav_write(path, x, N, 8000, BB_WAV_F32, &err), BB_OK, "%s", err.msg);
    size_t nf;
    unsigned char *want = slurp(path, &nf);
    for (int commit = 1; commit >= 0; commit--) {
        int fd[2];
        cr_assert_eq(pipe(fd), 0);
        bb_wav_writer *w;
        cr_assert_eq(bb_wav_writer_open_fd(&w, fd[1], "<pipe>", 8000, BB_WAV_F32, &err), BB_OK, "%s", err.msg);
        cr_assert_eq(bb_wav_writer_write(w, x, N / 2, &err), BB_OK);
        cr_assert_eq(bb_wav_writer_write(w, x + N / 2, N - N / 2, &err), BB_OK);
        if (commit) cr_assert_eq(bb_wav_writer_commit(w, &err), BB_OK, "%s", err.msg);
        else bb_wav_writer_abort(w);
        close(fd[1]);
        unsigned char got[2 * N * sizeof(float)];
        size_t n = 0;
        for (ssize_t k; (k = read(fd[0], got + n, sizeof got - n)) > 0;) n += (size_t)k;
        close(fd[0]);
        if (commit) cr_assert(n == nf && !memcmp(got, want, n), "the pipe gets the file's %zu bytes (got %zu)", nf, n);
        else cr_assert_eq(n, 0, "abort writes nothing");
    }
    free(want);
    free(x);
}
