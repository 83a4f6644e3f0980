#!/usr/bin/env bash
# Next-hop resolution and the kernel kept in step (wrend on a BIRD 2
# config, GoBGP as an iBGP peer). GoBGP announces 10.72.0.0/24 with next
# hop 198.18.64.2, which is not on any of wrend's links: it resolves
# through a static route an admin added (198.18.64.0/24 via 198.18.63.2),
# and the kernel gets the route via that gateway, as BIRD's `gateway
# recursive` does. When the admin's route goes, the next hop is
# unresolvable and the route leaves the kernel; a new covering route
# brings it back through the new gateway. A route deleted by hand comes
# back at the next scan. An interface that goes down takes the routes
# through it (the kernel flushes them); when it comes back, so do they.
# `direct`: an address added after start is announced, and withdrawn
# when its interface goes down. `static`: a route's attribute block sets
# BGP attributes; a `via` resolves like a BGP next hop. `persist`: the
# routes stay in the kernel when wrend exits.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); g=$(ns gobgp)
link "$w" eth0 198.18.63.1/24 "$g" eth0 198.18.63.2/24
link "$w" eth2 198.18.65.1/24 "$g" eth2 198.18.65.2/24
ip -n "$w" link add eth1 type veth peer name eth1p
ip -n "$w" link set eth1 up; ip -n "$w" link set eth1p up
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.63.1;
protocol device {}
protocol direct { ipv4; interface "eth1"; }
protocol kernel {
  scan time 2;
  persist;
  ipv4 { import none; export all; };
}
protocol static {
  ipv4;
  route 10.76.0.0/24 blackhole { bgp_community.add((65000, 76)); bgp_med = 76; };
  route 10.77.0.0/24 via 198.18.64.9;
}
protocol bgp gobgp {
  local 198.18.63.1 as 65000;
  neighbor 198.18.63.2 as 65000;
  ipv4 { import all; export all; };
}
CONF
cat >"$tmp/gobgp.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.63.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.63.1"
    peer-as = 65000
CONF
ip -n "$w" route add 198.18.64.0/24 via 198.18.63.2 proto static
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
start_wrend "$w" wren "$tmp/wren.conf"
gob() { ip netns exec "$g" gobgp -u 127.0.0.1 "$@"; }
wait_for 60 "iBGP with GoBGP Established" sh -c "ip netns exec $g gobgp -u 127.0.0.1 neighbor | grep Establ"
gob global rib add 10.72.0.0/24 nexthop 198.18.64.2 >/dev/null
kroute() { ip -n "$w" route show 10.72.0.0/24; }
via() { kroute | grep -F "via $1" | grep -F "proto bird"; }
wait_for 30 "next hop 198.18.64.2 resolves through the admin's route: kernel route via 198.18.63.2" via 198.18.63.2
birdc -s "$tmp/wren.ctl" show route 10.72.0.0/24 all | grep -F "via 198.18.63.2 on eth0" >/dev/null \
    || fail "show route: $(birdc -s "$tmp/wren.ctl" show route 10.72.0.0/24 all)"
pass "show route gives the resolved gateway and interface, as BIRD does"

static_at_gobgp() { gob global rib -a ipv4 10.76.0.0/24 | grep -F 65000:76 | grep -F "Med: 76"; }
wait_for 20 "a static route's attribute block: community 65000:76 and MED 76 at GoBGP" static_at_gobgp
ip -n "$w" route show 10.76.0.0/24 | grep -F blackhole >/dev/null || fail "static blackhole not in the kernel"
pass "static blackhole in the kernel"
wait_for 10 "a static via resolves recursively too: via 198.18.63.2" sh -c "ip -n $w route show 10.77.0.0/24 | grep -F 'via 198.18.63.2'"

gob global rib add 10.78.0.0/24 nexthop 198.18.65.2 >/dev/null
k78() { ip -n "$w" route show 10.78.0.0/24 | grep -F "via 198.18.65.2 dev eth2"; }
wait_for 20 "a route through eth2" k78
ip -n "$w" link set eth2 down
wait_for 10 "eth2 down: the route through it is gone" sh -c "! ip -n $w route show 10.78.0.0/24 | grep -F 10.78"
ip -n "$w" link set eth2 up
wait_for 20 "eth2 up again: the route is back" k78

ip -n "$w" route del 10.72.0.0/24 proto bird
wait_for 10 "a route deleted by hand is back after the scan" via 198.18.63.2

ip -n "$w" route del 198.18.64.0/24
wait_for 10 "the covering route gone: unresolvable, out of the kernel" sh -c "! ip -n $w route show 10.72.0.0/24 | grep -F 10.72"
birdc -s "$tmp/wren.ctl" show route 10.72.0.0/24 | grep -F 10.72.0.0 >/dev/null \
    || fail "the BGP route itself left the table"
pass "the BGP route stays in Wren's table"
ip -n "$w" route add 198.18.64.0/24 via 198.18.63.3 proto static
wait_for 10 "a new covering route: back in the kernel via its gateway" via 198.18.63.3

at_gobgp() { gob global rib -a ipv4 10.73.0.0/24 | grep -F 10.73.0.0; }
ip -n "$w" addr add 10.73.0.1/24 dev eth1
wait_for 20 "an address added after start is announced (direct)" at_gobgp
ip -n "$w" link set eth1 down
wait_for 20 "its interface down: withdrawn" sh -c "! ip netns exec $g gobgp -u 127.0.0.1 global rib -a ipv4 10.73.0.0/24 | grep -F 10.73.0.0"
ip -n "$w" link set eth1 up
wait_for 20 "up again: announced again" at_gobgp
kill -TERM "$(cat "$tmp/wren.pid")"
sleep 1
via 198.18.63.3 >/dev/null || fail "persist: the route left the kernel at exit"
pass "persist: routes stay in the kernel when wrend exits"
echo "PASS kernel-resolve"
