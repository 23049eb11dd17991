/* tiny.c - a program of a libbusbench user, built by the install suite against an installed busbench
 * (`cc tiny.c $(pkg-config --cflags --static --libs busbench)`): one cycle of a .ph program rendered
 * by the cycle strategy on 2 threads and by serial, through the installed headers and library.
 * Prints "FRAMES frames, same" when both renders agree bit for bit; exit 1 otherwise. */
#include <bb_kit.h>
#include <bb_ph.h>
#include <bb_render.h>
#include <bb_variant.h>

#include <stdio.h>
#include <string.h>

enum { FRAMES_MAX = 8000 };

typedef struct out {
    float x[FRAMES_MAX];
    size_t n;
} out;

static void sink(void *ctx, int64_t k0, const float *y, size_t n)
{
    out *o = ctx;
    (void)k0;
    for (size_t i = 0; i < n && o->n < FRAMES_MAX; i++) o->x[o->n++] = y[i];
}

static int render(const char *strategy, int threads, out *o)
{
    static const char src[] = "cps: 1\n~x: saw \"220 330\" # lpf 900\nout: s \"~x*4\" # note \"<0 7>\"\n";
    bb_error err;
    bb_kit *kit = NULL;
    bb_ph *ph = NULL;
    bb_render *r = NULL;
    bb_plan plan;
    bb_render_opts ro;
    bb_render_opts_default(&ro);
    ro.sr = FRAMES_MAX;
    ro.frames = FRAMES_MAX;
    ro.sink = sink;
    ro.sink_ctx = o;
    o->n = 0;
    bb_result res = bb_kit_create(&kit, FRAMES_MAX);
    if (!res) res = bb_plan_parse(strategy, threads, 0, BB_PIN_NONE, &plan, &err);
    if (!res) res = bb_ph_parse(src, strlen(src), "tiny.ph", &ph, &err);
    if (!res) {
        ro.kit = kit;
        bb_plan_render_opts(&plan, &ro);
        res = bb_render_open(&r, ph, &ro, &err);
    }
    if (!res) res = bb_render_run(r, &err);
    if (res) fprintf(stderr, "tiny: %s: %s\n", strategy, err.msg);
    bb_render_close(r);
    bb_kit_destroy(kit);
    return res ? -1 : 0;
}

static out a, b;

int main(void)
{
    if (render("serial", 1, &a) || render("cycle", 2, &b)) return 1;
    int same = a.n == b.n && !memcmp(a.x, b.x, a.n * sizeof a.x[0]);
    printf("%zu frames, %s\n", a.n, same ? "same" : "DIFFERENT");
    return same && a.n == FRAMES_MAX ? 0 : 1;
}
