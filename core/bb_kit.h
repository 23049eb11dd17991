/* bb_kit.h - the sample kit: the built-in synthetic drums and Dirt-Samples folders.
 *
 * The built-in kit (bd sn hh oh cp 808bd 808sd 808ht 808mt 808lt, BB_KIT_VARIANTS
 * variants each) is synthesised deterministically with the core's own math at
 * the render's sample rate, so it needs no files and sounds the same everywhere.
 * A folder given with bb_kit_load_dir adds (or overrides) sounds: each
 * subdirectory is a sound name, its .wav/.flac/.aif files sorted by name are the
 * variants (read with libsndfile, mixed to mono, kept at their own rate).
 * Variant n wraps modulo the number of variants, as in Tidal. */
#ifndef BB_KIT_H
#define BB_KIT_H

#include "bb_result.h"

#include <stddef.h>

enum { BB_KIT_VARIANTS = 4, BB_KIT_SOUNDS_MAX = 4096, BB_KIT_SAMPLE_SECONDS_MAX = 60 };

typedef struct bb_sample {
    const float *data;  /* mono frames, owned by the kit */
    size_t frames;
    double sr;          /* the sample's own rate in Hz */
} bb_sample;

typedef struct bb_kit bb_kit;

/* Build the built-in kit at sample rate sr. Returns BB_ERR_NOMEM. The caller owns
 * *out and releases it with bb_kit_destroy. */
bb_result bb_kit_create(bb_kit **out, double sr);
/* Add the sounds of a Dirt-Samples style folder. Returns BB_ERR_IO (unreadable
 * folder or file, named in err), BB_ERR_FORMAT, BB_ERR_LIMIT, BB_ERR_NOMEM. */
bb_result bb_kit_load_dir(bb_kit *kit, const char *dir, bb_error *err);
/* The sample for name[0..len) variant n, or NULL when the kit has no such sound. */
const bb_sample *bb_kit_get(const bb_kit *kit, const char *name, size_t len, int n);
void bb_kit_destroy(bb_kit *kit);

#endif
