/* bb_arena.h - a bump allocator for short-lived scratch (pattern queries).
 *
 * Memory comes from bb_malloc in chunks that are kept across bb_arena_reset, so a
 * query loop that resets its arena reaches a steady state with no allocation. */
#ifndef BB_ARENA_H
#define BB_ARENA_H

#include <stddef.h>

typedef struct bb_arena_chunk bb_arena_chunk;

typedef struct bb_arena {
    bb_arena_chunk *head;   /* chunk being filled */
    bb_arena_chunk *first;  /* all chunks, in order */
    size_t used;            /* bytes used in head */
} bb_arena;

/* An empty arena; allocates nothing until first use. */
void bb_arena_init(bb_arena *a);
/* n bytes aligned to max_align_t, valid until the next reset or free.
 * Returns NULL when memory runs out. */
void *bb_arena_alloc(bb_arena *a, size_t n);
/* Forget every allocation; keeps the chunks for reuse. */
void bb_arena_reset(bb_arena *a);
/* Release every chunk. The arena can be reused after bb_arena_init. */
void bb_arena_free(bb_arena *a);

#endif
