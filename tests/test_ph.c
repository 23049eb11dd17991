/* test_ph.c - the .ph language: valid programs parse and compile, malformed ones
 * are reported with file, line, column and what was expected. */
#include "bb_kit.h"
#include "bb_ph.h"
#include "bb_prog.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

/* Parse and compile src; returns the result with err filled. */
static bb_result build(const char *src, bb_error *err)
{
    bb_error_clear(err);
    bb_kit *kit;
    if (bb_kit_create(&kit, 44100.0)) return BB_ERR_NOMEM;
    bb_ph *ph;
    bb_result r = bb_ph_parse(src, strlen(src), "bad.ph", &ph, err);
    if (!r) {
        bb_prog_opts o = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
        bb_prog *p;
        r = bb_prog_compile(ph, &o, &p, err);
        if (!r) bb_prog_free(p);
    }
    bb_kit_destroy(kit);
    return r;
}

TestSuite(ph);

/* Parameters hold their strings by value: Criterion runs each test in a new
   process, where pointers into the parent's data would not be valid. */
typedef struct {
    char src[96];
    bb_result code;
    int line, col;
    char needle[40]; /* part of the message */
} bad_case;

ParameterizedTestParameters(ph, malformed_programs_are_reported)
{
    static bad_case cases[] = {
        {"~x: saw 440 # lpf (800\n", BB_ERR_PARSE, 1, 23, "to close"},
        {"out: s \"bd\n", BB_ERR_PARSE, 1, 8, "unclosed string"},
        {"bpm: 120\nout: foo 3\n", BB_ERR_SEMANTIC, 2, 6, "unknown function 'foo'"},
        {"out: ~nope\n", BB_ERR_SEMANTIC, 1, 6, "unknown bus '~nope'"},
        {"~a: ~a * 2\n", BB_ERR_SEMANTIC, 1, 1, "refers to itself"},
        {"~a: ~b\n~b: sine 3 + ~a\nout: ~a\n", BB_ERR_SEMANTIC, 1, 1, "cycle"},
        {"out: lpf 800\n", BB_ERR_SEMANTIC, 1, 6, "needs an input"},
        {"out: sine 1 2\n", BB_ERR_SEMANTIC, 1, 6, "takes 0 to 1 arguments"},
        {"bpm: 0\nout: sine\n", BB_ERR_PARSE, 1, 6, "tempo"},
        {"xyz: 3\n", BB_ERR_PARSE, 1, 1, "expected a statement"},
        {"out: saw 440 $ 3\n", BB_ERR_SEMANTIC, 1, 16, "on one side of '$'"},
        {"", BB_ERR_SEMANTIC, 0, 0, "empty program"},
        {"-- only a comment\n", BB_ERR_SEMANTIC, 0, 0, "empty program"},
        {"out: s \"bd [sn\"\n", BB_ERR_PARSE, 1, 0, ""},
        {"out: s \"nosuch\"\n", BB_ERR_SEMANTIC, 1, 8, "no such sample"},
        {"out: 3 +\n", BB_ERR_PARSE, 1, 9, "expected a number"},
        {"out: sine \xff\n", BB_ERR_PARSE, 1, 11, "byte 0xff"},
        {"out: s \"bd\" # delay 0 0.3\n", BB_ERR_SEMANTIC, 1, 21, "delay time"},
        {"out: s \"~x\"\n", BB_ERR_SEMANTIC, 1, 8, "no bus is defined"},
        {"~a: saw\n~a: sine\n", BB_ERR_SEMANTIC, 2, 1, "defined twice"},
        {"out: sine \"bd sn\"\n", BB_ERR_SEMANTIC, 1, 11, "numbers or notes"},
        {"out: sine 440 # note 3\n", BB_ERR_SEMANTIC, 1, 17, "applies to triggers"},
        {"out: 440hz\n", BB_ERR_PARSE, 1, 9, "after the number"},
        {"~: saw\n", BB_ERR_PARSE, 1, 1, "bus name"},
        {"out: s \"bd\" # note \"c4\" $ fast 2\n", BB_ERR_SEMANTIC, 1, 0, ""},
        /* each effect names its own arguments */
        {"out: s \"bd\" # reverb \"x\" 0.5\n", BB_ERR_SEMANTIC, 1, 22, "number for the room size"},
        {"out: s \"bd\" # delay 0.2 \"x\"\n", BB_ERR_SEMANTIC, 1, 25, "number for the feedback"},
        {"out: s \"bd\" # delay 0.2 0.995\n", BB_ERR_SEMANTIC, 1, 15, "the feedback in [0, 0.99]"},
        {"out: s \"bd\" # reverb 1.5 0.5\n", BB_ERR_SEMANTIC, 1, 15, "the room size in [0, 1]"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *c, ph, malformed_programs_are_reported)
{
    bb_error err;
    bb_result r = build(c->src, &err);
    char buf[800];
    bb_error_format(&err, buf, sizeof buf);
    cr_assert_eq(r, c->code, "program %s: expected %s, got %s (%s)", c->src, bb_result_str(c->code), bb_result_str(r), buf);
    if (c->line) cr_expect_eq(err.line, c->line, "line of '%s': %s", c->src, buf);
    if (c->col) cr_expect_eq(err.col, c->col, "column of '%s': %s", c->src, buf);
    cr_expect(strstr(err.msg, c->needle) != NULL, "message of '%s' lacks '%s': %s", c->src, c->needle, buf);
    cr_expect_str_eq(err.file, "bad.ph");
}

Test(ph, the_issue_programs_compile)
{
    static const char *const progs[] = {
        "bpm: 120\n~x: saw 440 # lpf (\"800 <300 500 200 999>\" $ fast \"<3 19 3 3 2 8 9>\")\n"
        "o1: s \"~x(7,17)\" $ stut 3 0.25 0.1 # note \"c4'min7 f3'min7\" # delay 0.334 0.3 # reverb 0.9 0.99\n"
        "o2: s \"bd(4,17)\"\no3: s \"808lt(4,17,2)\"\n",
        ("bpm: 120\n~synth $ saw # lpf 800\n~d1 $ s \"808bd(4,17)\" # n 3 # gain 1\n~d2 $ s \"808ht(4,17,<2 3 1 2>)\"\n"
         "~d3 $ s \"~synth(3,17,1)\" # note \"<c'min7 g'min7>\"\n"),
        "~kick: sine 55 + sine 54.8\nout: s \"~kick ~ ~kick ~\"\n",
        "~bass: saw 55 + saw 55.5\nout: s \"~bass ~bass ~bass*2 ~bass\"\n",
        "~lead: square 440 + saw 440 * 0.5\nout: s \"~lead*2\"\n",
        "~snare: square 200 + noise * 0.3\nout: s \"~ ~snare\"\n",
        "tempo: 0.5625\nout: fast 2 $ \"0 1\" # lpf 300\n",
        "cps: 1\n-- a comment\nout: sine (110 + sine 2 * 10) -- trailing\n   # lpf 2000 0.5\n",
    };
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        bb_error err;
        char buf[800];
        bb_result r = build(progs[i], &err);
        cr_expect_eq(r, BB_OK, "program %zu: %s", i, bb_error_format(&err, buf, sizeof buf));
    }
}

Test(ph, tempo_is_exact)
{
    bb_error err;
    bb_ph *ph;
    const char *src = "tempo: 0.5625\nout: sine\n";
    cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
    cr_expect_eq(ph->cps.num, 9);
    cr_expect_eq(ph->cps.den, 16);
    bb_ph_free(ph);
    src = "bpm: 135\nout: sine\n";
    cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
    cr_expect_eq(ph->cps.num, 9); /* 135/240 */
    cr_expect_eq(ph->cps.den, 16);
    bb_ph_free(ph);
}

Test(ph, auto_routing_sums_unreferenced_buses)
{
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    const char *src = "~synth $ saw # lpf 800\n~d1 $ s \"bd\"\n~d3 $ s \"~synth\"\n";
    bb_error err;
    bb_ph *ph;
    cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
    bb_prog_opts o = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
    bb_prog *p;
    cr_assert_eq(bb_prog_compile(ph, &o, &p, &err), BB_OK);
    /* ~synth is referenced by ~d3's pattern, so the output holds two trigger nodes */
    int trigs = 0;
    for (int32_t i = 0; i < p->main.nnodes; i++) trigs += p->main.nodes[i].kind == BB_N_TRIG;
    cr_expect_eq(trigs, 2);
    cr_expect(p->buses[0].code.is_static, "saw # lpf 800 is static");
    bb_prog_free(p);
    bb_kit_destroy(kit);
}
