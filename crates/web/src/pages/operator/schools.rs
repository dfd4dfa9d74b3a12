//! `/betrieb/`: every school with its storage and accounts (one query), and for
//! operator-admins creating, renaming, deactivating and deleting schools.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::operators::SchoolSummary;
use schulhof_front::AppState;
use serde::Deserialize;

use super::Operator;
use crate::forms::{Failure, Field, FormView};
use crate::pages::files::size_text;
use crate::render;
use crate::when::Zone;

/// A school as a row of the list.
pub struct Row {
    pub number: String,
    pub name: String,
    pub mail_domain: String,
    pub accounts: i64,
    pub files: String,
    pub mail: String,
    pub active: bool,
    pub created: String,
}

fn row(o: &Operator, s: &SchoolSummary) -> Row {
    let lang = o.page.lang;
    let size = |b: i64| size_text(lang, u64::try_from(b).unwrap_or(0));
    Row {
        number: s.school_number.clone(),
        name: s.name.clone(),
        mail_domain: s.mail_domain.clone(),
        accounts: s.accounts,
        files: size(s.file_bytes),
        mail: size(s.mail_bytes),
        active: s.deactivated_at.is_none(),
        created: Zone::berlin().date(o.page.tr(), s.created_at),
    }
}

#[derive(Template)]
#[template(path = "operator/schools.html")]
struct ListPage {
    c: crate::layout::Chrome,
    rows: Vec<Row>,
    can_manage: bool,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    schulnummer: String,
    #[serde(default)]
    name: String,
}

async fn render_list(
    state: &AppState,
    o: &Operator,
    typed: &CreateForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let overview = match state.platform.operator_schools(&o.actor).await {
        Ok(v) => v,
        Err(e) => return o.fail(e),
    };
    let fields = vec![
        Field::new(tr, "new-number", "schulnummer", "op.school.number")
            .value(typed.schulnummer.trim())
            .attr("inputmode", "numeric")
            .hint(tr, "op.school.number_hint")
            .required()
            .answers(&["number"]),
        Field::new(tr, "new-name", "name", "op.school.name")
            .value(typed.name.trim())
            .required(),
    ];
    let view = ListPage {
        c: o.chrome(tr.t("op.schools.title")),
        rows: overview.schools.iter().map(|s| row(o, s)).collect(),
        can_manage: overview.can_manage,
        form: FormView::new("create", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/`.
pub async fn list(State(state): State<AppState>, o: Operator) -> Response {
    render_list(&state, &o, &CreateForm::default(), None).await
}

/// `POST /betrieb/schulen`.
pub async fn create(
    State(state): State<AppState>,
    o: Operator,
    Form(f): Form<CreateForm>,
) -> Response {
    match state
        .platform
        .operator_create_school(&o.actor, &f.schulnummer, &f.name, &o.addr)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/betrieb/schulen/{}?ok=op_school_created",
            f.schulnummer.trim()
        ))
        .into_response(),
        Err(
            e @ (schulhof_domain::DomainError::Forbidden | schulhof_domain::DomainError::NotFound),
        ) => o.fail(e),
        Err(e) => {
            let failure = Failure::from_domain("create", o.page.tr(), &e);
            render_list(&state, &o, &f, Some(&failure)).await
        }
    }
}

#[derive(Template)]
#[template(path = "operator/school.html")]
struct SchoolPage {
    c: crate::layout::Chrome,
    s: Row,
    can_manage: bool,
    rename: FormView,
}

async fn render_school(
    state: &AppState,
    o: &Operator,
    number: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let school = match state.platform.operator_school(&o.actor, number).await {
        Ok(s) => s,
        Err(e) => return o.fail(e),
    };
    let can_manage = o.actor.token.role() == schulhof_domain::operators::OperatorRole::Admin;
    let rename = FormView::new(
        "rename",
        vec![
            Field::new(tr, "rename-name", "name", "op.school.name")
                .value(school.name.clone())
                .required(),
        ],
        failure,
    );
    let view = SchoolPage {
        c: o.chrome(&school.name),
        s: row(o, &school),
        can_manage,
        rename,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/schulen/{number}`.
pub async fn show(
    State(state): State<AppState>,
    o: Operator,
    Path(number): Path<String>,
) -> Response {
    render_school(&state, &o, &number, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /betrieb/schulen/{number}/umbenennen`.
pub async fn rename(
    State(state): State<AppState>,
    o: Operator,
    Path(number): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    match state
        .platform
        .operator_rename_school(&o.actor, &number, &f.name, &o.addr)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/betrieb/schulen/{number}?ok=op_school_saved")).into_response()
        }
        Err(e @ schulhof_domain::DomainError::Invalid { .. }) => {
            let failure = Failure::from_domain("rename", o.page.tr(), &e);
            render_school(&state, &o, &number, Some(&failure)).await
        }
        Err(e) => o.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActiveForm {
    /// `ja` opens the school again, anything else deactivates it.
    #[serde(default)]
    aktiv: String,
}

/// `POST /betrieb/schulen/{number}/aktiv`.
pub async fn set_active(
    State(state): State<AppState>,
    o: Operator,
    Path(number): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Response {
    let active = f.aktiv == "ja";
    match state
        .platform
        .operator_set_school_active(&o.actor, &number, active, &o.addr)
        .await
    {
        Ok(()) => {
            let key = if active {
                "op_school_reactivated"
            } else {
                "op_school_deactivated"
            };
            Redirect::to(&format!("/betrieb/schulen/{number}?ok={key}")).into_response()
        }
        Err(e) => o.fail(e),
    }
}

#[derive(Template)]
#[template(path = "operator/delete.html")]
struct DeletePage {
    c: crate::layout::Chrome,
    s: Row,
    form: FormView,
}

async fn render_delete(
    state: &AppState,
    o: &Operator,
    number: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let school = match state.platform.operator_school(&o.actor, number).await {
        Ok(s) => s,
        Err(e) => return o.fail(e),
    };
    if o.actor.token.role() != schulhof_domain::operators::OperatorRole::Admin {
        return o.fail(schulhof_domain::DomainError::Forbidden);
    }
    let form = FormView::new(
        "delete",
        vec![
            Field::new(tr, "delete-confirm", "bestaetigung", "op.delete.confirm")
                .attr("inputmode", "numeric")
                .hint(tr, "op.delete.confirm_hint")
                .required()
                .answers(&["confirm"]),
        ],
        failure,
    );
    let view = DeletePage {
        c: o.chrome(tr.t("op.delete.title")),
        s: row(o, &school),
        form,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/schulen/{number}/loeschen`: the confirmation.
pub async fn delete_confirm(
    State(state): State<AppState>,
    o: Operator,
    Path(number): Path<String>,
) -> Response {
    render_delete(&state, &o, &number, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    bestaetigung: String,
}

/// `POST /betrieb/schulen/{number}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    o: Operator,
    Path(number): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Response {
    match state
        .platform
        .operator_delete_school(&o.actor, &number, &f.bestaetigung, &o.addr)
        .await
    {
        Ok(()) => Redirect::to("/betrieb/?ok=op_school_deleted").into_response(),
        Err(e @ schulhof_domain::DomainError::Invalid { .. }) => {
            let failure = Failure::from_domain("delete", o.page.tr(), &e);
            render_delete(&state, &o, &number, Some(&failure)).await
        }
        Err(e) => o.fail(e),
    }
}
