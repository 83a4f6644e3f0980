//! Prometheus metrics, built from the main loop's state on each scrape:
//! per-peer session state, uptime, UPDATEs in and out, prefixes accepted
//! and exported, flaps; table and attribute-store sizes.

use super::Daemon;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use wren_core::session::State;

type Labels = Vec<(String, String)>;

impl Daemon {
    /// The text exposition of every metric.
    pub(crate) fn metrics_text(&self) -> String {
        let mut reg = Registry::with_prefix("wren");
        let up = Family::<Labels, Gauge>::default();
        let uptime = Family::<Labels, Gauge>::default();
        let upd_in = Family::<Labels, Counter>::default();
        let upd_out = Family::<Labels, Counter>::default();
        let accepted = Family::<Labels, Gauge>::default();
        let exported = Family::<Labels, Counter>::default();
        let flaps = Family::<Labels, Counter>::default();
        let received = Family::<Labels, Counter>::default();
        let refused = Family::<Labels, Counter>::default();
        let now = self.now();
        for p in self.peers.iter().filter(|p| !p.removed) {
            let l: Labels = vec![
                ("peer".into(), p.spec.name.clone()),
                ("neighbor".into(), p.neighbor_address().to_string()),
                ("state".into(), p.session.state().to_string()),
            ];
            let est = p.session.state() == State::Established;
            up.get_or_create(&l).set(i64::from(est));
            let secs = if est {
                now.since(p.session.since()).as_secs()
            } else {
                0
            };
            uptime
                .get_or_create(&l)
                .set(i64::try_from(secs).unwrap_or(i64::MAX));
            upd_in.get_or_create(&l).inc_by(p.stats.updates_in);
            upd_out.get_or_create(&l).inc_by(p.stats.updates_out);
            accepted
                .get_or_create(&l)
                .set(i64::try_from(p.stats.imported).unwrap_or(i64::MAX));
            exported.get_or_create(&l).inc_by(p.stats.exported);
            flaps.get_or_create(&l).inc_by(p.stats.flaps);
            received.get_or_create(&l).inc_by(p.stats.received);
            refused.get_or_create(&l).inc_by(p.stats.refused);
        }
        reg.register(
            "bgp_session_established",
            "1 while the session is Established",
            up,
        );
        reg.register(
            "bgp_session_uptime_seconds",
            "Seconds since the session came up",
            uptime,
        );
        reg.register("bgp_updates_received", "UPDATE messages received", upd_in);
        reg.register("bgp_updates_sent", "UPDATE messages sent", upd_out);
        reg.register(
            "bgp_prefixes_accepted",
            "Routes from the peer in the table",
            accepted,
        );
        reg.register(
            "bgp_prefixes_exported",
            "Routes announced to the peer",
            exported,
        );
        reg.register("bgp_session_flaps", "Times the session went down", flaps);
        reg.register(
            "bgp_prefixes_received",
            "Routes received: each one evaluated by the import rules and filter",
            received,
        );
        reg.register(
            "bgp_prefixes_refused",
            "Routes received and refused (AS or cluster loop, import filter)",
            refused,
        );
        let kernel_errors = Counter::<u64>::default();
        kernel_errors.inc_by(
            self.kernel_errors
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        reg.register(
            "kernel_sync_errors",
            "Route changes the kernel refused or failed",
            kernel_errors,
        );
        let prefixes = Family::<Labels, Gauge>::default();
        let [v4, v6] = self
            .table
            .len_by_family()
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        prefixes
            .get_or_create(&vec![("table".into(), "master4".into())])
            .set(v4);
        prefixes
            .get_or_create(&vec![("table".into(), "master6".into())])
            .set(v6);
        reg.register("table_prefixes", "Networks in the routing table", prefixes);
        let sets = Gauge::<i64>::default();
        sets.set(i64::try_from(self.store.len()).unwrap_or(i64::MAX));
        reg.register("attribute_sets", "Distinct interned attribute sets", sets);
        let groups = Gauge::<i64>::default();
        groups.set(i64::try_from(self.export_bufs.groups_formed).unwrap_or(i64::MAX));
        reg.register(
            "bgp_update_groups",
            "Update groups of the last export pass: established peers whose UPDATEs are built once",
            groups,
        );
        let mut out = String::new();
        let _ = encode(&mut out, &reg);
        out
    }
}
