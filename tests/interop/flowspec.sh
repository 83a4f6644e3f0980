#!/usr/bin/env bash
# IPv4 FlowSpec (RFC 8955) from a real GoBGP, as seed 004's gobgp.conf
# configures it (ipv4-unicast and ipv4-flowspec on one session): wrend
# negotiates the family, keeps the rules GoBGP announces with their
# attributes (the discard action is a traffic-rate extended community),
# shows them in BIRD's words, forgets a withdrawn one, and unicast works
# beside it. A peer without FlowSpec still gets a unicast session.
source "$(dirname "$0")/lib.sh"

g=$(ns gobgp); w=$(ns wren)
link "$g" eth0 198.18.90.2/24 "$w" eth0 198.18.90.1/24
fams='  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-flowspec"'
cat >"$tmp/gobgp.toml" <<CONF
[global.config]
  as = 65002
  router-id = "198.18.90.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.90.1"
    peer-as = 65001
$fams
CONF
cat >"$tmp/wren.toml" <<CONF
[global.config]
  as = 65001
  router-id = "198.18.90.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.90.2"
    peer-as = 65002
$fams
CONF
start_wrend "$w" wren "$tmp/wren.toml"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
gobgp() { ip netns exec "$g" gobgp "$@"; }
wait_for 30 "session up" sh -c "ip netns exec $g gobgp neighbor | grep -q Establ"
caps=$(gobgp neighbor 198.18.90.1)
grep -A3 "multiprotocol" <<<"$caps" | grep -q "ipv4-flowspec" || fail "GoBGP does not see FlowSpec negotiated: $caps"
pass "ipv4-flowspec negotiated (GoBGP's view)"
gobgp global rib -a ipv4-flowspec add match destination 10.9.0.0/24 protocol tcp destination-port '==80' then discard
gobgp global rib -a ipv4-flowspec add match destination 10.9.1.0/24 source 192.0.2.0/24 protocol udp then discard
gobgp global rib add 10.8.0.0/24
flows() { birdc -s "$tmp/wren.ctl" show route table flow4 "$@"; }
wait_for 20 "wrend keeps the first rule, in BIRD's words" sh -c \
    "birdc -s $tmp/wren.ctl show route table flow4 | grep -qF 'flow4 { dst 10.9.0.0/24; proto 6; dport 80; }'"
flows | grep -qF "flow4 { dst 10.9.1.0/24; src 192.0.2.0/24; proto 17; }" || fail "second rule: $(flows)"
pass "both rules kept"
flows all | grep -q "BGP.as_path: 65002" || fail "rule attributes: $(flows all)"
flows all | grep -qE "BGP.ext_community: .*" || fail "no traffic-rate action kept: $(flows all)"
pass "attributes kept: $(flows all | grep ext_community | xargs)"
[ "$(flows count | grep -oE '^[0-9]+ of')" = "2 of" ] || fail "count: $(flows count)"
birdc -s "$tmp/wren.ctl" show route 10.8.0.0/24 | grep -q 10.8.0.0/24 || fail "unicast beside FlowSpec"
pass "unicast route beside the rules"
gobgp global rib -a ipv4-flowspec del match destination 10.9.0.0/24 protocol tcp destination-port '==80'
wait_for 20 "a withdrawn rule is forgotten" sh -c \
    "! birdc -s $tmp/wren.ctl show route table flow4 | grep -qF 'dst 10.9.0.0/24'"
flows | grep -qF "dst 10.9.1.0/24" || fail "the other rule went too"
pass "the other rule stays"
# A peer without FlowSpec: unicast only, nothing kept.
kill "$(cat "$tmp/gobgp.pid")"; sleep 1
cat >"$tmp/gobgp2.toml" <<'CONF'
[global.config]
  as = 65002
  router-id = "198.18.90.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.90.1"
    peer-as = 65001
CONF
start_gobgp "$g" gobgp "$tmp/gobgp2.toml"
wait_for 30 "unicast-only peer up" sh -c "ip netns exec $g gobgp neighbor | grep -q Establ"
wait_for 10 "its rules are gone with the old session" sh -c \
    "[ -z \"\$(birdc -s $tmp/wren.ctl show route table flow4 | grep 'flow4 {')\" ]"
echo "PASS flowspec"
