#!/usr/bin/env bash
# The quiet-machine run behind the headline tables of docs/benchmarks.md, in one command (about 40 minutes with
# every part; each part can be left out, e.g. PARTS='mqtt payloads durable' for about 30): builds the jars, runs each part into bench/results/final-<UTC date>-<time>/,
# then refreshes the generated blocks of docs/benchmarks.md and the plots in docs/img/ from what it measured.
#
#   bench/final-run.sh                                    # every part, on a quiet machine
#   PARTS='mqtt durable' bench/final-run.sh               # some parts
#   DRY=1 bench/final-run.sh                              # every part with tiny durations, 1 repetition: a check
#                                                         # that it works end to end (no docs change, ~10 minutes)
#
# Parts (PARTS, default all, in this order), their settings and how long each takes:
#   mqtt      compare-mqtt.sh, MQTT_SCENARIOS (the 10 headline scenarios of "Results on a quiet machine") against
#             Mosquitto and HiveMQ CE, MQTT_REPS (3) x DURATION (5s) after WARMUP (2s)        -> block mqtt-final, ~15 min
#   sweep     sweep-mqtt.sh, q1 4x4 1 KiB flat out then at 10/25/50/75/90 % of each broker's maximum
#             -> docs/img/q1-4x4-1KiB-{throughput,latency}.png and .md                            ~4 min
#   payloads  compare-mqtt.sh, q0 and q1 4x4 at 16 B, 256 B, 4 KiB, 16 KiB, 64 KiB, PAYLOAD_REPS (1)
#             -> block mqtt-payloads, docs/img/payloads-{mbps,msgs}.png and payloads.md            ~6 min
#   durable   compare-kafka.sh, DURABLE_SCENARIOS (the 7 of "Quiet-machine run after the durable-path changes"),
#             DURABLE_REPS (2), after one unmeasured run of DURABLE_WARMUP ('^(group-16c|drain-4m|live-4p4m)$')
#             on each broker -> block durable-final                                                ~7 min
#   grpc      compare-grpc.sh, GRPC_SCENARIOS (7 of the 16), GRPC_REPS (2), after one unmeasured run of
#             GRPC_WARMUP ('^(pub-group-1k|consume-4m)$') on each broker -> block grpc-final         ~7 min
#   jmh       the JMH microbenchmarks, short (JMH_OPTS '-f 1 -wi 2 -w 1s -i 3 -r 1s'), codec and topic matching
#             with -prof gc -> jmh/ (summary.md)                                                   ~4 min
#
# Environment: PARTS, the settings above, OUT (bench/results/final-<UTC date>-<UTC time>), DOCS (1: refresh
# docs/benchmarks.md and docs/img; 0: leave them), BUILD (1: build server, bench and bench-hivemq first; 0: use the jars
# as they are), MAX_LOAD (1.5) and LOAD_WAIT (300 s): before starting, wait this long for the 1-minute load average
# to fall to MAX_LOAD and refuse to run if it does not (FORCE=1 runs anyway and says so in the README), DRY (0).
# The comparison scripts' own settings (PEERS, GEN_JAVA_OPTS, RATATOSKR_JAR, ...) pass through.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

stamp=$(date -u +%Y-%m-%d-%H%MZ)
DRY=${DRY:-0}
PARTS=${PARTS:-mqtt sweep payloads durable grpc jmh}
OUT=${OUT:-$root/bench/results/final-$stamp}
DOCS=${DOCS:-$([ "$DRY" = 1 ] && echo 0 || echo 1)}
BUILD=${BUILD:-1}
MAX_LOAD=${MAX_LOAD:-1.5}
LOAD_WAIT=${LOAD_WAIT:-$([ "$DRY" = 1 ] && echo 0 || echo 300)}
FORCE=${FORCE:-0}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-2s}
MQTT_REPS=${MQTT_REPS:-3}
PAYLOAD_REPS=${PAYLOAD_REPS:-1}
DURABLE_REPS=${DURABLE_REPS:-2}
GRPC_REPS=${GRPC_REPS:-2}
MQTT_SCENARIOS=${MQTT_SCENARIOS:-'^(q0-4x4-64B|q1-4x4-64B|q1-4x4-1KiB|q0-1x10-1KiB|q1-1x10-64B|q1-100x1-64B|q1-shared-4x4-64B|q2-4x4-64B|q0-4x4-64B-10k|q1-4x4-1KiB-10k)$'}
PAYLOAD_SCENARIOS='^q[01]-4x4-(16B|256B|4KiB|16KiB|64KiB)$'
DURABLE_SCENARIOS=${DURABLE_SCENARIOS:-'^(fsync-1c|fsync-16c|async-1c|async-16c|group-16c|drain-4m|live-4p4m)$'}
GRPC_SCENARIOS=${GRPC_SCENARIOS:-'^(seq-fsync-100b|pub-fsync-1k|pub-group-1k|batch-fsync-1k|consume-4m|consume-4m-b50|latency-fsync)$'}
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 3 -r 1s"}
DURABLE_WARMUP=${DURABLE_WARMUP-'^(group-16c|drain-4m|live-4p4m)$'}
GRPC_WARMUP=${GRPC_WARMUP-'^(pub-group-1k|consume-4m)$'}
if [ "$DRY" = 1 ]; then
  # Tiny everything: proves that each part runs and reports, measures nothing.
  DURATION=1s WARMUP=500ms MQTT_REPS=1 PAYLOAD_REPS=1 DURABLE_REPS=1 GRPC_REPS=1
  MQTT_SCENARIOS='^(q1-4x4-64B|q0-4x4-64B-10k)$'
  PAYLOAD_SCENARIOS='^q[01]-4x4-(16B|64KiB)$'
  DURABLE_SCENARIOS='^(fsync-1c|drain-4m)$'
  GRPC_SCENARIOS='^(pub-fsync-1k|consume-4m)$'
  JMH_OPTS="-f 1 -wi 0 -i 1 -r 200ms"
  DURABLE_WARMUP='' GRPC_WARMUP=''
  export FRACTIONS="0.5" PRELOAD=20000 PRIME=0 QUIET_WAIT=0 RUN_QUIET_WAIT=0
fi

load1() { cut -d' ' -f1 /proc/loadavg; }
above() { awk -v l="$1" -v m="$2" 'BEGIN { exit !(l > m) }'; }

waited=0
while above "$(load1)" "$MAX_LOAD" && [ "$waited" -lt "$LOAD_WAIT" ]; do
  [ "$waited" -eq 0 ] && echo "the 1-minute load average is $(load1), above $MAX_LOAD: waiting up to ${LOAD_WAIT}s..." >&2
  sleep 15
  waited=$((waited + 15))
done
quiet=yes
if above "$(load1)" "$MAX_LOAD"; then
  if [ "$FORCE" != 1 ] && [ "$DRY" != 1 ]; then
    echo "refusing to start: the 1-minute load average is $(load1) (> $MAX_LOAD) after ${waited}s; this run is meant for a" \
      "quiet machine (FORCE=1 runs anyway)" >&2
    exit 1
  fi
  quiet=no
  echo "##################################################################################################" >&2
  echo "# WARNING: the machine is not quiet (load average $(load1) > $MAX_LOAD); the figures will say so  #" >&2
  echo "##################################################################################################" >&2
fi

if [ "$BUILD" = 1 ]; then
  echo "[$(date -u +%H:%M:%S)] building server, bench and bench-hivemq" >&2
  ./mvnw -B -ntp -q -DskipTests package -pl server,bench,bench-hivemq -am
fi
mkdir -p "$OUT"
java="$("$root/bin/find-jdk.sh")/bin/java"
bench_jar=${BENCH_JAR:-$root/bench/target/ratatoskr-bench.jar}
# The comparison scripts read these; the MQTT ones must not rebuild behind our back, and the later parts start after
# the earlier ones' processes have gone, so their own wait for a quiet machine is short.
export BUILD=0 WARMUP MAX_LOAD QUIET_WAIT=${QUIET_WAIT:-300}

{
  echo "# Quiet-machine run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`bench/final-run.sh\` at commit \`$(git rev-parse --short HEAD)\`$(git diff --quiet HEAD -- . ':!bench/results' || echo ' (with local changes)'), parts: $PARTS."
  echo "Load average before it: $(cut -d' ' -f1-3 /proc/loadavg) (waited ${waited}s; quiet: $quiet); $(nproc) CPUs."
  [ "$DRY" = 1 ] && echo "**DRY RUN** (tiny durations, one repetition): these figures measure nothing."
  [ "$quiet" = no ] && echo "**WARNING: the machine was not quiet** (1-minute load average above $MAX_LOAD at the start)."
  echo
  echo "Settings: DURATION=$DURATION WARMUP=$WARMUP MQTT_REPS=$MQTT_REPS PAYLOAD_REPS=$PAYLOAD_REPS DURABLE_REPS=$DURABLE_REPS GRPC_REPS=$GRPC_REPS"
  echo
  echo "| part | started (UTC) | load average at start | directory |"
  echo "|---|---|---|---|"
} > "$OUT/README.md"

part_start() { # name dir
  echo "| $1 | $(date -u +%H:%M:%S) | $(cut -d' ' -f1-3 /proc/loadavg) | [$2/]($2/) |" >> "$OUT/README.md"
  echo "[$(date -u +%H:%M:%S)] === $1 (load $(load1)) ===" >&2
}

report() { # results-dir block extra-args...
  local dir=$1 block=$2
  shift 2
  if [ "$DOCS" = 1 ]; then
    "$root/bin/ratatoskr-bench" report --results "$dir" --block "$block" "$@" || failed+=("report-$block")
  fi
}

failed=()
for part in $PARTS; do
  case "$part" in
    mqtt)
      part_start mqtt compare
      REPS=$MQTT_REPS DURATION=$DURATION SCENARIOS=$MQTT_SCENARIOS OUT="$OUT/compare" bench/compare-mqtt.sh \
        || failed+=(mqtt)
      report "$OUT/compare" mqtt-final
      ;;
    sweep)
      part_start sweep sweep
      plots="$OUT/sweep"
      [ "$DOCS" = 1 ] && plots=docs/img
      REPS=1 DURATION=$DURATION OUT="$OUT/sweep" PLOTS=$plots bench/sweep-mqtt.sh || failed+=(sweep)
      ;;
    payloads)
      part_start payloads payloads
      REPS=$PAYLOAD_REPS DURATION=$DURATION SCENARIOS=$PAYLOAD_SCENARIOS OUT="$OUT/payloads" bench/compare-mqtt.sh \
        || failed+=(payloads)
      plots="$OUT/payloads"
      [ "$DOCS" = 1 ] && plots=docs/img
      "$java" -Djava.awt.headless=true -cp "$bench_jar" io.ratatoskr.bench.report.SweepPlot --results "$OUT/payloads" \
        --out "$plots" --by-payload payloads || failed+=(payloads-plot)
      report "$OUT/payloads" mqtt-payloads
      ;;
    durable)
      part_start durable durable
      REPS=$DURABLE_REPS DURATION=$DURATION SCENARIOS=$DURABLE_SCENARIOS BROKER_WARMUP=$DURABLE_WARMUP OUT="$OUT/durable" bench/compare-kafka.sh \
        || failed+=(durable)
      report "$OUT/durable" durable-final --baseline kafka --throughput-target 0
      ;;
    grpc)
      part_start grpc grpc
      REPS=$GRPC_REPS DURATION=$DURATION SCENARIOS=$GRPC_SCENARIOS BROKER_WARMUP=$GRPC_WARMUP OUT="$OUT/grpc" bench/compare-grpc.sh \
        || failed+=(grpc)
      report "$OUT/grpc" grpc-final --baseline kafka --throughput-target 0
      ;;
    jmh)
      part_start jmh jmh
      mkdir -p "$OUT/jmh"
      # shellcheck disable=SC2086
      { "$java" --enable-native-access=ALL-UNNAMED -cp "$bench_jar" org.openjdk.jmh.Main \
          'jmh\.(CodecBenchmark|TopicMatchBenchmark)' $JMH_OPTS -prof gc -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
          -rf json -rff "$OUT/jmh/codec-match.json" > "$OUT/jmh/codec-match.txt" 2>&1 \
        && "$java" --enable-native-access=ALL-UNNAMED -cp "$bench_jar" org.openjdk.jmh.Main \
          'jmh\.(LogAppendBenchmark|GroupDispatchBenchmark)' $JMH_OPTS -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
          -rf json -rff "$OUT/jmh/log-group.json" > "$OUT/jmh/log-group.txt" 2>&1; } || failed+=(jmh)
      python3 bench/results/jmh-2026-11-24/summarize.py "$OUT/jmh" > "$OUT/jmh/summary.md" || failed+=(jmh-summary)
      ;;
    *) echo "unknown part '$part' (mqtt sweep payloads durable grpc jmh)" >&2; exit 2 ;;
  esac
done

{
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC."
  [ ${#failed[@]} -eq 0 ] || echo "**Failed parts: ${failed[*]}** (see their directories)."
  [ "$DOCS" = 1 ] && echo "docs/benchmarks.md (blocks mqtt-final, mqtt-payloads, durable-final, grpc-final) and docs/img/ were refreshed from these results."
} >> "$OUT/README.md"
cat "$OUT/README.md"
[ ${#failed[@]} -eq 0 ] || { echo "failed parts: ${failed[*]}" >&2; exit 1; }
