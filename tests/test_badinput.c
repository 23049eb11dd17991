/* test_badinput.c - the bad-input catalogue: the busbench command, end to end.
 *
 * busbench runs in CI on code under development, so whatever it is given it
 * must answer with a message that names the problem and exit 2, never crash,
 * hang, or leave a partial, empty or temporary file where an output goes. The
 * suites of the modules (test_ph, test_mini, test_wav, test_golden) check the
 * messages of the library calls; this one drives the real binary, the one
 * built beside this test program ($BUSBENCH overrides), with a table: the
 * programs of tests/badinput/NAME.ph (malformed .ph files, one problem each) or
 * generated ones (too long, too deep, too big), bad options, bad goldens for
 * verify, unwritable outputs and a full disk (RLIMIT_FSIZE in the child).
 *
 * For every row the child runs under a watchdog (a hang fails the test), and
 * the test checks: the exit status (a signal is a crash), a substring of the
 * message on stderr, no sanitizer report, and that the output folder is
 * exactly as it was before, byte for byte: a render that fails must leave no
 * output, no temporary and, when a good file was there, that file untouched.
 * So each row that writes a WAV runs twice: into an empty folder, and over a
 * "previous good file". The golden rows build a one-workload corpus with
 * `busbench bless --force`, spoil its WAV one way, and check that verify
 * changes nothing in it.
 *
 * The last tests stop a long render with SIGTERM and SIGINT half way: the
 * destination must be the previous file (or absent) and no temporary may
 * remain; after SIGKILL, which cannot be caught, the destination is still
 * intact and the one temporary that can remain is named DEST.tmp.XXXXXX (the
 * test removes it). */
#define _GNU_SOURCE
#include "bb_alloc.h"
#include "bb_testutil.h"
#include "bb_wav.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WATCHDOG_S = 120, ARGV_MAX = 40 };

/* snprintf into a path buffer; a path that does not fit fails the test. */
static void __attribute__((format(printf, 3, 4))) pathf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < cap, "path too long: %s", buf);
}

/* ---- the binary and running it -------------------------------------------------------------- */

/* $BUSBENCH, or busbench beside this test program (build/unit-tests -> build/busbench). */
static const char *busbench(void)
{
    static char path[PATH_MAX];
    if (path[0]) return path;
    const char *env = getenv("BUSBENCH");
    if (env && env[0]) {
        snprintf(path, sizeof path, "%s", env);
        return path;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        pathf(path, sizeof path, "build/busbench");
        return path;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    pathf(path, sizeof path, "%s/busbench", self);
    return path;
}

typedef struct run_result {
    bool exited;     /* false: killed by a signal (a crash) or by the watchdog */
    int code;        /* exit status, or the signal */
    bool hung;
    double seconds;
    char err[8192];  /* the tail of stderr */
} run_result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Start argv with stdout to /dev/null and stderr to errpath; fsize_kb > 0 limits
 * the files the child may write (a full disk). Returns the pid. */
static pid_t spawn(char *const argv[], const char *errpath, int fsize_kb)
{
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int o = open("/dev/null", O_WRONLY);
        int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0) _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        /* the signals a test runner may have changed: busbench sets its own policy */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGXFSZ, SIG_DFL);
        if (fsize_kb > 0) {
            struct rlimit rl = {(rlim_t)fsize_kb * 1024, (rlim_t)fsize_kb * 1024};
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Wait for pid, at most WATCHDOG_S seconds (then kill it: a hang). */
static void wait_for(pid_t pid, double t0, run_result *r)
{
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) break;
        cr_assert(w == 0 || errno == EINTR, "waitpid: %s", strerror(errno));
        if (now_s() - t0 > WATCHDOG_S) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            r->hung = true;
            break;
        }
        usleep(2000);
    }
    r->seconds = now_s() - t0;
    r->exited = WIFEXITED(st) && !r->hung;
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? WTERMSIG(st) : -1;
}

static void read_tail(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    long from = n > (long)cap - 1 ? n - ((long)cap - 1) : 0;
    fseek(f, from, SEEK_SET);
    size_t got = fread(buf, 1, cap - 1, f);
    buf[got] = '\0';
    fclose(f);
}

static void run(char *const argv[], const char *errpath, int fsize_kb, run_result *r)
{
    memset(r, 0, sizeof *r);
    double t0 = now_s();
    pid_t pid = spawn(argv, errpath, fsize_kb);
    wait_for(pid, t0, r);
    read_tail(errpath, r->err, sizeof r->err);
}

/* ---- folders: make, fill, snapshot, compare, remove ----------------------------------------- */

static void spit(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

typedef struct entry {
    char name[256];
    mode_t type;
    off_t size;
    uint64_t hash; /* FNV-1a of a regular file's bytes */
} entry;

typedef struct snapshot {
    entry v[64];
    int n;
} snapshot;

static uint64_t fnv_file(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < k; i++) h = (h ^ buf[i]) * 1099511628211ull;
    fclose(f);
    return h;
}

static int entry_cmp(const void *a, const void *b) { return strcmp(((const entry *)a)->name, ((const entry *)b)->name); }

static void snap(const char *dir, snapshot *s)
{
    s->n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot list %s", dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        cr_assert(s->n < 64);
        entry *e = &s->v[s->n++];
        snprintf(e->name, sizeof e->name, "%s", de->d_name);
        char p[PATH_MAX];
        pathf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        cr_assert_eq(lstat(p, &st), 0);
        e->type = st.st_mode & S_IFMT;
        e->size = S_ISREG(st.st_mode) ? st.st_size : 0;
        e->hash = S_ISREG(st.st_mode) ? fnv_file(p) : 0;
    }
    closedir(d);
    qsort(s->v, (size_t)s->n, sizeof s->v[0], entry_cmp);
}

/* "" when a and b are the same, else what differs. */
static const char *snap_diff(const snapshot *a, const snapshot *b, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < b->n; i++) {
        int j = 0;
        while (j < a->n && strcmp(a->v[j].name, b->v[i].name)) j++;
        if (j == a->n)
            len += (size_t)snprintf(buf + len, cap - len, "new '%s' (%lld bytes); ", b->v[i].name, (long long)b->v[i].size);
        else if (a->v[j].type != b->v[i].type || a->v[j].size != b->v[i].size || a->v[j].hash != b->v[i].hash)
            len += (size_t)snprintf(buf + len, cap - len, "changed '%s'; ", b->v[i].name);
        if (len >= cap) return buf;
    }
    for (int j = 0; j < a->n; j++) {
        int i = 0;
        while (i < b->n && strcmp(a->v[j].name, b->v[i].name)) i++;
        if (i == b->n) len += (size_t)snprintf(buf + len, cap - len, "removed '%s'; ", a->v[j].name);
        if (len >= cap) return buf;
    }
    return buf;
}

/* ---- the catalogue ----------------------------------------------------------------------------- */

/* Strings by value: Criterion runs each case in its own process. */
typedef struct bad_case {
    char name[40];
    char prog[40];    /* "" none; "NAME.ph" in tests/badinput; "gen:KIND" generated (see gen_program) */
    char fixture[24]; /* "" none; "golden:HOW" a one-workload corpus with k.wav spoiled HOW;
                         "dir", "fifo", "notdir": what the output path $O is */
    char args[200];   /* '|'-separated; $P program, $O output WAV, $W output folder, $G golden
                         folder, $LONGPAT / $DEEPPAT generated patterns */
    int fsize_kb;     /* > 0: RLIMIT_FSIZE of the child (a full disk) */
    int code;         /* expected exit status */
    char needle[120]; /* part of the message on stderr */
} bad_case;

#define R1 "render|$P|-o|$O|--cycles|1"
#define VERIFY "verify|--golden|$G|--workloads|k|--strategies|serial|--threads|1|--blocks|512|--pins|none"

static bad_case catalogue[] = {
    /* ---- malformed programs (tests/badinput/NAME.ph) ---- */
    {"unclosed_bracket", "unclosed_bracket.ph", "", R1, 0, 2, ":1:18: parse error: expected ']' to close '['"},
    {"unclosed_angle", "unclosed_angle.ph", "", R1, 0, 2, "expected '>' to close '<'"},
    {"unclosed_brace", "unclosed_brace.ph", "", R1, 0, 2, "expected '}' to close '{'"},
    {"unclosed_paren", "unclosed_paren.ph", "", R1, 0, 2, ":1:23: parse error: expected ')' to close '('"},
    {"unclosed_euclid", "unclosed_euclid.ph", "", R1, 0, 2, "expected ')' to close '('"},
    {"unclosed_quote", "unclosed_quote.ph", "", R1, 0, 2, ":1:8: parse error: unclosed string"},
    {"stray_close", "stray_close.ph", "", R1, 0, 2, "found ']'"},
    {"unknown_function", "unknown_function.ph", "", R1, 0, 2, ":1:6: semantic error: unknown function 'foo'"},
    {"unknown_transform", "unknown_transform.ph", "", R1, 0, 2, "unknown function 'shuffle'"},
    {"arity_too_many", "arity_too_many.ph", "", R1, 0, 2, "'sine' takes 0 to 1 arguments, found 3"},
    {"arity_missing_input", "arity_missing_input.ph", "", R1, 0, 2, "'lpf' needs an input"},
    {"arity_stut", "arity_stut.ph", "", R1, 0, 2, "'stut' takes 3 arguments, found 1"},
    {"unknown_bus", "unknown_bus.ph", "", R1, 0, 2, "unknown bus '~nope'"},
    {"unknown_bus_trigger", "unknown_bus_trigger.ph", "", R1, 0, 2, "'~nope': no bus is defined"},
    {"self_bus", "self_bus.ph", "", R1, 0, 2, "bus '~a' refers to itself"},
    {"bus_cycle", "bus_cycle.ph", "", R1, 0, 2, "(a cycle of buses)"},
    {"bus_cycle_trigger", "bus_cycle_trigger.ph", "", R1, 0, 2, "(a cycle of buses)"},
    {"duplicate_bus", "duplicate_bus.ph", "", R1, 0, 2, ":2:1: semantic error: bus '~a' is defined twice"},
    {"bad_number", "bad_number.ph", "", R1, 0, 2, ":1:14: parse error: expected an operator or white space after the number"},
    {"bad_number_unit", "bad_number_unit.ph", "", R1, 0, 2, "after the number"},
    {"bad_number_pattern", "bad_number_pattern.ph", "", R1, 0, 2, "malformed number '1.2.3'"},
    {"tempo_zero", "tempo_zero.ph", "", R1, 0, 2, "expected a tempo giving between 0.001 and 1000 cycles per second"},
    {"tempo_negative", "tempo_negative.ph", "", R1, 0, 2, "expected a number of beats per minute, found '-'"},
    {"tempo_absurd", "tempo_absurd.ph", "", R1, 0, 2, "between 0.001 and 1000 cycles per second"},
    {"tempo_tiny", "tempo_tiny.ph", "", R1, 0, 2, "between 0.001 and 1000 cycles per second"},
    {"tempo_inexact", "tempo_inexact.ph", "", R1, 0, 2, "tempo is too long to be exact"},
    {"tempo_word", "tempo_word.ph", "", R1, 0, 2, "found 'fast'"},
    {"tempo_samples_per_cycle", "tempo_samples_per_cycle.ph", "", R1, 0, 2,
     ":2:1: limit exceeded: this tempo at 44100 Hz gives a number of samples per cycle that is not an exact 64-bit"},
    {"euclid_huge_steps", "euclid_huge.ph", "", R1, 0, 2, "limit exceeded: expected a Euclid argument of at most 4096"},
    {"euclid_huge_pulses", "euclid_pulses_huge.ph", "", R1, 0, 2, "Euclid argument of at most 4096"},
    {"factor_huge", "factor_huge.ph", "", R1, 0, 2, "expected a factor of at most 1048576"},
    {"events_per_cycle", "events_per_cycle.ph", "", R1, 0, 2, ":2:6: limit exceeded: scheduling the trigger pattern at sample 0"},
    {"bus_events_per_cycle", "bus_events_per_cycle.ph", "", R1, 0, 2, ":2:1: limit exceeded: synthesising bus ~x at sample 0"},
    {"bus_events_per_cycle_all_2", "bus_events_per_cycle.ph", "", R1 "|--strategy|all|--threads|2", 0, 2,
     ":2:1: limit exceeded: synthesising bus ~x at sample 0"},
    {"output_events_per_cycle", "output_events_per_cycle.ph", "", "render|$P|-o|$O|--cycles|4", 0, 2,
     "output_events_per_cycle.ph: limit exceeded: evaluating the output at sample 88064 (1.997 s)"},
    {"output_events_per_cycle_all_3", "output_events_per_cycle.ph", "",
     "render|$P|-o|$O|--cycles|4|--strategy|all|--threads|3", 0, 2,
     "output_events_per_cycle.ph: limit exceeded: evaluating the output at sample 88064 (1.997 s)"},
    {"stut_huge", "stut_huge.ph", "", R1, 0, 2, "stut count in 1..256 (BB_PAT_STUT_MAX)"},
    {"steps_huge", "steps_huge.ph", "", R1, 0, 2, "at most 65536 steps in one pattern"},
    {"unknown_sample", "unknown_sample.ph", "", R1, 0, 2, "'nosuch': no such sample in the kit"},
    {"bad_statement", "bad_statement.ph", "", R1, 0, 2, ":2:1: parse error: expected a statement"},
    {"pattern_as_frequency", "pattern_as_frequency.ph", "", R1, 0, 2, "must hold numbers or notes, not 'bd'"},
    {"note_on_signal", "note_on_signal.ph", "", R1, 0, 2, "'note' applies to triggers"},
    {"empty_file", "empty.ph", "", R1, 0, 2, "empty.ph: semantic error: empty program"},
    {"only_comments", "only_comments.ph", "", R1, 0, 2, "empty program"},
    {"non_utf8", "non_utf8.ph", "", R1, 0, 2, ":1:12: parse error: expected a step, ',', '|' or the end of the pattern, found byte 0xff"},
    {"nul_byte", "nul_byte.ph", "", R1, 0, 2, ":2:3: parse error: expected ':' or '$' after the bus name, found byte 0x00"},
    {"bad_delay", "bad_delay.ph", "", R1, 0, 2, "expected a delay time in (0, 10] seconds"},
    {"dollar_both_sides", "dollar_both_sides.ph", "", R1, 0, 2, "on one side of '$'"},
    {"expression_missing", "expression_missing.ph", "", R1, 0, 2, ":1:9: parse error: expected a number"},
    {"cr_only_lines", "cr_only_lines.ph", "", R1, 0, 2, ":1:10: parse error: a carriage return inside a line"},
    /* ---- generated programs ---- */
    {"very_long_line", "gen:longline", "", R1, 0, 2, ":1:1: limit exceeded: line longer than 16384 bytes"},
    {"deep_brackets", "gen:deep_brackets", "", R1, 0, 2, "limit exceeded: expected brackets nested at most 64 deep"},
    {"deep_parens", "gen:deep_parens", "", R1, 0, 2, "limit exceeded: expression nested deeper than 64 levels"},
    {"program_too_big", "gen:huge_program", "", R1, 0, 2, "limit exceeded: program larger than 1048576 bytes"},
    {"too_many_statements", "gen:many_statements", "", R1, 0, 2, "limit exceeded: more than 1024 statements"},
    {"too_many_buses", "gen:many_buses", "", R1, 0, 2, "limit exceeded: more than 256 buses"},
    {"graph_too_big", "gen:big_graph", "", R1, 0, 2, "limit exceeded: graph larger than 4096 nodes"},
    /* ---- the program file itself ---- */
    {"program_missing", "", "", "render|/nonexistent/x.ph|-o|$O", 0, 2, "/nonexistent/x.ph: i/o error: cannot open: No such file"},
    {"program_is_a_folder", "", "", "render|$W|-o|$O", 0, 2, "i/o error: read error: Is a directory"},
    /* ---- bad options ---- */
    {"strategy_unknown", "ok.ph", "", R1 "|--strategy|nope", 0, 2, "unknown strategy 'nope' (known: serial"},
    {"strategy_empty", "ok.ph", "", R1 "|--strategy|", 0, 2, "expected a strategy name"},
    {"strategy_empty_part", "ok.ph", "", R1 "|--strategy|serial,,cycle", 0, 2, "unknown strategy ''"},
    {"threads_zero", "ok.ph", "", R1 "|--threads|0", 0, 2, "--threads: bad argument: bad value '0': expected a number of threads from 1 to 256"},
    {"threads_negative", "ok.ph", "", R1 "|--threads|-3", 0, 2, "bad value '-3'"},
    {"threads_word", "ok.ph", "", R1 "|--threads|two", 0, 2, "bad value 'two'"},
    {"block_zero", "ok.ph", "", R1 "|--block|0", 0, 2, "--block: bad argument: bad value '0': expected a block size from 1 to 65536"},
    {"block_huge", "ok.ph", "", R1 "|--block|1000000", 0, 2, "bad value '1000000'"},
    {"cycles_negative", "ok.ph", "", "render|$P|-o|$O|--cycles|-1", 0, 2, "--cycles: bad argument: bad value '-1': expected a positive number of cycles"},
    {"cycles_zero", "ok.ph", "", "render|$P|-o|$O|--cycles|0", 0, 2, "expected a positive number of cycles"},
    {"cycles_absurd", "ok.ph", "", "render|$P|-o|$O|--cycles|99999999999999", 0, 2, "--cycles: limit exceeded: render length must be between 0 and 24 hours"},
    {"cycles_garbage", "ok.ph", "", "render|$P|-o|$O|--cycles|1e999", 0, 2, "bad value '1e999'"},
    {"seconds_absurd", "ok.ph", "", "render|$P|-o|$O|--seconds|100000", 0, 2, "at most 24 hours"},
    {"seconds_nan", "ok.ph", "", "render|$P|-o|$O|--seconds|nan", 0, 2, "bad value 'nan'"},
    {"seconds_negative", "ok.ph", "", "render|$P|-o|$O|--seconds|-5", 0, 2, "bad value '-5'"},
    {"sample_rate_zero", "ok.ph", "", R1 "|--sr|0", 0, 2, "expected a sample rate from 1000 to 768000 Hz"},
    {"format_unknown", "ok.ph", "", R1 "|--format|s8", 0, 2, "expected f32, s16 or s24"},
    {"pin_unknown", "ok.ph", "", R1 "|--pin|sideways", 0, 2, "expected compact, scatter or none"},
    {"max_voices_zero", "ok.ph", "", R1 "|--max-voices|0", 0, 2, "expected a number of voices from 1 to 65536"},
    {"max_bus_seconds_zero", "ok.ph", "", R1 "|--max-bus-seconds|0", 0, 2, "expected a number of seconds from 0.001 to 3600"},
    {"batch_zero", "ok.ph", "", R1 "|--batch|0", 0, 2, "expected a number of blocks from 1 to 1024"},
    {"option_without_value", "ok.ph", "", "render|$P|-o|$O|--threads", 0, 2, "expected a value after --threads"},
    {"reload_without_file", "ok.ph", "", R1 "|--reload-at|2", 0, 2, "expected CYCLE:FILE"},
    {"reload_file_missing", "ok.ph", "", R1 "|--reload-at|1:/nonexistent/r.ph", 0, 2, "/nonexistent/r.ph: i/o error"},
    {"reload_file_malformed", "ok.ph", "", R1 "|--reload-at|1:tests/badinput/unclosed_quote.ph", 0, 2, "unclosed_quote.ph:1:8: parse error: unclosed string"},
    {"samples_missing", "ok.ph", "", R1 "|--samples|/nonexistent/samples", 0, 2, "cannot open sample folder '/nonexistent/samples'"},
    {"unknown_option", "ok.ph", "", R1 "|--bogus", 0, 2, "unknown option '--bogus'"},
    {"output_option_without_path", "ok.ph", "", "render|$P|-o", 0, 2, "expected an output path after -o"},
    {"output_missing", "ok.ph", "", "render|$P", 0, 2, "expected a program and -o OUT.wav"},
    {"extra_argument", "ok.ph", "", R1 "|extra", 0, 2, "unexpected argument 'extra'"},
    {"unknown_command", "", "", "renderr|$P", 0, 2, "unknown command 'renderr'"},
    {"no_command", "", "", "", 0, 2, "usage: busbench COMMAND"},
    /* ---- outputs that cannot be written ---- */
    {"output_folder_missing", "ok.ph", "", "render|$P|-o|$W/nonexistent/out.wav|--cycles|1", 0, 2, "cannot create a temporary file beside"},
    {"output_parent_is_a_file", "ok.ph", "notdir", R1, 0, 2, "Not a directory"},
    {"output_is_a_folder", "ok.ph", "dir", R1, 0, 2, "it is a directory, not a regular file (refusing to replace it)"},
    {"output_is_a_fifo", "ok.ph", "fifo", R1, 0, 2, "it is a FIFO, not a regular file"},
    {"output_empty_path", "ok.ph", "", "render|$P|-o||--cycles|1", 0, 2, "empty output path"},
    {"disk_full", "ok.ph", "", "render|$P|-o|$O|--cycles|4", 64, 2, "i/o error: cannot write to"},
    {"disk_full_s16", "ok.ph", "", "render|$P|-o|$O|--cycles|4|--format|s16", 64, 2, "File too large"},
    {"bench_output_unwritable", "", "", "bench|--out|$W/nonexistent/r.json|--golden|golden|--reps|1", 0, 2, "cannot create a temporary file beside it"},
    {"bench_output_is_a_folder", "", "", "bench|--out|$W|--golden|golden|--reps|1", 0, 2, "it is a directory"},
    /* ---- verify: bad goldens (a one-workload corpus, k.wav spoiled) and bad options ---- */
    {"golden_missing", "", "golden:missing", VERIFY, 0, 2, "k.wav: i/o error: golden of workload 'k': cannot open"},
    {"golden_truncated", "", "golden:truncated", VERIFY, 0, 2, "is truncated"},
    {"golden_corrupt_header", "", "golden:corrupt", VERIFY, 0, 2, "is not a readable audio file"},
    {"golden_not_a_wav", "", "golden:text", VERIFY, 0, 2, "is not a readable audio file"},
    {"golden_empty", "", "golden:empty", VERIFY, 0, 2, "is not a readable audio file"},
    {"golden_header_only", "", "golden:header", VERIFY, 0, 2, "k.wav: bad file format"},
    {"golden_wrong_rate", "", "golden:rate", VERIFY, 0, 2, "is at 48000 Hz, but the workload renders at 44100 Hz"},
    {"golden_wrong_channels", "", "golden:stereo", VERIFY, 0, 2, "has 2 channels, expected 1 (mono)"},
    {"golden_wrong_length", "", "golden:short", VERIFY, 0, 2, "has 44100 frames, the manifest says 88200"},
    {"golden_changed_samples", "", "golden:changed", VERIFY, 0, 2, "does not match its manifest"},
    {"golden_is_a_folder", "", "golden:dir", VERIFY, 0, 2, "it is a directory"},
    {"golden_manifest_missing", "", "", "verify|--golden|$W/nonexistent", 0, 2, "cannot read the golden manifest"},
    {"verify_unknown_workload", "", "golden:good", "verify|--golden|$G|--workloads|zz", 0, 2, "unknown workload 'zz'"},
    {"verify_unknown_strategy", "", "golden:good", "verify|--golden|$G|--strategies|nope", 0, 2, "unknown strategy 'nope'"},
    {"verify_threads_zero", "", "golden:good", "verify|--golden|$G|--threads|0", 0, 2, "bad thread count '0'"},
    {"verify_block_zero", "", "golden:good", "verify|--golden|$G|--blocks|0", 0, 2, "bad block size '0'"},
    {"verify_unknown_option", "", "golden:good", "verify|--golden|$G|--bogus", 0, 2, "unknown option '--bogus'"},
    /* ---- query, report ---- */
    {"query_unclosed", "", "", "query|bd [sn", 0, 2, "expected ']' to close '['"},
    {"query_cycles_negative", "", "", "query|bd|--cycles|-1", 0, 2, "expected a non-negative number of cycles"},
    {"query_events_limit", "", "", "query|[bd*1024]*1025|--cycles|1", 0, 2, "more than BB_PAT_QUERY_EVENTS_MAX"},
    {"query_pattern_too_long", "", "", "query|$LONGPAT", 0, 2, "limit exceeded"},
    {"query_pattern_too_deep", "", "", "query|$DEEPPAT", 0, 2, "nested at most 64 deep"},
    {"report_input_missing", "", "", "report|/nonexistent/r.json|-o|$W/rep", 0, 2, "cannot open"},
    {"report_input_not_json", "", "", "report|tests/badinput/ok.ph|-o|$W/rep", 0, 2, "not JSON"},
    /* ---- live (a program is compiled before any server is met: the bad program needs no jackd) ---- */
    {"live_period_small", "unknown_bus.ph", "", "live|$P|--period|5", 0, 2, "expected a period of 16 to 8192 frames"},
    {"live_mode_unknown", "unknown_bus.ph", "", "live|$P|--mode|late", 0, 2, "expected callback or ahead"},
    {"live_no_server", "ok.ph", "", "live|$P|--server|busbench-no-such-server|--record|$O", 0, 2,
     "no JACK server 'busbench-no-such-server' answers"},
    {"live_sweep_needs_dummy", "unknown_bus.ph", "", "live|$P|--sweep", 0, 2, "add --server dummy"},
    {"live_bad_program", "unknown_bus.ph", "", "live|$P|--server|dummy|--seconds|1|--record|$O", 0, 2,
     "unknown_bus.ph:1:6: semantic error: unknown bus '~nope'"},
};

ParameterizedTestParameters(badinput, catalogue)
{
    return cr_make_param_array(bad_case, catalogue, sizeof catalogue / sizeof catalogue[0]);
}

TestSuite(badinput);

/* ---- generated inputs ----------------------------------------------------------------------- */

static char *gen_program(const char *kind, size_t *n)
{
    size_t cap = 1300000, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
#define ADD(...) (len += (size_t)snprintf(s + len, cap - len, __VA_ARGS__))
    if (!strcmp(kind, "longline")) {
        ADD("out: sine");
        for (int i = 0; i < 5000; i++) ADD(" + 1");
        ADD("\n");
    } else if (!strcmp(kind, "deep_brackets")) {
        ADD("out: s \"");
        for (int i = 0; i < 100; i++) ADD("[");
        ADD("bd");
        for (int i = 0; i < 100; i++) ADD("]");
        ADD("\"\n");
    } else if (!strcmp(kind, "deep_parens")) {
        ADD("out: ");
        for (int i = 0; i < 100; i++) ADD("(");
        ADD("sine");
        for (int i = 0; i < 100; i++) ADD(")");
        ADD("\n");
    } else if (!strcmp(kind, "huge_program")) {
        while (len < (1u << 20) + 100) ADD("-- a comment line that makes this program larger than the limit\n");
        ADD("out: sine\n");
    } else if (!strcmp(kind, "many_statements")) {
        for (int i = 0; i < 1100; i++) ADD("o%d: sine\n", i + 1);
    } else if (!strcmp(kind, "many_buses")) {
        for (int i = 0; i < 300; i++) ADD("~b%d: sine %d\n", i, 100 + i);
    } else if (!strcmp(kind, "big_graph")) {
        ADD("out: sine");
        for (int i = 0; i < 3000; i++) ADD(" + 1");
        ADD("\n");
    } else {
        cr_assert_fail("unknown generator '%s'", kind);
    }
#undef ADD
    *n = len;
    return s;
}

static const char *gen_arg(const char *token)
{
    static char buf[80000];
    size_t len = 0;
    if (!strcmp(token, "$LONGPAT")) {
        while (len < 70000) len += (size_t)snprintf(buf + len, sizeof buf - len, "bd ");
    } else { /* $DEEPPAT */
        for (int i = 0; i < 100; i++) buf[len++] = '[';
        buf[len++] = 'x';
        for (int i = 0; i < 100; i++) buf[len++] = ']';
        buf[len] = '\0';
    }
    return buf;
}

/* ---- fixtures ------------------------------------------------------------------------------- */

static void run_ok(char *const argv[], const char *errpath)
{
    run_result r;
    run(argv, errpath, 0, &r);
    cr_assert(r.exited && r.code == 0, "fixture command %s %s failed (%s %d): %s", argv[1], argv[2],
              r.exited ? "exit" : "signal", r.code, r.err);
}

static void render_to(const char *prog, const char *wav, const char *opt, const char *val, const char *errpath)
{
    char *argv[] = {(char *)busbench(), "render", (char *)prog, "-o", (char *)wav, "--cycles", "1",
                    (char *)opt, (char *)val, NULL};
    if (!opt) argv[7] = NULL;
    run_ok(argv, errpath);
}

/* A corpus in g: workload k (tests/badinput/ok.ph, one cycle), blessed, then k.wav spoiled. */
static void make_golden(const char *g, const char *how, const char *errpath)
{
    cr_assert_eq(mkdir(g, 0755), 0);
    char p[PATH_MAX], wav[PATH_MAX];
    size_t n;
    char *src = tu_slurp("tests/badinput/ok.ph", &n);
    cr_assert_not_null(src, "tests/badinput/ok.ph: run the tests from the repository root");
    pathf(p, sizeof p, "%s/k.ph", g);
    spit(p, src, n);
    free(src);
    pathf(p, sizeof p, "%s/manifest.tsv", g);
    const char *man = "k\tk.ph\tk.wav\t-\t-\t--cycles 1\n";
    spit(p, man, strlen(man));
    char *argv[] = {(char *)busbench(), "bless", "--golden", (char *)g, "--force", NULL};
    run_ok(argv, errpath);
    pathf(wav, sizeof wav, "%s/k.wav", g);
    pathf(p, sizeof p, "%s/k.ph", g);
    size_t wn;
    char *good = tu_slurp(wav, &wn);
    cr_assert(good && wn > 1000, "bless wrote no k.wav");
    if (!strcmp(how, "good")) {
    } else if (!strcmp(how, "missing")) {
        cr_assert_eq(unlink(wav), 0);
    } else if (!strcmp(how, "truncated")) {
        cr_assert_eq(truncate(wav, (off_t)(wn / 2)), 0);
    } else if (!strcmp(how, "corrupt")) {
        good[20] = 0x63; /* the format tag of the fmt chunk: no such format */
        good[21] = 0x7f;
        spit(wav, good, wn);
    } else if (!strcmp(how, "text")) {
        const char *t = "this is not a WAV file, only some text that is long enough to hold a header\n";
        spit(wav, t, strlen(t));
    } else if (!strcmp(how, "empty")) {
        spit(wav, "", 0);
    } else if (!strcmp(how, "header")) {
        spit(wav, good, 12);
    } else if (!strcmp(how, "rate")) {
        render_to(p, wav, "--sr", "48000", errpath);
    } else if (!strcmp(how, "short")) {
        char *argv2[] = {(char *)busbench(), "render", p, "-o", wav, "--cycles", "0.5", NULL};
        run_ok(argv2, errpath);
    } else if (!strcmp(how, "stereo")) {
        SF_INFO info = {.samplerate = 44100, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
        SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
        cr_assert_not_null(sf);
        float fr[2 * 1024] = {0};
        for (int i = 0; i < 86; i++) sf_writef_float(sf, fr, 1024);
        sf_close(sf);
    } else if (!strcmp(how, "changed")) {
        good[wn - 9] ^= 0x40; /* one sample near the end */
        spit(wav, good, wn);
    } else if (!strcmp(how, "dir")) {
        cr_assert_eq(unlink(wav), 0);
        cr_assert_eq(mkdir(wav, 0755), 0);
    } else {
        cr_assert_fail("unknown golden fixture '%s'", how);
    }
    free(good);
}

/* ---- the test ------------------------------------------------------------------------------- */

static void expand(const char *tmpl, const char *P, const char *O, const char *W, const char *G, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *s = tmpl; *s;) {
        const char *rep = NULL;
        size_t skip = 0;
        if (!strncmp(s, "$P", 2)) rep = P, skip = 2;
        else if (!strncmp(s, "$O", 2)) rep = O, skip = 2;
        else if (!strncmp(s, "$W", 2)) rep = W, skip = 2;
        else if (!strncmp(s, "$G", 2)) rep = G, skip = 2;
        if (rep) {
            len += (size_t)snprintf(out + len, cap - len, "%s", rep);
            s += skip;
        } else {
            if (len + 1 < cap) out[len++] = *s;
            out[len] = '\0';
            s++;
        }
        cr_assert(len + 1 < cap, "arguments too long");
    }
}

static void check_case(const bad_case *c, const char *base, bool previous)
{
    char W[PATH_MAX], G[PATH_MAX], P[PATH_MAX], O[PATH_MAX], errpath[PATH_MAX], in[PATH_MAX];
    pathf(W, sizeof W, "%s/w", base);
    pathf(G, sizeof G, "%s/g", base);
    pathf(in, sizeof in, "%s/in", base);
    pathf(errpath, sizeof errpath, "%s/stderr.txt", base);
    pathf(O, sizeof O, "%s/out.wav", W);
    tu_rm_rf(W);
    tu_rm_rf(G);
    cr_assert_eq(mkdir(W, 0755), 0);
    mkdir(in, 0755);
    P[0] = '\0';
    if (!strncmp(c->prog, "gen:", 4)) {
        size_t n;
        char *src = gen_program(c->prog + 4, &n);
        pathf(P, sizeof P, "%s/%s.ph", in, c->prog + 4);
        spit(P, src, n);
        free(src);
    } else if (c->prog[0]) {
        pathf(P, sizeof P, "tests/badinput/%s", c->prog);
        cr_assert(access(P, R_OK) == 0, "%s is missing (run the tests from the repository root)", P);
    }
    if (!strncmp(c->fixture, "golden:", 7)) make_golden(G, c->fixture + 7, errpath);
    if (!strcmp(c->fixture, "dir")) cr_assert_eq(mkdir(O, 0755), 0);
    if (!strcmp(c->fixture, "fifo")) cr_assert_eq(mkfifo(O, 0644), 0);
    if (!strcmp(c->fixture, "notdir")) {
        char f[PATH_MAX];
        pathf(f, sizeof f, "%s/file", W);
        spit(f, "a file, not a folder\n", 21);
        pathf(O, sizeof O, "%s/out.wav", f);
    }
    if (previous) {
        /* a previous good file at the destination: it must survive a failed run */
        static const char prev[] = "RIFF....WAVE previous good file, which a failed run must leave alone";
        spit(O, prev, sizeof prev);
    }

    char args[sizeof c->args + PATH_MAX * 4];
    expand(c->args, P, O, W, G, args, sizeof args);
    char *argv[ARGV_MAX + 2];
    int argc = 0;
    argv[argc++] = (char *)busbench();
    if (args[0]) {
        for (char *s = args;; ) {
            char *bar = strchr(s, '|');
            if (bar) *bar = '\0';
            cr_assert(argc < ARGV_MAX);
            argv[argc++] = s[0] == '$' && (!strcmp(s, "$LONGPAT") || !strcmp(s, "$DEEPPAT")) ? (char *)gen_arg(s) : s;
            if (!bar) break;
            s = bar + 1;
        }
    }
    argv[argc] = NULL;

    snapshot before_w, after_w, before_g, after_g;
    snap(W, &before_w);
    bool has_g = access(G, F_OK) == 0;
    if (has_g) snap(G, &before_g);

    run_result r;
    run(argv, errpath, c->fsize_kb, &r);

    cr_assert(!r.hung, "[%s] hung: killed after %d s", c->name, WATCHDOG_S);
    cr_assert(r.exited, "[%s] crashed: killed by signal %d (%s); stderr: %s", c->name, r.code, strsignal(r.code), r.err);
    cr_expect_eq(r.code, c->code, "[%s] exit status %d, expected %d; stderr: %s", c->name, r.code, c->code, r.err);
    cr_expect(strstr(r.err, c->needle) != NULL, "[%s] the message lacks \"%s\"; stderr: %s", c->name, c->needle, r.err);
    cr_expect(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error:"), "[%s] sanitizer report: %s", c->name,
              r.err);
    char diff[2048];
    snap(W, &after_w);
    snap_diff(&before_w, &after_w, diff, sizeof diff);
    cr_expect(diff[0] == '\0', "[%s]%s the output folder changed: %s", c->name, previous ? " (over a previous file)" : "",
              diff);
    if (has_g) {
        snap(G, &after_g);
        snap_diff(&before_g, &after_g, diff, sizeof diff);
        cr_expect(diff[0] == '\0', "[%s] verify changed the golden corpus: %s", c->name, diff);
    }
}

ParameterizedTest(bad_case *c, badinput, catalogue, .timeout = 600)
{
    const char *base = tu_tmpdir("bad");
    /* rows that write a WAV run twice: into an empty folder and over a previous file */
    bool writes = strstr(c->args, "$O") != NULL && !c->fixture[0];
    check_case(c, base, false);
    if (writes) check_case(c, base, true);
    tu_rm_rf(base);
}

/* The catalogue covers what the issue lists, and every row is distinct. */
Test(badinput, catalogue_is_complete)
{
    const size_t n = sizeof catalogue / sizeof catalogue[0];
    cr_expect_geq(n, 40, "the catalogue has %zu rows", n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) cr_expect_str_neq(catalogue[i].name, catalogue[j].name);
    /* every .ph file of tests/badinput but ok.ph is a row */
    DIR *d = opendir("tests/badinput");
    cr_assert_not_null(d, "run the tests from the repository root");
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 3, ".ph") || !strcmp(de->d_name, "ok.ph")) continue;
        bool used = false;
        for (size_t i = 0; i < n; i++) used |= !strcmp(catalogue[i].prog, de->d_name);
        cr_expect(used, "tests/badinput/%s is in no row of the catalogue", de->d_name);
    }
    closedir(d);
}

/* A good program renders (so that the rows above fail for their own reason). */
Test(badinput, the_base_program_renders)
{
    const char *base = tu_tmpdir("bad");
    char out[PATH_MAX], errpath[PATH_MAX];
    pathf(out, sizeof out, "%s/out.wav", base);
    pathf(errpath, sizeof errpath, "%s/stderr.txt", base);
    render_to("tests/badinput/ok.ph", out, NULL, NULL, errpath);
    float *x;
    size_t n;
    int sr, ch;
    bb_error err;
    cr_assert_eq(bb_wav_read(out, &x, &n, &sr, &ch, &err), BB_OK, "%s", err.msg);
    cr_expect_eq(n, (size_t)88200);
    bb_free(x);
    tu_rm_rf(base);
}

/* ---- interrupted renders ---------------------------------------------------------------------- */

/* Start a long render of golden/q.ph into dir/out.wav, wait until its temporary
 * exists and it has written some of it, then send sig. */
static void interrupt_render(const char *dir, int sig, run_result *r)
{
    char out[PATH_MAX], errpath[PATH_MAX];
    pathf(out, sizeof out, "%s/out.wav", dir);
    snprintf(errpath, sizeof errpath, "%s.stderr", dir);
    char *argv[] = {(char *)busbench(), "render", "golden/q.ph", "-o", out, "--cycles", "2000", NULL};
    memset(r, 0, sizeof *r);
    double t0 = now_s();
    pid_t pid = spawn(argv, errpath, 0);
    /* wait for DEST.tmp.XXXXXX to hold some audio */
    bool seen = false;
    while (!seen && now_s() - t0 < 60) {
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        struct dirent *de;
        while ((de = readdir(d))) {
            if (strncmp(de->d_name, "out.wav.tmp.", 12)) continue;
            char p[PATH_MAX];
            pathf(p, sizeof p, "%s/%s", dir, de->d_name);
            struct stat st;
            if (stat(p, &st) == 0 && st.st_size > 100000) seen = true;
        }
        closedir(d);
        if (!seen) usleep(5000);
    }
    int st;
    cr_assert(seen, "the render never wrote its temporary file");
    cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "the render ended before it was interrupted");
    kill(pid, sig);
    wait_for(pid, t0, r);
    read_tail(errpath, r->err, sizeof r->err);
    unlink(errpath);
}

static void interrupted_keeps_destination(int sig, bool previous)
{
    const char *dir = tu_tmpdir("sig");
    if (previous) {
        char p[PATH_MAX];
        pathf(p, sizeof p, "%s/out.wav", dir);
        spit(p, "previous good file", 18);
    }
    snapshot before, after;
    snap(dir, &before);
    run_result r;
    interrupt_render(dir, sig, &r);
    cr_expect(!r.exited && r.code == sig, "busbench should die of signal %d, got %s %d: %s", sig,
              r.exited ? "exit" : "signal", r.code, r.err);
    snap(dir, &after);
    char diff[1024];
    snap_diff(&before, &after, diff, sizeof diff);
    cr_expect(diff[0] == '\0', "after %s the folder changed: %s", strsignal(sig), diff);
    tu_rm_rf(dir);
}

Test(badinput, sigterm_midway_leaves_the_previous_file_and_no_temporary, .timeout = 300)
{
    interrupted_keeps_destination(SIGTERM, true);
}

Test(badinput, sigint_midway_leaves_the_previous_file_and_no_temporary, .timeout = 300)
{
    interrupted_keeps_destination(SIGINT, true);
}

Test(badinput, sigterm_midway_leaves_no_file_at_all, .timeout = 300)
{
    interrupted_keeps_destination(SIGTERM, false);
}

/* SIGKILL cannot be caught: the destination is intact, and the one file that
 * can remain is the temporary, named DEST.tmp.XXXXXX (documented in bb_tmpfile.h). */
Test(badinput, sigkill_midway_leaves_the_destination_intact, .timeout = 300)
{
    const char *dir = tu_tmpdir("sig");
    char p[PATH_MAX];
    pathf(p, sizeof p, "%s/out.wav", dir);
    spit(p, "previous good file", 18);
    run_result r;
    interrupt_render(dir, SIGKILL, &r);
    cr_expect(!r.exited && r.code == SIGKILL);
    size_t n;
    char *s = tu_slurp(p, &n);
    cr_assert(s && n == 18 && !memcmp(s, "previous good file", 18), "the destination changed after SIGKILL");
    free(s);
    snapshot after;
    snap(dir, &after);
    for (int i = 0; i < after.n; i++)
        cr_expect(!strcmp(after.v[i].name, "out.wav") || !strncmp(after.v[i].name, "out.wav.tmp.", 12),
                  "unexpected file '%s' after SIGKILL", after.v[i].name);
    tu_rm_rf(dir);
}
