//! A long folder comes in pages of 500 entries: the first page, the way on, and a filter that
//! finds entries on every page. On SQLite and on PostgreSQL.

use axum::http::StatusCode;

use super::files::{area, mkdir, upload};
use super::*;

on_both_backends!(a_folder_of_520_files_comes_in_two_pages,);

fn rows(body: &str) -> usize {
    body.matches("<tr data-id=").count()
}

async fn a_folder_of_520_files_comes_in_two_pages(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let folder = mkdir(&app, &own, &t, "Viele").await;
    let names: Vec<String> = (0..520).map(|i| format!("blatt-{i:03}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    upload(&app, &folder, &t, &files)
        .await
        .assert(StatusCode::SEE_OTHER);

    let first = app.get(&folder, &t).await;
    first
        .assert(StatusCode::OK)
        .has("520 Einträge")
        .has("Seite 1 von 2")
        .has(r#"rel="next""#)
        .lacks(r#"rel="prev""#)
        .has(">blatt-000.txt<")
        .lacks(">blatt-500.txt<");
    assert_eq!(rows(&first.body), 500);

    let second = app
        .get(&format!("{folder}?sort=name&richtung=auf&seite=2"), &t)
        .await;
    second
        .assert(StatusCode::OK)
        .has("Seite 2 von 2")
        .has(r#"rel="prev""#)
        .lacks(r#"rel="next""#)
        .has(">blatt-519.txt<");
    assert_eq!(rows(&second.body), 20);

    // Out of range is the last page; a filter searches every page.
    let far = app.get(&format!("{folder}?seite=99"), &t).await;
    assert_eq!(rows(&far.body), 20);
    let found = app.get(&format!("{folder}?q=blatt-51"), &t).await;
    found
        .assert(StatusCode::OK)
        .has("10 von 520 Einträgen")
        .lacks("Seite 1 von");
    assert_eq!(rows(&found.body), 10);
}
