use axum::http::{StatusCode, header};

use super::*;

#[tokio::test]
async fn the_start_page_offers_a_labelled_login_form() {
    let app = app().await;
    let r = app.get("/", "").await;
    r.assert(StatusCode::OK)
        .has(r#"<html lang="de">"#)
        .has("Demo-Gymnasium")
        .has("Demo-Modus")
        .has(r#"<label for="login">Benutzername oder E-Mail-Adresse"#)
        .has(r#"autocomplete="username""#)
        .has(r#"<label for="passwort">Passwort"#)
        .has(r#"autocomplete="current-password""#)
        // One school only: its number goes along unseen.
        .has(r#"<input type="hidden" name="schule" value="100000">"#)
        .has(r##"href="#main""##)
        .has(r#"<main id="main""#);
    assert_eq!(r.body.matches("<h1").count(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_same_message_and_401() {
    let app = app().await;
    let wrong = app
        .post(
            "/anmelden",
            "",
            &[
                ("schule", "100000"),
                ("login", "lehrer"),
                ("passwort", "falsch-falsch"),
            ],
        )
        .await;
    wrong
        .assert(StatusCode::UNAUTHORIZED)
        .has("Schulnummer, Benutzername oder Passwort stimmen nicht.")
        .has(r#"value="lehrer""#);
    assert!(wrong.cookie(schulhof_front::SESSION_COOKIE).is_none());
    let unknown = app
        .post(
            "/anmelden",
            "",
            &[
                ("schule", "100000"),
                ("login", "niemand"),
                ("passwort", "falsch-falsch"),
            ],
        )
        .await;
    unknown
        .assert(StatusCode::UNAUTHORIZED)
        .has("Schulnummer, Benutzername oder Passwort stimmen nicht.");
}

#[tokio::test]
async fn a_busy_server_answers_503_with_retry_after_and_keeps_the_input() {
    let seeded = app().await;
    let busy = Platform::new(
        seeded.platform.db().clone(),
        Arc::new(SystemClock),
        Config {
            max_login_queue: 0,
            ..config()
        },
    );
    let app = App::with_platform(busy, seeded._db);
    let r = app
        .post(
            "/anmelden",
            "",
            &[
                ("schule", "100000"),
                ("login", "lehrer"),
                ("passwort", "schulhof-demo"),
            ],
        )
        .await;
    r.assert(StatusCode::SERVICE_UNAVAILABLE)
        .has("Gerade melden sich sehr viele Personen")
        .has(r#"value="lehrer""#);
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    assert!(r.location().is_empty(), "never a redirect");
}

#[tokio::test]
async fn login_leads_through_consent_to_the_home_screen() {
    let app = app().await;
    let cookie = app.login("lehrer", "schulhof-demo").await;
    assert_eq!(app.get("/", &cookie).await.location(), "/zustimmung");
    assert_eq!(
        app.get("/konto", &cookie).await.location(),
        "/zustimmung",
        "every page waits for consent"
    );
    app.get("/zustimmung", &cookie)
        .await
        .assert(StatusCode::OK)
        .has("Nutzungsbedingungen")
        .has("Datenschutzhinweise zur Kenntnis genommen");
    // Accepting without acknowledging the privacy policy is not enough.
    let half = app
        .post("/zustimmung", &cookie, &[("antwort", "annehmen")])
        .await;
    half.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"aria-invalid="true""#)
        .has("datenschutz-error");
    let ok = app
        .post(
            "/zustimmung",
            &cookie,
            &[("antwort", "annehmen"), ("datenschutz", "ja")],
        )
        .await;
    ok.assert(StatusCode::SEE_OTHER);
    let home = app.get(ok.location(), &cookie).await;
    home.assert(StatusCode::OK)
        .has("Willkommen, Lena Lehmann")
        .has("Mein Konto")
        .has(r#"href="/gruppen""#)
        .has(r#"role="status""#)
        .has("zugestimmt");
    home.lacks(r#"href="/verwaltung/benutzer""#);
}

#[tokio::test]
async fn declining_consent_leaves_no_access() {
    let app = app().await;
    let cookie = app.login("schueler", "schulhof-demo").await;
    let r = app
        .post("/zustimmung", &cookie, &[("antwort", "ablehnen")])
        .await;
    r.assert(StatusCode::FORBIDDEN)
        .has("Kein Zugang ohne Zustimmung")
        .has(r#"action="/abmelden""#);
    assert_eq!(app.get("/", &cookie).await.location(), "/zustimmung");
}

#[tokio::test]
async fn tiles_follow_the_account() {
    let app = app().await;
    let student = app.ready("schueler").await;
    app.get("/", &student)
        .await
        .assert(StatusCode::OK)
        .lacks("/verwaltung/benutzer")
        .lacks(r#"href="/gruppen""#);
    let admin = app.ready("admin").await;
    app.get("/", &admin)
        .await
        .has(r#"href="/verwaltung/benutzer""#)
        .has(r#"href="/verwaltung/gruppen""#)
        .has(r#"href="/verwaltung/protokoll""#);
}

#[tokio::test]
async fn logged_out_visitors_are_sent_to_the_login_and_back() {
    let app = app().await;
    for path in ["/konto", "/gruppen", "/verwaltung/benutzer"] {
        let r = app.get(path, "").await;
        r.assert(StatusCode::SEE_OTHER);
        let back = format!("/anmelden?zurueck={}", url::encode(path));
        assert_eq!(r.location(), back, "{path}");
    }
    // The consent gate needs a session; without one, the start page with its login.
    assert_eq!(app.get("/zustimmung", "").await.location(), "/");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = app().await;
    let cookie = app.ready("lehrer").await;
    let r = app.post("/abmelden", &cookie, &[]).await;
    assert_eq!(r.location(), "/?ok=logged_out");
    assert_eq!(
        app.get("/konto", &cookie).await.location(),
        "/anmelden?zurueck=%2Fkonto"
    );
    app.get("/?ok=logged_out", "")
        .await
        .has("Sie sind abgemeldet.");
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_goes_back_only_locally() {
    let app = app().await;
    let r = app.get("/sprache?lang=en&zurueck=%2Fkonto", "").await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/konto");
    assert_eq!(r.cookie("lang").as_deref(), Some("lang=en"));
    for evil in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        assert_eq!(
            app.get(&format!("/sprache?lang=en&zurueck={evil}"), "")
                .await
                .location(),
            "/"
        );
    }
    let cookie = app.ready("lehrer").await;
    let english = app.get("/konto", &format!("{cookie}; lang=en")).await;
    english
        .assert(StatusCode::OK)
        .has(r#"<html lang="en">"#)
        .has("My account")
        .has(r#"<h3 id="rights-dateien">Files</h3>"#)
        .lacks("Dateien</h3>");
    app.get("/", "lang=en")
        .await
        .has("User name or mail address")
        .has(r#"lang="de""#);
}

#[tokio::test]
async fn the_stylesheet_is_served_with_a_long_cache_lifetime() {
    let app = app().await;
    let r = app.get("/static/app.css", "").await;
    r.assert(StatusCode::OK).has(":focus-visible");
    let cache = r
        .headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cache.contains("max-age=31536000"), "{cache}");
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_429_and_retry_after() {
    let app = app().await;
    let form = [
        ("schule", "100000"),
        ("login", "schueler"),
        ("passwort", "falsch-falsch"),
    ];
    let mut last = app.post("/anmelden", "", &form).await;
    for _ in 0..10 {
        if last.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        last = app.post("/anmelden", "", &form).await;
    }
    last.assert(StatusCode::TOO_MANY_REQUESTS)
        .has("Zu viele fehlgeschlagene Anmeldungen")
        .has(r#"value="schueler""#);
    assert!(last.headers.get(header::RETRY_AFTER).is_some());
}
