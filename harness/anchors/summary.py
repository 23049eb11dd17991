#!/usr/bin/env python3
"""summary.py - the table of `make bench-anchors`: each command's median (hyperfine's
JSON), its ratio to Csound's and to busbench serial's, and the spread (min-max).
Usage: summary.py HYPERFINE.json [NOTE]. Exit 2 when the JSON lacks a reference."""
import json
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: summary.py HYPERFINE.json [NOTE]")
    try:
        res = json.load(open(sys.argv[1]))["results"]
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("summary.py: %s: %s\n" % (sys.argv[1], e))
        sys.exit(2)
    med = {r["command"]: r["median"] for r in res}
    for ref in ("csound", "busbench-serial"):
        if not med.get(ref):
            sys.stderr.write("summary.py: %s: no '%s' result\n" % (sys.argv[1], ref))
            sys.exit(2)
    print("\n%-16s %10s %12s %12s %10s %10s %5s" % ("engine", "median ms", "x Csound", "x serial",
                                                     "min ms", "max ms", "runs"))
    for r in res:
        m = r["median"]
        print("%-16s %10.1f %12.2f %12.2f %10.1f %10.1f %5d" % (
            r["command"], m * 1e3, m / med["csound"], m / med["busbench-serial"],
            r["min"] * 1e3, r["max"] * 1e3, len(r.get("times", []))))
    if len(sys.argv) > 2:
        print("(" + " ".join(sys.argv[2:]) + ")")


if __name__ == "__main__":
    main()
