//! `/verwaltung/schuljahr`: the school-year change. A preview (dry run) lists the classes
//! and courses to archive, the persons who leave and, when an uploaded import is chosen,
//! what it will do; then the change itself, with that import in the same step.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::import::ApplyInput;
use schulhof_domain::school_year::{YearChange, YearStep};
use schulhof_front::AppState;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::import::summary::{Count, counts};
use crate::pages::import::when;
use crate::{render, url};

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
    /// With an import: its protocol password and, for conflicts, the consent to the fixes.
    apply: Option<FormView>,
}

fn apply_fields(tr: Tr, conflicts: u64) -> FormView {
    let mut fields = vec![
        Field::new(
            tr,
            "year-pw",
            "protocol_password",
            "import.protocol_password",
        )
        .kind("password")
        .auto("new-password")
        .required()
        .attr("minlength", "8")
        .hint(tr, "import.protocol_password_hint"),
        Field::new(
            tr,
            "year-pw2",
            "protocol_password2",
            "import.protocol_password_repeat",
        )
        .kind("password")
        .auto("new-password")
        .required()
        .attr("minlength", "8"),
    ];
    if conflicts > 0 {
        fields.push(
            Field::new(tr, "year-fixes", "accept_fixes", "import.accept_fixes")
                .kind("checkbox")
                .required(),
        );
    }
    FormView::new("year-apply", fields, None)
}

struct YearView {
    from: String,
    to: String,
    groups: Vec<String>,
    leavers: Vec<(String, String)>,
    /// The chosen import run ("" without one) and what it does.
    run: String,
    import: Vec<Count>,
}

impl YearView {
    fn of(tr: Tr, y: YearChange, run: &str) -> YearView {
        YearView {
            import: y.import.map(|s| counts(tr, &s)).unwrap_or_default(),
            run: if y.import.is_some() {
                run.to_owned()
            } else {
                String::new()
            },
            from: y.from,
            to: y.to,
            groups: y.archived_groups,
            leavers: y.leavers,
        }
    }
}

#[derive(Clone, Default, Deserialize)]
pub struct YearForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// An uploaded, previewed import run to apply in the same step.
    #[serde(default)]
    import: String,
    #[serde(default)]
    protocol_password: String,
    #[serde(default)]
    protocol_password2: String,
    #[serde(default)]
    accept_fixes: String,
    /// The logins the preview listed as leavers (the POST only).
    #[serde(skip)]
    leavers: Option<Vec<String>>,
}

impl YearForm {
    /// The POSTed form: its fields, and the repeated `leaver` of the preview.
    fn from_body(body: &str) -> YearForm {
        let pairs = url::pairs(body);
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map_or_else(String::new, |(_, v)| v.clone())
        };
        YearForm {
            from: get("from"),
            to: get("to"),
            import: get("import"),
            protocol_password: get("protocol_password"),
            protocol_password2: get("protocol_password2"),
            accept_fixes: get("accept_fixes"),
            leavers: Some(url::all_values(Some(body), "leaver")),
        }
    }
}

/// `2025/26` → `2026/27`; anything else stays empty for the admin to fill in.
fn next_year(year: &str) -> String {
    year.split_once('/')
        .and_then(|(a, _)| a.parse::<i32>().ok())
        .map(|a| format!("{}/{:02}", a + 1, (a + 2) % 100))
        .unwrap_or_default()
}

fn year_fields(
    tr: Tr,
    f: &YearForm,
    runs: Vec<(String, String)>,
    failure: Option<&Failure>,
) -> FormView {
    let mut options = vec![(String::new(), tr.t("year.no_import").to_owned())];
    options.extend(runs);
    let fields = vec![
        Field::new(tr, "year-from", "from", "year.from")
            .value(f.from.clone())
            .required()
            .hint(tr, "year.format_hint"),
        Field::new(tr, "year-to", "to", "year.to")
            .value(f.to.clone())
            .required(),
        Field::new(tr, "year-import", "import", "year.import_field")
            .value(f.import.clone())
            .hint(tr, "year.import_hint")
            .options(options),
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
    // Uploaded imports not yet applied can go with the change.
    let runs = match state.platform.import_runs(&r.actor).await {
        Ok(runs) => runs
            .into_iter()
            .filter(|run| matches!(run.status.as_str(), "previewed" | "failed"))
            .map(|run| {
                let label = format!("{} ({})", run.file_name, when(r, run.created_at));
                (run.id.to_string(), label)
            })
            .collect(),
        Err(e) => return r.fail(e),
    };
    let failure = shown.failure.as_ref();
    let run = form.import.clone();
    let apply = shown
        .preview
        .as_ref()
        .and_then(|p| p.import)
        .map(|s| apply_fields(tr, s.conflicts));
    let view = YearPage {
        apply,
        c: Chrome::new(&r.page, tr.t("year.title")).signed_in(&r.page, &r.actor),
        current,
        form: year_fields(tr, &form, runs, failure),
        preview: shown.preview.map(|y| YearView::of(tr, y, &run)),
        done: shown.done.map(|y| YearView::of(tr, y, &run)),
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
    #[serde(default)]
    import: String,
}

/// The change, with the chosen import if there is one.
async fn run_change(
    state: &AppState,
    r: &Ready,
    f: &YearForm,
    dry_run: bool,
) -> Result<YearChange, DomainError> {
    let step = YearStep {
        from: f.from.trim(),
        to: f.to.trim(),
        leavers: f.leavers.as_deref(),
        dry_run,
    };
    if f.import.is_empty() {
        return state.platform.change_school_year(&r.actor, step).await;
    }
    let run = Uuid::parse_str(&f.import).map_err(|_| DomainError::NotFound)?;
    if !dry_run && f.protocol_password != f.protocol_password2 {
        return Err(DomainError::invalid(
            "protocol_password2",
            "the two passwords differ",
        ));
    }
    let go = ApplyInput {
        protocol_password: f.protocol_password.clone(),
        accept_fixes: f.accept_fixes == "ja",
        ..ApplyInput::default()
    };
    state
        .platform
        .change_school_year_with_import(&r.actor, step, run, go)
        .await
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
    let form = YearForm {
        from: q.from.trim().to_owned(),
        to: q.to.trim().to_owned(),
        import: q.import.trim().to_owned(),
        ..YearForm::default()
    };
    let mut shown = Shown {
        form: form.clone(),
        failure: None,
        preview: None,
        done: None,
    };
    if !q.vorschau.is_empty() {
        match run_change(&state, &r, &form, true).await {
            Ok(y) => shown.preview = Some(y),
            Err(e) if at_the_form(&e) => {
                shown.failure = Some(Failure::from_domain("year", r.page.tr(), &e));
            }
            Err(e) => return r.fail(e),
        }
    }
    render(&state, &r, shown).await
}

pub async fn change(State(state): State<AppState>, r: Ready, body: Bytes) -> Response {
    let f = YearForm::from_body(&String::from_utf8_lossy(&body));
    let shown = match run_change(&state, &r, &f, false).await {
        Ok(y) => Shown {
            form: YearForm {
                import: f.import.clone(),
                ..YearForm::default()
            },
            failure: None,
            preview: None,
            done: Some(y),
        },
        Err(e) if at_the_form(&e) => Shown {
            failure: Some(Failure::from_domain("year", r.page.tr(), &e)),
            form: YearForm {
                protocol_password: String::new(),
                protocol_password2: String::new(),
                ..f
            },
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
