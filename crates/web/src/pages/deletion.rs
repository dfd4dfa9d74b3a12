//! `/verwaltung/loeschfristen`: the school's deletion periods, the persons an import marked
//! for deletion (to confirm), and what will be deleted when.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::deletion::{DeletionOverview, MAX_PERIODS};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::import::{source_text, when};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "deletion.html")]
struct DeletionPage {
    c: Chrome,
    periods: FormView,
    marked: Vec<MarkedRow>,
    confirm_error: Option<String>,
    due: Vec<DueRow>,
}

struct MarkedRow {
    login: String,
    name: String,
    kind: &'static str,
    source: &'static str,
    status: &'static str,
    marked_at: String,
}

struct DueRow {
    what: String,
    count: u64,
    date: String,
    date_iso: String,
}

/// The three periods as typed (strings, so a wrong entry is shown again as it was).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PeriodsForm {
    #[serde(default)]
    students: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    organisation: String,
}

fn period_fields(tr: Tr, f: &PeriodsForm, failure: Option<&Failure>) -> FormView {
    let years = |id: &'static str, label: &str, value: &str, max: i64| {
        Field::new(tr, format!("period-{id}"), id, label)
            .kind("number")
            .value(value.to_owned())
            .required()
            .attr("min", "0")
            .attr("max", max.to_string())
            .attr("step", "1")
            .attr("inputmode", "numeric")
            .hint(tr, &format!("deletion.{id}_hint"))
    };
    let fields = vec![
        years(
            "students",
            "deletion.students",
            &f.students,
            MAX_PERIODS.students,
        ),
        years("staff", "deletion.staff", &f.staff, MAX_PERIODS.staff),
        years(
            "organisation",
            "deletion.organisation",
            &f.organisation,
            MAX_PERIODS.organisation,
        ),
    ];
    FormView::new("periods", fields, failure)
}

fn what_text(tr: Tr, what: &str) -> String {
    if what == "group" {
        tr.t("deletion.what_groups").to_owned()
    } else {
        tr.account_type(what).to_owned()
    }
}

fn page(
    r: &Ready,
    o: &DeletionOverview,
    typed: Option<&PeriodsForm>,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let stored = PeriodsForm {
        students: o.periods.students.to_string(),
        staff: o.periods.staff.to_string(),
        organisation: o.periods.organisation.to_string(),
    };
    let view = DeletionPage {
        c: Chrome::new(&r.page, tr.t("deletion.title")).signed_in(&r.page, &r.actor),
        periods: period_fields(tr, typed.unwrap_or(&stored), failure),
        marked: o
            .marked
            .iter()
            .map(|m| MarkedRow {
                login: m.login.clone(),
                name: m.name.clone(),
                kind: tr.account_type(&m.account_type),
                source: m.source.as_deref().map_or("–", |s| source_text(tr, s)),
                status: if m.active {
                    tr.t("status.active")
                } else {
                    tr.t("status.inactive")
                },
                marked_at: when(r, m.marked_at),
            })
            .collect(),
        confirm_error: failure
            .filter(|f| f.form == "confirm")
            .map(|f| f.message.clone()),
        due: o
            .due
            .iter()
            .map(|d| DueRow {
                what: what_text(tr, &d.what),
                count: d.count,
                date: crate::when::format_day(tr, d.delete_on),
                date_iso: d.delete_on.format("%Y-%m-%d").to_string(),
            })
            .collect(),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    typed: Option<&PeriodsForm>,
    failure: Option<&Failure>,
) -> Response {
    match state.platform.deletion_overview(&r.actor).await {
        Ok(o) => page(r, &o, typed, failure),
        Err(e) => r.fail(e),
    }
}

pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_page(&state, &r, None, None).await
}

/// A whole number of years, or which input it is not.
fn parse_periods(f: &PeriodsForm) -> Result<[i64; 3], &'static str> {
    let parse = |v: &str, name: &'static str| v.trim().parse::<i64>().map_err(|_| name);
    Ok([
        parse(&f.students, "students")?,
        parse(&f.staff, "staff")?,
        parse(&f.organisation, "organisation")?,
    ])
}

pub async fn save_periods(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<PeriodsForm>,
) -> Response {
    let tr = r.page.tr();
    let [students, staff, organisation] = match parse_periods(&f) {
        Ok(v) => v,
        Err(field) => {
            let failure = Failure::local("periods", field, tr.t("deletion.not_a_number"));
            return render_page(&state, &r, Some(&f), Some(&failure)).await;
        }
    };
    // The domain does not name its `Periods` type; its limits have the same shape.
    let mut periods = MAX_PERIODS;
    periods.students = students;
    periods.staff = staff;
    periods.organisation = organisation;
    match state.platform.set_deletion_periods(&r.actor, periods).await {
        Ok(()) => Redirect::to("/verwaltung/loeschfristen?ok=periods_saved").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("periods", tr, &e);
            render_page(&state, &r, Some(&f), Some(&failure)).await
        }
    }
}

/// Confirms the ticked persons (`login`, repeated), or all marked ones with `alle=ja`.
pub async fn confirm(State(state): State<AppState>, r: Ready, body: Bytes) -> Response {
    let tr = r.page.tr();
    let body = String::from_utf8_lossy(&body);
    let all = url::all_values(Some(&body), "alle")
        .iter()
        .any(|v| v == "ja");
    let logins: Vec<String> = url::all_values(Some(&body), "login")
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    if !all && logins.is_empty() {
        // An empty list means "everyone" to the domain: never send it by accident.
        let failure = Failure::local("confirm", "login", tr.t("deletion.none_chosen"));
        return render_page(&state, &r, None, Some(&failure)).await;
    }
    let chosen = if all { Vec::new() } else { logins };
    match state.platform.confirm_deletions(&r.actor, &chosen).await {
        Ok(_) => Redirect::to("/verwaltung/loeschfristen?ok=deletions_confirmed").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("confirm", tr, &e);
            render_page(&state, &r, None, Some(&failure)).await
        }
    }
}
