#!/usr/bin/env bash
# A/B/Kafka: the base Ratatoskr jar, the new one and Kafka 4.4.0, each scenario alternating between the three
# (the order rotates with each repetition), same generator jar for all. Scenarios and settings as in
# bench/compare-kafka.sh (4 partitions, 1 KiB, 64 in flight per publisher).
#
#   BASE_JAR=/tmp/base/ratatoskr.jar NEW_JAR=/tmp/new/ratatoskr.jar BENCH_JAR=/tmp/new/ratatoskr-bench.jar \
#     REPS=3 DURATION=5s SCENARIOS='^(group-1c|async-1c|async-16c|drain-4m|live-4p4m)$' OUT=<dir> ab-kafka.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../../.." && pwd)
. "$root/bench/compare-lib.sh"
. "$root/bin/find-jdk.sh"
java="$(ratatoskr_find_jdk)/bin/java"
REPS=${REPS:-3}; DURATION=${DURATION:-5s}; WARMUP=${WARMUP:-2s}; SCENARIOS=${SCENARIOS:-.}
PRELOAD=${PRELOAD:-100000}; GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms1g -Xmx1g}
RUN_MAX_BUSY=${RUN_MAX_BUSY:-0.5}; RUN_QUIET_WAIT=${RUN_QUIET_WAIT:-20}
BROKERS=${BROKERS:-base new kafka}
bench_jar=$BENCH_JAR
mkdir -p "$OUT"
common_mqtt="--mqtt-version 5 --qos 1 --payload 1024 --inflight 64 --partitions 4"
common_kafka="--payload 1024 --inflight 64 --partitions 4"
drain_opts="--preload $PRELOAD --drain-timeout 60s"
scenarios=(
  "fsync-1c|-p 1 -s 0 --durability fsync|-p 1 --fsync"
  "group-1c|-p 1 -s 0 --durability group|-p 1"
  "group-16c|-p 16 -s 0 --durability group|-p 16"
  "async-1c|-p 1 -s 0 --durability async|-p 1"
  "async-16c|-p 16 -s 0 --durability async|-p 16"
  "drain-4m|-p 4 --group g --members 4 --durability group $drain_opts|-p 4 --consumers 4 $drain_opts"
  "live-4p4m|-p 4 --group g --members 4 --durability group|-p 4 --consumers 4"
)
work=$(mktemp -d "${TMPDIR:-/tmp}/pdur-ab.XXXXXX")
pids=()
trap 'stop_brokers "$work"' EXIT
declare -A mqtt_port http_port bpid
for b in base new; do
  [[ " $BROKERS " == *" $b "* ]] || continue
  jar=$BASE_JAR; [ $b = new ] && jar=$NEW_JAR
  mqtt_port[$b]=$(free_port); http_port[$b]=$(free_port)
  "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" server --data-dir "$work/$b-data" \
    --mqtt-port "${mqtt_port[$b]}" --grpc-port -1 --http-port "${http_port[$b]}" > "$OUT/$b.log" 2>&1 &
  bpid[$b]=$!; pids+=("${bpid[$b]}")
  wait_for_port "${mqtt_port[$b]}" "${bpid[$b]}" $b 60
  wait_for_port "${http_port[$b]}" "${bpid[$b]}" $b 60
done
if [[ " $BROKERS " == *" kafka "* ]]; then start_kafka_node "$work"; fi
{ describe_machine "$java"; echo "base: $BASE_JAR"; echo "new: $NEW_JAR"; echo "bench: $BENCH_JAR";
  echo "reps $REPS duration $DURATION warmup $WARMUP preload $PRELOAD scenarios $SCENARIOS brokers $BROKERS";
  echo "load at start: $(cat /proc/loadavg)"; } > "$OUT/environment.txt"
one() {
  local broker=$1 id=$2 rep=$3; shift 3
  local name="$id-$broker-$rep" rc=0
  before_run "$name"
  local common=(--duration "$DURATION" --warmup "$WARMUP" --clock-ticks "$(getconf CLK_TCK)"
    --label "broker=$broker" --label "scenario=$id" --label "rep=$rep" --label "load1=$load"
    --label "busy_before=$busy" --json "$OUT/$name.json")
  if [ "$broker" = kafka ]; then
    "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" io.ratatoskr.bench.kafka.KafkaLoad \
      --bootstrap "$bootstrap" --broker-pid "$kafka_pid" "${common[@]}" $common_kafka "$@" \
      > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  else
    "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" io.ratatoskr.bench.mqtt.MqttLoad \
      --port "${mqtt_port[$broker]}" --admin-url "http://127.0.0.1:${http_port[$broker]}" --broker-pid "${bpid[$broker]}" \
      "${common[@]}" $common_mqtt "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  fi
  after_run "$name" "$rc"
}
read -ra order <<< "$BROKERS"
for rep in $(seq 1 "$REPS"); do
  for entry in "${scenarios[@]}"; do
    id=${entry%%|*}; rest=${entry#*|}; ours=${rest%%|*}; theirs=${rest#*|}
    [[ $id =~ $SCENARIOS ]] || continue
    for b in "${order[@]}"; do
      if [ "$b" = kafka ]; then one kafka "$id" "$rep" $theirs; else one "$b" "$id" "$rep" $ours; fi
    done
  done
  order=("${order[@]:1}" "${order[0]}")   # rotate who goes first
done
echo "load at end: $(cat /proc/loadavg)" >> "$OUT/environment.txt"
