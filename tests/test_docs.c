/* test_docs.c - the examples of docs/language.md render, and every strategy agrees on them.
 *
 * Every fenced block marked `ph` in docs/language.md is a whole program: it must parse,
 * compile and render (2 cycles at 8 kHz) under serial, and `all` at 2 threads must give
 * the same bytes, so the page cannot show a program the engine refuses or renders two ways. */
#include "bb_testutil.h"

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
