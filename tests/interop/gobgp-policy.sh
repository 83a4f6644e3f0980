#!/usr/bin/env bash
# GoBGP's routing policy in wrend's gobgpd.conf: defined-sets (prefix sets
# with masklength ranges, a neighbor set, a community set) and
# policy-definitions applied globally on import and export, between a real
# GoBGP (feeding routes, AS 65002) and a real BIRD 2 (receiving, AS 65003).
# Checked where the routes land: wrend's table, and BIRD's.
source "$(dirname "$0")/lib.sh"

g=$(ns gobgp); w=$(ns wren); b=$(ns bird)
link "$g" eth0 198.18.95.2/24 "$w" eth0 198.18.95.1/24
link "$w" eth1 198.18.96.1/24 "$b" eth0 198.18.96.2/24
cat >"$tmp/gobgp.toml" <<'CONF'
[global.config]
  as = 65002
  router-id = "198.18.95.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.95.1"
    peer-as = 65001
CONF
cat >"$tmp/bird.conf" <<'CONF'
router id 198.18.96.2;
protocol device {}
protocol bgp wren { local 198.18.96.2 as 65003; neighbor 198.18.96.1 as 65001;
    ipv4 { import all; export none; }; }
CONF
cat >"$tmp/wren.toml" <<'CONF'
[global.config]
  as = 65001
  router-id = "198.18.95.1"
[global.apply-policy.config]
  import-policy-list = ["from-feeds"]
  default-import-policy = "accept-route"
  export-policy-list = ["to-bird"]
  default-export-policy = "reject-route"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.95.2"
    peer-as = 65002
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.96.2"
    peer-as = 65003

[[defined-sets.prefix-sets]]
  prefix-set-name = "bogons"
  [[defined-sets.prefix-sets.prefix-list]]
    ip-prefix = "192.0.2.0/24"
[[defined-sets.prefix-sets]]
  prefix-set-name = "pods"
  [[defined-sets.prefix-sets.prefix-list]]
    ip-prefix = "10.20.0.0/16"
    masklength-range = "24..26"
[[defined-sets.neighbor-sets]]
  neighbor-set-name = "bird"
  neighbor-info-list = ["198.18.96.2"]
[[defined-sets.bgp-defined-sets.community-sets]]
  community-set-name = "blocked"
  community-list = ["65002:666"]

[[policy-definitions]]
  name = "from-feeds"
  [[policy-definitions.statements]]
    [policy-definitions.statements.conditions.match-prefix-set]
      prefix-set = "bogons"
    [policy-definitions.statements.actions]
      route-disposition = "reject-route"
  [[policy-definitions.statements]]
    [policy-definitions.statements.conditions.match-prefix-set]
      prefix-set = "pods"
    [policy-definitions.statements.actions.bgp-actions]
      set-local-pref = 300
      set-med = "100"
    [policy-definitions.statements.actions.bgp-actions.set-community]
      options = "add"
      [policy-definitions.statements.actions.bgp-actions.set-community.set-community-method]
        communities-list = ["65001:20"]

[[policy-definitions]]
  name = "to-bird"
  [[policy-definitions.statements]]
    [policy-definitions.statements.conditions.bgp-conditions.match-community-set]
      community-set = "blocked"
    [policy-definitions.statements.actions]
      route-disposition = "reject-route"
  [[policy-definitions.statements]]
    [policy-definitions.statements.conditions.match-neighbor-set]
      neighbor-set = "bird"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
    [policy-definitions.statements.actions.bgp-actions.set-as-path-prepend]
      as = "65001"
      repeat-n = 2
CONF
"$(wrend_bin)" -p -c "$tmp/wren.toml" || fail "wrend refuses the policy configuration"
start_wrend "$w" wren "$tmp/wren.toml"
start_gobgp "$g" gobgp "$tmp/gobgp.toml"
start_bird "$b" bird "$tmp/bird.conf"
wait_for 30 "GoBGP session up" sh -c "ip netns exec $g gobgp neighbor | grep -q Establ"
wait_for 30 "BIRD session up" sh -c "birdc -s $tmp/bird.ctl show protocols wren | grep -q Established"
add() { ip netns exec "$g" gobgp global rib add "$@"; }
add 192.0.2.0/24                       # a bogon: refused on import
add 10.20.1.0/24                       # a pod block: LOCAL_PREF 300, MED 100, community 65001:20
add 10.20.0.0/16                       # the aggregate: outside 24..26, untouched
add 10.30.0.0/24 community 65002:666   # blocked towards BIRD by community
add 10.40.0.0/24                       # plain
nets() { birdc -s "$tmp/$1.ctl" show route | awk '$1 ~ /^[0-9.]+\/[0-9]+$/ {print $1}' | sort | xargs; }
holds() { [ "$(nets "$1")" = "$2" ]; }
wait_for 20 "wrend holds all but the bogon" holds wren "10.20.0.0/16 10.20.1.0/24 10.30.0.0/24 10.40.0.0/24"
pod=$(birdc -s "$tmp/wren.ctl" show route all 10.20.1.0/24)
grep -q "BGP.local_pref: 300" <<<"$pod" && grep -q "BGP.med: 100" <<<"$pod" &&
    grep -q "BGP.community: (65001,20)" <<<"$pod" || fail "import actions on 10.20.1.0/24: $pod"
agg=$(birdc -s "$tmp/wren.ctl" show route all 10.20.0.0/16)
grep -q "BGP.local_pref: 300" <<<"$agg" && fail "10.20.0.0/16 matched a 24..26 range: $agg"
pass "import: bogon refused; masklength range matched 10.20.1.0/24 only, with its actions"
wait_for 20 "BIRD gets all but the community-blocked route" holds bird "10.20.0.0/16 10.20.1.0/24 10.40.0.0/24"
path=$(birdc -s "$tmp/bird.ctl" show route all 10.40.0.0/24 | grep "BGP.as_path")
grep -q "BGP.as_path: 65001 65001 65001 65002" <<<"$path" || fail "export prepend: $path"
pass "export: community set blocks, neighbor set accepts with the prepend ($path)"
# An undefined policy is refused at its line, and the running one stays.
sed 's/export-policy-list = \["to-bird"\]/export-policy-list = ["nosuch"]/' "$tmp/wren.toml" >"$tmp/bad.toml"
out=$(birdc -s "$tmp/wren.ctl" configure \"$tmp/bad.toml\" || true)
grep -qE 'bad.toml:[0-9]+:1: policy `nosuch` is not defined' <<<"$out" || fail "undefined policy: $out"
pass "undefined policy refused with its place: $(grep -oE 'bad.toml:[0-9]+:1' <<<"$out")"
echo "PASS gobgp-policy"
