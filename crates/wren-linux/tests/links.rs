//! Interfaces in a fresh namespace: links with their state and MTU, and
//! addresses of both families.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::net::IpAddr;

use common::{lab, root};
use wren_linux::Interfaces;

#[test]
fn links_and_addresses() {
    if !root() {
        return;
    }
    let ns = lab("links");
    ns.ip("link set a1 mtu 1400");
    ns.ip("link set b1 down");
    ns.ip("addr add 198.18.5.1 peer 198.18.5.2 dev a1");
    let a0 = ns.ifindex("a0");
    let (links, addrs) = ns.run(|| async {
        let mut i = Interfaces::open().unwrap();
        (i.links().await.unwrap(), i.addresses().await.unwrap())
    });
    let link = |n: &str| links.iter().find(|l| l.name == n).unwrap().clone();
    let lo = link("lo");
    assert!(lo.is_loopback() && lo.up);
    let l = link("a0");
    assert_eq!((l.index, l.up, l.lower_up, l.mtu), (a0, true, true, 1500));
    assert_eq!(l.kind.as_deref(), Some("veth"));
    assert_eq!(l.mac.len(), 6);
    // a1 is up, but its peer is down: no carrier.
    let l = link("a1");
    assert_eq!((l.up, l.lower_up, l.mtu), (true, false, 1400));
    assert!(!link("b1").up);

    let find = |a: &str| {
        let a: IpAddr = a.parse().unwrap();
        addrs
            .iter()
            .find(|x| x.addr == a)
            .unwrap_or_else(|| panic!("{a} not in {addrs:#?}"))
    };
    let v4 = find("198.18.0.1");
    assert_eq!(
        (v4.index, v4.prefix_len, v4.scope, v4.peer),
        (a0, 24, 0, None)
    );
    assert_eq!(v4.label.as_deref(), Some("a0"));
    let v6 = find("2001:db8::1");
    assert_eq!((v6.index, v6.prefix_len), (a0, 64));
    let ptp = find("198.18.5.1");
    assert_eq!(ptp.peer, Some("198.18.5.2".parse().unwrap()));
    assert_eq!(find("127.0.0.1").scope, 254); // host
    assert!(addrs.iter().any(|a| a.index == a0 && a.scope == 253)); // fe80:: link
}
