/* anchor_common.h - the voice list and the WAV writer shared by the C anchors
 * (plainc.c, faust_driver.c) and the checker (anchor_check.c). */
#ifndef ANCHOR_COMMON_H
#define ANCHOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t onset, len; /* samples */
    double freq, gain;  /* Hz, linear */
    int64_t ramp;       /* attack and release, samples */
} anchor_voice;

typedef struct {
    int sr;
    int64_t frames;
    double cutoff, q;
    size_t nv;
    anchor_voice *v;
} anchor_score;

/* Read events.txt (written by gen.py); on error print "PROG: ..." and return -1. */
int anchor_score_read(const char *prog, const char *path, anchor_score *s);
void anchor_score_free(anchor_score *s);

/* Mix one voice's raw samples (v->len of them) into out at v->onset: gain, then
 * SPEC's ramps (attack i/a for i < a, release (len-i)/a for the last a). */
void anchor_mix(float *out, const float *raw, const anchor_voice *v);

/* A zeroed buffer of frames samples, or NULL with a message. */
float *anchor_buffer(const char *prog, int64_t frames);

/* Write a mono float32 WAV (no PEAK chunk, as busbench); -1 with a message on error. */
int anchor_wav_write(const char *prog, const char *path, const float *buf, int64_t frames, int sr);

#endif
