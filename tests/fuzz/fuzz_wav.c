/* fuzz_wav.c - libFuzzer target: the WAV (any libsndfile format) reader.
 *
 * Each input is written to one anonymous in-memory file per process
 * (memfd_create, opened by path as /proc/self/fd/N: a file on disk cost 10x the
 * executions per second) and read back with bb_wav_info and bb_wav_read, the two entry points that verify and the kit
 * use on files they did not write. A file must either read (and then the
 * header and the data agree on length, rate and channels) or be refused with
 * BB_ERR_IO, BB_ERR_FORMAT, BB_ERR_LIMIT or BB_ERR_NOMEM and a message; never
 * crash, leak or read outside its buffers. Inputs announcing more than
 * 16 Mi samples are refused before reading (as verify does with its own
 * limit), so that a 44-byte header cannot ask for gigabytes. Build: `make fuzz`. */
#define _GNU_SOURCE
#include "bb_alloc.h"
#include "bb_wav.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_path[64];
static int g_fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (g_fd < 0) {
        g_fd = memfd_create("fuzz-wav", 0);
        if (g_fd < 0) abort();
        snprintf(g_path, sizeof g_path, "/proc/self/fd/%d", g_fd);
    }
    if (ftruncate(g_fd, 0) != 0) abort();
    if (size && pwrite(g_fd, data, size, 0) != (ssize_t)size) abort();

    bb_error err;
    bb_error_clear(&err);
    size_t frames = 0;
    int sr = 0, ch = 0;
    bb_result r = bb_wav_info(g_path, &frames, &sr, &ch, &err);
    if (r != BB_OK) {
        if (err.code == BB_OK) abort();
        return 0;
    }
    if (sr < 1 || ch < 1) abort();
    if (frames > (size_t)16 << 20 || (size_t)ch * frames > (size_t)16 << 20) return 0;
    float *x = NULL;
    size_t n2 = 0;
    int sr2 = 0, ch2 = 0;
    r = bb_wav_read(g_path, &x, &n2, &sr2, &ch2, &err);
    if (r == BB_OK) {
        if (n2 != frames || sr2 != sr || ch2 != ch || !x) abort();
        volatile float sink = 0.0f;
        for (size_t i = 0; i < n2 * (size_t)ch2; i++) sink += x[i];
        (void)sink;
        bb_free(x);
    } else if (err.code == BB_OK || x != NULL) {
        abort();
    }
    return 0;
}
