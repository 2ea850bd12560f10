#!/usr/bin/env bash
# Idle-connection capacity: starts Ratatoskr (and, for COUNTS_MOSQ, Mosquitto) on free loopback ports, opens
# N idle MQTT connections with io.ratatoskr.bench.conn.IdleConnections from 8 loopback source addresses, and
# records heap (after full GC), RSS and idle CPU per connection. Needs root or a hard nofile limit >= 1M.
#
#   COUNTS="1000 10000 19000" COUNTS_MOSQ="10000 19000" VERSION=3.1.1 bench/results/connections-2026-11-24/run.sh
#
# Every connection is a file descriptor in the broker: N is bounded by `ulimit -n` of the shell (raised here
# as far as the hard limit allows; 100,000 needs a hard limit above it, i.e. root with CAP_SYS_RESOURCE).
#
# Builds nothing: run ./mvnw -B -ntp -q -DskipTests package -pl server,bench -am first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
java="$("$root/bin/find-jdk.sh")/bin/java --enable-native-access=ALL-UNNAMED"
COUNTS=${COUNTS-"1000 10000 19000"}
COUNTS_MOSQ=${COUNTS_MOSQ-"10000 19000"}
OUT=${OUT:-$here/raw}
BROKER_HEAP=${BROKER_HEAP:-4g}
CLIENT_HEAP=${CLIENT_HEAP:-2g}
RATE=${RATE:-5000}
IDLE=${IDLE:-20s}
VERSION=${VERSION:-3.1.1}
mkdir -p "$OUT"
# Each connection is a file descriptor in the broker and in the client: raise the limit as far as allowed.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "open files limit: $(ulimit -n)" | tee "$OUT/limits.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

client() { # label pid port count
  nice -n 5 $java -Xmx$CLIENT_HEAP -XX:+UseParallelGC -cp "$root/bench/target/ratatoskr-bench.jar" \
    io.ratatoskr.bench.conn.IdleConnections --port "$3" -n "$4" --broker-pid "$2" --rate "$RATE" --idle "$IDLE" \
    --mqtt-version "$VERSION" --label "$1" --json "$OUT/$1-$VERSION-$4.json" ${5:-} 2>&1 | tee "$OUT/$1-$VERSION-$4.txt"
}

for n in $COUNTS; do
  port=$(free_port)
  data=$(mktemp -d /tmp/ratatoskr-conn-XXXX)
  $java -Xms$BROKER_HEAP -Xmx$BROKER_HEAP -jar "$root/server/target/ratatoskr.jar" server --data-dir "$data" \
    --mqtt-port "$port" --grpc-port -1 --http-port -1 --set mqtt.max-connections=1000000 \
    --set mqtt.max-connections-per-address=1000000 --set log.level=warn >"$OUT/ratatoskr-$n.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  client ratatoskr "$pid" "$port" "$n" "--histograms $OUT" || true
  kill "$pid"; wait "$pid" || true
  rm -rf "$data"
done

for n in $COUNTS_MOSQ; do
  port=$(free_port)
  conf=$(mktemp /tmp/mosquitto-conn-XXXX.conf)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_connections -1\nlog_type error\nlog_type warning\n' \
    "$port" >"$conf"
  mosquitto -c "$conf" >"$OUT/mosquitto-$n.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  client mosquitto "$pid" "$port" "$n" --no-jvm || true
  kill "$pid"; wait "$pid" || true
  rm -f "$conf"
done
