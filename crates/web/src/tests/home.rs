//! The home page as a dashboard: the demo school's files appear as cards for the teacher and
//! the student, each entry opens for whom it is shown (never a 404), private files stay
//! private, others' entries of a drop folder stay hidden, a login without files sees no
//! empty cards, and the page costs the same few statements for 3 or 40 files.

use axum::http::StatusCode;
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    the_demo_files_show_on_both_dashboards,
    others_hand_ins_stay_off_the_dashboard,
    a_login_without_files_sees_no_empty_cards,
);

/// The actor behind a page session cookie.
async fn actor_of(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

/// The part of the home page with the cards (before the tiles).
fn cards(body: &str) -> &str {
    let start = body.find(r#"<div class="home-cards">"#).unwrap_or(0);
    let end = body.find(r#"<ul class="tiles">"#).unwrap_or(body.len());
    &body[start..end]
}

/// Every `/dateien/…` link of the cards.
fn card_links(body: &str) -> Vec<String> {
    cards(body)
        .split(r#"href=""#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/dateien/"))
        .map(str::to_owned)
        .collect()
}

async fn the_demo_files_show_on_both_dashboards(app: App) {
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo files");
    let teacher = app.ready("lehrer").await;
    let home = app.get("/", &teacher).await;
    home.assert(StatusCode::OK)
        .has("Zuletzt geändert")
        .has("Elternbrief Wandertag.txt")
        .has("Arbeitsblatt Bruchrechnung.txt")
        .has("in Klasse 5a – Mathematik")
        .has(r#"<a class="tile" href="/dateien">"#)
        .lacks("Referat Vulkane.md")
        .lacks("UTC");
    // The teacher shared the folder; it was not shared with them.
    assert!(!cards(&home.body).contains("Neu mit mir geteilt"));

    let student = app.ready("schueler").await;
    let home = app.get("/", &student).await;
    home.assert(StatusCode::OK)
        .has("Zuletzt geändert")
        .has("Referat Vulkane.md")
        .has("Arbeitsblatt Bruchrechnung.txt")
        .has("Neu mit mir geteilt")
        .has("Klasse 5a – Mathematik")
        .has("von Lena Lehmann")
        .has("<time datetime=")
        .lacks("Elternbrief Wandertag.txt")
        .lacks("UTC");
    let links = card_links(&home.body);
    assert!(links.len() >= 3, "{links:?}");
    for href in links {
        let r = app.get(&href, &student).await;
        assert_eq!(r.status, StatusCode::OK, "{href} for the student");
    }
}

/// The own area of the actor, located.
async fn own_area(app: &App, actor: &Actor) -> Located {
    let own = app
        .platform
        .file_areas(actor)
        .await
        .expect("areas")
        .into_iter()
        .find(|a| a.area == "own")
        .expect("own area");
    app.platform.locate(actor, own.id).await.expect("own")
}

async fn put(app: &App, actor: &Actor, folder: &Located, name: &str) {
    let at = Placement { folder, name };
    app.platform
        .file_upload(actor, at, Some("text/plain"), &b"x"[..])
        .await
        .expect("upload");
}

async fn others_hand_ins_stay_off_the_dashboard(app: App) {
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo files");
    let teacher_cookie = app.ready("lehrer").await;
    let teacher = actor_of(&app, &teacher_cookie).await;
    let own = own_area(&app, &teacher).await;
    let shared = app
        .platform
        .file_list(&teacher, &own)
        .await
        .expect("list")
        .into_iter()
        .find(|e| e.name == "Klasse 5a – Mathematik")
        .expect("shared folder");
    let shared = app
        .platform
        .locate(&teacher, shared.id)
        .await
        .expect("folder");
    let inner = app
        .platform
        .file_mkdir(
            &teacher,
            Placement {
                folder: &shared,
                name: "Abgabe",
            },
        )
        .await
        .expect("mkdir");
    let inner = app
        .platform
        .locate(&teacher, inner.id)
        .await
        .expect("inner");
    // In a drop folder the class reaches only what each one put there: the SQL that picks
    // the candidates does not know that rule, the policy after it does.
    app.platform
        .file_set_drop_box(&teacher, &inner, true)
        .await
        .expect("drop folder");
    let inner = app
        .platform
        .locate(&teacher, inner.node().id)
        .await
        .expect("inner");
    put(&app, &teacher, &inner, "musterloesung.txt").await;

    let student = app.ready("schueler").await;
    let home = app.get("/", &student).await;
    home.assert(StatusCode::OK)
        .has("Arbeitsblatt Bruchrechnung.txt")
        .lacks("musterloesung.txt");
    app.get("/", &teacher_cookie).await.has("musterloesung.txt");
}

async fn a_login_without_files_sees_no_empty_cards(app: App) {
    let student = app.ready("schueler").await;
    let home = app.get("/", &student).await;
    home.assert(StatusCode::OK)
        .lacks("home-cards")
        .lacks("Zuletzt geändert")
        .lacks("Neu mit mir geteilt")
        .has(r#"<a class="tile" href="/dateien">"#);
    // The admin sees the school's settings card, with its time zone and the way to change it.
    let admin = app.ready("admin").await;
    app.get("/", &admin)
        .await
        .has("Einstellungen der Schule")
        .has("Europe/Berlin")
        .has(r#"href="/verwaltung/schule""#);
}

#[tokio::test]
async fn the_dashboard_costs_the_same_few_statements_for_3_or_40_files() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo files");
    let cookie = app.ready("schueler").await;
    let student = actor_of(&app, &cookie).await;
    let teacher = actor_of(&app, &app.ready("lehrer").await).await;
    let few = statements_of(&app, "/", &cookie).await;
    // 40 more files: the student's own, and in the folder shared with the class.
    let own = own_area(&app, &student).await;
    let shared = app
        .platform
        .shared_lately(&student, 1)
        .await
        .expect("shared")
        .pop()
        .expect("a share");
    let shared = app
        .platform
        .locate(&teacher, shared.entry.id)
        .await
        .expect("folder");
    for i in 0..20 {
        put(&app, &student, &own, &format!("eigen-{i}.txt")).await;
        put(&app, &teacher, &shared, &format!("blatt-{i}.txt")).await;
    }
    let many = statements_of(&app, "/", &cookie).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the home page does not grow with the files");
    // 14: the card of the person's connected tools is one statement.
    assert!(
        many <= 14,
        "the home page costs a few statements, not {many}"
    );
}
