#!/usr/bin/env bash
# A/B on one jar: log writer idle spin 50 us (old default) vs 0 (new default on 2 cores), alternating.
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
# AB_DIR holds new.jar (a copy of server/target/ratatoskr.jar) and bench.jar (bench/target/ratatoskr-bench.jar).
cd "${AB_DIR:-/tmp/ab}"
SCEN=${SCEN:-"--scenario publish -p 4 -w 16 --payload 100 --durability async"}
REPS=${REPS:-3}
for rep in $(seq 1 $REPS); do
  for spin in 50 0; do
    rm -rf d-$spin; port=$((29300 + RANDOM % 500))
    $J --enable-native-access=ALL-UNNAMED -Dratatoskr.log.idleSpinMicros=$spin -jar new.jar server --data-dir d-$spin --mqtt-port 0 --http-port -1 --grpc-port $port > s$spin.log 2>&1 &
    pid=$!
    for i in $(seq 1 60); do grep -q 'started' s$spin.log && break; sleep 0.5; done
    out=$($J --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.grpc.GrpcLoad --port $port $SCEN --partitions 4 --duration 8s --warmup 3s --broker-pid $pid 2>&1)
    rate=$(echo "$out" | awk '/^acknowledged/ {a=$4} /^delivered/ {d=$4} END {print a" ack/s "d" deliv/s"}')
    cpu=$(echo "$out" | grep 'CPU in window' | sed 's/.*broker \([0-9.]* s\) (\([0-9.]*\) us per.*/\1 \2 us\/msg/')
    p99=$(echo "$out" | awk '/publish to PUBACK/ {print "p50 "$4" p99 "$6}')
    echo "rep $rep spin=$spin: $rate | broker $cpu | $p99"
    kill $pid; wait $pid 2>/dev/null
  done
done
