#!/bin/bash
# figures for issue 23; each line: the command, the load average before and after
cd /tmp/fig23
B=./busbench
Q=/work/wt-issue23/golden/q.ph
run() { # name, args...
  local n=$1; shift
  echo "== $n: busbench live $Q $*" >> figs.txt
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs.txt
  $B live $Q "$@" --json $n.json >> figs.txt 2>&1; echo "rc=$?" >> figs.txt
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs.txt
}
for s in serial parallel cycle static pool batch all lanes cycle,lanes,pool; do
  run p256_$s --server dummy --period 256 --mode ahead --strategy $s --threads 2 --lookahead 1 --seconds 60 --record p256_$s.wav
  rm -f p256_$s.wav
done
for s in serial all; do
  run p128_$s --server dummy --period 128 --mode ahead --ahead 4 --strategy $s --threads 1 --seconds 60 --record p128_$s.wav
  rm -f p128_$s.wav
done
echo DONE >> figs.txt
