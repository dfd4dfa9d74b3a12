//! News on SQLite and PostgreSQL: the audience × account type matrix, authors and news
//! admins, the Sekretariat, bad input that stores nothing, isolation between schools,
//! scheduled items with their one-time notifications, and the public feeds' cache.

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::news::{AudienceInput, NewsInput, NewsState};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::AccountType;

fn clocked(db: Db) -> (Platform, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(utc(2026, 11, 2, 8, 0)));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    (Platform::new(db, clock.clone(), config), clock)
}

fn input(title: &str, audience: AudienceInput) -> NewsInput {
    NewsInput {
        title: title.into(),
        body: format!("<p>{title}</p>"),
        from: None,
        until: None,
        audience,
        publish: true,
    }
}

fn restricted(
    groups: Vec<schulhof_types::GroupId>,
    logins: &[&str],
    types: &[AccountType],
) -> AudienceInput {
    AudienceInput::Restricted {
        groups,
        logins: logins.iter().map(|l| (*l).to_owned()).collect(),
        account_types: types.to_vec(),
    }
}

fn local(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, 0, 0))
        .expect("time")
}

async fn titles(p: &Platform, a: &Actor) -> Vec<String> {
    let mut t: Vec<String> = p
        .news_list(a)
        .await
        .expect("list")
        .into_iter()
        .map(|n| n.title)
        .collect();
    t.sort();
    t
}

async fn notified(p: &Platform, a: &Actor) -> usize {
    let mut c = p.db().read().await.expect("db");
    schulhof_store::notify::of_user(&mut c, a.token.instance(), a.token.user(), 500)
        .await
        .expect("notifications")
        .into_iter()
        .filter(|n| n.kind == "news_published")
        .count()
}

async fn audience_decides_who_reads(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let sek = s.user("sekretariat").await;
    let lehrer = s.user("lehrer").await;
    let class5a = lehrer
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let items = [
        ("A-public", AudienceInput::Public),
        ("B-class-5a", restricted(vec![class5a], &[], &[])),
        ("C-person-carla", restricted(vec![], &["carla"], &[])),
        (
            "D-teachers",
            restricted(vec![], &[], &[AccountType::Lehrer]),
        ),
        ("E-extern", restricted(vec![], &[], &[AccountType::Extern])),
        ("F-staff", restricted(vec![], &[], &[AccountType::Personal])),
    ];
    let mut ids = Vec::new();
    for (t, a) in items {
        ids.push(p.news_create(&sek, input(t, a)).await.expect("create"));
    }
    // Readers: groups from the harness (lehrer, personal, extern, anna in 5a; lehrer2 and
    // carla in 5b) and the function accounts.
    let expect: &[(&str, &[&str])] = &[
        ("lehrer", &["A-public", "B-class-5a", "D-teachers"]),
        ("lehrer2", &["A-public", "D-teachers"]),
        ("personal", &["A-public", "B-class-5a", "F-staff"]),
        ("extern", &["A-public", "B-class-5a", "E-extern"]),
        ("anna", &["A-public", "B-class-5a"]),
        ("carla", &["A-public", "C-person-carla"]),
        ("sekretariat", &["A-public"]),
        ("schulleitung", &["A-public"]),
    ];
    for (login, want) in expect {
        let a = s.user(login).await;
        assert_eq!(titles(p, &a).await, *want, "{login}");
        // Every item not listed is hidden: 404, not 403.
        for (id, (t, _)) in ids.iter().zip(
            [
                "A-public",
                "B-class-5a",
                "C-person-carla",
                "D-teachers",
                "E-extern",
                "F-staff",
            ]
            .iter()
            .map(|t| (t, ())),
        ) {
            let r = p.news_item(&a, *id).await;
            if want.contains(t) {
                assert!(r.is_ok(), "{login} reads {t}");
            } else if *login == "sekretariat" {
                // Its own items: the author reads them through the editor.
                assert!(r.is_ok(), "the author opens {t}");
            } else {
                assert!(
                    matches!(r, Err(DomainError::NotFound)),
                    "{login} must not see {t}"
                );
            }
        }
    }
    let admin = s.admin().await;
    assert_eq!(titles(p, &admin).await, ["A-public"]);
    // Notifications went to the audience at once, one per person, not to the author.
    assert_eq!(notified(p, &s.user("lehrer").await).await, 3);
    assert_eq!(notified(p, &s.user("carla").await).await, 2);
    assert_eq!(notified(p, &sek).await, 0);
}

async fn authors_own_admins_everyone(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let lehrer = s.user("lehrer").await;
    assert!(matches!(
        p.news_create(&lehrer, input("x", AudienceInput::Public))
            .await,
        Err(DomainError::Forbidden)
    ));
    p.set_user_right(&admin, "lehrer", "news.author", true)
        .await
        .expect("grant");
    p.set_user_right(&admin, "lehrer2", "news.author", true)
        .await
        .expect("grant");
    p.set_user_right(&admin, "personal", "news.admin", true)
        .await
        .expect("grant");
    // news.admin can never go to a student.
    assert!(
        p.set_user_right(&admin, "anna", "news.admin", true)
            .await
            .is_err()
    );
    let lehrer = s.user("lehrer").await;
    let lehrer2 = s.user("lehrer2").await;
    let chief = s.user("personal").await;
    let mine = p
        .news_create(&lehrer, input("Mein Text", AudienceInput::Public))
        .await
        .expect("create");
    let draft = NewsInput {
        publish: false,
        ..input("Entwurf", AudienceInput::Public)
    };
    let d = p.news_create(&lehrer, draft.clone()).await.expect("draft");
    // A draft is nobody's news but its author's (and the news admin's).
    assert!(matches!(
        p.news_item(&s.user("anna").await, d).await,
        Err(DomainError::NotFound)
    ));
    assert_eq!(
        p.news_item(&lehrer, d).await.expect("own draft").state,
        NewsState::Draft
    );
    let written: Vec<String> = p
        .news_written(&lehrer)
        .await
        .expect("written")
        .into_iter()
        .map(|n| n.title)
        .collect();
    assert!(written.contains(&"Entwurf".to_owned()));
    // Another author may read the public item but not change or delete it.
    assert!(matches!(
        p.news_update(&lehrer2, mine, input("fremd", AudienceInput::Public))
            .await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        p.news_delete(&lehrer2, mine).await,
        Err(DomainError::Forbidden)
    ));
    // ...and a draft of someone else stays hidden.
    assert!(matches!(
        p.news_delete(&lehrer2, d).await,
        Err(DomainError::NotFound)
    ));
    // The news admin edits, publishes and deletes anyone's.
    assert_eq!(p.news_written(&chief).await.expect("all").len(), 2);
    p.news_update(&chief, d, input("Veröffentlicht", AudienceInput::Public))
        .await
        .expect("admin publishes");
    assert_eq!(
        p.news_item(&s.user("anna").await, d)
            .await
            .expect("now visible")
            .title,
        "Veröffentlicht"
    );
    p.news_delete(&chief, mine).await.expect("admin deletes");
    assert!(matches!(
        p.news_item(&lehrer, mine).await,
        Err(DomainError::NotFound)
    ));
    // The author deletes the own.
    p.news_delete(&lehrer, d).await.expect("own delete");
    // The admin function account writes no news.
    assert!(matches!(
        p.news_create(&admin, input("x", AudienceInput::Public))
            .await,
        Err(DomainError::Forbidden)
    ));
}

async fn bad_input_stores_nothing(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let sek = s.user("sekretariat").await;
    let before = p.news_written(&sek).await.expect("list").len();
    let backwards = NewsInput {
        from: Some(local(2026, 12, 10, 8)),
        until: Some(local(2026, 12, 1, 8)),
        ..input("Rückwärts", AudienceInput::Public)
    };
    match p.news_create(&sek, backwards).await {
        Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "until"),
        other => panic!("period ending before it starts: {other:?}"),
    }
    let nobody = input("Niemand", restricted(vec![], &[], &[]));
    assert!(matches!(
        p.news_create(&sek, nobody).await,
        Err(DomainError::Invalid { .. })
    ));
    let ghost = input("Geist", restricted(vec![], &["gibt-es-nicht"], &[]));
    assert!(matches!(
        p.news_create(&sek, ghost).await,
        Err(DomainError::Invalid {
            field: "logins",
            ..
        })
    ));
    assert!(matches!(
        p.news_create(&sek, input("  ", AudienceInput::Public))
            .await,
        Err(DomainError::Invalid { field: "title", .. })
    ));
    assert_eq!(
        p.news_written(&sek).await.expect("list").len(),
        before,
        "nothing stored"
    );
    // Script in the body is stripped on the way in.
    let evil = NewsInput {
        body: r#"<p onclick="steal()">Hallo<script>alert(1)</script><a href="javascript:x()">Link</a></p>"#.into(),
        ..input("Skript", AudienceInput::Public)
    };
    let id = p.news_create(&sek, evil).await.expect("stored clean");
    let item = p.news_item(&s.user("anna").await, id).await.expect("read");
    assert!(item.body.contains("Hallo"));
    for bad in ["script", "onclick", "javascript", "alert"] {
        assert!(!item.body.contains(bad), "{bad} in {}", item.body);
    }
    // An oversized picture is refused and nothing counts against the quota.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(6 * 1024 * 1024, 0);
    match p.news_add_file(&sek, id, "riesig.png", &png).await {
        Err(DomainError::Invalid {
            field: "file",
            message,
        }) => assert!(message.contains("5 MB")),
        other => panic!("oversized picture: {:?}", other.map(|f| f.name)),
    }
    assert!(
        p.news_files(Some(&sek), s.number, id)
            .await
            .expect("files")
            .is_empty()
    );
    let mut small = b"\x89PNG\r\n\x1a\n".to_vec();
    small.extend_from_slice(&[1, 2, 3]);
    let f = p
        .news_add_file(&sek, id, "klein.png", &small)
        .await
        .expect("small picture");
    assert!(f.image);
    // A public item's picture is readable without login; the usage of the school grew.
    let content = p
        .news_file_content(None, s.number, f.id)
        .await
        .expect("public picture");
    assert_eq!(content.size, small.len() as u64);
    assert!(p.file_usage(&sek).await.expect("usage").school_used >= small.len() as u64);
}

async fn schools_stay_apart(db: Db) {
    let (platform, _) = clocked(db);
    let a = school_on(platform.clone(), "111111").await;
    let b = school_on(platform, "222222").await;
    let p = &a.platform;
    let sek_b = b.user("sekretariat").await;
    let id_b = p
        .news_create(&sek_b, input("Nur B", AudienceInput::Public))
        .await
        .expect("b");
    p.news_create(
        &a.user("sekretariat").await,
        input("Nur A", AudienceInput::Public),
    )
    .await
    .expect("a");
    let lehrer_a = a.user("lehrer").await;
    assert_eq!(titles(p, &lehrer_a).await, ["Nur A"]);
    assert!(matches!(
        p.news_item(&lehrer_a, id_b).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.news_update(
            &a.user("sekretariat").await,
            id_b,
            input("x", AudienceInput::Public)
        )
        .await,
        Err(DomainError::NotFound)
    ));
    let public_a: Vec<String> = p
        .public_news("111111", 10)
        .await
        .expect("a")
        .into_iter()
        .map(|n| n.title)
        .collect();
    assert_eq!(public_a, ["Nur A"]);
    assert!(matches!(
        p.public_news_item("111111", id_b).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.public_news_item("222222", id_b).await.is_ok());
    let feed = p
        .news_feed("111111", "https://schule.example")
        .await
        .expect("feed");
    let rss = String::from_utf8_lossy(&feed.rss.body).into_owned();
    assert!(rss.contains("Nur A") && !rss.contains("Nur B"));
    // A group of school B is no audience for school A.
    let g_b = b.user("lehrer").await.groups[0].id;
    let r = p
        .news_create(
            &a.user("sekretariat").await,
            input("x", restricted(vec![g_b], &[], &[])),
        )
        .await;
    assert!(matches!(
        r,
        Err(DomainError::Invalid {
            field: "groups",
            ..
        })
    ));
    assert!(matches!(
        p.public_news("999999", 10).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.public_news("../etc", 10).await,
        Err(DomainError::NotFound)
    ));
}

async fn scheduled_items_appear_and_notify_once(db: Db) {
    let (platform, clock) = clocked(db);
    let s = school_on(platform, "123456").await;
    let p = &s.platform;
    let sek = s.user("sekretariat").await;
    // Now is 2026-11-02 09:00 in Berlin; the item starts the next day at 08:00.
    let later = NewsInput {
        from: Some(local(2026, 11, 3, 8)),
        until: Some(local(2026, 11, 10, 8)),
        ..input("Geplant", AudienceInput::Public)
    };
    let id = p.news_create(&sek, later).await.expect("scheduled");
    let anna = s.user("anna").await;
    assert!(titles(p, &anna).await.is_empty());
    assert!(matches!(
        p.news_item(&anna, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        p.public_news(s.number, 10)
            .await
            .expect("public")
            .is_empty()
    );
    let feed = p.news_feed(s.number, "http://x").await.expect("feed");
    assert!(!String::from_utf8_lossy(&feed.atom.body).contains("Geplant"));
    assert_eq!(p.publish_due_news().await.expect("sweep"), 0);
    assert_eq!(notified(p, &anna).await, 0);
    clock.advance(Duration::days(1));
    let anna = s.user("anna").await;
    assert_eq!(titles(p, &anna).await, ["Geplant"]);
    // The cached feed expired when the item's period began.
    let feed = p.news_feed(s.number, "http://x").await.expect("feed");
    assert!(String::from_utf8_lossy(&feed.atom.body).contains("Geplant"));
    // Two sweeps (two nodes) notify once.
    let (a, b) = tokio::join!(p.publish_due_news(), p.publish_due_news());
    assert_eq!(a.expect("a") + b.expect("b"), 1);
    assert_eq!(p.publish_due_news().await.expect("again"), 0);
    assert_eq!(notified(p, &anna).await, 1);
    // Reading it clears the unread mark.
    assert_eq!(p.news_unread(&anna, 5).await.expect("unread").0, 1);
    p.news_item(&anna, id).await.expect("read");
    assert_eq!(p.news_unread(&anna, 5).await.expect("unread").0, 0);
    // After its period it is gone again.
    clock.advance(Duration::days(8));
    assert!(titles(p, &s.user("anna").await).await.is_empty());
}

async fn feeds_are_cached_until_a_change(db: Db) {
    let (platform, _) = clocked(db);
    let s = school_on(platform, "123456").await;
    let p = &s.platform;
    let sek = s.user("sekretariat").await;
    p.news_create(&sek, input("Erste", AudienceInput::Public))
        .await
        .expect("one");
    // On PostgreSQL the change also arrives through LISTEN, a moment after the commit.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let builds = p.news_feed_builds();
    let f1 = p
        .news_feed(s.number, "https://s.example")
        .await
        .expect("feed");
    for _ in 0..20 {
        let again = p
            .news_feed(s.number, "https://s.example")
            .await
            .expect("feed");
        assert_eq!(again.rss.etag, f1.rss.etag);
    }
    assert_eq!(
        p.news_feed_builds(),
        builds + 1,
        "repeat requests stay in memory"
    );
    // A restricted item changes nothing public.
    p.news_create(
        &sek,
        input("Intern", restricted(vec![], &[], &[AccountType::Lehrer])),
    )
    .await
    .expect("two");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        p.news_feed(s.number, "https://s.example")
            .await
            .expect("feed")
            .rss
            .etag,
        f1.rss.etag
    );
    // A public one drops the copy at once.
    p.news_create(&sek, input("Zweite", AudienceInput::Public))
        .await
        .expect("three");
    let f2 = p
        .news_feed(s.number, "https://s.example")
        .await
        .expect("feed");
    assert_ne!(f2.rss.etag, f1.rss.etag);
    assert!(f2.stamp > f1.stamp);
    let json = String::from_utf8_lossy(&f2.json.body).into_owned();
    assert!(json.contains("Zweite") && !json.contains("Intern"));
    assert!(json.contains("https://s.example/schule/123456/neuigkeiten/"));
    // A public event of the school calendar joins the feeds.
    let cal = p
        .calendars(&sek)
        .await
        .expect("calendars")
        .into_iter()
        .find(|c| c.kind == schulhof_domain::calendar::CalendarKind::School)
        .expect("school calendar");
    let ev = event(
        "fest",
        "Schulfest",
        "20261205T100000",
        "20261205T140000",
        "X-SCHULHOF-PUBLIC:TRUE\r\n",
    );
    p.calendar_put(
        &sek,
        cal.id,
        "fest.ics",
        &ev,
        schulhof_domain::calendar::Precondition::None,
    )
    .await
    .expect("event");
    let f3 = p
        .news_feed(s.number, "https://s.example")
        .await
        .expect("feed");
    let atom = String::from_utf8_lossy(&f3.atom.body).into_owned();
    assert!(atom.contains("Schulfest"), "{atom}");
    let events = p
        .public_events(
            s.number,
            Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
            10,
        )
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].title, "Schulfest");
}

async fn demo_school_has_its_news(db: Db) {
    let (platform, _) = clocked(db);
    platform.system_seed_demo().await.expect("demo");
    platform.system_seed_demo_files().await.expect("demo files");
    let public = platform.public_news("100000", 10).await.expect("public");
    assert_eq!(public.len(), 2);
    let feed = platform
        .news_feed("100000", "http://127.0.0.1:8080")
        .await
        .expect("feed");
    assert!(!String::from_utf8_lossy(&feed.rss.body).contains("Lehrerkonferenz"));
}

backend_tests!(
    audience_decides_who_reads,
    authors_own_admins_everyone,
    bad_input_stores_nothing,
    schools_stay_apart,
    scheduled_items_appear_and_notify_once,
    feeds_are_cached_until_a_change,
    demo_school_has_its_news,
);
