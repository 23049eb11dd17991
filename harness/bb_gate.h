/* bb_gate.h - the CI performance gate: what `busbench compare` decides and
 * `busbench calibrate` measures.
 *
 * Two bench results (files written by `busbench bench`) are compared
 * configuration by configuration (matched by name: WORKLOAD/STRATEGY/threads:N/
 * pin:P). Each check is one row of the report, so that every output (table,
 * Markdown, JUnit) lists the same checks with the same verdicts: per
 * configuration a counters row (always), an instructions row (at 1 thread)
 * and a time row, as the files allow. The evidence:
 *
 *  - deterministic counters, gated exactly: preprocessing calls, synthesis
 *    calls, samples synthesised, cache misses and bus buffers taken from the
 *    heap always; heap allocations (count and bytes, whole render and steady
 *    state) only at 1 thread, where they do not depend on the schedule. Any
 *    increase is a regression, whatever the thresholds. A configuration whose
 *    render in NEW was wrong (or failed) is a regression whose headline is
 *    the bench's localisation ("audio differs at frame N (cycle c, beat b)");
 *    its counters, instructions and times, which describe no correct render,
 *    are not compared;
 *  - instruction counts (files benched with --metric instructions or both:
 *    callgrind's count of bb_render_run), gated by a relative threshold
 *    (default 1%): deterministic at 1 thread, so no statistics are needed;
 *  - wall times of the valid rounds, gated by a Mann-Whitney U test (two-sided
 *    p < alpha) AND an effect threshold on the ratio of medians (default: the
 *    larger of 5% and that configuration's noise floor recorded in the base
 *    file); the change comes with a 95% bootstrap interval (percentile,
 *    unpaired: the two files' rounds are not pairs). Without a recorded floor
 *    a timing difference is INCONCLUSIVE, never a regression: nobody knows
 *    how far this machine's runs of one binary drift apart (measured: +42%
 *    and +54% at p < 0.01 between benches of the same binary).
 *
 * The noise floor is what `busbench calibrate` measures: the same
 * configurations benched as A and B in separate processes, again and again;
 * a configuration's floor (bb_stats_aa_floor) is the change, in percent,
 * that an unchanged configuration exceeds with probability at most
 * (1 - level) / M over the M configurations calibrated ("per_configuration_pct";
 * "floor_pct" is the largest, used only for a configuration without a floor
 * of its own, which the report says). Baselines calibrated before this rule
 * hold level-quantiles of |median(B)/median(A) - 1|: read the same way. A timing threshold below a configuration's floor
 * would call run-to-run noise a regression, so compare refuses it.
 *
 * Units: times in ns (as the bench's model), instructions as counts,
 * thresholds and floors in percent, changes as fractions (0.05 = 5% slower). */
#ifndef BB_GATE_H
#define BB_GATE_H

#include "bb_json.h"
#include "bb_result.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a bench result as the gate reads it ------------------------------------------ */
typedef struct bb_gate_floor {
    bool present;
    double pct;          /* the floor, percent */
    double level;        /* its confidence level (calibrate --level) */
    int trials, reps;
    char date[64];
    char configs[512];   /* the configurations it was measured on */
    const json_t *per_config; /* name -> percent ("per_configuration_pct"), borrowed from the
                                 file's context (valid while it is loaded), or NULL */
} bb_gate_floor;

typedef struct bb_gate_file {
    char path[1024];
    bb_results r;        /* the bench's model (bb_json_read) */
    bool has_time;       /* its wall times measure speed (not taken under valgrind) */
    bool has_instr;      /* it carries instruction counts */
    double *instr;       /* [r.n]: instructions of the render (median over rounds), NaN when absent */
    double *instr_lo, *instr_hi; /* [r.n]: range over rounds */
    double extra_work_pct; /* the bench's hidden --extra-work (0: none) */
    bb_gate_floor floor;
} bb_gate_file;

/* Read a bench result. BB_ERR_IO / BB_ERR_FORMAT (the file and why) as
 * bb_json_read; BB_ERR_NOMEM. f is initialised here and released with
 * bb_gate_file_free (also after a failure). */
bb_result bb_gate_file_load(const char *path, bb_gate_file *f, bb_error *err);
void bb_gate_file_free(bb_gate_file *f);

/* The noise floor recorded in a results context (the "noise_floor" object that
 * `busbench calibrate --record` writes), or present = false. */
void bb_gate_floor_of(const json_t *context, bb_gate_floor *out);

/* Where a configuration's floor comes from. */
typedef enum { BB_GATE_FLOOR_NONE = 0, BB_GATE_FLOOR_OWN, BB_GATE_FLOOR_GLOBAL } bb_gate_floor_src;

/* The noise floor (percent) of configuration name: its own, else the global
 * floor_pct (*src says which), else NaN with *src = BB_GATE_FLOOR_NONE. */
double bb_gate_floor_for(const bb_gate_floor *fl, const char *name, bb_gate_floor_src *src);

/* ---- the comparison ---------------------------------------------------------------- */
typedef enum {
    BB_GATE_SAME = 0,
    BB_GATE_FASTER,
    BB_GATE_SLOWER,
    BB_GATE_NOT_COMPARED, /* missing, invalid or different workload, or a voided configuration: see note */
    BB_GATE_INCONCLUSIVE, /* timing without a recorded noise floor: never a regression */
    /* counters rows only */
    BB_GATE_UP,           /* a deterministic counter went up: a regression */
    BB_GATE_DOWN,         /* counters went down only: no regression, but the baseline must be re-made */
    BB_GATE_VARIED,       /* NEW's counters varied between rounds: a regression */
    BB_GATE_WRONG         /* NEW's render was wrong (or failed): a regression, the configuration's headline */
} bb_gate_verdict;

/* "same", "faster", "slower", "not compared", "inconclusive", "up", "down", "varied", "wrong render". */
const char *bb_gate_verdict_name(bb_gate_verdict v);
/* Does a row with this verdict fail the gate as a regression (slower, up, varied, wrong)? */
bool bb_gate_verdict_regressed(bb_gate_verdict v);

/* What a row checks. TIME and INSTR are also the metrics that compare may gate (bb_gate_opts.metrics);
 * COUNTERS rows (the render's correctness and its deterministic counters) are always there. */
enum { BB_GATE_METRIC_TIME = 1, BB_GATE_METRIC_INSTR = 2, BB_GATE_METRIC_COUNTERS = 4 };

typedef struct bb_gate_opts {
    int metrics;           /* BB_GATE_METRIC_* bits to gate; 0: every metric both files have */
    double threshold_pct;  /* timing effect threshold; NaN: max(5, the configuration's floor in BASE) */
    double instr_threshold_pct; /* instruction threshold; NaN: 1 */
    double alpha;          /* significance of the U test; NaN: 0.05 */
    bool force;            /* compare across incompatible environments (with a warning) */
    bool below_floor_ok;   /* accept a threshold_pct below a floor (calibrate --detect measures it) */
    unsigned resamples;    /* bootstrap; 0: BB_STATS_BOOT_DEFAULT */
    uint64_t seed;
} bb_gate_opts;

void bb_gate_opts_default(bb_gate_opts *o);

/* One deterministic counter that moved: up (a regression) or down (a change of behaviour that
 * needs a new baseline). */
typedef struct bb_gate_counter_up {
    const char *name;
    uint64_t base, cur;
} bb_gate_counter_up;

enum { BB_GATE_COUNTERS_MAX = 16 };

typedef struct bb_gate_row {
    char name[320];
    int metric;                      /* BB_GATE_METRIC_COUNTERS, _INSTR or _TIME */
    double base, cur;                /* medians: ns or instructions; NaN when absent */
    size_t nbase, ncur;              /* samples (valid rounds) */
    double change, ci_lo, ci_hi;     /* cur / base - 1 and its interval (NaN for instructions: exact) */
    double p;                        /* U test, two-sided; NaN for instructions */
    double threshold_pct;            /* the effect threshold used (time: NaN when inconclusive; NaN for counters) */
    double floor_pct;                /* time: the configuration's floor in BASE (NaN: none) */
    bb_gate_floor_src floor_src;     /* where floor_pct comes from */
    bb_gate_verdict verdict;
    /* counters rows: */
    bb_gate_counter_up up[BB_GATE_COUNTERS_MAX];
    int nup;                         /* deterministic counters that moved, either way */
    bool unstable;                   /* NEW's deterministic counters varied between rounds (a regression) */
    bool broken;                     /* NEW had wrong or failed renders (a regression; its counters are
                                        not compared: nup is 0; its other rows are not compared) */
    char headline[512];              /* broken: what NEW's bench said ("wrong render: audio differs at
                                        frame N (cycle c, beat b) ..."), the first thing every output says */
    char note[256];
} bb_gate_row;

typedef struct bb_gate_report {
    bb_gate_row *rows;
    size_t n, cap;
    int metrics;                 /* what was gated */
    double threshold_pct;        /* the timing threshold asked (--threshold) or the least used (5): each
                                    configuration uses the larger of it and its floor (its row's
                                    threshold_pct); NaN when time is not gated */
    double instr_threshold_pct;  /* the instruction threshold used (NaN when not gated) */
    double alpha;
    bool threshold_asked;        /* threshold_pct was given (--threshold): every configuration uses it */
    int slower, faster, same, not_compared, inconclusive; /* rows, by verdict (not_compared: of every
                                    kind; the others: instruction and time rows) */
    int floor_global;            /* timing rows that used BASE's global floor (none of their own) */
    int counter_regressions, unstable, broken; /* configurations */
    int counter_changes;         /* configurations whose counters only went down (fail: re-make the baseline) */
    int compared;                /* configurations found in both files and compared */
    char warnings[2048];         /* environment differences accepted, notes */
    bool remake_base;            /* refused: BASE was made in an environment, or without a metric, that NEW
                                    cannot be compared with; remake says how to re-make it */
    char remake[1024];
} bb_gate_report;

void bb_gate_report_free(bb_gate_report *rep);

/* The deterministic counters of b that changed in c, either way (at most max, into up);
 * heap allocations count only when both ran at 1 thread. Returns how many. */
int bb_gate_counters(const bb_bres *b, const bb_bres *c, bb_gate_counter_up *up, int max);

/* Verdict of one timing comparison: SLOWER when p < alpha and change >
 * threshold (a fraction), FASTER when p < alpha and change < -threshold, else
 * SAME. (bb_gate_compare asks it only where a floor is recorded: elsewhere
 * the verdict is INCONCLUSIVE.) */
bb_gate_verdict bb_gate_time_verdict(double change, double p, double threshold, double alpha);
/* Verdict of one instruction comparison: SLOWER when change > threshold,
 * FASTER when change < -threshold, else SAME. */
bb_gate_verdict bb_gate_instr_verdict(double change, double threshold);

/* Compare cur against base. Fills rep (initialised here; release with
 * bb_gate_report_free). Returns BB_OK when the inputs could be compared (the
 * regressions are in rep: slower + counter_regressions), or, with err saying
 * why and nothing worth acting on in rep:
 *   BB_ERR_ARG     a timing threshold below the noise floor of a configuration
 *                  compared (unless opts->below_floor_ok), or a bad option;
 *   BB_ERR_FORMAT  no metric in common, a requested metric missing, no
 *                  configuration in common, or environments that cannot be
 *                  compared (unless opts->force). When the fault is BASE's
 *                  (another ISA, compiler, flags, CPU for times, valgrind or
 *                  C library for instructions; or a metric it was not benched
 *                  with, such as times under valgrind) rep->remake_base is set
 *                  and rep->remake says how to re-make BASE here. */
bb_result bb_gate_compare(const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_opts *opts,
                          bb_gate_report *rep, bb_error *err);

/* True when the gate fails: a regression (a slower configuration, a counter that
 * went up, unstable counters, a wrong render in NEW) or a counter that went down
 * (no regression, but the baseline no longer describes the tree). */
bool bb_gate_regressed(const bb_gate_report *rep);

/* Set key (an object) in the "context" of the results file at path to value
 * (a reference is taken), rewriting the file atomically. BB_ERR_IO,
 * BB_ERR_FORMAT (not a results file), BB_ERR_NOMEM. */
bb_result bb_gate_set_context(const char *path, const char *key, json_t *value, bb_error *err);

#endif
