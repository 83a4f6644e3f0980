#!/usr/bin/env bash
# BIRD 2 (AS 65001) — wrend (AS 65000) — GoBGP (AS 65002), eBGP both
# sides. Routes cross Wren in both directions with Wren's AS prepended and
# Wren as next hop; a withdrawal crosses too; killing BIRD withdraws its
# routes at GoBGP. Assertions read BIRD's and GoBGP's own views.
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren); g=$(ns gobgp)
link "$b" eth0 198.18.1.1/24 "$w" eth0 198.18.1.2/24
link "$w" eth1 198.18.2.1/24 "$g" eth0 198.18.2.2/24

cat >"$tmp/bird.conf" <<CONF
router id 198.18.1.1;
protocol device {}
protocol static { ipv4; route 10.1.0.0/24 blackhole; route 10.1.1.0/24 blackhole; }
protocol bgp wren {
  local 198.18.1.1 as 65001;
  neighbor 198.18.1.2 as 65000;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
cat >"$tmp/wren.toml" <<CONF
[global.config]
  as = 65000
  router-id = "198.18.1.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.1.1"
    peer-as = 65001
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.2.2"
    peer-as = 65002
CONF
cat >"$tmp/gobgp.toml" <<CONF
[global.config]
  as = 65002
  router-id = "198.18.2.2"
  port = 179
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.2.1"
    peer-as = 65000
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$b" bird "$tmp/bird.conf"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
gob() { ip netns exec "$g" gobgp -u 127.0.0.1 "$@"; }
bc() { birdc -s "$tmp/bird.ctl" "$@"; }

wait_for 60 "BIRD session to Wren Established" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep -q Established"
wait_for 60 "GoBGP session to Wren Established" sh -c "ip netns exec $g gobgp -u 127.0.0.1 neighbor | grep -q Establ"
gob global rib add 10.2.0.0/24 >/dev/null

has_gobgp() { gob global rib -a ipv4 | grep -F "$1" | grep -F "$2" | grep -F "$3"; }
wait_for 20 "GoBGP learns 10.1.0.0/24 via Wren, path 65000 65001" has_gobgp 10.1.0.0/24 198.18.2.1 "65000 65001"
wait_for 5 "GoBGP learns 10.1.1.0/24 via Wren" has_gobgp 10.1.1.0/24 198.18.2.1 "65000 65001"
wait_for 20 "BIRD learns 10.2.0.0/24 via Wren, path 65000 65002" \
    sh -c "birdc -s $tmp/bird.ctl show route 10.2.0.0/24 all | grep -q 'BGP.as_path: 65000 65002' && birdc -s $tmp/bird.ctl show route 10.2.0.0/24 | grep -q 'via 198.18.1.2'"
# BIRD must not get its own routes back (Wren never sends to the source).
bc show route protocol wren | grep -F 10.1.0.0/24 && fail "BIRD got its own route back"
pass "no route reflected back to its source"

# wrenc's adj-out: what Wren sends GoBGP, as GoBGP got it; nothing of
# GoBGP's own route goes back to GoBGP.
wrenc="$(dirname "$(wrend_bin)")/wrenc"
out=$("$wrenc" -s "$tmp/wren.ctl" neighbor 198.18.2.2 adj-out)
grep -E '10\.1\.0\.0/24 +198\.18\.2\.1 +65000 65001' <<<"$out" >/dev/null || fail "wrenc adj-out: $out"
grep -F 10.2.0.0/24 <<<"$out" >/dev/null && fail "wrenc adj-out shows GoBGP's own route: $out"
pass "wrenc neighbor ADDR adj-out: prepended path and our next hop, no echo"
gob global rib del 10.2.0.0/24 >/dev/null
wait_for 20 "withdrawal reaches BIRD" sh -c "! birdc -s $tmp/bird.ctl show route 10.2.0.0/24 | grep -q 10.2.0.0"

kill -9 "$(cat "$tmp/bird.pid")"
wait_for 240 "BIRD's routes leave GoBGP after BIRD dies (hold timer)" sh -c "! ip netns exec $g gobgp -u 127.0.0.1 global rib -a ipv4 | grep -q 10.1.0.0/24"
echo "PASS ebgp-transit"
