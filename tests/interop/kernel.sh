#!/usr/bin/env bash
# The kernel protocol: wrend (GoBGP config with [zebra.config]) installs
# an FRR peer's routes with proto bgp and metric 20, removes one when it is
# withdrawn, leaves stale routes behind only when killed -9, cleans them up
# at its next start, puts a route back at once when its interface loses
# carrier (the kernel drops nexthop objects then), and removes its routes
# on SIGTERM. Alien routes with another protocol are never touched.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); f=$(ns frr)
link "$w" eth0 198.18.50.1/24 "$f" eth0 198.18.50.2/24
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.50.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.50.2"
    peer-as = 65005
[zebra.config]
  enabled = true
CONF
cat >"$tmp/frr.conf" <<'CONF'
hostname frr
router bgp 65005
 bgp router-id 198.18.50.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.50.1 remote-as 65000
 address-family ipv4 unicast
  network 10.50.1.0/24
  network 10.50.2.0/24
 exit-address-family
!
CONF
ip -n "$w" route add 10.50.9.0/24 via 198.18.50.2 proto static
start_frr "$f" frr "$tmp/frr.conf"
start_wrend "$w" wren "$tmp/wren.toml"
kroute() { ip -n "$w" route show "$1"; }
has() { kroute "$1" | grep -F "via 198.18.50.2" | grep -F "proto bgp" | grep -F "metric 20"; }
wait_for 60 "10.50.1.0/24 in the kernel: via FRR, proto bgp, metric 20" has 10.50.1.0/24
wait_for 5 "10.50.2.0/24 too" has 10.50.2.0/24

vty "$f" frr "configure terminal
router bgp 65005
address-family ipv4 unicast
no network 10.50.2.0/24" >/dev/null
wait_for 20 "withdrawn route leaves the kernel" sh -c "! ip -n $w route show 10.50.2.0/24 | grep -F 10.50.2.0"

kill -9 "$(cat "$tmp/wren.pid")"
sleep 1
has 10.50.1.0/24 >/dev/null || fail "route gone although wrend was killed (-9)"
pass "kill -9 leaves routes behind (nothing ran to remove them)"
vty "$f" frr "configure terminal
router bgp 65005
address-family ipv4 unicast
no network 10.50.1.0/24" >/dev/null
start_wrend "$w" wren "$tmp/wren.toml"
wait_for 20 "the next start removes the stale route" sh -c "! ip -n $w route show 10.50.1.0/24 | grep -F 10.50.1.0"
kroute 10.50.9.0/24 | grep -F "proto static" >/dev/null || fail "an alien route was touched"
pass "the alien (proto static) route stays"

vty "$f" frr "configure terminal
router bgp 65005
address-family ipv4 unicast
network 10.50.3.0/24" >/dev/null
wait_for 30 "a new route is installed" has 10.50.3.0/24

# The route names a nexthop object. When the interface loses carrier the
# kernel deletes the object and every route naming it, and tells no one;
# wrend reads the table again at once (the scan is 60 s away) and the
# route is back, carrying its next hop as the kernel allows without carrier.
has 10.50.3.0/24 | grep -F nhid >/dev/null || fail "no nexthop object: $(kroute 10.50.3.0/24)"
pass "the route names a nexthop object (nhid)"
ip -n "$f" link set eth0 down
wait_for 5 "carrier lost: the route is back, carrying its next hop (linkdown)" \
    sh -c "ip -n $w route show 10.50.3.0/24 | grep -F 'via 198.18.50.2' | grep -F linkdown"
ip -n "$f" link set eth0 up
sleep 1
has 10.50.3.0/24 >/dev/null || fail "carrier back: the route is gone ($(kroute 10.50.3.0/24))"
pass "carrier back: the route stays"
kill -TERM "$(cat "$tmp/wren.pid")"
wait_for 10 "SIGTERM: wrend removes its routes" sh -c "! ip -n $w route show proto bgp | grep -F 10.50"
kroute 10.50.9.0/24 | grep -F "proto static" >/dev/null || fail "an alien route was removed at exit"
echo "PASS kernel"
