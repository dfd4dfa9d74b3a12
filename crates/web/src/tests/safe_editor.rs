//! The Safe editor's grade lists, countdown and in-place unlock, through the router: a table
//! survives saving, the page carries the idle time it counts down and the form that opens the
//! Safe again without leaving the page, and a save while the Safe is locked changes nothing
//! until it is opened and the same text is sent again. On SQLite and on PostgreSQL.

use axum::http::StatusCode;

use super::safe::{safe_area, safe_password, unlock};
use super::*;

on_both_backends!(a_grade_list_is_kept_across_a_lock,);

const GRADES: &str = "<table><thead><tr><th>Name</th><th>Note</th></tr></thead><tbody><tr><td>Anna</td><td>2+</td></tr></tbody></table>";

async fn a_grade_list_is_kept_across_a_lock(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &teacher, &password).await;
    let own = safe_area(&app, &teacher, "Mein Safe-Bereich").await;
    let r = app
        .post(
            &format!("{own}/dokument"),
            &teacher,
            &[("titel", "Noten 5a")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let editor = r.location().trim_end_matches("?ok=doc_created").to_owned();
    let doc = editor.trim_end_matches("/bearbeiten").to_owned();
    let save = format!("{doc}/speichern");

    // The page counts the Safe's ten idle minutes down and can open it again in place.
    app.get(&editor, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(r#"data-countdown data-idle="600""#)
        .has(r#"data-cmd="table""#)
        .has(r#"<form class="editor-unlock card" method="post" action="/safe/oeffnen""#)
        .has(&format!(r#"name="zurueck" value="{editor}""#))
        .has("data-print");

    // A table (a grade list) is kept as a table.
    app.post(&save, &teacher, &[("inhalt", GRADES), ("js", "1")])
        .await
        .assert(StatusCode::NO_CONTENT);
    app.get(&editor, &teacher).await.has(GRADES);

    // Locked while writing: the save is refused with a line for the script, nothing changes.
    app.post("/safe/sperren", &teacher, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    let changed = GRADES.replace("2+", "1-");
    let r = app
        .post(&save, &teacher, &[("inhalt", &changed), ("js", "1")])
        .await;
    r.assert(StatusCode::FORBIDDEN);
    assert!(r.body.contains("gesperrt"), "{}", r.body);

    // The in-place form opens it: the answer leads back to the editor (the script takes the
    // redirect as success) and the same text is then saved.
    let r = app
        .post(
            "/safe/oeffnen",
            &teacher,
            &[("passwort", &password), ("zurueck", &editor)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), editor);
    let got = app.get(&format!("{doc}/herunterladen"), &teacher).await;
    assert_eq!(got.body, GRADES, "nothing changed while locked");
    app.post(&save, &teacher, &[("inhalt", &changed), ("js", "1")])
        .await
        .assert(StatusCode::NO_CONTENT);
    let got = app.get(&format!("{doc}/herunterladen"), &teacher).await;
    assert_eq!(got.body, changed);

    // A wrong password in the in-place form is no redirect: the script keeps the text.
    app.post("/safe/sperren", &teacher, &[]).await;
    let r = app
        .post(
            "/safe/oeffnen",
            &teacher,
            &[("passwort", "falsch-falsch"), ("zurueck", &editor)],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
}
