#!/bin/bash
# The same load as fib_load.rs through BIRD 2's kernel protocol: N static
# /32 routes via 198.18.0.2 exported to the main table of a fresh
# namespace, then removed by shutting BIRD down (it withdraws its kernel
# routes on exit unless `persist`). Prints wall seconds per phase and
# BIRD's CPU seconds (user+system, from /proc/PID/stat).
#
#   bash crates/wren-linux/examples/bird_fib_load.sh [ROUTES]
#
# Wall times are measured by polling the namespace's FIB size every 50 ms
# (/proc/net/fib_triestat, cheap even at a million routes), so they are
# upper bounds by about one poll.
set -euo pipefail
N=${1:-1000000}
NS=wl$$-bird
DIR=$(mktemp -d)
BIRD_PID=
cleanup() {
    [ -n "$BIRD_PID" ] && kill "$BIRD_PID" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link add a0 type veth peer name b0
ip -n "$NS" link set a0 up
ip -n "$NS" link set b0 up
ip -n "$NS" addr add 198.18.0.1/24 dev a0

{
    echo 'router id 198.18.0.1;'
    echo 'protocol device {}'
    echo 'protocol kernel { ipv4 { export all; }; }'
    echo 'protocol static { ipv4;'
    awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
        printf "  route 10.%d.%d.%d/32 via 198.18.0.2;\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
    echo '}'
} > "$DIR/bird.conf"

count() { # prefixes in the namespace's IPv4 FIB (main and local, merged)
    ip netns exec "$NS" awk '/^Main:/ { m = 1 } m && /Prefixes:/ { print $2; exit }' /proc/net/fib_triestat
}
cpu() { # utime + stime of BIRD in seconds
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$BIRD_PID/stat"
}
now() { date +%s.%N; }

t=$(now); bird -p -c "$DIR/bird.conf"
echo "parse config alone: $(echo "$(now) - $t" | bc) s"

BASE=$(count)
t0=$(now)
ip netns exec "$NS" bird -f -c "$DIR/bird.conf" -s "$DIR/bird.ctl" -P "$DIR/bird.pid" &
BIRD_PID=$!
while [ "$(count)" -lt $((BASE + N)) ]; do sleep 0.05; done
t1=$(now)
echo "install: $N routes, wall $(echo "$t1 - $t0" | bc) s (from start, incl. config parse), bird cpu $(cpu) s"

c0=$(cpu)
t2=$(now)
birdc -s "$DIR/bird.ctl" down > /dev/null
last=$c0
while kill -0 "$BIRD_PID" 2>/dev/null; do
    last=$(cpu 2>/dev/null || echo "$last")
    sleep 0.05
done
while [ "$(count)" -gt "$BASE" ]; do sleep 0.05; done
t3=$(now)
BIRD_PID=
echo "remove: wall $(echo "$t3 - $t2" | bc) s, bird cpu >= $(echo "$last - $c0" | bc) s (last sample before exit)"
