/* test_golden.c - Criterion suite "golden": the golden corpus, the manifest,
 * SHA-256 of samples, comparison, and the verify and bless engines.
 *
 * What is proved here:
 *   - the corpus in golden/ is complete and consistent (every golden matches its
 *     manifest sha256) and serial reproduces every golden;
 *   - every canary is caught, and the first differing frame verify reports is
 *     the one a plain loop finds between a serial render and the canary render
 *     (computed here independently of bb_golden_compare);
 *   - a golden with one sample changed is reported as tampered (exit 2) and the
 *     comparison points at exactly that frame; its residual has one non-zero
 *     sample, there;
 *   - missing, corrupt, wrong-rate, wrong-channel and wrong-length goldens are
 *     bad input (exit 2), named;
 *   - bless restores a tampered golden, writes nothing when a render fails, and
 *     reproduces the committed manifest byte for byte.
 * Tests never write into golden/: anything that changes files works on a copy
 * of the corpus in its own mkdtemp folder (Criterion may run tests in parallel
 * processes). Tests run from the repository root, as `make test` does. */
#include <criterion/criterion.h>

#include "bb_programs.h"
#include "bb_alloc.h"
#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_golden_bless.h"
#include "bb_verify.h"
#include "bb_run.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"
#include "bb_variant.h"
#include "bb_wav.h"

#include <sndfile.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORPUS "golden"

static char tmpdir[256];

static void make_tmpdir(void)
{
    tu_watchdog();
    snprintf(tmpdir, sizeof tmpdir, "%s", tu_tmpdir("golden"));
}

TestSuite(golden, .init = make_tmpdir);

static const char *tmp_path(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

/* tu_slurp, and a file that cannot be read fails the test. */
static char *slurp(const char *path, size_t *n)
{
    char *b = tu_slurp(path, n);
    cr_assert_not_null(b, "cannot open %s", path);
    return b;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Copy every file of golden/ into tmpdir/corpus; returns that folder. */
static const char *copy_corpus(void)
{
    static char dst[512];
    snprintf(dst, sizeof dst, "%s/corpus", tmpdir);
    cr_assert_eq(mkdir(dst, 0777), 0);
    DIR *d = opendir(CORPUS);
    cr_assert_not_null(d, "no golden/ folder: run the tests from the repository root");
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char s[1024], t[1024];
        snprintf(s, sizeof s, "%s/%s", CORPUS, de->d_name);
        snprintf(t, sizeof t, "%s/%s", dst, de->d_name);
        size_t n;
        char *b = slurp(s, &n);
        FILE *f = fopen(t, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(b, 1, n, f), n);
        fclose(f);
        free(b);
    }
    closedir(d);
    return dst;
}

static FILE *sink(void)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    return f;
}

/* Everything written to f so far, as a string (caller frees). */
static char *contents(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    rewind(f);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    return b;
}

/* One combination: strategy s, 1 thread, block 512, no pinning, workload w. */
static void one_combo(bb_golden_matrix *m, const char *s, const char *w)
{
    bb_error err;
    bb_golden_matrix_default(m);
    cr_assert_eq(bb_golden_matrix_axis(m, "--strategies", s, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_golden_matrix_axis(m, "--threads", "1", &err), BB_OK);
    cr_assert_eq(bb_golden_matrix_axis(m, "--blocks", "512", &err), BB_OK);
    cr_assert_eq(bb_golden_matrix_axis(m, "--pins", "none", &err), BB_OK);
    if (w) cr_assert_eq(bb_golden_matrix_axis(m, "--workloads", w, &err), BB_OK);
}

/* ---- SHA-256 ------------------------------------------------------------------------ */

Test(golden, sha256_known_answers)
{
    char hex[BB_GOLDEN_SHA_HEX];
    bb_error err;
    cr_assert_eq(bb_golden_sha256("abc", 3, hex, &err), BB_OK);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cr_assert_eq(bb_golden_sha256("", 0, hex, &err), BB_OK);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(golden, sha256_of_samples_is_of_little_endian_binary32)
{
    /* more than one 4096-byte chunk, with values whose bytes are all different */
    enum { N = 3000 };
    static float x[N];
    static unsigned char bytes[4 * N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i - 1500) * 0.001234f;
        uint32_t u;
        memcpy(&u, &x[i], 4);
        for (int b = 0; b < 4; b++) bytes[4 * i + b] = (unsigned char)(u >> (8 * b));
    }
    char a[BB_GOLDEN_SHA_HEX], b[BB_GOLDEN_SHA_HEX];
    bb_error err;
    cr_assert_eq(bb_golden_sha256_samples(x, N, a, &err), BB_OK);
    cr_assert_eq(bb_golden_sha256(bytes, sizeof bytes, b, &err), BB_OK);
    cr_assert_str_eq(a, b);
    x[N - 1] = nextafterf(x[N - 1], 1.0f);
    cr_assert_eq(bb_golden_sha256_samples(x, N, b, &err), BB_OK);
    cr_assert_str_neq(a, b, "one ulp in the last sample must change the digest");
}

/* ---- comparison ------------------------------------------------------------------------ */

Test(golden, compare_identical)
{
    float a[5] = {0, 1, -1, 0.5f, 0.25f};
    bb_golden_diff d;
    bb_golden_compare(a, 5, a, 5, &d);
    cr_assert_eq(d.first, -1);
    cr_assert_eq(d.ndiff, 0);
    cr_assert_eq(d.max_at, -1);
}

Test(golden, compare_finds_first_largest_and_count)
{
    float a[6] = {0, 1, 2, 3, 4, 5}, b[6] = {0, 1, 2.5f, 3, 3, 5};
    bb_golden_diff d;
    bb_golden_compare(a, 6, b, 6, &d);
    cr_assert_eq(d.first, 2);
    cr_assert_float_eq(d.got, 2.0f, 0);
    cr_assert_float_eq(d.want, 2.5f, 0);
    cr_assert_eq(d.max_at, 4);
    cr_assert_float_eq(d.max_abs, 1.0, 0);
    cr_assert_eq(d.ndiff, 2);
}

Test(golden, compare_is_by_bits)
{
    float a[2] = {0.0f, 1.0f}, b[2] = {-0.0f, 1.0f};
    bb_golden_diff d;
    bb_golden_compare(a, 2, b, 2, &d);
    cr_assert_eq(d.first, 0, "-0 and +0 have different bits");
    cr_assert_eq(d.ndiff, 1);
    float n[1] = {NAN};
    bb_golden_compare(n, 1, n, 1, &d);
    cr_assert_eq(d.first, -1, "the same NaN bits are the same sample");
    float m[1] = {0.0f};
    bb_golden_compare(n, 1, m, 1, &d);
    cr_assert_eq(d.first, 0);
    cr_assert(isinf(d.max_abs));
}

Test(golden, compare_counts_a_length_difference)
{
    float a[4] = {1, 2, 3, 4};
    bb_golden_diff d;
    bb_golden_compare(a, 3, a, 4, &d);
    cr_assert_eq(d.first, 3);
    cr_assert_eq(d.ndiff, 1);
    cr_assert_eq(d.got_frames, 3);
    cr_assert_eq(d.want_frames, 4);
    cr_assert_float_eq(d.max_abs, 4.0, 0);
}

Test(golden, residual_is_the_difference)
{
    float a[4] = {1, 2, 3, 4}, b[3] = {1, 2.5f, 3};
    bb_error err;
    const char *p = tmp_path("r.wav");
    cr_assert_eq(bb_golden_residual(p, a, 4, b, 3, 8000, &err), BB_OK, "%s", err.msg);
    float *x;
    size_t n;
    int sr, ch;
    cr_assert_eq(bb_wav_read(p, &x, &n, &sr, &ch, &err), BB_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(sr, 8000);
    cr_assert_float_eq(x[0], 0.0f, 0);
    cr_assert_float_eq(x[1], -0.5f, 0);
    cr_assert_float_eq(x[2], 0.0f, 0);
    cr_assert_float_eq(x[3], 4.0f, 0);
    bb_free(x);
}

/* ---- the manifest ------------------------------------------------------------------------ */

static const char good_manifest[] =
    "# comment\n"
    "\n"
    "a\ta.ph\ta.wav\t100\t0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\t--cycles 2\n"
    "b\tsub/b.ph\tb.wav\t-\t-\t--cycles 1   --reload-at 1:c.ph  --sr 22050\n";

Test(golden, manifest_parses_and_round_trips)
{
    spit(tmp_path("manifest.tsv"), good_manifest);
    bb_golden_manifest m, m2;
    bb_error err;
    cr_assert_eq(bb_golden_manifest_load(tmpdir, &m, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(m.n, 2);
    cr_assert_str_eq(m.v[0].name, "a");
    cr_assert(m.v[0].blessed);
    cr_assert_eq(m.v[0].frames, 100);
    cr_assert_eq(m.v[0].line, 3);
    cr_assert_not(m.v[1].blessed);
    cr_assert_str_eq(m.v[1].opts, "--cycles 1 --reload-at 1:c.ph --sr 22050", "options are normalised");
    cr_assert_eq(bb_golden_manifest_write(&m, tmp_path("manifest.tsv"), &err), BB_OK);
    cr_assert_eq(bb_golden_manifest_load(tmpdir, &m2, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(m2.n, 2);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_str_eq(m.v[i].name, m2.v[i].name);
        cr_assert_str_eq(m.v[i].program, m2.v[i].program);
        cr_assert_str_eq(m.v[i].wav, m2.v[i].wav);
        cr_assert_eq(m.v[i].blessed, m2.v[i].blessed);
        cr_assert_eq(m.v[i].frames, m2.v[i].frames);
        cr_assert_str_eq(m.v[i].sha, m2.v[i].sha);
        cr_assert_str_eq(m.v[i].opts, m2.v[i].opts);
    }
    /* paths inside options resolve against the golden dir */
    bb_golden_job job;
    cr_assert_eq(bb_golden_job_init(&job, &m, &m.v[1], &err), BB_OK, "%s", err.msg);
    char want[600];
    snprintf(want, sizeof want, "%s/sub/b.ph", tmpdir);
    cr_assert_str_eq(job.cfg.program, want);
    snprintf(want, sizeof want, "%s/c.ph", tmpdir);
    cr_assert_eq(job.cfg.nreloads, 1);
    cr_assert_str_eq(job.cfg.reloads[0].path, want);
    cr_assert_eq(job.cfg.sr, 22050);
    bb_golden_job_free(&job);
    bb_golden_manifest_free(&m);
    bb_golden_manifest_free(&m2);
}

/* The manifest made of good_manifest's first line and then `line`: an error on line 2. */
static void expect_bad_line(const char *line, const char *what)
{
    char text[2048];
    snprintf(text, sizeof text,
             "a\ta.ph\ta.wav\t100\t0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\t--cycles 2\n%s\n",
             line);
    spit(tmp_path("manifest.tsv"), text);
    bb_golden_manifest m;
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_golden_manifest_load(tmpdir, &m, &err), BB_ERR_FORMAT, "%s: expected a format error", what);
    cr_assert_eq(err.line, 2, "%s: the error names line 2 (got %d: %s)", what, err.line, err.msg);
    cr_assert(strstr(err.file, "manifest.tsv"), "%s: the error names the manifest", what);
    cr_assert_eq(m.n, 0);
    bb_golden_manifest_free(&m);
}

Test(golden, manifest_rejects_malformed_lines)
{
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char l[512];
    expect_bad_line("b\tb.ph\tb.wav\t10", "missing fields");
    snprintf(l, sizeof l, "b\tb.ph\tb.wav\t10\t%s\t--cycles 1\textra", sha);
    expect_bad_line(l, "a seventh field");
    expect_bad_line("b\tb.ph\tb.wav\t10\tABCDEF\t--cycles 1", "a bad sha");
    expect_bad_line("b\tb.ph\tb.wav\t-\tabc\t--cycles 1", "frames '-' with a sha");
    snprintf(l, sizeof l, "b\tb.ph\tb.wav\tten\t%s\t--cycles 1", sha);
    expect_bad_line(l, "frames not a number");
    snprintf(l, sizeof l, "b c\tb.ph\tb.wav\t10\t%s\t--cycles 1", sha);
    expect_bad_line(l, "a name with a space");
    snprintf(l, sizeof l, "a\tb.ph\tb.wav\t10\t%s\t--cycles 1", sha);
    expect_bad_line(l, "a duplicate workload");
    snprintf(l, sizeof l, "b\tb.ph\ta.wav\t10\t%s\t--cycles 1", sha);
    expect_bad_line(l, "a WAV shared by two workloads");
}

Test(golden, manifest_rejects_options_that_are_not_workload_options)
{
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const char *bad[] = {"--strategy cycle", "--threads 2", "--block 64", "--pin compact", "--stats",
                         "--format s16", "--cycles -1", "--frobnicate 3", "--cycles", "loose"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char l[512];
        snprintf(l, sizeof l, "b\tb.ph\tb.wav\t10\t%s\t%s", sha, bad[i]);
        expect_bad_line(l, bad[i]);
    }
}

Test(golden, manifest_missing_is_io_error)
{
    bb_golden_manifest m;
    bb_error err;
    cr_assert_eq(bb_golden_manifest_load(tmpdir, &m, &err), BB_ERR_IO);
    cr_assert(strstr(err.file, "manifest.tsv"));
    FILE *out = sink(), *errf = sink();
    bb_golden_matrix mx;
    bb_golden_matrix_default(&mx);
    cr_assert_eq(bb_verify_run(&(bb_workload_src){.golden = tmpdir}, &mx, NULL, out, errf, NULL), BB_EXIT_USAGE);
    char *e = contents(errf);
    cr_assert(strstr(e, "manifest.tsv"), "the message names the manifest: %s", e);
    free(e);
    fclose(out);
    fclose(errf);
}

/* ---- the matrix ------------------------------------------------------------------------- */

Test(golden, default_matrix_is_every_real_strategy)
{
    bb_golden_matrix m;
    bb_golden_matrix_default(&m);
    size_t real = 0;
    for (size_t i = 0; bb_variants[i]; i++) {
        bool found = false;
        for (size_t k = 0; k < m.nstrategies; k++) found |= !strcmp(m.strategies[k], bb_variants[i]->name);
        cr_assert_eq(found, !bb_variants[i]->canary, "%s", bb_variants[i]->name);
        real += !bb_variants[i]->canary;
    }
    cr_assert_eq(m.nstrategies, real);
    cr_assert_eq(m.threads[0], 1);
    cr_assert_eq(m.nthreads, bb_workers_cores() > 1 ? 2u : 1u);
    cr_assert_eq(m.nblocks, 2);
    cr_assert_eq(m.blocks[0], 64);
    cr_assert_eq(m.blocks[1], 512);
    cr_assert_eq(m.npins, 2);
    cr_assert_eq(m.pins[0], BB_PIN_COMPACT);
    cr_assert_eq(m.pins[1], BB_PIN_NONE);
    cr_assert_eq(m.nworkloads, 0);
}

Test(golden, matrix_axes_are_checked)
{
    bb_golden_matrix m;
    bb_error err;
    bb_golden_matrix_default(&m);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--strategies", "serial,cycle+pool", &err), BB_OK, "%s", err.msg);
    cr_assert_eq(m.nstrategies, 2);
    cr_assert_str_eq(m.strategies[1], "cycle,pool");
    cr_assert_eq(bb_golden_matrix_axis(&m, "--strategies", "serial,nope", &err), BB_ERR_ARG);
    cr_assert(strstr(err.msg, "nope"));
    cr_assert_eq(m.nstrategies, 2, "a bad list leaves the axis as it was");
    cr_assert_eq(bb_golden_matrix_axis(&m, "--threads", "1,0", &err), BB_ERR_ARG);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--blocks", "64,x", &err), BB_ERR_ARG);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--pins", "compact,sideways", &err), BB_ERR_ARG);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--threads", "1,,2", &err), BB_ERR_ARG);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--threads", "3,8", &err), BB_OK);
    cr_assert_eq(m.nthreads, 2);
    cr_assert_eq(m.threads[1], 8);
}

/* ---- the corpus ------------------------------------------------------------------------- */

/* The dense program of the strategy suites is a golden workload too: the same text. */
Test(golden, dense_workload_is_the_suites_dense_program)
{
    FILE *f = fopen(CORPUS "/dense.ph", "r");
    cr_assert_not_null(f);
    char text[1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_expect_str_eq(text, BB_PROG_DENSE);
}

Test(golden, corpus_is_complete_and_matches_its_manifest)
{
    bb_golden_manifest m;
    bb_error err;
    cr_assert_eq(bb_golden_manifest_load(CORPUS, &m, &err), BB_OK, "%s", err.msg);
    cr_assert_geq(m.n, 8, "at least eight workloads");
    const char *needed[] = {"q", "phonon", "static", "noise", "chords", "continuous", "samples", "reload"};
    for (size_t i = 0; i < sizeof needed / sizeof *needed; i++)
        cr_assert_not_null(bb_golden_manifest_find(&m, needed[i]), "workload %s", needed[i]);
    for (size_t i = 0; i < m.n; i++) {
        bb_golden_job job;
        cr_assert_eq(bb_golden_job_init(&job, &m, &m.v[i], &err), BB_OK, "%s", err.msg);
        float *x;
        size_t n;
        char sha[BB_GOLDEN_SHA_HEX];
        cr_assert_eq(bb_golden_read(&job, &m.v[i], &x, &n, sha, &err), BB_OK, "%s: %s", m.v[i].name, err.msg);
        double secs = (double)n / job.cfg.sr;
        cr_assert(secs >= 2.0 && secs <= 90.0, "%s: %.1f s of audio", m.v[i].name, secs);
        if (!strcmp(m.v[i].name, "reload")) cr_assert_eq(job.cfg.nreloads, 1, "the reload workload reloads");
        bb_free(x);
        bb_golden_job_free(&job);
    }
    bb_golden_manifest_free(&m);
}

Test(golden, serial_reproduces_every_golden)
{
    bb_golden_matrix m;
    one_combo(&m, "serial", NULL);
    bb_verify_report rep;
    FILE *out = sink(), *errf = sink();
    int rc = bb_verify_run(&(bb_workload_src){.golden = CORPUS}, &m, NULL, out, errf, &rep);
    char *o = contents(out);
    cr_assert_eq(rc, BB_EXIT_OK, "%s", o);
    cr_assert_geq(rep.passed, 8);
    cr_assert_eq(rep.failed, 0);
    cr_assert_eq(rep.n, rep.passed);
    free(o);
    bb_verify_report_free(&rep);
    fclose(out);
    fclose(errf);
}

/* ---- canaries ------------------------------------------------------------------------------ */

/* Render workload w of the corpus with strategy s (1 thread, block 512, no pin). */
static float *render(const char *w, const char *s, size_t *n)
{
    bb_golden_manifest m;
    bb_error err;
    cr_assert_eq(bb_golden_manifest_load(CORPUS, &m, &err), BB_OK, "%s", err.msg);
    const bb_golden_entry *e = bb_golden_manifest_find(&m, w);
    cr_assert_not_null(e, "%s", w);
    bb_golden_job job;
    cr_assert_eq(bb_golden_job_init(&job, &m, e, &err), BB_OK, "%s", err.msg);
    job.cfg.strategy = s;
    job.cfg.threads = 1;
    job.cfg.block = 512;
    job.cfg.pin = BB_PIN_NONE;
    bb_run_out o;
    cr_assert_eq(bb_run(&job.cfg, NULL, true, false, &o, &err), BB_OK, "%s: %s", s, err.msg);
    float *x = o.samples;
    *n = o.frames;
    o.samples = NULL;
    bb_run_out_free(&o);
    bb_golden_job_free(&job);
    bb_golden_manifest_free(&m);
    return x;
}

/* The canary must fail on workload w, at the frame where a plain loop first
 * finds a different bit pattern between the serial and the canary render. */
static void canary_caught(const char *canary, const char *w)
{
    size_t ns, nc;
    float *s = render(w, "serial", &ns), *c = render(w, canary, &nc);
    int64_t first = -1;
    for (size_t i = 0; i < (ns > nc ? ns : nc) && first < 0; i++) {
        if (i >= ns || i >= nc || memcmp(&s[i], &c[i], sizeof(float)) != 0) first = (int64_t)i;
    }
    cr_assert_geq(first, 0, "%s renders %s exactly like serial: the corpus does not catch it", canary, w);

    bb_golden_matrix m;
    one_combo(&m, canary, w);
    bb_verify_report rep;
    FILE *out = sink(), *errf = sink();
    int rc = bb_verify_run(&(bb_workload_src){.golden = CORPUS}, &m, NULL, out, errf, &rep);
    char *o = contents(out);
    cr_assert_eq(rc, BB_EXIT_FAIL, "%s on %s: exit %d\n%s", canary, w, rc, o);
    cr_assert_eq(rep.n, 1);
    cr_assert_eq(rep.v[0].status, BB_VERIFY_FAIL);
    cr_assert_eq(rep.v[0].diff.first, first, "%s on %s: verify says frame %lld, the independent loop %lld", canary, w,
                 (long long)rep.v[0].diff.first, (long long)first);
    char want[64];
    snprintf(want, sizeof want, "first difference at frame %lld ", (long long)first);
    cr_assert(strstr(o, want), "the report prints the frame: %s", o);
    cr_assert(strstr(o, "cycle ") && strstr(o, "beat "), "the report gives cycle and beat: %s", o);
    free(o);
    bb_free(s);
    bb_free(c);
    bb_verify_report_free(&rep);
    fclose(out);
    fclose(errf);
}

Test(golden, canary_stale_is_caught_on_the_noise_bus) { canary_caught("canary-stale", "noise"); }
Test(golden, canary_stale_is_caught_on_the_modulated_bus) { canary_caught("canary-stale", "q"); }
Test(golden, canary_key_is_caught_on_bus_chords) { canary_caught("canary-key", "q"); }
Test(golden, canary_key_is_caught_on_static_bus_chords) { canary_caught("canary-key", "phonon"); }
Test(golden, canary_reload_is_caught_on_reload) { canary_caught("canary-reload", "reload"); }
Test(golden, canary_order_is_caught_on_chords) { canary_caught("canary-order", "chords"); }
Test(golden, canary_order_is_caught_on_samples) { canary_caught("canary-order", "samples"); }
Test(golden, canary_lanes_is_caught_on_the_modulated_bus) { canary_caught("canary-lanes", "q"); }
Test(golden, canary_lanes_is_caught_on_the_noise_bus) { canary_caught("canary-lanes", "noise"); }

Test(golden, every_canary_fails_the_corpus_and_no_real_strategy_does)
{
    bb_golden_matrix m;
    bb_error err;
    one_combo(&m, "canary-stale,canary-key,canary-reload,canary-order,canary-lanes,serial,parallel,cycle,static,pool,batch,lanes,all", NULL);
    cr_assert_eq(bb_golden_matrix_axis(&m, "--threads", "2", &err), BB_OK);
    bb_verify_report rep;
    FILE *out = sink(), *errf = sink();
    cr_assert_eq(bb_verify_run(&(bb_workload_src){.golden = CORPUS}, &m, NULL, out, errf, &rep), BB_EXIT_FAIL);
    bb_golden_manifest man;
    cr_assert_eq(bb_golden_manifest_load(CORPUS, &man, &err), BB_OK, "%s", err.msg);
    for (size_t k = 0; k < m.nstrategies; k++) {
        size_t runs = 0, fails = 0;
        for (size_t i = 0; i < rep.n; i++) {
            if (strcmp(rep.v[i].strategy, m.strategies[k])) continue;
            runs++;
            fails += rep.v[i].status != BB_VERIFY_PASS;
        }
        cr_assert_eq(runs, man.n, "%s ran %zu of %zu workloads", m.strategies[k], runs, man.n);
        if (!strncmp(m.strategies[k], "canary-", 7))
            cr_expect_gt(fails, 0, "%s passes every workload", m.strategies[k]);
        else
            cr_expect_eq(fails, 0, "%s fails %zu workloads", m.strategies[k], fails);
    }
    bb_golden_manifest_free(&man);
    bb_verify_report_free(&rep);
    fclose(out);
    fclose(errf);
}

/* ---- tampered and bad goldens ---------------------------------------------------------------- */

enum { TAMPER_FRAME = 123457 };

/* Change one sample of dir/q.wav (by one ulp) and return its frame. */
static int64_t tamper(const char *dir)
{
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    float *x;
    size_t n;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(p, &x, &n, &sr, &ch, &err), BB_OK, "%s", err.msg);
    cr_assert_gt(n, (size_t)TAMPER_FRAME);
    x[TAMPER_FRAME] = nextafterf(x[TAMPER_FRAME], 2.0f);
    cr_assert_eq(bb_wav_write(p, x, n, sr, BB_WAV_F32, &err), BB_OK, "%s", err.msg);
    bb_free(x);
    return TAMPER_FRAME;
}

Test(golden, tampered_golden_is_reported_at_exactly_that_sample)
{
    const char *dir = copy_corpus();
    int64_t k = tamper(dir);
    bb_golden_matrix m;
    one_combo(&m, "serial", "q");
    bb_verify_report rep;
    FILE *out = sink(), *errf = sink();
    char res[600];
    snprintf(res, sizeof res, "%s/residual", tmpdir);
    int rc = bb_verify_run(&(bb_workload_src){.golden = dir}, &m, res, out, errf, &rep);
    char *o = contents(out), *e = contents(errf);
    cr_assert_eq(rc, BB_EXIT_USAGE, "a golden that does not match its manifest is bad input\n%s", o);
    cr_assert_eq(rep.tampered, 1);
    cr_assert_eq(rep.n, 1);
    cr_assert_eq(rep.v[0].status, BB_VERIFY_FAIL);
    cr_assert_eq(rep.v[0].diff.first, k, "reported frame %lld, changed %lld", (long long)rep.v[0].diff.first, (long long)k);
    cr_assert_eq(rep.v[0].diff.ndiff, 1);
    cr_assert(strstr(e, "q.wav") && strstr(e, "sha256"), "stderr names the file and the sha: %s", e);
    cr_assert(strstr(o, "TAMPERED"), "%s", o);
    /* the residual holds exactly one non-zero sample, at k */
    char rp[700];
    snprintf(rp, sizeof rp, "%s/q.serial.t1.b512.none.wav", res);
    float *x;
    size_t n;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(rp, &x, &n, &sr, &ch, &err), BB_OK, "%s", err.msg);
    size_t nz = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0.0f) {
            nz++;
            cr_assert_eq((int64_t)i, k);
        }
    cr_assert_eq(nz, 1);
    bb_free(x);
    free(o);
    free(e);
    bb_verify_report_free(&rep);
    fclose(out);
    fclose(errf);
}

/* Verify q in dir with serial: must be bad input, with `needle` in the message on stderr. */
static void expect_bad_golden(const char *dir, const char *needle)
{
    bb_golden_matrix m;
    one_combo(&m, "serial", "q");
    bb_verify_report rep;
    FILE *out = sink(), *errf = sink();
    int rc = bb_verify_run(&(bb_workload_src){.golden = dir}, &m, NULL, out, errf, &rep);
    char *e = contents(errf);
    cr_assert_eq(rc, BB_EXIT_USAGE, "expected bad input (%s), got exit %d: %s", needle, rc, e);
    cr_assert_eq(rep.bad_inputs, 1);
    cr_assert_eq(rep.n, 0, "nothing is compared with a bad golden");
    cr_assert(strstr(e, "q.wav"), "the message names the file: %s", e);
    cr_assert(strstr(e, needle), "the message says '%s': %s", needle, e);
    free(e);
    bb_verify_report_free(&rep);
    fclose(out);
    fclose(errf);
}

Test(golden, missing_golden_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    cr_assert_eq(unlink(p), 0);
    expect_bad_golden(dir, "q.wav");
}

Test(golden, corrupt_golden_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    spit(p, "this is not a WAV file at all, just text that is long enough to have a header's size");
    expect_bad_golden(dir, "q.wav");
}

Test(golden, wrong_rate_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    float *x;
    size_t n;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(p, &x, &n, &sr, &ch, &err), BB_OK);
    cr_assert_eq(bb_wav_write(p, x, n, 48000, BB_WAV_F32, &err), BB_OK);
    bb_free(x);
    expect_bad_golden(dir, "48000 Hz");
}

Test(golden, wrong_length_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    float *x;
    size_t n;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(p, &x, &n, &sr, &ch, &err), BB_OK);
    cr_assert_eq(bb_wav_write(p, x, n - 1, sr, BB_WAV_F32, &err), BB_OK);
    bb_free(x);
    expect_bad_golden(dir, "frames");
}

Test(golden, stereo_golden_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/q.wav", dir);
    SF_INFO info = {.samplerate = 44100, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(p, SFM_WRITE, &info);
    cr_assert_not_null(sf);
    float fr[64] = {0};
    sf_writef_float(sf, fr, 32);
    sf_close(sf);
    expect_bad_golden(dir, "channels");
}

Test(golden, unblessed_workload_is_bad_input)
{
    const char *dir = copy_corpus();
    char p[600];
    snprintf(p, sizeof p, "%s/manifest.tsv", dir);
    char *t = slurp(p, NULL);
    char *q = strstr(t, "\nq\t");
    cr_assert_not_null(q);
    /* q<TAB>q.ph<TAB>q.wav<TAB>FRAMES<TAB>SHA<TAB>opts  ->  frames and sha '-' */
    char *f = strchr(strchr(strchr(q + 1, '\t') + 1, '\t') + 1, '\t') + 1;
    char *after = strchr(strchr(f, '\t') + 1, '\t');
    char out[8192];
    snprintf(out, sizeof out, "%.*s-\t-%s", (int)(f - t), t, after);
    spit(p, out);
    free(t);
    expect_bad_golden(dir, "make bless");
}

Test(golden, unknown_workload_is_bad_input)
{
    bb_golden_matrix m;
    one_combo(&m, "serial", "no-such-workload");
    FILE *out = sink(), *errf = sink();
    cr_assert_eq(bb_verify_run(&(bb_workload_src){.golden = CORPUS}, &m, NULL, out, errf, NULL), BB_EXIT_USAGE);
    char *e = contents(errf);
    cr_assert(strstr(e, "no-such-workload"), "%s", e);
    free(e);
    fclose(out);
    fclose(errf);
}

/* ---- describing a frame ------------------------------------------------------------------------ */

Test(golden, describe_gives_seconds_cycle_beat_and_events)
{
    bb_golden_manifest m;
    bb_error err;
    cr_assert_eq(bb_golden_manifest_load(CORPUS, &m, &err), BB_OK);
    bb_golden_job job;
    cr_assert_eq(bb_golden_job_init(&job, &m, bb_golden_manifest_find(&m, "chords"), &err), BB_OK);
    /* chords: tempo 1.5 cps at 44100 Hz, 29400 samples a cycle, 16 chords a cycle:
       frame 29400 + 3675 is t = 9/8: cycle 1, beat 0.5, the onset of the third chord
       of cycle 1 (whole [9/8, 19/16)) */
    FILE *f = sink();
    cr_assert_eq(bb_verify_describe(f, "  ", &job.cfg, 29400 + 3675, &err), BB_OK, "%s", err.msg);
    char *o = contents(f);
    cr_assert(strstr(o, "cycle 1, beat 0.5 (t = 9/8 cycles"), "%s", o);
    cr_assert(strstr(o, "\"~x\"  whole [9/8, 19/16)  onset frame 33075"), "%s", o);
    cr_assert(strstr(o, "note c4'dom7"), "%s", o);
    free(o);
    fclose(f);
    bb_golden_job_free(&job);
    bb_golden_manifest_free(&m);
}

/* ---- bless ------------------------------------------------------------------------------------- */

Test(golden, bless_restores_a_tampered_golden_and_reproduces_the_manifest)
{
    const char *dir = copy_corpus();
    int64_t k = tamper(dir);
    bb_golden_matrix m;
    memset(&m, 0, sizeof m);
    FILE *out = sink(), *errf = sink();
    int rc = bb_golden_bless(dir, &m, false, out, errf);
    char *o = contents(out), *e = contents(errf);
    cr_assert_eq(rc, BB_EXIT_OK, "%s%s", o, e);
    char want[128];
    snprintf(want, sizeof want, "1 samples differ (first at frame %lld", (long long)k);
    cr_assert(strstr(o, "changed    q ") && strstr(o, want), "bless shows the change: %s", o);
    cr_assert(strstr(o, "unchanged  phonon"), "%s", o);
    /* the rewritten manifest is the committed one, byte for byte */
    char p[600];
    snprintf(p, sizeof p, "%s/manifest.tsv", dir);
    char *a = slurp(p, NULL), *b = slurp(CORPUS "/manifest.tsv", NULL);
    cr_assert_str_eq(a, b, "bless must reproduce the committed manifest");
    /* and verify passes again on the copy */
    bb_golden_matrix v;
    one_combo(&v, "serial", "q");
    FILE *o2 = sink();
    cr_assert_eq(bb_verify_run(&(bb_workload_src){.golden = dir}, &v, NULL, o2, errf, NULL), BB_EXIT_OK);
    free(a);
    free(b);
    free(o);
    free(e);
    fclose(o2);
    fclose(out);
    fclose(errf);
}

Test(golden, bless_writes_nothing_when_a_render_fails)
{
    const char *dir = copy_corpus();
    tamper(dir);
    char p[600], q[600];
    snprintf(p, sizeof p, "%s/phonon.ph", dir);
    spit(p, "bpm: 120\n~d1 $ s \"808bd(4,17\"\n"); /* does not parse */
    snprintf(p, sizeof p, "%s/manifest.tsv", dir);
    snprintf(q, sizeof q, "%s/q.wav", dir);
    size_t n1, n2;
    char *man0 = slurp(p, NULL), *wav0 = slurp(q, &n1);
    bb_golden_matrix m;
    memset(&m, 0, sizeof m);
    FILE *out = sink(), *errf = sink();
    cr_assert_eq(bb_golden_bless(dir, &m, false, out, errf), BB_EXIT_USAGE);
    char *e = contents(errf);
    cr_assert(strstr(e, "phonon.ph"), "the error names the program: %s", e);
    char *man1 = slurp(p, NULL), *wav1 = slurp(q, &n2);
    cr_assert_str_eq(man0, man1, "the manifest is untouched");
    cr_assert(n1 == n2 && !memcmp(wav0, wav1, n1), "q.wav (rendered before the failure) is untouched");
    free(man0);
    free(man1);
    free(wav0);
    free(wav1);
    free(e);
    fclose(out);
    fclose(errf);
}

/* A user's own corpus outside the repository: bless makes it (no clean-tree check: no commit
 * holds it), verify checks every strategy against it, and bless then refuses to overwrite a
 * golden that would change (named, exit 2, the WAV untouched) unless --force. */
Test(golden, a_corpus_outside_the_repository_is_made_and_kept)
{
    const char *bin = tu_busbench(), *d = tu_tmpdir("usercorpus");
    FILE *f;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/mine.ph", d);
    cr_assert_not_null(f = fopen(path, "w"));
    fputs("bpm: 120\n~x: saw 220 # lpf 900\nout: s \"~x*4\" # note \"0 7\"\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/manifest.tsv", d);
    cr_assert_not_null(f = fopen(path, "w"));
    fputs("mine\tmine.ph\tmine.wav\t-\t-\t--cycles 2 --sr 8000\n", f);
    fclose(f);
    cr_assert_eq(tu_sh("'%s' bless --golden '%s' >/dev/null 2>&1", bin, d), 0, "a new user corpus is blessed");
    cr_assert_eq(tu_sh("'%s' verify --golden '%s' --threads 1,2 --blocks 64 >/dev/null 2>&1", bin, d), 0,
                 "verify passes against it");
    size_t n0 = 0, n1 = 0;
    snprintf(path, sizeof path, "%s/mine.wav", d);
    char *before = tu_slurp(path, &n0);
    snprintf(path, sizeof path, "%s/mine.ph", d);
    cr_assert_not_null(f = fopen(path, "w"));
    fputs("bpm: 120\n~x: square 220 # lpf 900\nout: s \"~x*4\" # note \"0 7\"\n", f);
    fclose(f);
    cr_assert_eq(tu_sh("'%s' bless --golden '%s' 2>&1 | grep -q \"workload 'mine' has a golden that differs\"", bin, d), 0,
                 "the refusal names the workload");
    cr_assert_eq(tu_sh("'%s' bless --golden '%s' >/dev/null 2>&1", bin, d), 2,
                 "a changed golden is not overwritten without --force");
    snprintf(path, sizeof path, "%s/mine.wav", d);
    char *after = tu_slurp(path, &n1);
    cr_expect(n0 == n1 && !memcmp(before, after, n0), "the golden WAV is untouched");
    free(after);
    cr_assert_eq(tu_sh("'%s' bless --golden '%s' --force >/dev/null 2>&1", bin, d), 0, "--force overwrites it");
    after = tu_slurp(path, &n1);
    cr_expect(!(n0 == n1 && !memcmp(before, after, n0)), "the golden WAV is re-rendered");
    free(before);
    free(after);
}

/* ---- programs given on the command line: each against the serial render of this run ---------- */

/* A user's program in a fresh folder: a bus that reads a pattern (canary-stale, which treats every
 * bus as static, renders it wrong), at 2 cycles a second; returns its path (static storage). */
static const char *user_program(void)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/song.ph", tmpdir);
    spit(p, "cps: 2\n~x: saw \"220 330 440\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n");
    return p;
}

Test(golden, a_users_program_verifies_with_every_strategy)
{
    const char *ph = user_program(), *out = tmp_path("v.txt");
    int rc = tu_sh("'%s' verify '%s' --cycles 2 --sr 8000 > %s 2>&1", tu_busbench(), ph, out);
    char *o = slurp(out, NULL);
    cr_assert_eq(rc, 0, "every strategy renders the program as serial does:\n%s", o);
    cr_assert(strstr(o, "reference song: the serial render of this run"), "the reference is said: %s", o);
    bb_golden_matrix m;
    bb_golden_matrix_default(&m);
    size_t lines = 0;
    for (const char *s = o; (s = strstr(s, "\npass  song ")); s++) lines++;
    cr_assert_eq(lines, m.nstrategies * m.nthreads * m.nblocks * m.npins, "one pass line per combination:\n%s", o);
    for (size_t k = 0; bb_variants[k]; k++) {
        if (bb_variants[k]->canary) continue;
        char want[64];
        snprintf(want, sizeof want, "pass  song        %-14s", bb_variants[k]->name);
        cr_expect(strstr(o, want), "strategy %s was checked:\n%s", bb_variants[k]->name, o);
    }
    cr_assert(strstr(o, "8000 frames"), "2 cycles at 2 cps and 8000 Hz: %s", o);
    free(o);
}

/* The frame verify names for a canary on a user's program is where the canary's render first
 * differs from serial's, found here by a plain loop over two renders of bb_run. */
Test(golden, a_canary_given_explicitly_is_caught_on_a_users_program)
{
    const char *ph = user_program(), *out = tmp_path("c.txt");
    size_t n[2];
    float *x[2];
    static const char *const strat[2] = {"serial", "canary-stale"};
    for (int i = 0; i < 2; i++) {
        bb_run_cfg c;
        bb_run_cfg_default(&c);
        c.program = ph;
        c.cycles = bb_rat_int(2);
        c.sr = 8000;
        c.strategy = strat[i];
        c.threads = 1;
        c.block = 64;
        bb_run_out o;
        bb_error err;
        cr_assert_eq(bb_run(&c, NULL, true, false, &o, &err), BB_OK, "%s", err.msg);
        x[i] = o.samples;
        n[i] = o.frames;
        o.samples = NULL;
        bb_run_out_free(&o);
    }
    long long first = -1;
    for (size_t i = 0; i < n[0] && first < 0; i++)
        if (i >= n[1] || memcmp(&x[0][i], &x[1][i], sizeof(float))) first = (long long)i;
    cr_assert_geq(first, 0, "canary-stale renders the program like serial: it cannot be caught");
    int rc = tu_sh("'%s' verify '%s' --cycles 2 --sr 8000 --strategies canary-stale --threads 1 --blocks 64 --pins none "
                   "> %s 2>&1", tu_busbench(), ph, out);
    char *o = slurp(out, NULL), want[96];
    cr_assert_eq(rc, 1, "a mismatch is exit 1:\n%s", o);
    snprintf(want, sizeof want, "first difference at frame %lld ", first);
    cr_assert(strstr(o, want), "verify names frame %lld:\n%s", first, o);
    cr_assert(strstr(o, ", cycle ") && strstr(o, ", beat ") && strstr(o, "song.ph:3:"), "localised as verify does:\n%s", o);
    cr_assert(strstr(o, "rendered ") && strstr(o, ", reference "), "against the reference:\n%s", o);
    bb_free(x[0]);
    bb_free(x[1]);
    free(o);
}
