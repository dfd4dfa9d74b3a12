//! A tool's public keys fetched from its key set URL: only from public addresses (see
//! `crate::oidc::guard`), within a time and size limit. The keys are kept with the tool
//! (`lti_tools.public_jwks`, the cache); a JWT naming a key id the kept set lacks — the
//! tool rotated its key — fetches them again, at most once a minute per tool, so a stream
//! of forged key ids cannot make the server hammer the tool.

use std::sync::OnceLock;
use std::time::Duration;

use schulhof_store::lti::{self as store, ToolRow};
use schulhof_store::to_us;
use serde_json::Value;

use super::jwt;
use crate::Platform;
use crate::oidc::guard;

/// How long a fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest key set accepted (a few keys take a few KiB).
const MAX_BYTES: usize = 64 * 1024;
/// A tool's keys are fetched again at most this often.
const REFRESH_AFTER_SECS: i64 = 60;

fn http(allow_loopback: bool) -> &'static reqwest::Client {
    static STRICT: OnceLock<reqwest::Client> = OnceLock::new();
    static LOOPBACK: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if allow_loopback { &LOOPBACK } else { &STRICT };
    cell.get_or_init(|| guard::client(allow_loopback, FETCH_TIMEOUT))
}

/// Fetches and checks a key set (public parts only are kept).
pub(crate) async fn fetch(url: &str, allow_loopback: bool) -> Result<Value, String> {
    guard::check_literal(url, allow_loopback)?;
    let mut resp = http(allow_loopback)
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("Schlüsselsatz nicht abrufbar: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("Schlüsselsatz: Antwort {}", resp.status()));
    }
    if resp.content_length().is_some_and(|l| l > MAX_BYTES as u64) {
        return Err("Schlüsselsatz zu groß".into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| format!("Schlüsselsatz nicht abrufbar: {e}"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err("Schlüsselsatz zu groß".into());
        }
    }
    let text = String::from_utf8(body).map_err(|_| "Schlüsselsatz: kein Text".to_owned())?;
    jwt::parse_jwks(&text).map_err(|m| format!("Schlüsselsatz: {m}"))
}

fn has_kid(jwks: &Value, kid: &str) -> bool {
    jwks["keys"]
        .as_array()
        .is_some_and(|ks| ks.iter().any(|k| k["kid"] == kid))
}

impl Platform {
    /// The keys to check a JWT of `client_id` with (`Null` for no such tool): the kept set,
    /// refreshed from the tool's key set URL when the JWT names an unknown key id.
    pub(crate) async fn lti_tool_keys(&self, client_id: &str, token: &str) -> Value {
        let found = match self.db.read().await {
            Ok(mut c) => self.lti_tool(&mut c, client_id).await.ok().flatten(),
            Err(_) => None,
        };
        let Some((_, tool)) = found else {
            return Value::Null;
        };
        let kept: Value = serde_json::from_str(&tool.public_jwks).unwrap_or(Value::Null);
        match jwt::header_kid(token) {
            Some(kid) if !tool.jwks_url.is_empty() && !has_kid(&kept, &kid) => {
                self.refresh_keys(&tool).await.unwrap_or(kept)
            }
            _ => kept,
        }
    }

    async fn refresh_keys(&self, tool: &ToolRow) -> Option<Value> {
        let now = to_us(self.now());
        if now - tool.jwks_fetched_at < REFRESH_AFTER_SECS * 1_000_000 {
            return None;
        }
        let fetched = fetch(&tool.jwks_url, self.config.tool_urls_on_loopback).await;
        let mut tx = self.db.begin().await.ok()?;
        // A failed fetch counts as a fetch too: the next try waits as long.
        let (keys, stored) = match fetched {
            Ok(k) => (Some(k.clone()), k.to_string()),
            Err(why) => {
                tracing::warn!(%why, url = %tool.jwks_url, "refreshing an LTI tool's keys failed");
                (None, tool.public_jwks.clone())
            }
        };
        store::update_jwks(&mut tx, tool.client_ref, &stored, now)
            .await
            .ok()?;
        tx.commit().await.ok()?;
        keys
    }
}
