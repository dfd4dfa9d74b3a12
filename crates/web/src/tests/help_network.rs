//! The help network's forums and tickets through the pages: teachers open topics and
//! answer (shown with name and school, text escaped), students stay out, support hides a
//! post and locks the topic from the console, the DPO gets 403; a teacher's ticket reaches
//! support, a colleague gets 404, support answers, the teacher closes; bad input is a
//! clear error with nothing stored.

use super::App;
use super::operator::operator_login as operator;
use axum::http::StatusCode;

/// The id after `prefix` in a redirect or a link.
fn id_after(s: &str, prefix: &str) -> String {
    s.split(prefix)
        .nth(1)
        .map(|r| r.chars().take(36).collect())
        .unwrap_or_default()
}

async fn teachers_meet_in_the_forums_support_moderates(app: App) {
    let lehrer = app.ready("lehrer").await;
    let personal = app.ready("personal").await;
    let schueler = app.ready("schueler").await;
    app.get("/hilfe", &lehrer)
        .await
        .has(r#"href="/hilfe/forum""#)
        .has(r#"href="/hilfe/tickets""#);
    app.get("/hilfe", &schueler)
        .await
        .lacks(r#"href="/hilfe/forum""#)
        .lacks(r#"href="/hilfe/tickets""#);
    app.get("/hilfe/forum", &schueler)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/hilfe/forum/allgemein", &schueler)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/hilfe/forum/gibt-es-nicht", &lehrer)
        .await
        .assert(StatusCode::NOT_FOUND);

    // Bad input: the error at the field, nothing stored.
    app.post(
        "/hilfe/forum/allgemein",
        &lehrer,
        &[("titel", " "), ("text", "Inhalt")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has(r#"id="topic-title-error""#);
    app.get("/hilfe/forum/allgemein", &lehrer)
        .await
        .has("Noch keine Themen");

    let form = [
        ("titel", "Beamer im Raum 12"),
        ("text", "Geht nicht.\n\n<script>alert(1)</script>"),
    ];
    let r = app.post("/hilfe/forum/allgemein", &lehrer, &form).await;
    r.assert(StatusCode::SEE_OTHER);
    let topic = id_after(r.location(), "/hilfe/forum/thema/");
    let page = format!("/hilfe/forum/thema/{topic}");
    app.post(&page, &personal, &[("text", "Kabel prüfen!")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&page, &lehrer)
        .await
        .assert(StatusCode::OK)
        .has("Lena Lehmann (Demo-Gymnasium)")
        .has("Paul Hausmann (Demo-Gymnasium)")
        .has("&#60;script&#62;")
        .lacks("<script>alert");

    // Support hides the answer and locks the topic; the DPO may do neither.
    let dpo = operator(&app, "dora.dsb", "dpo").await;
    app.get("/betrieb/forum", &dpo)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/betrieb/forum/thema/{topic}"), &dpo)
        .await
        .assert(StatusCode::FORBIDDEN);
    let support = operator(&app, "sven.support", "support").await;
    let console = app
        .get(&format!("/betrieb/forum/thema/{topic}"), &support)
        .await;
    console.assert(StatusCode::OK).has("Kabel prüfen!");
    let last_post = console
        .body
        .rsplit("/betrieb/forum/beitrag/")
        .next()
        .unwrap_or("");
    let post: String = last_post.chars().take(36).collect();
    app.post(
        &format!("/betrieb/forum/beitrag/{post}"),
        &support,
        &[("aktion", "verbergen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("/betrieb/forum/thema/{topic}"),
        &support,
        &[("aktion", "sperren")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&page, &lehrer)
        .await
        .assert(StatusCode::OK)
        .lacks("Kabel prüfen!")
        .has("gesperrt")
        .lacks(r#"id="reply-text""#);
    app.post(&page, &personal, &[("text", "Noch was")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/betrieb/forum/thema/{topic}"), &support)
        .await
        .has("Kabel prüfen!")
        .has("verborgen");
}

async fn a_ticket_goes_from_form_to_answer(app: App) {
    let lehrer = app.ready("lehrer").await;
    let personal = app.ready("personal").await;
    let schueler = app.ready("schueler").await;
    app.get("/hilfe/tickets", &schueler)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(
        "/hilfe/tickets",
        &lehrer,
        &[("betreff", ""), ("text", "Hilfe")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has(r#"id="ticket-subject-error""#);
    app.get("/hilfe/tickets", &lehrer)
        .await
        .has("Keine Anfragen");

    let form = [
        ("betreff", "Kalender synchronisiert nicht"),
        ("text", "Seit gestern."),
    ];
    let r = app.post("/hilfe/tickets", &lehrer, &form).await;
    r.assert(StatusCode::SEE_OTHER);
    let id = id_after(r.location(), "/hilfe/tickets/");
    let page = format!("/hilfe/tickets/{id}");
    app.get(&page, &lehrer)
        .await
        .assert(StatusCode::OK)
        .has("T-")
        .has("offen");
    app.get(&page, &personal)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.post(&page, &personal, &[("text", "Ich auch")])
        .await
        .assert(StatusCode::NOT_FOUND);

    let support = operator(&app, "sven.support", "support").await;
    app.get("/betrieb/tickets", &support)
        .await
        .assert(StatusCode::OK)
        .has("Kalender synchronisiert nicht")
        .has("Demo-Gymnasium (100000)");
    let answer = [("text", "Bitte die App neu verbinden.")];
    app.post(&format!("/betrieb/tickets/{id}"), &support, &answer)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/betrieb/tickets", &support)
        .await
        .has("Keine Anfragen");
    app.get(&page, &lehrer)
        .await
        .has("beantwortet")
        .has("Bitte die App neu verbinden.")
        .has("ticket-support");
    app.post(&format!("{page}/schliessen"), &lehrer, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/hilfe/tickets", &lehrer).await.has("geschlossen");
    let dpo = operator(&app, "dora.dsb", "dpo").await;
    app.get("/betrieb/tickets", &dpo)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/betrieb/tickets/{id}"), &dpo)
        .await
        .assert(StatusCode::FORBIDDEN);
}

on_both_backends!(
    teachers_meet_in_the_forums_support_moderates,
    a_ticket_goes_from_form_to_answer,
);
