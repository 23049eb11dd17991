/* test_shard.c - Criterion suite "shard": the slices of the bench's matrix
 * (bb_shard). --shard I/N and slurm/N are parsed or refused with a reason;
 * the assignment gives every group exactly one shard, is the same every time,
 * and is balanced within the greedy bound; on small hand-counted costs it is
 * exactly the documented greedy (ties by index, then to the lowest shard);
 * every refusal's message is whole; out of memory it fails cleanly. The end-to-end property (shards
 * merged = the unsharded run) is in suite merge. */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_shard.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

Test(shard, parses_i_of_n_and_refuses_the_rest)
{
    bb_shard s = {0, 0};
    bb_error err;
    cr_assert(bb_shard_parse("2/3", &s, &err) == BB_OK && s.index == 2 && s.count == 3);
    cr_assert(bb_shard_parse("1/1", &s, &err) == BB_OK && s.index == 1 && s.count == 1);
    static const char *const bad[] = {"0/3", "4/3", "a/3", "3", "1/0", "-1/3", "1/3x", "/3", "1/", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = (bb_shard){7, 7};
        cr_assert(bb_shard_parse(bad[i], &s, &err) == BB_ERR_ARG, "'%s' refused", bad[i]);
        cr_assert(s.index == 7 && s.count == 7, "'%s' leaves the shard alone", bad[i]);
        cr_assert(strstr(err.msg, "I/N") || strstr(err.msg, "1 <= I"), "'%s' says what is expected: %s", bad[i], err.msg);
    }
}

Test(shard, slurm_takes_the_index_from_the_array_task)
{
    bb_shard s;
    bb_error err;
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_ID");
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG && strstr(err.msg, "SLURM_ARRAY_TASK_ID"), "%s", err.msg);
    setenv("SLURM_ARRAY_TASK_ID", "3", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_OK && s.index == 3 && s.count == 4, "--array=1-4: task 3 is 3/4");
    setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_OK && s.index == 4, "--array=0-3: task 3 is 4/4");
    setenv("SLURM_ARRAY_TASK_ID", "4", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG && strstr(err.msg, "--array"), "beyond the shards: %s", err.msg);
    setenv("SLURM_ARRAY_TASK_ID", "x", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG);
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_ID");
}

Test(shard, every_group_in_exactly_one_shard_balanced_and_repeatable)
{
    enum { N = 37 };
    double cost[N], load[5], load2[5];
    int owner[N], owner2[N];
    double total = 0, biggest = 0;
    for (int i = 0; i < N; i++) {
        cost[i] = (double)((i * 7919) % 23 + 1) * 1000; /* uneven, with ties */
        total += cost[i];
        if (cost[i] > biggest) biggest = cost[i];
    }
    for (int count = 1; count <= 5; count++) {
        cr_assert(bb_shard_assign(cost, N, count, owner, load) == 0);
        cr_assert(bb_shard_assign(cost, N, count, owner2, load2) == 0);
        cr_assert(!memcmp(owner, owner2, sizeof owner), "the same costs give the same shards");
        double sum[5] = {0};
        for (int i = 0; i < N; i++) {
            cr_assert(owner[i] >= 1 && owner[i] <= count, "group %d has one shard of 1..%d, got %d", i, count, owner[i]);
            sum[owner[i] - 1] += cost[i];
        }
        double mean = total / count;
        for (int s = 0; s < count; s++) {
            cr_assert(sum[s] == load[s], "the loads reported are the groups' costs");
            cr_assert(sum[s] < mean + biggest, "shard %d/%d: %g is within the greedy bound (mean %g + largest %g)", s + 1,
                      count, sum[s], mean, biggest);
        }
    }
    cr_assert(bb_shard_assign(cost, N, 0, owner, NULL) == -1, "no shards: refused");
}

/* Out of memory, either allocation (the order, then the loads): -1, nothing assigned, nothing
 * leaked; the next call, with memory, assigns. */
Test(shard, the_assignment_fails_cleanly_without_memory)
{
    const double cost[3] = {3, 1, 2};
    for (uint64_t nth = 1; nth <= 2; nth++) {
        int owner[3] = {0, 0, 0};
        bb_alloc_stats s0 = bb_alloc_snapshot();
        bb_alloc_fail_at(nth);
        int rc = bb_shard_assign(cost, 3, 2, owner, NULL);
        bb_alloc_fail_at(0);
        bb_alloc_stats s1 = bb_alloc_snapshot();
        cr_expect_eq(rc, -1, "allocation %llu fails: -1", (unsigned long long)nth);
        cr_expect(owner[0] == 0 && owner[1] == 0 && owner[2] == 0, "allocation %llu fails: nothing assigned",
                  (unsigned long long)nth);
        cr_expect_eq(s1.allocs - s1.frees, s0.allocs - s0.frees, "allocation %llu fails: nothing leaked",
                     (unsigned long long)nth);
    }
    int owner[3];
    cr_expect_eq(bb_shard_assign(cost, 3, 2, owner, NULL), 0);
    cr_expect(owner[0] == 1 && owner[1] == 2 && owner[2] == 2, "3 to shard 1, then 2 and 1 to shard 2");
}

/* The assignment by hand: costs descending, ties by index; each to the least loaded shard, ties to
 * the lowest. {3,1,2,2,1} on 2: 0 -> 1 (3,0), 2 -> 2 (3,2), 3 -> 2 (3,4), 1 -> 1 (4,4), 4 -> 1 (5,4).
 * {1,1,1} on 2: 1, 2, then the tie to 1. {1,1} on 3: the first index first, shard 3 empty. */
Test(shard, the_greedy_assignment_is_exactly_the_hand_counted_one)
{
    static const struct {
        double cost[5];
        size_t n;
        int count, owner[5];
        double load[3];
    } cases[] = {{{3, 1, 2, 2, 1}, 5, 2, {1, 1, 2, 2, 1}, {5, 4}},
                 {{1, 1, 1}, 3, 2, {1, 2, 1}, {2, 1}},
                 {{1, 1}, 2, 3, {1, 2}, {1, 1, 0}},
                 {{1, 4}, 2, 2, {2, 1}, {4, 1}}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int owner[5] = {0};
        double load[3] = {-1, -1, -1};
        cr_assert(bb_shard_assign(cases[c].cost, cases[c].n, cases[c].count, owner, load) == 0);
        for (size_t i = 0; i < cases[c].n; i++)
            cr_expect_eq(owner[i], cases[c].owner[i], "case %zu: group %zu on shard %d, got %d", c, i, cases[c].owner[i], owner[i]);
        for (int s = 0; s < cases[c].count; s++)
            cr_expect(load[s] == cases[c].load[s], "case %zu: shard %d load %g, got %g", c, s + 1, cases[c].load[s], load[s]);
    }
}

/* Each refusal's message whole, and the largest count taken. */
Test(shard, refusals_say_exactly_what_is_expected)
{
    bb_shard s;
    bb_error err;
    char arg[32], want[160];
    snprintf(arg, sizeof arg, "%d/%d", BB_SHARD_MAX, BB_SHARD_MAX);
    cr_assert(bb_shard_parse(arg, &s, &err) == BB_OK && s.index == BB_SHARD_MAX && s.count == BB_SHARD_MAX, "%s", arg);
    snprintf(arg, sizeof arg, "1/%d", BB_SHARD_MAX + 1);
    cr_assert(bb_shard_parse(arg, &s, &err) == BB_ERR_ARG);
    snprintf(want, sizeof want, "bad value '%s' (expected I/N or slurm/N, 1 <= I <= N <= %d)", arg, BB_SHARD_MAX);
    cr_expect_str_eq(err.msg, want);
    cr_assert(bb_shard_parse("0/3", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "bad value '0/3' (expected I/N with 1 <= I <= N)");
    cr_assert(bb_shard_parse("4/3", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "bad value '4/3' (expected I/N with 1 <= I <= N)");
    cr_assert(bb_shard_parse("3/3", &s, &err) == BB_OK && s.index == 3);
    /* 63 characters fit the parser's buffer (1/3 with the count's leading zeros); 64 are too long */
    char lng[80];
    snprintf(lng, sizeof lng, "1/%060d3", 0);
    cr_assert(strlen(lng) == 63 && bb_shard_parse(lng, &s, &err) == BB_OK && s.index == 1 && s.count == 3, "%s", err.msg);
    snprintf(lng, sizeof lng, "1/%061d3", 0);
    cr_assert(strlen(lng) == 64 && bb_shard_parse(lng, &s, &err) == BB_ERR_ARG);
    snprintf(want, sizeof want, "'%.40s...' is too long (expected I/N or slurm/N)", lng);
    cr_expect_str_eq(err.msg, want);
    unsetenv("SLURM_ARRAY_TASK_MIN");
    setenv("SLURM_ARRAY_TASK_ID", "5", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "--shard slurm/4: task 5 of an array starting at 1 is not one of the 4 shards (use --array=1-4)");
    setenv("SLURM_ARRAY_TASK_ID", "0", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "--shard slurm/4: task 0 of an array starting at 1 is not one of the 4 shards (use --array=1-4)");
    setenv("SLURM_ARRAY_TASK_ID", "x", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "--shard slurm/4: SLURM_ARRAY_TASK_ID is not a number (run it as a Slurm job array task)");
    setenv("SLURM_ARRAY_TASK_ID", "2", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "y", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_ERR_ARG);
    cr_expect_str_eq(err.msg, "SLURM_ARRAY_TASK_MIN 'y' is not a number");
    setenv("SLURM_ARRAY_TASK_MIN", "", 1);
    cr_assert(bb_shard_parse("slurm/4", &s, &err) == BB_OK && s.index == 2, "an empty minimum is 1");
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_ID");
}
