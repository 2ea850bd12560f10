#!/usr/bin/env bash
# A/B of CodecBenchmark.encodeDeliveryNewProperties (added with this change, so the base jar lacks it): the
# benchmark classes of this branch's jar run against the base jar's codec ("base": extracted benchmark
# classes and BenchmarkList first on the class path, then the base jar) and against this branch's
# ("new"), alternating, ROUNDS times, 64 B payloads. Writes np<round>-<jar>.{txt,json} and load.txt.
#   mkdir -p /tmp/m5-ab/benchonly && cd /tmp/m5-ab/benchonly && unzip -o -q /tmp/m5-ab/new2.jar \
#     'io/ratatoskr/bench/jmh/CodecBenchmark*' 'io/ratatoskr/bench/jmh/jmh_generated/CodecBenchmark*' \
#     'META-INF/BenchmarkList'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
java="$("$root/bin/find-jdk.sh")/bin/java"
OUT=${OUT:-$here}
JARS=${JARS:-/tmp/m5-ab}
ROUNDS=${ROUNDS:-2}
for round in $(seq 1 "$ROUNDS"); do
  for jar in base new; do
    cp="$JARS/new2.jar"
    [ "$jar" = base ] && cp="$JARS/benchonly:$JARS/base.jar"
    echo "load before np$round-$jar: $(date -u +%H:%M:%S) $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
    "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main \
      'jmh\.CodecBenchmark\.encodeDeliveryNewProperties' -p payloadBytes=64 -prof gc -f 1 -wi 3 -i 5 \
      -jvmArgsAppend --enable-native-access=ALL-UNNAMED -rf json -rff "$OUT/np$round-$jar.json" \
      > "$OUT/np$round-$jar.txt" 2>&1
    echo "load after np$round-$jar: $(date -u +%H:%M:%S) $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
  done
done
