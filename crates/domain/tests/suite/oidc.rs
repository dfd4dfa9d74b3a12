//! The OpenID Connect provider on SQLite and PostgreSQL: the code flow for confidential and
//! public clients, PKCE, a replayed code, refresh-token rotation, tampered and expired
//! tokens.

use crate::calendar_support;
use crate::oidc_support;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calendar_support::*;
use chrono::Duration;
use oidc_support::*;
use schulhof_domain::Db;
use schulhof_domain::oidc::{
    ACCESS_TTL_SECS, AuthFailure, AuthRequest, Authorized, ClientAuth, OidcError, REFRESH_TTL_SECS,
};
use schulhof_store::backend_tests;
use sha2::{Digest, Sha256};

async fn confidential_code_flow_and_replay(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let c = add(p, Some("123456"), "tool.example", false, &[], "").await;
    let r = req(&c, "tool.example", "openid", false);
    let k = code(p, &anna, &r).await;
    let bad = ClientAuth {
        secret: Some("falsch".into()),
        ..auth(&c)
    };
    assert_eq!(
        p.oidc_exchange_code(&bad, &k, &r.redirect_uri, None, ISS)
            .await
            .err(),
        Some(OidcError::InvalidClient)
    );
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await
        .expect("tokens");
    let id = payload(&t);
    assert_eq!(id["iss"], ISS);
    assert_eq!(id["aud"], c.client_id.as_str());
    assert_eq!(id["nonce"], "n-123");
    // Not registered for the school number: the pseudonym alone.
    assert!(id.get("school").is_none() && id.get("role").is_none());
    assert!(id.get("name").is_none() && id.get("email").is_none());
    let half = &Sha256::digest(t.access_token.as_bytes())[..16];
    assert_eq!(id["at_hash"], URL_SAFE_NO_PAD.encode(half));
    let info = p.oidc_userinfo(&t.access_token).await.expect("userinfo");
    assert_eq!(info["sub"], id["sub"]);
    assert!(info.get("name").is_none());
    // The same code again: refused, and the tokens it gave are revoked.
    let again = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await;
    assert!(
        matches!(again, Err(OidcError::InvalidGrant(_))),
        "{again:?}"
    );
    assert_eq!(
        p.oidc_userinfo(&t.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    // A wrong redirect_uri at the token endpoint, and an expired code.
    let k = code(p, &anna, &r).await;
    let wrong = p
        .oidc_exchange_code(&auth(&c), &k, "https://tool.example/other", None, ISS)
        .await;
    assert!(matches!(wrong, Err(OidcError::InvalidGrant(_))));
    let k = code(p, &anna, &r).await;
    let (p2, clock) = clocked(p.db().clone());
    clock.advance(Duration::seconds(61));
    let late = p2
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await;
    assert!(matches!(late, Err(OidcError::InvalidGrant(_))), "{late:?}");
    // A redirect_uri not registered, an unknown client: an error page, never a redirect.
    let mut evil = r.clone();
    evil.redirect_uri = "https://evil.example/cb".into();
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &evil).await,
        Err(AuthFailure::BadClient(_))
    ));
    evil.client_id = "unbekannt".into();
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &evil).await,
        Err(AuthFailure::BadClient(_))
    ));
    // Nobody logged in: to the login page; with prompt=none: login_required.
    assert!(matches!(
        p.oidc_authorize(None, &r).await,
        Ok(Authorized::Login)
    ));
    let silent = AuthRequest {
        prompt: Some("none".into()),
        ..r.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(None, &silent).await),
        "login_required"
    );
    let implicit = AuthRequest {
        response_type: "id_token".into(),
        ..r.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &implicit).await),
        "unsupported_response_type"
    );
    let no_openid = AuthRequest {
        scope: "profile".into(),
        ..r.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &no_openid).await),
        "invalid_scope"
    );
    // A function account has no identity a tool could know.
    let sek = s.user("sekretariat").await;
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&sek), &r).await),
        "access_denied"
    );
}

/// The school number goes to a tool registered for it, asked for or not (tools registered
/// before it was a choice ask for no scope), and to no other tool even when asked for.
async fn the_school_number_only_where_registered(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let with = add(p, None, "with.example", false, &["school"], "").await;
    let without = add(p, None, "without.example", false, &[], "").await;
    for (c, host, scope, school) in [
        (&with, "with.example", "openid", Some("123456")),
        (&with, "with.example", "openid school", Some("123456")),
        (&without, "without.example", "openid school", None),
    ] {
        let r = req(c, host, scope, false);
        let k = code(p, &anna, &r).await;
        let t = p
            .oidc_exchange_code(&auth(c), &k, &r.redirect_uri, None, ISS)
            .await
            .expect("tokens");
        let info = p.oidc_userinfo(&t.access_token).await.expect("userinfo");
        assert_eq!(payload(&t)["school"].as_str(), school, "{host} {scope}");
        assert_eq!(info["school"].as_str(), school, "{host} {scope}");
        // Not personal: no consent screen on the way.
        assert!(info.get("name").is_none());
    }
}

async fn public_client_needs_pkce(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let c = add(p, None, "app.example", true, &[], "").await;
    assert!(c.secret.is_none());
    let plain = req(&c, "app.example", "openid", false);
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &plain).await),
        "invalid_request"
    );
    let mut weak = req(&c, "app.example", "openid", true);
    weak.code_challenge_method = Some("plain".into());
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &weak).await),
        "invalid_request"
    );
    let r = req(&c, "app.example", "openid", true);
    let wrong = "x".repeat(43);
    let k = code(p, &anna, &r).await;
    let e = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(&wrong), ISS)
        .await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))), "{e:?}");
    let k = code(p, &anna, &r).await;
    let e = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))), "{e:?}");
    let k = code(p, &anna, &r).await;
    let with_secret = ClientAuth {
        secret: Some("erfunden".into()),
        ..auth(&c)
    };
    assert_eq!(
        p.oidc_exchange_code(&with_secret, &k, &r.redirect_uri, Some(VERIFIER), ISS)
            .await
            .err(),
        Some(OidcError::InvalidClient)
    );
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    assert!(p.oidc_userinfo(&t.access_token).await.is_ok());
}

async fn refresh_rotation_and_tampering(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let c = add(p, None, "app.example", true, &[], "").await;
    let r = req(&c, "app.example", "openid offline_access", true);
    let k = code(p, &anna, &r).await;
    let t1 = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let t2 = p
        .oidc_refresh(&auth(&c), &t1.refresh_token, ISS)
        .await
        .expect("refresh");
    assert_ne!(t1.refresh_token, t2.refresh_token);
    assert_eq!(payload(&t1)["sub"], payload(&t2)["sub"]);
    // Tampered tokens are unknown.
    let mut tampered = t2.access_token.clone();
    tampered.replace_range(0..1, if tampered.starts_with('A') { "B" } else { "A" });
    assert_eq!(
        p.oidc_userinfo(&tampered).await.err(),
        Some(OidcError::InvalidToken)
    );
    let e = p
        .oidc_refresh(&auth(&c), &format!("{}x", t2.refresh_token), ISS)
        .await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))));
    // Another client cannot use it.
    let other = add(p, None, "other.example", true, &[], "").await;
    let e = p.oidc_refresh(&auth(&other), &t2.refresh_token, ISS).await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))));
    // The spent refresh token again: refused, and the whole grant ends (also the new one).
    let e = p.oidc_refresh(&auth(&c), &t1.refresh_token, ISS).await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))), "{e:?}");
    assert_eq!(
        p.oidc_userinfo(&t2.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    assert!(
        p.oidc_refresh(&auth(&c), &t2.refresh_token, ISS)
            .await
            .is_err()
    );
    // Revocation of a refresh token ends its grant.
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    p.oidc_revoke(&auth(&c), &t.refresh_token)
        .await
        .expect("revoke");
    assert_eq!(
        p.oidc_userinfo(&t.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    p.oidc_revoke(&auth(&c), "gibt-es-nicht")
        .await
        .expect("unknown tokens are fine");
    // Expired tokens: the access token after its hour (invalid_token), the refresh token
    // after its 30 days (invalid_grant); a refresh within them still works.
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let (later, clock) = clocked(p.db().clone());
    clock.advance(Duration::seconds(ACCESS_TTL_SECS + 1));
    assert_eq!(
        later.oidc_userinfo(&t.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    let fresh = later
        .oidc_refresh(&auth(&c), &t.refresh_token, ISS)
        .await
        .expect("a refresh within its lifetime");
    assert!(later.oidc_userinfo(&fresh.access_token).await.is_ok());
    clock.advance(Duration::seconds(REFRESH_TTL_SECS + 1));
    let e = later
        .oidc_refresh(&auth(&c), &fresh.refresh_token, ISS)
        .await;
    assert!(matches!(e, Err(OidcError::InvalidGrant(_))), "{e:?}");
}

backend_tests!(
    the_school_number_only_where_registered,
    confidential_code_flow_and_replay,
    public_client_needs_pkce,
    refresh_rotation_and_tampering,
);
