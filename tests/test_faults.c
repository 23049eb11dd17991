/* test_faults.c - fault injection: every allocation of a small render fails once.
 *
 * The core counts every heap allocation through bb_alloc, and bb_alloc_fail_at(n)
 * makes the nth one from now fail. A sweep first renders once without faults,
 * counting the allocations A the whole job makes (sample kit, program, render,
 * strategy, WAV writer, sink: bb_run, as `busbench render` runs it), then, for
 * every n in 1..A, renders again with the nth allocation refused. Each run must
 * end in one of two ways:
 *   - a clean error: BB_ERR_NOMEM with a message, no WAV at the destination and
 *     no temporary beside it;
 *   - success (the failure was absorbed: a cache that could not grow, a timing
 *     buffer), and then the samples and the WAV are bit for bit the reference:
 *     a swallowed failure must never change the audio;
 * and in both cases nothing leaks: the allocations and frees counted by bb_alloc
 * balance, and the live bytes return to where they were (the ASan build adds
 * LeakSanitizer for memory that does not go through bb_alloc).
 *
 * The program touches every kind of allocation the render makes: a bus with a
 * pattern-modulated filter, a noise bus, built-in samples, chords, gain, delay,
 * reverb and a reload at cycle 1 to a second program. Serial makes the sweep
 * exact; parallel and all (worker threads, caches, pools, batches) make it
 * approximate (the countdown is shared by the threads, so "the nth" depends on
 * the schedule) but every run still has one allocation refused somewhere. */
#include "bb_alloc.h"
#include "bb_run.h"
#include "bb_testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PROG_A[] = "bpm: 480\n"
                             "~x: saw 220 # lpf \"<400 900>\" 2\n"
                             "~n: noise * 0.2 # hpf 2000\n"
                             "o1: s \"~x(3,8) ~n\" # note \"<c4'min7 e4'major>\" # gain \"0.7 0.5\" # delay 0.125 0.3\n"
                             "o2: s \"bd*2 808ht:1\" # reverb 0.5 0.5 0.3\n";
static const char PROG_B[] = "bpm: 480\n"
                             "~x: square 110 # lpf 600\n"
                             "out: s \"~x*3 sn\" # note \"0 7\"\n";

typedef struct fixture {
    char dir[64];
    char a[PATH_MAX], b[PATH_MAX], wav[PATH_MAX];
} fixture;

static void __attribute__((format(printf, 3, 4))) pathf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < cap, "path too long");
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

static void fixture_make(fixture *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "%s", tu_tmpdir("fault"));
    pathf(fx->a, sizeof fx->a, "%s/a.ph", fx->dir);
    pathf(fx->b, sizeof fx->b, "%s/b.ph", fx->dir);
    pathf(fx->wav, sizeof fx->wav, "%s/out/render.wav", fx->dir);
    spit(fx->a, PROG_A);
    spit(fx->b, PROG_B);
    char out[PATH_MAX];
    pathf(out, sizeof out, "%s/out", fx->dir);
    cr_assert_eq(mkdir(out, 0755), 0);
}

static void fixture_free(fixture *fx) { tu_rm_rf(fx->dir); }

/* Entries of the output folder (the WAV, or temporaries left behind). */
static int out_entries(const fixture *fx, char *names, size_t cap)
{
    char p[PATH_MAX];
    pathf(p, sizeof p, "%s/out", fx->dir);
    DIR *d = opendir(p);
    cr_assert_not_null(d);
    int n = 0;
    names[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        n++;
        size_t len = strlen(names);
        snprintf(names + len, cap - len, "%s ", de->d_name);
    }
    closedir(d);
    return n;
}

static void cfg_for(bb_run_cfg *c, const fixture *fx, const char *strategy, int threads)
{
    bb_run_cfg_default(c);
    c->program = fx->a;
    c->cycles = bb_rat_int(2);
    c->strategy = strategy;
    c->threads = threads;
    c->block = 256;
    c->sr = 22050;
    c->reloads[0].cycle = bb_rat_int(1);
    c->reloads[0].path = fx->b;
    c->nreloads = 1;
}

typedef struct sweep_stats {
    uint64_t runs, ok, nomem, missed; /* missed: runs that made fewer than n allocations */
} sweep_stats;

/* Render with the nth allocation refused (0: none) and check the outcome
 * against the reference ref[0..nref) (NULL: this is the reference run). */
static void one_run(const fixture *fx, const char *strategy, int threads, uint64_t n, const float *ref, size_t nref,
                    float **keep, size_t *nkeep, uint64_t *allocs, sweep_stats *ss)
{
    bb_run_cfg c;
    cfg_for(&c, fx, strategy, threads);
    bb_error err;
    bb_error_clear(&err);
    bb_run_out o;
    bb_alloc_stats s0 = bb_alloc_snapshot();
    bb_alloc_fail_at(n);
    bb_result r = bb_run(&c, fx->wav, true, true, &o, &err);
    if (bb_alloc_fail_at(0) != 0) ss->missed++;
    bool ok = r == BB_OK;
    float *x = o.samples;
    size_t nx = o.frames;
    o.samples = NULL; /* kept for the comparison below, freed by us */
    bb_run_out_free(&o);
    char names[2048];
    int ne = out_entries(fx, names, sizeof names);
    if (ok) {
        if (ref) {
            cr_assert_eq(nx, nref, "[%s, allocation %llu refused] succeeded with %zu frames, the reference has %zu",
                         strategy, (unsigned long long)n, nx, nref);
            cr_assert(memcmp(x, ref, nx * sizeof *x) == 0,
                      "[%s, allocation %llu refused] succeeded but the audio differs from the reference", strategy,
                      (unsigned long long)n);
            /* the WAV holds the same samples */
            float *y;
            size_t ny;
            int sr, ch;
            bb_error e2;
            cr_assert_eq(bb_wav_read(fx->wav, &y, &ny, &sr, &ch, &e2), BB_OK, "%s", e2.msg);
            cr_assert(ny == nref && !memcmp(y, ref, ny * sizeof *y), "[%s, allocation %llu refused] the WAV differs",
                      strategy, (unsigned long long)n);
            bb_free(y);
        }
        cr_assert_eq(ne, 1, "[%s, allocation %llu refused] output folder: %s", strategy, (unsigned long long)n, names);
        cr_assert_eq(unlink(fx->wav), 0);
        ss->ok++;
    } else {
        char buf[1024];
        cr_assert_eq(r, BB_ERR_NOMEM, "[%s, allocation %llu refused] failed with %s, not out of memory: %s", strategy,
                     (unsigned long long)n, bb_result_str(r), bb_error_format(&err, buf, sizeof buf));
        cr_assert(err.msg[0], "[%s, allocation %llu refused] no message", strategy, (unsigned long long)n);
        /* a failure while synthesising names the bus (or buses) of the window */
        if (strstr(err.msg, "synthesising"))
            cr_assert(strstr(err.msg, "~") != NULL, "[%s, allocation %llu refused] names no bus: %s", strategy,
                      (unsigned long long)n, err.msg);
        cr_assert_eq(ne, 0, "[%s, allocation %llu refused] left behind in the output folder: %s", strategy,
                     (unsigned long long)n, names);
        ss->nomem++;
    }
    bb_alloc_stats s1 = bb_alloc_snapshot();
    if (keep) {
        *keep = x;
        *nkeep = nx;
    } else {
        bb_free(x);
    }
    bb_alloc_stats s2 = bb_alloc_snapshot();
    /* everything the run allocated is freed (but the samples we kept) */
    uint64_t kept = keep ? 1 : 0;
    cr_assert_eq(s2.allocs - s0.allocs, s2.frees - s0.frees + kept,
                 "[%s, allocation %llu refused] leak: %llu allocations, %llu frees", strategy, (unsigned long long)n,
                 (unsigned long long)(s2.allocs - s0.allocs), (unsigned long long)(s2.frees - s0.frees));
    if (!keep)
        cr_assert_eq(s2.live, s0.live, "[%s, allocation %llu refused] %lld live bytes leaked", strategy,
                     (unsigned long long)n, (long long)(s2.live - s0.live));
    if (allocs) *allocs = s1.allocs - s0.allocs + (s1.failed - s0.failed);
    ss->runs++;
}

static void sweep(const char *strategy, int threads, uint64_t stride, bool exact)
{
    fixture fx;
    fixture_make(&fx);
    sweep_stats ss = {0};
    float *ref;
    size_t nref;
    uint64_t total;
    one_run(&fx, strategy, threads, 0, NULL, 0, &ref, &nref, &total, &ss);
    cr_assert(nref > 0 && total > 10, "the reference render made %llu allocations", (unsigned long long)total);
    for (uint64_t n = 1; n <= total; n += stride) one_run(&fx, strategy, threads, n, ref, nref, NULL, NULL, NULL, &ss);
    bb_free(ref);
    fixture_free(&fx);
    cr_log_info("faults %s x%d: %llu allocations, %llu runs: %llu clean out-of-memory errors, %llu absorbed (same "
                "audio), %llu made fewer allocations than the refused one",
                strategy, threads, (unsigned long long)total, (unsigned long long)ss.runs - 1,
                (unsigned long long)ss.nomem, (unsigned long long)ss.ok - 1, (unsigned long long)ss.missed);
    /* serial allocates the same way every time: every run has its allocation refused; with
       worker threads the count varies a little with the schedule */
    if (exact) cr_expect_eq(ss.missed, 0, "%llu runs were not refused any allocation", (unsigned long long)ss.missed);
    else cr_expect_leq(ss.missed * 10, ss.runs, "%llu of %llu runs were not refused any allocation",
                       (unsigned long long)ss.missed, (unsigned long long)ss.runs);
    cr_expect_gt(ss.nomem, 0);
}

TestSuite(faults, .timeout = 900);

Test(faults, every_allocation_of_a_serial_render_fails_cleanly) { sweep("serial", 1, 1, true); }

Test(faults, every_allocation_of_a_parallel_render_fails_cleanly) { sweep("parallel", 2, 1, false); }

Test(faults, every_allocation_of_the_all_strategy_fails_cleanly) { sweep("all", 2, 1, false); }

/* The parsers alone, on every allocation: a .ph program with patterns and a
 * mini-notation pattern with every construct. */
Test(faults, every_allocation_of_the_parsers_fails_cleanly)
{
    static const char *const pats[] = {"bd*<2 3> [sn sn?]!2 808ht(4,17,<2 3 1 2>) {a b c}%4 <a <b c>> c4'min7 ~x . hh@3 _ | cp"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        for (uint64_t n = 1;; n++) {
            bb_alloc_stats s0 = bb_alloc_snapshot();
            bb_arena own, scratch;
            bb_arena_init(&own);
            bb_arena_init(&scratch);
            bb_haps h;
            bb_haps_init(&h);
            bb_pat *p;
            bb_error err;
            bb_alloc_fail_at(n);
            bb_result r = bb_mini_parse(&own, pats[i], strlen(pats[i]), "<t>", 1, 1, &p, &err);
            if (!r) r = bb_pat_query_onsets(p, bb_rat_int(0), bb_rat_int(4), &scratch, &h);
            uint64_t left = bb_alloc_fail_at(0);
            cr_assert(r == BB_OK || r == BB_ERR_NOMEM, "pattern, allocation %llu refused: %s", (unsigned long long)n,
                      bb_result_str(r));
            bb_haps_free(&h);
            bb_arena_free(&scratch);
            bb_arena_free(&own);
            bb_alloc_stats s1 = bb_alloc_snapshot();
            cr_assert_eq(s1.allocs - s0.allocs, s1.frees - s0.frees, "pattern, allocation %llu refused: leak",
                         (unsigned long long)n);
            if (left) break; /* the countdown did not reach 0: every allocation was tried */
        }
    }
    const char *src = PROG_A;
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 22050.0), BB_OK);
    cr_assert_eq(bb_kit_use_all(kit), BB_OK); /* compiling then makes nothing that outlives the program */
    for (uint64_t n = 1;; n++) {
        bb_alloc_stats s0 = bb_alloc_snapshot();
        bb_error err;
        bb_ph *ph = NULL;
        bb_prog *p = NULL;
        bb_alloc_fail_at(n);
        bb_result r = bb_ph_parse(src, strlen(src), "a.ph", &ph, &err);
        if (!r) {
            bb_prog_opts o = {.sr = 22050, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
            r = bb_prog_compile(ph, &o, &p, &err);
        }
        uint64_t left = bb_alloc_fail_at(0);
        cr_assert(r == BB_OK || r == BB_ERR_NOMEM, "program, allocation %llu refused: %s (%s)", (unsigned long long)n,
                  bb_result_str(r), err.msg);
        bb_prog_free(p);
        bb_alloc_stats s1 = bb_alloc_snapshot();
        cr_assert_eq(s1.allocs - s0.allocs, s1.frees - s0.frees, "program, allocation %llu refused: leak",
                     (unsigned long long)n);
        if (left) break;
    }
    bb_kit_destroy(kit);
}

/* Building the sample kit, on every allocation. */
Test(faults, every_allocation_of_the_kit_fails_cleanly)
{
    for (uint64_t n = 1;; n++) {
        bb_alloc_stats s0 = bb_alloc_snapshot();
        bb_kit *kit = NULL;
        bb_alloc_fail_at(n);
        bb_result r = bb_kit_create(&kit, 22050.0);
        cr_assert(r == BB_OK ? kit != NULL : kit == NULL);
        if (!r) r = bb_kit_use_all(kit); /* the synthesis of every sound */
        uint64_t left = bb_alloc_fail_at(0);
        cr_assert(r == BB_OK || r == BB_ERR_NOMEM, "kit, allocation %llu refused: %s", (unsigned long long)n,
                  bb_result_str(r));
        bb_kit_destroy(kit);
        bb_alloc_stats s1 = bb_alloc_snapshot();
        cr_assert_eq(s1.allocs - s0.allocs, s1.frees - s0.frees, "kit, allocation %llu refused: leak", (unsigned long long)n);
        if (left) break;
    }
}
