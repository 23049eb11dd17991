/* fuzz_ph.c - libFuzzer target: the .ph parser and the program compiler.
 *
 * Any byte string is a candidate program. bb_ph_parse either accepts it or
 * refuses it with file, line, column and a message; an accepted program goes
 * to bb_prog_compile (which owns it from then on, also on failure), against
 * the built-in kit made once per process at 44.1 kHz. Nothing may crash,
 * leak, overflow a buffer or take unbounded time: nesting, line length,
 * statement count and node count have named limits (bb_ph.h, bb_prog.h).
 * The program is not rendered here: rendering is the render suites' and the
 * bad-input catalogue's job. Build: `make fuzz`. */
#include "bb_kit.h"
#include "bb_ph.h"
#include "bb_prog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bb_kit *g_kit;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_kit && bb_kit_create(&g_kit, 44100.0) != BB_OK) abort();
    if (size > BB_PH_SRC_MAX + 16) return 0;
    bb_error err;
    bb_error_clear(&err);
    bb_ph *ph = NULL;
    bb_result r = bb_ph_parse((const char *)data, size, "fuzz.ph", &ph, &err);
    if (r != BB_OK) {
        if (err.code == BB_OK || ph != NULL) abort();
        return 0;
    }
    bb_prog_opts o = {.sr = 44100, .kit = g_kit, .c0 = bb_rat_int(0), .s0 = 0};
    bb_prog *p = NULL;
    r = bb_prog_compile(ph, &o, &p, &err);
    if (r != BB_OK) {
        if (err.code == BB_OK || p != NULL) abort();
        return 0;
    }
    /* the time map of the compiled program must be usable */
    (void)bb_prog_idx(p, bb_rat_int(1));
    (void)bb_prog_cycle(p, 44100);
    bb_prog_free(p);
    return 0;
}
