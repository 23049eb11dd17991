#!/usr/bin/env python3
"""funclen.py FILE... - the longest functions of C files, longest first.

A function is a body from a '{' at column 0 to the next '}' at column 0 (the house style), counted
from the first line of its header. Prints "LINES NAME FILE:LINE" for the TOP longest (TOP=25 in the
environment) and a last line with the count of functions and of those over 100 lines, e.g.

    harness/scripts/funclen.py harness/*.c
"""
import os
import re
import sys


def functions(path):
    lines = open(path, errors="replace").read().split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("{"):
            continue
        j = i - 1 if line.strip() == "{" else i
        while j > 0 and not re.match(r"^[A-Za-z_]", lines[j]):
            j -= 1
        m = re.search(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(", " ".join(lines[j:i + 1]))
        if not m:
            continue
        k = i
        while k < len(lines) and not lines[k].startswith("}"):
            k += 1
        yield k - j + 1, m.group(1), f"{path}:{j + 1}"


def main():
    rows = sorted((r for p in sys.argv[1:] for r in functions(p)), reverse=True)
    for n, name, where in rows[:int(os.environ.get("TOP", "25"))]:
        print(f"{n:5d} {name} {where}")
    print(f"functions: {len(rows)}, over 100 lines: {sum(1 for r in rows if r[0] > 100)}")


if __name__ == "__main__":
    main()
