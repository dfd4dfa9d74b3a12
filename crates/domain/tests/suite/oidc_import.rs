//! Persons an import leaves out (Schild here; CSV and SVWS mark leavers the same way) lose
//! their connected tools as deactivation by hand does: once the admin confirms the
//! deletions, every token the tools hold for them is revoked and each tool session gets a
//! back-channel logout. On SQLite and PostgreSQL.

use crate::oidc_support;
use crate::support;
use oidc_support::{ISS, VERIFIER, auth, code, endpoint, logout_token_claims, payload, req};
use schulhof_domain::Db;
use schulhof_domain::oidc::{NewClient, OidcError};
use schulhof_store::backend_tests;
use support::{env, school_file};

async fn import_leavers_are_logged_out_of_tools(db: Db) {
    let mut e = env(db).await;
    e.platform = e.platform.clone().with_tool_urls_on_loopback();
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    let p = &e.platform;
    let login = {
        let mut h = p.db().read().await.expect("db");
        let school = schulhof_store::instances::find_by_number(&mut h, &e.school)
            .await
            .expect("q")
            .expect("school");
        schulhof_store::imports::source_persons(&mut h, school.id, "schild")
            .await
            .expect("persons")
            .into_iter()
            .find(|x| x.source_id == "S4")
            .expect("S4")
            .login
    };
    p.system_set_password(&e.school, &login, Some("schueler-passwort-1"))
        .await
        .expect("password");
    let pupil = e.login(&login, "schueler-passwort-1").await;
    let (bcl, mut rx) = endpoint().await;
    let tool = p
        .system_oidc_add_client(&NewClient {
            name: "Lern-App".into(),
            redirect_uris: vec!["https://a.example/cb".into()],
            public: true,
            backchannel_logout_uri: bcl,
            ..Default::default()
        })
        .await
        .expect("tool");
    let r = schulhof_domain::oidc::AuthRequest {
        issuer: ISS.into(),
        ..req(&tool, "a.example", "openid offline_access", true)
    };
    let k = code(p, &pupil, &r).await;
    let tokens = p
        .oidc_exchange_code(&auth(&tool), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let id = payload(&tokens);
    p.oidc_userinfo(&tokens.access_token).await.expect("usable");
    // The next file leaves the pupil out: marked only, nothing ends yet.
    persons.retain(|x| x.id != "S4");
    e.schild(&persons, &groups).await;
    assert_eq!(p.system_oidc_logouts_pending().await.expect("pending"), 0);
    p.oidc_userinfo(&tokens.access_token)
        .await
        .expect("still usable while only marked");
    let admin = e.admin().await;
    assert_eq!(p.confirm_deletions(&admin, &[]).await.expect("confirm"), 1);
    assert_eq!(
        p.oidc_userinfo(&tokens.access_token).await.err(),
        Some(OidcError::InvalidToken),
        "the tool's access token is revoked"
    );
    if !tokens.refresh_token.is_empty() {
        let e = p
            .oidc_refresh(&auth(&tool), &tokens.refresh_token, ISS)
            .await;
        assert!(e.is_err(), "the refresh token is revoked");
    }
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 1);
    let t = logout_token_claims(&mut rx).await;
    assert_eq!(t["sub"], id["sub"]);
    assert_eq!(t["sid"], id["sid"]);
}

backend_tests!(import_leavers_are_logged_out_of_tools);
