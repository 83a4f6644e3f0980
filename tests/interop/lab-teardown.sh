#!/usr/bin/env bash
# wren-lab interrupted halfway leaves nothing behind: no namespace, veth,
# process or state directory of the lab. Also `up` then `down`.
source "$(dirname "$0")/lib.sh"
lab="${CARGO_TARGET_DIR:-$root/target}/release/wren-lab"
leftovers() {
    ip netns list | grep -F "wl-$1-"
    pgrep -af "wren-lab/$1/" | grep -v pgrep
    ls -d "/run/wren-lab/$1" 2>/dev/null
}

"$lab" run "$root/labs/wren-transit/lab.yaml" >"$tmp/run.log" 2>&1 &
pid=$!
wait_for 20 "the lab is being built" sh -c "ip netns list | grep -F wl-transit-wren"
kill -INT "$pid"
wait "$pid" || true
[ -z "$(leftovers transit)" ] || fail "left behind after Ctrl-C: $(leftovers transit)"
pass "Ctrl-C halfway: nothing left behind"

"$lab" up "$root/labs/seed-002/lab.yaml" 2>/dev/null
ip netns list | grep -F wl-seed002-r1 >/dev/null || fail "up did not build the lab"
"$lab" exec seed002 r1 -- ip addr show veth-r1 | grep -F 192.168.1.1 >/dev/null || fail "exec"
"$lab" up "$root/labs/seed-002/lab.yaml" 2>/dev/null && fail "a second up of the same lab succeeded"
"$lab" down seed002 2>/dev/null
[ -z "$(leftovers seed002)" ] || fail "left behind after down: $(leftovers seed002)"
pass "up, exec, down"
echo "PASS lab-teardown"
