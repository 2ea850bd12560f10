#!/usr/bin/env bash
# Before/after of the payload changes: base = main c0ef7ae, new = branch pay; MqttLoad 4x4 pairs as in the
# payload table of docs/benchmarks.md (bench/compare-mqtt.sh q[01]-4x4-<size>), flat out, then fixed rates.
#   BASE=/tmp/base-c0ef7ae/ratatoskr.jar NEW=<copy of server/target/ratatoskr.jar> REPS=3 \
#     bench/results/payloads-2026-11-24c/run-ab.sh
# OUT (this directory) is where each scenario's results and log go; the quiet rerun of 2026-11-24d used
#   OUT=bench/results/payloads-2026-11-24d.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
BASE=${BASE:-/tmp/base-c0ef7ae/ratatoskr.jar}
NEW=${NEW:?the new broker jar}
OUT=${OUT:-$here}
REPS=${REPS:-3}
SCENARIOS=${SCENARIOS:-q1-64KiB q0-64KiB q1-16KiB q0-16KiB q1-4KiB q0-4KiB q1-64KiB-2k q1-16KiB-5k}
for s in $SCENARIOS; do
  case $s in
    q1-64KiB) args="--qos 1 -p 4 -s 4 --payload 65536" ;;
    q0-64KiB) args="--qos 0 -p 4 -s 4 --payload 65536" ;;
    q1-16KiB) args="--qos 1 -p 4 -s 4 --payload 16384" ;;
    q0-16KiB) args="--qos 0 -p 4 -s 4 --payload 16384" ;;
    q1-4KiB) args="--qos 1 -p 4 -s 4 --payload 4096" ;;
    q0-4KiB) args="--qos 0 -p 4 -s 4 --payload 4096" ;;
    q1-64KiB-2k) args="--qos 1 -p 4 -s 4 --payload 65536 --rate 2000" ;;
    q1-16KiB-5k) args="--qos 1 -p 4 -s 4 --payload 16384 --rate 5000" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
  echo "== $s: $args (load $(cut -d' ' -f1-3 /proc/loadavg))"
  # shellcheck disable=SC2086
  "$root/ratatoskr" bench ab --base "$BASE" --new "$NEW" --reps "$REPS" --out "$OUT/$s" -- \
    $args --duration 5s --warmup 2s 2>&1 | tee "$OUT/$s.log" | sed -n '/^| figure/,/^results/p'
done
