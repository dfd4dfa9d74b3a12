//! The admin's mail settings through the router (no JavaScript): aliases of a login and
//! further domains of the school; a teacher reaches neither; the standard address stays.

use axum::http::StatusCode;

use super::*;

async fn the_admin_gives_a_login_an_alias_and_the_school_a_domain(app: App) {
    let admin = app.ready("admin").await;
    let page = app
        .get("/verwaltung/benutzer/lehrer/adressen", &admin)
        .await;
    page.assert(StatusCode::OK)
        .has("lena.lehmann@100000.nrw.schule")
        .has("Keine weiteren Adressen.");
    let r = app
        .post(
            "/verwaltung/benutzer/lehrer/adressen",
            &admin,
            &[
                ("lokal", "Klassenleitung.5a"),
                ("domain", "100000.nrw.schule"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        "/verwaltung/benutzer/lehrer/adressen?ok=alias_added"
    );
    app.get("/verwaltung/benutzer/lehrer/adressen", &admin)
        .await
        .has("klassenleitung.5a@100000.nrw.schule");
    // Taken elsewhere: a clear message at the field, nothing stored.
    let again = app
        .post(
            "/verwaltung/benutzer/schueler/adressen",
            &admin,
            &[
                ("lokal", "klassenleitung.5a"),
                ("domain", "100000.nrw.schule"),
            ],
        )
        .await;
    again.assert(StatusCode::CONFLICT);
    let standard = app
        .post(
            "/verwaltung/benutzer/lehrer/adressen/entfernen",
            &admin,
            &[("adresse", "lena.lehmann@100000.nrw.schule")],
        )
        .await;
    assert!(standard.status.is_client_error(), "{}", standard.status);

    let r = app
        .post(
            "/verwaltung/mail/domains",
            &admin,
            &[("domain", "demo-gymnasium.de")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get("/verwaltung/mail", &admin)
        .await
        .assert(StatusCode::OK)
        .has("demo-gymnasium.de")
        .has("verteiler-5a@100000.nrw.schule");
    app.get("/verwaltung/benutzer/lehrer/adressen", &admin)
        .await
        .has("@demo-gymnasium.de");
    let bad = app
        .post(
            "/verwaltung/mail/domains",
            &admin,
            &[("domain", "kein domain")],
        )
        .await;
    bad.assert(StatusCode::UNPROCESSABLE_ENTITY);

    let r = app
        .post(
            "/verwaltung/mail/kontingente",
            &admin,
            &[
                ("lehrer", "2048"),
                ("personal", "1024"),
                ("extern_", "500"),
                ("schueler", "300"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get("/verwaltung/mail", &admin)
        .await
        .has("value=\"300\"")
        .has("value=\"2048\"");
    app.post(
        "/verwaltung/mail/kontingente",
        &admin,
        &[("lehrer", "viel")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);

    let teacher = app.ready("lehrer").await;
    assert!(
        app.get("/verwaltung/mail", &teacher)
            .await
            .status
            .is_client_error()
    );
    let r = app
        .post(
            "/verwaltung/benutzer/schueler/adressen",
            &teacher,
            &[("lokal", "x"), ("domain", "100000.nrw.schule")],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

on_both_backends!(the_admin_gives_a_login_an_alias_and_the_school_a_domain);
