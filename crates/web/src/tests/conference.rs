//! The video-conference page of a chat room: the link from the room, the start button for
//! teachers only, camera/microphone/screen allowed on this page alone, 404 for a stranger;
//! the admin's consent form (audio/video conferences) on a student's user card.

use axum::http::StatusCode;

use super::*;

on_both_backends!(conference_page, consent_form_on_the_user_card);

async fn conference_page(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let staff = app.ready("personal").await;
    let list = app.get("/chat", &teacher).await;
    let at = list.body.find(">5a</a>").expect("room of 5a");
    let start = list.body[..at].rfind("href=\"").expect("href") + 6;
    let room_page = list.body[start..at - 1].to_owned();
    let page = format!("{room_page}/konferenz");
    app.get(&room_page, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!(r#"href="{page}""#))
        .has("Videokonferenz starten/beitreten");
    let t = app.get(&page, &teacher).await;
    t.assert(StatusCode::OK)
        .has(r#"id="conf-start">"#)
        .has("/static/conference.js?v=")
        .has(r#"aria-live="polite""#);
    let policy = t.headers["permissions-policy"].to_str().expect("ascii");
    assert!(policy.contains("camera=(self)") && policy.contains("display-capture=(self)"));
    // Every other page keeps the server's "camera=()" (set by the server's header layer).
    let room = app.get(&room_page, &teacher).await;
    assert!(!room.headers.contains_key("permissions-policy"));
    // A pupil sees no start button; a stranger to the room gets 404.
    app.get(&page, &student)
        .await
        .assert(StatusCode::OK)
        .has(r#"id="conf-start" hidden>"#);
    app.get(&page, &staff).await.assert(StatusCode::NOT_FOUND);
    app.get("/chat/nonsense/konferenz", &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn consent_form_on_the_user_card(app: App) {
    let admin = app.ready("admin").await;
    let card = app.get("/verwaltung/benutzer/schueler", &admin).await;
    card.assert(StatusCode::OK)
        .has(r#"id="einwilligung""#)
        .has(r#"action="/verwaltung/benutzer/schueler/einwilligung""#)
        .has(r#"<label for="consent-audio">"#)
        .has(r#"name="video" value="ja">"#);
    // Teachers' cards carry no consent form: the gate is for students.
    app.get("/verwaltung/benutzer/lehrer", &admin)
        .await
        .assert(StatusCode::OK)
        .lacks(r#"id="einwilligung""#);
    let saved = app
        .post(
            "/verwaltung/benutzer/schueler/einwilligung",
            &admin,
            &[("audio", "ja")],
        )
        .await;
    assert_eq!(
        saved.location(),
        "/verwaltung/benutzer/schueler?ok=av_consent_saved#einwilligung"
    );
    app.get("/verwaltung/benutzer/schueler?ok=av_consent_saved", &admin)
        .await
        .has("Die Einwilligung ist gespeichert.")
        .has(r#"name="audio" value="ja" checked>"#)
        .has(r#"name="video" value="ja">"#);
    // A teacher and a student may not set it: refused by the policy, nothing changes.
    for who in ["lehrer", "schueler"] {
        let c = app.ready(who).await;
        let r = app
            .post(
                "/verwaltung/benutzer/schueler/einwilligung",
                &c,
                &[("audio", "ja"), ("video", "ja")],
            )
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{who}: {}",
            r.status
        );
    }
    app.get("/verwaltung/benutzer/schueler", &admin)
        .await
        .has(r#"name="video" value="ja">"#);
}
