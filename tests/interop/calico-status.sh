#!/usr/bin/env bash
# What Calico's `calicoctl node status` reads from BIRD's socket, against
# wrend running Calico's confd-generated BIRD 1.x config (seed 003's
# node2). Calico's parser is strict: greeting, a 2002- header whose words
# are exactly `name proto table state since info` (BIRD 1.x's), a 1002-
# first row, space-led further rows, 0000 at the end. wrend's header and
# BGP rows are compared with real BIRD 1.6.8 running the same file, and
# Calico's parsing logic is run on wrend's answer.
source "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
bird1=${WREN_BIRD1:-$("$root/scripts/bird1")}
cfg="$root/labs/seed-003-bird1/node2"
b=$(ns bird1); w=$(ns wren)
ip -n "$b" link add eth0 type veth peer name eth1
ip -n "$w" link add eth0 type veth peer name eth1
for n in "$b" "$w"; do ip -n "$n" addr add 192.168.0.82/24 dev eth0; ip -n "$n" link set eth0 up; done
(cd "$cfg" && ip netns exec "$b" "$bird1" -c "$cfg/bird.cfg" -s "$tmp/b1.ctl" -P "$tmp/b1.pid")
start_wrend "$w" wren "$cfg/bird.cfg"
wait_for 10 "both sockets answer" sh -c "birdc -s $tmp/b1.ctl show status && birdc -s $tmp/wren.ctl show status"
# Header line exactly; BGP rows with the time and the state words masked.
shape() {
    birdc -v -s "$1" show protocols | grep -E '^(2002-|1002-| )' | grep -E '^2002-|Mesh_' |
        sed -E 's/^1002-/     /; s/[0-9]{2}:[0-9]{2}:[0-9]{2}/HH:MM:SS/; s/(start|up) +HH/STATE  HH/; s/HH:MM:SS    .*/HH:MM:SS    INFO/'
}
[ "$(shape "$tmp/b1.ctl" | wc -l)" -eq 3 ] || fail "BIRD 1.6.8's answer: $(birdc -s "$tmp/b1.ctl" show protocols)"
shape "$tmp/b1.ctl"
diff <(shape "$tmp/b1.ctl") <(shape "$tmp/wren.ctl") || fail "show protocols differs from BIRD 1.6.8's"
pass "show protocols: header and BGP rows laid out as BIRD 1.6.8's"
python3 - "$tmp/wren.ctl" <<'PY' || fail "Calico's parser refused wrend's answer"
# scanBIRDPeers and unmarshalBIRD of calicoctl node status, in Python.
import re, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show protocols\n")
buf = b""
while not re.search(rb"^0000", buf, re.M):
    d = s.recv(65536)
    if not d:
        break
    buf += d
peers = []
for line in buf.decode().splitlines():
    if line.startswith("0000"):
        break
    elif line.startswith("0001"):
        pass
    elif line.startswith("2002"):
        assert line[5:].split() == ["name", "proto", "table", "state", "since", "info"], line
    elif line.startswith("1002") or line.startswith(" "):
        f = line[5:].split() if line.startswith("1002") else line[1:].split()
        assert len(f) >= 6, f
        m = re.match(r"^(Global|Node|Mesh)_(.+)$", f[0])
        if m and f[1] == "BGP":
            peers.append((m.group(2).replace("_", "."), f[3], f[5]))
    else:
        raise SystemExit("unexpected output line: %r" % line)
want = {("192.168.0.80", "start"), ("192.168.0.81", "start")}
got = {(ip, state) for ip, state, _ in peers}
assert got == want, peers
PY
pass "Calico's parser reads wrend's peers: 192.168.0.80 and .81"
# --bird-output 2: the same configuration answered in BIRD 2's words.
w2=$(ns wren2)
start_wrend "$w2" wren2 "$cfg/bird.cfg" --bird-output 2
wait_for 10 "--bird-output 2: BIRD 2's header" sh -c \
    "birdc -v -s $tmp/wren2.ctl show protocols | grep -E '^2002-Name +Proto +Table +State +Since +Info$'"
echo "PASS calico-status"
