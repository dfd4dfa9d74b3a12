//! `/verwaltung/protokoll`: the log of administrative actions (who — function account and
//! the person holding it —, what, when) and holds that keep log data beyond its 7 days for
//! a documented abuse case.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    lines: Vec<LogLine>,
    holds: Vec<HoldRow>,
    form: FormView,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct LogLine {
    at: String,
    at_iso: String,
    actor: String,
    holder: String,
    action: String,
    object: String,
}

struct HoldRow {
    from: String,
    until: String,
    subject: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    seite: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    reason: String,
}

/// Times are shown in UTC and say so: the platform has no time-zone setting yet.
fn when(tr: Tr, at: DateTime<Utc>) -> String {
    at.format(tr.t("format.datetime")).to_string()
}

fn hold_fields(tr: Tr, f: &HoldForm, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "hold-from", "from", "audit.from")
            .kind("date")
            .value(f.from.clone())
            .required(),
        Field::new(tr, "hold-until", "until", "audit.until")
            .kind("date")
            .value(f.until.clone())
            .required(),
        Field::new(tr, "hold-login", "login", "audit.login")
            .value(f.login.clone())
            .hint(tr, "audit.login_hint"),
        Field::new(tr, "hold-reason", "reason", "audit.reason")
            .kind("textarea")
            .value(f.reason.clone())
            .required()
            .hint(tr, "audit.reason_hint"),
    ];
    FormView::new("hold", fields, failure)
}

async fn render_audit(
    state: &AppState,
    r: &Ready,
    page_no: i64,
    input: &HoldForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let offset = (page_no - 1) * PAGE_SIZE;
    let mut log = match state
        .platform
        .admin_log(&r.actor, PAGE_SIZE + 1, offset)
        .await
    {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let holds = match state.platform.holds(&r.actor).await {
        Ok(h) => h,
        Err(e) => return r.fail(e),
    };
    let more = log.len() as i64 > PAGE_SIZE;
    log.truncate(PAGE_SIZE as usize);
    let dash = || "–".to_owned();
    let view = AuditPage {
        c: Chrome::new(&r.page, tr.t("audit.title")).signed_in(&r.page, &r.actor),
        lines: log
            .into_iter()
            .map(|l| LogLine {
                at: when(tr, l.at),
                at_iso: l.at.to_rfc3339(),
                actor: l.actor.unwrap_or_else(dash),
                holder: l.holder.unwrap_or_else(dash),
                action: tr
                    .lookup(&format!("action.{}", l.action))
                    .map_or(l.action, str::to_owned),
                object: l.object.unwrap_or_else(dash),
            })
            .collect(),
        holds: holds
            .into_iter()
            .map(|h| HoldRow {
                from: when(tr, h.from),
                until: when(tr, h.until),
                subject: h
                    .subject
                    .unwrap_or_else(|| tr.t("audit.everyone").to_owned()),
                reason: h.reason,
            })
            .collect(),
        form: hold_fields(tr, input, failure),
        prev_href: (page_no > 1).then(|| format!("/verwaltung/protokoll?seite={}", page_no - 1)),
        next_href: more.then(|| format!("/verwaltung/protokoll?seite={}", page_no + 1)),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<PageQuery>) -> Response {
    let page_no = q.seite.trim().parse::<i64>().unwrap_or(1).max(1);
    render_audit(&state, &r, page_no, &HoldForm::default(), None).await
}

/// A whole day from its start to its last second.
fn day_bounds(from: &str, until: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let from = parse(from)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or("from")?;
    let until = parse(until)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .ok_or("until")?;
    Ok((from.and_utc(), until.and_utc()))
}

pub async fn hold(State(state): State<AppState>, r: Ready, Form(f): Form<HoldForm>) -> Response {
    let tr = r.page.tr();
    let (from, until) = match day_bounds(&f.from, &f.until) {
        Ok(b) => b,
        Err(field) => {
            let failure = Failure::local("hold", field, tr.t("audit.bad_date"));
            return render_audit(&state, &r, 1, &f, Some(&failure)).await;
        }
    };
    let login = Some(f.login.trim()).filter(|l| !l.is_empty());
    match state
        .platform
        .place_hold(&r.actor, login, from, until, &f.reason)
        .await
    {
        Ok(_) => Redirect::to("/verwaltung/protokoll?ok=hold_placed").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("hold", tr, &e);
            render_audit(&state, &r, 1, &f, Some(&failure)).await
        }
    }
}
