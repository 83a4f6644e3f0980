#!/usr/bin/env bash
# Kernel `learn` (wrend on a BIRD 2 config): a route an administrator adds
# by hand (`ip route add ... proto static`) enters Wren's table and, with
# `export all`, reaches a BIRD 2 peer; deleting it withdraws it there.
# The kernel's own connected routes are not learned.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); b=$(ns bird)
link "$w" eth0 198.18.62.1/24 "$b" eth0 198.18.62.2/24
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.62.1;
protocol device {}
protocol kernel {
  learn;
  ipv4 { import all; export none; };
}
protocol bgp peer {
  local 198.18.62.1 as 65000;
  neighbor 198.18.62.2 as 65001;
  ipv4 { import all; export all; };
}
CONF
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.62.2;
protocol device {}
protocol bgp wren {
  local 198.18.62.2 as 65001;
  neighbor 198.18.62.1 as 65000;
  ipv4 { import all; export none; };
}
CONF
ip -n "$w" route add 10.70.0.0/24 via 198.18.62.2 proto static
start_wrend "$w" wren "$tmp/wren.conf"
start_bird "$b" bird "$tmp/bird.conf"
at_bird() { birdc -s "$tmp/bird.ctl" show route "$1" | grep -F "$1"; }
wait_for 60 "a route present at start is learned and reaches BIRD" at_bird 10.70.0.0/24
ip -n "$w" route add 10.71.0.0/24 via 198.18.62.2 proto static
wait_for 20 "a route added later is learned too" at_bird 10.71.0.0/24
at_bird 198.18.62.0/24 >/dev/null && fail "a connected (proto kernel) route was learned"
pass "connected routes are not learned"
ip -n "$w" route del 10.70.0.0/24
wait_for 20 "deleting it withdraws it at BIRD" sh -c "! birdc -s $tmp/bird.ctl show route 10.70.0.0/24 | grep -F 10.70.0.0"
echo "PASS kernel-learn"
