/* bb_plot.c - gnuplot plumbing shared by the commands that draw figures
 * (report, history): the output folder, atomic files in it, gnuplot found
 * and run as a child, each figure drawn as PNG and SVG.
 *
 * What it is: a figure is a data file DIR/data/NAME.dat and a script
 * DIR/data/NAME.gp that draws the same body twice (PNG, then SVG); gnuplot
 * runs in DIR and writes NAME.png.tmp.PID and NAME.svg.tmp.PID, renamed over
 * NAME.png and NAME.svg only when it succeeded.
 *
 * Invariants: every file that may replace a good one is written to a
 * temporary name and renamed (bb_json_commit_file; figures as above); the
 * figure temporaries and gnuplot's pid are registered with bb_tmpfile, so an
 * interrupted command stops gnuplot and leaves no temporary behind; gnuplot's
 * absence is an error named as such, never a silent report without figures.
 * The gnuplot program is $BB_GNUPLOT or "gnuplot"; the PNG terminal is
 * pngcairo when this gnuplot has it, png otherwise.
 *
 * A whole output (report) is staged: written into ".NAME.tmp.XXXXXX" beside
 * the folder NAME asked for, then exchanged with it in one renameat2
 * (RENAME_EXCHANGE; two renames where the file system cannot) and the old
 * folder removed: a report into an existing folder replaces it whole (no
 * figure of an older report left behind), and a failure leaves the old one as
 * it was. A signal during the staging can leave the hidden staged folder (its
 * temporaries are removed), never a half-written NAME.
 *
 * Colours: a strategy has one colour in every figure (bb_plot_strategy_colour).
 *
 * Units: pixels for figure sizes; the rest is text. */
#define _GNU_SOURCE /* renameat2, nftw */
#include "bb_plot.h"

#include "bb_json.h"
#include "bb_stats.h"
#include "bb_tmpfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void bb_plot_init(bb_plot *P, const char *dir, const char *src)
{
    memset(P, 0, sizeof *P);
    P->dir = dir;
    P->final = dir;
    P->src = src;
    bb_error_clear(&P->err);
}

int bb_plot_open(bb_plot *P)
{
    char ddir[4096];
    snprintf(ddir, sizeof ddir, "%s/data", P->dir);
    if (bb_plot_mkdir_p(ddir) != 0) {
        bb_error_set(&P->err, BB_ERR_IO, ddir, 0, 0, "cannot create the folder: %s", strerror(errno));
        return -1;
    }
    return bb_plot_probe(P);
}

int bb_plot_draw(bb_plot *P, const char *name, const char *dat, size_t dn, const char *body, int w, int h)
{
    char rel[512];
    snprintf(rel, sizeof rel, "data/%s.dat", name);
    if (dat && bb_plot_commit(P, rel, dat, dn)) return -1;
    return bb_plot_figure(P, name, body, w, h);
}

void bb_plot_quote(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
}

void bb_plot_safe_name(char *dst, size_t cap, const char *s)
{
    size_t i = 0;
    for (; *s && i + 1 < cap; s++) {
        char c = *s;
        dst[i++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                       ? c
                       : '_';
    }
    dst[i] = '\0';
}

bb_result bb_plot_commit(bb_plot *R, const char *rel, const char *buf, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", R->dir, rel);
    return bb_json_commit_file(path, buf, n, &R->err);
}

int bb_plot_mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    return stat(tmp, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* ---- gnuplot ---------------------------------------------------------------------------- */
/* Run gnuplot in R->dir with args; capture its output (stdout and stderr) into
 * out. Returns its exit status, 127 when it could not be started, -1 on a
 * system error. */
static int run_gnuplot(bb_plot *R, const char *arg, char *out, size_t cap)
{
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    /* signals wait until the child is registered, so that busbench's cleanup
       (bb_tmp_cleanup) can stop it before it writes a figure's temporary */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        if (chdir(R->dir) != 0) _exit(126);
        execlp(R->gp, R->gp, arg, (char *)NULL);
        _exit(127);
    }
    bb_tmp_set_child(pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(pfd[1]);
    size_t n = 0;
    char tmp[4096];
    ssize_t k;
    while ((k = read(pfd[0], tmp, sizeof tmp)) != 0) {
        if (k < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (ssize_t i = 0; i < k; i++) {
            if (n + 1 >= cap) memmove(out, out + cap / 2, (n = n - cap / 2)); /* keep the tail */
            out[n++] = tmp[i];
        }
    }
    out[n] = '\0';
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            bb_tmp_set_child(0);
            return -1;
        }
    bb_tmp_set_child(0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int bb_plot_probe(bb_plot *R)
{
    const char *env = getenv("BB_GNUPLOT");
    R->gp = env && *env ? env : "gnuplot";
    char out[8192];
    int st = run_gnuplot(R, "--version", out, sizeof out);
    if (st != 0) {
        bb_error_set(&R->err, BB_ERR_IO, R->gp, 0, 0,
                     "gnuplot is needed to draw the figures and could not be run (%s); install it "
                     "(apt-get install gnuplot-nox, or `make deps`) or point BB_GNUPLOT at it",
                     st == 127 ? "not found" : "it failed");
        return -1;
    }
    snprintf(R->gp_version, sizeof R->gp_version, "%.100s", out);
    R->gp_version[strcspn(R->gp_version, "\r\n")] = '\0';
    /* which terminals: a tiny script prints GPVAL_TERMINALS */
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    fprintf(f, "print GPVAL_TERMINALS\n");
    fclose(f);
    if (bb_plot_commit(R, "data/terminals.gp", buf, n)) {
        free(buf);
        return -1;
    }
    free(buf);
    st = run_gnuplot(R, "data/terminals.gp", out, sizeof out);
    char path[4096];
    snprintf(path, sizeof path, "%s/data/terminals.gp", R->dir);
    unlink(path);
    snprintf(R->term, sizeof R->term, "%s", st == 0 && strstr(out, " pngcairo ") ? "pngcairo" : "png");
    if (st != 0 || !strstr(out, " svg ")) {
        bb_error_set(&R->err, BB_ERR_IO, R->gp, 0, 0, "this gnuplot has no svg terminal (or failed: %.200s)", out);
        return -1;
    }
    return 0;
}

int bb_plot_figure(bb_plot *R, const char *name, const char *body, int w, int h)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return -1;
    long pid = (long)getpid();
    fprintf(f, "# %s: drawn by busbench report from %s; run from the report folder: gnuplot data/%s.gp\n", name,
            R->src, name);
    fprintf(f, "set encoding utf8\nset datafile missing \"NaN\"\n");
    fprintf(f, "set terminal %s size %d,%d noenhanced font \"sans,10\" background rgb \"white\"\n", R->term, w, h);
    fprintf(f, "set output \"%s.png.tmp.%ld\"\n%s\nunset output\n", name, pid, body);
    fprintf(f, "set terminal svg size %d,%d noenhanced font \"sans,11\" background rgb \"white\"\n", w, h);
    fprintf(f, "set output \"%s.svg.tmp.%ld\"\n%s\nunset output\n", name, pid, body);
    fclose(f);
    char rel[512];
    snprintf(rel, sizeof rel, "data/%s.gp", name);
    bb_result res = bb_plot_commit(R, rel, buf, n);
    free(buf);
    if (res) return -1;
    char out[8192];
    char tp[2][4096], fp[4096];
    static const char *const ext[] = {"png", "svg"};
    int slot[2];
    for (int i = 0; i < 2; i++) {
        snprintf(tp[i], sizeof tp[i], "%s/%s.%s.tmp.%ld", R->dir, name, ext[i], pid);
        slot[i] = bb_tmp_register(tp[i]); /* gnuplot writes them; removed if busbench is interrupted */
    }
    int st = run_gnuplot(R, rel, out, sizeof out);
    for (int i = 0; i < 2; i++) {
        snprintf(fp, sizeof fp, "%s/%s.%s", R->dir, name, ext[i]);
        if (st == 0 && rename(tp[i], fp) != 0) {
            bb_error_set(&R->err, BB_ERR_IO, fp, 0, 0, "cannot move the figure into place: %s", strerror(errno));
            st = -2;
        }
        unlink(tp[i]);
        bb_tmp_unregister(slot[i]);
    }
    if (st == -2) return -1;
    if (st != 0) {
        bb_error_set(&R->err, BB_ERR_IO, rel, 0, 0, "gnuplot failed (status %d): %.300s", st, out);
        return -1;
    }
    return 0;
}


const char *const bb_plot_palette[] = {"#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const size_t bb_plot_npalette = sizeof bb_plot_palette / sizeof bb_plot_palette[0];

int bb_plot_keep_input(bb_plot *R, const char *rel)
{
    char dst[4096];
    snprintf(dst, sizeof dst, "%s/%s", R->dir, rel);
    struct stat a, b;
    if (stat(R->src, &a) == 0 && stat(dst, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 0;
    FILE *f = fopen(R->src, "rb");
    if (!f) {
        bb_error_set(&R->err, BB_ERR_IO, R->src, 0, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1 << 16;
            char *nb = realloc(buf, nc);
            if (!nb) break;
            buf = nb;
            cap = nc;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (k == 0) break;
        n += k;
    }
    int bad = ferror(f) || n == cap; /* n == cap only when growing failed */
    fclose(f);
    int rc = bad ? -1 : 0;
    if (bad) bb_error_set(&R->err, BB_ERR_IO, R->src, 0, 0, "cannot read it back");
    else if (bb_json_commit_file(dst, buf ? buf : "", n, &R->err)) rc = -1;
    free(buf);
    return rc;
}


/* ---- colours ------------------------------------------------------------------------------- */
static const struct {
    const char *name, *colour;
} strategy_colours[] = {{"serial", "#000000"}, {"parallel", "#1f77b4"}, {"cycle", "#ff7f0e"}, {"static", "#2ca02c"},
                        {"pool", "#d62728"},   {"batch", "#9467bd"},    {"lanes", "#8c564b"}, {"all", "#e377c2"}};
static const char *const other_colours[] = {"#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"};

const char *bb_plot_strategy_colour(const char *strategy)
{
    for (size_t i = 0; i < sizeof strategy_colours / sizeof strategy_colours[0]; i++)
        if (!strcmp(strategy, strategy_colours[i].name)) return strategy_colours[i].colour;
    return other_colours[bb_stats_hash(strategy) % (sizeof other_colours / sizeof other_colours[0])];
}

void bb_plot_lighter(const char *colour, double f, char out[8])
{
    unsigned rgb = 0;
    if (colour[0] != '#' || sscanf(colour + 1, "%6x", &rgb) != 1) rgb = 0x808080;
    unsigned c[3] = {rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255};
    for (int i = 0; i < 3; i++) c[i] = (unsigned)lround(c[i] + (255.0 - c[i]) * f);
    snprintf(out, 8, "#%02x%02x%02x", c[0] & 255, c[1] & 255, c[2] & 255);
}

/* ---- the staged folder ------------------------------------------------------------------------- */
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* rm -r path (no error when it is not there). 0 or -1. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Is the folder empty, or has it a file named marker? (A folder that cannot be read: no.) */
static bool replaceable(const char *dir, const char *marker)
{
    char p[PATH_MAX + 256];
    snprintf(p, sizeof p, "%s/%s", dir, marker);
    if (access(p, F_OK) == 0) return true;
    DIR *d = opendir(dir);
    if (!d) return false;
    bool empty = true;
    for (struct dirent *e; empty && (e = readdir(d));) empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

/* Does the file in lie in the folder whose real path is real, under a name other than keep (NULL: any)? */
static bool lost_with(const char *in, const char *real, const char *keep)
{
    char rin[PATH_MAX];
    if (!in || !realpath(in, rin)) return false;
    char *slash = strrchr(rin, '/');
    size_t n = slash ? (size_t)(slash - rin) : 0;
    if (!slash || strlen(real) != n || strncmp(rin, real, n)) return false;
    return !keep || strcmp(slash + 1, keep);
}

int bb_plot_stage(bb_plot *P, const char *marker, const char *const *inputs, const char *const *keep, int n)
{
    struct stat st;
    char real[PATH_MAX];
    if (stat(P->final, &st) == 0) {
        if (!S_ISDIR(st.st_mode) || !realpath(P->final, real)) {
            bb_error_set(&P->err, BB_ERR_IO, P->final, 0, 0, "not a folder: give the report a folder of its own");
            return -1;
        }
        if (!replaceable(P->final, marker)) {
            bb_error_set(&P->err, BB_ERR_IO, P->final, 0, 0, "the folder exists and is not a report (no %s in it): "
                         "a report replaces its folder whole, so give it a new or empty folder", marker);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (lost_with(inputs[i], real, keep[i])) {
                bb_error_set(&P->err, BB_ERR_IO, inputs[i], 0, 0, "this input lies in the report folder %s, which the "
                             "report replaces whole: move it out first", P->final);
                return -1;
            }
        }
    }
    char parent[PATH_MAX], name[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", P->final);
    snprintf(name, sizeof name, "%s", P->final);
    const char *pd = dirname(parent), *bn = basename(name);
    if (!strcmp(bn, ".") || !strcmp(bn, "..") || !strcmp(bn, "/")) {
        bb_error_set(&P->err, BB_ERR_ARG, P->final, 0, 0, "give the report's folder by its name (not . or ..)");
        return -1;
    }
    if (bb_plot_mkdir_p(pd) != 0) {
        bb_error_set(&P->err, BB_ERR_IO, pd, 0, 0, "cannot create the folder: %s", strerror(errno));
        return -1;
    }
    snprintf(P->stage, sizeof P->stage, "%s/.%.200s.tmp.XXXXXX", pd, bn);
    if (!mkdtemp(P->stage)) {
        bb_error_set(&P->err, BB_ERR_IO, pd, 0, 0, "cannot create a folder in it: %s", strerror(errno));
        P->stage[0] = '\0';
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    chmod(P->stage, 0777 & ~mask); /* mkdtemp makes it 0700; a report is an ordinary folder */
    P->dir = P->stage;
    return 0;
}

void bb_plot_discard(bb_plot *P)
{
    if (!P->stage[0]) return;
    remove_tree(P->stage);
    P->stage[0] = '\0';
    P->dir = P->final;
}

int bb_plot_publish(bb_plot *P)
{
    if (!P->stage[0]) return 0;
    struct stat st;
    int had = stat(P->final, &st) == 0;
    char old[PATH_MAX + 32];
    snprintf(old, sizeof old, "%s.old", P->stage);
    int rc = 0;
    if (!had) rc = rename(P->stage, P->final);
    else if (renameat2(AT_FDCWD, P->stage, AT_FDCWD, P->final, RENAME_EXCHANGE) == 0) rc = 0; /* the stage: the old one */
    else if (rename(P->final, old) != 0) rc = -1;
    else if (rename(P->stage, P->final) != 0) {
        int e = errno;
        rename(old, P->final); /* put the old one back */
        errno = e;
        rc = -1;
    }
    if (rc) {
        bb_error_set(&P->err, BB_ERR_IO, P->final, 0, 0, "cannot put the new report in place: %s", strerror(errno));
        bb_plot_discard(P);
        return -1;
    }
    /* the old report: at the stage's name after the exchange, at old after the two renames */
    remove_tree(old);
    remove_tree(P->stage);
    P->stage[0] = '\0';
    P->dir = P->final;
    return 0;
}
