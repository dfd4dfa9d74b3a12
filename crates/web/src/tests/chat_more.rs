//! The chat's further pages with plain forms: muting, attachments (members only), reports
//! for the room's teachers, pins, search, quiet hours, the school's deletion period shown
//! in the room, the header's unread count, and a constant number of SQL statements for the
//! room list and a room however many rooms and messages there are.

use axum::http::StatusCode;
use chrono::Timelike;

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(moderation_attachments_and_search, quiet_hours_and_settings);

/// The href of the room called `name` in a room list page.
fn href_of(body: &str, name: &str) -> String {
    let at = body
        .find(&format!(">{name}</a>"))
        .expect("room in the list");
    let start = body[..at].rfind("href=\"").expect("href") + 6;
    body[start..at - 1].to_owned()
}

/// The seq the redirect after a post points at (`/chat/{id}#m-{seq}`).
fn seq_of(r: &Resp) -> String {
    r.location().rsplit("#m-").next().expect("seq").to_owned()
}

async fn moderation_attachments_and_search(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let staff = app.ready("personal").await;
    let class = href_of(&app.get("/chat", &teacher).await.body, "5a");
    // The header counts the teacher's unread message (with the session, no own query).
    app.get("/", &teacher).await.has(r#"id="chat-unread""#);
    // Mute: the teacher's form; the pupil's form is gone and a post is refused.
    app.post(
        &format!("{class}/stumm"),
        &student,
        &[("login", "lehrer"), ("minutes", "15")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post(
        &format!("{class}/stumm"),
        &teacher,
        &[("login", "schueler"), ("minutes", "15")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&class, &student)
        .await
        .has("vorübergehend stummgeschaltet")
        .lacks(r#"id="chat-form""#);
    app.post(&class, &student, &[("text", "Hallo?")])
        .await
        .assert(StatusCode::CONFLICT);
    app.get(&class, &teacher).await.has("hat stummgeschaltet:");
    app.post(
        &format!("{class}/stumm"),
        &teacher,
        &[("login", "schueler"), ("minutes", "0")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // A picture: stored, shown as itself, downloaded by members only.
    let png = b"\x89PNG\r\n\x1a\n-tafelbild-";
    let sent = app
        .post_multipart(
            &format!("{class}/anhang"),
            &student,
            &[("text", "Tafel")],
            ("file", "tafel.png", png),
        )
        .await;
    sent.assert(StatusCode::SEE_OTHER);
    let seq = seq_of(&sent);
    let href = format!("{class}/anhang/{seq}");
    app.get(&class, &teacher)
        .await
        .has(&format!(r#"<img src="{href}""#))
        .has(r#"alt="tafel.png""#);
    let got = app.get(&href, &teacher).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.headers["content-type"], "image/png");
    assert!(got.body.contains("-tafelbild-"));
    app.get(&href, &staff).await.assert(StatusCode::NOT_FOUND);
    app.post_multipart(
        &format!("{class}/anhang"),
        &student,
        &[("voice", "1")],
        ("file", "x.webm", b"kein ton"),
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    // Reports go to the teachers; pins show in the room.
    app.post(
        &format!("{class}/melden/{seq}"),
        &teacher,
        &[("reason", "Bitte prüfen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("{class}/meldungen"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Bitte prüfen");
    app.get(&format!("{class}/meldungen"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("{class}/meldungen"), &staff)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.post(
        &format!("{class}/anheften/{seq}"),
        &teacher,
        &[("action", "pin")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{class}/anheften/{seq}"),
        &student,
        &[("action", "unpin")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.get(&class, &student)
        .await
        .has(r#"id="pins-h""#)
        .has("hat eine Nachricht angeheftet:");
    // Search: the caller's rooms only.
    app.get("/chat/suche?q=wandertag", &student)
        .await
        .assert(StatusCode::OK)
        .has("Guten Morgen, 5a!");
    app.get("/chat/suche?q=wandertag", &staff)
        .await
        .assert(StatusCode::OK)
        .lacks("Guten Morgen, 5a!");
    // Silencing the room takes it out of the header's count.
    app.post(
        &format!("{class}/benachrichtigungen"),
        &teacher,
        &[("silenced", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/chat/suche", &teacher)
        .await
        .lacks(r#"id="chat-unread""#);
}

async fn quiet_hours_and_settings(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let class = href_of(&app.get("/chat", &teacher).await.body, "5a");
    // Quiet hours around now (Berlin): the pupil's message waits, the teacher does not see it.
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin);
    let m = now.hour() * 60 + now.minute();
    let hhmm = |m: u32| format!("{:02}:{:02}", m / 60 % 24, m % 60);
    let (from, to) = (hhmm(m), hhmm((m + 720) % 1440));
    app.post(
        &format!("{class}/ruhezeit"),
        &student,
        &[("from", &from), ("to", &to)],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post(
        &format!("{class}/ruhezeit"),
        &teacher,
        &[("from", &from), ("to", &to)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(&class, &student, &[("text", "Nachts geschrieben")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&class, &student)
        .await
        .has("Nachts geschrieben")
        .has("Wartet auf das Ende der Ruhezeit");
    app.get(&class, &teacher)
        .await
        .lacks("Nachts geschrieben")
        .has(&format!("Ruhezeiten: {from}–{to}"));
    // The school's deletion period: the admin's page, and every room says so.
    app.get("/chat/einstellungen", &teacher)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/chat/einstellungen", &admin)
        .await
        .assert(StatusCode::OK);
    app.get("/verwaltung/schule", &admin)
        .await
        .has("href=\"/chat/einstellungen\"");
    app.post("/chat/einstellungen", &admin, &[("days", "zwei")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.post("/chat/einstellungen", &admin, &[("days", "365")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&class, &student)
        .await
        .has("Nachrichten werden nach 365 Tagen gelöscht.");
}

#[tokio::test]
async fn the_room_list_and_a_room_cost_the_same_statements_however_full() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let class = href_of(&app.get("/chat", &teacher).await.body, "5a");
    statements_of(&app, "/chat", &teacher).await;
    let few_list = statements_of(&app, "/chat", &teacher).await;
    let few_room = statements_of(&app, &class, &teacher).await;
    let actor = {
        let s = app
            .platform
            .session(teacher.split_once('=').expect("cookie").1)
            .await
            .expect("session");
        s.actor
    };
    for login in ["schueler", "personal"] {
        let room = app
            .platform
            .chat_open_direct(&actor, login)
            .await
            .expect("direct");
        app.platform
            .chat_send(&actor, room, "Hallo", None)
            .await
            .expect("send");
    }
    let room: schulhof_domain::chat::RoomId =
        class.trim_start_matches("/chat/").parse().expect("room id");
    for i in 0..30 {
        app.platform
            .chat_send(&actor, room, &format!("Nachricht {i}"), None)
            .await
            .expect("send");
    }
    let many_list = statements_of(&app, "/chat", &teacher).await;
    let many_room = statements_of(&app, &class, &teacher).await;
    assert!(few_list > 0, "statements are counted");
    assert_eq!(
        few_list, many_list,
        "the room list does not grow with its rooms"
    );
    assert_eq!(
        few_room, many_room,
        "a room does not grow with its messages"
    );
}
