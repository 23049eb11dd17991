/* anchor_common.c - what the C anchors share: the voice list, the mixer, the WAV.
 *
 * The anchors of `make bench-anchors` render busbench's q-like score with other
 * engines. gen.py computes the voices once (onset, length, frequency, gain and
 * envelope ramp, by SPEC.md's rules) and writes them to events.txt; the C
 * anchors read that file here, so they spend their time on the same work as the
 * engines they are compared with: synthesis, mixing and one WAV write.
 *
 * The mixer applies the envelope exactly as SPEC.md states it (attack gains
 * i/a for the first a samples, release (len-i)/a for the last a, 1 between),
 * with the gain folded into the ramp, in three loops so that the plain middle
 * carries no branch. The WAV is float32 mono written by libsndfile in one call,
 * without the PEAK chunk (busbench writes none either, and computing it would
 * cost the anchors a pass over the buffer that busbench does not pay).
 *
 * Errors (a missing or malformed file, no memory, a failed write) print one
 * line naming the program and the file, and return -1: the callers exit 1. */
#include "anchor_common.h"

#include <errno.h>
#include <inttypes.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int anchor_score_read(const char *prog, const char *path, anchor_score *s)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    char line[512];
    size_t nv = 0, got = 0;
    int header = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (!header) {
            if (sscanf(line, "%d %" SCNd64 " %zu %lf %lf", &s->sr, &s->frames, &nv, &s->cutoff, &s->q) != 5 ||
                s->sr <= 0 || s->frames <= 0 || nv == 0 || nv > 100000000u) goto bad;
            s->v = calloc(nv, sizeof *s->v);
            if (!s->v) {
                fprintf(stderr, "%s: %s: out of memory\n", prog, path);
                fclose(f);
                return -1;
            }
            header = 1;
            continue;
        }
        if (got == nv) goto bad;
        anchor_voice *v = &s->v[got];
        if (sscanf(line, "%" SCNd64 " %" SCNd64 " %lf %lf %" SCNd64, &v->onset, &v->len, &v->freq, &v->gain,
                   &v->ramp) != 5 ||
            v->onset < 0 || v->len <= 0 || v->onset + v->len > s->frames || v->ramp < 0 || 2 * v->ramp > v->len)
            goto bad;
        got++;
    }
    fclose(f);
    if (!header || got != nv) {
        fprintf(stderr, "%s: %s: %zu voices, the header announced %zu\n", prog, path, got, nv);
        anchor_score_free(s);
        return -1;
    }
    s->nv = nv;
    return 0;
bad:
    fprintf(stderr, "%s: %s: malformed line: %s", prog, path, line);
    fclose(f);
    anchor_score_free(s);
    return -1;
}

void anchor_score_free(anchor_score *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

void anchor_mix(float *out, const float *raw, const anchor_voice *v)
{
    float *o = out + v->onset;
    const int64_t n = v->len, a = v->ramp;
    const float g = (float)v->gain;
    const float step = a > 0 ? g / (float)a : 0.0f;
    int64_t i = 0;
    for (; i < a; i++) o[i] += raw[i] * ((float)i * step);
    for (; i < n - a; i++) o[i] += raw[i] * g;
    for (; i < n; i++) o[i] += raw[i] * ((float)(n - i) * step);
}

float *anchor_buffer(const char *prog, int64_t frames)
{
    float *b = frames > 0 ? calloc((size_t)frames, sizeof *b) : NULL;
    if (!b) fprintf(stderr, "%s: cannot allocate %" PRId64 " samples\n", prog, frames);
    return b;
}

int anchor_wav_write(const char *prog, const char *path, const float *buf, int64_t frames, int sr)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = sr;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, sf_strerror(NULL));
        return -1;
    }
    sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    sf_count_t w = sf_writef_float(f, buf, (sf_count_t)frames);
    int err = sf_error(f);
    if (sf_close(f) != 0 || w != (sf_count_t)frames || err) {
        fprintf(stderr, "%s: %s: short write (%" PRId64 " of %" PRId64 " frames)\n", prog, path, (int64_t)w, frames);
        return -1;
    }
    return 0;
}
