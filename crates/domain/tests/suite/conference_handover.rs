//! A chat room's conference handed to BigBlueButton through the one policy, on SQLite and
//! PostgreSQL: the room's teacher opens the meeting and joins as moderator, a pupil joins as
//! viewer only once it runs, a stranger to the room gets 404 and nothing is created for them.

use crate::calendar_support;
#[allow(dead_code)] // shared with conference_external.rs, which reads more of it
use crate::fake_bbb;
use std::collections::HashMap;
use std::sync::Arc;

use calendar_support::*;
use chrono::{TimeZone, Utc};
use schulhof_domain::chat::RoomId;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::conference_external::{BbbConfig, ChecksumAlg, ConferenceProvider};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;

const SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

fn platform_with(db: Db, provider: ConferenceProvider) -> Platform {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        conference: provider,
        ..Config::default()
    };
    Platform::new(db, clock, config)
}

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

fn role_of(url: &url::Url) -> String {
    let q: HashMap<_, _> = url.query_pairs().into_owned().collect();
    q["role"].clone()
}

async fn teacher_opens_pupil_joins_stranger_404(db: Db) {
    let server = fake_bbb::start(SECRET).await;
    let cfg = BbbConfig::new(&server.base, SECRET, ChecksumAlg::Sha1).expect("cfg");
    let s = school_on(
        platform_with(db, ConferenceProvider::BigBlueButton(cfg)),
        "123456",
    )
    .await;
    let p = &s.platform;
    assert!(p.conference_is_external());
    let (lehrer, anna, carla) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("carla").await,
    );
    let room = room_named(&s, &lehrer, "5a").await;

    // Before the teacher opens it, a pupil of the class cannot open a teacher-less meeting.
    assert!(matches!(
        p.conference_external_enter(&anna, room).await,
        Err(DomainError::Conflict { .. })
    ));
    assert_eq!(server.create_calls(), 0);
    // Carla is not in 5a: the room is hidden, nothing is created.
    assert!(matches!(
        p.conference_external_enter(&carla, room).await,
        Err(DomainError::NotFound)
    ));
    assert_eq!(server.create_calls(), 0);

    let t = p
        .conference_external_enter(&lehrer, room)
        .await
        .expect("teacher");
    assert_eq!(role_of(&t), "MODERATOR");
    assert!(fake_bbb::checksum_ok("join", t.query().expect("q"), SECRET));
    assert_eq!(server.meetings().len(), 1);

    let a = p
        .conference_external_enter(&anna, room)
        .await
        .expect("pupil joins the running meeting");
    assert_eq!(role_of(&a), "VIEWER");
    let q: HashMap<_, _> = a.query_pairs().into_owned().collect();
    assert_eq!(
        q["fullName"], "Anna Test",
        "only the name as the platform shows it"
    );
    assert!(
        !a.as_str().contains("anna@"),
        "no mail address goes to the conference system"
    );

    // Another school's pupil with the room's id: 404.
    let other = school_on(
        platform_with(s.platform.db().clone(), ConferenceProvider::Builtin),
        "654321",
    )
    .await;
    let stranger = other.user("anna").await;
    assert!(matches!(
        s.platform.conference_external_enter(&stranger, room).await,
        Err(DomainError::NotFound)
    ));
}

backend_tests!(teacher_opens_pupil_joins_stranger_404);
