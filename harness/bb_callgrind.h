/* bb_callgrind.h - instruction counts of renders under valgrind's callgrind: bench's
 * --metric instructions runs itself as a child under callgrind, and the child counts each render.
 * Deterministic at 1 thread; above, valgrind serialises the threads and the count includes
 * scheduling-dependent waiting. */
#ifndef BB_CALLGRIND_H
#define BB_CALLGRIND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Was <valgrind/callgrind.h> there at build time (else nothing can be counted)? */
bool bb_callgrind_built(void);

/* Is this process the counting child (under valgrind, BB_CALLGRIND_OUT set by the parent)? When
 * it is, remembers where its dumps go. */
bool bb_callgrind_child(void);

/* In the child: zero the counts and start counting / stop, dump and return the instructions since
 * the start (NaN when the dump cannot be read). */
void bb_callgrind_start(void);
double bb_callgrind_stop(void);

/* A fresh folder for the dumps (and the child's result) under $TMPDIR: 0, or -1 with errno. */
int bb_callgrind_dir_make(char *dir, size_t cap);
/* Remove dir and the files in it. */
void bb_callgrind_dir_remove(const char *dir);

/* Run `busbench ARGS` (args NULL-terminated, args[0] "bench") under callgrind with its dumps in
 * dir. Returns the child's exit status, or BB_EXIT_USAGE (with a message on stderr) when valgrind
 * or busbench cannot be run. */
int bb_callgrind_run(const char *dir, char *const *args);

/* What a results context says about the counts (tool, valgrind and libc versions, rounds, scope,
 * limits): a new object. */
json_t *bb_callgrind_context(int rounds);

#endif
