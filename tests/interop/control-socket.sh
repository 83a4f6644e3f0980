#!/usr/bin/env bash
# The control socket speaks BIRD's protocol: the real birdc (from bird2)
# drives wrend, and the raw replies have the exact shape Calico's status
# code parses (0001 greeting, 2002- header, 1002- first row, space-led
# further rows, 0000 end). Socket mode 0660: another user cannot connect;
# the restricted socket answers anyone, but only show commands.
# `disable`/`enable` act on sessions; `birdc down` stops wrend.
source "$(dirname "$0")/lib.sh"

b=$(ns bird); w=$(ns wren)
link "$b" eth0 198.18.11.1/24 "$w" eth0 198.18.11.2/24
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.11.1;
protocol device {}
protocol static { ipv4; route 10.11.0.0/24 blackhole; route 10.11.1.0/24 blackhole { bgp_community.add((65001,7)); }; }
protocol bgp wren {
  local 198.18.11.1 as 65001;
  neighbor 198.18.11.2 as 65000;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65000
  router-id = "198.18.11.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.11.1"
    peer-as = 65001
    description = "Mesh_198_18_11_1"
CONF
start_wrend "$w" wren "$tmp/wren.toml" --restricted-socket "$tmp/ro.ctl"
start_bird "$b" bird "$tmp/bird.conf"
wc() { birdc -s "$tmp/wren.ctl" "$@"; }
# raw COMMAND: the octets wrend sends for one command, greeting first.
raw() {
    python3 - "$tmp/wren.ctl" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
s.settimeout(2)
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        lines = data.split(b"\n")
        if len(lines) > 2 and lines[-1] == b"" and lines[-2][:4].isdigit() and lines[-2][4:5] == b" " and not lines[-2].startswith(b"0001"):
            break
except socket.timeout:
    pass
sys.stdout.write(data.decode())
PY
}

wait_for 60 "birdc show protocols: Established" sh -c "birdc -s $tmp/wren.ctl show protocols | grep Mesh_198_18_11_1 | grep Established"
wc show status | grep -F "Daemon is up and running" >/dev/null || fail "show status: $(wc show status)"
pass "birdc show status"

out=$(raw "show protocols")
awk 'NR==1 && !/^0001 Wren [0-9.]+ ready\.$/ {exit 1}
     NR==2 && $0 != "2002-Name       Proto      Table      State  Since         Info" {exit 1}
     NR==3 && !/^1002-Mesh_198_18_11_1 BGP        ---        up     [0-9:.]+  Established/ {exit 1}
     END { if ($0 != "0000 ") exit 1 }' <<<"$out" || fail "raw show protocols has the wrong shape:
$out"
pass "raw reply has the exact shape Calico parses"

out=$(wc show protocols all Mesh_198_18_11_1)
grep -F "BGP state:          Established" <<<"$out" >/dev/null && grep -F "Neighbor address: 198.18.11.1" <<<"$out" >/dev/null ||
    fail "show protocols all: $out"
pass "show protocols all NAME"

wait_for 20 "show route: both routes, primary, AS65001" \
    sh -c "birdc -s $tmp/wren.ctl show route | grep -F '10.11.1.0/24' | grep -F '[AS65001i]' | grep -F ' * '"
out=$(wc show route 10.11.1.0/24 all)
grep -F "BGP.as_path: 65001" <<<"$out" >/dev/null && grep -F "BGP.community: (65001,7)" <<<"$out" >/dev/null &&
    grep -F "via 198.18.11.1 on eth0" <<<"$out" >/dev/null || fail "show route all: $out"
pass "show route PREFIX all: attributes in BIRD's words"
wc show route for 10.11.0.77 | grep -F "10.11.0.0/24" >/dev/null || fail "show route for ADDR"
wc show route count | grep -F "Total: 2 of 2 routes for 2 networks in 2 tables" >/dev/null ||
    fail "show route count: $(wc show route count)"
out=$(wc show route 10.99.0.0/24 || true)
grep -F "Network not found" <<<"$out" >/dev/null || fail "missing network: $out"
pass "show route for / count / not found"

wrenc="${CARGO_TARGET_DIR:-$root/target}/release/wrenc"
"$wrenc" -s "$tmp/wren.ctl" neighbor | grep -F 198.18.11.1 | grep -F 65001 | grep -F Establ | grep -E '\|\s+2\s+2$' >/dev/null ||
    fail "wrenc neighbor: $("$wrenc" -s "$tmp/wren.ctl" neighbor)"
"$wrenc" -s "$tmp/wren.ctl" global rib | grep -E '^\*> 10\.11\.1\.0/24 +198\.18\.11\.1 +65001' >/dev/null ||
    fail "wrenc global rib: $("$wrenc" -s "$tmp/wren.ctl" global rib)"
"$wrenc" -s "$tmp/wren.ctl" neighbor 198.18.11.1 adj-in | grep -F 10.11.0.0/24 >/dev/null || fail "wrenc adj-in"
"$wrenc" -s "$tmp/wren.ctl" --json show route | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = {x["prefix"]: x for x in d["routes"]}
p = r["10.11.1.0/24"]["paths"][0]
assert p["best"] and p["as_path"] == "65001" and p["next_hop"] == "198.18.11.1", p
assert p["communities"] == ["(65001,7)"], p
' || fail "wrenc --json show route"
"$wrenc" -s "$tmp/wren.ctl" --json neighbor | python3 -c '
import json, sys
p = json.load(sys.stdin)["protocols"][0]
assert p["state"] == "Established" and p["peer_as"] == 65001 and p["prefixes_accepted"] == 2, p
' || fail "wrenc --json neighbor"
"$wrenc" -s "$tmp/wren.ctl" show status | grep -F "Daemon is up and running" >/dev/null || fail "wrenc passes birdc commands"
pass "wrenc: neighbor, global rib, adj-in, --json (parsed), birdc commands"
# Interactive, on a terminal (a pty): Tab completes a command word and a
# protocol name, commands run, history is kept in $HOME/.wrenc_history.
HOME="$tmp" python3 - "$wrenc" "$tmp/wren.ctl" <<'PY' || fail "wrenc interactive"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "-s", sys.argv[2]])
def read_until(want, t=10):
    buf, end = b"", time.time() + t
    while time.time() < end and want not in buf:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return buf
read_until(b"wrenc> ")
os.write(fd, b"show sta\t\r")
out = read_until(b"Daemon is up")
assert b"Daemon is up" in out, out
read_until(b"wrenc> ")
os.write(fd, b"show protocols Mesh\t\r")
out = read_until(b"Established")
assert b"Mesh_198_18_11_1" in out and b"Established" in out, out
read_until(b"wrenc> ")
os.write(fd, b"quit\r")
os.waitpid(pid, 0)
PY
grep -F "show protocols Mesh_198_18_11_1" "$tmp/.wrenc_history" >/dev/null || fail "no history: $(cat "$tmp/.wrenc_history")"
pass "wrenc interactive: Tab completes commands and protocol names, history kept"

[ "$(stat -c %a "$tmp/wren.ctl")" = 660 ] || fail "socket mode $(stat -c %a "$tmp/wren.ctl")"
chmod 755 "$tmp"
if su nobody -s /bin/sh -c "birdc -s $tmp/wren.ctl show status" 2>/dev/null | grep -F "up and running" >/dev/null; then
    fail "user nobody could use the control socket"
fi
pass "socket mode 0660; user nobody refused"
su nobody -s /bin/sh -c "birdc -s $tmp/ro.ctl show protocols" 2>/dev/null | grep -F Established >/dev/null ||
    fail "the restricted socket does not answer show commands for another user"
out=$(birdc -s "$tmp/ro.ctl" disable Mesh_198_18_11_1 2>&1 || true)
grep -F "Access denied" <<<"$out" >/dev/null || fail "restricted socket let a change through: $out"
wc show protocols | grep -F Established >/dev/null || fail "session touched through the restricted socket"
pass "restricted socket: show for anyone, changes denied"

# reload in: a ROUTE-REFRESH makes BIRD send its routes again (counted in
# BIRD's route change stats). (reload out resends Wren's routes; here Wren
# has none for BIRD, so only the reply is checked.)
stat_of() { birdc -s "$tmp/bird.ctl" show protocols all wren | awk -v k="$1" '$0 ~ k {print $3; exit}'; }
exp0=$(stat_of "Export updates:")
wc reload in Mesh_198_18_11_1 | grep -F "reloading" >/dev/null || fail "reload in"
wait_for 10 "reload in: BIRD resends its routes (ROUTE-REFRESH)" sh -c "[ \$(birdc -s $tmp/bird.ctl show protocols all wren | awk '/Export updates:/ {print \$3; exit}') -gt $exp0 ]"
wc reload out all | grep -F "Mesh_198_18_11_1: reloading" >/dev/null || fail "reload out"

wc disable Mesh_198_18_11_1 | grep -F "Mesh_198_18_11_1: disabled" >/dev/null || fail "disable"
wait_for 10 "disable: BIRD's session goes down" sh -c "! birdc -s $tmp/bird.ctl show protocols wren | grep Established"
wc show protocols | grep -F Mesh_198_18_11_1 | grep -F " down " >/dev/null || fail "state after disable: $(wc show protocols)"
wc enable "Mesh_*" | grep -F "Mesh_198_18_11_1: enabled" >/dev/null || fail "enable by pattern"
wait_for 30 "enable: Established again" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep Established"
out=$(wc restart nosuch 2>&1 || true)
grep -F "No protocols match" <<<"$out" >/dev/null || fail "restart of an unknown protocol: $out"
pass "disable, enable (by pattern), restart of nothing"

wc down >/dev/null || true
wait_for 10 "birdc down stops wrend" sh -c "! kill -0 $(cat "$tmp/wren.pid") 2>/dev/null"
wait_for 10 "BIRD sees the administrative shutdown" \
    sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep -i 'Administrative shutdown'"
echo "PASS control-socket"
