/* test_mini.c - Criterion suite "mini": the mini-notation parser (bb_mini.c).
 *
 * One test per feature. Event lists are "BEGIN END VALUE" lines of the events
 * with an onset, joined by '|', worked out by hand from Tidal 1.9's semantics or
 * taken from Tidal's own tests (Sound.Tidal.ParseTest: Euclid, elongation, chord
 * modifiers). The values of '?' and '|' come from Tidal's generator
 * (timeToRand) evaluated by hand-transcribing its formula, independently of the
 * code under test. Errors must name the right column and say what was expected;
 * random inputs must never crash. */
#include <criterion/criterion.h>

#include "bb_pat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bb_arena own, scratch;
static bb_haps haps;

static void setup(void)
{
    bb_arena_init(&own);
    bb_arena_init(&scratch);
    bb_haps_init(&haps);
}

static void teardown(void)
{
    bb_haps_free(&haps);
    bb_arena_free(&scratch);
    bb_arena_free(&own);
}

TestSuite(mini, .init = setup, .fini = teardown);

static bb_pat *parse(const char *src)
{
    bb_pat *p = NULL;
    bb_error err;
    bb_error_clear(&err);
    bb_result r = bb_mini_parse(&own, src, strlen(src), "<test>", 1, 1, &p, &err);
    char buf[800];
    cr_assert(r == BB_OK, "parse of \"%s\" failed: %s", src, bb_error_format(&err, buf, sizeof buf));
    return p;
}

/* Onset events of src over cycles [from, to). */
static const char *ev_range(const char *src, int64_t from, int64_t to)
{
    static char out[16384];
    bb_pat *p = parse(src);
    bb_haps_clear(&haps);
    bb_arena_reset(&scratch);
    bb_result r = bb_pat_query_onsets(p, bb_rat_int(from), bb_rat_int(to), &scratch, &haps);
    cr_assert(r == BB_OK, "query of \"%s\" failed: %s", src, bb_result_str(r));
    out[0] = '\0';
    for (size_t i = 0; i < haps.n; i++) {
        char line[256];
        if (i) strncat(out, "|", sizeof out - strlen(out) - 1);
        strncat(out, bb_hap_fmt(&haps.v[i], line, sizeof line), sizeof out - strlen(out) - 1);
    }
    return out;
}

static const char *ev(const char *src, int64_t cycles) { return ev_range(src, 0, cycles); }

/* The onset positions (in steps of 1/n) of cycle c of src, as "0 3 6". */
static const char *hits(const char *src, int64_t c, int64_t n)
{
    static char out[1024];
    ev_range(src, c, c + 1);
    out[0] = '\0';
    for (size_t i = 0; i < haps.n; i++) {
        bb_rat pos = bb_rat_mul(bb_rat_sub(haps.v[i].whole_b, bb_rat_int(c)), bb_rat_int(n));
        cr_assert(pos.den == 1, "onset not on a 1/%lld grid", (long long)n);
        char b[24];
        snprintf(b, sizeof b, "%s%lld", i ? " " : "", (long long)pos.num);
        strncat(out, b, sizeof out - strlen(out) - 1);
    }
    return out;
}

/* The single value of a one-atom pattern. */
static bb_val val(const char *src)
{
    bb_pat *p = parse(src);
    bb_haps_clear(&haps);
    bb_arena_reset(&scratch);
    cr_assert(bb_pat_query(p, bb_rat_int(0), bb_rat_int(1), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 1, "\"%s\" gave %zu events", src, haps.n);
    return haps.v[0].val;
}

/* Parse src expecting failure with code and column (base line 1, base column 1). */
static void expect_error(const char *src, bb_result code, int col)
{
    bb_pat *p = NULL;
    bb_error err;
    bb_error_clear(&err);
    bb_result r = bb_mini_parse(&own, src, strlen(src), "<test>", 1, 1, &p, &err);
    char buf[800];
    cr_expect(r == code, "\"%s\": got %s, want %s (%s)", src, bb_result_str(r), bb_result_str(code),
              bb_error_format(&err, buf, sizeof buf));
    cr_expect(err.code == r && err.line == 1, "\"%s\": error record not filled", src);
    cr_expect(err.col == col, "\"%s\": column %d, want %d (%s)", src, err.col, col, bb_error_format(&err, buf, sizeof buf));
    cr_expect(strstr(err.msg, "expected") != NULL, "\"%s\": message does not say what was expected: %s", src, err.msg);
}

/* ---- sequences and structure -------------------------------------------------------- */

Test(mini, sequence_divides_the_cycle)
{
    cr_expect_str_eq(ev("bd sn hh", 1), "0 1/3 bd|1/3 2/3 sn|2/3 1 hh");
}

Test(mini, whitespace_around_and_between_steps_is_ignored)
{
    cr_expect_str_eq(ev("  bd \t sn\n ", 1), "0 1/2 bd|1/2 1 sn");
}

Test(mini, empty_pattern_is_silence)
{
    cr_expect_str_eq(ev("", 2), "");
    cr_expect_str_eq(ev("   ", 2), "");
    cr_expect_str_eq(ev("[]", 2), "");
}

Test(mini, tilde_is_a_rest)
{
    cr_expect_str_eq(ev("bd ~ sn", 1), "0 1/3 bd|2/3 1 sn");
    cr_expect_str_eq(ev("~", 2), "");
}

Test(mini, brackets_nest_subsequences)
{
    cr_expect_str_eq(ev("bd [sn [hh hh]]", 1), "0 1/2 bd|1/2 3/4 sn|3/4 7/8 hh|7/8 1 hh");
}

Test(mini, angle_brackets_alternate_one_step_per_cycle)
{
    cr_expect_str_eq(ev("<a b c>", 4), "0 1 a|1 2 b|2 3 c|3 4 a");
}

Test(mini, nested_alternation_gives_a_b_a_c)
{
    cr_expect_str_eq(ev("<a <b c>>", 4), "0 1 a|1 2 b|2 3 a|3 4 c");
}

Test(mini, alternation_inside_sequences_follows_the_absolute_cycle)
{
    cr_expect_str_eq(ev("x [y <a b>]", 2), "0 1/2 x|1/2 3/4 y|3/4 1 a|1 3/2 x|3/2 7/4 y|7/4 2 b");
    cr_expect_str_eq(ev("[[<a b c>]]", 3), "0 1 a|1 2 b|2 3 c");
}

Test(mini, alternation_with_weights_and_repeats)
{
    /* Tidal's test: "<a!3 b ! c@5>" is slow 10 "[a a a b b] c" */
    cr_expect_str_eq(ev("<a!3 b ! c@5>", 10), "0 1 a|1 2 a|2 3 a|3 4 b|4 5 b|5 10 c");
}

Test(mini, alternation_with_several_sequences_stacks_them)
{
    cr_expect_str_eq(ev("<a b, c d e>", 3), "0 1 a|0 1 c|1 2 b|1 2 d|2 3 a|2 3 e");
}

Test(mini, star_speeds_up_by_an_integer)
{
    cr_expect_str_eq(ev("bd*2 sn", 1), "0 1/4 bd|1/4 1/2 bd|1/2 1 sn");
}

Test(mini, slash_slows_down_by_an_integer)
{
    cr_expect_str_eq(ev("bd/2", 4), "0 2 bd|2 4 bd");
}

Test(mini, slowed_step_plays_every_other_cycle)
{
    /* "a b/2": b's one event per two cycles lands in cycle 0 (Tidal's compressArc) */
    cr_expect_str_eq(ev("a b/2", 2), "0 1/2 a|1/2 3/2 b|1 3/2 a");
}

Test(mini, star_by_a_decimal)
{
    cr_expect_str_eq(ev("bd*1.5", 2), "0 2/3 bd|2/3 4/3 bd|4/3 2 bd");
}

Test(mini, slash_by_a_decimal)
{
    cr_expect_str_eq(ev("bd/1.5", 3), "0 3/2 bd|3/2 3 bd");
}

Test(mini, star_by_a_fraction)
{
    cr_expect_str_eq(ev("bd*3%2", 2), "0 2/3 bd|2/3 4/3 bd|4/3 2 bd");
}

Test(mini, star_by_an_alternation_changes_per_cycle)
{
    cr_expect_str_eq(ev("bd*<2 3>", 2), "0 1/2 bd|1/2 1 bd|1 4/3 bd|4/3 5/3 bd|5/3 2 bd");
}

Test(mini, star_by_a_sequence_takes_structure_from_the_factor)
{
    /* first half at 2x: [0,1/2); second half at 3x: [1/3,2/3) starts before, [2/3,1) */
    cr_expect_str_eq(ev("bd*[2 3]", 1), "0 1/2 bd|2/3 1 bd");
}

Test(mini, factor_with_spaces_after_the_operator)
{
    cr_expect_str_eq(ev("bd* 2", 1), "0 1/2 bd|1/2 1 bd");
}

Test(mini, negative_factor_reverses)
{
    cr_expect_str_eq(ev("[a b c]*-1", 1), "0 1/3 c|1/3 2/3 b|2/3 1 a");
}

Test(mini, star_zero_and_slash_zero_are_silence)
{
    /* Tidal's tests: "cp/0" is silence */
    cr_expect_str_eq(ev("cp/0", 2), "");
    cr_expect_str_eq(ev("cp*0", 2), "");
}

/* ---- Euclid -------------------------------------------------------------------------- */

Test(mini, euclid_3_8_is_x__x__x_)
{
    cr_expect_str_eq(hits("x(3,8)", 0, 8), "0 3 6");
    cr_expect_str_eq(ev("x(3,8)", 1), "0 1/8 x|3/8 1/2 x|3/4 7/8 x");
}

Test(mini, euclid_rotation_rotates_left)
{
    cr_expect_str_eq(hits("x(3,8,2)", 0, 8), "1 4 6");
    /* Tidal's test: "bd(3,8,1)" is "~ ~ bd ~ ~ bd ~ bd" */
    cr_expect_str_eq(hits("bd(3,8,1)", 0, 8), "2 5 7");
}

Test(mini, euclid_7_17_is_bjorklund)
{
    /* x..x.x..x.x..x.x. */
    cr_expect_str_eq(hits("x(7,17)", 0, 17), "0 3 5 8 10 13 15");
}

Test(mini, euclid_5_8)
{
    cr_expect_str_eq(hits("x(5,8)", 0, 8), "0 2 3 5 6");
}

Test(mini, euclid_with_patterned_rotation)
{
    /* (4,17) is x....x....x....x.... hits 0 4 8 12; rotations 2 3 1 2 by cycle */
    const char *p = "808ht(4,17,<2 3 1 2>)";
    cr_expect_str_eq(hits(p, 0, 17), "2 6 10 15");
    cr_expect_str_eq(hits(p, 1, 17), "1 5 9 14");
    cr_expect_str_eq(hits(p, 2, 17), "3 7 11 16");
    cr_expect_str_eq(hits(p, 3, 17), "2 6 10 15");
    ev_range(p, 0, 1);
    cr_expect(haps.v[0].val.kind == BB_VAL_WORD && haps.v[0].val.text_len == 5);
}

Test(mini, euclid_with_patterned_pulses)
{
    cr_expect_str_eq(hits("x(<3 5>,8)", 0, 8), "0 3 6");
    cr_expect_str_eq(hits("x(<3 5>,8)", 1, 8), "0 2 3 5 6");
}

Test(mini, euclid_steps_play_the_alternation_by_cycle)
{
    cr_expect_str_eq(ev("<a b>(3,8)", 2), "0 1/8 a|3/8 1/2 a|3/4 7/8 a|1 9/8 b|11/8 3/2 b|7/4 15/8 b");
}

Test(mini, euclid_on_a_group_and_with_spaces)
{
    cr_expect_str_eq(hits("[x] ( 3 , 8 , 2 )", 0, 8), "1 4 6");
}

Test(mini, euclid_with_zero_steps_is_silence)
{
    cr_expect_str_eq(ev("cp(5,0)", 2), "");
}

/* Modifiers after Euclid apply to the whole Euclid pattern, left to right (Strudel's krill). */
Test(mini, modifiers_after_euclid_apply_to_the_euclid_pattern)
{
    /* x..x..x. twice a cycle: hits at sixteenths 0 3 6, 8 11 14 */
    cr_expect_str_eq(ev("a(3,8)*2", 1), "0 1/16 a|3/16 1/4 a|3/8 7/16 a|1/2 9/16 a|11/16 3/4 a|7/8 15/16 a");
    /* replicated: the same, as two steps */
    cr_expect_str_eq(ev("a(3,8)!2", 1), ev("a(3,8)*2", 1));
    /* elongated: three quarters of the cycle for the Euclid pattern, b after it */
    cr_expect_str_eq(ev("a(3,8)@3 b", 1), "0 3/32 a|9/32 3/8 a|9/16 21/32 a|3/4 1 b");
    /* slowed: cycle 0 of the pattern (rotation 0: steps 0 3 6) stretched over cycles 0-1, cycle 1
       (rotation 2: steps 1 4 6) over cycles 2-3 */
    cr_expect_str_eq(ev("a(3,8,<0 2>)/2", 4), "0 1/4 a|3/4 1 a|3/2 7/4 a|9/4 5/2 a|3 13/4 a|7/2 15/4 a");
    /* degraded: the '?' takes the Euclid pattern's events, as it takes a group's */
    cr_expect_str_eq(ev("a(3,8)?", 4), ev("[a(3,8)]?", 4));
    /* left to right: Euclid of a*2 is not a*2 of Euclid */
    cr_expect_str_eq(ev("a*2(3,8)", 1), "0 1/16 a|1/16 1/8 a|3/8 7/16 a|7/16 1/2 a|3/4 13/16 a|13/16 7/8 a");
    cr_expect_str_eq(ev("a(3,8)*2/2", 2), ev("a(3,8)", 2));
}

Test(mini, modifier_chain_is_limited)
{
    char src[4 + 2 * (BB_PAT_MODIFIERS_MAX + 1) + 1] = "a";
    for (int i = 0; i <= BB_PAT_MODIFIERS_MAX; i++) strcat(src, "*1");
    bb_pat *p = NULL;
    bb_error err;
    bb_error_clear(&err);
    cr_expect_eq(bb_mini_parse(&own, src, strlen(src), "<test>", 1, 1, &p, &err), BB_ERR_LIMIT);
    src[strlen(src) - 2] = '\0';
    parse(src);
}

/* ---- stacks, repeats, elongation, feet, polymeters -------------------------------------- */

Test(mini, comma_stacks_in_brackets)
{
    cr_expect_str_eq(ev("[bd sn, hh hh hh]", 1), "0 1/3 hh|0 1/2 bd|1/3 2/3 hh|1/2 1 sn|2/3 1 hh");
}

Test(mini, comma_stacks_at_top_level)
{
    cr_expect_str_eq(ev("bd sn, hh hh hh", 1), "0 1/3 hh|0 1/2 bd|1/3 2/3 hh|1/2 1 sn|2/3 1 hh");
}

Test(mini, bang_with_a_count_replicates)
{
    cr_expect_str_eq(ev("a!3 b", 1), "0 1/4 a|1/4 1/2 a|1/2 3/4 a|3/4 1 b");
}

Test(mini, bare_bang_repeats_the_previous_step)
{
    cr_expect_str_eq(ev("a ! b", 1), "0 1/3 a|1/3 2/3 a|2/3 1 b");
    cr_expect_str_eq(ev("a! b", 1), "0 1/3 a|1/3 2/3 a|2/3 1 b");
    cr_expect_str_eq(ev("a ! ! b", 1), "0 1/4 a|1/4 1/2 a|1/2 3/4 a|3/4 1 b");
}

Test(mini, at_elongates)
{
    cr_expect_str_eq(ev("a@3 b", 1), "0 3/4 a|3/4 1 b");
    cr_expect_str_eq(ev("a@1.5 b", 1), "0 3/5 a|3/5 1 b");
}

Test(mini, underscore_elongates)
{
    /* Tidal's test: "a _ _ b _" is timeCat [(3,a), (2,b)] */
    cr_expect_str_eq(ev("a _ _ b _", 1), "0 3/5 a|3/5 1 b");
}

Test(mini, dot_groups_steps)
{
    cr_expect_str_eq(ev("a b . c d e", 1), "0 1/4 a|1/4 1/2 b|1/2 2/3 c|2/3 5/6 d|5/6 1 e");
    cr_expect_str_eq(ev("a b . c d e", 1), ev("[a b] [c d e]", 1));
}

Test(mini, braces_with_percent_set_steps_per_cycle)
{
    cr_expect_str_eq(ev("{a b c}%4", 2), "0 1/4 a|1/4 1/2 b|1/2 3/4 c|3/4 1 a|1 5/4 b|5/4 3/2 c|3/2 7/4 a|7/4 2 b");
}

Test(mini, braces_take_steps_from_the_first_sequence)
{
    /* Tidal's test: "{a b, c d e}" is stack [fastcat [a, b], slow 1.5 (fastcat [c, d, e])] */
    cr_expect_str_eq(ev("{a b, c d e}", 2), "0 1/2 a|0 1/2 c|1/2 1 b|1/2 1 d|1 3/2 a|1 3/2 e|3/2 2 b|3/2 2 c");
}

Test(mini, braces_with_a_patterned_step_count)
{
    /* cycle 1 at 4 steps: "a b c" at 4/3 speed resumes at its step 4 (b) */
    cr_expect_str_eq(ev("{a b c}%<2 4>", 2), "0 1/2 a|1/2 1 b|1 5/4 b|5/4 3/2 c|3/2 7/4 a|7/4 2 b");
}

Test(mini, replicate_inside_braces)
{
    /* Tidal's test: "{a a}%2" equals "{a !}%2" */
    cr_expect_str_eq(ev("{a !}%2", 2), ev("{a a}%2", 2));
}

/* ---- randomness ---------------------------------------------------------------------------- */

Test(mini, degrade_follows_tidals_seeded_generator)
{
    /* step i of cycle c is kept when timeToRand(c + 1/2 + i/10000) > 0.5 (the '?'
     * applies to the atom, inside the sequence; seeds 0..3 by position):
     * cycle 0: 0.2591 0.3302 0.6934 0.5601; cycle 1: all below 0.5;
     * cycle 2: 0.5577 0.5941 0.6989 0.8125 */
    cr_expect_str_eq(ev("bd? sn? hh? cp?", 3), "1/2 3/4 hh|3/4 1 cp|2 9/4 bd|9/4 5/2 sn|5/2 11/4 hh|11/4 3 cp");
}

Test(mini, degrade_is_deterministic)
{
    char first[16384];
    snprintf(first, sizeof first, "%s", ev("bd*16? sn*8?0.3", 16));
    cr_expect_str_eq(ev("bd*16? sn*8?0.3", 16), first);
}

Test(mini, degrade_drops_about_half)
{
    ev("bd*16?", 64); /* 1024 candidates, binomial sd 16 */
    cr_expect(haps.n > 430 && haps.n < 594, "kept %zu of 1024", haps.n);
}

Test(mini, degrade_with_an_amount_drops_that_proportion)
{
    ev("bd*16?0.3", 64); /* keeps about 70%: 717 of 1024, sd 15 */
    cr_expect(haps.n > 640 && haps.n < 790, "kept %zu of 1024", haps.n);
}

Test(mini, degrade_after_replicate_applies_to_the_sequence)
{
    /* Tidal's test: "a!8?" equals "[a!8]?" */
    cr_expect_str_eq(ev("a!8?", 8), ev("[a!8]?", 8));
}

Test(mini, choice_follows_tidals_seeded_generator)
{
    /* cycle c plays choice floor(3 * timeToRand(c + 1/2)): 0.2591 -> a, then b b b */
    cr_expect_str_eq(ev("[a|b|c]", 4), "0 1 a|1 2 b|2 3 b|3 4 b");
}

Test(mini, choice_before_cycle_zero)
{
    /* timeToRand(-5/2), (-3/2), (-1/2) give choices 1 1 0 */
    cr_expect_str_eq(ev_range("[a|b|c]", -3, 0), "-3 -2 b|-2 -1 b|-1 0 a");
}

Test(mini, choice_is_deterministic_and_roughly_uniform)
{
    char first[16384];
    snprintf(first, sizeof first, "%s", ev("[a|b|c]", 300));
    cr_expect_str_eq(ev("[a|b|c]", 300), first);
    int count[3] = {0, 0, 0};
    for (size_t i = 0; i < haps.n; i++) count[haps.v[i].val.text[0] - 'a']++;
    for (int i = 0; i < 3; i++) cr_expect(count[i] > 70 && count[i] < 130, "choice %d taken %d times of 300", i, count[i]);
}

Test(mini, choice_at_top_level)
{
    cr_expect_str_eq(ev("a|b|c", 4), ev("[a|b|c]", 4));
}

/* ---- values ---------------------------------------------------------------------------------- */

Test(mini, words_have_name_and_no_index)
{
    bb_val v = val("arpy");
    cr_expect(v.kind == BB_VAL_WORD && v.name_len == 4 && !memcmp(v.name, "arpy", 4) && v.index == 0);
    cr_expect(!v.is_note);
}

Test(mini, colon_gives_a_sample_index)
{
    bb_val v = val("bd:3");
    cr_expect(v.kind == BB_VAL_WORD);
    cr_expect(v.text_len == 4 && !memcmp(v.text, "bd:3", 4));
    cr_expect(v.name_len == 2 && !memcmp(v.name, "bd", 2));
    cr_expect_eq(v.index, 3);
}

Test(mini, numbers_are_notes_with_their_value)
{
    bb_val a = val("3"), b = val("-1.5"), c = val("0.25");
    cr_expect(a.kind == BB_VAL_NUM && a.num == 3.0 && a.is_note && a.note == 3.0);
    cr_expect(b.kind == BB_VAL_NUM && b.num == -1.5 && b.note == -1.5);
    cr_expect(c.kind == BB_VAL_NUM && c.num == 0.25);
    cr_expect(c.text_len == 4 && !memcmp(c.text, "0.25", 4));
}

Test(mini, words_starting_with_digits_are_words)
{
    bb_val v = val("808bd");
    cr_expect(v.kind == BB_VAL_WORD && !v.is_note);
}

Test(mini, note_names_are_semitones_from_c4)
{
    struct {
        const char *s;
        double n;
    } t[] = {{"c4", 0}, {"a4", 9}, {"a", 9}, {"c", 0}, {"f3", -7}, {"cs4", 1}, {"c#5", 13},
             {"ef", 3}, {"bf3", -2}, {"e", 4}, {"g2", -17}, {"b", 11}, {"cn", 0}, {"ff", 4}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        bb_val v = val(t[i].s);
        cr_expect(v.kind == BB_VAL_WORD && v.is_note && v.note == t[i].n, "%s: note %g, want %g", t[i].s, v.note,
                  t[i].n);
    }
    cr_expect(!val("bd").is_note);
    cr_expect(!val("sn").is_note);
    cr_expect(!val("hh").is_note);
}

static void expect_tones(const char *src, double root, const int *tones, int n)
{
    bb_val v = val(src);
    cr_assert(v.kind == BB_VAL_CHORD, "%s is not a chord", src);
    cr_expect(v.is_note && v.note == root, "%s: root %g, want %g", src, v.note, root);
    cr_assert_eq(v.ntones, n, "%s: %d tones, want %d", src, v.ntones, n);
    for (int i = 0; i < n; i++) cr_expect_eq(v.tones[i], tones[i], "%s: tone %d", src, i);
}

Test(mini, chords_have_a_root_and_tones)
{
    expect_tones("c4'min7", 0, (int[]){0, 3, 7, 10}, 4);
    expect_tones("c'maj7", 0, (int[]){0, 4, 7, 11}, 4);
    expect_tones("e'major", 4, (int[]){0, 4, 7}, 3);
    expect_tones("a3'dom7", -3, (int[]){0, 4, 7, 10}, 4);
    expect_tones("'minor", 0, (int[]){0, 3, 7}, 3);
    expect_tones("5'dim", 5, (int[]){0, 3, 6}, 3);
    bb_val v = val("c4'min7");
    cr_expect(v.text_len == 7 && !memcmp(v.text, "c4'min7", 7));
}

Test(mini, chord_table_has_tidals_names)
{
    struct {
        const char *name;
        int n;
    } t[] = {{"major", 3}, {"maj", 3},    {"minor", 3},  {"min", 3},    {"aug", 3},   {"dim", 3},
             {"major7", 4}, {"maj7", 4},  {"dom7", 4},   {"min7", 4},   {"dim7", 4},  {"sus2", 3},
             {"sus4", 3},   {"six", 4},   {"m6", 4},     {"nine", 5},   {"minor9", 5}, {"m9", 5},
             {"eleven", 6}, {"thirteen", 7}, {"add9", 4}, {"m7f5", 4},  {"7sus4", 4}, {"one", 1},
             {"five", 2},   {"M", 3},     {"m", 3},      {"11s", 6}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char src[32];
        snprintf(src, sizeof src, "c'%s", t[i].name);
        bb_val v = val(src);
        cr_expect(v.kind == BB_VAL_CHORD && v.ntones == t[i].n, "%s: %d tones, want %d", src, v.ntones, t[i].n);
    }
}

Test(mini, chord_modifiers_follow_tidal)
{
    /* Tidal's tests (Sound.Tidal.ParseTest) */
    expect_tones("c'major'i", 0, (int[]){4, 7, 12}, 3);
    expect_tones("c'major'i2", 0, (int[]){7, 12, 16}, 3);
    expect_tones("c'major'5", 0, (int[]){0, 4, 7, 12, 16}, 5);
    expect_tones("e'min7'5", 4, (int[]){0, 3, 7, 10, 12}, 5);
    expect_tones("c'major'o", 0, (int[]){-12, -5, 4}, 3);
    expect_tones("c'major'd1", 0, (int[]){-5, 0, 4}, 3);
    expect_tones("c'major'i'5", 0, (int[]){4, 7, 12, 16, 19}, 5);
}

Test(mini, tilde_name_is_a_bus_trigger)
{
    cr_expect_str_eq(ev("~x ~ ~bass2", 1), "0 1/3 ~x|2/3 1 ~bass2");
    bb_val v = val("~lead");
    cr_expect(v.kind == BB_VAL_BUS && !v.is_note);
    cr_expect(v.name_len == 4 && !memcmp(v.name, "lead", 4));
    cr_expect(v.text_len == 5 && !memcmp(v.text, "~lead", 5));
}

Test(mini, values_point_into_a_copy_of_the_source)
{
    char src[] = "bd sn";
    bb_pat *p = NULL;
    cr_assert(bb_mini_parse(&own, src, strlen(src), "<test>", 1, 1, &p, NULL) == BB_OK);
    memset(src, 'x', strlen(src));
    bb_haps_clear(&haps);
    cr_assert(bb_pat_query(p, bb_rat_int(0), bb_rat_int(1), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 2);
    cr_expect(!memcmp(haps.v[0].val.text, "bd", 2));
}

Test(mini, parses_only_len_bytes)
{
    bb_pat *p = NULL;
    cr_assert(bb_mini_parse(&own, "bd sn ]]]", 5, "<test>", 1, 1, &p, NULL) == BB_OK);
}

/* ---- errors ------------------------------------------------------------------------------------ */

Test(mini, unclosed_bracket_is_an_error_at_the_end)
{
    expect_error("[a b", BB_ERR_PARSE, 5);
    expect_error("<a b", BB_ERR_PARSE, 5);
    expect_error("{a b", BB_ERR_PARSE, 5);
    expect_error("x(3,8", BB_ERR_PARSE, 6);
}

Test(mini, stray_closing_brackets_are_errors)
{
    expect_error("a )", BB_ERR_PARSE, 3);
    expect_error("a b]", BB_ERR_PARSE, 4);
    expect_error("a >", BB_ERR_PARSE, 3);
}

Test(mini, euclid_needs_two_or_three_arguments)
{
    expect_error("x(3)", BB_ERR_PARSE, 4);
    expect_error("x()", BB_ERR_PARSE, 3);
    expect_error("x(3,)", BB_ERR_PARSE, 5);
    expect_error("x(3,8,)", BB_ERR_PARSE, 7);
    expect_error("x(3,8,1,2)", BB_ERR_PARSE, 8);
    expect_error("x(3.5,8)", BB_ERR_PARSE, 3);
}

Test(mini, euclid_over_the_limit_is_a_limit_error)
{
    expect_error("bd(3,5000)", BB_ERR_LIMIT, 6);
    expect_error("bd(3,<8 4097>)", BB_ERR_LIMIT, 9);
}

Test(mini, bad_numbers_are_errors)
{
    expect_error("bd*1.2.3", BB_ERR_PARSE, 4);
    expect_error("bd*x", BB_ERR_PARSE, 4);
    expect_error("bd*", BB_ERR_PARSE, 4);
    expect_error("bd*2x", BB_ERR_PARSE, 4);
    expect_error("1.2.3 bd", BB_ERR_PARSE, 1);
    expect_error("a .5", BB_ERR_PARSE, 3);
    expect_error("bd*99999999999999999999", BB_ERR_PARSE, 4);
}

Test(mini, factor_over_the_limit_is_a_limit_error)
{
    expect_error("bd*2000000", BB_ERR_LIMIT, 4);
    expect_error("bd/<2 2000000>", BB_ERR_LIMIT, 7);
}

Test(mini, bad_sample_index_is_an_error)
{
    expect_error("bd:x", BB_ERR_PARSE, 4);
    expect_error("bd:", BB_ERR_PARSE, 4);
    expect_error("a b:3x", BB_ERR_PARSE, 6);
}

Test(mini, unknown_chord_is_an_error)
{
    expect_error("c'foo", BB_ERR_PARSE, 3);
    expect_error("c'major'x", BB_ERR_PARSE, 9);
    expect_error("bd'major", BB_ERR_PARSE, 1);
    expect_error("c'one'13", BB_ERR_LIMIT, 7);
}

Test(mini, bad_elongation_and_repeat_are_errors)
{
    expect_error("a@0 b", BB_ERR_PARSE, 2);
    expect_error("a!0 b", BB_ERR_PARSE, 3);
    expect_error("a@2000000", BB_ERR_LIMIT, 2);
}

Test(mini, empty_feet_are_errors)
{
    expect_error(". a b", BB_ERR_PARSE, 1);
    expect_error("a b .", BB_ERR_PARSE, 5);
    expect_error("a . . b", BB_ERR_PARSE, 5);
    expect_error("a .. b", BB_ERR_PARSE, 3);
}

Test(mini, unexpected_characters_are_errors)
{
    expect_error("a $ b", BB_ERR_PARSE, 3);
    expect_error("a ^b", BB_ERR_PARSE, 3);
    expect_error("@a", BB_ERR_PARSE, 1);
    expect_error("[a, b | c]", BB_ERR_PARSE, 7);
}

Test(mini, nesting_deeper_than_the_limit_is_a_limit_error)
{
    char deep[2 * BB_PAT_DEPTH_MAX + 8];
    size_t n = 0;
    for (int i = 0; i < BB_PAT_DEPTH_MAX; i++) deep[n++] = '[';
    deep[n++] = 'a';
    for (int i = 0; i < BB_PAT_DEPTH_MAX; i++) deep[n++] = ']';
    deep[n] = '\0';
    parse(deep); /* exactly the limit is fine */
    char deeper[2 * BB_PAT_DEPTH_MAX + 8];
    n = 0;
    for (int i = 0; i <= BB_PAT_DEPTH_MAX; i++) deeper[n++] = '<';
    deeper[n++] = 'a';
    for (int i = 0; i <= BB_PAT_DEPTH_MAX; i++) deeper[n++] = '>';
    deeper[n] = '\0';
    expect_error(deeper, BB_ERR_LIMIT, BB_PAT_DEPTH_MAX + 1);
}

Test(mini, source_longer_than_the_limit_is_a_limit_error)
{
    static char big[BB_PAT_SRC_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bb_pat *p;
    bb_error err;
    cr_expect(bb_mini_parse(&own, big, strlen(big), "<test>", 1, 1, &p, &err) == BB_ERR_LIMIT);
}

Test(mini, error_position_is_offset_by_base_line_and_column)
{
    bb_pat *p;
    bb_error err;
    bb_error_clear(&err);
    cr_assert(bb_mini_parse(&own, "bd [sn", 6, "song.ph", 7, 10, &p, &err) == BB_ERR_PARSE);
    cr_expect_eq(err.line, 7);
    cr_expect_eq(err.col, 16);
    cr_expect_str_eq(err.file, "song.ph");
}

Test(mini, error_message_reads_well_for_the_query_command)
{
    bb_pat *p;
    bb_error err;
    bb_error_clear(&err);
    cr_assert(bb_mini_parse(&own, "x(3)", 4, "<pattern>", 0, 1, &p, &err) == BB_ERR_PARSE);
    char buf[800];
    const char *s = bb_error_format(&err, buf, sizeof buf);
    cr_expect(!strncmp(s, "<pattern>: column 4: parse error: expected ", 43), "%s", s);
}

Test(mini, huge_denominators_report_overflow_at_query_time)
{
    bb_pat *p = parse("[a*1%4611686018427387847]*1%4611686018427387817");
    bb_haps_clear(&haps);
    cr_expect(bb_pat_query(p, bb_rat_int(0), bb_rat_int(1), &scratch, &haps) == BB_ERR_OVERFLOW);
}

Test(mini, random_inputs_never_crash)
{
    static const char alphabet[] = "ab~x0123456789 []<>{}(),.|!@_?*/%:'-#\t";
    uint64_t s = 42;
    for (int trial = 0; trial < 20000; trial++) {
        char src[48];
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        size_t n = (size_t)(s >> 59) + 1;
        for (size_t i = 0; i < n; i++) {
            s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            src[i] = alphabet[(s >> 33) % (sizeof alphabet - 1)];
        }
        src[n] = '\0';
        bb_arena_reset(&own);
        bb_pat *p = NULL;
        bb_error err;
        bb_error_clear(&err);
        bb_result r = bb_mini_parse(&own, src, n, "<fuzz>", 1, 1, &p, &err);
        if (r != BB_OK) {
            cr_assert(err.code == r && err.col >= 1 && err.col <= (int)n + 1, "\"%s\": bad error column %d", src,
                      err.col);
            continue;
        }
        bb_arena_reset(&scratch);
        bb_haps_clear(&haps);
        r = bb_pat_query(p, bb_rat_int(0), bb_rat_int(4), &scratch, &haps);
        cr_assert(r == BB_OK || r == BB_ERR_LIMIT || r == BB_ERR_OVERFLOW, "\"%s\": query gave %s", src,
                  bb_result_str(r));
    }
}
