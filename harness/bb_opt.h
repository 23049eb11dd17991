/* bb_opt.h - a command's options as a table: one row an option (name, kind, destination, range,
 * metavar, help), from which the command line is parsed and checked and the usage text printed,
 * so that what a command accepts and what its help says cannot drift apart.
 *
 * Grammar of a command line (argv[1..argc), argv[0] the command's name):
 *   line    = { option | positional }
 *   option  = "--name=value" | "--name" value | "--flag" | "-x" value
 *   "-h", "--help": print the usage on stdout, exit 0. "-" alone and "-1.5" are positionals.
 *   "--list-options" (BB_OPT_LIST, not in the usage): print the options as bb_opt_list does, exit 0:
 *   the machine-readable usage that `make install` builds the bash completion from.
 * A value may begin with '-' ("--cycles -1" is a bad value, not a missing one). Every number is
 * read whole and in range (bb_run_parse_long / bb_run_parse_double); a bad one is an error naming
 * the option, the value and what was expected. */
#ifndef BB_OPT_H
#define BB_OPT_H

#include "bb_result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum bb_opt_kind {
    BB_OPT_FLAG,  /* bool, set true; no value */
    BB_OPT_STR,   /* const char *, the value itself (argv's: it lives as long as argv) */
    BB_OPT_INT,   /* int in [lo, hi] */
    BB_OPT_LONG,  /* long in [lo, hi] */
    BB_OPT_SIZE,  /* size_t in [lo, hi] */
    BB_OPT_REAL,  /* double in [lo, hi] */
    BB_OPT_FN     /* parse(base, value, err): the command's own grammar (lists, names, rationals) */
} bb_opt_kind;

typedef struct bb_opt {
    const char *name;     /* "--cycles", or a short "-o" */
    bb_opt_kind kind;
    size_t off;           /* of the destination in the group's base (BB_OPT_FN: parse gets base + off) */
    double lo, hi;        /* range of a number */
    const char *metavar;  /* "N", "LIST"; NULL for a flag */
    const char *help;     /* usage text; each '\n' continues it on a line of its own; NULL: hidden */
    const char *want;     /* what a good value is ("a number of threads from 1 to 256"); NULL: from the range */
    bb_result (*parse)(void *base, const char *value, bb_error *err); /* BB_OPT_FN (base + off): BB_OK or an error */
} bb_opt;

/* The end of a table. */
#define BB_OPT_END {NULL, BB_OPT_FLAG, 0, 0, 0, NULL, NULL, NULL, NULL}

/* A table and the structure its offsets point into; title heads its part of the usage (NULL: "options"). */
typedef struct bb_opt_group {
    const char *title;
    const bb_opt *opts;
    void *base;
} bb_opt_group;

/* A command as its usage shows it. */
typedef struct bb_opt_cmd {
    const char *name;      /* "render" */
    const char *synopsis;  /* what follows "busbench render": "FILE.ph -o OUT.wav [options]" */
    const char *about;     /* a paragraph (may be NULL) */
    const char *exits;     /* the exit codes, e.g. "0 written, 2 bad input" */
} bb_opt_cmd;

enum { BB_OPT_GO_ON = -1 };
#define BB_OPT_LIST "--list-options"

/* If argv[*i] is an option of the groups ("--name", "--name=value"), store its value, advance *i past
 * it (and its value) and return 1; return 0 when it is not one of theirs (or not an option); -1 on a
 * bad or missing value (err names the option and says what was expected). */
int bb_opt_take(const bb_opt_group *groups, int ngroups, int argc, char **argv, int *i, bb_error *err);

/* Parse argv[1..argc) by the groups (ngroups of them, searched in order); positionals go to
 * pos[0..maxpos) and their count to *npos (more than maxpos is an error). Returns BB_OPT_GO_ON to
 * go on, or the exit code the command returns now: BB_EXIT_OK after printing the usage for
 * -h/--help, BB_EXIT_USAGE after printing the error (and, for an unknown option, the usage) on
 * stderr. Destinations not named keep what they held (the command's defaults). */
int bb_opt_parse(const bb_opt_cmd *cmd, const bb_opt_group *groups, int ngroups, int argc, char **argv,
                 const char **pos, int maxpos, int *npos);

/* Print every option the usage shows, one a line: "--name METAVAR", or "--name" for a flag. */
void bb_opt_list(const bb_opt_group *groups, int ngroups, FILE *f);

/* Print the usage of cmd (synopsis, about, every group's options, exit codes) to f. */
void bb_opt_usage(const bb_opt_cmd *cmd, const bb_opt_group *groups, int ngroups, FILE *f);

#endif
