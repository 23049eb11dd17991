#!/bin/bash
# cluster.sh - a private single-node Slurm cluster for the tests, in a folder of its own.
#
#   tests/slurm/cluster.sh DIR [--timeout S] -- COMMAND...
#
# Brings up munged, slurmctld and slurmd (Debian's packages: munge, slurmctld, slurmd,
# slurm-client; as root) with everything of their own under DIR (created if absent): a
# slurm.conf naming this host with its CPUs as `slurmd -C` reports them, two free TCP ports,
# state, spool, logs and pid files, a fresh munge key and munged socket (AuthInfo=socket=...).
# SLURM_CONF points at DIR/slurm.conf and nothing under /etc is read or written, so a real
# cluster on the machine is never met. When sinfo shows the node idle it runs COMMAND in the
# current folder with SLURM_CONF exported (at most S seconds, default 240), then cancels any job
# left, stops every daemon it started by the pid it recorded, and checks that none is left.
#
# Invariants: every process of the cluster (daemons, slurmstepd, jobs) carries
# BUSBENCH_SLURM_CLUSTER=DIR in its environment, which is how "none is left" is checked (here
# and by the test). The daemons are stopped however this script ends: an EXIT trap for a normal
# end, an error or a caught signal, and for SIGKILL a watchdog in its own session that stops
# them once this script's pid is gone. DIR/pids lists the daemons' pids; their logs stay in DIR.
#
# Exit: COMMAND's status (124 when it ran past S); 77 when the cluster could not be brought up
# (not root, a package missing, a daemon that does not start or a node that is not idle within
# BRINGUP_S), the reason on stderr and in DIR/skip; 70 when a process of the cluster outlived
# the stop (they are then killed); 2 for a bad command line.
set -uo pipefail

readonly BRINGUP_S=30       # seconds for the node to show idle
readonly STOP_S=10          # seconds for jobs to go and for the daemons to end after SIGTERM
readonly PORT_LO=20000 PORT_SPAN=30000

usage() { echo "usage: cluster.sh DIR [--timeout S] -- COMMAND..." >&2; exit 2; }

# The pids of the processes (other than this shell) started with BUSBENCH_SLURM_CLUSTER=$dir.
# Bash builtins alone: a child process would carry this shell's environment, not the marker.
cluster_pids() {
    local p e
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] && continue
        while IFS= read -r -d '' e; do
            if [ "$e" = "BUSBENCH_SLURM_CLUSTER=$dir" ]; then echo "$p"; break; fi
        done 2>/dev/null < "/proc/$p/environ"
    done
}

# Whether process $1 runs (a zombie does not: pid 1 of a container may never reap it).
alive() {
    local st
    read -r _ _ st _ 2>/dev/null < "/proc/$1/stat" && [ "$st" != Z ]
}

# Cancel the jobs, SIGTERM the recorded daemons, then SIGKILL whatever of the cluster is left
# after STOP_S; returns 70 when something had to be killed or survived.
stop_cluster() {
    local p left i
    if [ -s "$dir/ctld.started" ]; then
        # shellcheck disable=SC2046 # one job id a word
        scancel --quiet --full $(squeue -h -o %A 2>/dev/null) 2>/dev/null
        for ((i = 0; i < STOP_S * 10; i++)); do
            [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    while read -r p; do kill -TERM "$p" 2>/dev/null; done < "$dir/pids"
    for ((i = 0; i < STOP_S * 10; i++)); do
        left=$(cluster_pids)
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    for p in $left; do echo "cluster.sh: still running after ${STOP_S} s: $p $(cat "/proc/$p/comm" 2>/dev/null)" >&2; done
    # shellcheck disable=SC2086 # one pid a word
    kill -KILL $left 2>/dev/null
    sleep 0.5
    left=$(cluster_pids)
    [ -z "$left" ] || echo "cluster.sh: survived SIGKILL: $left" >&2
    return 70
}

# --watchdog PID DIR: wait for PID to end, then stop DIR's cluster (what the trap of a
# SIGKILLed script could not do).
if [ "${1:-}" = --watchdog ]; then
    dir=$3
    export SLURM_CONF=$dir/slurm.conf
    while alive "$2"; do sleep 1; done
    stop_cluster
    exit
fi

[ $# -ge 2 ] || usage
dir=$1
shift
limit=240
if [ "$1" = --timeout ]; then
    [[ ${2:-} =~ ^[0-9]+$ ]] || usage
    limit=$2
    shift 2
fi
if [ "${1:-}" != -- ] || [ $# -lt 2 ]; then usage; fi
shift
mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || exit 2
[ -e "$dir/slurm.conf" ] && { echo "cluster.sh: $dir already holds a cluster" >&2; exit 2; }
# munged wants every folder above its socket searchable by all (DIR itself is made so below)
up=$dir
while up=${up%/*}; [ -n "$up" ]; do
    [[ $(stat -c %A "$up") == *[xt] ]] ||
        { echo "cluster.sh: $up is not searchable by all (munged refuses a socket below it)" >&2; exit 2; }
done

skip() { echo "cluster.sh: cannot start a Slurm cluster: $*" | tee "$dir/skip" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (slurmd runs jobs as root here)"
for b in munged slurmctld slurmd sbatch sinfo squeue scontrol scancel; do
    command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin command -v "$b" >/dev/null ||
        skip "$b is not installed (make deps installs munge slurmctld slurmd slurm-client)"
done
export PATH=$PATH:/usr/sbin

: > "$dir/pids"
watchdog='' cmd=''
# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
    local rc=$? st=0
    trap - EXIT INT TERM HUP
    [ -n "$cmd" ] && kill "$cmd" 2>/dev/null && wait "$cmd"
    [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
    stop_cluster || st=$?
    [ "$st" -ne 0 ] && rc=$st
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 143' INT TERM HUP
setsid "$BASH" "$0" --watchdog $$ "$dir" </dev/null >/dev/null 2>&1 &
watchdog=$!

# Two TCP ports no socket uses (listening or not), drawn at random.
used_ports=" "
while read -r _ local _; do
    [[ $local == *:* ]] && used_ports="$used_ports$((16#${local##*:})) "
done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -v local_address)
free_port() {
    local p
    while :; do
        p=$((PORT_LO + RANDOM % PORT_SPAN))
        [[ $used_ports == *" $p "* ]] || { used_ports="$used_ports$p "; echo "$p"; return; }
    done
}
ctld_port=$(free_port)
d_port=$(free_port)

# munged: its own key, socket, pid, log and seed. The folders of its socket must be searchable by
# all (munged checks), the key readable by root alone.
chmod 755 "$dir"
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
export BUSBENCH_SLURM_CLUSTER=$dir SLURM_CONF=$dir/slurm.conf
munged --socket="$dir/munge/socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" >"$dir/log/munged.out" 2>&1 ||
    skip "munged did not start: $(tail -n 1 "$dir/log/munged.out")"
for ((i = 0; i < 50; i++)); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
cat "$dir/munge/munged.pid" >> "$dir/pids" 2>/dev/null || skip "munged wrote no pid file"

# The node is this host as slurmd sees it, reached on the loopback; root runs everything; no
# cgroups (processes are tracked by /proc); batch_sched_delay=0 starts the next job within a
# second of the previous one's end (the default waits 3 s); finished jobs stay visible to
# scontrol for MinJobAge seconds.
node=$(slurmd -C 2>/dev/null | head -n 1)
[[ $node == NodeName=* ]] || skip "slurmd -C did not describe this host"
host=${node#NodeName=}
host=${host%% *}
cat > "$dir/slurm.conf" <<EOF
# a private single-node cluster of the busbench tests (tests/slurm/cluster.sh)
ClusterName=busbenchtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
ReturnToService=2
MinJobAge=600
MailProg=/bin/true
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
: > "$dir/plugstack.conf"

slurmctld -D -f "$SLURM_CONF" </dev/null >"$dir/log/slurmctld.out" 2>&1 &
echo $! >> "$dir/pids"
slurmd -D -f "$SLURM_CONF" </dev/null >"$dir/log/slurmd.out" 2>&1 &
echo $! >> "$dir/pids"
echo yes > "$dir/ctld.started"
for ((i = 0; ; i++)); do
    [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = idle ] && break
    while read -r p; do
        alive "$p" || skip "a daemon (pid $p) ended: $(tail -n 2 "$dir"/log/*.out | tr '\n' ' ')"
    done < "$dir/pids"
    [ $i -lt $((BRINGUP_S * 5)) ] || skip "the node is not idle after $BRINGUP_S s: $(sinfo -h 2>&1 | head -n 1)"
    sleep 0.2
done

# in the background, so that a signal's trap runs at once (it stops COMMAND first)
timeout "$limit" "$@" &
cmd=$!
wait "$cmd"
rc=$?
cmd=
exit $rc
