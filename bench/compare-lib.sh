# Shell functions shared by the side-by-side comparison scripts (compare-mqtt.sh, sweep-mqtt.sh, compare-kafka.sh,
# compare-grpc.sh).
# Source it; it defines functions, and the limits the MQTT brokers share (INFLIGHT_BROKER, QUEUED_BROKER, ...).
# The functions expect $OUT (where logs go) and a `pids` array of the processes the script started.

# Kills and reaps every process in `pids`, then removes $1 (a scratch directory) unless it is empty.
stop_brokers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [ -z "${1:-}" ] || rm -rf "$1"
}

# Prints a loopback TCP port nobody listens on.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_for_port PORT PID NAME [SECONDS]: until something listens on PORT, while PID lives (default 30 s).
wait_for_port() {
  local tries=$(( ${4:-30} * 10 ))
  for _ in $(seq 1 "$tries"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during start-up; see $OUT/$3.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$3 did not open port $1 within ${4:-30} s" >&2
  return 1
}

# The machine part of environment.txt: date, commit, CPUs, kernel, JVM ($1: the java binary).
describe_machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpus: $(nproc)"
  echo "cpu model: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
  echo "kernel: $(uname -r)"
  echo "java: $("$1" -version 2>&1 | head -1)"
}

# wait_for_quiet_machine: before starting, until the 1-minute load average is at most $MAX_LOAD, for at most
# $QUIET_WAIT seconds. Sets `load_before` (the three load averages) and `waited` (seconds waited).
wait_for_quiet_machine() {
  waited=0
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  while awk -v l="${load_before%% *}" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; do
    if [ "$waited" -ge "$QUIET_WAIT" ]; then
      echo "load average still ${load_before%% *} after ${QUIET_WAIT}s; running anyway" >&2
      break
    fi
    [ "$waited" -eq 0 ] && echo "waiting for the 1-minute load average (${load_before%% *}) to fall to $MAX_LOAD..." >&2
    sleep 15
    waited=$((waited + 15))
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  done
}

# gc_log_option FILE: the JVM option that logs GC to FILE in the form BrokerProbe reads (pauses, heap after GC).
gc_log_option() {
  echo "-Xlog:gc*:file=$1:uptime,level,tags:filecount=0"
}

# start_kafka_node DIR: starts Kafka 4.4.0 as a single KRaft node of its own (KafkaNode from $bench_jar, options
# $KAFKA_JAVA_OPTS, log $OUT/kafka.log, GC log $OUT/kafka-gc.log) and waits until it is up. Sets `kafka_pid`,
# `kafka_gclog` and `bootstrap`.
start_kafka_node() {
  kafka_gclog="$OUT/kafka-gc.log"
  # shellcheck disable=SC2086
  "$java" --enable-native-access=ALL-UNNAMED "$(gc_log_option "$kafka_gclog")" ${KAFKA_JAVA_OPTS:-} \
    -cp "$bench_jar" io.ratatoskr.bench.kafka.KafkaNode \
    --dir "$1/kafka-data" --port-file "$1/kafka.bootstrap" > "$OUT/kafka.log" 2>&1 &
  kafka_pid=$!
  pids+=("$kafka_pid")
  for _ in $(seq 1 600); do
    [ -s "$1/kafka.bootstrap" ] && break
    kill -0 "$kafka_pid" 2>/dev/null || { echo "kafka exited during start-up; see $OUT/kafka.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$1/kafka.bootstrap" ] || { echo "kafka did not start within 60 s; see $OUT/kafka.log" >&2; exit 1; }
  bootstrap=$(cat "$1/kafka.bootstrap")
}

# CPUs the whole machine kept busy over the next 2 s (from /proc/stat: all but idle and iowait).
busy_cpus() {
  local _c u n s i w q sq st b0 t0 b1 t1
  read -r _c u n s i w q sq st _ < /proc/stat
  b0=$((u + n + s + q + sq + st)); t0=$((b0 + i + w))
  sleep 2
  read -r _c u n s i w q sq st _ < /proc/stat
  b1=$((u + n + s + q + sq + st)); t1=$((b1 + i + w))
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$(nproc)" 'BEGIN { printf "%.2f", (t > 0 ? b / t * n : 0) }'
}

# before_run NAME: `sync`, then, with the brokers idle, waits until the machine keeps at most $RUN_MAX_BUSY CPUs
# busy (at most $RUN_QUIET_WAIT seconds), prints a progress line and appends the busiest processes to
# $OUT/processes.log. Sets `load` (1-minute load average), `busy` and `waited_run`.
before_run() {
  sync
  waited_run=0
  # The brokers are idle between runs: what keeps the CPUs busy now is someone else.
  busy=$(busy_cpus)
  while awk -v b="$busy" -v m="$RUN_MAX_BUSY" 'BEGIN { exit !(b > m) }' && [ "$waited_run" -lt "$RUN_QUIET_WAIT" ]; do
    [ "$waited_run" -eq 0 ] && echo "  the machine is busy ($busy CPUs) before $1; waiting..." >&2
    sleep 8
    waited_run=$((waited_run + 10))
    busy=$(busy_cpus)
  done
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "[$(date -u +%H:%M:%S)] $1 (load $load, $busy CPUs busy before it, waited ${waited_run}s)" >&2
  {
    echo "== $1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    # CPU over the last half second (ps would give lifetime averages), busiest first.
    top -b -n 2 -d 0.5 -o %CPU -w 200 -c | awk '/^top -/ { frame++ } frame == 2' | sed -n '7,13p' | cut -c1-200
  } >> "$OUT/processes.log"
}

# after_run NAME RC: reports a failed run and the generator's headline figures; exits if a broker in `pids` died.
after_run() {
  if [ "$2" -ne 0 ]; then
    echo "  run failed (exit $2); see $OUT/$1.err and $OUT/$1.txt" >&2
    tail -3 "$OUT/$1.err" | sed 's/^/  /' >&2 || true
  fi
  grep -E '^(acknowledged|delivered|preload|end to end|publish to|expected)' "$OUT/$1.txt" | sed 's/^/  /' >&2 || true
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a broker (pid $pid) died; see the broker logs in $OUT" >&2; exit 1; }
  done
}

# run_scenarios: every entry of the `scenarios` array ("id|ratatoskr arguments|kafka arguments") whose id
# matches $SCENARIOS, on each broker of $BROKERS, $REPS times, by calling the script's `run BROKER ID REP ARGS...`.
# Alternates which broker goes first, so that neither always runs right after the other's load.
run_scenarios() {
  local rep entry id rest ours theirs order broker
  for rep in $(seq 1 "$REPS"); do
    for entry in "${scenarios[@]}"; do
      id=${entry%%|*}
      rest=${entry#*|}
      ours=${rest%%|*}
      theirs=${rest#*|}
      [[ $id =~ $SCENARIOS ]] || continue
      if [ $((rep % 2)) -eq 1 ]; then order="ratatoskr kafka"; else order="kafka ratatoskr"; fi
      for broker in $order; do
        [[ " $BROKERS " == *" $broker "* ]] || continue
        if [ "$broker" = ratatoskr ]; then
          # shellcheck disable=SC2086
          run ratatoskr "$id" "$rep" $ours
        else
          # shellcheck disable=SC2086
          run kafka "$id" "$rep" $theirs
        fi
      done
    done
  done
}

# warm_up_brokers SCRATCH: when $BROKER_WARMUP (a regex over scenario ids) is set, runs those scenarios once on
# each broker before the measured repetitions, with their output in SCRATCH/broker-warmup rather than $OUT, so that
# neither broker's JIT compiles its hot paths during the first measured runs.
warm_up_brokers() {
  [ -n "${BROKER_WARMUP:-}" ] || return 0
  local results=$OUT
  OUT="$1/broker-warmup"
  mkdir -p "$OUT"
  echo "warming up both brokers: $BROKER_WARMUP" >&2
  REPS=1 SCENARIOS=$BROKER_WARMUP run_scenarios
  OUT=$results
}

# run BROKER ID REP ARGS...: one generator run in a JVM of its own ($GEN_JAVA_OPTS), after before_run, writing
# $OUT/<id>-<broker>-<rep>.{json,txt,err}. For ratatoskr it runs the array `ratatoskr_gen` (main class and its
# broker options) with $common_ours, for kafka KafkaLoad against $bootstrap with $common_kafka; ARGS follow. Each
# run reads its broker's CPU (`ratatoskr_pid`, `kafka_pid`), memory and GC log (`ratatoskr_gclog`, `kafka_gclog`).
run() {
  local broker=$1 id=$2 rep=$3
  shift 3
  local name="$id-$broker-$rep" rc=0
  before_run "$name"
  local common=(--duration "$DURATION" --warmup "$WARMUP" --clock-ticks "$(getconf CLK_TCK)"
    --label "broker=$broker" --label "scenario=$id" --label "rep=$rep" --label "load1=$load"
    --label "busy_before=$busy" --json "$OUT/$name.json")
  if [ "$broker" = ratatoskr ]; then
    # shellcheck disable=SC2086
    "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" "${ratatoskr_gen[@]}" \
        --broker-pid "$ratatoskr_pid" --broker-gc-log "$ratatoskr_gclog" "${common[@]}" $common_ours "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  else
    # shellcheck disable=SC2086
    "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" io.ratatoskr.bench.kafka.KafkaLoad \
        --bootstrap "$bootstrap" --broker-pid "$kafka_pid" --broker-gc-log "$kafka_gclog" \
        "${common[@]}" $common_kafka "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  fi
  after_run "$name" "$rc"
}

# kafka_comparison_settings NAME: what compare-kafka.sh and compare-grpc.sh share: `java` (a JDK 21+), the
# defaults of REPS, DURATION, WARMUP, SCENARIOS, OUT (bench/results/NAME-<UTC date>/run-<UTC time>), GEN_JAVA_OPTS,
# MAX_LOAD, QUIET_WAIT, BROKERS, RUN_MAX_BUSY and RUN_QUIET_WAIT, and `server_jar` and `bench_jar`, which must exist.
kafka_comparison_settings() {
  # shellcheck source=../bin/find-jdk.sh
  . "$root/bin/find-jdk.sh"
  JAVA_HOME=$(ratatoskr_find_jdk) || exit 1
  java="$JAVA_HOME/bin/java"
  REPS=${REPS:-3}
  DURATION=${DURATION:-10s}
  WARMUP=${WARMUP:-2s}
  SCENARIOS=${SCENARIOS:-.}
  OUT=${OUT:-$root/bench/results/$1-$(date -u +%Y-%m-%d)/run-$(date -u +%H%MZ)}
  GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms1g -Xmx1g}
  MAX_LOAD=${MAX_LOAD:-1.5}
  QUIET_WAIT=${QUIET_WAIT:-1800}
  BROKERS=${BROKERS:-ratatoskr kafka}
  RUN_MAX_BUSY=${RUN_MAX_BUSY:-0.5}
  RUN_QUIET_WAIT=${RUN_QUIET_WAIT:-300}
  server_jar=${RATATOSKR_JAR:-$root/server/target/ratatoskr.jar}
  bench_jar=${BENCH_JAR:-$root/bench/target/ratatoskr-bench.jar}
  local jar
  for jar in "$server_jar" "$bench_jar"; do
    [ -f "$jar" ] || { echo "missing $jar: run ./mvnw -B -ntp -q -DskipTests package -pl server,bench -am" >&2; exit 1; }
  done
}

# --- MQTT brokers side by side (compare-mqtt.sh, sweep-mqtt.sh) ---
# Expect $root, $java, $OUT, a `pids` array, and these associative arrays (declare -A in the script):
# broker_port, broker_pid, broker_gclog. INFLIGHT_BROKER and QUEUED_BROKER are Ratatoskr's defaults, which the
# peers are configured with too.
INFLIGHT_BROKER=256      # Ratatoskr --max-inflight default; Mosquitto max_inflight_messages
QUEUED_BROKER=1000       # Ratatoskr --max-queued-messages default; Mosquitto max_queued_messages; HiveMQ max-queue-size
RECEIVE_MAXIMUM=1024     # Ratatoskr --receive-maximum default; HiveMQ server-receive-maximum
MAX_PACKET=1048576       # Ratatoskr --max-packet-size default; HiveMQ max-packet-size

# mqtt_settings: what compare-mqtt.sh and sweep-mqtt.sh share: `java` (a JDK 21+) and the defaults of PEERS,
# WARMUP, GEN_JAVA_OPTS, MOSQUITTO, BUILD and PRIME. Expects $root.
mqtt_settings() {
  # shellcheck source=../bin/find-jdk.sh
  . "$root/bin/find-jdk.sh"
  JAVA_HOME=$(ratatoskr_find_jdk) || exit 1
  java="$JAVA_HOME/bin/java"
  PEERS=${PEERS:-mosquitto hivemq}
  WARMUP=${WARMUP:-2s}
  GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms1g -Xmx1g}
  MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
  BUILD=${BUILD:-1}
  PRIME=${PRIME:-1}
}

# mqtt_jars BUILD PEERS: checks (and with BUILD=1 builds when missing, BUILD=always rebuilds) the server and
# bench jars, and the HiveMQ peer's jar when PEERS names hivemq.
mqtt_jars() {
  server_jar=${RATATOSKR_JAR:-$root/server/target/ratatoskr.jar}
  bench_jar=${BENCH_JAR:-$root/bench/target/ratatoskr-bench.jar}
  hivemq_jar=${HIVEMQ_JAR:-$root/bench-hivemq/target/hivemq-peer.jar}
  local modules=server,bench missing=0
  [[ " $2 " == *" hivemq "* ]] && modules=$modules,bench-hivemq
  for jar in "$server_jar" "$bench_jar"; do [ -f "$jar" ] || missing=1; done
  [[ " $2 " == *" hivemq "* ]] && { [ -f "$hivemq_jar" ] || missing=1; }
  if [ "$1" = always ] || { [ "$1" = 1 ] && [ "$missing" = 1 ]; }; then
    echo "building $modules..." >&2
    (cd "$root" && ./mvnw -q -B -ntp -DskipTests package -pl "$modules" -am) >&2
  elif [ "$missing" = 1 ]; then
    echo "missing jars: run ./mvnw -B -ntp -q -DskipTests package -pl $modules -am" >&2
    exit 1
  fi
}

# start_mqtt_broker NAME WORK: starts ratatoskr, mosquitto or hivemq on a free loopback port (data under WORK, log in
# $OUT/NAME.log, JVM brokers' GC log in $OUT/NAME-gc.log) and waits until it listens. Sets broker_port[NAME],
# broker_pid[NAME] and broker_gclog[NAME] (empty for Mosquitto), and appends its command to $OUT/environment.txt.
start_mqtt_broker() {
  local name=$1 work=$2 port gc=""
  port=$(free_port)
  while [[ " ${broker_port[*]:-} " == *" $port "* ]]; do port=$(free_port); done
  local gcopt
  gcopt=$(gc_log_option "$OUT/$name-gc.log")
  case "$name" in
    ratatoskr)
      gc="$OUT/$name-gc.log"
      # shellcheck disable=SC2086
      "$java" --enable-native-access=ALL-UNNAMED "$gcopt" ${RATATOSKR_JAVA_OPTS:-} -jar "$server_jar" server \
        --data-dir "$work/ratatoskr-data" --mqtt-port "$port" --grpc-port -1 --http-port -1 \
        --max-inflight "$INFLIGHT_BROKER" --max-queued-messages "$QUEUED_BROKER" > "$OUT/ratatoskr.log" 2>&1 &
      echo "ratatoskr: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=... ${RATATOSKR_JAVA_OPTS:-} -jar $server_jar server --data-dir <fresh> --mqtt-port <free> --grpc-port -1 --http-port -1 --max-inflight $INFLIGHT_BROKER --max-queued-messages $QUEUED_BROKER" >> "$OUT/environment.txt"
      ;;
    mosquitto)
      [ -x "$MOSQUITTO" ] || { echo "no Mosquitto at $MOSQUITTO (apt-get install -y mosquitto)" >&2; exit 1; }
      cat > "$OUT/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages $INFLIGHT_BROKER
max_queued_messages $QUEUED_BROKER
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
CONF
      "$MOSQUITTO" -c "$OUT/mosquitto.conf" > "$OUT/mosquitto.log" 2>&1 &
      echo "mosquitto: $("$MOSQUITTO" -h 2>/dev/null | head -1) -c mosquitto.conf" >> "$OUT/environment.txt"
      ;;
    hivemq)
      gc="$OUT/$name-gc.log"
      # shellcheck disable=SC2086
      "$java" --enable-native-access=ALL-UNNAMED "$gcopt" ${HIVEMQ_JAVA_OPTS:-} -jar "$hivemq_jar" --port "$port" \
        --data-dir "$work/hivemq" --max-queued-messages "$QUEUED_BROKER" --receive-maximum "$RECEIVE_MAXIMUM" \
        --max-packet-size "$MAX_PACKET" > "$OUT/hivemq.log" 2>&1 &
      echo "hivemq: java --enable-native-access=ALL-UNNAMED -Xlog:gc*:file=... ${HIVEMQ_JAVA_OPTS:-} -jar $hivemq_jar --port <free> --data-dir <fresh> --max-queued-messages $QUEUED_BROKER --receive-maximum $RECEIVE_MAXIMUM --max-packet-size $MAX_PACKET (HiveMQ CE 2025.5 embedded, persistence in-memory, discard-oldest; config in hivemq.config.xml)" >> "$OUT/environment.txt"
      ;;
    *) echo "unknown broker $name (ratatoskr, mosquitto, hivemq)" >&2; exit 2 ;;
  esac
  broker_pid[$name]=$!
  pids+=("${broker_pid[$name]}")
  broker_port[$name]=$port
  broker_gclog[$name]=$gc
  wait_for_port "$port" "${broker_pid[$name]}" "$name" 60
  [ "$name" = hivemq ] && cp "$work/hivemq/conf/config.xml" "$OUT/hivemq.config.xml"
  return 0
}

# start_mqtt_brokers TAG LINES...: creates $OUT and a scratch directory `work` (removed, with the brokers stopped,
# when the script exits), writes $OUT/environment.txt (the machine, the load average, LINES, the brokers), and starts
# Ratatoskr and each broker of $PEERS. Sets `brokers` (their names) and `pids`.
start_mqtt_brokers() {
  local tag=$1 b
  shift
  mkdir -p "$OUT"
  work=$(mktemp -d "${TMPDIR:-/tmp}/ratatoskr-$tag.XXXXXX")
  pids=()
  trap 'stop_brokers "$work"' EXIT
  brokers=(ratatoskr)
  for b in $PEERS; do brokers+=("$b"); done
  {
    describe_machine "$java"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%s\n' "$@"
    echo "brokers: ${brokers[*]}"
  } > "$OUT/environment.txt"
  for b in "${brokers[@]}"; do start_mqtt_broker "$b" "$work"; done
  cat "$OUT/environment.txt" >&2
}

# prime_brokers: unrecorded runs against every broker — q1-4x4-64B flat out, and a QoS 1 shared subscription at
# 2,000 msg/s — so that no JVM broker meets the first measured run with cold code (HiveMQ's first shared-subscription
# run after it started stalls for seconds).
prime_brokers() {
  local b
  for b in "${brokers[@]}"; do
    echo "[$(date -u +%H:%M:%S)] priming $b (not recorded)" >&2
    mqtt_load "prime-$b" "$b" --qos 1 -p 4 -s 4 --payload 64 > /dev/null 2>&1 || true
    mqtt_load "prime-shared-$b" "$b" --qos 1 -p 4 -s 4 --topics shared:g --rate 2000 > /dev/null 2>&1 || true
    mv "$OUT/prime-"*"-$b".* "$OUT/prime-$b".* "$work/" 2>/dev/null || true
  done
}

# mqtt_load NAME BROKER ARGS...: one MqttLoad run against BROKER (started by start_mqtt_broker) in a JVM of its own
# ($GEN_JAVA_OPTS), writing $OUT/NAME.{json,txt,err}, with the broker's pid (CPU, memory) and GC log, the load average
# as label load1, and $DURATION/$WARMUP unless ARGS override them. Returns MqttLoad's exit status.
mqtt_load() {
  local name=$1 broker=$2
  shift 2
  local extra=() rc=0
  [ -n "${broker_gclog[$broker]}" ] && extra=(--broker-gc-log "${broker_gclog[$broker]}")
  # shellcheck disable=SC2086
  "$java" $GEN_JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$bench_jar" io.ratatoskr.bench.mqtt.MqttLoad \
      --port "${broker_port[$broker]}" --broker-pid "${broker_pid[$broker]}" "${extra[@]}" \
      --clock-ticks "$(getconf CLK_TCK)" --duration "$DURATION" --warmup "$WARMUP" \
      --label "broker=$broker" --label "load1=$(cut -d' ' -f1 /proc/loadavg)" --json "$OUT/$name.json" "$@" \
      > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "  run failed (exit $rc); see $OUT/$name.err and $OUT/$name.txt" >&2
    tail -2 "$OUT/$name.err" | sed 's/^/  /' >&2 || true
  fi
  grep -E '^(delivered|end to end|expected|broker memory)' "$OUT/$name.txt" | sed 's/^/  /' >&2 || true
  kill -0 "${broker_pid[$broker]}" 2>/dev/null || { echo "$broker died; see $OUT/$broker.log" >&2; exit 1; }
  return "$rc"
}
