//! Simulated-time tests of the session FSM, named after the RFC 4271 §8
//! state and event they exercise.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::net::Ipv4Addr;
use wren_core::session::{Action, Dir, DownReason, RemoteAs, Session, SessionConfig, State};
use wren_core::time::Instant;
use wren_wire::capability::Capability;
use wren_wire::header;
use wren_wire::message::{decode_message, Message};
use wren_wire::notification::{cease, code, fsm_error, open_error};
use wren_wire::open::Open;
use wren_wire::{AfiSafi, Negotiated, Notification};

const LOCAL_ID: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

fn cfg() -> SessionConfig {
    SessionConfig::new(65000, RemoteAs::Exact(65001), LOCAL_ID)
}

fn secs(s: u64) -> Instant {
    Instant(s * 1000)
}

fn peer_open(asn: u32, hold: u16, id: [u8; 4], caps: Vec<Capability>) -> Vec<u8> {
    let mut caps = caps;
    caps.push(Capability::FourOctetAs(asn));
    let mut out = Vec::new();
    Open::new(asn, hold, Ipv4Addr::from(id), caps).encode(&mut out);
    out
}

fn keepalive() -> Vec<u8> {
    let mut out = Vec::new();
    header::encode_keepalive(&mut out);
    out
}

fn sent(actions: &[Action], dir: Dir) -> Vec<Message<'_>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { dir: d, bytes } if *d == dir => {
                Some(decode_message(bytes, &Negotiated::default()).unwrap())
            }
            _ => None,
        })
        .collect()
}

fn notification(actions: &[Action], dir: Dir) -> Option<(u8, u8)> {
    sent(actions, dir).into_iter().find_map(|m| match m {
        Message::Notification(n) => Some((n.code, n.subcode)),
        _ => None,
    })
}

fn down(actions: &[Action]) -> Option<&DownReason> {
    actions.iter().find_map(|a| match a {
        Action::Down { reason, .. } => Some(reason),
        _ => None,
    })
}

/// A session taken to Established on `dir` at time `t`, peer hold `hold`.
fn established(c: SessionConfig, dir: Dir, hold: u16, caps: Vec<Capability>) -> Session {
    let mut s = Session::new(c);
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), dir, &mut out);
    s.on_message(
        secs(0),
        dir,
        &peer_open(65001, hold, [10, 0, 0, 2], caps),
        &mut out,
    );
    s.on_message(secs(0), dir, &keepalive(), &mut out);
    assert_eq!(s.state(), State::Established);
    s
}

#[test]
fn idle_manual_start_connects_after_connect_delay_time() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    assert_eq!(s.state(), State::Idle);
    s.start(secs(0));
    assert_eq!(s.state(), State::Active);
    // The 5 s connect delay, with RFC 4271 §10 jitter: 3.75 s to 5 s.
    let at = s.next_deadline().unwrap();
    assert!(at >= Instant(3750) && at <= secs(5), "{at:?}");
    s.on_timer(Instant(3749), &mut out);
    assert!(out.is_empty());
    s.on_timer(at, &mut out);
    assert_eq!(out, vec![Action::Connect]);
    assert_eq!(s.state(), State::Connect);
}

#[test]
fn speakers_that_start_together_do_not_connect_together() {
    // Two routers with the same connect delay, started at the same
    // instant: their first connects must not coincide, or they collide
    // (RFC 4271 §6.8) and both lose, again at every retry.
    let mut a = Session::new(cfg());
    let mut other = cfg();
    other.router_id = Ipv4Addr::new(10, 0, 0, 2);
    let mut b = Session::new(other);
    a.start(secs(0));
    b.start(secs(0));
    let (ta, tb) = (a.next_deadline().unwrap(), b.next_deadline().unwrap());
    assert!(ta.0.abs_diff(tb.0) >= 10, "{ta:?} {tb:?}");
}

#[test]
fn passive_session_never_connects_but_accepts() {
    let mut c = cfg();
    c.passive = true;
    let mut s = Session::new(c);
    s.start(secs(0));
    assert_eq!(s.next_deadline(), None);
    assert!(s.accepts_incoming());
    let mut out = Vec::new();
    s.on_timer(secs(1000), &mut out);
    assert!(out.is_empty());
}

#[test]
fn connect_connection_fails_retries_after_jittered_connect_retry_time() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_timer(secs(5), &mut out);
    s.on_connect_failed(secs(6));
    let next = s.next_deadline().unwrap();
    assert!(next >= secs(6 + 90) && next <= secs(6 + 120), "{next:?}");
    out.clear();
    s.on_timer(next, &mut out);
    assert_eq!(out, vec![Action::Connect]);
}

#[test]
fn connect_tcp_established_sends_open_with_capabilities() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(1), Dir::Incoming, &mut out);
    assert_eq!(s.state(), State::OpenSent);
    let msgs = sent(&out, Dir::Incoming);
    let Message::Open(o) = &msgs[0] else {
        panic!("{msgs:?}")
    };
    assert_eq!((o.asn(), o.hold_time, o.bgp_id), (65000, 240, LOCAL_ID));
    assert!(o
        .capabilities()
        .any(|c| *c == Capability::FourOctetAs(65000)));
    assert!(o
        .capabilities()
        .any(|c| *c == Capability::Multiprotocol(AfiSafi::IPV4_UNICAST)));
    // Startup hold time runs until the peer's OPEN.
    assert_eq!(s.next_deadline(), Some(secs(241)));
}

#[test]
fn open_sent_open_received_negotiates_hold_and_keepalive() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Outgoing, &mut out);
    out.clear();
    s.on_message(
        secs(0),
        Dir::Outgoing,
        &peer_open(65001, 60, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(s.state(), State::OpenConfirm);
    assert!(matches!(
        sent(&out, Dir::Outgoing)[..],
        [Message::Keepalive]
    ));
    out.clear();
    s.on_message(secs(1), Dir::Outgoing, &keepalive(), &mut out);
    let Some(Action::Established {
        negotiated, remote, ..
    }) = out.first()
    else {
        panic!("{out:?}")
    };
    assert!(negotiated.four_octet_as && !negotiated.ibgp);
    assert_eq!(remote.bgp_id, Ipv4Addr::new(10, 0, 0, 2));
    assert_eq!(s.timers(), Some((60, 20)));
}

#[test]
fn established_keepalive_timer_sends_keepalives() {
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![]);
    let mut out = Vec::new();
    s.on_timer(secs(29), &mut out);
    assert!(out.is_empty());
    s.on_timer(secs(30), &mut out);
    assert!(matches!(
        sent(&out, Dir::Outgoing)[..],
        [Message::Keepalive]
    ));
    // An UPDATE we send restarts it.
    s.on_update_sent(secs(50), Dir::Outgoing);
    out.clear();
    s.on_timer(secs(60), &mut out);
    assert!(out.is_empty());
}

#[test]
fn established_hold_timer_expires_sends_4_0_and_waits_error_wait_time() {
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![]);
    let mut out = Vec::new();
    // A KEEPALIVE from the peer at 80 s restarts the hold timer.
    s.on_message(secs(80), Dir::Outgoing, &keepalive(), &mut out);
    s.on_timer(secs(169), &mut out);
    assert!(down(&out).is_none());
    s.on_timer(secs(170), &mut out);
    assert_eq!(
        notification(&out, Dir::Outgoing),
        Some((code::HOLD_TIMER_EXPIRED, 0))
    );
    assert_eq!(
        down(&out),
        Some(&DownReason::Sent(Notification::new(4, 0, vec![])))
    );
    assert_eq!(s.state(), State::Idle);
    assert!(!s.accepts_incoming());
    // error wait 60 s, then connect delay 5 s.
    assert_eq!(s.next_deadline(), Some(secs(230)));
    out.clear();
    s.on_timer(secs(230), &mut out);
    assert!(out.is_empty());
    assert_eq!(s.state(), State::Active);
    s.on_timer(secs(235), &mut out);
    assert_eq!(out, vec![Action::Connect]);
}

#[test]
fn error_wait_time_doubles_up_to_max_and_is_forgotten() {
    let mut c = cfg();
    c.error_wait_time = (10, 35);
    c.error_forget_time = 100;
    let mut s = Session::new(c);
    s.start(secs(0));
    let mut out = Vec::new();
    let mut t = 0;
    let mut waits = Vec::new();
    for _ in 0..4 {
        s.on_connected(secs(t), Dir::Incoming, &mut out);
        s.on_message(
            secs(t),
            Dir::Incoming,
            &peer_open(64999, 90, [1, 1, 1, 1], vec![]),
            &mut out,
        );
        let restart = s.next_deadline().unwrap();
        waits.push((restart.0 / 1000) - t);
        t = restart.0 / 1000;
        s.on_timer(secs(t), &mut out);
    }
    assert_eq!(waits, vec![10, 20, 35, 35]);
    // Quiet for longer than error forget time: back to the minimum.
    t += 200;
    s.on_connected(secs(t), Dir::Incoming, &mut out);
    s.on_message(
        secs(t),
        Dir::Incoming,
        &peer_open(64999, 90, [1, 1, 1, 1], vec![]),
        &mut out,
    );
    assert_eq!(s.next_deadline(), Some(secs(t + 10)));
}

#[test]
fn open_sent_bad_peer_as_is_2_2() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    out.clear();
    s.on_message(
        secs(0),
        Dir::Incoming,
        &peer_open(65002, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::OPEN_MESSAGE, open_error::BAD_PEER_AS))
    );
    assert!(out.contains(&Action::Close { dir: Dir::Incoming }));
    // Never established: nothing to withdraw.
    assert!(down(&out).is_none());
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn internal_and_external_remote_as() {
    let mut c = cfg();
    c.remote_as = RemoteAs::External;
    assert!(c.accepts_as(65001) && !c.accepts_as(65000));
    c.remote_as = RemoteAs::Internal;
    assert!(c.accepts_as(65000) && !c.accepts_as(65001));
}

#[test]
fn open_sent_unacceptable_hold_time_and_bad_identifier() {
    for (hold, id, sub) in [
        (1, [10, 0, 0, 2], open_error::UNACCEPTABLE_HOLD_TIME),
        (2, [10, 0, 0, 2], open_error::UNACCEPTABLE_HOLD_TIME),
        (90, [0, 0, 0, 0], open_error::BAD_BGP_IDENTIFIER),
    ] {
        let mut s = Session::new(cfg());
        let mut out = Vec::new();
        s.start(secs(0));
        s.on_connected(secs(0), Dir::Incoming, &mut out);
        s.on_message(
            secs(0),
            Dir::Incoming,
            &peer_open(65001, hold, id, vec![]),
            &mut out,
        );
        assert_eq!(
            notification(&out, Dir::Incoming),
            Some((code::OPEN_MESSAGE, sub))
        );
    }
    // iBGP peer with our own identifier.
    let mut c = cfg();
    c.remote_as = RemoteAs::Internal;
    let mut s = Session::new(c);
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    s.on_message(
        secs(0),
        Dir::Incoming,
        &peer_open(65000, 90, [10, 0, 0, 1], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::OPEN_MESSAGE, open_error::BAD_BGP_IDENTIFIER))
    );
}

#[test]
fn hold_time_zero_means_no_keepalives_and_no_hold_timer() {
    let s = established(cfg(), Dir::Outgoing, 0, vec![]);
    assert_eq!(s.timers(), Some((0, 0)));
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn unexpected_messages_are_fsm_errors_rfc6608() {
    let update = {
        let mut b = Vec::new();
        wren_wire::update::encode_end_of_rib(&mut b, wren_wire::Family::Ipv4Unicast);
        b
    };
    // OpenSent: an UPDATE.
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    s.on_message(secs(0), Dir::Incoming, &update, &mut out);
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::FSM, fsm_error::UNEXPECTED_IN_OPEN_SENT))
    );
    // OpenConfirm: an UPDATE.
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    s.on_message(
        secs(0),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    s.on_message(secs(0), Dir::Incoming, &update, &mut out);
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::FSM, fsm_error::UNEXPECTED_IN_OPEN_CONFIRM))
    );
    // Established: a second OPEN.
    let mut s = established(cfg(), Dir::Incoming, 90, vec![]);
    let mut out = Vec::new();
    s.on_message(
        secs(1),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::FSM, fsm_error::UNEXPECTED_IN_ESTABLISHED))
    );
    assert!(matches!(down(&out), Some(DownReason::Sent(_))));
}

#[test]
fn established_update_is_handed_to_the_rib() {
    let mut s = established(cfg(), Dir::Incoming, 90, vec![]);
    let mut b = Vec::new();
    wren_wire::update::encode_end_of_rib(&mut b, wren_wire::Family::Ipv4Unicast);
    let mut out = Vec::new();
    let got = s.on_message(secs(1), Dir::Incoming, &b, &mut out);
    assert!(
        matches!(got, Some(wren_core::session::Inbound::Update(u)) if u.end_of_rib().is_some())
    );
    assert!(out.is_empty());
}

#[test]
fn malformed_message_sends_the_decoder_notification() {
    let mut s = established(cfg(), Dir::Incoming, 90, vec![]);
    let mut bad = keepalive();
    bad[0] = 0; // marker
    let mut out = Vec::new();
    s.on_message(secs(1), Dir::Incoming, &bad, &mut out);
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::MESSAGE_HEADER, 1))
    );
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn collision_keeps_the_connection_of_the_higher_identifier() {
    // Our id 10.0.0.1 < peer's 10.0.0.2: the peer's connection wins.
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_timer(secs(5), &mut out);
    s.on_connected(secs(5), Dir::Outgoing, &mut out);
    s.on_message(
        secs(5),
        Dir::Outgoing,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert!(s.accepts_incoming());
    s.on_connected(secs(5), Dir::Incoming, &mut out);
    out.clear();
    s.on_message(
        secs(5),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Outgoing),
        Some((code::CEASE, cease::CONNECTION_COLLISION))
    );
    assert!(out.contains(&Action::Close { dir: Dir::Outgoing }));
    assert!(down(&out).is_none());
    s.on_message(secs(5), Dir::Incoming, &keepalive(), &mut out);
    assert_eq!(s.established().map(|e| e.0), Some(Dir::Incoming));

    // Our id higher: our connection wins and the incoming one is closed.
    let mut c = cfg();
    c.router_id = Ipv4Addr::new(10, 0, 0, 9);
    let mut s = Session::new(c);
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_timer(secs(5), &mut out);
    s.on_connected(secs(5), Dir::Outgoing, &mut out);
    s.on_message(
        secs(5),
        Dir::Outgoing,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    s.on_connected(secs(5), Dir::Incoming, &mut out);
    out.clear();
    s.on_message(
        secs(5),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::CEASE, cease::CONNECTION_COLLISION))
    );
    s.on_message(secs(5), Dir::Outgoing, &keepalive(), &mut out);
    assert_eq!(s.established().map(|e| e.0), Some(Dir::Outgoing));
}

/// Both connections opened at once, the peer's OPEN first on one while
/// the other still waits for its OPEN (OpenSent): the choice is made now,
/// by identifier, the same choice the peer makes, so the two sides never
/// keep different connections.
#[test]
fn collision_is_resolved_against_a_connection_in_open_sent() {
    let cases = [
        ([10, 0, 0, 1], Dir::Incoming, Dir::Outgoing),
        ([10, 0, 0, 9], Dir::Outgoing, Dir::Incoming),
    ];
    for (our_id, keep, lose) in cases {
        let mut c = cfg();
        c.router_id = Ipv4Addr::from(our_id);
        let mut s = Session::new(c);
        let mut out = Vec::new();
        s.start(secs(0));
        s.on_timer(secs(5), &mut out);
        s.on_connected(secs(5), Dir::Outgoing, &mut out);
        s.on_connected(secs(5), Dir::Incoming, &mut out);
        out.clear();
        // The OPEN arrives on the outgoing connection first.
        s.on_message(
            secs(5),
            Dir::Outgoing,
            &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
            &mut out,
        );
        assert_eq!(
            notification(&out, lose),
            Some((code::CEASE, cease::CONNECTION_COLLISION)),
            "our id {our_id:?}"
        );
        assert!(out.contains(&Action::Close { dir: lose }));
        if keep == Dir::Incoming {
            s.on_message(
                secs(5),
                Dir::Incoming,
                &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
                &mut out,
            );
        }
        s.on_message(secs(5), keep, &keepalive(), &mut out);
        assert_eq!(
            s.established().map(|e| e.0),
            Some(keep),
            "our id {our_id:?}"
        );
    }
}

#[test]
fn collision_with_established_session_closes_the_newcomer() {
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![]);
    let mut out = Vec::new();
    s.on_connected(secs(1), Dir::Incoming, &mut out);
    out.clear();
    s.on_message(
        secs(1),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::CEASE, cease::CONNECTION_COLLISION))
    );
    assert!(down(&out).is_none());
    assert_eq!(s.state(), State::Established);
}

#[test]
fn delay_open_waits_unless_the_peer_opens_first() {
    let mut c = cfg();
    c.delay_open_time = Some(10);
    let mut s = Session::new(c.clone());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    assert!(out.is_empty());
    s.on_timer(secs(10), &mut out);
    assert!(matches!(sent(&out, Dir::Incoming)[..], [Message::Open(_)]));

    let mut s = Session::new(c);
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    s.on_message(
        secs(2),
        Dir::Incoming,
        &peer_open(65001, 90, [10, 0, 0, 2], vec![]),
        &mut out,
    );
    assert!(matches!(
        sent(&out, Dir::Incoming)[..],
        [Message::Open(_), Message::Keepalive]
    ));
    assert_eq!(s.state(), State::OpenConfirm);
}

#[test]
fn notification_received_ends_the_session_without_graceful_restart() {
    let gr = Capability::GracefulRestart {
        flags: 0,
        time: 120,
        families: vec![],
    };
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![gr]);
    let mut out = Vec::new();
    let mut b = Vec::new();
    Notification::cease_with_message(cease::ADMINISTRATIVE_SHUTDOWN, "bye").encode(&mut b);
    s.on_message(secs(3), Dir::Outgoing, &b, &mut out);
    let Some(Action::Down { reason, graceful }) =
        out.iter().find(|a| matches!(a, Action::Down { .. }))
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        reason.to_string(),
        "Received: Administrative shutdown \"bye\""
    );
    assert_eq!(*graceful, None);
}

#[test]
fn connection_lost_keeps_routes_of_a_graceful_restart_peer() {
    let gr = Capability::GracefulRestart {
        flags: 0,
        time: 120,
        families: vec![wren_wire::capability::GracefulRestartFamily {
            afi_safi: AfiSafi::IPV4_UNICAST,
            flags: 0x80,
        }],
    };
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![gr]);
    let mut out = Vec::new();
    s.on_closed(secs(3), Dir::Outgoing, &mut out);
    assert_eq!(
        out,
        vec![Action::Down {
            reason: DownReason::ConnectionClosed,
            graceful: Some((120, vec![AfiSafi::IPV4_UNICAST]))
        }]
    );
    // Without the capability there is nothing to keep.
    let mut s = established(cfg(), Dir::Outgoing, 90, vec![]);
    let mut out = Vec::new();
    s.on_closed(secs(3), Dir::Outgoing, &mut out);
    assert!(matches!(out[..], [Action::Down { graceful: None, .. }]));
}

#[test]
fn peer_rejecting_optional_parameters_gets_a_bare_open_next_time() {
    let mut s = Session::new(cfg());
    let mut out = Vec::new();
    s.start(secs(0));
    s.on_connected(secs(0), Dir::Incoming, &mut out);
    let mut b = Vec::new();
    Notification::new(
        code::OPEN_MESSAGE,
        open_error::UNSUPPORTED_OPTIONAL_PARAMETER,
        vec![],
    )
    .encode(&mut b);
    s.on_message(secs(0), Dir::Incoming, &b, &mut out);
    s.on_timer(s.next_deadline().unwrap(), &mut out);
    out.clear();
    s.on_connected(secs(100), Dir::Incoming, &mut out);
    let Message::Open(o) = &sent(&out, Dir::Incoming)[0] else {
        panic!()
    };
    assert_eq!(o.capabilities().count(), 0);
}

#[test]
fn send_hold_timer_closes_a_peer_that_stops_reading_rfc9687() {
    let mut s = established(cfg(), Dir::Outgoing, 240, vec![]);
    let mut out = Vec::new();
    s.on_write_blocked(secs(10), Dir::Outgoing, true);
    s.on_message(secs(400), Dir::Outgoing, &keepalive(), &mut out);
    s.on_timer(secs(489), &mut out);
    assert!(down(&out).is_none());
    s.on_timer(secs(490), &mut out);
    assert!(
        matches!(down(&out), Some(DownReason::Sent(n)) if n.code == code::SEND_HOLD_TIMER_EXPIRED)
    );
    // Progress stops the timer.
    let mut s = established(cfg(), Dir::Outgoing, 240, vec![]);
    s.on_write_blocked(secs(10), Dir::Outgoing, true);
    s.on_write_blocked(secs(20), Dir::Outgoing, false);
    let mut out = Vec::new();
    s.on_message(secs(400), Dir::Outgoing, &keepalive(), &mut out);
    s.on_timer(secs(500), &mut out);
    assert!(down(&out).is_none());
}

#[test]
fn manual_stop_sends_cease_and_stays_down() {
    let mut s = established(cfg(), Dir::Incoming, 90, vec![]);
    let mut out = Vec::new();
    s.stop(
        secs(9),
        Notification::cease_with_message(cease::ADMINISTRATIVE_SHUTDOWN, ""),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::CEASE, cease::ADMINISTRATIVE_SHUTDOWN))
    );
    assert!(matches!(down(&out), Some(DownReason::Stopped(_))));
    assert_eq!(s.state(), State::Idle);
    assert!(!s.accepts_incoming());
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn reset_after_max_prefix_sends_cease_1_and_backs_off() {
    let mut s = established(cfg(), Dir::Incoming, 90, vec![]);
    let mut out = Vec::new();
    s.reset(
        secs(9),
        Notification::new(code::CEASE, cease::MAX_PREFIXES, vec![]),
        &mut out,
    );
    assert_eq!(
        notification(&out, Dir::Incoming),
        Some((code::CEASE, cease::MAX_PREFIXES))
    );
    assert_eq!(s.next_deadline(), Some(secs(69)));
}
