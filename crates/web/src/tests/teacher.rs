use axum::http::StatusCode;

use super::*;

/// The path of the reset link for `login` on "Meine Gruppen".
fn reset_action(body: &str, login: &str) -> String {
    let end = format!("/passwort/{login}\"");
    let stop = body.find(&end).expect("reset link");
    let start = body[..stop].rfind("href=\"").expect("link target") + "href=\"".len();
    format!("{}/passwort/{login}", &body[start..stop])
}

const CONFIRMED: &[(&str, &str)] = &[("bestaetigt", "ja")];

#[tokio::test]
async fn a_teacher_resets_the_password_of_a_student_in_5a() {
    let app = app().await;
    let teacher = app.ready("lehrer").await;
    let mine = app.get("/gruppen", &teacher).await;
    mine.assert(StatusCode::OK)
        .has("<h1>Meine Gruppen</h1>")
        .has("5a")
        .has("Sophie Schüler");
    // Only students get a reset button, never fellow teachers.
    mine.lacks("/passwort/personal\"");
    let action = reset_action(&mine.body, "schueler");
    // The link asks first (a page, no script needed); only the confirmed form resets.
    app.get(&action, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Passwort zurücksetzen?")
        .has(&format!(r#"action="{action}""#))
        .has(r#"name="bestaetigt" value="ja""#);
    app.post(&action, &teacher, &[])
        .await
        .assert(StatusCode::OK)
        .has("Passwort zurücksetzen?");
    let r = app.post(&action, &teacher, CONFIRMED).await;
    r.assert(StatusCode::OK)
        .has("Passwort zurückgesetzt")
        .has("Nur jetzt sichtbar");
    let start =
        r.body.find("class=\"secret\">").expect("password shown") + "class=\"secret\">".len();
    let password = &r.body[start..start + r.body[start..].find('<').expect("end")];
    // The student logs in with it and must choose a new one first.
    let student = app.login("schueler", password).await;
    assert_eq!(
        app.get("/", &student).await.location(),
        "/konto/passwort-setzen"
    );
    app.get("/konto/passwort-setzen", &student)
        .await
        .assert(StatusCode::OK)
        .has(r#"autocomplete="new-password""#);
    let set = app
        .post(
            "/konto/passwort-setzen",
            &student,
            &[
                ("old", password),
                ("new", "mein-neues-pw"),
                ("repeat", "mein-neues-pw"),
            ],
        )
        .await;
    set.assert(StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", &student).await.location(), "/zustimmung");
}

#[tokio::test]
async fn a_reset_outside_the_own_groups_is_refused_clearly() {
    let app = app().await;
    let teacher = app.ready("lehrer").await;
    let r = app
        .post(
            "/gruppen/00000000-0000-0000-0000-000000000000/passwort/extern",
            &teacher,
            CONFIRMED,
        )
        .await;
    r.assert(StatusCode::NOT_FOUND)
        .has("nur die Passwörter von Schülerinnen und Schülern Ihrer eigenen Gruppen")
        .has(r#"role="alert""#);
    let colleague = app
        .post("/gruppen/x/passwort/personal", &teacher, CONFIRMED)
        .await;
    colleague
        .assert(StatusCode::FORBIDDEN)
        .has("eigenen Gruppen");
}

#[tokio::test]
async fn a_student_may_not_open_the_user_administration() {
    let app = app().await;
    let student = app.ready("schueler").await;
    let r = app.get("/verwaltung/benutzer", &student).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    r.has("<h1>");
    let new = app.get("/verwaltung/benutzer/neu", &student).await;
    new.assert(StatusCode::FORBIDDEN);
    let card = app.get("/verwaltung/benutzer/lehrer", &student).await;
    card.assert(StatusCode::NOT_FOUND);
    app.get("/verwaltung/protokoll", &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    let create = app
        .post(
            "/verwaltung/benutzer/neu",
            &student,
            &[("art", "schueler"), ("first_name", "X"), ("last_name", "Y")],
        )
        .await;
    create.assert(StatusCode::FORBIDDEN);
}
