#!/bin/bash
# usage: threads.sh PID SECONDS -> per-thread voluntary/involuntary ctxsw and cpu ticks over the window
PID=$1; S=$2
snap() { for t in /proc/$PID/task/*; do n=$(tr " " _ < $t/comm); v=$(awk '/^voluntary_ctxt_switches/{print $2}' $t/status); i=$(awk '/^nonvoluntary_ctxt_switches/{print $2}' $t/status); c=$(awk '{print $14+$15}' $t/stat); echo "$(basename $t) $n $v $i $c"; done; }
snap > /tmp/lat/s0.$PID; sleep $S; snap > /tmp/lat/s1.$PID
join <(sort /tmp/lat/s0.$PID) <(sort /tmp/lat/s1.$PID) | awk '{dv=$7-$3; di=$8-$4; dc=$9-$5; if (dv+di+dc>0) printf "%-28s vol %7d invol %6d ticks %5d\n", $2, dv, di, dc}'
