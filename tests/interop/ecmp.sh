#!/usr/bin/env bash
# ECMP into the kernel (`merge paths on`), with wrend running a BIRD 2
# config: two BIRD 2 peers in the same AS (iBGP, as two Calico nodes
# announcing one service IP) offer equal paths to 10.60.0.0/24; the kernel
# route has both next hops; when one peer withdraws, one next hop remains.
source "$(dirname "$0")/lib.sh"

lan
w=$(ns wren); a=$(ns a); b=$(ns b)
port "$w" eth0 198.18.61.1/24
port "$a" eth0 198.18.61.11/24
port "$b" eth0 198.18.61.12/24
for n in a b; do
    ip=198.18.61.$([ $n = a ] && echo 11 || echo 12)
    cat >"$tmp/$n.conf" <<CONF
router id $ip;
protocol device {}
protocol direct { ipv4; interface "eth0"; }
protocol static svc { ipv4; route 10.60.0.0/24 blackhole; }
protocol bgp wren {
  local $ip as 65000;
  neighbor 198.18.61.1 as 65000;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
done
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.61.1;
protocol device {}
protocol kernel {
  merge paths on;
  ipv4 { export all; };
}
template bgp node {
  local 198.18.61.1 as 65000;
  ipv4 { import all; export none; };
}
protocol bgp node_a from node { neighbor 198.18.61.11 as 65000; }
protocol bgp node_b from node { neighbor 198.18.61.12 as 65000; }
CONF
start_wrend "$w" wren "$tmp/wren.conf"
start_bird "$a" a "$tmp/a.conf"
start_bird "$b" b "$tmp/b.conf"
two() { ip -n "$w" route show 10.60.0.0/24 | grep -c "nexthop via 198.18.61.1[12]" | grep -x 2; }
wait_for 60 "the kernel route has both next hops" two
ip -n "$w" route show 10.60.0.0/24 | grep -F "proto bird" >/dev/null || fail "proto: $(ip -n "$w" route show 10.60.0.0/24)"
birdc -s "$tmp/a.ctl" disable svc >/dev/null
wait_for 20 "a withdraws: one next hop left, via b" \
    sh -c "ip -n $w route show 10.60.0.0/24 | grep -F 'via 198.18.61.12' | grep -v nexthop"
echo "PASS ecmp"
