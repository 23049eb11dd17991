/* fuzz_render.c - libFuzzer target: render a program twice and compare.
 *
 * Any byte string is a candidate program. One that parses and compiles is
 * rendered for FUZZ_FRAMES samples by serial at block 512 and by `all` (cycle
 * look-ahead, static cache, pool, batched windows: every cache and key of the
 * suite) at block 64, both at one thread. The two renders must agree: both
 * fail with the same result code, or both succeed with bit-identical samples
 * (a mismatch aborts: a strategy or key bug). Nothing may crash, leak or take
 * unbounded time; a render that fails must say why. Bus voices are clamped to
 * one second so that an input costs milliseconds. The parsers have their own
 * targets (fuzz_mini, fuzz_ph); this one is where render-time limits, pattern
 * signals, nested buses and the caches meet inputs nobody wrote by hand.
 * Build: `make fuzz`. */
#include "bb_kit.h"
#include "bb_ph.h"
#include "bb_render.h"
#include "bb_variant.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FUZZ_FRAMES = 16384, FUZZ_SRC_MAX = 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bb_kit *g_kit;

typedef struct capture {
    float *x;
    size_t n;
} capture;

static void sink(void *ctx, int64_t k0, const float *y, size_t n)
{
    capture *c = ctx;
    if (k0 < 0 || (size_t)k0 != c->n || c->n + n > FUZZ_FRAMES) abort(); /* blocks in order, never past the end */
    memcpy(c->x + c->n, y, n * sizeof *y);
    c->n += n;
}

/* Render src under strategy at block; returns the result (err set when not BB_OK). */
static bb_result render(const char *src, size_t size, const char *strategy, size_t block, capture *c, bb_error *err)
{
    bb_plan plan;
    bb_result r = bb_plan_parse(strategy, 1, 0, BB_PIN_NONE, &plan, err);
    if (r) abort();
    bb_ph *ph = NULL;
    if ((r = bb_ph_parse(src, size, "fuzz.ph", &ph, err))) return r;
    bb_render_opts ro;
    bb_render_opts_default(&ro);
    ro.kit = g_kit;
    ro.block = block;
    ro.frames = FUZZ_FRAMES;
    ro.lim.max_bus_seconds = 1.0;
    bb_plan_render_opts(&plan, &ro);
    ro.sink = sink;
    ro.sink_ctx = c;
    bb_render *rr = NULL;
    r = bb_render_open(&rr, ph, &ro, err);
    if (!r) r = bb_render_run(rr, err);
    bb_render_close(rr);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_kit && bb_kit_create(&g_kit, 44100.0) != BB_OK) abort();
    if (size > FUZZ_SRC_MAX) return 0;
    static float a[FUZZ_FRAMES], b[FUZZ_FRAMES];
    capture ca = {a, 0}, cb = {b, 0};
    bb_error ea, eb;
    bb_error_clear(&ea);
    bb_error_clear(&eb);
    bb_result ra = render((const char *)data, size, "serial", 512, &ca, &ea);
    if (ra != BB_OK && ea.code == BB_OK) abort();
    if (ra == BB_ERR_PARSE || ra == BB_ERR_SEMANTIC) return 0; /* refused before rendering: fuzz_ph's ground */
    bb_result rb = render((const char *)data, size, "all", 64, &cb, &eb);
    if (rb != ra) abort();
    if (ra == BB_OK && (ca.n != FUZZ_FRAMES || cb.n != FUZZ_FRAMES || memcmp(a, b, sizeof a) != 0)) abort();
    return 0;
}
