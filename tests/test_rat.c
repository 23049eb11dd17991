/* test_rat.c - Criterion suite "rat": exact rational time (bb_rat).
 *
 * Expectations are worked out by hand: reduced forms, floor/ceil of negative
 * values, exact decimal parsing (the tempo example 0.5625 = 9/16), and overflow
 * that must surface as the invalid value plus the sticky per-thread flag, never
 * as a wrapped number. */
#include <criterion/criterion.h>

#include "bb_rat.h"

#include <stdint.h>
#include <string.h>

static void expect_rat(bb_rat got, int64_t num, int64_t den)
{
    cr_expect(got.num == num && got.den == den, "got %lld/%lld, want %lld/%lld", (long long)got.num,
              (long long)got.den, (long long)num, (long long)den);
}

Test(rat, make_reduces_and_normalises_sign)
{
    expect_rat(bb_rat_make(6, 8), 3, 4);
    expect_rat(bb_rat_make(-6, 8), -3, 4);
    expect_rat(bb_rat_make(6, -8), -3, 4);
    expect_rat(bb_rat_make(-6, -8), 3, 4);
    expect_rat(bb_rat_make(0, -5), 0, 1);
    expect_rat(bb_rat_make(7, 1), 7, 1);
}

Test(rat, make_with_zero_denominator_is_invalid)
{
    bb_rat_clear_overflow();
    bb_rat r = bb_rat_make(1, 0);
    cr_expect(!bb_rat_valid(r));
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
}

Test(rat, add_sub_mul_div_are_exact_and_reduced)
{
    bb_rat a = bb_rat_make(1, 6), b = bb_rat_make(1, 3);
    expect_rat(bb_rat_add(a, b), 1, 2);
    expect_rat(bb_rat_sub(a, b), -1, 6);
    expect_rat(bb_rat_mul(a, b), 1, 18);
    expect_rat(bb_rat_div(a, b), 1, 2);
    expect_rat(bb_rat_add(bb_rat_make(3, 8), bb_rat_make(5, 8)), 1, 1);
    expect_rat(bb_rat_neg(bb_rat_make(2, 3)), -2, 3);
}

Test(rat, division_by_zero_is_invalid)
{
    bb_rat_clear_overflow();
    cr_expect(!bb_rat_valid(bb_rat_div(bb_rat_int(1), bb_rat_int(0))));
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
}

Test(rat, compare_orders_values)
{
    cr_expect(bb_rat_cmp(bb_rat_make(1, 3), bb_rat_make(1, 2)) < 0);
    cr_expect(bb_rat_cmp(bb_rat_make(2, 4), bb_rat_make(1, 2)) == 0);
    cr_expect(bb_rat_cmp(bb_rat_make(-1, 2), bb_rat_make(-2, 3)) > 0);
    cr_expect(bb_rat_lt(bb_rat_int(-1), bb_rat_int(0)));
    cr_expect(bb_rat_le(bb_rat_int(0), bb_rat_int(0)));
    expect_rat(bb_rat_min(bb_rat_make(1, 3), bb_rat_make(1, 4)), 1, 4);
    expect_rat(bb_rat_max(bb_rat_make(1, 3), bb_rat_make(1, 4)), 1, 3);
}

Test(rat, compare_large_values_without_overflow)
{
    /* cross products need 128 bits: (2^62-1)/(2^62) vs (2^62-2)/(2^62-1) */
    bb_rat a = bb_rat_make(INT64_C(4611686018427387903), INT64_C(4611686018427387904));
    bb_rat b = bb_rat_make(INT64_C(4611686018427387902), INT64_C(4611686018427387903));
    bb_rat_clear_overflow();
    cr_expect(bb_rat_cmp(a, b) > 0);
    cr_expect(!bb_rat_overflowed());
}

Test(rat, floor_and_ceil_handle_negatives)
{
    cr_expect(bb_rat_floor(bb_rat_make(7, 2)) == 3);
    cr_expect(bb_rat_ceil(bb_rat_make(7, 2)) == 4);
    cr_expect(bb_rat_floor(bb_rat_make(-7, 2)) == -4);
    cr_expect(bb_rat_ceil(bb_rat_make(-7, 2)) == -3);
    cr_expect(bb_rat_floor(bb_rat_int(-3)) == -3);
    cr_expect(bb_rat_ceil(bb_rat_int(-3)) == -3);
}

Test(rat, sam_next_sam_and_cycle_pos)
{
    expect_rat(bb_rat_sam(bb_rat_make(7, 4)), 1, 1);
    expect_rat(bb_rat_next_sam(bb_rat_make(7, 4)), 2, 1);
    expect_rat(bb_rat_cycle_pos(bb_rat_make(7, 4)), 3, 4);
    expect_rat(bb_rat_sam(bb_rat_make(-1, 4)), -1, 1);
    expect_rat(bb_rat_cycle_pos(bb_rat_make(-1, 4)), 3, 4);
    expect_rat(bb_rat_next_sam(bb_rat_int(2)), 3, 1);
}

Test(rat, parse_decimal_is_exact)
{
    bb_rat r;
    cr_assert(bb_rat_parse_decimal("0.5625", 6, &r));
    expect_rat(r, 9, 16);
    cr_assert(bb_rat_parse_decimal("1.5", 3, &r));
    expect_rat(r, 3, 2);
    cr_assert(bb_rat_parse_decimal("-0.25", 5, &r));
    expect_rat(r, -1, 4);
    cr_assert(bb_rat_parse_decimal("120", 3, &r));
    expect_rat(r, 120, 1);
    cr_assert(bb_rat_parse_decimal("0.1", 3, &r));
    expect_rat(r, 1, 10);
}

Test(rat, parse_decimal_uses_only_len_bytes)
{
    bb_rat r;
    cr_assert(bb_rat_parse_decimal("2.5xyz", 3, &r));
    expect_rat(r, 5, 2);
}

Test(rat, parse_decimal_rejects_non_literals)
{
    bb_rat r;
    const char *bad[] = {"", "-", ".", "1.2.3", "abc", "1e3", "0x10", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(!bb_rat_parse_decimal(bad[i], strlen(bad[i]), &r), "'%s' accepted", bad[i]);
}

Test(rat, parse_decimal_rejects_values_that_do_not_fit)
{
    bb_rat r;
    const char *big = "123456789012345678901234567890";
    cr_expect(!bb_rat_parse_decimal(big, strlen(big), &r));
}

Test(rat, multiplying_huge_values_overflows_without_wrapping)
{
    bb_rat_clear_overflow();
    bb_rat big = bb_rat_int(INT64_C(4000000000000000000));
    bb_rat r = bb_rat_mul(big, big);
    cr_expect(!bb_rat_valid(r));
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
    cr_expect(!bb_rat_overflowed());
}

Test(rat, huge_denominators_overflow_on_addition)
{
    bb_rat_clear_overflow();
    bb_rat a = bb_rat_make(1, INT64_C(4611686018427387847)); /* coprime denominators near 2^62: */
    bb_rat b = bb_rat_make(1, INT64_C(4611686018427387817)); /* the sum needs ~2^124 */
    cr_expect(!bb_rat_valid(bb_rat_add(a, b)));
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
}

Test(rat, products_that_reduce_back_into_range_are_fine)
{
    bb_rat_clear_overflow();
    bb_rat a = bb_rat_make(INT64_C(4000000000000000000), 3);
    bb_rat b = bb_rat_make(3, INT64_C(4000000000000000000));
    expect_rat(bb_rat_mul(a, b), 1, 1);
    cr_expect(!bb_rat_overflowed());
}

Test(rat, invalid_values_propagate)
{
    bb_rat_clear_overflow();
    bb_rat inv = BB_RAT_INVALID;
    cr_expect(!bb_rat_valid(bb_rat_add(inv, bb_rat_int(1))));
    cr_expect(!bb_rat_valid(bb_rat_mul(bb_rat_int(2), inv)));
    cr_expect(!bb_rat_valid(bb_rat_neg(inv)));
    cr_expect(bb_rat_overflowed());
    bb_rat_clear_overflow();
}

Test(rat, int64_min_is_never_a_numerator)
{
    bb_rat_clear_overflow();
    cr_expect(!bb_rat_valid(bb_rat_make(INT64_MIN, 1)));
    cr_expect(!bb_rat_valid(bb_rat_sub(bb_rat_int(-INT64_MAX), bb_rat_int(1))));
    bb_rat_clear_overflow();
}

Test(rat, format_gives_integers_and_fractions)
{
    char buf[48];
    cr_expect_str_eq(bb_rat_fmt(bb_rat_int(0), buf, sizeof buf), "0");
    cr_expect_str_eq(bb_rat_fmt(bb_rat_make(3, 8), buf, sizeof buf), "3/8");
    cr_expect_str_eq(bb_rat_fmt(bb_rat_make(17, 2), buf, sizeof buf), "17/2");
    cr_expect_str_eq(bb_rat_fmt(bb_rat_make(-5, 4), buf, sizeof buf), "-5/4");
    cr_expect_str_eq(bb_rat_fmt(BB_RAT_INVALID, buf, sizeof buf), "invalid");
}

Test(rat, to_double_is_for_display)
{
    cr_expect(bb_rat_to_double(bb_rat_make(3, 8)) == 0.375);
    cr_expect(bb_rat_to_double(BB_RAT_INVALID) == 0.0);
}
