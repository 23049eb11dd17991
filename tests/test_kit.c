/* test_kit.c - Criterion suite "kit": the built-in drums and Dirt-Samples folders.
 *
 * Folders are built in a mkdtemp directory with libsndfile directly, so the
 * loader is checked against files it did not write itself. */
#include <criterion/criterion.h>

#include "bb_alloc.h"
#include "bb_kit.h"
#include "bb_testutil.h"

#include <sndfile.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const NAMES[] = { "bd", "sn", "hh", "oh", "cp",
                                     "808bd", "808sd", "808ht", "808mt", "808lt" };
enum { NNAMES = sizeof NAMES / sizeof NAMES[0] };

static const bb_sample *get(const bb_kit *k, const char *name, int n)
{
    return bb_kit_get(k, name, strlen(name), n);
}

static double peak_of(const bb_sample *s)
{
    double p = 0;
    for (size_t i = 0; i < s->frames; i++)
        if (fabs((double)s->data[i]) > p) p = fabs((double)s->data[i]);
    return p;
}

static double rms_of(const float *x, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) e += (double)x[i] * (double)x[i];
    return n ? sqrt(e / (double)n) : 0.0;
}

Test(kit, every_builtin_name_has_all_variants)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    for (int i = 0; i < NNAMES; i++) {
        const bb_sample *v[BB_KIT_VARIANTS];
        for (int n = 0; n < BB_KIT_VARIANTS; n++) {
            v[n] = get(k, NAMES[i], n);
            cr_assert_not_null(v[n], "%s:%d missing", NAMES[i], n);
            for (int m = 0; m < n; m++)
                cr_assert(v[m] != v[n], "%s:%d and :%d are the same sample", NAMES[i], m, n);
            cr_assert(v[n]->frames != v[0]->frames || n == 0 ||
                      memcmp(v[n]->data, v[0]->data, v[0]->frames * sizeof(float)) != 0,
                      "%s:%d sounds like :0", NAMES[i], n);
        }
    }
    bb_kit_destroy(k);
}

Test(kit, builtin_samples_are_audible_bounded_and_sized)
{
    const double rates[2] = { 44100.0, 48000.0 };
    for (int r = 0; r < 2; r++) {
        bb_kit *k;
        cr_assert(bb_kit_create(&k, rates[r]) == BB_OK);
        cr_assert(bb_kit_use_all(k) == BB_OK);
        for (int i = 0; i < NNAMES; i++) {
            for (int n = 0; n < BB_KIT_VARIANTS; n++) {
                const bb_sample *s = get(k, NAMES[i], n);
                cr_assert(s->sr == rates[r]);
                cr_assert(s->frames >= (size_t)(0.05 * rates[r]) &&
                          s->frames <= (size_t)(1.5 * rates[r] + 1), "%s:%d has %zu frames",
                          NAMES[i], n, s->frames);
                double p = peak_of(s);
                cr_assert(p < 1.0 && p > 0.89, "%s:%d peak %g", NAMES[i], n, p);
                cr_assert(rms_of(s->data, s->frames) > 0.01, "%s:%d is nearly silent",
                          NAMES[i], n);
                cr_assert(fabsf(s->data[s->frames - 1]) < 1e-6f, "%s:%d ends with a click",
                          NAMES[i], n);
            }
        }
        bb_kit_destroy(k);
    }
}

/* Crude spectral check: energy below and above 1 kHz by first differences. */
static double brightness(const bb_sample *s)
{
    double e = 0, d = 0;
    for (size_t i = 1; i < s->frames; i++) {
        e += (double)s->data[i] * (double)s->data[i];
        double x = (double)s->data[i] - (double)s->data[i - 1];
        d += x * x;
    }
    return d / e;
}

Test(kit, kicks_are_dark_and_hats_are_bright)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    cr_assert(brightness(get(k, "bd", 0)) < 0.05, "bd %g", brightness(get(k, "bd", 0)));
    cr_assert(brightness(get(k, "808bd", 0)) < 0.05);
    cr_assert(brightness(get(k, "hh", 0)) > 1.0, "hh %g", brightness(get(k, "hh", 0)));
    cr_assert(brightness(get(k, "oh", 0)) > 1.0);
    cr_assert(get(k, "oh", 0)->frames > get(k, "hh", 0)->frames, "open hat rings longer");
    cr_assert(get(k, "808lt", 0)->frames > get(k, "808ht", 0)->frames);
    bb_kit_destroy(k);
}

Test(kit, variant_number_wraps_both_ways)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    const int V = BB_KIT_VARIANTS;
    for (int n = -3 * V; n <= 3 * V; n++) {
        int want = ((n % V) + V) % V;
        cr_assert(get(k, "sn", n) == get(k, "sn", want), "n = %d", n);
    }
    cr_assert(get(k, "sn", -1) == get(k, "sn", V - 1));
    cr_assert(get(k, "sn", V) == get(k, "sn", 0));
    bb_kit_destroy(k);
}

Test(kit, lookup_uses_exactly_the_given_length)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    cr_assert_null(get(k, "nosuch", 0));
    cr_assert_null(get(k, "b", 0));
    cr_assert_null(get(k, "bdd", 0));
    cr_assert(bb_kit_get(k, "bd:3 sn", 2, 0) == get(k, "bd", 0), "prefix of a longer text");
    cr_assert(bb_kit_get(k, "808sdx", 5, 1) == get(k, "808sd", 1));
    cr_assert_null(bb_kit_get(k, "", 0, 0));
    bb_kit_destroy(k);
}

Test(kit, builtin_kit_is_deterministic)
{
    bb_kit *a, *b;
    cr_assert(bb_kit_create(&a, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(a) == BB_OK);
    cr_assert(bb_kit_create(&b, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(b) == BB_OK);
    for (int i = 0; i < NNAMES; i++)
        for (int n = 0; n < BB_KIT_VARIANTS; n++) {
            const bb_sample *x = get(a, NAMES[i], n), *y = get(b, NAMES[i], n);
            cr_assert(x->frames == y->frames);
            cr_assert(memcmp(x->data, y->data, x->frames * sizeof(float)) == 0);
        }
    bb_kit_destroy(a);
    bb_kit_destroy(b);
}

/* Built-in sounds are synthesised when first used: creating the kit makes none,
 * compiling a program makes the ones it plays and nothing else. */
Test(kit, builtin_sounds_are_synthesised_on_first_use)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    for (int i = 0; i < NNAMES; i++) cr_assert_null(get(k, NAMES[i], 0), "%s made before use", NAMES[i]);
    bb_error err;
    bb_ph *ph;
    const char *src = "out: s \"bd*2 808lt\" + saw 110\n";
    cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
    bb_prog_opts o = {.sr = 44100, .kit = k, .c0 = bb_rat_int(0), .s0 = 0};
    bb_prog *p;
    cr_assert_eq(bb_prog_compile(ph, &o, &p, &err), BB_OK, "%s", err.msg);
    for (int i = 0; i < NNAMES; i++) {
        const bool used = !strcmp(NAMES[i], "bd") || !strcmp(NAMES[i], "808lt");
        for (int n = 0; n < BB_KIT_VARIANTS; n++)
            cr_assert((get(k, NAMES[i], n) != NULL) == used, "%s variant %d", NAMES[i], n);
    }
    bb_prog_free(p);
    /* a program without drums synthesises nothing */
    bb_kit *k2;
    cr_assert(bb_kit_create(&k2, 44100.0) == BB_OK);
    src = "~x: saw # lpf 800\nout: s \"~x*4\"\n";
    bb_alloc_stats s0 = bb_alloc_snapshot();
    cr_assert_eq(bb_ph_parse(src, strlen(src), "t.ph", &ph, &err), BB_OK);
    o.kit = k2;
    cr_assert_eq(bb_prog_compile(ph, &o, &p, &err), BB_OK, "%s", err.msg);
    bb_prog_free(p);
    bb_alloc_stats s1 = bb_alloc_snapshot();
    cr_assert_eq(s1.allocs - s0.allocs, s1.frees - s0.frees, "the kit kept memory for a program without drums");
    for (int i = 0; i < NNAMES; i++) cr_assert_null(get(k2, NAMES[i], 0));
    bb_kit_destroy(k);
    bb_kit_destroy(k2);
}

Test(kit, create_reports_bad_rate_and_nomem)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 0.0) == BB_ERR_ARG);
    cr_assert(bb_kit_create(&k, (double)NAN) == BB_ERR_ARG);
    for (uint64_t n = 1; n < 60; n += 7) {
        bb_alloc_stats s0 = bb_alloc_snapshot();
        bb_alloc_fail_at(n);
        bb_result r = bb_kit_create(&k, 8000.0);
        if (!r) { /* creation made it: the failure falls in the synthesis */
            r = bb_kit_use_all(k);
            bb_kit_destroy(k);
            k = NULL;
        }
        bb_alloc_fail_at(0);
        cr_assert(r == BB_ERR_NOMEM, "failure at allocation %llu not reported",
                  (unsigned long long)n);
        cr_assert_null(k);
        bb_alloc_stats s1 = bb_alloc_snapshot();
        cr_assert(s1.allocs - s0.allocs == s1.frees - s0.frees, "leak after failure %llu",
                  (unsigned long long)n);
    }
}

Test(kit, odd_sample_rates_still_give_bounded_samples)
{
    const double rates[3] = { 100.0, 8000.0, 192000.0 };
    for (int r = 0; r < 3; r++) {
        bb_kit *k;
        cr_assert(bb_kit_create(&k, rates[r]) == BB_OK, "sr %g", rates[r]);
        cr_assert(bb_kit_use_all(k) == BB_OK);
        for (int i = 0; i < NNAMES; i++) {
            const bb_sample *s = get(k, NAMES[i], 1);
            cr_assert(s->frames >= 1);
            for (size_t j = 0; j < s->frames; j++)
                cr_assert(isfinite(s->data[j]) && fabsf(s->data[j]) < 1.0f);
        }
        bb_kit_destroy(k);
    }
}

/* ---- folders ------------------------------------------------------------------ */

static char root[256];

static void make_root(void) { snprintf(root, sizeof root, "%s", tu_tmpdir("kit")); }

static void mkdir_in(const char *sub)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, sub);
    cr_assert(mkdir(p, 0755) == 0, "mkdir %s", p);
}

static void write_file(const char *rel, int channels, int sr, const float *frames, size_t n,
                       int format)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = sr;
    info.channels = channels;
    info.format = format;
    SNDFILE *sf = sf_open(p, SFM_WRITE, &info);
    cr_assert_not_null(sf, "%s: %s", p, sf_strerror(NULL));
    cr_assert(sf_writef_float(sf, frames, (sf_count_t)n) == (sf_count_t)n);
    sf_close(sf);
}

static void write_text(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(kit, load_dir_reads_dirt_layout, .init = make_root)
{
    mkdir_in("drum");
    mkdir_in("empty");
    mkdir_in(".hidden");
    float a[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
    float st[6] = { 0.5f, 0.25f, -1.0f, 0.0f, 0.3f, 0.6f }; /* L R L R L R */
    float c[2] = { -0.7f, 0.7f };
    write_file("drum/b_stereo.wav", 2, 22050, st, 3, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_file("drum/a_mono.wav", 1, 44100, a, 4, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_file("drum/c.FLAC", 1, 48000, c, 2, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    write_text("drum/readme.txt", "not a sample");
    write_file(".hidden/x.wav", 1, 44100, a, 4, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_text("toplevel.wav", "a file directly in the root is no sound");

    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    bb_error err;
    bb_error_clear(&err);
    cr_assert(bb_kit_load_dir(k, root, &err) == BB_OK, "%s", err.msg);

    const bb_sample *s0 = get(k, "drum", 0), *s1 = get(k, "drum", 1), *s2 = get(k, "drum", 2);
    cr_assert(s0 && s1 && s2);
    cr_assert(get(k, "drum", 3) == s0, "three variants, wrapping");
    cr_assert(s0->frames == 4 && s0->sr == 44100.0 && memcmp(s0->data, a, sizeof a) == 0);
    cr_assert(s1->frames == 3 && s1->sr == 22050.0, "stereo file, its own rate");
    cr_assert(s1->data[0] == (0.5f + 0.25f) / 2.0f);
    cr_assert(s1->data[1] == -0.5f);
    cr_assert(s1->data[2] == (0.3f + 0.6f) / 2.0f);
    cr_assert(s2->frames == 2 && s2->sr == 48000.0);
    cr_assert(fabsf(s2->data[0] + 0.7f) < 1e-4f);
    cr_assert_null(get(k, "empty", 0), "a folder without audio adds nothing");
    cr_assert_null(get(k, ".hidden", 0));
    cr_assert_not_null(get(k, "bd", 0), "built-ins stay");
    bb_kit_destroy(k);
}

Test(kit, load_dir_overrides_builtin_sounds, .init = make_root)
{
    mkdir_in("bd");
    float x[3] = { 0.9f, -0.9f, 0.1f };
    write_file("bd/kick.wav", 1, 44100, x, 3, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    cr_assert(bb_kit_load_dir(k, root, NULL) == BB_OK);
    const bb_sample *s = get(k, "bd", 0);
    cr_assert(s->frames == 3);
    cr_assert(get(k, "bd", 1) == s && get(k, "bd", -1) == s, "one variant now");
    cr_assert(get(k, "sn", 0)->frames > 1000);
    bb_kit_destroy(k);
}

Test(kit, load_dir_missing_folder_is_io_error, .init = make_root)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    char p[512];
    snprintf(p, sizeof p, "%s/absent", root);
    bb_error err;
    cr_assert(bb_kit_load_dir(k, p, &err) == BB_ERR_IO);
    cr_assert(strstr(err.msg, p) != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
    bb_kit_destroy(k);
}

Test(kit, load_dir_bad_file_is_an_error_and_changes_nothing, .init = make_root)
{
    mkdir_in("aa");
    mkdir_in("sn");
    mkdir_in("zz");
    float x[2] = { 0.5f, 0.5f };
    write_file("aa/ok.wav", 1, 44100, x, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_file("sn/ok.wav", 1, 44100, x, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_text("zz/broken.wav", "RIFF garbage garbage garbage garbage garbage");
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    const bb_sample *sn = get(k, "sn", 0);
    const size_t sn_frames = sn->frames;
    bb_error err;
    cr_assert(bb_kit_load_dir(k, root, &err) == BB_ERR_FORMAT);
    cr_assert(strstr(err.msg, "broken.wav") != NULL, "%s", err.msg);
    cr_assert_null(get(k, "aa", 0), "nothing of a failed load is kept");
    cr_assert(get(k, "sn", 0) == sn && sn->frames == sn_frames);
    bb_kit_destroy(k);
}

Test(kit, load_dir_rejects_too_long_samples, .init = make_root)
{
    mkdir_in("long");
    const int sr = 1000;
    const size_t n = (size_t)(BB_KIT_SAMPLE_SECONDS_MAX + 1) * (size_t)sr;
    float *x = calloc(n, sizeof *x);
    write_file("long/l.wav", 1, sr, x, n, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    free(x);
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    bb_error err;
    cr_assert(bb_kit_load_dir(k, root, &err) == BB_ERR_LIMIT);
    cr_assert(strstr(err.msg, "l.wav") != NULL, "%s", err.msg);
    bb_kit_destroy(k);
}

Test(kit, load_dir_rejects_too_many_sounds, .init = make_root)
{
    bb_kit *k;
    cr_assert(bb_kit_create(&k, 44100.0) == BB_OK);
    cr_assert(bb_kit_use_all(k) == BB_OK);
    float x[1] = { 0.25f };
    /* the kit already holds the built-ins: this many more is one too many */
    const int extra = BB_KIT_SOUNDS_MAX - NNAMES + 1;
    char sub[64], rel[96];
    for (int i = 0; i < extra; i++) {
        snprintf(sub, sizeof sub, "s%05d", i);
        mkdir_in(sub);
        snprintf(rel, sizeof rel, "%s/x.wav", sub);
        write_file(rel, 1, 8000, x, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    }
    bb_error err;
    cr_assert(bb_kit_load_dir(k, root, &err) == BB_ERR_LIMIT);
    cr_assert(strstr(err.msg, "4096") != NULL, "%s", err.msg);
    cr_assert_null(get(k, "s00000", 0));
    /* one fewer fits */
    char p[512];
    snprintf(p, sizeof p, "%s/s00000/x.wav", root);
    cr_assert(unlink(p) == 0);
    cr_assert(bb_kit_load_dir(k, root, &err) == BB_OK, "%s", err.msg);
    cr_assert_not_null(get(k, "s00001", 0));
    cr_assert_not_null(get(k, "bd", 0));
    bb_kit_destroy(k);
}
