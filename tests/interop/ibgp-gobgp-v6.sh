#!/usr/bin/env bash
# iBGP with GoBGP over IPv6 transport, IPv4 and IPv6 unicast on the one
# session (AS 65000), and eBGP on to BIRD 2 (AS 65001): GoBGP's routes of
# both families reach BIRD through Wren with path "65000" and Wren's
# address as next hop; BIRD's route reaches GoBGP with LOCAL_PREF 100 and
# BIRD's next hop kept (iBGP).
source "$(dirname "$0")/lib.sh"

g=$(ns gobgp); w=$(ns wren); b=$(ns bird)
link "$g" eth0 2001:2:0:80::2/64 "$w" eth0 2001:2:0:80::1/64
addr "$g" eth0 198.18.80.2/24
addr "$w" eth0 198.18.80.1/24
link "$w" eth1 198.18.81.1/24 "$b" eth0 198.18.81.2/24
addr "$w" eth1 2001:2:0:81::1/64
addr "$b" eth0 2001:2:0:81::2/64
cat >"$tmp/gobgp.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.80.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:2:0:80::1"
    peer-as = 65000
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.80.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:2:0:80::2"
    peer-as = 65000
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.81.2"
    peer-as = 65001
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.81.2;
protocol device {}
protocol static { ipv4; route 10.81.0.0/24 blackhole; }
protocol bgp wren {
  local 198.18.81.2 as 65001;
  neighbor 198.18.81.1 as 65000;
  ipv4 { import all; export where source = RTS_STATIC; };
  ipv6 { import all; export none; next hop address 2001:2:0:81::2; };
}
CONF
start_wrend "$w" wren "$tmp/wren.toml"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
start_bird "$b" bird "$tmp/bird.conf"
gob() { ip netns exec "$g" gobgp -u 127.0.0.1 "$@"; }
wait_for 60 "GoBGP iBGP session over IPv6 Established" sh -c "ip netns exec $g gobgp -u 127.0.0.1 neighbor | grep Establ"
wait_for 60 "BIRD Established" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
gob global rib add 10.80.0.0/24 nexthop 198.18.80.2 -a ipv4 >/dev/null
gob global rib add 2001:db8:80::/48 -a ipv6 >/dev/null
bird_has() { # PREFIX NEXTHOP
    local out
    out=$(birdc -s "$tmp/bird.ctl" show route "$1" all)
    grep -F "BGP.as_path: 65000" <<<"$out" && grep -F "$2" <<<"$out"
}
wait_for 20 "BIRD gets GoBGP's IPv4 route via Wren, path 65000" bird_has 10.80.0.0/24 "via 198.18.81.1"
wait_for 20 "BIRD gets GoBGP's IPv6 route via Wren" bird_has 2001:db8:80::/48 "BGP.next_hop: 2001:2:0:81::1"
gobgp_has() {
    ip netns exec "$g" gobgp -u 127.0.0.1 global rib -a ipv4 10.81.0.0/24 | grep -F 198.18.81.2 | grep -F 65001
}
wait_for 20 "GoBGP gets BIRD's route over iBGP, next hop BIRD's kept, path 65001" gobgp_has
echo "PASS ibgp-gobgp-v6"
