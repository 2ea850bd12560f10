#!/usr/bin/env bash
# A/B of TopicMatchBenchmark (match, subscribeUnsubscribe; 100K subscriptions) with -prof gc: the base bench
# jar (main 4731aa8) and this branch's, alternating, ROUNDS times, in one run. Writes <round>-<jar>.{txt,json}
# and load.txt here (or to OUT). Builds nothing: copy the jars first, e.g.
#   cp /tmp/base-4731aa8/ratatoskr-bench.jar /tmp/topic-ab/base.jar
#   cp bench/target/ratatoskr-bench.jar /tmp/topic-ab/new.jar
# summarize.py prints the table of docs/benchmarks.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
java="$("$root/bin/find-jdk.sh")/bin/java"
OUT=${OUT:-$here}
JARS=${JARS:-/tmp/topic-ab}
ROUNDS=${ROUNDS:-3}
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for jar in base new; do
    echo "load before $round-$jar: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
    "$java" --enable-native-access=ALL-UNNAMED -cp "$JARS/$jar.jar" org.openjdk.jmh.Main \
      'jmh\.TopicMatchBenchmark' -prof gc -f 1 -wi 3 -i 5 -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
      -rf json -rff "$OUT/$round-$jar.json" > "$OUT/$round-$jar.txt" 2>&1
    echo "load after $round-$jar: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
  done
done
