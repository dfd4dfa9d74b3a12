//! What the import use cases take and give: the upload, the go-ahead, the run as the
//! admin sees it, and reading a file off the async runtime.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use schulhof_import::protocol::ProtocolRow;
use schulhof_import::{Format, ImportData, ReadOptions, Source};
use schulhof_store::import_runs::RunRow;
use schulhof_types::AccountType;
use serde::Serialize;
use uuid::Uuid;

use super::plan::Plan;
use super::{Columns, RunOptions, Summary};
use crate::DomainError;

/// A file to read.
#[derive(Clone)]
pub struct UploadInput {
    pub format: Format,
    pub file_name: String,
    pub path: PathBuf,
    /// Used to open the file now; never stored.
    pub zip_password: Option<String>,
    pub with_students: bool,
    pub account_type: Option<AccountType>,
    pub columns: Columns,
}

/// The admin's go-ahead for a previewed run.
#[derive(Clone, Default)]
pub struct ApplyInput {
    pub skip_groups: Vec<String>,
    pub accept_fixes: bool,
    /// Encrypts the protocol with the initial passwords.
    pub protocol_password: String,
    /// The counts the admin saw; a different plan now means the data changed meanwhile.
    pub expected: Option<Summary>,
}

// Written by hand so that passwords never reach a log line.
impl std::fmt::Debug for UploadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadInput")
            .field("format", &self.format)
            .field("file_name", &self.file_name)
            .field("path", &self.path)
            .field("zip_password", &self.zip_password.as_ref().map(|_| "…"))
            .field("with_students", &self.with_students)
            .field("account_type", &self.account_type)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApplyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyInput")
            .field("skip_groups", &self.skip_groups)
            .field("accept_fixes", &self.accept_fixes)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

/// An import run as the admin sees it.
#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    pub id: Uuid,
    pub source: String,
    pub file_name: String,
    pub status: String,
    pub summary: Option<Summary>,
    pub error: Option<String>,
    pub has_protocol: bool,
    pub options: RunOptions,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    /// Table imports only: the file's column headers, for the mapping step.
    pub headers: Vec<String>,
}

/// What the CLI asks for.
#[derive(Clone, Debug)]
pub struct SystemImport {
    pub upload: UploadInput,
    pub dry_run: bool,
    pub accept_fixes: bool,
}

/// What a CLI import found and did.
#[derive(Debug)]
pub struct ImportOutcome {
    pub summary: Summary,
    pub plan: Plan,
    pub protocol: Vec<ProtocolRow>,
    pub applied: bool,
}

pub(super) fn source_of(format: Format) -> Source {
    match format {
        Format::Schild => Source::Schild,
        Format::Table => Source::Csv,
        Format::Svws => Source::Svws,
    }
}

pub(super) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Schild => "schild",
        Format::Table => "csv",
        Format::Svws => "svws",
    }
}

pub(super) fn format_of(name: &str) -> Result<Format, DomainError> {
    match name {
        "schild" => Ok(Format::Schild),
        "csv" => Ok(Format::Table),
        "svws" => Ok(Format::Svws),
        _ => Err(DomainError::invalid(
            "format",
            "must be schild, csv or svws",
        )),
    }
}

pub(crate) fn options_of(u: &UploadInput) -> RunOptions {
    RunOptions {
        format: format_name(u.format).into(),
        with_students: u.with_students,
        account_type: u.account_type.map(|t| t.as_str().into()),
        columns: u.columns.clone(),
        skip_groups: Vec::new(),
    }
}

/// Reads the file off the async runtime. A file that cannot be read names where and why.
pub(crate) async fn read(u: &UploadInput) -> Result<ImportData, DomainError> {
    if u.format == Format::Table && u.account_type.is_none() {
        return Err(DomainError::invalid(
            "account_type",
            "choose the account type of the persons in the table",
        ));
    }
    let opts = ReadOptions {
        zip_password: u.zip_password.clone(),
        with_students: u.with_students,
        account_type: u.account_type,
        columns: u.columns.clone(),
    };
    let (path, format) = (u.path.clone(), u.format);
    tokio::task::spawn_blocking(move || schulhof_import::read_file(&path, format, &opts))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .map_err(|e| DomainError::invalid("file", e.to_string()))
}

pub(super) fn parse_run(r: RunRow, headers: Vec<String>) -> RunView {
    RunView {
        id: r.id,
        source: r.source,
        file_name: r.file_name,
        status: r.status,
        summary: r.summary.and_then(|s| serde_json::from_str(&s).ok()),
        error: r.error,
        has_protocol: r.has_protocol,
        options: serde_json::from_str(&r.options).unwrap_or_default(),
        created_at: r.created_at,
        applied_at: r.applied_at,
        headers,
    }
}

pub(super) fn json<T: Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v).map_err(|e| DomainError::Internal(e.to_string()))
}

/// The columns the reader guessed, where the admin chose none: what the mapping form shows.
pub(super) fn fill_guessed(c: &mut Columns, headers: &[String]) {
    let g = schulhof_import::guess_columns(headers);
    let pairs = [
        (&mut c.quell_id, g.quell_id),
        (&mut c.nachname, g.nachname),
        (&mut c.vorname, g.vorname),
        (&mut c.klasse, g.klasse),
        (&mut c.gruppen, g.gruppen),
        (&mut c.email, g.email),
        (&mut c.geburtsdatum, g.geburtsdatum),
    ];
    for (slot, guess) in pairs {
        if slot.is_none() {
            *slot = guess;
        }
    }
}
