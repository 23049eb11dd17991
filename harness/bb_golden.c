/* bb_golden.c - the golden corpus: manifest, SHA-256 of decoded samples,
 * comparison, jobs, the matrix of combinations, and the bless engine (verify's
 * is bb_verify.c).
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
 * Units: frames (samples of the mono output, int64/size_t), seconds (double,
 * for display), cycles (exact rationals from the program's own time map,
 * bb_prog_time, so cycle and beat are exact even after a reload). */
#include "bb_golden.h"

#include "bb_alloc.h"
#include "bb_cmds.h"
#include "bb_json.h"
#include "bb_kit.h"
#include "bb_prog.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static double now_s(void) { return bb_now_ns() / 1e9; }

/* ---- the manifest ---------------------------------------------------------------- */

enum { MANIFEST_BYTES_MAX = 1 << 20 };

const char *const bb_golden_axis_options[] = {"--strategy", "--threads", "--pin", "--block", "--stats", NULL};

/* Split s (modified in place) at runs of spaces into tok[0..*n). */
static int split_spaces(char *s, char **tok, int max, int *n)
{
    *n = 0;
    for (char *p = s; *p;) {
        while (*p == ' ') *p++ = '\0';
        if (!*p) break;
        if (*n >= max) return -1;
        tok[(*n)++] = p;
        while (*p && *p != ' ') p++;
    }
    return 0;
}

/* Check one entry's options: tokens that bb_run_cfg_option accepts, none of the
 * verify axes, --format f32 only. col is the options' column in the line. */
static bb_result check_opts(const char *path, int line, int col, const char *opts, bb_error *err)
{
    char buf[BB_GOLDEN_OPTS_MAX];
    snprintf(buf, sizeof buf, "%s", opts);
    char *argv[BB_GOLDEN_ARGS_MAX + 1];
    int argc;
    if (split_spaces(buf, argv, BB_GOLDEN_ARGS_MAX, &argc))
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col, "more than %d option tokens", BB_GOLDEN_ARGS_MAX);
    argv[argc] = NULL;
    bb_run_cfg c;
    bb_run_cfg_default(&c);
    for (int i = 0; i < argc;) {
        for (int k = 0; bb_golden_axis_options[k]; k++)
            if (!strcmp(argv[i], bb_golden_axis_options[k]))
                return bb_error_set(err, BB_ERR_FORMAT, path, line, col,
                                    "option %s is not a workload option (verify varies strategy, threads, block "
                                    "and pinning itself; goldens are rendered by serial)",
                                    argv[i]);
        if (!strcmp(argv[i], "--format") && i + 1 < argc && strcmp(argv[i + 1], "f32"))
            return bb_error_set(err, BB_ERR_FORMAT, path, line, col, "golden WAVs are float32: expected --format f32, found '%s'",
                                argv[i + 1]);
        bb_error e2;
        bb_error_clear(&e2);
        int k = bb_run_cfg_option(&c, argc, argv, &i, &e2);
        if (k < 0) return bb_error_set(err, BB_ERR_FORMAT, path, line, col, "option %s: %s", e2.file, e2.msg);
        if (k == 0) return bb_error_set(err, BB_ERR_FORMAT, path, line, col, "'%s' is not a render option", argv[i]);
    }
    return BB_OK;
}

static bool valid_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

static bool valid_sha(const char *s)
{
    if (strlen(s) != 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
    return true;
}

static bb_result parse_line(const char *path, int line, char *s, bb_golden_entry *e, bb_error *err)
{
    char *field[6];
    int col[6];
    int nf = 0;
    char *p = s;
    while (nf < 6) {
        field[nf] = p;
        col[nf] = (int)(p - s) + 1;
        nf++;
        char *tab = strchr(p, '\t');
        if (!tab || nf == 6) break; /* the options field keeps any further tab: an error below */
        *tab = '\0';
        p = tab + 1;
    }
    if (nf < 6)
        return bb_error_set(err, BB_ERR_FORMAT, path, line, 0,
                            "expected 6 tab-separated fields (workload, program, wav, frames, sha256, options), found %d",
                            nf);
    if (strchr(field[5], '\t'))
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col[5], "expected 6 tab-separated fields, found more");
    memset(e, 0, sizeof *e);
    e->line = line;
    if (!valid_name(field[0]) || strlen(field[0]) >= sizeof e->name)
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col[0],
                            "expected a workload name of letters, digits, '_', '-' or '.' (at most %d bytes), found '%.64s'",
                            BB_GOLDEN_NAME_MAX - 1, field[0]);
    strcpy(e->name, field[0]);
    for (int f = 1; f <= 2; f++) {
        if (!field[f][0] || strlen(field[f]) >= BB_GOLDEN_PATH_MAX)
            return bb_error_set(err, BB_ERR_FORMAT, path, line, col[f], "expected a %s path", f == 1 ? "program" : "WAV");
    }
    strcpy(e->program, field[1]);
    strcpy(e->wav, field[2]);
    bool fr_dash = !strcmp(field[3], "-"), sha_dash = !strcmp(field[4], "-");
    if (fr_dash != sha_dash)
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col[3],
                            "frames and sha256 are both '-' (never blessed) or both set");
    if (!fr_dash) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(field[3], &end, 10);
        if (errno || end == field[3] || *end || field[3][0] == '-' || field[3][0] == '+')
            return bb_error_set(err, BB_ERR_FORMAT, path, line, col[3], "expected a number of frames, found '%.40s'",
                                field[3]);
        if (!valid_sha(field[4]))
            return bb_error_set(err, BB_ERR_FORMAT, path, line, col[4],
                                "expected a sha256 of 64 lowercase hex digits, found '%.80s'", field[4]);
        e->frames = v;
        strcpy(e->sha, field[4]);
        e->blessed = true;
    }
    /* options: normalised to single spaces */
    char tmp[BB_GOLDEN_OPTS_MAX];
    if (strlen(field[5]) >= sizeof tmp)
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col[5], "options longer than %d bytes", BB_GOLDEN_OPTS_MAX - 1);
    strcpy(tmp, field[5]);
    char *tok[BB_GOLDEN_ARGS_MAX];
    int nt;
    if (split_spaces(tmp, tok, BB_GOLDEN_ARGS_MAX, &nt))
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col[5], "more than %d option tokens", BB_GOLDEN_ARGS_MAX);
    e->opts[0] = '\0';
    for (int i = 0; i < nt; i++) {
        if (i) strcat(e->opts, " ");
        strcat(e->opts, tok[i]);
    }
    return check_opts(path, line, col[5], e->opts, err);
}

bb_result bb_golden_manifest_load(const char *dir, bb_golden_manifest *m, bb_error *err)
{
    memset(m, 0, sizeof *m);
    char path[BB_GOLDEN_PATH_MAX];
    if (snprintf(m->dir, sizeof m->dir, "%s", dir) >= (int)sizeof m->dir ||
        bb_golden_join_path(path, sizeof path, dir, BB_GOLDEN_MANIFEST))
        return bb_error_set(err, BB_ERR_ARG, dir, 0, 0, "golden dir path too long");
    FILE *f = fopen(path, "rb");
    if (!f) return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read the golden manifest: %s", strerror(errno));
    char *text = bb_malloc(MANIFEST_BYTES_MAX + 1);
    if (!text) {
        fclose(f);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory to read the manifest");
    }
    size_t len = fread(text, 1, MANIFEST_BYTES_MAX + 1, f);
    int rerr = ferror(f);
    fclose(f);
    bb_result r = BB_OK;
    if (rerr)
        r = bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot read the golden manifest");
    else if (len > MANIFEST_BYTES_MAX)
        r = bb_error_set(err, BB_ERR_LIMIT, path, 0, 0, "manifest larger than %d bytes", MANIFEST_BYTES_MAX);
    text[len < MANIFEST_BYTES_MAX ? len : MANIFEST_BYTES_MAX] = '\0';
    if (!r && memchr(text, '\0', len)) r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "the manifest is not text (a NUL byte)");
    size_t cap = 0;
    int line = 0;
    for (char *s = text; !r && *s;) {
        line++;
        char *nl = strchr(s, '\n');
        char *next = nl ? nl + 1 : s + strlen(s);
        if (nl) *nl = '\0';
        size_t l = strlen(s);
        if (l && s[l - 1] == '\r') s[--l] = '\0';
        if (l && s[0] != '#') {
            if (m->n >= BB_GOLDEN_ENTRIES_MAX) {
                r = bb_error_set(err, BB_ERR_LIMIT, path, line, 0, "more than %d workloads", BB_GOLDEN_ENTRIES_MAX);
                break;
            }
            if (bb_grow((void **)&m->v, &cap, m->n + 1, sizeof *m->v)) {
                r = bb_error_set(err, BB_ERR_NOMEM, path, line, 0, "no memory for the manifest");
                break;
            }
            bb_golden_entry *e = &m->v[m->n];
            if ((r = parse_line(path, line, s, e, err))) break;
            for (size_t j = 0; j < m->n && !r; j++) {
                if (!strcmp(m->v[j].name, e->name))
                    r = bb_error_set(err, BB_ERR_FORMAT, path, line, 1, "workload '%s' is already defined on line %d",
                                     e->name, m->v[j].line);
                else if (!strcmp(m->v[j].wav, e->wav))
                    r = bb_error_set(err, BB_ERR_FORMAT, path, line, 0, "WAV '%s' already belongs to workload '%s' (line %d)",
                                     e->wav, m->v[j].name, m->v[j].line);
            }
            if (!r) m->n++;
        }
        s = next;
    }
    if (!r && !m->n) r = bb_error_set(err, BB_ERR_FORMAT, path, 0, 0, "the manifest lists no workload");
    bb_free(text);
    if (r) {
        bb_free(m->v);
        m->v = NULL;
        m->n = 0;
    }
    return r;
}

void bb_golden_manifest_free(bb_golden_manifest *m)
{
    bb_free(m->v);
    m->v = NULL;
    m->n = 0;
}

const bb_golden_entry *bb_golden_manifest_find(const bb_golden_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].name, name)) return &m->v[i];
    return NULL;
}

bb_result bb_golden_manifest_write(const bb_golden_manifest *m, const char *path, bb_error *err)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    fprintf(f, "# busbench golden manifest. Written by `make bless` (busbench bless); edit only to add or\n"
               "# change a workload (frames and sha256 '-' until blessed). Tab-separated:\n"
               "# workload\tprogram\twav\tframes\tsha256\toptions\n"
               "# Paths are relative to this folder; sha256 is of the decoded float32 samples (little-endian).\n");
    for (size_t i = 0; i < m->n; i++) {
        const bb_golden_entry *e = &m->v[i];
        if (e->blessed)
            fprintf(f, "%s\t%s\t%s\t%llu\t%s\t%s\n", e->name, e->program, e->wav, (unsigned long long)e->frames, e->sha,
                    e->opts);
        else
            fprintf(f, "%s\t%s\t%s\t-\t-\t%s\n", e->name, e->program, e->wav, e->opts);
    }
    bb_result r = fclose(f) == 0 && text ? bb_json_commit_file(path, text, n, err)
                                         : bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    free(text);
    return r;
}

/* ---- jobs ------------------------------------------------------------------------ */

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
    snprintf(buf, sizeof buf, "%s", e->opts);
    char *argv[BB_GOLDEN_ARGS_MAX + 1];
    int argc;
    char mpath[BB_GOLDEN_PATH_MAX];
    bb_golden_join_path(mpath, sizeof mpath, m->dir, BB_GOLDEN_MANIFEST);
    if (split_spaces(buf, argv, BB_GOLDEN_ARGS_MAX, &argc))
        return bb_error_set(err, BB_ERR_FORMAT, mpath, e->line, 0, "too many options");
    argv[argc] = NULL;
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

/* ---- the matrix ------------------------------------------------------------------------- */

void bb_golden_matrix_default(bb_golden_matrix *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; bb_variants[i] && m->nstrategies < BB_GOLDEN_AXIS_MAX; i++)
        if (!bb_variants[i]->canary) snprintf(m->strategies[m->nstrategies++], sizeof m->strategies[0], "%s", bb_variants[i]->name);
    int cores = bb_workers_cores();
    m->threads[m->nthreads++] = 1;
    if (cores > 1) m->threads[m->nthreads++] = cores > BB_WORKERS_MAX ? BB_WORKERS_MAX : cores;
    m->blocks[m->nblocks++] = 64;
    m->blocks[m->nblocks++] = 512;
    m->pins[m->npins++] = BB_PIN_COMPACT;
    m->pins[m->npins++] = BB_PIN_NONE;
}

static int parse_int(const char *s, size_t n, long lo, long hi, long *out)
{
    char buf[32];
    if (!n || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

bb_result bb_golden_matrix_axis(bb_golden_matrix *m, const char *option, const char *list, bb_error *err)
{
    size_t count = 0;
    bb_golden_matrix t = *m;
    enum { S, T, B, P, W } which;
    if (!strcmp(option, "--strategies")) which = S;
    else if (!strcmp(option, "--threads")) which = T;
    else if (!strcmp(option, "--blocks")) which = B;
    else if (!strcmp(option, "--pins")) which = P;
    else if (!strcmp(option, "--workloads")) which = W;
    else return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "unknown axis %s", option);
    if (!*list) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "expected a comma-separated list after %s", option);
    for (const char *s = list; *s;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!n) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "empty item in '%s'", list);
        if (count >= BB_GOLDEN_AXIS_MAX)
            return bb_error_set(err, BB_ERR_LIMIT, option, 0, 0, "more than %d values", BB_GOLDEN_AXIS_MAX);
        long v;
        switch (which) {
        case S: {
            if (n >= sizeof t.strategies[0]) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "strategy name too long");
            char *d = t.strategies[count];
            memcpy(d, s, n);
            d[n] = '\0';
            for (char *c = d; *c; c++)
                if (*c == '+') *c = ',';
            bb_plan plan;
            bb_error e2;
            bb_error_clear(&e2);
            if (bb_plan_parse(d, 1, 0, BB_PIN_NONE, &plan, &e2))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "%s", e2.msg);
            break;
        }
        case T:
            if (parse_int(s, n, 1, BB_WORKERS_MAX, &v))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad thread count '%.*s': expected 1 to %d", (int)n, s,
                                    BB_WORKERS_MAX);
            t.threads[count] = (int)v;
            break;
        case B:
            if (parse_int(s, n, 1, BB_RENDER_BLOCK_MAX, &v))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad block size '%.*s': expected 1 to %d", (int)n, s,
                                    BB_RENDER_BLOCK_MAX);
            t.blocks[count] = (size_t)v;
            break;
        case P: {
            char buf[16];
            if (n >= sizeof buf) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad pinning '%.*s': expected compact, scatter or none", (int)n, s);
            memcpy(buf, s, n);
            buf[n] = '\0';
            if (bb_pin_parse(buf, &t.pins[count]))
                return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "bad pinning '%s': expected compact, scatter or none", buf);
            break;
        }
        case W:
            if (n >= BB_GOLDEN_NAME_MAX) return bb_error_set(err, BB_ERR_ARG, option, 0, 0, "workload name too long");
            memcpy(t.workloads[count], s, n);
            t.workloads[count][n] = '\0';
            break;
        }
        count++;
        s = e ? e + 1 : s + n;
    }
    switch (which) {
    case S: t.nstrategies = count; break;
    case T: t.nthreads = count; break;
    case B: t.nblocks = count; break;
    case P: t.npins = count; break;
    case W: t.nworkloads = count; break;
    }
    *m = t;
    return BB_OK;
}

/* the axes as options (bb_opt.h): base is the bb_golden_matrix */
static bb_result axis_strategies(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--strategies", v, err); }
static bb_result axis_threads(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--threads", v, err); }
static bb_result axis_blocks(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--blocks", v, err); }
static bb_result axis_pins(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--pins", v, err); }
static bb_result axis_workloads(void *m, const char *v, bb_error *err) { return bb_golden_matrix_axis(m, "--workloads", v, err); }

const bb_opt bb_golden_matrix_options[] = {
    {"--strategies", BB_OPT_FN, 0, 0, 0, "LIST", "default: every strategy that is not a canary; '+' composes (cycle+pool)", NULL,
     axis_strategies},
    {"--threads", BB_OPT_FN, 0, 0, 0, "LIST", "default: 1 and the core count", NULL, axis_threads},
    {"--blocks", BB_OPT_FN, 0, 0, 0, "LIST", "default: 64,512", NULL, axis_blocks},
    {"--pins", BB_OPT_FN, 0, 0, 0, "LIST", "compact, scatter, none (default: compact,none)", NULL, axis_pins},
    {"--workloads", BB_OPT_FN, 0, 0, 0, "LIST", "default: every workload of the manifest", NULL, axis_workloads},
    BB_OPT_END,
};

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

/* ---- bless ---------------------------------------------------------------------------------- */

/* What blessing the render got[0..n) (at sr, rendered in secs) does to the golden at wav: new,
 * replaced (unreadable), changed (where first, by how much) or unchanged. */
static void say_change(FILE *out, const char *name, const char *wav, const float *got, size_t n, int sr, double secs)
{
    float *old = NULL;
    size_t nold = 0;
    int osr = 0, och = 0;
    bb_error oerr;
    bb_error_clear(&oerr);
    if (access(wav, F_OK) != 0) {
        fprintf(out, "new        %-11s %s: %zu frames (%.2f s of audio, rendered in %.2f s)\n", name, wav, n,
                (double)n / sr, secs);
        return;
    }
    if (bb_wav_read(wav, &old, &nold, &osr, &och, &oerr)) {
        fprintf(out, "replaced   %-11s %s: the old file is unreadable (%s); now %zu frames\n", name, wav, oerr.msg, n);
        return;
    }
    bb_golden_diff d;
    if (och != 1 || osr != sr) {
        fprintf(out, "changed    %-11s %s: was %d channel(s) at %d Hz, now mono at %d Hz, %zu frames\n", name, wav, och, osr,
                sr, n);
    } else {
        bb_golden_compare(got, n, old, nold, &d);
        if (d.first < 0) {
            fprintf(out, "unchanged  %-11s %s: %zu frames\n", name, wav, n);
        } else {
            char was[48], now[48];
            if ((size_t)d.first < nold) snprintf(was, sizeof was, "%.9g", (double)d.want);
            else snprintf(was, sizeof was, "(absent)");
            if ((size_t)d.first < n) snprintf(now, sizeof now, "%.9g", (double)d.got);
            else snprintf(now, sizeof now, "(absent)");
            fprintf(out,
                    "changed    %-11s %s: frames %zu -> %zu, max |diff| %.9g, %llu samples differ (first at "
                    "frame %lld: %s -> %s)\n",
                    name, wav, nold, n, d.max_abs, (unsigned long long)d.ndiff, (long long)d.first, was, now);
        }
    }
    bb_free(old);
}

int bb_golden_bless(const char *dir, const bb_golden_matrix *m, bool keep_blessed, FILE *out, FILE *errf)
{
    bb_golden_manifest man;
    bb_error err;
    bb_error_clear(&err);
    if (bb_golden_manifest_load(dir, &man, &err)) {
        bb_golden_print_err(errf, "bless", &err);
        return BB_EXIT_USAGE;
    }
    size_t sel[BB_GOLDEN_ENTRIES_MAX], nsel;
    if (bb_golden_select(&man, m, sel, &nsel, "bless", errf)) {
        bb_golden_manifest_free(&man);
        return BB_EXIT_USAGE;
    }
    float *got[BB_GOLDEN_ENTRIES_MAX] = {0};
    size_t ngot[BB_GOLDEN_ENTRIES_MAX] = {0};
    bb_golden_job *jobs = bb_calloc(nsel ? nsel : 1, sizeof *jobs);
    int rc = BB_EXIT_OK;
    if (!jobs) {
        fprintf(errf, "busbench bless: out of memory\n");
        rc = BB_EXIT_USAGE;
    }
    size_t njobs = 0, ndiffer = 0;
    /* 1. render everything (nothing is written unless all succeed) */
    for (size_t i = 0; i < nsel && rc == BB_EXIT_OK; i++) {
        bb_golden_entry *e = &man.v[sel[i]];
        bb_golden_job *job = &jobs[njobs++];
        if (bb_golden_job_init(job, &man, e, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
            break;
        }
        bb_run_cfg c = job->cfg;
        bb_golden_serial(&c);
        bb_run_out ro;
        double t0 = now_s();
        if (bb_run(&c, NULL, true, false, &ro, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            fprintf(errf, "busbench bless: workload '%s' does not render; nothing was written\n", e->name);
            bb_run_out_free(&ro);
            rc = BB_EXIT_USAGE;
            break;
        }
        got[i] = ro.samples;
        ngot[i] = ro.frames;
        ro.samples = NULL;
        bb_run_out_free(&ro);
        char sha[BB_GOLDEN_SHA_HEX];
        if (bb_golden_sha256_samples(got[i], ngot[i], sha, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
            break;
        }
        /* 2. say what changes */
        say_change(out, e->name, job->wav, got[i], ngot[i], c.sr, now_s() - t0);
        if (e->blessed && strcmp(e->sha, sha)) {
            fprintf(out, "           %-11s manifest sha256 %.12s... -> %.12s...\n", e->name, e->sha, sha);
            if (keep_blessed) {
                fprintf(errf, "busbench bless: workload '%s' has a golden that differs from this render\n", e->name);
                ndiffer++;
            }
        }
        e->blessed = true;
        e->frames = (uint64_t)ngot[i];
        memcpy(e->sha, sha, sizeof e->sha);
    }
    if (rc == BB_EXIT_OK && ndiffer) {
        rc = BB_EXIT_USAGE;
        fprintf(errf, "busbench bless: refusing to overwrite goldens that differ (nothing was written); "
                      "bless --force overwrites them\n");
    }
    /* 3. write: every WAV (atomically), then the manifest (atomically) */
    for (size_t i = 0; i < nsel && rc == BB_EXIT_OK; i++) {
        if (bb_wav_write(jobs[i].wav, got[i], ngot[i], jobs[i].cfg.sr, BB_WAV_F32, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
        }
    }
    if (rc == BB_EXIT_OK) {
        char path[BB_GOLDEN_PATH_MAX];
        bb_golden_join_path(path, sizeof path, dir, BB_GOLDEN_MANIFEST);
        if (bb_golden_manifest_write(&man, path, &err)) {
            bb_golden_print_err(errf, "bless", &err);
            rc = BB_EXIT_USAGE;
        } else {
            fprintf(out, "bless: %zu golden%s written, %s rewritten\n", nsel, nsel == 1 ? "" : "s", path);
        }
    }
    for (size_t i = 0; i < njobs; i++) bb_golden_job_free(&jobs[i]);
    for (size_t i = 0; i < nsel; i++) bb_free(got[i]);
    bb_free(jobs);
    bb_golden_manifest_free(&man);
    return rc;
}
