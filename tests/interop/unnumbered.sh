#!/usr/bin/env bash
# BGP unnumbered (GoBGP's neighbor-interface): wrend A peers by interface
# with wrend B on one link and with FRR (zebra + bgpd, `neighbor eth0
# interface`) on another. No link has an IPv4 address: each side learns
# the other's link-local address from router advertisements, IPv4 routes
# travel with IPv6 next hops (RFC 8950), and every kernel gets them as
# `via inet6 fe80::… dev IF`. B's loopback reaches FRR through A, with A's
# link-local address as next hop, and a ping crosses both links.
source "$(dirname "$0")/lib.sh"

a=$(ns a); b=$(ns b); f=$(ns frr)
link "$a" eth0 "" "$b" eth0 ""
link "$a" eth1 "" "$f" eth0 ""
ip -n "$a" addr add 10.75.0.1/32 dev lo
ip -n "$b" addr add 10.75.0.2/32 dev lo
ip -n "$f" addr add 10.75.0.3/32 dev lo
for n in "$a" "$b" "$f"; do ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1; done
toml() { # AS ROUTER-ID then interface:peer-as pairs
    printf '[global.config]\n  as = %s\n  router-id = "%s"\n' "$1" "$2"
    shift 2
    for x in "$@"; do
        printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-interface = "%s"\n    peer-as = %s\n' "${x%%:*}" "${x##*:}"
        printf '  [neighbors.timers.config]\n    connect-retry = 5\n'
    done
    printf '[zebra.config]\n  enabled = true\n  redistribute-route-type-list = ["connect"]\n'
}
toml 65001 10.75.0.1 eth0:65002 eth1:65003 >"$tmp/a.toml"
toml 65002 10.75.0.2 eth0:65001 >"$tmp/b.toml"
cat >"$tmp/frr.conf" <<'CONF'
hostname frr
router bgp 65003
 bgp router-id 10.75.0.3
 no bgp ebgp-requires-policy
 neighbor eth0 interface remote-as external
 address-family ipv4 unicast
  redistribute connected
 exit-address-family
!
CONF
start_frr_zebra "$f" frr "$tmp/frr.conf"
start_wrend "$a" a "$tmp/a.toml"
start_wrend "$b" b "$tmp/b.toml"
est() { birdc -s "$tmp/$1.ctl" show protocols "$2" | grep -F Established; }
wait_for 60 "wrend A and wrend B: session over link-local addresses" est a eth0
wait_for 60 "wrend A and FRR: session over link-local addresses" est a eth1
wait_for 5 "wrend B's side is up too" est b eth0
birdc -s "$tmp/a.ctl" show protocols all eth0 | grep -F "Neighbor address: fe80::" >/dev/null \
    || fail "A does not show B's link-local address"
pass "A shows B's link-local address as the neighbour's"
kr() { ip -n "$1" route show "$2" | grep -F "via inet6 fe80::" | grep -F "dev $3" | grep -F "proto bgp"; }
wait_for 20 "A's kernel: B's loopback via B's link-local address on eth0" kr "$a" 10.75.0.2 eth0
wait_for 20 "A's kernel: FRR's loopback via FRR's link-local address on eth1" kr "$a" 10.75.0.3 eth1
wait_for 20 "B's kernel: FRR's loopback via A, two hops away" kr "$b" 10.75.0.3 eth0
birdc -s "$tmp/a.ctl" show route 10.75.0.2/32 | grep -E "via fe80::[0-9a-f:]+ on eth0" >/dev/null \
    || fail "A's show route: $(birdc -s "$tmp/a.ctl" show route 10.75.0.2/32)"
pass "A's show route: via B's link-local address on eth0"
wait_for 20 "FRR's kernel (zebra): B's loopback via A" kr "$f" 10.75.0.2 eth0
vty "$f" frr "show bgp ipv4 unicast 10.75.0.2/32" | grep -F "65001 65002" >/dev/null \
    || fail "FRR's path for B's loopback is not 65001 65002"
pass "FRR's path for B's loopback is 65001 65002"
wait_for 10 "B pings FRR's loopback from its own, across both links" \
    ip netns exec "$b" ping -c 1 -W 1 -I 10.75.0.2 10.75.0.3
echo "PASS unnumbered"
