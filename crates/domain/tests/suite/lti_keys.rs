//! An LTI tool registered with the URL of its key set, on SQLite and PostgreSQL: the keys are
//! fetched at registration (from a real HTTP endpoint on loopback, allowed by the explicit
//! setting), kept, and fetched again when the tool signs with a key id the kept set lacks —
//! at most once a minute, so forged key ids cannot make the server hammer the tool. Internal
//! addresses are refused without the setting, private ones always; an oversized key set is
//! refused.

use crate::calendar_support;
use crate::oidc_support;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calendar_support::school_on;
use schulhof_domain::clock::Clock;
use schulhof_domain::lti::NewLtiTool;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ISS: &str = "https://schulhof.example";
const TOKEN_URL: &str = "https://schulhof.example/lti/token";
const GRANT: &str = "client_credentials";
const ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

fn jwk(key: &KeyPair, kid: &str) -> Value {
    let pk = key.public_key();
    json!({"kty": "RSA", "kid": kid, "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero())})
}

fn sign(key: &KeyPair, kid: &str, claims: &Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": kid}).to_string());
    let input = format!("{head}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// A key set server on loopback: serves whatever `body` holds; counts requests.
async fn key_server() -> (String, Arc<Mutex<String>>, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://127.0.0.1:{}/jwks.json",
        l.local_addr().expect("addr").port()
    );
    let body = Arc::new(Mutex::new(String::new()));
    let hits = Arc::new(AtomicUsize::new(0));
    let (b, h) = (body.clone(), hits.clone());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            h.fetch_add(1, Ordering::SeqCst);
            let text = b.lock().expect("lock").clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                text.len()
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(text.as_bytes()).await;
        }
    });
    (url, body, hits)
}

fn tool(number: &str, jwks_url: &str) -> NewLtiTool {
    NewLtiTool {
        school: Some(number.into()),
        name: "Lernwerkzeug".into(),
        login_url: "https://tool.example/login".into(),
        target_link_uri: "https://tool.example/launch".into(),
        jwks_url: jwks_url.into(),
        ..NewLtiTool::default()
    }
}

async fn keys_are_fetched_kept_and_refreshed(db: Db) {
    let (p, clock) = oidc_support::clocked(db);
    let strict = p.clone();
    let p = p.with_tool_urls_on_loopback();
    let s = school_on(p.clone(), "123456").await;
    let (url, body, hits) = key_server().await;
    let (k1, k2) = (
        KeyPair::generate(KeySize::Rsa2048).expect("key"),
        KeyPair::generate(KeySize::Rsa2048).expect("key"),
    );
    *body.lock().expect("lock") = json!({"keys": [jwk(&k1, "k1")]}).to_string();
    // Without the setting loopback is an internal address like any other.
    let e = strict.system_lti_add_tool(&tool(s.number, &url)).await;
    assert!(
        matches!(&e, Err(DomainError::Invalid { field, .. }) if *field == "jwks_url"),
        "{e:?}"
    );
    let e = p
        .system_lti_add_tool(&tool(s.number, "https://10.0.0.1/jwks.json"))
        .await;
    assert!(matches!(e, Err(DomainError::Invalid { .. })), "{e:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing fetched so far");
    let t = p
        .system_lti_add_tool(&tool(s.number, &url))
        .await
        .expect("registered");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "fetched at registration");
    let now = || clock.now().timestamp();
    let claims = |jti: &str| {
        json!({"iss": t.client_id, "sub": t.client_id, "aud": TOKEN_URL,
            "iat": now(), "exp": now() + 300, "jti": jti})
    };
    let token = |a: String| {
        let p = p.clone();
        async move {
            p.lti_service_token(GRANT, ASSERTION, &a, SCOPE, TOKEN_URL, ISS)
                .await
        }
    };
    token(sign(&k1, "k1", &claims("j-1")))
        .await
        .expect("the kept key");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a known key id fetches nothing"
    );
    // The tool rotates to k2. Within a minute of the last fetch: not fetched again.
    *body.lock().expect("lock") = json!({"keys": [jwk(&k2, "k2")]}).to_string();
    assert!(token(sign(&k2, "k2", &claims("j-2"))).await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    clock.advance(chrono::Duration::seconds(61));
    token(sign(&k2, "k2", &claims("j-3")))
        .await
        .expect("the new key, fetched");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The old key is gone from the kept set; a forged key id fetches nothing for a minute.
    assert!(token(sign(&k1, "k1", &claims("j-4"))).await.is_err());
    assert!(token(sign(&k1, "k9", &claims("j-5"))).await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 2, "rate limited");
    // An oversized key set is refused at registration.
    *body.lock().expect("lock") = format!("{{\"keys\": [], \"x\": \"{}\"}}", "a".repeat(70_000));
    let e = p.system_lti_add_tool(&tool(s.number, &url)).await;
    assert!(matches!(e, Err(DomainError::Invalid { .. })), "{e:?}");
}

backend_tests!(keys_are_fetched_kept_and_refreshed);
