//! The chat tests' common set-up: the calendar tests' school (class 5a with Lena, Anna and
//! Ben; 5b with Carla; the Mathe-Kurs) on a clock the test moves, and finding a room.

#![allow(dead_code)]

use std::sync::Arc;

pub use crate::calendar_support::*;
use chrono::{TimeZone, Utc};
use schulhof_domain::chat::{RoomId, RoomView};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, HashParams, Platform};

/// The test school on a clock the test moves: Monday 2 November 2026, 09:00 in Berlin.
pub async fn setup(db: Db) -> (School, Arc<ManualClock>) {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("t");
    let clock = Arc::new(ManualClock::new(start));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let p = Platform::new(db, clock.clone(), config);
    (school_on(p, "123456").await, clock)
}

/// The room called `name` in the list of `a`.
pub async fn room_named(s: &School, a: &Actor, name: &str) -> RoomView {
    s.platform
        .chat_rooms(a)
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{} has no room {name}", a.user.login))
}

pub async fn room(s: &School, a: &Actor, name: &str) -> RoomId {
    room_named(s, a, name).await.id
}
