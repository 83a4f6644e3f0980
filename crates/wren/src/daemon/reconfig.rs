//! Reloading the configuration (SIGHUP, `configure` on the control
//! socket), as Calico does after writing a new bird.cfg. A file that does
//! not load is rejected whole and the running configuration stays.
//! Otherwise peers are compared one by one: unchanged sessions keep
//! running, removed ones end with Cease/3 (peer de-configured), changed
//! ones restart with Cease/6 (other configuration change), new ones start.

use super::spec::{DaemonSpec, PeerSpec};
use super::Daemon;
use std::os::fd::AsFd;
use std::path::Path;
use wren_core::session::Action;
use wren_linux::sockopt::set_md5_key;
use wren_wire::notification::cease;
use wren_wire::Notification;

/// Whether `a` and `b` name the same neighbour: by address, or by
/// interface when unnumbered (the address is then unspecified).
fn one_peer(a: &PeerSpec, b: &PeerSpec) -> bool {
    a.address == b.address && a.interface == b.interface
}

/// Whether two filters are the same. They are compared by their compiled
/// form (`Debug` prints a filter's body, and the bodies of the functions
/// it calls): a reload builds new filter objects, and only a different
/// filter counts as a change.
fn same_policy(a: &dyn wren_core::policy::Policy, b: &dyn wren_core::policy::Policy) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Whether `a` and `b` describe the same session, filters aside.
fn same_session(a: &PeerSpec, b: &PeerSpec) -> bool {
    a.name == b.name
        && one_peer(a, b)
        && a.port == b.port
        && a.source_address == b.source_address
        && a.session == b.session
        && a.password == b.password
        && a.multihop == b.multihop
        && a.ttl_security == b.ttl_security
        && a.rr_client == b.rr_client
        && a.cluster_id == b.cluster_id
        && a.next_hop_mode == b.next_hop_mode
        && a.allow_local_as == b.allow_local_as
        && a.import_limit == b.import_limit
        && a.replace_peer_as == b.replace_peer_as
}

/// What a reload does to a configured peer.
enum Plan {
    /// Nothing changed (debug classes aside, which change in place).
    Keep,
    /// Only filters changed: apply them without a session reset. A new
    /// import filter needs the peer's routes again (ROUTE-REFRESH); a new
    /// export filter, ours sent again with what it now refuses withdrawn.
    Refilter { import: bool, export: bool },
    /// Session settings changed: Cease, then start with the new ones.
    Restart(u8),
    /// Gone from the file.
    Remove,
}

/// Settings only a restart of the daemon can change.
fn global_change(old: &DaemonSpec, new: &DaemonSpec) -> Option<&'static str> {
    if old.router_id != new.router_id {
        Some("router id")
    } else if old.listen_port != new.listen_port {
        Some("listen port")
    } else if old.listen_address != new.listen_address {
        Some("listen address")
    } else {
        None
    }
}

impl Daemon {
    /// Loads the configuration file again and applies the difference;
    /// returns what changed, or why nothing did.
    pub(crate) fn reconfigure(&mut self, file: Option<&Path>) -> Result<String, String> {
        let path = match file {
            Some(f) => f.to_path_buf(),
            None => self
                .config_path
                .clone()
                .ok_or("wrend was started without a configuration file")?,
        };
        let new = crate::config::load(&path, false)?;
        if let Some(what) = global_change(&self.spec, &new) {
            return Err(format!("changing the {what} needs a restart of wrend"));
        }
        // Last of the checks: a log file that cannot be opened rejects the
        // configuration; from here on nothing fails.
        if let Some(l) = &self.logger {
            l.configure(&new.log)?;
        }
        let now = self.now();
        let (mut kept, mut removed, mut restarted, mut added, mut refiltered) = (0, 0, 0, 0, 0);
        for i in 0..self.peers.len() {
            let Some(p) = self.peers.get(i) else { continue };
            if p.removed || !self.spec.peers.iter().any(|s| one_peer(s, &p.spec)) {
                // Gone already, or a dynamic neighbour: not in the file.
                continue;
            }
            let n = new.peers.iter().find(|n| one_peer(n, &p.spec));
            let (n, subcode) = match (plan(p, n), n) {
                (Plan::Keep, Some(n)) => {
                    kept += 1;
                    // Debug classes change in place, as with `debug`.
                    let classes = n.debug;
                    if let Some(p) = self.peers.get_mut(i) {
                        p.spec.debug = classes;
                        p.debug = classes;
                    }
                    continue;
                }
                (Plan::Refilter { import, export }, Some(n)) => {
                    refiltered += 1;
                    let n = n.clone();
                    if let Some(p) = self.peers.get_mut(i) {
                        p.debug = n.debug;
                        p.spec = n;
                    }
                    if import {
                        self.refresh_in(i);
                    }
                    if export {
                        self.refeed(i);
                    }
                    continue;
                }
                (Plan::Restart(code), Some(n)) => (Some(n.clone()), code),
                _ => (None, cease::PEER_DECONFIGURED),
            };
            let mut out: Vec<Action> = std::mem::take(&mut self.actions);
            if let Some(p) = self.peers.get_mut(i) {
                p.session.stop(
                    now,
                    Notification::new(wren_wire::notification::code::CEASE, subcode, Vec::new()),
                    &mut out,
                );
            }
            self.apply_actions(i, &mut out);
            self.actions = out;
            let Some(p) = self.peers.get_mut(i) else {
                continue;
            };
            match n {
                Some(n) => {
                    restarted += 1;
                    p.session.set_config(n.session.clone());
                    p.spec = n;
                    p.session.start(now);
                }
                None => {
                    removed += 1;
                    p.removed = true;
                }
            }
            self.update_key(i);
        }
        for n in &new.peers {
            if self
                .peers
                .iter()
                .any(|p| !p.removed && one_peer(&p.spec, n))
            {
                continue;
            }
            added += 1;
            let i = self.add_peer(n.clone());
            if let Some(p) = self.peers.get_mut(i) {
                p.session.start(now);
            }
            self.update_key(i);
        }
        self.spec = new;
        self.export_bufs.forget_groups();
        self.debug_states = self
            .peers
            .iter()
            .any(|p| p.debug.any(super::debug::DebugClasses::STATES));
        Ok(format!(
            "{kept} peers kept, {refiltered} with new filters, {restarted} restarted, {removed} removed, {added} added"
        ))
    }

    /// The control socket's answer to `configure ["FILE"]` (`apply`) or
    /// `configure check`, in BIRD's codes. A FILE is read this once; the
    /// next plain `configure` or SIGHUP reads the start-up file again, as
    /// in BIRD.
    pub(crate) fn configure_reply(
        &mut self,
        apply: bool,
        file: Option<&str>,
    ) -> crate::control::Reply {
        let file = file.map(Path::new);
        let path = file
            .or(self.config_path.as_deref())
            .map_or_else(String::new, |p| p.display().to_string());
        let mut r = crate::control::Reply::new();
        r.line(2, format!("Reading configuration from {path}"));
        let result = if apply {
            self.reconfigure(file)
        } else {
            match file.or(self.config_path.as_deref()) {
                Some(p) => crate::config::load(p, false).map(|_| String::new()),
                None => Err("wrend was started without a configuration file".into()),
            }
        };
        match result {
            Ok(what) if apply => {
                tracing::info!(%what, "reconfigured (control socket)");
                r.end(3, "Reconfigured");
            }
            Ok(_) => {
                r.end(20, "Configuration OK");
            }
            Err(e) => {
                tracing::warn!(error = %e, "new configuration rejected; the running one stays");
                r.end(8002, e);
            }
        }
        r
    }

    /// Sets (or, for a removed peer, clears) peer `i`'s MD5 key on the
    /// listening socket.
    fn update_key(&self, i: usize) {
        let (Some(l), Some(p)) = (&self.listener, self.peers.get(i)) else {
            return;
        };
        let v6 = l.local_addr().is_ok_and(|a| a.is_ipv6());
        let key = match (&p.spec.password, p.removed) {
            (Some(k), false) => k.as_bytes(),
            _ => b"",
        };
        if let Err(e) = set_md5_key(l.as_fd(), v6, p.spec.address, None, key) {
            // Clearing a key that was never set fails harmlessly.
            if !key.is_empty() {
                tracing::warn!(peer = %p.spec.name, error = %e, "cannot set the TCP MD5 key");
            }
        }
    }
}

impl Daemon {
    /// `enable`, `disable`, `restart` on the protocols `which` names (a
    /// name, a shell pattern, or `all`), in BIRD's reply codes.
    pub(crate) fn protocols_op(
        &mut self,
        op: crate::control::command::ProtoOp,
        which: &str,
    ) -> crate::control::Reply {
        use crate::control::command::ProtoOp;
        let now = self.now();
        let mut r = crate::control::Reply::new();
        let mut any = false;
        for i in 0..self.peers.len() {
            let Some(p) = self.peers.get(i) else { continue };
            if p.removed || !(which == "all" || super::show::glob(which, &p.spec.name)) {
                continue;
            }
            any = true;
            let name = p.spec.name.clone();
            let enabled = p.session.is_enabled();
            let (code, text) = match (op, enabled) {
                (ProtoOp::Enable, true) => (10, "already enabled"),
                (ProtoOp::Disable, false) => (8, "already disabled"),
                (ProtoOp::Enable, false) => (11, "enabled"),
                (ProtoOp::Disable, true) => (9, "disabled"),
                (ProtoOp::Restart, _) => (6, "restarted"),
            };
            let subcode = match op {
                ProtoOp::Restart => cease::ADMINISTRATIVE_RESET,
                _ => cease::ADMINISTRATIVE_SHUTDOWN,
            };
            let mut out: Vec<Action> = std::mem::take(&mut self.actions);
            if let Some(p) = self.peers.get_mut(i) {
                if matches!(
                    (op, enabled),
                    (ProtoOp::Disable, true) | (ProtoOp::Restart, true)
                ) {
                    p.session
                        .stop(now, Notification::cease_with_message(subcode, ""), &mut out);
                }
                if matches!(op, ProtoOp::Enable | ProtoOp::Restart) {
                    p.session.start(now);
                }
            }
            self.apply_actions(i, &mut out);
            self.actions = out;
            r.line(code, format!("{name}: {text}"));
        }
        if !any {
            return crate::control::Reply::only(8003, "No protocols match");
        }
        r
    }
}

/// What a reload does to peer `p`, configured now as `n`.
fn plan(p: &super::peer::Peer, n: Option<&PeerSpec>) -> Plan {
    let Some(n) = n else {
        return Plan::Remove;
    };
    if !same_session(n, &p.spec) {
        return Plan::Restart(cease::OTHER_CONFIGURATION_CHANGE);
    }
    let import = !same_policy(&*n.import, &*p.spec.import);
    let export = !same_policy(&*n.export, &*p.spec.export);
    if !import && !export {
        return Plan::Keep;
    }
    if let Some(up) = &p.up {
        // Without ROUTE-REFRESH the routes the old import filter refused
        // are gone (no Adj-RIB-In before filters is kept), and ADD-PATH
        // withdrawals need the path ids sent: both take a reset.
        let refresh = up
            .remote
            .capabilities()
            .any(|c| matches!(c, wren_wire::capability::Capability::RouteRefresh));
        if (import && !refresh) || (export && !up.neg.add_path_tx.is_empty()) {
            return Plan::Restart(cease::OTHER_CONFIGURATION_CHANGE);
        }
    }
    Plan::Refilter { import, export }
}

impl Daemon {
    /// Asks peer `i` to send its routes again (ROUTE-REFRESH, RFC 2918),
    /// for every family of the session; nothing when it is down.
    fn refresh_in(&mut self, i: usize) {
        let Some(p) = self.peers.get(i) else { return };
        let Some(up) = &p.up else { return };
        let mut bytes = Vec::new();
        for f in up.neg.families.iter() {
            wren_wire::route_refresh::RouteRefresh::request(f.afi_safi()).encode(&mut bytes);
        }
        if let Some(c) = p.conn(up.dir) {
            c.send(bytes);
        }
    }

    /// `reload [in|out]`: ROUTE-REFRESH to the peer (RFC 2918) when it
    /// can take one, and/or our routes sent again.
    pub(crate) fn reload(
        &mut self,
        inbound: bool,
        outbound: bool,
        which: &str,
    ) -> crate::control::Reply {
        let mut r = crate::control::Reply::new();
        let mut any = false;
        let mut refresh_peers = Vec::new();
        for (i, p) in self
            .peers
            .iter_mut()
            .enumerate()
            .filter(|(_, p)| !p.removed)
        {
            if !(which == "all" || super::show::glob(which, &p.spec.name)) {
                continue;
            }
            any = true;
            let Some(up) = &mut p.up else {
                r.line(15, format!("{}: not up", p.spec.name));
                continue;
            };
            if outbound {
                up.eor_sent = false;
            }
            let refresh = up
                .remote
                .capabilities()
                .any(|c| matches!(c, wren_wire::capability::Capability::RouteRefresh));
            if inbound && refresh {
                refresh_peers.push(i);
            }
            r.line(15, format!("{}: reloading", p.spec.name));
        }
        for i in refresh_peers {
            self.refresh_in(i);
        }
        if !any {
            return crate::control::Reply::only(8003, "No protocols match");
        }
        r
    }
}
