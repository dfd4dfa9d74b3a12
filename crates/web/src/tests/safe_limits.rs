//! Outside bytes in the Safe editor: a document nested 200,000 `<div>` deep (about 1 MB)
//! used to keep a runtime worker busy sanitising for minutes. It is refused at once, with
//! the field named, and nothing is stored. Both backends.

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use super::safe::{safe_area, safe_password, unlock};
use super::*;

on_both_backends!(a_deeply_nested_document_is_refused_quickly);

async fn a_deeply_nested_document_is_refused_quickly(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &teacher, &password).await;
    let own = safe_area(&app, &teacher, "Mein Safe-Bereich").await;
    let r = app
        .post(&format!("{own}/dokument"), &teacher, &[("titel", "Tief")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let editor = r.location().trim_end_matches("?ok=doc_created").to_owned();
    let doc = editor.trim_end_matches("/bearbeiten").to_owned();
    let save = format!("{doc}/speichern");

    let deep = format!("{}x{}", "<div>".repeat(200_000), "</div>".repeat(200_000));
    let started = Instant::now();
    let r = app
        .post(&save, &teacher, &[("inhalt", &deep), ("js", "1")])
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("zu tief verschachtelt");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused only after {:?}",
        started.elapsed()
    );
    let got = app.get(&format!("{doc}/herunterladen"), &teacher).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "<p></p>", "nothing stored");

    // As deep as an editor's document gets: stored.
    let fine = format!("{}x{}", "<ul><li>".repeat(60), "</li></ul>".repeat(60));
    app.post(&save, &teacher, &[("inhalt", &fine), ("js", "1")])
        .await
        .assert(StatusCode::NO_CONTENT);
}
