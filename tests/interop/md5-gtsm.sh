#!/usr/bin/env bash
# TCP MD5 (RFC 2385) and GTSM (RFC 5082) against BIRD 2. Wren connects out
# to a passive BIRD with the right key; a second BIRD connects in to a
# passive Wren with the right key, over a multihop session (the case GoBGP
# users trip on); a third BIRD with the wrong key never gets a session. A
# GTSM session (ttl security on both sides) comes up, and Wren's packets
# arrive with TTL 255.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); a=$(ns a); b=$(ns b); c=$(ns c); d=$(ns d)
link "$w" eth0 198.18.30.1/24 "$a" eth0 198.18.30.2/24
link "$w" eth1 198.18.31.1/24 "$b" eth0 198.18.31.2/24
link "$w" eth2 198.18.32.1/24 "$c" eth0 198.18.32.2/24
link "$w" eth3 198.18.33.1/24 "$d" eth0 198.18.33.2/24

bird_conf() { # ADDR WREN-ADDR AS EXTRA...
    cat <<CONF
router id $1;
protocol device {}
protocol static { ipv4; route 10.$(($3 - 65000)).0.0/16 blackhole; }
protocol bgp wren {
  local $1 as $3;
  neighbor $2 as 65000;
  ${*:4}
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
}
bird_conf 198.18.30.2 198.18.30.1 65001 'passive on; password "s3cret-a";' >"$tmp/a.conf"
bird_conf 198.18.31.2 198.18.31.1 65002 'password "s3cret-b"; multihop 2;' >"$tmp/b.conf"
bird_conf 198.18.32.2 198.18.32.1 65003 'password "wrong";' >"$tmp/c.conf"
bird_conf 198.18.33.2 198.18.33.1 65004 'ttl security on;' >"$tmp/d.conf"
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.30.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.30.2"
    peer-as = 65001
    auth-password = "s3cret-a"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.31.2"
    peer-as = 65002
    auth-password = "s3cret-b"
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.32.2"
    peer-as = 65003
    auth-password = "s3cret-c"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.33.2"
    peer-as = 65004
  [neighbors.ttl-security.config]
    enabled = true
    ttl-min = 255
CONF

start_wrend "$w" wren "$tmp/wren.toml"
for n in a b c d; do start_bird "$(eval echo \$$n)" "$n" "$tmp/$n.conf"; done
up() { birdc -s "$tmp/$1.ctl" show protocols wren | grep Established; }
wait_for 60 "MD5, Wren connects out: Established" up a
wait_for 60 "MD5, BIRD connects in over multihop: Established" up b
wait_for 20 "routes cross the signed sessions (b's route at a)" \
    sh -c "birdc -s $tmp/a.ctl show route 10.2.0.0/16 | grep 'AS65002'"
wait_for 60 "GTSM: Established" up d
sleep 5
up c && fail "a session with the wrong key came up"
pass "wrong key: no session"

# Wren's packets to the GTSM peer carry TTL 255 (captured at BIRD's end).
ip netns exec "$d" timeout 40 tcpdump -i eth0 -c 1 -nn -v "tcp and src 198.18.33.1" >"$tmp/ttl.txt" 2>/dev/null &
dump=$!
birdc -s "$tmp/d.ctl" reload wren >/dev/null 2>&1 || true
wait "$dump" || true
grep -F "ttl 255" "$tmp/ttl.txt" >/dev/null || fail "Wren's TTL toward the GTSM peer: $(cat "$tmp/ttl.txt")"
pass "Wren sends with TTL 255 under GTSM"
echo "PASS md5-gtsm"
