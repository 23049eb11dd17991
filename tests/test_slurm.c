/* test_slurm.c - Criterion suite "slurm": the Slurm example (harness/ci/slurm-bench.sh) run by
 * Slurm itself, on a private single-node cluster (tests/slurm/cluster.sh: munged, slurmctld and
 * slurmd of Debian's packages, with their own conf, ports, state, logs and munge socket in a
 * temporary folder).
 *
 * - The README's two commands, read from README.md and run as written (the job array of 4
 *   shards, then the merge with --dependency=afterok), complete; the merged result has the
 *   configurations of an unsharded bench of the same flags with the same deterministic counters,
 *   and the report is written.
 * - A failed task (a bad option in BUSBENCH_BENCH_FLAGS) leaves the merge job unrun (pending on a
 *   dependency that can never be satisfied): no merged result.
 * - Outside a job array the script refuses to run.
 *
 * Each cluster case runs in a checkout of symbolic links (harness, golden, README.md, build: the
 * busbench beside this test binary) in a temporary folder, so the jobs' logs and results/ land
 * there. After it, no process carrying the cluster's marker (BUSBENCH_SLURM_CLUSTER=its folder,
 * set on the daemons, their job steps and the jobs) may be left. Where the cluster cannot be
 * brought up (not root, the packages missing) the case is skipped with the fixture's reason. */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Seconds: the fixture's bound on the commands, the jobs' wait within it (the test's own
 * .timeout is above both, so the fixture always stops its cluster itself). */
#define SLURM_FIXTURE_S 150
#define SLURM_WAIT_S 120
#define SLURM_SHARDS 4   /* the README's --array=1-4 */

/* The matrix of the jobs: one group per workload, so each of the 4 shards gets one. */
#define SLURM_FLAGS "--workloads phonon,static,noise,chords --strategies serial,cycle --threads 1 --reps 1 --warmup 1"

/* The states the jobs settled in (tests/slurm/readme-jobs.sh's lines). */
typedef struct jobs {
    long array_id, merge_id;
    int ntasks;
    char task_state[SLURM_SHARDS + 1][32];
    char merge_state[32], merge_reason[64];
} jobs;

/* How many processes carry BUSBENCH_SLURM_CLUSTER=dir; the first one's pid in *first. */
static int cluster_left(const char *dir, long *first)
{
    char marker[PATH_MAX + 32], path[64];
    snprintf(marker, sizeof marker, "BUSBENCH_SLURM_CLUSTER=%s", dir);
    DIR *proc = opendir("/proc");
    cr_assert_not_null(proc);
    int left = 0;
    struct dirent *e;
    while ((e = readdir(proc))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        snprintf(path, sizeof path, "/proc/%ld/environ", pid);
        size_t len;
        char *env = tu_slurp(path, &len);
        if (!env) continue;
        for (size_t i = 0; i < len; i += strlen(env + i) + 1)
            if (!strcmp(env + i, marker)) {
                if (!left++) *first = pid;
                break;
            }
        free(env);
    }
    closedir(proc);
    return left;
}

/* The busbench checkout the tests run in (their working folder), absolute. */
static const char *repo_root(void)
{
    static char repo[PATH_MAX];
    cr_assert_not_null(realpath(".", repo));
    return repo;
}

/* A checkout of links in d/work; the cluster's folder is d/cluster. */
static void checkout(const char *d)
{
    const char *repo = repo_root();
    char bindir[PATH_MAX];
    cr_assert(chmod(d, 0755) == 0, "munged wants the folders above its socket searchable by all");
    snprintf(bindir, sizeof bindir, "%s", tu_busbench());
    *strrchr(bindir, '/') = '\0';
    cr_assert(tu_sh("mkdir %s/work && cd %s/work && ln -s '%s/harness' '%s/golden' '%s/README.md' . && ln -s '%s' build", d, d, repo,
                    repo, repo, bindir) == 0);
}

/* Run the README's commands on a private cluster in d with bench flags; parse their states into *j.
 * Asserts that no process of the cluster is left (skipped or not), then skips the test where the
 * cluster could not be brought up. */
static void run_readme_jobs(const char *d, const char *flags, jobs *j)
{
    checkout(d);
    int rc = tu_sh("cd %s/work && env -u BUSBENCH BUSBENCH_BENCH_FLAGS='%s' bash '%s/tests/slurm/cluster.sh' %s/cluster "
                   "--timeout %d -- bash '%s/tests/slurm/readme-jobs.sh' README.md %d > %s/jobs.txt 2> %s/fixture.err",
                   d, flags, repo_root(), d, SLURM_FIXTURE_S, repo_root(), SLURM_WAIT_S, d, d);
    char p[PATH_MAX];
    long pid = 0;
    snprintf(p, sizeof p, "%s/cluster", d);
    int left = cluster_left(p, &pid);
    cr_assert(left == 0, "%d processes of the cluster left running (pid %ld)", left, pid);
    snprintf(p, sizeof p, "%s/cluster/skip", d);
    char *why = tu_slurp(p, NULL);
    if (rc == 77 && why) cr_skip_test("no Slurm cluster here: %s", why);
    snprintf(p, sizeof p, "%s/fixture.err", d);
    char *err = tu_slurp(p, NULL);
    cr_assert(rc == 0, "cluster.sh + readme-jobs.sh: exit %d (70: a daemon outlived the stop; 124: the bound): %s", rc,
              err ? err : "");
    free(err);
    free(why);
    /* the fixture started the three daemons, by pid */
    snprintf(p, sizeof p, "%s/cluster/pids", d);
    char *pids = tu_slurp(p, NULL);
    int npids = 0;
    for (const char *c = pids; c && *c; c++) npids += *c == '\n';
    cr_assert(npids == 3, "munged, slurmctld, slurmd recorded: %s", pids ? pids : "(none)");
    free(pids);

    memset(j, 0, sizeof *j);
    snprintf(p, sizeof p, "%s/jobs.txt", d);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f);
    char line[256], s[32], r[64];
    int idx;
    long id;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "array %ld", &id) == 1) j->array_id = id;
        else if (sscanf(line, "task %d %31s", &idx, s) == 2 && idx >= 1 && idx <= SLURM_SHARDS) {
            snprintf(j->task_state[idx], sizeof j->task_state[idx], "%s", s);
            j->ntasks++;
        } else if (sscanf(line, "merge %ld %31s %63s", &id, s, r) == 3) {
            j->merge_id = id;
            snprintf(j->merge_state, sizeof j->merge_state, "%s", s);
            snprintf(j->merge_reason, sizeof j->merge_reason, "%s", r);
        }
    }
    fclose(f);
    cr_assert(j->array_id > 0 && j->merge_id > 0 && j->ntasks == SLURM_SHARDS, "the array (%ld, %d tasks) and the merge (%ld) ran",
              j->array_id, j->ntasks, j->merge_id);
}

Test(slurm, the_readme_commands_shard_merge_and_report, .timeout = 240)
{
    const char *d = tu_tmpdir("slurm");
    jobs j;
    run_readme_jobs(d, SLURM_FLAGS, &j);
    for (int i = 1; i <= SLURM_SHARDS; i++)
        cr_assert_str_eq(j.task_state[i], "COMPLETED", "array task %d", i);
    cr_assert_str_eq(j.merge_state, "COMPLETED", "the merge job (%s)", j.merge_reason);
    char all[PATH_MAX], merged[PATH_MAX];
    snprintf(all, sizeof all, "%s/all.json", d);
    cr_assert(tu_sh("'%s' bench --golden golden %s --quiet --out %s >/dev/null 2>&1", tu_busbench(), SLURM_FLAGS, all) == 0);
    snprintf(merged, sizeof merged, "%s/work/results/%ld/results.json", d, j.array_id);
    tu_merged_equals_unsharded(all, merged, 8);
    cr_assert(tu_sh("cd %s/work && test -s results/%ld/report/report.md && test -s results/%ld/report/phases.png", d, j.array_id,
                    j.array_id) == 0, "the merge job wrote the report");
    for (int i = 1; i <= SLURM_SHARDS; i++)
        cr_assert(tu_sh("test -s %s/work/results/%ld/shard-%d.json && test -e %s/work/busbench-%ld_%d.log", d, j.array_id, i, d,
                        j.array_id, i) == 0, "task %d: its shard and its log", i);
}

Test(slurm, a_failed_task_leaves_the_merge_unrun, .timeout = 240)
{
    const char *d = tu_tmpdir("slurm");
    jobs j;
    run_readme_jobs(d, "--workloads phonon --no-such-option", &j);
    for (int i = 1; i <= SLURM_SHARDS; i++)
        cr_assert_str_eq(j.task_state[i], "FAILED", "array task %d", i);
    cr_assert((!strcmp(j.merge_state, "PENDING") && !strcmp(j.merge_reason, "DependencyNeverSatisfied")) ||
                  !strcmp(j.merge_state, "CANCELLED"),
              "the merge job did not run: %s %s", j.merge_state, j.merge_reason);
    cr_assert(tu_sh("test ! -e %s/work/results/%ld/results.json", d, j.array_id) == 0, "no merged result");
    cr_assert(tu_sh("grep -q \"unknown option '--no-such-option'\" %s/work/busbench-%ld_1.log", d, j.array_id) == 0,
              "the task's log says why it failed");
    cr_log_info("slurm: a failed array task left the merge job %ld unrun (%s, %s)", j.merge_id, j.merge_state, j.merge_reason);
}

Test(slurm, outside_a_job_array_the_script_refuses)
{
    const char *d = tu_tmpdir("slurm");
    cr_assert(tu_sh("env -u SLURM_ARRAY_TASK_ID bash harness/ci/slurm-bench.sh >/dev/null 2>%s/err", d) == 1);
    cr_assert(tu_sh("grep -q 'run it as a job array: sbatch --array=1-N' %s/err", d) == 0, "it says how to run it");
}
