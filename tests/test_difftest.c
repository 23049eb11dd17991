/* test_difftest.c - generated programs against serial (tests/difftest), in make test.
 *
 * A fixed seed and enough programs to cover every construct of the generator
 * at least once (the coverage table is printed), every strategy and
 * composition at threads 1, 2, 3 and blocks 1, 64, 512; the kept corpus of
 * reduced failures; and proof that the checker and the reducer can fail: each
 * canary is found on generated programs and reduced to a small program that
 * still shows it. `make difftest` runs the long campaign. */
#include "bb_difftest.h"
#include "bb_testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

enum {
    DT_SEED = 18,          /* the fixed campaign of make test: ... */
    DT_PROGRAMS_MIN = 16,  /* ... at least this many programs, and more until every construct */
    DT_PROGRAMS_MAX = 64,  /* is covered (asserted) or this many */
    DT_CANARY_SEED = 2,    /* the canaries are looked for among this seed's first ... */
    DT_CANARY_TRIES = 60   /* ... programs */
};

TestSuite(difftest, .init = tu_watchdog);

static char *case_text(uint64_t seed, uint64_t index)
{
    bb_gen_case c;
    cr_assert_eq(bb_gen_case_make(&c, seed, index), 0);
    char *s = bb_gen_print(c.prog);
    bb_gen_case_free(&c);
    cr_assert_not_null(s);
    return s;
}

Test(difftest, generator_is_reproducible_by_seed_and_index)
{
    char *a = case_text(5, 3), *b = case_text(5, 3), *c = case_text(5, 4), *d = case_text(6, 3);
    cr_expect_str_eq(a, b);
    cr_expect_str_neq(a, c);
    cr_expect_str_neq(a, d);
    free(a), free(b), free(c), free(d);
}

Test(difftest, fixed_seed_covers_the_language_and_matches_serial, .timeout = 0)
{
    const char *tmp = tu_tmpdir("difftest");
    bb_dt_matrix m;
    cr_assert_eq(bb_difftest_matrix_default(&m), 0);
    uint64_t cov[BB_GT_COUNT] = {0}, renders = 0, i, missing = BB_GT_COUNT;
    for (i = 0; i < DT_PROGRAMS_MAX && (i < DT_PROGRAMS_MIN || missing); i++) {
        bb_gen_case c;
        cr_assert_eq(bb_gen_case_make(&c, DT_SEED, i), 0);
        bb_gen_case_coverage(&c, cov);
        bb_dt_result r;
        bb_dt_verdict v = bb_difftest_run(&c, &m, tmp, &r);
        renders += r.renders;
        char *src = bb_gen_print(c.prog);
        char cfg[160];
        cr_assert_eq(v, BB_DT_SAME, "program %d/%llu under %s: %s\n%s", DT_SEED, (unsigned long long)i,
                     bb_difftest_config_str(&r.config, false, cfg, sizeof cfg), r.msg, src);
        free(src);
        bb_gen_case_free(&c);
        missing = 0;
        for (int t = 0; t < BB_GT_COUNT; t++) missing += cov[t] == 0;
    }
    printf("difftest: seed %d, %llu programs, %zu configurations, %llu renders: every one matched serial\n", DT_SEED,
           (unsigned long long)i, m.n, (unsigned long long)renders);
    for (int t = 0; t < BB_GT_COUNT; t++) printf("  %-42s %6llu\n", bb_gen_tag_name((bb_gen_tag)t), (unsigned long long)cov[t]);
    for (int t = 0; t < BB_GT_COUNT; t++)
        cr_expect(cov[t] > 0, "construct '%s' not covered by %d programs of seed %d", bb_gen_tag_name((bb_gen_tag)t),
                  DT_PROGRAMS_MAX, DT_SEED);
    bb_difftest_matrix_free(&m);
}

Test(difftest, corpus_cases_match_serial, .timeout = 0)
{
    const char *dir = "tests/difftest/corpus", *tmp = tu_tmpdir("difftest-corpus");
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s: run the tests from the repository root", dir);
    bb_dt_matrix m;
    cr_assert_eq(bb_difftest_matrix_default(&m), 0);
    int cases = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt")) continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
        bb_gen_case c;
        cr_assert_eq(bb_difftest_load(&c, dir, name), 0, "%s/%s: .ph and .txt", dir, name);
        bb_dt_result r;
        char cfg[160];
        cr_expect_eq(bb_difftest_run(&c, &m, tmp, &r), BB_DT_SAME, "%s/%s under %s: %s", dir, name,
                     bb_difftest_config_str(&r.config, false, cfg, sizeof cfg), r.msg);
        bb_gen_case_free(&c);
        cases++;
    }
    closedir(d);
    cr_expect(cases >= 2, "the corpus holds its cases (%d found)", cases);
    bb_difftest_matrix_free(&m);
}

static size_t lines_of(const bb_gnode *t)
{
    char *s = bb_gen_print(t);
    size_t n = 0;
    for (const char *p = s; p && *p; p++) n += *p == '\n';
    free(s);
    return n;
}

/* Each canary is found among the first DT_CANARY_TRIES programs of a seed and reduced to a
   program of a few lines that still shows it under the same configuration. */
typedef struct canary_name {
    char name[32]; /* by value: the test runs in another process */
} canary_name;

ParameterizedTestParameters(difftest, canary_is_found_and_reduced)
{
    static canary_name c[] = {{"canary-stale"}, {"canary-key"}, {"canary-order"}, {"canary-reload"}, {"canary-lanes"}};
    return cr_make_param_array(canary_name, c, sizeof c / sizeof c[0]);
}

ParameterizedTest(canary_name *cn, difftest, canary_is_found_and_reduced, .timeout = 0)
{
    const char *const *canary = (const char *const[]){cn->name};
    const char *tmp = tu_tmpdir("difftest-canary");
    static const int threads[] = {2};
    static const size_t blocks[] = {64};
    bb_dt_matrix m = {0};
    cr_assert_eq(bb_difftest_matrix_of(&m, *canary, threads, 1, blocks, 1), 0);
    bool found = false;
    for (uint64_t i = 0; i < DT_CANARY_TRIES && !found; i++) {
        bb_gen_case c;
        cr_assert_eq(bb_gen_case_make(&c, DT_CANARY_SEED, i), 0);
        bb_dt_result r;
        bb_dt_verdict v = bb_difftest_run(&c, &m, tmp, &r);
        cr_assert_neq(v, BB_DT_INVALID, "program %d/%llu: %s", DT_CANARY_SEED, (unsigned long long)i, r.msg);
        if (v == BB_DT_DIFFERS) {
            found = true;
            size_t before = lines_of(c.prog), kept = bb_difftest_reduce(&c, &r, tmp);
            bb_dt_result again;
            cr_expect_eq(bb_difftest_run(&c, &m, tmp, &again), BB_DT_DIFFERS, "the reduced program still shows %s", *canary);
            size_t after = lines_of(c.prog);
            char *s = bb_gen_print(c.prog);
            printf("difftest: %s found by program %d/%llu (%zu lines), reduced in %zu steps to %zu lines:\n%s", *canary, DT_CANARY_SEED,
                   (unsigned long long)i, before, kept, after, s);
            cr_expect(after <= 4 && after <= before, "%s: reduced to %zu lines:\n%s", *canary, after, s);
            free(s);
        }
        bb_gen_case_free(&c);
    }
    cr_expect(found, "%s is found within %d generated programs", *canary, DT_CANARY_TRIES);
    bb_difftest_matrix_free(&m);
}
