//! Untimed preparation through the public JSON API: accounts created by the demo school's
//! admin, and logged-in, consented sessions.

use std::net::SocketAddr;

use anyhow::{Context, bail, ensure};
use serde_json::json;

use crate::client::{Client, Reply};

pub const SCHOOL: &str = "100000";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "schulhof-demo";
/// The password of every benchmark account (the hash cost does not depend on it).
pub const PASSWORD: &str = "bench-passwort-1";

pub fn login_body(login: &str, password: &str) -> serde_json::Value {
    json!({ "instance": SCHOOL, "login": login, "password": password })
}

/// The login of the `i`-th benchmark account.
pub fn login_name(i: usize) -> String {
    format!("bench{i:05}")
}

/// The last name of the `i`-th benchmark account (pages greet users by name).
pub fn last_name(i: usize) -> String {
    format!("Nutzer{i:05}")
}

fn expect_status(r: &Reply, want: u16, what: &str) -> anyhow::Result<()> {
    ensure!(
        r.status.as_u16() == want,
        "{what}: HTTP {} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    Ok(())
}

/// Logs in and accepts the terms, retrying while the login queue says busy.
pub async fn session(addr: SocketAddr, login: &str, password: &str) -> anyhow::Result<Client> {
    let mut c = Client::new(addr);
    for _ in 0..100 {
        let r = c
            .post_json("/api/v1/session", &login_body(login, password))
            .await?;
        if r.status.as_u16() == 503 {
            tokio::time::sleep(std::time::Duration::from_secs(r.retry_after.unwrap_or(1))).await;
            continue;
        }
        expect_status(&r, 200, &format!("login {login}"))?;
        let r = c
            .post_json(
                "/api/v1/consent",
                &json!({ "terms": true, "privacy": true }),
            )
            .await?;
        expect_status(&r, 204, &format!("consent {login}"))?;
        return Ok(c);
    }
    bail!("login {login}: still busy after 100 attempts")
}

/// Creates `count` pupils `bench00000…` with [`PASSWORD`], `parallel` requests at a time
/// (each one hashes a password with the production parameters).
pub async fn create(addr: SocketAddr, count: usize, parallel: usize) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..parallel.max(1) {
        let mut admin = session(addr, ADMIN, ADMIN_PASSWORD).await?;
        tasks.spawn(async move {
            for i in (lane..count).step_by(parallel.max(1)) {
                let body = json!({
                    "first_name": "Bench",
                    "last_name": last_name(i),
                    "account_type": "schueler",
                    "login": login_name(i),
                    "password": PASSWORD,
                    "groups": ["5a"],
                });
                let r = admin.post_json("/api/v1/users", &body).await?;
                expect_status(&r, 201, &format!("create {}", login_name(i)))?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("account creation task failed")??;
    }
    Ok(())
}

/// Logged-in, consented clients for the first `count` benchmark accounts.
pub async fn sessions(
    addr: SocketAddr,
    count: usize,
    parallel: usize,
) -> anyhow::Result<Vec<Client>> {
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..parallel.max(1) {
        tasks.spawn(async move {
            let mut mine = Vec::new();
            for i in (lane..count).step_by(parallel.max(1)) {
                mine.push(session(addr, &login_name(i), PASSWORD).await?);
            }
            anyhow::Ok(mine)
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        all.extend(done.context("login task failed")??);
    }
    Ok(all)
}
