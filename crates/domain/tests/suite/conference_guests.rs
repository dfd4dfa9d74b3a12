//! Guests invited by link into a room's conference (the parents' evening), on SQLite and
//! PostgreSQL: moderators create time-limited links and admit or refuse who waits; pupils
//! and strangers may not; an expired link opens nothing; a guest's id alone tells nothing
//! without the link's secret; every step audited; nothing crosses rooms.

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::chat::RoomId;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::conference::{GuestState, MediaHost};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
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

async fn guests_wait_until_a_moderator_admits_them(db: Db) {
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
    let (admin, lehrer, lehrer2, anna) = (
        s.admin().await,
        s.user("lehrer").await,
        s.user("lehrer2").await,
        s.user("anna").await,
    );
    let room = room_named(&s, &lehrer, "5a").await;
    let other = room_named(&s, &lehrer, "Mathe-Kurs").await;
    // Pupils and teachers of other classes create no links; a link lives 14 days at most.
    let two_hours = Duration::hours(2);
    assert!(matches!(
        p.conference_guest_link(&anna, room, two_hours).await,
        Err(DomainError::Denied(_)) | Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        p.conference_guest_link(&lehrer2, room, two_hours).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.conference_guest_link(&lehrer, room, Duration::days(15))
            .await,
        Err(DomainError::Invalid { .. })
    ));
    let link = p
        .conference_guest_link(&lehrer, room, two_hours)
        .await
        .expect("link");
    assert!(link.secret.len() >= 40, "a long random secret");
    // A parent opens it: waits. A made-up secret and an empty name are refused.
    assert!(matches!(
        p.conference_guest_arrive("erfunden", "Frau Meier").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.conference_guest_arrive(&link.secret, "   ").await,
        Err(DomainError::Invalid { .. })
    ));
    let meier = p
        .conference_guest_arrive(&link.secret, "  Frau   Meier ")
        .await
        .expect("arrive");
    assert_eq!(
        (meier.name.as_str(), meier.state),
        ("Frau Meier", GuestState::Waiting)
    );
    let schulz = p
        .conference_guest_arrive(&link.secret, "Herr Schulz")
        .await
        .expect("arrive");
    // Moderators see who waits; pupils may not; another room's moderators see nothing.
    let waiting = p.conference_waiting(&lehrer, room).await.expect("waiting");
    let names: Vec<_> = waiting.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Frau Meier", "Herr Schulz"]);
    assert!(p.conference_waiting(&anna, room).await.is_err());
    assert!(
        p.conference_waiting(&lehrer, other)
            .await
            .expect("other room")
            .is_empty()
    );
    // A guest of this room cannot be admitted through another room.
    assert!(matches!(
        p.conference_admit(&lehrer, other, meier.id, true).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        p.conference_admit(&anna, room, meier.id, true)
            .await
            .is_err()
    );
    // The teacher starts the conference and admits Frau Meier, refuses Herr Schulz.
    let host = MediaHost {
        node: "node-a".into(),
        media_addr: "127.0.0.1:40000".into(),
    };
    p.conference_start(&lehrer, room, &host)
        .await
        .expect("start");
    p.conference_admit(&lehrer, room, meier.id, true)
        .await
        .expect("admit");
    p.conference_admit(&lehrer, room, schulz.id, false)
        .await
        .expect("refuse");
    assert!(matches!(
        p.conference_admit(&lehrer, room, schulz.id, true).await,
        Err(DomainError::Conflict { .. })
    ));
    let state = |id| p.conference_guest_state(&link.secret, id);
    assert_eq!(
        state(meier.id).await.expect("m").state,
        GuestState::Admitted
    );
    assert_eq!(
        state(schulz.id).await.expect("s").state,
        GuestState::Refused
    );
    // The id alone, with another link's secret, tells nothing.
    let second = p
        .conference_guest_link(&lehrer, room, two_hours)
        .await
        .expect("second");
    assert!(matches!(
        p.conference_guest_state(&second.secret, meier.id).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        p.conference_waiting(&lehrer, room)
            .await
            .expect("w")
            .is_empty()
    );
    // Frau Meier's pass opens the conference, Herr Schulz's not; a pupil revokes nothing.
    let joined = p.conference_guest_join(&meier.pass).await.expect("join");
    assert!(
        joined
            .participants
            .iter()
            .any(|x| x.guest && x.name == "Frau Meier")
    );
    assert!(matches!(
        p.conference_guest_join(&schulz.pass).await,
        Err(DomainError::Forbidden)
    ));
    assert!(
        p.conference_guest_revoke(&anna, room, link.id)
            .await
            .is_err()
    );
    let seen = p.conference_status(&lehrer, room).await.expect("s");
    let seen = seen.live.expect("live");
    assert!(
        seen.participants
            .iter()
            .any(|x| x.guest && x.name == "Frau Meier")
    );
    // After two hours the link opens nothing.
    clock.advance(Duration::hours(2) + Duration::minutes(1));
    assert!(matches!(
        p.conference_guest_at(&meier.pass).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.conference_guest_join(&meier.pass).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.conference_guest_arrive(&link.secret, "Spät").await,
        Err(DomainError::NotFound)
    ));
    let mut c = p.db().read().await.expect("db");
    let log = schulhof_store::audit::system_list_kind(&mut c, admin.token.instance(), "chat")
        .await
        .expect("audit");
    for action in [
        "conference.guest_link",
        "conference.admit_guest",
        "conference.refuse_guest",
    ] {
        assert!(log.iter().any(|l| l.action == action), "{action} audited");
    }
}

/// Who is present, as the room's teacher sees the live conference.
async fn guests_present(s: &School, a: &Actor, room: RoomId) -> Vec<String> {
    let status = s.platform.conference_status(a, room).await.expect("status");
    status
        .live
        .expect("live")
        .participants
        .into_iter()
        .filter(|x| x.guest && x.present)
        .map(|x| x.name)
        .collect()
}

/// A guest whose page reconnects joins on the new socket before the old socket's leave
/// is done (the old one closes in the background): that late leave must not put the
/// rejoined guest out, and the guest is listed once. Leaving on the current socket does.
async fn a_late_leave_does_not_drop_a_rejoined_guest(db: Db) {
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 17, 0, 0)
            .single()
            .expect("time"),
    ));
    let s = school_on(Platform::new(db, clock, config), "123456").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let room = room_named(&s, &lehrer, "5a").await;
    let link = p
        .conference_guest_link(&lehrer, room, Duration::hours(2))
        .await
        .expect("link");
    let meier = p
        .conference_guest_arrive(&link.secret, "Frau Meier")
        .await
        .expect("arrive");
    let host = MediaHost {
        node: "node-a".into(),
        media_addr: "127.0.0.1:40000".into(),
    };
    p.conference_start(&lehrer, room, &host)
        .await
        .expect("start");
    p.conference_admit(&lehrer, room, meier.id, true)
        .await
        .expect("admit");
    let old = p.conference_guest_join(&meier.pass).await.expect("join");
    let new = p.conference_guest_join(&meier.pass).await.expect("rejoin");
    assert_ne!(old.presence, new.presence, "each join is its own presence");
    assert_eq!(guests_present(&s, &lehrer, room).await, ["Frau Meier"]);
    // The old socket's leave arrives after the rejoin: nothing changes.
    let left = p
        .conference_guest_leave(&meier.pass, old.presence)
        .await
        .expect("late leave");
    assert!(!left, "a superseded presence leaves nothing");
    assert_eq!(guests_present(&s, &lehrer, room).await, ["Frau Meier"]);
    let status = p.conference_guest_status(&meier.pass).await.expect("own");
    assert!(status.mine().is_some_and(|m| m.present));
    // The current socket's leave does; a second one is a no-op.
    let left = p
        .conference_guest_leave(&meier.pass, new.presence)
        .await
        .expect("leave");
    assert!(left);
    assert!(guests_present(&s, &lehrer, room).await.is_empty());
    let again = p
        .conference_guest_leave(&meier.pass, new.presence)
        .await
        .expect("again");
    assert!(!again);
    // Leave first, then join (the other order of the same two signals): present.
    let third = p.conference_guest_join(&meier.pass).await.expect("join");
    p.conference_guest_leave(&meier.pass, old.presence)
        .await
        .expect("stale");
    assert_eq!(guests_present(&s, &lehrer, room).await, ["Frau Meier"]);
    assert!(third.participants.iter().filter(|x| x.guest).count() == 1);
}

backend_tests!(
    guests_wait_until_a_moderator_admits_them,
    a_late_leave_does_not_drop_a_rejoined_guest,
);
