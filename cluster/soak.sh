#!/usr/bin/env bash
# Soak under churn, on loopback: about 1,000 short trials over 3 worker processes while a worker is killed (SIGKILL)
# and restarted every few seconds. Checks that every trial is in the journal exactly once and prints what it did:
# kills, restarts, trials requeued, duplicate results discarded, wall time. Bounded: gives up after
# AKKAKD_SOAK_TIMEOUT seconds (default 900). The CI test tests/AkkaKd.Cli.Tests/SoakTests.cs is a shorter version.
#
#     cluster/soak.sh [WIDTHS (default 50)] [KILL_EVERY_SECONDS (default 4)]
#
# Trials: (alpha 0.5, 0.9 x T 2, 4, plus a baseline) x WIDTHS widths x 4 seeds = 20 x WIDTHS.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 2
widths=${1:-50}
every=${2:-4}
limit=${AKKAKD_SOAK_TIMEOUT:-900}
[[ $widths =~ ^[1-9][0-9]*$ && $every =~ ^[1-9][0-9]*$ && $limit =~ ^[0-9]+$ ]] || { echo "usage: cluster/soak.sh [WIDTHS] [KILL_EVERY_SECONDS]" >&2; exit 2; }
unset AKKAKD_HOST AKKAKD_PUBLIC_HOST AKKAKD_PORT AKKAKD_SEEDS AKKAKD_SLOTS AKKAKD_CONFIG

work=$(mktemp -d /tmp/akkakd-soak.XXXXXX)
bin=$repo/.cache/soak/bin
echo "soak: building into $bin" >&2
dotnet publish src/AkkaKd.Cli -c Release -o "$bin" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 2; }
akkakd=$bin/akkakd

list=$(seq -s ', ' 4 $((widths + 3)))
cat >"$work/soak.hocon" <<HOCON
sweep {
  name = soak
  data    { source = "embedded:mnist10k", train = 500, test = 200 }
  teacher { hidden = [32], epochs = 1, batch = 50, lr = 0.003 }
  student { epochs = 4, batch = 50, lr = 0.003 }
  grid    { temperature = [2, 4], alpha = [0, 0.5, 0.9], width = [$list], seeds = [1, 2, 3, 4] }
}
HOCON
expected=$((20 * widths))
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
seed=akka.tcp://akkakd@127.0.0.1:$port

pids=()
cleanup() {
  kill -9 "${pids[@]}" "$sweep_pid" 2>/dev/null
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

"$akkakd" sweep "$work/soak.hocon" --out "$work/out" --port "$port" --slots 0 --min-workers 3 --plain >"$work/sweep.out" 2>&1 &
sweep_pid=$!
start_worker() { # index generation
  "$akkakd" worker --seeds "$seed" --slots 1 --cache "$work/w$1" --log "$work/w$1-$2.log" >"$work/w$1-$2.out" 2>&1 &
  pids[$1]=$!
  born[$1]=$SECONDS
}
declare -a born
for i in 0 1 2; do start_worker $i 0; done

kills=0 restarts=0 t0=$SECONDS
while kill -0 "$sweep_pid" 2>/dev/null; do
  if [ $((SECONDS - t0)) -ge "$limit" ]; then
    echo "soak: FAILED: not finished after $limit s" >&2
    exit 1
  fi
  sleep "$every"
  kill -0 "$sweep_pid" 2>/dev/null || break
  i=$((RANDOM % 3))
  [ $((SECONDS - born[i])) -ge 5 ] || continue # give a new process time to start and join
  kill -9 "${pids[$i]}" 2>/dev/null && kills=$((kills + 1))
  wait "${pids[$i]}" 2>/dev/null # reap it quietly
  restarts=$((restarts + 1))
  start_worker $i $restarts
done
wait "$sweep_pid"
rc=$?
wall=$((SECONDS - t0))
summary=$(grep "trials finished" "$work/sweep.out" | tail -1)
lines=$(grep -c '"type":"trial"' "$work/out/results.jsonl")
unique=$(grep '"type":"trial"' "$work/out/results.jsonl" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' | sort -u | wc -l)
requeued=$(echo "$summary" | grep -o '[0-9]* requeued' | grep -o '[0-9]*')
duplicates=$(echo "$summary" | grep -o '[0-9]* duplicate' | grep -o '[0-9]*')
downed=$(grep -c "downing worker node" "$work/out/akkakd.log")
echo "soak: $expected trials, 3 workers, a kill every ${every} s: $kills kills, $restarts restarts, ${requeued:-0} trials requeued," \
  "${duplicates:-0} duplicate results discarded, $downed dead workers downed, ${wall} s; sweep exit $rc"
echo "soak: journal: $lines trial lines, $unique distinct ids (expected $expected each)"
if [ "$rc" = 0 ] && [ "$lines" = "$expected" ] && [ "$unique" = "$expected" ]; then
  echo "soak: OK (files in $work)"
  exit 0
fi
echo "soak: FAILED (files in $work)" >&2
exit 1
