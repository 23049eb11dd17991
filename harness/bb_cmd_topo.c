/* bb_cmd_topo.c - `busbench topo [--topology FILE.xml] [--threads N]`.
 *
 * What it is: the hwloc topology busbench sees (this machine's, or an hwloc
 * XML file's, so that a plan for a 16-core, 2-package server can be checked
 * on a laptop) and the placement each pinning policy gives to 1..N workers:
 * the OS index of the processing unit (PU) of each worker, from
 * bb_workers_plan, the very function the worker pool binds with. `none`
 * leaves placement to the kernel and is listed as such.
 *
 * Invariants: nothing is bound or started here; the plan printed is the plan
 * a render with the same policy and thread count would use on that topology.
 * Units: counts and OS indices; cache sizes in bytes (with KiB/MiB in the
 * summary line). */
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_opt.h"
#include "bb_json.h"
#include "bb_workers.h"

#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct topo_opts {
    const char *xml;
    long nmax;
} topo_opts;

static const bb_opt opts[] = {
    {"--topology", BB_OPT_STR, offsetof(topo_opts, xml), 0, 0, "FILE.xml",
     "plan against an hwloc XML topology (lstopo --of xml) instead of this machine", "a file", NULL},
    {"--threads", BB_OPT_LONG, offsetof(topo_opts, nmax), 1, BB_WORKERS_MAX, "N", "largest worker count to plan for (1..256)", NULL, NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"topo", "[--topology FILE.xml] [--threads N]",
                                "Print the hwloc topology and the PU each pinning policy gives to workers\n"
                                "0..n-1 for every n from 1 to N (default: the number of cores).",
                                "0 printed, 2 bad input (an option, an unreadable topology)"};


/* The tree, one line per object that matters for placement. */
static void tree(hwloc_topology_t t, hwloc_obj_t o, int depth)
{
    bool show = o->type == HWLOC_OBJ_MACHINE || o->type == HWLOC_OBJ_PACKAGE || o->type == HWLOC_OBJ_NUMANODE ||
                o->type == HWLOC_OBJ_CORE || o->type == HWLOC_OBJ_PU || o->type == HWLOC_OBJ_L3CACHE ||
                o->type == HWLOC_OBJ_L2CACHE || o->type == HWLOC_OBJ_GROUP || o->type == HWLOC_OBJ_DIE;
    if (show) {
        char ty[64], attr[128];
        hwloc_obj_type_snprintf(ty, sizeof ty, o, 0);
        hwloc_obj_attr_snprintf(attr, sizeof attr, o, " ", 0);
        printf("%*s%s L#%u", depth * 2, "", ty, o->logical_index);
        if (o->os_index != HWLOC_UNKNOWN_INDEX) printf(" P#%u", o->os_index);
        if (attr[0]) printf(" (%s)", attr);
        printf("\n");
        depth++;
    }
    for (hwloc_obj_t m = o->memory_first_child; m; m = m->next_sibling) tree(t, m, depth);
    for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling) tree(t, c, depth);
}

int bb_cmd_topo(int argc, char **argv)
{
    topo_opts to = {NULL, 0};
    const bb_opt_group groups[] = {{NULL, opts, &to}};
    int npos;
    int rc = bb_opt_parse(&spec, groups, 1, argc, argv, NULL, 0, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    const char *xml = to.xml;
    long nmax = to.nmax;
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    json_t *s = bb_env_topology(xml, &err);
    if (!s) {
        fprintf(stderr, "busbench topo: %s\n", bb_error_format(&err, msg, sizeof msg));
        return BB_EXIT_USAGE;
    }
    printf("topology: %s\n", xml ? xml : "this machine");
    printf("cpu: %s\n", json_string_value(json_object_get(s, "cpu_model")));
    printf("summary: %s\n", json_string_value(json_object_get(s, "summary")));
    if (!xml) printf("default threads: %d (the cores with a PU in this process's affinity mask)\n", bb_workers_cores());
    printf("\n");
    int cores = (int)json_integer_value(json_object_get(s, "cores"));
    json_decref(s);
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) == 0 && (!xml || hwloc_topology_set_xml(t, xml) == 0) && hwloc_topology_load(t) == 0) {
        tree(t, hwloc_get_root_obj(t), 0);
        hwloc_topology_destroy(t);
    }
    if (nmax == 0) nmax = cores > 0 ? cores : 1;
    printf("\nplacement: PU (OS index) of workers 0..n-1; a render's calling thread is worker 0.\n");
    printf("none: the kernel places every worker (no binding).\n");
    int *plan = malloc((size_t)nmax * sizeof *plan);
    if (!plan) {
        fprintf(stderr, "busbench topo: no memory\n");
        return BB_EXIT_USAGE;
    }
    static const bb_pin pins[] = {BB_PIN_COMPACT, BB_PIN_SCATTER};
    for (size_t p = 0; p < sizeof pins / sizeof pins[0]; p++) {
        printf("\n%s:\n", bb_pin_name(pins[p]));
        for (int n = 1; n <= nmax; n++) {
            if (bb_workers_plan(xml, pins[p], n, plan, &err)) {
                fprintf(stderr, "busbench topo: %s\n", bb_error_format(&err, msg, sizeof msg));
                free(plan);
                return BB_EXIT_USAGE;
            }
            printf("  %3d:", n);
            for (int i = 0; i < n; i++) printf(" %d", plan[i]);
            printf("%s\n", n > cores && cores > 0 ? "  (more workers than cores: wraps around)" : "");
        }
    }
    free(plan);
    return BB_EXIT_OK;
}
