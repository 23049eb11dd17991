/* test_anchors.c - Criterion suite "anchors": the table that `busbench report
 * --anchors FILE` builds from the hyperfine JSON of `make bench-anchors`.
 *
 * The benchmark itself (Csound, scsynth, Faust, hyperfine) is not a test: it
 * needs those programs and a quiet machine. What is tested is busbench's side:
 * a good export gives one row per command with the right ratios (worked out by
 * hand below), a missing reference gives n/a rather than a wrong ratio, and a
 * bad export is refused with the file and the result named. */
#include <criterion/criterion.h>

#include "bb_anchors.h"
#include "bb_testutil.h"

#include <string.h>

static char *md_of(const bb_anchors *a)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert(f);
    bb_anchors_md(f, a);
    fclose(f);
    return buf;
}

Test(anchors, table_and_ratios)
{
    /* csound 0.2 s, serial 0.05 s, plain-c 0.04 s: plain-c is 0.20 x Csound and 0.80 x serial */
    const char *p = tu_tmpfile(
        "{\"results\": ["
        "{\"command\": \"csound\", \"median\": 0.2, \"min\": 0.19, \"max\": 0.25, \"user\": 0.15, \"system\": 0.03,"
        " \"times\": [0.2, 0.19, 0.25]},"
        "{\"command\": \"busbench-serial\", \"median\": 0.05, \"min\": 0.05, \"max\": 0.06, \"times\": [0.05, 0.06]},"
        "{\"command\": \"plain-c\", \"median\": 0.04}]}");
    bb_anchors a;
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_anchors_read(p, &a, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(a.n, 3);
    char *md = md_of(&a);
    cr_assert(strstr(md, "| csound | 200.0 | 1.00 | 4.00 | 190.0-250.0 | 180.0 | 3 |"), "%s", md);
    cr_assert(strstr(md, "| busbench-serial | 50.0 | 0.25 | 1.00 | 50.0-60.0 | n/a | 2 |"), "%s", md);
    cr_assert(strstr(md, "| plain-c | 40.0 | 0.20 | 0.80 | n/a-n/a | n/a | 0 |"), "%s", md);
    cr_assert(strstr(md, "not the same bits"), "the caveat is stated");
    free(md);
    const char *dir = tu_tmpdir("anchors");
    cr_assert_eq(bb_anchors_commit(&a, dir, &err), BB_OK, "%s", err.msg);
    char kept[256];
    snprintf(kept, sizeof kept, "%s/anchors.json", dir);
    bb_anchors b;
    cr_assert_eq(bb_anchors_read(kept, &b, &err), BB_OK, "the kept copy reads back: %s", err.msg);
    cr_assert(b.len == a.len && !memcmp(a.text, b.text, a.len), "the copy is byte for byte");
    bb_anchors_free(&b);
    bb_anchors_free(&a);
}

Test(anchors, missing_reference_is_na)
{
    const char *p = tu_tmpfile("{\"results\": [{\"command\": \"csound\", \"median\": 0.1}]}");
    bb_anchors a;
    bb_error err;
    cr_assert_eq(bb_anchors_read(p, &a, &err), BB_OK);
    char *md = md_of(&a);
    cr_assert(strstr(md, "| csound | 100.0 | 1.00 | n/a |"), "%s", md);
    cr_assert(strstr(md, "No `busbench-serial` result"), "%s", md);
    free(md);
    bb_anchors_free(&a);
}

Test(anchors, bad_exports_are_refused)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"not json", "not JSON"},
        {"{}", "not a hyperfine export"},
        {"{\"results\": []}", "not a hyperfine export"},
        {"{\"results\": [{\"median\": 0.1}]}", "result 1: \"command\""},
        {"{\"results\": [{\"command\": \"a|b\", \"median\": 0.1}]}", "'|'"},
        {"{\"results\": [{\"command\": \"x\", \"median\": 0.1}, {\"command\": \"y\", \"median\": 0}]}",
         "result 2 (y): \"median\""},
        {"{\"results\": [{\"command\": \"x\", \"median\": \"fast\"}]}", "\"median\" must be a positive number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = tu_tmpfile(bad[i].text);
        bb_anchors a;
        bb_error err;
        bb_error_clear(&err);
        cr_assert_eq(bb_anchors_read(p, &a, &err), BB_ERR_FORMAT, "case %zu", i);
        cr_assert(strstr(err.msg, bad[i].says), "case %zu: %s", i, err.msg);
        cr_assert_str_eq(err.file, p);
        cr_assert(a.text == NULL && a.v == NULL, "nothing kept");
    }
    bb_anchors a;
    bb_error err;
    cr_assert_eq(bb_anchors_read("/nonexistent/hyperfine.json", &a, &err), BB_ERR_IO);
}
