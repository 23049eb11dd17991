/* bb_cmd_query.c - `busbench query "PATTERN" [--cycles N]`: print a pattern's events.
 *
 * One line "BEGIN END VALUE" per event whose onset lies in [0, N) (default 8
 * cycles): the event's whole as reduced rationals and its value exactly as
 * written, sorted by begin, end, value. The lines come from bb_pat_query_onsets
 * and bb_hap_fmt in the core, which the tests check; this file only handles the
 * command line. Exit 0 on success, 2 on a parse error, a bad option or a query
 * that fails (overflow, limit), with the reason on stderr. N is a non-negative
 * decimal number of cycles, read exactly. */
#include "bb_cmds.h"
#include "bb_opt.h"

#include "bb_pat.h"

#include <stdio.h>
#include <string.h>

/* cycles = a non-negative decimal, read exactly */
static bb_result opt_cycles(void *base, const char *v, bb_error *err)
{
    bb_rat *c = base;
    if (bb_rat_parse_decimal(v, strlen(v), c) && c->num >= 0) return BB_OK;
    return bb_error_set(err, BB_ERR_ARG, "--cycles", 0, 0, "expected a non-negative number of cycles, found '%s'", v);
}

static const bb_opt opts[] = {
    {"--cycles", BB_OPT_FN, 0, 0, 0, "N", "how many cycles to list (default 8)", NULL, opt_cycles},
    BB_OPT_END,
};

static const bb_opt_cmd spec = {"query", "\"PATTERN\" [--cycles N]",
                                "Print the events of a mini-notation pattern whose onset lies in [0, N)\n"
                                "(N cycles, default 8; a decimal such as 2.5 is read exactly), one per line:\n"
                                "  BEGIN END VALUE\n"
                                "with BEGIN and END the event's whole as reduced rationals (0, 3/8, 17/2)\n"
                                "and VALUE the token as written (bd, bd:3, ~x, c4'min7, 0.5), sorted by\n"
                                "begin, end and value.",
                                "0 success, 2 bad pattern or option"};

int bb_cmd_query(int argc, char **argv)
{
    bb_rat cycles = bb_rat_int(8);
    const bb_opt_group groups[] = {{NULL, opts, &cycles}};
    const char *pos[1];
    int npos;
    int prc = bb_opt_parse(&spec, groups, 1, argc, argv, pos, 1, &npos);
    if (prc != BB_OPT_GO_ON) return prc;
    const char *pattern = npos ? pos[0] : NULL;
    if (!pattern) {
        fprintf(stderr, "busbench query: expected a pattern\n");
        bb_opt_usage(&spec, groups, 1, stderr);
        return BB_EXIT_USAGE;
    }

    bb_arena own, scratch;
    bb_arena_init(&own);
    bb_arena_init(&scratch);
    bb_haps haps;
    bb_haps_init(&haps);
    bb_error err;
    bb_error_clear(&err);
    int rc = BB_EXIT_OK;
    bb_pat *p;
    bb_result r = bb_mini_parse(&own, pattern, strlen(pattern), "<pattern>", 0, 1, &p, &err);
    if (r) {
        char buf[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
        fprintf(stderr, "%s\n", bb_error_format(&err, buf, sizeof buf));
        rc = BB_EXIT_USAGE;
    } else if ((r = bb_pat_query_onsets(p, bb_rat_int(0), cycles, &scratch, &haps))) {
        char cb[48];
        fprintf(stderr, "busbench query: %s while querying cycles [0, %s)", bb_result_str(r),
                bb_rat_fmt(cycles, cb, sizeof cb));
        if (r == BB_ERR_LIMIT)
            fprintf(stderr, ": more than BB_PAT_QUERY_EVENTS_MAX (%d) events, or a patterned factor or Euclid "
                            "argument beyond its limit (%d, %d)", BB_PAT_QUERY_EVENTS_MAX, BB_PAT_FACTOR_MAX,
                    BB_PAT_EUCLID_MAX);
        fprintf(stderr, "\n");
        rc = BB_EXIT_USAGE;
    } else {
        char line[256 + BB_PAT_SRC_MAX];
        for (size_t i = 0; i < haps.n; i++) printf("%s\n", bb_hap_fmt(&haps.v[i], line, sizeof line));
        if (fflush(stdout) != 0) {
            fprintf(stderr, "busbench query: cannot write the events\n");
            rc = BB_EXIT_FAIL;
        }
    }
    bb_haps_free(&haps);
    bb_arena_free(&scratch);
    bb_arena_free(&own);
    return rc;
}
