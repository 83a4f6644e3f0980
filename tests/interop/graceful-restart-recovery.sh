#!/usr/bin/env bash
# Restarting mode (RFC 4724 §4.1), as Calico starts BIRD: `wrend -R`. Wren
# sets the Restart bit in its OPENs and sends nothing until every peer it
# restarts with has sent End-of-RIB; `show status` says recovery is in
# progress (code 0024) meanwhile. BIRD A (AS 65001) and BIRD B (AS 65002,
# no graceful restart, so not waited for) come up first: A must not get B's
# route yet. Once BIRD C (AS 65003) is up and done, everyone gets everyone's
# routes and the daemon reports itself up (0013).
source "$(dirname "$0")/lib.sh"

a=$(ns a); w=$(ns wren); c=$(ns c); b=$(ns b)
link "$a" eth0 198.18.14.1/24 "$w" eth0 198.18.14.2/24
link "$b" eth0 198.18.16.1/24 "$w" eth2 198.18.16.2/24
link "$w" eth1 198.18.15.2/24 "$c" eth0 198.18.15.1/24

bird_conf() { # ADDR AS PREFIX WREN-ADDR
    cat <<CONF
router id $1;
protocol device {}
protocol static { ipv4; route $3 blackhole; }
protocol bgp wren {
  local $1 as $2;
  neighbor $4 as 65000;
  graceful restart on;
  connect retry time 2;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
}
bird_conf 198.18.14.1 65001 10.21.0.0/24 198.18.14.2 >"$tmp/a.conf"
bird_conf 198.18.15.1 65003 10.23.0.0/24 198.18.15.2 >"$tmp/c.conf"
bird_conf 198.18.16.1 65002 10.22.0.0/24 198.18.16.2 | grep -v "graceful restart" >"$tmp/b.conf"
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.14.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.14.1"
    peer-as = 65001
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.15.1"
    peer-as = 65003
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.16.1"
    peer-as = 65002
CONF

start_wrend "$w" wren "$tmp/wren.toml" -R
start_bird "$a" a "$tmp/a.conf"
start_bird "$b" b "$tmp/b.conf"
wait_for 60 "B (no GR) Established" sh -c "birdc -s $tmp/b.ctl show protocols wren | grep Established"
wait_for 10 "Wren holds B's route" sh -c "birdc -s $tmp/wren.ctl show route 10.22.0.0/24 | grep 10.22.0.0"
wait_for 60 "A Established" sh -c "birdc -s $tmp/a.ctl show protocols wren | grep Established"
out=$(birdc -s "$tmp/a.ctl" show protocols all wren | sed -n '/Neighbor capabilities/,/Session:/p')
grep -F "Restart recovery" <<<"$out" >/dev/null || fail "no Restart bit in Wren's OPEN: $out"
pass "Wren's OPEN carries the Restart bit"
birdc -s "$tmp/wren.ctl" show status | grep -F "Graceful restart recovery in progress" >/dev/null ||
    fail "show status: $(birdc -s "$tmp/wren.ctl" show status)"
pass "show status: recovery in progress"
sleep 4
birdc -s "$tmp/a.ctl" show route 10.22.0.0/24 | grep -F 10.22.0.0 &&
    fail "Wren sent B's route to A before recovery ended"
pass "B's route held back while waiting for C's End-of-RIB"

start_bird "$c" c "$tmp/c.conf"
wait_for 60 "A gets C's route once C is done" sh -c "birdc -s $tmp/a.ctl show route 10.23.0.0/24 | grep 10.23.0.0"
wait_for 10 "C gets A's route" sh -c "birdc -s $tmp/c.ctl show route 10.21.0.0/24 | grep 10.21.0.0"
wait_for 10 "A gets B's route" sh -c "birdc -s $tmp/a.ctl show route 10.22.0.0/24 | grep 10.22.0.0"
birdc -s "$tmp/wren.ctl" show status | grep -F "Daemon is up and running" >/dev/null ||
    fail "still recovering: $(birdc -s "$tmp/wren.ctl" show status)"
pass "recovery over: Daemon is up and running"
echo "PASS graceful-restart-recovery"
