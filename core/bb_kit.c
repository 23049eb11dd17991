/* bb_kit.c - the sample kit: built-in synthetic drums and Dirt-Samples folders.
 *
 * A kit is an array of sounds sorted by name (bytewise, a prefix first), each
 * with its variants; bb_kit_get is a binary search plus n modulo the variant
 * count (negative n wraps too: -1 is the last variant).
 *
 * Built-in sounds. Each of the ten names gets BB_KIT_VARIANTS variants made by
 * one small synthesiser from a table of parameters, on first use (bb_kit_use,
 * which compiling a program calls for every sample name it plays: a program
 * without drums synthesises none): variant v multiplies every
 * pitch by PITCH[v] and every decay time (and the length) by DECAY[v]. A sound
 * is the sum of up to
 *   - a tone: sine at f(t) = f1 + (f0 - f1) * 2^(-t / sweep), amplitude
 *     2^(-t / half-life) (a falling sweep makes the kicks and toms),
 *   - a second, steady tone (the 808 snare's upper head),
 *   - noise (bb_noise, seed 0x6B697400 + 16 * sound + variant) through one
 *     RBJ biquad (bb_biquad), with its own exponential decay, or, for the clap,
 *     an envelope restarted by three bursts 11 ms apart before its tail.
 * Envelopes and pitch sweeps are recursive products by a per-sample factor
 * taken from bb_exp2, the phase is accumulated in double and turned into a
 * sine by bb_sin2pi_unit, so the kit needs nothing from libm but floor and is
 * the same on every machine for a given sample rate. Finally the last 5 ms (at
 * most a quarter of the sound) fade linearly to 0 and the sound is scaled so
 * that its peak magnitude is 0.9 (as a float, 0.9 +- 1 ulp). Lengths are
 * round(seconds * sr) frames with the seconds of the table times DECAY[v],
 * clamped to [0.05, 1.5] s (at least 1 frame). The samples' rate is the kit's
 * rate, any rate in (0, 1e7] Hz (filter cutoffs clamp as in bb_biquad).
 *
 * Folders. bb_kit_load_dir reads DIR/NAME/FILE for every subdirectory NAME not
 * starting with '.', taking the regular files ending in .wav, .flac, .aif or
 * .aiff (any case) in strcmp order of their names as variants 0, 1, ...;
 * a subdirectory without such files adds nothing. Files are read with
 * libsndfile (bb_wav_read) and mixed to mono by averaging the channels (sum in
 * channel order, divided by the channel count, in float); they keep their own
 * rate. A file longer than BB_KIT_SAMPLE_SECONDS_MAX or a kit that would hold
 * more than BB_KIT_SOUNDS_MAX names is a BB_ERR_LIMIT. A folder sound replaces
 * a built-in (or earlier loaded) sound of the same name. Loading is
 * all-or-nothing: on any error the kit is unchanged. */
#include "bb_kit.h"
#include "bb_alloc.h"
#include "bb_dsp.h"
#include "bb_math.h"
#include "bb_wav.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct drum drum;

typedef struct kit_sound {
    char *name;       /* NUL-terminated, len bytes */
    size_t len;
    size_t nvar;      /* 0 until a built-in sound is first used */
    bb_sample *var;   /* data owned: released with bb_free */
    const drum *syn;  /* a built-in sound: its parameters, synthesised by bb_kit_use */
    size_t syn_index; /* its place in DRUMS (the noise seed) */
} kit_sound;

struct bb_kit {
    double sr;
    kit_sound *snd;   /* sorted by name */
    size_t n, cap;
};

/* ---- sounds and lookup -------------------------------------------------------- */

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

/* Index of name in kit, or -(insertion point) - 1. */
static ptrdiff_t kit_find(const bb_kit *kit, const char *name, size_t len)
{
    size_t lo = 0, hi = kit->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(name, len, kit->snd[mid].name, kit->snd[mid].len);
        if (c == 0) return (ptrdiff_t)mid;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return -(ptrdiff_t)lo - 1;
}

static void sound_free(kit_sound *s)
{
    for (size_t i = 0; i < s->nvar; i++) bb_free((void *)s->var[i].data);
    bb_free(s->var);
    bb_free(s->name);
    s->var = NULL;
    s->name = NULL;
    s->nvar = 0;
}

/* Put s into the kit (taking ownership), replacing a sound of the same name.
 * The caller has made room (kit->cap > kit->n). */
static void kit_put(bb_kit *kit, kit_sound *s)
{
    ptrdiff_t at = kit_find(kit, s->name, s->len);
    if (at >= 0) {
        sound_free(&kit->snd[at]);
        kit->snd[at] = *s;
        return;
    }
    size_t ins = (size_t)(-at - 1);
    memmove(&kit->snd[ins + 1], &kit->snd[ins], (kit->n - ins) * sizeof *kit->snd);
    kit->snd[ins] = *s;
    kit->n++;
}

const bb_sample *bb_kit_get(const bb_kit *kit, const char *name, size_t len, int n)
{
    if (!kit || !name) return NULL;
    ptrdiff_t at = kit_find(kit, name, len);
    if (at < 0) return NULL;
    const kit_sound *s = &kit->snd[at];
    if (s->nvar == 0) return NULL;
    const long long nv = (long long)s->nvar;
    long long i = (long long)n % nv;
    if (i < 0) i += nv;
    return &s->var[i];
}

void bb_kit_destroy(bb_kit *kit)
{
    if (!kit) return;
    for (size_t i = 0; i < kit->n; i++) sound_free(&kit->snd[i]);
    bb_free(kit->snd);
    bb_free(kit);
}

/* ---- the built-in synthesiser ------------------------------------------------- */

enum { NOISE_NONE = -1 };

struct drum {
    const char *name;
    double seconds;               /* length before DECAY[v] */
    double f0, f1, sweep;         /* tone: start and end Hz, sweep half-life s */
    double tone_amp, tone_hl;     /* 0 amp: no tone */
    double f2, tone2_amp, tone2_hl;
    int noise_kind;               /* bb_biquad_kind or NOISE_NONE */
    double noise_cut, noise_q, noise_amp, noise_hl;
    int clap;                     /* bursts before the tail */
};

static const drum DRUMS[] = {
    /* name    len    f0     f1    sweep  amp  hl      f2     amp2 hl2
     *         noise          cut     q     amp   hl     clap */
    { "bd",    0.45, 160.0,  50.0, 0.020, 1.0, 0.080,    0.0, 0.0, 0.0,
               BB_BIQUAD_LP,  3000.0, 0.7071, 0.15, 0.003, 0 },
    { "sn",    0.30, 220.0, 180.0, 0.010, 0.5, 0.040,    0.0, 0.0, 0.0,
               BB_BIQUAD_HP,  1500.0, 0.7071, 0.8,  0.050, 0 },
    { "hh",    0.12,   0.0,   0.0, 0.0,   0.0, 0.0,      0.0, 0.0, 0.0,
               BB_BIQUAD_HP,  7000.0, 0.7071, 1.0,  0.015, 0 },
    { "oh",    0.60,   0.0,   0.0, 0.0,   0.0, 0.0,      0.0, 0.0, 0.0,
               BB_BIQUAD_HP,  6500.0, 0.7071, 1.0,  0.120, 0 },
    { "cp",    0.35,   0.0,   0.0, 0.0,   0.0, 0.0,      0.0, 0.0, 0.0,
               BB_BIQUAD_BP,  1200.0, 1.5,    1.0,  0.050, 3 },
    { "808bd", 1.20, 110.0,  45.0, 0.030, 1.0, 0.250,    0.0, 0.0, 0.0,
               NOISE_NONE,       0.0, 0.0,    0.0,  0.0,   0 },
    { "808sd", 0.35, 238.0, 238.0, 0.010, 0.6, 0.050,  476.0, 0.3, 0.030,
               BB_BIQUAD_HP,  2000.0, 0.7071, 0.7,  0.060, 0 },
    { "808ht", 0.60, 240.0, 200.0, 0.050, 1.0, 0.120,    0.0, 0.0, 0.0,
               NOISE_NONE,       0.0, 0.0,    0.0,  0.0,   0 },
    { "808mt", 0.70, 180.0, 150.0, 0.050, 1.0, 0.140,    0.0, 0.0, 0.0,
               NOISE_NONE,       0.0, 0.0,    0.0,  0.0,   0 },
    { "808lt", 0.80, 130.0, 105.0, 0.050, 1.0, 0.160,    0.0, 0.0, 0.0,
               NOISE_NONE,       0.0, 0.0,    0.0,  0.0,   0 },
};

static const double PITCH[BB_KIT_VARIANTS] = { 1.0, 0.9, 1.12, 0.8 };
static const double DECAY[BB_KIT_VARIANTS] = { 1.0, 1.25, 0.8, 1.5 };

/* Per-sample factor of an exponential decay with half-life hl seconds. */
static double decay_factor(double hl, double sr)
{
    return bb_exp2(-1.0 / (hl * sr));
}

enum { SYN_CHUNK = 256 };

/* The recurrences (phase, sweep, envelope) run sample by sample into a chunk,
 * then the sines of the chunk element-wise (vectorised): the same operations
 * on the same values as one loop doing both. */
static void add_tone(float *out, size_t frames, double sr, double f0, double f1,
                     double sweep, double amp, double hl)
{
    const double sweep_k = decay_factor(sweep, sr), env_k = decay_factor(hl, sr);
    double g = 1.0, env = amp, ph = 0.0;
    float p[SYN_CHUNK];
    double e[SYN_CHUNK];
    for (size_t i0 = 0; i0 < frames; i0 += SYN_CHUNK) {
        const size_t n = frames - i0 < SYN_CHUNK ? frames - i0 : SYN_CHUNK;
        for (size_t j = 0; j < n; j++) {
            p[j] = (float)ph;
            e[j] = env;
            const double f = f1 + (f0 - f1) * g;
            ph += f / sr;
            if (!(ph < 1.0)) ph -= floor(ph); /* the same bits as ph -= floor(ph) (floor is 0 below 1,
                                                 and ph >= 0), without it on the common path */
            g *= sweep_k;
            env *= env_k;
        }
        float *restrict o = out + i0;
        for (size_t j = 0; j < n; j++) o[j] += (float)(e[j] * (double)bb_sin2pi_unit(p[j]));
    }
}

static void add_noise(float *out, size_t frames, double sr, const drum *d, double pitch,
                      double decay, uint64_t seed)
{
    bb_noise z;
    bb_biquad f;
    bb_noise_init(&z, seed);
    bb_biquad_init(&f, (bb_biquad_kind)d->noise_kind, (float)sr);
    float raw[SYN_CHUNK], buf[SYN_CHUNK], cut[SYN_CHUNK], q[SYN_CHUNK];
    bb_runs one;
    bb_runs_one(&one);
    for (size_t i = 0; i < SYN_CHUNK; i++) {
        cut[i] = (float)(d->noise_cut * pitch);
        q[i] = (float)d->noise_q;
    }
    const double burst_k = decay_factor(0.004, sr);
    const double tail_k = decay_factor(d->noise_hl * decay, sr);
    const size_t burst_gap = (size_t)floor(0.011 * sr + 0.5);
    const size_t tail_at = d->clap ? burst_gap * (size_t)d->clap : 0;
    double env = d->noise_amp;
    for (size_t at = 0; at < frames; at += SYN_CHUNK) {
        const size_t m = frames - at < SYN_CHUNK ? frames - at : SYN_CHUNK;
        bb_noise_compute(&z, raw, m);
        bb_biquad_compute(&f, raw, cut, q, &one, buf, m);
        for (size_t i = 0; i < m; i++) {
            const size_t k = at + i;
            if (d->clap && k <= tail_at && burst_gap > 0 && k % burst_gap == 0)
                env = d->noise_amp; /* a clap burst (or the tail) starts */
            out[k] += (float)(env * (double)buf[i]);
            env *= k < tail_at ? burst_k : tail_k;
        }
    }
}

static bb_result synth_drum(const drum *d, size_t index, int v, double sr, bb_sample *out)
{
    const double pitch = PITCH[v], decay = DECAY[v];
    double secs = d->seconds * decay;
    secs = secs < 0.05 ? 0.05 : secs > 1.5 ? 1.5 : secs;
    double fr = floor(secs * sr + 0.5);
    size_t frames = fr < 1.0 ? 1 : (size_t)fr;
    float *x = bb_calloc(frames, sizeof *x);
    if (!x) return BB_ERR_NOMEM;
    if (d->tone_amp > 0.0)
        add_tone(x, frames, sr, d->f0 * pitch, d->f1 * pitch, d->sweep, d->tone_amp,
                 d->tone_hl * decay);
    if (d->tone2_amp > 0.0)
        add_tone(x, frames, sr, d->f2 * pitch, d->f2 * pitch, 1.0, d->tone2_amp,
                 d->tone2_hl * decay);
    if (d->noise_kind != NOISE_NONE)
        add_noise(x, frames, sr, d, pitch, decay,
                  UINT64_C(0x6B697400) + 16u * (uint64_t)index + (uint64_t)v);
    /* fade out the last 5 ms (at most a quarter of the sound) */
    double fd = floor(0.005 * sr + 0.5);
    size_t fade = fd < 1.0 ? 1 : (size_t)fd;
    if (fade > frames / 4) fade = frames / 4;
    for (size_t i = 0; i < fade; i++)
        x[frames - 1 - i] *= (float)((double)i / (double)fade);
    float peak = 0.0f;
    for (size_t i = 0; i < frames; i++) {
        const float a = fabsf(x[i]);
        if (a > peak) peak = a;
    }
    if (peak > 0.0f) {
        const float g = (float)(0.9 / (double)peak);
        for (size_t i = 0; i < frames; i++) x[i] *= g;
    }
    out->data = x;
    out->frames = frames;
    out->sr = sr;
    return BB_OK;
}

bb_result bb_kit_create(bb_kit **out, double sr)
{
    *out = NULL;
    if (!(sr > 0.0 && sr <= 1e7)) return BB_ERR_ARG; /* NaN too */
    const size_t nd = sizeof DRUMS / sizeof DRUMS[0];
    bb_kit *kit = bb_calloc(1, sizeof *kit);
    if (!kit) return BB_ERR_NOMEM;
    kit->sr = sr;
    kit->snd = bb_calloc(nd, sizeof *kit->snd);
    if (!kit->snd) {
        bb_free(kit);
        return BB_ERR_NOMEM;
    }
    kit->cap = nd;
    for (size_t i = 0; i < nd; i++) {
        kit_sound s = { 0 };
        s.len = strlen(DRUMS[i].name);
        s.name = bb_malloc(s.len + 1);
        if (!s.name) {
            bb_kit_destroy(kit);
            return BB_ERR_NOMEM;
        }
        memcpy(s.name, DRUMS[i].name, s.len + 1);
        s.syn = &DRUMS[i];
        s.syn_index = i;
        kit_put(kit, &s);
    }
    *out = kit;
    return BB_OK;
}

bb_result bb_kit_use(bb_kit *kit, const char *name, size_t len)
{
    if (!kit || !name) return BB_OK;
    const ptrdiff_t at = kit_find(kit, name, len);
    if (at < 0) return BB_OK;
    kit_sound *s = &kit->snd[at];
    if (!s->syn || s->nvar) return BB_OK;
    bb_sample *var = bb_calloc(BB_KIT_VARIANTS, sizeof *var);
    if (!var) return BB_ERR_NOMEM;
    for (int v = 0; v < BB_KIT_VARIANTS; v++) {
        if (synth_drum(s->syn, s->syn_index, v, kit->sr, &var[v]) != BB_OK) {
            for (int u = 0; u < v; u++) bb_free((void *)var[u].data);
            bb_free(var);
            return BB_ERR_NOMEM;
        }
    }
    s->var = var;
    s->nvar = BB_KIT_VARIANTS;
    return BB_OK;
}

bb_result bb_kit_use_all(bb_kit *kit)
{
    for (size_t i = 0; kit && i < kit->n; i++) {
        bb_result r = bb_kit_use(kit, kit->snd[i].name, kit->snd[i].len);
        if (r) return r;
    }
    return BB_OK;
}

/* ---- folders ------------------------------------------------------------------ */

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++) bb_free(l->v[i]);
    bb_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int names_push(name_list *l, const char *s)
{
    if (bb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0) return -1;
    size_t len = strlen(s);
    char *c = bb_malloc(len + 1);
    if (!c) return -1;
    memcpy(c, s, len + 1);
    l->v[l->n++] = c;
    return 0;
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = bb_malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

static int is_audio_name(const char *s)
{
    static const char *const ext[] = { ".wav", ".flac", ".aif", ".aiff" };
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(s + n - e, ext[i]) == 0) return 1;
    }
    return 0;
}

enum { WANT_DIRS, WANT_AUDIO };

/* The sorted names in dir of subdirectories (WANT_DIRS, not starting with '.')
 * or of regular audio files (WANT_AUDIO). */
static bb_result list_dir(const char *dir, int want, name_list *out, bb_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        return bb_error_set(err, BB_ERR_IO, dir, 0, 0, "cannot open sample folder '%s': %s",
                            dir, strerror(e));
    }
    bb_result r = BB_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno) {
                int e = errno;
                r = bb_error_set(err, BB_ERR_IO, dir, 0, 0, "cannot read sample folder '%s': %s",
                                 dir, strerror(e));
            }
            break;
        }
        if (de->d_name[0] == '.') continue;
        if (want == WANT_AUDIO && !is_audio_name(de->d_name)) continue;
        char *p = path_join(dir, de->d_name);
        if (!p) {
            r = bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "out of memory listing '%s'", dir);
            break;
        }
        struct stat st;
        int ok = stat(p, &st) == 0;
        int e = errno;
        bb_free(p);
        if (!ok) {
            r = bb_error_set(err, BB_ERR_IO, dir, 0, 0, "cannot examine '%s/%s': %s", dir,
                             de->d_name, strerror(e));
            break;
        }
        if (want == WANT_DIRS ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) continue;
        if (names_push(out, de->d_name) != 0) {
            r = bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "out of memory listing '%s'", dir);
            break;
        }
    }
    closedir(d);
    if (r != BB_OK) {
        names_free(out);
        return r;
    }
    if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, str_ptr_cmp);
    return BB_OK;
}

/* Read one file as a mono sample. */
static bb_result load_sample(const char *path, bb_sample *out, bb_error *err)
{
    size_t frames;
    int sr, ch;
    bb_result r = bb_wav_info(path, &frames, &sr, &ch, err);
    if (r != BB_OK) return r;
    if ((double)frames > (double)BB_KIT_SAMPLE_SECONDS_MAX * (double)sr)
        return bb_error_set(err, BB_ERR_LIMIT, path, 0, 0,
                            "sample '%s' is %.1f s long; samples are limited to %d s", path,
                            (double)frames / (double)sr, (int)BB_KIT_SAMPLE_SECONDS_MAX);
    float *data;
    r = bb_wav_read(path, &data, &frames, &sr, &ch, err);
    if (r != BB_OK) return r;
    if ((double)frames > (double)BB_KIT_SAMPLE_SECONDS_MAX * (double)sr) { /* changed under us */
        bb_free(data);
        return bb_error_set(err, BB_ERR_LIMIT, path, 0, 0,
                            "sample '%s' is longer than %d s", path,
                            (int)BB_KIT_SAMPLE_SECONDS_MAX);
    }
    if (ch > 1) {
        float *mono = bb_malloc(frames ? frames * sizeof *mono : sizeof *mono);
        if (!mono) {
            bb_free(data);
            return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "out of memory reading '%s'",
                                path);
        }
        const size_t c = (size_t)ch;
        for (size_t i = 0; i < frames; i++) {
            float s = 0.0f;
            for (size_t k = 0; k < c; k++) s += data[i * c + k];
            mono[i] = s / (float)ch;
        }
        bb_free(data);
        data = mono;
    }
    out->data = data;
    out->frames = frames;
    out->sr = (double)sr;
    return BB_OK;
}

/* Load folder dir/name as a sound; s->nvar == 0 when it holds no audio file. */
static bb_result load_sound(const char *dir, const char *name, kit_sound *s, bb_error *err)
{
    memset(s, 0, sizeof *s);
    char *sub = path_join(dir, name);
    if (!sub) return bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "out of memory loading '%s'", dir);
    name_list files = { 0 };
    bb_result r = list_dir(sub, WANT_AUDIO, &files, err);
    if (r != BB_OK || files.n == 0) goto out;
    s->len = strlen(name);
    s->name = bb_malloc(s->len + 1);
    s->var = bb_calloc(files.n, sizeof *s->var);
    if (!s->name || !s->var) {
        r = bb_error_set(err, BB_ERR_NOMEM, sub, 0, 0, "out of memory loading '%s'", sub);
        goto out;
    }
    memcpy(s->name, name, s->len + 1);
    for (size_t i = 0; i < files.n; i++) {
        char *p = path_join(sub, files.v[i]);
        if (!p) {
            r = bb_error_set(err, BB_ERR_NOMEM, sub, 0, 0, "out of memory loading '%s'", sub);
            goto out;
        }
        r = load_sample(p, &s->var[i], err);
        bb_free(p);
        if (r != BB_OK) goto out;
        s->nvar++;
    }
out:
    if (r != BB_OK) sound_free(s);
    names_free(&files);
    bb_free(sub);
    return r;
}

bb_result bb_kit_load_dir(bb_kit *kit, const char *dir, bb_error *err)
{
    if (!kit || !dir || !dir[0])
        return bb_error_set(err, BB_ERR_ARG, "<arg>", 0, 0, "no sample folder given");
    name_list dirs = { 0 };
    bb_result r = list_dir(dir, WANT_DIRS, &dirs, err);
    if (r != BB_OK) return r;
    kit_sound *staged = dirs.n ? bb_calloc(dirs.n, sizeof *staged) : NULL;
    size_t nstaged = 0;
    if (dirs.n && !staged) {
        r = bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "out of memory loading '%s'", dir);
        goto out;
    }
    size_t added = 0; /* names not yet in the kit */
    for (size_t i = 0; i < dirs.n; i++) {
        kit_sound s;
        r = load_sound(dir, dirs.v[i], &s, err);
        if (r != BB_OK) goto out;
        if (s.nvar == 0) continue;
        if (kit_find(kit, s.name, s.len) < 0) added++;
        staged[nstaged++] = s;
        if (kit->n + added > BB_KIT_SOUNDS_MAX) {
            r = bb_error_set(err, BB_ERR_LIMIT, dir, 0, 0,
                             "'%s' would make the kit hold more than %d sounds", dir,
                             (int)BB_KIT_SOUNDS_MAX);
            goto out;
        }
    }
    if (bb_grow((void **)&kit->snd, &kit->cap, kit->n + added, sizeof *kit->snd) != 0) {
        r = bb_error_set(err, BB_ERR_NOMEM, dir, 0, 0, "out of memory loading '%s'", dir);
        goto out;
    }
    for (size_t i = 0; i < nstaged; i++) kit_put(kit, &staged[i]);
    nstaged = 0; /* owned by the kit now */
out:
    for (size_t i = 0; i < nstaged; i++) sound_free(&staged[i]);
    bb_free(staged);
    names_free(&dirs);
    return r;
}
