#!/usr/bin/env bash
# A/B at fixed rates: base (4731aa8), base with Netty's leak detector off, and the new jar, side by side on
# different ports, taking turns (order rotating per repetition), the same generator (base bench jar).
# Usage: ab.sh OUTDIR NEWJAR REPS "name|MqttLoad args"...
set -u
out=$1; newjar=$2; reps=$3; shift 3
cd /tmp/lat; mkdir -p $out
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
rm -rf d-base d-noleak d-new
# voluntary and involuntary context switches summed over a process's threads
cs() { cat /proc/$1/task/*/status 2>/dev/null | awk '/^voluntary_ctxt/ {v+=$2} /^nonvoluntary_ctxt/ {n+=$2} END {print v, n}'; }
gc() { echo "-Xlog:gc*:file=$out/$1-gc.log:uptime,level,tags:filecount=0"; }
$JAVA --enable-native-access=ALL-UNNAMED $(gc base) -jar base-ratatoskr.jar server --data-dir d-base --mqtt-port 22883 --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > $out/base.log 2>&1 & p_base=$!
$JAVA --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled $(gc noleak) -jar base-ratatoskr.jar server --data-dir d-noleak --mqtt-port 22884 --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > $out/noleak.log 2>&1 & p_noleak=$!
$JAVA --enable-native-access=ALL-UNNAMED $(gc new) -jar $newjar server --data-dir d-new --mqtt-port 22885 --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > $out/new.log 2>&1 & p_new=$!
sleep 6
declare -A port=([base]=22883 [noleak]=22884 [new]=22885) pid=([base]=$p_base [noleak]=$p_noleak [new]=$p_new)
variants=(base noleak new)
# two unrecorded priming runs per broker
for v in "${variants[@]}"; do for i in 1 2; do $JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port ${port[$v]} --duration 2s --warmup 1s --qos 1 -p 4 -s 4 --payload 1024 >/dev/null 2>&1; done; done
for spec in "$@"; do
  name=${spec%%|*}; args=${spec#*|}
  for rep in $(seq 1 $reps); do
    k=$(( (rep - 1) % 3 )); order=("${variants[@]:$k}" "${variants[@]:0:$k}")
    for v in "${order[@]}"; do
      f=$out/$name-$v-$rep
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      cs0=$(cs ${pid[$v]})
      $JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port ${port[$v]} --broker-pid ${pid[$v]} --broker-gc-log $out/$v-gc.log --clock-ticks 100 --duration 5s --warmup 2s $args --json $f.json > $f.txt 2> $f.err
      echo "load at start: $load" >> $f.txt
      cs1=$(cs ${pid[$v]}); tot=$(awk '/^delivered/ {print $2}' $f.txt)
      csm=$(awk -v a="$cs0" -v b="$cs1" -v t="$tot" 'BEGIN {split(a,x," "); split(b,y," "); if (t>0) printf "%.3f vol %.3f invol", (y[1]-x[1])/t, (y[2]-x[2])/t}')
      echo "broker context switches per delivered message (whole run incl. warm-up): $csm" >> $f.txt
      printf '%s | %-6s | rep %d | %s | %s | %s | load %s\n' "$name" "$v" "$rep" \
        "$(awk '/^delivered/ {printf "deliv/s %s", $4}' $f.txt)" \
        "$(awk '/^end to end/ {printf "p50 %s p99 %s p99.9 %s", $4, $6, $7}' $f.txt)" \
        "$(grep -o 'generator [0-9.]* s, broker [0-9.]* s ([0-9.]* us' $f.txt) | cs/msg $csm" "$load"
    done
  done
done
kill $p_base $p_noleak $p_new; wait 2>/dev/null
