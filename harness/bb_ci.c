/* bb_ci.c - the gate's verdicts as Markdown and as JUnit XML.
 *
 * What it is: the writers behind `busbench compare --markdown` and
 * `--junit FILE`, and the cells of a row that the plain table prints too.
 *
 * Invariants: Markdown is GitHub-flavoured (tables), every '|' inside a cell
 * escaped; the XML is well formed whatever the names hold (& < > " ' escaped,
 * control characters dropped) and follows the JUnit schema that CI systems
 * read: <testsuites> with one <testsuite> ("busbench compare"), one
 * <testcase> per configuration (classname busbench.WORKLOAD, name the
 * configuration), a <failure> per regressed configuration with every reason,
 * <skipped> for configurations that could not be compared, the numbers in
 * <system-out>. The JUnit file is written atomically (bb_file_commit).
 *
 * Units: as the gate's table: ms, millions of instructions, percent. */
#include "bb_ci.h"

#include "bb_file.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *bb_ci_metric_name(const bb_gate_row *r) { return r->metric == BB_GATE_METRIC_TIME ? "time" : "instr"; }

bool bb_ci_row_regressed(const bb_gate_row *r)
{
    return r->verdict == BB_GATE_SLOWER || r->nup || r->unstable || r->broken;
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
    if (isfinite(r->ci_lo) && isfinite(r->ci_hi)) snprintf(c->ci, sizeof c->ci, "[%+.1f%%, %+.1f%%]", r->ci_lo * 100, r->ci_hi * 100);
    else snprintf(c->ci, sizeof c->ci, r->metric == BB_GATE_METRIC_INSTR && isfinite(r->change) ? "exact" : "-");
    if (isfinite(r->p)) snprintf(c->p, sizeof c->p, "%.4f", r->p);
    else snprintf(c->p, sizeof c->p, "-");
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
    bool bad = bb_ci_row_regressed(r);
    fprintf(f, "| `");
    md_cell(f, r->name);
    fprintf(f, "` | %s | %s | %s | %s | %s | %s | %s%s%s |\n", bb_ci_metric_name(r), c.old, c.cur, c.change, c.ci, c.p,
            bad ? "**" : "", bad ? "REGRESSION" : bb_gate_verdict_name(r->verdict), bad ? "**" : "");
}

/* What regressed beyond the table: counters, instability, wrong renders, notes. */
static void md_details(FILE *f, const bb_gate_report *rep)
{
    bool any = false;
    for (size_t i = 0; i < rep->n; i++) {
        const bb_gate_row *r = &rep->rows[i];
        if (r->broken) {
            fprintf(f, "- `");
            md_cell(f, r->name);
            fprintf(f, "`: **");
            md_cell(f, r->headline);
            fprintf(f, "** (its counters are not compared)\n");
            any = true;
        }
        for (int k = 0; k < r->nup; k++, any = true)
            fprintf(f, "- `%s`: counter **%s** %" PRIu64 " -> %" PRIu64 "\n", r->name, r->up[k].name, r->up[k].base, r->up[k].cur);
        if (r->unstable) fprintf(f, "- `%s`: deterministic counters varied between rounds\n", r->name), any = true;
    }
    if (any) fprintf(f, "\n");
}

void bb_ci_markdown(FILE *f, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep)
{
    bool bad = bb_gate_regressed(rep);
    fprintf(f, "### busbench compare: %s\n\n", bad ? "REGRESSION" : "no regression");
    fprintf(f, "BASE `%s` (commit `%s`, %s) against NEW `%s` (commit `%s`, %s).\n\n", base->path,
            bb_json_ctx_str(base->r.context, "git_commit"), bb_json_ctx_str(base->r.context, "date"), cur->path,
            bb_json_ctx_str(cur->r.context, "git_commit"), bb_json_ctx_str(cur->r.context, "date"));
    fprintf(f, "Gates: deterministic counters exact");
    if (rep->metrics & BB_GATE_METRIC_INSTR) fprintf(f, "; instructions within %g%%", rep->instr_threshold_pct);
    if ((rep->metrics & BB_GATE_METRIC_TIME) && !base->floor.present)
        fprintf(f, "; times: inconclusive (BASE records no noise floor: `busbench calibrate --record BASE`)");
    else if (rep->metrics & BB_GATE_METRIC_TIME)
        fprintf(f, "; times: Mann-Whitney U p < %g and a change beyond %s%g%%", rep->alpha,
                rep->threshold_asked ? "" : "each configuration's noise floor, at least ", rep->threshold_pct);
    fprintf(f, ".\n\n**%d configuration%s compared**: %d slower, %d faster, %d same, %d inconclusive, %d not compared; "
               "%d with counters that went up%s%s.\n\n",
            rep->compared, rep->compared == 1 ? "" : "s", rep->slower, rep->faster, rep->same, rep->inconclusive,
            rep->not_compared,
            rep->counter_regressions, rep->unstable ? ", unstable counters" : "", rep->broken ? ", wrong renders" : "");
    md_details(f, rep);
    fprintf(f, "| configuration | metric | old | new | change | 95%% CI | p | verdict |\n"
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

/* Why the rows of one configuration [a, b) regressed, "; "-separated, on f. */
static void reasons(FILE *f, const bb_gate_report *rep, size_t a, size_t b)
{
    const char *sep = "";
    for (size_t i = a; i < b; i++) {
        const bb_gate_row *r = &rep->rows[i];
        if (r->broken) fprintf(f, "%s%s", sep, r->headline), sep = "; ";
        if (r->verdict == BB_GATE_SLOWER) fprintf(f, "%s%s slower: %+.2f%%", sep, bb_ci_metric_name(r), r->change * 100), sep = "; ";
        for (int k = 0; k < r->nup; k++, sep = "; ")
            fprintf(f, "%s%s %" PRIu64 " -> %" PRIu64, sep, r->up[k].name, r->up[k].base, r->up[k].cur);
        if (r->unstable) fprintf(f, "%scounters varied between rounds", sep), sep = "; ";
    }
}

/* One <testcase> for the rows [a, b) of one configuration. Returns 1 failed, 2 skipped, 0 passed. */
static int testcase(FILE *f, const bb_gate_report *rep, size_t a, size_t b)
{
    const bb_gate_row *r0 = &rep->rows[a];
    bool bad = false, compared = false;
    for (size_t i = a; i < b; i++) {
        bad |= bb_ci_row_regressed(&rep->rows[i]);
        compared |= rep->rows[i].verdict != BB_GATE_NOT_COMPARED;
    }
    char wl[320];
    snprintf(wl, sizeof wl, "%s", r0->name);
    wl[strcspn(wl, "/")] = '\0';
    fprintf(f, "    <testcase classname=\"busbench.");
    xml(f, wl);
    fprintf(f, "\" name=\"");
    xml(f, r0->name);
    fprintf(f, "\" time=\"0\">\n");
    if (bad) {
        char *why = NULL;
        size_t wn = 0;
        FILE *w = open_memstream(&why, &wn);
        if (w) {
            reasons(w, rep, a, b);
            fclose(w);
        }
        fprintf(f, "      <failure type=\"regression\" message=\"");
        xml(f, why ? why : "regression");
        fprintf(f, "\"/>\n");
        free(why);
    } else if (!compared) {
        fprintf(f, "      <skipped message=\"not compared: ");
        xml(f, r0->note);
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "      <system-out>");
    for (size_t i = a; i < b; i++) {
        bb_ci_cells c;
        bb_ci_cells_of(&rep->rows[i], &c);
        char line[512];
        snprintf(line, sizeof line, "%s: %s -> %s, change %s %s, p %s: %s%s%s\n", bb_ci_metric_name(&rep->rows[i]), c.old,
                 c.cur, c.change, c.ci, c.p, bb_gate_verdict_name(rep->rows[i].verdict), rep->rows[i].note[0] ? "; " : "",
                 rep->rows[i].note);
        xml(f, line);
    }
    fprintf(f, "</system-out>\n    </testcase>\n");
    return bad ? 1 : compared ? 0 : 2;
}

/* The test cases (rows of one configuration are consecutive); counts into n[3]: cases, failures, skipped. */
static void testcases(FILE *f, const bb_gate_report *rep, int *n)
{
    for (size_t a = 0; a < rep->n;) {
        size_t b = a + 1;
        while (b < rep->n && !strcmp(rep->rows[b].name, rep->rows[a].name)) b++;
        int k = testcase(f, rep, a, b);
        n[0]++;
        n[1] += k == 1;
        n[2] += k == 2;
        a = b;
    }
}

bb_result bb_ci_junit(const char *path, const bb_gate_file *base, const bb_gate_file *cur, const bb_gate_report *rep,
                      bb_error *err)
{
    char *cases = NULL, *doc = NULL;
    size_t cn = 0, dn = 0;
    FILE *c = open_memstream(&cases, &cn);
    if (!c) return bb_error_set(err, BB_ERR_NOMEM, path, 0, 0, "no memory");
    int n[3] = {0, 0, 0};
    testcases(c, rep, n);
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
