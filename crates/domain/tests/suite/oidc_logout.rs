//! Central logout for connected tools on SQLite and PostgreSQL: the `sid` of a tool session
//! in ID tokens; platform logout, deactivation and withdrawn consent queue back-channel
//! logout tokens (delivered by the worker to a real HTTP endpoint, retried when it fails)
//! and hand out front-channel URIs; tokens revoked; the under-16 rule; prompt/max_age; the
//! administrators' tool lists with counts, each school seeing only its own tools.

use crate::calendar_support;
use crate::oidc_support;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calendar_support::*;
use oidc_support::*;
use schulhof_domain::oidc::{AuthRequest, Authorized, NewClient, OidcError, RegisteredClient};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use tokio::sync::mpsc;

async fn tool(p: &Platform, host: &str, bcl: &str, fcl: &str, terms: &str) -> RegisteredClient {
    p.system_oidc_add_client(&NewClient {
        name: format!("Werkzeug {host}"),
        redirect_uris: vec![format!("https://{host}/cb")],
        public: true,
        terms: terms.into(),
        backchannel_logout_uri: bcl.into(),
        frontchannel_logout_uri: fcl.into(),
        ..Default::default()
    })
    .await
    .expect("client")
}

fn claims_of(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

/// Logs `c` in for `a` and returns the ID token's claims.
async fn use_tool(
    p: &Platform,
    a: &schulhof_domain::identity::Actor,
    c: &RegisteredClient,
    host: &str,
) -> (serde_json::Value, String) {
    let r = AuthRequest {
        issuer: ISS.into(),
        ..req(c, host, "openid", true)
    };
    let k = code(p, a, &r).await;
    let t = p
        .oidc_exchange_code(&auth(c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    (payload(&t), t.access_token)
}

async fn logout_token(rx: &mut mpsc::UnboundedReceiver<String>) -> serde_json::Value {
    let body = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a logout token in time")
        .expect("body");
    let token = body.strip_prefix("logout_token=").expect("form body");
    claims_of(token)
}

/// The test school, its platform allowed to send to tools on loopback (where `endpoint`
/// listens); without that setting loopback is refused like every internal address.
async fn looped(db: Db) -> School {
    school_on(platform(db).with_tool_urls_on_loopback(), "123456").await
}

async fn platform_logout_reaches_tools(db: Db) {
    let s = looped(db).await;
    let p = &s.platform;
    let (bcl, mut rx) = endpoint().await;
    let a = tool(p, "a.example", &bcl, "https://a.example/fcl", "").await;
    let b = tool(p, "b.example", "", "", "").await;
    let session = p
        .login(s.number, "anna", PW, "127.0.0.1")
        .await
        .expect("login");
    let anna = p.session(&session.cookie).await.expect("session").actor;
    let (id_a, _) = use_tool(p, &anna, &a, "a.example").await;
    let (id_a2, _) = use_tool(p, &anna, &a, "a.example").await;
    let (id_b, _) = use_tool(p, &anna, &b, "b.example").await;
    let sid = id_a["sid"].as_str().expect("sid").to_owned();
    assert_eq!(id_a2["sid"], sid.as_str(), "one sid per session and tool");
    assert_ne!(id_b["sid"], sid.as_str(), "each tool its own sid");
    let front = p
        .logout_with_tools(&session.cookie, "127.0.0.1")
        .await
        .expect("logout");
    assert_eq!(
        front,
        vec![format!(
            "https://a.example/fcl?iss=https%3A%2F%2Fschulhof.example&sid={sid}"
        )]
    );
    assert_eq!(
        p.system_oidc_logouts_pending().await.expect("pending"),
        1,
        "b has no back-channel"
    );
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 1);
    let t = logout_token(&mut rx).await;
    assert_eq!(t["iss"], ISS);
    assert_eq!(t["aud"], a.client_id.as_str());
    assert_eq!(t["sub"], id_a["sub"]);
    assert_eq!(t["sid"], sid.as_str());
    assert!(t["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(t.get("nonce").is_none() && t["jti"].is_string());
    assert_eq!(p.system_oidc_logouts_pending().await.expect("pending"), 0);
}

async fn unreachable_tools_are_retried(db: Db) {
    let (p, clock) = clocked(db);
    let p = p.with_tool_urls_on_loopback();
    let s = school_on(p.clone(), "123456").await;
    // A closed port: the tool is down.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!(
            "http://127.0.0.1:{}/bcl",
            l.local_addr().expect("addr").port()
        )
    };
    let a = tool(&p, "a.example", &dead, "", "").await;
    let session = p
        .login(s.number, "anna", PW, "127.0.0.1")
        .await
        .expect("login");
    let anna = p.session(&session.cookie).await.expect("session").actor;
    use_tool(&p, &anna, &a, "a.example").await;
    p.logout_with_tools(&session.cookie, "127.0.0.1")
        .await
        .expect("logout");
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 0);
    assert_eq!(
        p.system_oidc_logouts_pending().await.expect("pending"),
        1,
        "kept for a retry"
    );
    // Not due again at once (backoff), due after it.
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 0);
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 0);
    assert_eq!(p.system_oidc_logouts_pending().await.expect("pending"), 1);
}

async fn deactivation_and_withdrawal_end_tool_sessions(db: Db) {
    let s = looped(db).await;
    let p = &s.platform;
    let (bcl, mut rx) = endpoint().await;
    let a = tool(p, "a.example", &bcl, "", "Nutzungsbedingungen").await;
    let admin = s.admin().await;
    // Withdrawn consent: consent deleted, tokens revoked, logout sent.
    let ben = s.user("ben").await;
    p.oidc_give_consent(&ben, &a.client_id, "openid", false)
        .await
        .expect("consent");
    let (id_ben, access) = use_tool(p, &ben, &a, "a.example").await;
    assert_eq!(p.oidc_my_tools(&ben).await.expect("mine").len(), 1);
    p.oidc_revoke_consent(&ben, &a.client_id)
        .await
        .expect("revoke");
    assert!(p.oidc_my_tools(&ben).await.expect("mine").is_empty());
    assert_eq!(
        p.oidc_userinfo(&access).await.err(),
        Some(OidcError::InvalidToken)
    );
    let again = p.oidc_revoke_consent(&ben, &a.client_id).await;
    assert!(matches!(again, Err(DomainError::NotFound)), "{again:?}");
    p.system_deliver_oidc_logouts().await.expect("deliver");
    assert_eq!(logout_token(&mut rx).await["sub"], id_ben["sub"]);
    // Deactivated account: tokens revoked, logout sent.
    let anna = s.user("anna").await;
    p.oidc_give_consent(&anna, &a.client_id, "openid", false)
        .await
        .expect("consent");
    let (id_anna, access) = use_tool(p, &anna, &a, "a.example").await;
    p.set_user_active(&admin, "anna", false)
        .await
        .expect("deactivate");
    assert_eq!(
        p.oidc_userinfo(&access).await.err(),
        Some(OidcError::InvalidToken)
    );
    p.system_deliver_oidc_logouts().await.expect("deliver");
    let t = logout_token(&mut rx).await;
    assert_eq!(t["sub"], id_anna["sub"]);
    assert_eq!(t["sid"], id_anna["sid"]);
}

/// SSRF: a back-channel URI into the server's own network is refused at registration, and
/// a logout queued for one that got there anyway (a setting changed, a name re-pointed) is
/// never sent to it.
async fn internal_logout_uris_are_refused(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    for uri in [
        "http://127.0.0.1:9/bcl",
        "http://localhost:9/bcl",
        "https://10.1.2.3/bcl",
        "https://192.168.0.10/bcl",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/bcl",
        "https://[::ffff:127.0.0.1]/bcl",
        "https://metadata.internal/bcl",
    ] {
        let n = NewClient {
            name: "Intern".into(),
            redirect_uris: vec!["https://t.example/cb".into()],
            public: true,
            backchannel_logout_uri: uri.into(),
            ..Default::default()
        };
        let e = p.oidc_register_school_tool(&admin, &n).await;
        assert!(
            matches!(&e, Err(DomainError::Invalid { field, .. }) if *field == "backchannel_logout_uri"),
            "{uri}: {e:?}"
        );
        let e = p.system_oidc_add_client(&n).await;
        assert!(
            matches!(e, Err(DomainError::Invalid { .. })),
            "{uri}: {e:?}"
        );
    }
    // Registered while loopback was allowed, delivered by a node that does not allow it:
    // nothing reaches the endpoint, the logout waits for a retry.
    let (bcl, mut rx) = endpoint().await;
    let lax = p.clone().with_tool_urls_on_loopback();
    let a = tool(&lax, "a.example", &bcl, "", "").await;
    let session = p
        .login(s.number, "anna", PW, "127.0.0.1")
        .await
        .expect("login");
    let anna = p.session(&session.cookie).await.expect("session").actor;
    use_tool(p, &anna, &a, "a.example").await;
    p.logout_with_tools(&session.cookie, "127.0.0.1")
        .await
        .expect("logout");
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 0);
    assert_eq!(p.system_oidc_logouts_pending().await.expect("pending"), 1);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err(),
        "nothing was sent to loopback"
    );
}

/// A fresh login over an old cookie (the re-login `prompt=login` demands) ends the old
/// session; the person's tool sessions follow to the new one (same `sid`), so logging out
/// later still reaches the tool. Another person's login over it logs the tools out.
async fn relogin_ends_the_old_session(db: Db) {
    let s = looped(db).await;
    let p = &s.platform;
    let (bcl, mut rx) = endpoint().await;
    let a = tool(p, "a.example", &bcl, "", "").await;
    let old = p
        .login(s.number, "anna", PW, "127.0.0.1")
        .await
        .expect("login");
    let anna = p.session(&old.cookie).await.expect("session").actor;
    let (id_old, _) = use_tool(p, &anna, &a, "a.example").await;
    let fresh = p
        .login(s.number, "anna", PW, "127.0.0.1")
        .await
        .expect("login");
    p.replace_session(&old.cookie, &fresh.cookie, "127.0.0.1")
        .await
        .expect("replace");
    assert!(
        matches!(p.session(&old.cookie).await, Err(DomainError::SessionEnded)),
        "the old session is no longer valid"
    );
    assert_eq!(p.system_oidc_logouts_pending().await.expect("pending"), 0);
    let anna = p.session(&fresh.cookie).await.expect("fresh session").actor;
    let (id_new, _) = use_tool(p, &anna, &a, "a.example").await;
    assert_eq!(id_new["sid"], id_old["sid"], "the tool session moved along");
    // Replacing it twice, or with itself, changes nothing.
    p.replace_session(&old.cookie, &fresh.cookie, "127.0.0.1")
        .await
        .expect("again");
    p.replace_session(&fresh.cookie, &fresh.cookie, "127.0.0.1")
        .await
        .expect("self");
    assert!(p.session(&fresh.cookie).await.is_ok());
    // Ben logs in over Anna's session: hers ends, and so does her tool session.
    let ben = p
        .login(s.number, "ben", PW, "127.0.0.1")
        .await
        .expect("login");
    p.replace_session(&fresh.cookie, &ben.cookie, "127.0.0.1")
        .await
        .expect("replace");
    assert!(p.session(&fresh.cookie).await.is_err());
    assert_eq!(p.system_deliver_oidc_logouts().await.expect("deliver"), 1);
    let t = logout_token(&mut rx).await;
    assert_eq!(t["sid"], id_old["sid"]);
}

async fn under_16_rule_keeps_personal_data(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let anna = s.user("anna").await;
    let lehrer = s.user("lehrer").await;
    let c = add(p, None, "lern.example", true, &["name", "email"], "").await;
    let scope = "openid profile email";
    assert_eq!(
        p.oidc_under16(&admin).await.expect("rule").as_str(),
        "student"
    );
    let screen = p
        .oidc_consent_screen(&anna, &c.client_id, scope)
        .await
        .expect("screen");
    assert!(!screen.asked.is_empty() && !screen.school_decides);
    let e = p.oidc_set_under16(&anna, "school").await;
    assert!(matches!(e, Err(DomainError::Forbidden)), "{e:?}");
    let e = p.oidc_set_under16(&admin, "eltern").await;
    assert!(matches!(e, Err(DomainError::Invalid { .. })), "{e:?}");
    p.oidc_set_under16(&admin, "school").await.expect("set");
    // A pupil of unknown age counts as under 16: nothing personal can be shared.
    let screen = p
        .oidc_consent_screen(&anna, &c.client_id, scope)
        .await
        .expect("screen");
    assert!(screen.asked.is_empty() && screen.school_decides);
    let r = req(&c, "lern.example", scope, true);
    // Nothing to ask (no terms): straight to the tool, pseudonym only.
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let info = p.oidc_userinfo(&t.access_token).await.expect("userinfo");
    assert!(
        info.get("given_name").is_none() && info.get("email").is_none(),
        "{info}"
    );
    // Teachers decide for themselves.
    let screen = p
        .oidc_consent_screen(&lehrer, &c.client_id, scope)
        .await
        .expect("screen");
    assert!(!screen.asked.is_empty() && !screen.school_decides);
}

async fn prompt_login_and_max_age(db: Db) {
    let (p, clock) = clocked(db);
    let s = school_on(p.clone(), "123456").await;
    let anna = s.user("anna").await;
    let c = add(&p, None, "a.example", true, &[], "").await;
    let base = req(&c, "a.example", "openid", true);
    let login = AuthRequest {
        prompt: Some("login".into()),
        ..base.clone()
    };
    let since = match p.oidc_authorize(Some(&anna), &login).await {
        Ok(Authorized::Reauthenticate { since }) => since,
        other => panic!("a fresh login is demanded: {other:?}"),
    };
    // Back from a login at or after `since`: a code (the session here is that fresh).
    let back = AuthRequest {
        login_since: Some(since),
        ..base.clone()
    };
    code(&p, &anna, &back).await;
    let later = AuthRequest {
        login_since: Some(since + 10),
        ..base.clone()
    };
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &later).await,
        Ok(Authorized::Reauthenticate { .. })
    ));
    clock.advance(chrono::Duration::seconds(600));
    let aged = AuthRequest {
        max_age: Some("300".into()),
        ..base.clone()
    };
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &aged).await,
        Ok(Authorized::Reauthenticate { .. })
    ));
    let fresh_enough = AuthRequest {
        max_age: Some("3600".into()),
        ..base.clone()
    };
    code(&p, &anna, &fresh_enough).await;
    let silent = AuthRequest {
        prompt: Some("none".into()),
        ..aged.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &silent).await),
        "login_required"
    );
    assert_eq!(
        redirect_error(
            p.oidc_authorize(
                None,
                &AuthRequest {
                    prompt: Some("none".into()),
                    ..base.clone()
                }
            )
            .await
        ),
        "login_required"
    );
    let bad = AuthRequest {
        max_age: Some("-1".into()),
        ..base.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &bad).await),
        "invalid_request"
    );
    let mixed = AuthRequest {
        prompt: Some("none login".into()),
        ..base
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &mixed).await),
        "invalid_request"
    );
}

async fn admins_register_and_count_their_schools_tools(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let other = school_on(p.clone(), "654321").await;
    let admin = s.admin().await;
    let other_admin = other.admin().await;
    let anna = s.user("anna").await;
    let n = NewClient {
        name: "Schulbuch".into(),
        redirect_uris: vec!["https://buch.example/cb".into()],
        public: true,
        ..Default::default()
    };
    let e = p.oidc_register_school_tool(&anna, &n).await;
    assert!(matches!(e, Err(DomainError::Forbidden)), "{e:?}");
    let bad = NewClient {
        redirect_uris: vec!["http://buch.example/cb".into()],
        ..n.clone()
    };
    let e = p.oidc_register_school_tool(&admin, &bad).await;
    assert!(matches!(e, Err(DomainError::Invalid { .. })), "{e:?}");
    let reg = p
        .oidc_register_school_tool(&admin, &n)
        .await
        .expect("register");
    use_tool(p, &anna, &reg, "buch.example").await;
    let mine = p.oidc_school_tools(&admin).await.expect("list");
    let t = mine
        .iter()
        .find(|t| t.client_id == reg.client_id)
        .expect("listed");
    assert_eq!((t.active, t.consented, t.state_wide), (1, 0, false));
    // The other school does not see it, and its people cannot use it.
    let theirs = p.oidc_school_tools(&other_admin).await.expect("list");
    assert!(theirs.iter().all(|t| t.client_id != reg.client_id));
    let mut c = p.db().read().await.expect("db");
    let audit: Vec<String> =
        schulhof_store::audit::system_list_kind(&mut c, admin.token.instance(), "admin")
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
    assert!(audit.iter().any(|a| a == "tool.register"), "{audit:?}");
}

backend_tests!(
    platform_logout_reaches_tools,
    unreachable_tools_are_retried,
    deactivation_and_withdrawal_end_tool_sessions,
    under_16_rule_keeps_personal_data,
    internal_logout_uris_are_refused,
    relogin_ends_the_old_session,
    prompt_login_and_max_age,
    admins_register_and_count_their_schools_tools,
);
