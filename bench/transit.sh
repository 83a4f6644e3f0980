#!/usr/bin/env bash
# A first end-to-end figure until wren-bench lands (issue 8): BIRD 2 feeds
# N IPv4 /24s (one shared attribute set) over eBGP to the router under test,
# which passes them over eBGP to a BIRD 2 monitor. The clock runs from the
# feeder's session coming up until the monitor holds all N. Router CPU
# seconds (utime+stime) and peak RSS (VmHWM) come from /proc. The feeder
# and the monitor are the same BIRDs for every target; their own speed is
# part of the figure, so read the ratios, not the absolutes. The clock
# starts when the feeder's session is Established (polled every 50 ms).
#
# usage (root): bench/transit.sh [N] [wren|bird ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(wren bird)
cargo build --release --quiet -p wren --bin wrend --manifest-path "$root/Cargo.toml"
wrend="${CARGO_TARGET_DIR:-$root/target}/release/wrend"
tmp=$(mktemp -d)
cleanup() {
    set +e
    for ns in $(ip netns list | awk '/^wb-/ {print $1}'); do
        ip netns pids "$ns" | xargs -r kill -9; ip netns del "$ns"
    done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

python3 - "$n" >"$tmp/routes.conf" <<'PY'
import sys
n = int(sys.argv[1])
print("protocol static { ipv4;")
for i in range(n):
    print("route %d.%d.%d.0/24 blackhole;" % (11 + (i >> 16), (i >> 8) & 255, i & 255))
print("}")
PY

feeder_conf() { cat <<CONF
router id 198.18.70.1;
protocol device {}
include "$tmp/routes.conf";
protocol bgp rtr { local 198.18.70.1 as 65001; neighbor 198.18.70.2 as 65000;
  ipv4 { import none; export where source = RTS_STATIC; }; }
CONF
}
monitor_conf() { cat <<CONF
router id 198.18.71.2;
protocol device {}
protocol bgp rtr { local 198.18.71.2 as 65002; neighbor 198.18.71.1 as 65000;
  ipv4 { import all; export none; }; }
CONF
}
router_bird() { cat <<CONF
router id 198.18.70.2;
protocol device {}
protocol bgp feeder { local 198.18.70.2 as 65000; neighbor 198.18.70.1 as 65001; ipv4 { import all; export none; }; }
protocol bgp monitor { local 198.18.71.1 as 65000; neighbor 198.18.71.2 as 65002; ipv4 { import none; export all; }; }
CONF
}
router_wren() { cat <<CONF
[global.config]
  as = 65000
  router-id = "198.18.70.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.70.1"
    peer-as = 65001
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.71.2"
    peer-as = 65002
CONF
}
stat() { # PID -> "cpu_seconds peak_mib"
    local t hz
    hz=$(getconf CLK_TCK)
    t=$(awk '{print $14 + $15}' "/proc/$1/stat")
    awk -v t="$t" -v hz="$hz" '/VmHWM/ {printf "%.2f %.0f\n", t / hz, $2 / 1024}' "/proc/$1/status"
}

printf '%-6s %10s %10s %10s\n' target "seconds" "CPU s" "peak MiB"
for t in "${targets[@]}"; do
    for x in f r m; do ip netns add "wb-$x"; ip -n "wb-$x" link set lo up; done
    ip link add e0 netns wb-f type veth peer name e0 netns wb-r
    ip link add e1 netns wb-r type veth peer name e0 netns wb-m
    ip -n wb-f addr add 198.18.70.1/24 dev e0; ip -n wb-r addr add 198.18.70.2/24 dev e0
    ip -n wb-r addr add 198.18.71.1/24 dev e1; ip -n wb-m addr add 198.18.71.2/24 dev e0
    for x in f r m; do for i in $(ip -n "wb-$x" -o link | awk -F': ' '{print $2}' | cut -d@ -f1); do ip -n "wb-$x" link set "$i" up; done; done
    monitor_conf >"$tmp/m.conf"; feeder_conf >"$tmp/f.conf"
    ip netns exec wb-m bird -c "$tmp/m.conf" -s "$tmp/m.ctl" -P "$tmp/m.pid"
    if [ "$t" = wren ]; then
        router_wren >"$tmp/r.toml"
        ip netns exec wb-r "$wrend" -f -c "$tmp/r.toml" >"$tmp/r.log" 2>&1 &
        rpid=$!
    else
        router_bird >"$tmp/r.conf"
        ip netns exec wb-r bird -f -c "$tmp/r.conf" -s "$tmp/r.ctl" >"$tmp/r.log" 2>&1 &
        rpid=$!
    fi
    # Wait for the monitor's session, then start the feeder.
    for _ in $(seq 300); do birdc -s "$tmp/m.ctl" show protocols rtr | grep -q Established && break; sleep 0.1; done
    ip netns exec wb-f bird -c "$tmp/f.conf" -s "$tmp/f.ctl" -P "$tmp/f.pid"
    # The clock starts when the feeder's session is up: routes flow then.
    until birdc -s "$tmp/f.ctl" show protocols rtr 2>/dev/null | grep -q Established; do sleep 0.05; done
    start=$(date +%s%N)
    until [ "$(birdc -s "$tmp/m.ctl" show route count 2>/dev/null | awk '/^Total|[0-9]+ of [0-9]+ routes/ {print $1; exit}')" = "$n" ]; do
        sleep 0.2
        [ $(( $(date +%s%N) - start )) -gt 300000000000 ] && { echo "$t: timed out" >&2; break; }
    done
    secs=$(awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN {printf "%.2f", ns / 1e9}')
    read -r cpu rss < <(stat "$rpid")
    printf '%-6s %10.2f %10s %10s\n' "$t" "$secs" "$cpu" "$rss"
    kill "$(cat "$tmp/f.pid")" "$(cat "$tmp/m.pid")" "$rpid" 2>/dev/null || true
    sleep 0.5
    for x in f r m; do ip netns pids "wb-$x" | xargs -r kill -9; ip netns del "wb-$x"; done
done
