/* bb_result.c - strings for the result enum and the error record.
 *
 * The error record is a plain value: fixed-size buffers, no allocation, so that
 * reporting an out-of-memory condition can never itself fail. */
#include "bb_result.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bb_result_str(bb_result r)
{
    switch (r) {
    case BB_OK: return "ok";
    case BB_ERR_NOMEM: return "out of memory";
    case BB_ERR_OVERFLOW: return "rational time overflow";
    case BB_ERR_PARSE: return "parse error";
    case BB_ERR_SEMANTIC: return "semantic error";
    case BB_ERR_LIMIT: return "limit exceeded";
    case BB_ERR_ARG: return "bad argument";
    case BB_ERR_IO: return "i/o error";
    case BB_ERR_FORMAT: return "bad file format";
    case BB_ERR_THREAD: return "thread error";
    case BB_ERR_MISMATCH: return "mismatch";
    case BB_ERR_INTERNAL: return "internal error";
    }
    return "unknown error";
}

void bb_error_clear(bb_error *e)
{
    if (!e) return;
    e->code = BB_OK;
    e->line = 0;
    e->col = 0;
    e->file[0] = '\0';
    e->msg[0] = '\0';
}

bb_result bb_error_set(bb_error *e, bb_result code, const char *file, int line, int col,
                       const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    e->line = line;
    e->col = col;
    if (file) snprintf(e->file, sizeof e->file, "%s", file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *bb_error_format(const bb_error *e, char *buf, size_t cap)
{
    if (!e || e->code == BB_OK) {
        snprintf(buf, cap, "no error");
        return buf;
    }
    char where[BB_ERROR_FILE_MAX + 48] = "";
    if (e->file[0] && e->line > 0 && e->col > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", e->file, e->line, e->col);
    else if (e->file[0] && e->line > 0)
        snprintf(where, sizeof where, "%s:%d: ", e->file, e->line);
    else if (e->file[0] && e->col > 0)
        snprintf(where, sizeof where, "%s: column %d: ", e->file, e->col);
    else if (e->file[0])
        snprintf(where, sizeof where, "%s: ", e->file);
    snprintf(buf, cap, "%s%s: %s", where, bb_result_str(e->code), e->msg);
    return buf;
}

void bb_result_appendf(char *buf, size_t cap, const char *fmt, ...)
{
    if (!buf || !cap) return;
    size_t n = strnlen(buf, cap);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}
