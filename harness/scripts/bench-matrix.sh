#!/usr/bin/env bash
# bench-matrix.sh - the benchmarks behind `make bench-core` and `make bench-strategies`.
#
#   bench-matrix.sh BUSBENCH CYCLES REPS "STRATEGIES" "THREADS" PROGRAM...
#
# Renders every program under every strategy x thread count, REPS rounds, the
# configurations interleaved within each round (A B C A B C ...) so that drift
# hits all alike. Every render is compared byte for byte with the program's
# serial render of the same round: a wrong render voids the table (exit 1).
# Prints, per configuration: the median render time (the render loop, the sink's
# calls included: --stats wall_ms, since a pipelined render writes beside the
# render on another thread), the speedup over serial at 1 thread (ratio of
# medians), at 1 thread ns per synthesised voice-sample of the render without
# the sink (--stats render_ms), and the counters of the last round.
set -euo pipefail
bin=$1 cycles=$2 reps=$3 strategies=$4 threads=$5
shift 5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# one render's times: wall_ms (sink included) into .times, render_ms (without it) into .dsp
take() {
  awk '$1 == "wall_ms" {print $2}' "$1.stats" >>"$1.times"
  awk '$1 == "render_ms" {print $2}' "$1.stats" >>"$1.dsp"
}
for ((r = 1; r <= reps; r++)); do
  for prog in "$@"; do
    w=$(basename "$prog" .ph)
    "$bin" render "$prog" -o "$tmp/$w-ref.wav" --cycles "$cycles" --strategy serial --threads 1 --stats 2>"$tmp/$w-serial-1.stats"
    take "$tmp/$w-serial-1"
    for s in $strategies; do
      for t in $threads; do
        [ "$s" = serial ] && [ "$t" = 1 ] && continue
        "$bin" render "$prog" -o "$tmp/$w.wav" --cycles "$cycles" --strategy "$s" --threads "$t" --stats 2>"$tmp/$w-$s-$t.stats"
        if ! cmp -s "$tmp/$w.wav" "$tmp/$w-ref.wav"; then
          echo "WRONG: $w under $s at $t threads differs from serial (round $r)" >&2
          fail=1
        fi
        take "$tmp/$w-$s-$t"
      done
    done
  done
done
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
stat() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
for prog in "$@"; do
  w=$(basename "$prog" .ph)
  base=$(median "$tmp/$w-serial-1.times")
  echo
  echo "== $w: $cycles cycles, $reps rounds, median render time (the render loop, the sink's calls included)"
  printf '%-12s %3s %10s %8s %8s %8s %8s %8s %8s %10s %8s\n' strategy thr median_ms ns/vs speedup preproc synth hits misses allocs_st bufs_st
  for s in $strategies; do
    for t in $threads; do
      f="$tmp/$w-$s-$t"
      [ -f "$f.times" ] || continue
      m=$(median "$f.times")
      d=$(median "$f.dsp")
      vs=$(stat "$f.stats" synth_samples)
      nvs=-
      [ "$t" = 1 ] && nvs=$(awk -v m="$d" -v v="$vs" 'BEGIN {printf "%.2f", (v > 0 ? m * 1e6 / v : 0)}')
      printf '%-12s %3s %10.2f %8s %8.2f %8s %8s %8s %8s %10s %8s\n' "$s" "$t" "$m" "$nvs" \
        "$(awk -v b="$base" -v m="$m" 'BEGIN {print (m > 0 ? b / m : 0)}')" \
        "$(stat "$f.stats" preprocess_calls)" "$(stat "$f.stats" synth_calls)" "$(stat "$f.stats" cache_hits)" \
        "$(stat "$f.stats" cache_misses)" "$(stat "$f.stats" allocs_steady)" "$(stat "$f.stats" busbuf_allocs_steady)"
    done
  done
done
exit $fail
