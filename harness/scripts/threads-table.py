#!/usr/bin/env python3
"""threads-table.py BENCH.json - 2 threads against 1, and each strategy at 1 thread against serial at 1,
from one busbench bench run (--threads 1,2): medians of the rounds' wall times (ms) and an
order-statistics interval of each median (at least 95%), e.g.
    busbench bench --threads 1,2 --reps 10 --out t.json && harness/scripts/threads-table.py t.json
'slower' when the intervals do not overlap in the slower direction."""
import json
import math
import sys

d = json.load(open(sys.argv[1]))
times = {}
for r in d["benchmarks"]:
    if r.get("run_type") != "iteration":
        continue
    times.setdefault((r["workload"], r["strategy"], r["threads"]), []).append(r["real_time"])


def median_interval(v):
    """The median of sorted v and the widest order-statistics interval x(j)..x(n+1-j) that holds
    the median with at least 95% (binomial, distribution-free; n = 10: x(2)..x(9), 97.9%)."""
    n = len(v)
    j, tail = 1, 0.0  # tail: P(Binomial(n, 1/2) <= j - 1)
    while j < (n + 1) // 2:
        nxt = tail + math.comb(n, j) / 2 ** n  # P(X <= j)
        if nxt > 0.025:
            break
        tail, j = nxt, j + 1
    return (v[(n - 1) // 2] + v[n // 2]) / 2, v[j - 1], v[n - j]


rows = {}
for k, v in times.items():
    rows[k] = median_interval(sorted(v))
wl = sorted({k[0] for k in rows})
st = []
for k in rows:
    if k[1] not in st:
        st.append(k[1])
slow2 = slow1 = 0
print("| workload | strategy | 1T ms [95%] | 2T ms [95%] | 2T/1T | 2T slower | 1T vs serial 1T |")
print("|---|---|---|---|---|---|---|")
for w in wl:
    ser = rows.get((w, "serial", 1))
    for s in st:
        a, b = rows.get((w, s, 1)), rows.get((w, s, 2))
        if not a or not b:
            continue
        s2 = b[1] > a[2]
        s1 = ser and s != "serial" and a[1] > ser[2]
        slow2 += s2
        slow1 += bool(s1)
        vs = "" if s == "serial" or not ser else f"{a[0] / ser[0]:.2f}{' SLOWER' if s1 else ''}"
        print(f"| {w} | {s} | {a[0]:.2f} [{a[1]:.2f}, {a[2]:.2f}] | {b[0]:.2f} [{b[1]:.2f}, {b[2]:.2f}] | "
              f"{a[0] / b[0]:.2f}x | {'YES' if s2 else ''} | {vs} |")
n = sum(1 for w in wl for s in st if (w, s, 1) in rows and (w, s, 2) in rows)
print(f"\n{slow2} of {n} configurations slower at 2 threads than at 1 beyond the intervals; "
      f"{slow1} phases slower at 1 thread than serial beyond them")
print("context: load", d.get("context", {}).get("load_avg", d.get("context", {}).get("load")))
