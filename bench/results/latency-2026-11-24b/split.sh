#!/usr/bin/env bash
# utime/stime ticks of the broker's mqtt I/O threads over a window
pid=$1; secs=$2
snap() { for t in /proc/$pid/task/*; do n=$(cat $t/comm); case $n in ratatoskr-mqtt*) echo "$(basename $t) $(cut -d' ' -f14,15 $t/stat)";; esac; done; }
snap > /tmp/lat/u1; sleep $secs; snap > /tmp/lat/u2
join <(sort /tmp/lat/u1) <(sort /tmp/lat/u2) | awk '{u+=$4-$2; s+=$5-$3} END {printf "io threads: user %d ticks, sys %d ticks\n", u, s}'
