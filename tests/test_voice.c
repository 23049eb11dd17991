/* test_voice.c - mixing voices into a window (core/bb_voice.c): bb_trig_fill,
 * which writes a window buffer without zeroing it first, gives the bits of
 * zeroing it and adding the voices (bb_trig_mix), for voices that overlap,
 * leave gaps, start before or end after the range, have no data, read a
 * sample at another rate, and carry a -0 (0 + -0 is +0), in both orders and
 * over every cut of the window into ranges. */
#include "bb_testutil.h"
#include "bb_voice.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

TestSuite(voice, .init = tu_watchdog);

enum { SRC = 400, WIN = 256, NV = 7 };

static float src[NV][SRC];

/* A voice sounding [onset, onset + len) with a ramp of env samples. */
static bb_voice make_voice(int i, int64_t onset, int64_t len, int32_t env, float gain, double rate)
{
    bb_voice v;
    memset(&v, 0, sizeof v);
    v.onset = onset;
    v.len = len;
    v.env = env;
    v.rel_at = len - env;
    v.end = onset + len;
    v.rel_level = 1.0f;
    v.gain = gain;
    v.rate = rate;
    v.is_bus = rate == 1.0;
    v.data = src[i];
    v.frames = SRC;
    return v;
}

/* Voices in onset order: overlaps, a gap (no voice on [150, 170)), one from
 * before the window, one past its end, one without data, a resampled one, and
 * a source whose samples are -0; none on [240, 256). */
static void make_trig(bb_trig *t, bb_voice *v)
{
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < SRC; j++) src[i][j] = sinf((float)(j * (i + 1)) * 0.01f) * (float)(i + 1);
    for (int j = 0; j < SRC; j++) src[3][j] = -0.0f;
    v[0] = make_voice(0, -100, 180, 10, 0.5f, 1.0);
    v[1] = make_voice(1, 20, 60, 8, 0.25f, 1.0);
    v[2] = make_voice(2, 40, 110, 12, 0.7f, 0.75);
    v[3] = make_voice(3, 170, 40, 4, 1.0f, 1.0); /* -0 only: the fill must write +0 as the add does */
    v[4] = make_voice(4, 180, 30, 5, 0.3f, 1.0);
    v[4].data = NULL;
    v[5] = make_voice(5, 200, 40, 6, 0.9f, 1.0);
    v[6] = make_voice(6, 230, 10, 2, 0.1f, 1.0);
    memset(t, 0, sizeof *t);
    t->v = v;
    t->nv = NV;
}

static void check_cut(const bb_trig *t, int64_t k0, int64_t cut, int64_t k1, bool reverse)
{
    float want[WIN], got[WIN];
    memset(want, 0, sizeof want);
    bb_trig_mix(t, k0, k1, want, reverse);
    for (int i = 0; i < WIN; i++) got[i] = NAN; /* what was there must not count */
    bb_trig_fill(t, k0, cut, got, reverse);
    bb_trig_fill(t, cut, k1, got + (cut - k0), reverse);
    cr_assert(memcmp(want, got, (size_t)(k1 - k0) * sizeof *got) == 0, "window [%lld, %lld) cut at %lld, %s",
              (long long)k0, (long long)k1, (long long)cut, reverse ? "reverse" : "in order");
}

Test(voice, fill_gives_the_bits_of_zeroing_and_mixing)
{
    bb_trig t;
    bb_voice v[NV];
    make_trig(&t, v);
    for (int rev = 0; rev < 2; rev++)
        for (int64_t cut = 0; cut <= WIN; cut += 7) check_cut(&t, 0, cut, WIN, rev);
    float out[WIN];
    bb_trig_fill(&t, 0, WIN, out, false);
    cr_assert(!signbit(out[175]) && out[175] == 0.0f, "a -0 voice alone gives +0, as 0 + -0 does");
    cr_assert(out[160] == 0.0f, "the gap is zeroed");
    cr_assert(out[250] == 0.0f, "past the last voice is zeroed");
}

Test(voice, fill_of_a_window_with_no_voice_is_zero)
{
    bb_trig t;
    memset(&t, 0, sizeof t);
    float out[16];
    for (int i = 0; i < 16; i++) out[i] = NAN;
    bb_trig_fill(&t, 1000, 1016, out, false);
    for (int i = 0; i < 16; i++) cr_assert(out[i] == 0.0f && !signbit(out[i]), "sample %d", i);
}
