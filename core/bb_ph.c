/* bb_ph.c - lexer and recursive-descent parser of the .ph language.
 *
 * A program is a sequence of statements, one per line; a line that begins with
 * white space continues the statement above it; `--` starts a comment that runs
 * to the end of the line. The lexer turns the whole source into tokens, each
 * with its 1-based line and column and its byte offset, and puts an END token
 * after each statement. The parser never skips anything: every token is either
 * consumed by a grammar rule or reported, with what was expected there.
 *
 * Precedence, lowest first: `#` (left), `$` (right), `+ -`, `* /`, unary minus,
 * application by juxtaposition, primaries. */
#include "bb_ph.h"

#include "bb_alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    T_END,    /* end of a statement */
    T_EOF,
    T_NUM,
    T_STR,
    T_REF,
    T_IDENT,
    T_OP      /* one of + - * / ( ) # $ : */
} tok_kind;

typedef struct {
    tok_kind kind;
    char op;
    int line, col;
    size_t off, end;   /* byte range in the source */
} tok;

typedef struct {
    const char *src;
    size_t len;
    bb_ph *ph;
    bb_error *err;
    tok *toks;
    size_t ntoks, cap, pos;
    int depth;
} parser;

static bb_result perr(parser *p, int line, int col, const char *fmt, const char *a)
{
    return bb_error_set(p->err, BB_ERR_PARSE, p->ph->file, line, col, fmt, a);
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_ident(char c) { return is_alpha(c) || is_digit(c) || c == '\''; }

static bb_result push(parser *p, tok t)
{
    if (bb_grow((void **)&p->toks, &p->cap, p->ntoks + 1, sizeof *p->toks))
        return bb_error_set(p->err, BB_ERR_NOMEM, p->ph->file, t.line, t.col, "no memory for tokens");
    p->toks[p->ntoks++] = t;
    return BB_OK;
}

/* Describe a token for messages ("'foo'", "end of line"). */
static const char *tok_desc(const parser *p, const tok *t, char *buf, size_t cap)
{
    if (t->kind == T_END) return "end of line";
    if (t->kind == T_EOF) return "end of file";
    size_t n = t->end - t->off;
    if (n > 24) n = 24;
    const unsigned char c0 = n ? (unsigned char)p->src[t->off] : 0;
    if (c0 < 0x20 || c0 == 0x7f) /* a control byte (NUL would end the quoted text): name it */
        snprintf(buf, cap, "byte 0x%02x", c0);
    else
        snprintf(buf, cap, "'%.*s'", (int)n, p->src + t->off);
    return buf;
}

static bb_result lex(parser *p)
{
    const char *s = p->src;
    size_t i = 0, n = p->len;
    int line = 1;
    size_t line_start = 0;
    bool in_stmt = false;
    int end_line = 1, end_col = 1; /* just after the last token: where an END sits */
    while (i < n) {
        /* start of a line */
        size_t eol = i;
        while (eol < n && s[eol] != '\n') eol++;
        if (eol - i > BB_PH_LINE_MAX)
            return bb_error_set(p->err, BB_ERR_LIMIT, p->ph->file, line, 1,
                                "line longer than %d bytes", BB_PH_LINE_MAX);
        bool continues = i < n && (s[i] == ' ' || s[i] == '\t');
        size_t ntok_before = p->ntoks;
        size_t j = i;
        while (j < eol) {
            char c = s[j];
            int col = (int)(j - line_start) + 1;
            if (c == '\r' && j + 1 < eol)
                return perr(p, line, col, "a carriage return inside a line: expected lines ending in LF or CRLF "
                                          "(old Mac line endings?)%s", "");
            if (c == ' ' || c == '\t' || c == '\r') {
                j++;
                continue;
            }
            if (c == '-' && j + 1 < eol && s[j + 1] == '-') break; /* comment */
            /* the first token of an unindented line ends the statement above */
            if (p->ntoks == ntok_before && in_stmt && !continues) {
                bb_result r = push(p, (tok){T_END, 0, end_line, end_col, j, j});
                if (r) return r;
                in_stmt = false;
                ntok_before = p->ntoks;
            }
            tok t = {T_OP, 0, line, col, j, j + 1};
            if (c == '"') {
                size_t k = j + 1;
                while (k < eol && s[k] != '"') k++;
                if (k >= eol)
                    return perr(p, line, col, "unclosed string: expected '\"' before the end of the line%s", "");
                t.kind = T_STR;
                t.end = k + 1;
            } else if (is_digit(c) || (c == '.' && j + 1 < eol && is_digit(s[j + 1]))) {
                size_t k = j;
                while (k < eol && is_digit(s[k])) k++;
                if (k < eol && s[k] == '.') {
                    k++;
                    if (k >= eol || !is_digit(s[k]))
                        return perr(p, line, (int)(k - line_start) + 1, "expected a digit after the decimal point%s", "");
                    while (k < eol && is_digit(s[k])) k++;
                }
                if (k < eol && (is_alpha(s[k]) || s[k] == '.'))
                    return perr(p, line, (int)(k - line_start) + 1,
                                "expected an operator or white space after the number%s", "");
                t.kind = T_NUM;
                t.end = k;
            } else if (c == '~') {
                size_t k = j + 1;
                if (k >= eol || !is_alpha(s[k]))
                    return perr(p, line, col, "expected a bus name after '~'%s", "");
                while (k < eol && (is_alpha(s[k]) || is_digit(s[k]))) k++;
                if (k - j - 1 > BB_PH_NAME_MAX)
                    return bb_error_set(p->err, BB_ERR_LIMIT, p->ph->file, line, col,
                                        "bus name longer than %d bytes", BB_PH_NAME_MAX);
                t.kind = T_REF;
                t.end = k;
            } else if (is_alpha(c)) {
                size_t k = j;
                while (k < eol && is_ident(s[k])) k++;
                t.kind = T_IDENT;
                t.end = k;
            } else if (strchr("+-*/()#$:", c)) {
                t.op = c;
            } else {
                char what[16];
                if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
                    snprintf(what, sizeof what, "'%c'", c);
                else
                    snprintf(what, sizeof what, "byte 0x%02x", (unsigned char)c);
                return perr(p, line, col, "unexpected %s: expected a number, a string, a name or an operator", what);
            }
            bb_result r = push(p, t);
            if (r) return r;
            in_stmt = true;
            j = t.end;
            end_line = line;
            end_col = (int)(j - line_start) + 1;
        }
        i = eol < n ? eol + 1 : eol;
        line++;
        line_start = i;
    }
    bb_result r = BB_OK;
    if (in_stmt) r = push(p, (tok){T_END, 0, end_line, end_col, n, n});
    if (!r) r = push(p, (tok){T_EOF, 0, end_line, end_col, n, n});
    return r;
}

static tok *peek(parser *p) { return &p->toks[p->pos]; }
static int is_op(const tok *t, char op) { return t->kind == T_OP && t->op == op; }

static bb_ast *node(parser *p, bb_ast_kind kind, const tok *at)
{
    bb_ast *a = bb_arena_alloc(&p->ph->own, sizeof *a);
    if (!a) {
        bb_error_set(p->err, BB_ERR_NOMEM, p->ph->file, at->line, at->col, "no memory for the syntax tree");
        return NULL;
    }
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->line = at->line;
    a->col = at->col;
    return a;
}

static bb_result expected(parser *p, const char *what)
{
    char buf[48];
    tok *t = peek(p);
    return bb_error_set(p->err, BB_ERR_PARSE, p->ph->file, t->line, t->col, "expected %s, found %s",
                        what, tok_desc(p, t, buf, sizeof buf));
}

static bb_result parse_expr(parser *p, bb_ast **out);

static bb_result enter(parser *p)
{
    if (++p->depth > BB_PH_DEPTH_MAX) {
        tok *t = peek(p);
        return bb_error_set(p->err, BB_ERR_LIMIT, p->ph->file, t->line, t->col,
                            "expression nested deeper than %d levels", BB_PH_DEPTH_MAX);
    }
    return BB_OK;
}

/* primary := NUM | STR | REF | '(' expr ')' */
static bb_result parse_primary(parser *p, bb_ast **out)
{
    tok *t = peek(p);
    bb_ast *a;
    switch (t->kind) {
    case T_NUM:
        if (!(a = node(p, BB_AST_NUM, t))) return BB_ERR_NOMEM;
        a->text = p->src + t->off;
        a->len = t->end - t->off;
        if (!bb_rat_parse_decimal(a->text, a->len, &a->rat))
            return bb_error_set(p->err, BB_ERR_PARSE, p->ph->file, t->line, t->col,
                                "number '%.*s' is too long to be exact", (int)a->len, a->text);
        a->num = strtod(a->text, NULL);
        p->pos++;
        break;
    case T_STR:
        if (!(a = node(p, BB_AST_STR, t))) return BB_ERR_NOMEM;
        a->text = p->src + t->off + 1;
        a->len = t->end - t->off - 2;
        a->text_col = t->col + 1;
        p->pos++;
        break;
    case T_REF:
        if (!(a = node(p, BB_AST_REF, t))) return BB_ERR_NOMEM;
        a->text = p->src + t->off + 1;
        a->len = t->end - t->off - 1;
        p->pos++;
        break;
    case T_OP:
        if (t->op == '(') {
            p->pos++;
            bb_result r = parse_expr(p, &a);
            if (r) return r;
            if (!is_op(peek(p), ')')) {
                char msg[64];
                snprintf(msg, sizeof msg, "')' to close '(' at line %d column %d", t->line, t->col);
                return expected(p, msg);
            }
            p->pos++;
            break;
        }
        /* fallthrough */
    default:
        return expected(p, "a number, a \"pattern\", a ~bus, a function or '('");
    }
    *out = a;
    return BB_OK;
}

static int starts_arg(const tok *t)
{
    return t->kind == T_NUM || t->kind == T_STR || t->kind == T_REF || is_op(t, '(');
}

/* app := IDENT arg* | primary        arg := primary */
static bb_result parse_app(parser *p, bb_ast **out)
{
    tok *t = peek(p);
    if (t->kind != T_IDENT) return parse_primary(p, out);
    bb_ast *a = node(p, BB_AST_APP, t);
    if (!a) return BB_ERR_NOMEM;
    a->text = p->src + t->off;
    a->len = t->end - t->off;
    p->pos++;
    bb_ast *args[BB_PH_ARGS_MAX];
    int n = 0;
    while (starts_arg(peek(p))) {
        if (n == BB_PH_ARGS_MAX)
            return bb_error_set(p->err, BB_ERR_LIMIT, p->ph->file, peek(p)->line, peek(p)->col,
                                "more than %d arguments", BB_PH_ARGS_MAX);
        bb_result r = parse_primary(p, &args[n]);
        if (r) return r;
        n++;
    }
    if (n) {
        a->args = bb_arena_alloc(&p->ph->own, (size_t)n * sizeof *a->args);
        if (!a->args) return bb_error_set(p->err, BB_ERR_NOMEM, p->ph->file, t->line, t->col, "no memory");
        memcpy(a->args, args, (size_t)n * sizeof *args);
    }
    a->nargs = n;
    *out = a;
    return BB_OK;
}

/* unary := '-' unary | app */
static bb_result parse_unary(parser *p, bb_ast **out)
{
    tok *t = peek(p);
    if (!is_op(t, '-')) return parse_app(p, out);
    bb_result r = enter(p);
    if (r) return r;
    p->pos++;
    bb_ast *a = node(p, BB_AST_NEG, t);
    if (!a) return BB_ERR_NOMEM;
    if ((r = parse_unary(p, &a->a))) return r;
    p->depth--;
    *out = a;
    return BB_OK;
}

/* Left-associative binary level: operand (op operand)*, ops from `ops`. */
static bb_result parse_binary(parser *p, bb_ast **out, const char *ops,
                              bb_result (*operand)(parser *, bb_ast **), bb_ast_kind kind)
{
    bb_ast *left;
    bb_result r = operand(p, &left);
    if (r) return r;
    for (;;) {
        tok *t = peek(p);
        if (t->kind != T_OP || !strchr(ops, t->op)) break;
        p->pos++;
        bb_ast *a = node(p, kind, t);
        if (!a) return BB_ERR_NOMEM;
        a->op = t->op;
        a->line = left->line;
        a->col = left->col;
        a->a = left;
        if ((r = operand(p, &a->b))) return r;
        left = a;
    }
    *out = left;
    return BB_OK;
}

/* prod := unary (('*' | '/') unary)* */
static bb_result parse_prod(parser *p, bb_ast **out) { return parse_binary(p, out, "*/", parse_unary, BB_AST_BIN); }
/* sum := prod (('+' | '-') prod)* */
static bb_result parse_sum(parser *p, bb_ast **out) { return parse_binary(p, out, "+-", parse_prod, BB_AST_BIN); }

/* dollar := sum ('$' dollar)? */
static bb_result parse_dollar(parser *p, bb_ast **out)
{
    bb_ast *left;
    bb_result r = parse_sum(p, &left);
    if (r) return r;
    tok *t = peek(p);
    if (is_op(t, '$')) {
        /* a level per '$' (it nests to the right), as per '(' and unary '-':
           the depth counts what the program nests, not the parser's calls */
        if ((r = enter(p))) return r;
        p->pos++;
        bb_ast *a = node(p, BB_AST_DOLLAR, t);
        if (!a) return BB_ERR_NOMEM;
        a->a = left;
        if ((r = parse_dollar(p, &a->b))) return r;
        p->depth--;
        left = a;
    }
    *out = left;
    return BB_OK;
}

/* expr := dollar ('#' dollar)* */
static bb_result parse_expr(parser *p, bb_ast **out)
{
    bb_result r = enter(p);
    if (r) return r;
    r = parse_binary(p, out, "#", parse_dollar, BB_AST_HASH);
    p->depth--;
    return r;
}

static bool name_is(const parser *p, const tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->end - t->off == n && !memcmp(p->src + t->off, s, n);
}

static bool is_output_name(const parser *p, const tok *t)
{
    if (name_is(p, t, "out")) return true;
    const char *s = p->src + t->off;
    size_t n = t->end - t->off;
    if (n < 2 || s[0] != 'o') return false;
    for (size_t i = 1; i < n; i++)
        if (!is_digit(s[i])) return false;
    return true;
}

static bb_result expect_end(parser *p)
{
    if (peek(p)->kind != T_END) return expected(p, "the end of the statement (an operator?)");
    p->pos++;
    return BB_OK;
}

/* stmt := ('bpm' | 'tempo' | 'cps') ':' NUM
 *       | '~' name (':' | '$') expr
 *       | ('out' | 'o' digits) ':' expr */
static bb_result parse_stmt(parser *p, bb_stmt *st)
{
    tok *t = peek(p);
    memset(st, 0, sizeof *st);
    st->line = t->line;
    st->col = t->col;
    bb_result r;
    if (t->kind == T_IDENT && (name_is(p, t, "bpm") || name_is(p, t, "tempo") || name_is(p, t, "cps"))) {
        bool bpm = name_is(p, t, "bpm");
        p->pos++;
        if (!is_op(peek(p), ':')) return expected(p, "':' after the tempo keyword");
        p->pos++;
        tok *v = peek(p);
        if (v->kind != T_NUM) return expected(p, bpm ? "a number of beats per minute" : "a number of cycles per second");
        bb_rat x;
        if (!bb_rat_parse_decimal(p->src + v->off, v->end - v->off, &x))
            return perr(p, v->line, v->col, "tempo is too long to be exact%s", "");
        if (bpm) x = bb_rat_div(x, bb_rat_int(240));
        /* a cycle must last between 1/1000 s and 1000 s */
        if (!bb_rat_valid(x) || bb_rat_cmp(x, bb_rat_make(1, 1000)) < 0 || bb_rat_cmp(x, bb_rat_int(1000)) > 0)
            return bb_error_set(p->err, BB_ERR_PARSE, p->ph->file, v->line, v->col,
                                "expected a tempo giving between 0.001 and 1000 cycles per second (bpm 0.24 to 240000)");
        p->pos++;
        st->kind = BB_STMT_TEMPO;
        st->cps = x;
        return expect_end(p);
    }
    if (t->kind == T_REF) {
        st->kind = BB_STMT_BUS;
        st->name = p->src + t->off + 1;
        st->name_len = t->end - t->off - 1;
        p->pos++;
        if (!is_op(peek(p), ':') && !is_op(peek(p), '$')) return expected(p, "':' or '$' after the bus name");
        p->pos++;
    } else if (t->kind == T_IDENT && is_output_name(p, t)) {
        st->kind = BB_STMT_OUT;
        st->name = p->src + t->off;
        st->name_len = t->end - t->off;
        p->pos++;
        if (!is_op(peek(p), ':')) return expected(p, "':' after the output name");
        p->pos++;
    } else {
        return expected(p, "a statement ('bpm:', 'tempo:', 'cps:', '~name:', 'out:' or 'o1:')");
    }
    size_t from = peek(p)->off;
    if (peek(p)->kind == T_END) return expected(p, "an expression");
    if ((r = parse_expr(p, &st->expr))) return r;
    st->def = p->src + from;
    st->def_len = p->toks[p->pos - 1].end - from;
    return expect_end(p);
}

bb_result bb_ph_parse(const char *src, size_t len, const char *file, bb_ph **out, bb_error *err)
{
    if (len > BB_PH_SRC_MAX)
        return bb_error_set(err, BB_ERR_LIMIT, file, 0, 0, "program larger than %d bytes", BB_PH_SRC_MAX);
    bb_ph *ph = bb_calloc(1, sizeof *ph);
    if (!ph) return bb_error_set(err, BB_ERR_NOMEM, file, 0, 0, "no memory for the program");
    bb_arena_init(&ph->own);
    snprintf(ph->file, sizeof ph->file, "%s", file ? file : "<program>");
    ph->cps = bb_rat_make(1, 2);
    parser p = {.ph = ph, .err = err, .len = len};
    bb_result r = BB_OK;
    char *copy = bb_arena_alloc(&ph->own, len + 1);
    if (!copy) {
        r = bb_error_set(err, BB_ERR_NOMEM, ph->file, 0, 0, "no memory for the program");
        goto fail;
    }
    memcpy(copy, src, len);
    copy[len] = '\0';
    p.src = copy;
    if ((r = lex(&p))) goto fail;
    size_t nst = 0;
    for (size_t i = 0; i < p.ntoks; i++) nst += p.toks[i].kind == T_END;
    if (nst > BB_PH_STMTS_MAX) {
        r = bb_error_set(err, BB_ERR_LIMIT, ph->file, 0, 0, "more than %d statements", BB_PH_STMTS_MAX);
        goto fail;
    }
    ph->stmts = bb_arena_alloc(&ph->own, (nst ? nst : 1) * sizeof *ph->stmts);
    if (!ph->stmts) {
        r = bb_error_set(err, BB_ERR_NOMEM, ph->file, 0, 0, "no memory for statements");
        goto fail;
    }
    while (peek(&p)->kind != T_EOF) {
        bb_stmt *st = &ph->stmts[ph->nstmts];
        if ((r = parse_stmt(&p, st))) goto fail;
        if (st->kind == BB_STMT_TEMPO) ph->cps = st->cps;
        ph->nstmts++;
    }
    bb_free(p.toks);
    *out = ph;
    return BB_OK;
fail:
    bb_free(p.toks);
    bb_ph_free(ph);
    return r;
}

bb_result bb_ph_load(const char *path, bb_ph **out, bb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return bb_error_set(err, BB_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    bb_result r = BB_OK;
    for (;;) {
        if (bb_grow((void **)&buf, &cap, n + 65536, 1)) {
            r = bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory to read the program");
            break;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > BB_PH_SRC_MAX) {
            r = bb_error_set(err, BB_ERR_LIMIT, path, 0, 0, "program larger than %d bytes", BB_PH_SRC_MAX);
            break;
        }
        if (got == 0) {
            if (ferror(f)) r = bb_error_set(err, BB_ERR_IO, path, 0, 0, "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!r) r = bb_ph_parse(buf ? buf : "", n, path, out, err);
    bb_free(buf);
    return r;
}

void bb_ph_free(bb_ph *ph)
{
    if (!ph) return;
    bb_arena_free(&ph->own);
    bb_free(ph);
}
