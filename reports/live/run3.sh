#!/bin/bash
cd /tmp/fig23
B=./busbench
Q=/work/wt-issue23/golden/q.ph
run() { local n=$1; shift
  echo "== $n: busbench live $Q $*" >> figs3.txt
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs3.txt
  $B live $Q "$@" --json $n.json >> figs3.txt 2>&1; echo "rc=$?" >> figs3.txt
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> figs3.txt
}
run cap3_all_1 --server dummy --capacity --period 256 --mode ahead --strategy all --threads 1 --seconds 5
run cap3_all_2 --server dummy --capacity --period 256 --mode ahead --strategy all --threads 2 --lookahead 1 --seconds 5
run sweep3 --server dummy --sweep --strategies serial,parallel,cycle,static,pool,batch,all,lanes --threads-list 1,2 --block 64 --lookahead 1 --seconds 5
echo DONE >> figs3.txt
