#!/usr/bin/env bash
# A BIRD 2 protocol whose ipv4 and ipv6 channels have different filters,
# on one dual-stack session with a real BIRD 2: each family goes through
# its own channel's import filter into wrend's table and its own export
# filter out to the peer.
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren)
link "$b" eth0 198.18.97.2/24 "$w" eth0 198.18.97.1/24
addr "$b" eth0 2001:2:0:97::2/64
addr "$w" eth0 2001:2:0:97::1/64
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.97.2;
protocol device {}
protocol static s4 { ipv4; route 10.5.1.0/24 blackhole; route 10.5.2.0/24 blackhole; }
protocol static s6 { ipv6; route 2001:db8:5:1::/64 blackhole; route 2001:db8:5:2::/64 blackhole; }
protocol bgp wren { local 198.18.97.2 as 65002; neighbor 198.18.97.1 as 65001;
    ipv4 { import all; export where source = RTS_STATIC; };
    ipv6 { import all; export where source = RTS_STATIC; }; }
CONF
cat >"$tmp/wren.conf" <<'CONF'
router id 198.18.97.1;
protocol device {}
protocol static o4 { ipv4; route 10.77.0.0/16 blackhole; }
protocol static o6 { ipv6; route 2001:db8:77::/48 blackhole; }
protocol bgp bird { local 198.18.97.1 as 65001; neighbor 198.18.97.2 as 65002;
    ipv4 { import where net = 10.5.1.0/24; export none; };
    ipv6 { import all; export where source = RTS_STATIC; }; }
CONF
start_bird "$b" bird "$tmp/bird.conf"
start_wrend "$w" wren "$tmp/wren.conf"
nets() { birdc -s "$tmp/$1.ctl" show route "${@:2}" | awk '$1 ~ /\/[0-9]+$/ {print $1}' | sort | xargs; }
holds() { local who=$1 want=$2; shift 2; [ "$(nets "$who" "$@")" = "$want" ]; }
wait_for 30 "session up" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep -q Established"
wait_for 20 "IPv4 through the ipv4 channel's import filter: 10.5.1.0/24 only" \
    holds wren "10.5.1.0/24 10.77.0.0/16" table master4
wait_for 20 "IPv6 through the ipv6 channel's (import all): both" \
    holds wren "2001:db8:5:1::/64 2001:db8:5:2::/64 2001:db8:77::/48" table master6
wait_for 20 "BIRD gets the IPv6 static (ipv6 export) and no IPv4 (ipv4 export none)" \
    holds bird "2001:db8:77::/48" protocol wren
echo "PASS channel-filters"
