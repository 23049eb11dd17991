#!/bin/bash
cd /tmp/fig23
B=./busbench
Q=/work/wt-issue23/golden/q.ph
run() { local n=$1; shift
  echo "== $n: busbench live $Q $*" >> figs2.txt
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs2.txt
  $B live $Q "$@" --json $n.json >> figs2.txt 2>&1; echo "rc=$?" >> figs2.txt
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs2.txt
}
run p128b_serial --server dummy --period 128 --mode ahead --ahead 4 --strategy serial --block 128 --seconds 60 --record p128b_serial.wav
run p128b_all --server dummy --period 128 --mode ahead --ahead 4 --strategy all --block 128 --batch 1 --seconds 60 --record p128b_all.wav
rm -f p128b_*.wav
run sweep --server dummy --sweep --strategies serial,parallel,cycle,static,pool,batch,all,lanes --threads-list 1,2 --block 64 --lookahead 1 --seconds 5
run cap_all_1 --server dummy --capacity --period 256 --mode ahead --strategy all --threads 1 --seconds 5
run cap_all_2 --server dummy --capacity --period 256 --mode ahead --strategy all --threads 2 --lookahead 1 --seconds 5
echo DONE >> figs2.txt
