//! `sso`: the platform as OpenID Connect provider under load (issue 18). A confidential tool
//! of the demo school is registered, then:
//!
//! 1. **08:00**: `--accounts` pupils arrive evenly over `--spread` seconds, log in, accept
//!    the terms and open the tool (authorize → code → token → userinfo); everyone must be
//!    in the tool within `--deadline` seconds, with zero errors.
//! 2. **token**: `--concurrency` of them, closed loop: a fresh code (authorize), then its
//!    exchange at the token endpoint (RS256-signed ID token); the token requests' rate and
//!    latency are reported (the server does the authorizations in the same window).
//! 3. **token alone**: the same connections first fetch codes (not measured), then only
//!    exchange them, closed loop: the token endpoint's own rate.
//! 4. **userinfo**: the same connections, closed loop, each with its access token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use schulhof_domain::oidc::NewClient;
use serde_json::json;

use super::sso_flow::{self, Morning, REDIRECT, Tool};
use super::{Seen, Window};
use crate::accounts;
use crate::client::Client;
use crate::cpu::CpuMeter;
use crate::report::{Outcome, round};
use crate::server::Server;

#[derive(Clone, Debug, clap::Args)]
pub struct SsoArgs {
    /// Pupils who log in and open the tool at 08:00.
    #[arg(long, default_value_t = 1100)]
    pub accounts: usize,
    /// Seconds over which they arrive.
    #[arg(long, default_value_t = 60.0)]
    pub spread: f64,
    /// Seconds from the first arrival by which everyone must be in the tool.
    #[arg(long, default_value_t = 90.0)]
    pub deadline: f64,
    /// Connections of the token and userinfo phases (at most `--accounts`).
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Seconds each of the token and userinfo phases measures.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Account creation requests at a time (each hashes a password).
    #[arg(long, default_value_t = 2)]
    pub create_parallel: usize,
}

async fn register(server: &Server) -> anyhow::Result<Tool> {
    let platform = server.platform.clone();
    let client = NewClient {
        school: Some(accounts::SCHOOL.into()),
        name: "Bench-Werkzeug".into(),
        redirect_uris: vec![REDIRECT.into()],
        ..NewClient::default()
    };
    let r = server
        .prepare(async move { platform.system_oidc_add_client(&client).await })
        .await?
        .map_err(|e| anyhow::anyhow!("cannot register the tool: {e}"))?;
    Ok(Tool {
        client_id: r.client_id,
        secret: r.secret.context("a confidential client has a secret")?,
    })
}

pub async fn run(server: &Server, a: &SsoArgs) -> anyhow::Result<Outcome> {
    ensure!(
        a.accounts > 0 && a.concurrency > 0,
        "need accounts and connections"
    );
    accounts::create(server.addr, a.accounts, a.create_parallel).await?;
    let tool = Arc::new(register(server).await?);
    let settings = json!({ "accounts": a.accounts, "spread_s": a.spread,
        "deadline_s": a.deadline, "concurrency": a.concurrency, "duration_s": a.duration });
    let mut out = Outcome::new("sso", server.backend, settings);
    let browsers = eight_o_clock(server, &tool, a, &mut out).await?;
    let browsers: Vec<Client> = browsers.into_iter().take(a.concurrency).collect();
    let window = window(a);
    let (token, authorize, browsers) = token_phase(browsers, &tool, window).await;
    let token_rate = token.rate(&window);
    let exchanged = token.ok.len();
    out.figure("token: exchanges", exchanged, "");
    out.figure("token: throughput", token_rate, "req/s");
    out.latency("token", &token.ok.summary());
    out.latency("authorize (same window)", &authorize.ok.summary());
    out.figure(
        "token phase errors",
        format!(
            "{} {}",
            token.errors.describe(),
            authorize.errors.describe()
        ),
        "",
    );
    // The token endpoint alone: codes fetched first, then only exchanged.
    let (alone, ran_out, window, browsers) = token_alone_phase(browsers, &tool, a).await;
    let alone_rate = alone.rate(&window);
    let alone_done = alone.ok.len();
    out.figure("token alone: exchanges", alone_done, "");
    out.figure("token alone: throughput", alone_rate, "req/s");
    out.latency("token alone", &alone.ok.summary());
    out.figure("token alone: connections out of codes", ran_out, "");
    out.figure("token alone errors", alone.errors.describe(), "");
    let window = self::window(a);
    let info = userinfo_phase(browsers, &tool, window).await;
    let info_rate = info.rate(&window);
    let answered = info.ok.len();
    out.figure("userinfo: throughput", info_rate, "req/s");
    out.latency("userinfo", &info.ok.summary());
    out.figure("userinfo errors", info.errors.describe(), "");
    let errors = token.errors.total()
        + authorize.errors.total()
        + alone.errors.total()
        + info.errors.total();
    out.check("token, userinfo: zero errors", errors == 0);
    out.check(
        "token ≥ 1,000 req/s (each with its authorize)",
        token_rate >= 1000.0,
    );
    out.check(
        "token alone ≥ 1,000 req/s",
        alone_rate >= 1000.0 && ran_out == 0,
    );
    out.check("userinfo ≥ 5,000 req/s", info_rate >= 5000.0);
    out.failed += errors;
    out.succeeded += (exchanged + alone_done + answered) as u64;
    Ok(out)
}

fn window(a: &SsoArgs) -> Window {
    Window::starting_now(
        Duration::from_secs_f64(a.warmup),
        Duration::from_secs_f64(a.duration),
    )
}

/// Phase 1: every pupil arrives once; returns the browsers that made it.
async fn eight_o_clock(
    server: &Server,
    tool: &Arc<Tool>,
    a: &SsoArgs,
    out: &mut Outcome,
) -> anyhow::Result<Vec<Client>> {
    let start = Instant::now() + Duration::from_millis(200);
    let deadline = start + Duration::from_secs_f64(a.deadline);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..a.accounts {
        let arrival = start + Duration::from_secs_f64(a.spread * i as f64 / a.accounts as f64);
        let t = tool.clone();
        set.spawn(sso_flow::morning(
            server.addr,
            t,
            i,
            start,
            arrival,
            deadline,
        ));
    }
    let meter = CpuMeter::start();
    let mut all = Morning::default();
    let mut browsers = Vec::new();
    let mut last = Duration::ZERO;
    while let Some(done) = set.join_next().await {
        let m = done?;
        last = last.max(m.done.unwrap_or_default());
        browsers.extend(m.browser);
        all.login.extend(m.login);
        all.authorize.extend(m.authorize);
        all.token.extend(m.token);
        all.userinfo.extend(m.userinfo);
        all.busy += m.busy;
        all.errors.merge(m.errors);
    }
    let through = browsers.len();
    out.figure(
        "08:00 in the tool",
        format!("{through}/{}", a.accounts),
        "pupils",
    );
    out.figure("08:00 last one in after", round(last.as_secs_f64(), 1), "s");
    out.latency("08:00 login", &all.login.summary());
    out.latency("08:00 authorize", &all.authorize.summary());
    out.latency("08:00 token", &all.token.summary());
    out.latency("08:00 userinfo", &all.userinfo.summary());
    out.figure("08:00 busy answers (503, retried)", all.busy, "");
    out.figure("08:00 errors", all.errors.describe(), "");
    out.cpu("08:00 ", meter.stop());
    out.check(
        format!(
            "08:00: everyone in the tool within {} s, zero errors",
            a.deadline
        ),
        through == a.accounts && all.errors.total() == 0 && last.as_secs_f64() <= a.deadline,
    );
    out.failed += all.errors.total() + (a.accounts - through) as u64;
    out.succeeded += through as u64;
    Ok(browsers)
}

/// Phase 2: each connection fetches a code and exchanges it, back to back.
async fn token_phase(
    browsers: Vec<Client>,
    tool: &Arc<Tool>,
    window: Window,
) -> (Seen, Seen, Vec<Client>) {
    let mut set = tokio::task::JoinSet::new();
    for (i, browser) in browsers.into_iter().enumerate() {
        let tool = tool.clone();
        set.spawn(async move {
            let mut b = browser;
            let mut conn = server_side(&b);
            let (mut token, mut auth) = (Seen::default(), Seen::default());
            let mut n = (i as u64) << 32;
            while Instant::now() < window.until {
                n += 1;
                let measured = Instant::now() >= window.measure_from;
                let code = match sso_flow::authorize(&mut b, &tool, n).await {
                    Ok((code, t)) => {
                        count(&mut auth, measured, t);
                        code
                    }
                    Err(e) => {
                        auth.errors.add_if(measured, e);
                        continue;
                    }
                };
                let measured = Instant::now() >= window.measure_from;
                match sso_flow::token(&mut conn, &tool, &code).await {
                    Ok((_, t)) => count(&mut token, measured, t),
                    Err(e) => token.errors.add_if(measured, e),
                }
            }
            (token, auth, b)
        });
    }
    let (mut token, mut auth, mut kept) = (Seen::default(), Seen::default(), Vec::new());
    while let Some(done) = set.join_next().await {
        match done {
            Ok((t, a, b)) => {
                token.merge(t);
                auth.merge(a);
                kept.push(b);
            }
            Err(_) => token.errors.add("worker-panic"),
        }
    }
    (token, auth, kept)
}

/// Phase 2b: each connection first fetches codes (not measured) for as long as the window
/// lasts and half as long again, then exchanges them back to back in the window: the token
/// endpoint's own rate. Codes live 60 s; the collection and the window end well within.
/// Returns the exchanges, how many connections ran out of codes before the window ended
/// (then the rate is a lower bound), the window and the browsers.
async fn token_alone_phase(
    browsers: Vec<Client>,
    tool: &Arc<Tool>,
    a: &SsoArgs,
) -> (Seen, usize, Window, Vec<Client>) {
    let collect_for = Duration::from_secs_f64((a.warmup + a.duration) * 1.5 + 1.0);
    let collect_until = Instant::now() + collect_for;
    let mut set = tokio::task::JoinSet::new();
    for (i, browser) in browsers.into_iter().enumerate() {
        let tool = tool.clone();
        set.spawn(async move {
            let mut b = browser;
            let mut codes = Vec::new();
            let mut seen = Seen::default();
            let mut n = ((i as u64) << 32) | (1 << 31);
            while Instant::now() < collect_until {
                n += 1;
                match sso_flow::authorize(&mut b, &tool, n).await {
                    Ok((code, _)) => codes.push(code),
                    Err(e) => seen.errors.add(e),
                }
            }
            (codes, seen, b)
        });
    }
    let mut fetched = Vec::new();
    let mut seen = Seen::default();
    while let Some(done) = set.join_next().await {
        match done {
            Ok((codes, s, b)) => {
                seen.merge(s);
                fetched.push((codes, b));
            }
            Err(_) => seen.errors.add("worker-panic"),
        }
    }
    let window = self::window(a);
    let mut set = tokio::task::JoinSet::new();
    for (codes, b) in fetched {
        let tool = tool.clone();
        set.spawn(async move {
            let mut conn = server_side(&b);
            let mut seen = Seen::default();
            let mut codes = codes.into_iter();
            let mut ran_out = false;
            while Instant::now() < window.until {
                let Some(code) = codes.next() else {
                    ran_out = true;
                    break;
                };
                let measured = Instant::now() >= window.measure_from;
                match sso_flow::token(&mut conn, &tool, &code).await {
                    Ok((_, t)) => count(&mut seen, measured, t),
                    Err(e) => seen.errors.add_if(measured, e),
                }
            }
            (seen, ran_out, b)
        });
    }
    let (mut ran_out, mut kept) = (0, Vec::new());
    while let Some(done) = set.join_next().await {
        match done {
            Ok((s, out, b)) => {
                seen.merge(s);
                ran_out += usize::from(out);
                kept.push(b);
            }
            Err(_) => seen.errors.add("worker-panic"),
        }
    }
    (seen, ran_out, window, kept)
}

/// Phase 3: each connection gets one access token, then asks userinfo back to back.
async fn userinfo_phase(browsers: Vec<Client>, tool: &Arc<Tool>, window: Window) -> Seen {
    let mut set = tokio::task::JoinSet::new();
    for (i, browser) in browsers.into_iter().enumerate() {
        let tool = tool.clone();
        set.spawn(async move {
            let mut b = browser;
            let mut conn = server_side(&b);
            let mut seen = Seen::default();
            let access = match sso_flow::authorize(&mut b, &tool, i as u64).await {
                Ok((code, _)) => sso_flow::token(&mut conn, &tool, &code).await,
                Err(e) => Err(e),
            };
            let access = match access {
                Ok((a, _)) => a,
                Err(e) => {
                    seen.errors.add(e);
                    return seen;
                }
            };
            while Instant::now() < window.until {
                let measured = Instant::now() >= window.measure_from;
                match sso_flow::userinfo(&mut conn, &access).await {
                    Ok(t) => count(&mut seen, measured, t),
                    Err(e) => seen.errors.add_if(measured, e),
                }
            }
            seen
        });
    }
    let mut all = Seen::default();
    while let Some(done) = set.join_next().await {
        match done {
            Ok(s) => all.merge(s),
            Err(_) => all.errors.add("worker-panic"),
        }
    }
    all
}

fn count(seen: &mut Seen, measured: bool, latency: Duration) {
    if measured {
        seen.ok.push(latency);
        seen.last_done = Some(Instant::now());
    }
}

/// The tool's own connection to the platform: no session cookie.
fn server_side(browser: &Client) -> Client {
    let mut c = browser.sibling();
    c.session = None;
    c
}
