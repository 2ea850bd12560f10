#!/usr/bin/env bash
# A/B/C: the base jar and the jars after each step, plus Mosquitto for the fixed-rate QoS 0 scenario, all
# running at once on their own ports, each scenario run against each broker in turn (the order rotating
# every repetition), same generator. Usage:
#   ab.sh OUTDIR REPS name=jar... -- "id|MqttLoad args"...
# An args string may hold @HALF@, replaced by half the median delivered/s of the base broker in the
# scenario named by $HALF_OF (run it earlier in the list).
set -u
out=$1; reps=$2; shift 2
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
BENCH=${BENCH:-/tmp/pmqtt/ratatoskr-bench.jar}
mkdir -p "$out"
names=(); ports=(); pids=()
port=22883
while [ "$1" != "--" ]; do
  name=${1%%=*}; jar=${1#*=}; shift
  if [ "$jar" = mosquitto ]; then
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 256\nmax_queued_messages 1000\nset_tcp_nodelay true\nlog_dest stderr\nlog_type error\nlog_type warning\n' $port > "$out/mosquitto.conf"
    /usr/sbin/mosquitto -c "$out/mosquitto.conf" > "$out/$name.log" 2>&1 & pid=$!
  else
    rm -rf "/tmp/pmqtt/data-$name"
    $JAVA --enable-native-access=ALL-UNNAMED -jar "$jar" server --data-dir "/tmp/pmqtt/data-$name" --mqtt-port $port \
      --grpc-port -1 --http-port -1 --max-inflight 256 --max-queued-messages 1000 > "$out/$name.log" 2>&1 & pid=$!
  fi
  names+=("$name"); ports+=($port); pids+=($pid); port=$((port + 1))
done
shift
trap 'kill ${pids[*]} 2>/dev/null; wait 2>/dev/null' EXIT
for port_i in "${ports[@]}"; do # the brokers may take long to start on a busy machine
  for _ in $(seq 1 60); do ss -ltn | grep -q ":$port_i " && break; sleep 1; done
done
sleep 2
n=${#names[@]}
for spec in "$@"; do
  id=${spec%%|*}; args=${spec#*|}
  if [[ "$args" == *@HALF@* ]]; then
    half=$(awk -F'\t' -v s="$HALF_OF" '$1==s && $2=="base" {print $5}' "$out/results.tsv" | sort -n | awk '{a[NR]=$1} END {printf "%d", a[int((NR+1)/2)]/2}')
    args=${args//@HALF@/$half}
    id="$id-$half"
  fi
  for rep in $(seq 1 "$reps"); do
    for k in $(seq 0 $((n - 1))); do
      i=$(( (k + rep - 1) % n ))
      name=${names[$i]}
      if [ "$name" = mosquitto ] && [ "${MOSQ_ONLY:-}" != "" ] && [[ ! "$id" =~ $MOSQ_ONLY ]]; then continue; fi
      load=$(cut -d' ' -f1 /proc/loadavg)
      $JAVA -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$BENCH" io.ratatoskr.bench.mqtt.MqttLoad \
        --port ${ports[$i]} --broker-pid ${pids[$i]} --clock-ticks 100 --duration ${DURATION:-5s} --warmup 2s $args \
        --json "$out/$id-$name-$rep.json" > "$out/$id-$name-$rep.txt" 2>&1
      f="$out/$id-$name-$rep.txt"
      d=$(awk '/^delivered/ {print $4}' "$f"); p50=$(awk '/^end to end/ {print $4}' "$f"); p99=$(awk '/^end to end/ {print $6}' "$f")
      us=$(grep -o 'broker [0-9.]* s ([0-9.]* us' "$f" | grep -o '([0-9.]*' | tr -d '(')
      lost=$(grep -o 'lost [0-9]*' "$f" | head -1 | cut -d' ' -f2)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$name" "$rep" "$load" "$d" "$p50" "$p99" "$us" "$lost" | tee -a "$out/results.tsv"
    done
  done
done
