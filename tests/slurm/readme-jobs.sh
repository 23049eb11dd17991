#!/bin/bash
# readme-jobs.sh - the README's two Slurm commands, run as written, then a bounded wait for them.
#
#   tests/slurm/readme-jobs.sh README TIMEOUT_S > jobs.txt
#
# Run in a busbench checkout (harness/, build/, golden/) under tests/slurm/cluster.sh. Takes from
# README the two lines of its Slurm section that submit the job array of harness/ci/slurm-bench.sh
# (`jid=$(sbatch ...`) and its merge (`sbatch --dependency=afterok:...`), evaluates them unchanged,
# then waits until no job can run any more: every job has ended, or waits on a dependency that can
# never be satisfied. Prints one line per job:
#   array JOBID                       the array's job id (its results are in results/JOBID)
#   task INDEX STATE REASON           each array task, as scontrol shows it
#   merge JOBID STATE REASON          the merge job
# Exit 0 when all jobs settled within TIMEOUT_S; 1 when the wait ran out; 2 when README lacks the
# commands or a submission failed (the reason on stderr).
set -uo pipefail

readme=${1:?usage: readme-jobs.sh README TIMEOUT_S}
limit=${2:?usage: readme-jobs.sh README TIMEOUT_S}
cmds=$(grep -E '^(jid=\$\(sbatch |sbatch --dependency=afterok:)' "$readme")
[ "$(wc -l <<< "$cmds")" = 2 ] || { echo "readme-jobs.sh: $readme lacks the two sbatch lines of its Slurm section" >&2; exit 2; }

jid=
eval "$cmds" > submit.out || { echo "readme-jobs.sh: sbatch failed: $(cat submit.out)" >&2; exit 2; }
mid=$(sed -n 's/^Submitted batch job \([0-9][0-9]*\)$/\1/p' submit.out)
[[ $jid =~ ^[0-9]+$ && $mid =~ ^[0-9]+$ ]] || { echo "readme-jobs.sh: no job ids (array '$jid', merge: $(cat submit.out))" >&2; exit 2; }

rc=0
deadline=$((SECONDS + limit))
while :; do
    q=$(squeue -h -o '%i %T %r') || { echo "readme-jobs.sh: squeue failed" >&2; rc=1; break; }
    # settled: no job left but those held by a dependency that can never be satisfied
    if [ -z "$q" ] || ! grep -qv ' PENDING DependencyNeverSatisfied$' <<< "$q"; then break; fi
    [ $SECONDS -lt "$deadline" ] || { echo "readme-jobs.sh: jobs still queued after $limit s" >&2; rc=1; break; }
    sleep 0.25
done

echo "array $jid"
scontrol -o show job "$jid" | sed -n 's/.* ArrayTaskId=\([0-9]*\) .* JobState=\([A-Z_]*\) Reason=\([^ ]*\) .*/task \1 \2 \3/p' | sort -n -k 2
scontrol -o show job "$mid" | sed -n "s/.* JobState=\([A-Z_]*\) Reason=\([^ ]*\) .*/merge $mid \1 \2/p"
exit $rc
