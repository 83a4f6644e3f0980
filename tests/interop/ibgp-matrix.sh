#!/usr/bin/env bash
# The two iBGP cells of the interop matrix the other tests leave open:
# wrend with FRR over IPv4 and with BIRD 2 over IPv6, all in AS 65000.
# Each peer's route reaches wrend with its next hop and LOCAL_PREF kept
# and an empty AS path; wrend's own route (a static) reaches each peer
# with LOCAL_PREF 100.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); f=$(ns frr); b=$(ns bird)
link "$w" eth0 198.18.67.1/24 "$f" eth0 198.18.67.2/24
link "$w" eth1 2001:2:0:67::1/64 "$b" eth0 2001:2:0:67::2/64
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.67.1;
protocol device {}
protocol static { ipv4; route 10.80.0.0/24 blackhole; }
protocol static s6 { ipv6; route 2001:db8:80::/48 blackhole; }
protocol bgp frr {
  local 198.18.67.1 as 65000;
  neighbor 198.18.67.2 as 65000;
  ipv4 { import all; export all; };
}
protocol bgp bird {
  local 2001:2:0:67::1 as 65000;
  neighbor 2001:2:0:67::2 as 65000;
  ipv6 { import all; export all; };
}
CONF
cat >"$tmp/frr.conf" <<'CONF'
hostname frr
router bgp 65000
 bgp router-id 198.18.67.2
 no bgp network import-check
 neighbor 198.18.67.1 remote-as 65000
 address-family ipv4 unicast
  network 10.81.0.0/24 route-map lp
 exit-address-family
!
route-map lp permit 10
 set local-preference 150
!
CONF
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.67.3;
protocol device {}
protocol static { ipv6; route 2001:db8:82::/48 blackhole { bgp_local_pref = 120; }; }
protocol bgp wren {
  local 2001:2:0:67::2 as 65000;
  neighbor 2001:2:0:67::1 as 65000;
  ipv6 { import all; export where source = RTS_STATIC; };
}
CONF
start_frr "$f" frr "$tmp/frr.conf"
start_bird "$b" bird "$tmp/bird.conf"
start_wrend "$w" wren "$tmp/wren.conf"
at_wren() { birdc -s "$tmp/wren.ctl" show route "$1" all; }
wait_for 60 "iBGP over IPv4 with FRR Established" sh -c "birdc -s $tmp/wren.ctl show protocols frr | grep -F Established"
wait_for 60 "iBGP over IPv6 with BIRD Established" sh -c "birdc -s $tmp/wren.ctl show protocols bird | grep -F Established"
wait_for 20 "FRR's route at wrend: next hop FRR's, LOCAL_PREF 150, empty path" sh -c \
    "birdc -s $tmp/wren.ctl show route 10.81.0.0/24 all | grep -F 'BGP.local_pref: 150' && birdc -s $tmp/wren.ctl show route 10.81.0.0/24 all | grep -F 'BGP.next_hop: 198.18.67.2' && birdc -s $tmp/wren.ctl show route 10.81.0.0/24 all | grep -E 'BGP.as_path: *$'"
wait_for 20 "BIRD's route at wrend: next hop BIRD's, LOCAL_PREF 120" sh -c \
    "birdc -s $tmp/wren.ctl show route 2001:db8:82::/48 all | grep -F 'BGP.local_pref: 120' && birdc -s $tmp/wren.ctl show route 2001:db8:82::/48 all | grep -F 'BGP.next_hop: 2001:2:0:67::2'"
frr_has() { vty "$f" frr "show bgp ipv4 unicast 10.80.0.0/24" | grep -F "localpref 100"; }
wait_for 20 "wrend's IPv4 route at FRR, LOCAL_PREF 100" frr_has
bird_has() { birdc -s "$tmp/bird.ctl" show route 2001:db8:80::/48 all | grep -F "BGP.local_pref: 100"; }
wait_for 20 "wrend's IPv6 route at BIRD, LOCAL_PREF 100" bird_has
echo "PASS ibgp-matrix"
