#!/usr/bin/env bash
# A/B: base (main 4731aa8) vs back-pressure branch, alternating, one generator jar for both.
# Usage: ab.sh REPS OUTDIR   (jars expected in $WORK: base-ratatoskr.jar, new-ratatoskr.jar, bench.jar)
set -u
reps=$1; out=$2
WORK=${WORK:-/tmp/bp-bench}
JAVA=$(/work/wt-bp/bin/find-jdk.sh)/bin/java
mkdir -p "$out"; cd "$WORK"
rm -rf dbase dnew
# Free loopback ports (other A/B runs on this machine use fixed ones).
free_port() { while :; do p=$((20000 + RANDOM % 20000)); ss -ltn | grep -q ":$p " || { echo $p; return; }; done; }
BPORT=$(free_port); NPORT=$(free_port)
flags="--grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000"
$JAVA --enable-native-access=ALL-UNNAMED -jar base-ratatoskr.jar server --data-dir dbase --mqtt-port $BPORT $flags > "$out/base-broker.log" 2>&1 & bpid=$!
$JAVA --enable-native-access=ALL-UNNAMED -jar new-ratatoskr.jar server --data-dir dnew --mqtt-port $NPORT $flags > "$out/new-broker.log" 2>&1 & npid=$!
for port in $BPORT $NPORT; do
  for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done
scen=(
  "q1-100x1-64B|--qos 1 -p 100 -s 1 --topics 1 --payload 64"
  "q1-4x4-1KiB|--qos 1 -p 4 -s 4 --payload 1024"
)
for rep in $(seq 1 "$reps"); do
  if [ $((rep % 2)) -eq 1 ]; then order="base new"; else order="new base"; fi
  for entry in "${scen[@]}"; do
    id=${entry%%|*}; args=${entry#*|}
    for b in $order; do
      if [ $b = base ]; then port=$BPORT; pid=$bpid; else port=$NPORT; pid=$npid; fi
      load=$(cut -d' ' -f1 /proc/loadavg)
      f="$out/$id-$b-$rep.txt"
      # shellcheck disable=SC2086
      $JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.mqtt.MqttLoad \
        --port $port --broker-pid $pid --duration 5s --warmup 2s $args > "$f" 2> "${f%.txt}.err"
      pub=$(awk '/^acknowledged/ {print $4}' "$f")
      d=$(awk '/^delivered/ {print $4}' "$f")
      p99=$(awk '/^end to end/ {print $6}' "$f")
      lost=$(grep -o 'lost [0-9]* ([0-9.]* %)' "$f")
      echo "$id | $b | rep $rep | acked/s $pub | delivered/s $d | e2e p99 $p99 ms | $lost | load $load"
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $bpid $npid; wait 2>/dev/null
grep -h "started:\|cannot" "$out"/*-broker.log | cut -c1-160
