//! Sharing with a login of another school through the pages: only with the O-right, by
//! `login@schulnummer`, read-only; the guest finds it with the sharing school's name.

use axum::http::StatusCode;

use super::files::{area, entry_href, mkdir, upload};
use super::*;

on_both_backends!(a_login_of_another_school_reads_what_was_shared_by_name,);

/// Logs the other school's admin in and accepts the terms.
async fn guest(app: &App) -> String {
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
    r.assert(StatusCode::SEE_OTHER);
    let cookie = r
        .cookie(schulhof_front::SESSION_COOKIE)
        .expect("session cookie");
    app.post(
        "/zustimmung",
        &cookie,
        &[("antwort", "annehmen"), ("datenschutz", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    cookie
}

async fn a_login_of_another_school_reads_what_was_shared_by_name(app: App) {
    let visitor = guest(&app).await;
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let folder = mkdir(&app, &own, &teacher, "Austausch").await;
    upload(&app, &folder, &teacher, &[("plan.txt", b"Plan B")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let share = |subject: &'static str| {
        let (app, folder, teacher) = (&app, &folder, &teacher);
        async move {
            app.post(
                &format!("{folder}/freigaben"),
                teacher,
                &[
                    ("aktion", "hinzufuegen"),
                    ("subject", subject),
                    ("role", "viewer"),
                ],
            )
            .await
        }
    };
    share("admin@200000")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Mit Anmeldungen anderer Schulen dürfen Sie nicht teilen");

    let admin = app.ready("admin").await;
    app.post(
        "/verwaltung/benutzer/lehrer/rechte",
        &admin,
        &[("right", "files.own.share_cross"), ("on", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let teacher = app.ready("lehrer").await;
    let r = app
        .post(
            &format!("{folder}/freigaben"),
            &teacher,
            &[
                ("aktion", "hinzufuegen"),
                ("subject", "admin@200000"),
                ("role", "viewer"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&folder, &teacher)
        .await
        .has("admin@200000, Goethe-Gymnasium")
        .has("Person einer anderen Schule (nur lesen)");

    let overview = app.get("/dateien", &visitor).await;
    let shared = &overview.body[overview.body.find("Mit mir geteilt").expect("section")..];
    assert!(shared.contains("Austausch"), "{shared}");
    assert!(shared.contains("geteilt von"), "{shared}");
    assert!(shared.contains("(100000)"), "{shared}");
    let page = app.get(&folder, &visitor).await;
    page.assert(StatusCode::OK)
        .has("<h1>Austausch</h1>")
        .has("plan.txt")
        .has("Ihre Rolle: Lesen")
        .lacks("/hochladen\"")
        .lacks("/ordner\"")
        .lacks("/freigaben\"")
        .lacks("/verschieben\"");
    let file = entry_href(&page.body, "plan.txt");
    let got = app.get(&format!("{file}/herunterladen"), &visitor).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "Plan B");
    app.get(&own, &visitor).await.assert(StatusCode::NOT_FOUND);
    upload(&app, &folder, &visitor, &[("x.txt", b"x")])
        .await
        .assert(StatusCode::FORBIDDEN);
}
