#!/usr/bin/env bash
# The kernel side of graceful restart, as Calico restarts BIRD (`bird -R`
# with `graceful restart` in its kernel protocol): wrend installs a BIRD
# peer's routes, dies (kill -9), and starts again with -R. The routes stay
# in the kernel the whole time and are reconciled without being removed
# and written back: `ip monitor route` sees no deletion. A route the peer
# dropped while wrend was down is removed once recovery is over.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); b=$(ns bird)
link "$w" eth0 198.18.66.1/24 "$b" eth0 198.18.66.2/24
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.66.1;
protocol device {}
protocol kernel {
  graceful restart;
  ipv4 { import none; export all; };
}
protocol bgp bird {
  local 198.18.66.1 as 65000;
  neighbor 198.18.66.2 as 65001;
  graceful restart on;
  ipv4 { import all; export none; };
}
CONF
bird_conf() { # ROUTES...
    printf 'router id 198.18.66.2;\nprotocol device {}\nprotocol static { ipv4;'
    for r in "$@"; do printf ' route %s blackhole;' "$r"; done
    printf ' }\nprotocol bgp wren {\n  local 198.18.66.2 as 65001;\n  neighbor 198.18.66.1 as 65000;\n'
    printf '  graceful restart on;\n  connect retry time 2;\n  ipv4 { import none; export where source = RTS_STATIC; };\n}\n'
}
bird_conf 10.79.0.0/24 10.79.1.0/24 >"$tmp/bird.conf"
start_bird "$b" bird "$tmp/bird.conf"
start_wrend "$w" wren "$tmp/wren.conf"
has() { ip -n "$w" route show "$1" | grep -F "via 198.18.66.2" | grep -F "proto bird"; }
wait_for 60 "BIRD's routes in the kernel" sh -c "ip -n $w route show 10.79.0.0/24 | grep -F 198.18.66.2 && ip -n $w route show 10.79.1.0/24 | grep -F 198.18.66.2"

kill -9 "$(cat "$tmp/wren.pid")"
sleep 0.5
# While wrend is down, the peer drops one of its routes.
bird_conf 10.79.0.0/24 >"$tmp/bird.conf"
birdc -s "$tmp/bird.ctl" configure >/dev/null
ip -n "$w" monitor route >"$tmp/monitor.log" 2>&1 &
mon=$!
start_wrend "$w" wren "$tmp/wren.conf" -R
wait_for 30 "wrend -R: session with BIRD again" sh -c "birdc -s $tmp/wren.ctl show protocols bird | grep -F Established"
wait_for 30 "recovery over (show status: up, 0013)" sh -c "birdc -v -s $tmp/wren.ctl show status | grep -E '^0013'"
wait_for 10 "the route the peer dropped is removed after recovery" sh -c "! ip -n $w route show 10.79.1.0/24 | grep -F 10.79.1.0"
kill "$mon" 2>/dev/null || true
has 10.79.0.0/24 >/dev/null || fail "the kept route is not in the kernel"
grep -F "Deleted 10.79.0.0/24" "$tmp/monitor.log" && fail "the kept route was removed and written back"
pass "the kept route was never removed (ip monitor route saw no deletion)"
echo "PASS kernel-graceful"
