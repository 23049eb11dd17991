/* bb_ci.c - the gate's verdicts as the plain table's lines, as Markdown and as
 * JUnit XML.
 *
 * What it is: the writers behind `busbench compare` (its table),
 * `--markdown` and `--junit FILE`, and the pieces they share: a row's cells,
 * its verdict as shown, the gates line and the summary line.
 *
 * Invariants: every output shows the same rows with the same verdict text
 * (bb_ci_verdict), and the summary counts those rows, so a row that lists a
 * counter that went up never says "same" and the summary never disagrees
 * with the table. Markdown is GitHub-flavoured (tables), every '|' inside a
 * cell escaped; the XML is well formed whatever the names hold (& < > " '
 * escaped, control characters dropped) and follows the JUnit schema that CI
 * systems read: <testsuites> with one <testsuite> ("busbench compare"), one
 * <testcase> per check that ran (classname busbench.WORKLOAD, name
 * "CONFIGURATION: counters|instructions|time"), a <failure> when it failed
 * (its message: what broke, a wrong render's frame first), <skipped> for a
 * configuration that could not be compared (name: the configuration) and for
 * the checks of a configuration whose render was wrong, the numbers in
 * <system-out>. Instructions above 1 thread are no check (valgrind
 * serialises the threads), so they are no case. The JUnit file is written
 * atomically (bb_file_commit).
 *
 * Units: as the gate's table: ms, millions of instructions, percent. */
#include "bb_ci.h"

#include "bb_file.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *bb_ci_metric_name(const bb_gate_row *r)
{
    return r->metric == BB_GATE_METRIC_TIME ? "time" : r->metric == BB_GATE_METRIC_INSTR ? "instr" : "counters";
}

/* The check's name in JUnit. */
static const char *check_name(const bb_gate_row *r)
{
    return r->metric == BB_GATE_METRIC_INSTR ? "instructions" : bb_ci_metric_name(r);
}

bool bb_ci_row_regressed(const bb_gate_row *r) { return bb_gate_verdict_regressed(r->verdict); }

bool bb_ci_row_failed(const bb_gate_row *r) { return bb_ci_row_regressed(r) || r->verdict == BB_GATE_DOWN; }

const char *bb_ci_verdict(const bb_gate_row *r)
{
    switch (r->verdict) {
    case BB_GATE_SLOWER: return "REGRESSION (slower)";
    case BB_GATE_UP: return "REGRESSION (up)";
    case BB_GATE_VARIED: return "REGRESSION (varied)";
    case BB_GATE_WRONG: return "REGRESSION (wrong render)";
    case BB_GATE_DOWN: return "CHANGED (down)";
    default: return bb_gate_verdict_name(r->verdict);
    }
}

static void value(char *buf, size_t cap, int metric, double v)
{
    if (!isfinite(v)) snprintf(buf, cap, "-");
    else if (metric == BB_GATE_METRIC_TIME) snprintf(buf, cap, "%.3f ms", v / 1e6);
    else snprintf(buf, cap, "%.3f M", v / 1e6);
}

void bb_ci_cells_of(const bb_gate_row *r, bb_ci_cells *c)
{
    value(c->old, sizeof c->old, r->metric, r->base);
    value(c->cur, sizeof c->cur, r->metric, r->cur);
    if (isfinite(r->change)) snprintf(c->change, sizeof c->change, "%+.2f%%", r->change * 100);
    else snprintf(c->change, sizeof c->change, "-");
    bool exact = (r->metric == BB_GATE_METRIC_INSTR && isfinite(r->change)) ||
                 (r->metric == BB_GATE_METRIC_COUNTERS && r->verdict != BB_GATE_NOT_COMPARED && !r->broken);
    if (isfinite(r->ci_lo) && isfinite(r->ci_hi)) snprintf(c->ci, sizeof c->ci, "[%+.1f%%, %+.1f%%]", r->ci_lo * 100, r->ci_hi * 100);
    else snprintf(c->ci, sizeof c->ci, exact ? "exact" : "-");
    if (isfinite(r->p)) snprintf(c->p, sizeof c->p, "%.4f", r->p);
    else snprintf(c->p, sizeof c->p, "-");
}

/* ---- the gates and the summary -------------------------------------------------------------- */

void bb_ci_gates(const bb_gate_file *base, const bb_gate_report *rep, char *buf, size_t cap)
{
    buf[0] = '\0';
    bb_result_appendf(buf, cap, "deterministic counters exact");
    if (rep->metrics & BB_GATE_METRIC_INSTR)
        bb_result_appendf(buf, cap, "; instructions +-%g%% (at 1 thread)", rep->instr_threshold_pct);
    if (!(rep->metrics & BB_GATE_METRIC_TIME)) return;
    if (!base->floor.present)
        bb_result_appendf(buf, cap, "; time: inconclusive (no noise floor in BASE: busbench calibrate --record BASE)");
    else if (!rep->threshold_asked)
        bb_result_appendf(buf, cap, "; time: U test p < %g and change beyond each configuration's noise floor in BASE (at least %g%%)",
            rep->alpha, rep->threshold_pct);
    else
        bb_result_appendf(buf, cap, "; time: U test p < %g and change beyond +-%g%%", rep->alpha, rep->threshold_pct);
}

enum { NVERDICTS = BB_GATE_WRONG + 1 };

void bb_ci_summary(const bb_gate_report *rep, char *buf, size_t cap)
{
    static const int metric[3] = {BB_GATE_METRIC_COUNTERS, BB_GATE_METRIC_INSTR, BB_GATE_METRIC_TIME};
    static const char *const label[3] = {"counters", "instructions", "time"};
    int n[3][NVERDICTS] = {{0}}, skipped = 0;
    bool regressed = false, changed = false;
    for (size_t i = 0; i < rep->n; i++) {
        const bb_gate_row *r = &rep->rows[i];
        regressed |= bb_ci_row_regressed(r);
        changed |= r->verdict == BB_GATE_DOWN;
        if (r->metric == BB_GATE_METRIC_COUNTERS && r->verdict == BB_GATE_NOT_COMPARED) skipped++;
        else
            for (int k = 0; k < 3; k++)
                if (r->metric == metric[k] && (int)r->verdict < NVERDICTS) n[k][r->verdict]++;
    }
    buf[0] = '\0';
    bb_result_appendf(buf, cap, "%d configuration%s compared", rep->compared, rep->compared == 1 ? "" : "s");
    if (skipped) bb_result_appendf(buf, cap, ", %d not compared", skipped);
    const char *sep = ": ";
    for (int k = 0; k < 3; k++) {
        const char *vsep = " ";
        for (int v = 0; v < NVERDICTS; v++) {
            if (!n[k][v]) continue;
            if (vsep[0] == ' ') bb_result_appendf(buf, cap, "%s%s", sep, label[k]);
            bb_result_appendf(buf, cap, "%s%d %s", vsep, n[k][v], bb_gate_verdict_name((bb_gate_verdict)v));
            vsep = ", ";
            sep = "; ";
        }
    }
    bb_result_appendf(buf, cap, " -> %s", regressed ? "REGRESSION" : changed ? "CHANGED (re-make the baseline)" : "ok");
}

/* ---- the plain table ---------------------------------------------------------------------- */
void bb_ci_text_row(FILE *f, const bb_gate_row *r)
{
    if (r->metric == BB_GATE_METRIC_COUNTERS && r->verdict == BB_GATE_NOT_COMPARED) {
        fprintf(f, "%-44s %-8s not compared: %s\n", r->name, bb_ci_metric_name(r), r->note);
        return;
    }
    bb_ci_cells c;
    bb_ci_cells_of(r, &c);
    fprintf(f, "%-44s %-8s %13s %13s %9s %18s %7s  %s\n", r->name, bb_ci_metric_name(r), c.old, c.cur, c.change, c.ci, c.p,
            bb_ci_verdict(r));
    if (r->broken) fprintf(f, "    NEW: %s (its counters, instructions and times are not compared)\n", r->headline);
    for (int i = 0; i < r->nup; i++) {
        const bb_gate_counter_up *u = &r->up[i];
        if (u->cur > u->base)
            fprintf(f, "    %s %" PRIu64 " -> %" PRIu64 " (+%" PRIu64 ")\n", u->name, u->base, u->cur, u->cur - u->base);
        else
            fprintf(f, "    %s %" PRIu64 " -> %" PRIu64 " (-%" PRIu64 "): fewer is no regression, but the tree no longer "
                       "does what the baseline recorded; if intended, re-make it (make baseline) and commit it\n",
                    u->name, u->base, u->cur, u->base - u->cur);
    }
    if (r->unstable) fprintf(f, "    NEW's deterministic counters varied between rounds\n");
    if (r->note[0]) fprintf(f, "    note: %s\n", r->note);
}

/* ---- Markdown ------------------------------------------------------------------------------ */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void md_row(FILE *f, const bb_gate_row *r)
{
    bb_ci_cells c;
    bb_ci_cells_of(r, &c);
    bool bad = bb_ci_row_failed(r);
    fprintf(f, "| `");
    md_cell(f, r->name);
    fprintf(f, "` | %s | %s | %s | %s | %s | %s | %s%s%s |\n", bb_ci_metric_name(r), c.old, c.cur, c.change, c.ci, c.p,
            bad ? "**" : "", bb_ci_verdict(r), bad ? "**" : "");
}

/* What broke, beyond the table: wrong renders first, then counters and instability. */
static void md_details(FILE *f, const bb_gate_report *rep)
{
    bool any = false;
    for (size_t i = 0; i < rep->n; i++) {
        const bb_gate_row *r = &rep->rows[i];
        if (!r->broken) continue;
        fprintf(f, "- `");
        md_cell(f, r->name);
        fprintf(f, "`: **");
        md_cell(f, r->headline);
        fprintf(f, "** (its counters, instructions and times are not compared)\n");
        any = true;
    }
    for (size_t i = 0; i < rep->n; i++) {
        const bb_gate_row *r = &rep->rows[i];
        for (int k = 0; k < r->nup; k++, any = true)
            fprintf(f, "- `%s`: counter **%s** %" PRIu64 " -> %" PRIu64 "%s\n", r->name, r->up[k].name, r->up[k].base,
                    r->up[k].cur, r->up[k].cur < r->up[k].base ? " (fewer: re-make the baseline if intended)" : "");
        if (r->unstable) fprintf(f, "- `%s`: deterministic counters varied between rounds\n", r->name), any = true;
    }
    if (any) fprintf(f, "\n");
}

void bb_ci_markdown(FILE *f, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep)
{
    char gates[512], summary[512];
    bb_ci_gates(base, rep, gates, sizeof gates);
    bb_ci_summary(rep, summary, sizeof summary);
    fprintf(f, "### busbench compare: %s\n\n", bb_gate_regressed(rep) ? "REGRESSION" : "no regression");
    fprintf(f, "BASE `%s` (commit `%s`, %s) against NEW `%s` (commit `%s`, %s).\n\n", base->path,
            bb_json_ctx_str(base->r.context, "git_commit"), bb_json_ctx_str(base->r.context, "date"), cur->path,
            bb_json_ctx_str(cur->r.context, "git_commit"), bb_json_ctx_str(cur->r.context, "date"));
    fprintf(f, "Gates: %s.\n\n**%s**\n\n", gates, summary);
    md_details(f, rep);
    fprintf(f, "| configuration | check | old | new | change | 95%% CI | p | verdict |\n"
               "|---|---|---:|---:|---:|---|---:|---|\n");
    for (size_t i = 0; i < rep->n; i++) md_row(f, &rep->rows[i]);
    if (rep->warnings[0]) {
        fprintf(f, "\n<details><summary>warnings</summary>\n\n");
        for (const char *s = rep->warnings; *s;) {
            size_t l = strcspn(s, "\n");
            fprintf(f, "- %.*s\n", (int)l, s);
            s += l + (s[l] == '\n');
        }
        fprintf(f, "\n</details>\n");
    }
}

/* ---- JUnit XML --------------------------------------------------------------------------------- */
static void xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&') fputs("&amp;", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&apos;", f);
        else if (c >= 0x20 || c == '\n' || c == '\t') fputc(c, f);
    }
}

/* Why a row failed, "; "-separated, on f. */
static void reasons(FILE *f, const bb_gate_row *r)
{
    const char *sep = "";
    if (r->broken) fprintf(f, "%s", r->headline), sep = "; ";
    if (r->verdict == BB_GATE_SLOWER)
        fprintf(f, "%s%s slower: %+.2f%% (threshold %g%%)", sep, check_name(r), r->change * 100, r->threshold_pct), sep = "; ";
    for (int k = 0; k < r->nup; k++, sep = "; ")
        fprintf(f, "%s%s %" PRIu64 " -> %" PRIu64, sep, r->up[k].name, r->up[k].base, r->up[k].cur);
    if (r->unstable) fprintf(f, "%scounters varied between rounds", sep);
    if (r->verdict == BB_GATE_DOWN) fprintf(f, " (fewer is no regression: re-make the baseline if intended)");
}

/* One <testcase> for row r. Returns 1 failed, 2 skipped, 0 passed. */
static int testcase(FILE *f, const bb_gate_row *r)
{
    bool config_skipped = r->metric == BB_GATE_METRIC_COUNTERS && r->verdict == BB_GATE_NOT_COMPARED;
    char wl[320];
    snprintf(wl, sizeof wl, "%s", r->name);
    wl[strcspn(wl, "/")] = '\0';
    fprintf(f, "    <testcase classname=\"busbench.");
    xml(f, wl);
    fprintf(f, "\" name=\"");
    xml(f, r->name);
    if (!config_skipped) fprintf(f, ": %s", check_name(r));
    fprintf(f, "\" time=\"0\">\n");
    int kind = bb_ci_row_failed(r) ? 1 : r->verdict == BB_GATE_NOT_COMPARED ? 2 : 0;
    if (kind == 1) {
        char *why = NULL;
        size_t wn = 0;
        FILE *w = open_memstream(&why, &wn);
        if (w) {
            reasons(w, r);
            fclose(w);
        }
        fprintf(f, "      <failure type=\"%s\" message=\"", bb_ci_row_regressed(r) ? "regression" : "changed");
        xml(f, why ? why : "regression");
        fprintf(f, "\"/>\n");
        free(why);
    } else if (kind == 2) {
        fprintf(f, "      <skipped message=\"not compared: ");
        xml(f, r->note);
        fprintf(f, "\"/>\n");
    }
    bb_ci_cells c;
    bb_ci_cells_of(r, &c);
    char line[768];
    if (r->metric == BB_GATE_METRIC_COUNTERS)
        snprintf(line, sizeof line, "counters: %s%s%.300s%s%s", bb_ci_verdict(r), r->broken ? "; NEW: " : "", r->headline,
                 r->note[0] ? "; " : "", r->note);
    else
        snprintf(line, sizeof line, "%s: %s -> %s, change %s %s, p %s: %s%s%s", bb_ci_metric_name(r), c.old, c.cur,
                 c.change, c.ci, c.p, bb_ci_verdict(r), r->note[0] ? "; " : "", r->note);
    fprintf(f, "      <system-out>");
    xml(f, line);
    fprintf(f, "</system-out>\n    </testcase>\n");
    return kind;
}

bb_result bb_ci_junit(const char *path, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep,
                      bb_error *err)
{
    char *cases = NULL, *doc = NULL;
    size_t cn = 0, dn = 0;
    FILE *c = open_memstream(&cases, &cn);
    if (!c) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    int n[3] = {0, 0, 0}; /* cases, failures, skipped */
    for (size_t i = 0; i < rep->n; i++) {
        int k = testcase(c, &rep->rows[i]);
        n[0]++;
        n[1] += k == 1;
        n[2] += k == 2;
    }
    fclose(c);
    FILE *f = open_memstream(&doc, &dn);
    if (!f) {
        free(cases);
        return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"busbench compare\" tests=\"%d\" "
               "failures=\"%d\" errors=\"0\" skipped=\"%d\">\n  <testsuite name=\"busbench compare\" tests=\"%d\" "
               "failures=\"%d\" errors=\"0\" skipped=\"%d\" timestamp=\"",
            n[0], n[1], n[2], n[0], n[1], n[2]);
    xml(f, bb_json_ctx_str(cur->r.context, "date"));
    fprintf(f, "\">\n    <properties>\n      <property name=\"base\" value=\"");
    xml(f, base->path);
    fprintf(f, "\"/>\n      <property name=\"new\" value=\"");
    xml(f, cur->path);
    fprintf(f, "\"/>\n      <property name=\"base_commit\" value=\"");
    xml(f, bb_json_ctx_str(base->r.context, "git_commit"));
    fprintf(f, "\"/>\n      <property name=\"new_commit\" value=\"");
    xml(f, bb_json_ctx_str(cur->r.context, "git_commit"));
    fprintf(f, "\"/>\n    </properties>\n%s  </testsuite>\n</testsuites>\n", cases ? cases : "");
    fclose(f);
    free(cases);
    bb_result r = bb_file_commit(path, doc, dn, err);
    free(doc);
    return r;
}
