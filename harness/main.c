/* main.c - the busbench command: dispatch to one subcommand of bb_cmds.
 *
 * Before dispatching it installs the process's signal policy. SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT and SIGPIPE run bb_tmp_cleanup (stop a gnuplot child, unlink
 * every temporary file an atomic writer has open: bb_tmpfile.h), then the
 * signal's default action runs as before (the process dies of the signal, so
 * a shell or CI sees the usual status). The destination of an interrupted
 * write is untouched: it is the previous file, or absent. SIGXFSZ (a file-size
 * limit) is ignored, so that the write fails with EFBIG and the writer reports
 * it and removes its temporary like any other full disk. SIGKILL cannot be
 * caught: after it a DEST.tmp.XXXXXX temporary can remain (never a partial DEST).
 *
 * It also sets the process's memory policy as a real-time audio engine does:
 * memory once taken from the kernel stays in the process. glibc's defaults give
 * the top of the heap back past 128 KiB free (M_TRIM_THRESHOLD) and map every
 * block over a threshold separately (M_MMAP_THRESHOLD, freed with munmap), so a
 * strategy that frees a cycle's buffers and takes the next cycle's pays a page
 * fault for every 4 KiB again, and the first render of a bench's round does not
 * warm the next. Measured on q.ph, 8 cycles, 1 thread, `cycle` (perf stat -e
 * page-faults over `busbench bench --reps 2` and `--reps 12`): 734 faults a
 * render with glibc's defaults, 9 with this policy; serial 13 and 11. At some
 * microseconds a fault on a virtual machine, that was `cycle` losing to serial
 * by a quarter. Blocks up to BB_MMAP_MAX come from the heap; the core's own
 * allocation counters (bb_alloc) are unchanged by this. */
#include "bb_cmds.h"
#include "bb_env.h"
#include "bb_tmpfile.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The largest block the heap serves (glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit);
   larger ones, rare, are mapped and unmapped as before. */
enum { BB_MMAP_MAX = 32 << 20 };

/* Keep freed memory in the process (see the top); glibc only, a no-op elsewhere. */
static void install_memory_policy(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, BB_MMAP_MAX);
    mallopt(M_TRIM_THRESHOLD, -1); /* never trim */
#endif
}

static void on_fatal_signal(int sig)
{
    bb_tmp_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_policy(void)
{
    static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigfillset(&sa.sa_mask); /* one cleanup at a time */
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction prev;
        /* keep an inherited "ignore" (nohup, a shell's background job) */
        if (sigaction(fatal[i], NULL, &prev) == 0 && prev.sa_handler == SIG_IGN) continue;
        sigaction(fatal[i], &sa, NULL);
    }
    signal(SIGXFSZ, SIG_IGN);
}

const bb_cmd bb_cmds[] = {
    {"render", bb_cmd_render, "render a .ph program to a WAV file"},
    {"verify", bb_cmd_verify, "check every strategy bit for bit: against the golden WAVs, or FILE.ph against its serial render"},
    {"bless", bb_cmd_bless, "re-render the golden WAVs with serial and rewrite the manifest"},
    {"bench", bb_cmd_bench, "measure the workloads (the corpus's, or FILE.ph...) x strategies x threads x pinning matrix"},
    {"report", bb_cmd_report, "plot a bench result and write a Markdown report"},
    {"capacity", bb_cmd_capacity, "the largest load (triggers stacked k times) a strategy sustains in real time"},
    {"topo", bb_cmd_topo, "show the topology and the placement of each pinning policy"},
    {"query", bb_cmd_query, "print the events of a mini-notation pattern"},
    {"compare", bb_cmd_compare, "gate a bench result against a baseline (counters, instructions, times)"},
    {"calibrate", bb_cmd_calibrate, "measure the timing noise floor (A/A runs) and the gate's detection rates"},
    {"merge", bb_cmd_merge, "put the shards of one matrix (or several machines' results) into one document"},
    {"history", bb_cmd_history, "trends and exact change points over results of successive commits"},
    {"live", bb_cmd_live, "play a program through a JACK server and measure xruns, glitches, callback times, latency"},
    {"strategies", bb_cmd_strategies, "list the strategies of the registry (every default list comes from it)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: busbench COMMAND [OPTIONS]\n\ncommands:\n");
    for (const bb_cmd *c = bb_cmds; c->name; c++) fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n'busbench help COMMAND' (or 'busbench COMMAND --help') describes a command;\n"
               "'busbench --version' names the build (its git commit and date).\n"
               "exit: 0 success, 1 a check failed (a mismatch, a regression), 2 bad input or usage\n");
}

int main(int argc, char **argv)
{
    install_signal_policy();
    install_memory_policy();
    if (argc < 2) {
        usage(stderr);
        return BB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || (!strcmp(argv[1], "help") && argc == 2)) {
        usage(stdout);
        return BB_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("busbench %s\n", bb_env_version());
        return BB_EXIT_OK;
    }
    if (!strcmp(argv[1], "help")) { /* busbench help CMD: the command's own --help, the same text */
        char *h[] = {argv[2], "--help", NULL};
        for (const bb_cmd *c = bb_cmds; c->name; c++)
            if (!strcmp(argv[2], c->name)) return c->run(2, h);
        fprintf(stderr, "busbench: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return BB_EXIT_USAGE;
    }
    for (const bb_cmd *c = bb_cmds; c->name; c++)
        if (!strcmp(argv[1], c->name)) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "busbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return BB_EXIT_USAGE;
}
