#!/usr/bin/env bash
# A/B of the gRPC path: the base build (main c0ef7ae, its own generator), this branch (its generator) and Kafka
# 4.4.0, all three brokers up for the whole run, each scenario run on each variant in turn (the order rotates
# every repetition), REPS times. Scenario arguments as in bench/compare-grpc.sh (4 partitions, prefetch 100).
#
#   ab.sh publish      # pub-fsync-1k, pub-group-1k, pub-async-1k (4 clients x 16 calls outstanding, 1 KiB)
#   ab.sh consume      # consume-4m-b50 (100,000 x 1 KiB preloaded, 4 members, 50 per response)
#   ab.sh medians run-*/summary.txt   # recompute the medians of a run
#
# Environment: REPS (3), DURATION (6s), WARMUP (2s), PRELOAD (100000), CONSUME_BATCH (50), SCENARIOS (regex over ids), VARIANTS
#   ("base new kafka"), BASE (/tmp/base-c0ef7ae: ratatoskr.jar, ratatoskr-bench.jar), NEW_SERVER, NEW_BENCH (this
#   worktree's server/target/ratatoskr.jar, bench/target/ratatoskr-bench.jar), OUT (this directory/run-<set>-<UTC
#   time>). Each run writes <scenario>-<variant>-<rep>.{txt,json}; summary.txt has one line per run and the medians.
set -u
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../../.." && pwd)
set_name=${1:?publish, consume, or medians FILE}
# medians FILE: per scenario and variant, the median msg/s and broker us/msg of the run lines of FILE.
medians() {
  echo "== medians: scenario variant msg/s broker-us/msg"
  awk '$4 ~ /^rate=/ && $3 != 0 { split($4, r, "="); split($5, c, "="); k = $1 " " $2; rates[k] = rates[k] " " r[2]; cpus[k] = cpus[k] " " c[2] }
    END { for (k in rates) { print k, med(rates[k]), med(cpus[k]) } }
    function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }' "$1" | sort
}
[ "$set_name" = medians ] && { medians "$2"; exit 0; }

JAVA=$("$root/bin/find-jdk.sh")/bin/java
REPS=${REPS:-3}; DURATION=${DURATION:-6s}; WARMUP=${WARMUP:-2s}; PRELOAD=${PRELOAD:-100000}
CONSUME_BATCH=${CONSUME_BATCH:-50}
variants=${VARIANTS:-"base new kafka"}
BASE=${BASE:-/tmp/base-c0ef7ae}
NEW_SERVER=${NEW_SERVER:-$root/server/target/ratatoskr.jar}
NEW_BENCH=${NEW_BENCH:-$root/bench/target/ratatoskr-bench.jar}
OUT=${OUT:-$here/run-$set_name-$(date -u +%H%MZ)}
mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/grpc-ab.XXXXXX")
cp "$BASE/ratatoskr.jar" "$work/base-server.jar"; cp "$BASE/ratatoskr-bench.jar" "$work/base-bench.jar"
cp "$NEW_SERVER" "$work/new-server.jar"; cp "$NEW_BENCH" "$work/new-bench.jar"
port() { echo $((20000 + RANDOM % 20000)); }
bport=$(port); nport=$(port)
start_broker() { # NAME JAR PORT
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$work/$2" server --data-dir "$work/$1-data" --grpc-port "$3" \
    --http-port -1 --mqtt-port $(( $3 + 1 )) > "$OUT/$1-broker.log" 2>&1 &
  echo $!
}
bpid=$(start_broker base base-server.jar "$bport")
npid=$(start_broker new new-server.jar "$nport")
kpid=""; bootstrap=""
if [[ " $variants " == *" kafka "* ]]; then
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$work/new-bench.jar" io.ratatoskr.bench.kafka.KafkaNode \
    --dir "$work/kafka-data" --port-file "$work/kafka.bootstrap" > "$OUT/kafka-broker.log" 2>&1 &
  kpid=$!
fi
trap 'kill $bpid $npid $kpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for p in $bport $nport; do
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.2; done
done
if [ -n "$kpid" ]; then
  for _ in $(seq 1 300); do [ -s "$work/kafka.bootstrap" ] && break; sleep 0.2; done
  bootstrap=$(cat "$work/kafka.bootstrap")
fi

common="--duration $DURATION --warmup $WARMUP --clock-ticks $(getconf CLK_TCK) --partitions 4"
drain_grpc="--scenario consume -p 4 -w 4 -b 100 --payload 1024 --durability group --preload $PRELOAD --drain-timeout 60s --prefetch 100"
drain_kafka="-p 4 --payload 1024 --preload $PRELOAD --drain-timeout 60s"
conc_grpc="--scenario publish -p 4 -w 16 --payload 1024 --prefetch 100"
conc_kafka="-p 4 --inflight 16 --linger-ms 0 --payload 1024"
if [ "$set_name" = publish ]; then
  scenarios=(
    "pub-fsync-1k|$conc_grpc --durability fsync|$conc_kafka --fsync"
    "pub-group-1k|$conc_grpc --durability group|$conc_kafka"
    "pub-async-1k|$conc_grpc --durability async|$conc_kafka"
  )
else
  scenarios=(
    "consume-4m-b$CONSUME_BATCH|$drain_grpc -m 4 --consume-batch $CONSUME_BATCH|$drain_kafka --consumers 4"
  )
fi
if [ -n "${SCENARIOS:-}" ]; then
  kept=(); for s in "${scenarios[@]}"; do [[ ${s%%|*} =~ $SCENARIOS ]] && kept+=("$s"); done; scenarios=("${kept[@]}")
fi
run() { # SCENARIO VARIANT REP GRPCARGS KAFKAARGS
  local name="$1-$2-$3" out rate cpu
  local label="--label scenario=$1 --label variant=$2 --label rep=$3 --label load1=$(cut -d' ' -f1 /proc/loadavg)"
  case $2 in
    base) "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$work/base-bench.jar" io.ratatoskr.bench.grpc.GrpcLoad \
            --port "$bport" --broker-pid "$bpid" $common $label --json "$OUT/$name.json" $4 > "$OUT/$name.txt" 2>&1 ;;
    new) "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$work/new-bench.jar" io.ratatoskr.bench.grpc.GrpcLoad \
            --port "$nport" --broker-pid "$npid" $common $label --json "$OUT/$name.json" $4 > "$OUT/$name.txt" 2>&1 ;;
    kafka) "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$work/new-bench.jar" io.ratatoskr.bench.kafka.KafkaLoad \
            --bootstrap "$bootstrap" --broker-pid "$kpid" $common $label --json "$OUT/$name.json" $5 > "$OUT/$name.txt" 2>&1 ;;
  esac
  if [[ $1 == consume* ]]; then rate=$(awk '/^delivered/ {print $4}' "$OUT/$name.txt"); else rate=$(awk '/^acknowledged/ {print $4}' "$OUT/$name.txt"); fi
  cpu=$(grep -o 'broker [0-9.]* s ([0-9.]* us' "$OUT/$name.txt" | awk '{print $4}' | tr -d '(')
  p99=$(awk '/^publish to/ {print $6}' "$OUT/$name.txt")
  fail=$(grep -c -E 'FAILED|lost [1-9]|duplicates [1-9]' "$OUT/$name.txt")
  echo "$1 $2 $3 rate=${rate:-ERR} us/msg=${cpu:-?} p99=${p99:-?} load=$(cut -d' ' -f1 /proc/loadavg) problems=$fail" | tee -a "$OUT/summary.txt"
}

{
  echo "date: $(date -u +%FT%TZ)  commit: $(git -C "$root" rev-parse --short HEAD)  cpus: $(nproc)"
  echo "base: $BASE (main c0ef7ae)  new: $NEW_SERVER, $NEW_BENCH  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "REPS=$REPS DURATION=$DURATION WARMUP=$WARMUP PRELOAD=$PRELOAD CONSUME_BATCH=$CONSUME_BATCH VARIANTS=$variants"
  for s in "${scenarios[@]}"; do echo "  $s"; done
} > "$OUT/environment.txt"
# One unmeasured run of each (JIT warm-up of every broker), results discarded.
for s in "${scenarios[@]}"; do
  id=${s%%|*}; rest=${s#*|}; g=${rest%%|*}; k=${rest#*|}
  for v in $variants; do run "$id" "$v" 0 "$g" "$k" > /dev/null; done
done
: > "$OUT/summary.txt"
for rep in $(seq 1 "$REPS"); do
  # rotate the order each repetition
  set -- $variants; n=$#; order=""
  for i in $(seq 0 $((n - 1))); do j=$(( (i + rep - 1) % n + 1 )); order="$order ${!j}"; done
  for s in "${scenarios[@]}"; do
    id=${s%%|*}; rest=${s#*|}; g=${rest%%|*}; k=${rest#*|}
    for v in $order; do run "$id" "$v" "$rep" "$g" "$k"; done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
medians "$OUT/summary.txt" >> "$OUT/summary.txt"
tail -12 "$OUT/summary.txt"
