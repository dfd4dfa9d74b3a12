//! Connected tools in the pages, on SQLite and PostgreSQL: a school's admin registers a tool
//! (the secret shown once, a bad redirect URI refused at its field and nothing stored), sees
//! it with counts only, and sets the under-16 rule; another school never sees it; a pupil
//! sees the tools consented to in Mein Konto and withdraws (tokens end); pupils cannot reach
//! the admin page; the operator registers a state-wide tool.

use axum::http::StatusCode;
use schulhof_domain::identity::Actor;
use schulhof_domain::oidc::{AuthRequest, Authorized, ClientAuth, OidcError};

use super::{App, app, app_on_postgres};

async fn actor(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

fn field<'a>(body: &'a str, after: &str) -> &'a str {
    let start = body.find(after).expect(after) + after.len();
    let rest = &body[start..];
    let code = rest.find("<code>").expect("code") + 6;
    let end = rest[code..].find("</code>").expect("end");
    &rest[code..code + end]
}

async fn scenario(app: App) {
    let admin = app.ready("admin").await;
    let pupil = app.ready("schueler").await;
    app.get("/verwaltung/werkzeuge", &pupil)
        .await
        .assert(StatusCode::FORBIDDEN);
    let bad = [
        ("name", "Schulbuch"),
        ("redirect_uris", "http://buch.example/cb"),
    ];
    app.post("/verwaltung/werkzeuge", &admin, &bad)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("https");
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .lacks("Schulbuch");
    let form = [
        ("name", "Schulbuch"),
        ("redirect_uris", "https://buch.example/cb"),
        ("claim_name", "ja"),
        ("terms", "Nur im Unterricht."),
        ("backchannel_logout_uri", "https://buch.example/bcl"),
    ];
    let r = app.post("/verwaltung/werkzeuge", &admin, &form).await;
    r.assert(StatusCode::OK).has("client_secret");
    let client_id = field(&r.body, "client_id</dt>").to_owned();
    let secret = field(&r.body, "client_secret</dt>").to_owned();
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Schulbuch")
        .has(&client_id)
        .lacks(&secret);
    // The pupil consents and logs in to the tool; the admin sees counts, not persons.
    let anna = actor(&app, &pupil).await;
    let r = AuthRequest {
        client_id: client_id.clone(),
        redirect_uri: "https://buch.example/cb".into(),
        response_type: "code".into(),
        scope: "openid profile".into(),
        issuer: "https://schulhof.example".into(),
        ..Default::default()
    };
    app.platform
        .oidc_give_consent(&anna, &client_id, &r.scope, true)
        .await
        .expect("consent");
    let Ok(Authorized::Code { code, .. }) = app.platform.oidc_authorize(Some(&anna), &r).await
    else {
        panic!("a code");
    };
    let auth = ClientAuth {
        client_id: client_id.clone(),
        secret: Some(secret),
    };
    let t = app
        .platform
        .oidc_exchange_code(
            &auth,
            &code,
            &r.redirect_uri,
            None,
            "https://schulhof.example",
        )
        .await
        .expect("tokens");
    let list = app.get("/verwaltung/werkzeuge", &admin).await;
    let full_name = format!("{} {}", anna.user.first_name, anna.user.last_name);
    list.assert(StatusCode::OK)
        .has("Personen mit Zustimmung\">1</td>")
        .has("Personen angemeldet\">1</td>")
        .lacks(&full_name);
    // Mein Konto: the tool, when, which data; withdrawing ends the tokens.
    app.get("/konto/werkzeuge", &pupil)
        .await
        .assert(StatusCode::OK)
        .has("Schulbuch")
        .has("Vor- und Nachname");
    let r = app
        .post(
            &format!("/konto/werkzeuge/{client_id}/widerrufen"),
            &pupil,
            &[],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/konto/werkzeuge?ok=tool_revoked");
    app.get("/konto/werkzeuge", &pupil)
        .await
        .assert(StatusCode::OK)
        .lacks("Schulbuch");
    assert_eq!(
        app.platform.oidc_userinfo(&t.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    app.post(
        &format!("/konto/werkzeuge/{client_id}/widerrufen"),
        &pupil,
        &[],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    // The under-16 rule.
    let r = app
        .post(
            "/verwaltung/werkzeuge/unter16",
            &admin,
            &[("under16", "school")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(
        app.platform
            .oidc_under16(&actor(&app, &admin).await)
            .await
            .expect("rule")
            .as_str(),
        "school"
    );
    // Another school does not see the tool.
    app.platform
        .system_create_school("200000", "Andere Schule")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-1"))
        .await
        .expect("password");
    let s = app
        .platform
        .login("200000", "admin", "admin-passwort-1", "127.0.0.1")
        .await
        .expect("login");
    let other = app
        .platform
        .session(&s.cookie)
        .await
        .expect("session")
        .actor;
    let theirs = app.platform.oidc_school_tools(&other).await.expect("tools");
    assert!(theirs.iter().all(|t| t.client_id != client_id));
}

/// The operator registers a state-wide tool in the console: a bad redirect URI is refused
/// and nothing stored; the secret is shown once; the list shows it with counts; a school's
/// session does not open the console page; the school admin's page lists it as state-wide
/// without its secret.
async fn operator_scenario(app: App) {
    let op = super::operator::operator_cookie(&app).await;
    let admin = app.ready("admin").await;
    let school_session = app.get("/betrieb/werkzeuge", &admin).await;
    assert_ne!(
        school_session.status,
        StatusCode::OK,
        "{}",
        school_session.body
    );
    assert!(!school_session.body.contains("Mediathek"));
    let bad = [
        ("name", "Mediathek"),
        ("redirect_uris", "ftp://medien.example/cb"),
    ];
    app.post("/betrieb/werkzeuge", &op, &bad)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.get("/betrieb/werkzeuge", &op)
        .await
        .assert(StatusCode::OK)
        .lacks("Mediathek");
    let form = [
        ("name", "Mediathek"),
        ("redirect_uris", "https://medien.example/cb"),
    ];
    let r = app.post("/betrieb/werkzeuge", &op, &form).await;
    r.assert(StatusCode::OK).has("client_secret");
    let client_id = field(&r.body, "client_id</dt>").to_owned();
    let secret = field(&r.body, "client_secret</dt>").to_owned();
    app.get("/betrieb/werkzeuge", &op)
        .await
        .assert(StatusCode::OK)
        .has("Mediathek")
        .has(&client_id)
        .lacks(&secret);
    // The ID tokens' signature is chosen at registration: RS256 or ES256, nothing else.
    app.get("/betrieb/werkzeuge", &op)
        .await
        .has("Signatur der ID-Tokens")
        .has(r#"<option value="ES256""#);
    let karten = |alg| {
        [
            ("name", "Karten"),
            ("redirect_uris", "https://karten.example/cb"),
            ("id_token_signed_response_alg", alg),
        ]
    };
    app.post("/betrieb/werkzeuge", &op, &karten("HS256"))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("RS256 or ES256");
    app.post("/betrieb/werkzeuge", &op, &karten("ES256"))
        .await
        .assert(StatusCode::OK)
        .has("client_id");
    let jwks = app.platform.oidc_jwks().await.expect("jwks");
    let keys = jwks["keys"].as_array().expect("keys");
    assert!(
        keys.iter()
            .any(|k| k["alg"] == "ES256" && k["crv"] == "P-256"),
        "the P-256 key is published at the registration: {jwks}"
    );
    let school = actor(&app, &admin).await;
    let seen = app
        .platform
        .oidc_school_tools(&school)
        .await
        .expect("tools");
    assert!(
        seen.iter().any(|t| t.client_id == client_id),
        "state-wide tools reach every school"
    );
}

#[tokio::test]
async fn operator_tools_page_on_sqlite() {
    operator_scenario(app().await).await;
}

#[tokio::test]
async fn operator_tools_page_on_postgres() {
    operator_scenario(app_on_postgres().await).await;
}

#[tokio::test]
async fn tools_pages_on_sqlite() {
    scenario(app().await).await;
}

#[tokio::test]
async fn tools_pages_on_postgres() {
    scenario(app_on_postgres().await).await;
}
