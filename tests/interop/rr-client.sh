#!/usr/bin/env bash
# wrend as a route-reflector client of BIRD 2, with GoBGP as the other
# client (iBGP, AS 65000), and FRR as an eBGP neighbour of Wren (AS 65003),
# all on one LAN. GoBGP's route reaches Wren through the reflector with
# ORIGINATOR_ID and CLUSTER_LIST; Wren passes it to FRR with its AS
# prepended, the reflection attributes stripped and GoBGP's next hop (all
# share the LAN); FRR's route goes the
# other way through the reflector to GoBGP with FRR's next hop kept.
source "$(dirname "$0")/lib.sh"

lan
r=$(ns rr); w=$(ns wren); g=$(ns gobgp); f=$(ns frr)
port "$r" eth0 198.18.20.1/24
port "$w" eth0 198.18.20.2/24
port "$g" eth0 198.18.20.3/24
port "$f" eth0 198.18.20.4/24

cat >"$tmp/rr.conf" <<'CONF'
router id 198.18.20.1;
protocol device {}
protocol direct { ipv4; interface "eth0"; }
template bgp rrc {
  local 198.18.20.1 as 65000;
  rr client;
  rr cluster id 10.0.0.1;
  ipv4 { import all; export all; };
}
protocol bgp wren from rrc { neighbor 198.18.20.2 as 65000; }
protocol bgp gobgp from rrc { neighbor 198.18.20.3 as 65000; }
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.20.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.20.1"
    peer-as = 65000
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.20.4"
    peer-as = 65003
CONF
cat >"$tmp/gobgp.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.20.3"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.20.1"
    peer-as = 65000
CONF
cat >"$tmp/frr.conf" <<'CONF'
hostname frr
router bgp 65003
 bgp router-id 198.18.20.4
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.20.2 remote-as 65000
 address-family ipv4 unicast
  network 10.33.0.0/24
 exit-address-family
!
CONF

start_bird "$r" rr "$tmp/rr.conf"
start_wrend "$w" wren "$tmp/wren.toml"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
start_frr "$f" frr "$tmp/frr.conf"
wc() { birdc -s "$tmp/wren.ctl" "$@"; }

wait_for 60 "Wren Established with the reflector" sh -c "birdc -s $tmp/rr.ctl show protocols wren | grep Established"
wait_for 60 "GoBGP Established with the reflector" sh -c "birdc -s $tmp/rr.ctl show protocols gobgp | grep Established"
wait_for 60 "FRR Established with Wren" sh -c "birdc -s $tmp/wren.ctl show protocols 198.18.20.4 | grep Established"
ip netns exec "$g" gobgp -u 127.0.0.1 global rib add 10.30.0.0/24 >/dev/null

wait_for 20 "Wren learns GoBGP's route through the reflector" \
    sh -c "birdc -s $tmp/wren.ctl show route 10.30.0.0/24 all | grep 'BGP.originator_id: 198.18.20.3'"
out=$(wc show route 10.30.0.0/24 all)
grep -F "BGP.cluster_list: 10.0.0.1" <<<"$out" >/dev/null || fail "no CLUSTER_LIST: $out"
grep -F "via 198.18.20.3" <<<"$out" >/dev/null || fail "next hop not GoBGP's: $out"
pass "ORIGINATOR_ID, CLUSTER_LIST and next hop as reflected"

frr_json() { vty "$f" frr "show bgp ipv4 unicast $1 json"; }
frr_has() {
    local j
    j=$(frr_json 10.30.0.0/24)
    grep -F '"string":"65000"' <<<"$j" && grep -F '"ip":"198.18.20.3"' <<<"$j"
}
# On one LAN the next hop stays GoBGP's (third-party next hop, RFC 4271
# §5.1.3, as BIRD and FRR do): FRR forwards to GoBGP directly.
wait_for 20 "FRR gets it over eBGP: path 65000, next hop GoBGP's (third party)" frr_has
j=$(frr_json 10.30.0.0/24)
grep -F originatorId <<<"$j" >/dev/null && fail "ORIGINATOR_ID leaked over eBGP: $j"
grep -F clusterList <<<"$j" >/dev/null && fail "CLUSTER_LIST leaked over eBGP: $j"
pass "reflection attributes stripped on eBGP"

wait_for 20 "GoBGP gets FRR's route through Wren and the reflector, next hop FRR's" \
    sh -c "ip netns exec $g gobgp -u 127.0.0.1 global rib -a ipv4 10.33.0.0/24 | grep 198.18.20.4 | grep 65003"
wc show route 10.33.0.0/24 | grep -F "[AS65003i]" >/dev/null || fail "Wren's view of FRR's route"
pass "Wren's own view of FRR's route"

ip netns exec "$g" gobgp -u 127.0.0.1 global rib del 10.30.0.0/24 >/dev/null
wait_for 20 "withdrawal travels GoBGP -> reflector -> Wren -> FRR" \
    sh -c "! ip netns exec $f vtysh --vty_socket $tmp/frr -d bgpd -c 'show bgp ipv4 unicast 10.30.0.0/24 json' | grep aspath"
echo "PASS rr-client"
