/* bb_callgrind.c - instruction counts of a render under valgrind's callgrind.
 *
 * What it is: the parent half (a temporary folder for the dumps; running `busbench bench ...`
 * under valgrind --tool=callgrind --instr-atstart=no, telling the child by BB_CALLGRIND_OUT where
 * its dumps go) and the child half (zero and start the instrumentation around a render, stop and
 * dump it, read the dump's total back). Counting is off outside the render, so loading, compiling,
 * worker start and teardown are not in the count.
 *
 * Invariants: a dump is read and removed at once (dump n is PREFIX.n); hwloc's x86 backend is
 * switched off in the child (valgrind emulates CPUID and hwloc would warn on every load).
 * Units: instructions. */
#include "bb_callgrind.h"

#include "bb_cmds.h"
#include "bb_proc.h"

#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BB_HAVE_CALLGRIND 1
#endif
#endif
#ifndef BB_HAVE_CALLGRIND
#define BB_HAVE_CALLGRIND 0
#endif

/* In the child that runs under callgrind: the dump file prefix the parent gave
 * (--callgrind-out-file; dump n goes to PREFIX.n) and the dumps so far. */
static struct {
    char base[PATH_MAX];
    int dumps;
} g_ic;

void bb_callgrind_start(void)
{
#if BB_HAVE_CALLGRIND
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
#endif
}

double bb_callgrind_stop(void)
{
#if BB_HAVE_CALLGRIND
    CALLGRIND_STOP_INSTRUMENTATION;
    CALLGRIND_DUMP_STATS_AT("busbench render");
#endif
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s.%d", g_ic.base, ++g_ic.dumps);
    FILE *f = fopen(p, "r");
    if (!f) return (double)NAN;
    char line[512];
    double totals = (double)NAN, summary = (double)NAN;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "totals:", 7)) totals = strtod(line + 7, NULL);
        else if (!strncmp(line, "summary:", 8)) summary = strtod(line + 8, NULL);
    }
    fclose(f);
    unlink(p);
    return isfinite(totals) ? totals : summary;
}

bool bb_callgrind_built(void) { return BB_HAVE_CALLGRIND; }

bool bb_callgrind_child(void)
{
#if BB_HAVE_CALLGRIND
    const char *cg = getenv("BB_CALLGRIND_OUT");
    if (!cg || !*cg || !RUNNING_ON_VALGRIND) return false;
    snprintf(g_ic.base, sizeof g_ic.base, "%s", cg);
    return true;
#else
    return false;
#endif
}

/* A fresh folder for callgrind's dumps (and the child's results), under $TMPDIR. */
int bb_callgrind_dir_make(char *dir, size_t cap)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, cap, "%s/busbench-cg-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

void bb_callgrind_dir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[PATH_MAX];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

/* Run `busbench bench ARGS` (args[0] = "bench", NULL-terminated) under
 * callgrind with its dumps in dir; the child knows it is the counting child
 * by BB_CALLGRIND_OUT. Returns the child's exit status, or BB_EXIT_USAGE
 * (with a message) when valgrind or busbench cannot be run. */
int bb_callgrind_run(const char *dir, char *const *args)
{
    char exe[PATH_MAX], out[PATH_MAX + 64], base[PATH_MAX + 16];
    if (bb_proc_self_exe(exe, sizeof exe)) {
        fprintf(stderr, "busbench bench: cannot find the busbench program to run under valgrind (set BB_BUSBENCH)\n");
        return BB_EXIT_USAGE;
    }
    const char *vg = getenv("BB_VALGRIND");
    if (!vg || !*vg) vg = "valgrind";
    char version[128] = "";
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "'%s' --version 2>/dev/null", vg);
    FILE *pf = popen(cmd, "r");
    if (pf) {
        if (!fgets(version, sizeof version, pf)) version[0] = '\0';
        version[strcspn(version, "\n")] = '\0';
        pclose(pf);
    }
    if (!version[0]) {
        fprintf(stderr, "busbench bench: --metric instructions needs valgrind ('%s' does not run; make deps installs it)\n",
                vg);
        return BB_EXIT_USAGE;
    }
    snprintf(base, sizeof base, "%s/cg.out", dir);
    snprintf(out, sizeof out, "--callgrind-out-file=%s", base);
    size_t n = 0;
    while (args[n]) n++;
    char **argv = calloc(n + 16, sizeof *argv);
    if (!argv) return BB_EXIT_USAGE;
    size_t k = 0;
    argv[k++] = (char *)vg;
    argv[k++] = "--tool=callgrind";
    argv[k++] = "--instr-atstart=no";
    argv[k++] = out;
    argv[k++] = "-q";
    argv[k++] = exe;
    for (size_t i = 0; i < n; i++) argv[k++] = args[i];
    argv[k] = NULL;
    setenv("BB_CALLGRIND_OUT", base, 1);
    setenv("BB_VALGRIND_VERSION", version, 1);
    /* hwloc's x86 backend reads CPUID, which valgrind emulates: it says so on every topology load */
    const char *hc = getenv("HWLOC_COMPONENTS");
    char *hc_saved = hc ? strdup(hc) : NULL;
    setenv("HWLOC_COMPONENTS", "-x86", 1);
    int why = 0;
    int rc = bb_proc_run(argv, false, &why);
    unsetenv("BB_CALLGRIND_OUT");
    unsetenv("BB_VALGRIND_VERSION");
    if (hc_saved) setenv("HWLOC_COMPONENTS", hc_saved, 1);
    else unsetenv("HWLOC_COMPONENTS");
    free(hc_saved);
    free(argv);
    if (rc == 127 && why) {
        fprintf(stderr, "busbench bench: cannot run %s under valgrind: %s\n", exe, strerror(why));
        return BB_EXIT_USAGE;
    }
    return rc;
}

/* What the context says about the instruction counts of this run. */
json_t *bb_callgrind_context(int rounds)
{
    json_t *o = json_object();
    const char *vv = getenv("BB_VALGRIND_VERSION");
    json_object_set_new(o, "tool", json_string("callgrind"));
    json_object_set_new(o, "valgrind", json_string(vv ? vv : "unknown"));
    json_object_set_new(o, "libc", json_string(gnu_get_libc_version()));
    json_object_set_new(o, "rounds", json_integer(rounds));
    json_object_set_new(o, "scope",
                        json_string("instructions executed in bb_render_run (every thread, the sink's golden comparison "
                                    "included; loading, compiling, worker start, warm-up and teardown excluded)"));
    json_object_set_new(o, "limits",
                        json_string("valgrind serialises threads: above 1 thread the count includes scheduling-dependent "
                                    "waiting and stealing; counts depend on the compiler, flags, libc and valgrind"));
    return o;
}
