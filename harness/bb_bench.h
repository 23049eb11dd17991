/* bb_bench.h - the measuring engine of `busbench bench` (bb_bench.c says how it measures): the
 * options it runs by, the workloads, the configurations and their matrix, and the rounds. The
 * command (bb_cmd_bench.c) parses the options into bb_bench_opts, builds the matrix
 * (bb_bench_matrix.h), runs the rounds with its progress bar and writes what bb_bench_results
 * (bb_bench_results.h) gives. */
#ifndef BB_BENCH_H
#define BB_BENCH_H

#include "bb_golden.h"
#include "bb_json.h"
#include "bb_run.h"
#include "bb_shard.h"
#include "bb_stats.h"
#include "bb_workload.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BB_BENCH_LIST_MAX = 64, BB_BENCH_STEPS = 5 };
enum { BB_BENCH_ITERS_MAX = 1000 };  /* renders in one timing sample, at most */
#define BB_BENCH_MIN_SAMPLE_S 0.05    /* --min-sample-time's default, seconds */
enum { BB_BENCH_METRIC_TIME, BB_BENCH_METRIC_INSTR, BB_BENCH_METRIC_BOTH };
enum { BB_BENCH_GO_ON = -1 }; /* returned by a step when the command goes on; else an exit code */

/* A growable vector of doubles (plain malloc: outside the core's counters). */
typedef struct bb_bench_dvec {
    double *v;
    size_t n, cap;
} bb_bench_dvec;

/* Append x to d, growing it. 0, or -1 when out of memory (d unchanged). */
int bb_bench_dvec_push(bb_bench_dvec *d, double x);
/* Release d's values; d is empty (and usable) again. */
void bb_bench_dvec_free(bb_bench_dvec *d);

/* A workload (bb_workload.h: of the golden corpus, or a program given on the command line), ready
 * to render: its setup, its reference and its kit. */
typedef struct bb_bench_workload {
    char name[BB_GOLDEN_NAME_MAX];
    const bb_workload *wl;    /* in the matrix's set */
    const bb_run_cfg *cfg;    /* &wl->job.cfg */
    int64_t frames;           /* the reference's length */
    const float *golden;      /* the reference (wl->ref: the golden WAV, or the serial render of this run) */
    size_t ngolden;
    bb_kit *kit;
} bb_bench_workload;

/* One configuration workload x strategy x threads x pinning and what its rounds measured. */
typedef struct bb_bench_config {
    bb_bench_workload *w;
    char strategy[128];       /* bb_plan_parse form ("cycle,pool") */
    int threads;
    bb_pin pin;
    bool added;               /* not asked for: the reference added for speedups */
    int iters;                /* renders per timing sample (chosen after the warm-up) */
    double warm_ns;           /* the fastest right warm-up render's wall time, 0: none yet */
    int64_t renders_checked;  /* timed renders compared with the golden to their end */
    int64_t warmup_renders;   /* warm-up renders compared with it to their end */
    bb_bench_dvec rep, cpu;            /* per round: per render of its sample; NaN when void */
    bb_bench_dvec ir;                  /* per round: instructions, NaN when void or not counted */
    bb_bench_dvec cold, steady;        /* block times of valid rounds */
    bb_bench_dvec step[BB_BENCH_STEPS];      /* per valid round: the loop's step times (step_of) */
    bb_bench_dvec seq, par;            /* per valid round: its sequential and parallel parts */
    uint64_t step_windows;
    uint64_t window_misses, windows;
    int64_t window_blocks;
    bb_stats counters;
    bool have_counters, stable;
    uint64_t allocs_lo, allocs_hi, allocs_steady_lo, allocs_steady_hi; /* over valid rounds */
    int64_t peak_heap, maxrss;
    bb_worker_place places[BB_WORKERS_MAX];
    int nplaces;
    bool pin_ok;
    int valid, voided;
    double total_ns;
    char error[512];
    int baseline;             /* index of the reference configuration, -1 none */
} bb_bench_config;

/* What the command line asks for, once parsed and checked. */
typedef struct bb_bench_opts {
    const char *golden, *out_json, *out_csv, *threads_arg; /* golden NULL: the default corpus */
    const char *programs[BB_WORKLOAD_PROGRAMS_MAX];        /* given on the command line: their workloads */
    int nprograms;
    bb_run_cfg wopts;         /* the programs' workload options */
    char wl_buf[1024], st_buf[1024], pin_buf[256];
    long reps, warmup, max_rounds, block, batch, seed;
    double min_time, extra_pct;
    double min_sample_time;   /* seconds a timing sample lasts at least (renders repeated); 0: one render */
    bool quiet, shuffled, reps_given, warmup_given;
    bool counting;            /* this process is the callgrind child: count instructions */
    int metric;
    bb_shard shard;           /* count 0: the whole bb_bench_matrix */
    const char *shard_costs;  /* a previous result whose medians are the groups' expected costs (NULL: frames) */
    int threads[BB_WORKERS_MAX], nthreads;
    bb_pin pins[8];
    int npins;
    char *strats[BB_BENCH_LIST_MAX];   /* point into st_buf, '+' turned into ',' */
    int nstrats;
} bb_bench_opts;

/* The configurations to run: workload x pin x strategy x threads plus each (workload, pin)'s serial
 * 1-thread reference, cut down to the asked shard. A group is one (workload, pin): its configurations
 * stay together (their speedups are paired with the group's reference). */
typedef struct bb_bench_matrix {
    bb_workload_set set;               /* every selected workload (this shard's or not) */
    bb_bench_workload *all;            /* the workloads this shard renders */
    int nall;
    bb_bench_config *cs;
    int nc;
    int groups;               /* in the whole bb_bench_matrix */
    int groups_here;          /* in this shard */
    double cost_here, cost_total, cost_max; /* expected cost (frames rendered per round): this shard, all, the largest shard */
    size_t maxblocks;         /* the largest render's block count: the size of the block-time buffer */
} bb_bench_matrix;

/* The progress of the rounds: the engine counts samples (done of total, total re-estimated under
 * --min-time) and calls show, when set, after each sample with the round and the configuration. */
typedef struct bb_bench_progress {
    void (*show)(struct bb_bench_progress *p, int round, int rounds, int which, bool warm);
    long done, total;
} bb_bench_progress;

/* Split s (modified) at commas into out[0..max): the count, or -1 past max. */
int bb_bench_split_list(char *s, char **out, int max);

/* Warm-up (at least one render per configuration when samples are sized: --min-sample-time > 0),
 * the renders per sample of each configuration, then rounds until --reps and --min-time are met.
 * Returns the timed rounds run, -1 when out of memory. */
int bb_bench_rounds(const bb_bench_opts *o, bb_bench_matrix *m, bb_bench_progress *pg);

/* Step i (0..BB_BENCH_STEPS) of a render loop's times t, in the loop's order: schedule, resolve,
 * mix, continuous, retire. */
double *bb_bench_step(bb_render_times *t, int i);

#endif
