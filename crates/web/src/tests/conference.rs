//! The video-conference page of a chat room: the link from the room, the start button for
//! teachers only, camera/microphone/screen allowed on this page alone, 404 for a stranger;
//! the admin's consent form (audio/video conferences) on a student's user card.

use axum::http::StatusCode;

use super::*;

on_both_backends!(
    conference_page,
    consent_form_on_the_user_card,
    guest_link_waiting_room_and_admission
);

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

/// The conference page of 5a as `who` sees it, and its path.
async fn conference_of_5a(app: &App, who: &str) -> String {
    let list = app.get("/chat", who).await;
    let at = list.body.find(">5a</a>").expect("room of 5a");
    let start = list.body[..at].rfind("href=\"").expect("href") + 6;
    format!("{}/konferenz", &list.body[start..at - 1])
}

/// Link → name → waiting → admitted (the pass then opens the conference) → revoked: 404.
async fn guest_link_waiting_room_and_admission(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let page = conference_of_5a(&app, &teacher).await;
    app.get(&page, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(r#"id="gaeste""#)
        .has(r#"<label for="guest-valid">"#)
        .has("Niemand wartet.");
    app.get(&page, &student)
        .await
        .assert(StatusCode::OK)
        .lacks(r#"id="gaeste""#);
    // Pupils create no links; a made-up validity changes nothing.
    let create = format!("{page}/gastlinks");
    let r = app.post(&create, &student, &[("stunden", "3")]).await;
    assert!(matches!(
        r.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    app.post(&create, &teacher, &[("stunden", "viel")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let made = app.post(&create, &teacher, &[("stunden", "3")]).await;
    made.assert(StatusCode::OK).has("Gastlink erstellt");
    assert_eq!(made.headers["cache-control"], "no-store");
    let at = made.body.find("/konferenz/gast/").expect("link shown") + 16;
    let secret: String = made.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let guest_page = format!("/konferenz/gast/{secret}");

    // The guest, without a login: a name form; an empty name is refused.
    let form = app.get(&guest_page, "").await;
    form.assert(StatusCode::OK)
        .has(r#"<label for="guest-name">"#)
        .lacks("schulhof_session");
    app.post(&guest_page, "", &[("name", "  ")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"role="alert""#);
    let arrived = app.post(&guest_page, "", &[("name", "Frau Meier")]).await;
    arrived.assert(StatusCode::SEE_OTHER);
    let cookie = arrived.cookie("schulhof_guest").expect("pass cookie");
    let waiting = app.get(&guest_page, &cookie).await;
    waiting
        .assert(StatusCode::OK)
        .has(r#"aria-live="polite">Warten auf die Moderation"#)
        .has(r#"data-socket="/api/v1/conference/guest/socket""#);
    assert!(
        waiting.headers["permissions-policy"]
            .to_str()
            .expect("a")
            .contains("camera=(self)")
    );
    let stand = format!("{guest_page}/stand");
    app.get(&stand, &cookie).await.has(r#""state":"waiting""#);
    app.get(&stand, "").await.assert(StatusCode::NOT_FOUND);

    // The teacher sees who waits (page and JSON) and admits her.
    app.get(&page, &teacher).await.has("Frau Meier");
    let list = app.get(&format!("{page}/warteraum"), &teacher).await;
    list.assert(StatusCode::OK).has(r#""name":"Frau Meier""#);
    let at = list.body.find(r#""id":""#).expect("guest id") + 6;
    let id = list.body[at..at + 36].to_owned();
    app.get(&format!("{page}/warteraum"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    let decide = format!("{page}/warteraum/{id}");
    app.post(&decide, &student, &[("entscheidung", "einlassen")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(&decide, &teacher, &[("entscheidung", "vielleicht")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .post(&decide, &teacher, &[("entscheidung", "einlassen")])
        .await;
    assert_eq!(done.location(), format!("{page}#gaeste"));
    app.get(&stand, &cookie).await.has(r#""state":"admitted""#);
    app.get(&guest_page, &cookie)
        .await
        .has("Eingelassen.")
        .has("/static/conference.js?v=");

    // Her pass opens the room's conference once it runs (the guest socket's check).
    let pass = cookie.split_once('=').expect("kv").1;
    let session = teacher.split_once('=').expect("kv").1;
    let lehrer = app.platform.session(session).await.expect("s").actor;
    let room = page
        .trim_end_matches("/konferenz")
        .trim_start_matches("/chat/");
    let room = room.parse().expect("room id");
    assert!(
        app.platform.conference_guest_join(pass).await.is_err(),
        "not running yet"
    );
    let host = schulhof_domain::conference::MediaHost {
        node: "local".into(),
        media_addr: "127.0.0.1:40000".into(),
    };
    app.platform
        .conference_start(&lehrer, room, &host)
        .await
        .expect("start");
    let view = app
        .platform
        .conference_guest_join(pass)
        .await
        .expect("join");
    assert!(
        view.participants
            .iter()
            .any(|p| p.guest && p.name == "Frau Meier")
    );

    // Revoked: the guest page, its state and the pass answer 404.
    let links = app
        .platform
        .conference_guest_links(&lehrer, room)
        .await
        .expect("links");
    let revoke = format!("{page}/gastlinks/{}/widerrufen", links[0].id);
    app.post(&revoke, &student, &[])
        .await
        .assert(StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&revoke, &teacher, &[]).await.location(),
        format!("{page}#gaeste")
    );
    app.get(&guest_page, &cookie)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&stand, &cookie).await.assert(StatusCode::NOT_FOUND);
    app.get("/konferenz/gast/erfunden-und-lang-genug-1234", "")
        .await
        .assert(StatusCode::NOT_FOUND);
}
