//! Hand-in folders through the pages, without JavaScript: the teacher creates one in one
//! form, two students hand in files of the same name, the teacher sees both names and who
//! is missing, a hand-in after the deadline (the clock moved by hand) is marked late, and
//! whoever is not in the group, or in another school, finds nothing.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use schulhof_domain::Platform;
use schulhof_domain::clock::{Clock, ManualClock};
use schulhof_store::testing::TestDb;

use super::files::{area, upload};
use super::*;

#[tokio::test]
async fn hand_ins_on_sqlite() {
    let (app, clock) = app_with_clock(TestDb::sqlite().await).await;
    two_students_hand_in_the_same_name_and_the_teacher_sees_who_is_missing(app, clock).await;
}

#[tokio::test]
async fn hand_ins_on_postgres() {
    let (app, clock) = app_with_clock(TestDb::postgres().await).await;
    two_students_hand_in_the_same_name_and_the_teacher_sees_who_is_missing(app, clock).await;
}

/// The demo school on a clock the test moves; sessions outlast the moves.
async fn app_with_clock(db: TestDb) -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let config = schulhof_domain::Config {
        session_idle: Duration::days(3),
        ..config()
    };
    let platform = Platform::new(db.db.clone(), clock.clone(), config);
    platform.system_seed_demo().await.expect("seed demo");
    (App::with_platform(platform, db), clock)
}

/// A student of 5a (or of no group) created by the admin, signed in and past the gates.
async fn student(app: &App, admin: &str, first: &str, last: &str, group: &str) -> String {
    app.post(
        "/verwaltung/benutzer/neu",
        admin,
        &[
            ("art", "schueler"),
            ("first_name", first),
            ("last_name", last),
            ("groups", group),
        ],
    )
    .await
    .assert(StatusCode::OK);
    let login = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
    app.platform
        .system_set_password("100000", &login, Some("ein-langes-passwort"))
        .await
        .expect("password");
    let cookie = app.login(&login, "ein-langes-passwort").await;
    app.post(
        "/zustimmung",
        &cookie,
        &[("antwort", "annehmen"), ("datenschutz", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    cookie
}

/// The value of the option labelled `label` in a page's select.
fn option_value(body: &str, label: &str) -> String {
    let end = body
        .find(&format!(">{label}</option>"))
        .unwrap_or_else(|| panic!("{label:?} not offered in:\n{body}"));
    let start = body[..end].rfind("value=\"").expect("value") + "value=\"".len();
    body[start..start + body[start..].find('"').expect("end")].to_owned()
}

/// The part of a page from the heading with `id` on.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in:\n{body}"));
    &body[at..]
}

/// Date and time in Berlin, as the form's inputs send them.
fn berlin(t: chrono::DateTime<Utc>) -> (String, String) {
    let local = t.with_timezone(&chrono_tz::Europe::Berlin);
    (
        local.format("%Y-%m-%d").to_string(),
        local.format("%H:%M").to_string(),
    )
}

async fn two_students_hand_in_the_same_name_and_the_teacher_sees_who_is_missing(
    app: App,
    clock: Arc<ManualClock>,
) {
    let admin = app.ready("admin").await;
    let ben = student(&app, &admin, "Ben", "Becker", "5a").await;
    let carla = student(&app, &admin, "Carla", "Clausen", "5a").await;
    let dora = student(&app, &admin, "Dora", "Dorn", "").await;
    let sophie = app.ready("schueler").await;
    let teacher = app.ready("lehrer").await;

    // One form from "Meine Gruppen", offered to whom the policy lets create one.
    app.get("/gruppen", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Abgabeordner für 5a anlegen");
    app.get("/gruppen", &sophie)
        .await
        .lacks("Abgabeordner für 5a anlegen");
    let form = app.get("/dateien/abgabeordner/neu", &teacher).await;
    form.assert(StatusCode::OK)
        .has(r#"<label for="handin-name">"#)
        .has("Eigene Dateien");
    let class = option_value(&form.body, "5a");
    let (day, _) = berlin(clock.now() + Duration::days(1));
    let r = app
        .post(
            "/dateien/abgabeordner/neu",
            &teacher,
            &[
                ("in", ""),
                ("gruppe", &class),
                ("name", "Aufsatz 5a"),
                ("datum", &day),
                ("uhrzeit", ""),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let overview = r
        .location()
        .trim_end_matches("?ok=handin_created")
        .to_owned();
    assert!(overview.ends_with("/abgaben"), "{overview}");
    let folder = overview.trim_end_matches("/abgaben").to_owned();
    let page = app.get(&overview, &teacher).await;
    page.assert(StatusCode::OK)
        .has("<h1>Aufsatz 5a</h1>")
        .has("Abgabeordner für 5a")
        .has("23:59")
        .has("0 von 3 haben abgegeben.");
    section(&page.body, "missing-h").has_all(&[
        "Ben Becker (ben.becker)",
        "Carla Clausen (carla.clausen)",
        "Sophie Schüler (schueler)",
    ]);
    // Students cannot create one.
    app.get("/dateien/abgabeordner/neu", &sophie)
        .await
        .assert(StatusCode::FORBIDDEN);
    // The folder page offers it where the domain lets the caller, not in a drop folder.
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let own_id = own.trim_start_matches("/dateien/");
    app.get(&own, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!(r#"href="/dateien/abgabeordner/neu?in={own_id}""#))
        .has("Abgabeordner hier anlegen");
    app.get(&folder, &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("Abgabeordner hier anlegen");
    let sophies = area(&app, &sophie, "Eigene Dateien").await;
    app.get(&sophies, &sophie)
        .await
        .assert(StatusCode::OK)
        .lacks("/dateien/abgabeordner/neu")
        .lacks("Abgabeordner hier anlegen");

    // Two students hand in a file of the same name.
    for (who, text) in [
        (&sophie, &b"Sophies Aufsatz"[..]),
        (&ben, &b"Bens Aufsatz"[..]),
    ] {
        let r = upload(&app, &overview, who, &[("Aufsatz.txt", text)]).await;
        r.assert(StatusCode::SEE_OTHER);
        assert_eq!(r.location(), format!("{overview}?ok=handin_done"));
    }
    // The folder page leads the student to their hand-ins and state.
    app.get(&folder, &sophie)
        .await
        .assert(StatusCode::OK)
        .has(&format!(r#"href="{overview}""#));
    let own = app.get(&overview, &sophie).await;
    own.assert(StatusCode::OK)
        .has("Meine Abgaben")
        .has("Aufsatz.txt")
        .has("Abgegeben – pünktlich.")
        .lacks("Ben Becker")
        .lacks("ben.becker")
        .lacks("Frist speichern");
    let page = app.get(&overview, &teacher).await;
    page.assert(StatusCode::OK)
        .has("2 von 3 haben abgegeben.")
        .has("<td data-label=\"Abgegeben von\">Sophie Schüler (schueler)</td>")
        .has("<td data-label=\"Abgegeben von\">Ben Becker (ben.becker)</td>");
    let missing = section(&page.body, "missing-h");
    missing.has_all(&["Carla Clausen (carla.clausen)"]);
    assert!(!missing.contains("Ben Becker"), "{missing}");
    // Each hand-in downloads as handed in.
    let mut contents = Vec::new();
    for (at, _) in page.body.match_indices("/herunterladen\"") {
        let start = page.body[..at].rfind("href=\"").expect("href") + "href=\"".len();
        let href = format!("{}/herunterladen", &page.body[start..at]);
        let r = app.get(&href, &teacher).await;
        r.assert(StatusCode::OK);
        contents.push(r.body);
    }
    contents.sort();
    assert_eq!(contents, ["Bens Aufsatz", "Sophies Aufsatz"]);

    // The deadline moves to within the hour; a hand-in after it is accepted and marked late.
    let (day, time) = berlin(clock.now() + Duration::hours(1));
    app.post(
        &format!("{overview}/frist"),
        &teacher,
        &[("datum", &day), ("uhrzeit", &time)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{overview}/frist"),
        &sophie,
        &[("datum", &day), ("uhrzeit", &time)],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    clock.advance(Duration::hours(2));
    upload(&app, &overview, &carla, &[("Aufsatz.txt", b"Carla, spaet")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&overview, &carla)
        .await
        .assert(StatusCode::OK)
        .has("abgelaufen")
        .has("als verspätet markiert");
    let page = app.get(&overview, &teacher).await;
    page.assert(StatusCode::OK)
        .has("3 von 3 haben abgegeben.")
        .has("Alle Schülerinnen und Schüler der Gruppe haben abgegeben.")
        .has(r#"<span class="badge badge-late">verspätet</span>"#)
        .has(r#"<span class="badge badge-ok">pünktlich</span>"#);

    // Not in the group, or another school: the folder does not exist for them.
    app.get(&overview, &dora)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&folder, &dora).await.assert(StatusCode::NOT_FOUND);
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let r = app
        .post(
            "/anmelden",
            "",
            &[
                ("schule", "200000"),
                ("login", "admin"),
                ("passwort", "admin-passwort-b"),
            ],
        )
        .await;
    let other = r.cookie(schulhof_front::SESSION_COOKIE).expect("cookie");
    app.post(
        "/zustimmung",
        &other,
        &[("antwort", "annehmen"), ("datenschutz", "ja")],
    )
    .await;
    app.get(&overview, &other)
        .await
        .assert(StatusCode::NOT_FOUND);
}

trait HasAll {
    fn has_all(&self, texts: &[&str]);
}

impl HasAll for &str {
    #[track_caller]
    fn has_all(&self, texts: &[&str]) {
        for t in texts {
            assert!(self.contains(t), "expected {t:?} in:\n{self}");
        }
    }
}
