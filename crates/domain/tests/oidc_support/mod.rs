//! Shared by the OpenID Connect provider's scenarios: registering tools, authorization
//! requests, codes, and reading ID tokens.

#![allow(dead_code)]

use std::sync::Arc;

use super::calendar_support::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::oidc::{
    AuthFailure, AuthRequest, Authorized, ClientAuth, NewClient, RegisteredClient, TokenResponse,
};
use schulhof_domain::{Config, Db, HashParams, Platform};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

pub const ISS: &str = "https://schulhof.example";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub fn clocked(db: Db) -> (Platform, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(utc(2026, 11, 2, 8, 0)));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    (Platform::new(db, clock.clone(), config), clock)
}

pub async fn add(
    p: &Platform,
    school: Option<&str>,
    host: &str,
    public: bool,
    claims: &[&str],
    terms: &str,
) -> RegisteredClient {
    p.system_oidc_add_client(&NewClient {
        school: school.map(str::to_owned),
        name: format!("Werkzeug {host}"),
        redirect_uris: vec![format!("https://{host}/cb")],
        post_logout_uris: vec![format!("https://{host}/bye")],
        public,
        claims: claims.iter().map(|c| (*c).to_owned()).collect(),
        terms: terms.into(),
        ..Default::default()
    })
    .await
    .expect("client")
}

pub fn req(c: &RegisteredClient, host: &str, scope: &str, pkce: bool) -> AuthRequest {
    AuthRequest {
        client_id: c.client_id.clone(),
        redirect_uri: format!("https://{host}/cb"),
        response_type: "code".into(),
        scope: scope.into(),
        state: Some("st".into()),
        nonce: Some("n-123".into()),
        code_challenge: pkce.then(|| CHALLENGE.to_owned()),
        code_challenge_method: pkce.then(|| "S256".to_owned()),
        ..Default::default()
    }
}

pub fn auth(c: &RegisteredClient) -> ClientAuth {
    ClientAuth {
        client_id: c.client_id.clone(),
        secret: c.secret.clone(),
    }
}

pub async fn code(p: &Platform, a: &Actor, r: &AuthRequest) -> String {
    match p.oidc_authorize(Some(a), r).await {
        Ok(Authorized::Code { code, redirect_uri }) => {
            assert_eq!(redirect_uri, r.redirect_uri);
            code
        }
        other => panic!("expected a code: {other:?}"),
    }
}

pub fn payload(t: &TokenResponse) -> serde_json::Value {
    let jwt = t.id_token.as_deref().expect("id token");
    let part = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

pub fn redirect_error(r: Result<Authorized, AuthFailure>) -> String {
    match r {
        Err(AuthFailure::Redirect { error, .. }) => error.code().to_owned(),
        other => panic!("expected an error redirect: {other:?}"),
    }
}

pub async fn sub_of(p: &Platform, a: &Actor, c: &RegisteredClient, host: &str) -> String {
    let r = req(c, host, "openid", true);
    let k = code(p, a, &r).await;
    let t = p
        .oidc_exchange_code(&auth(c), &k, &r.redirect_uri, Some(VERIFIER), ISS)
        .await
        .expect("tokens");
    payload(&t)["sub"].as_str().expect("sub").to_owned()
}

/// A tool's back-channel endpoint on loopback: each request body it receives.
pub async fn endpoint() -> (String, mpsc::UnboundedReceiver<String>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let uri = format!(
        "http://127.0.0.1:{}/bcl",
        l.local_addr().expect("addr").port()
    );
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = s.read(&mut chunk).await.unwrap_or(0);
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        let _ = tx.send(body.to_owned());
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (uri, rx)
}

/// The claims of the next logout token `endpoint` receives (within 10 s).
pub async fn logout_token_claims(rx: &mut mpsc::UnboundedReceiver<String>) -> serde_json::Value {
    let body = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("a logout token in time")
        .expect("body");
    let token = body.strip_prefix("logout_token=").expect("form body");
    let part = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}
