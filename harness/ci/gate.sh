#!/bin/bash
# gate.sh - the CI performance gate with its baseline made here, on this machine: build the
# commit to compare with in a git worktree, count the instructions of the gate's subset with
# that build and with this tree's, and compare them (busbench compare --metric instructions:
# deterministic counters exact, instructions within 1%). Both builds run on this machine with its
# compiler, libc, valgrind and ISA, so the comparison is like with like on any runner; nothing
# is timed, so a shared CI machine cannot raise a false alarm.
#
#   harness/ci/gate.sh BASE_REF [OUT]      from the busbench checkout, after `make`
#
# BASE_REF: the commit to compare with (a pull request's merge base, a push's previous commit;
# the workflow github-actions.yml says how it finds it); its history must be in the clone.
# OUT (default gate-out) receives base.json and new.json (the two benches), summary.md (the
# Markdown summary: a job summary or a pull-request comment), junit.xml (a test case per check)
# and gate.log; with GITHUB_STEP_SUMMARY set (GitHub Actions) summary.md is appended to it.
# Exit: compare's (0 nothing regressed, 1 a regression or a wrong render, 2 unusable input,
# 3 the two builds' environments differ, e.g. the change edits the compiler flags); 2 also
# when BASE_REF cannot be checked out, built or benched.
#
# Environment:
#   BUSBENCH                 this tree's build (default build/busbench)
#   BUSBENCH_GATE_FLAGS      what to bench (default: make gate's subset, the workloads phonon,
#                            static, chords, dense and reload x every strategy of each build's
#                            registry at 1 and 2 threads, pinned compact)
#   BUSBENCH_BUILD           how the worktree is built (default: make -j"$(nproc)" build/busbench)
#   BUSBENCH_COMPARE_FLAGS   more compare options (e.g. --instr-threshold 2)
set -euo pipefail

ref=${1:-}
if [ -z "$ref" ] || [ $# -gt 2 ]; then echo "usage: harness/ci/gate.sh BASE_REF [OUT]" >&2; exit 2; fi
out=${2:-gate-out}
new=${BUSBENCH:-build/busbench}
[ -x "$new" ] || { echo "gate.sh: $new is not there: run make first (or set BUSBENCH)" >&2; exit 2; }
new=$(realpath "$new")
commit=$(git rev-parse --verify --quiet "$ref^{commit}") ||
    { echo "gate.sh: '$ref' is not a commit of this clone (fetch its history: actions/checkout with fetch-depth: 0)" >&2; exit 2; }
mkdir -p "$out"
out=$(realpath "$out")
log=$out/gate.log
rm -f "$out/base.json" "$out/new.json" "$out/summary.md" "$out/junit.xml"
: >"$log"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/busbench-gate.XXXXXX")
tree=$tmp/base
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    git worktree remove --force "$tree" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    git worktree prune
}
trap cleanup EXIT

echo "gate: the baseline is $ref ($commit), built in a worktree"
git worktree add --detach --quiet "$tree" "$commit" >>"$log" 2>&1 ||
    { echo "gate.sh: cannot check out $commit (see $log)" >&2; exit 2; }
(cd "$tree" && eval "${BUSBENCH_BUILD:-make -j\"\$(nproc)\" build/busbench}") >>"$log" 2>&1 ||
    { echo "gate.sh: the baseline $commit does not build (see $log)" >&2; exit 2; }

# bench DIR BUSBENCH OUT.json: the subset's instruction counts, run in DIR (its golden/); exit bench's
bench() {
    local flags=${BUSBENCH_GATE_FLAGS:-}
    [ -n "$flags" ] || flags="--workloads phonon,static,chords,dense,reload --threads 1,2 --pins compact --strategies $(cd "$1" && "$2" strategies --sep ,)"
    echo "gate: $2 bench --metric instructions $flags" >>"$log"
    # shellcheck disable=SC2086 # flags is a list of options
    (cd "$1" && "$2" bench --metric instructions $flags --quiet --out "$3") >>"$log" 2>&1
}
bench "$tree" "$tree/build/busbench" "$out/base.json" ||
    { echo "gate.sh: benching the baseline $commit failed (see $log)" >&2; exit 2; }
st=0
bench "$PWD" "$new" "$out/new.json" || st=$?
# 1: a wrong render, recorded in new.json, which compare makes the headline
if [ "$st" -gt 1 ] || [ ! -s "$out/new.json" ]; then echo "gate.sh: benching this tree failed (exit $st; see $log)" >&2; exit 2; fi

st=0
# shellcheck disable=SC2086 # BUSBENCH_COMPARE_FLAGS is a list of options
"$new" compare "$out/base.json" "$out/new.json" --metric instructions --quiet ${BUSBENCH_COMPARE_FLAGS:-} || st=$?
if [ "$st" -le 1 ]; then
    # shellcheck disable=SC2086
    "$new" compare "$out/base.json" "$out/new.json" --metric instructions --markdown --junit "$out/junit.xml" \
        ${BUSBENCH_COMPARE_FLAGS:-} >"$out/summary.md" || true
    [ -z "${GITHUB_STEP_SUMMARY:-}" ] || cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
echo "gate: exit $st; $out holds base.json, new.json, summary.md, junit.xml and gate.log"
exit "$st"
