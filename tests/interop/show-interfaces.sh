#!/usr/bin/env bash
# `show interfaces` and `show interfaces summary` through the real birdc:
# wrend and BIRD 2 run side by side in one namespace (same interfaces,
# addresses of both families, a secondary address, a link that is down)
# and must answer identically, greeting aside. Then an address added and
# an interface brought up after start show up in wrend's answer too.
source "$(dirname "$0")/lib.sh"

n=$(ns both)
ip -n "$n" link add e0 type veth peer name e1
ip -n "$n" link set e0 up
ip -n "$n" addr add 198.18.90.1/24 dev e0
ip -n "$n" addr add 198.18.91.1/24 dev e0
ip -n "$n" addr add 2001:db8::1/64 dev e0 nodad
printf 'router id 198.18.90.1;\nprotocol device { scan time 1; }\n' >"$tmp/x.conf"
start_bird "$n" bird "$tmp/x.conf"
start_wrend "$n" wren "$tmp/x.conf"
same() {
    diff <(birdc -v -s "$tmp/bird.ctl" show interfaces $1 | tail -n +2) \
         <(birdc -v -s "$tmp/wren.ctl" show interfaces $1 | tail -n +2)
}
wait_for 10 "show interfaces: wrend's answer is BIRD's" same ""
wait_for 5 "show interfaces summary: wrend's answer is BIRD's" same summary
ip -n "$n" link set e1 up
ip -n "$n" addr add 198.18.92.1/24 dev e1
wait_for 10 "after an interface came up with an address: still BIRD's answer" same ""
birdc -s "$tmp/wren.ctl" show interfaces summary | grep -E '^ *e1 +up +198\.18\.92\.1/24' >/dev/null \
    || fail "e1 is not up with its new address in wrend's summary"
pass "e1 up with its new address in wrend's summary"
echo "PASS show-interfaces"
