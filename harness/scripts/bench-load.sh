#!/usr/bin/env bash
# bench-load.sh - the benchmark behind `make bench-load`: the worker pool on a busy machine.
#
#   bench-load.sh PROGRAM CYCLES REPS STRATEGY "THREADS" HOGS NAME:BUSBENCH [NAME:BUSBENCH...]
#
# Starts HOGS CPU-bound busy loops (one per processing unit by default: every core
# busy), waits for them to run, then renders PROGRAM for CYCLES cycles under
# STRATEGY at each thread count, with each busbench binary given (e.g. this build
# and an older one), REPS rounds, the configurations interleaved within a round so
# that drift hits all alike. Every render is compared byte for byte with the first
# configuration's render of the same round (a wrong render fails the benchmark,
# exit 1). Prints per configuration the median wall-clock time of the whole
# process and of the render loop alone (--stats wall_ms, or render_ms for builds that
# do not print it, which leaves out the sink's calls), the median CPU time
# (user + system), and the ratio of each median to the same binary's at the first
# thread count: the figure the issue asks about is that ratio at 2 threads
# (goal: at most 1.25). The busy loops are this script's children and are killed,
# by their process ids, when it exits. The load average is printed before and
# after: a shared machine adds its own load, so compare ratios within one run only.
set -euo pipefail
prog=$1 cycles=$2 reps=$3 strategy=$4 threads=$5 hogs=$6
shift 6
[ "$hogs" -gt 0 ] 2>/dev/null || hogs=$(nproc)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "load average before: $(cat /proc/loadavg)"
for ((i = 0; i < hogs; i++)); do
  bash -c 'while :; do :; done' &
  pids+=($!)
done
sleep 1
echo "busy loops: $hogs (pids ${pids[*]}); load average now: $(cat /proc/loadavg)"
now() { date +%s%N; }
fail=0
for ((r = 1; r <= reps; r++)); do
  ref=
  for nb in "$@"; do
    name=${nb%%:*} bin=${nb#*:}
    for t in $threads; do
      f="$tmp/$name-$t"
      t0=$(now)
      /usr/bin/time -f '%U %S' -o "$f.cpu1" "$bin" render "$prog" -o "$tmp/out.wav" --cycles "$cycles" \
        --strategy "$strategy" --threads "$t" --stats 2>"$f.stats"
      t1=$(now)
      echo $(((t1 - t0) / 1000)) >>"$f.wall"
      awk '{print $1 + $2}' "$f.cpu1" >>"$f.cpu"
      # the render loop's wall time, the sink's calls included (a pipelined render writes beside
      # the render); builds without wall_ms: render_ms, the loop without the sink
      awk '$1 == "wall_ms" {w = $2} $1 == "render_ms" {r = $2} END {print (w != "") ? w : r}' "$f.stats" >>"$f.render"
      if [ -z "$ref" ]; then
        ref="$tmp/ref.wav"
        mv "$tmp/out.wav" "$ref"
      elif ! cmp -s "$tmp/out.wav" "$ref"; then
        echo "WRONG: $name at $t threads differs from the first configuration (round $r)" >&2
        fail=1
      fi
    done
  done
done
echo "load average after: $(cat /proc/loadavg)"
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "== $(basename "$prog") $cycles cycles, $strategy, $hogs busy loops, $reps rounds: medians"
printf '%-10s %4s %10s %11s %9s %10s %10s\n' binary thr wall_ms loop_ms cpu_s wall/1thr loop/1thr
for nb in "$@"; do
  name=${nb%%:*}
  first=
  for t in $threads; do
    f="$tmp/$name-$t"
    w=$(awk -v us="$(median "$f.wall")" 'BEGIN {print us / 1000}')
    rm_=$(median "$f.render")
    c=$(median "$f.cpu")
    if [ -z "$first" ]; then first=$w firstr=$rm_; fi
    printf '%-10s %4s %10.1f %11.1f %9.2f %10.2f %10.2f\n' "$name" "$t" "$w" "$rm_" "$c" \
      "$(awk -v a="$w" -v b="$first" 'BEGIN {print a / b}')" "$(awk -v a="$rm_" -v b="$firstr" 'BEGIN {print a / b}')"
  done
done
exit $fail
