//! `calendar`: the web month view of a teacher who sees `--groups` group calendars (plus
//! the own, the class's and the school's). The demo school's admin makes the groups and puts
//! the teacher in each; the teacher enters events through the web form (every group some
//! single dates in the shown month and weekly series); then the month page is requested
//! `--requests` times over one keep-alive connection: latency from request to last byte.

use anyhow::{Context, ensure};
use chrono::{Datelike, Duration};
use serde_json::json;

use crate::accounts;
use crate::client::Client;
use crate::report::{Outcome, round};
use crate::server::Server;
use crate::stats::Samples;

#[derive(Clone, Debug, clap::Args)]
pub struct CalendarArgs {
    /// Groups the teacher is in, each with its calendar.
    #[arg(long, default_value_t = 30)]
    pub groups: usize,
    /// Single events per group calendar in the shown month.
    #[arg(long, default_value_t = 10)]
    pub singles: usize,
    /// Weekly series per group calendar.
    #[arg(long, default_value_t = 2)]
    pub series: usize,
    /// Page requests measured (after 10 unmeasured).
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
}

pub async fn run(server: &Server, a: &CalendarArgs) -> anyhow::Result<Outcome> {
    let settings = json!({ "groups": a.groups, "singles": a.singles, "series": a.series,
        "requests": a.requests });
    let mut out = Outcome::new("calendar", server.backend, settings);
    let mut admin =
        accounts::session(server.addr, accounts::ADMIN, accounts::ADMIN_PASSWORD).await?;
    for g in 0..a.groups {
        let r = admin
            .post_json(
                "/api/v1/groups",
                &json!({ "name": format!("AG {g:02}"), "kind": "kurs" }),
            )
            .await?;
        ensure!(r.status.as_u16() == 201, "group {g}: HTTP {}", r.status);
        let v: serde_json::Value = serde_json::from_slice(&r.body)?;
        let id = v["id"].as_str().context("group id")?;
        let r = admin
            .send_put(&format!("/api/v1/groups/{id}/members/lehrer"))
            .await?;
        ensure!(r.status.is_success(), "member {g}: HTTP {}", r.status);
    }
    let mut t = accounts::session(server.addr, "lehrer", accounts::ADMIN_PASSWORD).await?;
    let today = chrono::Utc::now().date_naive();
    let month = today.with_day(1).context("first of month")?;
    let path = format!("/kalender?ansicht=monat&datum={month}");
    let cals = calendar_ids(&mut t, &path).await?;
    ensure!(
        cals.len() >= a.groups,
        "the teacher sees {} calendars, expected at least {}",
        cals.len(),
        a.groups
    );
    let made = fill(&mut t, &cals, month, a).await?;
    eprintln!("{made} events in {} calendars", cals.len());
    let (samples, bytes, shown) = timing(&mut t, &path, a.requests).await?;
    let l = samples.summary();
    out.figure("calendars shown", cals.len() as u64, "");
    out.figure("events shown in the month", shown as u64, "");
    out.latency(&format!("month view, {} calendars", cals.len()), &l);
    out.figure("page size", round(bytes as f64 / 1e3, 1), "kB");
    out.check("month view p99 < 30 ms", l.p99_ms < 30.0);
    out.succeeded = (a.requests + made) as u64;
    Ok(out)
}

/// The ids of the calendars in the legend (all of them ticked by default but rooms').
async fn calendar_ids(c: &mut Client, path: &str) -> anyhow::Result<Vec<String>> {
    let r = c.get(path).await?;
    ensure!(r.status.as_u16() == 200, "GET {path}: HTTP {}", r.status);
    let html = String::from_utf8_lossy(&r.body);
    let mut ids = Vec::new();
    for piece in html.split("name=\"k\" value=\"").skip(1) {
        let id = &piece[..piece.find('"').context("value")?];
        if piece[..120.min(piece.len())].contains("checked") {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

/// Events through the web form: singles spread over the month, weekly series from its
/// first week on. Returns how many were made.
async fn fill(
    c: &mut Client,
    cals: &[String],
    month: chrono::NaiveDate,
    a: &CalendarArgs,
) -> anyhow::Result<usize> {
    let mut made = 0;
    for (n, cal) in cals.iter().enumerate() {
        for i in 0..a.singles + a.series {
            let series = i >= a.singles;
            let day = month + Duration::days(((n + i * 3) % 27) as i64);
            let hour = 7 + (n + i) % 9;
            let (from, to) = (format!("{hour:02}:00"), format!("{hour:02}:45"));
            let title = format!("Termin {n}-{i}");
            let date = day.to_string();
            let mut f = vec![
                ("kalender", cal.as_str()),
                ("titel", title.as_str()),
                ("ort", "Raum 12"),
                ("beginn_datum", date.as_str()),
                ("beginn_zeit", from.as_str()),
                ("ende_datum", date.as_str()),
                ("ende_zeit", to.as_str()),
            ];
            if series {
                f.extend([("wiederholung", "woechentlich"), ("serienende", "nie")]);
            }
            let r = c.post_form("/kalender/termin/neu", &f).await?;
            if r.status.as_u16() == 403 {
                // A calendar the teacher reads but does not write (the school's).
                break;
            }
            ensure!(
                r.status.as_u16() == 303 || r.status.as_u16() == 302,
                "event {n}-{i}: HTTP {} {}",
                r.status,
                String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
            );
            made += 1;
        }
    }
    Ok(made)
}

async fn timing(
    c: &mut Client,
    path: &str,
    requests: usize,
) -> anyhow::Result<(Samples, usize, usize)> {
    let mut samples = Samples::default();
    let (mut bytes, mut shown) = (0, 0);
    for i in 0..requests + 10 {
        let r = c.get(path).await?;
        ensure!(r.status.as_u16() == 200, "GET {path}: HTTP {}", r.status);
        if i >= 10 {
            samples.push(r.latency);
        }
        bytes = r.body.len();
        shown = String::from_utf8_lossy(&r.body)
            .matches("class=\"cal-event")
            .count();
    }
    Ok((samples, bytes, shown))
}
