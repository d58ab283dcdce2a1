#!/bin/sh
# compile: PF-Docker's multi-threaded compile workload (Table 1: a parallel build, write
# intensive). Cleans and rebuilds the C code base in /src/workload (zstd, from Debian's
# libzstd source package) with `make -j$JOBS $TARGET` forever; each finished build appends
# "ROUND START_MS END_MS ok|FAILED" to /data/builds.log (make's output of the last build is
# in /data/make.log). The heartbeat comes from a separate process, `loop -q`, so it keeps
# beating while make runs.
set -u
JOBS="${JOBS:-2}"
TARGET="${TARGET:-zstd-release}"
/usr/local/bin/loop -q /data/heartbeat.log &
beat=$!
build=
trap 'kill $beat $build 2>/dev/null; exit 143' TERM INT
cd /src/workload || exit 1
round=0
while :; do
  round=$((round + 1))
  make clean >/dev/null 2>&1
  start=$(date +%s%3N)
  make -j"$JOBS" $TARGET >/data/make.log 2>&1 &
  build=$!
  if wait "$build"; then status=ok; else status=FAILED; fi
  echo "$round $start $(date +%s%3N) $status" >>/data/builds.log
done
