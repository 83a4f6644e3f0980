#!/usr/bin/env bash
# Reloading the configuration (SIGHUP, as Calico does, and `birdc
# configure`): an unchanged session keeps running (neither end logs it
# going down: no NOTIFICATION or lost connection at BIRD, no session down
# at wrend),
# a removed peer gets Cease/3 (peer de-configured), a new peer comes up, a
# changed peer restarts with Cease/6; a broken file is refused whole with
# file:line:column and the running configuration stays.
source "$(dirname "$0")/lib.sh"

w=$(ns wren); a=$(ns a); b=$(ns b); c=$(ns c)
link "$w" eth0 198.18.40.1/24 "$a" eth0 198.18.40.2/24
link "$w" eth1 198.18.41.1/24 "$b" eth0 198.18.41.2/24
link "$w" eth2 198.18.42.1/24 "$c" eth0 198.18.42.2/24
for n in a b c; do
    i=$(( $(printf %d "'$n") - 97 ))
    cat >"$tmp/$n.conf" <<CONF
log "$tmp/$n.log" all;
router id 198.18.4$i.2;
protocol device {}
protocol static { ipv4; route 10.4$i.0.0/16 blackhole; }
protocol bgp wren {
  local 198.18.4$i.2 as 6500$((i + 1));
  neighbor 198.18.4$i.1 as 65000;
  connect retry time 2;
  error wait time 1, 2;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
done
neighbor() { # ADDR AS [HOLD]
    printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = %s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '  [neighbors.timers.config]\n    hold-time = %s\n' "$3"
    true
}
global='[global.config]
  as = 65000
  router-id = "198.18.40.1"'
{ echo "$global"; neighbor 198.18.40.2 65001; neighbor 198.18.41.2 65002; } >"$tmp/wren.toml"

start_wrend "$w" wren "$tmp/wren.toml"
for n in a b c; do start_bird "$(eval echo \$$n)" "$n" "$tmp/$n.conf"; done
up() { birdc -s "$tmp/$1.ctl" show protocols wren | grep Established; }
since() { birdc -s "$tmp/$1.ctl" show protocols wren | awk '/wren/ {print $5}'; }
wait_for 60 "a Established" up a
wait_for 60 "b Established" up b
a_since=$(since a)
# A reset shows at both ends: BIRD logs the NOTIFICATION or the lost
# connection, wrend the session going down. (BIRD's `since` column alone
# proved a poor witness: it moved by a millisecond once without a reset.)
a_reset() {
    grep -qE "wren: (Received|Error|Connection)" "$tmp/a.log" ||
        grep -q "session down peer=198.18.40.2" "$tmp/wren.log"
}

# Drop b, add c, keep a: SIGHUP.
{ echo "$global"; neighbor 198.18.40.2 65001; neighbor 198.18.42.2 65003; } >"$tmp/wren.toml"
kill -HUP "$(cat "$tmp/wren.pid")"
wait_for 30 "the new peer c comes up" up c
wait_for 10 "b is told it was de-configured (Cease/3)" grep -i "Received: Peer de-configured" "$tmp/b.log"
a_reset && fail "a's session was reset: since $a_since -> $(since a)"
up a >/dev/null || fail "a's session is down"
pass "a's session untouched (up since $a_since)"
wait_for 10 "a learns c's route" sh -c "birdc -s $tmp/a.ctl show route 10.42.0.0/16 | grep 10.42"

# A broken file: refused whole, with where; nothing changes.
printf '%s\n[[neighbors]]\n  [neighbors.config]\n    neighbor-adress = "198.18.41.2"\n' "$global" >"$tmp/wren.toml"
out=$(birdc -s "$tmp/wren.ctl" configure 2>&1 || true)
grep -E "wren.toml:[0-9]+:[0-9]+" <<<"$out" >/dev/null || fail "no file:line:column in: $out"
pass "configure with a broken file: $(grep -oE 'wren.toml:[0-9]+:[0-9]+[^|]*' <<<"$out" | head -1)"
kill -HUP "$(cat "$tmp/wren.pid")"
sleep 2
up a >/dev/null && up c >/dev/null || fail "sessions dropped after a rejected reload"
a_reset && fail "a reset by a rejected reload"
pass "the running configuration stays"

# Change a's hold time: a restarts (Cease/6) and comes back.
{ echo "$global"; neighbor 198.18.40.2 65001 30; neighbor 198.18.42.2 65003; } >"$tmp/wren.toml"
out=$(birdc -s "$tmp/wren.ctl" configure)
grep -F "Reconfigured" <<<"$out" >/dev/null || fail "configure: $out"
wait_for 10 "a is told of a configuration change (Cease/6)" grep -i "Received: Other configuration change" "$tmp/a.log"
wait_for 30 "a back up with the new hold time" \
    sh -c "birdc -s $tmp/a.ctl show protocols all wren | grep -E 'Hold timer: +[0-9.]+/30'"
echo "PASS reconfigure"
