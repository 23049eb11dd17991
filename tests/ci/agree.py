#!/usr/bin/python3
"""agree.py - the three outputs of one `busbench compare` say the same thing.

    tests/ci/agree.py TABLE.txt SUMMARY.md JUNIT.xml

TABLE.txt is compare's plain output (without --quiet), SUMMARY.md its --markdown output and
JUNIT.xml its --junit file, all of one comparison. Checks, on the whole of each:
 - the table: every row's verdict is one the gate gives; a row under which a counter that went up
   is listed ("NAME a -> b (+d)") says REGRESSION, one with only counters that went down says
   CHANGED, a row that says "same" lists nothing that moved;
 - the summary line equals the one counted from the table's rows (configurations compared and not,
   each check's verdicts, and the outcome: REGRESSION when a row says so, else CHANGED, else ok);
 - the Markdown has the same rows, in the same order, with the same verdicts, and the same summary;
 - the JUnit has one test case per row, in the same order ("NAME: counters|instructions|time",
   or NAME for a configuration that could not be compared), failed exactly where the row says
   REGRESSION or CHANGED, skipped exactly where it says "not compared", and totals that count them.
Prints "agree: N rows" and exits 0, or the first disagreement on stderr and exits 1."""
import re
import sys
import xml.etree.ElementTree as ET

VERDICT = (r"(same|faster|slower|inconclusive|not compared|"
           r"REGRESSION \((?:slower|up|varied|wrong render)\)|CHANGED \(down\))")
ROW = re.compile(r"^(\S+)\s+(counters|instr|time)\s+(?:not compared: .*|.*?\s" + VERDICT + r")$")
CHECK = {"counters": "counters", "instr": "instructions", "time": "time"}


def fail(msg):
    sys.stderr.write("agree.py: %s\n" % msg)
    sys.exit(1)


def base_verdict(v):
    m = re.fullmatch(r"(?:REGRESSION|CHANGED) \((.*)\)", v)
    return m.group(1) if m else v


def table(path):
    """The rows (name, check, verdict, details) and the summary line of compare's plain output."""
    lines = open(path).read().split("\n")
    try:
        i = next(i for i, l in enumerate(lines) if l.startswith("configuration ")) + 1
    except StopIteration:
        fail("%s: no table header" % path)
    rows = []
    while i < len(lines) and lines[i].strip():  # the table ends at the first blank line
        l = lines[i]
        i += 1
        if l.startswith("    ") and rows:
            rows[-1][3].append(l.strip())
            continue
        m = ROW.match(l)
        if not m:
            fail("%s: a table line without a verdict the gate gives: %r" % (path, l))
        rows.append([m.group(1), m.group(2), m.group(3) or "not compared", []])
    summary = next((l for l in lines[i:] if re.match(r"^\d+ configurations? compared", l)), None)
    if summary is None:
        fail("%s: no summary line" % path)
    return [(r[0], r[1], r[2], tuple(r[3])) for r in rows], summary


def check_rows(rows):
    for name, check, verdict, details in rows:
        up = [d for d in details if re.search(r" -> \d+ \(\+\d+\)$", d)]
        down = [d for d in details if re.search(r" -> \d+ \(-\d+\):", d)]
        if up and not verdict.startswith("REGRESSION"):
            fail("%s %s lists counters that went up (%s) but says %r" % (name, check, up[0], verdict))
        if down and not up and verdict != "CHANGED (down)":
            fail("%s %s lists counters that went down (%s) but says %r" % (name, check, down[0], verdict))
        if verdict == "same" and (up or down):
            fail("%s %s says same but lists %s" % (name, check, (up or down)[0]))


def summary_of(rows):
    """The summary line as counted from the rows (bb_ci_summary's format)."""
    names = {}
    for name, check, verdict, _ in rows:
        if check == "counters":
            names[name] = verdict != "not compared"
    compared, skipped = sum(names.values()), sum(not v for v in names.values())
    order = ["same", "faster", "slower", "not compared", "inconclusive", "up", "down", "varied", "wrong render"]
    s = "%d configuration%s compared" % (compared, "" if compared == 1 else "s")
    if skipped:
        s += ", %d not compared" % skipped
    parts = []
    for check, label in (("counters", "counters"), ("instr", "instructions"), ("time", "time")):
        counts = {}
        for name, c, verdict, _ in rows:
            if c == check and not (c == "counters" and verdict == "not compared"):
                v = base_verdict(verdict)
                counts[v] = counts.get(v, 0) + 1
        if counts:
            parts.append(label + " " + ", ".join("%d %s" % (counts[v], v) for v in order if v in counts))
    if parts:
        s += ": " + "; ".join(parts)
    verdicts = [r[2] for r in rows]
    outcome = ("REGRESSION" if any(v.startswith("REGRESSION") for v in verdicts)
               else "CHANGED (re-make the baseline)" if any(v.startswith("CHANGED") for v in verdicts) else "ok")
    return s + " -> " + outcome


def markdown(path):
    rows, summary = [], None
    for l in open(path).read().split("\n"):
        m = re.match(r"^\| `(.*)` \| (\w+) \|.*\| (?:\*\*)?([^|*]+?)(?:\*\*)? \|$", l)
        if m:
            rows.append((m.group(1).replace("\\|", "|"), m.group(2), m.group(3)))
        m = re.match(r"^\*\*(\d+ configurations? compared.*)\*\*$", l)
        if m:
            summary = m.group(1)
    return rows, summary


def junit(path, rows):
    root = ET.parse(path).getroot()
    cases = root.findall(".//testcase")
    if len(cases) != len(rows):
        fail("%s: %d test cases for %d table rows (every check that ran is a case)" % (path, len(cases), len(rows)))
    nfail = nskip = 0
    for case, (name, check, verdict, _) in zip(cases, rows):
        want = name if (check == "counters" and verdict == "not compared") else "%s: %s" % (name, CHECK[check])
        if case.get("name") != want:
            fail("%s: case %r where the table has %r" % (path, case.get("name"), want))
        failed, skipped = case.find("failure") is not None, case.find("skipped") is not None
        if failed != (verdict.startswith("REGRESSION") or verdict.startswith("CHANGED")):
            fail("%s: case %r %s, the table says %r" % (path, want, "failed" if failed else "did not fail", verdict))
        if skipped != (verdict == "not compared"):
            fail("%s: case %r %s, the table says %r" % (path, want, "skipped" if skipped else "not skipped", verdict))
        nfail += failed
        nskip += skipped
    for e in [root] + root.findall("testsuite"):
        got = (e.get("tests"), e.get("failures"), e.get("errors"), e.get("skipped"))
        if got != (str(len(cases)), str(nfail), "0", str(nskip)):
            fail("%s: <%s> says tests, failures, errors, skipped = %s; the cases hold %d, %d, 0, %d"
                 % (path, e.tag, got, len(cases), nfail, nskip))


def main():
    if len(sys.argv) != 4:
        fail("usage: agree.py TABLE.txt SUMMARY.md JUNIT.xml")
    rows, summary = table(sys.argv[1])
    if not rows:
        fail("%s: no rows" % sys.argv[1])
    check_rows(rows)
    want = summary_of(rows)
    if summary != want:
        fail("the summary line says\n  %s\nthe table's rows count\n  %s" % (summary, want))
    md_rows, md_summary = markdown(sys.argv[2])
    if md_rows != [r[:3] for r in rows]:
        fail("the Markdown's rows differ from the table's:\n  %s\n  %s" % (md_rows, [r[:3] for r in rows]))
    if md_summary != summary:
        fail("the Markdown's summary %r differs from the table's %r" % (md_summary, summary))
    junit(sys.argv[3], rows)
    print("agree: %d rows" % len(rows))


main()
