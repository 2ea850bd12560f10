#!/usr/bin/env bash
# Durable topics and consumer groups, Ratatoskr against Apache Kafka in the same run: durable QoS 1 publish
# (fsync, group commit and async, 1 and 16 clients), consumer-group drain (1 and 4 members) and a live run, each
# scenario on both brokers alternately, REPS times; prints the medians and the Ratatoskr/Kafka ratios
# (bench/README.md, docs/benchmarks.md).
#
#   ./mvnw -B -ntp -q -DskipTests package -pl server,bench -am     # first: this script builds nothing
#   bench/compare-kafka.sh                                          # every scenario, 3 repetitions (~17 min)
#   REPS=1 DURATION=3s SCENARIOS='^fsync' bench/compare-kafka.sh    # a quick look
#
# Environment:
#   REPS (3)  DURATION (10s)  WARMUP (2s)  SCENARIOS (regex over scenario ids; all)  PAYLOAD (1024)
#   PARTITIONS (4)  PRELOAD (200000, drain runs)  INFLIGHT (64, per publisher)
#   OUT (bench/results/durable-<UTC date>/run-<UTC time>)  WORK (a fresh directory under ${TMPDIR:-/tmp}: both brokers' data)
#   GEN_JAVA_OPTS (-Xms1g -Xmx1g)  RATATOSKR_JAVA_OPTS (none)  KAFKA_JAVA_OPTS (none)
#   RATATOSKR_JAR (server/target/ratatoskr.jar)  BENCH_JAR (bench/target/ratatoskr-bench.jar: generators and Kafka)
#   BROKERS ("ratatoskr kafka"; one of them to run only its side)
#   MAX_LOAD (1.5): wait, before starting, until the 1-minute load average is at most this
#   QUIET_WAIT (1800): longest wait for that, in seconds; then run anyway and say so
#   RUN_MAX_BUSY (0.5): before each run, with both brokers idle, wait until the machine is busy for at most
#     this many CPUs (over 2 s), i.e. until nobody else is building; RUN_QUIET_WAIT (300) seconds at most
#   BROKER_WARMUP (regex over scenario ids, default '^(group-16c|drain-4m|live-4p4m)$'; empty: none): run these
#     once on both brokers before the measured repetitions, results discarded. A drain measures from the first
#     delivery, with no warm-up of its own, so without this the first repetition of a drain times the JIT
#     compiling each broker's read path as much as the broker
#
# Both brokers run for the whole comparison on free loopback ports, with their data in the same fresh
# directory (one filesystem): Ratatoskr from server/target/ratatoskr.jar, Kafka 4.4.0 as a single KRaft
# node (io.ratatoskr.bench.kafka.KafkaNode) from bench/target/ratatoskr-bench.jar. Each run creates a topic
# of its own with PARTITIONS partitions and deletes it afterwards; `sync` runs before each run so that one
# broker's dirty pages are not written back during the other's run. Both JVMs log GC to $OUT/<broker>-gc.log; every
# run reports its broker's CPU, RSS, peak RSS, GC pauses and heap after GC in its window (last table of summary.md).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=compare-lib.sh
. "$here/compare-lib.sh"
kafka_comparison_settings durable
PAYLOAD=${PAYLOAD:-1024}
PARTITIONS=${PARTITIONS:-4}
PRELOAD=${PRELOAD:-200000}
BROKER_WARMUP=${BROKER_WARMUP-'^(group-16c|drain-4m|live-4p4m)$'}
INFLIGHT=${INFLIGHT:-64}

# Scenario id | MqttLoad arguments (Ratatoskr) | KafkaLoad arguments. Same clients, partitions, payload and
# in-flight window on both sides. fsync: Ratatoskr fsyncs before PUBACK, Kafka's topic has flush.messages=1.
# group: Ratatoskr group-commits (fsync shared by concurrent publishes, default 2 ms gather), Kafka keeps its
# default and does not fsync at all (the page cache). async: neither fsyncs before acknowledging (Ratatoskr
# flushes in the background), the like-for-like match of Kafka's default. The consumer-group runs use
# Ratatoskr's group mode and Kafka's default.
common_mqtt="--mqtt-version 5 --qos 1 --payload $PAYLOAD --inflight $INFLIGHT --partitions $PARTITIONS"
common_kafka="--payload $PAYLOAD --inflight $INFLIGHT --partitions $PARTITIONS"
drain_opts="--preload $PRELOAD --drain-timeout 60s"
scenarios=(
  "fsync-1c|-p 1 -s 0 --durability fsync|-p 1 --fsync"
  "fsync-16c|-p 16 -s 0 --durability fsync|-p 16 --fsync"
  "group-1c|-p 1 -s 0 --durability group|-p 1"
  "group-16c|-p 16 -s 0 --durability group|-p 16"
  "async-1c|-p 1 -s 0 --durability async|-p 1"
  "async-16c|-p 16 -s 0 --durability async|-p 16"
  "drain-1m|-p 4 --group g --members 1 --durability group $drain_opts|-p 4 --consumers 1 $drain_opts"
  "drain-4m|-p 4 --group g --members 4 --durability group $drain_opts|-p 4 --consumers 4 $drain_opts"
  "live-4p4m|-p 4 --group g --members 4 --durability group|-p 4 --consumers 4"
)

wait_for_quiet_machine
mkdir -p "$OUT"
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/ratatoskr-compare-kafka.XXXXXX")}
mkdir -p "$work"
pids=()
if [ -n "${WORK:-}" ]; then trap 'stop_brokers' EXIT; else trap 'stop_brokers "$work"' EXIT; fi

mqtt_port=$(free_port)
http_port=$(free_port)
while [ "$http_port" = "$mqtt_port" ]; do http_port=$(free_port); done
ratatoskr_gclog="$OUT/ratatoskr-gc.log"
# shellcheck disable=SC2086
"$java" --enable-native-access=ALL-UNNAMED "$(gc_log_option "$ratatoskr_gclog")" ${RATATOSKR_JAVA_OPTS:-} \
  -jar "$server_jar" server \
  --data-dir "$work/ratatoskr-data" --mqtt-port "$mqtt_port" --grpc-port -1 --http-port "$http_port" \
  > "$OUT/ratatoskr.log" 2>&1 &
ratatoskr_pid=$!
pids+=("$ratatoskr_pid")

wait_for_port "$mqtt_port" "$ratatoskr_pid" ratatoskr 60
wait_for_port "$http_port" "$ratatoskr_pid" ratatoskr 60
start_kafka_node "$work"

{
  describe_machine "$java"
  echo "data filesystem: $(df -hT "$work" | tail -1)"
  echo "load average before starting the brokers: $load_before (waited ${waited}s for a 1-minute figure <= $MAX_LOAD)"
  echo "load average once both were up: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ratatoskr: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=ratatoskr-gc.log:... ${RATATOSKR_JAVA_OPTS:-} -jar $server_jar server --data-dir <fresh> --mqtt-port <free> --grpc-port -1 --http-port <free>"
  echo "kafka: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=kafka-gc.log:... ${KAFKA_JAVA_OPTS:-} -cp $bench_jar io.ratatoskr.bench.kafka.KafkaNode --dir <fresh, same filesystem>"
  echo "mqtt generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad --admin-url http://127.0.0.1:<http> --duration $DURATION --warmup $WARMUP $common_mqtt <scenario>"
  echo "kafka generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.kafka.KafkaLoad --bootstrap <kafka> --duration $DURATION --warmup $WARMUP $common_kafka <scenario>"
  echo "repetitions: $REPS (after one unmeasured run of each of: ${BROKER_WARMUP:-none})"
  echo "scenarios:"
  for entry in "${scenarios[@]}"; do echo "  $entry"; done
} > "$OUT/environment.txt"
cat "$OUT/environment.txt" >&2

ratatoskr_gen=(io.ratatoskr.bench.mqtt.MqttLoad --port "$mqtt_port" --admin-url "http://127.0.0.1:$http_port")
common_ours=$common_mqtt
warm_up_brokers "$work"
run_scenarios

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
"$java" -cp "$bench_jar" io.ratatoskr.bench.mqtt.CompareReport --results "$OUT" --baseline kafka \
  --throughput-target 0 --out "$OUT/summary.md"
echo "results in $OUT" >&2
