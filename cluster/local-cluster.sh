#!/usr/bin/env bash
# The lab cluster of docker-compose.yml as processes on this machine's loopback, without Docker: the same services
# and command lines (127.0.0.1 for 0.0.0.0 and the service names, free ports for the seeds' 4053, port 0 for the
# replicas), the same four steps.
#
#     cluster/local-cluster.sh up [N]               # docker compose up -d: seed1, seed2 and N workers (default 2)
#     cluster/local-cluster.sh sweep [FILE] [ARGS]  # docker compose run --rm sweep: a sweep into it (configs/laptop.hocon)
#     cluster/local-cluster.sh status | cancel SWEEP   # docker compose run --rm akkakd status | cancel SWEEP
#     cluster/local-cluster.sh down                 # docker compose down: SIGTERM, SIGKILL after 30 s
#
# `up` builds the program (dotnet publish into .cache/local-cluster/bin), starts the nodes in the background (they
# outlive this script and every sweep) and returns once each has joined. `sweep` runs in the foreground like any
# `akkakd sweep` (Ctrl-C keeps what finished) and exits with its exit code; results go to results/NAME-TIMESTAMP/
# (or --out DIR). The nodes' output and logs: .cache/local-cluster/nodes/. Environment: AKKAKD (an akkakd program to
# run instead of building one), AKKAKD_LOCAL_DIR (the state folder, default .cache/local-cluster), AKKAKD_CONFIG
# (node settings, default cluster/node.hocon).
set -uo pipefail

usage() {
  echo "usage: cluster/local-cluster.sh up [N] | sweep [SWEEP_FILE] [sweep options] | status [--json] | cancel SWEEP | down" >&2
  exit 2
}
say() { echo "local-cluster: $*" >&2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
[ $# -ge 1 ] || usage
action=$1
shift

state=${AKKAKD_LOCAL_DIR:-$repo/.cache/local-cluster}
nodes=$state/nodes
pids=$state/pids    # one line per node: NAME PID
# Every node setting comes from the command line or, as in docker-compose.yml, from the environment below.
unset AKKAKD_HOST AKKAKD_PUBLIC_HOST AKKAKD_PORT AKKAKD_SEEDS AKKAKD_SLOTS
export AKKAKD_CONFIG=${AKKAKD_CONFIG:-$repo/cluster/node.hocon}
akkakd=${AKKAKD:-$state/bin/akkakd}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# 0 when a node of the cluster is still running.
running() {
  [ -s "$pids" ] || return 1
  local name p
  while read -r name p; do alive "$p" && return 0; done <"$pids"
  return 1
}
seeds() {
  if [ -s "$state/seeds" ] && running; then
    cat "$state/seeds"
  else
    say "no cluster is up (start one: cluster/local-cluster.sh up N)"
    return 2
  fi
}

# A port free on loopback now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 30000))
}

build() {
  [ -n "${AKKAKD:-}" ] && return 0
  say "building akkakd (dotnet publish -> $state/bin)"
  mkdir -p "$state/bin"
  if ! dotnet publish src/AkkaKd.Cli -c Release -o "$state/bin" >"$state/build.log" 2>&1; then
    tail -n 30 "$state/build.log" >&2
    say "the build failed (log: $state/build.log)"
    exit 2
  fi
}

# Starts one node in the background, in its own session (it outlives this script; `down` stops it).
start_node() {
  local name=$1
  shift
  setsid "$akkakd" "$@" --cache "$nodes/$name" --log "$nodes/$name.log" </dev/null >"$nodes/$name.out" 2>&1 &
  echo "$name $!" >>"$pids"
}

up() {
  local n=${1:-2}
  [[ $n =~ ^[0-9]+$ ]] || usage
  if running; then
    say "already up ($(wc -l <"$pids") nodes, seeds $(cat "$state/seeds")); cluster/local-cluster.sh down first to change it"
    return 0
  fi
  build
  rm -rf "$nodes" "$pids"
  mkdir -p "$nodes"
  local p1 p2 seeds
  p1=$(free_port)
  p2=$(free_port)
  seeds=akka.tcp://akkakd@127.0.0.1:$p1,akka.tcp://akkakd@127.0.0.1:$p2
  echo "$seeds" >"$state/seeds"

  # The command lines of docker-compose.yml's seed1, seed2 and worker services.
  seed1_args=(worker --host 127.0.0.1 --public-host 127.0.0.1 --port "$p1" --slots 1)
  seed2_args=(worker --host 127.0.0.1 --public-host 127.0.0.1 --port "$p2" --slots 1)
  worker_args=(worker --host 127.0.0.1 --port 0 --slots 1)
  export AKKAKD_SEEDS=$seeds
  start_node seed1 "${seed1_args[@]}"
  start_node seed2 "${seed2_args[@]}"
  for i in $(seq 1 "$n"); do start_node "worker$i" "${worker_args[@]}"; done
  unset AKKAKD_SEEDS

  # Each node prints "worker ADDRESS: N slots, joined ..." once it is a member.
  local end=$((SECONDS + 120)) name pid missing
  while :; do
    missing=()
    while read -r name pid; do
      alive "$pid" || { say "$name exited: $(tail -n 3 "$nodes/$name.out" | tr '\n' ' ')"; down; exit 1; }
      grep -q ', joined ' "$nodes/$name.out" 2>/dev/null || missing+=("$name")
    done <"$pids"
    [ ${#missing[@]} = 0 ] && break
    if [ $SECONDS -ge $end ]; then
      say "not joined after 120 s: ${missing[*]} (see $nodes/*.out)"
      down
      exit 1
    fi
    sleep 0.5
  done
  say "up: seed1, seed2 and $n more worker(s) (seeds $seeds); logs in $nodes"
  grep -h ', joined ' "$nodes"/*.out | sed 's/^/  /' >&2
}

down() {
  [ -s "$pids" ] || { say "no cluster to stop"; return 0; }
  local name pid live=()
  while read -r name pid; do alive "$pid" && live+=("$pid"); done <"$pids"
  if [ ${#live[@]} -gt 0 ]; then
    say "stopping ${#live[@]} nodes (SIGTERM)"
    kill -TERM "${live[@]}" 2>/dev/null
    local end=$((SECONDS + 30)) left
    while :; do
      left=()
      for pid in "${live[@]}"; do alive "$pid" && left+=("$pid"); done
      [ ${#left[@]} = 0 ] && break
      if [ $SECONDS -ge $end ]; then
        say "${#left[@]} nodes still running 30 s after SIGTERM: SIGKILL"
        kill -KILL "${left[@]}" 2>/dev/null
        break
      fi
      sleep 0.5
    done
  fi
  rm -f "$pids" "$state/seeds"
  say "down"
}

case $action in
  up) [ $# -le 1 ] || usage; up "$@" ;;
  down) [ $# = 0 ] || usage; down ;;
  sweep)
    # docker-compose.yml's sweep service: `sweep --slots 0 [FILE]`, its address from AKKAKD_HOST, the seeds from AKKAKD_SEEDS.
    seeds=$(seeds) || exit 2
    [ $# -ge 1 ] || set -- configs/laptop.hocon
    sweep_args=(sweep --slots 0)
    AKKAKD_SEEDS=$seeds AKKAKD_HOST=127.0.0.1 exec "$akkakd" "${sweep_args[@]}" "$@"
    ;;
  status | cancel)
    seeds=$(seeds) || exit 2
    AKKAKD_SEEDS=$seeds AKKAKD_HOST=127.0.0.1 exec "$akkakd" "$action" "$@"
    ;;
  *) usage ;;
esac
