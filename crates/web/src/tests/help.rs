//! The help network's documentation through its pages: every account type reads the index
//! and the pages, the search finds folded words, the context link of every page lands on the
//! guide for it, an unknown page is 404, and nobody reads it without logging in.

use axum::http::StatusCode;

use super::App;

async fn every_account_type_reads_the_guides(app: App) {
    for login in ["lehrer", "personal", "schueler", "extern"] {
        let c = app.ready(login).await;
        app.get("/hilfe", &c)
            .await
            .assert(StatusCode::OK)
            .has("Alle Anleitungen")
            .has("href=\"/hilfe/safe\"")
            .has("href=\"/hilfe/faq\"");
        app.get("/hilfe/dateien", &c)
            .await
            .assert(StatusCode::OK)
            .has("<h1>Dateien und Freigaben</h1>")
            .has("<strong>Betrachter</strong>")
            .lacks("titel:");
    }
}

async fn the_search_finds_folded_words(app: App) {
    let c = app.ready("schueler").await;
    app.get("/hilfe?q=PASSW%C3%96RTER", &c)
        .await
        .assert(StatusCode::OK)
        .has("Treffer für „PASSWÖRTER“")
        .has("href=\"/hilfe/anmelden\"");
    app.get("/hilfe?q=Xylophonunterricht", &c)
        .await
        .assert(StatusCode::OK)
        .has("0 Treffer")
        .has("Nichts gefunden");
    // Markup in the query is shown as text.
    app.get("/hilfe?q=%3Cscript%3E", &c)
        .await
        .assert(StatusCode::OK)
        .lacks("<script>alert")
        .has("„&#60;script&#62;“");
}

async fn the_context_link_leads_to_the_guide_of_the_page(app: App) {
    let c = app.ready("lehrer").await;
    app.get("/", &c)
        .await
        .assert(StatusCode::OK)
        .has("href=\"/hilfe/kontext?pfad=%2F\"");
    for (path, guide) in [
        ("%2Fmail%2Fordner%2Fabc", "/hilfe/mail"),
        ("%2Fkalender", "/hilfe/kalender"),
        ("%2Fdateien%2F123%3Fx%3D1", "/hilfe/dateien"),
        ("%2F", "/hilfe/faq"),
        ("%2Fgibt-es-nicht", "/hilfe"),
        ("", "/hilfe"),
    ] {
        let r = app.get(&format!("/hilfe/kontext?pfad={path}"), &c).await;
        r.assert(StatusCode::SEE_OTHER);
        assert_eq!(r.location(), guide, "{path}");
    }
}

async fn unknown_pages_and_strangers_get_nothing(app: App) {
    let c = app.ready("lehrer").await;
    app.get("/hilfe/gibt-es-nicht", &c)
        .await
        .assert(StatusCode::NOT_FOUND);
    let r = app.get("/hilfe/safe", "").await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/anmelden"), "{}", r.location());
}

on_both_backends!(
    every_account_type_reads_the_guides,
    the_search_finds_folded_words,
    the_context_link_leads_to_the_guide_of_the_page,
    unknown_pages_and_strangers_get_nothing,
);
