#!/usr/bin/env python3
"""mutate.py - a small mutation tester for busbench (`make mutate`).

How strong is the test suite? Write plausible bugs into the sources and count how many the
tests catch. Each mutant changes one line of one file; it is built in a private copy of the
tree (the checkout is never written), then run through a fast subset of the tests with a time
limit. Outcomes:
  killed     a test failed (or the build's own checks did);
  timeout    the tests ran past the limit: a hang, counted as killed but shown apart;
  survived   every test passed: a blind spot, or an equivalent mutant;
  stillborn  the mutant does not compile (warnings are errors): not a mutant, not counted;
  equivalent it matches an entry of the equivalents file (a mutant shown, by hand, to be unable
             to change bits or counters): not counted.
Score = (killed + timeout) / (killed + timeout + survived).

Operators (each applied to one occurrence on one line, outside comments, strings and
preprocessor lines): relational flips (< <=, > >=, == !=), logical flips (&& ||),
boundary shifts (+ 1 -> + 2, - 1 -> dropped), loop bounds (i < n -> i < n - 1), swapped ternary
arms, dropped statements that call a listed function, dropped counter and reference-count
updates (x++, x--, x += y, x -= y), weakened atomics (seq_cst -> relaxed), constants
(true <-> false).

Mutants are enumerated in a fixed order over the files, then MUTANTS of them are sampled with
SEED. The test subset is `--tests` (shell commands, run in the copy in order; the first failure
kills). Results go to --json.
"""
import argparse
import fnmatch
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The files mutated: every strategy and the parts of the core that strategies rely on (keys,
# static analysis and identity, the render loop, voices and look-ahead).
DEFAULT_FILES = ["variants/*.c", "core/bb_render.c", "core/bb_voice.c", "core/bb_prog.c", "core/bb_inst.c"]

# A test is "CMD" (run for every mutant) or "GLOB::CMD" (run only for mutants of files matching
# GLOB): the pool's stress under ThreadSanitizer sees orderings no functional test can.
DEFAULT_TESTS = [
    "build/unit-tests --jobs 2 --filter 'strategies/!(same_bytes_as_serial*)'",
    "build/unit-tests --jobs 2 --filter '@(render|workers|ph)/*'",
    # verify's and bench's default strategies: every one of the registry but the canaries
    "build/busbench verify --golden golden --threads 2 --blocks 512 --pins none",
    # the gate's exact counters (heap allocations and bytes included) against the committed baseline:
    # one untimed round, so only the deterministic counters can fail it
    "build/busbench bench --workloads phonon,static,chords,dense,reload --threads 1,2 --pins compact --reps 1 "
    "--warmup 0 --quiet --out build/mutant-gate.json && build/busbench compare reports/baseline.json "
    "build/mutant-gate.json --metric time --quiet",
    "build/unit-tests --jobs 2 --filter 'faults/*'",
    "variants/bb_workers.c::make --no-print-directory BUILD=build/tsan SAN=-fsanitize=thread build/tsan/tsan_pool "
    "> /dev/null && TSAN_OPTIONS=halt_on_error=1 build/tsan/tsan_pool 2000",
]


def tests_for(tests, path):
    """The commands that apply to a mutant of path."""
    out = []
    for t in tests:
        if "::" in t.split(" ", 1)[0]:
            g, cmd = t.split("::", 1)
            if fnmatch.fnmatch(path, g):
                out.append(cmd)
        else:
            out.append(t)
    return out

# Statements dropped when they call one of these (reference counts, invalidation, hand-off).
DROP_CALLS = r"bb_drv_unref|bb_drv_cache_evict|bb_drv_cache_put|bb_drv_synth_uniq|pthread_cond_signal|" \
             r"pthread_cond_broadcast|atomic_store|atomic_fetch_add|atomic_fetch_sub|note_location|place_self|" \
             r"memset|bb_free|free_synths|bb_render_mix|bb_trig_\w+|bb_synth_take"

ATOMIC_WEAKEN = [
    (re.compile(r"\batomic_load\((&[^()]+)\)"), r"atomic_load_explicit(\1, memory_order_relaxed)"),
    (re.compile(r"\batomic_store\((&[^(),]+), ([^()]+)\)"), r"atomic_store_explicit(\1, \2, memory_order_relaxed)"),
    (re.compile(r"\batomic_fetch_(add|sub)\((&[^(),]+), ([^()]+)\)"),
     r"atomic_fetch_\1_explicit(\2, \3, memory_order_relaxed)"),
]

# (operator name, pattern, replacement) for one occurrence at a time
POINT_OPS = [
    ("rel", re.compile(r"(?<![<>=!-])<(?![<=])"), "<="),
    ("rel", re.compile(r"<=(?!=)"), "<"),
    ("rel", re.compile(r"(?<![<>=!-])>(?![>=])"), ">="),
    ("rel", re.compile(r"(?<!>)>=(?!=)"), ">"),
    ("rel", re.compile(r"=="), "!="),
    ("rel", re.compile(r"!="), "=="),
    ("logic", re.compile(r"&&"), "||"),
    ("logic", re.compile(r"\|\|"), "&&"),
    ("bound", re.compile(r" \+ 1\b"), " + 2"),
    ("bound", re.compile(r" - 1\b"), ""),
    ("const", re.compile(r"\btrue\b"), "false"),
    ("const", re.compile(r"\bfalse\b"), "true"),
]
LOOP_BOUND = re.compile(r"(for \([^;]*; *\w+ *<=? *)([\w\->.()]+)(;)")
TERNARY = re.compile(r"\? ([\w\->.\[\]]+) : ([\w\->.\[\]]+)")
COUNTER_STMT = re.compile(r"^(\s*)([\w\->.\[\]]+(\+\+|--| \+= [^;]+| -= [^;]+));\s*$")
DROP_STMT = re.compile(r"^(\s*)((?:\(void\))?(?:" + DROP_CALLS + r")\(.*\));\s*$")


def code_mask(lines):
    """For each line, the line with comments and string/char literals blanked (same length),
    or None for a preprocessor line."""
    out = []
    in_comment = False
    for line in lines:
        if not in_comment and line.lstrip().startswith("#"):
            out.append(None)
            continue
        buf = []
        i = 0
        n = len(line)
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    buf.append("  ")
                    i += 2
                else:
                    buf.append(" ")
                    i += 1
            elif line.startswith("/*", i):
                in_comment = True
                buf.append("  ")
                i += 2
            elif line.startswith("//", i):
                buf.append(" " * (n - i))
                break
            elif c in "\"'":
                q = c
                buf.append(" ")
                i += 1
                while i < n and line[i] != q:
                    if line[i] == "\\":
                        buf.append(" ")
                        i += 1
                    buf.append(" ")
                    i += 1
                buf.append(" ")
                i += 1
            else:
                buf.append(c)
                i += 1
        out.append("".join(buf)[:n])
    return out


def mutants_of(path, text):
    lines = text.split("\n")
    masks = code_mask(lines)
    found = []

    def add(i, op, new):
        if new != lines[i]:
            found.append({"file": path, "line": i + 1, "op": op, "old": lines[i], "new": new})

    for i, (line, m) in enumerate(zip(lines, masks)):
        if m is None or not m.strip():
            continue
        for op, pat, rep in POINT_OPS:
            for mt in pat.finditer(m):
                add(i, op, line[:mt.start()] + rep + line[mt.end():])
        for mt in LOOP_BOUND.finditer(m):
            for d in (" + 1", " - 1"):
                add(i, "loop", line[:mt.end(2)] + d + line[mt.end(2):])
        for mt in TERNARY.finditer(m):
            a, b = line[mt.start(1):mt.end(1)], line[mt.start(2):mt.end(2)]
            add(i, "swap", line[:mt.start()] + "? " + b + " : " + a + line[mt.end():])
        for pat, rep in ATOMIC_WEAKEN:
            for mt in pat.finditer(m):
                add(i, "atomic", line[:mt.start()] + pat.sub(rep, line[mt.start():mt.end()]) + line[mt.end():])
        if COUNTER_STMT.match(m) and not m.strip().startswith("for"):
            add(i, "count", COUNTER_STMT.match(m).group(1) + ";")
        if DROP_STMT.match(m):
            add(i, "drop", DROP_STMT.match(m).group(1) + ";")
    return found


def load_equivalents(path):
    eq = []
    if path and os.path.exists(path):
        with open(path) as f:
            for ln in f:
                if ln.strip() and not ln.startswith("#"):
                    parts = ln.rstrip("\n").split("\t")
                    if len(parts) >= 4:
                        eq.append({"file": parts[0], "old": parts[1].strip(), "new": parts[2].strip(), "why": parts[3]})
    return eq


CHILD = []  # the process group of the command running now, for cleanup on a signal


def run(cmd, cwd, limit, log):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, shell=True, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    CHILD[:] = [p.pid]
    try:
        rc = p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return "timeout", time.monotonic() - t0
    finally:
        CHILD.clear()
    return rc, time.monotonic() - t0


def on_signal(signum, frame):
    for pid in CHILD:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    raise SystemExit(128 + signum)


def copy_tree(src, dst):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=src,
                           check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        f = f.decode()
        s = os.path.join(src, f)
        if not os.path.isfile(s):
            continue
        d = os.path.join(dst, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", nargs="*", default=DEFAULT_FILES, help="globs of sources to mutate")
    ap.add_argument("--mutants", type=int, default=60, help="how many to sample (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tests", action="append", help="a test command (repeatable); default: a fast subset")
    ap.add_argument("--timeout", type=float, default=0, help="seconds per mutant's tests (0: 4x the clean run, at least 60)")
    ap.add_argument("--json", default="build/mutate.json")
    ap.add_argument("--equivalents", default="harness/scripts/mutate-equivalents.tsv")
    ap.add_argument("--explicit", help="a JSON list of {file, line, old, new} mutants to run instead of sampling")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants and stop")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--jobs", default="2", help="make -j")
    a = ap.parse_args()
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True,
                          text=True).stdout.strip()
    tests = a.tests or DEFAULT_TESTS

    import glob
    paths = sorted({p for g in a.files for p in glob.glob(os.path.join(root, g))})
    allm = []
    for p in paths:
        rel = os.path.relpath(p, root)
        with open(p) as f:
            allm.extend(mutants_of(rel, f.read()))
    if a.explicit:
        with open(a.explicit) as f:
            chosen = json.load(f)
    else:
        chosen = allm if a.mutants <= 0 or a.mutants >= len(allm) else random.Random(a.seed).sample(allm, a.mutants)
        chosen.sort(key=lambda m: (m["file"], m["line"], m["op"], m["new"]))
    print(f"mutate: {len(allm)} mutants possible in {len(paths)} files; running {len(chosen)} (seed {a.seed})")
    if a.list:
        for m in chosen:
            print(f"  {m['file']}:{m['line']} [{m['op']}] {m['old'].strip()}  =>  {m['new'].strip()}")
        return 0
    work = tempfile.mkdtemp(prefix="bbmutate-")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return mutate(a, root, tests, allm, chosen, paths, work)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"mutate: work folder {work}")


def mutate(a, root, tests, allm, chosen, paths, work):
    equivalents = load_equivalents(os.path.join(root, a.equivalents))
    src = os.path.join(work, "src")
    t_start = time.monotonic()
    copy_tree(root, src)
    # start from the checkout's objects (mtimes kept): only what differs is rebuilt
    if os.path.isdir(os.path.join(root, "build")):
        shutil.copytree(os.path.join(root, "build"), os.path.join(src, "build"), symlinks=True,
                        ignore=shutil.ignore_patterns("*.json", "*.csv", "*.wav", "fuzz", "asan", "ubsan", "*.log"))
    build = f"make -j{a.jobs} --no-print-directory build/busbench build/unit-tests > build/mutant-build.log 2>&1"
    os.makedirs(os.path.join(src, "build"), exist_ok=True)
    logpath = os.path.join(work, "clean.log")
    with open(logpath, "w") as log:
        rc, _ = run(build, src, 1800, log)
        if rc != 0:
            print(f"mutate: the unmutated tree does not build (see {work})", file=sys.stderr)
            return 2
        t0 = time.monotonic()
        for t in [t.split("::", 1)[-1] if "::" in t.split(" ", 1)[0] else t for t in tests]:
            rc, _ = run(t, src, 1800, log)
            if rc != 0:
                print(f"mutate: the unmutated tree fails `{t}` (see {logpath}): fix that first", file=sys.stderr)
                return 2
        clean = time.monotonic() - t0
    limit = a.timeout or max(60.0, 4 * clean)
    print(f"mutate: clean tests take {clean:.1f} s; limit per mutant {limit:.0f} s")

    results = []
    counts = {"killed": 0, "timeout": 0, "survived": 0, "stillborn": 0, "equivalent": 0}
    for n, m in enumerate(chosen, 1):
        fpath = os.path.join(src, m["file"])
        with open(fpath) as f:
            orig = f.read()
        lines = orig.split("\n")
        res = dict(m)
        if lines[m["line"] - 1] != m["old"]:
            res["status"] = "stillborn"
            res["why"] = "the line is not what the mutant expects (the source changed)"
        else:
            lines[m["line"] - 1] = m["new"]
            with open(fpath, "w") as f:
                f.write("\n".join(lines))
            mlog = os.path.join(work, f"mutant-{n:03d}.log")
            t0 = time.monotonic()
            with open(mlog, "w") as log:
                rc, _ = run(build, src, 1800, log)
                if rc != 0:
                    res["status"] = "stillborn"
                else:
                    res["status"] = "survived"
                    for t in tests_for(tests, m["file"]):
                        rc, _ = run(t, src, limit, log)
                        if rc == "timeout":
                            res["status"], res["killed_by"] = "timeout", t
                            break
                        if rc != 0:
                            res["status"], res["killed_by"] = "killed", t
                            break
            res["seconds"] = round(time.monotonic() - t0, 1)
            with open(fpath, "w") as f:
                f.write(orig)
            if res["status"] == "survived":
                for e in equivalents:
                    if e["file"] == m["file"] and e["old"] == m["old"].strip() and e["new"] == m["new"].strip():
                        res["status"], res["why"] = "equivalent", e["why"]
        counts[res["status"]] += 1
        results.append(res)
        print(f"[{n}/{len(chosen)}] {res['status']:10s} {m['file']}:{m['line']} [{m['op']}] "
              f"{m['new'].strip()[:90]}", flush=True)
    # leave the copy's build as the clean tree's
    with open(os.path.join(work, "final.log"), "w") as log:
        run(build, src, 1800, log)
    elapsed = time.monotonic() - t_start
    live = counts["killed"] + counts["timeout"] + counts["survived"]
    score = (counts["killed"] + counts["timeout"]) / live if live else 0.0
    print(f"mutate: {len(chosen)} mutants: {counts['killed']} killed, {counts['timeout']} timeouts (hangs, counted "
          f"killed), {counts['survived']} survived, {counts['equivalent']} equivalent (noted), "
          f"{counts['stillborn']} stillborn; score {100 * score:.1f}% of {live} in {elapsed / 60:.1f} min")
    for r in results:
        if r["status"] == "survived":
            print(f"  survived: {r['file']}:{r['line']} [{r['op']}] {r['old'].strip()}  =>  {r['new'].strip()}")
    out = {"seed": a.seed, "requested": a.mutants, "possible": len(allm), "files": [os.path.relpath(p, root) for p in paths],
           "tests": tests, "limit_s": limit, "clean_s": round(clean, 1), "elapsed_s": round(elapsed, 1),
           "counts": counts, "score": round(score, 4), "mutants": results}
    jpath = os.path.join(root, a.json)
    os.makedirs(os.path.dirname(jpath), exist_ok=True)
    with open(jpath + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
    os.replace(jpath + ".tmp", jpath)
    print(f"mutate: results in {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
