#!/usr/bin/env bash
# Diagnostic: base jar at fixed rates, normal vs CPU-pinned (broker cpu0, generator cpu1), and Mosquitto.
set -u
cd /tmp/lat
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
rm -rf dbase; mkdir -p out
$JAVA --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=out/base-gc.log:uptime,level,tags:filecount=0 -jar base-ratatoskr.jar server --data-dir dbase --mqtt-port 22883 --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > base.log 2>&1 & bpid=$!
printf 'listener 24883 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 256\nmax_queued_messages 1000\npersistence false\n' > mosq.conf
mosquitto -c mosq.conf > mosq.log 2>&1 & mpid=$!
sleep 5
run() { # name port pid pin args
  local name=$1 port=$2 pid=$3 pin=$4; shift 4
  local pre=""; [ "$pin" = pin ] && pre="taskset -c 1"
  out=$($pre $JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port $port --broker-pid $pid --clock-ticks 100 --duration 5s --warmup 2s "$@" 2>/dev/null)
  echo "$out" > "out/$name.txt"
  echo "$name | $(echo "$out" | awk '/^delivered/ {print "deliv/s",$4}') | $(echo "$out" | awk '/^end to end/ {print "p50",$2,"p99",$4,"p99.9",$5,"max",$6}') | $(echo "$out" | grep -o 'generator [0-9.]* s, broker [0-9.]* s ([0-9.]* us') | load $(cut -d' ' -f1 /proc/loadavg)"
}
A="--qos 1 -p 4 -s 4 --payload 1024"
run prime base 22883 $bpid no $A
for rep in 1 2; do
run r76k-$rep 22883 $bpid no $A --rate 76000
taskset -pc 0 $bpid >/dev/null; for t in /proc/$bpid/task/*; do taskset -pc 0 $(basename $t) >/dev/null; done
run r76k-pin-$rep 22883 $bpid pin $A --rate 76000
for t in /proc/$bpid/task/*; do taskset -pc 0,1 $(basename $t) >/dev/null; done
run r10k-$rep 22883 $bpid no $A --rate 10000
run m10k-$rep 24883 $mpid no $A --rate 10000
taskset -pc 0 $mpid >/dev/null
run m10k-pin-$rep 24883 $mpid pin $A --rate 10000
taskset -pc 0,1 $mpid >/dev/null
for t in /proc/$bpid/task/*; do taskset -pc 0 $(basename $t) >/dev/null; done
run r10k-pin-$rep 22883 $bpid pin $A --rate 10000
for t in /proc/$bpid/task/*; do taskset -pc 0,1 $(basename $t) >/dev/null; done
done
kill $bpid $mpid; wait 2>/dev/null
