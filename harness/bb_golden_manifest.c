/* bb_golden_manifest.c - the golden corpus's manifest, DIR/manifest.tsv: read with every field
 * checked, looked up, written back (bless). Its format is bb_golden_manifest.h's.
 *
 * What it guarantees:
 *   - A manifest that loads is well formed: names of [A-Za-z0-9_.-] (unique), program and WAV
 *     paths (a WAV belongs to one workload), frames and sha256 both set (64 lowercase hex digits)
 *     or both '-', options that bb_run_cfg_option accepts and that are a workload's (none of
 *     bb_golden_axis_options; --format f32 only), at most BB_GOLDEN_ENTRIES_MAX workloads, at
 *     least one. An error names the manifest's path, line and column and what was expected; on
 *     failure the manifest is empty.
 *   - An entry's options are kept normalised, single spaces between tokens, so that
 *     bb_golden_manifest_argv splits them again as they were read.
 *   - The file is written whole or not at all (bb_file_commit: a temporary file, renamed).
 *
 * Units: frames (of the mono golden), bytes (MANIFEST_BYTES_MAX: the largest manifest read). */
#include "bb_golden_manifest.h"

#include "bb_golden.h"

#include "bb_alloc.h"
#include "bb_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MANIFEST_BYTES_MAX = 1 << 20 };

/* ---- a line's fields ---------------------------------------------------------------- */

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

int bb_golden_manifest_argv(const char *opts, char buf[BB_GOLDEN_OPTS_MAX], char *argv[BB_GOLDEN_ARGS_MAX + 1], int *argc)
{
    snprintf(buf, BB_GOLDEN_OPTS_MAX, "%s", opts);
    if (split_spaces(buf, argv, BB_GOLDEN_ARGS_MAX, argc)) return -1;
    argv[*argc] = NULL;
    return 0;
}

/* Check one entry's options: tokens that bb_run_cfg_option accepts, none of the
 * verify axes, --format f32 only. col is the options' column in the line. */
static bb_result check_opts(const char *path, int line, int col, const char *opts, bb_error *err)
{
    char buf[BB_GOLDEN_OPTS_MAX];
    char *argv[BB_GOLDEN_ARGS_MAX + 1];
    int argc;
    if (bb_golden_manifest_argv(opts, buf, argv, &argc))
        return bb_error_set(err, BB_ERR_FORMAT, path, line, col, "more than %d option tokens", BB_GOLDEN_ARGS_MAX);
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

/* Line `line` of the manifest at path (s, a line that is not a comment, modified) into e. */
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

/* ---- reading, finding, writing ------------------------------------------------------- */

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
    bb_result r = fclose(f) == 0 && text ? bb_file_commit(path, text, n, err)
                                         : bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    free(text);
    return r;
}

