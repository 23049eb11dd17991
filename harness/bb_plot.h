/* bb_plot.h - gnuplot plumbing shared by the commands that draw figures
 * (report, history): an output folder, atomic files in it, gnuplot found and
 * run as a child, each figure drawn as PNG and SVG (bb_plot.c says how).
 *
 * Every function that can fail returns -1 (or a bb_result) and leaves the
 * reason in P->err; nothing is left half-written at a destination. */
#ifndef BB_PLOT_H
#define BB_PLOT_H

#include "bb_result.h"

#include <stddef.h>
#include <stdio.h>

typedef struct bb_plot {
    const char *dir;        /* where files go: the output folder, or the staged folder (bb_plot_stage) */
    const char *final;      /* the output folder asked for (the caller's string) */
    char stage[4096];       /* the staged folder, "" when none */
    const char *src;        /* what the figures are drawn from, named in each script */
    const char *gp;         /* the gnuplot program */
    char term[16];          /* pngcairo or png */
    char gp_version[128];
    bb_error err;           /* why the last call failed */
} bb_plot;

/* The palette of lines and bars, in order. */
extern const char *const bb_plot_palette[];
extern const size_t bb_plot_npalette;

/* The colour of a strategy in every figure ("#rrggbb", a static string): a fixed table for the
 * registry's strategies (serial black, parallel blue, cycle orange, static green, pool red, batch
 * purple, lanes brown, all pink), any other name (a composition, a canary) one of the remaining
 * colours by a hash of the name: the same name, the same colour, in every figure and report. */
const char *bb_plot_strategy_colour(const char *strategy);
/* colour ("#rrggbb") mixed with white, f of the way (0: itself, 1: white), into out[8]. */
void bb_plot_lighter(const char *colour, double f, char out[8]);

/* Set P up for the folder dir (not touched yet); src names the input. */
void bb_plot_init(bb_plot *P, const char *dir, const char *src);
/* Create DIR/data (and DIR) and find gnuplot with its PNG and SVG terminals. 0 or -1. */
int bb_plot_open(bb_plot *P);
/* Write the whole output into a new folder beside the one asked for (".NAME.tmp.XXXXXX" in its
 * parent, the parent made when missing): P->dir becomes it; bb_plot_publish puts it in place. Refuses
 * (-1, P->err) a folder asked for that exists, is not empty and has no file named marker (it is not
 * an output of this command: replacing it would lose what it holds), and an input file (inputs[0..n),
 * NULL entries skipped) that lies in it, other than one kept under the same name (keep[i], NULL:
 * none), since the folder is replaced whole. Call before bb_plot_open. */
int bb_plot_stage(bb_plot *P, const char *marker, const char *const *inputs, const char *const *keep, int n);
/* Put the staged folder in the place of the folder asked for, replacing an existing one whole
 * (exchanged atomically by renameat2 where the file system can, else moved aside first), and remove
 * the old one. 0, or -1 with P->err: then the staged folder is removed and the old one is where it
 * was. Nothing to do without a stage. */
int bb_plot_publish(bb_plot *P);
/* After a failure: remove the staged folder (nothing without one). The folder asked for is untouched. */
void bb_plot_discard(bb_plot *P);
/* Find gnuplot and its terminals (bb_plot_open does). 0 or -1. */
int bb_plot_probe(bb_plot *P);
/* Write n bytes to DIR/rel atomically. BB_OK or the error (also in P->err). */
bb_result bb_plot_commit(bb_plot *P, const char *rel, const char *buf, size_t n);
/* Write DIR/data/NAME.gp (body drawn once as PNG, w x h pixels, once as SVG), run it in DIR,
 * rename NAME.png and NAME.svg into place. 0 or -1. */
int bb_plot_figure(bb_plot *P, const char *name, const char *body, int w, int h);
/* DIR/data/NAME.dat from dat[0..dn) (none when dat is NULL), then bb_plot_figure. 0 or -1. */
int bb_plot_draw(bb_plot *P, const char *name, const char *dat, size_t dn, const char *body, int w, int h);
/* Copy the file P->src to DIR/rel atomically (nothing when it is that file). 0 or -1. */
int bb_plot_keep_input(bb_plot *P, const char *rel);
/* mkdir -p. 0, or -1 with errno. */
int bb_plot_mkdir_p(const char *path);
/* s as the body of a gnuplot double-quoted string (\ and " escaped). */
void bb_plot_quote(FILE *f, const char *s);
/* A file name part from s: [A-Za-z0-9_-] kept, others become '_'; NUL-terminated within cap. */
void bb_plot_safe_name(char *dst, size_t cap, const char *s);

#endif
