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
 * A corpus outside the repository (a user's own: `bless --golden DIR`) has no
 * commit to check; there bless refuses instead to overwrite a golden that is
 * already blessed and would change (each named), unless --force: new workloads
 * are rendered, unchanged ones rewritten as they were.
 * Exit: 0 written, 2 refused or failed (nothing half-written). */
#include "bb_cmds.h"
#include "bb_golden.h"
#include "bb_golden_bless.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct bless_opts {
    const char *golden;
    bool force;
    bb_golden_matrix m;
} bless_opts;

static bb_result opt_workloads(void *base, const char *v, bb_error *err)
{
    return bb_golden_matrix_axis(&((bless_opts *)base)->m, "--workloads", v, err);
}

static const bb_opt opts[] = {
    {"--golden", BB_OPT_STR, offsetof(bless_opts, golden), 0, 0, "DIR", "the corpus (default golden)", "a folder", NULL},
    {"--workloads", BB_OPT_FN, 0, 0, 0, "LIST", "only these workloads (comma-separated; default every one)", NULL, opt_workloads},
    {"--force", BB_OPT_FLAG, offsetof(bless_opts, force), 0, 0, NULL, "do not check that the tree is clean", NULL, NULL},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"bless", "[--golden DIR] [--workloads LIST] [--force]",
                               "Re-render the golden WAVs with serial and rewrite DIR/manifest.tsv (default DIR: golden).\n"
                               "In the repository, refuses when git reports uncommitted changes under DIR, core, variants,\n"
                               "harness or the Makefile; for a corpus outside it, refuses to overwrite a blessed golden\n"
                               "that would change; --force does neither check.",
                               "0 written, 2 refused or failed (nothing half-written)"};

/* Whether dir lies inside the git work tree of the current directory (the repository's own corpus). */
static bool in_repository(const char *dir)
{
    if (strchr(dir, '\'')) return true; /* then tree_state refuses it */
    char cmd[BB_GOLDEN_PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "git ls-files --error-unmatch -- '%s' >/dev/null 2>&1", dir);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
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
    static bless_opts b; /* the matrix is large */
    memset(&b, 0, sizeof b);
    b.golden = "golden";
    const bb_opt_group groups[] = {{NULL, opts, &b}};
    int npos;
    int rc = bb_opt_parse(&spec, groups, 1, argc, argv, NULL, 0, &npos);
    if (rc != BB_OPT_GO_ON) return rc;
    const char *dir = b.golden;
    bool force = b.force;
    bb_golden_matrix m = b.m;
    if (!force && !in_repository(dir)) /* a user's corpus: blessed goldens are kept instead */
        return bb_golden_bless(dir, &m, true, stdout, stderr);
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
    return bb_golden_bless(dir, &m, false, stdout, stderr);
}
