/* bb_cmd_bless.c - `busbench bless`: the only way golden files change.
 *
 * Re-renders the golden workloads with serial and rewrites their WAVs and the
 * manifest (bb_golden_bless: it says which goldens change and by how much, and
 * writes nothing unless every render succeeded; each file is written to a
 * temporary file and renamed). It refuses to run on a dirty tree: when
 * `git status --porcelain` reports anything under the golden folder or the
 * sources (core, variants, harness, Makefile), the goldens would come from code
 * no commit holds, so it lists what is dirty and stops, unless --force (which
 * `make bless FORCE=1` passes). Outside a git work tree, or when git cannot be
 * run, it cannot tell and also refuses without --force. Paths are relative to
 * the current directory, which `make bless` makes the repository root.
 * Exit: 0 written, 2 refused or failed (nothing half-written). */
#include "bb_cmds.h"
#include "bb_golden.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: busbench bless [--golden DIR] [--workloads LIST] [--force]\n\n"
               "Re-render the golden WAVs with serial and rewrite DIR/manifest.tsv (default DIR: golden).\n"
               "Refuses when git reports uncommitted changes under DIR, core, variants, harness or the\n"
               "Makefile, unless --force.\n");
}

/* 0: clean; 1: dirty (listed on stderr); -1: cannot tell (said on stderr). */
static int tree_state(const char *dir)
{
    if (strchr(dir, '\'')) {
        fprintf(stderr, "busbench bless: cannot check a golden path containing a quote\n");
        return -1;
    }
    char cmd[BB_GOLDEN_PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "git status --porcelain -- '%s' core variants harness Makefile 2>&1", dir);
    FILE *p = popen(cmd, "r");
    if (!p) {
        fprintf(stderr, "busbench bless: cannot run git to check the tree\n");
        return -1;
    }
    char line[1024], first[4096] = "";
    size_t n = 0;
    while (fgets(line, sizeof line, p)) {
        if (strlen(first) + strlen(line) < sizeof first) strcat(first, line);
        n++;
    }
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "busbench bless: cannot tell whether the tree is clean (%s):\n%s", cmd, first);
        return -1;
    }
    if (!n) return 0;
    fprintf(stderr, "busbench bless: the tree is dirty (%zu path%s under %s or the sources):\n%s", n, n == 1 ? "" : "s",
            dir, first);
    return 1;
}

int bb_cmd_bless(int argc, char **argv)
{
    const char *dir = "golden";
    bool force = false;
    bb_golden_matrix m;
    memset(&m, 0, sizeof m);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return BB_EXIT_OK;
        } else if (!strcmp(o, "--force")) {
            force = true;
        } else if ((!strcmp(o, "--golden") || !strcmp(o, "--workloads")) && i + 1 < argc) {
            const char *v = argv[++i];
            bb_error err;
            bb_error_clear(&err);
            if (!strcmp(o, "--golden")) {
                dir = v;
            } else if (bb_golden_matrix_axis(&m, o, v, &err)) {
                fprintf(stderr, "busbench bless: %s: %s\n", o, err.msg);
                return BB_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "busbench bless: unknown or incomplete option '%s'\n", o);
            usage(stderr);
            return BB_EXIT_USAGE;
        }
    }
    if (!force) {
        int st = tree_state(dir);
        if (st) {
            fprintf(stderr, "busbench bless: refusing to re-render the goldens from %s; commit first, or force it with "
                            "`make bless FORCE=1` (busbench bless --force)\n",
                    st > 0 ? "uncommitted code" : "a tree it cannot check");
            return BB_EXIT_USAGE;
        }
    } else {
        fprintf(stderr, "busbench bless: --force: not checking the tree\n");
    }
    return bb_golden_bless(dir, &m, stdout, stderr);
}
