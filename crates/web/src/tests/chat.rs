//! The chat pages: the room list with the demo rooms, a room with its messages in a live
//! log region, sending and moderating with plain form posts (no JavaScript), a locked room
//! without a form, and 404 for a room one does not belong to.

use axum::http::StatusCode;

use super::*;

on_both_backends!(rooms_messages_and_forms);

/// The href of the room called `name` in a room list page.
fn href_of(body: &str, name: &str) -> String {
    let at = body
        .find(&format!(">{name}</a>"))
        .expect("room in the list");
    let start = body[..at].rfind("href=\"").expect("href") + 6;
    body[start..at - 1].to_owned()
}

async fn rooms_messages_and_forms(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let staff = app.ready("personal").await;
    let list = app.get("/chat", &teacher).await;
    // The pupil's answer is new to the teacher.
    list.assert(StatusCode::OK)
        .has("5a")
        .has("Kollegium")
        .has("1 ungelesen");
    let class = href_of(&list.body, "5a");
    app.get("/chat", &student)
        .await
        .assert(StatusCode::OK)
        .has("5a")
        .lacks("Kollegium");
    app.get(&class, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Guten Morgen, 5a!")
        .has(r#"role="log""#)
        .has(r#"aria-live="polite""#)
        .has("/static/chat.js?v=")
        .has(&format!(r#"action="{class}""#));
    // Viewing read them.
    app.get("/chat", &teacher).await.lacks("badge-new");
    let sent = app
        .post(&class, &student, &[("text", "Hallo <alle>")])
        .await;
    sent.assert(StatusCode::SEE_OTHER);
    assert!(sent.location().starts_with(&format!("{class}#m-")));
    app.get(&class, &teacher)
        .await
        .has("Hallo &#60;alle&#62;")
        .has("Raum sperren");
    app.get(&class, &staff).await.assert(StatusCode::NOT_FOUND);
    app.post(&class, &staff, &[("text", "x")])
        .await
        .assert(StatusCode::NOT_FOUND);
    // A pupil does not moderate; the teacher locks, the form disappears for pupils.
    app.post(
        &format!("{class}/moderation"),
        &student,
        &[("action", "lock")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post(
        &format!("{class}/moderation"),
        &teacher,
        &[("action", "lock")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&class, &student)
        .await
        .has("gesperrt")
        .lacks(r#"id="chat-form""#);
    app.post(&class, &student, &[("text", "Darf ich?")])
        .await
        .assert(StatusCode::FORBIDDEN);
}
