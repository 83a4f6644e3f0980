#!/usr/bin/env bash
# A 20-node iBGP full mesh of wrend processes on one LAN (AS 65000), as
# Calico's node-to-node mesh: every node has a "pod CIDR" 10.100.N.0/24 on
# a veth and announces it (connected redistribution); every node ends up
# with the other 19 in its kernel, via their owners, proto bgp.
source "$(dirname "$0")/lib.sh"
n=${MESH_NODES:-20}

lan
for i in $(seq 1 "$n"); do
    ns "m$i" >/dev/null
    m="w$$-m$i"
    port "$m" eth0 "198.18.60.$i/24"
    ip -n "$m" link add pod0 type veth peer name pod0-host
    ip -n "$m" addr add "10.100.$i.1/24" dev pod0
    ip -n "$m" link set pod0 up
    ip -n "$m" link set pod0-host up
    {
        printf '[global.config]\n  as = 65000\n  router-id = "198.18.60.%s"\n' "$i"
        for j in $(seq 1 "$n"); do
            [ "$j" = "$i" ] && continue
            printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "198.18.60.%s"\n    peer-as = 65000\n' "$j"
        done
        printf '[zebra.config]\n  enabled = true\n  redistribute-route-type-list = ["connect"]\n'
    } >"$tmp/m$i.toml"
done
start=$SECONDS
for i in $(seq 1 "$n"); do start_wrend "w$$-m$i" "m$i" "$tmp/m$i.toml"; done

complete() { # every node holds every other node's pod CIDR, via its owner
    local i j
    for i in $(seq 1 "$n"); do
        local routes
        routes=$(ip -n "w$$-m$i" route show proto bgp)
        for j in $(seq 1 "$n"); do
            [ "$j" = "$i" ] && continue
            # `nhid N`: wrend's routes name a shared nexthop object.
            grep -E "^10\.100\.$j\.0/24 (nhid [0-9]+ )?via 198\.18\.60\.$j " <<<"$routes" >/dev/null || return 1
        done
    done
}
wait_for 120 "$n-node mesh: every node has the other $((n - 1)) pod CIDRs in its kernel" complete
echo "converged in $((SECONDS - start)) s"
sessions=$(birdc -s "$tmp/m1.ctl" show protocols | grep -c Established)
[ "$sessions" = $((n - 1)) ] || fail "m1 has $sessions sessions Established"
pass "m1: $sessions sessions Established"
ip netns exec "w$$-m1" ping -c 1 -W 2 "10.100.$n.1" >/dev/null || fail "m1 cannot reach m$n's pod CIDR"
pass "m1 reaches m$n's pod CIDR"
echo "PASS mesh20"
