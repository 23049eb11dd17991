#!/usr/bin/env bash
# bench-scaling.sh - the scaling runs of a many-core machine in one call (`make bench-scaling`):
#
#   bench-scaling.sh BUSBENCH OUTDIR [WORKLOADS] [THREADS] [REPS]
#
# Benches WORKLOADS (default q,dense: the seed's program and the synthesis-heaviest golden)
# under every strategy at THREADS (default 1,2,4,8,16, cut to this machine's cores), pinned
# compact and scatter, REPS rounds (default 5), every render checked against its golden; then
# the capacity of q under `all` at 1 thread and at the most threads; then the report with the
# scaling bounds and the capacity table. Writes OUTDIR/scale.json, OUTDIR/cap-*.json and
# OUTDIR/report/ (report.md: the speedup table per workload, each strategy against its Amdahl
# and pipeline bounds). Prints the load average before and after. Exit status: bench's.
set -euo pipefail
bin=$1 out=$2
workloads=${3:-q,dense}
cores=$("$bin" topo | awk '/^default threads:/ {print $3}')
[ -n "$cores" ] || cores=$(nproc)
want=${4:-1,2,4,8,16}
threads=$(echo "$want" | tr ',' '\n' | awk -v c="$cores" '$1 <= c' | paste -sd,)
max=$(echo "$threads" | tr ',' '\n' | tail -1)
reps=${5:-5}
mkdir -p "$out"
echo "load average before: $(cat /proc/loadavg); threads $threads of $cores cores"
st=0
"$bin" bench --workloads "$workloads" --threads "$threads" --pins compact,scatter --reps "$reps" \
  --out "$out/scale.json" || st=$?
caps=()
for t in 1 "$max"; do
  "$bin" capacity golden/q.ph --strategy all --threads "$t" --pin compact --quiet --out "$out/cap-$t.json"
  caps+=(--capacity "$out/cap-$t.json")
done
"$bin" report "$out/scale.json" -o "$out/report" "${caps[@]}"
echo "load average after: $(cat /proc/loadavg)"
exit $st
