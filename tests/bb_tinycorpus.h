/* bb_tinycorpus.h - a golden corpus of one tiny workload, for the suites that
 * drive bench and compare end to end. Include after bb_testutil.h. */
#ifndef BB_TINYCORPUS_H
#define BB_TINYCORPUS_H

#include "bb_golden.h"
#include "bb_run.h"

#include <criterion/criterion.h>

/* A folder (removed at exit) holding tiny.ph, its golden tiny.wav rendered by
 * serial for the given cycles, and manifest.tsv. The bus reads a pattern (so
 * canary-stale, which treats every bus as static, renders it wrong) and is
 * filtered and triggered with notes. Returns static storage. */
static inline const char *tu_tiny_corpus(const char *tag, int64_t cycles)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir(tag));
    char ph[128], wav[128], man[128];
    snprintf(ph, sizeof ph, "%s/tiny.ph", dir);
    snprintf(wav, sizeof wav, "%s/tiny.wav", dir);
    snprintf(man, sizeof man, "%s/manifest.tsv", dir);
    FILE *f = fopen(ph, "w");
    cr_assert_not_null(f);
    fputs("cps: 2\n~x: saw \"220 330 440\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n", f);
    fclose(f);
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    c.program = ph;
    c.cycles = bb_rat_int(cycles);
    c.threads = 1;
    bb_run_out o;
    bb_error err;
    cr_assert(bb_run(&c, wav, true, false, &o, &err) == BB_OK, "%s", err.msg);
    char sha[BB_GOLDEN_SHA_HEX];
    cr_assert(bb_golden_sha256_samples(o.samples, o.frames, sha, &err) == BB_OK);
    unsigned long long frames = (unsigned long long)o.frames;
    bb_run_out_free(&o);
    f = fopen(man, "w");
    cr_assert_not_null(f);
    fprintf(f, "# workload\tprogram\twav\tframes\tsha256\toptions\ntiny\ttiny.ph\ttiny.wav\t%llu\t%s\t--cycles %lld\n",
            frames, sha, (long long)cycles);
    fclose(f);
    return dir;
}

#endif
