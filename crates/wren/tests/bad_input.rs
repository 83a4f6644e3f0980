//! wrend against peers that misbehave, on loopback (no root needed): a
//! malformed UPDATE is treated as withdraw (RFC 7606) without a reset, a
//! broken header resets that session alone, a peer that vanishes takes
//! only its own routes along, and the daemon keeps running throughout.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::capability::Capability;
use wren_wire::header::frame;
use wren_wire::message::{decode_message, Message};
use wren_wire::open::Open;
use wren_wire::prefix::Ipv4Prefix;
use wren_wire::update::{encode_update, UpdateParts};
use wren_wire::{Negotiated, Nlri, Prefix};

/// A wrend process, killed on drop; its directory (config, debug log) is
/// removed unless the test failed.
struct Wrend(Child, std::path::PathBuf);

impl Drop for Wrend {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if std::thread::panicking() {
            eprintln!("wrend's log: {}", self.1.join("wrend.log").display());
        } else {
            let _ = std::fs::remove_dir_all(&self.1);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_wrend(port: u16) -> Wrend {
    start_wrend_with(port, &[])
}

fn start_wrend_with(port: u16, extra: &[&str]) -> Wrend {
    let dir = std::env::temp_dir().join(format!("wren-bad-input-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("wren.toml");
    std::fs::write(
        &conf,
        format!(
            r#"[global.config]
  as = 65000
  router-id = "127.0.0.1"
  port = {port}
  local-address-list = ["127.0.0.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.2"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.3"
    peer-as = 65002
  [neighbors.transport.config]
    passive-mode = true
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.4"
    peer-as = 65002
  [neighbors.transport.config]
    passive-mode = true
"#
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_wrend"))
        .arg("-d")
        .args(["-f", "-c"])
        .arg(&conf)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("wrend.log")).unwrap())
        .spawn()
        .unwrap();
    Wrend(child, dir)
}

/// A scripted BGP speaker.
struct Peer {
    sock: TcpStream,
    buf: Vec<u8>,
    neg: Negotiated,
    /// Routes the peer holds from wrend.
    routes: HashSet<Prefix>,
}

impl Peer {
    /// Connects from `from` to wrend and brings the session up, retrying
    /// while wrend refuses (its error wait after a reset is 10 s).
    fn establish(from: Ipv4Addr, asn: u32, port: u16) -> Peer {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(p) = Peer::try_establish(from, asn, port) {
                return p;
            }
            assert!(Instant::now() < deadline, "wrend never accepted {from}");
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn try_establish(from: Ipv4Addr, asn: u32, port: u16) -> Option<Peer> {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).ok()?;
        s.bind(&SocketAddr::from((from, 0)).into()).ok()?;
        s.connect(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)).into())
            .ok()?;
        let sock = TcpStream::from(s);
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .ok()?;
        let mut p = Peer {
            sock,
            buf: Vec::new(),
            routes: HashSet::new(),
            neg: Negotiated {
                four_octet_as: true,
                ..Negotiated::default()
            },
        };
        let mut out = Vec::new();
        Open::new(asn, 90, from, vec![Capability::FourOctetAs(asn)]).encode(&mut out);
        wren_wire::header::encode_keepalive(&mut out);
        p.sock.write_all(&out).ok()?;
        let (mut got_open, mut got_keepalive) = (false, false);
        while !(got_open && got_keepalive) {
            match p.next(Duration::from_secs(5))? {
                Owned::Open => got_open = true,
                Owned::Keepalive => got_keepalive = true,
                other => panic!("unexpected {other:?} while opening"),
            }
        }
        Some(p)
    }

    /// The next message within `wait`, `None` on timeout or close.
    fn next(&mut self, wait: Duration) -> Option<Owned> {
        let end = Instant::now() + wait;
        loop {
            if let Some(n) = frame(&self.buf, 4096).unwrap() {
                let m = decode_message(&self.buf[..n], &self.neg).unwrap();
                let owned = Owned::from(&m);
                self.buf.drain(..n);
                return Some(owned);
            }
            if Instant::now() >= end {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.sock.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return None,
            }
        }
    }

    /// Waits until `prefix` is announced (`want`) or withdrawn (`!want`)
    /// as far as the UPDATEs received so far say; false on timeout.
    fn wait_route(&mut self, prefix: Prefix, want: bool, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        loop {
            if self.routes.contains(&prefix) == want {
                return true;
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some(Owned::Update {
                    announced,
                    withdrawn,
                }) => {
                    for w in withdrawn {
                        self.routes.remove(&w);
                    }
                    self.routes.extend(announced);
                }
                Some(Owned::Notification(c, s)) => panic!("NOTIFICATION {c}/{s}"),
                Some(_) => {}
                None if left.is_zero() => return false,
                None => return self.routes.contains(&prefix) == want,
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.sock.write_all(bytes).unwrap();
    }
}

/// What the tests look at in a message.
#[derive(Debug)]
enum Owned {
    Open,
    Keepalive,
    Update {
        announced: Vec<Prefix>,
        withdrawn: Vec<Prefix>,
    },
    Notification(u8, u8),
    Other,
}

impl From<&Message<'_>> for Owned {
    fn from(m: &Message<'_>) -> Owned {
        match m {
            Message::Open(_) => Owned::Open,
            Message::Keepalive => Owned::Keepalive,
            // As sent, whatever the verdict: on loopback wrend's next hop
            // is 127.0.0.1, which a receiver would treat as withdraw.
            Message::Update(u) => Owned::Update {
                announced: u.nlri_field().iter().map(|n| n.prefix).collect(),
                withdrawn: u.withdrawn_field().iter().map(|n| n.prefix).collect(),
            },
            Message::Notification(n) => Owned::Notification(n.code, n.subcode),
            Message::RouteRefresh(_) => Owned::Other,
        }
    }
}

fn v4(a: u8, b: u8, c: u8) -> Prefix {
    Prefix::V4(Ipv4Prefix::new(Ipv4Addr::new(a, b, c, 0), 24).unwrap())
}

/// A well-formed UPDATE from `asn` announcing `prefix` via `nh`.
fn announce(prefix: Prefix, asn: u32, nh: Ipv4Addr) -> Vec<u8> {
    let attrs = PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[asn])),
        next_hop: Some(nh),
        ..PathAttributes::default()
    };
    let neg = Negotiated {
        four_octet_as: true,
        ..Negotiated::default()
    };
    let mut out = Vec::new();
    let nlri = [Nlri::new(prefix)];
    let parts = UpdateParts {
        attrs: Some(&attrs),
        nlri: &nlri,
        ..UpdateParts::default()
    };
    encode_update(&mut out, &parts, &neg, None).unwrap();
    out
}

/// An UPDATE withdrawing `prefix` (IPv4).
fn withdraw(prefix: Prefix) -> Vec<u8> {
    let mut out = Vec::new();
    wren_wire::update::encode_withdraw(
        &mut out,
        wren_wire::Family::Ipv4Unicast,
        &[Nlri::new(prefix)],
        &Negotiated::default(),
    );
    out
}

/// An UPDATE for 10.0.1.0/24 whose ORIGIN is 5: malformed, and per
/// RFC 7606 §7.1 treated as a withdrawal, not a reason to reset.
fn bad_origin(asn: u32) -> Vec<u8> {
    let mut attrs = vec![0x40, 1, 1, 5]; // ORIGIN = 5
    attrs.extend_from_slice(&[0x40, 2, 6, 2, 1]); // AS_SEQUENCE of one
    attrs.extend_from_slice(&asn.to_be_bytes());
    attrs.extend_from_slice(&[0x40, 3, 4, 198, 18, 0, 2]); // NEXT_HOP
    let mut body = vec![0, 0];
    body.extend_from_slice(&u16::try_from(attrs.len()).unwrap().to_be_bytes());
    body.extend_from_slice(&attrs);
    body.extend_from_slice(&[24, 10, 0, 1]);
    let mut out = vec![0xff; 16];
    out.extend_from_slice(&u16::try_from(19 + body.len()).unwrap().to_be_bytes());
    out.push(2);
    out.extend_from_slice(&body);
    out
}

#[test]
fn malformed_input_hurts_only_what_it_must() {
    let port = free_port();
    let mut wrend = start_wrend(port);
    let a_addr = Ipv4Addr::new(127, 0, 0, 2);
    // Next hops on loopback are martians (treat-as-withdraw): use another.
    let nh = Ipv4Addr::new(198, 18, 0, 2);
    let mut a = Peer::establish(a_addr, 65001, port);
    let mut b = Peer::establish(Ipv4Addr::new(127, 0, 0, 3), 65002, port);
    let wait = Duration::from_secs(10);

    // A good route crosses.
    a.send(&announce(v4(10, 0, 0), 65001, nh));
    assert!(b.wait_route(v4(10, 0, 0), true, wait));

    // 10.0.1.0/24 announced well, then re-announced with a bad ORIGIN:
    // treat-as-withdraw, so B loses it, and A's session stays up.
    a.send(&announce(v4(10, 0, 1), 65001, nh));
    assert!(b.wait_route(v4(10, 0, 1), true, wait));
    a.send(&bad_origin(65001));
    assert!(b.wait_route(v4(10, 0, 1), false, wait), "treat-as-withdraw");
    a.send(&announce(v4(10, 0, 2), 65001, nh));
    assert!(
        b.wait_route(v4(10, 0, 2), true, wait),
        "A's session survived the malformed UPDATE"
    );

    // A broken marker: A gets NOTIFICATION 1/1 (connection not
    // synchronized) and is closed; B keeps its session and loses A's routes.
    let mut garbage = announce(v4(10, 0, 3), 65001, nh);
    garbage[0] = 0;
    a.send(&garbage);
    let mut notified = None;
    while let Some(m) = a.next(wait) {
        if let Owned::Notification(c, s) = m {
            notified = Some((c, s));
            break;
        }
    }
    assert_eq!(notified, Some((1, 1)));
    assert!(b.wait_route(v4(10, 0, 0), false, wait));
    assert!(b.wait_route(v4(10, 0, 2), false, wait));

    // A comes back and vanishes without a word (socket dropped): B loses
    // its routes again, and wrend is still alive.
    drop(a);
    let mut a = Peer::establish(a_addr, 65001, port);
    a.send(&announce(v4(10, 0, 4), 65001, nh));
    assert!(b.wait_route(v4(10, 0, 4), true, wait));
    drop(a);
    assert!(b.wait_route(v4(10, 0, 4), false, wait));
    assert!(wrend.0.try_wait().unwrap().is_none(), "wrend exited");
}

/// GET /metrics over plain HTTP.
fn scrape(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text.split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn metrics_parse_as_prometheus_text_and_count_what_happened() {
    let port = free_port();
    let mport = free_port();
    let m = format!("127.0.0.1:{mport}");
    let _wrend = start_wrend_with(port, &["--metrics", &m]);
    let a_addr = Ipv4Addr::new(127, 0, 0, 2);
    let mut a = Peer::establish(a_addr, 65001, port);
    let mut b = Peer::establish(Ipv4Addr::new(127, 0, 0, 3), 65002, port);
    let nh = Ipv4Addr::new(198, 18, 0, 2);
    // One route with our own AS in its path (a loop, refused), first:
    // by the time the last good one reaches b, it has been judged.
    a.send(&announce(v4(10, 1, 9), 65000, nh));
    for i in 0..3 {
        a.send(&announce(v4(10, 1, i), 65001, nh));
    }
    assert!(b.wait_route(v4(10, 1, 2), true, Duration::from_secs(10)));
    let body = scrape(mport);
    let lines = body.lines().map(|l| Ok(l.to_string()));
    let parsed = prometheus_parse::Scrape::parse(lines).unwrap();
    let value = |name: &str, peer: &str| {
        parsed
            .samples
            .iter()
            .find(|s| s.metric == name && s.labels.get("neighbor") == Some(peer))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .unwrap_or_else(|| panic!("no {name} for {peer} in:\n{body}"))
    };
    assert_eq!(value("wren_bgp_session_established", "127.0.0.2"), 1.0);
    assert_eq!(value("wren_bgp_prefixes_accepted", "127.0.0.2"), 3.0);
    assert_eq!(value("wren_bgp_prefixes_received_total", "127.0.0.2"), 4.0);
    assert_eq!(value("wren_bgp_prefixes_refused_total", "127.0.0.2"), 1.0);
    assert!(
        body.contains("wren_kernel_sync_errors_total 0"),
        "no kernel error counter in:\n{body}"
    );
    assert!(value("wren_bgp_updates_received_total", "127.0.0.2") >= 3.0);
    assert!(value("wren_bgp_updates_sent_total", "127.0.0.3") >= 1.0);
    let table = parsed
        .samples
        .iter()
        .find(|s| s.metric == "wren_table_prefixes" && s.labels.get("table") == Some("master4"))
        .unwrap();
    assert!(
        matches!(table.value, prometheus_parse::Value::Gauge(v) if v == 3.0),
        "{table:?}"
    );
}

/// Two peers alike (same AS, same policy, same local address) share one
/// encoding of a third peer's route; the third is a group of its own.
/// Before update groups left the peer's own address out of their key,
/// every peer was its own group.
#[test]
fn alike_peers_form_one_update_group() {
    let port = free_port();
    let mport = free_port();
    let m = format!("127.0.0.1:{mport}");
    let _wrend = start_wrend_with(port, &["--metrics", &m]);
    let mut a = Peer::establish(Ipv4Addr::new(127, 0, 0, 2), 65001, port);
    let mut b = Peer::establish(Ipv4Addr::new(127, 0, 0, 3), 65002, port);
    let mut c = Peer::establish(Ipv4Addr::new(127, 0, 0, 4), 65002, port);
    a.send(&announce(v4(10, 2, 0), 65001, Ipv4Addr::new(198, 18, 0, 2)));
    assert!(b.wait_route(v4(10, 2, 0), true, Duration::from_secs(10)));
    assert!(c.wait_route(v4(10, 2, 0), true, Duration::from_secs(10)));
    let body = scrape(mport);
    assert!(
        body.lines().any(|l| l == "wren_bgp_update_groups 2"),
        "want groups {{a}} and {{b, c}}:\n{body}"
    );
}

/// Update groups are kept between export passes and formed again when a
/// session comes up, goes down or comes back: a peer that joins later
/// gets its table and then every change with its group, and a peer gone
/// from a group takes nothing with it.
#[test]
fn update_groups_follow_sessions_coming_and_going() {
    let port = free_port();
    let mport = free_port();
    let m = format!("127.0.0.1:{mport}");
    let _wrend = start_wrend_with(port, &["--metrics", &m]);
    let groups = || {
        let body = scrape(mport);
        body.lines()
            .find_map(|l| l.strip_prefix("wren_bgp_update_groups "))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let wait = Duration::from_secs(10);
    let hop = Ipv4Addr::new(198, 18, 0, 2);
    let mut a = Peer::establish(Ipv4Addr::new(127, 0, 0, 2), 65001, port);
    let mut b = Peer::establish(Ipv4Addr::new(127, 0, 0, 3), 65002, port);
    a.send(&announce(v4(10, 2, 0), 65001, hop));
    assert!(b.wait_route(v4(10, 2, 0), true, wait));

    // c comes up after the groups were formed: its table, then changes.
    let mut c = Peer::establish(Ipv4Addr::new(127, 0, 0, 4), 65002, port);
    assert!(c.wait_route(v4(10, 2, 0), true, wait), "c's first table");
    a.send(&announce(v4(10, 3, 0), 65001, hop));
    assert!(b.wait_route(v4(10, 3, 0), true, wait));
    assert!(c.wait_route(v4(10, 3, 0), true, wait), "c in b's group");
    assert_eq!(groups(), "2", "{{a}} and {{b, c}}");

    // b goes: c still gets the group's changes.
    drop(b);
    std::thread::sleep(Duration::from_millis(500));
    a.send(&announce(v4(10, 4, 0), 65001, hop));
    assert!(c.wait_route(v4(10, 4, 0), true, wait));

    // b comes back on a new connection: its table, then the group's
    // changes, withdrawals included.
    let mut b = Peer::establish(Ipv4Addr::new(127, 0, 0, 3), 65002, port);
    assert!(b.wait_route(v4(10, 4, 0), true, wait));
    a.send(&withdraw(v4(10, 2, 0)));
    assert!(b.wait_route(v4(10, 2, 0), false, wait));
    assert!(c.wait_route(v4(10, 2, 0), false, wait));
    assert_eq!(groups(), "2");
}
