/* bb_live.h - play a render through a JACK server and measure what it costs.
 *
 * One run: the render of bb_run_cfg (bb_run_open_render) is pulled period by
 * period (bb_render_step) into one JACK output port, either in the server's
 * process callback itself (callback mode) or by a render thread that keeps a
 * lock-free ring of `ahead` periods filled, the callback only copying one
 * period out (ahead mode). The server is the one running (default: JACK's
 * default server, never started by the client), a named one, or a dummy
 * server (`jackd -n NAME -d dummy`) started for the run as a child under a
 * name of its own and stopped at the end.
 *
 * What is measured: xruns (the server's xrun callback), glitches (callbacks
 * that had to output silence because no period was ready), the time of every
 * callback (CLOCK_MONOTONIC at entry and exit), JACK's DSP load (sampled every
 * 100 ms), the latency the client adds (set on its port), whether the server
 * runs real-time. With record set, every frame the callback handed the server
 * for the render (silence of glitches included, the padding after the end
 * excluded) is kept, through a second ring to a writer thread.
 *
 * With watch, a thread waits on inotify for the program's file to be written
 * (or renamed into place, as editors save), parses and compiles it there,
 * never on the audio thread, and offers it to the render (bb_render_offer) to
 * switch at the next cycle boundary the render reaches; each switch is
 * logged on stdout with its cycle, and a save that does not compile is
 * reported as file:line:col on stderr while the previous program plays on.
 *
 * Units: frames, Hz; times in ns unless named _us. */
#ifndef BB_LIVE_H
#define BB_LIVE_H

#include "bb_run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BB_LIVE_PERIOD_MIN = 16,
    BB_LIVE_PERIOD_MAX = 8192,   /* frames per callback (JACK's own limit) */
    BB_LIVE_AHEAD_MAX = 1024,    /* periods a render thread may run ahead */
    BB_LIVE_SERVER_WAIT_MS = 10000, /* how long a started dummy server may take to answer */
    BB_LIVE_NAME_MAX = 64        /* bytes of a server name, with the NUL */
};

typedef enum { BB_LIVE_CALLBACK, BB_LIVE_AHEAD } bb_live_mode;

typedef struct bb_live_cfg {
    bb_run_cfg run;          /* the render (its sr: asked of a dummy server; another server's rate wins) */
    size_t period;           /* frames per callback asked of a dummy server */
    bb_live_mode mode;
    size_t ahead;            /* ahead mode: periods in the ring (>= 1) */
    bool dummy;              /* start a dummy server of our own */
    const char *server;      /* the server's name (NULL: JACK's default); ignored with dummy */
    bool record;             /* keep what went to the server (bb_live_out.rec) */
    bool watch;              /* recompile run.program when it changes on disk and switch to it */
    volatile int *interrupt; /* when *interrupt becomes non-zero the run stops early (may be NULL) */
} bb_live_cfg;

/* A switch made by --watch: at this cycle, to the program saved here (a
 * temporary copy of the bytes compiled, removed by bb_live_out_free), so that
 * the offline comparison replays it as --reload-at CYCLE:PATH. */
typedef struct bb_live_reload {
    int64_t cycle;
    int64_t frame;           /* where it falls (the last program's sample of cycle) */
    char path[64];
} bb_live_reload;

typedef struct bb_live_out {
    char server_name[BB_LIVE_NAME_MAX];
    uint32_t sr, period;     /* what the server ran at */
    bool realtime;           /* jack_is_realtime */
    bool render_rt;          /* ahead mode: the render thread got real-time priority (the server's - 1) */
    bool interrupted;        /* stopped by *interrupt before the end */
    uint64_t callbacks;      /* process callbacks while the render played */
    uint64_t xruns, glitches;
    uint64_t frames;         /* frames of the render that went to the server */
    double cb_p50_ns, cb_p99_ns, cb_p999_ns, cb_max_ns; /* callback time quantiles (NaN: none) */
    double load_mean, load_max; /* jack_cpu_load, percent */
    size_t latency_frames;   /* the client's own: the ring (ahead) plus the render's window latency */
    uint64_t voices_peak;
    bb_stats stats;          /* the render's counters */
    float *rec;              /* with cfg.record: bb_malloc'ed, the caller frees (bb_live_out_free) */
    size_t nrec;
    bool rec_lost;           /* the writer thread fell behind: rec is incomplete */
    char first_path[64];     /* --watch: a copy of the program as first played (removed by bb_live_out_free) */
    bb_live_reload reloads[BB_RENDER_RELOADS_MAX]; /* --watch: the switches made, in order */
    int nreloads;
    uint64_t bad_saves;      /* --watch: saves that did not compile (reported, not played) */
    double reload_cb_max_ns; /* --watch: the longest callback of the 21 around each switch's frame */
} bb_live_out;

/* Play c's render through the server and fill out. Returns BB_OK when the
 * render played to its end (or to *interrupt); BB_ERR_IO when no server
 * answers (with the name tried), a dummy server cannot start, or the server
 * went away during the run (err says at which frame); the render's own errors;
 * BB_ERR_NOMEM. Never leaves a started server or thread behind. out is
 * freeable with bb_live_out_free in every case. */
bb_result bb_live_run(const bb_live_cfg *c, bb_live_out *out, bb_error *err);
void bb_live_out_free(bb_live_out *o);

#endif
