//! `notes`: the home page of a teacher with `--unread` (200) unread notifications. The demo
//! school's staff member shares that many folders with the teacher through the web form
//! (each share writes a "file shared" notification in its transaction); then the teacher's
//! home page — the bell with its count, the card of unread notifications, the other cards —
//! is requested `--requests` times over one keep-alive connection.

use anyhow::{Context, ensure};
use serde_json::json;

use crate::accounts;
use crate::report::{Outcome, round};
use crate::server::Server;
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct NotesArgs {
    /// Unread notifications of the teacher.
    #[arg(long, default_value_t = 200)]
    pub unread: usize,
    /// Page requests measured (after 10 unmeasured).
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
}

pub async fn run(server: &Server, a: &NotesArgs) -> anyhow::Result<Outcome> {
    let settings = json!({ "unread": a.unread, "requests": a.requests });
    let mut out = Outcome::new("notes", server.backend, settings);
    let mut staff = accounts::session(server.addr, "personal", accounts::ADMIN_PASSWORD).await?;
    let own = super::files::own_root(&mut staff).await?;
    for i in 0..a.unread {
        let r = staff
            .post_json(
                &format!("/api/v1/files/{own}/folders"),
                &json!({ "name": format!("Material {i:03}") }),
            )
            .await?;
        ensure!(r.status.as_u16() == 201, "folder {i}: HTTP {}", r.status);
        let v: serde_json::Value = serde_json::from_slice(&r.body)?;
        let id = v["id"].as_str().context("folder id")?;
        let r = staff
            .post_form(
                &format!("/dateien/{id}/freigaben"),
                &[("subject", "lehrer"), ("role", "viewer")],
            )
            .await?;
        ensure!(
            r.status.is_redirection(),
            "share {i}: HTTP {} {}",
            r.status,
            String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
        );
    }
    let mut t = accounts::session(server.addr, "lehrer", accounts::ADMIN_PASSWORD).await?;
    let mut samples = Samples::default();
    let mut bytes = 0;
    for i in 0..a.requests + 10 {
        let r = t.get("/").await?;
        ensure!(r.status.as_u16() == 200, "GET /: HTTP {}", r.status);
        if i == 0 {
            let body = String::from_utf8_lossy(&r.body);
            ensure!(
                body.contains("class=\"bell-badge\""),
                "the bell shows no unread count"
            );
        }
        if i >= 10 {
            samples.push(r.latency);
        }
        bytes = r.body.len();
    }
    let l = samples.summary();
    out.figure("unread notifications", a.unread as u64, "");
    out.latency("home page with the bell and unread notifications", &l);
    out.figure("page size", round(bytes as f64 / 1e3, 1), "kB");
    out.check("home page p99 < 20 ms", l.p99_ms < 20.0);
    out.succeeded = (a.requests + a.unread) as u64;
    Ok(out)
}
