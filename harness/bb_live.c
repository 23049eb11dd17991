/* bb_live.c - a JACK client that plays a render and measures it (bb_live.h).
 *
 * Threads: the caller's (set-up, a 20 ms polling loop that samples the DSP
 * load and waits for the end, tear-down); JACK's process thread (real-time
 * when the server is); in ahead mode a render thread (real-time one step
 * below the process thread when the server is real-time); with record a
 * writer thread; with watch a watcher thread (inotify, compiling); JACK's
 * notification thread (xruns, shutdown: atomic flags only).
 *
 * In ahead mode the process callback never allocates, locks, waits or does
 * I/O: it reads the clock, copies from one ring and into another (bb_ring: a
 * single-producer single-consumer FIFO over C11 atomics) and posts a
 * semaphore (sem_post neither blocks nor locks) to wake the render thread
 * (bb_live_in_process is up while it runs: suite live counts the locks taken
 * then, and finds none). In
 * callback mode it calls bb_render_step, which renders a whole window when the
 * FIFO inside the render runs dry: the render's own work, with whatever the
 * strategy does (a pipelined batch joins its output task there); that cost
 * is what callback mode measures.
 *
 * Glitches: in ahead mode a callback that finds less than a period in the
 * ring outputs silence and takes nothing (the render is not skipped: later
 * periods come late, as a listener would hear them), and the silence is
 * recorded, so the recording differs from the offline render from the first
 * glitch on. The end: when the render thread has put the last frames in the
 * ring (ahead) or bb_render_step returns fewer frames than asked (callback),
 * the rest of that period is padded with silence (not recorded) and the run
 * ends.
 *
 * Latency (bb_live_out.latency_frames): frames the client commits before they
 * are heard, beyond the server's own buffers: ahead mode, the ring
 * (ahead x period) plus the render's window latency
 * (bb_render_latency_blocks x block); callback mode, the window latency alone.
 * It is set on the port as its playback latency (jack_port_set_latency_range). */
#define _GNU_SOURCE
#include "bb_live.h"

#include "bb_alloc.h"
#include "bb_jackd.h"
#include "bb_ring.h"
#include "bb_stats.h"

#include <jack/jack.h>
#include <jack/thread.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

enum {
    POLL_MS = 20,            /* the caller's loop */
    LOAD_EVERY = 5,          /* polls between DSP load samples (100 ms) */
    REC_RING_SECONDS = 2,    /* the record ring: the writer may fall this far behind */
    WRITER_SLEEP_MS = 10,
    RELOAD_AROUND = 10       /* periods either side of a switch for reload_cb_max_ns */
};

/* ---- the run's state ------------------------------------------------------ */

typedef struct live {
    const bb_live_cfg *c;
    bb_render *r;
    bb_kit *kit;
    jack_client_t *client;
    jack_port_t *port;
    pid_t server_pid;
    size_t period, latency;
    /* ahead mode */
    bb_ring ahead;
    float *tmp;
    sem_t wake;
    bool sem_ok, render_th_ok, render_rt;
    pthread_t render_th;
    atomic_bool render_ended, stop_render;
    atomic_int render_res;
    bb_error render_err;   /* written by whoever steps the render, read after it stopped */
    /* record */
    bb_ring rec;
    float *recbuf;
    size_t nrec, reccap;
    bool writer_ok;
    pthread_t writer;
    atomic_bool stop_writer, rec_lost;
    /* watch */
    bool watch_ok;
    pthread_t watcher;
    atomic_bool stop_watch;
    bb_live_out *out;      /* the watcher logs its switches here */
    /* measures */
    double *cb_ns;
    size_t cb_cap;
    atomic_size_t ncb;
    atomic_uint_fast64_t callbacks, xruns, glitches, frames;
    atomic_bool done, shutdown;
} live;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static void quiet(const char *msg) { (void)msg; }

/* ---- the process callback ------------------------------------------------- */

/* Frames of this period from the render into out (callback mode); *end at its end. */
static size_t pull_callback(live *L, float *out, size_t n, bool *end)
{
    size_t got = 0;
    bb_result res = bb_render_step(L->r, out, n, &got, &L->render_err);
    if (res) atomic_store(&L->render_res, (int)res);
    *end = res || got < n;
    return got;
}

/* Frames of this period from the ring into out (ahead mode); *end at the
 * render's end; *glitch when nothing was ready. */
static size_t pull_ahead(live *L, float *out, size_t n, bool *end, bool *glitch)
{
    const bool ended = atomic_load_explicit(&L->render_ended, memory_order_acquire); /* before avail */
    const size_t avail = bb_ring_avail(&L->ahead);
    size_t got = 0;
    if (avail >= n) {
        bb_ring_read(&L->ahead, out, n);
        got = n;
    } else if (ended) {
        bb_ring_read(&L->ahead, out, avail);
        got = avail;
        *end = true;
    } else {
        *glitch = true;
    }
    sem_post(&L->wake);
    return got;
}

/* Keep n frames of x (NULL: silence) for the writer thread. */
static void record(live *L, const float *x, size_t n)
{
    if (!L->c->record || !n) return;
    if (bb_ring_space(&L->rec) < n) {
        atomic_store(&L->rec_lost, true);
        return;
    }
    bb_ring_write(&L->rec, x, n);
}

_Thread_local bool bb_live_in_process;

static int on_process(jack_nframes_t nframes, void *arg)
{
    bb_live_in_process = true;
    live *L = arg;
    const double t0 = now_ns();
    const size_t n = nframes;
    float *out = jack_port_get_buffer(L->port, nframes);
    if (atomic_load_explicit(&L->done, memory_order_relaxed)) {
        memset(out, 0, n * sizeof *out);
        bb_live_in_process = false;
        return 0;
    }
    bool end = false, glitch = false;
    size_t got = L->c->mode == BB_LIVE_CALLBACK ? pull_callback(L, out, n, &end) : pull_ahead(L, out, n, &end, &glitch);
    memset(out + got, 0, (n - got) * sizeof *out);
    record(L, glitch ? NULL : out, glitch ? n : got);
    atomic_fetch_add_explicit(&L->glitches, glitch, memory_order_relaxed);
    atomic_fetch_add_explicit(&L->frames, got, memory_order_relaxed);
    atomic_fetch_add_explicit(&L->callbacks, 1, memory_order_relaxed);
    size_t i = atomic_load_explicit(&L->ncb, memory_order_relaxed);
    if (i < L->cb_cap) {
        L->cb_ns[i] = now_ns() - t0;
        atomic_store_explicit(&L->ncb, i + 1, memory_order_release);
    }
    if (end) atomic_store_explicit(&L->done, true, memory_order_release);
    bb_live_in_process = false;
    return 0;
}

static int on_xrun(void *arg)
{
    live *L = arg;
    atomic_fetch_add(&L->xruns, 1);
    return 0;
}

static void on_shutdown(void *arg)
{
    live *L = arg;
    atomic_store(&L->shutdown, true);
}

static void on_latency(jack_latency_callback_mode_t mode, void *arg)
{
    live *L = arg;
    if (mode != JackPlaybackLatency) return;
    jack_latency_range_t range;
    jack_port_get_latency_range(L->port, JackPlaybackLatency, &range);
    range.min += (jack_nframes_t)L->latency;
    range.max += (jack_nframes_t)L->latency;
    jack_port_set_latency_range(L->port, JackPlaybackLatency, &range);
}

/* ---- the render thread (ahead mode) and the writer thread ------------------ */

static void *render_main(void *arg)
{
    live *L = arg;
    while (!atomic_load(&L->stop_render)) {
        if (bb_ring_space(&L->ahead) < L->period) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            sem_timedwait(&L->wake, &ts);
            continue;
        }
        size_t got = 0;
        bb_result res = bb_render_step(L->r, L->tmp, L->period, &got, &L->render_err);
        if (res) {
            atomic_store(&L->render_res, (int)res);
            break;
        }
        bb_ring_write(&L->ahead, L->tmp, got);
        if (got < L->period) break;
    }
    atomic_store_explicit(&L->render_ended, true, memory_order_release);
    return NULL;
}

static void *writer_main(void *arg)
{
    live *L = arg;
    for (;;) {
        const bool stop = atomic_load(&L->stop_writer); /* before avail: nothing is written after stop */
        size_t a = bb_ring_avail(&L->rec);
        if (a) {
            if (L->nrec + a > L->reccap && bb_grow((void **)&L->recbuf, &L->reccap, L->nrec + a, sizeof *L->recbuf)) {
                atomic_store(&L->rec_lost, true);
                float sink[256];
                while (a) {
                    size_t k = a < 256 ? a : 256;
                    bb_ring_read(&L->rec, sink, k);
                    a -= k;
                }
                continue;
            }
            bb_ring_read(&L->rec, L->recbuf + L->nrec, a);
            L->nrec += a;
        } else if (stop) {
            break;
        } else {
            sleep_ms(WRITER_SLEEP_MS);
        }
    }
    return NULL;
}

/* ---- the watcher (--watch) ----------------------------------------------------- */

/* The bytes of path (bb_malloc'ed, *n of them), or NULL with err set. */
static char *slurp(const char *path, size_t *n, bb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    char *b = bb_malloc(BB_PH_SRC_MAX + 1);
    size_t got = b ? fread(b, 1, BB_PH_SRC_MAX + 1, f) : 0;
    fclose(f);
    if (!b || got > BB_PH_SRC_MAX) {
        bb_free(b);
        bb_error_set(err, b ? BB_ERR_LIMIT : BB_ERR_NOMEM, path, 0, 0, "more than BB_PH_SRC_MAX bytes, or no memory");
        return NULL;
    }
    *n = got;
    return b;
}

/* src compiled to start at the next cycle boundary the render has not passed. */
static bb_result compile_next(live *L, const char *src, size_t n, bb_prog **out, int64_t *cycle, bb_error *err)
{
    const bb_prog *last = bb_render_last_prog(L->r);
    bb_rat_clear_overflow();
    int64_t c = bb_prog_cycle(last, bb_render_position(L->r)) + 1;
    if (c <= last->c0.num) c = last->c0.num + 1;
    int64_t s0 = bb_prog_idx(last, bb_rat_int(c));
    if (bb_rat_overflowed()) return bb_error_set(err, BB_ERR_OVERFLOW, L->c->run.program, 0, 0, "reload cycle too far");
    bb_ph *ph;
    bb_result res = bb_ph_parse(src, n, L->c->run.program, &ph, err);
    if (res) return res;
    const bb_render_opts *ro = bb_render_options(L->r);
    bb_prog_opts po = {.sr = ro->sr, .kit = ro->kit, .c0 = bb_rat_int(c), .s0 = s0, .stack = ro->stack};
    *cycle = c;
    return bb_prog_compile(ph, &po, out, err);
}

/* src[0..n) to a fresh /tmp/busbench-watch-XXXXXX named in path (empty on failure). */
static bool save_copy(const char *src, size_t n, char path[64])
{
    snprintf(path, 64, "/tmp/busbench-watch-XXXXXX");
    int fd = mkstemp(path);
    bool saved = fd >= 0 && write(fd, src, n) == (ssize_t)n;
    if (fd >= 0) close(fd);
    if (!saved && fd >= 0) unlink(path);
    if (!saved) path[0] = 0;
    return saved;
}

/* The bytes compiled, kept for the offline comparison; the switch logged. */
static void log_switch(live *L, const char *src, size_t n, int64_t cycle)
{
    bb_live_out *o = L->out;
    bb_live_reload *rl = &o->reloads[o->nreloads];
    bool saved = save_copy(src, n, rl->path);
    rl->cycle = cycle;
    rl->frame = bb_prog_idx(bb_render_last_prog(L->r), bb_rat_int(cycle));
    if (saved) o->nreloads++;
    printf("watch: %s changed: switching at cycle %lld (%.3f s)%s\n", L->c->run.program, (long long)cycle,
           (double)rl->frame / (double)bb_render_options(L->r)->sr,
           saved ? "" : " (its copy could not be saved: the offline comparison will not replay it)");
    fflush(stdout);
}

/* The program's file changed: compile it and offer it until the render takes it. */
static void watch_reload(live *L)
{
    bb_error err;
    bb_error_clear(&err);
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    size_t n = 0;
    char *src = slurp(L->c->run.program, &n, &err);
    bb_result res = src ? BB_OK : BB_ERR_IO;
    while (!res && !atomic_load(&L->stop_watch)) {
        if (L->out->nreloads >= BB_RENDER_RELOADS_MAX) {
            res = bb_error_set(&err, BB_ERR_LIMIT, L->c->run.program, 0, 0, "more than %d reloads",
                               BB_RENDER_RELOADS_MAX);
            break;
        }
        bb_prog *p, *back;
        int64_t cycle = 0;
        if ((res = compile_next(L, src, n, &p, &cycle, &err))) break;
        bb_render_offer(L->r, p);
        int st;
        while ((st = bb_render_offer_poll(L->r, &back)) == BB_RENDER_OFFER_PENDING && !atomic_load(&L->stop_watch))
            sleep_ms(1);
        if (st == BB_RENDER_OFFER_TAKEN) {
            log_switch(L, src, n, cycle);
            break;
        }
        bb_prog_free(back); /* refused: the render passed that cycle meanwhile; try the next */
    }
    if (res) {
        L->out->bad_saves++;
        fprintf(stderr, "busbench live: %s (the previous program keeps playing)\n", bb_error_format(&err, msg, sizeof msg));
    }
    bb_free(src);
}

static void *watch_main(void *arg)
{
    live *L = arg;
    char dir[4096], base[256];
    const char *path = L->c->run.program, *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path) snprintf(dir, sizeof dir, "/");
    snprintf(base, sizeof base, "%s", slash ? slash + 1 : path);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        fprintf(stderr, "busbench live: cannot watch %s: %s\n", dir, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (!atomic_load(&L->stop_watch)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0) continue;
        ssize_t len = read(fd, buf, sizeof buf);
        bool ours = false;
        for (ssize_t i = 0; i < len;) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + i);
            ours |= ev->len && !strcmp(ev->name, base);
            i += (ssize_t)(sizeof *ev + ev->len);
        }
        if (ours) watch_reload(L);
    }
    close(fd);
    return NULL;
}

/* Open the client `as` on server name (NULL: the default), never starting one. */
static bb_result client_open(live *L, const char *as, const char *name, bb_error *err)
{
    jack_status_t st;
    const jack_options_t opt = name ? (jack_options_t)(JackNoStartServer | JackServerName) : JackNoStartServer;
    L->client = name ? jack_client_open(as, opt, &st, name) : jack_client_open(as, opt, &st);
    if (L->client) return BB_OK;
    return bb_error_set(err, BB_ERR_IO, "--server", 0, 0,
                        "no JACK server '%s' answers (status 0x%x): start one (jackd -d alsa, or pw-jack) "
                        "or use --server dummy",
                        name ? name : "default", (unsigned)st);
}

/* ---- set-up, the run, tear-down --------------------------------------------- */

/* The port, the callbacks, the rings and threads' memory, the FIFO of the
 * render: everything allocated before the server calls us. */
static bb_result client_setup(live *L, bb_error *err)
{
    jack_set_process_callback(L->client, on_process, L);
    jack_set_xrun_callback(L->client, on_xrun, L);
    jack_set_latency_callback(L->client, on_latency, L);
    jack_on_shutdown(L->client, on_shutdown, L);
    L->port = jack_port_register(L->client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
    if (!L->port) return bb_error_set(err, BB_ERR_IO, "jack", 0, 0, "cannot register the output port");
    L->period = jack_get_buffer_size(L->client);
    const bb_render_opts *ro = bb_render_options(L->r);
    L->latency = bb_render_latency_blocks(L->r) * ro->block + (L->c->mode == BB_LIVE_AHEAD ? L->c->ahead * L->period : 0);
    const size_t periods = (size_t)ro->frames / L->period + 1;
    L->cb_cap = 2 * periods + 1024;
    if (!(L->cb_ns = bb_calloc(L->cb_cap, sizeof *L->cb_ns))) return BB_ERR_NOMEM;
    bb_result res = bb_render_step_reserve(L->r, BB_LIVE_PERIOD_MAX, err);
    if (res) return res;
    if (L->c->mode == BB_LIVE_AHEAD) {
        if ((res = bb_ring_init(&L->ahead, L->c->ahead * L->period))) return res;
        if (!(L->tmp = bb_calloc(L->period, sizeof *L->tmp))) return BB_ERR_NOMEM;
    }
    if (L->c->record) {
        size_t cap = (size_t)ro->sr * REC_RING_SECONDS;
        if ((res = bb_ring_init(&L->rec, cap < 16 * L->period ? 16 * L->period : cap))) return res;
        L->reccap = (size_t)ro->frames + 64 * L->period; /* room for some glitches: no growth while playing */
        if (!(L->recbuf = bb_malloc(L->reccap * sizeof *L->recbuf))) return BB_ERR_NOMEM;
    }
    return BB_OK;
}

/* Ahead mode: the render thread, and the ring full (or the render over) before
 * the first callback. */
static bb_result start_render_thread(live *L, bb_error *err)
{
    if (L->c->mode != BB_LIVE_AHEAD) return BB_OK;
    if (pthread_create(&L->render_th, NULL, render_main, L))
        return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "cannot start the render thread");
    L->render_th_ok = true;
    /* real-time just below the server's process thread, as the server's own clients do */
    int prio = jack_client_real_time_priority(L->client);
    if (jack_is_realtime(L->client) && prio > 1) L->render_rt = !jack_acquire_real_time_scheduling(L->render_th, prio - 1);
    while (bb_ring_space(&L->ahead) >= L->period && !atomic_load(&L->render_ended) &&
           !(L->c->interrupt && *L->c->interrupt))
        sleep_ms(1);
    return BB_OK;
}

/* Our port to the first two physical playback ports, if there are any. */
static void connect_out(live *L)
{
    const char **ports = jack_get_ports(L->client, NULL, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput);
    for (int i = 0; ports && ports[i] && i < 2; i++) jack_connect(L->client, jack_port_name(L->port), ports[i]);
    if (ports) jack_free(ports);
}

/* Until the render has gone out, the server went away or *interrupt; the DSP load sampled. */
static void play(live *L, bb_live_out *o)
{
    double load_sum = 0;
    size_t nload = 0;
    for (int t = 0; !atomic_load(&L->done) && !atomic_load(&L->shutdown); t++) {
        if (L->c->interrupt && *L->c->interrupt) {
            o->interrupted = true;
            break;
        }
        sleep_ms(POLL_MS);
        if (t % LOAD_EVERY == LOAD_EVERY - 1 && !atomic_load(&L->shutdown)) {
            double l = (double)jack_cpu_load(L->client);
            load_sum += l;
            nload++;
            if (l > o->load_max) o->load_max = l;
        }
    }
    o->load_mean = nload ? load_sum / (double)nload : (double)NAN;
    if (!nload) o->load_max = (double)NAN;
}

/* The threads stopped and joined, the client closed, the server stopped. */
static void teardown(live *L)
{
    if (L->watch_ok) {
        atomic_store(&L->stop_watch, true);
        pthread_join(L->watcher, NULL);
        L->watch_ok = false;
    }
    if (L->client && !atomic_load(&L->shutdown)) jack_deactivate(L->client);
    if (L->render_th_ok) {
        atomic_store(&L->stop_render, true);
        sem_post(&L->wake);
        pthread_join(L->render_th, NULL);
        L->render_th_ok = false;
    }
    if (L->writer_ok) {
        atomic_store(&L->stop_writer, true);
        pthread_join(L->writer, NULL);
        L->writer_ok = false;
    }
    if (L->client) jack_client_close(L->client);
    L->client = NULL;
    bb_jackd_stop(&L->server_pid);
}

static void gather(live *L, bb_live_out *o)
{
    o->callbacks = atomic_load(&L->callbacks);
    o->xruns = atomic_load(&L->xruns);
    o->glitches = atomic_load(&L->glitches);
    o->frames = atomic_load(&L->frames);
    o->latency_frames = L->latency;
    o->render_rt = L->render_rt;
    bb_latency lat = {.p50 = (double)NAN, .p99 = (double)NAN, .p999 = (double)NAN, .max = (double)NAN};
    size_t n = atomic_load(&L->ncb);
    if (n) bb_stats_latency(L->cb_ns, n, (double)L->period * 1e9 / (double)o->sr, &lat);
    o->cb_p50_ns = lat.p50;
    o->cb_p99_ns = lat.p99;
    o->cb_p999_ns = lat.p999;
    o->cb_max_ns = lat.max;
    for (int k = 0; k < o->nreloads; k++) { /* the callbacks that played the 21 periods around the switch */
        size_t c0 = (size_t)(o->reloads[k].frame / (int64_t)L->period);
        for (size_t i = c0 > RELOAD_AROUND ? c0 - RELOAD_AROUND : 0; i <= c0 + RELOAD_AROUND && i < n; i++)
            if (L->cb_ns[i] > o->reload_cb_max_ns) o->reload_cb_max_ns = L->cb_ns[i];
    }
    o->stats = *bb_render_stats(L->r);
    o->voices_peak = o->stats.voices_peak;
    o->rec_lost = atomic_load(&L->rec_lost);
    o->rec = L->recbuf;
    o->nrec = L->nrec;
    L->recbuf = NULL;
}

/* The server: a dummy of our own (started at the run's rate and period, its name in o), or the one named.
 * On a dummy of our own the client is named after it (bb_jackd_client_name: two tests at a time, each
 * with a client "busbench" on its own server, failed with status 0x21 "Cannot notify add client"). */
static bb_result connect_server(live *L, bb_live_out *o, bb_error *err)
{
    const char *name = L->c->server;
    char as[BB_JACKD_NAME_MAX] = "busbench";
    if (L->c->dummy) {
        bb_jackd_name(o->server_name);
        name = o->server_name;
        bb_result res = bb_jackd_start(name, L->c->run.sr, L->c->period ? L->c->period : BB_LIVE_PERIOD_DEFAULT,
                                       &L->server_pid, err);
        if (res) return res;
        bb_jackd_client_name(name, as);
    } else {
        snprintf(o->server_name, sizeof o->server_name, "%s", name ? name : "default");
    }
    return client_open(L, as, name, err);
}

/* --watch: the program's bytes as the render compiled them, saved (o->first_path)
 * for the offline comparison: read before and after the render is opened,
 * equal (a save in between: again). */
static bb_result open_watched(live *L, const bb_run_cfg *rc, bb_live_out *o, bb_error *err)
{
    for (int tries = 0;; tries++) {
        size_t n0 = 0, n1 = 0;
        char *a = slurp(rc->program, &n0, err), *b = NULL;
        bb_result res = a ? bb_run_open_render(rc, NULL, NULL, NULL, &L->kit, &L->r, err) : BB_ERR_IO;
        if (!res && !(b = slurp(rc->program, &n1, err))) res = BB_ERR_IO;
        bool same = !res && n0 == n1 && !memcmp(a, b, n0);
        if (same && !save_copy(a, n0, o->first_path))
            res = bb_error_set(err, BB_ERR_IO, "/tmp", 0, 0, "cannot save a copy of %s", rc->program);
        bb_free(a);
        bb_free(b);
        if (res || same) return res;
        bb_render_close(L->r);
        bb_kit_destroy(L->kit);
        L->r = NULL;
        L->kit = NULL;
        if (tries == 10) return bb_error_set(err, BB_ERR_IO, rc->program, 0, 0, "keeps changing: cannot start");
    }
}

/* The render at rate sr: opened before any server is met, at the run's rate (a program
 * that does not compile is bad input, and no server is started for it). */
static bb_result open_render(live *L, int sr, bb_live_out *o, bb_error *err)
{
    bb_run_cfg rc = L->c->run;
    rc.sr = sr;
    bb_result res = L->c->watch ? open_watched(L, &rc, o, err) : bb_run_open_render(&rc, NULL, NULL, NULL, &L->kit, &L->r, err);
    /* a watched program compiles while the render plays: the kit must not change then */
    if (!res && L->c->watch && bb_kit_use_all(L->kit))
        res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the sample kit");
    return res;
}

/* The server's rate and period against what was asked. A rate asked for
 * (sr_asked) and not the server's is an error: the run would not be what was
 * asked, and a client cannot change a running server's rate. Otherwise the
 * render is opened again at the server's rate (the same music: times and
 * pitches are in seconds and Hz). Another period than asked is played and
 * reported (o->period_asked): changing a running server's period would change
 * every client's latency. */
static bb_result match_server(live *L, bb_live_out *o, bb_error *err)
{
    o->sr = jack_get_sample_rate(L->client);
    o->period = jack_get_buffer_size(L->client);
    o->realtime = jack_is_realtime(L->client) != 0;
    o->sr_asked = L->c->sr_asked || L->c->dummy ? (uint32_t)L->c->run.sr : 0;
    o->period_asked = (uint32_t)L->c->period;
    if ((int)o->sr == L->c->run.sr) return BB_OK;
    if (L->c->sr_asked)
        return bb_error_set(err, BB_ERR_ARG, "--sr", 0, 0,
                            "the JACK server '%s' runs at %u Hz, not the %d Hz asked: start it at %d Hz, or leave "
                            "--sr out to play at the server's rate",
                            o->server_name, o->sr, L->c->run.sr, L->c->run.sr);
    bb_render_close(L->r);
    bb_kit_destroy(L->kit);
    L->r = NULL;
    L->kit = NULL;
    return open_render(L, (int)o->sr, o, err);
}

bb_result bb_live_run(const bb_live_cfg *c, bb_live_out *o, bb_error *err)
{
    memset(o, 0, sizeof *o);
    live *L = bb_calloc(1, sizeof *L);
    if (!L) return bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "no memory for the live run");
    L->c = c;
    L->out = o;
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    bb_error_clear(&L->render_err);
    L->sem_ok = sem_init(&L->wake, 0, 0) == 0;
    bb_result res = L->sem_ok ? open_render(L, c->run.sr, o, err) : bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "sem_init");
    if (!res) res = connect_server(L, o, err);
    if (!res) res = match_server(L, o, err);
    if (!res) res = client_setup(L, err);
    if (!res && c->record && pthread_create(&L->writer, NULL, writer_main, L))
        res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "cannot start the writer thread");
    else if (!res && c->record)
        L->writer_ok = true;
    if (!res) res = start_render_thread(L, err);
    if (!res && c->watch) {
        if (pthread_create(&L->watcher, NULL, watch_main, L))
            res = bb_error_set(err, BB_ERR_NOMEM, NULL, 0, 0, "cannot start the watcher thread");
        else
            L->watch_ok = true;
    }
    if (!res && jack_activate(L->client)) res = bb_error_set(err, BB_ERR_IO, "jack", 0, 0, "cannot activate the client");
    if (!res) {
        connect_out(L);
        if (c->playing) atomic_store(c->playing, true);
        play(L, o);
    }
    if (L->client && atomic_load(&L->shutdown) && !res)
        res = bb_error_set(err, BB_ERR_IO, "jack", 0, 0, "the JACK server '%s' went away after %llu frames (%.3f s)",
                           o->server_name, (unsigned long long)atomic_load(&L->frames),
                           (double)atomic_load(&L->frames) / (o->sr ? (double)o->sr : 1.0));
    teardown(L);
    if (!res && (res = (bb_result)atomic_load(&L->render_res))) *err = L->render_err;
    if (L->r) gather(L, o);
    bb_render_close(L->r);
    bb_kit_destroy(L->kit);
    bb_free(L->cb_ns);
    bb_ring_free(&L->ahead);
    bb_ring_free(&L->rec);
    bb_free(L->recbuf);
    bb_free(L->tmp);
    if (L->sem_ok) sem_destroy(&L->wake);
    bb_free(L);
    return res;
}

void bb_live_out_free(bb_live_out *o)
{
    for (int i = 0; i < o->nreloads; i++) unlink(o->reloads[i].path);
    o->nreloads = 0;
    if (o->first_path[0]) unlink(o->first_path);
    o->first_path[0] = 0;
    bb_free(o->rec);
    o->rec = NULL;
    o->nrec = 0;
}
