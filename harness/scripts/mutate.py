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

Mutants are enumerated in a fixed order over the files (--set default or newer, or --files with
optional line ranges PATH:FROM-TO), then MUTANTS of them are sampled with SEED. The test subset is
`--tests` (shell commands, run in the copy in order; the first failure kills; GLOBS::CMD runs only
for mutants of the files GLOBS match). Results go to --json.

Timeouts: each build and test command runs in a session of its own under a reaper (this script,
--reap), a child subreaper: every process the command starts stays below it, even one that starts
a session or process group of its own (Criterion's workers do, so a process-group kill misses them:
that left hung suites running after the last campaign). Past the limit the reaper kills them all;
it does the same on its own deadline a little later, and when this script dies (the parent-death
signal), so that no hung suite outlives a campaign. The campaign checks this before it starts
(check_kill: a command that leaves sleepers in the background, one in its own session, killed at
1 s, must leave nothing).
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

# The files mutated, by set (--set). "default": every strategy and the parts of the core that
# strategies rely on (keys, static analysis and identity, the render loop, voices and look-ahead),
# and the code added after this script was first written. "newer": that code alone, as line ranges
# where it is part of an older file (PATH@START@END: from the line that holds START to the next that
# holds END, so that the ranges follow the code as it moves): the lanes (variants/lanes.c, the lane kernel of
# core/bb_inst.c and core/bb_kernel.h, the run bitmaps of core/bb_dsp.h), the pipelined render
# (core/bb_render.c), the reverb bank (core/bb_fx.c), the fixed-point phase (core/bb_osc.c), and
# the harness's shard, merge, history, capacity and JUnit.
NEWER_HARNESS = ["harness/bb_shard.c", "harness/bb_cmd_merge.c", "harness/bb_cmd_history.c", "harness/bb_cmd_capacity.c",
                 "harness/bb_ci.c"]
FILE_SETS = {
    "default": ["variants/*.c", "core/bb_render.c", "core/bb_voice.c", "core/bb_prog.c", "core/bb_inst.c",
                "core/bb_kernel.h", "core/bb_dsp.h", "core/bb_fx.c", "core/bb_osc.c"] + NEWER_HARNESS,
    "newer": ["variants/lanes.c", "core/bb_inst.c@---- lanes@bb_synth_counters bb_synth_counts(", "core/bb_kernel.h",
              "core/bb_dsp.h@typedef struct bb_runs@---- oscillators", "core/bb_render.c@static double mono_ns(@void bb_render_close(",
              "core/bb_fx.c@---- reverb@", "core/bb_osc.c"] + NEWER_HARNESS,
}

# A test is "CMD" (run for every mutant) or "GLOBS::CMD" (run only for mutants of files matching one
# of GLOBS, comma-separated): the pool's stress under ThreadSanitizer sees orderings no functional
# test can; the engine's checks are wasted on a mutant of the harness, and the reverse.
ENGINE = "core/*,variants/*"
DEFAULT_TESTS = [
    ENGINE + "::build/unit-tests --jobs 2 --filter 'strategies/!(same_bytes_as_serial*)'",
    # the units' own suite (dsp: oscillators, biquads, delay and reverb against their formulas, their
    # argument checks) as well as the renders that use them
    ENGINE + "::build/unit-tests --jobs 2 --filter '@(render|workers|ph|dsp)/*'",
    # verify's default strategies: every one of the registry but the canaries (lanes included); and
    # the composition that forms lane groups a cycle wide
    ENGINE + "::build/busbench verify --golden golden --threads 2 --blocks 512 --pins none",
    ENGINE + "::build/busbench verify --golden golden --strategies cycle+lanes --threads 2 --blocks 512 --pins none",
    # generated programs (tests/difftest): every strategy and composition, lanes included, against serial,
    # and the counters the program implies
    ENGINE + "::build/unit-tests --jobs 2 --filter 'difftest/*'",
    # the gate's exact counters (heap allocations and bytes included) against the unmutated tree's, run
    # the same way (the clean run writes them first): one untimed round without warm-up, so only the
    # deterministic counters can fail it. Not against reports/baseline.json: made with warm-up rounds,
    # its allocation counters differ from a cold single round's (phonon/static, reload/all at 1 thread)
    ENGINE + "::build/busbench bench --workloads phonon,static,chords,dense,reload --threads 1,2 --pins compact --reps 1 "
    "--warmup 0 --quiet --out build/mutant-gate.json && { test -e build/mutant-gate-clean.json || "
    "cp build/mutant-gate.json build/mutant-gate-clean.json; } && build/busbench compare build/mutant-gate-clean.json "
    "build/mutant-gate.json --metric time --quiet",
    ENGINE + "::build/unit-tests --jobs 2 --filter 'faults/*'",
    # memory errors that change no output (a read or write past a buffer's end): the lane and
    # unit suites under AddressSanitizer, as make test's asan-quick runs them, with heap bytes never
    # written filled (mk/sanitizers.mk's SAN_FILL), so that a read of one past a list's live part
    # shows (the reload tail's test) (last: the ASan build is the dearest step, and only a mutant
    # every other command passed gets there)
    ENGINE + "::make --no-print-directory asan-quick ASAN_QUICK_TESTS='@(strategies/lane*|dsp/*|render/a_reload_tail*)'",
    "variants/bb_workers.c::make --no-print-directory BUILD=build/tsan SAN=-fsanitize=thread build/tsan/tsan_pool "
    "> /dev/null && TSAN_OPTIONS=halt_on_error=1 build/tsan/tsan_pool 2000",
    "harness/*::build/unit-tests --jobs 2 --filter '@(shard|merge|history|capacity|ci|compare|bench)/*'",
]


def tests_for(tests, path):
    """The commands that apply to a mutant of path."""
    out = []
    for t in tests:
        if "::" in t.split(" ", 1)[0]:
            g, cmd = t.split("::", 1)
            if any(fnmatch.fnmatch(path, x) for x in g.split(",")):
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


CHILD = []  # the reaper of the command running now, for cleanup on a signal
GRACE_S = 15  # the reaper's own deadline comes this long after the script's limit
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36


def prctl(option, value):
    import ctypes
    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


def descendants(root):
    """The live processes under root (by parent links in /proc), zombies left out."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if rest[0] != "Z":
            kids.setdefault(int(rest[1]), []).append(int(d))
    out, todo = [], [root]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill_tree():
    """Kill every process under this one, until none is left (a process that forks meanwhile is
    found on the next pass: as a subreaper this process inherits every orphan), and reap them."""
    for _ in range(200):
        left = descendants(os.getpid())
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(0.01)


def reap_main(limit, argv):
    """`mutate.py --reap LIMIT -- CMD...`: run CMD as a child subreaper, so that every process it
    starts stays below this one whatever it does (Criterion's workers start sessions of their own,
    out of reach of a process-group kill); when CMD ends, at LIMIT seconds, or on SIGTERM (also sent
    when the campaign dies: the parent-death signal), kill all of them. Exit: CMD's status, 124 past
    LIMIT, 143 on SIGTERM."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)

    class Stop(Exception):
        pass

    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    p = subprocess.Popen(argv)
    try:
        rc = p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        rc = 124
    except Stop:
        rc = 143
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    kill_tree()
    return rc


def run(cmd, cwd, limit, log):
    """Run cmd (a shell command) under a reaper (reap_main) in a session of its own; past limit seconds
    the reaper kills it with every process it started, wherever they went (other sessions and process
    groups included); the reaper's own deadline is GRACE_S later, and it does the same if this script
    dies. Returns (exit status or "timeout", seconds)."""
    t0 = time.monotonic()
    argv = [sys.executable, os.path.abspath(__file__), "--reap", str(int(limit) + GRACE_S), "--", "sh", "-c", cmd]

    def detach():
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    p = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=detach)
    CHILD[:] = [p]
    try:
        rc = p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        stop_reaper(p)
        return "timeout", time.monotonic() - t0
    finally:
        CHILD.clear()
    return ("timeout" if rc == 124 else rc), time.monotonic() - t0


def stop_reaper(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def marked(tag):
    """Processes whose command line holds tag."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    if tag.encode() in f.read():
                        out.append(d)
            except OSError:
                pass
    return out


def check_kill(work):
    """A hung command is killed with every process it started: a shell that starts sleepers in the
    background, one from a subshell (an orphan), one in a session of its own (as Criterion's workers
    are), and waits; at the 1 s limit it is stopped and none of the sleepers may be left. Returns an
    error message, or None."""
    tag = "%d.%06d" % (600 + os.getpid() % 1000, os.getpid())  # sleep's argument, unique to this run
    with open(os.path.join(work, "killcheck.log"), "w") as log:
        rc, took = run(f"sleep {tag} & (sleep {tag} &) ; setsid sleep {tag} & wait", work, 1, log)
    left = marked(tag)
    for pid in left:
        os.kill(int(pid), signal.SIGKILL)
    if rc != "timeout" or took > 40:
        return f"a hung command was not stopped at its limit (status {rc}, {took:.1f} s)"
    if left:
        return f"processes of a timed-out command survived: {' '.join(left)}"
    return None


def on_signal(signum, frame):
    for p in CHILD:
        stop_reaper(p)
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
    if len(sys.argv) > 3 and sys.argv[1] == "--reap" and sys.argv[3] == "--":
        return reap_main(float(sys.argv[2]), sys.argv[4:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", nargs="*", help="globs of sources to mutate, each optionally PATH:FROM-TO (lines) or "
                    "PATH@START@END (from the first line holding START to the next holding END; END empty: the end "
                    "of the file); default: the --set")
    ap.add_argument("--set", choices=sorted(FILE_SETS), default="default", help="the files mutated when --files is not given")
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
    ranges = {}  # path -> (from, to) lines, or absent: the whole file
    for g in a.files or FILE_SETS[a.set]:
        pat, rng = g, None
        m = re.fullmatch(r"(.*):(\d+)-(\d+)", g)
        if m:
            pat, rng = m.group(1), (int(m.group(2)), int(m.group(3)))
        elif "@" in g:
            pat, start, end = g.split("@", 2)
            rng = (start, end)
        for p in glob.glob(os.path.join(root, pat)):
            if rng and isinstance(rng[0], str):
                with open(p) as f:
                    lines = f.read().split("\n")
                first = next((i + 1 for i, ln in enumerate(lines) if rng[0] in ln), None)
                if first is None:
                    sys.exit(f"mutate: {pat}: no line holds '{rng[0]}' (the start of a range of --files)")
                last = next((i + 1 for i, ln in enumerate(lines) if i + 1 > first and rng[1] and rng[1] in ln), len(lines))
                ranges[p] = (first, last)
            elif rng or p not in ranges:
                ranges[p] = rng
    paths = sorted(ranges)
    allm = []
    for p in paths:
        rel = os.path.relpath(p, root)
        with open(p) as f:
            found = mutants_of(rel, f.read())
        r = ranges[p]
        allm.extend(m for m in found if not r or r[0] <= m["line"] <= r[1])
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
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        return mutate(a, root, tests, allm, chosen, paths, ranges, work)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"mutate: work folder {work}")


def find_line(lines, m):
    """The 1-based line that holds the mutant's original text: its own line, or, where the file
    has moved since the mutant was written (a list kept in a file), the nearest line that holds
    exactly that text; None when none does."""
    want = m["line"] - 1
    if 0 <= want < len(lines) and lines[want] == m["old"]:
        return m["line"]
    hits = [i for i, line in enumerate(lines) if line == m["old"]]
    return min(hits, key=lambda i: abs(i - want)) + 1 if hits else None


def mutate(a, root, tests, allm, chosen, paths, ranges, work):
    equivalents = load_equivalents(os.path.join(root, a.equivalents))
    why = check_kill(work)
    if why:
        print(f"mutate: {why}", file=sys.stderr)
        return 2
    print("mutate: a hung command is killed at its limit with every process it started (checked)")
    src = os.path.join(work, "src")
    t_start = time.monotonic()
    copy_tree(root, src)
    # start from the checkout's objects (mtimes kept), build/asan's too (the engine's last test): only
    # what differs is rebuilt
    if os.path.isdir(os.path.join(root, "build")):
        shutil.copytree(os.path.join(root, "build"), os.path.join(src, "build"), symlinks=True,
                        ignore=shutil.ignore_patterns("*.json", "*.csv", "*.wav", "fuzz", "ubsan", "*.log"))
    build = f"make -j{a.jobs} --no-print-directory build/busbench build/unit-tests > build/mutant-build.log 2>&1"
    os.makedirs(os.path.join(src, "build"), exist_ok=True)
    logpath = os.path.join(work, "clean.log")
    with open(logpath, "w") as log:
        rc, _ = run(build, src, 1800, log)
        if rc != 0:
            print(f"mutate: the unmutated tree does not build (see {work})", file=sys.stderr)
            return 2
        t0 = time.monotonic()
        needed = {c for m in chosen for c in tests_for(tests, m["file"])}  # only what some mutant runs
        for t in [t.split("::", 1)[-1] if "::" in t.split(" ", 1)[0] else t for t in tests]:
            if t not in needed:
                continue
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
        at = find_line(lines, m)
        if at is None:
            res["status"] = "stillborn"
            res["why"] = "the line is not in the file any more (the source changed)"
        else:
            if at != m["line"]:
                res["line"], res["moved_from"] = at, m["line"]
            lines[at - 1] = m["new"]
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
    out = {"seed": a.seed, "requested": a.mutants, "possible": len(allm),
           "files": [os.path.relpath(p, root) + (":%d-%d" % ranges[p] if ranges[p] else "") for p in paths],
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
