#!/usr/bin/env bash
# A/B of CodecBenchmark (decode, encodeDelivery; MQTT 3.1.1 and 5, 64 B and 1 KiB) with -prof gc: the base
# bench jar (main c0ef7ae) and this branch's, alternating, ROUNDS times, in one run. Writes
# <round>-<jar>.{txt,json} and load.txt here (or to OUT). Builds nothing: copy the jars first, e.g.
#   mkdir -p /tmp/m5-ab && cp /tmp/base-c0ef7ae/ratatoskr-bench.jar /tmp/m5-ab/base.jar
#   cp bench/target/ratatoskr-bench.jar /tmp/m5-ab/new.jar
# summarize.py prints the table of docs/benchmarks.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
java="$("$root/bin/find-jdk.sh")/bin/java"
OUT=${OUT:-$here}
JARS=${JARS:-/tmp/m5-ab}
ROUNDS=${ROUNDS:-2}
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for jar in base new; do
    echo "load before $round-$jar: $(date -u +%H:%M:%S) $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
    "$java" --enable-native-access=ALL-UNNAMED -cp "$JARS/$jar.jar" org.openjdk.jmh.Main \
      'jmh\.CodecBenchmark' -prof gc -f 1 -wi 3 -i 5 -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
      -rf json -rff "$OUT/$round-$jar.json" > "$OUT/$round-$jar.txt" 2>&1
    echo "load after $round-$jar: $(date -u +%H:%M:%S) $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
  done
done
