#!/usr/bin/env bash
# A Slurm of one node on this machine, for trying cluster/slurm/akkakd.sbatch without a lab cluster (and for its test):
# munged, slurmctld and slurmd with their own key, config, state and logs under DIR, on free ports, touching nothing
# under /etc or /run. Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge); run it as root (slurmd
# starts jobs under the submitting user's id, which needs root).
#
#     cluster/slurm/single-host.sh start DIR [CPUS]    # CPUS: the node's CPUs (default: nproc)
#     export SLURM_CONF=DIR/slurm.conf                 # point sbatch, squeue, scancel... at it
#     sbatch --nodes=1 cluster/slurm/akkakd.sbatch configs/smoke.hocon
#     cluster/slurm/single-host.sh stop DIR             # cancels its jobs, stops the three daemons
#
# `start` returns once the node is idle (exit 0) or says what failed and where its log is (exit 1; the daemons that
# did start are stopped again). The node is named after this host (hostname -s) when that name resolves, else
# localhost: akkakd.sbatch gives the workers' addresses by node name.
set -uo pipefail

usage() {
  echo "usage: cluster/slurm/single-host.sh start DIR [CPUS] | stop DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
action=$1
dir=$2
cpus=${3:-$(nproc)}
[[ $cpus =~ ^[1-9][0-9]*$ ]] || usage
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
conf=$dir/slurm.conf
run=$dir/run

say() { echo "single-host slurm: $*" >&2; }

# A port free on loopback now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 30000))
}

pid_of() { [ -s "$run/$1.pid" ] && cat "$run/$1.pid"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_daemon() {
  local name=$1 pid i
  pid=$(pid_of "$name") || return 0
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 50); do alive "$pid" || return 0; sleep 0.2; done
  say "$name (pid $pid) still running 10 s after SIGTERM: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
}

stop() {
  if [ -f "$conf" ] && alive "$(pid_of slurmctld)"; then
    # Jobs first: their processes live under slurmstepd, which outlives slurmd.
    SLURM_CONF=$conf scancel --full --quiet --user="$(id -un)" 2>/dev/null
    local i
    for i in $(seq 1 40); do
      [ -z "$(SLURM_CONF=$conf squeue --noheader --format=%i 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
  return 0
}

fail() {
  say "$1"
  stop
  exit 1
}

if [ "$action" = stop ]; then
  stop
  exit 0
fi
[ "$action" = start ] || usage

for cmd in munged slurmctld slurmd sinfo; do
  command -v "$cmd" >/dev/null 2>&1 || { say "$cmd not found: apt-get install slurm-wlm munge"; exit 1; }
done
host=$(hostname -s)
node=$host
getent hosts "$node" >/dev/null 2>&1 || node=localhost
user=$(id -un)

# munged checks its files: the key readable by its user only, the socket's folder open to all.
mkdir -p "$dir/munge" "$run" "$dir/state" "$dir/spool/$node" "$dir/log" || exit 1
chmod 700 "$dir/munge"
chmod 755 "$dir" "$run"
if [ ! -s "$dir/munge/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none || exit 1
fi
chmod 600 "$dir/munge/munge.key"

ctld_port=$(free_port)
slurmd_port=$(free_port)
cat >"$conf" <<EOF
# Written by cluster/slurm/single-host.sh: one node, this host, no accounting, no cgroups.
ClusterName=akkakd-single
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$run/munge.sock
SlurmUser=$user
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=10
NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

munged --socket="$run/munge.sock" --key-file="$dir/munge/munge.key" --pid-file="$run/munged.pid" \
  --seed-file="$dir/munge/seed" --log-file="$dir/log/munged.log" </dev/null >"$dir/log/munged.out" 2>&1 \
  || fail "munged did not start: $(tail -n 3 "$dir/log/munged.out" "$dir/log/munged.log" 2>/dev/null | tr '\n' ' ')"
munge -n --socket="$run/munge.sock" | unmunge --socket="$run/munge.sock" >/dev/null 2>&1 \
  || fail "munge does not decode its own credential (log: $dir/log/munged.log)"

export SLURM_CONF=$conf
slurmctld -i -f "$conf" </dev/null >"$dir/log/slurmctld.out" 2>&1 \
  || fail "slurmctld did not start: $(tail -n 3 "$dir/log/slurmctld.out" | tr '\n' ' ') (log: $dir/log/slurmctld.log)"
slurmd -f "$conf" -N "$node" </dev/null >"$dir/log/slurmd.out" 2>&1 \
  || fail "slurmd did not start: $(tail -n 3 "$dir/log/slurmd.out" | tr '\n' ' ') (log: $dir/log/slurmd.log)"

state=""
for i in $(seq 1 60); do
  state=$(sinfo --noheader --nodes="$node" --format=%T 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || fail "node $node is '${state:-not reported}' after 30 s, not idle (logs: $dir/log/slurmctld.log, $dir/log/slurmd.log)"
say "node $node ($cpus CPUs) idle; controller on 127.0.0.1:$ctld_port; export SLURM_CONF=$conf"
