//! The notification centre in the browser's view: the bell counts unread items on every
//! page (at no statement of its own), the centre words every kind and links to its object,
//! marks one or all read, another login's notification is a 404, and the settings store
//! what was chosen and refuse what may not be chosen.

use axum::http::StatusCode;
use schulhof_domain::identity::Actor;

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    the_bell_counts_and_the_centre_words_every_kind,
    anothers_notification_is_not_found,
    settings_store_choices_and_refuse_bad_input,
);

async fn actor_of(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

/// Writes a notification for `a` as a module does.
async fn note(app: &App, a: &Actor, kind: &str, params: &str) {
    let p = &app.platform;
    let mut tx = p.db().begin().await.expect("tx");
    schulhof_store::notify::insert(
        &mut tx,
        a.token.instance(),
        a.token.user(),
        kind,
        params,
        p.now(),
    )
    .await
    .expect("insert");
    tx.commit().await.expect("commit");
}

/// The ids of the notifications on the centre's page, in order.
fn ids(body: &str) -> Vec<String> {
    body.split(r#"<a href="/benachrichtigungen/"#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|id| id.len() == 36)
        .map(str::to_owned)
        .collect()
}

async fn the_bell_counts_and_the_centre_words_every_kind(app: App) {
    let cookie = app.ready("lehrer").await;
    let t = actor_of(&app, &cookie).await;
    app.get("/", &cookie)
        .await
        .assert(StatusCode::OK)
        .has(r#"class="bell" href="/benachrichtigungen""#)
        .has(r#"aria-live="polite""#)
        .lacks("bell-badge");
    note(
        &app,
        &t,
        "news_published",
        r#"{"news_id": "0190a0b0-0000-7000-8000-000000000001", "title": "Sportfest"}"#,
    )
    .await;
    note(
        &app,
        &t,
        "file_shared",
        r#"{"node_id": "abc", "name": "Plan.pdf", "by": "Anna Admin"}"#,
    )
    .await;
    note(&app, &t, "calendar_invitation", r#"{"summary": "Konferenz", "by": "Schulleitung", "calendar_object": "c1/x.ics", "start": null}"#).await;
    note(
        &app,
        &t,
        "calendar_reply",
        r#"{"summary": "Konferenz", "by": "Ben", "answer": "ACCEPTED"}"#,
    )
    .await;
    app.get("/konto", &cookie)
        .await
        .has(r#"<span class="bell-badge">4</span>"#);
    let page = app.get("/benachrichtigungen", &cookie).await;
    page.assert(StatusCode::OK)
        .has("Neuigkeit: „Sportfest“")
        .has("Anna Admin hat „Plan.pdf“ mit Ihnen geteilt.")
        .has("Schulleitung lädt Sie ein: „Konferenz“")
        .has("Ben hat auf „Konferenz“ geantwortet: zugesagt")
        .has(r#"aria-current="page""#)
        .has("Alle als gelesen markieren");
    let order = ids(&page.body);
    assert_eq!(order.len(), 4, "{}", page.body);
    assert!(
        page.body.find("Ben hat").expect("reply") < page.body.find("Sportfest").expect("news"),
        "newest first"
    );
    // Opening one marks it read and leads to its object.
    let first_file = order[2].clone();
    let r = app
        .get(&format!("/benachrichtigungen/{first_file}"), &cookie)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/dateien/abc");
    app.get("/", &cookie)
        .await
        .has(r#"<span class="bell-badge">3</span>"#);
    let r = app
        .post(
            &format!("/benachrichtigungen/{}/gelesen", order[0]),
            &cookie,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.get("/", &cookie)
        .await
        .has(r#"<span class="bell-badge">2</span>"#);
    app.post("/benachrichtigungen/alle-gelesen", &cookie, &[])
        .await;
    app.get("/benachrichtigungen", &cookie)
        .await
        .lacks("bell-badge")
        .lacks("note-unread")
        .has("Sportfest");
    // English.
    let en = format!("{cookie}; lang=en");
    app.get("/benachrichtigungen", &en)
        .await
        .has("Anna Admin shared “Plan.pdf” with you.")
        .has("Ben answered “Konferenz”: accepted");
}

async fn anothers_notification_is_not_found(app: App) {
    let cookie = app.ready("lehrer").await;
    let t = actor_of(&app, &cookie).await;
    note(
        &app,
        &t,
        "file_shared",
        r#"{"node_id": "abc", "name": "Noten.xlsx", "by": "X"}"#,
    )
    .await;
    let id = ids(&app.get("/benachrichtigungen", &cookie).await.body).remove(0);
    let other = app.ready("schueler").await;
    app.get("/benachrichtigungen", &other)
        .await
        .lacks("Noten.xlsx");
    app.get(&format!("/benachrichtigungen/{id}"), &other)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.post(&format!("/benachrichtigungen/{id}/gelesen"), &other, &[])
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/benachrichtigungen/kein-id", &other)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/", &cookie)
        .await
        .has(r#"<span class="bell-badge">1</span>"#);
}

async fn settings_store_choices_and_refuse_bad_input(app: App) {
    let cookie = app.ready("lehrer").await;
    let path = "/benachrichtigungen/einstellungen";
    app.get(path, &cookie)
        .await
        .assert(StatusCode::OK)
        .has(r#"name="mode.news_published" value="platform" checked"#)
        .has(r#"name="mode.calendar_invitation" value="mail" checked"#)
        .has("lassen sich nicht abschalten")
        .lacks(r#"name="mode.password_reset""#);
    let r = app
        .post(
            path,
            &cookie,
            &[
                ("mode.news_published", "digest"),
                ("mode.file_shared", "off"),
                ("quiet_from", "22:00"),
                ("quiet_to", "06:30"),
                ("digest_hour", "6"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(path, &cookie).await;
    page.has(r#"name="mode.news_published" value="digest" checked"#)
        .has(r#"name="mode.file_shared" value="off" checked"#)
        .has(r#"value="22:00""#)
        .has(r#"value="06:30""#)
        .has(r#"<option value="6" selected>"#);
    for bad in [
        vec![
            ("quiet_from", "25:00"),
            ("quiet_to", "06:00"),
            ("mode.news_published", "mail"),
        ],
        vec![
            ("quiet_from", "22:00"),
            ("quiet_to", ""),
            ("mode.news_published", "mail"),
        ],
        vec![
            ("mode.password_reset", "off"),
            ("mode.news_published", "mail"),
        ],
        vec![("mode.news_published", "sometimes")],
        vec![("digest_hour", "24"), ("mode.news_published", "mail")],
    ] {
        let r = app.post(path, &cookie, &bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.body
        );
    }
    app.get(path, &cookie)
        .await
        .has(r#"name="mode.news_published" value="digest" checked"#);
}

/// The bell rides on the session's query: the home page of a teacher with 200 unread
/// notifications costs the same statements as with none.
#[tokio::test]
async fn the_bell_costs_no_statement_of_its_own() {
    if !statements::install() {
        return;
    }
    let app = app().await;
    let cookie = app.ready("lehrer").await;
    let t = actor_of(&app, &cookie).await;
    let none = statements_of(&app, "/", &cookie).await;
    let other = statements_of(&app, "/konto", &cookie).await;
    for i in 0..200 {
        note(
            &app,
            &t,
            "file_shared",
            &format!(r#"{{"node_id": "n{i}", "name": "Blatt {i}", "by": "X"}}"#),
        )
        .await;
    }
    let many = statements_of(&app, "/", &cookie).await;
    app.get("/", &cookie)
        .await
        .has(r#"<span class="bell-badge">99+</span>"#);
    eprintln!("statements: home {none} (0 unread), {many} (200 unread); account page {other}");
    assert_eq!(none, many, "the home page does not grow with notifications");
    assert_eq!(other, statements_of(&app, "/konto", &cookie).await);
    assert!(
        many <= 14,
        "the home page costs a few statements, not {many}"
    );
}
