#!/usr/bin/env bash
# prof.sh NAME JAR "mqttload args"  -> NAME.jfr + NAME.txt
set -u
cd /tmp/pmqtt
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
name=$1; jar=$2; args=$3; port=${PORT:-24883}
rm -rf d-$name
$JAVA --enable-native-access=ALL-UNNAMED -XX:StartFlightRecording=filename=$name.jfr,settings=profile -jar $jar server --data-dir d-$name --mqtt-port $port --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > $name.log 2>&1 & pid=$!
for _ in $(seq 1 60); do ss -ltn | grep -q ":$port " && break; sleep 1; done; sleep 1
$JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port $port --broker-pid $pid --clock-ticks 100 --duration ${DUR:-10s} --warmup 2s $args > $name.txt 2>&1
echo "load $(cat /proc/loadavg)" >> $name.txt
$JAVA -XX:+UnlockDiagnosticVMOptions -version >/dev/null 2>&1
/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd $pid JFR.dump name=1 filename=$PWD/$name.jfr >/dev/null 2>&1
kill $pid; wait $pid 2>/dev/null
