//! `/verwaltung/schuljahr`: the school-year change. A preview (dry run) lists the classes
//! and courses to archive and the persons who leave; then the change itself. The new
//! year's file is imported afterwards on the import page.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::school_year::YearChange;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "school_year.html")]
struct YearPage {
    c: Chrome,
    current: String,
    form: FormView,
    /// The dry run, with the form that carries it out.
    preview: Option<YearView>,
    /// The change just made.
    done: Option<YearView>,
}

struct YearView {
    from: String,
    to: String,
    groups: Vec<String>,
    leavers: Vec<(String, String)>,
}

impl YearView {
    fn of(y: YearChange) -> YearView {
        YearView {
            from: y.from,
            to: y.to,
            groups: y.archived_groups,
            leavers: y.leavers,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct YearForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `2025/26` → `2026/27`; anything else stays empty for the admin to fill in.
fn next_year(year: &str) -> String {
    year.split_once('/')
        .and_then(|(a, _)| a.parse::<i32>().ok())
        .map(|a| format!("{}/{:02}", a + 1, (a + 2) % 100))
        .unwrap_or_default()
}

fn year_fields(tr: Tr, f: &YearForm, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "year-from", "from", "year.from")
            .value(f.from.clone())
            .required()
            .hint(tr, "year.format_hint"),
        Field::new(tr, "year-to", "to", "year.to")
            .value(f.to.clone())
            .required(),
    ];
    FormView::new("year", fields, failure)
}

struct Shown {
    form: YearForm,
    failure: Option<Failure>,
    preview: Option<YearChange>,
    done: Option<YearChange>,
}

async fn render(state: &AppState, r: &Ready, shown: Shown) -> Response {
    let tr = r.page.tr();
    // The domain decides who may see the page: only who may change the school year.
    let current = match state.platform.school_year_of(&r.actor).await {
        Ok(y) => y,
        Err(e) => return r.fail(e),
    };
    let mut form = shown.form;
    if form.from.is_empty() && form.to.is_empty() {
        form.to = next_year(&current);
        form.from.clone_from(&current);
    }
    let failure = shown.failure.as_ref();
    let view = YearPage {
        c: Chrome::new(&r.page, tr.t("year.title")).signed_in(&r.page, &r.actor),
        current,
        form: year_fields(tr, &form, failure),
        preview: shown.preview.map(YearView::of),
        done: shown.done.map(YearView::of),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    vorschau: String,
}

/// A mistake in the years is shown at the form; anything else (a refusal) as an error page.
fn at_the_form(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::Invalid { .. } | DomainError::Conflict { .. }
    )
}

/// The form, and with `vorschau` the dry run of the change.
pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<YearQuery>) -> Response {
    let mut shown = Shown {
        form: YearForm {
            from: q.from.trim().to_owned(),
            to: q.to.trim().to_owned(),
        },
        failure: None,
        preview: None,
        done: None,
    };
    if !q.vorschau.is_empty() {
        let (from, to) = (&shown.form.from, &shown.form.to);
        match state
            .platform
            .change_school_year(&r.actor, from, to, true)
            .await
        {
            Ok(y) => shown.preview = Some(y),
            Err(e) if at_the_form(&e) => {
                shown.failure = Some(Failure::from_domain("year", r.page.tr(), &e));
            }
            Err(e) => return r.fail(e),
        }
    }
    render(&state, &r, shown).await
}

pub async fn change(State(state): State<AppState>, r: Ready, Form(f): Form<YearForm>) -> Response {
    let result = state
        .platform
        .change_school_year(&r.actor, f.from.trim(), f.to.trim(), false)
        .await;
    let shown = match result {
        Ok(y) => Shown {
            form: YearForm::default(),
            failure: None,
            preview: None,
            done: Some(y),
        },
        Err(e) if at_the_form(&e) => Shown {
            failure: Some(Failure::from_domain("year", r.page.tr(), &e)),
            form: f,
            preview: None,
            done: None,
        },
        Err(e) => return r.fail(e),
    };
    render(&state, &r, shown).await
}

#[cfg(test)]
mod tests {
    use super::next_year;

    #[test]
    fn the_next_year_follows() {
        assert_eq!(next_year("2025/26"), "2026/27");
        assert_eq!(next_year("2099/00"), "2100/01");
        assert_eq!(next_year("bogus"), "");
    }
}
