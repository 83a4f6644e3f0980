#!/usr/bin/env bash
# Third-party next hop (RFC 4271 §5.1.3) on a shared LAN: wrend (AS 65001)
# passes A's route on to B with A's own address as next hop, as BIRD and
# FRR do towards external peers, so B's traffic goes to A directly; with
# `next hop self` towards C, C gets wrend's address. All peers are real
# BIRD 2 on one bridge; a route from a peer on another link gets wrend's
# address (nothing to share).
source "$(dirname "$0")/lib.sh"

lan
w=$(ns wren); a=$(ns a); b=$(ns b); c=$(ns c); far=$(ns far)
port "$w" eth0 198.18.30.1/24
port "$a" eth0 198.18.30.2/24
port "$b" eth0 198.18.30.3/24
port "$c" eth0 198.18.30.4/24
link "$w" eth1 198.18.31.1/24 "$far" eth0 198.18.31.2/24
peer() { # NS-NAME ADDR AS IMPORT EXPORT
    cat >"$tmp/$1.conf" <<CONF
router id $2;
protocol device {}
protocol static { ipv4; route 10.$3.0.0/24 blackhole; }
protocol bgp wren { local $2 as 65$3; neighbor ${5:-198.18.30.1} as 65001;
    ipv4 { import all; export $4; }; }
CONF
}
peer a 198.18.30.2 002 "where source = RTS_STATIC"
peer b 198.18.30.3 003 none
peer c 198.18.30.4 004 none
peer far 198.18.31.2 005 "where source = RTS_STATIC" 198.18.31.1
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.30.1;
protocol device { scan time 1; }
template bgp lan { local as 65001; ipv4 { import all; export all; }; }
protocol bgp a from lan { neighbor 198.18.30.2 as 65002; }
protocol bgp b from lan { neighbor 198.18.30.3 as 65003; }
protocol bgp c from lan { neighbor 198.18.30.4 as 65004; ipv4 { import all; export all; next hop self; }; }
protocol bgp far from lan { neighbor 198.18.31.2 as 65005; }
CONF
start_wrend "$w" wren "$tmp/wren.conf"
for n in a b c far; do start_bird "$(eval echo \$$n)" "$n" "$tmp/$n.conf"; done
nh() { birdc -s "$tmp/$1.ctl" show route all "$2" | awk '/BGP.next_hop/ {print $2}'; }
wait_for 30 "B has A's route" sh -c "birdc -s $tmp/b.ctl show route 10.2.0.0/24 | grep -q 10.2.0.0"
[ "$(nh b 10.2.0.0/24)" = 198.18.30.2 ] || fail "B's next hop for A's route: $(nh b 10.2.0.0/24)"
pass "B gets A's route with A's address as next hop (third party)"
wait_for 30 "C has A's route" sh -c "birdc -s $tmp/c.ctl show route 10.2.0.0/24 | grep -q 10.2.0.0"
[ "$(nh c 10.2.0.0/24)" = 198.18.30.1 ] || fail "C (next hop self): $(nh c 10.2.0.0/24)"
pass "C, with next hop self, gets wrend's address"
wait_for 30 "B has the far route" sh -c "birdc -s $tmp/b.ctl show route 10.5.0.0/24 | grep -q 10.5.0.0"
[ "$(nh b 10.5.0.0/24)" = 198.18.30.1 ] || fail "B's next hop for the far route: $(nh b 10.5.0.0/24)"
pass "a route from another link goes to B with wrend's address"
[ -z "$(birdc -s "$tmp/a.ctl" show route protocol wren 10.2.0.0/24 | grep 10.2.0.0)" ] ||
    fail "A got its own route back"
ip netns exec "$b" ping -c1 -W2 198.18.30.2 >/dev/null || fail "B cannot reach A on the LAN"
pass "the LAN is one subnet: B reaches A directly"
echo "PASS third-party-next-hop"
