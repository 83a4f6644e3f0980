#!/usr/bin/env bash
# ADD-PATH send (RFC 7911), Wren as route reflector: two BIRD 2 clients
# announce the same service prefix (as Calico nodes do for a service IP);
# a third BIRD client with `add paths rx` gets both paths from Wren, each
# with its own path id, and keeps both. When one origin withdraws, only
# that path goes; the other is not re-sent.
source "$(dirname "$0")/lib.sh"

lan
w=$(ns wren); b1=$(ns bird1); b2=$(ns bird2); b3=$(ns bird3)
port "$w" eth0 198.18.22.1/24
port "$b1" eth0 198.18.22.11/24
port "$b2" eth0 198.18.22.12/24
port "$b3" eth0 198.18.22.13/24

client_conf() { # ADDR CHANNEL-EXTRA
    cat <<CONF
router id $1;
protocol device {}
protocol direct { ipv4; interface "eth0"; }
protocol static svc { ipv4; route 10.40.0.0/24 blackhole; }
protocol bgp reflector {
  local $1 as 65000;
  neighbor 198.18.22.1 as 65000;
  ipv4 { import all; export where source = RTS_STATIC; $2 };
}
CONF
}
client_conf 198.18.22.11 "" >"$tmp/bird1.conf"
client_conf 198.18.22.12 "" >"$tmp/bird2.conf"
client_conf 198.18.22.13 "add paths rx;" | sed '/protocol static/d' >"$tmp/bird3.conf"
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.22.1"
[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "clients"
    peer-as = 65000
  [peer-groups.route-reflector.config]
    route-reflector-client = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.22.11"
    peer-group = "clients"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.22.12"
    peer-group = "clients"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.22.13"
    peer-group = "clients"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
CONF

start_wrend "$w" wren "$tmp/wren.toml"
for n in 1 2 3; do start_bird "$(eval echo \$b$n)" "bird$n" "$tmp/bird$n.conf"; done
for n in 1 2 3; do
    wait_for 60 "bird$n Established" sh -c "birdc -s $tmp/bird$n.ctl show protocols reflector | grep Established"
done
birdc -s "$tmp/bird3.ctl" show protocols all reflector | sed -n '/Neighbor capabilities/,$p' | grep -F "TX: ipv4" >/dev/null ||
    fail "Wren did not offer ADD-PATH send: $(birdc -s "$tmp/bird3.ctl" show protocols all reflector)"
pass "ADD-PATH send negotiated with bird3"

paths_at_bird3() { birdc -s "$tmp/bird3.ctl" show route 10.40.0.0/24 | grep -c "via 198.18.22.1[12]"; }
wait_for 20 "bird3 holds both paths, via bird1 and via bird2" sh -c "[ \$(birdc -s $tmp/bird3.ctl show route 10.40.0.0/24 | grep -c 'via 198.18.22.1[12]') -eq 2 ]"
out=$(birdc -s "$tmp/bird3.ctl" show route 10.40.0.0/24 all)
grep -F "BGP.originator_id: 198.18.22.11" <<<"$out" >/dev/null && grep -F "BGP.originator_id: 198.18.22.12" <<<"$out" >/dev/null ||
    fail "originators: $out"
pass "each path keeps its originator"

birdc -s "$tmp/bird1.ctl" disable svc >/dev/null
wait_for 20 "bird1's path withdrawn by id, bird2's stays" sh -c "[ \$(birdc -s $tmp/bird3.ctl show route 10.40.0.0/24 | grep -c 'via 198.18.22.1[12]') -eq 1 ]"
birdc -s "$tmp/bird3.ctl" show route 10.40.0.0/24 | grep -F "via 198.18.22.12" >/dev/null || fail "wrong path left"
pass "the remaining path is bird2's"
[ "$(paths_at_bird3)" = 1 ] || fail "paths: $(paths_at_bird3)"
echo "PASS add-path-send"
