/* test_render.c - the serial reference render: every issue program renders,
 * non-silent and finite; output is independent of the block size; two
 * processes give the same bytes; the event schedule never drifts; the step
 * timing (opts.timing) covers every window and changes neither the bytes nor
 * the counters (its structure only: no assertion is about speed); the stop
 * hook ends a render after whole windows, pipelined or not; an arithmetic node
 * followed by a constant's node gives exactly (x op y) * 0.5 computed here
 * from the renders of x and y (the strategies share the kernel with serial,
 * so only an expectation from outside it sees a node that writes too far); a
 * reload counts both programs' voices, and its tail adds nothing past its last
 * voice (the new program's -0.0 keeps its sign); a live offer is pending, then taken or
 * refused, each said once. */
#define _GNU_SOURCE
#include "bb_programs.h"
#include "bb_testutil.h"
#include "bb_wav.h"

#include <criterion/criterion.h>
#include <sys/wait.h>

TestSuite(render);

Test(render, every_issue_program_renders_with_sensible_rms)
{
    const char *const progs[] = {BB_PROG_Q, BB_PROG_PHONON, BB_PROG_QLIKE, BB_PROG_KICK, BB_PROG_BASS,
                                 BB_PROG_LEAD, BB_PROG_SNARE, BB_PROG_DENSE};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        tu_cfg c = {.strategy = "serial", .cycles = 2};
        tu_out o;
        tu_render(progs[i], &c, &o);
        cr_assert_eq(o.res, BB_OK, "program %zu: %s", i, o.msg);
        cr_expect_eq(o.n, progs[i] == BB_PROG_DENSE ? (size_t)88200 : (size_t)176400, "program %zu: two cycles (at 120 bpm 176400 samples)", i);
        size_t bad = 0;
        for (size_t k = 0; k < o.n; k++) bad += isfinite(o.x[k]) ? 0u : 1u;
        cr_expect_eq(bad, (size_t)0, "program %zu: non-finite samples", i);
        double rms = tu_rms(o.x, o.n);
        cr_expect(rms > 0.01 && rms < 2.0, "program %zu: rms %g out of [0.01, 2]", i, rms);
        tu_free(&o);
    }
}

Test(render, output_does_not_depend_on_block_size)
{
    const size_t blocks[] = {1, 7, 64, 512, 4096};
    const char *const progs[] = {BB_PROG_Q, BB_PROG_PHONON, BB_PROG_DENSE};
    for (size_t p = 0; p < sizeof progs / sizeof progs[0]; p++) {
        tu_out ref;
        tu_cfg c = {.strategy = "serial", .block = 512, .cycles = 2};
        tu_render(progs[p], &c, &ref);
        cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
            tu_out o;
            c.block = blocks[b];
            tu_render(progs[p], &c, &o);
            cr_assert_eq(o.res, BB_OK, "%s", o.msg);
            long d = tu_first_diff(ref.x, ref.n, o.x, o.n);
            cr_expect_eq(d, -1, "program %zu, block %zu: first differing sample %ld", p, blocks[b], d);
            tu_free(&o);
        }
        tu_free(&ref);
    }
}

/* Render BB_PROG_Q to path in a child process running the busbench binary. */
static int render_in_child(const char *prog_path, const char *wav)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* $BUSBENCH: the sanitizer builds run their own binary (make asan) */
        const char *bin = getenv("BUSBENCH") && getenv("BUSBENCH")[0] ? getenv("BUSBENCH") : "build/busbench";
        execl(bin, "busbench", "render", prog_path, "-o", wav, "--cycles", "2", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(render, two_processes_write_identical_bytes)
{
    const char *prog = tu_tmpfile(BB_PROG_Q);
    char a[96], b[96];
    snprintf(a, sizeof a, "%s-a.wav", prog);
    snprintf(b, sizeof b, "%s-b.wav", prog);
    cr_assert_eq(render_in_child(prog, a), 0, "first render failed (is build/busbench built?)");
    cr_assert_eq(render_in_child(prog, b), 0);
    size_t nx = 0, ny = 0;
    char *x = tu_slurp(a, &nx), *y = tu_slurp(b, &ny);
    cr_assert(nx > 44 && nx == ny, "sizes %zu and %zu", nx, ny);
    cr_expect(memcmp(x, y, nx) == 0, "the two WAV files differ");
    cr_expect(memmem(x, nx, "PEAK", 4) == NULL, "a PEAK chunk (with a timestamp) was written");
    free(x);
    free(y);
    unlink(a);
    unlink(b);
    unlink(prog);
}

/* `render -o -` through a pipe: the bytes that come out decode to the samples of the same render
 * written to a file (and are those bytes: the header rewritten before any byte leaves); a render
 * that fails sends nothing down the pipe. */
Test(render, render_to_standard_output_through_a_pipe_is_the_file_render)
{
    const char *bin = getenv("BUSBENCH") && getenv("BUSBENCH")[0] ? getenv("BUSBENCH") : "build/busbench";
    const char *prog = tu_tmpfile(BB_PROG_Q), *d = tu_tmpdir("stdout");
    char cmd[1024], pipe_wav[128], file_wav[128], rc_path[128];
    snprintf(pipe_wav, sizeof pipe_wav, "%s/pipe.wav", d);
    snprintf(file_wav, sizeof file_wav, "%s/file.wav", d);
    snprintf(rc_path, sizeof rc_path, "%s/rc", d);
    for (int f = 0; f < 2; f++) {
        const char *fmt = f ? "s16" : "f32";
        snprintf(cmd, sizeof cmd, "{ %s render %s -o - --cycles 2 --format %s; echo $? > %s; } | cat > %s", bin, prog, fmt,
                 rc_path, pipe_wav);
        cr_assert_eq(system(cmd), 0);
        char *rc = tu_slurp(rc_path, NULL);
        cr_assert(rc && !strcmp(rc, "0\n"), "render -o - exits 0: %s", rc ? rc : "(none)");
        free(rc);
        snprintf(cmd, sizeof cmd, "%s render %s -o %s --cycles 2 --format %s", bin, prog, file_wav, fmt);
        cr_assert_eq(system(cmd), 0);
        float *x[2];
        size_t n[2];
        int sr[2], ch[2];
        bb_error err;
        cr_assert_eq(bb_wav_read(pipe_wav, &x[0], &n[0], &sr[0], &ch[0], &err), BB_OK, "%s: %s", fmt, err.msg);
        cr_assert_eq(bb_wav_read(file_wav, &x[1], &n[1], &sr[1], &ch[1], &err), BB_OK, "%s", err.msg);
        cr_assert(n[0] == n[1] && n[0] > 0 && sr[0] == sr[1] && ch[0] == 1 && ch[1] == 1, "%s: same length and rate", fmt);
        cr_expect(!memcmp(x[0], x[1], n[0] * sizeof(float)), "%s: the piped WAV decodes to the file's samples", fmt);
        size_t b0 = 0, b1 = 1;
        char *y0 = tu_slurp(pipe_wav, &b0), *y1 = tu_slurp(file_wav, &b1);
        cr_expect(b0 == b1 && !memcmp(y0, y1, b0), "%s: the same bytes", fmt);
        free(y0);
        free(y1);
        bb_free(x[0]);
        bb_free(x[1]);
    }
    const char *bad = tu_tmpfile("cps: 1\nout: s \"bd\n");
    snprintf(cmd, sizeof cmd, "{ %s render %s -o - 2>/dev/null; echo $? > %s; } | cat > %s", bin, bad, rc_path, pipe_wav);
    cr_assert_eq(system(cmd), 0);
    char *rc = tu_slurp(rc_path, NULL);
    cr_assert(rc && !strcmp(rc, "2\n"), "a program that does not compile is exit 2: %s", rc ? rc : "(none)");
    free(rc);
    size_t nb = 1;
    free(tu_slurp(pipe_wav, &nb));
    cr_assert_eq(nb, 0, "nothing went down the pipe");
}

/* The event schedule of one hour of s "~x(7,17)": exactly 7 voices in every
 * cycle, the first at the cycle's first sample (no drift), checked on the
 * schedule without rendering audio. */
static void check_hour(const char *src)
{
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    bb_error err;
    bb_ph *ph;
    cr_assert_eq(bb_ph_parse(src, strlen(src), "hour.ph", &ph, &err), BB_OK);
    bb_prog_opts po = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
    bb_prog *p;
    cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK);
    cr_assert_eq(p->main.ntrigs, 1);
    bb_limits lim = {256, 10.0};
    bb_trig t;
    cr_assert_eq(bb_trig_init(&t, p, &p->main.trigs[0], &lim), BB_OK);
    bb_reqlist l = {0};
    int64_t cycles = bb_rat_floor(bb_rat_mul(bb_rat_int(3600), p->cps));
    int64_t prev_end = 0;
    for (int64_t c = 0; c < cycles; c++) {
        int64_t a = bb_prog_idx(p, bb_rat_int(c)), b = bb_prog_idx(p, bb_rat_int(c + 1));
        cr_assert_eq(a, prev_end, "cycle %lld starts at %lld, the previous ended at %lld", (long long)c,
                     (long long)a, (long long)prev_end);
        prev_end = b;
        l.n = 0;
        cr_assert_eq(bb_trig_enumerate(&t, NULL, a, b, &l), BB_OK);
        cr_assert_eq(l.n, 7, "cycle %lld has %zu triggers", (long long)c, l.n);
        cr_assert_eq(l.v[0].onset, a, "cycle %lld: first onset %lld, cycle start %lld", (long long)c,
                     (long long)l.v[0].onset, (long long)a);
    }
    free(l.v);
    bb_trig_free(&t, NULL, NULL);
    bb_prog_free(p);
    bb_kit_destroy(kit);
}

Test(render, one_hour_schedule_has_seven_triggers_every_cycle)
{
    check_hour("bpm: 120\n~x: saw 440\nout: s \"~x(7,17)\"\n");
    /* a tempo whose cycle is not a whole number of samples */
    check_hour("bpm: 133\n~x: saw 440\nout: s \"~x(7,17)\"\n");
}

Test(render, bad_options_are_refused)
{
    tu_out o;
    tu_cfg c = {.strategy = "nonesuch"};
    tu_render(BB_PROG_KICK, &c, &o);
    cr_expect_eq(o.res, BB_ERR_ARG);
    cr_expect(strstr(o.msg, "unknown strategy 'nonesuch'") != NULL, "%s", o.msg);
    tu_free(&o);
}

/* The 128-bit fast paths of the time map give the same integers as reduced
 * rational arithmetic, over awkward tempi, anchors and times. */
Test(render, time_map_fast_path_is_exact)
{
    const char *const tempi[] = {"bpm: 120\nout: sine\n", "bpm: 133\nout: sine\n", "tempo: 0.5625\nout: sine\n",
                                 "cps: 0.001\nout: sine\n", "cps: 977.3\nout: sine\n"};
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof tempi / sizeof tempi[0]; i++) {
        bb_error err;
        bb_ph *ph;
        cr_assert_eq(bb_ph_parse(tempi[i], strlen(tempi[i]), "t.ph", &ph, &err), BB_OK);
        bb_prog_opts po = {.sr = 44100, .c0 = bb_rat_int(7), .s0 = 123457};
        bb_prog *p;
        cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK);
        for (int j = 0; j < 2000; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int64_t k = (int64_t)(x % 400000000u) - 1000000;
            bb_rat t = bb_rat_make((int64_t)(x >> 40) - 8000, (int64_t)(x % 9973) + 1);
            int64_t want_c = bb_rat_floor(bb_prog_time(p, k));
            int64_t want_i = p->s0 + bb_rat_ceil(bb_rat_mul(bb_rat_sub(t, p->c0), p->spc));
            cr_assert_eq(bb_prog_cycle(p, k), want_c, "cycle of sample %lld", (long long)k);
            cr_assert_eq(bb_prog_idx(p, t), want_i, "idx of %lld/%lld", (long long)t.num, (long long)t.den);
        }
        bb_prog_free(p);
    }
}

/* Two programs that must render the same samples under serial (cycles long); returns the RMS of
 * the first, so that a test can also check it is not silence. */
static double expect_same_render(const char *pa, const char *pb, int64_t cycles)
{
    tu_cfg c = {.strategy = "serial", .cycles = cycles};
    tu_out a, b;
    tu_render(pa, &c, &a);
    tu_render(pb, &c, &b);
    cr_assert(a.res == BB_OK && b.res == BB_OK, "%s %s", a.msg, b.msg);
    long d = tu_first_diff(a.x, a.n, b.x, b.n);
    cr_expect_eq(d, -1, "%s and %s: first differing sample %ld", pa, pb, d);
    double rms = tu_rms(a.x, a.n);
    tu_free(&a);
    tu_free(&b);
    return rms;
}

/* A filter computes its coefficients once when cutoff and q are constants, per change when
 * either is a signal: the two paths must give the same samples for the same values. */
Test(render, constant_and_patterned_filter_parameters_agree)
{
    const char *const progs[] = {"out: saw 220 # lpf 800 \"2\"\n", "out: saw 220 # lpf \"800\" 2\n",
                                 "out: saw 220 # lpf \"800\" \"2\"\n"};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) expect_same_render("out: saw 220 # lpf 800 2\n", progs[i], 1);
}

/* At 100000 bpm a cycle is 105.84 samples: of the 200 events of "~x*200" only those whose
 * start and end fall on different samples have a length; each of those lasts one sample and
 * together they tile ceil(105.84) = 106 samples, so 106 voices, and the rest make none. */
Test(render, zero_length_events_make_no_voice)
{
    tu_cfg c = {.strategy = "serial", .cycles = 1};
    tu_out o;
    tu_render("bpm: 100000\n~x: sine 440\nout: s \"~x*200\"\n", &c, &o);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_expect_eq(o.st.frames, 106);
    cr_expect_eq(o.st.voices, 106, "%llu voices", (unsigned long long)o.st.voices);
    cr_expect_eq(o.st.requests, 106, "%llu requests", (unsigned long long)o.st.requests);
    tu_free(&o);
}

/* Unary minus folds on numbers and negates signals: -(sine 3) is (0 - 1) * sine 3, bit for bit
 * (a sign flip is exact, and -1 * x keeps the sign of zero as -x does). */
Test(render, unary_minus_negates_a_signal)
{
    cr_expect_gt(expect_same_render("out: -(sine 3)\n", "out: (0 - 1) * sine 3\n", 1), 0.5, "not the sine");
}

/* Timing on: every window is timed, every step time is a finite non-negative
 * number and the loop took some time; the samples and the deterministic
 * counters are those of the same render untimed, whose times are all zero.
 * Through a reload and with the workers (batch at 2 threads, block 64). */
Test(render, step_timing_covers_every_window_and_changes_nothing)
{
    const char *next = tu_tmpfile(BB_PROG_PHONON);
    const char *const strategies[] = {"serial", "batch", "all"};
    for (size_t s = 0; s < sizeof strategies / sizeof strategies[0]; s++) {
        tu_cfg c = {.strategy = strategies[s], .threads = 2, .block = 64, .cycles = 3, .reload_path = next,
                    .reload_cycle = 2};
        tu_out plain, timed;
        tu_render(BB_PROG_Q, &c, &plain);
        c.timing = true;
        tu_render(BB_PROG_Q, &c, &timed);
        cr_assert_eq(plain.res, BB_OK, "%s", plain.msg);
        cr_assert_eq(timed.res, BB_OK, "%s", timed.msg);
        cr_assert_eq(tu_first_diff(plain.x, plain.n, timed.x, timed.n), -1, "%s: timing changes no sample", strategies[s]);
        bb_stats a = plain.st, b = timed.st;
        a.allocs = a.alloc_bytes = a.allocs_steady = a.alloc_bytes_steady = 0;
        b.allocs = b.alloc_bytes = b.allocs_steady = b.alloc_bytes_steady = 0;
        cr_assert(!memcmp(&a, &b, sizeof a), "%s: timing changes no counter", strategies[s]);
        cr_assert_eq(plain.times.windows, 0);
        cr_assert(plain.times.schedule_ns == 0 && plain.times.continuous_ns == 0 && plain.times.resolve_ns == 0,
                  "untimed: no clock is read");
        cr_assert_eq(timed.times.windows, timed.st.windows, "%s: every window timed", strategies[s]);
        const double steps[] = {timed.times.schedule_ns, timed.times.resolve_ns, timed.times.mix_ns,
                                timed.times.continuous_ns, timed.times.retire_ns};
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            cr_assert(isfinite(steps[i]) && steps[i] >= 0, "%s: step %zu is %g", strategies[s], i, steps[i]);
        cr_assert(bb_render_times_seq(&timed.times) > 0 && bb_render_times_par(&timed.times) > 0);
        cr_assert(bb_render_times_seq(&timed.times) + bb_render_times_par(&timed.times) ==
                  steps[0] + steps[1] + steps[2] + steps[3] + steps[4], "seq and par split the steps");
        tu_free(&plain);
        tu_free(&timed);
    }
}

/* The stop hook ends a render after the window that made it say so: asked on the sink's thread
 * (a pipelined render's output chain runs on a worker), what went out is a prefix of the full
 * render made of whole windows, stats.frames counts exactly that, and nothing follows; serial,
 * and batch and all pipelined at 3 threads with look-aheads 1 and 32. */
Test(render, a_stop_ends_the_render_after_the_window_that_asked)
{
    tu_cfg full = {.strategy = "serial", .block = 64, .cycles = 3};
    tu_out ref;
    tu_render(BB_PROG_Q, &full, &ref);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    static const struct {
        const char *strategy;
        int threads;
        size_t lookahead, window;
    } cases[] = {{"serial", 1, 0, 64}, {"batch", 3, 1, 512}, {"batch", 3, 32, 512}, {"all", 3, 32, 512}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_cfg c = {.strategy = cases[i].strategy, .threads = cases[i].threads, .lookahead = cases[i].lookahead,
                    .block = 64, .cycles = 3, .stop_after = 10000};
        tu_out o;
        tu_render(BB_PROG_Q, &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        cr_expect(o.n >= c.stop_after && o.n < c.stop_after + cases[i].window, "%s: %zu samples out, stop after %zu",
                  cases[i].strategy, o.n, c.stop_after);
        cr_expect_eq(o.n % cases[i].window, 0, "%s: whole windows out", cases[i].strategy);
        cr_expect_eq(o.st.frames, o.n, "%s: stats.frames counts what went out", cases[i].strategy);
        cr_expect_eq(tu_first_diff(ref.x, o.n, o.x, o.n), -1, "%s: a prefix of the full render", cases[i].strategy);
        cr_expect_eq(o.stops, (int)(o.n / cases[i].window), "%s: asked once per window out", cases[i].strategy);
        cr_expect_eq(o.stops_off_sink_thread, 0, "%s: asked on the sink's thread", cases[i].strategy);
        tu_free(&o);
    }
    tu_free(&ref);
}

/* The step API (bb_render_step) hands out the same bytes as the whole render,
 * whatever the step: 1, 64, 100 (not a divisor of any block or window), 256 and
 * 4096 frames a call, for serial, cycle, pool, batch (windows of 8 blocks) and
 * all, batch and all also pipelined at 3 threads (the output on a worker), with
 * a reload inside the render; the counters of what went out agree. */
Test(render, steps_of_any_size_give_the_bytes_of_the_whole_render)
{
    const char *reload = tu_tmpfile(BB_PROG_RELOAD_B);
    static const struct {
        const char *strategy;
        int threads;
    } plans[] = {{"serial", 1}, {"cycle", 1}, {"pool", 2}, {"batch", 1}, {"all", 1}, {"batch", 3}, {"all", 3}};
    static const size_t steps[] = {1, 64, 100, 256, 4096};
    const char *const progs[] = {BB_PROG_Q, BB_PROG_RELOAD_A};
    for (size_t p = 0; p < 2; p++) {
        tu_cfg base = {.strategy = "serial", .block = 128, .cycles = 3, .reload_path = p ? reload : NULL,
                       .reload_cycle = 1};
        tu_out ref;
        tu_render(progs[p], &base, &ref);
        cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
        for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
            for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
                tu_cfg c = base;
                c.strategy = plans[i].strategy;
                c.threads = plans[i].threads;
                c.step = steps[k];
                tu_out o;
                tu_render(progs[p], &c, &o);
                cr_assert_eq(o.res, BB_OK, "program %zu, %s at %d threads, steps of %zu: %s", p, c.strategy, c.threads,
                             steps[k], o.msg);
                cr_expect_eq(tu_first_diff(ref.x, ref.n, o.x, o.n), -1,
                             "program %zu, %s at %d threads, steps of %zu: first difference at %ld (%zu of %zu frames)",
                             p, c.strategy, c.threads, steps[k], tu_first_diff(ref.x, ref.n, o.x, o.n), o.n, ref.n);
                cr_expect_eq(o.st.frames, ref.st.frames, "%s steps of %zu: frames", c.strategy, steps[k]);
                cr_expect_eq(o.st.reloads, ref.st.reloads, "%s steps of %zu: reloads", c.strategy, steps[k]);
                tu_free(&o);
            }
        tu_free(&ref);
    }
}

/* Multiplication commutes bit for bit, whatever order the graph holds its operands in: a
 * trigger compiled before a constant must not touch the constant's samples. */
Test(render, operands_of_a_product_commute)
{
    cr_expect_gt(expect_same_render("~x: saw 220\nout: s \"~x ~x*2\" * 0.5\n", "~x: saw 220\nout: 0.5 * s \"~x ~x*2\"\n", 2),
                 0.1);
}

/* Sums of triggers are folded into the mixing (bb_inst_mix): outputs summed, a sum inside an
 * output, a sum whose right operand is a sum. The same graph with every trigger times 1 (x * 1
 * is x, bit for bit) folds nothing and evaluates every sum node by node in the output graph:
 * the two give the same bits under every strategy, at 1 and 2 threads, blocks 512, 64, 1 and 4096. */
Test(render, sums_of_triggers_folded_into_the_mixing_are_the_graph_s_sums)
{
    static const char folded[] = "bpm: 140\n~x: saw \"220 330\" # lpf 900\n"
                                 "o1: s \"~x*4 ~x(3,8)\"\n"
                                 "o2: s \"bd*2 808lt\"\n"
                                 "o3: s \"808lt*2\" + (s \"~x*3\" + s \"bd*3\")\n";
    static const char whole[] = "bpm: 140\n~x: saw \"220 330\" # lpf 900\n"
                                "o1: (s \"~x*4 ~x(3,8)\") * 1\n"
                                "o2: (s \"bd*2 808lt\") * 1\n"
                                "o3: (s \"808lt*2\") * 1 + ((s \"~x*3\") * 1 + (s \"bd*3\") * 1)\n";
    tu_cfg rc = {.strategy = "serial", .cycles = 2};
    tu_out ref;
    tu_render(whole, &rc, &ref);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    cr_assert_eq(ref.st.sums_folded, 0, "times 1: nothing to fold");
    cr_assert_gt(tu_rms(ref.x, ref.n), 0.01);
    static const char *const strategies[] = {"serial", "parallel", "batch", "all"};
    static const size_t blocks[] = {512, 64, 1, 4096}; /* 4096: ranges of several of bb_inst_mix's chunks */
    for (size_t s = 0; s < 4; s++)
        for (int t = 1; t <= 2; t++)
            for (size_t b = 0; b < 4; b++) {
                tu_cfg c = {.strategy = strategies[s], .threads = t, .block = blocks[b], .cycles = 2};
                tu_out o;
                tu_render(folded, &c, &o);
                cr_assert_eq(o.res, BB_OK, "%s", o.msg);
                cr_expect_eq(o.st.sums_folded, 4, "o3's two sums and the three outputs' two");
                long d = tu_first_diff(ref.x, ref.n, o.x, o.n);
                cr_expect_eq(d, -1, "%s threads %d block %zu: first differing sample %ld", strategies[s], t, blocks[b], d);
                tu_free(&o);
            }
    tu_free(&ref);
}

/* A reload switches at a whole cycle after the previous switch: cycle 0 (the first program's
 * own start) is refused before the first sample. */
Test(render, reload_must_come_after_the_previous_switch)
{
    const char *b = tu_tmpfile(BB_PROG_RELOAD_B);
    tu_cfg c = {.strategy = "serial", .cycles = 2, .reload_path = b, .reload_cycle = 0};
    tu_out o;
    tu_render(BB_PROG_RELOAD_A, &c, &o);
    cr_expect_eq(o.res, BB_ERR_ARG, "%s", o.msg);
    cr_expect(strstr(o.msg, "whole cycle after the previous switch") != NULL, "%s", o.msg);
    cr_expect_eq(o.n, 0, "%zu samples rendered", o.n);
    tu_free(&o);
    unlink(b);
}

/* A control pattern's event holds its value over its whole part: "7/2" lasts two cycles, and
 * the triggers of cycle 1 (where that event has no onset) still take 7. */
Test(render, a_control_value_holds_across_the_cycles_of_its_event)
{
    expect_same_render("~x: saw 220\nout: s \"~x ~x\" # note \"7/2\"\n", "~x: saw 220\nout: s \"~x ~x\" # note 7\n", 2);
}

/* Each arithmetic node writes its own n samples and no more: its output, followed by a
 * constant's node (the 0.5, compiled after it) whose samples are written once, is (x op y) * 0.5
 * computed here from the renders of x and y alone, sample for sample, through whole chunks
 * (block 512). */
Test(render, an_arithmetic_node_followed_by_a_constant_leaves_the_constant_alone)
{
    static const struct {
        const char *prog;
        char op;
    } cases[] = {{"o1: (saw 220 + saw 110) * 0.5\n", '+'}, {"o1: (saw 220 - saw 110) * 0.5\n", '-'},
                 {"o1: (saw 220 * saw 110) * 0.5\n", '*'}, {"o1: (saw 220 / (saw 110 + 2)) * 0.5\n", '/'},
                 {"o1: (-(saw 220)) * 0.5\n", 'n'}};
    tu_cfg c = {.strategy = "serial", .cycles = 1};
    tu_out x, y;
    tu_render("o1: saw 220\n", &c, &x);
    tu_render("o1: saw 110\n", &c, &y);
    cr_assert(x.res == BB_OK && y.res == BB_OK && x.n == y.n && x.n > 1024);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tu_out o;
        tu_render(cases[k].prog, &c, &o);
        cr_assert(o.res == BB_OK && o.n == x.n, "%s: %s", cases[k].prog, o.msg);
        for (size_t i = 0; i < o.n; i++) {
            const float a = x.x[i], b = y.x[i];
            const float v = cases[k].op == '+' ? a + b : cases[k].op == '-' ? a - b : cases[k].op == '*' ? a * b
                          : cases[k].op == '/' ? a / (b + 2.0f) : -a;
            cr_assert(memcmp(&o.x[i], &(float){v * 0.5f}, sizeof(float)) == 0, "%s: sample %zu is %a, not %a", cases[k].prog, i,
                      (double)o.x[i], (double)(v * 0.5f));
        }
        tu_free(&o);
    }
    tu_free(&x);
    tu_free(&y);
}

/* A reload counts the voices of both programs, each once: four hits of the first program in
 * cycle 0 (gathered when it becomes a tail at the switch) and two of the second in cycle 1 are 6
 * voices; without the reload, 8. */
Test(render, a_reload_counts_the_voices_of_both_programs)
{
    const char *b = tu_tmpfile("bpm: 120\nout: s \"sn*2\"\n");
    tu_cfg c = {.strategy = "serial", .cycles = 2, .reload_path = b, .reload_cycle = 1};
    tu_out o;
    tu_render("bpm: 120\nout: s \"bd*4\"\n", &c, &o);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_expect_eq(o.st.reloads, 1u);
    cr_expect_eq(o.st.voices, 6u, "%llu voices", (unsigned long long)o.st.voices);
    tu_free(&o);
    c.reload_path = NULL;
    tu_render("bpm: 120\nout: s \"bd*4\"\n", &c, &o);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_expect_eq(o.st.voices, 8u, "%llu voices", (unsigned long long)o.st.voices);
    tu_free(&o);
}

/* A reload tail adds nothing past its last voice: A's 808bd (from 1.5 s, 1.2 s long) sounds on
 * into cycle 1 as a tail of B, whose output is -0.0 throughout (a negated silent sine); once the
 * tail's voice ends, mid-block, every sample to the end is B's -0.0, its sign intact (a tail mixed
 * past its end, even as zeros, would make it +0.0). Serial and the pipelined `all` at 2 threads. */
Test(render, a_reload_tail_adds_nothing_past_its_last_voice)
{
    const char *b = tu_tmpfile("bpm: 120\nout: -(sine 0)\n");
    static const char *const plans[] = {"serial", "all"};
    for (int i = 0; i < 2; i++) {
        tu_cfg c = {.strategy = plans[i], .threads = i + 1, .cycles = 2, .reload_path = b, .reload_cycle = 1};
        tu_out o;
        tu_render("bpm: 120\nout: s \"~ ~ ~ 808bd\"\n", &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        cr_assert_eq(o.n, (size_t)176400);
        size_t end = o.n;
        while (end > 0 && o.x[end - 1] == 0.0f) end--;
        cr_assert(end > 88200 && end % 512 != 0, "%s: the tail sounds into cycle 1 and ends mid-block (at %zu)", plans[i], end);
        size_t pos = 0;
        for (size_t k = end; k < o.n; k++) pos += !signbit(o.x[k]);
        cr_expect_eq(pos, 0u, "%s: %zu of the %zu samples after the tail's end are +0.0, not B's -0.0", plans[i], pos,
                     o.n - end);
        tu_free(&o);
    }
}

/* A live reload's hand-over (bb_render_offer / _poll): pending until the render's next window (the
 * program stays the render's: nothing comes back), a second offer meanwhile refused, then TAKEN
 * once and IDLE after; an offer that is not a whole cycle after the last switch is REFUSED once,
 * with the program back to the caller, then IDLE. */
Test(render, an_offer_is_pending_then_taken_or_refused_and_said_once)
{
    bb_kit *kit = NULL;
    bb_error err;
    bb_error_clear(&err);
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    cr_assert_eq(bb_kit_use_all(kit), BB_OK);
    const char *a = "bpm: 120\nout: s \"bd*4\"\n", *b = "bpm: 120\nout: s \"sn*2\"\n";
    bb_ph *ph;
    cr_assert_eq(bb_ph_parse(a, strlen(a), "a.ph", &ph, &err), BB_OK, "%s", err.msg);
    bb_render_opts ro;
    bb_render_opts_default(&ro);
    ro.kit = kit;
    ro.cycles = bb_rat_int(4);
    bb_plan plan;
    cr_assert_eq(bb_plan_parse("serial", 1, 0, BB_PIN_NONE, &plan, &err), BB_OK, "%s", err.msg);
    bb_plan_render_opts(&plan, &ro);
    bb_render *r;
    cr_assert_eq(bb_render_open(&r, ph, &ro, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_render_step_reserve(r, 512, &err), BB_OK, "%s", err.msg);
    bb_prog *back = (bb_prog *)1;
    cr_expect_eq(bb_render_offer_poll(r, &back), BB_RENDER_OFFER_IDLE);
    cr_expect_null(back);
    /* B from cycle 1 */
    const bb_prog *last = bb_render_last_prog(r);
    bb_prog *p, *q;
    cr_assert_eq(bb_ph_parse(b, strlen(b), "b.ph", &ph, &err), BB_OK, "%s", err.msg);
    bb_prog_opts po = {.sr = 44100.0, .kit = kit, .c0 = bb_rat_int(1), .s0 = bb_prog_idx(last, bb_rat_int(1))};
    cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_render_offer(r, p), BB_OK);
    cr_expect_eq(bb_render_offer(r, p), BB_ERR_ARG, "one offer at a time");
    back = (bb_prog *)1;
    cr_expect_eq(bb_render_offer_poll(r, &back), BB_RENDER_OFFER_PENDING);
    cr_expect_null(back, "a pending program is not given back");
    float buf[512];
    size_t got;
    cr_assert_eq(bb_render_step(r, buf, 512, &got, &err), BB_OK, "%s", err.msg);
    back = (bb_prog *)1;
    cr_expect_eq(bb_render_offer_poll(r, &back), BB_RENDER_OFFER_TAKEN);
    cr_expect_null(back, "the render owns it");
    cr_expect_eq(bb_render_offer_poll(r, &back), BB_RENDER_OFFER_IDLE, "said once");
    cr_expect_eq(bb_render_last_prog(r), p);
    /* the same cycle again: not after the last switch */
    cr_assert_eq(bb_ph_parse(b, strlen(b), "b.ph", &ph, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_prog_compile(ph, &po, &q, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_render_offer(r, q), BB_OK);
    cr_assert_eq(bb_render_step(r, buf, 512, &got, &err), BB_OK, "%s", err.msg);
    back = NULL;
    cr_expect_eq(bb_render_offer_poll(r, &back), BB_RENDER_OFFER_REFUSED);
    cr_expect_eq(back, q, "refused: the caller's again");
    bb_prog *again = (bb_prog *)1;
    cr_expect_eq(bb_render_offer_poll(r, &again), BB_RENDER_OFFER_IDLE, "said once");
    cr_expect_null(again);
    bb_prog_free(back);
    bb_render_close(r);
    bb_kit_destroy(kit);
}
