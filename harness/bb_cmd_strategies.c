/* bb_cmd_strategies.c - `busbench strategies [--canaries] [--long] [--sep SEP]`.
 *
 * The strategies of the registry (variants/bb_registry.c), in its order: the one list that
 * every default comes from (bench's and verify's --strategies, the Makefile's gate and
 * bench-strategies, harness/scripts/mutate.py), so that a strategy added to the registry is
 * benched, gated and mutated without another edit. Canaries (deliberately wrong strategies that
 * verify must catch) only with --canaries. */
#include "bb_cmds.h"
#include "bb_variant.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: busbench strategies [--canaries] [--long] [--sep SEP]\n\n"
               "The strategies of the registry, one a line (or joined by SEP).\n\n"
               "options:\n"
               "  --canaries   the canaries too (wrong on purpose: verify must fail them)\n"
               "  --long       name, phase and summary, one strategy a line\n"
               "  --sep SEP    join the names with SEP instead of a newline (e.g. --sep ,)\n");
}

int bb_cmd_strategies(int argc, char **argv)
{
    bool canaries = false, longf = false;
    const char *sep = "\n";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return BB_EXIT_OK;
        } else if (!strcmp(argv[i], "--canaries")) canaries = true;
        else if (!strcmp(argv[i], "--long")) longf = true;
        else if (!strcmp(argv[i], "--sep") && i + 1 < argc) sep = argv[++i];
        else if (!strncmp(argv[i], "--sep=", 6)) sep = argv[i] + 6;
        else {
            fprintf(stderr, "busbench strategies: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return BB_EXIT_USAGE;
        }
    }
    int n = 0;
    for (size_t i = 0; bb_variants[i]; i++) {
        const bb_variant *v = bb_variants[i];
        if (v->canary && !canaries) continue;
        if (longf) printf("%-16s %-7s %s\n", v->name, v->phase, v->summary);
        else printf("%s%s", n ? sep : "", v->name);
        n++;
    }
    if (!longf) printf("\n");
    return BB_EXIT_OK;
}
