/* bb_env.c - the facts of the machine and the build that a result records (bb_env.h).
 *
 * What it is: one place that knows where each fact comes from: the clock (ISO 8601 local time with
 * its offset, as Google Benchmark writes it), the host name, /proc (our executable, cpu MHz),
 * /sys (the frequency governor), getloadavg, hwloc (bb_json_topology), the compiler and the
 * build's identity (BB_GIT_COMMIT, BB_GIT_DATE, BB_BUILD_FLAGS: the Makefile defines them for
 * this file alone), and the ISA the lane kernel picked at run time.
 * Invariants: a fact that cannot be read is "unknown", 0 or absent, never an error. */
#include "bb_env.h"

#include "bb_json.h"
#include "bb_variant.h"

#include <hwloc.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef BB_GIT_COMMIT
#define BB_GIT_COMMIT "unknown"
#endif
#ifndef BB_GIT_DATE
#define BB_GIT_DATE "unknown"
#endif
#ifndef BB_BUILD_FLAGS
#define BB_BUILD_FLAGS "unknown"
#endif

void bb_env_date(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char z[8];
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(z, sizeof z, "%z", &tm); /* +0100 -> +01:00 as Google Benchmark writes it */
    size_t n = strlen(buf);
    if (strlen(z) == 5) snprintf(buf + n, cap - n, "%.3s:%s", z, z + 3);
}

static double cpu_mhz(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[512];
    double mhz = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "cpu MHz", 7)) {
            const char *c = strchr(line, ':');
            if (c) mhz = strtod(c + 1, NULL);
            break;
        }
    fclose(f);
    return mhz;
}

static int scaling_enabled(void)
{
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");
    if (!f) return 0;
    char g[64] = "";
    if (!fgets(g, sizeof g, f)) g[0] = '\0';
    fclose(f);
    return strncmp(g, "performance", 11) != 0;
}

json_t *bb_env_context(void)
{
    json_t *ctx = json_object();
    char buf[PATH_MAX];
    bb_env_date(buf, sizeof buf);
    json_object_set_new(ctx, "date", json_string(buf));
    if (gethostname(buf, sizeof buf) != 0) snprintf(buf, sizeof buf, "unknown");
    buf[sizeof buf - 1] = '\0';
    json_object_set_new(ctx, "host_name", json_string(buf));
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    json_object_set_new(ctx, "executable", json_string(buf));
    json_t *topo = bb_json_topology(NULL, NULL);
    json_object_set_new(ctx, "num_cpus", json_integer(topo ? json_integer_value(json_object_get(topo, "pus")) : 1));
    json_object_set_new(ctx, "mhz_per_cpu", json_integer((json_int_t)cpu_mhz()));
    json_object_set_new(ctx, "cpu_scaling_enabled", json_boolean(scaling_enabled()));
    double la[3] = {0, 0, 0};
    json_t *load = json_array();
    if (getloadavg(la, 3) == 3)
        for (int i = 0; i < 3; i++) json_array_append_new(load, json_real(la[i]));
    json_object_set_new(ctx, "load_avg", load);
    json_object_set_new(ctx, "library_build_type", json_string("release"));
    if (topo) {
        json_object_set(ctx, "caches", json_object_get(topo, "caches"));
        json_object_set(ctx, "cpu_model", json_object_get(topo, "cpu_model"));
        json_object_set(ctx, "cores", json_object_get(topo, "cores"));
        json_object_set(ctx, "topology", json_object_get(topo, "summary"));
        json_object_set_new(ctx, "hwloc", topo);
    }
    json_object_set_new(ctx, "compiler", json_string("cc " __VERSION__));
    json_object_set_new(ctx, "cflags", json_string(BB_BUILD_FLAGS));
    json_object_set_new(ctx, "lanes_isa", json_string(bb_lanes_isa())); /* the lane kernel's clone */
    json_object_set_new(ctx, "git_commit", json_string(BB_GIT_COMMIT));
    if (strcmp(BB_GIT_DATE, "unknown")) json_object_set_new(ctx, "git_commit_date", json_string(BB_GIT_DATE));
    json_object_set_new(ctx, "hwloc_version", json_string(HWLOC_VERSION));
    return ctx;
}

const char *bb_env_command(int argc, char **argv, char *buf, size_t cap)
{
    snprintf(buf, cap, "busbench");
    for (int i = 0; i < argc; i++) {
        size_t u = strlen(buf);
        snprintf(buf + u, cap - u, " %s", argv[i]);
    }
    return buf;
}
