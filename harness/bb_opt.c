/* bb_opt.c - parse, check and describe a command's options from its table (bb_opt.h).
 *
 * Invariants: an option is looked up by its whole name (no abbreviations); "--name=value" and
 * "--name value" reach the same row and so the same destination; a number is written to its
 * destination only when all of it is a number in range; every error names the option. The usage
 * prints every row in table order with its metavar, aligned in one column (HELP_COLUMN). */
#include "bb_opt.h"

#include "bb_cmds.h"
#include "bb_run.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

enum {
    HELP_COLUMN = 22,              /* where the help text starts in the usage */
    ERR_TEXT = BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64
};

static const bb_opt *find(const bb_opt_group *groups, int ngroups, const char *name, size_t len, void **base)
{
    for (int g = 0; g < ngroups; g++)
        for (const bb_opt *o = groups[g].opts; o->name; o++)
            if (strlen(o->name) == len && !memcmp(o->name, name, len)) {
                *base = groups[g].base;
                return o;
            }
    return NULL;
}

/* A range bound as a long: (double)LONG_MAX rounds up past LONG_MAX, so it (and beyond) is LONG_MAX. */
static long whole(double x)
{
    return x >= (double)LONG_MAX ? LONG_MAX : x <= (double)LONG_MIN ? LONG_MIN : (long)x;
}

/* The value v into o's destination in base. BB_OK or BB_ERR_ARG (err names the option). */
static bb_result store(const bb_opt *o, void *base, const char *v, bb_error *err)
{
    char *dst = (char *)base + o->off;
    long l = 0;
    double d = 0;
    bool bad = false;
    switch (o->kind) {
    case BB_OPT_FLAG: *(bool *)(void *)dst = true; return BB_OK;
    case BB_OPT_STR: *(const char **)(void *)dst = v; return BB_OK;
    case BB_OPT_FN: {
        bb_result r = o->parse(dst, v, err);
        if (r && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", o->name);
        return r;
    }
    case BB_OPT_INT:
    case BB_OPT_LONG:
    case BB_OPT_SIZE: bad = bb_run_parse_long(v, whole(o->lo), whole(o->hi), &l) != 0; break;
    case BB_OPT_REAL: bad = bb_run_parse_double(v, o->lo, o->hi, &d) != 0; break;
    }
    if (bad) {
        char want[128];
        if (o->want) snprintf(want, sizeof want, "%s", o->want);
        else if (o->kind == BB_OPT_REAL) snprintf(want, sizeof want, "a number from %g to %g", o->lo, o->hi);
        else snprintf(want, sizeof want, "a whole number from %ld to %ld", whole(o->lo), whole(o->hi));
        return bb_error_set(err, BB_ERR_ARG, o->name, 0, 0, "bad value '%s': expected %s", v, want);
    }
    if (o->kind == BB_OPT_INT) *(int *)(void *)dst = (int)l;
    else if (o->kind == BB_OPT_LONG) *(long *)(void *)dst = l;
    else if (o->kind == BB_OPT_SIZE) *(size_t *)(void *)dst = (size_t)l;
    else *(double *)(void *)dst = d;
    return BB_OK;
}

static int fail(const bb_opt_cmd *cmd, const bb_error *err)
{
    char msg[ERR_TEXT];
    fprintf(stderr, "busbench %s: %s\n", cmd->name, bb_error_format(err, msg, sizeof msg));
    return BB_EXIT_USAGE;
}

/* Does a look like an option? "-" alone and "-1.5" (a negative number) are positionals. */
static bool is_option(const char *a)
{
    return a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.';
}

int bb_opt_take(const bb_opt_group *groups, int ngroups, int argc, char **argv, int *i, bb_error *err)
{
    const char *a = argv[*i];
    if (!is_option(a)) return 0;
    const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
    void *base = NULL;
    const bb_opt *o = find(groups, ngroups, a, eq ? (size_t)(eq - a) : strlen(a), &base);
    if (!o) return 0;
    const char *v = eq ? eq + 1 : NULL;
    if (o->kind == BB_OPT_FLAG && v) {
        bb_error_set(err, BB_ERR_ARG, o->name, 0, 0, "takes no value (got '%s')", v);
        return -1;
    }
    int used = 1;
    if (o->kind != BB_OPT_FLAG && !v) {
        if (*i + 1 >= argc) {
            bb_error_set(err, BB_ERR_ARG, o->name, 0, 0, "expected %s after %s",
                         o->kind == BB_OPT_STR && o->want ? o->want : "a value", o->name);
            return -1;
        }
        v = argv[*i + 1];
        used = 2;
    }
    if (store(o, base, v, err)) return -1;
    *i += used;
    return 1;
}

int bb_opt_parse(const bb_opt_cmd *cmd, const bb_opt_group *groups, int ngroups, int argc, char **argv,
                 const char **pos, int maxpos, int *npos)
{
    bb_error err;
    bb_error_clear(&err);
    *npos = 0;
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            bb_opt_usage(cmd, groups, ngroups, stdout);
            return BB_EXIT_OK;
        }
        if (!strcmp(a, BB_OPT_LIST)) {
            bb_opt_list(groups, ngroups, stdout);
            return BB_EXIT_OK;
        }
        int k = bb_opt_take(groups, ngroups, argc, argv, &i, &err);
        if (k < 0) return fail(cmd, &err);
        if (k) continue;
        if (is_option(a)) {
            fprintf(stderr, "busbench %s: unknown option '%s'\n", cmd->name, a);
            bb_opt_usage(cmd, groups, ngroups, stderr);
            return BB_EXIT_USAGE;
        }
        if (*npos >= maxpos) {
            fprintf(stderr, "busbench %s: unexpected argument '%s'\n", cmd->name, a);
            return BB_EXIT_USAGE;
        }
        pos[(*npos)++] = a;
        i++;
    }
    return BB_OPT_GO_ON;
}

/* "--name METAVAR" of o into buf. */
static void label(const bb_opt *o, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
}

void bb_opt_list(const bb_opt_group *groups, int ngroups, FILE *f)
{
    for (int g = 0; g < ngroups; g++)
        for (const bb_opt *o = groups[g].opts; o->name; o++) {
            if (!o->help) continue;
            char lb[96];
            label(o, lb, sizeof lb);
            fprintf(f, "%s\n", lb);
        }
}

void bb_opt_usage(const bb_opt_cmd *cmd, const bb_opt_group *groups, int ngroups, FILE *f)
{
    fprintf(f, "usage: busbench %s %s\n", cmd->name, cmd->synopsis);
    if (cmd->about) fprintf(f, "\n%s\n", cmd->about);
    for (int g = 0; g < ngroups; g++) {
        if (!groups[g].opts->name) continue;
        fprintf(f, "\n%s:\n", groups[g].title ? groups[g].title : "options");
        for (const bb_opt *o = groups[g].opts; o->name; o++) {
            if (!o->help) continue; /* hidden (test-only) */
            char lb[96];
            label(o, lb, sizeof lb);
            int w = fprintf(f, "  %s", lb);
            const char *h = o->help ? o->help : "";
            for (;;) {
                const char *nl = strchr(h, '\n');
                int n = nl ? (int)(nl - h) : (int)strlen(h);
                if (w >= HELP_COLUMN) fprintf(f, "\n%*s", HELP_COLUMN, "");
                else fprintf(f, "%*s", HELP_COLUMN - w, "");
                fprintf(f, "%.*s", n, h);
                if (!nl) break;
                h = nl + 1;
                w = HELP_COLUMN; /* the next line starts in the column */
            }
            fprintf(f, "\n");
        }
    }
    fprintf(f, "\nexit: %s\n", cmd->exits);
}
