#!/usr/bin/env bash
# IPv6 transport and IPv6 routes, eBGP: BIRD 2 (AS 65001) — wrend
# (AS 65000) — FRR bgpd (AS 65003), all sessions over IPv6. Routes cross in
# both directions with Wren's AS prepended and Wren's global address as the
# next hop; BIRD's global + link-local next hop is accepted; MED does not
# leak to the other AS; a withdrawal crosses; FRR's administrative shutdown
# (Cease) removes its routes at BIRD.
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren); f=$(ns frr)
link "$b" eth0 2001:2:0:9::1/64 "$w" eth0 2001:2:0:9::2/64
link "$w" eth1 2001:2:0:10::1/64 "$f" eth0 2001:2:0:10::2/64

cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.9.1;
protocol device {}
protocol static { ipv6; route 2001:db8:1::/48 blackhole { bgp_med = 77; }; route 2001:db8:1:1::/64 blackhole; }
protocol bgp wren {
  local 2001:2:0:9::1 as 65001;
  neighbor 2001:2:0:9::2 as 65000;
  ipv6 { import all; export where source = RTS_STATIC; };
}
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.9.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:2:0:9::1"
    peer-as = 65001
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:2:0:10::2"
    peer-as = 65003
CONF
cat >"$tmp/frr.conf" <<'CONF'
hostname frr
route-map nh6 permit 10
 set ipv6 next-hop global 2001:2:0:10::2
!
router bgp 65003
 bgp router-id 198.18.10.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 2001:2:0:10::1 remote-as 65000
 address-family ipv6 unicast
  network 2001:db8:3::/48
  neighbor 2001:2:0:10::1 activate
  neighbor 2001:2:0:10::1 route-map nh6 out
 exit-address-family
!
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$b" bird "$tmp/bird.conf"
start_frr "$f" frr "$tmp/frr.conf"
frr_json() { vty "$f" frr "$1"; }

wait_for 60 "BIRD session Established (IPv6)" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
wait_for 60 "FRR session Established (IPv6)" \
    sh -c "ip netns exec $f vtysh --vty_socket $tmp/frr -d bgpd -c 'show bgp neighbors 2001:2:0:10::1 json' | grep '\"bgpState\":\"Established\"'"

frr_route() { # PREFIX → FRR's view has it with path 65000 65001 via Wren
    local j
    j=$(frr_json "show bgp ipv6 unicast $1 json")
    grep -F '"string":"65000 65001"' <<<"$j" && grep -F '"ip":"2001:2:0:10::1"' <<<"$j"
}
wait_for 20 "FRR learns 2001:db8:1::/48, path 65000 65001, next hop Wren" frr_route 2001:db8:1::/48
wait_for 5 "FRR learns 2001:db8:1:1::/64" frr_route 2001:db8:1:1::/64
j=$(frr_json "show bgp ipv6 unicast 2001:db8:1::/48 json")
grep -F '"metric":77' <<<"$j" >/dev/null && fail "MED leaked to another AS: $j"
pass "MED from AS 65001 not passed on to AS 65003"

bird_route() {
    local out
    out=$(birdc -s "$tmp/bird.ctl" show route 2001:db8:3::/48 all)
    grep -F "BGP.as_path: 65000 65003" <<<"$out" && grep -F "via 2001:2:0:9::2" <<<"$out"
}
wait_for 20 "BIRD learns FRR's 2001:db8:3::/48, path 65000 65003, next hop Wren" bird_route

birdc -s "$tmp/bird.ctl" disable static1 >/dev/null
wait_for 20 "BIRD's withdrawal reaches FRR" \
    sh -c "! ip netns exec $f vtysh --vty_socket $tmp/frr -d bgpd -c 'show bgp ipv6 unicast 2001:db8:1::/48 json' | grep '\"aspath\"'"

vty "$f" frr "configure terminal
router bgp 65003
neighbor 2001:2:0:10::1 shutdown" >/dev/null
wait_for 20 "FRR's administrative shutdown removes its route at BIRD" \
    sh -c "! birdc -s $tmp/bird.ctl show route 2001:db8:3::/48 | grep 2001:db8:3::"
grep -F "Received: Administrative shutdown" "$tmp/wren.log" >/dev/null || fail "Wren did not log the Cease reason"
pass "Wren logs the Cease (administrative shutdown)"
echo "PASS ebgp-ipv6-frr"
