/* test_limits.c - every named limit, end to end: at the limit it works, one
 * step beyond it is a clear BB_ERR_LIMIT (or a bad option) naming the number,
 * never a hang, a crash or memory without bound.
 *
 * The limits are the constants of the core's headers: pattern nesting
 * (BB_PAT_DEPTH_MAX), expression nesting (BB_PH_DEPTH_MAX), events per cycle
 * (BB_PAT_QUERY_EVENTS_MAX: the render queries a trigger pattern a cycle at a
 * time), steps, factors, Euclid arguments and stut counts, pattern and
 * program sizes (BB_PAT_SRC_MAX, BB_PH_SRC_MAX, BB_PH_LINE_MAX), statements,
 * buses and graph nodes, render length (BB_RENDER_SECONDS_MAX), block size and
 * reloads; and the two render limits that clamp instead of failing, because a
 * live engine must keep playing: --max-voices (the oldest voice of a trigger
 * pattern is dropped, counted) and --max-bus-seconds (a longer bus voice is cut,
 * counted). Programs go through bb_run, the path of `busbench render`; the
 * options through bb_run_cfg_option, the parser of its command line. Each
 * check that runs a large input also bounds its time and its peak heap. */
#include "bb_alloc.h"
#include "bb_run.h"
#include "bb_testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TestSuite(limits, .timeout = 300);

/* ---- helpers ---------------------------------------------------------------------------------- */

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void __attribute__((format(printf, 2, 3))) add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        cr_assert(k >= 0);
        if (t->s && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        t->cap = (t->cap + (size_t)k + 1) * 2;
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
}

static void rep(text *t, const char *s, int n)
{
    for (int i = 0; i < n; i++) add(t, "%s", s);
}

typedef struct outcome {
    bb_result res;
    char msg[1024];
    bb_stats st;
    size_t frames;
    int64_t peak; /* heap high-water mark of the run, bytes */
} outcome;

/* Render src (a .ph program) as `busbench render` does, with extra options. */
static void __attribute__((sentinel)) render(const char *src, outcome *o, ...)
{
    char path[] = "/tmp/bblimit-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    size_t n = strlen(src);
    cr_assert_eq(write(fd, src, n), (ssize_t)n);
    close(fd);
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    c.program = path;
    c.cycles = bb_rat_int(1);
    c.threads = 1;
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, o);
    for (const char *a; (a = va_arg(ap, const char *));) argv[argc++] = (char *)a;
    va_end(ap);
    bb_error err;
    bb_error_clear(&err);
    for (int i = 0; i < argc;) cr_assert_eq(bb_run_cfg_option(&c, argc, argv, &i, &err), 1, "option %s", argv[i]);
    memset(o, 0, sizeof *o);
    bb_alloc_peak_reset();
    int64_t live0 = bb_alloc_snapshot().live;
    bb_run_out out;
    o->res = bb_run(&c, NULL, false, false, &out, &err);
    o->peak = bb_alloc_snapshot().peak - live0;
    o->st = out.stats;
    o->frames = (size_t)out.stats.frames;
    bb_run_out_free(&out);
    if (o->res) bb_error_format(&err, o->msg, sizeof o->msg);
    unlink(path);
}

/* Parse and compile src; the error formatted into msg. */
static bb_result compile(const char *src, size_t n, char *msg, size_t cap)
{
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 8000.0), BB_OK);
    bb_error err;
    bb_error_clear(&err);
    bb_ph *ph;
    bb_result r = bb_ph_parse(src, n, "limit.ph", &ph, &err);
    if (!r) {
        bb_prog_opts o = {.sr = 8000, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
        bb_prog *p;
        r = bb_prog_compile(ph, &o, &p, &err);
        if (!r) bb_prog_free(p);
    }
    bb_kit_destroy(kit);
    bb_error_format(&err, msg, cap);
    return r;
}

/* Parse a mini-notation pattern and list its onsets in [0, cycles). */
static bb_result pattern(const char *src, int64_t cycles, size_t *events, char *msg, size_t cap)
{
    bb_arena own, scratch;
    bb_arena_init(&own);
    bb_arena_init(&scratch);
    bb_haps h;
    bb_haps_init(&h);
    bb_error err;
    bb_error_clear(&err);
    bb_pat *p;
    bb_result r = bb_mini_parse(&own, src, strlen(src), "<pattern>", 1, 1, &p, &err);
    if (!r) r = bb_pat_query_onsets(p, bb_rat_int(0), bb_rat_int(cycles), &scratch, &h);
    if (events) *events = h.n;
    bb_error_format(&err, msg, cap);
    bb_haps_free(&h);
    bb_arena_free(&scratch);
    bb_arena_free(&own);
    return r;
}

/* at: the source at the limit must pass; over: one beyond must be BB_ERR_LIMIT
 * whose message holds `needle`. */
static void at_and_over(const char *what, bb_result at, const char *at_msg, bb_result over, const char *over_msg,
                        const char *needle)
{
    cr_expect_eq(at, BB_OK, "%s at the limit: %s (%s)", what, bb_result_str(at), at_msg);
    cr_expect_eq(over, BB_ERR_LIMIT, "%s beyond the limit: %s (%s)", what, bb_result_str(over), over_msg);
    cr_expect(strstr(over_msg, needle) != NULL, "%s: the message lacks '%s': %s", what, needle, over_msg);
}

/* ---- patterns --------------------------------------------------------------------------------- */

Test(limits, pattern_depth)
{
    char m1[512], m2[512];
    text a = {0}, b = {0};
    rep(&a, "[", BB_PAT_DEPTH_MAX), add(&a, "x"), rep(&a, "]", BB_PAT_DEPTH_MAX);
    rep(&b, "[", BB_PAT_DEPTH_MAX + 1), add(&b, "x"), rep(&b, "]", BB_PAT_DEPTH_MAX + 1);
    size_t n;
    bb_result ra = pattern(a.s, 1, &n, m1, sizeof m1), rb = pattern(b.s, 1, NULL, m2, sizeof m2);
    at_and_over("bracket nesting", ra, m1, rb, m2, "nested at most 64 deep");
    cr_expect_eq(n, 1);
    /* the same through a program */
    text p = {0};
    add(&p, "out: s \""), rep(&p, "<", BB_PAT_DEPTH_MAX + 1), add(&p, "bd"), rep(&p, ">", BB_PAT_DEPTH_MAX + 1), add(&p, "\"\n");
    outcome o;
    render(p.s, &o, NULL);
    cr_expect_eq(o.res, BB_ERR_LIMIT, "%s", o.msg);
    cr_expect(strstr(o.msg, ":1:") && strstr(o.msg, "nested at most 64 deep"), "%s", o.msg);
    free(a.s), free(b.s), free(p.s);
}

Test(limits, pattern_size_steps_factors_euclid)
{
    char m1[512], m2[512];
    text a = {0}, b = {0};
    rep(&a, "x", BB_PAT_SRC_MAX);
    rep(&b, "x", BB_PAT_SRC_MAX + 1);
    at_and_over("pattern size", pattern(a.s, 1, NULL, m1, sizeof m1), m1, pattern(b.s, 1, NULL, m2, sizeof m2), m2,
                "at most 65536 bytes");
    char s1[64], s2[64];
    snprintf(s1, sizeof s1, "x!%d", BB_PAT_STEPS_MAX);
    snprintf(s2, sizeof s2, "x!%d", BB_PAT_STEPS_MAX + 1);
    size_t n;
    at_and_over("steps", pattern(s1, 1, &n, m1, sizeof m1), m1, pattern(s2, 1, NULL, m2, sizeof m2), m2,
                "at most 65536 steps in one pattern");
    cr_expect_eq(n, (size_t)BB_PAT_STEPS_MAX);
    snprintf(s1, sizeof s1, "x*%d", BB_PAT_FACTOR_MAX);
    snprintf(s2, sizeof s2, "x*%d", BB_PAT_FACTOR_MAX + 1);
    at_and_over("factor", pattern(s1, 0, NULL, m1, sizeof m1), m1, pattern(s2, 0, NULL, m2, sizeof m2), m2,
                "at most 1048576");
    /* a patterned factor beyond the limit fails when queried */
    snprintf(s2, sizeof s2, "x*<1 %d>", BB_PAT_FACTOR_MAX + 1);
    cr_expect_eq(pattern(s2, 2, NULL, m2, sizeof m2), BB_ERR_LIMIT);
    snprintf(s1, sizeof s1, "x(3,%d)", BB_PAT_EUCLID_MAX);
    snprintf(s2, sizeof s2, "x(3,%d)", BB_PAT_EUCLID_MAX + 1);
    at_and_over("euclid steps", pattern(s1, 1, &n, m1, sizeof m1), m1, pattern(s2, 1, NULL, m2, sizeof m2), m2,
                "at most 4096");
    cr_expect_eq(n, 3);
    /* a patterned Euclid argument beyond the limit fails when queried */
    snprintf(s2, sizeof s2, "x(3,<8 %d>)", BB_PAT_EUCLID_MAX + 1);
    cr_expect_eq(pattern(s2, 2, NULL, m2, sizeof m2), BB_ERR_LIMIT);
    free(a.s), free(b.s);
}

/* The render queries a trigger pattern one cycle at a time: a cycle with more
 * than BB_PAT_QUERY_EVENTS_MAX events is an error, in bounded time and memory. */
Test(limits, events_per_cycle)
{
    char m[512];
    size_t n;
    /* exactly the limit: 1024 x 1024 */
    cr_expect_eq(pattern("[x*1024]*1024", 1, &n, m, sizeof m), BB_OK, "%s", m);
    cr_expect_eq(n, (size_t)BB_PAT_QUERY_EVENTS_MAX);
    cr_expect_eq(pattern("[x*1024]*1025", 1, NULL, m, sizeof m), BB_ERR_LIMIT);
    outcome o;
    render("bpm: 120\nout: s \"[bd*1024]*1025\"\n", &o, "--sr", "8000", NULL);
    cr_expect_eq(o.res, BB_ERR_LIMIT, "%s", o.msg);
    cr_expect(strstr(o.msg, ":2:6:") && strstr(o.msg, "BB_PAT_QUERY_EVENTS_MAX (1048576) events in one cycle"), "%s",
              o.msg);
    cr_expect_lt(o.peak, (int64_t)1 << 30, "the refusal peaked at %lld bytes of heap", (long long)o.peak);
}

Test(limits, stut_count)
{
    char m1[512], m2[512];
    const char *a = "out: s \"bd\" $ stut 256 0.001 0.9\n", *b = "out: s \"bd\" $ stut 257 0.001 0.9\n";
    at_and_over("stut", compile(a, strlen(a), m1, sizeof m1), m1, compile(b, strlen(b), m2, sizeof m2), m2,
                "1..256 (BB_PAT_STUT_MAX)");
}

/* ---- programs ----------------------------------------------------------------------------------- */

Test(limits, expression_depth)
{
    char m1[512], m2[512];
    /* the statement is one level; each '(' another */
    text a = {0}, b = {0};
    add(&a, "out: "), rep(&a, "(", BB_PH_DEPTH_MAX - 1), add(&a, "sine"), rep(&a, ")", BB_PH_DEPTH_MAX - 1), add(&a, "\n");
    add(&b, "out: "), rep(&b, "(", BB_PH_DEPTH_MAX), add(&b, "sine"), rep(&b, ")", BB_PH_DEPTH_MAX), add(&b, "\n");
    at_and_over("parentheses", compile(a.s, a.n, m1, sizeof m1), m1, compile(b.s, b.n, m2, sizeof m2), m2,
                "nested deeper than 64 levels");
    /* '$' nests to the right */
    text c = {0};
    add(&c, "out: \"1\""), rep(&c, " $ fast 1", BB_PH_DEPTH_MAX + 1), add(&c, "\n");
    cr_expect_eq(compile(c.s, c.n, m2, sizeof m2), BB_ERR_LIMIT, "%s", m2);
    free(a.s), free(b.s), free(c.s);
}

Test(limits, program_size_and_line_length)
{
    char m1[512], m2[512];
    text a = {0}, b = {0};
    /* a program of exactly BB_PH_SRC_MAX bytes: comment lines, then one output */
    const char *tail = "out: sine\n";
    while (a.n + 63 + 13 <= BB_PH_SRC_MAX) add(&a, "-- %59s\n", "padding"); /* leaves 13..75 bytes */
    rep(&a, "-", (int)(BB_PH_SRC_MAX - a.n - strlen(tail) - 1)), add(&a, "\n%s", tail);
    cr_assert_eq(a.n, (size_t)BB_PH_SRC_MAX);
    add(&b, "%s", a.s), add(&b, "\n");
    at_and_over("program size", compile(a.s, a.n, m1, sizeof m1), m1, compile(b.s, b.n, m2, sizeof m2), m2,
                "larger than 1048576 bytes");
    /* one line of exactly BB_PH_LINE_MAX bytes (a trailing comment) */
    text c = {0}, d = {0};
    add(&c, "out: sine --"), rep(&c, "x", BB_PH_LINE_MAX - 12), add(&c, "\n");
    add(&d, "out: sine --"), rep(&d, "x", BB_PH_LINE_MAX - 11), add(&d, "\n");
    at_and_over("line length", compile(c.s, c.n, m1, sizeof m1), m1, compile(d.s, d.n, m2, sizeof m2), m2,
                "line longer than 16384 bytes");
    free(a.s), free(b.s), free(c.s), free(d.s);
}

Test(limits, statements_buses_and_nodes)
{
    char m1[512], m2[512];
    text a = {0}, b = {0};
    for (int i = 0; i < BB_PH_STMTS_MAX; i++) add(&a, "o%d: sine\n", i + 1);
    for (int i = 0; i <= BB_PH_STMTS_MAX; i++) add(&b, "o%d: sine\n", i + 1);
    at_and_over("statements", compile(a.s, a.n, m1, sizeof m1), m1, compile(b.s, b.n, m2, sizeof m2), m2,
                "more than 1024 statements");
    text c = {0}, d = {0};
    for (int i = 0; i < BB_PROG_BUSES_MAX; i++) add(&c, "~b%d: sine %d\n", i, 100 + i);
    for (int i = 0; i <= BB_PROG_BUSES_MAX; i++) add(&d, "~b%d: sine %d\n", i, 100 + i);
    at_and_over("buses", compile(c.s, c.n, m1, sizeof m1), m1, compile(d.s, d.n, m2, sizeof m2), m2,
                "more than 256 buses");
    /* nodes: a bus of some 600 nodes (fewer than 4096) used 10 times: inlined, more than 4096 */
    text e = {0};
    add(&e, "~a: saw"), rep(&e, " + saw", 200), add(&e, "\nout: ~a"), rep(&e, " + ~a", 9), add(&e, "\n");
    cr_expect_eq(compile(e.s, e.n, m2, sizeof m2), BB_ERR_LIMIT, "%s", m2);
    cr_expect(strstr(m2, "graph larger than 4096 nodes"), "%s", m2);
    /* a chain of 256 buses, each using the next: deep inlining, no stack trouble */
    text f = {0};
    for (int i = 0; i < BB_PROG_BUSES_MAX - 1; i++) add(&f, "~b%d: ~b%d\n", i, i + 1);
    add(&f, "~b%d: sine 220\nout: ~b0\n", BB_PROG_BUSES_MAX - 1);
    cr_expect_eq(compile(f.s, f.n, m1, sizeof m1), BB_OK, "%s", m1);
    free(a.s), free(b.s), free(c.s), free(d.s), free(e.s), free(f.s);
}

/* ---- the render ----------------------------------------------------------------------------------- */

/* The option opt takes max and refuses max + 1 (err says why). */
static void option_at_and_over(const char *opt, int max, bb_error *err)
{
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    char at[32], over[32];
    snprintf(at, sizeof at, "%d", max);
    snprintf(over, sizeof over, "%d", max + 1);
    char *a1[] = {(char *)opt, at}, *a2[] = {(char *)opt, over};
    int i = 0;
    cr_expect_eq(bb_run_cfg_option(&c, 2, a1, &i, err), 1, "%s %s", opt, at);
    i = 0;
    cr_expect_eq(bb_run_cfg_option(&c, 2, a2, &i, err), -1, "%s %s", opt, over);
}

Test(limits, render_length)
{
    bb_error err;
    option_at_and_over("--seconds", BB_RENDER_SECONDS_MAX, &err);
    cr_expect(strstr(err.msg, "at most 24 hours"), "%s", err.msg);
    /* in cycles: the length is known only with the tempo, and checked when the render opens */
    outcome o;
    render("bpm: 120\nout: sine\n", &o, "--cycles", "43201", NULL); /* 2 s a cycle: 24 h + 2 s */
    cr_expect_eq(o.res, BB_ERR_LIMIT, "%s", o.msg);
    cr_expect(strstr(o.msg, "--cycles") && strstr(o.msg, "24 hours"), "%s", o.msg);
}

Test(limits, block_size_and_reloads)
{
    bb_error err;
    option_at_and_over("--block", BB_RENDER_BLOCK_MAX, &err);
    char max[32];
    snprintf(max, sizeof max, "%d", BB_RENDER_BLOCK_MAX);
    /* a render with the largest block works */
    outcome o;
    render("out: s \"bd sn\"\n", &o, "--block", max, NULL);
    cr_expect_eq(o.res, BB_OK, "%s", o.msg);
    /* reloads: BB_RENDER_RELOADS_MAX are accepted, one more is refused */
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    for (int k = 0; k <= BB_RENDER_RELOADS_MAX; k++) {
        char v[32];
        snprintf(v, sizeof v, "%d:x.ph", k + 1);
        char *a[] = {"--reload-at", v};
        int i = 0;
        int got = bb_run_cfg_option(&c, 2, a, &i, &err);
        cr_expect_eq(got, k < BB_RENDER_RELOADS_MAX ? 1 : -1, "reload %d", k + 1);
    }
}

/* --max-voices clamps, never fails: at most N voices of a trigger pattern sound
 * at once, the oldest are dropped and counted. */
Test(limits, max_voices_drops_the_oldest_and_counts)
{
    /* 16 kicks a cycle, each a 4-tone chord, each sounding to its natural end:
       dozens of voices at once */
    const char *src = "bpm: 240\nout: s \"bd*16\" # note \"c'min7\"\n";
    outcome all, four;
    render(src, &all, "--cycles", "2", NULL);
    render(src, &four, "--cycles", "2", "--max-voices", "4", NULL);
    cr_assert_eq(all.res, BB_OK, "%s", all.msg);
    cr_assert_eq(four.res, BB_OK, "%s", four.msg);
    cr_expect_eq(all.st.voices_dropped, 0);
    cr_expect_gt(four.st.voices_dropped, 0, "no voice was dropped");
    cr_expect_eq(all.st.voices, four.st.voices, "every voice is started, dropped ones too");
    /* the option's range */
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    bb_error err;
    char *a[] = {"--max-voices", "65537"};
    int i = 0;
    cr_expect_eq(bb_run_cfg_option(&c, 2, a, &i, &err), -1);
}

/* A voice dropped by the limit is not cut off (a click): it falls from its level
 * to 0 over the release ramp while the new voice rises, under every strategy. */
Test(limits, max_voices_releases_the_dropped_voice_over_a_ramp)
{
    /* ~one is 1.0 throughout; the second voice starts half a cycle into the first */
    const char *src = "bpm: 120\n~one: sine 0 + 1\nout: s \"[~one, ~ ~one]\"\n";
    const char *const strategies[] = {"serial", "parallel", "cycle", "all"};
    const size_t c = 44100, a = 88; /* the second onset; round(0.002 * 44100) */
    for (size_t s = 0; s < sizeof strategies / sizeof strategies[0]; s++) {
        tu_cfg cfg = {.strategy = strategies[s], .threads = 2, .cycles = 1, .max_voices = 1};
        tu_out o;
        tu_render(src, &cfg, &o);
        cr_assert_eq(o.res, BB_OK, "%s: %s", strategies[s], o.msg);
        cr_assert_eq(o.st.voices_dropped, 1, "%s", strategies[s]);
        cr_assert_eq(o.n, (size_t)88200);
        cr_expect(o.x[c - 1] == 1.0f, "%s: the first voice is held until the second onset", strategies[s]);
        for (size_t j = 0; j < a; j++) {
            const float old = (float)(a - j) / (float)a, rise = (float)j / (float)a;
            cr_expect(o.x[c + j] == old + rise, "%s: sample %zu: %.9g, want %.9g + %.9g", strategies[s], c + j,
                      (double)o.x[c + j], (double)old, (double)rise);
        }
        cr_expect(o.x[c + a] == 1.0f, "%s: the dropped voice has ended", strategies[s]);
        tu_free(&o);
    }
}

/* --max-bus-seconds clamps a long bus voice, counted; the synthesis is bounded. */
Test(limits, max_bus_seconds_clamps_and_counts)
{
    /* one 16-second bus voice (a quarter of the tempo) every 4 cycles */
    const char *src = "bpm: 120\n~x: saw 110\nout: s \"~x/8\"\n";
    outcome dflt, one;
    render(src, &dflt, "--cycles", "8", "--sr", "8000", NULL);
    render(src, &one, "--cycles", "8", "--sr", "8000", "--max-bus-seconds", "1", NULL);
    cr_assert_eq(dflt.res, BB_OK, "%s", dflt.msg);
    cr_assert_eq(one.res, BB_OK, "%s", one.msg);
    cr_expect_eq(dflt.st.clamps, 1, "the 16 s voice is clamped to the default 10 s");
    cr_expect_eq(dflt.st.synth_samples, (uint64_t)(10 * 8000));
    cr_expect_eq(one.st.clamps, 1);
    cr_expect_eq(one.st.synth_samples, (uint64_t)8000, "a 1 s bus voice synthesises 1 s");
    cr_expect_eq(one.frames, dflt.frames);
}

/* Values from patterns that reach integer conversions are clamped and counted, never undefined
 * (the sanitizer builds check float-cast-overflow): a sample index beyond int, a sample pitched
 * so far down that it would last for hours (or for ever, at rate 0). */
Test(limits, extreme_control_values_clamp_and_count)
{
    outcome big_n, deep, deeper;
    render("out: s \"bd\" # n \"3900000000\"\n", &big_n, "--cycles", "1", "--sr", "8000", NULL);
    render("out: s \"bd\" # note \"-400\"\n", &deep, "--cycles", "1", "--sr", "8000", "--max-bus-seconds", "1", NULL);
    render("out: s \"bd\" # note \"-100000000000000000000000000000\"\n", &deeper, "--cycles", "1", "--sr", "8000",
           "--max-bus-seconds", "1", NULL);
    cr_assert_eq(big_n.res, BB_OK, "%s", big_n.msg);
    cr_assert_eq(deep.res, BB_OK, "%s", deep.msg);
    cr_assert_eq(deeper.res, BB_OK, "%s", deeper.msg);
    cr_expect_eq(big_n.st.clamps, 1, "n 3900000000 is clamped to INT_MAX, once");
    cr_expect_eq(big_n.st.voices, 1);
    cr_expect_eq(deep.st.clamps, 1, "a bd 400 semitones down would last about 2^33 times its length");
    cr_expect_eq(deeper.st.clamps, 1, "a rate of 0 would last for ever");
    cr_expect_eq(deeper.st.voices, 1);
}

/* ---- one hour of q.ph ---------------------------------------------------------------------------- */

static void no_release(void *ctx, bb_busbuf *b)
{
    (void)ctx, (void)b;
}

/* Steps of a Euclid pattern in its first cycle, as k of k/17 (checked to be on the 1/17 grid). */
static int steps17(const char *src, int64_t *k, int max)
{
    bb_arena own, scratch;
    bb_arena_init(&own);
    bb_arena_init(&scratch);
    bb_haps h;
    bb_haps_init(&h);
    bb_pat *p;
    bb_error err;
    cr_assert_eq(bb_mini_parse(&own, src, strlen(src), "<t>", 1, 1, &p, &err), BB_OK);
    cr_assert_eq(bb_pat_query_onsets(p, bb_rat_int(0), bb_rat_int(1), &scratch, &h), BB_OK);
    int n = 0;
    for (size_t i = 0; i < h.n && n < max; i++) {
        bb_rat b = h.v[i].whole_b;
        cr_assert(17 % b.den == 0, "onset %lld/%lld is off the 1/17 grid", (long long)b.num, (long long)b.den);
        k[n++] = b.num * (17 / b.den);
    }
    bb_haps_free(&h);
    bb_arena_free(&scratch);
    bb_arena_free(&own);
    return n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One hour of golden/q.ph (1800 cycles at 120 bpm, 44.1 kHz: 88200 samples a
 * cycle, exactly): every cycle of each of its three trigger patterns creates
 * exactly the voices it should, each on exactly its sample, computed here
 * independently in integers: o1 s "~x(7,17)" $ stut 3 0.25 0.1 with 4-tone
 * chords is 7 x 3 x 4 = 84 bus voices a cycle (the echoes of the previous
 * cycle's late events included), at gains 0.5, 0.05 and 0.005; o2 "bd(4,17)"
 * and o3 "808lt(4,17,2)" are 4 sample voices a cycle. Schedule only: no audio. */
Test(limits, one_hour_of_q_keeps_every_trigger_on_its_sample)
{
    size_t n;
    FILE *f = fopen("golden/q.ph", "rb");
    cr_assert_not_null(f, "golden/q.ph: run the tests from the repository root");
    char src[4096];
    n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[n] = '\0';
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    bb_error err;
    bb_ph *ph;
    cr_assert_eq(bb_ph_parse(src, n, "q.ph", &ph, &err), BB_OK, "%s", err.msg);
    bb_prog_opts po = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
    bb_prog *p;
    cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(p->main.ntrigs, 3, "q.ph has three trigger patterns");
    const int64_t spc = 88200, cycles = 1800;
    int64_t k7[17], k4[17], k4r[17];
    cr_assert_eq(steps17("x(7,17)", k7, 17), 7);
    cr_assert_eq(steps17("x(4,17)", k4, 17), 4);
    cr_assert_eq(steps17("x(4,17,2)", k4r, 17), 4);
    bb_limits lim = {65536, 10.0};
    bb_trig t[3];
    for (int i = 0; i < 3; i++) cr_assert_eq(bb_trig_init(&t[i], p, &p->main.trigs[i], &lim), BB_OK);
    bb_pendlist pend = {0};
    int64_t got[256], want[256];
    for (int64_t c = 0; c < cycles; c++) {
        const int64_t a = spc * c, b = spc * (c + 1);
        cr_assert_eq(bb_prog_idx(p, bb_rat_int(c)), a, "cycle %lld does not start at sample %lld", (long long)c,
                     (long long)a);
        for (int i = 0; i < 3; i++) {
            size_t nv0 = t[i].nv;
            pend.n = 0;
            cr_assert_eq(bb_trig_schedule(&t[i], NULL, a, b, &pend), BB_OK, "cycle %lld, trigger %d", (long long)c, i);
            size_t nn = t[i].nv - nv0;
            int nw = 0;
            if (i == 0) {
                /* the originals and the echoes of this cycle's and the previous cycle's events */
                for (int64_t cc = c - 1; cc <= c; cc++)
                    for (int s = 0; s < 7; s++)
                        for (int j = 0; j < 3; j++) {
                            int64_t o = spc * cc + (spc * k7[s] + 16) / 17 + j * (spc / 4);
                            if (o >= a && o < b)
                                for (int tone = 0; tone < 4; tone++) want[nw++] = o;
                        }
            } else {
                const int64_t *k = i == 1 ? k4 : k4r;
                for (int s = 0; s < 4; s++) want[nw++] = a + (spc * k[s] + 16) / 17;
            }
            cr_assert_eq(nn, (size_t)(i == 0 ? 84 : 4), "cycle %lld, trigger %d: %zu voices", (long long)c, i, nn);
            cr_assert_eq(nn, (size_t)nw, "cycle %lld, trigger %d: %zu voices, expected %d", (long long)c, i, nn, nw);
            cr_assert_eq(pend.n, i == 0 ? nn : 0, "bus requests of trigger %d", i);
            int g[3] = {0, 0, 0};
            for (size_t v = 0; v < nn; v++) {
                const bb_voice *vo = &t[i].v[nv0 + v];
                got[v] = vo->onset;
                if (i == 0) {
                    cr_assert(vo->is_bus);
                    g[0] += vo->gain == 0.5f, g[1] += fabsf(vo->gain - 0.05f) < 1e-7f, g[2] += fabsf(vo->gain - 0.005f) < 1e-8f;
                }
            }
            qsort(got, nn, sizeof *got, cmp_i64);
            qsort(want, (size_t)nw, sizeof *want, cmp_i64);
            for (size_t v = 0; v < nn; v++)
                cr_assert_eq(got[v], want[v], "cycle %lld, trigger %d: voice %zu at sample %lld, expected %lld",
                             (long long)c, i, v, (long long)got[v], (long long)want[v]);
            if (i == 0) cr_assert(g[0] == 28 && g[1] == 28 && g[2] == 28, "cycle %lld: stut gains %d %d %d", (long long)c, g[0], g[1], g[2]);
            bb_trig_retire(&t[i], b, no_release, NULL);
        }
    }
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(t[i].count.dropped, 0);
        cr_expect_eq(t[i].count.voices, (uint64_t)cycles * (i == 0 ? 84 : 4));
        bb_trig_free(&t[i], no_release, NULL);
    }
    bb_free(pend.v);
    bb_prog_free(p);
    bb_kit_destroy(kit);
}

/* ---- fuzzing findings ----------------------------------------------------------------------------- */

/* Found by fuzz_mini: 15 and 17 bytes that ask for 10^8 events ("x*9999!9599") or
 * make none at all while visiting ~10^8 spans ("bf(0!9799,2)!9799": Euclid with 0
 * pulses, 9799 times, 9799 times). Both are refused by a limit: the second took
 * 10 s before the work limit was lowered to 16 steps an event (about 3 s now at
 * -O2). The test bounds their memory; a hang is the suite timeout's to catch,
 * since a timed assertion fails on a loaded machine (ASan under load: 59 s). */
Test(limits, patterns_that_ask_for_too_much_work_are_refused)
{
    static const char *const pats[] = {"bdimn*9999!9599", "bf(0!9799,2)!9799", "bf(0!9799 2 3 528~,2)!9799m7"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        char m[512];
        bb_alloc_peak_reset();
        int64_t live0 = bb_alloc_snapshot().live;
        bb_result r = pattern(pats[i], 1, NULL, m, sizeof m);
        int64_t peak = bb_alloc_snapshot().peak - live0;
        cr_expect_eq(r, BB_ERR_LIMIT, "\"%s\": %s", pats[i], bb_result_str(r));
        /* the work limit bounds memory too (time is the watchdog's: the suite's timeout) */
        cr_expect_lt(peak, (int64_t)512 << 20, "\"%s\" peaked at %lld bytes to refuse", pats[i], (long long)peak);
    }
}

/* Found by fuzz_mini: the step limit was per sequence, so 200 sequences of
 * 65000 replicated steps (2 KB of text) took 13 s and 3.5 GB to parse. The
 * limit is now for the whole pattern: refused at once, in little memory. */
Test(limits, steps_are_bounded_for_the_whole_pattern)
{
    text a = {0};
    for (int i = 0; i < 200; i++) add(&a, "[x!65000] ");
    char m[512];
    bb_alloc_peak_reset();
    int64_t live0 = bb_alloc_snapshot().live;
    bb_result r = pattern(a.s, 1, NULL, m, sizeof m);
    int64_t peak = bb_alloc_snapshot().peak - live0;
    cr_expect_eq(r, BB_ERR_LIMIT, "%s", m);
    cr_expect(strstr(m, "at most 65536 steps in one pattern"), "%s", m);
    cr_expect_lt(peak, (int64_t)64 << 20, "peaked at %lld bytes", (long long)peak);
    /* two sequences that share the budget: 32767 + 32767 + the 2 steps of the outer one */
    cr_expect_eq(pattern("[x!32767] [y!32767]", 1, NULL, m, sizeof m), BB_OK, "%s", m);
    cr_expect_eq(pattern("[x!32767] [y!32768]", 1, NULL, m, sizeof m), BB_ERR_LIMIT, "%s", m);
    free(a.s);
}

/* Found by fuzz_mini (UBSan): a query with no onsets into a list that never held
 * anything did pointer arithmetic on NULL. It must simply return nothing. */
Test(limits, an_empty_query_into_a_fresh_list_is_fine)
{
    static const char *const pats[] = {"~", "", "x(0,8)", "~ ~ ~", "[]"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        char m[512];
        size_t n = 99;
        cr_expect_eq(pattern(pats[i], 4, &n, m, sizeof m), BB_OK, "\"%s\": %s", pats[i], m);
        cr_expect_eq(n, 0, "\"%s\"", pats[i]);
    }
}
