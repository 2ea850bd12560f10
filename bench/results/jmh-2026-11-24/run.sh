#!/usr/bin/env bash
# The JMH microbenchmarks, short: one fork, 2 warm-up and 3 measured iterations of 1 s each; codec and topic
# matching with -prof gc (allocation per op). Writes JSON and text here (or to OUT) with the load average.
#   OUT=run1 run.sh                                                       # as in run1/
#   OUT=run2 JMH_OPTS='-f 1 -wi 3 -w 1s -i 8 -r 500ms' GC_PROF= run.sh     # as in run2/ (timing only)
# summarize.py run1 run2 prints the tables of docs/benchmarks.md.
# Builds nothing: run ./mvnw -B -ntp -q -DskipTests package -pl bench -am first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
java="$("$root/bin/find-jdk.sh")/bin/java"
OUT=${OUT:-$here}
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 3 -r 1s"}
GC_PROF=${GC_PROF-"-prof gc"}
mkdir -p "$OUT"
jmh() { # name regex extra...
  local name=$1 regex=$2; shift 2
  echo "load before $name: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
  nice -n 5 "$java" --enable-native-access=ALL-UNNAMED -cp "$root/bench/target/ratatoskr-bench.jar" \
    org.openjdk.jmh.Main "$regex" $JMH_OPTS -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
    -rf json -rff "$OUT/$name.json" "$@" 2>&1 | tee "$OUT/$name.txt"
  echo "load after $name: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
}
jmh codec-match 'jmh\.(CodecBenchmark|TopicMatchBenchmark)' $GC_PROF
jmh log-append 'jmh\.LogAppendBenchmark'
jmh group-dispatch 'jmh\.GroupDispatchBenchmark'
