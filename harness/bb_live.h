/* bb_live.h - play a render through a JACK server and measure what it costs.
 *
 * One run: the render of bb_run_cfg (bb_run_open_render) is pulled period by
 * period (bb_render_step) into one JACK output port, either in the server's
 * process callback itself (callback mode) or by a render thread that keeps a
 * lock-free ring of `ahead` periods filled, the callback only copying one
 * period out (ahead mode). The server is the one running (default: JACK's
 * default server, never started by the client), a named one, or a dummy
 * server (`jackd -n NAME -d dummy`, bb_jackd.h) started for the run as a
 * child under a name of its own and stopped at the end. A server at another
 * rate than asked (--sr) is an error; with no rate asked, the render follows
 * the server's; at another period than asked it plays at its own, reported.
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

#include "bb_jackd.h"
#include "bb_run.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BB_LIVE_PERIOD_MIN = 16,
    BB_LIVE_PERIOD_MAX = 8192,   /* frames per callback (JACK's own limit) */
    BB_LIVE_AHEAD_MAX = 1024,    /* periods a render thread may run ahead */
    BB_LIVE_PERIOD_DEFAULT = 256 /* a dummy server's period when none is asked */
};

typedef enum { BB_LIVE_CALLBACK, BB_LIVE_AHEAD } bb_live_mode;

typedef struct bb_live_cfg {
    bb_run_cfg run;          /* the render; its sr: a dummy server starts at it */
    bool sr_asked;           /* run.sr was asked for (--sr): a server at another rate is an error
                                (BB_ERR_ARG); otherwise the render follows the server's rate */
    size_t period;           /* frames per callback asked (0: none; a dummy server starts at it, or at
                                BB_LIVE_PERIOD_DEFAULT); a server at another period plays at its own,
                                and bb_live_out.period_asked says so */
    bb_live_mode mode;
    size_t ahead;            /* ahead mode: periods in the ring (>= 1) */
    bool dummy;              /* start a dummy server of our own */
    const char *server;      /* the server's name (NULL: JACK's default); ignored with dummy */
    bool record;             /* keep what went to the server (bb_live_out.rec) */
    bool watch;              /* recompile run.program when it changes on disk and switch to it */
    volatile int *interrupt; /* when *interrupt becomes non-zero the run stops early (may be NULL) */
    atomic_bool *playing;    /* set once the server calls the client, the render ready (may be NULL) */
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
    char server_name[BB_JACKD_NAME_MAX];
    uint32_t sr, period;     /* what the server ran at */
    uint32_t sr_asked, period_asked; /* what the run asked for (0: nothing): differ from sr, period
                                        when the server runs otherwise */
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

/* True on the thread that runs the process callback, while it runs (set at its
 * entry, cleared at its exit): what the tests' lock counter looks at, to count
 * the locks taken by the callback and nothing else. */
extern _Thread_local bool bb_live_in_process;

/* Play c's render through the server and fill out. Returns BB_OK when the
 * render played to its end (or to *interrupt); BB_ERR_IO when no server
 * answers (with the name tried), a dummy server cannot start, or the server
 * went away during the run (err says at which frame); BB_ERR_ARG when the
 * server runs at another rate than c->sr_asked asked for; the render's own
 * errors; BB_ERR_NOMEM. Never leaves a started server or thread behind. out is
 * freeable with bb_live_out_free in every case. */
bb_result bb_live_run(const bb_live_cfg *c, bb_live_out *out, bb_error *err);
void bb_live_out_free(bb_live_out *o);

#endif
