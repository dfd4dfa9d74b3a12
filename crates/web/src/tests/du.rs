//! The form of address: German pages say "du" to a student while the school keeps the
//! setting on (the default), "Sie" to everyone else and to students once the admin turns
//! it off; English pages are the same for all. The change is the admin's alone and is
//! logged. Every scenario runs on SQLite and on PostgreSQL.

use axum::http::StatusCode;

use super::*;

on_both_backends!(
    students_are_addressed_with_du_and_adults_with_sie,
    the_gates_and_flash_messages_say_du_too,
    the_admin_turns_du_off_and_on_again,
);

const HOME_DU: &str = "Was möchtest du tun?";
const HOME_SIE: &str = "Was möchten Sie tun?";
const SESSIONS_DU: &str = "Beendet deine Anmeldung auf allen Geräten, auch auf diesem.";
const SESSIONS_SIE: &str = "Beendet Ihre Anmeldung auf allen Geräten, auch auf diesem.";

async fn students_are_addressed_with_du_and_adults_with_sie(app: App) {
    let student = app.ready("schueler").await;
    app.get("/", &student)
        .await
        .assert(StatusCode::OK)
        .has(HOME_DU)
        .lacks(HOME_SIE)
        // The navigation's descriptions too (the frame's translator).
        .has("was mit dir geteilt ist");
    app.get("/konto", &student)
        .await
        .assert(StatusCode::OK)
        .has(SESSIONS_DU)
        .lacks(SESSIONS_SIE)
        .has("Diese Rechte gelten für dein Konto.");
    app.get("/dateien", &student)
        .await
        .assert(StatusCode::OK)
        .has("Deine Ablage in der Schulcloud");

    for adult in ["lehrer", "personal", "extern", "admin"] {
        let cookie = app.ready(adult).await;
        app.get("/", &cookie)
            .await
            .assert(StatusCode::OK)
            .has(HOME_SIE)
            .lacks(HOME_DU);
        app.get("/konto", &cookie)
            .await
            .assert(StatusCode::OK)
            .has(SESSIONS_SIE)
            .lacks(SESSIONS_DU);
    }

    // English has one form of address.
    let english = format!("{student}; lang=en");
    app.get("/", &english)
        .await
        .assert(StatusCode::OK)
        .has("What would you like to do?")
        .lacks(HOME_DU);
}

async fn the_gates_and_flash_messages_say_du_too(app: App) {
    // Before the terms are accepted: the consent gate.
    let student = app.login("schueler", "schulhof-demo").await;
    app.get("/zustimmung", &student)
        .await
        .assert(StatusCode::OK)
        .has("Bevor du die Plattform nutzen kannst");
    let teacher = app.login("lehrer", "schulhof-demo").await;
    app.get("/zustimmung", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Bevor Sie die Plattform nutzen können");
    // The message after a redirect is read once the login is known.
    let student = app.ready("schueler").await;
    app.get("/konto?ok=password_changed", &student)
        .await
        .assert(StatusCode::OK)
        .has("Dein Passwort ist geändert.");
    let teacher = app.ready("lehrer").await;
    app.get("/konto?ok=password_changed", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Ihr Passwort ist geändert.");
    // An error page as well.
    app.get("/verwaltung/benutzer", &student)
        .await
        .has("Dafür fehlt dir die Berechtigung.");
}

/// Posts the form of address as the settings page sends it.
async fn set_du(app: &App, cookie: &str, du: bool) -> Resp {
    let mut form = vec![("teil", "anrede")];
    if du {
        form.push(("duzen", "ja"));
    }
    app.post("/verwaltung/schule", cookie, &form).await
}

async fn the_admin_turns_du_off_and_on_again(app: App) {
    let admin = app.ready("admin").await;
    let student = app.ready("schueler").await;
    app.get("/verwaltung/schule", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Schülerinnen und Schüler duzen")
        .has(r#"name="duzen" value="ja" checked"#);

    // Nobody else may change it.
    let teacher = app.ready("lehrer").await;
    let refused = set_du(&app, &teacher, false).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let refused = set_du(&app, &student, false).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    app.get("/", &student).await.has(HOME_DU);

    // Off: the student's running session reads "Sie" at once.
    let r = set_du(&app, &admin, false).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/verwaltung/schule?ok=school_saved");
    app.get("/verwaltung/schule", &admin)
        .await
        .has(r#"name="duzen" value="ja" aria-describedby"#);
    app.get("/", &student)
        .await
        .assert(StatusCode::OK)
        .has(HOME_SIE)
        .lacks(HOME_DU);
    app.get("/konto", &student).await.has(SESSIONS_SIE);
    // The time zone form leaves the setting alone.
    app.post(
        "/verwaltung/schule",
        &admin,
        &[("zeitzone", "Europe/Berlin")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/", &student).await.has(HOME_SIE);

    // On again.
    set_du(&app, &admin, true)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/", &student).await.has(HOME_DU);

    // Both changes are logged, each with the form of address it set.
    app.get("/verwaltung/protokoll", &admin)
        .await
        .assert(StatusCode::OK)
        .has("<td>Anrede der Schüler/innen geändert</td><td>Sie</td>")
        .has("<td>Anrede der Schüler/innen geändert</td><td>du</td>");
}
