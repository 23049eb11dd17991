/* bb_arena.c - chunked bump allocation.
 *
 * Invariant: chunks form a singly linked list from `first`; `head` is the chunk
 * currently being filled and every chunk before it is full or skipped. Reset
 * rewinds to `first`; chunks are only released by bb_arena_free. */
#include "bb_arena.h"

#include "bb_alloc.h"

#include <stdalign.h>
#include <stdint.h>

enum { BB_ARENA_CHUNK_MIN = 64 * 1024 };

struct bb_arena_chunk {
    bb_arena_chunk *next;
    size_t cap;
    alignas(max_align_t) unsigned char data[];
};

void bb_arena_init(bb_arena *a)
{
    a->head = a->first = NULL;
    a->used = 0;
}

void *bb_arena_alloc(bb_arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX / 2) return NULL;
    n = (n + al - 1) & ~(al - 1);
    while (a->head) {
        if (a->head->cap - a->used >= n) {
            void *p = a->head->data + a->used;
            a->used += n;
            return p;
        }
        if (!a->head->next) break;
        a->head = a->head->next;
        a->used = 0;
    }
    size_t cap = n > BB_ARENA_CHUNK_MIN ? n : BB_ARENA_CHUNK_MIN;
    bb_arena_chunk *c = bb_malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->next = NULL;
    c->cap = cap;
    if (a->head)
        a->head->next = c;
    else
        a->first = c;
    a->head = c;
    a->used = n;
    return c->data;
}

void bb_arena_reset(bb_arena *a)
{
    a->head = a->first;
    a->used = 0;
}

void bb_arena_free(bb_arena *a)
{
    bb_arena_chunk *c = a->first;
    while (c) {
        bb_arena_chunk *n = c->next;
        bb_free(c);
        c = n;
    }
    bb_arena_init(a);
}
