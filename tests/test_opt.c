/* test_opt.c - the option tables (bb_opt) and the command-line conventions they give every command.
 *
 * Table-driven over the commands `busbench help` lists (main's table of commands): every command prints its help
 * for --help, `busbench help CMD` prints the same text, and the help lists the exit codes; every
 * command reads "--opt=value" as it reads "--opt value" (a case per command, and a check that no
 * command is without one). Then the parser's own rules on a small table: ranges, a missing value,
 * a flag given a value, a negative number as a positional. */
#include <criterion/criterion.h>

#include "bb_cmds.h"
#include "bb_opt.h"
#include "bb_testutil.h"
#include "bb_cmdutil.h"

#include <stdio.h>
#include <string.h>

enum { CMDS_MAX = 32 };

/* The commands `busbench help` lists (the lines between "commands:" and the blank line after them),
 * into names[]; returns their count. */
static int commands(char names[][32])
{
    const char *d = tu_tmpdir("optcmds");
    cr_assert_eq(tu_sh("'%s' help > %s/h.txt", tu_busbench(), d), 0);
    char p[256];
    snprintf(p, sizeof p, "%s/h.txt", d);
    char *h = tu_slurp(p, NULL), *s = h ? strstr(h, "commands:\n") : NULL;
    cr_assert_not_null(s, "busbench help lists the commands");
    int n = 0;
    for (s += strlen("commands:\n"); *s == ' ' && n < CMDS_MAX; s = strchr(s, '\n') + 1)
        if (sscanf(s, " %31s", names[n]) == 1) n++;
    free(h);
    return n;
}

Test(opt, every_command_prints_the_same_help_both_ways_with_exit_codes)
{
    const char *bin = tu_busbench(), *d = tu_tmpdir("opthelp");
    char names[CMDS_MAX][32];
    int n = commands(names);
    for (int i = 0; i < n; i++) {
        const char *name = names[i];
        cr_assert_eq(tu_sh("'%s' %s --help > %s/a.txt 2>&1", bin, name, d), 0, "%s --help exits 0", name);
        cr_assert_eq(tu_sh("'%s' help %s > %s/b.txt 2>&1", bin, name, d), 0, "help %s exits 0", name);
        char pa[256], pb[256], head[128];
        snprintf(pa, sizeof pa, "%s/a.txt", d);
        snprintf(pb, sizeof pb, "%s/b.txt", d);
        char *a = tu_slurp(pa, NULL), *b = tu_slurp(pb, NULL);
        cr_assert(a && b);
        snprintf(head, sizeof head, "usage: busbench %.31s ", name);
        cr_assert(!strncmp(a, head, strlen(head)), "%s --help begins with its usage line: %.80s", name, a);
        cr_assert_str_eq(a, b, "busbench help %s and %s --help print the same", name, name);
        cr_assert_not_null(strstr(a, "\nexit: 0 "), "%s's help lists its exit codes", name);
        /* --list-options (the completion's source) lists the options the help shows, no more, no less */
        cr_assert_eq(tu_sh("'%s' %s --list-options > %s/l.txt 2>&1", bin, name, d), 0, "%s --list-options exits 0", name);
        snprintf(pb, sizeof pb, "%s/l.txt", d);
        char *l = tu_slurp(pb, NULL);
        cr_assert_not_null(l);
        int listed = 0, shown = 0;
        for (char *s = l, *nl; *s; s = nl + 1, listed++) {
            cr_assert_not_null(nl = strchr(s, '\n'));
            char line[160];
            snprintf(line, sizeof line, "\n  %.*s ", (int)(nl - s), s);
            size_t ll = strlen(line);
            cr_expect(strstr(a, line) || (line[ll - 1] = '\n', strstr(a, line)), "%s: '%.*s' is in the help", name,
                      (int)(nl - s), s);
        }
        for (const char *s = a; (s = strstr(s, "\n  -")); s++) shown++;
        cr_expect_eq(listed, shown, "%s: %d options listed, %d in the help", name, listed, shown);
        free(l);
        free(a);
        free(b);
    }
    cr_assert_geq(n, 14);
}

/* One command line in both forms: $P is a program, $D a fresh folder. */
typedef struct form_case {
    const char *cmd;
    const char *joined;  /* with --opt=value */
    const char *apart;   /* with --opt value */
} form_case;

static const form_case forms[] = {
    {"render", "render $P -o $D/o.wav --threads=0", "render $P -o $D/o.wav --threads 0"},
    {"verify", "verify --golden=golden --workloads=nope", "verify --golden golden --workloads nope"},
    {"bless", "bless --golden=$D/none --workloads=a,,b", "bless --golden $D/none --workloads a,,b"},
    {"bench", "bench --reps=0", "bench --reps 0"},
    {"report", "report $D/none.json --out=$D/r", "report $D/none.json --out $D/r"},
    {"capacity", "capacity $P --tolerance=200", "capacity $P --tolerance 200"},
    {"topo", "topo --threads=3", "topo --threads 3"},
    {"query", "query 'bd [sn cp]' --cycles=1.5", "query 'bd [sn cp]' --cycles 1.5"},
    {"compare", "compare $D/a.json $D/b.json --alpha=2", "compare $D/a.json $D/b.json --alpha 2"},
    {"calibrate", "calibrate --trials=1", "calibrate --trials 1"},
    {"merge", "merge $D/none.json --out=$D/m.json", "merge $D/none.json --out $D/m.json"},
    {"history", "history $D/a.json $D/b.json -o $D/h --instr-tolerance=-1", "history $D/a.json $D/b.json -o $D/h --instr-tolerance -1"},
    {"strategies", "strategies --sep=+ --canaries", "strategies --sep + --canaries"},
    {"live", "live $P --period=10", "live $P --period 10"},
    {"verify", "verify $P --cycles=1 --sr=8000 --strategies=serial --threads=1 --blocks=64 --pins=none --seconds=-1",
     "verify $P --cycles 1 --sr 8000 --strategies serial --threads 1 --blocks 64 --pins none --seconds -1"},
    {"bench", "bench $P --cycles=1 --sr=8000 --strategies=serial --threads=1 --reps=1 --warmup=0 --quiet",
     "bench $P --cycles 1 --sr 8000 --strategies serial --threads 1 --reps 1 --warmup 0 --quiet"},
};

/* Run line (with $P and $D put in) into D/NAME.out and D/NAME.err; returns the exit status. */
static int run_line(const char *bin, const char *dir, const char *line, const char *name)
{
    char cmd[2048] = "";
    size_t n = 0;
    for (const char *s = line; *s && n < sizeof cmd - 256; s++) {
        if (s[0] == '$' && (s[1] == 'P' || s[1] == 'D')) {
            n += (size_t)snprintf(cmd + n, sizeof cmd - n, "%s", s[1] == 'P' ? "golden/static.ph" : dir);
            s++;
        } else cmd[n++] = *s, cmd[n] = 0;
    }
    return tu_sh("'%s' %s > %s/%s.out 2> %s/%s.err", bin, cmd, dir, name, dir, name);
}

static char *read_in(const char *dir, const char *name, const char *ext)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext);
    char *s = tu_slurp(p, NULL);
    cr_assert_not_null(s);
    return s;
}

Test(opt, every_command_reads_opt_equals_value_as_opt_space_value, .timeout = 120)
{
    const char *bin = tu_busbench(), *d = tu_tmpdir("optform");
    size_t nf = sizeof forms / sizeof forms[0];
    char names[CMDS_MAX][32];
    int n = commands(names);
    cr_assert_geq(n, 14);
    for (int i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nf && strcmp(forms[k].cmd, names[i])) k++;
        cr_assert(k < nf, "a case for every command: %s has none", names[i]);
    }
    for (size_t k = 0; k < nf; k++) {
        int ra = run_line(bin, d, forms[k].joined, "j"), rb = run_line(bin, d, forms[k].apart, "a");
        char *oa = read_in(d, "j", "out"), *ob = read_in(d, "a", "out"), *ea = read_in(d, "j", "err"), *eb = read_in(d, "a", "err");
        cr_assert_eq(ra, rb, "%s: the same exit status both ways (%d, %d)", forms[k].cmd, ra, rb);
        cr_assert_str_eq(oa, ob, "%s: the same output both ways", forms[k].cmd);
        cr_assert_str_eq(ea, eb, "%s: the same messages both ways", forms[k].cmd);
        cr_assert_null(strstr(ea, "unknown option"), "%s: --opt=value is an option: %s", forms[k].cmd, ea);
        free(oa);
        free(ob);
        free(ea);
        free(eb);
    }
}

/* ---- the workload options of verify and bench given programs ---- */
/* A command line with programs ($W/my.ph at 2 cycles a second; $W/slow.ph at 1; $W/bad.ph, a string
 * left open on line 2 column 8), its exit status and what its output or messages must say: a
 * value reaches the render (the frames verify reports) or is refused, named. */
typedef struct wopt_case {
    const char *line;
    int rc;
    const char *says;
} wopt_case;

#define ONE " --strategies serial --threads 1 --blocks 64 --pins none"
static const wopt_case wcases[] = {
    {"verify $W/my.ph --cycles 1 --sr 8000" ONE, 0, "4000 frames"},
    {"verify $W/my.ph --cycles=1.5 --sr=8000" ONE, 0, "6000 frames"},
    {"verify $W/my.ph --seconds 0.25 --sr 8000" ONE, 0, "2000 frames"},
    {"verify $W/my.ph --cycles 2 --sr 8000 --reload-at 1:$W/slow.ph" ONE, 0, "12000 frames"},
    {"verify $W/my.ph $W/slow.ph --cycles 1 --sr 8000" ONE, 0, "pass  slow "},
    {"verify $W/my.ph --cycles 1 --sr 8000 --batch 3 --strategies batch --threads 1 --blocks 64 --pins none", 0, "pass  my "},
    {"bench $W/my.ph --cycles 1 --sr 8000 --strategies serial --threads 1 --reps 1 --warmup 0", 0, "my/serial/threads:1"},
    {"verify $W/my.ph --cycles=0", 2, "--cycles"},
    {"verify $W/my.ph --sr 10", 2, "--sr"},
    {"verify $W/my.ph --reload-at 1.5:$W/slow.ph", 2, "--reload-at"},
    {"bench $W/my.ph --max-voices 0", 2, "--max-voices"},
    {"verify $W/my.ph --strategy serial", 2, "unknown option '--strategy'"},
    {"bench $W/my.ph --format s16", 2, "unknown option '--format'"},
    {"verify --cycles 2", 2, "for programs given on the command line"},
    {"bench --sr 8000", 2, "for programs given on the command line"},
    {"verify $W/my.ph --golden golden", 2, "give one or the other"},
    {"verify $W/bad.ph", 2, "bad.ph:2:8: "},
    {"bench $W/bad.ph --quiet", 2, "bad.ph:2:8: "},
    {"verify $W/none.ph", 2, "none.ph: i/o error"},
    {"verify $W/my.ph --workloads nope", 2, "unknown workload 'nope' (the programs given are: my)"},
};
#undef ONE

Test(opt, workload_options_of_programs_reach_the_render_or_are_refused, .timeout = 120)
{
    const char *bin = tu_busbench(), *d = tu_tmpdir("optwl");
    char p[PATH_MAX];
    static const char *const files[][2] = {
        {"my.ph", "cps: 2\n~x: saw \"220 330\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n"},
        {"slow.ph", "cps: 1\nout: s \"~x*2\"\n~x: square 110\n"},
        {"bad.ph", "cps: 2\nout: s \"~x*4\n"},
    };
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", d, files[i][0]);
        FILE *f = fopen(p, "w");
        cr_assert_not_null(f);
        fputs(files[i][1], f);
        fclose(f);
    }
    for (size_t k = 0; k < sizeof wcases / sizeof wcases[0]; k++) {
        char cmd[2048] = "";
        size_t n = 0;
        for (const char *s = wcases[k].line; *s && n < sizeof cmd - 256; s++)
            if (s[0] == '$' && s[1] == 'W') n += (size_t)snprintf(cmd + n, sizeof cmd - n, "%s", d), s++;
            else cmd[n++] = *s, cmd[n] = 0;
        int rc = tu_sh("'%s' %s > %s/o.txt 2>&1", bin, cmd, d);
        snprintf(p, sizeof p, "%s/o.txt", d);
        char *o = tu_slurp(p, NULL);
        cr_assert_not_null(o);
        cr_expect_eq(rc, wcases[k].rc, "%s: exit %d, expected %d\n%s", wcases[k].line, rc, wcases[k].rc, o);
        cr_expect(strstr(o, wcases[k].says), "%s: says '%s'\n%s", wcases[k].line, wcases[k].says, o);
        free(o);
    }
}

/* ---- the parser's rules, on a table of its own ---- */
typedef struct demo {
    int n;
    double x;
    bool f;
    const char *s;
} demo;

static const bb_opt demo_opts[] = {
    {"--n", BB_OPT_INT, offsetof(demo, n), 1, 10, "N", "a count", NULL, NULL},
    {"--x", BB_OPT_REAL, offsetof(demo, x), 0, 1, "X", "a fraction", NULL, NULL},
    {"--f", BB_OPT_FLAG, offsetof(demo, f), 0, 0, NULL, "a flag", NULL, NULL},
    {"-s", BB_OPT_STR, offsetof(demo, s), 0, 0, "S", "a text", "a text", NULL},
    BB_OPT_END,
};
static const bb_opt_cmd demo_cmd = {"demo", "[options] ARG", NULL, "0 fine"};

static int demo_parse(demo *v, const char **pos, int *npos, int argc, const char **argv)
{
    memset(v, 0, sizeof *v);
    const bb_opt_group g[] = {{NULL, demo_opts, v}};
    return bb_opt_parse(&demo_cmd, g, 1, argc, (char **)argv, pos, 1, npos);
}

Test(opt, values_in_range_reach_their_destinations)
{
    demo v;
    const char *pos[1];
    int np;
    const char *a[] = {"demo", "--n=3", "--x", "0.25", "--f", "-s", "t", "-1.5"};
    cr_assert_eq(demo_parse(&v, pos, &np, 8, a), BB_OPT_GO_ON);
    cr_assert(v.n == 3 && v.x == 0.25 && v.f && !strcmp(v.s, "t"));
    cr_assert(np == 1 && !strcmp(pos[0], "-1.5"), "a negative number is a positional");
}

Test(opt, out_of_range_missing_or_unwanted_values_are_exit_2)
{
    tu_quiet();
    demo v;
    const char *pos[1];
    int np;
    const char *a1[] = {"demo", "--n=11"}, *a2[] = {"demo", "--x"}, *a3[] = {"demo", "--f=1"}, *a4[] = {"demo", "--n", "2x"},
               *a5[] = {"demo", "--nn", "1"}, *a6[] = {"demo", "a", "b"};
    cr_assert_eq(demo_parse(&v, pos, &np, 2, a1), BB_EXIT_USAGE, "above the range");
    cr_assert_eq(v.n, 0, "nothing stored from a bad value");
    cr_assert_eq(demo_parse(&v, pos, &np, 2, a2), BB_EXIT_USAGE, "no value");
    cr_assert_eq(demo_parse(&v, pos, &np, 2, a3), BB_EXIT_USAGE, "a flag takes no value");
    cr_assert_eq(demo_parse(&v, pos, &np, 3, a4), BB_EXIT_USAGE, "not all of it a number");
    cr_assert_eq(demo_parse(&v, pos, &np, 3, a5), BB_EXIT_USAGE, "no abbreviations or unknown names");
    cr_assert_eq(demo_parse(&v, pos, &np, 3, a6), BB_EXIT_USAGE, "more positionals than the command takes");
}

/* --version names the build: the commit the Makefile stamped (as the bench context's git_commit). */
Test(opt, version_names_the_build)
{
    const char *d = tu_tmpdir("opt-version");
    cr_assert_eq(tu_sh("'%s' --version > %s/v.txt 2>&1", tu_busbench(), d), 0);
    cr_assert_eq(tu_sh("'%s' version > %s/w.txt 2>&1 && cmp -s %s/v.txt %s/w.txt", tu_busbench(), d, d, d), 0,
                 "'version' and '--version' print the same");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/v.txt", d);
    size_t n;
    char *v = tu_slurp(path, &n);
    cr_assert_not_null(v);
    unsigned x;
    cr_expect(!strncmp(v, "busbench ", 9) && (sscanf(v + 9, "%8x", &x) == 1 || !strncmp(v + 9, "unknown", 7)),
              "busbench COMMIT (DATE), got: %s", v);
    free(v);
}
