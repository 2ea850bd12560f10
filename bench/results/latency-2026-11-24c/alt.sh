#!/bin/bash
# Used for bench/results/latency-2026-11-24c (see its README).
# alt.sh OUT REPS "label|jar|broker args" ... -- "scen|MqttLoad args" ...
# Starts each broker once, then per rep runs every scenario against each broker, order rotating.
set -u
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BENCH=${BENCH:-/tmp/base-c0ef7ae/ratatoskr-bench.jar}
OUT=$1; REPS=$2; shift 2
mkdir -p $OUT
B=(); while [ "$1" != "--" ]; do B+=("$1"); shift; done; shift
S=("$@")
PIDS=(); PORTS=(); LABELS=()
port=18900
for b in "${B[@]}"; do
  IFS='|' read -r label jar args <<<"$b"
  port=$((port+1)); rm -rf ${DATA:-/tmp/lat}/data-$label
  $JAVA --enable-native-access=ALL-UNNAMED -jar $jar server --data-dir ${DATA:-/tmp/lat}/data-$label --mqtt-port $port \
     --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 $args > $OUT/$label.log 2>&1 &
  PIDS+=($!); PORTS+=($port); LABELS+=($label)
  echo "$label pid $! port $port: $jar $args" >> $OUT/brokers.txt
done
for p in "${PORTS[@]}"; do for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.5; done; done
run() { # idx scen args rep
  local i=$1 sc=$2 args=$3 rep=$4 l=${LABELS[$1]}
  local f=$OUT/$sc.$l.$rep
  cat /proc/loadavg > $f.load
  snapv() { awk '/^voluntary_ctxt_switches/{v+=$2} /^nonvoluntary/{n+=$2} END{print v, n}' /proc/${PIDS[$i]}/task/*/status; }
  local v0=$(snapv)
  $JAVA -Xms1g -Xmx1g -cp $BENCH io.ratatoskr.bench.mqtt.MqttLoad --port ${PORTS[$i]} --broker-pid ${PIDS[$i]} $args \
     --duration 5s --warmup 2s --json $f.json > $f.out 2>&1
  local v1=$(snapv)
  echo "$v0 $v1" > $f.ctx
}
for sc in "${S[@]}"; do IFS='|' read -r name args <<<"$sc"; for i in "${!PIDS[@]}"; do run $i $name "$args" 0; done; done
for rep in $(seq 1 $REPS); do
  for sc in "${S[@]}"; do
    IFS='|' read -r name args <<<"$sc"
    n=${#PIDS[@]}
    for k in $(seq 0 $((n-1))); do i=$(( (k + rep) % n )); run $i $name "$args" $rep; done
  done
done
for p in "${PIDS[@]}"; do kill $p; done
