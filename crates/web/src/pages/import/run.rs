//! `/verwaltung/import/{id}`: one import. Before it runs, the preview (counts, column
//! mapping for tables, group reconciliation, conflicts, persons) with the apply form;
//! while it runs, the progress; afterwards the result (in `import_result`).

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::import::{ApplyInput, Plan, PlannedGroup, PlannedPerson, RunView};
use schulhof_front::AppState;
use uuid::Uuid;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::import::result as import_result;
use crate::pages::import::summary::{Count, counts, summary_from, summary_pairs};
use crate::pages::import::{COLUMNS, column_values, columns_of, source_text, status_text};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "import/preview.html")]
struct PreviewPage {
    c: Chrome,
    base: String,
    file_name: String,
    source: &'static str,
    status: String,
    run_error: Option<String>,
    counts: Vec<Count>,
    mapping: Option<FormView>,
    new_groups: Vec<GroupRow>,
    existing_groups: Vec<GroupRow>,
    expired_groups: Vec<GroupRow>,
    conflicts: Vec<ConflictRow>,
    notices: Vec<String>,
    create: Vec<PersonRow>,
    update: Vec<PersonRow>,
    mark: Vec<(String, String)>,
    unchanged: u64,
    apply: FormView,
    expected: Vec<(String, u64)>,
    skip: Vec<String>,
}

struct GroupRow {
    source_id: String,
    name: String,
    kind: &'static str,
    note: String,
    ticked: bool,
}

struct ConflictRow {
    position: String,
    message: String,
    fix: String,
}

struct PersonRow {
    name: String,
    kind: &'static str,
    class: String,
    login: String,
    mail: String,
    changes: Vec<String>,
}

pub fn parse_id(id: &str) -> Option<Uuid> {
    id.parse().ok()
}

pub fn base_href(id: Uuid) -> String {
    format!("/verwaltung/import/{id}")
}

/// The domain's English texts (run errors, notices, fixes) in the page's language where
/// known.
/// A conflict in the page's language, built from its kind (the reader's English message
/// is for logs and the CLI).
fn conflict_text(tr: Tr, c: &schulhof_domain::import::Conflict) -> String {
    use schulhof_domain::import::ConflictKind as K;
    let (key, value) = match &c.kind {
        K::MissingName => ("missing_name", ""),
        K::MissingSourceId => ("missing_source_id", ""),
        K::DuplicateSourceId => ("duplicate_source_id", ""),
        K::UnknownAccountType { value } => ("unknown_account_type", value.as_str()),
        K::OtherAccountType { stored } => ("other_account_type", stored.as_str()),
        K::UnknownReference => ("unknown_reference", ""),
        K::BadValue { field } => ("bad_value", field.as_str()),
    };
    tr.t(&format!("import.conflict.{key}"))
        .replace("{id}", c.source_id.as_deref().unwrap_or("–"))
        .replace("{value}", value)
}

pub fn domain_text(tr: Tr, text: &str) -> String {
    tr.message(text)
}

/// Why a run failed. Internal causes stay in the server log.
fn run_error(tr: Tr, e: &str) -> String {
    if e.starts_with("internal") {
        return tr.t("import.failed_internal").to_owned();
    }
    // Stored as `<field>: <message>`, as the domain error reads.
    match e
        .split_once(": ")
        .and_then(|(field, msg)| Some((tr.lookup(&format!("field.{field}"))?, msg)))
    {
        Some((label, msg)) => format!("{label}: {}", domain_text(tr, msg)),
        None => domain_text(tr, e),
    }
}

fn group_row(tr: Tr, g: &PlannedGroup) -> GroupRow {
    let note = match (&g.renamed_from, g.own_source) {
        (Some(old), _) => tr.t("import.group_renamed").replace("{old}", old),
        (None, false) => tr.t("import.group_other_source").to_owned(),
        (None, true) => String::new(),
    };
    GroupRow {
        source_id: g.source_id.clone(),
        name: g.name.clone(),
        kind: tr.group_kind(&g.kind),
        note,
        ticked: !g.skipped,
    }
}

fn change_label(tr: Tr, field: &str) -> String {
    tr.lookup(&format!("import.change.{field}"))
        .map_or_else(|| field.to_owned(), str::to_owned)
}

fn person_row(tr: Tr, p: &PlannedPerson) -> PersonRow {
    let empty = tr.t("import.empty_value");
    let shown = |v: &str| {
        if v.is_empty() {
            empty.to_owned()
        } else {
            v.to_owned()
        }
    };
    PersonRow {
        name: format!("{} {}", p.first_name, p.last_name),
        kind: tr.account_type(p.account_type.as_str()),
        class: p.class.clone().unwrap_or_default(),
        login: p.login.clone(),
        mail: p.mail.clone(),
        changes: p
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    change_label(tr, c.field),
                    shown(&c.old),
                    shown(&c.new)
                )
            })
            .collect(),
    }
}

fn mapping_form(tr: Tr, run: &RunView, failure: Option<&Failure>) -> Option<FormView> {
    if run.options.format != "csv" || run.headers.is_empty() {
        return None;
    }
    let options = || {
        let auto = (String::new(), tr.t("import.col_auto").to_owned());
        std::iter::once(auto).chain(run.headers.iter().map(|h| (h.clone(), h.clone())))
    };
    let fields = COLUMNS
        .iter()
        .zip(column_values(&run.options.columns))
        .map(|((name, input, label), value)| {
            Field::new(tr, format!("map-{name}"), input, label)
                .value(value.cloned().unwrap_or_default())
                .options(options())
        })
        .collect();
    Some(FormView::new("mapping", fields, failure))
}

fn apply_form(tr: Tr, plan: &Plan, accept: bool, failure: Option<&Failure>) -> FormView {
    let mut fields = vec![
        Field::new(
            tr,
            "protocol_password",
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
            "protocol_password2",
            "protocol_password2",
            "import.protocol_password_repeat",
        )
        .kind("password")
        .auto("new-password")
        .required()
        .attr("minlength", "8"),
    ];
    if !plan.conflicts.is_empty() {
        fields.push(
            // The domain refuses a file with conflicts unless the fixes are accepted.
            Field::new(tr, "accept_fixes", "accept_fixes", "import.accept_fixes")
                .kind("checkbox")
                .required()
                .checked(accept),
        );
    }
    FormView::new("apply", fields, failure)
}

/// What the preview needs besides the plan: the admin's unticked groups, a failed form.
pub struct PreviewInput<'a> {
    pub skip: &'a [String],
    pub failure: Option<&'a Failure>,
    pub accept: bool,
}

fn preview_page(r: &Ready, run: &RunView, plan: &Plan, input: &PreviewInput) -> Response {
    let tr = r.page.tr();
    let summary = plan.summary();
    let failure = input.failure;
    let view = PreviewPage {
        c: Chrome::new(&r.page, tr.t("import.preview_title")).signed_in(&r.page, &r.actor),
        base: base_href(run.id),
        file_name: run.file_name.clone(),
        source: source_text(tr, &run.source),
        status: status_text(tr, &run.status),
        run_error: run.error.as_deref().map(|e| run_error(tr, e)),
        counts: counts(tr, &summary),
        mapping: mapping_form(tr, run, failure),
        new_groups: plan.new_groups.iter().map(|g| group_row(tr, g)).collect(),
        existing_groups: plan
            .existing_groups
            .iter()
            .map(|g| group_row(tr, g))
            .collect(),
        expired_groups: plan
            .expired_groups
            .iter()
            .map(|g| group_row(tr, g))
            .collect(),
        conflicts: plan
            .conflicts
            .iter()
            .map(|c| ConflictRow {
                position: tr.position(&c.position.to_string()),
                message: conflict_text(tr, c),
                fix: domain_text(tr, c.kind.fix()),
            })
            .collect(),
        notices: plan.notices.iter().map(|n| domain_text(tr, n)).collect(),
        create: plan.create.iter().map(|p| person_row(tr, p)).collect(),
        update: plan.update.iter().map(|p| person_row(tr, p)).collect(),
        mark: plan
            .mark
            .iter()
            .map(|(_, login, name)| (name.clone(), login.clone()))
            .collect(),
        unchanged: summary.unchanged,
        apply: apply_form(tr, plan, input.accept, failure),
        expected: summary_pairs(&summary)
            .into_iter()
            .map(|(name, value)| (format!("erwartet_{name}"), value))
            .collect(),
        skip: input.skip.to_vec(),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// The page for the run in its current state.
pub async fn render_run(
    state: &AppState,
    r: &Ready,
    id: Uuid,
    input: PreviewInput<'_>,
) -> Response {
    let run = match state.platform.import_run(&r.actor, id).await {
        Ok(run) => run,
        Err(e) => return r.fail(e),
    };
    match run.status.as_str() {
        "running" => import_result::progress_page(state, r, &run),
        "applied" => {
            let failure = input.failure.filter(|f| f.form == "letters");
            import_result::result_page(r, &run, failure)
        }
        _ => match state
            .platform
            .import_preview(&r.actor, id, input.skip)
            .await
        {
            Ok((run, plan)) => preview_page(r, &run, &plan, &input),
            Err(e) => r.fail(e),
        },
    }
}

/// The groups not to create: `skip=…` in the query, and of the new groups listed in the
/// reconciliation form (`neu=…`) those not ticked (`create_group=…`).
fn skipped(query: Option<&str>) -> Vec<String> {
    let mut skip = url::all_values(query, "skip");
    let ticked = url::all_values(query, "create_group");
    for g in url::all_values(query, "neu") {
        if !ticked.contains(&g) && !skip.contains(&g) {
            skip.push(g);
        }
    }
    skip.retain(|g| !g.is_empty());
    skip
}

pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let skip = skipped(uri.query());
    let input = PreviewInput {
        skip: &skip,
        failure: None,
        accept: false,
    };
    render_run(&state, &r, id, input).await
}

/// The column mapping of a table import.
pub async fn remap(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let columns = columns_of(|name| f.get(name).cloned().unwrap_or_default());
    match state.platform.import_remap(&r.actor, id, columns).await {
        Ok(()) => Redirect::to(&format!("{}?ok=import_remapped", base_href(id))).into_response(),
        Err(e) => {
            let failure = Failure::from_domain("mapping", r.page.tr(), &e);
            let input = PreviewInput {
                skip: &[],
                failure: Some(&failure),
                accept: false,
            };
            render_run(&state, &r, id, input).await
        }
    }
}

/// The admin's go-ahead: protocol password (twice), consent to the fixes, and the counts
/// and skipped groups of the preview they saw.
pub async fn apply(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let tr = r.page.tr();
    let body = String::from_utf8_lossy(&body);
    let pairs = url::pairs(&body);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let skip = url::all_values(Some(&body), "skip");
    let accept = get("accept_fixes") == "ja";
    let failure = if get("protocol_password") != get("protocol_password2") {
        Some(Failure::local(
            "apply",
            "protocol_password2",
            tr.t("import.password_mismatch"),
        ))
    } else {
        let go = ApplyInput {
            skip_groups: skip.clone(),
            accept_fixes: accept,
            protocol_password: get("protocol_password").to_owned(),
            expected: summary_from(|n| get(&format!("erwartet_{n}")).parse().ok()),
        };
        match state.platform.import_start_apply(&r.actor, id, go).await {
            Ok(()) => return Redirect::to(&base_href(id)).into_response(),
            Err(e) => Some(Failure::from_domain("apply", tr, &e)),
        }
    };
    let input = PreviewInput {
        skip: &skip,
        failure: failure.as_ref(),
        accept,
    };
    render_run(&state, &r, id, input).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unticked_new_groups_are_skipped() {
        let q = "abgleich=1&neu=K1&neu=K2&neu=K3&create_group=K2&skip=X";
        assert_eq!(skipped(Some(q)), vec!["X", "K1", "K3"]);
        assert!(skipped(None).is_empty());
    }
}
