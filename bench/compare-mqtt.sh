#!/usr/bin/env bash
# Runs the same MQTT loads against Ratatoskr and its peers (Mosquitto, HiveMQ CE), alternately, in the same run,
# several times, and prints the medians, the Ratatoskr/peer ratios for each peer, and the brokers' CPU, memory
# and GC figures (bench/README.md, docs/benchmarks.md).
#
#   bench/compare-mqtt.sh                                        # every scenario, both peers, 3 repetitions
#   REPS=1 DURATION=3s SCENARIOS='^q1-4x4' bench/compare-mqtt.sh  # a quick look
#   PEERS=hivemq SCENARIOS='^(q1-4x4-64B|shared)' bench/compare-mqtt.sh
#
# Environment:
#   PEERS ("mosquitto hivemq")  REPS (3)  DURATION (10s)  WARMUP (2s)  SCENARIOS (regex over scenario ids; all)
#   OUT (bench/results/tmp/<timestamp>)  GEN_JAVA_OPTS (-Xms1g -Xmx1g)  RATATOSKR_JAVA_OPTS, HIVEMQ_JAVA_OPTS (none)
#   MOSQUITTO (/usr/sbin/mosquitto)  BUILD (1: build the jars if missing; always: rebuild; 0: never)
#   RATATOSKR_JAR (server/target/ratatoskr.jar)  BENCH_JAR (bench/target/ratatoskr-bench.jar)
#   HIVEMQ_JAR (bench-hivemq/target/hivemq-peer.jar): other builds of the broker, the generator or the peer
#   PRIME (1: before the first repetition, unrecorded runs per broker — q1-4x4-64B flat out, and a QoS 1 shared
#   subscription at 2,000 msg/s — so that no JVM broker meets the first scenarios with cold code; HiveMQ's first
#   shared-subscription run after start stalls for seconds; 0: none)
#
# Every broker runs for the whole comparison, each on a free loopback port: Ratatoskr from server/target/ratatoskr.jar
# with a fresh --data-dir; Mosquitto with persistence off, in-flight window and queue as Ratatoskr's, TCP_NODELAY as
# Ratatoskr; HiveMQ CE 2025.5 embedded (bench-hivemq/target/hivemq-peer.jar) with in-memory persistence, a queue of
# Ratatoskr's size dropping the oldest, Ratatoskr's Receive Maximum and packet size limit. The JVM brokers log GC to
# $OUT/<broker>-gc.log; each run reports the broker's CPU, RSS, peak RSS, GC pauses and heap after GC in its window.
# In repetition r the brokers take turns starting from a different one, so that none always runs after another's load.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=compare-lib.sh
. "$here/compare-lib.sh"
mqtt_settings
REPS=${REPS:-3}
DURATION=${DURATION:-10s}
SCENARIOS=${SCENARIOS:-.}
OUT=${OUT:-$root/bench/results/tmp/$(date -u +%Y%m%dT%H%M%SZ)}

mqtt_jars "$BUILD" "$PEERS"

# Scenario id | MqttLoad arguments. Flat out measures throughput; a fixed rate every broker sustains measures latency.
scenarios=(
  "q0-4x4-64B|--qos 0 -p 4 -s 4 --payload 64"
  "q0-4x4-1KiB|--qos 0 -p 4 -s 4 --payload 1024"
  "q1-4x4-64B|--qos 1 -p 4 -s 4 --payload 64"
  "q1-4x4-1KiB|--qos 1 -p 4 -s 4 --payload 1024"
  "q0-1x10-64B|--qos 0 -p 1 -s 10 --topics 1 --payload 64"
  "q0-1x10-1KiB|--qos 0 -p 1 -s 10 --topics 1 --payload 1024"
  "q1-1x10-64B|--qos 1 -p 1 -s 10 --topics 1 --payload 64"
  "q1-1x10-1KiB|--qos 1 -p 1 -s 10 --topics 1 --payload 1024"
  # Fan-in: 100 publishers on one topic, one subscriber.
  "q0-100x1-64B|--qos 0 -p 100 -s 1 --topics 1 --payload 64"
  # A broker acknowledges a QoS 1 PUBLISH once it has routed it, so publishers' windows do not bound the one
  # subscriber's queue: a broker that forwards slower than 100 publishers write drops beyond its queue limit (1,000,
  # oldest first), and the loss column says how much.
  "q1-100x1-64B|--qos 1 -p 100 -s 1 --topics 1 --payload 64"
  # Shared subscription: 4 publishers, 4 subscribers in one $share group; each message to one of them.
  "q0-shared-4x4-64B|--qos 0 -p 4 -s 4 --topics shared:g --payload 64"
  "q1-shared-4x4-64B|--qos 1 -p 4 -s 4 --topics shared:g --payload 64"
  # QoS 2 (PUBREC/PUBREL/PUBCOMP both ways).
  "q2-4x4-64B|--qos 2 -p 4 -s 4 --payload 64"
  "q2-4x4-1KiB|--qos 2 -p 4 -s 4 --payload 1024"
  # Payload sizes, 16 B to 64 KiB (64 B and 1 KiB above), QoS 0 and 1, 4 pairs. Every broker takes a 64 KiB packet
  # (Ratatoskr's and HiveMQ's limit is MAX_PACKET, 1 MiB; Mosquitto has none) and queues up to QUEUED_BROKER
  # messages per client whatever their size (Mosquitto's max_queued_bytes is left at 0, unlimited).
  "q0-4x4-16B|--qos 0 -p 4 -s 4 --payload 16"
  "q0-4x4-256B|--qos 0 -p 4 -s 4 --payload 256"
  "q0-4x4-4KiB|--qos 0 -p 4 -s 4 --payload 4096"
  "q0-4x4-16KiB|--qos 0 -p 4 -s 4 --payload 16384"
  "q0-4x4-64KiB|--qos 0 -p 4 -s 4 --payload 65536"
  "q1-4x4-16B|--qos 1 -p 4 -s 4 --payload 16"
  "q1-4x4-256B|--qos 1 -p 4 -s 4 --payload 256"
  "q1-4x4-4KiB|--qos 1 -p 4 -s 4 --payload 4096"
  "q1-4x4-16KiB|--qos 1 -p 4 -s 4 --payload 16384"
  "q1-4x4-64KiB|--qos 1 -p 4 -s 4 --payload 65536"
  # Latency at a fixed rate.
  "q0-4x4-64B-10k|--qos 0 -p 4 -s 4 --payload 64 --rate 10000"
  "q0-4x4-1KiB-10k|--qos 0 -p 4 -s 4 --payload 1024 --rate 10000"
  "q1-4x4-64B-10k|--qos 1 -p 4 -s 4 --payload 64 --rate 10000"
  "q1-4x4-1KiB-10k|--qos 1 -p 4 -s 4 --payload 1024 --rate 10000"
  # Persistent subscriber sessions (clean session 0): Ratatoskr stores every message for them before the PUBACK
  # (fsync, group commit); Mosquitto (persistence false) and HiveMQ (in-memory) keep them in memory.
  "q1-4x4-64B-ps|--qos 1 -p 4 -s 4 --payload 64 --persistent-subscribers"
  "q1-4x4-1KiB-ps|--qos 1 -p 4 -s 4 --payload 1024 --persistent-subscribers"
  "q1-1x10-64B-ps|--qos 1 -p 1 -s 10 --topics 1 --payload 64 --persistent-subscribers"
  "q1-4x4-64B-ps-10k|--qos 1 -p 4 -s 4 --payload 64 --persistent-subscribers --rate 10000"
)

declare -A broker_port broker_pid broker_gclog
start_mqtt_brokers compare \
  "generator: java $GEN_JAVA_OPTS -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad --duration $DURATION --warmup $WARMUP <scenario arguments>" \
  "repetitions: $REPS"

[ "$PRIME" = 1 ] && prime_brokers

n=${#brokers[@]}
for rep in $(seq 1 "$REPS"); do
  for entry in "${scenarios[@]}"; do
    id=${entry%%|*}
    args=${entry#*|}
    [[ $id =~ $SCENARIOS ]] || continue
    for k in $(seq 0 $((n - 1))); do
      broker=${brokers[$(( (k + rep - 1) % n ))]}
      echo "[$(date -u +%H:%M:%S)] $id-$broker-$rep (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      # shellcheck disable=SC2086
      mqtt_load "$id-$broker-$rep" "$broker" --label "scenario=$id" --label "rep=$rep" $args || true
    done
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
baselines=$(echo "$PEERS" | tr ' ' ',')
"$java" -cp "$bench_jar" io.ratatoskr.bench.mqtt.CompareReport --results "$OUT" --baseline "$baselines" \
  --out "$OUT/summary.md"
echo "results in $OUT" >&2
