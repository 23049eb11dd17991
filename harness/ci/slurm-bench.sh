#!/bin/bash
# slurm-bench.sh - the bench matrix as a Slurm job array, one shard per task, then one
# merged result and its report.
#
#   jid=$(sbatch --parsable --array=1-4 harness/ci/slurm-bench.sh)
#   sbatch --dependency=afterok:$jid harness/ci/slurm-bench.sh merge "$jid"
#
# Each array task runs `busbench bench --shard slurm/N`: busbench reads its shard from
# SLURM_ARRAY_TASK_ID (and SLURM_ARRAY_TASK_MIN, so --array=0-3 works too) and N from
# SLURM_ARRAY_TASK_COUNT; the shards are groups (workload x pinning) balanced by expected
# cost. The merge step refuses shards of different CPU models, compilers or commits:
# keep the array on one partition of identical nodes, and build once, on shared storage.
# Run from the busbench checkout (it uses build/busbench; `make` first).
#
# Environment: BUSBENCH_OUT (default results/JOBID) where the shards and results go;
# BUSBENCH_BENCH_FLAGS extra bench options (e.g. "--workloads q,static --threads 1-8").
#SBATCH --job-name=busbench
#SBATCH --exclusive
#SBATCH --output=busbench-%A_%a.log
set -euo pipefail
bin=${BUSBENCH:-build/busbench}

if [ "${1:-}" = merge ]; then
    job=${2:?usage: slurm-bench.sh merge ARRAY_JOB_ID}
    out=${BUSBENCH_OUT:-results/$job}
    "$bin" merge "$out"/shard-*.json -o "$out/results.json"
    "$bin" report "$out/results.json" -o "$out/report"
    echo "busbench: $out/results.json and $out/report/report.md"
    exit 0
fi

: "${SLURM_ARRAY_TASK_ID:?run it as a job array: sbatch --array=1-N harness/ci/slurm-bench.sh}"
n=${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT is not set}
out=${BUSBENCH_OUT:-results/${SLURM_ARRAY_JOB_ID:-local}}
mkdir -p "$out"
# shellcheck disable=SC2086 # BUSBENCH_BENCH_FLAGS is a list of options
"$bin" bench --shard "slurm/$n" --quiet ${BUSBENCH_BENCH_FLAGS:-} --out "$out/shard-$SLURM_ARRAY_TASK_ID.json"
