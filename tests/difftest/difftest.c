/* difftest.c - the differential campaign: generated programs, every strategy against serial.
 *
 *   difftest [--seed S] [--n N] [--seconds T] [--corpus DIR] [--strategy LIST] [--print]
 *   difftest --replay DIR/NAME
 *
 * Generates programs S/0, S/1, ... (bb_gen.h), renders each under the default
 * matrix (or LIST at threads 1, 2, 3 and blocks 512, 64, 1) against serial
 * (bb_difftest.h), stops after N programs or T seconds, whichever comes first,
 * and prints the coverage table. The first failing program is reduced and
 * written to DIR (default tests/difftest/corpus) as seedS-I with the command
 * that reproduces it; exit 1. --replay renders a kept case under the whole
 * matrix. Exit 0: nothing differed; 1: a case differed; 2: bad usage or a
 * generated program that does not render (a generator bug). */
#include "bb_difftest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_coverage(const uint64_t *cov, uint64_t programs)
{
    printf("difftest: coverage over %llu programs (construct: programs' occurrences)\n", (unsigned long long)programs);
    for (int t = 0; t < BB_GT_COUNT; t++)
        printf("  %-42s %8llu%s\n", bb_gen_tag_name((bb_gen_tag)t), (unsigned long long)cov[t], cov[t] ? "" : "  NOT COVERED");
}

static int usage(void)
{
    fprintf(stderr, "usage: difftest [--seed S] [--n N] [--seconds T] [--corpus DIR] [--strategy LIST] [--print]\n"
                    "       difftest --replay DIR/NAME\n");
    return 2;
}

static int replay(const char *what, const bb_dt_matrix *m, const char *tmp)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", what);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    if (slash) *slash = '\0';
    bb_gen_case c;
    if (bb_difftest_load(&c, slash ? dir : ".", name)) {
        fprintf(stderr, "difftest: cannot read the case %s (.ph, .txt)\n", what);
        return 2;
    }
    bb_dt_result r;
    bb_dt_verdict v = bb_difftest_run(&c, m, tmp, &r);
    if (v == BB_DT_SAME) printf("difftest: %s: same as serial in %llu renders\n", what, (unsigned long long)r.renders);
    else {
        char cfg[160];
        printf("difftest: %s: %s %s: %s\n", what, v == BB_DT_DIFFERS ? "DIFFERS" : "INVALID",
               bb_difftest_config_str(&r.config, false, cfg, sizeof cfg), r.msg);
    }
    bb_gen_case_free(&c);
    return v == BB_DT_SAME ? 0 : v == BB_DT_DIFFERS ? 1 : 2;
}

int main(int argc, char **argv)
{
    unsigned long long seed = 1, n = 100;
    double seconds = 0;
    const char *corpus = "tests/difftest/corpus", *strategy = NULL, *replay_case = NULL;
    int print = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--print")) print = 1;
        else if (!v) return usage();
        else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "--n")) n = strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "--seconds")) seconds = atof(v), i++;
        else if (!strcmp(a, "--corpus")) corpus = v, i++;
        else if (!strcmp(a, "--strategy")) strategy = v, i++;
        else if (!strcmp(a, "--replay")) replay_case = v, i++;
        else return usage();
    }
    char tmp[] = "/tmp/difftest.XXXXXX";
    if (!mkdtemp(tmp)) return 2;
    bb_dt_matrix m = {0};
    static const int threads[] = {1, 2, 3};
    static const size_t blocks[] = {512, 64, 1};
    int bad = strategy ? bb_difftest_matrix_of(&m, strategy, threads, 3, blocks, 3) : bb_difftest_matrix_default(&m);
    if (bad) return 2;
    int rc = 0;
    if (replay_case) {
        rc = replay(replay_case, &m, tmp);
        goto out;
    }
    uint64_t cov[BB_GT_COUNT] = {0}, renders = 0, i;
    double t0 = now_s();
    for (i = 0; i < n && (seconds <= 0 || now_s() - t0 < seconds); i++) {
        bb_gen_case c;
        if (bb_gen_case_make(&c, seed, i)) return 2;
        bb_gen_case_coverage(&c, cov);
        if (print) {
            char *s = bb_gen_print(c.prog);
            printf("-- program %llu/%llu: sr %d, %lld frames\n%s", seed, (unsigned long long)i, c.sr, (long long)c.frames, s);
            free(s);
        }
        bb_dt_result r;
        bb_dt_verdict v = bb_difftest_run(&c, &m, tmp, &r);
        renders += r.renders;
        if (v == BB_DT_INVALID) {
            char *s = bb_gen_print(c.prog);
            fprintf(stderr, "difftest: program %llu/%llu does not render (a generator bug): %s\n%s", seed,
                    (unsigned long long)i, r.msg, s);
            free(s);
            rc = 2;
        } else if (v == BB_DT_DIFFERS) {
            char cfg[160];
            printf("difftest: program %llu/%llu (found after %.1f s): %s: %s\n", seed, (unsigned long long)i,
                   now_s() - t0, bb_difftest_config_str(&r.config, false, cfg, sizeof cfg), r.msg);
            size_t k = bb_difftest_reduce(&c, &r, tmp);
            bb_dt_result rr;
            bb_dt_matrix one = {&r.config, 1};
            if (bb_difftest_run(&c, &one, tmp, &rr) != BB_DT_DIFFERS) rr = r;
            char name[64];
            snprintf(name, sizeof name, "seed%llu-%llu", seed, (unsigned long long)i);
            char *s = bb_gen_print(c.prog);
            printf("difftest: reduced in %zu steps (%.1f s) to:\n%s", k, now_s() - t0, s ? s : "");
            free(s);
            if (bb_difftest_write(&c, &rr, corpus, name)) fprintf(stderr, "difftest: cannot write %s/%s\n", corpus, name);
            else printf("difftest: kept as %s/%s (.ph, .txt: the command that reproduces it)\n", corpus, name);
            rc = 1;
        }
        bb_gen_case_free(&c);
        if (rc) break;
    }
    printf("difftest: %llu programs, %llu renders in %.1f s: %s\n", (unsigned long long)i, (unsigned long long)renders,
           now_s() - t0, rc == 0 ? "every strategy matched serial" : rc == 1 ? "a strategy differs" : "generator bug");
    print_coverage(cov, i);
out:
    bb_difftest_matrix_free(&m);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd)) rc = rc ? rc : 2;
    return rc;
}
