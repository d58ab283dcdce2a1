#!/bin/sh
# services: real Debian servers with outside clients, for moving a container that holds
# connections (issue 15). In the foreground of one process tree, all as root (CRIU here
# cannot dump a process of another uid), none using io_uring:
#   redis-server on TCP 6379 (no persistence, no protected mode),
#   lighttpd on TCP 80 serving /srv/www (index.html and 64k.bin, keep-alive),
#   dnsmasq on UDP/TCP 53 answering svc.ferry.test with A 10.9.8.7 (nothing else),
#   `loop -q` appending "N REALTIME_MS" to /data/heartbeat.log every 50 ms,
#   with INSIDE_CLIENT=1 a redis-cli inside it on one loopback connection (INCR inside, 20/s).
# Logs of the servers are in /data. The script waits for its children; TERM stops them all.
set -u
mkdir -p /data
/usr/local/bin/loop -q /data/heartbeat.log &
beat=$!
redis-server --bind 0.0.0.0 --port 6379 --save '' --appendonly no --protected-mode no \
  --daemonize no --dir /data --logfile /data/redis.log &
redis=$!
lighttpd -D -f /etc/lighttpd/ferry.conf &
web=$!
dnsmasq --keep-in-foreground --user=root --group=root --no-resolv --no-hosts --no-poll \
  --port=53 --listen-address=0.0.0.0 --bind-interfaces --pid-file= \
  --address=/svc.ferry.test/10.9.8.7 --log-facility=/data/dnsmasq.log &
dns=$!
# INSIDE_CLIENT=1: a client inside the container on one loopback connection, INCR inside every 50 ms.
inside=
if [ "${INSIDE_CLIENT:-}" = 1 ]; then
  (sleep 1; exec redis-cli -h 127.0.0.1 -p 6379 -r -1 -i 0.05 INCR inside > /dev/null) &
  inside=$!
fi
trap 'kill $beat $redis $web $dns $inside 2>/dev/null; wait; exit 143' TERM INT
wait
