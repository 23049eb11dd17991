/* test_workload.c - Criterion suite "workload": the workloads verify and bench check (bb_workload).
 *
 * What is proved here:
 *   - a program's reference is bit for bit the golden that `busbench bless` writes for it (so
 *     `verify FILE.ph` checks what bless then `verify --golden` would), with the program's options;
 *   - programs are named after their files, uniquely and in the characters a manifest allows;
 *   - a corpus's workloads come with their manifest's length and their golden as the reference;
 *   - the default corpus is ./golden when that folder exists (the tests run from the repository). */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_cmds.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"
#include "bb_wav.h"
#include "bb_workload.h"

#include <stdio.h>
#include <string.h>

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

Test(workload, a_programs_reference_is_the_golden_bless_writes_for_it)
{
    const char *d = tu_tmpdir("wlbless");
    char ph[600], wav[600];
    snprintf(ph, sizeof ph, "%s/song.ph", d);
    snprintf(wav, sizeof wav, "%s/song.wav", d);
    spit(ph, "cps: 2\n~x: saw \"220 330 440\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n");
    snprintf(ph, sizeof ph, "%s/manifest.tsv", d);
    spit(ph, "song\tsong.ph\tsong.wav\t-\t-\t--cycles 3 --sr 11025\n");
    cr_assert_eq(tu_sh("'%s' bless --golden '%s' > /dev/null 2>&1", tu_busbench(), d), 0);
    float *g;
    size_t ng;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(wav, &g, &ng, &sr, &ch, &err), BB_OK, "%s", err.msg);

    snprintf(ph, sizeof ph, "%s/song.ph", d);
    const char *progs[] = {ph};
    bb_run_cfg opts;
    bb_run_cfg_default(&opts);
    opts.cycles = bb_rat_int(3);
    opts.sr = 11025;
    bb_workload_set s;
    cr_assert_eq(bb_workload_open(&s, &(bb_workload_src){.programs = progs, .nprograms = 1, .opts = &opts}, &err), BB_OK,
                 "%s", err.msg);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.v[0].frames, -1, "a program's length is unknown before its reference");
    cr_assert_eq(bb_workload_reference(&s.v[0], &err), BB_OK, "%s", err.msg);
    cr_assert_eq(s.v[0].nref, ng);
    cr_assert_eq(s.v[0].frames, (int64_t)ng);
    cr_assert(!memcmp(s.v[0].ref, g, ng * sizeof *g), "the reference is the golden, bit for bit");
    cr_assert_str_eq(bb_workload_ref_name(&s.v[0]), "the serial render of this run");
    bb_workload_set_free(&s);
    bb_free(g);
}

Test(workload, programs_are_named_after_their_files_uniquely)
{
    const char *progs[] = {"a/song.ph", "b/song.ph", "my tune!.ph", "x/.ph", "noext"};
    static const char *const want[] = {"song", "song-2", "my_tune_", "program", "noext"};
    bb_workload_set s;
    bb_error err;
    cr_assert_eq(bb_workload_open(&s, &(bb_workload_src){.programs = progs, .nprograms = 5}, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(s.n, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_expect_str_eq(s.v[i].name, want[i], "%s", progs[i]);
        cr_expect_str_eq(s.v[i].job.cfg.program, progs[i]);
        cr_expect_null(s.v[i].entry);
    }
    bb_workload_set_free(&s);
    const char *names[] = {"song-2"};
    cr_assert_eq(bb_workload_open(&s, &(bb_workload_src){.programs = progs, .nprograms = 5, .names = names, .nnames = 1}, &err),
                 BB_OK);
    cr_assert(s.n == 1 && !strcmp(s.v[0].job.cfg.program, "b/song.ph"), "selected by name");
    bb_workload_set_free(&s);
}

Test(workload, a_corpus_workload_has_its_manifest_length_and_its_golden)
{
    const char *names[] = {"dense"};
    bb_workload_set s;
    bb_error err;
    cr_assert_eq(bb_workload_open(&s, &(bb_workload_src){.names = names, .nnames = 1}, &err), BB_OK, "%s", err.msg);
    cr_assert_str_eq(s.golden, "golden", "the default corpus is ./golden here");
    cr_assert_eq(s.n, 1);
    cr_assert_not_null(s.v[0].entry);
    int64_t frames = s.v[0].frames;
    cr_assert_gt(frames, 0);
    cr_assert_eq(bb_workload_reference(&s.v[0], &err), BB_OK, "%s", err.msg);
    cr_assert_eq(s.v[0].frames, frames);
    cr_assert_str_eq(bb_workload_ref_name(&s.v[0]), "golden/dense.wav");
    bb_workload_set_free(&s);
}

Test(workload, programs_and_a_corpus_or_options_without_programs_are_refused)
{
    const char *progs[] = {"song.ph"};
    bb_run_cfg opts;
    bb_run_cfg_default(&opts);
    bb_error err;
    cr_assert_eq(bb_workload_check_src(&(bb_workload_src){.programs = progs, .nprograms = 1, .opts = &opts}, &err), BB_OK);
    cr_assert_eq(bb_workload_check_src(&(bb_workload_src){.golden = "golden", .opts = &opts}, &err), BB_OK);
    cr_assert_eq(bb_workload_check_src(&(bb_workload_src){.golden = "g", .programs = progs, .nprograms = 1}, &err), BB_ERR_ARG);
    opts.sr = 8000;
    cr_assert_eq(bb_workload_check_src(&(bb_workload_src){.opts = &opts}, &err), BB_ERR_ARG);
    cr_assert(strstr(err.msg, "for programs"), "%s", err.msg);
}
