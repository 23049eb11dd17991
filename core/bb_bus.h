/* bb_bus.h - bus buffers, the requests for them, and the one key derivation
 * every cache uses.
 *
 * A request asks for bus `bus` synthesised from fresh state for `len` samples
 * starting at absolute sample `onset`, transposed by `note` semitones. Its key
 * holds everything the buffer's bits depend on: the bus's definition, the
 * length, the pitch and, unless the bus is static, the onset. Two requests with
 * equal keys get bit-identical buffers; that is what makes caching sound.
 *
 * A buffer is reference counted by its users (voices, caches); counts are only
 * touched on the render thread. Who allocates buffers (heap or pool) is the
 * strategy's business; the core only reads them. */
#ifndef BB_BUS_H
#define BB_BUS_H

#include "bb_prog.h"

#include <stdbool.h>
#include <stdint.h>

#define BB_ONSET_STATIC INT64_MIN

typedef struct bb_buskey {
    uint64_t def;       /* hash of the bus name and definition text */
    int64_t len;        /* samples */
    uint64_t note_bits; /* the pitch in semitones, as the bits of a double */
    int64_t onset;      /* absolute sample, or BB_ONSET_STATIC */
} bb_buskey;

typedef struct bb_busbuf bb_busbuf;
struct bb_busbuf {
    float *data;
    int64_t len;        /* samples of data in use */
    size_t cap;         /* samples data can hold */
    int32_t refs;
    bb_buskey key;
    bb_busbuf *next;    /* free for the owner's lists */
    void *owner;        /* who releases it (strategy data) */
};

typedef struct bb_busreq {
    int32_t bus;        /* index in the program's buses */
    int64_t onset;
    int64_t len;
    double note;
    const bb_prog *prog;
    bb_busbuf *buf;     /* set when resolved: one reference, owned by the voice */
} bb_busreq;

/* The key of req (see above). */
bb_buskey bb_buskey_of(const bb_busreq *req);
static inline bool bb_buskey_eq(const bb_buskey *a, const bb_buskey *b)
{
    return a->def == b->def && a->len == b->len && a->note_bits == b->note_bits && a->onset == b->onset;
}
uint64_t bb_buskey_hash(const bb_buskey *k);

#endif
