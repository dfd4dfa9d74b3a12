//! The help network's console pages: the count of waiting tickets at the menu, support's
//! answer in the asker's notification centre, guides edited in the console (raw HTML shown
//! as text, found by the search at once, the DPO kept out), the support blog read by pupils,
//! and the forum's further pages.

use super::App;
use super::operator::operator_login as operator;
use axum::http::StatusCode;

async fn support_edits_guides_writes_the_blog_and_answers(app: App) {
    let lehrer = app.ready("lehrer").await;
    let schueler = app.ready("schueler").await;
    let support = operator(&app, "sven.support", "support").await;
    app.get("/betrieb/", &support)
        .await
        .lacks("offene Anfragen</span>");

    // A waiting ticket shows at the console's menu; the answer reaches the asker.
    let r = app
        .post(
            "/hilfe/tickets",
            &lehrer,
            &[("betreff", "WLAN-Frage"), ("text", "Wie?")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let ticket = r
        .location()
        .split("/hilfe/tickets/")
        .nth(1)
        .map(|s| s.chars().take(36).collect::<String>())
        .expect("id");
    app.get("/betrieb/", &support)
        .await
        .has(r#"<span class="bell-badge">1<span class="visually-hidden"> offene Anfragen</span>"#);
    app.post(
        &format!("/betrieb/tickets/{ticket}"),
        &support,
        &[("text", "So geht es.")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let notes = app.get("/benachrichtigungen", &lehrer).await;
    notes.has("Der Support hat Ihr Ticket T-");
    // The notice links through its own address (which marks it read) to the ticket.
    let note = notes
        .body
        .split("href=\"/benachrichtigungen/")
        .skip(1)
        .find(|s| !s.starts_with("einstellungen"))
        .map(|s| s.split('"').next().unwrap_or("").to_string())
        .expect("the notice's link");
    let opened = app
        .get(&format!("/benachrichtigungen/{note}"), &lehrer)
        .await;
    assert_eq!(opened.location(), format!("/hilfe/tickets/{ticket}"));

    // Guides: edit a shipped one; raw HTML stays text; the search finds the new word.
    app.get("/betrieb/anleitungen", &support)
        .await
        .assert(StatusCode::OK)
        .has(r#"href="/betrieb/anleitungen/safe""#);
    let edit = [
        ("titel", "Safe (neu)"),
        ("kontext", "/safe /safe/*"),
        (
            "text",
            "# Safe (neu)\n\nDie Quokkaregel. <script>alert(1)</script>",
        ),
        ("text_du", ""),
    ];
    app.post("/betrieb/anleitungen/safe", &support, &edit)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/hilfe/safe", &lehrer)
        .await
        .has("Quokkaregel")
        .has("&lt;script&gt;")
        .lacks("<script>alert");
    app.get("/hilfe?q=quokkaregel", &lehrer)
        .await
        .has(r#"href="/hilfe/safe""#);
    // A new guide with a bad short name: the error at the field, nothing stored.
    let bad = [
        ("slug", "Forum!"),
        ("titel", "X"),
        ("kontext", ""),
        ("text", "Text"),
        ("text_du", ""),
    ];
    app.post("/betrieb/anleitungen", &support, &bad)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="guide-slug-error""#);
    app.post("/betrieb/anleitungen/safe/zuruecksetzen", &support, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/hilfe/safe", &lehrer).await.lacks("Quokkaregel");

    // The blog: support writes, pupils read (text escaped).
    let post = [("titel", "Neu im Netzwerk"), ("text", "Hallo <b>alle</b>.")];
    app.post("/betrieb/blog", &support, &post)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/hilfe", &schueler)
        .await
        .has(r#"href="/hilfe/blog""#);
    app.get("/hilfe/blog", &schueler)
        .await
        .assert(StatusCode::OK)
        .has("Neu im Netzwerk")
        .has("Hallo &#60;b&#62;alle&#60;/b&#62;.")
        .lacks("<b>alle")
        .has("sven.support");

    let dpo = operator(&app, "dora.dsb", "dpo").await;
    for path in [
        "/betrieb/anleitungen",
        "/betrieb/anleitungen/safe",
        "/betrieb/blog",
    ] {
        app.get(path, &dpo).await.assert(StatusCode::FORBIDDEN);
    }
    app.post("/betrieb/blog", &dpo, &post)
        .await
        .assert(StatusCode::FORBIDDEN);
    // A further page of a forum answers (empty), a bad page number is refused.
    app.get("/hilfe/forum/allgemein?seite=1", &lehrer)
        .await
        .assert(StatusCode::OK);
    app.get("/hilfe/forum/allgemein?seite=x", &lehrer)
        .await
        .assert(StatusCode::BAD_REQUEST);
}

on_both_backends!(support_edits_guides_writes_the_blog_and_answers);
