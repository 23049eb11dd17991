/* bb_ph.h - the .ph language: lexing and parsing a program into statements and
 * expression trees (no meaning yet: bb_prog compiles them).
 *
 * Memory: a bb_ph owns everything it points to (one arena); free it with
 * bb_ph_free. */
#ifndef BB_PH_H
#define BB_PH_H

#include "bb_arena.h"
#include "bb_rat.h"
#include "bb_result.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    BB_PH_SRC_MAX = 1 << 20,   /* bytes of one program */
    BB_PH_LINE_MAX = 16384,    /* bytes of one line */
    BB_PH_DEPTH_MAX = 64,      /* expression nesting */
    BB_PH_ARGS_MAX = 8,        /* arguments of one function application */
    BB_PH_STMTS_MAX = 1024,    /* statements of one program */
    BB_PH_NAME_MAX = 64        /* bytes of a bus or output name */
};

typedef enum {
    BB_AST_NUM,    /* 440, 0.5 */
    BB_AST_STR,    /* "bd*2 sn" (a mini-notation pattern) */
    BB_AST_REF,    /* ~name */
    BB_AST_APP,    /* ident arg* */
    BB_AST_BIN,    /* a op b, op one of + - * / */
    BB_AST_NEG,    /* -a */
    BB_AST_HASH,   /* a # b : b (a partial application) applied to a */
    BB_AST_DOLLAR  /* a $ b : whichever side is a partial application applied to the other */
} bb_ast_kind;

typedef struct bb_ast bb_ast;
struct bb_ast {
    bb_ast_kind kind;
    int line, col;       /* where the expression starts */
    const char *text;    /* NUM: literal; STR: contents (without quotes); REF: name
                            (without ~); APP: function name */
    size_t len;
    int text_col;        /* STR: column of the first content byte */
    double num;          /* NUM: value */
    bb_rat rat;          /* NUM: exact value */
    char op;             /* BIN: '+', '-', '*', '/' */
    bb_ast *a, *b;       /* BIN, NEG (a), HASH, DOLLAR */
    bb_ast **args;       /* APP */
    int nargs;
};

typedef enum { BB_STMT_TEMPO, BB_STMT_BUS, BB_STMT_OUT } bb_stmt_kind;

typedef struct bb_stmt {
    bb_stmt_kind kind;
    int line, col;
    const char *name;    /* BUS: bus name (without ~); OUT: "out", "o1", ... */
    size_t name_len;
    bb_ast *expr;        /* BUS, OUT */
    bb_rat cps;          /* TEMPO */
    const char *def;     /* BUS: the definition's source text (for cache keys) */
    size_t def_len;
} bb_stmt;

typedef struct bb_ph {
    bb_arena own;
    char file[BB_ERROR_FILE_MAX];
    bb_stmt *stmts;
    size_t nstmts;
    bb_rat cps;          /* the last tempo statement, or 1/2 */
} bb_ph;

/* Parse src[0..len) (named `file` in messages). On failure returns BB_ERR_PARSE
 * (or BB_ERR_LIMIT, BB_ERR_NOMEM) with file, line, column and what was expected
 * in err, and *out is untouched. The caller owns *out. */
bb_result bb_ph_parse(const char *src, size_t len, const char *file, bb_ph **out, bb_error *err);
/* Read and parse a file. BB_ERR_IO when it cannot be read. */
bb_result bb_ph_load(const char *path, bb_ph **out, bb_error *err);
void bb_ph_free(bb_ph *ph);

#endif
