#!/usr/bin/env bash
# per-thread CPU (utime+stime ticks) and context switches of a pid over a window
pid=$1; secs=$2
snap() { for t in /proc/$pid/task/*; do n=$(cat $t/comm); s=($(cut -d' ' -f14,15 $t/stat)); v=$(awk '/^voluntary_ctxt/ {print $2}' $t/status); nv=$(awk '/^nonvoluntary_ctxt/ {print $2}' $t/status); echo "$(basename $t) $n $((s[0]+s[1])) $v $nv"; done; }
snap > /tmp/lat/s1; sleep $secs; snap > /tmp/lat/s2
join <(sort /tmp/lat/s1) <(sort /tmp/lat/s2) | awk '{d=$7-$3; v=$8-$4; nv=$9-$5; if (d>0||v>100) printf "%-8s %-28s cpu_ticks %5d vol_cs %7d invol_cs %6d\n",$1,$2,d,v,nv}'
