/* bb_testutil.h - helpers shared by the test suites: render a program held in a
 * string, under a strategy, into memory; write a temporary file; compare. */
#ifndef BB_TESTUTIL_H
#define BB_TESTUTIL_H

#include "bb_alloc.h"
#include "bb_render.h"
#include "bb_variant.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct tu_out {
    float *x;
    size_t n, cap;
    bb_stats st;
    bb_render_times times;   /* zero unless tu_cfg.timing */
    bb_result res;
    char msg[640];
    size_t stop_at;          /* tu_cfg.stop_after */
    pthread_t sink_thread;   /* where the sink was last called */
    int stops, stops_off_sink_thread; /* the stop hook's calls; those on another thread than the sink's */
} tu_out;

static void tu_sink(void *ctx, int64_t k0, const float *y, size_t n)
{
    (void)k0;
    tu_out *o = ctx;
    o->sink_thread = pthread_self();
    /* plain realloc: the test's own storage is not the render's allocation */
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2;
        o->x = realloc(o->x, o->cap * sizeof *o->x);
        if (!o->x) abort();
    }
    memcpy(o->x + o->n, y, n * sizeof *y);
    o->n += n;
}

/* The stop hook of tu_cfg.stop_after: true once that many samples have gone to the sink. */
static bool tu_stop(void *ctx)
{
    tu_out *o = ctx;
    o->stops++;
    o->stops_off_sink_thread += !pthread_equal(o->sink_thread, pthread_self());
    return o->n >= o->stop_at;
}

/* ---- temporary files: made under /tmp, removed when the test process exits ---- */
#define TU_TMP_MAX 32

/* Remove a file or a folder with everything in it (no error if it is gone; links not followed). */
static inline void tu_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
            char p[4096];
            if ((size_t)snprintf(p, sizeof p, "%s/%s", path, de->d_name) < sizeof p) tu_rm_rf(p);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static char tu_tmp_paths[TU_TMP_MAX][64];
static int tu_tmp_n;

static inline void tu_tmp_cleanup(void)
{
    for (int i = 0; i < tu_tmp_n; i++) tu_rm_rf(tu_tmp_paths[i]);
    tu_tmp_n = 0;
}

/* A fresh path from a mkstemp/mkdtemp template /tmp/bb<tag>-PID-XXXXXX, registered for removal
 * at exit. Returns static storage, valid until the process exits; aborts when out of slots. */
static inline char *tu_tmp_template(const char *tag)
{
    if (tu_tmp_n == TU_TMP_MAX) abort();
    if (tu_tmp_n == 0) atexit(tu_tmp_cleanup);
    char *p = tu_tmp_paths[tu_tmp_n++];
    snprintf(p, sizeof tu_tmp_paths[0], "/tmp/bb%s-%d-XXXXXX", tag, (int)getpid());
    return p;
}

/* A fresh empty folder, removed with its contents at exit. */
static inline const char *tu_tmpdir(const char *tag)
{
    char *p = tu_tmp_template(tag);
    if (!mkdtemp(p)) abort();
    return p;
}

/* The bytes of the file at path, NUL-terminated (malloc'ed: the caller frees),
 * their count in *n (n may be NULL); NULL when the file cannot be opened (or
 * there is no memory). */
static inline char *tu_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    const long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)(len > 0 ? len : 0) + 1);
    if (!b) {
        fclose(f);
        return NULL;
    }
    const size_t got = len > 0 ? fread(b, 1, (size_t)len, f) : 0;
    fclose(f);
    b[got] = '\0';
    if (n) *n = got;
    return b;
}

/* Write text to a fresh temporary file, removed at exit; returns its path. */
static inline const char *tu_tmpfile(const char *text)
{
    char *p = tu_tmp_template("test");
    int fd = mkstemp(p);
    if (fd < 0) abort();
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) abort();
    close(fd);
    return p;
}

/* ---- a watchdog: a test that hangs (a lost wake-up in the worker pool) fails ---------------- */
/* Criterion's own --timeout did not stop hung test processes here; SIGALRM's default action ends
 * the test's process, which Criterion reports as a crash. Sanitizer builds run several times slower. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
enum { TU_WATCHDOG_S = 1200 };
#else
enum { TU_WATCHDOG_S = 300 };
#endif
static inline void tu_watchdog(void) { alarm(TU_WATCHDOG_S); }

typedef struct tu_cfg {
    const char *strategy;
    int threads;
    size_t block;
    bb_pin pin;
    int64_t cycles;
    const char *reload_path; /* switch to this program ... */
    int64_t reload_cycle;    /* ... at this cycle */
    int64_t frames;          /* > 0: render this many samples instead of `cycles` (to end mid-cycle) */
    int max_voices;          /* > 0: instead of the default limit */
    double max_bus_seconds;  /* > 0: instead of the default limit */
    bool timing;             /* bb_render_opts.timing: the step times into tu_out.times */
    size_t batch;            /* blocks per window of batching strategies; 0: their default */
    size_t lookahead;        /* windows a pipelined batch mixes ahead; 0: its default */
    size_t stop_after;       /* > 0: the stop hook ends the render once this many samples went out */
    size_t step;             /* > 0: pulled with bb_render_step, this many frames a call, not run */
} tu_cfg;

/* The render r pulled step frames at a time (bb_render_step) into o, no sink. */
static inline bb_result tu_step_all(bb_render *r, size_t step, tu_out *o, bb_error *err)
{
    bb_result res = bb_render_step_reserve(r, step, err);
    float *buf = malloc(step * sizeof *buf);
    if (!buf) abort();
    size_t got = step;
    while (!res && got == step) {
        res = bb_render_step(r, buf, step, &got, err);
        if (!res) tu_sink(o, 0, buf, got);
    }
    free(buf);
    return res;
}

/* Render src under cfg into o (o->res says how it went, o->msg why). */
static inline void tu_render(const char *src, const tu_cfg *cfg, tu_out *o)
{
    memset(o, 0, sizeof *o);
    bb_error err;
    bb_error_clear(&err);
    bb_kit *kit = NULL;
    bb_plan plan;
    bb_ph *ph = NULL;
    bb_render *r = NULL;
    o->res = bb_plan_parse(cfg->strategy, cfg->threads ? cfg->threads : 1, cfg->batch, cfg->pin, &plan, &err);
    if (cfg->lookahead) plan.lookahead = cfg->lookahead;
    if (!o->res) o->res = bb_kit_create(&kit, 44100.0);
    if (!o->res) o->res = bb_ph_parse(src, strlen(src), "test.ph", &ph, &err);
    if (!o->res) {
        bb_render_opts ro;
        bb_render_opts_default(&ro);
        ro.kit = kit;
        ro.block = cfg->block ? cfg->block : 512;
        ro.frames = cfg->frames > 0 ? cfg->frames : -1;
        ro.cycles = bb_rat_int(cfg->cycles ? cfg->cycles : 4);
        if (cfg->max_voices > 0) ro.lim.max_voices = cfg->max_voices;
        if (cfg->max_bus_seconds > 0) ro.lim.max_bus_seconds = cfg->max_bus_seconds;
        if (cfg->reload_path) {
            ro.reloads[0].cycle = bb_rat_int(cfg->reload_cycle);
            ro.reloads[0].path = cfg->reload_path;
            ro.nreloads = 1;
        }
        bb_plan_render_opts(&plan, &ro);
        ro.sink = cfg->step ? NULL : tu_sink;
        ro.sink_ctx = o;
        o->stop_at = cfg->stop_after;
        if (cfg->stop_after) ro.stop = tu_stop;
        ro.timing = cfg->timing;
        o->res = bb_render_open(&r, ph, &ro, &err);
        if (!o->res) o->res = cfg->step ? tu_step_all(r, cfg->step, o, &err) : bb_render_run(r, &err);
        if (r) o->st = *bb_render_stats(r);
        if (r) o->times = *bb_render_get_times(r);
        bb_render_close(r);
    }
    bb_kit_destroy(kit);
    if (o->res) bb_error_format(&err, o->msg, sizeof o->msg);
}

static inline void tu_free(tu_out *o)
{
    free(o->x);
    o->x = NULL;
}

/* Index of the first sample whose bits differ, or -1 when a and b are identical
 * (a length difference counts as a difference at the shorter length). */
static inline long tu_first_diff(const float *a, size_t na, const float *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof *a)) return (long)i;
    return na == nb ? -1 : (long)n;
}

static inline double tu_rms(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return n ? sqrt(s / (double)n) : 0;
}

#endif
