#!/usr/bin/env bash
# ADD-PATH receive (RFC 7911): BIRD 2 (AS 65001) holds two paths to
# 10.7.0.0/24 from two static protocols and prefers the one with the longer
# AS path (higher preference); with `add paths tx` it sends Wren both. Wren
# compares them itself, picks the shorter AS path and passes it to GoBGP —
# something it could only do if it received both. Disabling that path at
# BIRD withdraws its path id alone, and Wren falls back to the other.
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren); g=$(ns gobgp)
link "$b" eth0 198.18.7.1/24 "$w" eth0 198.18.7.2/24
link "$w" eth1 198.18.8.1/24 "$g" eth0 198.18.8.2/24

cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.7.1;
protocol device {}
protocol static long_path {
  ipv4 { preference 200; };
  route 10.7.0.0/24 blackhole { bgp_path.prepend(65011); bgp_path.prepend(65011); };
}
protocol static short_path {
  ipv4 { preference 100; };
  route 10.7.0.0/24 blackhole { bgp_path.prepend(65012); };
}
protocol bgp wren {
  local 198.18.7.1 as 65001;
  neighbor 198.18.7.2 as 65000;
  ipv4 { import all; export where source = RTS_STATIC; add paths tx; };
}
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.7.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.7.1"
    peer-as = 65001
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.8.2"
    peer-as = 65002
CONF
cat >"$tmp/gobgp.toml" <<'CONF'
[global.config]
  as = 65002
  router-id = "198.18.8.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.8.1"
    peer-as = 65000
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$b" bird "$tmp/bird.conf"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
path_at_gobgp() { ip netns exec "$g" gobgp -u 127.0.0.1 global rib -a ipv4 10.7.0.0/24 | grep -F "$1"; }

wait_for 60 "BIRD session Established" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
birdc -s "$tmp/bird.ctl" show protocols all wren | sed -n '/Neighbor capabilities/,$p' | grep -F "RX: ipv4" >/dev/null ||
    fail "BIRD did not negotiate ADD-PATH tx: $(birdc -s "$tmp/bird.ctl" show protocols all wren)"
birdc -s "$tmp/bird.ctl" show route 10.7.0.0/24 | grep -F "long_path" | grep -F '*' >/dev/null ||
    fail "BIRD should prefer the long path: $(birdc -s "$tmp/bird.ctl" show route 10.7.0.0/24)"
pass "BIRD's own best is the long path; it sends both"
wait_for 20 "Wren picks the shorter AS path and GoBGP gets 65000 65001 65012" path_at_gobgp "65000 65001 65012 "
birdc -s "$tmp/bird.ctl" disable short_path >/dev/null
wait_for 20 "withdrawing that path id alone makes Wren fall back to the long path" \
    path_at_gobgp "65000 65001 65011 65011 "
birdc -s "$tmp/bird.ctl" enable short_path >/dev/null
wait_for 20 "and back to the short one when it returns" path_at_gobgp "65000 65001 65012 "
echo "PASS add-path"
