#!/usr/bin/env bash
# Rate sweep: runs one MQTT scenario flat out against Ratatoskr and each peer to find its maximum, then at fixed
# rates of FRACTIONS of that maximum (each broker at its own), the brokers taking turns at each step, and plots
# throughput achieved and p50/p99/p99.9 latency against offered load (PNG, io.ratatoskr.bench.report.SweepPlot).
#
#   bench/sweep-mqtt.sh                                           # q1 4x4 1 KiB against ratatoskr, mosquitto, hivemq
#   SWEEP=q0-4x4-64B ARGS='--qos 0 -p 4 -s 4 --payload 64' PEERS=mosquitto bench/sweep-mqtt.sh
#
# Environment:
#   SWEEP (q1-4x4-1KiB: the sweep's id, in file names and plot titles)  ARGS (MqttLoad arguments of the scenario;
#   default --qos 1 -p 4 -s 4 --payload 1024)  FRACTIONS ("0.1 0.25 0.5 0.75 0.9")  PEERS ("mosquitto hivemq")
#   REPS (1: runs per point)  DURATION (5s)  WARMUP (2s)  OUT (bench/results/tmp/sweep-<timestamp>)
#   PLOTS (where the PNGs and the table go; default $OUT)  GEN_JAVA_OPTS, RATATOSKR_JAVA_OPTS, HIVEMQ_JAVA_OPTS,
#   MOSQUITTO, BUILD, PRIME as for compare-mqtt.sh.
#
# The brokers run as in compare-mqtt.sh (same settings). A point's rate is a fraction of that broker's own flat-out
# publish rate, so every broker's curve covers its own range; the plots' x axis is absolute offered deliveries/s.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=compare-lib.sh
. "$here/compare-lib.sh"
mqtt_settings
SWEEP=${SWEEP:-q1-4x4-1KiB}
ARGS=${ARGS:---qos 1 -p 4 -s 4 --payload 1024}
FRACTIONS=${FRACTIONS:-0.1 0.25 0.5 0.75 0.9}
REPS=${REPS:-1}
DURATION=${DURATION:-5s}
OUT=${OUT:-$root/bench/results/tmp/sweep-$(date -u +%Y%m%dT%H%M%SZ)}
PLOTS=${PLOTS:-$OUT}

mqtt_jars "$BUILD" "$PEERS"

declare -A broker_port broker_pid broker_gclog max_rate
start_mqtt_brokers sweep \
  "sweep $SWEEP: MqttLoad $ARGS --duration $DURATION --warmup $WARMUP; fractions $FRACTIONS of each broker's flat-out rate; $REPS run(s) per point"

[ "$PRIME" = 1 ] && prime_brokers
labels=(--label "sweep=$SWEEP")
for b in "${brokers[@]}"; do
  name="$SWEEP-flat-$b"
  echo "[$(date -u +%H:%M:%S)] $name (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  # shellcheck disable=SC2086
  mqtt_load "$name" "$b" "${labels[@]}" --label "scenario=$SWEEP-flat" --label "offered=flat" $ARGS \
    || { echo "the flat-out run against $b failed; no sweep" >&2; exit 1; }
  max_rate[$b]=$("$java" -cp "$bench_jar" io.ratatoskr.bench.report.SweepPlot --rate-of "$OUT/$name.json")
  echo "  $b: flat out at ${max_rate[$b]} msg/s published" >&2
done

n=${#brokers[@]}
step=0
for f in $FRACTIONS; do
  for rep in $(seq 1 "$REPS"); do
    step=$((step + 1))
    for k in $(seq 0 $((n - 1))); do
      b=${brokers[$(( (k + step - 1) % n ))]}
      rate=$(awk -v m="${max_rate[$b]}" -v f="$f" 'BEGIN { printf "%.0f", m * f }')
      name="$SWEEP-$f-$b-$rep"
      echo "[$(date -u +%H:%M:%S)] $name: $rate msg/s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      # shellcheck disable=SC2086
      mqtt_load "$name" "$b" "${labels[@]}" --label "scenario=$SWEEP-$f" --label "offered=$f" --label "rep=$rep" \
        $ARGS --rate "$rate" || true
    done
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
"$java" -Djava.awt.headless=true -cp "$bench_jar" io.ratatoskr.bench.report.SweepPlot --results "$OUT" --out "$PLOTS"
cat "$PLOTS/$SWEEP.md"
echo "results in $OUT, plots in $PLOTS" >&2
