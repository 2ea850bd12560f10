#!/usr/bin/env bash
# A/B: base vs new Ratatoskr, alternating, same generator. Usage: ab.sh REPS "scenario args"...
set -u
cd /tmp/persist-bench
JAVA=$(/work/wt-persist/bin/find-jdk.sh)/bin/java
reps=$1; shift
rm -rf dbase dnew
$JAVA --enable-native-access=ALL-UNNAMED -jar base-ratatoskr.jar server --data-dir dbase --mqtt-port 22883 --max-inflight 256 --max-queued-messages 1000 > base.log 2>&1 & bpid=$!
$JAVA --enable-native-access=ALL-UNNAMED -jar new-ratatoskr.jar server --data-dir dnew --mqtt-port 23883 --max-inflight 256 --max-queued-messages 1000 > newb.log 2>&1 & npid=$!
sleep 4
for args in "$@"; do
  for rep in $(seq 1 $reps); do
    if [ $((rep % 2)) -eq 1 ]; then order="base new"; else order="new base"; fi
    for b in $order; do
      if [ $b = base ]; then port=22883; pid=$bpid; else port=23883; pid=$npid; fi
      out=$($JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port $port --broker-pid $pid --clock-ticks 100 --duration 5s --warmup 2s $args 2>/dev/null)
      d=$(echo "$out" | awk '/^delivered/ {print $4}')
      p50=$(echo "$out" | awk '/^end to end/ {print $4}')
      cpu=$(echo "$out" | grep -o 'broker [0-9.]* s ([0-9.]* us' )
      echo "$args | $b | rep $rep | delivered/s $d | e2e p50 $p50 | $cpu | load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
kill $bpid $npid; wait 2>/dev/null
