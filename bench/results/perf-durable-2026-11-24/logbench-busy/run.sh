#!/bin/bash
# LogBench GROUP-mode append matrix, base and new log module alternately.
for rep in 1 2; do
  for v in base new; do
    jar=<base ratatoskr-bench.jar>; [ $v = new ] && jar=<new ratatoskr-bench.jar>
    echo "== $v rep $rep $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    rm -rf /tmp/pdur-logbench/data
    /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xms2g -Xmx2g --enable-native-access=ALL-UNNAMED -cp $jar io.ratatoskr.bench.log.LogBench --dir /tmp/pdur-logbench/data       --seconds 1.5 --warmup 0.5 --runs 2 --sizes 100,1024 --batches 1,16 --modes GROUP --appenders 1,16,64 --sections append       --report /tmp/pdur-logbench/$v-$rep.md > /tmp/pdur-logbench/$v-$rep.out 2>&1
  done
done
