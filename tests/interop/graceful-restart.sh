#!/usr/bin/env bash
# Graceful restart helper mode (RFC 4724): BIRD 2 (AS 65001, graceful
# restart on) — wrend (AS 65000) — GoBGP (AS 65002). When BIRD dies
# (kill -9), Wren keeps its routes as stale and GoBGP still has them; BIRD
# comes back without one of them: after its End-of-RIB the missing route is
# withdrawn at GoBGP and the other stays. A peer without GR loses its
# routes at once (the control case).
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren); g=$(ns gobgp)
link "$b" eth0 198.18.5.1/24 "$w" eth0 198.18.5.2/24
link "$w" eth1 198.18.6.1/24 "$g" eth0 198.18.6.2/24

bird_conf() { # STATIC-ROUTES...
    cat <<CONF
router id 198.18.5.1;
protocol device {}
protocol static { ipv4; $(for r in "$@"; do echo "route $r blackhole;"; done) }
protocol bgp wren {
  local 198.18.5.1 as 65001;
  neighbor 198.18.5.2 as 65000;
  graceful restart on;
  graceful restart time 60;
  connect retry time 2;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
}
bird_conf 10.5.0.0/24 10.5.1.0/24 >"$tmp/bird.conf"
cat >"$tmp/wren.toml" <<CONF
[global.config]
  as = 65000
  router-id = "198.18.5.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.5.1"
    peer-as = 65001
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 60
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.6.2"
    peer-as = 65002
CONF
cat >"$tmp/gobgp.toml" <<CONF
[global.config]
  as = 65002
  router-id = "198.18.6.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.6.1"
    peer-as = 65000
CONF

start_wrend "$w" wren "$tmp/wren.toml"
start_bird "$b" bird "$tmp/bird.conf"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
at_gobgp() { ip netns exec "$g" gobgp -u 127.0.0.1 global rib -a ipv4 | grep -F "$1"; }
not_at_gobgp() { ! at_gobgp "$1"; }

wait_for 60 "BIRD session Established" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
wait_for 30 "GoBGP has both of BIRD's routes" sh -c "ip netns exec $g gobgp -u 127.0.0.1 global rib -a ipv4 | grep 10.5.1.0/24"
at_gobgp 10.5.0.0/24 >/dev/null || fail "10.5.0.0/24 missing at GoBGP"

kill -9 "$(cat "$tmp/bird.pid")"
rm -f "$tmp/bird.pid" "$tmp/bird.ctl"
wait_for 10 "Wren sees BIRD's session go down" grep -F "session down" "$tmp/wren.log"
sleep 3
at_gobgp 10.5.0.0/24 >/dev/null || fail "Wren dropped BIRD's routes although BIRD restarts gracefully"
at_gobgp 10.5.1.0/24 >/dev/null || fail "Wren dropped 10.5.1.0/24 during the restart"
pass "routes kept (stale) while BIRD is down"

bird_conf 10.5.0.0/24 >"$tmp/bird.conf"
start_bird "$b" bird "$tmp/bird.conf"
wait_for 60 "BIRD back, session Established" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
wait_for 20 "route BIRD no longer has is withdrawn after its End-of-RIB" not_at_gobgp 10.5.1.0/24
at_gobgp 10.5.0.0/24 >/dev/null || fail "10.5.0.0/24 lost across the restart"
pass "route BIRD still has survives the restart"
echo "PASS graceful-restart"
