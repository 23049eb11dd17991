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

/* The built-in kit at sample rate sr: its names, nothing synthesised yet.
 * Returns BB_ERR_ARG (a rate outside (0, 1e7]), BB_ERR_NOMEM. The caller owns
 * *out and releases it with bb_kit_destroy. */
bb_result bb_kit_create(bb_kit **out, double sr);
/* Make the sound name[0..len) ready: a built-in sound's variants are
 * synthesised on its first use. BB_OK also when the kit has no such sound
 * (bb_kit_get then says NULL); BB_ERR_NOMEM. Not thread-safe: programs call it
 * when they are compiled, before anything renders. */
bb_result bb_kit_use(bb_kit *kit, const char *name, size_t len);
/* Every sound ready (tests, tools that list the kit). BB_ERR_NOMEM. */
bb_result bb_kit_use_all(bb_kit *kit);
/* Add the sounds of a Dirt-Samples style folder. Returns BB_ERR_IO (unreadable
 * folder or file, named in err), BB_ERR_FORMAT, BB_ERR_LIMIT, BB_ERR_NOMEM. */
bb_result bb_kit_load_dir(bb_kit *kit, const char *dir, bb_error *err);
/* The sample for name[0..len) variant n, or NULL when the kit has no such sound
 * or it was not made ready by bb_kit_use. */
const bb_sample *bb_kit_get(const bb_kit *kit, const char *name, size_t len, int n);
void bb_kit_destroy(bb_kit *kit);

#endif
