#!/usr/bin/env bash
# The BIRD 1.x dialect's filters against their reference, BIRD 1.6.8
# (Debian's `bird`, unpacked by scripts/bird1 beside bird2): wrend and
# BIRD 1.6.8 load the same 1.x configuration (import filter straight in
# `protocol bgp`, defines, a function, named filters), each is fed the same
# routes by its own BIRD 2, and every query must select the same routes
# with the same attributes, imported through the same filter.
source "$(dirname "$0")/lib.sh"

bird1=${WREN_BIRD1:-$("$root/scripts/bird1")}
[ -x "$bird1" ] || fail "no BIRD 1.6.8 at $bird1"
cat >"$tmp/feed.conf" <<'CONF'
router id 198.18.0.1;
protocol device { scan time 1; }
protocol static { ipv4;
    route 10.1.1.0/24 blackhole; route 10.1.2.0/24 blackhole;
    route 10.1.3.0/24 blackhole; route 10.2.0.0/16 blackhole;
    route 10.2.5.0/24 blackhole; route 192.0.2.0/24 blackhole;
}
filter tag_routes {
    if net = 10.1.1.0/24 then bgp_community.add((65001, 1));
    if net = 10.1.2.0/24 then { bgp_path.prepend(64999); bgp_path.prepend(64998); }
    if net = 10.1.3.0/24 then bgp_med = 50;
    if net ~ [10.2.0.0/16+] then bgp_community.add((65001, 7));
    accept;
}
protocol bgp dut { local 198.18.0.1 as 65001; neighbor 198.18.0.2 as 65000;
    ipv4 { import none; export filter tag_routes; }; }
CONF
# BIRD 1.x: no channels; the import filter rewrites some routes.
cat >"$tmp/dut.conf" <<'CONF'
router id 198.18.0.2;
define HOME = 65000;
define BIG = [10.2.0.0/16+];
function long_path(int n) { return bgp_path.len > n; }
function tagged() { return (65001, 7) ~ bgp_community; }
filter f_in {
    if net = 192.0.2.0/24 then reject;
    if tagged() then { bgp_local_pref = 200; bgp_community.add((HOME, 1)); }
    if bgp_med = 50 then bgp_med = 51;
    accept;
}
# (Deletes only where the community is: on a route without communities
# BIRD 1.6.8 creates an empty list and shows an empty `BGP.community:`
# line, where Wren holds no list and shows none.)
filter setpref {
    bgp_local_pref = 300;
    if (65001, 7) ~ bgp_community then bgp_community.delete([(65001, 7)]);
    accept;
}
protocol device { scan time 1; }
protocol bgp feed { local 198.18.0.2 as 65000; neighbor 198.18.0.1 as 65001;
    import filter f_in; export none; }
CONF
for d in wren bird1; do
    f=$(ns "f$d"); r=$(ns "r$d")
    link "$f" eth0 198.18.0.1/24 "$r" eth0 198.18.0.2/24
    start_bird "$f" "feed$d" "$tmp/feed.conf"
    if [ $d = wren ]; then
        start_wrend "$r" wren "$tmp/dut.conf"
    else
        ip netns exec "$r" "$bird1" -c "$tmp/dut.conf" -s "$tmp/bird1.ctl" -P "$tmp/bird1.pid"
    fi
done
for d in wren bird1; do
    wait_for 30 "$d holds the five routes its import filter keeps" sh -c \
        "birdc -s $tmp/$d.ctl show route count | grep -qE '^(Total: )?5 of 5 routes'"
done
nets() { birdc -s "$tmp/$1.ctl" "${@:2}" | awk '$1 ~ /^[0-9.]+\/[0-9]+$/ {print $1}' | sort; }
attrs() { birdc -s "$tmp/$1.ctl" "${@:2}" | { grep -oE "BGP\.(local_pref|community|med|as_path): .*" || true; } | sort; }
same() {
    local what=$1 a b; shift
    a=$(nets wren "$@"); b=$(nets bird1 "$@")
    [ "$a" = "$b" ] || fail "$what: wrend shows [$a], BIRD 1.6.8 [$b]"
    [ -n "$a" ] || fail "$what: nothing selected, the test would prove nothing"
    a=$(attrs wren "$@"); b=$(attrs bird1 "$@")
    [ "$a" = "$b" ] || fail "$what: attributes differ: wrend [$a], BIRD 1.6.8 [$b]"
    pass "$what: $(echo $(nets wren "$@"))"
}
same "the table as the import filter made it" show route all
same "where prefix set (define)" show route where 'net ~ BIG'
same "where path length" show route all where 'bgp_path.len > 2'
same "where path mask" show route where 'bgp_path ~ [= * 64998 * =]'
same "where community" show route all where '(65000, 1) ~ bgp_community'
same "where med (undefined elsewhere)" show route all where 'bgp_med = 51'
same "where a function" show route where 'long_path(1)'
same "where path first and net.len" show route where 'bgp_path.first = 65001 && net.len = 24'
same "filter NAME, attributes as written" show route all filter setpref
# BIRD 1.x's own layout (wrend answers a 1.x configuration as BIRD 1.x
# does): whole lines alike, times aside, for the routes and the count;
# the reply codes alike. BIRD lists networks in its hash order, Wren in
# prefix order, so each route's block of lines is compared as a set.
layout() {
    birdc -v -s "$tmp/$1.ctl" "${@:2}" | tail -n +2 | python3 -c '
import re, sys
codes, blocks = set(), []
for line in sys.stdin.read().splitlines():
    m = re.match(r"(\d{4})[- ]", line)
    if m:
        codes.add(m.group(1))
    text = re.sub(r" \d\d:\d\d:\d\d\]", "]", line[5:])
    if not text.startswith("\t") or not blocks:
        blocks.append([])
    blocks[-1].append(text)
print("codes", sorted(codes))
for b in sorted(blocks):
    print("\n".join(b))
'
}
for q in "show route" "show route all" "show route count" "show route where bgp_med = 51 all"; do
    # shellcheck disable=SC2086
    a=$(layout wren $q); b=$(layout bird1 $q)
    [ "$a" = "$b" ] || fail "'$q' layout differs:
--- wrend
$a
--- BIRD 1.6.8
$b"
    pass "'$q': BIRD 1.6.8's lines and codes"
done
echo "PASS bird1-filters"
