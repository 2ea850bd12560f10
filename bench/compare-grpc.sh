#!/usr/bin/env bash
# Ratatoskr's gRPC API against Apache Kafka in the same run: unary Publish (sequential and concurrent, 100 B and
# 1 KiB, fsync and group durability), the Java client's batching TopicPublisher, PublishBatch, a consumer group draining a backlog (Consume + Ack) and
# publish-to-delivery latency at a fixed rate, each scenario on both brokers alternately, REPS times; prints
# the medians and the Ratatoskr/Kafka ratios (bench/README.md, docs/benchmarks.md).
#
#   ./mvnw -B -ntp -q -DskipTests package -pl server,bench -am     # first: this script builds nothing
#   bench/compare-grpc.sh                                           # every scenario, 3 repetitions
#   REPS=1 DURATION=3s SCENARIOS='^seq' bench/compare-grpc.sh       # a quick look
#
# Environment:
#   REPS (3)  DURATION (10s)  WARMUP (2s)  SCENARIOS (regex over scenario ids; all)  PARTITIONS (4)
#   CLIENTS (4, concurrent scenarios)  WINDOW (16, calls outstanding per concurrent client)  BATCH (100)
#   CONSUME_BATCH (50: deliveries per Consume response and ids per Ack in the consume-*-bN runs)
#   CALLS_IN_FLIGHT (1: PublishBatch calls each client's TopicPublisher has unanswered in the client-* runs)
#   PRELOAD (100000, consume runs)  PREFETCH (100, per member)  LATENCY_RATE (2000 msg/s, latency runs)
#   OUT (bench/results/grpc-<UTC date>/run-<UTC time>)  WORK (a fresh directory under ${TMPDIR:-/tmp}: both brokers' data)
#   GEN_JAVA_OPTS (-Xms1g -Xmx1g)  RATATOSKR_JAVA_OPTS (none)  KAFKA_JAVA_OPTS (none)
#   RATATOSKR_JAR (server/target/ratatoskr.jar)  BENCH_JAR (bench/target/ratatoskr-bench.jar: generators and Kafka)
#   BROKERS ("ratatoskr kafka"; one of them to run only its side)
#   MAX_LOAD (1.5), QUIET_WAIT (1800), RUN_MAX_BUSY (0.5), RUN_QUIET_WAIT (300): the waits for a quiet machine,
#     as in compare-kafka.sh
#   BROKER_WARMUP (regex over scenario ids, default '^(pub-group-1k|batch-group-1k|consume-4m|latency-group)$';
#     empty: none): run these once on both brokers before the measured repetitions, results discarded, so that
#     neither broker's JIT compiles its hot paths during the first measured runs
#
# Both brokers run for the whole comparison on free loopback ports, with their data in the same fresh directory
# (one filesystem): Ratatoskr from server/target/ratatoskr.jar with its gRPC listener on (MQTT on a free port, no
# admin API), Kafka 4.4.0 as a single KRaft node (io.ratatoskr.bench.kafka.KafkaNode). Each run creates a topic of
# its own with PARTITIONS partitions (Ratatoskr: CreateTopic; Kafka: its admin client) and deletes it afterwards.
# Both JVMs log GC to $OUT/<broker>-gc.log; every run reports its broker's CPU, RSS, peak RSS, GC pauses and heap
# after GC in its window (last table of summary.md).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=compare-lib.sh
. "$here/compare-lib.sh"
kafka_comparison_settings grpc
PARTITIONS=${PARTITIONS:-4}
CLIENTS=${CLIENTS:-4}
WINDOW=${WINDOW:-16}
BATCH=${BATCH:-100}
CONSUME_BATCH=${CONSUME_BATCH:-50}
PRELOAD=${PRELOAD:-100000}
PREFETCH=${PREFETCH:-100}
LATENCY_RATE=${LATENCY_RATE:-2000}
CALLS_IN_FLIGHT=${CALLS_IN_FLIGHT:-1}
BROKER_WARMUP=${BROKER_WARMUP-'^(pub-group-1k|batch-group-1k|consume-4m|latency-group)$'}

# Scenario id | GrpcLoad arguments (Ratatoskr) | KafkaLoad arguments. Same clients, partitions, payload and window
# on both sides (a gRPC client's window is calls outstanding, a Kafka producer's records unacknowledged).
# fsync: Ratatoskr fsyncs before answering, Kafka's topic has flush.messages=1. group: Ratatoskr group-commits (an
# fsync shared by concurrent publishes, 2 ms gather), Kafka keeps its default and does not fsync (page cache).
# async: neither side fsyncs before answering (Ratatoskr flushes in the background), like for like.
# Unary publish: one message per call; the Kafka producer sends at once (linger.ms=0) but, like any Kafka
# producer, packs the records that queue behind its in-flight requests. Client: one message per send of the Java
# client's TopicPublisher, which packs what queues behind its calls in flight into PublishBatch calls, against the
# same Kafka producers as unary publish (the same shape: WINDOW sends outstanding, nothing lingers).
# Batch: PublishBatch of BATCH messages, WINDOW/8 calls outstanding per client; Kafka: batch.size for BATCH
# records of the payload, linger.ms=5, the same records outstanding. Consume: PRELOAD messages written first
# (gRPC: PublishBatch), then 1 or 4 members drain them, each acknowledging every message (Kafka: a consumer group
# committing every poll). Latency: one client publishing LATENCY_RATE msg/s, stamped with when each was due, one
# member consuming.
batch_window=$(( WINDOW / 8 > 0 ? WINDOW / 8 : 1 ))
batch_bytes=$(( BATCH * (1024 + 40) ))
common_grpc="--partitions $PARTITIONS --prefetch $PREFETCH"
common_kafka="--partitions $PARTITIONS"
seq_kafka="-p 1 --inflight 1 --linger-ms 0 --payload 100"
conc_grpc="--scenario publish -p $CLIENTS -w $WINDOW"
conc_kafka="-p $CLIENTS --inflight $WINDOW --linger-ms 0"
client_grpc="--scenario publisher -p $CLIENTS -w $WINDOW --calls-in-flight $CALLS_IN_FLIGHT"
batch_grpc="--scenario batch -p $CLIENTS -w $batch_window -b $BATCH --payload 1024"
batch_kafka="-p $CLIENTS --inflight $(( batch_window * BATCH )) --linger-ms 5 --batch-bytes $batch_bytes --payload 1024"
drain_grpc="--scenario consume -p $CLIENTS -w 4 -b $BATCH --payload 1024 --durability group --preload $PRELOAD --drain-timeout 60s"
drain_kafka="-p $CLIENTS --payload 1024 --preload $PRELOAD --drain-timeout 60s"
latency_grpc="--scenario latency -p 1 --rate $LATENCY_RATE -m 1 --payload 1024"
latency_kafka="-p 1 --rate $LATENCY_RATE --consumers 1 --linger-ms 0 --payload 1024"
scenarios=(
  "seq-fsync-100b|--scenario publish -p 1 -w 1 --payload 100 --durability fsync|$seq_kafka --fsync"
  "seq-group-100b|--scenario publish -p 1 -w 1 --payload 100 --durability group|$seq_kafka"
  "seq-async-100b|--scenario publish -p 1 -w 1 --payload 100 --durability async|$seq_kafka"
  "pub-fsync-100b|$conc_grpc --payload 100 --durability fsync|$conc_kafka --payload 100 --fsync"
  "pub-group-100b|$conc_grpc --payload 100 --durability group|$conc_kafka --payload 100"
  "pub-async-100b|$conc_grpc --payload 100 --durability async|$conc_kafka --payload 100"
  "pub-fsync-1k|$conc_grpc --payload 1024 --durability fsync|$conc_kafka --payload 1024 --fsync"
  "pub-group-1k|$conc_grpc --payload 1024 --durability group|$conc_kafka --payload 1024"
  "client-fsync-1k|$client_grpc --payload 1024 --durability fsync|$conc_kafka --payload 1024 --fsync"
  "client-group-1k|$client_grpc --payload 1024 --durability group|$conc_kafka --payload 1024"
  "client-fsync-100b|$client_grpc --payload 100 --durability fsync|$conc_kafka --payload 100 --fsync"
  "batch-fsync-1k|$batch_grpc --durability fsync|$batch_kafka --fsync"
  "batch-group-1k|$batch_grpc --durability group|$batch_kafka"
  "consume-1m|$drain_grpc -m 1|$drain_kafka --consumers 1"
  "consume-4m|$drain_grpc -m 4|$drain_kafka --consumers 4"
  "consume-1m-b$CONSUME_BATCH|$drain_grpc -m 1 --consume-batch $CONSUME_BATCH|$drain_kafka --consumers 1"
  "consume-4m-b$CONSUME_BATCH|$drain_grpc -m 4 --consume-batch $CONSUME_BATCH|$drain_kafka --consumers 4"
  "latency-fsync|$latency_grpc --durability fsync|$latency_kafka --fsync"
  "latency-group|$latency_grpc --durability group|$latency_kafka"
)

wait_for_quiet_machine
mkdir -p "$OUT"
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/ratatoskr-compare-grpc.XXXXXX")}
mkdir -p "$work"
pids=()
if [ -n "${WORK:-}" ]; then trap 'stop_brokers' EXIT; else trap 'stop_brokers "$work"' EXIT; fi

grpc_port=$(free_port)
mqtt_port=$(free_port)
while [ "$mqtt_port" = "$grpc_port" ]; do mqtt_port=$(free_port); done
ratatoskr_gclog="$OUT/ratatoskr-gc.log"
# shellcheck disable=SC2086
"$java" --enable-native-access=ALL-UNNAMED "$(gc_log_option "$ratatoskr_gclog")" ${RATATOSKR_JAVA_OPTS:-} \
  -jar "$server_jar" server \
  --data-dir "$work/ratatoskr-data" --grpc-port "$grpc_port" --http-port -1 --mqtt-port "$mqtt_port" \
  > "$OUT/ratatoskr.log" 2>&1 &
ratatoskr_pid=$!
pids+=("$ratatoskr_pid")
wait_for_port "$grpc_port" "$ratatoskr_pid" ratatoskr 60
start_kafka_node "$work"

{
  describe_machine "$java"
  echo "data filesystem: $(df -hT "$work" | tail -1)"
  echo "load average before starting the brokers: $load_before (waited ${waited}s for a 1-minute figure <= $MAX_LOAD)"
  echo "load average once both were up: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ratatoskr: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=ratatoskr-gc.log:... ${RATATOSKR_JAVA_OPTS:-} -jar $server_jar server --data-dir <fresh> --grpc-port <free> --http-port -1 --mqtt-port <free>"
  echo "kafka: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=kafka-gc.log:... ${KAFKA_JAVA_OPTS:-} -cp $bench_jar io.ratatoskr.bench.kafka.KafkaNode --dir <fresh, same filesystem>"
  echo "grpc generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.grpc.GrpcLoad --port <grpc> --duration $DURATION --warmup $WARMUP $common_grpc <scenario>"
  echo "kafka generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.kafka.KafkaLoad --bootstrap <kafka> --duration $DURATION --warmup $WARMUP $common_kafka <scenario>"
  echo "repetitions: $REPS (after one unmeasured run of each of: ${BROKER_WARMUP:-none})"
  echo "scenarios:"
  for entry in "${scenarios[@]}"; do echo "  $entry"; done
} > "$OUT/environment.txt"
cat "$OUT/environment.txt" >&2

ratatoskr_gen=(io.ratatoskr.bench.grpc.GrpcLoad --port "$grpc_port")
common_ours=$common_grpc
warm_up_brokers "$work"
run_scenarios

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
"$java" -cp "$bench_jar" io.ratatoskr.bench.mqtt.CompareReport --results "$OUT" --baseline kafka \
  --throughput-target 0 --out "$OUT/summary.md"
echo "results in $OUT" >&2
