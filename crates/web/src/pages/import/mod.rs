//! `/verwaltung/import`: uploading a file from the school administration software
//! (Schild-NRW, SVWS) or a table, and the list of recent imports. One import's preview,
//! progress and result are in `import_run`.

pub mod result;
pub mod run;
pub mod summary;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use schulhof_domain::import::{Columns, Format, RunView, UploadInput};
use schulhof_front::AppState;
use schulhof_types::AccountType;

use crate::auth::Ready;
use crate::forms::{Choice, Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;
use schulhof_front::upload::{self, MAX_FILE, Upload, UploadError};

/// The table fields an admin can assign a column to: (name, input name, label key).
pub const COLUMNS: &[(&str, &str, &str)] = &[
    ("quell_id", "spalte_quell_id", "import.col.quell_id"),
    ("nachname", "spalte_nachname", "import.col.nachname"),
    ("vorname", "spalte_vorname", "import.col.vorname"),
    ("klasse", "spalte_klasse", "import.col.klasse"),
    ("gruppen", "spalte_gruppen", "import.col.gruppen"),
    ("email", "spalte_email", "import.col.email"),
    (
        "geburtsdatum",
        "spalte_geburtsdatum",
        "import.col.geburtsdatum",
    ),
];

/// The headers chosen per field, looked up by input name (empty = let the import guess).
pub fn columns_of(chosen: impl Fn(&str) -> String) -> Columns {
    let get = |name: &str| Some(chosen(name).trim().to_owned()).filter(|v| !v.is_empty());
    Columns {
        quell_id: get("spalte_quell_id"),
        nachname: get("spalte_nachname"),
        vorname: get("spalte_vorname"),
        klasse: get("spalte_klasse"),
        gruppen: get("spalte_gruppen"),
        email: get("spalte_email"),
        geburtsdatum: get("spalte_geburtsdatum"),
    }
}

/// The header chosen per field of `c`, in [`COLUMNS`] order.
pub fn column_values(c: &Columns) -> [Option<&String>; 7] {
    [
        c.quell_id.as_ref(),
        c.nachname.as_ref(),
        c.vorname.as_ref(),
        c.klasse.as_ref(),
        c.gruppen.as_ref(),
        c.email.as_ref(),
        c.geburtsdatum.as_ref(),
    ]
}

#[derive(Template)]
#[template(path = "import/upload.html")]
struct ImportPage {
    c: Chrome,
    format: Choice,
    students: Choice,
    form: FormView,
    columns: Vec<Field>,
    runs: Vec<RunRow>,
}

pub struct RunRow {
    pub href: String,
    pub file_name: String,
    pub source: &'static str,
    pub status: String,
    pub created: String,
    pub applied: String,
}

/// What was typed, to fill the form again after an error.
#[derive(Clone, Debug)]
struct UploadForm {
    format: String,
    students: String,
    account_type: String,
    columns: Columns,
}

impl Default for UploadForm {
    fn default() -> Self {
        UploadForm {
            format: "schild".into(),
            students: "mit".into(),
            account_type: String::new(),
            columns: Columns::default(),
        }
    }
}

impl UploadForm {
    fn of(u: &Upload) -> UploadForm {
        let or = |v: &str, default: &str| if v.is_empty() { default } else { v }.to_owned();
        UploadForm {
            format: or(u.get("format"), "schild"),
            students: or(u.get("schueler"), "mit"),
            account_type: u.get("account_type").to_owned(),
            columns: columns_of(|name| u.get(name).to_owned()),
        }
    }
}

/// "30.09.2026, 14:05" in the page's language and the school's time zone.
pub fn when(r: &Ready, at: DateTime<Utc>) -> String {
    Zone::of(&r.actor).datetime(r.page.tr(), at)
}

pub fn status_text(tr: Tr, status: &str) -> String {
    tr.lookup(&format!("import.status.{status}"))
        .map_or_else(|| status.to_owned(), str::to_owned)
}

pub fn source_text(tr: Tr, source: &str) -> &'static str {
    tr.lookup(&format!("import.source.{source}")).unwrap_or("?")
}

fn run_row(r: &Ready, run: &RunView) -> RunRow {
    let tr = r.page.tr();
    RunRow {
        href: format!("/verwaltung/import/{}", run.id),
        file_name: run.file_name.clone(),
        source: source_text(tr, &run.source),
        status: status_text(tr, &run.status),
        created: when(r, run.created_at),
        applied: run
            .applied_at
            .map_or_else(|| "–".to_owned(), |at| when(r, at)),
    }
}

/// The account types a table can hold; the first option asks for a choice.
fn type_options(tr: Tr) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), tr.t("import.choose_type").to_owned())];
    v.extend(AccountType::ALL.iter().map(|t| {
        (
            t.as_str().to_owned(),
            tr.account_type(t.as_str()).to_owned(),
        )
    }));
    v
}

fn upload_fields(tr: Tr, f: &UploadForm, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "datei", "datei", "import.file")
            .kind("file")
            .required()
            .attr("accept", ".xml,.zip,.csv,.txt,.xlsx,.xls,.ods,.json,.gz")
            .hint(tr, "import.file_hint")
            .answers(&["file"]),
        Field::new(tr, "zip_passwort", "zip_passwort", "import.zip_password")
            .kind("password")
            .auto("off")
            .hint(tr, "import.zip_password_hint"),
        Field::new(tr, "account_type", "account_type", "import.account_type")
            .value(f.account_type.clone())
            .options(type_options(tr))
            .hint(tr, "import.account_type_hint"),
    ];
    FormView::new("upload", fields, failure)
}

fn column_fields(tr: Tr, f: &UploadForm) -> Vec<Field> {
    COLUMNS
        .iter()
        .zip(column_values(&f.columns))
        .map(|((name, input, label), value)| {
            Field::new(tr, format!("spalte-{name}"), input, label)
                .value(value.cloned().unwrap_or_default())
        })
        .collect()
}

async fn render_form(
    state: &AppState,
    r: &Ready,
    f: &UploadForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let runs = match state.platform.import_runs(&r.actor).await {
        Ok(runs) => runs,
        Err(e) => return r.fail(e),
    };
    let formats = [
        ("schild", "import.format.schild"),
        ("csv", "import.format.csv"),
        ("svws", "import.format.svws"),
    ]
    .map(|(v, k)| (v.to_owned(), tr.t(k).to_owned()));
    let students = [
        ("mit", "import.with_students"),
        ("ohne", "import.without_students"),
    ]
    .map(|(v, k)| (v.to_owned(), tr.t(k).to_owned()));
    let mut format = Choice::new(tr, "format", "format", "import.format", &f.format, formats);
    if let Some(fl) = failure.filter(|fl| fl.field == Some("format")) {
        format.error = Some(fl.message.clone());
    }
    let view = ImportPage {
        c: Chrome::new(&r.page, tr.t("import.title")).signed_in(&r.page, &r.actor),
        format,
        students: Choice::new(
            tr,
            "schueler",
            "schueler",
            "import.students",
            &f.students,
            students,
        )
        .hint(tr, "import.students_hint"),
        form: upload_fields(tr, f, failure.filter(|fl| fl.field != Some("format"))),
        columns: column_fields(tr, f),
        runs: runs.iter().map(|run| run_row(r, run)).collect(),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_form(&state, &r, &UploadForm::default(), None).await
}

fn upload_failure(tr: Tr, e: &UploadError) -> Failure {
    let message = match e {
        UploadError::TooLarge => tr
            .t("import.too_large")
            .replace("{mb}", &(MAX_FILE / 1024 / 1024).to_string()),
        UploadError::Broken => tr.t("import.broken_form").to_owned(),
        UploadError::Io(err) => {
            tracing::error!(error = %err, "storing an upload failed");
            tr.t("import.io_error").to_owned()
        }
    };
    Failure {
        form: "upload",
        field: Some("file"),
        message,
        status: e.status(),
    }
}

fn format_of(name: &str) -> Format {
    match name {
        "csv" => Format::Table,
        "svws" => Format::Svws,
        _ => Format::Schild,
    }
}

/// Streams the file to disk, has the domain read and plan it, and shows the preview.
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    // Refused before a byte of the upload is read.
    if let Err(e) = state.platform.may_import(&r.actor) {
        return r.fail(e);
    }
    let tr = r.page.tr();
    let read = match form {
        Ok(form) => upload::read(form, "datei").await,
        Err(_) => Err(UploadError::Broken),
    };
    let upload = match read {
        Ok(u) => u,
        Err(e) => {
            let failure = upload_failure(tr, &e);
            return render_form(&state, &r, &UploadForm::default(), Some(&failure)).await;
        }
    };
    let f = UploadForm::of(&upload);
    let zip_password = Some(upload.get("zip_passwort").to_owned()).filter(|p| !p.is_empty());
    let Some(file) = upload.file else {
        let failure = Failure::local("upload", "file", tr.t("import.no_file"));
        return render_form(&state, &r, &f, Some(&failure)).await;
    };
    let format = format_of(&f.format);
    let input = UploadInput {
        format,
        file_name: file.name.clone(),
        path: file.temp.path().to_owned(),
        zip_password,
        with_students: f.students != "ohne",
        account_type: (format == Format::Table)
            .then(|| AccountType::parse(&f.account_type))
            .flatten(),
        columns: f.columns.clone(),
    };
    let result = state.platform.import_upload(&r.actor, input).await;
    // The temporary file is removed only now, after the domain has read it.
    drop(file);
    match result {
        Ok(id) => Redirect::to(&format!("/verwaltung/import/{id}")).into_response(),
        Err(e) => {
            let failure = Failure::from_domain("upload", tr, &e);
            render_form(&state, &r, &f, Some(&failure)).await
        }
    }
}
