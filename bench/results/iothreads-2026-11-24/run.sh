#!/usr/bin/env bash
# One event loop against the default (one per CPU) on this 2-CPU machine: the same broker jar on both sides of
# `ratatoskr bench ab`, the new side started with --io-threads 1; MqttLoad 4 publishers -> 4 subscribers, one
# topic each, as the scenarios of bench/compare-mqtt.sh.
#   JAR=server/target/ratatoskr.jar REPS=5 bench/results/iothreads-2026-11-24/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
JAR=${JAR:-$root/server/target/ratatoskr.jar}
REPS=${REPS:-5}
SCENARIOS=${SCENARIOS:-q1-1KiB-10k q0-64B-10k q1-1KiB-186k q1-1KiB q0-64B}
for s in $SCENARIOS; do
  case $s in
    q1-1KiB-10k) args="--qos 1 -p 4 -s 4 --payload 1024 --rate 10000" ;;
    q0-64B-10k) args="--qos 0 -p 4 -s 4 --payload 64 --rate 10000" ;;
    q1-1KiB-186k) args="--qos 1 -p 4 -s 4 --payload 1024 --rate 186000" ;;
    q1-1KiB) args="--qos 1 -p 4 -s 4 --payload 1024" ;;
    q0-64B) args="--qos 0 -p 4 -s 4 --payload 64" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
  echo "== $s: $args (load $(cut -d' ' -f1-3 /proc/loadavg))"
  # shellcheck disable=SC2086
  "$root/ratatoskr" bench ab --base "$JAR" --new "$JAR" --new-args "--io-threads 1" --reps "$REPS" --out "$here/$s" -- \
    $args --duration 5s --warmup 2s 2>&1 | tee "$here/$s.log" | sed -n '/^| figure/,/^results/p'
done
