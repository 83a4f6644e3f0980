#!/usr/bin/env bash
# RFC 9687 send hold timer against a real BIRD 2 that stops reading (SIGSTOP):
# wrend's writes to it block, and `send hold time` later wrend drops that
# session (while BIRD's own hold timer, 240 s, is far away), keeps its other
# session and its routes, and when BIRD runs again it reconnects and gets
# every route. Small TCP buffers in both namespaces make the writes block
# after a few kilobytes instead of megabytes.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); f=$(ns feed); s=$(ns stuck)
link "$w" eth0 198.18.70.1/24 "$f" eth0 198.18.70.2/24
link "$w" eth1 198.18.71.1/24 "$s" eth0 198.18.71.2/24
for n in "$w" "$s"; do
    ip netns exec "$n" sysctl -qw net.ipv4.tcp_rmem="4096 4096 4096" net.ipv4.tcp_wmem="4096 4096 4096"
done
routes=20000
{
    echo "router id 198.18.70.2;"
    echo "protocol device {}"
    echo "protocol static { ipv4;"
    for i in $(seq 0 $((routes - 1))); do echo "route 10.$((100 + i / 256)).$((i % 256)).0/24 blackhole;"; done
    echo "}"
    echo "protocol bgp wren { local 198.18.70.2 as 65001; neighbor 198.18.70.1 as 65000;"
    echo "    ipv4 { import none; export all; }; }"
} >"$tmp/feed.conf"
cat >"$tmp/stuck.conf" <<'CONF'
router id 198.18.71.2;
protocol device {}
protocol bgp wren { local 198.18.71.2 as 65002; neighbor 198.18.71.1 as 65000;
    connect retry time 2; error wait time 1, 2;
    ipv4 { import all; export none; }; }
CONF
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.70.1;
protocol device {}
protocol bgp feed { local 198.18.70.1 as 65000; neighbor 198.18.70.2 as 65001;
    ipv4 { import all; export none; }; }
protocol bgp stuck { local 198.18.71.1 as 65000; neighbor 198.18.71.2 as 65002;
    hold time 240; send hold time 6; error wait time 2, 4; connect retry time 2;
    ipv4 { import none; export all; }; }
CONF
"$(wrend_bin)" -p -c "$tmp/wren.conf" || fail "wrend refuses 'send hold time'"
start_wrend "$w" wren "$tmp/wren.conf"
start_bird "$s" stuck "$tmp/stuck.conf"
state() { birdc -s "$tmp/wren.ctl" show protocols "$1" | awk -v p="$1" '$1 == p {print $6}'; }
wait_for 30 "stuck Established" sh -c "birdc -s $tmp/wren.ctl show protocols stuck | grep -q Established"
kill -STOP "$(cat "$tmp/stuck.pid")"
stopped_at=$SECONDS
start_bird "$f" feed "$tmp/feed.conf"
wait_for 60 "wrend holds the feed's $routes routes" sh -c \
    "birdc -s $tmp/wren.ctl show route count | grep -q '^Total: $routes of $routes'"
wait_for 10 "wrend sees its writes to stuck blocked" grep -q 'writes blocked.*peer=stuck.*blocked=true\|writes blocked blocked=true' "$tmp/wren.log"
wait_for 30 "the send hold timer drops stuck" sh -c \
    "birdc -s $tmp/wren.ctl show protocols all stuck | grep -qi 'send hold timer expired'"
took=$((SECONDS - stopped_at))
[ $took -lt 60 ] || fail "stuck dropped after ${took}s: not the send hold timer"
pass "stuck dropped ${took}s after it stopped reading (hold time 240 s)"
[ "$(state feed)" = Established ] || fail "the feed session went down with stuck"
birdc -s "$tmp/wren.ctl" show route count | grep -q "^Total: $routes of $routes" || fail "routes lost"
pass "feed still up, all $routes routes kept"
kill -CONT "$(cat "$tmp/stuck.pid")"
wait_for 60 "stuck back, Established" sh -c "birdc -s $tmp/stuck.ctl show protocols wren | grep -q Established"
wait_for 60 "stuck gets all $routes routes" sh -c \
    "birdc -s $tmp/stuck.ctl show route count | grep -q '^$routes of $routes routes'"
echo "PASS send-hold"
