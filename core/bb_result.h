/* bb_result.h - the one result enum of busbench and the error record that carries
 * its details (where, and what was expected). Every fallible function in the core
 * returns a bb_result; the human-readable detail lives in a bb_error owned by the
 * caller (usually embedded in a handle), never in a global. */
#ifndef BB_RESULT_H
#define BB_RESULT_H

#include <stddef.h>

typedef enum {
    BB_OK = 0,
    BB_ERR_NOMEM,     /* an allocation failed (or the allocation hook refused it) */
    BB_ERR_OVERFLOW,  /* exact rational arithmetic left the 64-bit range */
    BB_ERR_PARSE,     /* a pattern or program does not parse */
    BB_ERR_SEMANTIC,  /* parses, but means nothing: unknown bus, cycle, wrong arity */
    BB_ERR_LIMIT,     /* a named limit (depth, events, voices, length) was exceeded */
    BB_ERR_ARG,       /* a bad argument or option value */
    BB_ERR_IO,        /* a file could not be opened, read or written */
    BB_ERR_FORMAT,    /* a file was read but is not what was expected (rate, channels, length) */
    BB_ERR_THREAD,    /* a thread could not be created or joined */
    BB_ERR_MISMATCH,  /* a rendering differs from its reference */
    BB_ERR_INTERNAL   /* an invariant of busbench itself failed: a bug */
} bb_result;

/* Short constant description of r ("out of memory"); never NULL. */
const char *bb_result_str(bb_result r);

enum { BB_ERROR_MSG_MAX = 384, BB_ERROR_FILE_MAX = 256 };

/* Where and why something failed. line and col are 1-based; 0 means "not applicable".
 * file is the source file name (or "<pattern>", "<arg>"), msg a complete sentence
 * fragment such as "expected ')' to close '(' opened at column 4". */
typedef struct bb_error {
    bb_result code;
    int line;
    int col;
    char file[BB_ERROR_FILE_MAX];
    char msg[BB_ERROR_MSG_MAX];
} bb_error;

/* Reset e to "no error". e may be NULL (then nothing happens). */
void bb_error_clear(bb_error *e);

/* Record an error and return code, so callers can write `return bb_error_set(...)`.
 * e may be NULL (then only code is returned). file may be NULL (kept as is).
 * The message is formatted like printf and truncated to fit. */
bb_result bb_error_set(bb_error *e, bb_result code, const char *file, int line, int col,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Format e as "file:line:col: error: msg" (parts omitted when absent) into buf.
 * Returns buf. */
const char *bb_error_format(const bb_error *e, char *buf, size_t cap);

/* Append printf-formatted text to the NUL-terminated text in buf (cap bytes in all),
 * truncating at cap; nothing when buf is NULL or already full. Never fails. */
void bb_result_appendf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
