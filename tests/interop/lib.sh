# Shared helpers for interop tests: namespaces, veths, daemons, waiting.
# Every namespace, process and file a test creates is removed on exit,
# whatever the outcome. Source this file.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
fail() {
    echo "FAIL: $*" >&2
    show_logs >&2
    # INTEROP_PAUSE=SECONDS keeps the failed lab up for a look.
    [ -n "${INTEROP_PAUSE:-}" ] && echo "paused: tmp $tmp" >&2 && sleep "$INTEROP_PAUSE"
    exit 1
}
pass() { echo "ok: $*"; }
cleanup() {
    set +e
    for p in "$tmp"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    sleep 0.2
    for p in "$tmp"/*.pid; do [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done
    # By name, not from a list: `x=$(ns …)` runs in a subshell.
    for n in $(ip netns list | awk -v p="w$$-" 'index($1, p) == 1 {print $1}'); do
        ip netns pids "$n" 2>/dev/null | xargs -r kill -9
        ip netns del "$n" 2>/dev/null
    done
    ip netns list | grep -F "w$$-" >&2 && echo "LEAK: namespaces left behind" >&2
    if [ "${KEEP_TMP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM

# ns NAME: creates namespace w<pid>-NAME (printed), loopback up.
ns() {
    local n="w$$-$1"
    ip netns add "$n"
    ip -n "$n" link set lo up
    echo "$n"
}

# addr NS IF ADDR/LEN...: adds addresses (IPv6 without duplicate address
# detection, so they are usable at once).
addr() {
    local n=$1 i=$2 a; shift 2
    for a in "$@"; do
        case $a in
            "") ;;  # an unnumbered link end
            *:*) ip -n "$n" addr add "$a" dev "$i" nodad ;;
            *) ip -n "$n" addr add "$a" dev "$i" ;;
        esac
    done
}

# link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: a veth between two namespaces.
link() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    addr "$1" "$2" "$3"
    addr "$4" "$5" "$6"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

# lan: a switch namespace with bridge br0, for LANs of more than two hosts.
lan() {
    lan_ns=$(ns lan)
    ip -n "$lan_ns" link add br0 type bridge
    ip -n "$lan_ns" link set br0 up
}

# port NS IF ADDR/LEN...: connects NS to the LAN through its interface IF.
port() {
    local n=$1 i=$2 p="p$RANDOM$RANDOM"; shift 2
    ip link add "$i" netns "$n" type veth peer name "$p" netns "$lan_ns"
    ip -n "$lan_ns" link set "$p" master br0 up
    addr "$n" "$i" "$@"
    ip -n "$n" link set "$i" up
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds.
wait_for() {
    local t=$1 what=$2; shift 2
    local end=$((SECONDS + t))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $end ] && fail "$what (waited ${t}s)"
        sleep 0.5
    done
    pass "$what"
}

wrend_bin() {
    echo "${CARGO_TARGET_DIR:-$root/target}/release/wrend"
}

# start_wrend NS NAME CONFIG [FLAGS...]: runs wrend in NS, log in
# $tmp/NAME.log, control socket $tmp/NAME.ctl.
start_wrend() {
    ip netns exec "$1" "$(wrend_bin)" -f -d -c "$3" -P "$tmp/$2.pid" -s "$tmp/$2.ctl" "${@:4}" \
        >"$tmp/$2.log" 2>&1 &
    sleep 0.2
}

# start_bird NS NAME CONFIG: BIRD 2 with control socket $tmp/NAME.ctl.
start_bird() {
    ip netns exec "$1" bird -c "$3" -s "$tmp/$2.ctl" -P "$tmp/$2.pid"
}

# start_gobgp NS NAME CONFIG: gobgpd with its API on 127.0.0.1:50051 in NS.
start_gobgp() {
    ip netns exec "$1" gobgpd -f "$3" --api-hosts 127.0.0.1:50051 -l debug >"$tmp/$2.log" 2>&1 &
    echo $! >"$tmp/$2.pid"
}

# start_frr NS NAME CONFIG: FRR bgpd without zebra, vty socket in $tmp/NAME.
start_frr() {
    mkdir -p "$tmp/$2"; chown frr:frr "$tmp/$2" 2>/dev/null || true
    ip netns exec "$1" /usr/lib/frr/bgpd -Z -S -n -d -f "$3" -i "$tmp/$2.pid" \
        --vty_socket "$tmp/$2" -A 127.0.0.1 -P 0 --log file:"$tmp/$2.log"
}

# vty NS NAME COMMAND: one vtysh command against the FRR started as NAME.
# FRR with zebra: kernel routes and peering by interface (RA). zebra and
# bgpd share the node's vty directory and zapi socket.
start_frr_zebra() {
    mkdir -p "$tmp/$2"; chown frr:frr "$tmp/$2" 2>/dev/null || true
    chmod a+x "$tmp"  # zebra drops to user frr before writing its pid file
    : >"$tmp/$2/zebra.conf"
    ip netns exec "$1" /usr/lib/frr/zebra -d -f "$tmp/$2/zebra.conf" -i "$tmp/$2/zebra.pid" \
        -z "$tmp/$2/zserv.api" --vty_socket "$tmp/$2" -P 0 --log file:"$tmp/$2.zebra.log"
    ip netns exec "$1" /usr/lib/frr/bgpd -S -d -f "$3" -i "$tmp/$2.pid" -z "$tmp/$2/zserv.api" \
        --vty_socket "$tmp/$2" -A 127.0.0.1 -P 0 --log file:"$tmp/$2.log"
}
vty() {
    ip netns exec "$1" vtysh --vty_socket "$tmp/$2" -d bgpd -c "$3"
}

show_logs() {
    for l in "$tmp"/*.log; do echo "== $l"; tail -n 40 "$l"; done
}

# same_time T1 T2: two of BIRD's `since` times (HH:MM:SS.mmm) are the same
# event. BIRD works the wall time it shows out from its monotonic clock at
# each `show`, so one unchanged time can read a millisecond apart; a
# session reset moves it by seconds (error wait, reconnect).
same_time() {
    python3 - "$1" "$2" <<'PY'
import sys
def ms(t):
    h, m, s = t.split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000 + round(float(s) * 1000)
sys.exit(0 if abs(ms(sys.argv[1]) - ms(sys.argv[2])) <= 5 else 1)
PY
}
