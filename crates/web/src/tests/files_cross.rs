//! Sharing with a login of another school through the pages: only with the O-right, by
//! `login@schulnummer`, read-only, once the guest accepted the offer; the guest finds it
//! with the sharing school's name.

use axum::http::StatusCode;

use super::files::{area, entry_href, mkdir, upload};
use super::*;

on_both_backends!(
    a_login_of_another_school_reads_what_was_shared_by_name,
    the_admin_decides_whether_students_accept_offers,
);

/// Logs a login of the second school in and accepts the terms.
async fn login_b(app: &App, login: &str, password: &str) -> String {
    let r = app
        .post(
            "/anmelden",
            "",
            &[
                ("schule", "200000"),
                ("login", login),
                ("passwort", password),
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

/// A second school with a teacher, Bruno Berger (`bruno.berger`), logged in.
async fn guest(app: &App) -> String {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let admin = login_b(app, "admin", "admin-passwort-b").await;
    app.post(
        "/verwaltung/benutzer/neu",
        &admin,
        &[
            ("art", "lehrer"),
            ("first_name", "Bruno"),
            ("last_name", "Berger"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    app.platform
        .system_set_password("200000", "bruno.berger", Some("bruno-passwort-123"))
        .await
        .expect("password");
    login_b(app, "bruno.berger", "bruno-passwort-123").await
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
    // Without the right: the same refusal whether the school exists or not.
    let known = share("bruno.berger@200000").await;
    known.assert(StatusCode::FORBIDDEN);
    let unknown = share("bruno.berger@999999").await;
    unknown.assert(StatusCode::FORBIDDEN);

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
                ("subject", "bruno.berger@200000"),
                ("role", "viewer"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("?ok=offered"), "{}", r.location());
    // The sharer sees the address it typed, not who that is.
    app.get(&folder, &teacher)
        .await
        .has("bruno.berger@200000")
        .has("Angebot an eine andere Schule")
        .lacks("Bruno Berger")
        .lacks("Goethe-Gymnasium");

    // Nothing to read before the offer is accepted; the offer names school and sharer.
    app.get(&folder, &visitor)
        .await
        .assert(StatusCode::NOT_FOUND);
    let overview = app.get("/dateien", &visitor).await;
    overview
        .has("Angebote anderer Schulen")
        .has("Demo-Gymnasium (100000)");
    let at = overview
        .body
        .find("action=\"/dateien/angebote/")
        .expect("an offer to accept");
    let action: String = overview.body[at + 8..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    app.post(&action, &visitor, &[("aktion", "annehmen")])
        .await
        .assert(StatusCode::SEE_OTHER);

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

async fn the_admin_decides_whether_students_accept_offers(app: App) {
    let admin = app.ready("admin").await;
    let page = app.get("/verwaltung/schulfreigaben", &admin).await;
    page.assert(StatusCode::OK)
        .has("Schülerinnen und Schüler dürfen Freigaben anderer Schulen annehmen")
        .lacks(" checked");
    let r = app
        .post("/verwaltung/schulfreigaben", &admin, &[("students", "ja")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get("/verwaltung/schulfreigaben", &admin)
        .await
        .has(" checked");
    let student = app.ready("schueler").await;
    app.get("/verwaltung/schulfreigaben", &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post("/verwaltung/schulfreigaben", &student, &[])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/verwaltung/schulfreigaben", &admin)
        .await
        .has(" checked");
}
