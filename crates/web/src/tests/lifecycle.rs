use axum::http::StatusCode;

use super::import::{SCHILD_XML, apply_and_wait, upload_schild};
use super::*;

/// The `value` of the input with `id`.
fn input_value(body: &str, id: &str) -> String {
    let at = body
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no input {id} in:\n{body}"));
    body[at..]
        .split_once(r#"value=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn deletion_periods_stay_within_the_limits() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let page = app.get("/verwaltung/loeschfristen", &admin).await;
    page.assert(StatusCode::OK)
        .has(r#"type="number""#)
        .has(r#"max="5""#)
        .has(r#"max="10""#)
        .has("Niemand ist zur Löschung vorgemerkt.");
    let six = app
        .post(
            "/verwaltung/loeschfristen",
            &admin,
            &[("students", "6"), ("staff", "5"), ("organisation", "10")],
        )
        .await;
    six.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="period-students-error""#)
        .has("muss 0 bis 5 Jahre sein")
        .has(r#"value="6""#);
    let words = app
        .post(
            "/verwaltung/loeschfristen",
            &admin,
            &[("students", "fünf"), ("staff", "5"), ("organisation", "10")],
        )
        .await;
    words
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="period-students-error""#);
    let ok = app
        .post(
            "/verwaltung/loeschfristen",
            &admin,
            &[("students", "3"), ("staff", "4"), ("organisation", "9")],
        )
        .await;
    assert_eq!(ok.location(), "/verwaltung/loeschfristen?ok=periods_saved");
    let saved = app.get(ok.location(), &admin).await;
    saved.has("Die Löschfristen sind gespeichert.");
    assert_eq!(input_value(&saved.body, "period-students"), "3");
    assert_eq!(input_value(&saved.body, "period-organisation"), "9");
    let principal = app.ready("schulleitung").await;
    app.get("/verwaltung/loeschfristen", &principal)
        .await
        .assert(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn persons_no_longer_in_the_file_are_confirmed_for_deletion() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let run = upload_schild(&app, &admin, SCHILD_XML).await;
    apply_and_wait(&app, &admin, &run).await;
    // The teacher is gone from the next export.
    let start = SCHILD_XML.find(
        "<person recstatus=\"1\">\n    <sourcedid><source>SCHILDNRW</source><id>ID-100000-L0007",
    );
    let start = start.expect("teacher in the file");
    let end = start + SCHILD_XML[start..].find("</person>").expect("end") + "</person>".len();
    let without = format!("{}{}", &SCHILD_XML[..start], &SCHILD_XML[end..]);
    let second = upload_schild(&app, &admin, &without).await;
    app.get(&second, &admin)
        .await
        .has("Zur Löschung vormerken")
        .has("<code>anna.kowalski</code>");
    apply_and_wait(&app, &admin, &second).await;
    let page = app.get("/verwaltung/loeschfristen", &admin).await;
    page.has(r#"name="login" value="anna.kowalski""#)
        .has("Anna Kowalski");
    // Nothing ticked is not "everyone".
    app.post("/verwaltung/loeschfristen/bestaetigen", &admin, &[])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("mindestens eine Person");
    let done = app
        .post(
            "/verwaltung/loeschfristen/bestaetigen",
            &admin,
            &[("login", "anna.kowalski")],
        )
        .await;
    assert_eq!(
        done.location(),
        "/verwaltung/loeschfristen?ok=deletions_confirmed"
    );
    app.get("/verwaltung/benutzer/anna.kowalski", &admin)
        .await
        .has("Deaktiviert");
    app.get("/verwaltung/loeschfristen", &admin)
        .await
        .has("Lehrkraft")
        .has("<time datetime=");
}

#[tokio::test]
async fn the_school_year_preview_lists_the_imported_classes() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let run = upload_schild(&app, &admin, SCHILD_XML).await;
    apply_and_wait(&app, &admin, &run).await;
    let page = app.get("/verwaltung/schuljahr", &admin).await;
    page.assert(StatusCode::OK)
        .has("Import-Seite")
        .has(r#"name="vorschau""#);
    let from = input_value(&page.body, "year-from");
    let to = input_value(&page.body, "year-to");
    assert!(from.len() == 7 && to.len() == 7, "{from} → {to}");
    let preview = app
        .get(
            &format!(
                "/verwaltung/schuljahr?vorschau=1&from={}&to={}",
                url::encode(&from),
                url::encode(&to)
            ),
            &admin,
        )
        .await;
    preview
        .assert(StatusCode::OK)
        .has("05A")
        .has(r#"action="/verwaltung/schuljahr""#)
        .has("Schuljahreswechsel ausführen");
    // A wrong year is shown at its field.
    let wrong = app
        .get(
            &format!(
                "/verwaltung/schuljahr?vorschau=1&from={}&to=2099%2F00",
                url::encode(&from)
            ),
            &admin,
        )
        .await;
    wrong
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="year-to-error""#);
    let done = app
        .post(
            "/verwaltung/schuljahr",
            &admin,
            &[("from", &from), ("to", &to)],
        )
        .await;
    done.assert(StatusCode::OK)
        .has("Schuljahr gewechselt")
        .has(&format!("<strong>{to}</strong>"));
    let principal = app.ready("schulleitung").await;
    app.get("/verwaltung/schuljahr", &principal)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(
        "/verwaltung/schuljahr",
        &principal,
        &[("from", &to), ("to", "2099/00")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_school_year_change_applies_an_uploaded_import_in_the_same_step() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let run = upload_schild(&app, &admin, SCHILD_XML).await;
    let id = run.rsplit('/').next().expect("run id").to_owned();
    let page = app.get("/verwaltung/schuljahr", &admin).await;
    page.assert(StatusCode::OK)
        .has(&format!(r#"<option value="{id}""#));
    let from = input_value(&page.body, "year-from");
    let to = input_value(&page.body, "year-to");
    let query = format!(
        "/verwaltung/schuljahr?vorschau=1&from={}&to={}&import={id}",
        url::encode(&from),
        url::encode(&to)
    );
    let preview = app.get(&query, &admin).await;
    preview
        .assert(StatusCode::OK)
        .has("Was der Import tun wird")
        .has(r#"name="protocol_password""#)
        .has(&format!(r#"name="import" value="{id}""#));
    let differ = app
        .post(
            "/verwaltung/schuljahr",
            &admin,
            &[
                ("from", &from),
                ("to", &to),
                ("import", &id),
                ("protocol_password", "protokoll-1"),
                ("protocol_password2", "protokoll-2"),
            ],
        )
        .await;
    differ.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .post(
            "/verwaltung/schuljahr",
            &admin,
            &[
                ("from", &from),
                ("to", &to),
                ("import", &id),
                ("protocol_password", "protokoll-1"),
                ("protocol_password2", "protokoll-1"),
            ],
        )
        .await;
    done.assert(StatusCode::OK)
        .has("Schuljahr gewechselt")
        .has("Was der Import getan hat")
        .has(&format!(r#"href="{run}""#));
    app.get(&run, &admin)
        .await
        .assert(StatusCode::OK)
        .has("Import ausgeführt")
        .has(&format!(r#"href="{run}/protokoll.zip""#));
}
