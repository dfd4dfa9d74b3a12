//! The OpenID Connect provider on SQLite and PostgreSQL: pairwise subjects per tool and per
//! school, a school's tool invisible to other schools, consent (given, pseudonymous,
//! withdrawn), and signing-key rotation with overlap, on this node and on another, by
//! command and on schedule.

use crate::calendar_support;
use crate::oidc_support;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calendar_support::*;
use oidc_support::*;
use schulhof_domain::Db;
use schulhof_domain::DomainError;
use schulhof_domain::oidc::{
    AuthFailure, AuthRequest, Authorized, KEY_OVERLAP_SECS, KEY_ROTATION_SECS, NewClient,
    OidcError, RegisteredClient,
};
use schulhof_store::backend_tests;

async fn pairwise_per_tool_and_school(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let other = school_on(p.clone(), "654321").await;
    let a1 = s.user("anna").await;
    let a2 = other.user("anna").await;
    let ben = s.user("ben").await;
    let one = add(p, None, "one.example", true, &[], "").await;
    let two = add(p, None, "two.example", true, &[], "").await;
    let sub = sub_of(p, &a1, &one, "one.example").await;
    assert_eq!(sub, sub_of(p, &a1, &one, "one.example").await, "stable");
    assert_ne!(sub, sub_of(p, &a1, &two, "two.example").await, "per tool");
    assert_ne!(
        sub,
        sub_of(p, &ben, &one, "one.example").await,
        "per person"
    );
    assert_ne!(
        sub_of(p, &a2, &one, "one.example").await,
        sub_of(p, &a1, &one, "one.example").await,
        "per school"
    );
    // A school's tool is invisible to the other school, also on the consent screen.
    let own = add(p, Some("123456"), "own.example", true, &["name"], "").await;
    let r = req(&own, "own.example", "openid", true);
    assert!(matches!(
        p.oidc_authorize(Some(&a2), &r).await,
        Err(AuthFailure::BadClient("unknown_client"))
    ));
    let e = p
        .oidc_consent_screen(&a2, &own.client_id, "openid profile")
        .await;
    assert!(matches!(e, Err(DomainError::NotFound)), "{e:?}");
    assert!(
        p.oidc_give_consent(&a2, &own.client_id, "openid profile", true)
            .await
            .is_err()
    );
}

async fn consent_gives_and_withdraws_personal_data(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let c = add(
        p,
        None,
        "lern.example",
        false,
        &["name", "email", "groups", "role", "school"],
        "Bitte nett sein.",
    )
    .await;
    let r = req(
        &c,
        "lern.example",
        "openid profile email groups role",
        false,
    );
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &r).await,
        Ok(Authorized::Consent)
    ));
    let silent = AuthRequest {
        prompt: Some("none".into()),
        ..r.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &silent).await),
        "consent_required"
    );
    let screen = p
        .oidc_consent_screen(&anna, &c.client_id, &r.scope)
        .await
        .expect("screen");
    assert_eq!(
        screen.asked.len(),
        3,
        "name, email, groups (role and school are not personal)"
    );
    assert_eq!(screen.tool.terms, "Bitte nett sein.");
    let cancelled = AuthRequest {
        cancelled: true,
        ..r.clone()
    };
    assert_eq!(
        redirect_error(p.oidc_authorize(Some(&anna), &cancelled).await),
        "access_denied"
    );
    p.oidc_give_consent(&anna, &c.client_id, &r.scope, true)
        .await
        .expect("consent");
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await
        .expect("tokens");
    let info = p.oidc_userinfo(&t.access_token).await.expect("userinfo");
    assert_eq!(info["given_name"], "Anna");
    assert_eq!(info["role"], "schueler");
    assert!(info["email"].as_str().is_some_and(|m| m.contains('@')));
    let groups = info["groups"].as_array().expect("groups");
    assert!(groups.iter().any(|g| g == "5a"), "{groups:?}");
    assert_eq!(payload(&t)["given_name"], "Anna");
    let mine = p.oidc_my_tools(&anna).await.expect("mine");
    assert_eq!(mine.len(), 1);
    // Withdrawn: the tokens end, and the next login asks again.
    p.oidc_revoke_consent(&anna, &c.client_id)
        .await
        .expect("revoke");
    assert_eq!(
        p.oidc_userinfo(&t.access_token).await.err(),
        Some(OidcError::InvalidToken)
    );
    assert!(matches!(
        p.oidc_authorize(Some(&anna), &r).await,
        Ok(Authorized::Consent)
    ));
    // Pseudonym only: role (registered, not personal) but no name.
    p.oidc_give_consent(&anna, &c.client_id, &r.scope, false)
        .await
        .expect("pseudonym");
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, None, ISS)
        .await
        .expect("tokens");
    let info = p.oidc_userinfo(&t.access_token).await.expect("userinfo");
    assert!(
        info.get("name").is_none() && info.get("email").is_none() && info.get("groups").is_none()
    );
    assert_eq!(info["role"], "schueler");
    assert_eq!(info["school"], "123456");
}

/// The key id in a JWT's header.
fn kid_of(jwt: &str) -> serde_json::Value {
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    header["kid"].clone()
}

async fn keys_rotate_with_overlap(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let first = p.oidc_jwks().await.expect("jwks");
    assert_eq!(first["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(first["keys"][0]["alg"], "RS256");
    // A token before the rotation: the first key signs (and is now kept in memory).
    let anna = s.user("anna").await;
    let c = add(p, None, "app.example", true, &[], "").await;
    let r = req(&c, "app.example", "openid", true);
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    assert_eq!(
        kid_of(&t.id_token.expect("id token")),
        first["keys"][0]["kid"],
        "the first key signs"
    );
    let kid = p.system_oidc_rotate_keys().await.expect("rotate").remove(0);
    let both = p.oidc_jwks().await.expect("jwks");
    let kids: Vec<&str> = both["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(kids.len(), 2);
    assert!(
        kids.contains(&kid.as_str())
            && kids.contains(&first["keys"][0]["kid"].as_str().expect("kid"))
    );
    // The rotation takes effect at once on this node, though the old key was kept.
    let k = code(p, &anna, &r).await;
    let t = p
        .oidc_exchange_code(&auth(&c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let jwt = t.id_token.expect("id token");
    assert_eq!(kid_of(&jwt), kid.as_str(), "the new key signs");
    // The end-session endpoint trusts only its own, untampered tokens.
    let target = p
        .oidc_logout_target(Some(&jwt), None, Some("https://app.example/bye"))
        .await;
    assert_eq!(target, Ok(Some("https://app.example/bye".into())));
    let elsewhere = p
        .oidc_logout_target(Some(&jwt), None, Some("https://evil.example/"))
        .await;
    assert_eq!(elsewhere, Ok(None));
    let mut forged = jwt.clone();
    forged.push('A');
    assert!(
        p.oidc_logout_target(Some(&forged), None, Some("https://app.example/bye"))
            .await
            .is_err()
    );
    // The overlap ends: after its 7 days the old key leaves the JWKS, the new one stays.
    let (later, clock) = clocked(p.db().clone());
    clock.advance(chrono::Duration::seconds(KEY_OVERLAP_SECS - 60));
    let still = later.oidc_jwks().await.expect("jwks");
    assert_eq!(still["keys"].as_array().map(Vec::len), Some(2), "{still}");
    clock.advance(chrono::Duration::seconds(61));
    let only = later.oidc_jwks().await.expect("jwks");
    let kids: Vec<&str> = only["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(
        kids,
        vec![kid.as_str()],
        "the old key is gone after the overlap"
    );
}

/// The key id of a fresh ID token `node` issues to `anna` at the public tool `c`.
async fn kid_signed_by(
    node: &schulhof_domain::Platform,
    anna: &schulhof_domain::identity::Actor,
    c: &schulhof_domain::oidc::RegisteredClient,
) -> (String, String) {
    let r = req(c, "app.example", "openid", true);
    let k = code(node, anna, &r).await;
    let t = node
        .oidc_exchange_code(&auth(c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    let jwt = t.id_token.expect("id token");
    (kid_of(&jwt).as_str().expect("kid").to_owned(), jwt)
}

/// Each node keeps the signing key in memory: a rotation on another node is seen within
/// the minute, and what was signed with the old key meanwhile still verifies.
async fn another_node_sees_a_rotation_within_the_minute(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (other, clock) = clocked(p.db().clone());
    let anna = s.user("anna").await;
    let c = add(p, None, "app.example", true, &[], "").await;
    let (first, _) = kid_signed_by(&other, &anna, &c).await;
    let rotated = p.system_oidc_rotate_keys().await.expect("rotate").remove(0);
    assert_ne!(first, rotated);
    assert_eq!(kid_signed_by(p, &anna, &c).await.0, rotated, "at once here");
    clock.advance(chrono::Duration::seconds(30));
    let (kid, jwt) = kid_signed_by(&other, &anna, &c).await;
    assert_eq!(kid, first, "the other node still signs with its copy");
    let bye = Some("https://app.example/bye");
    assert_eq!(
        p.oidc_logout_target(Some(&jwt), None, bye).await,
        Ok(bye.map(str::to_owned)),
        "the old key is still published"
    );
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(
        kid_signed_by(&other, &anna, &c).await.0,
        rotated,
        "after a minute the other node reads the new key"
    );
}

/// A fresh ID token `p` issues to `a` at the public tool `c` on `host`.
async fn signed_at(
    p: &schulhof_domain::Platform,
    a: &schulhof_domain::identity::Actor,
    c: &RegisteredClient,
    host: &str,
) -> String {
    let r = req(c, host, "openid", true);
    let k = code(p, a, &r).await;
    let t = p
        .oidc_exchange_code(&auth(c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    t.id_token.expect("id token")
}

/// A tool registered with ES256: its ID tokens are signed with the P-256 key (made at the
/// registration, so in the JWKS before the first login), which rotates with the RS256 key
/// and stays published during the overlap; the RS256 tools are untouched.
async fn es256_tool_and_its_key_rotation(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let rs = add(p, None, "app.example", true, &[], "").await;
    let es = p
        .system_oidc_add_client(&NewClient {
            name: "Karten".into(),
            redirect_uris: vec!["https://karten.example/cb".into()],
            post_logout_uris: vec!["https://karten.example/bye".into()],
            public: true,
            id_token_alg: "ES256".into(),
            ..Default::default()
        })
        .await
        .expect("client");
    let algs = |j: &serde_json::Value| -> Vec<(String, String)> {
        j["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| {
                (
                    k["alg"].as_str().expect("alg").into(),
                    k["kid"].as_str().expect("kid").into(),
                )
            })
            .collect()
    };
    let jwks = p.oidc_jwks().await.expect("jwks");
    let first = algs(&jwks);
    assert_eq!(first.len(), 2, "{first:?}");
    let ec = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["alg"] == "ES256")
        .expect("EC key");
    assert_eq!(
        (&ec["kty"], &ec["crv"]),
        (&serde_json::json!("EC"), &serde_json::json!("P-256"))
    );
    let header = |jwt: &str| -> serde_json::Value {
        serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(jwt.split('.').next().expect("h"))
                .expect("b64"),
        )
        .expect("json")
    };
    let old_es = first
        .iter()
        .find(|(a, _)| a == "ES256")
        .expect("es")
        .1
        .clone();
    let jwt = signed_at(p, &anna, &es, "karten.example").await;
    assert_eq!(header(&jwt)["alg"], "ES256");
    assert_eq!(header(&jwt)["kid"], old_es.as_str());
    assert_eq!(
        header(&signed_at(p, &anna, &rs, "app.example").await)["alg"],
        "RS256"
    );
    // The end-session endpoint verifies an ES256 ID token too.
    let bye = p
        .oidc_logout_target(Some(&jwt), None, Some("https://karten.example/bye"))
        .await;
    assert_eq!(bye, Ok(Some("https://karten.example/bye".into())));

    let fresh = p.system_oidc_rotate_keys().await.expect("rotate");
    assert_eq!(fresh.len(), 2, "both algorithms rotate");
    let after = algs(&p.oidc_jwks().await.expect("jwks"));
    assert_eq!(after.len(), 4, "the old keys stay published: {after:?}");
    assert!(after.iter().any(|(a, k)| a == "ES256" && *k == old_es));
    let jwt = signed_at(p, &anna, &es, "karten.example").await;
    assert_eq!(header(&jwt)["alg"], "ES256");
    assert_eq!(
        header(&jwt)["kid"],
        fresh[1].as_str(),
        "the new P-256 key signs"
    );
    assert_eq!(
        header(&signed_at(p, &anna, &rs, "app.example").await)["kid"],
        fresh[0].as_str()
    );
}

/// The kids the JWKS of `node` publishes now.
async fn published_kids(node: &schulhof_domain::Platform) -> Vec<String> {
    let set = node.oidc_jwks().await.expect("jwks");
    let mut kids: Vec<String> = set["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect();
    kids.sort();
    kids
}

/// The hourly job replaces a signing key once it is 90 days old, once however many nodes
/// run it at the same moment; the old key stays published through the overlap.
async fn keys_rotate_on_schedule_once_across_nodes(db: Db) {
    let s = school(db).await;
    let anna = s.user("anna").await;
    let c = add(&s.platform, None, "app.example", true, &[], "").await;
    let (a, clock_a) = clocked(s.platform.db().clone());
    let (b, clock_b) = clocked(s.platform.db().clone());
    let advance = |secs: i64| {
        clock_a.advance(chrono::Duration::seconds(secs));
        clock_b.advance(chrono::Duration::seconds(secs));
    };
    let (first, _) = kid_signed_by(&a, &anna, &c).await;
    assert!(a.system_oidc_rotate_due().await.expect("due").is_empty());
    advance(KEY_ROTATION_SECS - 3600);
    assert!(
        a.system_oidc_rotate_due().await.expect("due").is_empty(),
        "not yet due"
    );
    advance(3600);
    let (on_a, on_b) = tokio::join!(a.system_oidc_rotate_due(), b.system_oidc_rotate_due());
    let fresh: Vec<String> = [on_a.expect("a"), on_b.expect("b")].concat();
    assert_eq!(fresh.len(), 1, "one rotation for two nodes: {fresh:?}");
    let mut both = vec![first.clone(), fresh[0].clone()];
    both.sort();
    assert_eq!(
        published_kids(&a).await,
        both,
        "the old key stays published"
    );
    // Both nodes sign with the new key within the minute.
    advance(61);
    assert_eq!(kid_signed_by(&a, &anna, &c).await.0, fresh[0]);
    assert_eq!(kid_signed_by(&b, &anna, &c).await.0, fresh[0]);
    assert!(b.system_oidc_rotate_due().await.expect("due").is_empty());
    advance(KEY_OVERLAP_SECS);
    assert_eq!(published_kids(&b).await, vec![fresh[0].clone()]);
}

backend_tests!(
    keys_rotate_on_schedule_once_across_nodes,
    es256_tool_and_its_key_rotation,
    pairwise_per_tool_and_school,
    consent_gives_and_withdraws_personal_data,
    keys_rotate_with_overlap,
    another_node_sees_a_rotation_within_the_minute,
);
