/* anchor_check.c - are the anchors' renders the same music as busbench's?
 *
 * Each engine has its own arithmetic (phase accumulation, filter form, where in
 * a control block a note may start), so the renders cannot agree bit for bit,
 * and `make bench-anchors` must not time an engine that rendered something
 * else (a wrong score, a silent file, half the length). This checker compares
 * each render with the reference (busbench serial) on three counts:
 *   - format: mono, the reference's sample rate, exactly the reference's length;
 *   - level: RMS over the whole file within TOL per cent of the reference's;
 *   - shape: the Pearson correlation of the two RMS envelopes in 10 ms windows
 *     at least MINCORR (0.95), so that the notes sound at the same times;
 *   - pitch: the correlation of the two long-term amplitude spectra (the mean
 *     power of Hann-windowed 4096-sample frames, square-rooted, bins up to
 *     half the sample rate) at least MINCORR too, so that they are the same
 *     notes: a chord a tone off keeps the level and the rhythm, not the spectrum.
 * It prints one line per render with the figures, and exits 1 when any render
 * fails a check (2 on bad usage or an unreadable file).
 *
 * Usage: anchor_check [--tol PCT] [--min-corr R] REF.wav NAME=FILE.wav ... */
#include <complex.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int sr, channels;
    sf_count_t frames;
    float *x;
} wav;

static int wav_read(const char *path, wav *w)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    memset(w, 0, sizeof *w);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "anchor_check: %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    w->sr = info.samplerate;
    w->channels = info.channels;
    w->frames = info.frames;
    size_t n = (size_t)info.frames * (size_t)info.channels;
    w->x = malloc(n ? n * sizeof *w->x : 1);
    if (!w->x || sf_readf_float(f, w->x, info.frames) != info.frames) {
        fprintf(stderr, "anchor_check: %s: cannot read %lld frames\n", path, (long long)info.frames);
        sf_close(f);
        free(w->x);
        return -1;
    }
    sf_close(f);
    return 0;
}

static double rms(const float *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return n ? sqrt(s / (double)n) : 0.0;
}

/* correlation of the RMS envelopes (windows of win samples) of a and b */
static double env_corr(const float *a, const float *b, size_t n, size_t win)
{
    size_t m = n / win;
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (size_t w = 0; w < m; w++) {
        double ea = rms(a + w * win, win), eb = rms(b + w * win, win);
        sa += ea;
        sb += eb;
        saa += ea * ea;
        sbb += eb * eb;
        sab += ea * eb;
    }
    if (m < 2) return 0.0;
    double mm = (double)m, cov = sab - sa * sb / mm, va = saa - sa * sa / mm, vb = sbb - sb * sb / mm;
    return va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0.0;
}

enum { FFT_N = 4096, FFT_LOG2 = 12 };

/* in-place radix-2 FFT of FFT_N points */
static void fft(double complex *x)
{
    for (unsigned i = 1, j = 0; i < FFT_N; i++) {
        unsigned bit = FFT_N >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j |= bit;
        if (i < j) {
            double complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    const double pi = 3.14159265358979323846;
    for (unsigned len = 2; len <= FFT_N; len <<= 1) {
        double complex w = CMPLX(cos(2.0 * pi / (double)len), -sin(2.0 * pi / (double)len));
        for (unsigned i = 0; i < FFT_N; i += len) {
            double complex wk = 1.0;
            for (unsigned k = 0; k < len / 2; k++) {
                double complex u = x[i + k], v = x[i + k + len / 2] * wk;
                x[i + k] = u + v;
                x[i + k + len / 2] = u - v;
                wk *= w;
            }
        }
    }
}

/* long-term amplitude spectrum of x (FFT_N/2 bins): sqrt of the mean power of Hann-windowed frames */
static void ltas(const float *x, size_t n, double *spec)
{
    static double complex buf[FFT_N];
    const double pi = 3.14159265358979323846;
    memset(spec, 0, FFT_N / 2 * sizeof *spec);
    size_t frames = n / FFT_N;
    for (size_t fr = 0; fr < frames; fr++) {
        for (unsigned i = 0; i < FFT_N; i++)
            buf[i] = (double)x[fr * FFT_N + i] * (0.5 - 0.5 * cos(2.0 * pi * i / FFT_N));
        fft(buf);
        for (unsigned k = 0; k < FFT_N / 2; k++) spec[k] += creal(buf[k] * conj(buf[k]));
    }
    for (unsigned k = 0; k < FFT_N / 2; k++) spec[k] = sqrt(spec[k] / (double)(frames ? frames : 1));
}

static double corr(const double *a, const double *b, size_t m)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (size_t i = 0; i < m; i++) {
        sa += a[i];
        sb += b[i];
        saa += a[i] * a[i];
        sbb += b[i] * b[i];
        sab += a[i] * b[i];
    }
    double mm = (double)m, cov = sab - sa * sb / mm, va = saa - sa * sa / mm, vb = sbb - sb * sb / mm;
    return va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0.0;
}

int main(int argc, char **argv)
{
    double tol = 5.0, min_corr = 0.95;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc) break;
        if (!strcmp(argv[i], "--tol")) tol = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--min-corr")) min_corr = atof(argv[i + 1]);
        else break;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: anchor_check [--tol PCT] [--min-corr R] REF.wav NAME=FILE.wav ...\n");
        return 2;
    }
    wav ref;
    if (wav_read(argv[i], &ref)) return 2;
    if (ref.channels != 1 || ref.frames <= 0) {
        fprintf(stderr, "anchor_check: %s: the reference must be a non-empty mono file\n", argv[i]);
        return 2;
    }
    double ref_rms = rms(ref.x, (size_t)ref.frames);
    if (!(ref_rms > 0.0)) {
        fprintf(stderr, "anchor_check: %s: the reference is silent\n", argv[i]);
        return 2;
    }
    size_t win = (size_t)ref.sr / 100;
    static double ref_spec[FFT_N / 2], spec[FFT_N / 2];
    ltas(ref.x, (size_t)ref.frames, ref_spec);
    printf("%-16s %10s %10s %9s %8s %8s %9s  %s\n", "render", "frames", "rms", "rms/ref", "env-r", "spec-r", "max|d|",
           "verdict");
    printf("%-16s %10lld %10.6f %9s %8s %8s %9s  reference (%s)\n", "reference", (long long)ref.frames, ref_rms, "1",
           "1", "1", "0", argv[i]);
    int bad = 0;
    for (i++; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *path = eq ? eq + 1 : argv[i];
        int namelen = eq ? (int)(eq - argv[i]) : (int)strlen(argv[i]);
        wav w;
        if (wav_read(path, &w)) return 2;
        const char *why = NULL;
        char buf[160];
        double r = 0, ratio = 0, ecorr = 0, scorr = 0, maxd = 0;
        if (w.channels != 1) why = "not mono";
        else if (w.sr != ref.sr) why = "another sample rate";
        else if (w.frames != ref.frames) {
            snprintf(buf, sizeof buf, "length %lld frames, the reference has %lld", (long long)w.frames,
                     (long long)ref.frames);
            why = buf;
        } else {
            r = rms(w.x, (size_t)w.frames);
            ratio = r / ref_rms;
            ecorr = env_corr(ref.x, w.x, (size_t)w.frames, win);
            ltas(w.x, (size_t)w.frames, spec);
            scorr = corr(ref_spec, spec, FFT_N / 2);
            for (sf_count_t k = 0; k < w.frames; k++) {
                double d = fabs((double)w.x[k] - (double)ref.x[k]);
                if (d > maxd) maxd = d;
            }
            if (!(fabs(ratio - 1.0) * 100.0 <= tol)) {
                snprintf(buf, sizeof buf, "RMS off by %+.2f%% (tolerance %g%%)", (ratio - 1.0) * 100.0, tol);
                why = buf;
            } else if (!(ecorr >= min_corr)) {
                snprintf(buf, sizeof buf, "envelope correlation %.4f below %.2f", ecorr, min_corr);
                why = buf;
            } else if (!(scorr >= min_corr)) {
                snprintf(buf, sizeof buf, "spectrum correlation %.4f below %.2f", scorr, min_corr);
                why = buf;
            }
        }
        printf("%-16.*s %10lld %10.6f %9.4f %8.4f %8.4f %9.2e  %s\n", namelen, argv[i], (long long)w.frames, r, ratio,
               ecorr, scorr, maxd, why ? why : "same music");
        if (why) bad = 1;
        free(w.x);
    }
    free(ref.x);
    if (bad) fprintf(stderr, "anchor_check: a render is not the same music as the reference (see above)\n");
    return bad;
}
