/* bb_env.c - the facts of the machine and the build that a result records (bb_env.h).
 *
 * What it is: one place that knows where each fact comes from: the clock (ISO 8601 local time with
 * its offset, as Google Benchmark writes it), the host name, /proc (our executable, cpu MHz),
 * /sys (the frequency governor), getloadavg, hwloc (bb_env_topology), the compiler and the
 * build's identity (BB_GIT_COMMIT, BB_GIT_DATE, BB_BUILD_FLAGS: the Makefile defines them for
 * this file alone), the instruction set it was compiled for and the one the lane kernel picked at
 * run time; and the fingerprint, which says whether two results' facts allow their measurements
 * to be compared (compare, merge and history ask it).
 * Invariants: a fact that cannot be read is "unknown", 0 or absent, never an error; a fact that
 * an older result does not record is never a reason to refuse it. */
#include "bb_env.h"

#include "bb_json.h"
#include "bb_variant.h"

#include <hwloc.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
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
/* The instruction set this binary was compiled for (not the kernel's: a 32-bit build on a 64-bit
 * machine counts other instructions). */
#if defined(__x86_64__)
#define BB_ARCH "x86_64"
#elif defined(__i386__)
#define BB_ARCH "i386"
#elif defined(__aarch64__)
#define BB_ARCH "aarch64"
#elif defined(__arm__)
#define BB_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define BB_ARCH "riscv64"
#elif defined(__powerpc64__)
#define BB_ARCH "ppc64"
#else
#define BB_ARCH "unknown"
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

/* ---- the topology (hwloc) ---- */
static void human_bytes(char *dst, size_t cap, uint64_t b)
{
    if (b >= (1u << 20) && b % (1u << 20) == 0) snprintf(dst, cap, "%" PRIu64 " MiB", b >> 20);
    else if (b >= 1024 && b % 1024 == 0) snprintf(dst, cap, "%" PRIu64 " KiB", b >> 10);
    else snprintf(dst, cap, "%" PRIu64 " B", b);
}

static void cpuinfo_model(char *dst, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            const char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ') c++;
                snprintf(dst, cap, "%s", c);
                dst[strcspn(dst, "\n")] = '\0';
            }
            break;
        }
    fclose(f);
}

json_t *bb_env_topology(const char *xml, bb_error *err)
{
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0) {
        bb_error_set(err, BB_ERR_IO, "hwloc", 0, 0, "cannot initialise hwloc");
        return NULL;
    }
    if (xml && hwloc_topology_set_xml(t, xml) != 0) {
        hwloc_topology_destroy(t);
        bb_error_set(err, BB_ERR_IO, xml, 0, 0, "cannot read this hwloc XML topology");
        return NULL;
    }
    if (hwloc_topology_load(t) != 0) {
        hwloc_topology_destroy(t);
        bb_error_set(err, BB_ERR_IO, xml ? xml : "hwloc", 0, 0, "cannot load the topology");
        return NULL;
    }
    int npk = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), nnuma = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
    int ncore = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    json_t *o = json_object();
    json_object_set_new(o, "packages", json_integer(npk));
    json_object_set_new(o, "numa_nodes", json_integer(nnuma));
    json_object_set_new(o, "cores", json_integer(ncore));
    json_object_set_new(o, "pus", json_integer(npu));
    char model[256] = "";
    hwloc_obj_t pk = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
    const char *m = pk ? hwloc_obj_get_info_by_name(pk, "CPUModel") : NULL;
    if (m) snprintf(model, sizeof model, "%s", m);
    else if (!xml) cpuinfo_model(model, sizeof model);
    json_object_set_new(o, "cpu_model", json_string(model[0] ? model : "unknown"));
    static const struct {
        hwloc_obj_type_t type;
        const char *name;
    } kinds[] = {{HWLOC_OBJ_L1CACHE, "L1"}, {HWLOC_OBJ_L1ICACHE, "L1i"}, {HWLOC_OBJ_L2CACHE, "L2"},
                 {HWLOC_OBJ_L3CACHE, "L3"}, {HWLOC_OBJ_L4CACHE, "L4"}};
    json_t *caches = json_array();
    char summary[1024];
    int used = snprintf(summary, sizeof summary, "%d package%s, %d NUMA node%s, %d core%s, %d PU%s", npk,
                        npk == 1 ? "" : "s", nnuma, nnuma == 1 ? "" : "s", ncore, ncore == 1 ? "" : "s", npu,
                        npu == 1 ? "" : "s");
    bool first = true;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int count = hwloc_get_nbobjs_by_type(t, kinds[k].type);
        hwloc_obj_t c = hwloc_get_obj_by_type(t, kinds[k].type, 0);
        if (!c || count <= 0) continue;
        const char *ty = c->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "Data"
                       : c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction" : "Unified";
        int sharing = c->cpuset ? hwloc_bitmap_weight(c->cpuset) : 1;
        json_t *e = json_object();
        json_object_set_new(e, "type", json_string(ty));
        json_object_set_new(e, "level", json_integer(c->attr->cache.depth));
        json_object_set_new(e, "size", json_integer((json_int_t)c->attr->cache.size));
        json_object_set_new(e, "num_sharing", json_integer(sharing));
        json_array_append_new(caches, e);
        char hb[32];
        human_bytes(hb, sizeof hb, c->attr->cache.size);
        const char *label = kinds[k].type == HWLOC_OBJ_L1CACHE && c->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "L1d"
                                                                                                              : kinds[k].name;
        if (used > 0 && (size_t)used < sizeof summary)
            used += snprintf(summary + used, sizeof summary - (size_t)used, "%s %s %s x%d (%d PU%s each)",
                             first ? ";" : ",", label, hb, count, sharing, sharing == 1 ? "" : "s");
        first = false;
    }
    json_object_set_new(o, "caches", caches);
    json_object_set_new(o, "summary", json_string(summary));
    hwloc_topology_destroy(t);
    return o;
}

int bb_env_pus_allowed(void)
{
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0) return 1;
    int n = 0;
    hwloc_bitmap_t m = hwloc_bitmap_alloc();
    if (m && hwloc_topology_load(t) == 0 && hwloc_get_cpubind(t, m, HWLOC_CPUBIND_THREAD) == 0) {
        hwloc_bitmap_and(m, m, hwloc_topology_get_allowed_cpuset(t));
        n = hwloc_bitmap_weight(m);
    }
    hwloc_bitmap_free(m);
    hwloc_topology_destroy(t);
    return n > 0 ? n : 1;
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
    json_t *topo = bb_env_topology(NULL, NULL);
    json_object_set_new(ctx, "num_cpus", json_integer(topo ? json_integer_value(json_object_get(topo, "pus")) : 1));
    json_object_set_new(ctx, "pus_allowed", json_integer(bb_env_pus_allowed()));
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
    json_object_set_new(ctx, "arch", json_string(BB_ARCH));
    json_object_set_new(ctx, "lanes_isa", json_string(bb_lanes_isa())); /* the lane kernel's clone */
    json_object_set_new(ctx, "git_commit", json_string(BB_GIT_COMMIT));
    if (strcmp(BB_GIT_DATE, "unknown")) json_object_set_new(ctx, "git_commit_date", json_string(BB_GIT_DATE));
    json_object_set_new(ctx, "hwloc_version", json_string(HWLOC_VERSION));
    return ctx;
}

const char *bb_env_version(void) { return BB_GIT_COMMIT " (" BB_GIT_DATE ")"; }

const char *bb_env_command(int argc, char **argv, char *buf, size_t cap)
{
    snprintf(buf, cap, "busbench");
    for (int i = 0; i < argc; i++) {
        size_t u = strlen(buf);
        snprintf(buf + u, cap - u, " %s", argv[i]);
    }
    return buf;
}

/* ---- the fingerprint: can two results be compared? ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The code-generation options of a recorded compile command: its -O, -f, -m, -D
 * and -std tokens (the compiler's own name, warnings and include paths left
 * out: they do not change the code), sorted, space-separated. */
static void codegen_flags(const char *cflags, char *out, size_t cap)
{
    out[0] = '\0';
    if (!cflags) return;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", cflags);
    char *tok[256];
    int n = 0, first = 1;
    for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t && n < 256; t = strtok_r(NULL, " \t", &save)) {
        if (first) { /* the compiler command */
            first = 0;
            continue;
        }
        if (!strncmp(t, "-O", 2) || !strncmp(t, "-f", 2) || !strncmp(t, "-m", 2) || !strncmp(t, "-D", 2) ||
            !strncmp(t, "-std", 4))
            tok[n++] = t;
    }
    qsort(tok, (size_t)n, sizeof *tok, cmp_str);
    size_t used = 0;
    for (int i = 0; i < n && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", i ? " " : "", tok[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

static const char *str_of(const json_t *ctx, const char *key)
{
    const char *s = json_string_value(json_object_get(ctx, key));
    return s ? s : "";
}

static void check_same(const char *what, const char *a, const char *b, bool hard, int *nref, char *refuse,
                       size_t rcap, char *warn, size_t wcap)
{
    if (!strcmp(a, b)) return;
    if (hard) {
        (*nref)++;
        bb_result_appendf(refuse, rcap, "%s differs: '%s' (BASE) vs '%s' (NEW)\n", what, a[0] ? a : "unknown",
                          b[0] ? b : "unknown");
    } else {
        bb_result_appendf(warn, wcap, "%s differs: '%s' (BASE) vs '%s' (NEW)\n", what, a[0] ? a : "unknown",
                          b[0] ? b : "unknown");
    }
}

/* A hard difference only where both record the fact (results older than the key are not refused). */
static void check_known(const char *what, const char *a, const char *b, int *nref, char *refuse, size_t rcap)
{
    if (a[0] && b[0]) check_same(what, a, b, true, nref, refuse, rcap, NULL, 0);
}

int bb_env_fingerprint(const json_t *base, const json_t *cur, bool timing, char *refuse, size_t rcap, char *warn,
                        size_t wcap)
{
    int nref = 0;
    char fa[2048], fb[2048];
    check_same("compiler", str_of(base, "compiler"), str_of(cur, "compiler"), true, &nref, refuse, rcap, warn, wcap);
    codegen_flags(str_of(base, "cflags"), fa, sizeof fa);
    codegen_flags(str_of(cur, "cflags"), fb, sizeof fb);
    check_same("code-generation flags", fa, fb, true, &nref, refuse, rcap, warn, wcap);
    check_known("instruction set", str_of(base, "arch"), str_of(cur, "arch"), &nref, refuse, rcap);
    check_known("lane kernel ISA", str_of(base, "lanes_isa"), str_of(cur, "lanes_isa"), &nref, refuse, rcap);
    check_same("CPU model", str_of(base, "cpu_model"), str_of(cur, "cpu_model"), timing, &nref, refuse, rcap, warn,
               wcap);
    if (timing) {
        long long pa = (long long)json_integer_value(json_object_get(base, "num_cpus"));
        long long pb = (long long)json_integer_value(json_object_get(cur, "num_cpus"));
        if (pa != pb) {
            nref++;
            bb_result_appendf(refuse, rcap, "processing units differ: %lld (BASE) vs %lld (NEW)\n", pa, pb);
        }
        check_same("topology", str_of(base, "topology"), str_of(cur, "topology"), false, &nref, refuse, rcap, warn, wcap);
        if (json_is_true(json_object_get(base, "cpu_scaling_enabled")) ||
            json_is_true(json_object_get(cur, "cpu_scaling_enabled")))
            bb_result_appendf(warn, wcap, "CPU frequency scaling was enabled: timings drift with the governor\n");
    } else {
        const json_t *ia = json_object_get(base, "instructions"), *ib = json_object_get(cur, "instructions");
        check_same("valgrind", str_of(ia, "valgrind"), str_of(ib, "valgrind"), true, &nref, refuse, rcap, warn, wcap);
        check_same("C library", str_of(ia, "libc"), str_of(ib, "libc"), true, &nref, refuse, rcap, warn, wcap);
    }
    return nref;
}
