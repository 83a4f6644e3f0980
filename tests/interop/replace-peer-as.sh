#!/usr/bin/env bash
# AS override (GoBGP's `replace-peer-as`): two sites in one AS (65002,
# real GoBGPs) behind wrend (AS 65001). A route from site A reaches site B
# with 65002 replaced by 65001 on the session that asks for it, so B takes
# it; without the option B drops it as an AS-path loop (RFC 4271 §9.1.2).
source "$(dirname "$0")/lib.sh"

a=$(ns sitea); b=$(ns siteb); w=$(ns wren)
link "$a" eth0 198.18.98.2/24 "$w" eth0 198.18.98.1/24
link "$b" eth0 198.18.99.2/24 "$w" eth1 198.18.99.1/24
site() { # NAME ADDR WREN-ADDR
    printf '[global.config]\n  as = 65002\n  router-id = "%s"\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = 65001\n' "$2" "$3" >"$tmp/$1.toml"
}
site sitea 198.18.98.2 198.18.98.1
site siteb 198.18.99.2 198.18.99.1
wren_conf() { # REPLACE
    cat <<CONF
[global.config]
  as = 65001
  router-id = "198.18.98.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.98.2"
    peer-as = 65002
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.99.2"
    peer-as = 65002
  [neighbors.as-path-options.config]
    replace-peer-as = $1
CONF
}
wren_conf true >"$tmp/wren.toml"
start_wrend "$w" wren "$tmp/wren.toml"
start_gobgp "$a" sitea "$tmp/sitea.toml"
start_gobgp "$b" siteb "$tmp/siteb.toml"
wait_for 30 "site A up" sh -c "ip netns exec $a gobgp neighbor | grep -q Establ"
wait_for 30 "site B up" sh -c "ip netns exec $b gobgp neighbor | grep -q Establ"
ip netns exec "$a" gobgp global rib add 10.98.0.0/24
wait_for 20 "site B takes site A's route, path 65001 65001" sh -c \
    "ip netns exec $b gobgp global rib 10.98.0.0/24 | grep -qE '65001 65001( |$)'"
pass "$(ip netns exec "$b" gobgp global rib 10.98.0.0/24 | tail -1 | xargs)"
# Without the override the path carries 65002 and site B drops it.
wren_conf false >"$tmp/wren.toml"
birdc -s "$tmp/wren.ctl" configure | grep -q Reconfigured || fail "reload refused"
grep -q "1 restarted" "$tmp/wren.log" || fail "site B's session not restarted for the change"
wait_for 30 "site B back up after the change" sh -c "ip netns exec $b gobgp neighbor | grep -q Establ"
sleep 3
ip netns exec "$b" gobgp global rib 10.98.0.0/24 2>&1 | grep -q "10.98.0.0/24" &&
    fail "without replace-peer-as site B holds: $(ip netns exec "$b" gobgp global rib 10.98.0.0/24)"
pass "without the override site B holds nothing (AS-path loop)"
echo "PASS replace-peer-as"
