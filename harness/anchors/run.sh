#!/usr/bin/env bash
# run.sh - the body of `make bench-anchors` (the Makefile builds the binaries first).
#
# Renders the q-like score with Csound, scsynth (NRT), Faust (scalar and -vec), a plain
# C loop, busbench serial and busbench all; checks that every render is the same music
# as busbench serial's (anchor_check: same length, RMS within ANCHORS_TOL per cent, the
# 10 ms RMS envelopes correlated); then times them all in ONE hyperfine run, pinned to
# CPU ANCHORS_CPU with taskset, output on tmpfs, ANCHORS_WARMUP warm-up runs and
# ANCHORS_RUNS timed runs each; checks the last timed renders again; prints each median
# and its ratio to Csound and to busbench serial (summary.py), and keeps hyperfine's JSON
# in ANCHORS_DIR/hyperfine.json. Any failure: a message and a non-zero exit.
set -euo pipefail

BIN=${BIN:-build/busbench}
DIR=${ANCHORS_DIR:-build/anchors}
SCORE=${ANCHORS_SCORE:-tests/bench/qlike.ph}
CYCLES=${ANCHORS_CYCLES:-64}
RUNS=${ANCHORS_RUNS:-10}
WARMUP=${ANCHORS_WARMUP:-3}
CPU=${ANCHORS_CPU:-1}
TOL=${ANCHORS_TOL:-5}
HERE=$(dirname "$0")

die() { echo "bench-anchors: $*" >&2; exit 1; }

for t in csound scsynth faust hyperfine taskset python3; do
    command -v "$t" >/dev/null 2>&1 ||
        die "'$t' not found after installation (make bench-anchors installs csound, supercollider-server, faust and hyperfine with apt-get)"
done
for f in "$BIN" "$DIR/plainc" "$DIR/faust_scalar" "$DIR/faust_vec" "$DIR/anchor_check"; do
    [ -x "$f" ] || die "$f is missing: run make bench-anchors, not this script alone"
done
[ -f "$SCORE" ] || die "$SCORE: no such score"
case "$BIN$DIR$SCORE" in *[[:space:]]*) die "paths with spaces are not supported (hyperfine splits its commands on spaces)";; esac
taskset -c "$CPU" true 2>/dev/null || die "cannot pin to CPU $CPU (set ANCHORS_CPU to one of: $(taskset -cp $$ | sed 's/.*: //'))"

python3 "$HERE/gen.py" "$SCORE" "$CYCLES" "$BIN" "$DIR" || die "gen.py failed"
frames=$(awk '!/^#/ { print $2; exit }' "$DIR/events.txt")
(( frames % 64 == 0 )) || die "$frames frames is not a whole number of 64-sample blocks: Csound (ksmps 64) and scsynth would render another length"

tmp=$(mktemp -d /dev/shm/busbench-anchors.XXXXXX) || die "cannot make a folder in /dev/shm"
trap 'rm -rf "$tmp"' EXIT
[ "$(stat -f -c %T "$tmp")" = tmpfs ] || die "$tmp is not on tmpfs"

names=(csound scsynth faust-scalar faust-vec plain-c busbench-serial busbench-all)
cmds=(
    "csound -d -m0 --nodisplays -W -f -o $tmp/csound.wav $DIR/qlike.orc $DIR/qlike.sco"
    "scsynth -D 0 -o 1 -i 0 -N $DIR/qlike.osc _ $tmp/scsynth.wav 44100 WAV float"
    "$DIR/faust_scalar $DIR/events.txt $tmp/faust-scalar.wav"
    "$DIR/faust_vec $DIR/events.txt $tmp/faust-vec.wav"
    "$DIR/plainc $DIR/events.txt $tmp/plain-c.wav"
    "$BIN render $SCORE -o $tmp/busbench-serial.wav --cycles $CYCLES --strategy serial --threads 1"
    "$BIN render $SCORE -o $tmp/busbench-all.wav --cycles $CYCLES --strategy all --threads 1"
)

check() {
    local args=()
    for n in "${names[@]}"; do
        [ "$n" = busbench-serial ] || args+=("$n=$tmp/$n.wav")
    done
    "$DIR/anchor_check" --tol "$TOL" "$tmp/busbench-serial.wav" "${args[@]}" ||
        die "a render is not the same music as busbench serial's: no timing"
}

echo "bench-anchors: rendering each engine once and checking the renders"
for i in "${!names[@]}"; do
    # shellcheck disable=SC2086  # the commands are split on spaces, as hyperfine -N does
    ${cmds[$i]} >"$tmp/${names[$i]}.log" 2>&1 || { tail -20 "$tmp/${names[$i]}.log" >&2; die "${names[$i]} failed"; }
    [ -s "$tmp/${names[$i]}.wav" ] || { tail -20 "$tmp/${names[$i]}.log" >&2; die "${names[$i]} wrote no WAV"; }
done
if grep -l "not installed\|FAILURE\|ERROR" "$tmp/scsynth.log" >/dev/null; then
    grep "not installed\|FAILURE\|ERROR" "$tmp/scsynth.log" | head -5 >&2
    die "scsynth reported an error (missing UGen plugin?)"
fi
check

echo "bench-anchors: hyperfine, pinned to CPU $CPU, $WARMUP warm-up and $RUNS timed runs each (load average $(cut -d' ' -f1-3 /proc/loadavg))"
hargs=()
for i in "${!names[@]}"; do hargs+=(-n "${names[$i]}" "${cmds[$i]}"); done
rm -f "$DIR/hyperfine.json"
taskset -c "$CPU" hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$DIR/hyperfine.json" "${hargs[@]}" ||
    die "hyperfine failed"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-anchors: the last timed renders"
check
python3 "$HERE/summary.py" "$DIR/hyperfine.json" "load average after: $load_after" || die "summary.py failed"
