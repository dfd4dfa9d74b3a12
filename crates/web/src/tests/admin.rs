use axum::http::StatusCode;

use super::*;

#[tokio::test]
async fn the_principal_sees_the_user_list_read_only() {
    let app = app().await;
    let principal = app.ready("schulleitung").await;
    let list = app.get("/verwaltung/benutzer", &principal).await;
    list.assert(StatusCode::OK)
        .has("nur lesend")
        .has("Lena Lehmann")
        .has(r#"<th scope="col">"#)
        .lacks("/verwaltung/benutzer/neu");
    list.lacks("letzte Anmeldung").lacks("last login");
    let card = app.get("/verwaltung/benutzer/lehrer", &principal).await;
    card.assert(StatusCode::OK)
        .has("Lena Lehmann")
        .lacks("/bearbeiten")
        .lacks("/aktiv")
        .lacks("/loeschen")
        .lacks("lehrer/passwort");
    // The domain refuses a change even if the form is sent anyway.
    let r = app
        .post(
            "/verwaltung/benutzer/lehrer/aktiv",
            &principal,
            &[("aktiv", "nein")],
        )
        .await;
    r.assert(StatusCode::FORBIDDEN).has(r#"role="alert""#);
}

#[tokio::test]
async fn the_admin_searches_filters_and_pages_the_user_list() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let list = app.get("/verwaltung/benutzer", &admin).await;
    list.assert(StatusCode::OK)
        .has(r#"href="/verwaltung/benutzer/neu""#)
        .has(r#"href="/verwaltung/benutzer/schueler""#);
    let found = app.get("/verwaltung/benutzer?q=lehm&typ=", &admin).await;
    found.has("Lena Lehmann").lacks("Sophie");
    let students = app
        .get("/verwaltung/benutzer?q=&typ=schueler", &admin)
        .await;
    students
        .has("Sophie")
        .lacks("Lena Lehmann")
        .has(r#"<option value="schueler" selected>"#);
    let functions = app.get("/verwaltung/benutzer?typ=function", &admin).await;
    functions
        .has("Funktionskonto: Schulleitung")
        .lacks("Sophie");
}

#[tokio::test]
async fn the_admin_creates_users_and_sees_the_initial_password_once() {
    let app = app().await;
    let admin = app.ready("admin").await;
    app.get("/verwaltung/benutzer/neu", &admin)
        .await
        .assert(StatusCode::OK)
        .has(r#"<label for="first_name">"#);
    let r = app
        .post(
            "/verwaltung/benutzer/neu",
            &admin,
            &[
                ("art", "schueler"),
                ("first_name", "Jörg"),
                ("last_name", "Müller"),
                ("groups", "5a"),
            ],
        )
        .await;
    r.assert(StatusCode::OK)
        .has("Benutzer angelegt")
        .has("joerg.mueller")
        .has("joerg.mueller@100000.nrw.schule")
        .has(r#"class="secret""#);
    let card = app.get("/verwaltung/benutzer/joerg.mueller", &admin).await;
    card.assert(StatusCode::OK)
        .has("<li>5a</li>")
        .lacks(r#"class="secret""#);
    // A function account needs a login: the error sits at that field.
    let missing = app
        .post(
            "/verwaltung/benutzer/neu",
            &admin,
            &[
                ("art", "funktion:sekretariat"),
                ("first_name", "Zweites"),
                ("last_name", "Sekretariat"),
            ],
        )
        .await;
    missing
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="login-error""#)
        .has(r#"aria-invalid="true""#)
        .has("Funktionskonto erforderlich")
        .has(r#"value="Zweites""#);
    let function = app
        .post(
            "/verwaltung/benutzer/neu",
            &admin,
            &[
                ("art", "funktion:sekretariat"),
                ("first_name", "Zweites"),
                ("last_name", "Sekretariat"),
                ("login", "sekretariat2"),
                ("holder", "personal"),
            ],
        )
        .await;
    function
        .assert(StatusCode::OK)
        .has("sekretariat2@100000.nrw.schule");
    app.get("/verwaltung/benutzer/sekretariat2", &admin)
        .await
        .has("personal");
}

#[tokio::test]
async fn the_admin_edits_deactivates_resets_and_deletes() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let r = app
        .post(
            "/verwaltung/benutzer/extern/bearbeiten",
            &admin,
            &[
                ("first_name", ""),
                ("last_name", "Extern"),
                ("account_type", "extern"),
                ("external_mail", ""),
            ],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Vorname: darf nicht leer sein")
        .has(r#"id="e-first-error""#);
    let ok = app
        .post(
            "/verwaltung/benutzer/extern/bearbeiten",
            &admin,
            &[
                ("first_name", "Erika"),
                ("last_name", "Extern"),
                ("account_type", "extern"),
                ("external_mail", ""),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/verwaltung/benutzer/extern?ok=user_saved");
    app.get(ok.location(), &admin)
        .await
        .has("Erika Extern")
        .has("Die Änderungen sind gespeichert.");
    let off = app
        .post(
            "/verwaltung/benutzer/extern/aktiv",
            &admin,
            &[("aktiv", "nein")],
        )
        .await;
    app.get(off.location(), &admin)
        .await
        .has("Deaktiviert")
        .has("Aktivieren");
    let reset = app
        .post("/verwaltung/benutzer/personal/passwort", &admin, &[])
        .await;
    reset.assert(StatusCode::OK).has(r#"class="secret""#);
    app.get("/verwaltung/benutzer/extern/loeschen", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Endgültig löschen");
    let deleted = app
        .post(
            "/verwaltung/benutzer/extern/loeschen",
            &admin,
            &[("bestaetigt", "ja")],
        )
        .await;
    assert_eq!(deleted.location(), "/verwaltung/benutzer?ok=user_deleted");
    app.get("/verwaltung/benutzer/extern", &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    // The own login is out of reach.
    app.post(
        "/verwaltung/benutzer/admin/aktiv",
        &admin,
        &[("aktiv", "nein")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_grantable_rights_are_offered_and_others_are_refused_clearly() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let card = app.get("/verwaltung/benutzer/schueler", &admin).await;
    card.assert(StatusCode::OK)
        .has("<dt>Speicherplatz</dt>")
        .has("0 B von 1 GB belegt")
        .has(r#"name="right" value="mail.external""#)
        .lacks(r#"value="mail.forward""#)
        .lacks(r#"value="news.read""#);
    // Safe rights are the principal's.
    card.lacks(r#"name="right" value="safe.common.read""#);
    let granted = app
        .post(
            "/verwaltung/benutzer/schueler/rechte",
            &admin,
            &[("right", "mail.external"), ("on", "ja")],
        )
        .await;
    assert_eq!(
        granted.location(),
        "/verwaltung/benutzer/schueler?ok=right_granted#rechte"
    );
    app.get("/verwaltung/benutzer/schueler", &admin)
        .await
        .has("Direkt erteilt")
        .has("Entziehen")
        .has(r#"id="right-by-id""#);
    let never = app
        .post(
            "/verwaltung/benutzer/schueler/rechte",
            &admin,
            &[("right", "mail.forward"), ("on", "ja")],
        )
        .await;
    never
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("nie erteilbar")
        .has("Schülerinnen und Schüler")
        .has(r#"role="alert""#);
    let safe = app
        .post(
            "/verwaltung/benutzer/lehrer/rechte",
            &admin,
            &[("right", "safe.common.read"), ("on", "ja")],
        )
        .await;
    safe.assert(StatusCode::FORBIDDEN)
        .has("nur die Schulleitung");
    let teacher = app.get("/verwaltung/benutzer/lehrer", &admin).await;
    teacher.has("Rechte für den Daten-Safe erteilt die Schulleitung.");
}
