#!/usr/bin/env bash
# A reload that changes only filters applies them without a session reset,
# as BIRD does: a new import filter asks the peer for its routes again
# (ROUTE-REFRESH) and keeps what it now accepts; a new export filter sends
# our routes again and withdraws what it now refuses. The filters keep
# their names; one changes through the body of a function it calls.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); a=$(ns a); b=$(ns b)
link "$w" eth0 198.18.60.1/24 "$a" eth0 198.18.60.2/24
link "$w" eth1 198.18.61.1/24 "$b" eth0 198.18.61.2/24
cat >"$tmp/a.conf" <<'CONF'
router id 198.18.60.2;
protocol device {}
protocol static { ipv4; route 10.61.1.0/24 blackhole; route 10.61.2.0/24 blackhole;
    route 10.61.3.0/24 blackhole; route 10.61.4.0/24 blackhole; }
protocol bgp wren { local 198.18.60.2 as 65001; neighbor 198.18.60.1 as 65000;
    ipv4 { import none; export where source = RTS_STATIC; }; }
CONF
cat >"$tmp/b.conf" <<'CONF'
router id 198.18.61.2;
protocol device {}
protocol bgp wren { local 198.18.61.2 as 65002; neighbor 198.18.61.1 as 65000;
    ipv4 { import all; export none; }; }
CONF
# wrend: IN rejects one route from a, BLOCKED one towards b.
conf() {
    cat <<CONF
router id 198.18.60.1;
function blocked() { return net = $2; }
filter in_a { if net = $1 then reject; accept; }
filter out_b { if blocked() then reject; accept; }
protocol device {}
protocol bgp a { local 198.18.60.1 as 65000; neighbor 198.18.60.2 as 65001;
    ipv4 { import filter in_a; export none; }; }
protocol bgp b { local 198.18.61.1 as 65000; neighbor 198.18.61.2 as 65002;
    ipv4 { import none; export filter out_b; }; }
CONF
}
conf 10.61.1.0/24 10.61.2.0/24 >"$tmp/wren.conf"
start_wrend "$w" wren "$tmp/wren.conf"
start_bird "$a" a "$tmp/a.conf"
start_bird "$b" b "$tmp/b.conf"
nets() { birdc -s "$tmp/$1.ctl" show route | awk '$1 ~ /^10\.61\./ {print $1}' | sort | xargs; }
holds() { [ "$(nets "$1")" = "$2" ]; }
since() { birdc -s "$tmp/$1.ctl" show protocols wren | awk '$1 == "wren" {print $5}'; }
wait_for 30 "wrend holds 2, 3, 4" holds wren "10.61.2.0/24 10.61.3.0/24 10.61.4.0/24"
wait_for 30 "b holds 3, 4" holds b "10.61.3.0/24 10.61.4.0/24"
a_since=$(since a); b_since=$(since b)
sleep 1

conf 10.61.3.0/24 10.61.4.0/24 >"$tmp/wren.conf"
out=$(birdc -s "$tmp/wren.ctl" configure)
grep -q Reconfigured <<<"$out" || fail "configure: $out"
grep -q "2 with new filters, 0 restarted" "$tmp/wren.log" || fail "not applied as filter changes: $(grep reconfigured "$tmp/wren.log")"
pass "both peers take new filters, none restarted"
wait_for 20 "wrend now holds 1, 2, 4 (a's routes again, through the new import filter)" \
    holds wren "10.61.1.0/24 10.61.2.0/24 10.61.4.0/24"
wait_for 20 "b now holds 1, 2 (3 withdrawn with the import change, 4 by the new export filter)" \
    holds b "10.61.1.0/24 10.61.2.0/24"
same_time "$(since a)" "$a_since" && same_time "$(since b)" "$b_since" ||
    fail "a session was reset: a $a_since -> $(since a), b $b_since -> $(since b)"
pass "no session reset (a up since $a_since, b since $b_since)"
echo "PASS reconfigure-filters"
