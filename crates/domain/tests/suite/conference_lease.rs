//! Presence leases of conferences, on SQLite and PostgreSQL (issue 16, several nodes): a
//! member's and a guest's presence lasts only while its connection renews the lease; once
//! it ran out (the connection's node died) readers show them gone at once and a sweep puts
//! them out, once, and signals the room to every node. A renewed lease keeps them in; a
//! presence taken over by a newer join is not renewed.

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::chat::RoomId;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::conference::{ConferenceSignal, DEFAULT_LEASE, MediaHost, presence_lease};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_store::backend_tests;

async fn room_named(s: &School, a: &Actor, name: &str) -> RoomId {
    s.platform
        .chat_rooms(a)
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.name == name)
        .expect("room")
        .id
}

async fn present(p: &Platform, viewer: &Actor, room: RoomId, name: &str) -> bool {
    let live = p
        .conference_status(viewer, room)
        .await
        .expect("status")
        .live
        .expect("live");
    live.participants
        .iter()
        .any(|x| x.name == name && x.present)
}

async fn a_presence_ends_when_its_lease_runs_out(db: Db) {
    // No other test of this binary changes the process's lease.
    assert_eq!(presence_lease(), DEFAULT_LEASE);
    let lease = Duration::from_std(DEFAULT_LEASE).expect("lease");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let s = school_on(Platform::new(db, clock.clone(), config), "123456").await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let room = room_named(&s, &lehrer, "5a").await;
    let host = MediaHost {
        node: "node-a".into(),
        media_addr: "127.0.0.1:40000".into(),
    };
    let t = p
        .conference_start(&lehrer, room, &host)
        .await
        .expect("start");
    let a = p.conference_join(&anna, room).await.expect("join");
    let link = p
        .conference_guest_link(&lehrer, room, Duration::hours(2))
        .await
        .expect("link");
    let guest = p
        .conference_guest_arrive(&link.secret, "Frau Meier")
        .await
        .expect("arrive");
    p.conference_admit(&lehrer, room, guest.id, true)
        .await
        .expect("admit");
    let g = p
        .conference_guest_join(&guest.pass)
        .await
        .expect("guest join");
    assert!(present(p, &lehrer, room, "Anna Test").await);
    assert!(present(p, &lehrer, room, "Frau Meier").await);

    // Nothing ran out yet: a sweep puts no one out.
    assert!(p.conference_sweep().await.expect("sweep").is_empty());

    // The teacher's and the guest's connections renew; Anna's node died and does not.
    clock.advance(lease - Duration::seconds(1));
    assert!(
        p.conference_renew(&lehrer, t.presence)
            .await
            .expect("renew")
    );
    assert!(
        p.conference_guest_renew(&guest.pass, g.presence)
            .await
            .expect("renew")
    );
    clock.advance(Duration::seconds(2));
    // Run out: readers show her gone before any sweep, her own renewal comes too late.
    assert!(!present(p, &lehrer, room, "Anna Test").await);
    assert!(present(p, &lehrer, room, "Lena Test").await);
    assert!(!p.conference_renew(&anna, a.presence).await.expect("renew"));
    let mut signals = p.conference_signals();
    let swept = p.conference_sweep().await.expect("sweep");
    let gone: Vec<_> = swept.iter().map(|x| x.3).collect();
    assert_eq!(gone, [anna.token.user().0], "only Anna is put out");
    assert_eq!(
        signals.try_recv().expect("a signal"),
        ConferenceSignal::Room {
            instance: lehrer.token.instance(),
            room
        }
    );
    // Once: a second sweep (another node) finds nobody.
    assert!(p.conference_sweep().await.expect("sweep").is_empty());
    assert!(present(p, &lehrer, room, "Frau Meier").await);

    // The guest's node dies too: put out by the sweep, gone from the list.
    clock.advance(lease + Duration::seconds(1));
    let swept = p.conference_sweep().await.expect("sweep");
    let gone: Vec<_> = swept.iter().map(|x| x.3).collect();
    assert!(gone.contains(&guest.id), "{gone:?}");
    assert!(!present(p, &lehrer, room, "Frau Meier").await);

    // Anna joins again; a newer join (a reconnected page) takes over: the old one's
    // connection cannot renew it any more, the new one can.
    let a1 = p.conference_join(&anna, room).await.expect("join");
    let a2 = p.conference_join(&anna, room).await.expect("join again");
    assert!(!p.conference_renew(&anna, a1.presence).await.expect("renew"));
    assert!(p.conference_renew(&anna, a2.presence).await.expect("renew"));
    assert!(present(p, &lehrer, room, "Anna Test").await);
}

/// The host node holds a lease on its conference (renewed by its heartbeat); once it ran
/// out, another node takes the media over, in one conditional update: of two nodes trying
/// at once exactly one wins, every node is told, and the dead node's late heartbeat
/// changes nothing.
async fn a_dead_hosts_conference_is_taken_over_once(db: Db) {
    let lease = Duration::from_std(presence_lease()).expect("lease");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let s = school_on(Platform::new(db, clock.clone(), config), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let instance = lehrer.token.instance();
    let room = room_named(&s, &lehrer, "5a").await;
    let host = |node: &str, port: u16| MediaHost {
        node: node.into(),
        media_addr: format!("127.0.0.1:{port}"),
    };
    let (a, b, c) = (
        host("node-a", 40000),
        host("node-b", 40001),
        host("node-c", 40002),
    );
    let conf = p
        .conference_start(&lehrer, room, &a)
        .await
        .expect("start")
        .id;
    let node = |p: &Platform| {
        let (p, lehrer) = (p.clone(), lehrer.clone());
        async move {
            let live = p.conference_status(&lehrer, room).await.expect("status");
            let live = live.live.expect("live");
            (live.node, live.media_addr)
        }
    };

    // A lives and renews: nobody takes over, before or after a renewal.
    clock.advance(lease - Duration::seconds(1));
    assert!(
        !p.conference_take_over(instance, conf, "node-a", &b)
            .await
            .expect("try")
    );
    assert_eq!(p.conference_host_renew("node-a").await.expect("renew"), 1);
    clock.advance(lease - Duration::seconds(1));
    assert!(
        !p.conference_take_over(instance, conf, "node-a", &b)
            .await
            .expect("try")
    );
    // Naming the wrong host changes nothing either.
    clock.advance(Duration::seconds(2));
    assert!(
        !p.conference_take_over(instance, conf, "node-x", &b)
            .await
            .expect("try")
    );
    assert_eq!(node(p).await.0, "node-a");

    // A died (its lease ran out): B and C try at once, exactly one wins.
    let mut signals = p.conference_signals();
    let (wb, wc) = tokio::join!(
        p.conference_take_over(instance, conf, "node-a", &b),
        p.conference_take_over(instance, conf, "node-a", &c),
    );
    let (wb, wc) = (wb.expect("b"), wc.expect("c"));
    assert!(wb ^ wc, "exactly one wins: b {wb}, c {wc}");
    let winner = if wb { &b } else { &c };
    assert_eq!(
        node(p).await,
        (winner.node.clone(), winner.media_addr.clone())
    );
    assert_eq!(
        signals.try_recv().expect("a signal"),
        ConferenceSignal::Room { instance, room }
    );
    assert!(signals.try_recv().is_err(), "one signal only");
    // Once: a later try finds the new host alive; A's late heartbeat renews nothing.
    assert!(
        !p.conference_take_over(instance, conf, "node-a", &b)
            .await
            .expect("try")
    );
    assert_eq!(p.conference_host_renew("node-a").await.expect("renew"), 0);
    assert!(
        !p.conference_take_over(instance, conf, &winner.node, &a)
            .await
            .expect("try")
    );
    // The new host renews; without, it may be taken over in turn.
    clock.advance(lease - Duration::seconds(1));
    assert_eq!(
        p.conference_host_renew(&winner.node).await.expect("renew"),
        1
    );
    clock.advance(lease + Duration::seconds(1));
    assert!(
        p.conference_take_over(instance, conf, &winner.node, &a)
            .await
            .expect("try")
    );
    assert_eq!(node(p).await.0, "node-a");
}

backend_tests!(
    a_presence_ends_when_its_lease_runs_out,
    a_dead_hosts_conference_is_taken_over_once
);
