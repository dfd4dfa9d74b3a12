//! `/verwaltung/mail/missbrauch`: abuse control (Nutzungsbedingungen 7) for the Schulleitung.
//! Stage 1: ask the data-protection officer, with a written reason and a period within the
//! kept seven days, for a domain analysis; approved, see messages and volume per external
//! domain, day and direction — nothing that names a person; then give the general notice,
//! and, if the suspicion persists, ask for a further analysis of the time after it. Stage 2
//! (a named scope, with the staff council) follows only an approved further analysis; it
//! is asked here too and shown in [`super::abuse_scope`]. The domain decides every step;
//! these pages only show and ask.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::mail::abuse::CaseView;
use schulhof_domain::mail::abuse_council::CaseLine;
use schulhof_front::AppState;
use schulhof_types::AccountType;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::{Zone, format_day};

pub const PATH: &str = "/verwaltung/mail/missbrauch";

/// How far back traffic data reach (the domain checks; the form offers no earlier day).
const KEPT_DAYS: i64 = 7;

/// A case as a line of the overview.
pub struct Line {
    pub stage: i64,
    /// A further stage-1 analysis (after a general notice).
    pub further: bool,
    pub state: &'static str,
    pub reason: String,
    /// The data-protection officer's reason, once the case is decided with one.
    pub decision: Option<String>,
    pub period: String,
    pub asked: String,
    pub accounts: usize,
    /// The results (stage 1) or traffic data (stage 2), while they can be seen.
    pub href: Option<String>,
    /// The form that closes it, while an approved stage-1 case (stage 2 closes on its data
    /// page, with the written results).
    pub close: Option<String>,
}

/// A case another can follow: a noticed stage-1 case (for a further analysis) or an
/// approved further analysis (for stage 2). The domain checks; the forms offer no other.
struct Follow {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "mail/abuse.html")]
struct OverviewPage {
    c: Chrome,
    lines: Vec<Line>,
    /// What a stage-2 request can follow: approved further analyses.
    follows: Vec<Follow>,
    /// What a further analysis can follow: stage-1 cases whose notice was given.
    noticed: Vec<Follow>,
    /// Values of the period fields: the earliest day offered, and today.
    min_day: String,
    today: String,
}

/// The key of a case's state as the Schulleitung reads it.
fn state_key(l: &CaseLine) -> &'static str {
    match (l.case.stage, l.case.state.as_str()) {
        (2, "requested") if !l.council_joined => "abuse.state.council",
        (_, "requested") => "abuse.state.requested",
        (_, "approved") => "abuse.state.approved",
        (_, "refused") => "abuse.state.refused",
        _ => "abuse.state.closed",
    }
}

pub fn period(tr: Tr, zone: Zone, from: DateTime<Utc>, until: DateTime<Utc>) -> String {
    format!("{} – {}", zone.datetime(tr, from), zone.datetime(tr, until))
}

fn line(tr: Tr, zone: Zone, l: CaseLine) -> Line {
    let state = tr.t(state_key(&l));
    let c: &CaseView = &l.case;
    let open = c.state == "approved";
    let base = match c.stage {
        2 => format!("{PATH}/stufe2/{}", c.id),
        _ => format!("{PATH}/{}", c.id),
    };
    Line {
        stage: c.stage,
        further: c.stage == 1 && c.follows.is_some(),
        state,
        reason: c.reason.clone(),
        decision: c.decision_reason.clone(),
        period: period(tr, zone, c.from, c.until),
        asked: zone.datetime(tr, c.created_at),
        accounts: l.accounts,
        href: open.then(|| base.clone()),
        close: (open && c.stage == 1).then(|| format!("{base}/abschliessen")),
    }
}

/// `GET /verwaltung/mail/missbrauch`
pub async fn overview(State(state): State<AppState>, r: Ready) -> Response {
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let cases = match state.platform.mail_abuse_overview(&r.actor).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let follow = |l: &CaseLine| Follow {
        id: l.case.id.to_string(),
        label: format!(
            "{} ({})",
            period(tr, zone, l.case.from, l.case.until),
            zone.datetime(tr, l.case.created_at)
        ),
    };
    let follows = cases
        .iter()
        .filter(|l| l.case.opens_stage_two())
        .map(follow)
        .collect();
    let noticed = cases
        .iter()
        .filter(|l| l.case.allows_further_analysis())
        .map(follow)
        .collect();
    let today = zone.today(state.platform.now());
    let min_day = today - Days::new(KEPT_DAYS as u64);
    let view = OverviewPage {
        c: Chrome::new(&r.page, tr.t("abuse.title")).signed_in(&r.page, &r.actor),
        lines: cases.into_iter().map(|l| line(tr, zone, l)).collect(),
        follows,
        noticed,
        min_day: min_day.format("%Y-%m-%d").to_string(),
        today: today.format("%Y-%m-%d").to_string(),
    };
    render::ok(&view)
}

/// The period of the form's two days: from the start of `von` to the end of `bis`, cut to
/// what traffic data exist — not before the kept days began, not after now.
pub fn period_of(
    zone: Zone,
    now: DateTime<Utc>,
    von: &str,
    bis: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (Some(from), Some(until)) = (day(von), day(bis)) else {
        return Err(DomainError::invalid(
            "period",
            "both days of the period are required",
        ));
    };
    // The earliest day offered started before the kept days did: it counts from then on
    // (a minute later, so the domain's own "now" still finds it inside).
    let earliest = now - Duration::days(KEPT_DAYS) + Duration::minutes(1);
    let mut from = zone.start_of_day(from);
    if from < earliest && zone.end_of_day(zone.today(from)) >= earliest {
        from = earliest;
    }
    Ok((from, zone.end_of_day(until).min(now)))
}

#[derive(Deserialize)]
pub struct RequestForm {
    grund: String,
    von: String,
    bis: String,
    /// The noticed case a further analysis follows; empty for a first one.
    #[serde(default)]
    folgt: String,
}

/// `POST /verwaltung/mail/missbrauch`: stage 1, a domain analysis.
pub async fn request(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<RequestForm>,
) -> Response {
    let p = &state.platform;
    let asked = async {
        let (from, until) = period_of(Zone::of(&r.actor), p.now(), &f.von, &f.bis)?;
        match f.folgt.trim() {
            "" => p.mail_abuse_request(&r.actor, &f.grund, from, until).await,
            id => {
                let follows = id.parse().map_err(|_| {
                    DomainError::invalid("case", "choose a case whose general notice was given")
                })?;
                p.mail_abuse_request_further(&r.actor, follows, &f.grund, from, until)
                    .await
            }
        }
    };
    match asked.await {
        Ok(_) => Redirect::to(&format!("{PATH}?ok=abuse_requested")).into_response(),
        Err(e) => r.fail(e),
    }
}

pub fn parse_id(s: &str) -> Result<Uuid, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

/// One line of the analysis: a domain's messages and volume on a day, one direction.
struct Count {
    day: String,
    domain: String,
    direction: &'static str,
    messages: i64,
    volume: String,
}

/// An account type the general notice can go to.
struct Circle {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "mail/abuse_analysis.html")]
struct AnalysisPage {
    c: Chrome,
    reason: String,
    period: String,
    counts: Vec<Count>,
    messages: i64,
    volume: String,
    close: String,
    /// The general notice: its form while not given, else when it was.
    notice: String,
    circles: Vec<Circle>,
    noticed: Option<String>,
}

/// "1,2 MB" as the file pages write sizes.
pub fn volume(tr: Tr, bytes: i64) -> String {
    crate::pages::files::size_text(tr.0, bytes.max(0) as u64)
}

/// One line of the analysis; `day` counts days since 1970-01-01 (UTC), as the domain does.
fn count(tr: Tr, day: i64, domain: String, dir: &str, messages: i64, bytes: i64) -> Count {
    let day = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_days(Days::new(day.max(0) as u64)))
        .map(|day| format_day(tr, day))
        .unwrap_or_default();
    let key = if dir == "in" {
        "abuse.dir_in"
    } else {
        "abuse.dir_out"
    };
    Count {
        day,
        domain,
        direction: tr.t(key),
        messages,
        volume: volume(tr, bytes),
    }
}

/// `GET /verwaltung/mail/missbrauch/{id}`: the anonymised analysis of an approved case.
pub async fn analysis(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let shown = async {
        let id = parse_id(&id)?;
        state.platform.mail_abuse_analysis(&r.actor, id).await
    };
    let (case, days) = match shown.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let messages = days.iter().map(|d| d.messages).sum();
    let bytes = days.iter().map(|d| d.bytes).sum();
    let view = AnalysisPage {
        c: Chrome::new(&r.page, tr.t("abuse.analysis.title")).signed_in(&r.page, &r.actor),
        reason: case.reason,
        period: period(tr, zone, case.from, case.until),
        counts: days
            .into_iter()
            .map(|d| count(tr, d.day, d.domain, &d.direction, d.messages, d.bytes))
            .collect(),
        messages,
        volume: volume(tr, bytes),
        close: format!("{PATH}/{}/abschliessen", case.id),
        notice: format!("{PATH}/{}/hinweis", case.id),
        circles: AccountType::ALL
            .iter()
            .map(|k| Circle {
                value: k.as_str(),
                label: tr.t(&format!("type.{}", k.as_str())),
            })
            .collect(),
        noticed: case.notice_at.map(|at| zone.datetime(tr, at)),
    };
    render::ok(&view)
}

/// `POST /verwaltung/mail/missbrauch/{id}/hinweis`: the general notice to the affected
/// circle, after an approved analysis.
pub async fn notice(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    // `kreis` comes once per checked account type.
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let circle = values("kreis");
    let text = values("hinweis").pop().unwrap_or_default();
    let given = async {
        let id = parse_id(&id)?;
        state
            .platform
            .mail_abuse_notice(&r.actor, id, &circle, &text)
            .await
            .map(|_| id)
    };
    match given.await {
        Ok(id) => Redirect::to(&format!("{PATH}/{id}?ok=abuse_noticed")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /verwaltung/mail/missbrauch/{id}/abschliessen`: ends an approved stage-1 case.
pub async fn close(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let closed = async {
        let id = parse_id(&id)?;
        state.platform.mail_abuse_close(&r.actor, id).await
    };
    match closed.await {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=abuse_closed")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// The routes of abuse control's school side (stage 1 here, stage 2 in [`super::abuse_scope`]).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};

    use super::abuse_scope as scope;
    axum::Router::new()
        .route(PATH, get(overview).post(request))
        .route("/verwaltung/mail/missbrauch/stufe2", post(scope::request))
        .route(scope::COUNCIL, get(scope::council))
        .route(
            "/verwaltung/mail/missbrauch/beteiligung/{id}",
            post(scope::join),
        )
        .route("/verwaltung/mail/missbrauch/stufe2/{id}", get(scope::data))
        .route(
            "/verwaltung/mail/missbrauch/stufe2/{id}/abschliessen",
            post(scope::close),
        )
        .route("/verwaltung/mail/missbrauch/{id}", get(analysis))
        .route("/verwaltung/mail/missbrauch/{id}/abschliessen", post(close))
        .route("/verwaltung/mail/missbrauch/{id}/hinweis", post(notice))
}
