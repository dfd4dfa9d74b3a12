//! `/verwaltung/protokoll`: the log of administrative actions (who — the person and the
//! function account they used —, what, whom, when), filtered by person, action and days and
//! exported as CSV; and holds that keep log data beyond its 7 days for a documented abuse
//! case.

mod csv;
mod lines;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use schulhof_domain::audit::LogFilter;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;
use lines::{LogLine, action_text};

const PAGE_SIZE: i64 = 50;
const PATH: &str = "/verwaltung/protokoll";

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    filter: Vec<Field>,
    filtered: bool,
    csv_href: String,
    lines: Vec<LogLine>,
    holds: Vec<HoldRow>,
    form: FormView,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct HoldRow {
    from: String,
    until: String,
    subject: String,
    reason: String,
}

/// The filters, as query parameters of the page and of its CSV export.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    seite: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    aktion: String,
    #[serde(default)]
    von: String,
    #[serde(default)]
    bis: String,
}

impl PageQuery {
    fn page_no(&self) -> i64 {
        self.seite.trim().parse::<i64>().unwrap_or(1).max(1)
    }

    /// The days are the school's calendar days: from the start of `von` to the end of `bis`.
    fn filter(&self, zone: Zone) -> LogFilter {
        LogFilter {
            person: self.person.trim().to_owned(),
            action: self.aktion.trim().to_owned(),
            from: parse_day(&self.von).map(|d| zone.start_of_day(d)),
            until: parse_day(&self.bis).map(|d| zone.end_of_day(d)),
        }
    }

    fn is_filtered(&self) -> bool {
        [&self.person, &self.aktion, &self.von, &self.bis]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    /// The filters as a query string (without the page), for links that keep them.
    fn query(&self) -> String {
        format!(
            "person={}&aktion={}&von={}&bis={}",
            url::encode(self.person.trim()),
            url::encode(self.aktion.trim()),
            url::encode(self.von.trim()),
            url::encode(self.bis.trim())
        )
    }

    fn page_href(&self, page_no: i64) -> String {
        format!("{PATH}?{}&seite={page_no}", self.query())
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
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

fn filter_fields(tr: Tr, q: &PageQuery, actions: &[String]) -> Vec<Field> {
    let mut choices = vec![(String::new(), tr.t("admin.audit.all_actions").to_owned())];
    let mut named: Vec<(String, String)> = actions
        .iter()
        .map(|a| (a.clone(), action_text(tr, a)))
        .collect();
    named.sort_by(|a, b| a.1.cmp(&b.1));
    choices.extend(named);
    vec![
        Field::new(tr, "log-person", "person", "admin.audit.person")
            .kind("search")
            .value(q.person.trim())
            .hint(tr, "admin.audit.person_hint"),
        Field::new(tr, "log-action", "aktion", "audit.action")
            .value(q.aktion.trim())
            .options(choices),
        Field::new(tr, "log-from", "von", "audit.from")
            .kind("date")
            .value(q.von.trim()),
        Field::new(tr, "log-until", "bis", "audit.until")
            .kind("date")
            .value(q.bis.trim()),
    ]
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
    q: &PageQuery,
    input: &HoldForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let page_no = q.page_no();
    let p = &state.platform;
    let filter = q.filter(zone);
    let offset = (page_no - 1) * PAGE_SIZE;
    let mut log = match p
        .admin_log_named(&r.actor, &filter, PAGE_SIZE + 1, offset)
        .await
    {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let (actions, holds) = match (p.admin_log_actions(&r.actor).await, p.holds(&r.actor).await) {
        (Ok(a), Ok(h)) => (a, h),
        (Err(e), _) | (_, Err(e)) => return r.fail(e),
    };
    let more = log.len() as i64 > PAGE_SIZE;
    log.truncate(PAGE_SIZE as usize);
    let view = AuditPage {
        c: Chrome::new(&r.page, tr.t("audit.title")).signed_in(&r.page, &r.actor),
        filter: filter_fields(tr, q, &actions),
        filtered: q.is_filtered(),
        csv_href: format!("{PATH}.csv?{}", q.query()),
        lines: log.iter().map(|e| lines::line(tr, zone, e)).collect(),
        holds: holds
            .into_iter()
            .map(|h| HoldRow {
                from: zone.date(tr, h.from),
                until: zone.date(tr, h.until),
                subject: h
                    .subject
                    .unwrap_or_else(|| tr.t("audit.everyone").to_owned()),
                reason: h.reason,
            })
            .collect(),
        form: hold_fields(tr, input, failure),
        prev_href: (page_no > 1).then(|| q.page_href(page_no - 1)),
        next_href: more.then(|| q.page_href(page_no + 1)),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<PageQuery>) -> Response {
    render_audit(&state, &r, &q, &HoldForm::default(), None).await
}

/// `GET /verwaltung/protokoll.csv`: every line the filters match (up to a limit).
pub async fn export(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    match state
        .platform
        .admin_log_named(&r.actor, &q.filter(zone), csv::MAX_LINES, 0)
        .await
    {
        Ok(log) => {
            let lines: Vec<LogLine> = log.iter().map(|e| lines::line(tr, zone, e)).collect();
            csv::response(tr, &lines)
        }
        Err(e) => r.fail(e),
    }
}

/// Whole school days, from the first moment of `from` to the last of `until`.
fn day_bounds(
    zone: Zone,
    from: &str,
    until: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    let from = parse_day(from).ok_or("from")?;
    let until = parse_day(until).ok_or("until")?;
    Ok((zone.start_of_day(from), zone.end_of_day(until)))
}

pub async fn hold(State(state): State<AppState>, r: Ready, Form(f): Form<HoldForm>) -> Response {
    let tr = r.page.tr();
    let q = PageQuery::default();
    let (from, until) = match day_bounds(Zone::of(&r.actor), &f.from, &f.until) {
        Ok(b) => b,
        Err(field) => {
            let failure = Failure::local("hold", field, tr.t("audit.bad_date"));
            return render_audit(&state, &r, &q, &f, Some(&failure)).await;
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
            render_audit(&state, &r, &q, &f, Some(&failure)).await
        }
    }
}
