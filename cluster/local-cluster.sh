#!/usr/bin/env bash
# A lab cluster on this machine, on loopback: the sweep node (the seed, running no trials itself) and N worker
# processes, with the command lines of docker-compose.yml (127.0.0.1 and free ports instead of 0.0.0.0 and 4053).
#
#     cluster/local-cluster.sh N [SWEEP_FILE] [extra sweep args...]
#     cluster/local-cluster.sh 2 configs/smoke.hocon
#     cluster/local-cluster.sh 3 configs/laptop.hocon --set sweep.grid.seeds=[1,2]
#
# Builds the program once (dotnet publish into .cache/local-cluster/bin), runs the sweep to its end, stops the workers
# (SIGTERM: they leave the cluster; SIGKILL after 30 s) and exits with the sweep's exit code. Results go to
# results/local-cluster-TIMESTAMP/ (the workers' logs and caches to its nodes/ folder). Ctrl-C stops everything;
# finished results are kept. Environment: AKKAKD_LOCAL_TIMEOUT (seconds the sweep may run, default 3600),
# AKKAKD_CONFIG (node settings, default cluster/node.hocon).
set -uo pipefail

usage() {
  echo "usage: cluster/local-cluster.sh N [SWEEP_FILE] [extra sweep args...]   (N worker processes, N >= 1)" >&2
  exit 2
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2

[ $# -ge 1 ] || usage
n=$1
shift
[[ $n =~ ^[1-9][0-9]*$ ]] || usage
sweep_file=configs/laptop.hocon
if [ $# -ge 1 ]; then
  sweep_file=$1
  shift
fi
[ -f "$sweep_file" ] || { echo "local-cluster: $sweep_file: file not found" >&2; exit 2; }
extra=("$@")
timeout=${AKKAKD_LOCAL_TIMEOUT:-3600}
[[ $timeout =~ ^[0-9]+$ ]] || { echo "local-cluster: AKKAKD_LOCAL_TIMEOUT: '$timeout' is not a number of seconds" >&2; exit 2; }

# Every node setting below comes from the command line; only the node HOCON comes from the environment, as in
# docker-compose.yml. The seeds reach the workers through AKKAKD_SEEDS, as in docker-compose.yml.
unset AKKAKD_HOST AKKAKD_PUBLIC_HOST AKKAKD_PORT AKKAKD_SEEDS AKKAKD_SLOTS
export AKKAKD_CONFIG=${AKKAKD_CONFIG:-$repo/cluster/node.hocon}

bin_dir=$repo/.cache/local-cluster/bin
akkakd=$bin_dir/akkakd
out=results/local-cluster-$(date +%Y%m%d-%H%M%S)
nodes=$out/nodes

# A port free on loopback now, for the seed.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return 0
  fi
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    # Nothing answers: free (bash's /dev/tcp connect is refused).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

sweep_pid=""
worker_pids=()
interrupted=0

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Waits up to $1 seconds for the given processes to end; 0 when they all did.
wait_gone() {
  local limit=$1 p left
  shift
  local end=$((SECONDS + limit))
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    [ $SECONDS -ge $end ] && return 1
    sleep 0.5
  done
}

stop_workers() {
  local p live=()
  for p in ${worker_pids[@]+"${worker_pids[@]}"}; do alive "$p" && live+=("$p"); done
  [ ${#live[@]} -gt 0 ] || return 0
  echo "local-cluster: stopping ${#live[@]} workers (SIGTERM)"
  kill -TERM "${live[@]}" 2>/dev/null
  if ! wait_gone 30 "${live[@]}"; then
    echo "local-cluster: workers still running after 30 s: SIGKILL" >&2
    for p in "${live[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  fi
  wait "${live[@]}" 2>/dev/null
  return 0
}

# Ctrl-C to the sweep (it keeps what finished and exits 130), SIGKILL if it does not end within 30 s.
stop_sweep() {
  alive "$sweep_pid" || return 0
  kill -INT "$sweep_pid" 2>/dev/null
  if ! wait_gone 30 "$sweep_pid"; then
    echo "local-cluster: the sweep node did not stop within 30 s: SIGKILL" >&2
    kill -KILL "$sweep_pid" 2>/dev/null
  fi
}

cleanup() {
  trap - EXIT INT TERM
  stop_sweep
  stop_workers
}
trap cleanup EXIT
trap 'interrupted=1' INT TERM

echo "local-cluster: building akkakd (dotnet publish -> $bin_dir)"
mkdir -p "$bin_dir"
build_log=$repo/.cache/local-cluster/build.log
if ! dotnet publish src/AkkaKd.Cli -c Release -o "$bin_dir" >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2
  echo "local-cluster: the build failed (log: $build_log)" >&2
  exit 2
fi
[ $interrupted = 0 ] || exit 130

port=$(free_port) || { echo "local-cluster: no free port found on 127.0.0.1" >&2; exit 2; }
seed=akka.tcp://akkakd@127.0.0.1:$port
mkdir -p "$nodes"

# The command lines of docker-compose.yml; 127.0.0.1 for 0.0.0.0 and the compose service name, a free port for 4053
# (the seed's) and port 0 for the workers' (several workers share this machine's loopback address).
sweep_args=(sweep "$sweep_file" --out "$out" --host 127.0.0.1 --public-host 127.0.0.1 --port "$port"
  --slots 0 --min-workers "$n" --plain)
worker_args=(worker --host 127.0.0.1 --port 0 --slots 1)

# Job control gives each node its own process group, so that a node does not ignore SIGINT (bash's rule for
# background commands) and a Ctrl-C on this terminal reaches only this script, which stops the nodes in order.
set -m
echo "local-cluster: sweep node $seed (the seed), $n workers, sweep file $sweep_file"
"$akkakd" "${sweep_args[@]}" ${extra[@]+"${extra[@]}"} </dev/null &
sweep_pid=$!
for i in $(seq 1 "$n"); do
  AKKAKD_SEEDS=$seed "$akkakd" "${worker_args[@]}" --cache "$nodes/w$i" --log "$nodes/w$i.log" \
    </dev/null >"$nodes/w$i.out" 2>&1 &
  worker_pids+=($!)
done
set +m

deadline=$((SECONDS + timeout))
while alive "$sweep_pid"; do
  if [ $interrupted = 1 ]; then
    echo "local-cluster: interrupted; stopping the sweep" >&2
    stop_sweep
    break
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "local-cluster: the sweep ran longer than $timeout s (AKKAKD_LOCAL_TIMEOUT); stopping it" >&2
    stop_sweep
    break
  fi
  workers_alive=0
  for p in "${worker_pids[@]}"; do alive "$p" && workers_alive=$((workers_alive + 1)); done
  if [ $workers_alive = 0 ]; then
    echo "local-cluster: every worker has exited (see $nodes/w*.out and w*.log); stopping the sweep" >&2
    stop_sweep
    break
  fi
  sleep 1
done
wait "$sweep_pid"
rc=$?
sweep_pid=""

stop_workers
trap - EXIT INT TERM

echo "local-cluster: sweep exit code $rc; results in $out (results.jsonl, leaderboard.md, leaderboard.csv, akkakd.log)," \
  "workers' logs in $nodes"
exit $rc
