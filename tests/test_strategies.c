/* test_strategies.c - every strategy gives the same bytes as serial, for every
 * issue program and a reload scenario, at threads 1, 2, 3, 8, blocks 1, 64,
 * 512, 4096 and pinning compact and none; the pipelined batch also at batch
 * sizes 1 to 32, with reloads that cut a window short; every canary is caught;
 * the counter claims of the seeds hold exactly; on edge cases (microtonal notes,
 * nested triggers, a render ending mid-cycle with drops and clamps, reloads
 * changing the tempo or a referenced bus) every counter that does not depend on
 * caching equals serial's. */
#include "bb_programs.h"
#include "bb_testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

TestSuite(strategies, .init = tu_watchdog);

/* held by value: Criterion runs each parameter in a new process */
typedef struct {
    char strategy[24];
    int threads;
} combo;

/* Every strategy of the registry but serial and the canaries (so a new one is tested without an
 * edit here), and these compositions. */
static const char *const compositions[] = {"cycle,pool", "cycle,lanes,pool", "batch,lanes"};
enum { COMBOS_MAX = 256 };

/* The (strategy, threads) pairs of those strategies at nt thread counts, into c (COMBOS_MAX). */
static size_t combos(combo *c, const int *threads, size_t nt)
{
    const char *list[COMBOS_MAX];
    size_t nl = 0, n = 0;
    for (size_t i = 0; bb_variants[i] && nl < COMBOS_MAX; i++)
        if (!bb_variants[i]->canary && strcmp(bb_variants[i]->name, "serial")) list[nl++] = bb_variants[i]->name;
    for (size_t i = 0; i < sizeof compositions / sizeof compositions[0] && nl < COMBOS_MAX; i++) list[nl++] = compositions[i];
    for (size_t s = 0; s < nl; s++)
        for (size_t t = 0; t < nt; t++) {
            if (n == COMBOS_MAX || strlen(list[s]) >= sizeof c[n].strategy) abort(); /* the parameters do not fit */
            snprintf(c[n].strategy, sizeof c[n].strategy, "%s", list[s]);
            c[n++].threads = threads[t];
        }
    return n;
}

ParameterizedTestParameters(strategies, same_bytes_as_serial)
{
    static combo c[COMBOS_MAX];
    static const int threads[] = {1, 2, 3, 8};
    return cr_make_param_array(combo, c, combos(c, threads, 4));
}

/* One test per (strategy, threads): every block size and pinning policy, every
 * program, against serial references rendered once. A render is causal, so a
 * shorter render must equal the reference's prefix: block size 1 (slow: one
 * sample per block) renders fewer cycles of fewer programs. */
ParameterizedTest(combo *c, strategies, same_bytes_as_serial)
{
    const char *const progs[] = {BB_PROG_Q,     BB_PROG_PHONON, BB_PROG_QLIKE, BB_PROG_KICK,    BB_PROG_BASS,
                                 BB_PROG_LEAD,  BB_PROG_SNARE,  BB_PROG_DENSE, BB_PROG_RELOAD_A, BB_PROG_LANES,
                                 BB_PROG_NESTED};
    enum { NP = sizeof progs / sizeof progs[0] };
    const char *reload = tu_tmpfile(BB_PROG_RELOAD_B);
    tu_out ref[NP];
    for (size_t i = 0; i < NP; i++) {
        bool rl = progs[i] == BB_PROG_RELOAD_A;
        tu_cfg rc = {.strategy = "serial", .threads = 1, .block = 512, .cycles = 3,
                     .reload_path = rl ? reload : NULL, .reload_cycle = 1};
        tu_render(progs[i], &rc, &ref[i]);
        cr_assert_eq(ref[i].res, BB_OK, "%s", ref[i].msg);
    }
    static const size_t blocks[] = {1, 64, 512, 4096};
    static const bb_pin pins[] = {BB_PIN_NONE, BB_PIN_COMPACT};
    for (size_t p = 0; p < 2; p++)
        for (size_t b = 0; b < 4; b++)
            for (size_t i = 0; i < NP; i++) {
                bool rl = progs[i] == BB_PROG_RELOAD_A;
                bool slow = blocks[b] == 1;
                if (slow && progs[i] != BB_PROG_Q && progs[i] != BB_PROG_DENSE && !rl) continue;
                tu_cfg sc = {.strategy = c->strategy, .threads = c->threads, .block = blocks[b], .pin = pins[p],
                             .cycles = slow ? (rl ? 2 : 1) : 3, .reload_path = rl ? reload : NULL, .reload_cycle = 1};
                tu_out o;
                tu_render(progs[i], &sc, &o);
                cr_assert_eq(o.res, BB_OK, "%s: %s", c->strategy, o.msg);
                cr_assert(o.n <= ref[i].n && o.n > 0);
                long d = tu_first_diff(ref[i].x, o.n, o.x, o.n);
                cr_expect_eq(d, -1, "%s threads %d block %zu pin %s, program %zu: first differing sample %ld",
                             c->strategy, c->threads, blocks[b], bb_pin_name(pins[p]), i, d);
                tu_free(&o);
            }
    for (size_t i = 0; i < NP; i++) tu_free(&ref[i]);
    unlink(reload);
}

typedef struct {
    char canary[16];
    int prog; /* index in progs below */
} canary_case;

ParameterizedTestParameters(strategies, canaries_are_caught)
{
    static canary_case c[] = {
        {"canary-stale", 0}, {"canary-key", 1}, {"canary-reload", 2}, {"canary-order", 1}, {"canary-lanes", 0},
    };
    return cr_make_param_array(canary_case, c, sizeof c / sizeof c[0]);
}

ParameterizedTest(canary_case *c, strategies, canaries_are_caught)
{
    const char *const progs[] = {BB_PROG_Q, BB_PROG_DENSE, BB_PROG_RELOAD_A};
    const char *reload = tu_tmpfile(BB_PROG_RELOAD_B);
    bool rl = c->prog == 2;
    tu_cfg rc = {.strategy = "serial", .cycles = 3, .reload_path = rl ? reload : NULL, .reload_cycle = 1};
    tu_cfg cc = rc;
    cc.strategy = c->canary;
    cc.threads = 2;
    tu_out ref, o;
    tu_render(progs[c->prog], &rc, &ref);
    tu_render(progs[c->prog], &cc, &o);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    long d = tu_first_diff(ref.x, ref.n, o.x, o.n);
    cr_expect_neq(d, -1, "%s gives the same bytes as serial: the check would miss it", c->canary);
    cr_log_info("%s: first differing sample %ld", c->canary, d);
    /* and the canary is right up to that sample */
    if (d > 0) cr_expect(memcmp(ref.x, o.x, (size_t)d * sizeof *o.x) == 0);
    tu_free(&ref);
    tu_free(&o);
    unlink(reload);
}

/* all is the composition of its parts, by name: the same plan, part for part. */
Test(strategies, all_is_the_plan_of_its_parts)
{
    bb_plan a, b;
    bb_error err;
    cr_assert_eq(bb_plan_parse("all", 2, 0, BB_PIN_NONE, &a, &err), BB_OK, "%s", err.msg);
    cr_assert_eq(bb_plan_parse("cycle,static,pool,batch,lanes", 2, 0, BB_PIN_NONE, &b, &err), BB_OK, "%s", err.msg);
    memcpy(a.name, b.name, sizeof a.name);
    cr_expect(memcmp(&a, &b, sizeof a) == 0, "all's plan differs from cycle,static,pool,batch,lanes");
    /* and every part is set, each from its phase's file */
    cr_expect_eq(a.resolver, &bb_resolve_cycle);
    cr_expect_str_eq(a.store->name, "pool");
    cr_expect_str_eq(a.synthesiser->name, "lanes");
    cr_expect_str_neq(a.mixer->name, bb_mix_here.name);
    cr_expect(a.keep_static && a.pipeline && a.batch > 1);
}

/* A plan starts as serial's: the driver's plain parts, which a variant replaces. */
Test(strategies, a_plan_starts_from_the_plain_parts)
{
    bb_plan p;
    cr_assert_eq(bb_plan_parse("serial", 1, 0, BB_PIN_NONE, &p, NULL), BB_OK);
    cr_expect(p.resolver == &bb_resolve_serial && p.store == &bb_store_heap && p.synthesiser == &bb_synthesise_each &&
              p.mixer == &bb_mix_here && p.key == bb_buskey_of && p.batch == 1);
    cr_assert_eq(bb_plan_parse("parallel,lanes", 1, 0, BB_PIN_NONE, &p, NULL), BB_OK);
    cr_expect(p.resolver == &bb_resolve_block && p.synthesiser != &bb_synthesise_each && p.synthesiser->prepare != NULL);
    cr_expect(p.store == &bb_store_heap && p.mixer == &bb_mix_here, "lanes changes the synthesiser only");
    bb_error err;
    cr_expect_eq(bb_plan_apply(&p, "cycle,nosuch", &err), BB_ERR_ARG);
    cr_expect_not_null(strstr(err.msg, "unknown strategy 'nosuch'"), "%s", err.msg);
    cr_expect_eq(p.resolver, &bb_resolve_cycle, "the variants before the unknown one are applied");
}

static bb_stats stats_of(const char *prog, const char *strategy, int64_t cycles)
{
    tu_cfg c = {.strategy = strategy, .threads = 2, .cycles = cycles};
    tu_out o;
    tu_render(prog, &c, &o);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    tu_free(&o);
    return o.st;
}

Test(strategies, cycle_makes_at_most_one_preprocessing_call_per_cycle)
{
    bb_stats s = stats_of(BB_PROG_Q, "cycle", 16);
    cr_expect_eq(s.cycles, 16);
    cr_expect_leq(s.preprocess_calls, 16, "cycle made %llu preprocessing calls in 16 cycles",
                  (unsigned long long)s.preprocess_calls);
    bb_stats p = stats_of(BB_PROG_Q, "parallel", 16);
    cr_expect_gt(p.preprocess_calls, s.preprocess_calls);
    cr_expect_eq(p.requests, s.requests, "both strategies serve the same requests");
}

/* At one thread the cycle resolver leaves a request whose key holds its onset to its own window
 * (cycle.c: first use); at two it makes the whole cycle ahead. The same cache, the same requests:
 * every count that says what was synthesised and shared is the same either way, and so are the bits
 * (the difftest checks those). Programs with static buses shared across a cycle (dense, lead),
 * and requests of one bus with noise at one onset (the hits of first use). */
Test(strategies, cycle_at_one_thread_counts_as_a_cycle_ahead)
{
    const char *const progs[] = {BB_PROG_Q, BB_PROG_DENSE, BB_PROG_LEAD, BB_PROG_MICRO, BB_PROG_NESTED,
                                 /* a bus with noise (its key holds its onset) twice at one onset */
                                 "~n: noise * 0.3 # lpf \"900 2000\"\nout: s \"[~n, ~n] ~n*3\"\n"};
    const char *const strategies[] = {"cycle", "static", "cycle,pool"};
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++)
        for (size_t j = 0; j < sizeof strategies / sizeof *strategies; j++) {
            bb_stats st[2];
            for (int t = 0; t < 2; t++) {
                tu_cfg c = {.strategy = strategies[j], .threads = t + 1, .cycles = 6};
                tu_out o;
                tu_render(progs[i], &c, &o);
                cr_assert_eq(o.res, BB_OK, "%s", o.msg);
                tu_free(&o);
                st[t] = o.st;
            }
            const char *what = strategies[j];
            cr_expect_eq(st[0].cache_hits, st[1].cache_hits, "%s, program %zu: hits", what, i);
            cr_expect_eq(st[0].cache_misses, st[1].cache_misses, "%s, program %zu: misses", what, i);
            cr_expect_eq(st[0].synth_calls, st[1].synth_calls, "%s, program %zu: synth calls", what, i);
            cr_expect_eq(st[0].synth_samples, st[1].synth_samples, "%s, program %zu: samples", what, i);
            cr_expect_eq(st[0].preprocess_calls, st[1].preprocess_calls, "%s, program %zu: cycles ahead", what, i);
            cr_expect_eq(st[0].requests, st[1].requests, "%s, program %zu: requests", what, i);
        }
}

Test(strategies, static_synthesises_each_static_key_once)
{
    /* every ~kick event lasts a quarter cycle: one key, so one synthesis in 16 cycles */
    bb_stats s = stats_of(BB_PROG_KICK, "static", 16);
    cr_expect_eq(s.requests, 32);
    cr_expect_eq(s.synth_calls, 1);
    cr_expect_eq(s.cache_misses, 1);
    cr_expect_eq(s.cache_hits, s.requests - 1, "hit rate after the first occurrence is 100%%");
    s = stats_of(BB_PROG_LEAD, "static", 16);
    /* four keys: lengths 1/2 and 1/4 cycle, each at note 0 (even cycles) and 7 (odd) */
    cr_expect_eq(s.synth_calls, 4, "lead: got %llu synthesis calls", (unsigned long long)s.synth_calls);
    cr_expect_eq(s.cache_misses, s.synth_calls);
}

Test(strategies, pool_allocates_no_bus_buffer_after_two_cycles)
{
    bb_stats s = stats_of(BB_PROG_Q, "pool", 16);
    cr_expect_gt(s.pool_reuse, 0);
    cr_expect_eq(s.busbuf_allocs_steady, 0, "pool allocated %llu bus buffers after cycle 2",
                 (unsigned long long)s.busbuf_allocs_steady);
    bb_stats h = stats_of(BB_PROG_Q, "serial", 16);
    cr_expect_gt(h.busbuf_allocs_steady, 0, "without the pool, buffers keep being allocated");
}

/* Strategies that keep buffers across cycles (until a reload), for the reload test. */
ParameterizedTestParameters(strategies, reload_invalidates_the_changed_bus)
{
    static combo c[] = {{"static", 1}, {"static", 2}, {"all", 1}, {"all", 2}};
    return cr_make_param_array(combo, c, sizeof c / sizeof c[0]);
}

/* REF_A -> REF_B at cycle 1 changes ~y, which only ~x refers to; ~k does not change. Static
 * buffers: cycle 0 makes one for ~x (a quarter cycle) and one for ~k (a half); the reload drops
 * exactly the ~x entry (its identity covers ~y), keeps ~k's; cycles 1 and 2 make one new ~x. */
ParameterizedTest(combo *c, strategies, reload_invalidates_the_changed_bus)
{
    const char *reload = tu_tmpfile(BB_PROG_REF_B);
    tu_cfg cfg = {.strategy = c->strategy, .threads = c->threads, .cycles = 3, .reload_path = reload, .reload_cycle = 1};
    tu_cfg rc = cfg;
    rc.strategy = "serial";
    tu_out o, ref;
    tu_render(BB_PROG_REF_A, &cfg, &o);
    tu_render(BB_PROG_REF_A, &rc, &ref);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    cr_expect_eq(tu_first_diff(ref.x, ref.n, o.x, o.n), -1, "%s: the referrer's old buffers were played after the reload",
                 c->strategy);
    cr_expect_eq(o.st.reloads, 1);
    cr_expect_eq(o.st.invalidated, 1, "%s: %llu entries invalidated, expected the one of ~x", c->strategy,
                 (unsigned long long)o.st.invalidated);
    cr_expect_eq(o.st.requests, 9);
    cr_expect_eq(o.st.synth_calls, 3, "%s: %llu synthesis calls, expected ~x twice (before and after) and ~k once",
                 c->strategy, (unsigned long long)o.st.synth_calls);
    tu_free(&o);
    tu_free(&ref);
    unlink(reload);
}

typedef struct {
    char strategy[16];
} strat_case;

/* Strategies that do not keep static buffers: nothing survives the block (or window). */
ParameterizedTestParameters(strategies, block_strategies_keep_nothing_across_blocks)
{
    static strat_case c[] = {{"parallel"}, {"batch"}, {"parallel,pool"}};
    return cr_make_param_array(strat_case, c, sizeof c / sizeof c[0]);
}

ParameterizedTest(strat_case *c, strategies, block_strategies_keep_nothing_across_blocks)
{
    /* ~kick, one static key, sounds every half cycle (44100 samples, many blocks and windows apart):
       each request is synthesised in its own preprocessing call, never found in the table */
    bb_stats s = stats_of(BB_PROG_KICK, c->strategy, 16);
    cr_expect_eq(s.requests, 32);
    cr_expect_eq(s.synth_calls, 32, "%s: %llu synthesis calls: buffers survived their block", c->strategy,
                 (unsigned long long)s.synth_calls);
    cr_expect_eq(s.cache_hits, 0);
    cr_expect_eq(s.preprocess_calls, 32, "one per block with requests");
}

/* The edge cases: each the smallest render on which a plausible strategy bug changes the
 * bytes or a counter. */
typedef struct edge {
    const char *name;
    const char *const *prog, *const *reload;
    int64_t reload_cycle, cycles, frames;
    int max_voices;
    double max_bus_seconds;
    bool distinct; /* every request has its own key: every strategy synthesises what serial does */
} edge;

static const edge edges[] = {
    {"microtonal notes of a static bus", &BB_PROG_MICRO, NULL, 0, 2, 0, 0, 0, false},
    {"a bus that triggers a bus", &BB_PROG_STATIC_IN_BUS, NULL, 0, 2, 0, 0, 0, false},
    /* 2.5 cycles at 120 bpm; 4 tones at once with room for 2; events of 1 s and 0.5 s clamped to 0.2 s */
    {"a render that ends mid-cycle, dropping and clamping", &BB_PROG_DISTINCT, NULL, 0, 0, 220500, 2, 0.2, true},
    {"a reload that changes the tempo", &BB_PROG_TEMPO_A, &BB_PROG_TEMPO_B, 1, 3, 0, 0, 0, false},
    {"a reload that changes a referenced bus", &BB_PROG_REF_A, &BB_PROG_REF_B, 1, 3, 0, 0, 0, false},
};

ParameterizedTestParameters(strategies, edge_cases_match_serial_in_bytes_and_counters)
{
    static combo c[COMBOS_MAX];
    static const int threads[] = {1, 2};
    return cr_make_param_array(combo, c, combos(c, threads, 2));
}

ParameterizedTest(combo *c, strategies, edge_cases_match_serial_in_bytes_and_counters)
{
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        const edge *e = &edges[i];
        const char *reload = e->reload ? tu_tmpfile(*e->reload) : NULL;
        tu_cfg rc = {.strategy = "serial", .threads = 1, .block = 512, .cycles = e->cycles, .frames = e->frames,
                     .reload_path = reload, .reload_cycle = e->reload_cycle, .max_voices = e->max_voices,
                     .max_bus_seconds = e->max_bus_seconds};
        tu_cfg sc = rc;
        sc.strategy = c->strategy;
        sc.threads = c->threads;
        tu_out ref, o;
        tu_render(*e->prog, &rc, &ref);
        tu_render(*e->prog, &sc, &o);
        cr_assert_eq(ref.res, BB_OK, "%s: %s", e->name, ref.msg);
        cr_assert_eq(o.res, BB_OK, "%s, %s: %s", e->name, c->strategy, o.msg);
        long d = tu_first_diff(ref.x, ref.n, o.x, o.n);
        cr_expect_eq(d, -1, "%s, %s at %d threads: first differing sample %ld", e->name, c->strategy, c->threads, d);
#define SAME(f) cr_expect_eq(o.st.f, ref.st.f, "%s, %s at %d threads: " #f " %llu, serial %llu", e->name, c->strategy, \
                             c->threads, (unsigned long long)o.st.f, (unsigned long long)ref.st.f)
        SAME(frames);
        SAME(requests);
        SAME(voices);
        SAME(voices_dropped);
        SAME(clamps);
        SAME(reloads);
        cr_expect_leq(o.st.synth_calls, ref.st.synth_calls, "%s, %s: more synthesis than serial", e->name, c->strategy);
        if (e->distinct) {
            SAME(synth_calls);
            SAME(synth_samples);
        }
#undef SAME
        tu_free(&ref);
        tu_free(&o);
        if (reload) unlink(reload);
    }
}

Test(strategies, all_allocates_nothing_in_the_steady_state)
{
    /* pattern queries, voices, requests and bus buffers included: after the first
       two cycles the render loop of `all` makes no heap allocation at all, at 1 and 2
       threads (a pattern signal queries its first 8 cycles when it is created, so the
       worker that first meets a longer cycle late does not grow its cache: bb_inst.c) */
    const char *const progs[] = {BB_PROG_Q, BB_PROG_QLIKE, BB_PROG_PHONON, BB_PROG_DENSE};
    for (size_t i = 0; i < 2 * sizeof progs / sizeof progs[0]; i++) {
        tu_cfg c = {.strategy = "all", .threads = 1 + (int)(i % 2), .cycles = 12};
        tu_out o;
        tu_render(progs[i / 2], &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        tu_free(&o);
        bb_stats s = o.st;
        cr_expect_eq(s.allocs_steady, 0, "program %zu, %d threads: %llu allocations after cycle 2", i / 2, c.threads,
                     (unsigned long long)s.allocs_steady);
        cr_expect_eq(s.busbuf_allocs_steady, 0);
    }
}

Test(strategies, lanes_fill_their_lanes_and_fall_back_where_they_must)
{
    /* q: one bus, 84 requests a cycle of (nearly) one length: full lanes */
    bb_stats s = stats_of(BB_PROG_Q, "cycle,lanes", 4);
    cr_expect_eq(s.lane_fallbacks, 0);
    cr_expect_eq(s.lane_samples, s.synth_samples, "every sample synthesised came from a lane");
    cr_expect_geq(s.lane_samples * 100, s.lane_slots * 85, "occupancy %llu/%llu below 85%%",
                  (unsigned long long)s.lane_samples, (unsigned long long)s.lane_slots);
    /* a group of 8 requests a task: one bus, so at most one partial group a window */
    cr_expect_geq(s.lane_groups * 8, s.synth_calls, "at most 8 requests a group");
    cr_expect_lt(s.lane_groups * 8, s.synth_calls + 8 * s.preprocess_calls, "whole groups but the last of a window");
    /* ~b triggers ~a inside itself: not in lanes, counted; ~a's own requests share lanes */
    s = stats_of(BB_PROG_NESTED, "cycle,lanes", 4);
    cr_expect_gt(s.lane_fallbacks, 0);
    cr_expect_gt(s.lane_groups, 0);
    /* without lanes, no lane counter moves */
    s = stats_of(BB_PROG_Q, "cycle", 4);
    cr_expect_eq(s.lane_groups + s.lane_samples + s.lane_slots + s.lane_fallbacks, 0);
}

/* Hand-counted lane bookkeeping: one window a cycle (`cycle,lanes`, 88200
 * samples a cycle at 120 bpm). ~v's four requests (weights 3,1,1 with ~v*2:
 * 52920, 17640, 8820, 8820 samples) are one group as wide as its longest;
 * ~u's ten of 8820 are two groups (8 and 2), each 8820 chunks long; ~d has a
 * delay (3 fallbacks) and ~w is alone of its bus in a window (1 fallback).
 * Per cycle: groups 3, slots 8 x 52920 + 2 x 8 x 8820, samples
 * 52920 + 17640 + 2 x 8820 + 10 x 8820, fallbacks 4, synth calls 4+10+3+1. */
static const char LANES_COUNTED[] = "bpm: 120\n"
                                    "~v: saw \"220 330\" # lpf 800\n"
                                    "~u: square \"110 165\"\n"
                                    "~d: saw \"220 330\" # delay 0.1 0.3\n"
                                    "~w: tri \"55 82\"\n"
                                    "out: s \"~v@3 ~v ~v*2\"\n"
                                    "o2: s \"~u*10\"\n"
                                    "o3: s \"~d*3\"\n"
                                    "o4: s \"~w\"\n";

Test(strategies, lane_counters_are_exact_on_a_hand_counted_window)
{
    const uint64_t cycles = 2, len = 8820; /* a tenth of a cycle */
    for (int threads = 1; threads <= 2; threads++) {
        tu_cfg c = {.strategy = "cycle,lanes", .threads = threads, .cycles = (int64_t)cycles};
        tu_out o;
        tu_render(LANES_COUNTED, &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        tu_free(&o);
        const bb_stats *s = &o.st;
        cr_expect_eq(s->lane_groups, cycles * 3, "%d threads: groups %llu", threads, (unsigned long long)s->lane_groups);
        cr_expect_eq(s->lane_slots, cycles * (8 * 6 * len + 2 * 8 * len), "%d threads: slots %llu", threads,
                     (unsigned long long)s->lane_slots);
        cr_expect_eq(s->lane_samples, cycles * (6 * len + 4 * len + 10 * len), "%d threads: samples %llu", threads,
                     (unsigned long long)s->lane_samples);
        cr_expect_eq(s->lane_fallbacks, cycles * 4, "%d threads: fallbacks %llu", threads,
                     (unsigned long long)s->lane_fallbacks);
        cr_expect_eq(s->synth_calls, cycles * 18, "%d threads: synth calls %llu", threads, (unsigned long long)s->synth_calls);
    }
}

/* Which graphs the lane kernel runs: a bus of ten requests a cycle (`cycle,lanes`, one window a
 * cycle) is two groups (8 and 2) and no fallback when its graph holds only oscillators, noise,
 * arithmetic (+ - * / and negation) and filters; ten fallbacks and no group when it holds a delay or a
 * reverb. Exact, per cycle, against serial's bytes. */
Test(strategies, lanes_run_arithmetic_and_filters_and_fall_back_for_delay_and_reverb)
{
    static const struct {
        const char *bus;
        bool lanes;
    } cases[] = {{"saw \"220 330\" + saw 110", true},
                 {"saw \"220 330\" - saw 110", true},
                 {"saw \"220 330\" * saw 110", true},
                 {"saw \"220 330\" / (saw 110 + 2)", true},
                 {"-(saw \"220 330\")", true},
                 {"saw \"220 330\" # lpf 800", true},
                 {"noise # hpf 7000 2", true},
                 {"saw \"220 330\" # delay 0.1 0.3", false},
                 {"saw \"220 330\" # reverb 0.5 0.5 0.5", false}};
    const uint64_t cycles = 2;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char prog[256];
        snprintf(prog, sizeof prog, "bpm: 120\n~x: %s\nout: s \"~x*10\"\n", cases[i].bus);
        tu_cfg c = {.strategy = "cycle,lanes", .threads = 2, .cycles = (int64_t)cycles};
        tu_cfg cs = {.strategy = "serial", .cycles = (int64_t)cycles};
        tu_out o, ref;
        tu_render(prog, &c, &o);
        tu_render(prog, &cs, &ref);
        cr_assert(o.res == BB_OK && ref.res == BB_OK, "%s: %s %s", cases[i].bus, o.msg, ref.msg);
        cr_expect_eq(tu_first_diff(o.x, o.n, ref.x, ref.n), -1, "%s: serial's bytes", cases[i].bus);
        cr_expect_eq(o.st.synth_calls, cycles * 10, "%s: synth calls %llu", cases[i].bus, (unsigned long long)o.st.synth_calls);
        cr_expect_eq(o.st.lane_groups, cases[i].lanes ? cycles * 2 : 0, "%s: groups %llu", cases[i].bus,
                     (unsigned long long)o.st.lane_groups);
        cr_expect_eq(o.st.lane_fallbacks, cases[i].lanes ? 0 : cycles * 10, "%s: fallbacks %llu", cases[i].bus,
                     (unsigned long long)o.st.lane_fallbacks);
        tu_free(&o);
        tu_free(&ref);
    }
}

/* Synthesis calls counted exactly where a bus triggers another: out plays ~b
 * once a cycle and each ~b plays ~a twice inside itself (nested, synthesised
 * by ~b's own instance), so 3 calls a cycle under every strategy that
 * synthesises each request (serial, parallel, pool) and under lanes, which
 * cannot run ~b (a trigger inside) and falls back for it. */
Test(strategies, nested_triggers_count_every_synthesis_call)
{
    static const char prog[] = "bpm: 120\n~a: saw 220 # lpf 900\n~b: s \"~a ~a\" # gain 0.5\nout: s \"~b\"\n";
    static const char *const names[] = {"serial", "parallel", "pool", "cycle,lanes"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tu_cfg c = {.strategy = names[i], .threads = 2, .cycles = 2};
        tu_out o;
        tu_render(prog, &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        tu_free(&o);
        cr_expect_eq(o.st.synth_calls, 6, "%s: synth calls %llu", names[i], (unsigned long long)o.st.synth_calls);
    }
}

/* '+' and ',' compose alike, everywhere a strategy list is read (render, verify, bench):
 * the same plan, part by part; an unknown part is named. */
Test(strategies, plus_and_comma_compose_the_same_plan)
{
    static const char *pairs[][2] = {{"cycle+pool", "cycle,pool"}, {"batch+lanes+static", "batch,lanes,static"},
                                     {"cycle+pool,batch", "cycle,pool,batch"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        bb_plan a, b;
        bb_error err;
        cr_assert_eq(bb_plan_parse(pairs[i][0], 2, 0, BB_PIN_NONE, &a, &err), BB_OK, "%s: %s", pairs[i][0], err.msg);
        cr_assert_eq(bb_plan_parse(pairs[i][1], 2, 0, BB_PIN_NONE, &b, &err), BB_OK, "%s: %s", pairs[i][1], err.msg);
        memcpy(a.name, b.name, sizeof a.name); /* the name is the list as written */
        cr_expect(memcmp(&a, &b, sizeof a) == 0, "%s and %s give different plans", pairs[i][0], pairs[i][1]);
    }
    bb_plan p;
    bb_error err;
    cr_assert_eq(bb_plan_parse("cycle+bogus", 1, 0, BB_PIN_NONE, &p, &err), BB_ERR_ARG);
    cr_expect(strstr(err.msg, "unknown strategy 'bogus'") != NULL, "%s", err.msg);
}

/* batch pipelines from 2 threads on, and only batch: its default look-ahead (32 windows)
 * where the output chain does signal processing worth a hand-off (q: delay and reverb over
 * a window of 8 blocks of 512), none where the output only sums its triggers (kick) or the
 * window is too short for the chain (q at --batch 1), and a look-ahead that was asked for
 * always. Latency: (1 + look-ahead) windows. */
Test(strategies, batch_pipelines_from_two_threads)
{
    static const struct {
        const char *strategy, *prog;
        int threads;
        size_t batch, asked, lookahead, latency;
    } cases[] = {
        {"batch", "q", 1, 0, 0, 0, 8},      {"batch", "q", 2, 0, 0, 32, 264},   {"all", "q", 3, 0, 0, 32, 264},
        {"batch", "q", 2, 1, 0, 0, 1},      {"batch", "kick", 2, 0, 0, 0, 8},   {"all", "kick", 3, 0, 0, 0, 8},
        {"batch", "kick", 2, 0, 3, 3, 32},  {"batch", "q", 2, 1, 2, 2, 3},      {"cycle", "q", 2, 0, 0, 0, 1},
        {"parallel", "q", 8, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bb_plan plan;
        bb_error err;
        cr_assert_eq(bb_plan_parse(cases[i].strategy, cases[i].threads, 0, BB_PIN_NONE, &plan, &err), BB_OK);
        if (cases[i].batch) plan.batch = cases[i].batch;
        plan.lookahead = cases[i].asked;
        const char *src = !strcmp(cases[i].prog, "q") ? BB_PROG_Q : BB_PROG_KICK;
        bb_ph *ph;
        cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
        bb_kit *kit;
        cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
        bb_render_opts o;
        bb_render_opts_default(&o);
        o.kit = kit;
        bb_plan_render_opts(&plan, &o);
        bb_render *r;
        cr_assert_eq(bb_render_open(&r, ph, &o, &err), BB_OK, "%s", err.msg);
        cr_expect_eq(bb_driver_ops.lookahead(bb_render_strategy(r)), cases[i].lookahead,
                     "%s on %s at %d threads, batch %zu, asked %zu: look-ahead %zu", cases[i].strategy, cases[i].prog,
                     cases[i].threads, cases[i].batch, cases[i].asked, bb_driver_ops.lookahead(bb_render_strategy(r)));
        cr_expect_eq(bb_render_latency_blocks(r), cases[i].latency, "%s on %s at %d threads: latency %zu blocks",
                     cases[i].strategy, cases[i].prog, cases[i].threads, bb_render_latency_blocks(r));
        bb_render_close(r);
        bb_kit_destroy(kit);
    }
}

/* The pipelined batch at every batch size and look-ahead, against serial:
 * reloads at cycles 1 and 2 fall inside windows of 3, 5 and 32 blocks, which
 * the render cuts short there; the deterministic counters equal those of the
 * same plan at 1 thread (not pipelined). */
Test(strategies, pipelined_batch_same_bytes_at_every_batch_size)
{
    const char *reload = tu_tmpfile(BB_PROG_RELOAD_B);
    const char *const progs[] = {BB_PROG_Q, BB_PROG_RELOAD_A, BB_PROG_DENSE, BB_PROG_NESTED};
    static const size_t batches[] = {1, 2, 3, 5, 8, 32};
    static const size_t blocks[] = {64, 500};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        bool rl = progs[i] == BB_PROG_RELOAD_A;
        tu_cfg rc = {.strategy = "serial", .cycles = 3, .reload_path = rl ? reload : NULL, .reload_cycle = rl ? 1 : 0};
        tu_out ref;
        tu_render(progs[i], &rc, &ref);
        cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
        for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++)
            for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++)
                for (int s = 0; s < 2; s++) {
                    tu_cfg c = rc;
                    c.strategy = s ? "all" : "batch";
                    c.batch = batches[b];
                    c.block = blocks[k];
                    c.threads = 1;
                    tu_out one;
                    tu_render(progs[i], &c, &one);
                    cr_assert_eq(one.res, BB_OK, "%s", one.msg);
                    static const size_t lookaheads[] = {1, 3, 32};
                    for (size_t l = 0; l < sizeof lookaheads / sizeof lookaheads[0]; l++) {
                        c.threads = 3;
                        c.lookahead = lookaheads[l];
                        tu_out two;
                        tu_render(progs[i], &c, &two);
                        cr_assert_eq(two.res, BB_OK, "%s", two.msg);
                        long d = tu_first_diff(ref.x, ref.n, two.x, two.n);
                        cr_expect_eq(d, -1, "%s batch %zu block %zu look-ahead %zu, program %zu: first differing sample %ld",
                                     c.strategy, batches[b], blocks[k], lookaheads[l], i, d);
                        bb_stats x = one.st, y = two.st;
                        x.allocs = x.alloc_bytes = x.allocs_steady = x.alloc_bytes_steady = 0;
                        y.allocs = y.alloc_bytes = y.allocs_steady = y.alloc_bytes_steady = 0;
                        x.busbuf_allocs = x.busbuf_allocs_steady = y.busbuf_allocs = y.busbuf_allocs_steady = 0;
                        x.lane_groups = x.lane_slots = y.lane_groups = y.lane_slots = 0; /* lane tasks follow the workers */
                        x.jobs_local = y.jobs_local = 0; /* at 1 thread no job is kept from a hand-off */
                        cr_expect(!memcmp(&x, &y, sizeof x), "%s batch %zu block %zu look-ahead %zu, program %zu: counters differ",
                                  c.strategy, batches[b], blocks[k], lookaheads[l], i);
                        tu_free(&two);
                    }
                    tu_free(&one);
                }
        tu_free(&ref);
    }
    unlink(reload);
}

static bool drop_mod(const bb_drv *d, const bb_cache_slot *s, const void *arg)
{
    (void)d;
    const int64_t *m = arg; /* drop onsets that are m[1] modulo m[0] */
    return s->key.onset % m[0] == m[1];
}

/* Rounds of puts and evictions of keys (def, i) for i < n in a fresh table. */
static void evict_rounds(uint64_t def, int64_t n)
{
    enum { NMAX = 300 };
    bb_stats st;
    memset(&st, 0, sizeof st);
    bb_drv d;
    memset(&d, 0, sizeof d);
    d.stats = &st;
    d.plan.store = &bb_store_heap;
    bool in[NMAX] = {false};
    size_t live = 0;
    for (int round = 0; round < 40; round++) {
        for (int64_t i = 0; i < n; i++) {
            if (in[i] || (i * 7 + round) % 3 == 0) continue;
            bb_busbuf *b = bb_calloc(1, sizeof *b);
            b->data = bb_malloc(sizeof *b->data);
            b->refs = 1;
            b->key = (bb_buskey){.def = def, .len = 1, .note_bits = 0, .onset = i};
            cr_assert_eq(bb_drv_cache_put(&d, b, 0), BB_OK);
            in[i] = true;
            live++;
        }
        const int64_t m[2] = {2 + round % 5, round % 2};
        size_t want = 0;
        for (int64_t i = 0; i < n; i++) want += in[i] && i % m[0] == m[1];
        cr_assert_eq(bb_drv_cache_evict(&d, drop_mod, m), want, "round %d", round);
        live -= want;
        cr_assert_eq(d.nused, live, "round %d", round);
        for (int64_t i = 0; i < n; i++) {
            if (in[i] && i % m[0] == m[1]) in[i] = false;
            bb_buskey k = {.def = def, .len = 1, .note_bits = 0, .onset = i};
            bb_busbuf *b = bb_drv_cache_get(&d, &k);
            cr_assert_eq(b != NULL, in[i], "def %llu, n %lld, round %d, key %lld %s", (unsigned long long)def,
                         (long long)n, round, (long long)i, in[i] ? "lost" : "kept");
            if (b) cr_assert_eq(b->key.onset, i);
        }
    }
    static const int64_t all[2] = {1, 0};
    cr_assert_eq(bb_drv_cache_evict(&d, drop_mod, all), live);
    bb_free(d.slots);
}

/* The driver's cache evicts in place (entries of a run move back over the
 * emptied slots, a run may wrap past the table's end): after every eviction
 * each kept key is still found, no dropped one is, and every dropped buffer
 * went back to the store (the sanitizer builds see a leak). Tables kept up to
 * half full make long runs. */
Test(strategies, cache_eviction_keeps_every_kept_key_findable)
{
    for (uint64_t def = 1; def <= 40; def++) {
        evict_rounds(def, 31);
        evict_rounds(def, 63);
    }
    evict_rounds(1, 300);
}

/* The lanes read a pattern input as segments of one value per cycle
 * (lanes_pat): rests (0), overlapping events (the first in canonical order
 * wins), events shorter than a chunk, cycles of 3 to 64 events, a cycle with
 * more events than the warmed ones (its segments move to the heap), a pattern
 * in arithmetic (read at every sample) and as a control (oscillator frequency,
 * filter cutoff: read where its runs start) give serial's bytes. */
Test(strategies, lanes_read_patterns_as_serial_does)
{
    static const char prog[] =
        "bpm: 180\n"
        "~p: saw (\"<[300 ~ 500, 700] 200>\" + 50) # lpf (\"[800 ~ 400, 1200] 300\" $ fast \"<3 17 64>\") 2\n"
        "~r: square \"[~ 220]*5\" # hpf \"<[100 ~]*7 [50, 2000]>\" 1.5\n"
        "~g: sine \"<300!8 [200 400 600 800 1000 1200]>\"\n"
        "out: s \"~p*8 ~r(3,8)\" # note \"<0 3 7 12>\"\n"
        "o2: s \"~g*4\"\n";
    tu_cfg rc = {.strategy = "serial", .cycles = 10};
    tu_out ref;
    tu_render(prog, &rc, &ref);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    static const char *const lane_plans[] = {"all", "cycle,lanes"};
    static const size_t blocks[] = {64, 512};
    for (size_t s = 0; s < 2; s++)
        for (int t = 1; t <= 2; t++)
            for (size_t b = 0; b < 2; b++) {
                tu_cfg c = {.strategy = lane_plans[s], .threads = t, .block = blocks[b], .cycles = 10};
                tu_out o;
                tu_render(prog, &c, &o);
                cr_assert_eq(o.res, BB_OK, "%s", o.msg);
                cr_expect_gt(o.st.lane_groups, 0, "%s: the lanes ran", lane_plans[s]);
                long d = tu_first_diff(ref.x, ref.n, o.x, o.n);
                cr_expect_eq(d, -1, "%s threads %d block %zu: first differing sample %ld", lane_plans[s], t, blocks[b],
                             d);
                tu_free(&o);
            }
    tu_free(&ref);
}

/* Which pattern inputs the lanes write only where their runs start
 * (bb_inst_pat_is_control): an oscillator's frequency, a filter's cutoff or q
 * when the other is a constant; not a pattern in arithmetic, the signal a
 * filter filters, a cutoff beside a pattern q, nor a code's result. Every
 * pattern node of the bus is checked; the nodes past nnodes (room that a
 * growing array leaves, here a node that uses the pattern in arithmetic) are
 * never read. */
Test(strategies, lane_pattern_is_a_control_only_under_oscillators_and_filters)
{
    static const struct {
        const char *bus;
        bool control;
    } cases[] = {{"saw \"220 330\"", true},
                 {"saw \"220 330\" + square \"110 165\"", true},
                 {"saw 110 # lpf \"800 400\" 2", true},
                 {"saw 110 # lpf 800 \"1 2\"", true},
                 {"saw 110 # lpf \"800 400\" \"1 2\"", false},
                 {"saw 110 * \"0.5 1\"", false},
                 {"\"0.5 1\" # lpf 800 2", false},
                 {"\"0.5 1\"", false}};
    bb_kit *kit;
    cr_assert_eq(bb_kit_create(&kit, 44100.0), BB_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, "~x: %s\nout: s \"~x\"\n", cases[i].bus);
        bb_error err;
        bb_ph *ph;
        bb_prog *p;
        cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK, "%s: %s", cases[i].bus, err.msg);
        bb_prog_opts po = {.sr = 44100, .kit = kit, .c0 = bb_rat_int(0), .s0 = 0};
        cr_assert_eq(bb_prog_compile(ph, &po, &p, &err), BB_OK, "%s: %s", cases[i].bus, err.msg);
        const bb_code *code = &p->buses[0].code;
        /* the same graph with one node of room past its end that uses every node in arithmetic */
        bb_node *room = calloc((size_t)code->nnodes + 1, sizeof *room);
        cr_assert_not_null(room);
        memcpy(room, code->nodes, (size_t)code->nnodes * sizeof *room);
        bb_code spare = *code;
        spare.nodes = room;
        int npat = 0;
        for (int32_t j = 0; j < code->nnodes; j++) {
            if (code->nodes[j].kind != BB_N_PAT) continue;
            npat++;
            room[code->nnodes] = (bb_node){.kind = BB_N_ADD, .a = j, .b = j, .c = -1};
            cr_expect_eq(bb_inst_pat_is_control(code, j), cases[i].control, "%s: node %d", cases[i].bus, j);
            cr_expect_eq(bb_inst_pat_is_control(&spare, j), cases[i].control, "%s: node %d, room past the end read",
                         cases[i].bus, j);
        }
        cr_expect_gt(npat, 0, "%s: a pattern node", cases[i].bus);
        free(room);
        bb_prog_free(p);
    }
    bb_kit_destroy(kit);
}

/* A cycle with more events than any before it moves a lane's segments to an
 * allocation of their own (segments_reserve); a later, larger one replaces that
 * allocation. Patterns of ever more events a cycle, past the warmed cycles, on
 * the lanes' eight slots: serial's bytes, and every allocation freed when the
 * render closes. */
Test(strategies, lane_segments_grow_again_and_free_what_they_replace)
{
    static const char prog[] = "bpm: 240\n"
                               "~g: sine (\"300 500\" $ fast \"<2!8 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181>\")\n"
                               "out: s \"~g*2\"\n";
    tu_cfg rc = {.strategy = "serial", .cycles = 24};
    tu_out ref;
    tu_render(prog, &rc, &ref);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    bb_alloc_stats s0 = bb_alloc_snapshot();
    tu_cfg c = {.strategy = "cycle,lanes", .threads = 1, .cycles = 24};
    tu_out o;
    tu_render(prog, &c, &o);
    bb_alloc_stats s1 = bb_alloc_snapshot();
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_expect_gt(o.st.lane_groups, 0, "the lanes ran");
    cr_expect_eq(tu_first_diff(ref.x, ref.n, o.x, o.n), -1, "serial's bytes");
    cr_expect_eq(s1.allocs - s0.allocs, s1.frees - s0.frees, "%llu allocations, %llu frees",
                 (unsigned long long)(s1.allocs - s0.allocs), (unsigned long long)(s1.frees - s0.frees));
    tu_free(&o);
    tu_free(&ref);
}

/* A cycle whose events all lie strictly inside it, with rests between them, has
 * the most segments its events allow (2 per event and 1): past the warmed
 * cycles they fill an allocation of exactly that many (segments_reserve), so
 * under ASan a write one past the last segment is a heap overflow, not a
 * quiet store into the next slot's room. Serial's bytes, at 1 and 2 threads. */
Test(strategies, lane_segments_of_a_cycle_of_inner_events_fill_their_room_exactly)
{
    static const char prog[] = "bpm: 240\n"
                               "~g: sine \"<300!8 [~ 300 ~]*3 [~ 500 ~]*5 [~ 700 ~ 900]*4>\"\n"
                               "out: s \"~g*2\"\n";
    tu_cfg rc = {.strategy = "serial", .cycles = 14};
    tu_out ref;
    tu_render(prog, &rc, &ref);
    cr_assert_eq(ref.res, BB_OK, "%s", ref.msg);
    for (int t = 1; t <= 2; t++) {
        tu_cfg c = {.strategy = "cycle,lanes", .threads = t, .cycles = 14};
        tu_out o;
        tu_render(prog, &c, &o);
        cr_assert_eq(o.res, BB_OK, "%s", o.msg);
        cr_expect_gt(o.st.lane_groups, 0, "the lanes ran");
        cr_expect_eq(tu_first_diff(ref.x, ref.n, o.x, o.n), -1, "%d threads: serial's bytes", t);
        tu_free(&o);
    }
    tu_free(&ref);
}

/* A job smaller than a hand-off stays on the calling thread, counted
 * (jobs_local): at 2 threads the mixing of dense's small windows, never at 1
 * thread (nothing to hand off); q's cycle-sized synthesis is handed off. The
 * count is deterministic: the estimate comes from request lengths and voices. */
Test(strategies, small_jobs_stay_on_the_calling_thread)
{
    bb_stats one = stats_of(BB_PROG_DENSE, "all", 2);
    cr_expect_gt(one.jobs_local, 0, "dense's windows mix a few thousand voice-samples: below a hand-off");
    cr_expect_eq(stats_of(BB_PROG_DENSE, "all", 2).jobs_local, one.jobs_local, "the count is deterministic");
    tu_cfg c = {.strategy = "all", .threads = 1, .cycles = 2};
    tu_out o;
    tu_render(BB_PROG_DENSE, &c, &o);
    cr_assert_eq(o.res, BB_OK, "%s", o.msg);
    cr_expect_eq(o.st.jobs_local, 0, "one thread: nothing is kept from a hand-off");
    tu_free(&o);
    bb_stats q = stats_of(BB_PROG_Q, "all", 2);
    cr_expect_leq(q.jobs_local, q.windows, "q's synthesis jobs (a cycle's 84 requests each) are handed off: at most "
                                           "the windows' mixing stays");
}
