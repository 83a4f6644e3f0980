#!/usr/bin/env bash
# Seed 004's upstream router: GoBGP-style dynamic neighbors with a peer
# group. MetalLB-like speakers (BIRD 2 and FRR, AS 64512) inside the range
# connect to wrend and announce /32 service IPs; wrend accepts them with the
# group's settings and learns the routes; a speaker outside the range is
# refused. Checked through wrend's control socket with the real birdc.
source "$(dirname "$0")/lib.sh"

lan
w=$(ns wren); s1=$(ns speaker1); s2=$(ns speaker2); x=$(ns outsider)
port "$w" eth0 198.18.12.1/24 198.18.13.1/24
port "$s1" eth0 198.18.12.102/24
port "$s2" eth0 198.18.12.103/24
port "$x" eth0 198.18.13.9/24

cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65001
  port = 179
  router-id = "198.18.12.1"

[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "example"
    peer-as = 64512
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [peer-groups.transport]
    [peer-groups.transport.config]
      remote-port = 7946

[[dynamic-neighbors]]
  [dynamic-neighbors.config]
    prefix = "198.18.12.0/24"
    peer-group = "example"
CONF
speaker_conf() { # ROUTER-ID SERVICE-IP
    cat <<CONF
router id $1;
protocol device {}
protocol static { ipv4; route $2/32 blackhole; }
protocol bgp upstream {
  local $1 as 64512;
  neighbor 198.18.13.1 as 65001;
  multihop 2;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
}
# The outsider reaches Wren's other address, which is outside the range.
speaker_conf 198.18.13.9 172.19.0.9 >"$tmp/outsider.conf"
speaker_conf 198.18.12.102 172.19.0.0 | sed 's/198.18.13.1 as/198.18.12.1 as/; s/multihop 2;//' >"$tmp/speaker1.conf"
cat >"$tmp/speaker2.conf" <<'CONF'
hostname speaker2
router bgp 64512
 bgp router-id 198.18.12.103
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.12.1 remote-as 65001
 address-family ipv4 unicast
  network 172.19.0.100/32
 exit-address-family
!
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$s1" speaker1 "$tmp/speaker1.conf"
start_frr "$s2" speaker2 "$tmp/speaker2.conf"
start_bird "$x" outsider "$tmp/outsider.conf"
wc() { birdc -s "$tmp/wren.ctl" "$@"; }

wait_for 60 "BIRD speaker accepted as a dynamic neighbor, Established" \
    sh -c "birdc -s $tmp/wren.ctl show protocols 198.18.12.102 | grep Established"
wait_for 60 "FRR speaker accepted as a dynamic neighbor, Established" \
    sh -c "birdc -s $tmp/wren.ctl show protocols 198.18.12.103 | grep Established"
wait_for 20 "service IP 172.19.0.0/32 learned from speaker1" \
    sh -c "birdc -s $tmp/wren.ctl show route 172.19.0.0/32 | grep 'via 198.18.12.102'"
wait_for 20 "service IP 172.19.0.100/32 learned from speaker2" \
    sh -c "birdc -s $tmp/wren.ctl show route 172.19.0.100/32 | grep 'via 198.18.12.103'"
out=$(wc show protocols all 198.18.12.102)
grep -F "Neighbor AS:      64512" <<<"$out" >/dev/null || fail "peer group's AS not applied: $out"
pass "the peer group's settings apply"

wait_for 30 "the outsider tried and was turned away" \
    grep -F "connection from unknown address refused addr=198.18.13.9" "$tmp/wren.log"
wc show protocols | grep -F 198.18.13.9 && fail "a speaker outside the range got a session"
birdc -s "$tmp/outsider.ctl" show protocols upstream | grep Established && fail "outsider Established"
wc show route 172.19.0.9/32 | grep -F 172.19.0.9 && fail "outsider's route learned"
pass "a speaker outside the range is refused"
echo "PASS dynamic-neighbors"
