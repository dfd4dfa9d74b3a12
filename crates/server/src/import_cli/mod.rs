//! `schulhof import` and `schulhof school-year`: the operator's and scripts' way to the same
//! use cases as the admin pages.

mod protocol;
mod report;
mod ticker;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::{DomainError, Platform};
use schulhof_types::AccountType;
use serde_json::json;

use protocol::ProtocolArgs;
use report::report;
use ticker::Ticker;

/// Exit code for a file that cannot be read or a school that refuses it.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for conflicts whose fixes were not accepted.
pub const EXIT_CONFLICTS: i32 = 3;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// Schild-NRW "XML-Export für LOGINEO NRW" (plain or in a ZIP).
    Schild,
    /// A table: CSV (`;` or `,`, UTF-8 or Windows-1252) or XLSX.
    Csv,
    /// SVWS "Lernplattform V1" JSON (plain or gzip).
    Svws,
}

impl FormatArg {
    fn format(self) -> Format {
        match self {
            FormatArg::Schild => Format::Schild,
            FormatArg::Csv => Format::Table,
            FormatArg::Svws => Format::Svws,
        }
    }
}

/// How to read a file; shared by `import` and `school-year`.
#[derive(Args, Clone)]
pub struct ReadArgs {
    /// Import students too (the default).
    #[arg(long, overrides_with = "without_students")]
    with_students: bool,
    /// Leave students out: only teachers, staff and externals are imported.
    #[arg(long)]
    without_students: bool,
    /// For tables: the account type of every person in the file.
    #[arg(long, value_parser = ["lehrer", "personal", "schueler", "extern"])]
    account_type: Option<String>,
    /// Password of an encrypted ZIP.
    #[arg(long, env = "SCHULHOF_ZIP_PASSWORD", hide_env_values = true)]
    zip_password: Option<String>,
    /// For tables: which header holds a field, e.g. `--column nachname=Familienname`.
    /// Fields: quell_id, nachname, vorname, klasse, gruppen, email, geburtsdatum.
    #[arg(long = "column", value_name = "FIELD=HEADER")]
    columns: Vec<String>,
    /// Import although the file has conflicts, applying the proposed fixes.
    #[arg(long)]
    accept_fixes: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The kind of file.
    format: FormatArg,
    /// The file.
    file: PathBuf,
    /// The school number.
    #[arg(long)]
    instance: String,
    /// Show what would change; change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    read: ReadArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    out: ProtocolArgs,
}

#[derive(Args)]
pub struct SchoolYearArgs {
    #[arg(long)]
    instance: String,
    /// The year ending, e.g. 2025/26.
    #[arg(long)]
    from: String,
    /// The year starting, e.g. 2026/27.
    #[arg(long)]
    to: String,
    #[arg(long)]
    dry_run: bool,
    /// Apply the new year's file in the same step.
    #[arg(long, requires = "file")]
    import: Option<FormatArg>,
    #[arg(long, requires = "import")]
    file: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    out: ProtocolArgs,
}

fn columns(specs: &[String]) -> Result<Columns, String> {
    let mut c = Columns::default();
    for spec in specs {
        let (field, header) = spec
            .split_once('=')
            .ok_or_else(|| format!("--column {spec}: write FIELD=HEADER"))?;
        let slot = match field.trim() {
            "quell_id" => &mut c.quell_id,
            "nachname" => &mut c.nachname,
            "vorname" => &mut c.vorname,
            "klasse" => &mut c.klasse,
            "gruppen" => &mut c.gruppen,
            "email" => &mut c.email,
            "geburtsdatum" => &mut c.geburtsdatum,
            other => return Err(format!("--column: unknown field {other}")),
        };
        *slot = Some(header.trim().to_owned());
    }
    Ok(c)
}

fn system_import(
    format: FormatArg,
    file: PathBuf,
    r: &ReadArgs,
    dry_run: bool,
) -> Result<SystemImport, String> {
    let account_type = r.account_type.as_deref().and_then(AccountType::parse);
    Ok(SystemImport {
        upload: UploadInput {
            format: format.format(),
            file_name: file
                .file_name()
                .map_or_else(|| "import".into(), |n| n.to_string_lossy().into_owned()),
            path: file,
            zip_password: r.zip_password.clone(),
            with_students: !r.without_students,
            account_type,
            columns: columns(&r.columns)?,
        },
        dry_run,
        accept_fixes: r.accept_fixes,
    })
}

fn fail(code: i32, message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    code
}

fn domain_exit(e: &DomainError) -> i32 {
    match e {
        DomainError::Invalid {
            field: "accept_fixes",
            ..
        } => EXIT_CONFLICTS,
        DomainError::Invalid { .. } | DomainError::Conflict { .. } => EXIT_BAD_INPUT,
        _ => 1,
    }
}

/// Runs `schulhof import`; returns the exit code.
pub async fn import(platform: &Platform, a: ImportArgs) -> i32 {
    let input = match system_import(a.format, a.file.clone(), &a.read, a.dry_run) {
        Ok(i) => i,
        Err(e) => return fail(EXIT_BAD_INPUT, e),
    };
    if !a.file.is_file() {
        return fail(
            EXIT_BAD_INPUT,
            format!("{}: no such file", a.file.display()),
        );
    }
    let protocol_file = match if a.dry_run { Ok(None) } else { a.out.prepare() } {
        Ok(f) => f,
        Err(e) => return fail(EXIT_BAD_INPUT, e),
    };
    let progress = Arc::new(ImportProgress::new());
    let ticker = Ticker::start(progress.clone());
    // Conflicts are reported with the preview; without --accept-fixes nothing is applied.
    let blocked_by_conflicts = !a.read.accept_fixes;
    let preview = SystemImport {
        dry_run: true,
        ..input.clone()
    };
    let outcome = match platform
        .system_import(&a.instance, preview, &progress)
        .await
    {
        Ok(o) => o,
        Err(e) => return fail(domain_exit(&e), e),
    };
    let conflicts = !outcome.plan.conflicts.is_empty();
    let outcome = if a.dry_run || (conflicts && blocked_by_conflicts) {
        outcome
    } else {
        match platform.system_import(&a.instance, input, &progress).await {
            Ok(o) => o,
            Err(e) => return fail(domain_exit(&e), e),
        }
    };
    drop(ticker);
    report(&outcome, a.json, a.dry_run);
    if conflicts && blocked_by_conflicts {
        eprintln!(
            "error: {} conflict(s) in {}; nothing was imported. Fix the file, or run again with --accept-fixes to apply the proposed fixes.",
            outcome.plan.conflicts.len(),
            a.file.display()
        );
        return EXIT_CONFLICTS;
    }
    if outcome.applied
        && let Err(e) = a.out.write(protocol_file, &outcome.protocol)
    {
        return fail(
            1,
            format!("the import was applied, but the protocol could not be written: {e}"),
        );
    }
    0
}

/// Runs `schulhof school-year`; returns the exit code.
pub async fn school_year(platform: &Platform, a: SchoolYearArgs) -> i32 {
    let import = match (a.import, a.file.clone()) {
        (Some(f), Some(file)) => match system_import(f, file, &a.read, a.dry_run) {
            Ok(i) => Some(i),
            Err(e) => return fail(EXIT_BAD_INPUT, e),
        },
        _ => None,
    };
    let protocol_file = match if a.dry_run { Ok(None) } else { a.out.prepare() } {
        Ok(f) => f,
        Err(e) => return fail(EXIT_BAD_INPUT, e),
    };
    let (change, rows) = match platform
        .system_school_year(&a.instance, &a.from, &a.to, import, a.dry_run)
        .await
    {
        Ok(c) => c,
        Err(e) => return fail(domain_exit(&e), e),
    };
    if change.applied
        && let Err(e) = a.out.write(protocol_file, &rows)
    {
        return fail(
            1,
            format!("the school year was changed, but the protocol could not be written: {e}"),
        );
    }
    if a.json {
        println!("{}", json!(change));
        return 0;
    }
    println!(
        "{} school year {} → {}: {} classes and courses archived, {} leavers moved out.",
        if change.applied {
            "Changed"
        } else {
            "Preview (nothing changed):"
        },
        change.from,
        change.to,
        change.archived_groups.len(),
        change.leavers.len()
    );
    for g in &change.archived_groups {
        println!("archive: {g}");
    }
    for (login, name) in &change.leavers {
        println!("leaver: {login} ({name})");
    }
    if let Some(s) = change.import {
        println!(
            "Import: {} created, {} updated, {} unchanged, {} marked for deletion, {} groups created.",
            s.created, s.updated, s.unchanged, s.marked_for_deletion, s.groups_created
        );
    }
    0
}
