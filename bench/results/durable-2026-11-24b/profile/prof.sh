#!/usr/bin/env bash
# prof.sh JAR BENCHJAR OUTDIR SCENARIO-ARGS...
set -euo pipefail
cd /work/wt-dur
J=$(bin/find-jdk.sh); java=$J/bin/java
jar=$1; bj=$2; out=$3; name=$4; shift 4
mkdir -p $out
work=$(mktemp -d /tmp/dur/prof-data.XXXX)
mp=$((20000 + RANDOM % 20000)); hp=$((mp+1))
$java --enable-native-access=ALL-UNNAMED -XX:StartFlightRecording=filename=$out/$name.jfr,settings=profile,delay=3s \
  -jar $jar server --data-dir $work --mqtt-port $mp --grpc-port -1 --http-port $hp > $out/$name-broker.log 2>&1 &
bp=$!
for i in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/$hp) 2>/dev/null && break; sleep 0.5; done
$java -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp $bj io.ratatoskr.bench.mqtt.MqttLoad --port $mp \
  --admin-url http://127.0.0.1:$hp --broker-pid $bp --duration 8s --warmup 2s --mqtt-version 5 --qos 1 --payload 1024 \
  --inflight 64 --partitions 4 "$@" > $out/$name.txt 2>&1 || true
$J/bin/jcmd $bp JFR.dump filename=$out/$name.jfr >/dev/null || true
kill $bp; wait $bp || true
rm -rf $work
tail -5 $out/$name.txt
