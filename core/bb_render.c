/* bb_render.c - the block loop shared by every strategy (see bb_render.h).
 *
 * Invariants: windows never cross a reload sample; every voice created in a
 * window has its buffer before anything is mixed; the output graph runs over
 * the samples in increasing order, in chunks of at most BB_CHUNK inside blocks
 * of opts.block, so its stateful parts see the same sequence of samples
 * whatever the strategy. Units: samples (int64 absolute indices), Hz.
 *
 * Pipelining (bb_render.h): windows are numbered; the render thread mixes
 * window q into slot q % (L + 1) (each trigger's wins[], the slot's tail
 * buffer) and publishes it by advancing tail; whoever holds the output token
 * (drain: a background task on a worker, or the render itself) outputs windows
 * head, head + 1, ... up to tail and advances head. Before it schedules window
 * q the render waits until q's slot is free (head > q - L - 1), joining the
 * background task and draining itself when it must; so at most L windows are
 * mixed but not out. Nothing is lost when the background task stops just as a
 * window is published: the render starts it again after the next window and
 * drains everything itself before a switch and at the end. What makes it safe:
 * steps 1, 2, 3 and 5 touch voices, patterns of the triggers and the
 * strategy; step 4 touches the output graph, the slots of windows already
 * published, the sink and the counters of what went out (frames, blocks,
 * windows); the two sets meet only through the slots, handed over by the
 * release and acquire on tail and head. The stop hook is asked by the token
 * holder after each window, on the sink's thread; a stop leaves windows mixed
 * but never output (stats.frames counts what was output).
 *
 * Timing (opts.timing, for the bench's scaling bound): one monotonic clock read
 * where each step of a window ends, each read closing one step and opening the
 * next, so the steps tile the loop's wall time with nothing left between them
 * and nothing read per block or sample; off, the loop reads no clock. The
 * times stay out of bb_stats (see bb_render_times). Pipelined, step 4 runs on
 * another thread: the token holder times itself (two reads per drain) and its
 * time is added to continuous at the end, so the steps add up to more than the
 * wall; the render thread's waits for a free slot count as schedule. */
#include "bb_render.h"

#include "bb_alloc.h"
#include "bb_ring.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct tail {
    bb_inst *inst;      /* an old program's output, kept while its voices sound */
} tail;

/* A window mixed and waiting for its continuous part. */
typedef struct win_slot {
    int64_t k0, k1;
    bool tails;         /* tailbuf holds the reload tails' voices of [k0, k1) ... */
    int64_t tail_end;   /* ... and is added to the output before this sample only (the end of
                           the tails' last voice: where windows fall must not decide where a
                           +0 is added, which turns a -0 of the new program's signal into +0) */
    float *tailbuf;
    size_t tail_cap;
} win_slot;

struct bb_render {
    bb_render_opts o;
    bb_prog *progs[BB_RENDER_RELOADS_MAX + 1];
    int64_t switch_at[BB_RENDER_RELOADS_MAX + 1]; /* sample where progs[i] starts */
    int nprogs, cur;
    bb_inst *main;
    tail tails[BB_RENDER_RELOADS_MAX + 1];
    int ntails;
    bb_strategy *strat;
    bb_pendlist pend;
    float *out;         /* one block */
    /* windows mixed, not yet output: sequence numbers [head, tail), window q in
       slots[q % nslots] and in each trigger's wins[q % nslots] (the one being
       mixed is tail's); nslots = look-ahead + 1 */
    win_slot slots[BB_TRIG_WINDOWS];
    _Atomic uint64_t head, tail; /* head: written by the token holder; tail: by the render thread */
    size_t la, nslots;  /* look-ahead in windows (0: not pipelined), la + 1 */
    /* the output token: whoever holds it outputs windows (drain); what follows
       is written by the token holder only */
    atomic_bool draining;
    atomic_bool stopped;    /* the stop hook said so */
    atomic_int cont_res;    /* a failure of the output graph (bb_result) ... */
    int64_t cont_at;        /* ... at this block */
    double drain_ns;        /* time spent outputting (timing only) */
    bb_stats stats;
    bb_render_times times;
    bb_alloc_stats a0, a_steady;
    bool steady_taken;
    int64_t steady_at;
    /* where the loop stands (bb_render_run and bb_render_step share it) */
    int64_t k;              /* first sample of the next window */
    int64_t last_cycle;     /* last cycle counted in stats.cycles */
    double t0;              /* timing: the open step's start */
    bool begun, ended, finished; /* reserved; no window left; counters gathered */
    /* step mode: a FIFO of output samples, written where blocks go out (the
       token holder's thread), read by bb_render_step (fifo.buf NULL: not
       stepped) */
    bb_ring fifo;
    size_t step_max;
    /* live reloads (bb_render_offer): a program offered from another thread,
       taken or refused by the render's thread before its next window */
    bb_prog *_Atomic offered;
    atomic_int offer_state;     /* BB_RENDER_OFFER_* */
    _Atomic int64_t pos;        /* r->k, for other threads */
};

void bb_render_opts_default(bb_render_opts *o)
{
    memset(o, 0, sizeof *o);
    o->sr = 44100;
    o->frames = 44100;
    o->block = 512;
    o->lim.max_voices = 256;
    o->lim.max_bus_seconds = 10.0;
}

static void strat_release(void *ctx, bb_busbuf *b)
{
    bb_render *r = ctx;
    r->o.strategy->release(r->strat, b);
}

static bb_result compile(bb_render *r, bb_ph *ph, bb_rat c0, int64_t s0, bb_error *err)
{
    bb_prog_opts po = {.sr = r->o.sr, .kit = r->o.kit, .c0 = c0, .s0 = s0, .stack = r->o.stack};
    bb_prog *p;
    bb_result res = bb_prog_compile(ph, &po, &p, err);
    if (res) return res;
    r->progs[r->nprogs++] = p;
    return BB_OK;
}

/* Blocks in one of the strategy's windows (at least 1). */
static size_t window_blocks(const bb_render *r)
{
    size_t wb = r->o.strategy->window_blocks(r->strat);
    return wb ? wb : 1;
}

/* The look-ahead: the strategy's, within BB_RENDER_LOOKAHEAD_MAX and so that the
 * window buffers of the output's triggers take at most BB_RENDER_WINDOW_BYTES
 * (but at least 1 when the strategy pipelines). */
static void set_lookahead(bb_render *r)
{
    const bb_strategy_ops *ops = r->o.strategy;
    size_t la = ops->lookahead && ops->background && ops->join ? ops->lookahead(r->strat) : 0;
    if (la > BB_RENDER_LOOKAHEAD_MAX) la = BB_RENDER_LOOKAHEAD_MAX;
    double slot = (double)bb_inst_ntrigs(r->main) * (double)r->o.block * (double)window_blocks(r) * sizeof(float);
    double fit = slot > 0 ? floor((double)BB_RENDER_WINDOW_BYTES / slot) - 1 : (double)la;
    if (la > 1 && fit < (double)la) la = fit < 1 ? 1 : (size_t)fit;
    r->la = la;
    r->nslots = la + 1;
}

bb_result bb_render_open(bb_render **out, bb_ph *ph, const bb_render_opts *o, bb_error *err)
{
    if (o->sr < 1000 || o->sr > 768000) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_ARG, "--sr", 0, 0, "expected a sample rate in [1000, 768000] Hz, found %d", o->sr);
    }
    if (o->block < 1 || o->block > BB_RENDER_BLOCK_MAX) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_ARG, "--block", 0, 0, "expected a block size in [1, %d] samples", BB_RENDER_BLOCK_MAX);
    }
    if (o->lim.max_voices < 1 || o->lim.max_bus_seconds <= 0) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_ARG, "--max-voices", 0, 0, "voice and bus-length limits must be positive");
    }
    bb_render *r = bb_calloc(1, sizeof *r);
    if (!r) {
        bb_ph_free(ph);
        return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the render");
    }
    r->o = *o;
    r->a0 = bb_alloc_snapshot();
    bb_result res = compile(r, ph, bb_rat_int(0), 0, err);
    for (int i = 0; i < o->nreloads && !res; i++) {
        const bb_reload *rl = &o->reloads[i];
        const bb_prog *prev = r->progs[r->nprogs - 1];
        if (rl->cycle.den != 1 || bb_rat_cmp(rl->cycle, prev->c0) <= 0) {
            res = bb_error_set(err, BB_ERR_ARG, "--reload-at", 0, 0,
                               "reload %d: expected a whole cycle after the previous switch", i + 1);
            break;
        }
        bb_rat_clear_overflow();
        int64_t s = bb_prog_idx(prev, rl->cycle);
        if (bb_rat_overflowed()) {
            res = bb_error_set(err, BB_ERR_OVERFLOW, "--reload-at", 0, 0, "reload cycle too far");
            break;
        }
        bb_ph *nph;
        if ((res = bb_ph_load(rl->path, &nph, err))) break;
        r->switch_at[r->nprogs] = s;
        res = compile(r, nph, rl->cycle, s, err);
    }
    if (!res && r->o.frames < 0) {
        /* the length in cycles: the sample of that cycle in the program in force then */
        const bb_prog *p = r->progs[0];
        for (int i = 1; i < r->nprogs; i++)
            if (bb_rat_cmp(r->progs[i]->c0, o->cycles) <= 0) p = r->progs[i];
        bb_rat_clear_overflow();
        r->o.frames = bb_rat_valid(o->cycles) && o->cycles.num >= 0 ? bb_prog_idx(p, o->cycles) : -1;
        if (bb_rat_overflowed()) r->o.frames = -1;
    }
    if (!res && (r->o.frames < 0 || r->o.frames > (int64_t)BB_RENDER_SECONDS_MAX * o->sr))
        res = bb_error_set(err, BB_ERR_LIMIT, o->frames >= 0 ? "--seconds" : "--cycles", 0, 0,
                           "render length must be between 0 and %d hours (BB_RENDER_SECONDS_MAX)",
                           BB_RENDER_SECONDS_MAX / 3600);
    if (!res) {
        r->out = bb_calloc(o->block, sizeof *r->out);
        if (!r->out) res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the output block");
    }
    if (!res && (res = bb_inst_create(&r->main, r->progs[0], &r->progs[0]->main, &o->lim, false)))
        bb_error_set(err, res, r->progs[0]->ph->file, 0, 0, "cannot set up the output graph");
    /* room for a full window of requests up front: the render loop should not
       allocate once it is running (the list still grows if a window needs more) */
    if (!res && bb_grow((void **)&r->pend.v, &r->pend.cap,
                        (bb_inst_ntrigs(r->main) + 1) * (size_t)o->lim.max_voices * 2, sizeof *r->pend.v))
        res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the request list");
    if (!res && (res = o->strategy->open(r, o->strategy_arg, &r->strat)))
        bb_error_set(err, res, o->strategy->name, 0, 0, "strategy '%s' could not start", o->strategy->name);
    if (res) {
        bb_render_close(r);
        return res;
    }
    set_lookahead(r);
    r->steady_at = bb_prog_idx(r->progs[0], bb_rat_int(2));
    *out = r;
    return BB_OK;
}

size_t bb_render_latency_blocks(const bb_render *r)
{
    return window_blocks(r) * r->nslots;
}

/* Make every trigger's window buffer of slot hold [k0, k1) and be the one mixed
 * into (the output graph may still read the other slots). Not zeroed: mixing
 * writes every sample of it (bb_trig_fill). */
static bb_result prepare_windows(bb_inst *in, int64_t k0, int64_t k1, size_t slot)
{
    size_t n = (size_t)(k1 - k0);
    for (size_t t = 0; t < bb_inst_ntrigs(in); t++) {
        bb_trig *tr = bb_inst_trig(in, t);
        if (bb_grow((void **)&tr->wins[slot], &tr->wins_cap[slot], n, sizeof *tr->win)) return BB_ERR_NOMEM;
        tr->win = tr->wins[slot];
        tr->win_k0 = k0;
    }
    return BB_OK;
}

void bb_render_mix(bb_render *r, int64_t k0, int64_t k1)
{
    bb_inst_mix(r->main, k0, k1, r->o.mix_reverse);
}

uint64_t bb_render_mix_work(const bb_render *r, int64_t k0, int64_t k1)
{
    uint64_t n = 0;
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) n += bb_trig_mix_work(bb_inst_trig(r->main, t), k0, k1);
    return n;
}

size_t bb_render_chain_nodes(const bb_render *r) { return bb_inst_dsp_nodes(r->main); }

bb_result bb_render_enumerate(bb_render *r, int64_t k0, int64_t k1, bb_reqlist *out)
{
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) {
        bb_result res = bb_trig_enumerate(bb_inst_trig(r->main, t), t ? bb_inst_trig(r->main, t - 1) : NULL, k0, k1, out);
        if (res) return res;
    }
    return BB_OK;
}

static void gather_counts(bb_render *r, bb_inst *in)
{
    for (size_t t = 0; t < bb_inst_ntrigs(in); t++) {
        bb_trig *tr = bb_inst_trig(in, t);
        r->stats.voices += tr->count.voices;
        r->stats.voices_dropped += tr->count.dropped;
        r->stats.clamps += tr->count.clamps;
        memset(&tr->count, 0, sizeof tr->count);
    }
    if (bb_inst_folded(in) > r->stats.sums_folded) r->stats.sums_folded = bb_inst_folded(in);
}

enum { SOUNDING_BLOCKS = 64 }; /* block starts counted in one pass over the voices */

/* For the nb <= SOUNDING_BLOCKS block starts b0, b0 + block, ...: add to d[j]
 * the voices of in that sound at start j (onset <= b < end), as differences
 * (d[j] - d[j - 1]), one pass over the voices. */
static void sounding(bb_inst *in, int64_t b0, size_t nb, size_t block, int64_t *d)
{
    const int64_t last = b0 + (int64_t)((nb - 1) * block), bs = (int64_t)block;
    for (size_t t = 0; t < bb_inst_ntrigs(in); t++) {
        const bb_trig *tr = bb_inst_trig(in, t);
        for (size_t i = 0; i < tr->nv && tr->v[i].onset <= last; i++) {
            const bb_voice *v = &tr->v[i];
            /* the starts in [onset, end): from the first at or after onset to the last before end */
            const int64_t first = v->onset <= b0 ? 0 : (v->onset - b0 + bs - 1) / bs;
            const int64_t past = v->end <= b0 ? 0 : (v->end - b0 + bs - 1) / bs;
            const int64_t e = past < (int64_t)nb ? past : (int64_t)nb;
            if (first < e) {
                d[first]++;
                d[e]--;
            }
        }
    }
}

/* voices_peak: the most voices sounding at the first sample of a block of [k0, k1)
 * (after the window's schedule, which made every voice that starts in it). */
static void count_sounding(bb_render *r, int64_t k0, int64_t k1, size_t block)
{
    for (int64_t g = k0; g < k1; g += (int64_t)(SOUNDING_BLOCKS * block)) {
        const int64_t left = (k1 - g + (int64_t)block - 1) / (int64_t)block;
        const size_t nb = left < SOUNDING_BLOCKS ? (size_t)left : SOUNDING_BLOCKS;
        int64_t d[SOUNDING_BLOCKS + 1] = {0};
        sounding(r->main, g, nb, block, d);
        for (int i = 0; i < r->ntails; i++) sounding(r->tails[i].inst, g, nb, block, d);
        int64_t n = 0;
        for (size_t j = 0; j < nb; j++) {
            n += d[j];
            if ((uint64_t)n > r->stats.voices_peak) r->stats.voices_peak = (uint64_t)n;
        }
    }
}

static bool tail_silent(bb_inst *in)
{
    for (size_t t = 0; t < bb_inst_ntrigs(in); t++)
        if (bb_inst_trig(in, t)->nv) return false;
    return true;
}

static void drop_tail(bb_render *r, int i)
{
    bb_inst_destroy(r->tails[i].inst, strat_release, r);
    r->tails[i] = r->tails[--r->ntails];
}

/* The old output's window buffers to the new one's triggers (as many as
 * both have): the old output, now a tail, mixes into its slot's tail buffer
 * and never reads them again, and a pipelined render then finds its look-ahead
 * slots made (not fresh memory to fault in after every switch). */
static void hand_windows(bb_inst *from, bb_inst *to)
{
    for (size_t t = 0; t < bb_inst_ntrigs(from) && t < bb_inst_ntrigs(to); t++) {
        bb_trig *a = bb_inst_trig(from, t), *b = bb_inst_trig(to, t);
        for (size_t i = 0; i < BB_TRIG_WINDOWS; i++) {
            float *w = b->wins[i];
            size_t cap = b->wins_cap[i];
            b->wins[i] = a->wins[i], b->wins_cap[i] = a->wins_cap[i];
            a->wins[i] = w, a->wins_cap[i] = cap;
        }
    }
}

/* Switch to the next program at sample k. */
static bb_result do_reload(bb_render *r, int64_t k, bb_error *err)
{
    const bb_prog *old = r->progs[r->cur];
    const bb_prog *np = r->progs[r->cur + 1];
    bb_inst *in;
    bb_result res = bb_inst_create(&in, np, &np->main, &r->o.lim, false);
    if (res) return bb_error_set(err, res, np->ph->file, 0, 0, "cannot set up the reloaded output graph");
    gather_counts(r, r->main);
    hand_windows(r->main, in);
    r->tails[r->ntails++].inst = r->main;
    r->main = in;
    r->cur++;
    r->stats.reloads++;
    if (r->o.strategy->reload && (res = r->o.strategy->reload(r->strat, old, np, k)))
        return bb_error_set(err, res, r->o.strategy->name, 0, 0, "strategy failed to reload");
    return BB_OK;
}

/* What a pattern limit met during the render means (a query does not say which one). */
static const char *why(bb_result res, char *buf, size_t cap)
{
    if (res == BB_ERR_LIMIT) {
        snprintf(buf, cap,
                 "a pattern limit was exceeded: more than BB_PAT_QUERY_EVENTS_MAX (%d) events in one cycle, or a "
                 "patterned factor beyond BB_PAT_FACTOR_MAX (%d) or Euclid argument beyond BB_PAT_EUCLID_MAX (%d)",
                 BB_PAT_QUERY_EVENTS_MAX, BB_PAT_FACTOR_MAX, BB_PAT_EUCLID_MAX);
        return buf;
    }
    if (res == BB_ERR_OVERFLOW) return "exact rational time overflowed (a tempo, factor or render length too extreme)";
    return bb_result_str(res);
}

static bb_result fail_at(bb_render *r, bb_result res, bb_error *err, int64_t k, const char *what, int line, int col)
{
    double sec = (double)k / (double)r->o.sr;
    char buf[256];
    return bb_error_set(err, res, r->progs[r->cur]->ph->file, line, col, "%s at sample %lld (%.3f s): %s", what,
                        (long long)k, sec, why(res, buf, sizeof buf));
}

static bb_result fail(bb_render *r, bb_result res, bb_error *err, int64_t k, const char *what)
{
    return fail_at(r, res, err, k, what, 0, 0);
}

/* A failed resolve: the strategy does not say which request failed, so name the
 * window's buses (the place of the definition when there is only one). */
static bb_result fail_synth(bb_render *r, bb_result res, bb_error *err, int64_t k)
{
    enum { NAMED = 4 };
    const bb_busdef *seen[NAMED];
    int nb = 0;
    for (size_t i = 0; i < r->pend.n && nb < NAMED; i++) {
        const bb_busreq *q = bb_pending_req(&r->pend.v[i]);
        const bb_busdef *b = &q->prog->buses[q->bus];
        int j = 0;
        while (j < nb && seen[j] != b) j++;
        if (j == nb) seen[nb++] = b;
    }
    char what[256];
    if (nb == 1) {
        snprintf(what, sizeof what, "synthesising bus ~%.*s", (int)seen[0]->name_len, seen[0]->name);
        return fail_at(r, res, err, k, what, seen[0]->line, seen[0]->col);
    }
    size_t n = (size_t)snprintf(what, sizeof what, "synthesising one of the buses");
    for (int j = 0; j < nb && n < sizeof what; j++)
        n += (size_t)snprintf(what + n, sizeof what - n, "%s ~%.*s (line %d)", j ? "," : "", (int)seen[j]->name_len,
                              seen[j]->name, seen[j]->line);
    return fail_at(r, res, err, k, what, 0, 0);
}

static double mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Close the step that began at *t0 into *acc and begin the next (timing only). */
static void lap(const bb_render *r, double *t0, double *acc)
{
    if (!r->o.timing) return;
    double t = mono_ns();
    *acc += t - *t0;
    *t0 = t;
}

double bb_render_times_seq(const bb_render_times *t) { return t->schedule_ns + t->continuous_ns + t->retire_ns; }
double bb_render_times_par(const bb_render_times *t) { return t->resolve_ns + t->mix_ns; }

/* Step mode: n frames of x to the FIFO. False when they do not fit (cannot
 * happen within the bound of bb_render_step_reserve: it would be a bug,
 * reported as BB_ERR_LIMIT). */
static bool fifo_push(bb_render *r, const float *x, size_t n)
{
    if (bb_ring_space(&r->fifo) < n) return false;
    bb_ring_write(&r->fifo, x, n);
    return true;
}

/* 4. continuous: window q's output graph over [k0, k1) block by block, the
 * reload tails added, each block to the sink. It reads the triggers' window
 * buffers of q's slot and the output graph's own state, never the voices or
 * the strategy, so a pipelined render may run it on any thread while the
 * strategy resolves and mixes later windows. Returns a failure of the output
 * graph, with the block where it happened in *at. */
static bb_result output_window(bb_render *r, uint64_t q, int64_t *at)
{
    const size_t slot = (size_t)(q % r->nslots);
    const win_slot *w = &r->slots[slot];
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) {
        bb_trig *tr = bb_inst_trig(r->main, t);
        tr->out = tr->wins[slot];
        tr->out_k0 = w->k0;
    }
    const size_t block = r->o.block;
    for (int64_t b = w->k0; b < w->k1; b += (int64_t)block) {
        size_t bn = (size_t)(w->k1 - b) < block ? (size_t)(w->k1 - b) : block;
        for (size_t c = 0; c < bn; c += BB_CHUNK) {
            size_t cn = bn - c < BB_CHUNK ? bn - c : BB_CHUNK;
            const float *y = bb_inst_compute(r->main, b + (int64_t)c, cn);
            memcpy(r->out + c, y, cn * sizeof *y);
        }
        bb_result res = bb_inst_error(r->main);
        if (res) {
            *at = b;
            return res;
        }
        if (w->tails && w->tail_end > b) {
            const size_t tn = (size_t)(w->tail_end - b) < bn ? (size_t)(w->tail_end - b) : bn;
            for (size_t i = 0; i < tn; i++) r->out[i] += w->tailbuf[(size_t)(b - w->k0) + i];
        }
        if (r->fifo.buf && !fifo_push(r, r->out, bn)) {
            *at = b;
            return BB_ERR_LIMIT;
        }
        if (r->o.sink) r->o.sink(r->o.sink_ctx, b, r->out, bn);
        r->stats.blocks++;
    }
    r->stats.windows++;
    r->stats.frames += (uint64_t)(w->k1 - w->k0);
    return BB_OK;
}

/* Output the mixed windows, oldest first, until none is left, a failure or a
 * stop, holding the output token (returns at once when another thread holds
 * it). The stop hook is asked after each window, on this thread, the sink's. */
static void drain(void *ctx)
{
    bb_render *r = ctx;
    bool free_token = false;
    if (!atomic_compare_exchange_strong(&r->draining, &free_token, true)) return;
    const double t0 = r->o.timing ? mono_ns() : 0;
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    while (h < atomic_load_explicit(&r->tail, memory_order_acquire) && !atomic_load(&r->cont_res) &&
           !atomic_load(&r->stopped)) {
        int64_t at = 0;
        bb_result res = output_window(r, h, &at);
        if (res) {
            r->cont_at = at;
            atomic_store(&r->cont_res, (int)res);
            break;
        }
        atomic_store_explicit(&r->head, ++h, memory_order_release);
        if (r->o.stop && r->o.stop(r->o.sink_ctx)) atomic_store(&r->stopped, true);
    }
    if (r->o.timing) r->drain_ns += mono_ns() - t0;
    atomic_store(&r->draining, false);
}

/* Pipelined: the output chain runs on another thread, unless it already runs. */
static void start_drain(bb_render *r)
{
    if (!atomic_load(&r->draining)) r->o.strategy->background(r->strat, drain, r);
}

/* Pipelined: wait until window q's slot is free (q - nslots has gone out),
 * outputting here when no other thread does. */
static void wait_for_slot(bb_render *r, uint64_t q)
{
    while (q - atomic_load_explicit(&r->head, memory_order_acquire) >= r->nslots && !atomic_load(&r->cont_res) &&
           !atomic_load(&r->stopped)) {
        r->o.strategy->join(r->strat);
        drain(r);
    }
}

/* Every mixed window out, here, once no other thread outputs (before a switch,
 * at the end); the output graph's failure, if any. */
static bb_result drain_all(bb_render *r, bb_error *err)
{
    if (r->la) r->o.strategy->join(r->strat);
    drain(r);
    bb_result res = (bb_result)atomic_load(&r->cont_res);
    return res ? fail(r, res, err, r->cont_at, "evaluating the output") : BB_OK;
}

/* Window buffers for every slot up front, so that a pipelined render does not
 * allocate once it runs, however deep its look-ahead goes. */
static bb_result reserve_windows(bb_render *r)
{
    size_t n = r->o.block * window_blocks(r);
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) {
        bb_trig *tr = bb_inst_trig(r->main, t);
        for (size_t i = 0; i < r->nslots; i++)
            if (bb_grow((void **)&tr->wins[i], &tr->wins_cap[i], n, sizeof *tr->wins[i])) return BB_ERR_NOMEM;
    }
    return BB_OK;
}

/* The sample where the last voice of the reload tails ends (INT64_MIN: none). */
static int64_t tails_end(const bb_render *r)
{
    int64_t end = INT64_MIN;
    for (int i = 0; i < r->ntails; i++)
        for (size_t t = 0; t < bb_inst_ntrigs(r->tails[i].inst); t++) {
            const bb_trig *tr = bb_inst_trig(r->tails[i].inst, t);
            for (size_t v = 0; v < tr->nv; v++)
                if (tr->v[v].end > end) end = tr->v[v].end;
        }
    return end;
}

/* The reload tails' voices of w's window into its tailbuf (w->tails: any sounds in it). */
static bb_result mix_tails(bb_render *r, win_slot *w)
{
    w->tail_end = tails_end(r);
    w->tails = w->tail_end > w->k0;
    if (!w->tails) return BB_OK;
    size_t wn = (size_t)(w->k1 - w->k0);
    if (bb_grow((void **)&w->tailbuf, &w->tail_cap, wn, sizeof *w->tailbuf)) return BB_ERR_NOMEM;
    memset(w->tailbuf, 0, wn * sizeof *w->tailbuf);
    for (int i = 0; i < r->ntails; i++)
        for (size_t t = 0; t < bb_inst_ntrigs(r->tails[i].inst); t++)
            bb_trig_mix(bb_inst_trig(r->tails[i].inst, t), w->k0, w->k1, w->tailbuf, r->o.mix_reverse);
    return BB_OK;
}

/* 5. retire: voices that ended by k1 give their buffers back; silent tails go. */
static void retire(bb_render *r, int64_t k1)
{
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) bb_trig_retire(bb_inst_trig(r->main, t), k1, strat_release, r);
    for (int i = r->ntails; i-- > 0;) {
        for (size_t t = 0; t < bb_inst_ntrigs(r->tails[i].inst); t++)
            bb_trig_retire(bb_inst_trig(r->tails[i].inst, t), k1, strat_release, r);
        if (tail_silent(r->tails[i].inst)) {
            gather_counts(r, r->tails[i].inst);
            drop_tail(r, i);
        }
    }
}

/* The window starting at k: up to the strategy's window, the end, the next switch. */
static int64_t window_end(const bb_render *r, int64_t k)
{
    int64_t k1 = k + (int64_t)(r->o.block * window_blocks(r));
    if (k1 > r->o.frames) k1 = r->o.frames;
    if (r->cur + 1 < r->nprogs && k1 > r->switch_at[r->cur + 1]) k1 = r->switch_at[r->cur + 1];
    return k1;
}

/* 1. schedule: the window's voices (and their requests in r->pend), into slot's buffers. */
static bb_result schedule(bb_render *r, int64_t k, int64_t k1, size_t slot, bb_error *err)
{
    bb_result res;
    r->pend.n = 0;
    if ((res = prepare_windows(r->main, k, k1, slot))) return fail(r, res, err, k, "window");
    for (size_t t = 0; t < bb_inst_ntrigs(r->main); t++) {
        bb_trig *tr = bb_inst_trig(r->main, t);
        if ((res = bb_trig_schedule(tr, t ? bb_inst_trig(r->main, t - 1) : NULL, k, k1, &r->pend)))
            return fail_at(r, res, err, k, "scheduling the trigger pattern", tr->def->line, tr->def->col);
    }
    count_sounding(r, k, k1, r->o.block);
    return BB_OK;
}

/* The steps of the window [k, k1). Pipelined (r->la > 0), it waits for a free
 * slot first and its continuous part goes out on another thread, after the
 * windows before it; not pipelined, it goes out at once, here. */
static bb_result run_window(bb_render *r, int64_t k, int64_t k1, double *t0, bb_error *err)
{
    const bb_strategy_ops *ops = r->o.strategy;
    bb_render_times *tm = &r->times;
    const uint64_t q = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (r->la) wait_for_slot(r, q);
    const size_t slot = (size_t)(q % r->nslots);
    bb_result res = schedule(r, k, k1, slot, err);
    if (res) return res;
    lap(r, t0, &tm->schedule_ns);
    /* 2. resolve */
    r->stats.requests += r->pend.n;
    if (r->pend.n) {
        if ((res = ops->resolve(r->strat, k, k1, r->pend.v, r->pend.n))) return fail_synth(r, res, err, k);
        for (size_t i = 0; i < r->pend.n; i++) bb_pending_bind(&r->pend.v[i]);
    }
    lap(r, t0, &tm->resolve_ns);
    /* 3. mix */
    if (ops->mix) {
        if ((res = ops->mix(r->strat, k, k1))) return fail(r, res, err, k, "mixing");
    } else {
        bb_render_mix(r, k, k1);
    }
    win_slot *w = &r->slots[slot];
    w->k0 = k;
    w->k1 = k1;
    if ((res = mix_tails(r, w))) return fail(r, res, err, k, "reload tail");
    lap(r, t0, &tm->mix_ns);
    /* 4. continuous: published, then out (here, or on another thread) */
    atomic_store_explicit(&r->tail, q + 1, memory_order_release);
    if (r->la) {
        start_drain(r);
    } else {
        drain(r);
        lap(r, t0, &tm->continuous_ns);
    }
    /* 5. retire */
    retire(r, k1);
    lap(r, t0, &tm->retire_ns);
    tm->windows += r->o.timing;
    return BB_OK;
}

/* The program offered (bb_render_offer) becomes the next switch when it starts
 * at a whole cycle after the last switch known, where the last program puts
 * that cycle, and not before k (the windows before k are mixed); else it is
 * refused and goes back to the offerer. Render thread, before a window. */
static void take_offer(bb_render *r, int64_t k)
{
    bb_prog *p = atomic_load_explicit(&r->offered, memory_order_relaxed);
    const bb_prog *last = r->progs[r->nprogs - 1];
    bb_rat_clear_overflow();
    bool ok = r->nprogs <= BB_RENDER_RELOADS_MAX && p->c0.den == 1 && bb_rat_cmp(p->c0, last->c0) > 0 &&
              p->s0 >= k && bb_prog_idx(last, p->c0) == p->s0 && !bb_rat_overflowed();
    if (ok) {
        r->switch_at[r->nprogs] = p->s0;
        r->progs[r->nprogs++] = p;
        atomic_store_explicit(&r->offered, NULL, memory_order_relaxed);
    }
    atomic_store_explicit(&r->offer_state, ok ? BB_RENDER_OFFER_TAKEN : BB_RENDER_OFFER_REFUSED, memory_order_release);
}

bb_result bb_render_offer(bb_render *r, bb_prog *p)
{
    if (atomic_load_explicit(&r->offer_state, memory_order_acquire) != BB_RENDER_OFFER_IDLE) return BB_ERR_ARG;
    atomic_store_explicit(&r->offered, p, memory_order_relaxed);
    atomic_store_explicit(&r->offer_state, BB_RENDER_OFFER_PENDING, memory_order_release);
    return BB_OK;
}

int bb_render_offer_poll(bb_render *r, bb_prog **back)
{
    int st = atomic_load_explicit(&r->offer_state, memory_order_acquire);
    *back = NULL;
    if (st == BB_RENDER_OFFER_REFUSED) *back = atomic_exchange(&r->offered, NULL);
    if (st == BB_RENDER_OFFER_TAKEN || st == BB_RENDER_OFFER_REFUSED)
        atomic_store_explicit(&r->offer_state, BB_RENDER_OFFER_IDLE, memory_order_release);
    return st;
}

const bb_prog *bb_render_last_prog(const bb_render *r) { return r->progs[r->nprogs - 1]; }
int64_t bb_render_position(const bb_render *r) { return atomic_load_explicit(&r->pos, memory_order_relaxed); }

/* Before the first window: a pipelined render's window buffers (once). */
static bb_result begin(bb_render *r, bb_error *err)
{
    if (r->begun) return BB_OK;
    r->begun = true;
    r->last_cycle = INT64_MIN;
    r->t0 = r->o.timing ? mono_ns() : 0; /* the steps tile the loop: reloads count as schedule */
    return r->la && reserve_windows(r) ? fail(r, BB_ERR_NOMEM, err, 0, "window") : BB_OK;
}

/* The next window, with the switch before it if one falls there; r->ended once
 * there is none left (the end, a stop, a failure of the output graph, which
 * finish reports). */
static bb_result advance(bb_render *r, bb_error *err)
{
    bb_result res;
    const int64_t k = r->k;
    if (k >= r->o.frames || atomic_load(&r->stopped) || atomic_load(&r->cont_res)) {
        r->ended = true;
        return BB_OK;
    }
    if (atomic_load_explicit(&r->offer_state, memory_order_acquire) == BB_RENDER_OFFER_PENDING) take_offer(r, k);
    if (r->cur + 1 < r->nprogs && k == r->switch_at[r->cur + 1]) {
        /* the pending windows belong to the old output: out before the switch */
        if ((res = drain_all(r, err))) return res;
        if (atomic_load(&r->stopped)) {
            r->ended = true;
            return BB_OK;
        }
        if ((res = do_reload(r, k, err))) return res;
        if (r->la && reserve_windows(r)) return fail(r, BB_ERR_NOMEM, err, k, "window");
    }
    if (!r->steady_taken && k >= r->steady_at) {
        r->a_steady = bb_alloc_snapshot();
        r->stats.busbuf_allocs_steady = r->stats.busbuf_allocs;
        r->steady_taken = true;
    }
    const int64_t k1 = window_end(r, k);
    const bb_prog *p = r->progs[r->cur];
    bb_rat_clear_overflow();
    int64_t c_last = bb_prog_cycle(p, k1 - 1);
    int64_t c_first = bb_prog_cycle(p, k);
    r->stats.cycles += (uint64_t)(c_last - (c_first > r->last_cycle ? c_first - 1 : r->last_cycle));
    r->last_cycle = c_last;
    if ((res = run_window(r, k, k1, &r->t0, err))) return res;
    r->k = k1;
    atomic_store_explicit(&r->pos, k1, memory_order_relaxed);
    return BB_OK;
}

/* After the last window: everything out, the counters gathered (once). */
static bb_result finish(bb_render *r, bb_error *err)
{
    bb_result res = drain_all(r, err);
    if (res) return res;
    r->finished = true;
    if (r->la) r->times.continuous_ns += r->drain_ns;
    gather_counts(r, r->main);
    for (int i = 0; i < r->ntails; i++) gather_counts(r, r->tails[i].inst);
    bb_alloc_stats a1 = bb_alloc_snapshot();
    r->stats.allocs = a1.allocs - r->a0.allocs;
    r->stats.alloc_bytes = a1.bytes - r->a0.bytes;
    if (r->steady_taken) {
        r->stats.allocs_steady = a1.allocs - r->a_steady.allocs;
        r->stats.alloc_bytes_steady = a1.bytes - r->a_steady.bytes;
        r->stats.busbuf_allocs_steady = r->stats.busbuf_allocs - r->stats.busbuf_allocs_steady;
    } else {
        r->stats.busbuf_allocs_steady = 0;
    }
    return BB_OK;
}

/* A failure stops the render: nothing may run on it once the caller has the error. */
static bb_result failed(bb_render *r, bb_result res)
{
    if (r->la) r->o.strategy->join(r->strat);
    r->ended = r->finished = true;
    return res;
}

bb_result bb_render_run(bb_render *r, bb_error *err)
{
    bb_result res = begin(r, err);
    while (!res && !r->ended) res = advance(r, err);
    if (!res && !r->finished) res = finish(r, err);
    return res ? failed(r, res) : BB_OK;
}

bb_result bb_render_step_reserve(bb_render *r, size_t nmax, bb_error *err)
{
    if (r->begun || r->fifo.buf || nmax < 1 || nmax > BB_RENDER_STEP_MAX)
        return bb_error_set(err, BB_ERR_ARG, NULL, 0, 0,
                            "bb_render_step_reserve: once, before the render starts, for 1 to %d frames",
                            BB_RENDER_STEP_MAX);
    /* before the step's last window: fewer than n frames in the FIFO and at most
       nslots windows mixed but not out, which may all go out with the new one */
    const size_t cap = nmax + (r->nslots + 1) * r->o.block * window_blocks(r);
    if (bb_ring_init(&r->fifo, cap)) return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the step FIFO");
    r->step_max = nmax;
    bb_result res = begin(r, err);
    return res ? failed(r, res) : BB_OK;
}


bb_result bb_render_step(bb_render *r, float *out, size_t n, size_t *got, bb_error *err)
{
    *got = 0;
    if (!r->fifo.buf || n > r->step_max)
        return bb_error_set(err, BB_ERR_ARG, NULL, 0, 0, "bb_render_step: more frames than bb_render_step_reserve allowed");
    /* windows until n frames are out (a pipelined render may still be outputting
       the last ones on another thread: more windows, up to its look-ahead) */
    while (bb_ring_avail(&r->fifo) < n && !r->finished) {
        bb_result res = r->ended ? finish(r, err) : advance(r, err);
        if (res) return failed(r, res);
    }
    const size_t avail = bb_ring_avail(&r->fifo), take = avail < n ? avail : n;
    bb_ring_read(&r->fifo, out, take);
    *got = take;
    return BB_OK;
}

bool bb_render_done(bb_render *r) { return r->finished && bb_ring_avail(&r->fifo) == 0; }

void bb_render_close(bb_render *r)
{
    if (!r) return;
    if (r->strat) {
        if (r->main) bb_inst_destroy(r->main, strat_release, r);
        while (r->ntails) drop_tail(r, r->ntails - 1);
        r->o.strategy->close(r->strat);
    } else if (r->main) {
        bb_inst_destroy(r->main, strat_release, r); /* no voice can hold a buffer yet */
    }
    for (int i = 0; i < r->nprogs; i++) bb_prog_free(r->progs[i]);
    bb_free(r->pend.v);
    bb_free(r->out);
    bb_ring_free(&r->fifo);
    bb_prog_free(atomic_load(&r->offered)); /* offered, never taken */
    for (int i = 0; i < BB_TRIG_WINDOWS; i++) bb_free(r->slots[i].tailbuf);
    bb_free(r);
}

const bb_stats *bb_render_stats(const bb_render *r) { return &r->stats; }
const bb_render_times *bb_render_get_times(const bb_render *r) { return &r->times; }
bb_stats *bb_render_counters(bb_render *r) { return &r->stats; }
const bb_render_opts *bb_render_options(const bb_render *r) { return &r->o; }
const bb_prog *bb_render_prog(const bb_render *r) { return r->progs[r->cur]; }
int64_t bb_render_cycle_start(const bb_render *r, int64_t c) { return bb_prog_idx(r->progs[r->cur], bb_rat_int(c)); }
bb_strategy *bb_render_strategy(const bb_render *r) { return r->strat; }
