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
 * temporary name and renamed (bb_file_commit; figures as above); the
 * figure temporaries and gnuplot's pid are registered with bb_tmpfile, so an
 * interrupted command stops gnuplot and leaves no temporary behind; gnuplot's
 * absence is an error named as such, never a silent report without figures.
 * The gnuplot program is $BB_GNUPLOT or "gnuplot"; the PNG terminal is
 * pngcairo when this gnuplot has it, png otherwise.
 *
 * Units: pixels for figure sizes; the rest is text. */
#include "bb_plot.h"

#include "bb_file.h"
#include "bb_json.h"
#include "bb_tmpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
    return bb_file_commit(path, buf, n, &R->err);
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
    else if (bb_file_commit(dst, buf ? buf : "", n, &R->err)) rc = -1;
    free(buf);
    return rc;
}

