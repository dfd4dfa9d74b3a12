//! Times through the router, on a hand-moved clock: a share link "valid until" a day works
//! until the end of that day in Berlin, times show in the school's zone in German format,
//! nothing says "UTC", and the admin changes the zone (an unknown one is refused, the change
//! is logged). Every scenario runs on SQLite and on PostgreSQL.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use schulhof_domain::Platform;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_store::testing::TestDb;

use super::links::between;
use super::*;

/// 3 December 2026, 13:00 in Berlin (winter time, UTC+1).
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

async fn app_at(db: TestDb) -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start()));
    let platform = Platform::new(db.db.clone(), clock.clone(), config());
    platform.system_seed_demo().await.expect("seed demo");
    (App::with_platform(platform, db), clock)
}

macro_rules! on_both_clocked {
    ($($scenario:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let (app, clock) = super::app_at(super::TestDb::sqlite().await).await;
                    super::$scenario(app, clock).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let (app, clock) = super::app_at(super::TestDb::postgres().await).await;
                    super::$scenario(app, clock).await;
                }
            )+
        }
    };
}

on_both_clocked!(
    a_link_valid_until_a_day_works_until_its_end_in_berlin,
    the_admin_sets_the_time_zone_and_times_follow_it,
);

/// The actor behind a page session cookie.
async fn actor_of(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

/// Uploads a text file into the own area of the cookie's login; returns its page.
async fn own_file(app: &App, cookie: &str, name: &str) -> String {
    let actor = actor_of(app, cookie).await;
    let own = app
        .platform
        .file_areas(&actor)
        .await
        .expect("areas")
        .into_iter()
        .find(|a| a.area == "own")
        .expect("own area");
    let own: Located = app.platform.locate(&actor, own.id).await.expect("own");
    let at = Placement { folder: &own, name };
    let e = app
        .platform
        .file_upload(&actor, at, Some("text/plain"), &b"Hallo"[..])
        .await
        .expect("upload");
    format!("/dateien/{}", e.id)
}

async fn a_link_valid_until_a_day_works_until_its_end_in_berlin(app: App, clock: Arc<ManualClock>) {
    let teacher = app.ready("lehrer").await;
    let file = own_file(&app, &teacher, "elternbrief.txt").await;
    // Today in Berlin is the earliest day the form offers.
    app.get(&file, &teacher)
        .await
        .has(r#"min="2026-12-03""#)
        .lacks("UTC");
    let r = app
        .post(
            &format!("{file}/links"),
            &teacher,
            &[
                ("modus", "read"),
                ("passwort", ""),
                ("ablauf", "2026-12-03"),
            ],
        )
        .await;
    r.assert(StatusCode::OK).has("03.12.2026").lacks("UTC");
    let link = between(&r.body, r#"id="link-url" class="link-url" value=""#, "\"").to_owned();
    // The list of links shows the creation in Berlin time: 13:00, not 12:00.
    app.get("/links", &teacher)
        .await
        .has("03.12.2026, 13:00")
        .has("03.12.2026")
        .lacks("UTC");
    app.get(&link, "").await.assert(StatusCode::OK);
    // 23:59:59 in Berlin is 22:59:59 UTC: still valid.
    clock.advance(Duration::hours(10) + Duration::minutes(59) + Duration::seconds(59));
    app.get(&link, "").await.assert(StatusCode::OK);
    // Midnight in Berlin: the day is over.
    clock.advance(Duration::seconds(1));
    app.get(&link, "").await.assert(StatusCode::NOT_FOUND);
}

async fn the_admin_sets_the_time_zone_and_times_follow_it(app: App, _clock: Arc<ManualClock>) {
    let admin = app.ready("admin").await;
    app.get("/verwaltung/schule", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Zeitzone der Schule")
        .has(r#"value="Europe/Berlin""#)
        // The list of zones offers "UTC" by name; the time shown is not labelled with it.
        .has("<strong>03.12.2026, 13:00</strong>");
    // An unknown zone is refused at its field, as typed.
    app.post(
        "/verwaltung/schule",
        &admin,
        &[("zeitzone", "Mars/Olympus")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("Diese Zeitzone ist unbekannt.")
    .has(r#"value="Mars/Olympus""#)
    .has(r#"aria-invalid="true""#);
    // Others may not see or change the settings.
    let teacher = app.ready("lehrer").await;
    let refused = app.get("/verwaltung/schule", &teacher).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let refused = app
        .post(
            "/verwaltung/schule",
            &teacher,
            &[("zeitzone", "Asia/Tokyo")],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);

    let r = app
        .post("/verwaltung/schule", &admin, &[("zeitzone", "Asia/Tokyo")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/verwaltung/schule?ok=school_saved");
    app.get("/verwaltung/schule?ok=school_saved", &admin)
        .await
        .has("Die Einstellungen der Schule sind gespeichert.")
        .has(r#"value="Asia/Tokyo""#)
        // 12:00 UTC is 21:00 in Tokyo.
        .has("03.12.2026, 21:00");
    // The change is logged.
    app.get("/verwaltung/protokoll", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Asia/Tokyo");
    // The teacher's pages follow at once (the zone comes with the session).
    let file = own_file(&app, &teacher, "plan.txt").await;
    app.post(
        &format!("{file}/links"),
        &teacher,
        &[("modus", "read"), ("passwort", ""), ("ablauf", "")],
    )
    .await
    .assert(StatusCode::OK);
    app.get("/links", &teacher).await.has("03.12.2026, 21:00");
}
