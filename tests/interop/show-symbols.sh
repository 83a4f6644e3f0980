#!/usr/bin/env bash
# `show symbols` through the real birdc: wrend and BIRD 2 load the same
# configuration in one namespace and list the same filters, functions,
# protocols and tables (BIRD's built-in constants aside, which Wren does
# not list), and answer a lookup by name the same way, found or not.
source "$(dirname "$0")/lib.sh"

n=$(ns both)
cat >"$tmp/x.conf" <<'CONF'
router id 198.18.90.1;
define k1 = 5;
filter f1 { accept; }
function fn1() { return 1; }
protocol device { scan time 1; }
protocol direct d1 { ipv4; interface "lo"; }
CONF
start_bird "$n" bird "$tmp/x.conf"
start_wrend "$n" wren "$tmp/x.conf"
same() {
    diff <(birdc -v -s "$tmp/bird.ctl" show symbols "$@" | tail -n +2 | sort) \
         <(birdc -v -s "$tmp/wren.ctl" show symbols "$@" | tail -n +2 | sort)
}
wait_for 10 "both answer" sh -c "birdc -s $tmp/wren.ctl show symbols filter | grep -F f1"
for k in filter function protocol table f1 d1 nosuchname; do
    same "$k" || fail "show symbols $k differs from BIRD's"
    pass "show symbols $k: BIRD's answer"
done
echo "PASS show-symbols"
