/* test_docs.c - the examples of docs/language.md render, and every strategy agrees on them;
 * the worked example of docs/strategies.md builds as a new strategy and verifies.
 *
 * Every fenced block marked `ph` in docs/language.md is a whole program: it must parse,
 * compile and render (2 cycles at 8 kHz) under serial, and `all` at 2 threads must give
 * the same bytes, so the page cannot show a program the engine refuses or renders two ways.
 * docs/strategies.md's `c variants/NAME.c` block and its registry line go into a copy of the
 * tree, and nothing else (tests/docs/strategy-example.sh: the unmodified Makefile, then
 * busbench verify of NAME against the goldens, and verify's default list): the page cannot
 * show a strategy that does not build, or a step that is not the only one. */
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <criterion/criterion.h>
#include <string.h>

enum { DOC_EXAMPLES_MIN = 8 };

TestSuite(docs, .init = tu_watchdog);

Test(docs, every_language_example_renders_the_same_under_every_strategy)
{
    size_t n;
    char *doc = tu_slurp("docs/language.md", &n);
    cr_assert_not_null(doc, "docs/language.md: run the tests from the repository root");
    int examples = 0;
    for (char *p = doc; (p = strstr(p, "```ph\n"));) {
        char *src = p + 6, *end = strstr(src, "```");
        cr_assert_not_null(end, "an unterminated ph block");
        *end = '\0';
        tu_cfg serial = {.strategy = "serial", .cycles = 2}, all = {.strategy = "all", .threads = 2, .cycles = 2};
        tu_out a, b;
        tu_render(src, &serial, &a);
        cr_assert_eq(a.res, BB_OK, "example %d does not render: %s\n%s", examples + 1, a.msg, src);
        tu_render(src, &all, &b);
        cr_assert_eq(b.res, BB_OK, "example %d under all: %s", examples + 1, b.msg);
        cr_expect_eq(tu_first_diff(a.x, a.n, b.x, b.n), -1, "example %d: all differs from serial\n%s", examples + 1, src);
        cr_expect_gt(tu_rms(a.x, a.n), 0.0, "example %d is silent\n%s", examples + 1, src);
        tu_free(&a);
        tu_free(&b);
        examples++;
        p = end + 3;
    }
    cr_expect_geq(examples, DOC_EXAMPLES_MIN, "docs/language.md holds its examples (%d found)", examples);
    free(doc);
}

Test(docs, the_strategy_example_builds_from_one_file_and_one_registry_line, .timeout = 600)
{
    char dir[] = "/tmp/bb-docs.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/example.log", dir);
    int rc = tu_sh("tests/docs/strategy-example.sh > %s 2>&1", log);
    size_t n;
    char *out = tu_slurp(log, &n);
    cr_assert_not_null(out);
    cr_assert_eq(rc, 0, "tests/docs/strategy-example.sh failed (exit %d):\n%s", rc, n > 4000 ? out + n - 4000 : out);
    /* verify rendered the corpus under the new strategy, and every render was bit-identical */
    const char *sum = strstr(out, "\nverify: ");
    cr_assert_not_null(sum, "verify's summary:\n%s", out);
    unsigned nw = 0, ncomb = 0, pass = 0, failed = 1;
    /* "verify: 10 workloads of DIR, 40 combinations: 40 passed, 0 failed" */
    cr_assert_eq(sscanf(sum, "\nverify: %u workloads of %*s %u combinations: %u passed, %u failed", &nw, &ncomb, &pass, &failed),
                 4, "%.200s", sum);
    cr_expect(nw >= 10 && ncomb >= 2 * nw && pass == ncomb && failed == 0, "%u workloads, %u combinations, %u passed, %u failed",
              nw, ncomb, pass, failed);
    cr_expect_not_null(strstr(out, "is built, listed, in verify's default list and bit-identical to serial"));
    free(out);
    tu_rm_rf(dir);
}
