//! The steps of a login to a connected tool for `sso`, as the pupil's browser and the tool's
//! server make them: the authorization request with the platform session (answered with a
//! redirect carrying a code), the code exchanged at the token endpoint with the client's
//! secret, and userinfo with the access token. Also one pupil's 08:00: log in, accept the
//! terms, open the tool.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::accounts;
use crate::client::{Client, Failure, Reply};
use crate::stats::{Samples, Tally};

/// The tool's redirect URI: nothing listens there, the browser side only reads the code.
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";

/// The registered tool (a confidential client of the demo school).
pub struct Tool {
    pub client_id: String,
    pub secret: String,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn label(f: Failure) -> String {
    f.label().to_owned()
}

fn status(r: &Reply, want: u16, step: &str) -> Result<(), String> {
    if r.status.as_u16() == want {
        Ok(())
    } else {
        Err(format!("{step}-{}", r.status.as_u16()))
    }
}

/// `GET /oidc/authorize` with the pupil's session: the code the redirect to the tool carries.
pub async fn authorize(
    browser: &mut Client,
    tool: &Tool,
    n: u64,
) -> Result<(String, Duration), String> {
    let path = format!(
        "/oidc/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid&state=s{n}&nonce=n{n}",
        enc(&tool.client_id),
        enc(REDIRECT)
    );
    let r = browser.get(&path).await.map_err(label)?;
    status(&r, 303, "authorize")?;
    let to = r.location.as_deref().unwrap_or("");
    let query = to
        .strip_prefix(REDIRECT)
        .and_then(|q| q.strip_prefix('?'))
        .ok_or_else(|| "authorize-not-to-tool".to_owned())?;
    let code = query
        .split('&')
        .find_map(|p| p.strip_prefix("code="))
        .ok_or_else(|| "authorize-no-code".to_owned())?;
    Ok((code.to_owned(), r.latency))
}

/// `POST /oidc/token` from the tool's server: the access token.
pub async fn token(
    conn: &mut Client,
    tool: &Tool,
    code: &str,
) -> Result<(String, Duration), String> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", tool.client_id.as_str()),
        ("client_secret", tool.secret.as_str()),
    ];
    let r = conn.post_form("/oidc/token", &form).await.map_err(label)?;
    status(&r, 200, "token")?;
    let body: serde_json::Value =
        serde_json::from_slice(&r.body).map_err(|_| "token-not-json".to_owned())?;
    let access = body["access_token"]
        .as_str()
        .filter(|_| body["id_token"].is_string())
        .ok_or_else(|| "token-incomplete".to_owned())?;
    Ok((access.to_owned(), r.latency))
}

/// `POST /oidc/userinfo` from the tool's server (token in the form): a subject must come.
pub async fn userinfo(conn: &mut Client, access: &str) -> Result<Duration, String> {
    let r = conn
        .post_form("/oidc/userinfo", &[("access_token", access)])
        .await
        .map_err(label)?;
    status(&r, 200, "userinfo")?;
    let body: serde_json::Value =
        serde_json::from_slice(&r.body).map_err(|_| "userinfo-not-json".to_owned())?;
    if body["sub"].as_str().is_none_or(str::is_empty) {
        return Err("userinfo-no-sub".into());
    }
    Ok(r.latency)
}

/// What one pupil's 08:00 saw; the logged-in browser is kept for the later phases.
#[derive(Default)]
pub struct Morning {
    /// Since the first arrival, when the tool knew the pupil; `None` if something failed.
    pub done: Option<Duration>,
    pub login: Samples,
    pub authorize: Samples,
    pub token: Samples,
    pub userinfo: Samples,
    pub busy: u64,
    pub errors: Tally,
    pub browser: Option<Client>,
}

/// Arrives at `arrival`, logs in (waiting when told busy), accepts the terms and opens the
/// tool: authorization, code exchange and userinfo, all expected to succeed first time.
pub async fn morning(
    addr: SocketAddr,
    tool: Arc<Tool>,
    i: usize,
    start: Instant,
    arrival: Instant,
    deadline: Instant,
) -> Morning {
    tokio::time::sleep_until(arrival.into()).await;
    let mut m = Morning::default();
    let mut browser = Client::new(addr);
    match steps(&mut browser, &mut m, &tool, i, deadline).await {
        Ok(()) => {
            m.done = Some(start.elapsed());
            m.browser = Some(browser);
        }
        Err(e) => m.errors.add(e),
    }
    m
}

async fn steps(
    browser: &mut Client,
    m: &mut Morning,
    tool: &Tool,
    i: usize,
    deadline: Instant,
) -> Result<(), String> {
    log_in(browser, m, i, deadline).await?;
    let consent = json!({ "terms": true, "privacy": true });
    let r = browser
        .post_json("/api/v1/consent", &consent)
        .await
        .map_err(label)?;
    status(&r, 204, "consent")?;
    let (code, t) = authorize(browser, tool, i as u64).await?;
    m.authorize.push(t);
    let mut server_side = browser.sibling();
    server_side.session = None;
    let (access, t) = token(&mut server_side, tool, &code).await?;
    m.token.push(t);
    m.userinfo.push(userinfo(&mut server_side, &access).await?);
    Ok(())
}

async fn log_in(
    c: &mut Client,
    m: &mut Morning,
    i: usize,
    deadline: Instant,
) -> Result<(), String> {
    let body = accounts::login_body(&accounts::login_name(i), accounts::PASSWORD);
    loop {
        let r = c.post_json("/api/v1/session", &body).await.map_err(label)?;
        match r.status.as_u16() {
            200 if c.session.is_some() => {
                m.login.push(r.latency);
                return Ok(());
            }
            503 => {
                m.busy += 1;
                let wait = Duration::from_secs(r.retry_after.unwrap_or(1));
                if Instant::now() + wait > deadline {
                    return Err("deadline".into());
                }
                tokio::time::sleep(wait).await;
            }
            s => return Err(format!("login-{s}")),
        }
    }
}
