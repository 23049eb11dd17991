/* faust_driver.c - runs the Faust-compiled q-like voice, voice by voice.
 *
 * voice.dsp (a saw into an RBJ low-pass) is compiled by `faust -lang c` into
 * faust_voice.h, once as scalar code and once with -vec (loops split and
 * vectorisable, blocks of -vs samples); this driver is compiled against each.
 * For every voice of events.txt it clears the DSP's state (instanceClear: a
 * fresh voice, as in busbench), sets the freq, cutoff and q entries through the
 * zones the generated buildUserInterface hands to a tiny UIGlue, computes the
 * voice's samples into a scratch buffer in blocks of BLOCK, and mixes them in
 * with SPEC's ramps and the chord gain (anchor_mix); then writes the WAV.
 *
 * The generated code is not ours and not written for our warning flags: its
 * include is wrapped in pragmas that silence the warnings it triggers, and
 * nothing else is.
 *
 * Usage: faust_{scalar,vec} EVENTS.txt OUT.wav. Exit 0, or 1 with a message. */
#include "anchor_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faust/gui/CInterface.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wfloat-conversion"
#include "faust_voice.h"
#pragma GCC diagnostic pop

enum { BLOCK = 512 };

typedef struct {
    FAUSTFLOAT *freq, *cutoff, *q;
} zones;

static void ui_box(void *ui, const char *label)
{
    (void)ui;
    (void)label;
}
static void ui_close(void *ui) { (void)ui; }
static void ui_button(void *ui, const char *label, FAUSTFLOAT *zone)
{
    (void)ui;
    (void)label;
    (void)zone;
}
static void ui_slider(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init, FAUSTFLOAT lo, FAUSTFLOAT hi,
                      FAUSTFLOAT step)
{
    zones *z = ui;
    (void)init;
    (void)lo;
    (void)hi;
    (void)step;
    if (!strcmp(label, "freq")) z->freq = zone;
    else if (!strcmp(label, "cutoff")) z->cutoff = zone;
    else if (!strcmp(label, "q")) z->q = zone;
}
static void ui_bargraph(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT lo, FAUSTFLOAT hi)
{
    (void)ui;
    (void)label;
    (void)zone;
    (void)lo;
    (void)hi;
}
static void ui_soundfile(void *ui, const char *label, const char *url, struct Soundfile **sf)
{
    (void)ui;
    (void)label;
    (void)url;
    (void)sf;
}
static void ui_declare(void *ui, FAUSTFLOAT *zone, const char *key, const char *value)
{
    (void)ui;
    (void)zone;
    (void)key;
    (void)value;
}

int main(int argc, char **argv)
{
    const char *prog = FAUST_ANCHOR_NAME;
    if (argc != 3) {
        fprintf(stderr, "usage: %s EVENTS.txt OUT.wav\n", prog);
        return 1;
    }
    anchor_score s;
    if (anchor_score_read(prog, argv[1], &s)) return 1;
    int64_t maxlen = 0;
    for (size_t i = 0; i < s.nv; i++)
        if (s.v[i].len > maxlen) maxlen = s.v[i].len;
    float *out = anchor_buffer(prog, s.frames), *raw = anchor_buffer(prog, maxlen);
    voice *dsp = newvoice();
    if (!out || !raw || !dsp) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    initvoice(dsp, s.sr);
    zones z = {NULL, NULL, NULL};
    UIGlue ui = {&z, ui_box, ui_box, ui_box, ui_close, ui_button, ui_button, ui_slider, ui_slider, ui_slider,
                 ui_bargraph, ui_bargraph, ui_soundfile, ui_declare};
    buildUserInterfacevoice(dsp, &ui);
    if (!z.freq || !z.cutoff || !z.q) {
        fprintf(stderr, "%s: the Faust voice lacks a freq, cutoff or q entry\n", prog);
        return 1;
    }
    *z.cutoff = (FAUSTFLOAT)s.cutoff;
    *z.q = (FAUSTFLOAT)s.q;
    for (size_t i = 0; i < s.nv; i++) {
        const anchor_voice *v = &s.v[i];
        instanceClearvoice(dsp);
        *z.freq = (FAUSTFLOAT)v->freq;
        for (int64_t k = 0; k < v->len; k += BLOCK) {
            int n = (int)(v->len - k < BLOCK ? v->len - k : BLOCK);
            FAUSTFLOAT *outs[1] = {raw + k};
            computevoice(dsp, n, NULL, outs);
        }
        anchor_mix(out, raw, v);
    }
    int rc = anchor_wav_write(prog, argv[2], out, s.frames, s.sr) ? 1 : 0;
    deletevoice(dsp);
    free(raw);
    free(out);
    anchor_score_free(&s);
    return rc;
}
