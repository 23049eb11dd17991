/* bb_cmd_strategies.c - `busbench strategies [--canaries] [--long] [--sep SEP]`.
 *
 * The strategies of the registry (variants/bb_registry.c), in its order: the one list that
 * every default comes from (bench's and verify's --strategies, the Makefile's gate and
 * bench-strategies, harness/scripts/mutate.py), so that a strategy added to the registry is
 * benched, gated and mutated without another edit. Canaries (deliberately wrong strategies that
 * verify must catch) only with --canaries. */
#include "bb_cmds.h"
#include "bb_opt.h"
#include "bb_variant.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct strategies_opts {
    bool canaries, longf;
    const char *sep;
} strategies_opts;

static const bb_opt opts[] = {
    {"--canaries", BB_OPT_FLAG, offsetof(strategies_opts, canaries), 0, 0, NULL,
     "the canaries too (wrong on purpose: verify must fail them)", NULL, NULL},
    {"--long", BB_OPT_FLAG, offsetof(strategies_opts, longf), 0, 0, NULL, "name, phase and summary, one strategy a line", NULL, NULL},
    {"--sep", BB_OPT_STR, offsetof(strategies_opts, sep), 0, 0, "SEP", "join the names with SEP instead of a newline (e.g. --sep ,)",
     "a separator", NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"strategies", "[--canaries] [--long] [--sep SEP]",
                                "The strategies of the registry, one a line (or joined by SEP).", "0 listed, 2 bad option"};

int bb_cmd_strategies(int argc, char **argv)
{
    strategies_opts o = {false, false, "\n"};
    const bb_opt_group groups[] = {{NULL, opts, &o}};
    int npos;
    int rc = bb_opt_parse(&spec, groups, 1, argc, argv, NULL, 0, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    int n = 0;
    for (size_t i = 0; bb_variants[i]; i++) {
        const bb_variant *v = bb_variants[i];
        if (v->canary && !o.canaries) continue;
        if (o.longf) printf("%-16s %-7s %s\n", v->name, v->phase, v->summary);
        else printf("%s%s", n ? o.sep : "", v->name);
        n++;
    }
    if (!o.longf) printf("\n");
    return BB_EXIT_OK;
}
