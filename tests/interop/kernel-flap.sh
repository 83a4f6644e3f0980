#!/usr/bin/env bash
# Kernel writes under churn (wrend on a BIRD 2 config): a BIRD 2 peer
# announces 20,000 routes, then its static protocol is disabled and
# enabled several times in quick succession, faster than the routes can
# all reach the kernel. Whatever the kernel was in the middle of, it ends
# holding exactly what the last state says, and wrend logs no refused
# write (a delete of a route that came and went before it was written is
# not an error). Exercises the ScatterQueue: prefixes queued twice,
# routes read from the table as they leave, deletes of routes not there.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); b=$(ns bird)
link "$w" eth0 198.18.63.1/24 "$b" eth0 198.18.63.2/24
n=20000
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.63.1;
protocol device {}
protocol kernel {
  ipv4 { export all; };
}
protocol bgp peer {
  local 198.18.63.1 as 65000;
  neighbor 198.18.63.2 as 65001;
  ipv4 { import all; export none; };
}
CONF
{
    echo 'router id 198.18.63.2;'
    echo 'protocol device {}'
    echo 'protocol static flap {'
    echo '  ipv4;'
    for i in $(seq 0 $((n - 1))); do
        echo "  route 10.$((64 + i / 256)).$((i % 256)).0/24 via 198.18.63.2;"
    done
    echo '}'
    echo 'protocol bgp wren {'
    echo '  local 198.18.63.2 as 65001;'
    echo '  neighbor 198.18.63.1 as 65000;'
    echo '  ipv4 { import none; export all; };'
    echo '}'
} >"$tmp/bird.conf"
start_wrend "$w" wren "$tmp/wren.conf"
start_bird "$b" bird "$tmp/bird.conf"
ours() { ip -n "$w" route show proto bird | grep -c "via 198.18.63.2" || true; }
count_is() { [ "$(ours)" -eq "$1" ]; }
wait_for 60 "all $n routes in the kernel" count_is "$n"
bc() { birdc -s "$tmp/bird.ctl" "$@" >/dev/null; }

bc disable flap; bc enable flap; bc disable flap; bc enable flap; bc disable flap
wait_for 60 "after enable/disable churn ending disabled: none of ours left" count_is 0
sleep 1
count_is 0 || fail "routes came back: $(ours) of ours in the kernel"

bc enable flap; bc disable flap; bc enable flap; bc disable flap; bc enable flap
wait_for 60 "after churn ending enabled: all $n back" count_is "$n"
sleep 1
count_is "$n" || fail "$(ours) of ours in the kernel, not $n"
[ "$(ip -n "$w" route show proto bird | wc -l)" -eq "$n" ] || fail "a route of ours not via the peer"

grep -F "kernel refused" "$tmp/wren.log" && fail "wrend logged refused kernel writes"
pass "no refused kernel write in the log"
echo "PASS kernel-flap"
