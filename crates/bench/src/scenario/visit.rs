//! One pupil's morning in the storm: arrive, log in (waiting when told busy), accept the
//! terms, load the home page, ask `/api/v1/me`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::accounts;
use crate::client::{Client, Failure, Reply};
use crate::stats::{Samples, Tally};

/// A redirect chain longer than this is a loop.
const MAX_REDIRECTS: usize = 5;

#[derive(Default)]
pub struct Visit {
    /// Since the storm began, when everything was done; `None` if the visit failed.
    pub done: Option<Duration>,
    pub login_attempt: Samples,
    pub login_until_in: Samples,
    pub page: Samples,
    pub me: Samples,
    pub busy: u64,
    pub errors: Tally,
    pub connects: u64,
    pub page_bytes: usize,
}

pub async fn visit(
    addr: SocketAddr,
    i: usize,
    start: Instant,
    arrival: Instant,
    deadline: Instant,
) -> Visit {
    tokio::time::sleep_until(arrival.into()).await;
    let mut v = Visit::default();
    let mut c = Client::new(addr);
    if let Err(label) = steps(&mut c, &mut v, i, arrival, deadline).await {
        v.errors.add(label);
    } else {
        v.done = Some(start.elapsed());
    }
    v.connects = c.connects;
    v
}

/// The visit's requests in order; the first unexpected answer ends it with its label.
async fn steps(
    c: &mut Client,
    v: &mut Visit,
    i: usize,
    arrival: Instant,
    deadline: Instant,
) -> Result<(), String> {
    log_in(c, v, i, deadline).await?;
    v.login_until_in.push(arrival.elapsed());
    let consent = json!({ "terms": true, "privacy": true });
    expect(c.post_json("/api/v1/consent", &consent).await, 204)?;
    let page = home_page(c, &accounts::last_name(i)).await?;
    v.page.push(page.0);
    v.page_bytes = page.1;
    let me = expect(c.get("/api/v1/me").await, 200)?;
    v.me.push(me.latency);
    Ok(())
}

async fn log_in(c: &mut Client, v: &mut Visit, i: usize, deadline: Instant) -> Result<(), String> {
    let body = accounts::login_body(&accounts::login_name(i), accounts::PASSWORD);
    loop {
        let r = c.post_json("/api/v1/session", &body).await.map_err(label)?;
        match r.status.as_u16() {
            200 if c.session.is_some() => {
                v.login_attempt.push(r.latency);
                return Ok(());
            }
            200 => return Err("200-without-cookie".into()),
            503 => {
                v.busy += 1;
                let wait = Duration::from_secs(r.retry_after.unwrap_or(1));
                if Instant::now() + wait > deadline {
                    return Err("deadline".into());
                }
                tokio::time::sleep(wait).await;
            }
            _ => return Err(r.status.as_str().to_owned()),
        }
    }
}

/// `GET /`, following same-site redirects; the latency of the whole chain and the size of
/// the page finally shown, which must greet the user by `name` (the login form for
/// visitors also answers 200, and must not count as success).
async fn home_page(c: &mut Client, name: &str) -> Result<(Duration, usize), String> {
    let mut path = "/".to_owned();
    let mut total = Duration::ZERO;
    for _ in 0..=MAX_REDIRECTS {
        let r = c.get(&path).await.map_err(label)?;
        total += r.latency;
        match (r.status.as_u16(), r.location) {
            (200, _) if contains(&r.body, name) => return Ok((total, r.body.len())),
            (200, _) => return Err("page-not-signed-in".into()),
            (301..=303 | 307 | 308, Some(next)) => path = same_site_path(&next)?,
            (s, _) => return Err(format!("page-{s}")),
        }
    }
    Err("redirect-loop".into())
}

/// The path of a redirect target on this server.
fn same_site_path(location: &str) -> Result<String, String> {
    if location.starts_with('/') && !location.starts_with("//") {
        return Ok(location.to_owned());
    }
    let rest = location
        .strip_prefix("http://")
        .ok_or_else(|| "redirect-offsite".to_owned())?;
    Ok(rest
        .find('/')
        .map_or("/".into(), |at| rest[at..].to_owned()))
}

fn contains(body: &[u8], text: &str) -> bool {
    body.windows(text.len()).any(|w| w == text.as_bytes())
}

fn expect(r: Result<Reply, Failure>, status: u16) -> Result<Reply, String> {
    let r = r.map_err(label)?;
    if r.status.as_u16() == status {
        Ok(r)
    } else {
        Err(r.status.as_str().to_owned())
    }
}

fn label(f: Failure) -> String {
    f.label().to_owned()
}
