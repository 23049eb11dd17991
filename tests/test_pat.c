/* test_pat.c - Criterion suite "pat": the pattern engine (bb_pat.c).
 *
 * Expectations are worked out by hand from Tidal 1.9's definitions (queries,
 * fragments, fast/slow with patterned factors, rev, rotL, stut, timeCat, Euclid)
 * or taken from Tidal's own test suite and documentation (the values of `rand`,
 * `fast "1 2"`); none is produced by the code under test. The property test
 * checks that a query equals the union of any split of it, and the allocation
 * test that repeated queries reach a steady state with no heap allocation. */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_pat.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

TestSuite(pat, .init = setup, .fini = teardown);

static bb_rat Q(int64_t n, int64_t d) { return bb_rat_make(n, d); }

static bb_pat *mini(const char *src)
{
    bb_pat *p = NULL;
    bb_error err;
    bb_error_clear(&err);
    bb_result r = bb_mini_parse(&own, src, strlen(src), "<test>", 1, 1, &p, &err);
    char buf[800];
    cr_assert(r == BB_OK, "parse of \"%s\" failed: %s", src, bb_error_format(&err, buf, sizeof buf));
    return p;
}

static bb_pat *word(const char *text)
{
    bb_val v;
    memset(&v, 0, sizeof v);
    v.kind = BB_VAL_WORD;
    v.text = v.name = text;
    v.text_len = v.name_len = (uint32_t)strlen(text);
    bb_pat *p;
    cr_assert(bb_pat_pure(&own, &v, &p) == BB_OK);
    return p;
}

static bb_pat *num(int64_t n, int64_t d)
{
    bb_pat *p;
    cr_assert(bb_pat_pure_num(&own, Q(n, d), &p) == BB_OK);
    return p;
}

/* The events with an onset in [b, e), as "B E V|B E V|...". */
static const char *onsets(const bb_pat *p, bb_rat b, bb_rat e)
{
    static char out[8192];
    bb_haps_clear(&haps);
    bb_arena_reset(&scratch);
    bb_result r = bb_pat_query_onsets(p, b, e, &scratch, &haps);
    cr_assert(r == BB_OK, "query failed: %s", bb_result_str(r));
    out[0] = '\0';
    for (size_t i = 0; i < haps.n; i++) {
        char line[256];
        if (i) strncat(out, "|", sizeof out - strlen(out) - 1);
        strncat(out, bb_hap_fmt(&haps.v[i], line, sizeof line), sizeof out - strlen(out) - 1);
    }
    return out;
}

static void expect_arc(bb_rat got_b, bb_rat got_e, bb_rat b, bb_rat e, const char *what)
{
    cr_expect(bb_rat_eq(got_b, b) && bb_rat_eq(got_e, e), "%s: got [%lld/%lld, %lld/%lld), want [%lld/%lld, %lld/%lld)",
              what, (long long)got_b.num, (long long)got_b.den, (long long)got_e.num, (long long)got_e.den,
              (long long)b.num, (long long)b.den, (long long)e.num, (long long)e.den);
}

/* ---- basic queries --------------------------------------------------------------- */

Test(pat, pure_gives_one_event_per_cycle)
{
    bb_pat *p = word("bd");
    cr_assert(bb_pat_query(p, Q(0, 1), Q(2, 1), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 2);
    expect_arc(haps.v[0].whole_b, haps.v[0].whole_e, Q(0, 1), Q(1, 1), "whole 0");
    expect_arc(haps.v[0].part_b, haps.v[0].part_e, Q(0, 1), Q(1, 1), "part 0");
    expect_arc(haps.v[1].whole_b, haps.v[1].whole_e, Q(1, 1), Q(2, 1), "whole 1");
    cr_expect(haps.v[0].has_whole && haps.v[1].has_whole);
    cr_expect(haps.v[0].gain == 1.0);
    cr_expect(haps.v[0].val.kind == BB_VAL_WORD && haps.v[0].val.text_len == 2);
}

Test(pat, query_across_a_cycle_boundary_gives_fragments)
{
    bb_pat *p = word("bd");
    cr_assert(bb_pat_query(p, Q(1, 2), Q(3, 2), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 2);
    expect_arc(haps.v[0].whole_b, haps.v[0].whole_e, Q(0, 1), Q(1, 1), "whole 0");
    expect_arc(haps.v[0].part_b, haps.v[0].part_e, Q(1, 2), Q(1, 1), "part 0");
    cr_expect(!bb_hap_has_onset(&haps.v[0]));
    expect_arc(haps.v[1].part_b, haps.v[1].part_e, Q(1, 1), Q(3, 2), "part 1");
    cr_expect(bb_hap_has_onset(&haps.v[1]));
}

Test(pat, zero_width_query_finds_the_event_holding_that_time)
{
    bb_pat *p = mini("a b c");
    cr_assert(bb_pat_query(p, Q(1, 3), Q(1, 3), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 1);
    cr_expect(haps.v[0].val.text[0] == 'b');
    expect_arc(haps.v[0].whole_b, haps.v[0].whole_e, Q(1, 3), Q(2, 3), "whole");
    expect_arc(haps.v[0].part_b, haps.v[0].part_e, Q(1, 3), Q(1, 3), "part");
}

Test(pat, reversed_span_is_empty)
{
    cr_expect(bb_pat_query(word("bd"), Q(2, 1), Q(1, 1), &scratch, &haps) == BB_OK);
    cr_expect_eq(haps.n, 0);
}

Test(pat, query_appends_to_what_is_already_there)
{
    bb_pat *p = word("bd");
    cr_assert(bb_pat_query(p, Q(0, 1), Q(1, 1), &scratch, &haps) == BB_OK);
    cr_assert(bb_pat_query(p, Q(5, 1), Q(6, 1), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 2);
    expect_arc(haps.v[1].whole_b, haps.v[1].whole_e, Q(5, 1), Q(6, 1), "second");
}

Test(pat, silence_has_no_events)
{
    bb_pat *p;
    cr_assert(bb_pat_silence(&own, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(4, 1)), "");
}

Test(pat, negative_time_works)
{
    cr_expect_str_eq(onsets(mini("a b"), Q(-1, 1), Q(0, 1)), "-1 -1/2 a|-1/2 0 b");
}

/* ---- transforms ------------------------------------------------------------------- */

Test(pat, fast_by_a_constant)
{
    bb_pat *p;
    cr_assert(bb_pat_fast(&own, mini("a b"), num(2, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/4 a|1/4 1/2 b|1/2 3/4 a|3/4 1 b");
}

Test(pat, fast_with_a_patterned_factor_takes_structure_from_the_factor)
{
    /* Tidal's documentation: fast "1 2" $ s "bd sn" is (0>½)bd (½>¾)bd (¾>1)sn */
    bb_pat *p;
    cr_assert(bb_pat_fast(&own, mini("bd sn"), mini("1 2"), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/2 bd|1/2 3/4 bd|3/4 1 sn");
}

Test(pat, slow_stretches_over_cycles)
{
    bb_pat *p;
    cr_assert(bb_pat_slow(&own, mini("a b"), num(2, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(4, 1)), "0 1 a|1 2 b|2 3 a|3 4 b");
}

Test(pat, slow_by_zero_and_fast_by_zero_are_silence)
{
    bb_pat *p, *q;
    cr_assert(bb_pat_slow(&own, mini("a b"), num(0, 1), &p) == BB_OK);
    cr_assert(bb_pat_fast(&own, mini("a b"), num(0, 1), &q) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(2, 1)), "");
    cr_expect_str_eq(onsets(q, Q(0, 1), Q(2, 1)), "");
}

Test(pat, fast_by_a_negative_factor_reverses)
{
    bb_pat *p;
    cr_assert(bb_pat_fast(&own, mini("a b c"), num(-1, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/3 c|1/3 2/3 b|2/3 1 a");
}

Test(pat, factor_over_the_limit_is_an_error)
{
    bb_pat *p;
    cr_assert(bb_pat_fast(&own, mini("a"), num(BB_PAT_FACTOR_MAX + 1, 1), &p) == BB_OK);
    cr_expect(bb_pat_query(p, Q(0, 1), Q(1, 1), &scratch, &haps) == BB_ERR_LIMIT);
}

Test(pat, rev_mirrors_each_cycle)
{
    /* Tidal's documentation: rev "1 [~ 2] ~ 3" is "3 ~ [2 ~] 1" */
    bb_pat *p;
    cr_assert(bb_pat_rev(&own, mini("1 [~ 2] ~ 3"), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(2, 1)), "0 1/4 3|1/2 5/8 2|3/4 1 1|1 5/4 3|3/2 13/8 2|7/4 2 1");
}

Test(pat, rev_works_cycle_by_cycle)
{
    /* rev (slow 2 "1 2 3 4") is slow 2 "2 1 4 3" */
    bb_pat *s, *p;
    cr_assert(bb_pat_slow(&own, mini("1 2 3 4"), num(2, 1), &s) == BB_OK);
    cr_assert(bb_pat_rev(&own, s, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(2, 1)), "0 1/2 2|1/2 1 1|1 3/2 4|3/2 2 3");
}

Test(pat, rotl_shifts_earlier)
{
    bb_pat *p;
    cr_assert(bb_pat_rotl(&own, mini("a b"), Q(1, 4), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "1/4 3/4 b|3/4 5/4 a");
}

Test(pat, stut_adds_echoes_with_decaying_gain)
{
    bb_pat *p;
    cr_assert(bb_pat_stut(&own, word("a"), 3, Q(1, 8), 0.5, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1 a|1/8 9/8 a|1/4 5/4 a");
    cr_assert_eq(haps.n, 3);
    cr_expect(haps.v[0].gain == 1.0 && haps.v[1].gain == 0.5 && haps.v[2].gain == 0.25);
}

Test(pat, stut_gains_multiply_when_nested)
{
    bb_pat *a, *b;
    cr_assert(bb_pat_stut(&own, word("a"), 2, Q(1, 4), 0.5, &a) == BB_OK);
    cr_assert(bb_pat_stut(&own, a, 2, Q(1, 4), 0.5, &b) == BB_OK);
    onsets(b, Q(0, 1), Q(1, 1));
    cr_assert_eq(haps.n, 4); /* at 0 (1), 1/4 (0.5 twice), 1/2 (0.25) */
    cr_expect(haps.v[0].gain == 1.0 && haps.v[1].gain == 0.5 && haps.v[2].gain == 0.5 && haps.v[3].gain == 0.25);
}

Test(pat, stut_rejects_bad_arguments)
{
    bb_pat *p;
    cr_expect(bb_pat_stut(&own, word("a"), 0, Q(1, 8), 0.5, &p) == BB_ERR_ARG);
    cr_expect(bb_pat_stut(&own, word("a"), 3, BB_RAT_INVALID, 0.5, &p) == BB_ERR_ARG);
    cr_expect(bb_pat_stut(&own, word("a"), BB_PAT_STUT_MAX + 1, Q(1, 8), 0.5, &p) == BB_ERR_LIMIT);
}

Test(pat, timecat_gives_shares_by_weight)
{
    const bb_pat *ps[2] = {word("a"), word("b")};
    bb_rat w[2] = {Q(1, 1), Q(2, 1)};
    bb_pat *p;
    cr_assert(bb_pat_timecat(&own, ps, w, 2, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/3 a|1/3 1 b");
    bb_rat bad[2] = {Q(1, 1), Q(0, 1)};
    cr_expect(bb_pat_timecat(&own, ps, bad, 2, &p) == BB_ERR_ARG);
}

Test(pat, timecat_keeps_each_childs_cycle_number)
{
    /* compressArc keeps the child's own cycle: "a <b c>" is a b, then a c */
    cr_expect_str_eq(onsets(mini("a <b c>"), Q(0, 1), Q(2, 1)), "0 1/2 a|1/2 1 b|1 3/2 a|3/2 2 c");
}

Test(pat, stack_plays_all_at_once)
{
    const bb_pat *ps[2] = {mini("a b"), mini("c")};
    bb_pat *p;
    cr_assert(bb_pat_stack(&own, ps, 2, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/2 a|0 1 c|1/2 1 b");
}

Test(pat, euclid_with_constant_arguments)
{
    bb_pat *p;
    cr_assert(bb_pat_euclid(&own, word("x"), num(3, 1), num(8, 1), num(0, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/8 x|3/8 1/2 x|3/4 7/8 x");
}

Test(pat, euclid_with_negative_pulses_inverts)
{
    /* (-3,8): the complement of x..x..x. */
    bb_pat *p;
    cr_assert(bb_pat_euclid(&own, word("x"), num(-3, 1), num(8, 1), num(0, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "1/8 1/4 x|1/4 3/8 x|1/2 5/8 x|5/8 3/4 x|7/8 1 x");
}

Test(pat, euclid_with_zero_steps_is_silence)
{
    bb_pat *p;
    cr_assert(bb_pat_euclid(&own, word("x"), num(3, 1), num(0, 1), num(0, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(2, 1)), "");
}

Test(pat, degrade_with_amount_zero_keeps_everything_and_one_nothing)
{
    bb_pat *all, *none;
    cr_assert(bb_pat_degrade(&own, mini("a*8"), Q(0, 1), 0, &all) == BB_OK);
    cr_assert(bb_pat_degrade(&own, mini("a*8"), Q(1, 1), 0, &none) == BB_OK);
    onsets(all, Q(1, 1), Q(9, 1));
    cr_expect_eq(haps.n, 64);
    cr_expect_str_eq(onsets(none, Q(0, 1), Q(8, 1)), "");
}

Test(pat, choose_with_one_choice_is_that_choice)
{
    const bb_pat *ps[1] = {mini("a b")};
    bb_pat *p;
    cr_assert(bb_pat_choose(&own, ps, 1, 0, &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(1, 1)), "0 1/2 a|1/2 1 b");
}

Test(pat, polymeter_with_zero_steps_is_silent)
{
    const bb_pat *ps[1] = {mini("a b")};
    bb_rat st[1] = {Q(0, 1)};
    bb_pat *p;
    cr_assert(bb_pat_polymeter(&own, ps, st, 1, num(1, 1), &p) == BB_OK);
    cr_expect_str_eq(onsets(p, Q(0, 1), Q(2, 1)), "");
}

/* ---- Tidal's generator --------------------------------------------------------------- */

Test(pat, rand_matches_tidals_own_tests)
{
    /* Sound.Tidal.UITest: rand at 0, 1/4 and 3/4 of a cycle */
    cr_expect(bb_pat_rand(Q(0, 1)) == 0.0);
    cr_expect(fabs(bb_pat_rand(Q(1, 4)) - 0.6295689214020967) < 1e-15);
    cr_expect(fabs(bb_pat_rand(Q(3, 4)) - 0.20052618719637394) < 1e-15);
}

Test(pat, rand_at_negative_and_later_times)
{
    /* Tidal's formula transcribed by hand (truncation toward zero, arithmetic
     * shifts, floored mod 2^29) and evaluated independently of this code */
    cr_expect(fabs(bb_pat_rand(Q(-1, 4)) - 0.6520281322300434) < 1e-15);
    cr_expect(fabs(bb_pat_rand(Q(-7, 3)) - 0.434511361643672) < 1e-15);
    cr_expect(fabs(bb_pat_rand(Q(301, 2)) - 0.7905060984194279) < 1e-15);
}

Test(pat, rand_is_a_multiple_of_2_to_the_minus_29_in_unit_range)
{
    for (int i = -500; i < 500; i++) {
        double r = bb_pat_rand(Q(i * 7 + 3, 13));
        cr_assert(r >= 0.0 && r < 1.0);
        double k = r * 536870912.0;
        cr_assert(k == (double)(int64_t)k);
    }
}

/* ---- ordering, formatting, atoms ------------------------------------------------------- */

static bb_hap mkhap(int64_t wb, int64_t we, const char *text, double gain)
{
    bb_hap h;
    memset(&h, 0, sizeof h);
    h.whole_b = h.part_b = Q(wb, 8);
    h.whole_e = h.part_e = Q(we, 8);
    h.has_whole = true;
    h.gain = gain;
    h.val.kind = BB_VAL_WORD;
    h.val.text = h.val.name = text;
    h.val.text_len = h.val.name_len = (uint32_t)strlen(text);
    return h;
}

Test(pat, hap_cmp_orders_by_begin_end_value_gain)
{
    bb_hap a = mkhap(0, 4, "bd", 1), b = mkhap(0, 8, "bd", 1), c = mkhap(0, 4, "sn", 1), d = mkhap(1, 2, "aa", 1);
    bb_hap e = mkhap(0, 4, "bd", 0.5), f = mkhap(0, 4, "bd:3", 1);
    cr_expect(bb_hap_cmp(&a, &b) < 0);
    cr_expect(bb_hap_cmp(&a, &c) < 0);
    cr_expect(bb_hap_cmp(&b, &d) < 0);
    cr_expect(bb_hap_cmp(&e, &a) < 0);
    cr_expect(bb_hap_cmp(&a, &f) < 0); /* "bd" is a prefix of "bd:3" */
    cr_expect(bb_hap_cmp(&a, &a) == 0);
}

Test(pat, haps_sort_is_a_stable_sort_by_hap_cmp)
{
    bb_hap in[6] = {mkhap(3, 4, "c", 1), mkhap(0, 4, "b", 1), mkhap(0, 4, "a", 1),
                    mkhap(0, 2, "z", 1), mkhap(3, 4, "c", 1), mkhap(1, 2, "a", 1)};
    for (int i = 0; i < 6; i++) {
        cr_assert(bb_grow((void **)&haps.v, &haps.cap, haps.n + 1, sizeof *haps.v) == 0);
        haps.v[haps.n++] = in[i];
    }
    haps.v[4].part_e = Q(7, 16); /* marks the second "c", which must stay second */
    cr_assert(bb_haps_sort(&haps, &scratch) == BB_OK);
    const char *want[6] = {"z", "a", "b", "a", "c", "c"};
    for (int i = 0; i < 6; i++) cr_expect(haps.v[i].val.text[0] == want[i][0], "position %d", i);
    cr_expect(bb_rat_eq(haps.v[4].part_e, Q(1, 2)) && bb_rat_eq(haps.v[5].part_e, Q(7, 16)));
}

Test(pat, hap_fmt_prints_whole_and_text)
{
    bb_hap h = mkhap(3, 4, "bd:3", 1);
    char buf[64];
    cr_expect_str_eq(bb_hap_fmt(&h, buf, sizeof buf), "3/8 1/2 bd:3");
    h.whole_b = Q(17, 2);
    h.whole_e = Q(9, 1);
    cr_expect_str_eq(bb_hap_fmt(&h, buf, sizeof buf), "17/2 9 bd:3");
}

Test(pat, query_onsets_filters_and_sorts)
{
    /* over [1/4, 5/4): b at 1/2 and a at 1 have onsets; a at 0 is a fragment */
    cr_expect_str_eq(onsets(mini("[a b, c]"), Q(1, 4), Q(5, 4)), "1/2 1 b|1 3/2 a|1 2 c");
}

Test(pat, pure_num_carries_its_exact_value)
{
    bb_pat *p = num(3, 2);
    cr_assert(bb_pat_query(p, Q(0, 1), Q(1, 1), &scratch, &haps) == BB_OK);
    cr_assert_eq(haps.n, 1);
    cr_expect(haps.v[0].val.kind == BB_VAL_NUM && haps.v[0].val.num == 1.5);
    cr_expect(haps.v[0].val.text_len == 3 && !memcmp(haps.v[0].val.text, "3/2", 3));
}

struct collect {
    char names[16][16];
    int n;
    int stop_at;
};

static int collect_atom(const bb_val *v, void *ctx)
{
    struct collect *c = ctx;
    if (c->n < 16) snprintf(c->names[c->n], sizeof c->names[0], "%.*s", (int)v->text_len, v->text);
    c->n++;
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

Test(pat, foreach_atom_visits_values_in_source_order)
{
    bb_pat *p = mini("bd [sn ~x]!2 <hh 808:3>*<2 3> cp(3,8,<1 2>) [e|c4'min7] ~");
    struct collect c = {.n = 0};
    cr_expect(bb_pat_foreach_atom(p, collect_atom, &c) == 0);
    const char *want[] = {"bd", "sn", "~x", "hh", "808:3", "cp", "e", "c4'min7"};
    cr_assert_eq(c.n, 8, "visited %d atoms", c.n);
    for (int i = 0; i < 8; i++) cr_expect_str_eq(c.names[i], want[i]);
}

Test(pat, foreach_atom_includes_transforms_and_stops_early)
{
    bb_pat *a, *b;
    cr_assert(bb_pat_fast(&own, mini("x y z"), mini("2 3"), &a) == BB_OK);
    cr_assert(bb_pat_stut(&own, a, 2, Q(1, 8), 0.5, &b) == BB_OK);
    struct collect c = {.n = 0};
    cr_expect(bb_pat_foreach_atom(b, collect_atom, &c) == 0);
    cr_expect_eq(c.n, 3);
    struct collect s = {.n = 0, .stop_at = 2};
    cr_expect(bb_pat_foreach_atom(b, collect_atom, &s) == 7);
    cr_expect_eq(s.n, 2);
}

/* ---- errors and limits ------------------------------------------------------------------- */

Test(pat, huge_denominators_report_overflow)
{
    bb_pat *a, *b;
    cr_assert(bb_pat_rotl(&own, word("x"), Q(1, INT64_C(4611686018427387847)), &a) == BB_OK);
    cr_assert(bb_pat_rotl(&own, a, Q(1, INT64_C(4611686018427387817)), &b) == BB_OK);
    haps.n = 0;
    cr_expect(bb_pat_query(b, Q(0, 1), Q(1, 1), &scratch, &haps) == BB_ERR_OVERFLOW);
    cr_expect_eq(haps.n, 0);
}

Test(pat, overflow_flag_set_before_a_query_stays_set)
{
    bb_rat_clear_overflow();
    (void)bb_rat_mul(bb_rat_int(INT64_C(4000000000000000000)), bb_rat_int(INT64_C(4000000000000000000)));
    cr_assert(bb_rat_overflowed());
    cr_expect(bb_pat_query(word("a"), Q(0, 1), Q(1, 1), &scratch, &haps) == BB_OK);
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
}

Test(pat, query_over_too_many_events_is_a_limit)
{
    cr_expect(bb_pat_query(word("a"), Q(0, 1), Q(BB_PAT_QUERY_EVENTS_MAX + 1, 1), &scratch, &haps) == BB_ERR_LIMIT);
    cr_expect(bb_pat_query(mini("a*1024"), Q(0, 1), Q(2048, 1), &scratch, &haps) == BB_ERR_LIMIT);
}

Test(pat, query_of_an_invalid_span_is_overflow)
{
    cr_expect(bb_pat_query(word("a"), BB_RAT_INVALID, Q(1, 1), &scratch, &haps) == BB_ERR_OVERFLOW);
}

/* ---- consistency ------------------------------------------------------------------------- */

static const char *const split_patterns[] = {
    "bd sn",
    "bd*1.5 sn",
    "<a <b c>>",
    "bd(3,8,2)",
    "808ht(4,17,<2 3 1 2>)",
    "bd*<2 3> sn/2",
    "a b . c d e",
    "{a b c}%4",
    "{a b, c d e}",
    "bd? sn?0.3 [hh|cp|oh]*2",
    "[a b c]/1.5",
    "a _ b@1.5 c!2",
    "<a b>(<3 5>,8,<0 2>)",
    "~ a [b ~ c]*2",
    "[a b]*<1.5 2.5> <c d e>/3",
    "{a b c d e}%<3 5>?",
    "bd(<3 5>,<8 16>) [~x ~y]*3?",
    "a/3 . b*2 c . [d|e]/2",
};

static uint64_t lcg = 0x9e3779b97f4a7c15u;
static uint64_t next_rand(void)
{
    lcg = lcg * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return lcg >> 33;
}

static int cmp_rat(const void *a, const void *b) { return bb_rat_cmp(*(const bb_rat *)a, *(const bb_rat *)b); }

/* onset events of p over the split points cuts[0..n) (first 0, last 8) */
static void onsets_over_split(const bb_pat *p, const bb_rat *cuts, size_t n, bb_haps *out)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (bb_rat_eq(cuts[i], cuts[i + 1])) continue;
        bb_arena_reset(&scratch);
        cr_assert(bb_pat_query_onsets(p, cuts[i], cuts[i + 1], &scratch, out) == BB_OK);
    }
    bb_arena_reset(&scratch);
    cr_assert(bb_haps_sort(out, &scratch) == BB_OK);
}

static void expect_same_events(const bb_haps *a, const bb_haps *b, const char *pat, const char *how)
{
    cr_assert_eq(a->n, b->n, "\"%s\" %s: %zu events, whole query %zu", pat, how, b->n, a->n);
    for (size_t i = 0; i < a->n; i++) {
        char x[128], y[128];
        cr_assert(bb_hap_cmp(&a->v[i], &b->v[i]) == 0, "\"%s\" %s: event %zu is %s, whole query has %s", pat, how, i,
                  bb_hap_fmt(&b->v[i], y, sizeof y), bb_hap_fmt(&a->v[i], x, sizeof x));
    }
}

Test(pat, query_equals_the_union_of_any_split)
{
    bb_haps whole, split;
    bb_haps_init(&whole);
    bb_haps_init(&split);
    for (size_t k = 0; k < sizeof split_patterns / sizeof split_patterns[0]; k++) {
        bb_pat *p = mini(split_patterns[k]);
        bb_haps_clear(&whole);
        bb_arena_reset(&scratch);
        cr_assert(bb_pat_query_onsets(p, Q(0, 1), Q(8, 1), &scratch, &whole) == BB_OK);
        cr_assert(whole.n > 0, "\"%s\" has no events", split_patterns[k]);
        bb_rat cuts[64];
        for (int c = 0; c <= 8; c++) cuts[c] = Q(c, 1);
        bb_haps_clear(&split);
        onsets_over_split(p, cuts, 9, &split);
        expect_same_events(&whole, &split, split_patterns[k], "by cycles");
        for (int trial = 0; trial < 40; trial++) {
            size_t n = 2 + next_rand() % 40;
            cuts[0] = Q(0, 1);
            cuts[1] = Q(8, 1);
            for (size_t c = 2; c < n; c++) {
                int64_t d = 1 + (int64_t)(next_rand() % 24);
                cuts[c] = Q((int64_t)(next_rand() % (uint64_t)(8 * d + 1)), d);
            }
            qsort(cuts, n, sizeof cuts[0], cmp_rat);
            bb_haps_clear(&split);
            onsets_over_split(p, cuts, n, &split);
            char how[32];
            snprintf(how, sizeof how, "split trial %d", trial);
            expect_same_events(&whole, &split, split_patterns[k], how);
        }
    }
    bb_haps_free(&whole);
    bb_haps_free(&split);
}

Test(pat, transformed_patterns_equal_the_union_of_any_split)
{
    bb_pat *ps[5];
    cr_assert(bb_pat_rev(&own, mini("a b [c d]*1.5 <e f>"), &ps[0]) == BB_OK);
    cr_assert(bb_pat_stut(&own, mini("a b*<2 3>"), 3, Q(1, 3), 0.5, &ps[1]) == BB_OK);
    cr_assert(bb_pat_fast(&own, mini("a b c"), mini("<1 2 1.5> -1"), &ps[2]) == BB_OK);
    cr_assert(bb_pat_rotl(&own, mini("a(3,8) b?"), Q(1, 3), &ps[3]) == BB_OK);
    cr_assert(bb_pat_slow(&own, ps[0], mini("1.5 <2 3>"), &ps[4]) == BB_OK);
    bb_haps whole, split;
    bb_haps_init(&whole);
    bb_haps_init(&split);
    for (int k = 0; k < 5; k++) {
        bb_haps_clear(&whole);
        bb_arena_reset(&scratch);
        cr_assert(bb_pat_query_onsets(ps[k], Q(0, 1), Q(8, 1), &scratch, &whole) == BB_OK);
        cr_assert(whole.n > 0);
        for (int trial = 0; trial < 40; trial++) {
            bb_rat cuts[40];
            size_t n = 2 + next_rand() % 38;
            cuts[0] = Q(0, 1);
            cuts[1] = Q(8, 1);
            for (size_t c = 2; c < n; c++) {
                int64_t d = 1 + (int64_t)(next_rand() % 24);
                cuts[c] = Q((int64_t)(next_rand() % (uint64_t)(8 * d + 1)), d);
            }
            qsort(cuts, n, sizeof cuts[0], cmp_rat);
            bb_haps_clear(&split);
            onsets_over_split(ps[k], cuts, n, &split);
            char what[32];
            snprintf(what, sizeof what, "transform %d", k);
            expect_same_events(&whole, &split, what, "random split");
        }
    }
    bb_haps_free(&whole);
    bb_haps_free(&split);
}

/* ---- memory and threads ------------------------------------------------------------------- */

Test(pat, repeated_queries_reach_a_steady_state_without_allocation)
{
    bb_pat *p = mini("bd*<2 3> [sn|cp](3,8,<0 2>) hh? {a b c}%4 <c'maj e'min7>/2");
    uint64_t before = 0;
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1) before = bb_alloc_snapshot().allocs;
        for (int64_t k = 0; k < 16; k++) {
            bb_arena_reset(&scratch);
            bb_haps_clear(&haps);
            cr_assert(bb_pat_query(p, Q(k, 1), Q(k + 1, 1), &scratch, &haps) == BB_OK);
            cr_assert(bb_haps_sort(&haps, &scratch) == BB_OK);
        }
    }
    cr_expect_eq(bb_alloc_snapshot().allocs, before, "steady-state queries allocated %llu times",
                 (unsigned long long)(bb_alloc_snapshot().allocs - before));
}

struct worker {
    const bb_pat *p;
    const char *want;
    int ok;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    bb_arena ar;
    bb_arena_init(&ar);
    bb_haps h;
    bb_haps_init(&h);
    w->ok = 1;
    for (int rep = 0; rep < 20 && w->ok; rep++) {
        char got[8192] = "";
        bb_arena_reset(&ar);
        bb_haps_clear(&h);
        if (bb_pat_query_onsets(w->p, Q(0, 1), Q(16, 1), &ar, &h) != BB_OK) w->ok = 0;
        for (size_t i = 0; i < h.n; i++) {
            char line[128];
            if (i) strncat(got, "|", sizeof got - strlen(got) - 1);
            strncat(got, bb_hap_fmt(&h.v[i], line, sizeof line), sizeof got - strlen(got) - 1);
        }
        if (strcmp(got, w->want)) w->ok = 0;
    }
    bb_haps_free(&h);
    bb_arena_free(&ar);
    return NULL;
}

Test(pat, concurrent_queries_of_one_pattern_agree)
{
    bb_pat *p = mini("bd(3,8,<0 2>) [sn|cp]? <a b>*<2 3>");
    char want[8192];
    snprintf(want, sizeof want, "%s", onsets(p, Q(0, 1), Q(16, 1)));
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){p, want, 0};
        cr_assert(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_expect(w[i].ok, "thread %d saw different events", i);
    }
}
