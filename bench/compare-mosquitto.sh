#!/usr/bin/env bash
# Runs the same MQTT load against Ratatoskr and Mosquitto, alternately, several times, and prints the
# medians and the Ratatoskr/Mosquitto ratios (bench/README.md, docs/benchmarks.md).
#
#   bench/compare-mosquitto.sh                   # every scenario, 3 repetitions, 10 s each (~24 min)
#   REPS=1 DURATION=3s SCENARIOS='q1-' bench/compare-mosquitto.sh   # a quick look at the QoS 1 ones
#
# Environment:
#   REPS (3)  DURATION (10s)  WARMUP (2s)  SCENARIOS (regex over scenario ids; all)
#   OUT (bench/results/tmp/<timestamp>)  GEN_JAVA_OPTS (-Xms1g -Xmx1g)  RATATOSKR_JAVA_OPTS (none)
#   MOSQUITTO (/usr/sbin/mosquitto)  BUILD (1: build the jars if missing; always: rebuild)
#
# Both brokers run for the whole comparison, each on a free loopback port; Ratatoskr from
# server/target/ratatoskr.jar with a fresh --data-dir, Mosquitto with the config written below
# (persistence off; in-flight window and queue as Ratatoskr's defaults; TCP_NODELAY as Ratatoskr).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=../bin/find-jdk.sh
. "$root/bin/find-jdk.sh"
JAVA_HOME=$(ratatoskr_find_jdk) || exit 1
java="$JAVA_HOME/bin/java"

REPS=${REPS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SCENARIOS=${SCENARIOS:-.}
OUT=${OUT:-$root/bench/results/tmp/$(date -u +%Y%m%dT%H%M%SZ)}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms1g -Xmx1g}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
BUILD=${BUILD:-1}
INFLIGHT_BROKER=256      # Ratatoskr --max-inflight default; Mosquitto max_inflight_messages
QUEUED_BROKER=1000       # Ratatoskr --max-queued-messages default; Mosquitto max_queued_messages

server_jar="$root/server/target/ratatoskr.jar"
bench_jar="$root/bench/target/ratatoskr-bench.jar"
if [ "$BUILD" = always ] || { [ "$BUILD" = 1 ] && { [ ! -f "$server_jar" ] || [ ! -f "$bench_jar" ]; }; }; then
  echo "building server and bench jars..." >&2
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests package -pl server,bench -am) >&2
fi
[ -x "$MOSQUITTO" ] || { echo "no Mosquitto at $MOSQUITTO (apt-get install -y mosquitto)" >&2; exit 1; }

# Scenario id | MqttLoad arguments. Flat out measures throughput; a fixed rate both brokers sustain
# measures latency.
scenarios=(
  "q0-4x4-64B|--qos 0 -p 4 -s 4 --payload 64"
  "q0-4x4-1KiB|--qos 0 -p 4 -s 4 --payload 1024"
  "q1-4x4-64B|--qos 1 -p 4 -s 4 --payload 64"
  "q1-4x4-1KiB|--qos 1 -p 4 -s 4 --payload 1024"
  "q0-1x10-64B|--qos 0 -p 1 -s 10 --topics 1 --payload 64"
  "q0-1x10-1KiB|--qos 0 -p 1 -s 10 --topics 1 --payload 1024"
  "q1-1x10-64B|--qos 1 -p 1 -s 10 --topics 1 --payload 64"
  "q1-1x10-1KiB|--qos 1 -p 1 -s 10 --topics 1 --payload 1024"
  "q0-4x4-64B-10k|--qos 0 -p 4 -s 4 --payload 64 --rate 10000"
  "q0-4x4-1KiB-10k|--qos 0 -p 4 -s 4 --payload 1024 --rate 10000"
  "q1-4x4-64B-10k|--qos 1 -p 4 -s 4 --payload 64 --rate 10000"
  "q1-4x4-1KiB-10k|--qos 1 -p 4 -s 4 --payload 1024 --rate 10000"
  # Persistent subscriber sessions (clean session 0): Ratatoskr stores every message for them before the
  # PUBACK (fsync, group commit); Mosquitto (persistence false) keeps them in memory.
  "q1-4x4-64B-ps|--qos 1 -p 4 -s 4 --payload 64 --persistent-subscribers"
  "q1-4x4-1KiB-ps|--qos 1 -p 4 -s 4 --payload 1024 --persistent-subscribers"
  "q1-1x10-64B-ps|--qos 1 -p 1 -s 10 --topics 1 --payload 64 --persistent-subscribers"
  "q1-4x4-64B-ps-10k|--qos 1 -p 4 -s 4 --payload 64 --persistent-subscribers --rate 10000"
)

mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/ratatoskr-compare.XXXXXX")
pids=()
# shellcheck source=compare-lib.sh
. "$here/compare-lib.sh"
trap 'stop_brokers "$work"' EXIT

mosquitto_port=$(free_port)
ratatoskr_port=$(free_port)
while [ "$ratatoskr_port" = "$mosquitto_port" ]; do ratatoskr_port=$(free_port); done
cat > "$work/mosquitto.conf" <<CONF
listener $mosquitto_port 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages $INFLIGHT_BROKER
max_queued_messages $QUEUED_BROKER
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
CONF
cp "$work/mosquitto.conf" "$OUT/mosquitto.conf"
"$MOSQUITTO" -c "$work/mosquitto.conf" > "$OUT/mosquitto.log" 2>&1 &
mosquitto_pid=$!
pids+=("$mosquitto_pid")

# shellcheck disable=SC2086
"$java" --enable-native-access=ALL-UNNAMED ${RATATOSKR_JAVA_OPTS:-} -jar "$server_jar" server \
  --data-dir "$work/ratatoskr-data" --mqtt-port "$ratatoskr_port" --grpc-port -1 --http-port -1 \
  --max-inflight "$INFLIGHT_BROKER" --max-queued-messages "$QUEUED_BROKER" > "$OUT/ratatoskr.log" 2>&1 &
ratatoskr_pid=$!
pids+=("$ratatoskr_pid")

wait_for_port "$mosquitto_port" "$mosquitto_pid" mosquitto
wait_for_port "$ratatoskr_port" "$ratatoskr_pid" ratatoskr

{
  describe_machine "$java"
  echo "mosquitto: $("$MOSQUITTO" -h 2>/dev/null | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ratatoskr: java --enable-native-access=ALL-UNNAMED ${RATATOSKR_JAVA_OPTS:-} -jar server/target/ratatoskr.jar server --data-dir <fresh> --mqtt-port <free> --max-inflight $INFLIGHT_BROKER --max-queued-messages $QUEUED_BROKER"
  echo "mosquitto: $MOSQUITTO -c mosquitto.conf"
  echo "generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad --duration $DURATION --warmup $WARMUP <scenario arguments>"
  echo "repetitions: $REPS"
} > "$OUT/environment.txt"
cat "$OUT/environment.txt" >&2

clock_ticks=$(getconf CLK_TCK)
run() { # broker, port, pid, scenario id, rep, args...
  local broker=$1 port=$2 pid=$3 id=$4 rep=$5
  shift 5
  local name="$id-$broker-$rep"
  echo "[$(date -u +%H:%M:%S)] $name" >&2
  local rc=0
  # shellcheck disable=SC2086
  "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" io.ratatoskr.bench.mqtt.MqttLoad \
      --port "$port" --broker-pid "$pid" --clock-ticks "$clock_ticks" --duration "$DURATION" --warmup "$WARMUP" \
      --label "broker=$broker" --label "scenario=$id" --label "rep=$rep" --json "$OUT/$name.json" "$@" \
      > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "  run failed (exit $rc); see $OUT/$name.err and $OUT/$name.txt" >&2
  fi
  grep -E '^(delivered|end to end|expected)' "$OUT/$name.txt" | sed 's/^/  /' >&2 || true
  kill -0 "$pid" 2>/dev/null || { echo "$broker died; see $OUT/$broker.log" >&2; exit 1; }
}

for rep in $(seq 1 "$REPS"); do
  for entry in "${scenarios[@]}"; do
    id=${entry%%|*}
    args=${entry#*|}
    [[ $id =~ $SCENARIOS ]] || continue
    # Alternate which broker goes first, so that neither always runs right after the other's load.
    if [ $((rep % 2)) -eq 1 ]; then
      order="ratatoskr mosquitto"
    else
      order="mosquitto ratatoskr"
    fi
    for broker in $order; do
      if [ "$broker" = ratatoskr ]; then
        # shellcheck disable=SC2086
        run ratatoskr "$ratatoskr_port" "$ratatoskr_pid" "$id" "$rep" $args
      else
        # shellcheck disable=SC2086
        run mosquitto "$mosquitto_port" "$mosquitto_pid" "$id" "$rep" $args
      fi
    done
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
"$java" -cp "$bench_jar" io.ratatoskr.bench.mqtt.CompareReport --results "$OUT" --out "$OUT/summary.md"
echo "results in $OUT" >&2
