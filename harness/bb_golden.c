/* bb_golden.c - the golden corpus: SHA-256 of decoded samples, sample-exact comparison, jobs (a
 * manifest entry made a render setup, its golden read and checked), and the selection of
 * workloads. The manifest is bb_golden_manifest.c, the matrix of combinations
 * bb_golden_matrix.c, the bless engine bb_golden_bless.c (verify's is bb_verify.c).
 *
 * What it guarantees:
 *   - Equality is equality of bits. Two renderings match only when every frame
 *     has the same float32 bit pattern and they have the same length; the
 *     largest |difference| and the count of differing frames are reported for
 *     the human, never used to decide.
 *   - The manifest's sha256 is of the decoded samples (binary32 little-endian,
 *     frame order), computed with OpenSSL's EVP interface, so a golden file
 *     that was changed (or a re-encoded one) is told apart from a render that
 *     is wrong: verify checks each golden against its manifest line before
 *     comparing renders with it.
 *   - Files are never half-written: WAVs go through bb_wav_write (temporary
 *     file + rename), the manifest through a temporary file + rename, and bless
 *     writes nothing until every render has succeeded.
 *   - Verify never changes the corpus; only bless writes into it.
 *
 * Units: frames (samples of the mono output, int64/size_t); a golden is at its workload's rate. */
#include "bb_golden.h"

#include "bb_alloc.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ---- SHA-256 ------------------------------------------------------------------ */

typedef struct sha_ctx {
    EVP_MD_CTX *md;
} sha_ctx;

static bb_result sha_begin(sha_ctx *s, bb_error *err)
{
    s->md = EVP_MD_CTX_new();
    if (!s->md || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(s->md);
        s->md = NULL;
        return bb_error_set(err, BB_ERR_INTERNAL, "libcrypto", 0, 0, "cannot start a SHA-256 digest");
    }
    return BB_OK;
}

static bb_result sha_update(sha_ctx *s, const void *data, size_t n, bb_error *err)
{
    if (n && EVP_DigestUpdate(s->md, data, n) != 1) {
        EVP_MD_CTX_free(s->md);
        s->md = NULL;
        return bb_error_set(err, BB_ERR_INTERNAL, "libcrypto", 0, 0, "SHA-256 update failed");
    }
    return BB_OK;
}

static bb_result sha_end(sha_ctx *s, char hex[BB_GOLDEN_SHA_HEX], bb_error *err)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    int ok = EVP_DigestFinal_ex(s->md, d, &dn) == 1 && dn == 32;
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
    if (!ok) return bb_error_set(err, BB_ERR_INTERNAL, "libcrypto", 0, 0, "SHA-256 final failed");
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
    return BB_OK;
}

bb_result bb_golden_sha256(const void *data, size_t n, char hex[BB_GOLDEN_SHA_HEX], bb_error *err)
{
    sha_ctx s;
    bb_result r = sha_begin(&s, err);
    if (!r) r = sha_update(&s, data, n, err);
    if (!r) r = sha_end(&s, hex, err);
    return r;
}

bb_result bb_golden_sha256_samples(const float *x, size_t n, char hex[BB_GOLDEN_SHA_HEX], bb_error *err)
{
    sha_ctx s;
    bb_result r = sha_begin(&s, err);
    unsigned char chunk[4096];
    size_t used = 0;
    for (size_t i = 0; i < n && !r; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        chunk[used++] = (unsigned char)(u & 0xff);
        chunk[used++] = (unsigned char)((u >> 8) & 0xff);
        chunk[used++] = (unsigned char)((u >> 16) & 0xff);
        chunk[used++] = (unsigned char)(u >> 24);
        if (used == sizeof chunk) {
            r = sha_update(&s, chunk, used, err);
            used = 0;
        }
    }
    if (!r) r = sha_update(&s, chunk, used, err);
    if (!r) r = sha_end(&s, hex, err);
    return r;
}

/* ---- comparison ------------------------------------------------------------------ */

static bool same_bits(float a, float b)
{
    uint32_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

void bb_golden_compare(const float *got, size_t ngot, const float *want, size_t nwant, bb_golden_diff *d)
{
    memset(d, 0, sizeof *d);
    d->got_frames = ngot;
    d->want_frames = nwant;
    d->first = -1;
    d->max_at = -1;
    size_t n = ngot > nwant ? ngot : nwant;
    for (size_t i = 0; i < n; i++) {
        float g = i < ngot ? got[i] : 0.0f, w = i < nwant ? want[i] : 0.0f;
        if (i < ngot && i < nwant && same_bits(g, w)) continue;
        double a = fabs((double)g - (double)w);
        if (isnan(a)) a = (double)INFINITY;
        if (d->first < 0) {
            d->first = (int64_t)i;
            d->got = g;
            d->want = w;
        }
        if (d->max_at < 0 || a > d->max_abs) {
            d->max_abs = a;
            d->max_at = (int64_t)i;
        }
        d->ndiff++;
    }
}

bb_result bb_golden_residual(const char *path, const float *got, size_t ngot, const float *want, size_t nwant,
                             int sr, bb_error *err)
{
    size_t n = ngot > nwant ? ngot : nwant;
    float *res = bb_malloc((n ? n : 1) * sizeof *res);
    if (!res) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory for the residual");
    for (size_t i = 0; i < n; i++) res[i] = (i < ngot ? got[i] : 0.0f) - (i < nwant ? want[i] : 0.0f);
    bb_result r = bb_wav_write(path, res, n, sr, BB_WAV_F32, err);
    bb_free(res);
    return r;
}

/* ---- paths and small helpers -------------------------------------------------------- */

int bb_golden_join_path(char *out, size_t cap, const char *dir, const char *rel)
{
    int n;
    if (rel[0] == '/' || !dir[0] || !strcmp(dir, "."))
        n = snprintf(out, cap, "%s", rel);
    else
        n = snprintf(out, cap, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", rel);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bb_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- jobs ------------------------------------------------------------------------ */

const char *const bb_golden_axis_options[] = {"--strategy", "--threads", "--pin", "--block", "--stats", NULL};

void bb_golden_job_free(bb_golden_job *job)
{
    for (int i = 0; i < job->nowned; i++) bb_free(job->owned[i]);
    job->nowned = 0;
}

static char *job_keep(bb_golden_job *job, const char *s)
{
    if (job->nowned >= BB_GOLDEN_ARGS_MAX) return NULL;
    char *d = dup_str(s);
    if (d) job->owned[job->nowned++] = d;
    return d;
}

bb_result bb_golden_job_init(bb_golden_job *job, const bb_golden_manifest *m, const bb_golden_entry *e,
                             bb_error *err)
{
    memset(job, 0, sizeof *job);
    bb_run_cfg_default(&job->cfg);
    if (bb_golden_join_path(job->program, sizeof job->program, m->dir, e->program) ||
        bb_golden_join_path(job->wav, sizeof job->wav, m->dir, e->wav))
        return bb_error_set(err, BB_ERR_ARG, m->dir, 0, 0, "path too long for workload '%s'", e->name);
    job->cfg.program = job->program;
    char buf[BB_GOLDEN_OPTS_MAX];
    char *argv[BB_GOLDEN_ARGS_MAX + 1];
    int argc;
    char mpath[BB_GOLDEN_PATH_MAX];
    bb_golden_join_path(mpath, sizeof mpath, m->dir, BB_GOLDEN_MANIFEST);
    if (bb_golden_manifest_argv(e->opts, buf, argv, &argc))
        return bb_error_set(err, BB_ERR_FORMAT, mpath, e->line, 0, "too many options");
    /* resolve the paths inside option values against the golden dir, keeping them */
    for (int i = 0; i + 1 < argc; i++) {
        char res[2 * BB_GOLDEN_PATH_MAX];
        const char *v = argv[i + 1];
        bool path_opt = false;
        if (!strcmp(argv[i], "--reload-at")) {
            const char *colon = strchr(v, ':');
            if (colon && colon[1]) {
                char rel[BB_GOLDEN_PATH_MAX];
                if (bb_golden_join_path(rel, sizeof rel, m->dir, colon + 1))
                    return bb_error_set(err, BB_ERR_ARG, mpath, e->line, 0, "reload path too long");
                snprintf(res, sizeof res, "%.*s:%s", (int)(colon - v), v, rel);
                path_opt = true;
            }
        } else if (!strcmp(argv[i], "--samples")) {
            if (bb_golden_join_path(res, sizeof res, m->dir, v)) return bb_error_set(err, BB_ERR_ARG, mpath, e->line, 0, "samples path too long");
            path_opt = true;
        }
        if (path_opt) {
            char *kept = job_keep(job, res);
            if (!kept) return bb_error_set(err, BB_ERR_NOMEM, mpath, e->line, 0, "no memory for the options");
            argv[i + 1] = kept;
            i++;
        }
    }
    /* --reload-at keeps a pointer into its value: every value must outlive cfg */
    for (int i = 0; i < argc; i++) {
        bool owned = false;
        for (int k = 0; k < job->nowned; k++) owned |= argv[i] == job->owned[k];
        if (!owned) {
            char *kept = job_keep(job, argv[i]);
            if (!kept) return bb_error_set(err, BB_ERR_NOMEM, mpath, e->line, 0, "no memory for the options");
            argv[i] = kept;
        }
    }
    for (int i = 0; i < argc;) {
        bb_error e2;
        bb_error_clear(&e2);
        int k = bb_run_cfg_option(&job->cfg, argc, argv, &i, &e2);
        if (k <= 0)
            return bb_error_set(err, BB_ERR_FORMAT, mpath, e->line, 0, "workload '%s': %s", e->name,
                                k < 0 ? e2.msg : "not a render option");
    }
    return BB_OK;
}

bb_result bb_golden_read(const bb_golden_job *job, const bb_golden_entry *e, float **data, size_t *frames,
                         char sha_out[BB_GOLDEN_SHA_HEX], bb_error *err)
{
    *data = NULL;
    *frames = 0;
    sha_out[0] = '\0';
    if (!e->blessed)
        return bb_error_set(err, BB_ERR_FORMAT, job->wav, 0, 0,
                            "workload '%s' has no golden yet (frames and sha256 are '-'): run `make bless`", e->name);
    size_t n = 0;
    int sr = 0, ch = 0;
    float *x = NULL;
    bb_error e2;
    bb_error_clear(&e2);
    bb_result r = bb_wav_read(job->wav, &x, &n, &sr, &ch, &e2);
    if (r) return bb_error_set(err, r, job->wav, 0, 0, "golden of workload '%s': %s", e->name, e2.msg);
    if (ch != 1)
        r = bb_error_set(err, BB_ERR_FORMAT, job->wav, 0, 0, "golden of workload '%s' has %d channels, expected 1 (mono)",
                         e->name, ch);
    else if (sr != job->cfg.sr)
        r = bb_error_set(err, BB_ERR_FORMAT, job->wav, 0, 0,
                         "golden of workload '%s' is at %d Hz, but the workload renders at %d Hz", e->name, sr, job->cfg.sr);
    else if ((uint64_t)n != e->frames)
        r = bb_error_set(err, BB_ERR_FORMAT, job->wav, 0, 0,
                         "golden of workload '%s' has %zu frames, the manifest says %llu", e->name, n,
                         (unsigned long long)e->frames);
    if (r) {
        bb_free(x);
        return r;
    }
    if ((r = bb_golden_sha256_samples(x, n, sha_out, err))) {
        bb_free(x);
        return r;
    }
    *data = x;
    *frames = n;
    if (strcmp(sha_out, e->sha))
        return bb_error_set(err, BB_ERR_MISMATCH, job->wav, 0, 0,
                            "golden of workload '%s' does not match its manifest: samples' sha256 is %s, the manifest "
                            "says %s (the file was changed outside `make bless`)",
                            e->name, sha_out, e->sha);
    return BB_OK;
}

/* ---- selecting workloads, messages ---- */

void bb_golden_print_err(FILE *errf, const char *cmd, const bb_error *e)
{
    char msg[BB_ERROR_MSG_MAX + BB_ERROR_FILE_MAX + 64];
    fprintf(errf, "busbench %s: %s\n", cmd, bb_error_format(e, msg, sizeof msg));
}

bb_result bb_golden_pick(const char *const *names, size_t n, const char *const *want, size_t nwant, const char *where,
                         size_t *sel, size_t cap, size_t *nsel, bb_error *err)
{
    *nsel = 0;
    for (size_t w = 0; w < (nwant ? nwant : n); w++) {
        size_t i = w;
        if (nwant)
            for (i = 0; i < n && strcmp(names[i], want[w]); i++) continue;
        if (i == n) {
            char list[BB_ERROR_MSG_MAX / 2] = "";
            for (size_t k = 0, used = 0; k < n && used + strlen(names[k]) + 5 < sizeof list; k++)
                used += (size_t)snprintf(list + used, sizeof list - used, " %s", names[k]);
            return bb_error_set(err, BB_ERR_ARG, "--workloads", 0, 0, "unknown workload '%.64s' (%s:%s)", want[w], where, list);
        }
        if (*nsel >= cap) return bb_error_set(err, BB_ERR_LIMIT, "--workloads", 0, 0, "more than %zu workloads", cap);
        sel[(*nsel)++] = i;
    }
    return BB_OK;
}

int bb_golden_select(const bb_golden_manifest *man, const bb_golden_matrix *m, size_t *sel, size_t *nsel,
                     const char *cmd, FILE *errf)
{
    const char *names[BB_GOLDEN_ENTRIES_MAX], *want[BB_GOLDEN_AXIS_MAX];
    for (size_t i = 0; i < man->n; i++) names[i] = man->v[i].name;
    for (size_t w = 0; m && w < m->nworkloads; w++) want[w] = m->workloads[w];
    char where[BB_GOLDEN_PATH_MAX + 32];
    snprintf(where, sizeof where, "the manifest in %.1000s lists", man->dir);
    bb_error err;
    bb_error_clear(&err);
    if (!bb_golden_pick(names, man->n, want, m ? m->nworkloads : 0, where, sel, BB_GOLDEN_ENTRIES_MAX, nsel, &err)) return 0;
    bb_golden_print_err(errf, cmd, &err);
    return -1;
}

void bb_golden_serial(bb_run_cfg *c)
{
    c->strategy = "serial";
    c->threads = 1;
    c->block = BB_GOLDEN_BLOCK;
    c->pin = BB_PIN_NONE;
    c->stats = false;
}

