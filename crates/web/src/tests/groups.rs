use axum::http::StatusCode;

use super::*;

#[tokio::test]
async fn the_admin_manages_groups() {
    let app = app().await;
    let admin = app.ready("admin").await;
    app.get("/verwaltung/gruppen", &admin)
        .await
        .assert(StatusCode::OK)
        .has("5a")
        .has("Kollegium")
        .has(r#"<label for="new-name">"#);
    let dup = app
        .post(
            "/verwaltung/gruppen",
            &admin,
            &[("name", "5a"), ("kind", "klasse"), ("description", "")],
        )
        .await;
    dup.assert(StatusCode::CONFLICT)
        .has("gibt es schon")
        .has(r#"id="new-name-error""#);
    let created = app
        .post(
            "/verwaltung/gruppen",
            &admin,
            &[
                ("name", "Informatik-AG"),
                ("kind", "arbeitsgruppe"),
                ("description", "Programmieren"),
            ],
        )
        .await;
    created.assert(StatusCode::SEE_OTHER);
    let page = created
        .location()
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    app.get(created.location(), &admin)
        .await
        .assert(StatusCode::OK)
        .has("Informatik-AG")
        .has("Die Gruppe ist angelegt.");
    let unknown = app
        .post(
            &format!("{page}/mitglieder"),
            &admin,
            &[("login", "niemand"), ("aktion", "hinzufuegen")],
        )
        .await;
    unknown
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="add-login-error""#);
    app.post(
        &format!("{page}/mitglieder"),
        &admin,
        &[("login", "schueler"), ("aktion", "hinzufuegen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&page, &admin).await.has("Sophie Schüler");
}

/// A new group's page, created by the admin.
async fn new_group(app: &App, admin: &str) -> String {
    let created = app
        .post(
            "/verwaltung/gruppen",
            admin,
            &[
                ("name", "Chor"),
                ("kind", "arbeitsgruppe"),
                ("description", ""),
            ],
        )
        .await;
    created.assert(StatusCode::SEE_OTHER);
    created
        .location()
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn the_admin_grants_group_rights_and_deletes_groups() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let page = new_group(&app, &admin).await;
    app.post(
        &format!("{page}/rechte"),
        &admin,
        &[("right", "news.author"), ("on", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&page, &admin).await.has("Erteilt");
    let never = app
        .post(
            &format!("{page}/rechte"),
            &admin,
            &[("right", "mail.forward"), ("on", "ja")],
        )
        .await;
    never
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("jeden Kontotyp");
    let deleted = app
        .post(&format!("{page}/loeschen"), &admin, &[("bestaetigt", "ja")])
        .await;
    assert_eq!(deleted.location(), "/verwaltung/gruppen?ok=group_deleted");
    app.get(&page, &admin).await.assert(StatusCode::NOT_FOUND);
    app.get("/verwaltung/gruppen/kein-uuid", &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_log_shows_who_did_what_and_takes_holds() {
    let app = app().await;
    let admin = app.ready("admin").await;
    app.post(
        "/verwaltung/benutzer/extern/aktiv",
        &admin,
        &[("aktiv", "nein")],
    )
    .await;
    let log = app.get("/verwaltung/protokoll", &admin).await;
    // Names, not logins: the holder as the person, the function account by its role.
    log.assert(StatusCode::OK)
        .has("Konto deaktiviert")
        .has("<td>Admin (Funktionskonto)</td>")
        .has("<td>Lena Lehmann</td>")
        .has("<td>Eva Extern</td>");
    let short = app
        .post(
            "/verwaltung/protokoll/aufbewahren",
            &admin,
            &[
                ("from", "2026-01-01"),
                ("until", "2026-01-07"),
                ("login", ""),
                ("reason", "kurz"),
            ],
        )
        .await;
    short
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="hold-reason-error""#);
    let bad_date = app
        .post(
            "/verwaltung/protokoll/aufbewahren",
            &admin,
            &[
                ("from", "gestern"),
                ("until", "2026-01-07"),
                ("reason", "Missbrauchsverdacht Fall 12"),
            ],
        )
        .await;
    bad_date
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="hold-from-error""#);
    let ok = app
        .post(
            "/verwaltung/protokoll/aufbewahren",
            &admin,
            &[
                ("from", "2026-01-01"),
                ("until", "2026-01-07"),
                ("login", "schueler"),
                ("reason", "Missbrauchsverdacht Fall 12"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/verwaltung/protokoll?ok=hold_placed");
    app.get("/verwaltung/protokoll", &admin)
        .await
        .has("Missbrauchsverdacht Fall 12")
        .has("<td>schueler</td>")
        .has("01.01.2026");
}
