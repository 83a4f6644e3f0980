# Shared helpers for interop tests: namespaces, veths, daemons, waiting.
# Every namespace, process and file a test creates is removed on exit,
# whatever the outcome. Source this file; set `tag` first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
namespaces=()
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
cleanup() {
    set +e
    for p in "$tmp"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    sleep 0.2
    for p in "$tmp"/*.pid; do [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done
    for n in "${namespaces[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9; ip netns del "$n" 2>/dev/null; done
    if [ "${KEEP_TMP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM

# ns NAME: creates namespace $tag-NAME (printed), loopback up.
ns() {
    local n="w$$-$1"
    ip netns add "$n"
    ip -n "$n" link set lo up
    namespaces+=("$n")
    echo "$n"
}

# link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN
link() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
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
    echo "$root/target/release/wrend"
}

# start_wrend NS NAME CONFIG: runs wrend in NS, log in $tmp/NAME.log.
start_wrend() {
    ip netns exec "$1" "$(wrend_bin)" -f -d -c "$3" -P "$tmp/$2.pid" >"$tmp/$2.log" 2>&1 &
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

show_logs() {
    for l in "$tmp"/*.log; do echo "== $l"; tail -n 40 "$l"; done
}
