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

/* A stacked copy scheduled with the copy before it as its twin copies that
 * trigger's cycle of events (trigger, note, n and gain patterns) instead of
 * querying: the same voices, field for field, as a copy that queries alone,
 * over windows that cross cycle boundaries (q.ph's o1: stut echoes that reach
 * into the next cycle, chords), and the same requests when looking ahead. */
Test(voice, a_twin_copies_the_events_a_query_gives)
{
    static const char src_ph[] = "bpm: 120\n~x: saw 440 # lpf 800\n"
                                 "o1: s \"~x(7,17) bd*2\" $ stut 3 0.25 0.1 # note \"c4'min7 <f3 g3>\" # gain \"1 0.5\" # n \"<0 1>\"\n";
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    bb_error err;
    bb_ph *ph;
    cr_assert_eq(bb_ph_parse(src_ph, strlen(src_ph), "t.ph", &ph, &err), BB_OK, "%s", err.msg);
    bb_prog_opts po = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0, .stack = 2};
    bb_prog *p;
    cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(p->main.ntrigs, 2, "two stacked copies");
    bb_limits lim = {256, 10.0};
    bb_trig first, twin, alone;
    cr_assert_eq(bb_trig_init(&first, p, &p->main.trigs[0], &lim), BB_OK);
    cr_assert_eq(bb_trig_init(&twin, p, &p->main.trigs[1], &lim), BB_OK);
    cr_assert_eq(bb_trig_init(&alone, p, &p->main.trigs[1], &lim), BB_OK);
    bb_pendlist pend = {0};
    bb_reqlist la = {0}, lb = {0};
    size_t voices = 0;
    for (int64_t k = 0; k < 3 * 88200; k += 30000) {
        la.n = lb.n = 0;
        cr_assert_eq(bb_trig_enumerate(&first, NULL, k, k + 30000, &la), BB_OK);
        cr_assert_eq(bb_trig_enumerate(&twin, &first, k, k + 30000, &la), BB_OK);
        cr_assert_eq(bb_trig_enumerate(&alone, NULL, k, k + 30000, &lb), BB_OK);
        cr_expect_eq(la.n, 2 * lb.n, "window at %lld: the twin looks ahead at the same requests", (long long)k);
        cr_expect(lb.n == 0 || memcmp(la.v + lb.n, lb.v, lb.n * sizeof *lb.v) == 0, "window at %lld: requests", (long long)k);
        pend.n = 0;
        cr_assert_eq(bb_trig_schedule(&first, NULL, k, k + 30000, &pend), BB_OK);
        cr_assert_eq(bb_trig_schedule(&twin, &first, k, k + 30000, &pend), BB_OK);
        cr_assert_eq(bb_trig_schedule(&alone, NULL, k, k + 30000, &pend), BB_OK);
        cr_assert_eq(twin.nv, alone.nv, "window at %lld: %zu voices against %zu", (long long)k, twin.nv, alone.nv);
        for (size_t i = 0; i < twin.nv; i++)
            cr_assert(memcmp(&twin.v[i], &alone.v[i], sizeof twin.v[i]) == 0, "window at %lld: voice %zu differs",
                      (long long)k, i);
        voices += alone.nv;
    }
    cr_expect_gt(voices, 100, "the windows made voices");
    cr_expect_eq(twin.count.voices, alone.count.voices);
    bb_free(pend.v);
    bb_free(la.v);
    bb_free(lb.v);
    bb_trig_free(&first, NULL, NULL);
    bb_trig_free(&twin, NULL, NULL);
    bb_trig_free(&alone, NULL, NULL);
    bb_prog_free(p);
    bb_kit_destroy(kit);
}
