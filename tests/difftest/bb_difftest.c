/* bb_difftest.c - generated programs rendered by every strategy against serial (bb_difftest.h).
 *
 * What it is. The reference is serial at 1 thread and block 512; every
 * configuration of the matrix renders the same case and must give its samples
 * bit for bit, and the counters listed in SAME_COUNTERS exactly. A
 * configuration with lanes must synthesise exactly what its twin without lanes
 * does (TWIN_COUNTERS), and its lane counters must be consistent with whole
 * groups of BB_LANES lanes. These are a second way of counting: they hold
 * whatever the program, so a generated program checks them as well as a
 * hand-counted one does.
 *
 * Reduction. Hierarchical delta debugging over the case's syntax tree: for each
 * node (outermost first), try removing each removable kid, replacing the node
 * by one of its kids, and replacing it by the simplest text of its category;
 * keep an edit when the case still differs under the same configuration; then
 * shorten the render and drop the reload; repeat until no edit keeps the
 * failure. An edit that makes the program invalid fails to reproduce and is
 * undone, so the reducer needs no grammar.
 *
 * Units: frames in samples; rates in Hz. */
#include "bb_difftest.h"

#include "bb_golden.h"
#include "bb_kit.h"
#include "bb_lane.h"
#include "bb_ph.h"
#include "bb_render.h"
#include "bb_variant.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { DT_KITS = 8, DT_REDUCE_ROUNDS = 50 };

/* ---- the matrix -------------------------------------------------------------------------- */

/* compositions beside the registry's strategies: lane groups under each
   window, the caches under batching, and all without lanes (all's twin) */
static const char *const compositions[] = {
    "cycle,lanes", "parallel,lanes", "batch,lanes", "static,lanes", "static,pool",
    "cycle,batch", "pool,batch", "cycle,static,pool,batch",
};
/* pipelined with a look-ahead asked for (kept whatever the output chain costs): the
   pipelined path at every block size, on every program */
static const struct {
    const char *strategy;
    int threads;
    size_t lookahead;
} pipelined[] = {{"batch", 2, 2}, {"all", 3, 5}};
static const int default_threads[] = {1, 2, 3};
static const size_t default_blocks[] = {512, 64, 1}; /* cheapest first: a failure shows sooner */

const char *bb_difftest_config_str(const bb_dt_config *c, bool dashes, char *buf, size_t cap)
{
    const char *d = dashes ? "--" : "";
    int n = snprintf(buf, cap, "%sstrategy %s %sthreads %d %sblock %zu", d, c->strategy, d, c->threads, d, c->block);
    if (c->lookahead && n > 0 && (size_t)n < cap) snprintf(buf + n, cap - (size_t)n, " %slookahead %zu", d, c->lookahead);
    return dashes ? buf : buf + strlen("strategy ");
}

static int push_la(bb_dt_matrix *m, const char *strategy, int threads, size_t block, size_t lookahead)
{
    bb_dt_config *v = realloc(m->v, (m->n + 1) * sizeof *v);
    if (!v) return -1;
    m->v = v;
    bb_dt_config *c = &v[m->n++];
    snprintf(c->strategy, sizeof c->strategy, "%s", strategy);
    c->threads = threads;
    c->block = block;
    c->lookahead = lookahead;
    return 0;
}

static int push(bb_dt_matrix *m, const char *strategy, int threads, size_t block)
{
    return push_la(m, strategy, threads, block, 0);
}

int bb_difftest_matrix_of(bb_dt_matrix *m, const char *strategy, const int *threads, size_t nthreads,
                          const size_t *blocks, size_t nblocks)
{
    for (size_t b = 0; b < nblocks; b++)
        for (size_t t = 0; t < nthreads; t++)
            if (push(m, strategy, threads[t], blocks[b])) return -1;
    return 0;
}

int bb_difftest_matrix_default(bb_dt_matrix *m)
{
    memset(m, 0, sizeof *m);
    const size_t nt = sizeof default_threads / sizeof *default_threads;
    const size_t nb = sizeof default_blocks / sizeof *default_blocks;
    const size_t nc = sizeof compositions / sizeof *compositions;
    for (size_t b = 0; b < nb; b++) { /* block by block: every strategy at 512 before any at 1 */
        const size_t blk = default_blocks[b];
        if (push(m, "serial", 1, blk)) return -1;
        for (size_t i = 0; bb_variants[i]; i++) {
            if (bb_variants[i]->canary || !strcmp(bb_variants[i]->name, "serial")) continue;
            if (bb_difftest_matrix_of(m, bb_variants[i]->name, default_threads, nt, &blk, 1)) return -1;
        }
        for (size_t i = 0; i < nc; i++)
            if (bb_difftest_matrix_of(m, compositions[i], default_threads, nt, &blk, 1)) return -1;
        for (size_t i = 0; i < sizeof pipelined / sizeof *pipelined; i++)
            if (push_la(m, pipelined[i].strategy, pipelined[i].threads, blk, pipelined[i].lookahead)) return -1;
    }
    return 0;
}

void bb_difftest_matrix_free(bb_dt_matrix *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- one render -------------------------------------------------------------------------- */

typedef struct capture {
    float *x;
    size_t n, cap;
    int bad;
} capture;

static void sink(void *ctx, int64_t k0, const float *y, size_t n)
{
    capture *c = ctx;
    if (k0 < 0 || (size_t)k0 != c->n) c->bad = 1; /* blocks in order, each once */
    if (c->n + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->n + n) cap *= 2;
        float *x = realloc(c->x, cap * sizeof *x);
        if (!x) {
            c->bad = 1;
            return;
        }
        c->x = x;
        c->cap = cap;
    }
    memcpy(c->x + c->n, y, n * sizeof *y);
    c->n += n;
}

/* The built-in kit at rate sr, made once per rate (a program makes its sounds ready in it). */
static bb_kit *kit_at(int sr)
{
    static struct {
        int sr;
        bb_kit *kit;
    } kits[DT_KITS];
    for (size_t i = 0; i < DT_KITS; i++) {
        if (kits[i].sr == sr) return kits[i].kit;
        if (!kits[i].sr) {
            if (bb_kit_create(&kits[i].kit, (double)sr)) return NULL;
            kits[i].sr = sr;
            return kits[i].kit;
        }
    }
    return NULL;
}

typedef struct rendered {
    bb_result res;
    bb_stats st;
    capture out;
    char msg[BB_DT_MSG_MAX / 2];
} rendered;

static void render(const char *src, const bb_gen_case *c, const char *reload_path, const bb_dt_config *cfg, rendered *o)
{
    memset(o, 0, sizeof *o);
    bb_error err;
    bb_error_clear(&err);
    bb_plan plan;
    bb_ph *ph = NULL;
    bb_render *r = NULL;
    bb_kit *kit = kit_at(c->sr);
    o->res = kit ? bb_plan_parse(cfg->strategy, cfg->threads, 0, BB_PIN_NONE, &plan, &err) : BB_ERR_NOMEM;
    if (!o->res) o->res = bb_ph_parse(src, strlen(src), "case.ph", &ph, &err);
    if (!o->res) {
        bb_render_opts ro;
        bb_render_opts_default(&ro);
        ro.sr = c->sr;
        ro.kit = kit;
        ro.block = cfg->block;
        if (cfg->lookahead) plan.lookahead = cfg->lookahead;
        ro.frames = c->frames;
        if (reload_path) {
            ro.reloads[0].cycle = bb_rat_int(c->reload_cycle);
            ro.reloads[0].path = reload_path;
            ro.nreloads = 1;
        }
        bb_plan_render_opts(&plan, &ro);
        ro.sink = sink;
        ro.sink_ctx = &o->out;
        o->res = bb_render_open(&r, ph, &ro, &err);
        if (!o->res) o->res = bb_render_run(r, &err);
        if (r) o->st = *bb_render_stats(r);
        bb_render_close(r);
    }
    if (!o->res && o->out.bad) o->res = BB_ERR_INTERNAL;
    if (o->res) bb_error_format(&err, o->msg, sizeof o->msg);
}

static void rendered_free(rendered *o)
{
    free(o->out.x);
    o->out.x = NULL;
}

/* ---- comparing --------------------------------------------------------------------------- */

/* Counters every strategy must give exactly as serial does. */
#define SAME_COUNTERS(X) X(frames) X(requests) X(voices) X(voices_dropped) X(clamps) X(reloads)
/* Counters a composition with lanes must share with its twin without them. */
#define TWIN_COUNTERS(X) X(synth_calls) X(synth_samples) X(cache_hits) X(cache_misses) X(preprocess_calls)

static int fail(bb_dt_result *res, const bb_dt_config *cfg, int64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(bb_dt_result *res, const bb_dt_config *cfg, int64_t frame, const char *fmt, ...)
{
    res->verdict = BB_DT_DIFFERS;
    res->config = *cfg;
    res->frame = frame;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->msg, sizeof res->msg, fmt, ap);
    va_end(ap);
    return 1;
}

/* Samples and strategy-independent counters against the reference; 1 when they differ. */
static int compare_ref(const rendered *ref, const rendered *o, const bb_dt_config *cfg, bb_dt_result *res)
{
    if (o->res) return fail(res, cfg, -1, "render failed where serial did not: %s", o->msg);
    bb_golden_diff d;
    bb_golden_compare(o->out.x, o->out.n, ref->out.x, ref->out.n, &d); /* bit for bit */
    if (d.first >= 0)
        return fail(res, cfg, d.first, "samples differ from serial's at frame %lld (serial %.9g, this %.9g)",
                    (long long)d.first, (double)d.want, (double)d.got);
#define SAME(f)                                                                                                   \
    if (o->st.f != ref->st.f)                                                                                     \
        return fail(res, cfg, -1, "counter " #f " is %llu, serial's %llu", (unsigned long long)o->st.f,            \
                    (unsigned long long)ref->st.f);
    SAME_COUNTERS(SAME)
#undef SAME
    if (o->st.cache_hits + o->st.cache_misses != o->st.requests)
        return fail(res, cfg, -1, "cache hits %llu + misses %llu != requests %llu", (unsigned long long)o->st.cache_hits,
                    (unsigned long long)o->st.cache_misses, (unsigned long long)o->st.requests);
    return 0;
}

/* Whether the plan of list synthesises in lanes. */
static bool has_lanes(const char *list)
{
    bb_plan plan;
    return bb_plan_parse(list, 1, 0, BB_PIN_NONE, &plan, NULL) == BB_OK && plan.lanes;
}

/* The lane counters' own consistency; 1 when broken. */
static int check_lanes(const rendered *o, const bb_dt_config *cfg, bb_dt_result *res)
{
    const bb_stats *s = &o->st;
    if (!has_lanes(cfg->strategy)) {
        if (s->lane_groups || s->lane_slots || s->lane_samples || s->lane_fallbacks)
            return fail(res, cfg, -1, "lane counters set without lanes (groups %llu)", (unsigned long long)s->lane_groups);
        return 0;
    }
    if (s->lane_slots % BB_LANES || s->lane_samples > s->lane_slots || s->lane_groups * BB_LANES > s->lane_slots ||
        (s->lane_groups == 0) != (s->lane_slots == 0))
        return fail(res, cfg, -1, "lane counters inconsistent: groups %llu slots %llu samples %llu",
                    (unsigned long long)s->lane_groups, (unsigned long long)s->lane_slots, (unsigned long long)s->lane_samples);
    if (s->lane_fallbacks > s->synth_calls)
        return fail(res, cfg, -1, "lane fallbacks %llu exceed synthesis calls %llu", (unsigned long long)s->lane_fallbacks,
                    (unsigned long long)s->synth_calls);
    /* nothing fell back: every sample synthesised was computed in a lane */
    if (s->lane_fallbacks == 0 && s->lane_samples != s->synth_samples)
        return fail(res, cfg, -1, "no fallback, yet lane samples %llu != samples synthesised %llu",
                    (unsigned long long)s->lane_samples, (unsigned long long)s->synth_samples);
    return 0;
}

/* The twin of a list with lanes: the same list without them ("all": its phases but lanes). */
static void twin_of(const char *list, char *out, size_t cap)
{
    if (!strcmp(list, "all")) {
        snprintf(out, cap, "cycle,static,pool,batch");
        return;
    }
    out[0] = '\0';
    const char *s = list;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!(n == 5 && !memcmp(s, "lanes", 5))) {
            size_t used = strlen(out);
            snprintf(out + used, cap - used, "%s%.*s", used ? "," : "", (int)n, s);
        }
        s = e ? e + 1 : s + n;
    }
    if (!out[0]) snprintf(out, cap, "parallel"); /* lanes alone: a window per block, deduped, on the pool */
}

static int compare_twin(const bb_stats *o, const bb_dt_config *cfg, const bb_stats *twin, const bb_dt_config *tcfg,
                        bb_dt_result *res)
{
#define TWIN(f)                                                                                                   \
    if (o->f != twin->f)                                                                                          \
        return fail(res, cfg, -1, "counter " #f " is %llu, %s's (its twin without lanes) %llu",                     \
                    (unsigned long long)o->f, tcfg->strategy, (unsigned long long)twin->f);
    TWIN_COUNTERS(TWIN)
#undef TWIN
    return 0;
}

/* ---- a case through the matrix ----------------------------------------------------------- */

static const char *write_reload(const bb_gen_case *c, const char *tmpdir, char *path, size_t cap)
{
    if (!c->reload) return NULL;
    snprintf(path, cap, "%s/reload.ph", tmpdir);
    char *src = bb_gen_print(c->reload);
    FILE *f = src ? fopen(path, "w") : NULL;
    int ok = f && fputs(src, f) >= 0;
    if (f && fclose(f)) ok = 0;
    free(src);
    return ok ? path : "";
}

static size_t find_config(const bb_dt_matrix *m, const char *strategy, const bb_dt_config *like)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].threads == like->threads && m->v[i].block == like->block && m->v[i].lookahead == like->lookahead &&
            !strcmp(m->v[i].strategy, strategy))
            return i;
    return m->n;
}

/* Render cfg, compare it, free its samples; keeps its counters in *st. 1 when it differs. */
static int run_config(const char *src, const bb_gen_case *c, const char *reload, const bb_dt_config *cfg,
                      const rendered *ref, bb_stats *st, bb_dt_result *res)
{
    rendered o;
    render(src, c, reload, cfg, &o);
    res->renders++;
    int bad = compare_ref(ref, &o, cfg, res) || check_lanes(&o, cfg, res);
    *st = o.st;
    rendered_free(&o);
    return bad;
}

bb_dt_verdict bb_difftest_run(const bb_gen_case *c, const bb_dt_matrix *m, const char *tmpdir, bb_dt_result *res)
{
    memset(res, 0, sizeof *res);
    res->frame = -1;
    char *src = bb_gen_print(c->prog), rpath[4096];
    const char *reload = write_reload(c, tmpdir, rpath, sizeof rpath);
    bb_stats *st = calloc(m->n ? m->n : 1, sizeof *st);
    if (!src || !st || (reload && !*reload)) {
        snprintf(res->msg, sizeof res->msg, "out of memory, or %s is not writable", tmpdir);
        res->verdict = BB_DT_INVALID;
        free(src);
        free(st);
        return res->verdict;
    }
    rendered ref;
    const bb_dt_config rcfg = {"serial", 1, 512, 0};
    render(src, c, reload, &rcfg, &ref);
    res->renders = 1;
    if (ref.res) {
        res->verdict = BB_DT_INVALID;
        res->config = rcfg;
        snprintf(res->msg, sizeof res->msg, "serial failed: %s", ref.msg);
    }
    /* configurations without lanes first: each with lanes then finds its twin's counters */
    for (int lanes = 0; lanes < 2 && res->verdict == BB_DT_SAME; lanes++)
        for (size_t i = 0; i < m->n && res->verdict == BB_DT_SAME; i++) {
            const bb_dt_config *cfg = &m->v[i];
            if (has_lanes(cfg->strategy) != (lanes == 1)) continue;
            if (run_config(src, c, reload, cfg, &ref, &st[i], res) || !lanes) continue;
            char twin[BB_DT_NAME_MAX];
            twin_of(cfg->strategy, twin, sizeof twin);
            size_t t = find_config(m, twin, cfg);
            if (t < m->n && strcmp(twin, cfg->strategy)) compare_twin(&st[i], cfg, &st[t], &m->v[t], res);
        }
    rendered_free(&ref);
    free(st);
    free(src);
    return res->verdict;
}

/* ---- reduction --------------------------------------------------------------------------- */

typedef struct reducer {
    bb_gen_case *c;
    bb_dt_matrix one; /* the failing configuration alone */
    const char *tmpdir;
    size_t kept, tried;
} reducer;

static bool still_fails(reducer *R)
{
    bb_dt_result r;
    R->tried++;
    return bb_difftest_run(R->c, &R->one, R->tmpdir, &r) == BB_DT_DIFFERS;
}

/* The simplest text a node of category cat can become. */
static const char *simplest(char cat)
{
    return cat == 'e' ? "1" : cat == 'm' ? "~" : NULL;
}

/* Try the edits of slot p->kid[i]; true when one was kept. */
static bool reduce_slot(reducer *R, bb_gnode *p, size_t i)
{
    bb_gnode *x = p->kid[i];
    if (p->removable && p->n > p->min_kids) { /* remove the kid */
        memmove(&p->kid[i], &p->kid[i + 1], (p->n - i - 1) * sizeof *p->kid);
        p->n--;
        if (still_fails(R)) return true;
        memmove(&p->kid[i + 1], &p->kid[i], (p->n - i) * sizeof *p->kid);
        p->kid[i] = x;
        p->n++;
    }
    for (size_t j = 0; j < x->n; j++) { /* hoist a kid into its place */
        p->kid[i] = x->kid[j];
        if (still_fails(R)) return true;
        p->kid[i] = x;
    }
    const char *s = simplest(x->cat);
    if (s && (x->n || strcmp(x->pre, s))) {
        bb_gnode *l = bb_gen_node(R->c, s, "", "", x->cat, BB_GT_NONE);
        if (l) {
            p->kid[i] = l;
            if (still_fails(R)) return true;
            p->kid[i] = x;
        }
    }
    return false;
}

/* One pass over the tree t, outermost nodes first; returns the edits kept. */
static size_t reduce_tree(reducer *R, bb_gnode *t)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->n; i++) {
        while (i < t->n && reduce_slot(R, t, i)) kept++;
        if (i < t->n) kept += reduce_tree(R, t->kid[i]);
    }
    return kept;
}

/* The case's own dimensions: no reload, a shorter render (whole 40 ms steps). */
static size_t reduce_case(reducer *R)
{
    size_t kept = 0;
    bb_gen_case *c = R->c;
    if (c->reload) {
        bb_gnode *r = c->reload;
        c->reload = NULL;
        if (still_fails(R)) kept++;
        else c->reload = r;
    }
    const int64_t step = c->sr / 25;
    for (;;) {
        int64_t steps = c->frames / step, was = c->frames;
        if (steps < 2) break;
        c->frames = steps / 2 * step;
        if (c->reload && c->frames <= (int64_t)((double)c->reload_cycle / c->cps * c->sr)) c->frames = was;
        if (c->frames == was || !still_fails(R)) {
            c->frames = was;
            break;
        }
        kept++;
    }
    return kept;
}

size_t bb_difftest_reduce(bb_gen_case *c, const bb_dt_result *res, const char *tmpdir)
{
    reducer R = {.c = c, .tmpdir = tmpdir};
    if (push_la(&R.one, res->config.strategy, res->config.threads, res->config.block, res->config.lookahead)) return 0;
    if (!still_fails(&R)) { /* not reproducible alone (a failure of the order of renders?) */
        bb_difftest_matrix_free(&R.one);
        return 0;
    }
    for (int round = 0; round < DT_REDUCE_ROUNDS; round++) {
        size_t k = reduce_case(&R) + reduce_tree(&R, c->prog);
        if (c->reload) k += reduce_tree(&R, c->reload);
        R.kept += k;
        if (!k) break;
    }
    bb_difftest_matrix_free(&R.one);
    return R.kept;
}

/* ---- cases on disk ----------------------------------------------------------------------- */

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int ok = fputs(text, f) >= 0;
    if (fclose(f)) ok = 0;
    return ok ? 0 : -1;
}

int bb_difftest_write(const bb_gen_case *c, const bb_dt_result *res, const char *dir, const char *name)
{
    char path[4096], opts[512], seconds[32];
    int64_t cs = c->frames * 100 / c->sr; /* centiseconds: exact, lengths are whole 40 ms steps */
    snprintf(seconds, sizeof seconds, "%lld.%02lld", (long long)(cs / 100), (long long)(cs % 100));
    char *prog = bb_gen_print(c->prog), *reload = c->reload ? bb_gen_print(c->reload) : NULL;
    int rc = -1;
    if (!prog || (c->reload && !reload)) goto done;
    snprintf(path, sizeof path, "%s/%s.ph", dir, name);
    if (write_text(path, prog)) goto done;
    if (reload) {
        snprintf(path, sizeof path, "%s/%s-reload.ph", dir, name);
        if (write_text(path, reload)) goto done;
    }
    char cfg[160], cfg_dashes[160];
    int n = snprintf(opts, sizeof opts, "--sr %d --seconds %s", c->sr, seconds);
    if (reload) snprintf(opts + n, sizeof opts - (size_t)n, " --reload-at %lld:%s-reload.ph", (long long)c->reload_cycle, name);
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) goto done;
    fprintf(f,
            "# busbench difftest case (generator seed %llu, program %llu)\n"
            "options %s\n"
            "config %s\n"
            "found %s\n"
            "# reproduce: build/difftest --replay %s/%s\n"
            "# or, from %s: busbench render %s.ph %s %s -o a.wav &&\n"
            "#   busbench render %s.ph %s --strategy serial -o b.wav && cmp a.wav b.wav\n",
            (unsigned long long)c->seed, (unsigned long long)c->index, opts,
            bb_difftest_config_str(&res->config, false, cfg, sizeof cfg), res->msg, dir, name, dir, name, opts,
            bb_difftest_config_str(&res->config, true, cfg_dashes, sizeof cfg_dashes), name, opts);
    rc = fclose(f) ? -1 : 0;
done:
    free(prog);
    free(reload);
    return rc;
}

/* A file's lines as the removable kids of a list (so a loaded case reduces by lines). */
static bb_gnode *load_lines(bb_gen_case *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    bb_gnode *t = bb_gen_node(c, "", "\n", "\n", 0, BB_GT_NONE);
    if (t) t->removable = true, t->min_kids = 1;
    char line[8192];
    while (t && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (bb_gen_add(c, t, bb_gen_node(c, line, "", "", 's', BB_GT_NONE))) t = NULL;
    }
    fclose(f);
    return t;
}

/* options := "--sr" N "--seconds" S ["--reload-at" C ":" FILE] */
int bb_difftest_load(bb_gen_case *c, const char *dir, const char *name)
{
    memset(c, 0, sizeof *c);
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int sr = 0, whole = 0, frac = 0;
    long long rc = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "options ", 8)) continue;
        int n = sscanf(line, "options --sr %d --seconds %d.%d --reload-at %lld:", &sr, &whole, &frac, &rc);
        if (n < 3) sr = 0;
    }
    fclose(f);
    if (sr <= 0) return -1;
    c->sr = sr;
    c->cps = 0.5;
    c->frames = ((int64_t)whole * 100 + frac) * sr / 100;
    snprintf(path, sizeof path, "%s/%s.ph", dir, name);
    c->prog = load_lines(c, path);
    if (rc > 0) {
        c->reload_cycle = rc;
        snprintf(path, sizeof path, "%s/%s-reload.ph", dir, name);
        c->reload = load_lines(c, path);
    }
    if (!c->prog || (rc > 0 && !c->reload)) {
        bb_gen_case_free(c);
        return -1;
    }
    return 0;
}
