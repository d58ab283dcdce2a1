#!/bin/sh
# counter: keeps a counter in memory (the shell variable i) and appends "i uptime" to
# /data/counter.log ten times a second; the log is the heartbeat an observer reads. After a
# migration the counter must go on from where it was: no reset, no repeat, no skip.
mb="${BALLAST_MIB:-0}"
if [ "$mb" -gt 0 ]; then /bin/ballast "$mb" & fi
mkdir -p /data
i=0
while true; do
  i=$((i + 1))
  read up rest < /proc/uptime
  echo "$i $up" >> /data/counter.log
  sleep 0.1
done
