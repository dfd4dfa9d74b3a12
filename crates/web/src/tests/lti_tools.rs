//! LTI tools registered on the web, on SQLite and PostgreSQL: a school's admin registers one
//! with pasted keys and sees what to configure in the tool; a key set URL into the server's
//! own network is refused at its field (SSRF) and nothing stored; pupils cannot reach the
//! page; the registration is audited; the operator registers a state-wide one. A launch of
//! a tool registered for the name waits at the consent screen like an OpenID Connect login:
//! the screen names the data, sharing records the consent and resumes the launch, cancelling
//! resumes it as cancelled.

use axum::http::StatusCode;

use super::{App, app, app_on_postgres};

const JWK: &str = r#"{"kty":"RSA","kid":"k1","alg":"RS256","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB","d":"private-part"}"#;

async fn scenario(app: App) {
    let admin = app.ready("admin").await;
    let pupil = app.ready("schueler").await;
    app.get("/verwaltung/werkzeuge/lti", &pupil)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .has("/verwaltung/werkzeuge/lti");
    app.get("/verwaltung/werkzeuge/lti", &admin)
        .await
        .assert(StatusCode::OK)
        .has("jwks_url");
    let base = [
        ("name", "Lernwerkzeug"),
        ("login_url", "https://lern.example/login"),
        ("target_link_uri", "https://lern.example/launch"),
    ];
    for internal in [
        "https://10.0.0.7/jwks.json",
        "https://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9/jwks.json",
        "https://[fd00::7]/jwks.json",
    ] {
        let mut form = base.to_vec();
        form.push(("jwks_url", internal));
        app.post("/verwaltung/werkzeuge/lti", &admin, &form)
            .await
            .assert(StatusCode::UNPROCESSABLE_ENTITY)
            .has("internal");
    }
    let mut none = base.to_vec();
    none.push(("jwks", ""));
    app.post("/verwaltung/werkzeuge/lti", &admin, &none)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .lacks("Lernwerkzeug");
    let mut form = base.to_vec();
    form.extend([
        ("jwks", JWK),
        ("redirect_uris", "https://lern.example/launch2"),
        ("claim_name", "ja"),
    ]);
    let r = app.post("/verwaltung/werkzeuge/lti", &admin, &form).await;
    r.assert(StatusCode::OK)
        .has("deployment_id")
        .has("/lti/authorize")
        .has("/oidc/jwks");
    app.get("/verwaltung/werkzeuge", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Lernwerkzeug");
    let who = app
        .platform
        .session(admin.split_once('=').map_or(&admin[..], |(_, v)| v))
        .await
        .expect("session")
        .actor;
    let tools = app.platform.lti_tools(&who).await.expect("tools");
    assert!(tools.iter().any(|t| t.name == "Lernwerkzeug"));
    let mut c = app.platform.db().read().await.expect("db");
    let audit: Vec<String> =
        schulhof_store::audit::system_list_kind(&mut c, who.token.instance(), "admin")
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
    assert!(audit.iter().any(|a| a == "tool.register"), "{audit:?}");
}

async fn operator_scenario(app: App) {
    let op = super::operator::operator_cookie(&app).await;
    let admin = app.ready("admin").await;
    let school = app.get("/betrieb/werkzeuge/lti", &admin).await;
    assert_ne!(school.status, StatusCode::OK);
    app.get("/betrieb/werkzeuge/lti", &op)
        .await
        .assert(StatusCode::OK);
    let form = [
        ("name", "Landeswerkzeug"),
        ("login_url", "https://land.example/login"),
        ("target_link_uri", "https://land.example/launch"),
        ("jwks_url", "https://192.168.1.1/jwks"),
    ];
    app.post("/betrieb/werkzeuge/lti", &op, &form)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let form = [
        ("name", "Landeswerkzeug"),
        ("login_url", "https://land.example/login"),
        ("target_link_uri", "https://land.example/launch"),
        ("jwks", JWK),
    ];
    app.post("/betrieb/werkzeuge/lti", &op, &form)
        .await
        .assert(StatusCode::OK)
        .has("deployment_id");
    app.get("/betrieb/werkzeuge", &op)
        .await
        .assert(StatusCode::OK)
        .has("Landeswerkzeug");
}

async fn consent_scenario(app: App) {
    let reg = app
        .platform
        .system_lti_add_tool(&schulhof_domain::lti::NewLtiTool {
            school: Some("100000".into()),
            name: "Namenswerkzeug".into(),
            login_url: "https://lern.example/login".into(),
            target_link_uri: "https://lern.example/launch".into(),
            jwks: JWK.into(),
            claims: vec!["name".into()],
            terms: "Ergebnisse bleiben ein Schuljahr.".into(),
            ..Default::default()
        })
        .await
        .expect("tool");
    let pupil = app.ready("schueler").await;
    let waiting = format!(
        "/lti/authorize?client_id={}&lti_message_hint=h&login_hint=h&nonce=n\
         &redirect_uri=https%3A%2F%2Flern.example%2Flaunch&response_mode=form_post\
         &response_type=id_token&scope=openid",
        reg.client_id
    );
    let enc = crate::url::encode(&waiting);
    app.get(&format!("/oidc/zustimmung?weiter={enc}"), &pupil)
        .await
        .assert(StatusCode::OK)
        .has("Namenswerkzeug")
        .has("Vor- und Nachname")
        .has("Ergebnisse bleiben ein Schuljahr.");
    let cancel = app
        .post(
            "/oidc/zustimmung",
            &pupil,
            &[("weiter", waiting.as_str()), ("antwort", "abbrechen")],
        )
        .await;
    assert_eq!(
        cancel.location(),
        format!("{waiting}&schulhof_abgebrochen=1")
    );
    let share = app
        .post(
            "/oidc/zustimmung",
            &pupil,
            &[("weiter", waiting.as_str()), ("antwort", "teilen")],
        )
        .await;
    assert_eq!(share.location(), waiting, "the launch resumes");
    let who = app
        .platform
        .session(pupil.split_once('=').map_or(&pupil[..], |(_, v)| v))
        .await
        .expect("session")
        .actor;
    let mine = app.platform.oidc_my_tools(&who).await.expect("tools");
    assert!(
        mine.iter()
            .any(|t| t.name == "Namenswerkzeug" && t.claims.iter().any(|c| c == "name")),
        "{mine:?}"
    );
}

#[tokio::test]
async fn lti_consent_screen_on_sqlite() {
    consent_scenario(app().await).await;
}

#[tokio::test]
async fn lti_consent_screen_on_postgres() {
    consent_scenario(app_on_postgres().await).await;
}

#[tokio::test]
async fn lti_tools_page_on_sqlite() {
    scenario(app().await).await;
}

#[tokio::test]
async fn lti_tools_page_on_postgres() {
    scenario(app_on_postgres().await).await;
}

#[tokio::test]
async fn operator_lti_tools_page_on_sqlite() {
    operator_scenario(app().await).await;
}

#[tokio::test]
async fn operator_lti_tools_page_on_postgres() {
    operator_scenario(app_on_postgres().await).await;
}
