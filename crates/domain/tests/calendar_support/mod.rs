//! The harness of the calendar scenarios: a school with two classes and a course that
//! mixes them, a person of every account type and the three function accounts, on a test
//! database; and a second school for what must never cross.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, HashParams, Platform};

pub const PW: &str = "ein-gutes-passwort";

pub struct School {
    pub platform: Platform,
    pub number: &'static str,
}

/// Logins, account types (or function roles) and groups of the test school.
const PEOPLE: &[(&str, &str, &str, &[&str])] = &[
    ("lehrer", "Lena", "lehrer", &["5a", "Mathe-Kurs"]),
    ("lehrer2", "Lars", "lehrer", &["5b"]),
    ("personal", "Paul", "personal", &["5a"]),
    ("extern", "Eva", "extern", &["5a"]),
    ("anna", "Anna", "schueler", &["5a", "Mathe-Kurs"]),
    ("ben", "Ben", "schueler", &["5a"]),
    ("carla", "Carla", "schueler", &["5b", "Mathe-Kurs"]),
];

pub async fn school_on(platform: Platform, number: &'static str) -> School {
    platform
        .system_create_school(number, "Testschule")
        .await
        .expect("school");
    let s = School { platform, number };
    let admin = s.admin().await;
    for (g, kind) in [("5a", "klasse"), ("5b", "klasse"), ("Mathe-Kurs", "kurs")] {
        s.platform
            .create_group(&admin, g, kind, g)
            .await
            .expect("group");
    }
    for (login, first, kind, groups) in PEOPLE {
        s.platform
            .create_user(&admin, new_user(login, first, Some(kind), None, groups))
            .await
            .expect("user");
    }
    for role in ["schulleitung", "sekretariat"] {
        s.platform
            .create_user(&admin, new_user(role, role, None, Some(role), &[]))
            .await
            .expect("function account");
    }
    s
}

fn new_user(
    login: &str,
    first: &str,
    kind: Option<&str>,
    role: Option<&str>,
    groups: &[&str],
) -> NewUser {
    NewUser {
        first_name: first.into(),
        last_name: "Test".into(),
        account_type: kind.map(str::to_owned),
        function_role: role.map(str::to_owned),
        login: Some(login.into()),
        password: Some(PW.into()),
        external_mail: Some(format!("{login}@privat.example")),
        holder: role.map(|_| "lehrer".to_owned()),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

pub fn platform(db: Db) -> Platform {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    Platform::new(db, clock, config)
}

pub async fn school(db: Db) -> School {
    school_on(platform(db), "123456").await
}

impl School {
    pub async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(self.number, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.as_("admin", "admin-passwort-1").await
    }

    pub async fn user(&self, login: &str) -> Actor {
        self.as_(login, PW).await
    }

    pub async fn as_(&self, login: &str, password: &str) -> Actor {
        let s = self
            .platform
            .login(self.number, login, password, "127.0.0.1")
            .await
            .expect("login");
        self.platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor
    }
}

/// One VCALENDAR with one VEVENT (times local to Europe/Berlin); `extra` adds lines.
pub fn event(uid: &str, summary: &str, start: &str, end: &str, extra: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof Test//DE\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:{start}\r\nDTEND;TZID=Europe/Berlin:{end}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    .into_bytes()
}

/// A UTC time.
pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("time")
}

/// The range [from, to).
pub fn range(
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
) -> schulhof_domain::calendar::TimeRange {
    schulhof_domain::calendar::TimeRange {
        start: from,
        end: to,
    }
}
