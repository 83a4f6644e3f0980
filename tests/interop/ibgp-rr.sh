#!/usr/bin/env bash
# wrend as route reflector (RFC 4456) on one LAN in AS 65000: two BIRD 2
# clients over IPv4, one FRR non-client over IPv6 transport. Client routes
# reach the other client and the non-client with ORIGINATOR_ID and
# CLUSTER_LIST set, next hop and LOCAL_PREF unchanged; the non-client's
# IPv6 route reaches both clients; nothing goes back to its originator.
source "$(dirname "$0")/lib.sh"

lan
w=$(ns wren); b1=$(ns bird1); b2=$(ns bird2); f=$(ns frr)
port "$w" eth0 198.18.4.1/24 2001:2:0:4::1/64
port "$b1" eth0 198.18.4.11/24 2001:2:0:4::11/64
port "$b2" eth0 198.18.4.12/24 2001:2:0:4::12/64
port "$f" eth0 198.18.4.20/24 2001:2:0:4::20/64

client_conf() { # ADDR PREFIX COMMUNITY
    cat <<CONF
router id $1;
protocol device {}
protocol direct { ipv4; ipv6; interface "eth0"; }
protocol static { ipv4; route $2 blackhole; }
filter to_rr {
  if source != RTS_STATIC then reject;
  bgp_local_pref = 150;
  bgp_community.add((65000, $3));
  accept;
}
protocol bgp reflector {
  local $1 as 65000;
  neighbor 198.18.4.1 as 65000;
  ipv4 { import all; export filter to_rr; };
  ipv6 { import all; export none; };
}
CONF
}
client_conf 198.18.4.11 10.11.0.0/24 11 >"$tmp/bird1.conf"
client_conf 198.18.4.12 10.12.0.0/24 12 >"$tmp/bird2.conf"

cat >"$tmp/frr.conf" <<'CONF'
hostname frr
route-map nh6 permit 10
 set ipv6 next-hop global 2001:2:0:4::20
!
router bgp 65000
 bgp router-id 198.18.4.20
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 2001:2:0:4::1 remote-as 65000
 address-family ipv4 unicast
  neighbor 2001:2:0:4::1 activate
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:20::/48
  neighbor 2001:2:0:4::1 activate
  neighbor 2001:2:0:4::1 route-map nh6 out
 exit-address-family
!
CONF

cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.4.1"
[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "clients"
    peer-as = 65000
  [peer-groups.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "198.18.4.100"
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.4.11"
    peer-group = "clients"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.4.12"
    peer-group = "clients"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:2:0:4::20"
    peer-as = 65000
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$b1" bird1 "$tmp/bird1.conf"
start_bird "$b2" bird2 "$tmp/bird2.conf"
start_frr "$f" frr "$tmp/frr.conf"

established() { birdc -s "$tmp/$1.ctl" show protocols reflector | grep Established; }
wait_for 60 "client bird1 Established" established bird1
wait_for 60 "client bird2 Established" established bird2
wait_for 60 "non-client FRR Established (IPv6 transport)" \
    sh -c "ip netns exec $f vtysh --vty_socket $tmp/frr -d bgpd -c 'show bgp neighbors 2001:2:0:4::1 json' | grep '\"bgpState\":\"Established\"'"

# route_all BIRD PREFIX: `show route PREFIX all` at that BIRD.
route_all() { birdc -s "$tmp/$1.ctl" show route "$2" all; }
reflected() { # BIRD PREFIX NEXTHOP ORIGINATOR
    local out
    out=$(route_all "$1" "$2")
    grep -F "via $3" <<<"$out" && grep -F "BGP.originator_id: $4" <<<"$out" &&
        grep -F "BGP.cluster_list: 198.18.4.100" <<<"$out"
}
wait_for 20 "bird2 gets bird1's route, next hop kept, ORIGINATOR_ID bird1, CLUSTER_LIST ours" \
    reflected bird2 10.11.0.0/24 198.18.4.11 198.18.4.11
wait_for 10 "bird1 gets bird2's route the same way" reflected bird1 10.12.0.0/24 198.18.4.12 198.18.4.12
out=$(route_all bird2 10.11.0.0/24)
grep -F "BGP.local_pref: 150" <<<"$out" >/dev/null || fail "LOCAL_PREF not kept: $out"
grep -F "(65000,11)" <<<"$out" >/dev/null || fail "community not kept: $out"
pass "LOCAL_PREF and communities kept across the reflector"

frr_has() { # PREFIX → JSON of FRR's best path
    ip netns exec "$f" vtysh --vty_socket "$tmp/frr" -d bgpd -c "show bgp ipv4 unicast $1 json"
}
frr_reflected() {
    local j
    j=$(frr_has "$1")
    grep -F "\"originatorId\":\"$2\"" <<<"$j" && grep -F '"198.18.4.100"' <<<"$j" &&
        grep -F "\"ip\":\"$2\"" <<<"$j"
}

wait_for 20 "FRR: 10.11.0.0/24 from bird1" frr_reflected 10.11.0.0/24 198.18.4.11
wait_for 10 "FRR: 10.12.0.0/24 from bird2" frr_reflected 10.12.0.0/24 198.18.4.12

v6_reflected() { # BIRD
    local out
    out=$(route_all "$1" 2001:db8:20::/48)
    grep -F "via 2001:2:0:4::20" <<<"$out" && grep -F "BGP.originator_id: 198.18.4.20" <<<"$out"
}
wait_for 20 "bird1 gets FRR's IPv6 route (non-client to client), next hop FRR's" v6_reflected bird1
wait_for 10 "bird2 gets FRR's IPv6 route" v6_reflected bird2

# Nothing returns to where it came from.
route_all bird1 10.11.0.0/24 | grep -F "BGP.originator_id" && fail "bird1 got its own route back"
j=$(ip netns exec "$f" vtysh --vty_socket "$tmp/frr" -d bgpd -c "show bgp ipv6 unicast 2001:db8:20::/48 json")
grep -F '"originatorId"' <<<"$j" && fail "FRR got its own route back: $j"
pass "no route back to its originator"

# Withdrawal through the reflector.
birdc -s "$tmp/bird1.ctl" disable static1 >/dev/null
wait_for 20 "bird1's withdrawal reaches bird2" sh -c "! birdc -s $tmp/bird2.ctl show route 10.11.0.0/24 | grep 10.11.0.0"
wait_for 10 "and FRR" sh -c "! ip netns exec $f vtysh --vty_socket $tmp/frr -d bgpd -c 'show bgp ipv4 unicast 10.11.0.0/24 json' | grep originatorId"
echo "PASS ibgp-rr"
