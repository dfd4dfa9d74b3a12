//! `schulhof import` and `schulhof school-year`: the operator's and scripts' way to the same
//! use cases as the admin pages.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use schulhof_domain::import::{
    Columns, Format, ImportOutcome, ImportProgress, ProtocolRow, SystemImport, UploadInput,
    check_protocol_password, protocol_csv, protocol_zip,
};
use schulhof_domain::{DomainError, Platform};
use schulhof_types::AccountType;
use serde_json::json;

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

/// Where the initial passwords go.
#[derive(Args)]
pub struct ProtocolArgs {
    /// Write the protocol (with initial passwords) as CSV to this file (mode 0600).
    #[arg(long, value_name = "OUT.csv")]
    protocol: Option<PathBuf>,
    /// Write the protocol as a ZIP encrypted (AES-256) with this password instead.
    #[arg(long, hide_env_values = true, env = "SCHULHOF_PROTOCOL_PASSWORD")]
    protocol_password: Option<String>,
}

impl ProtocolArgs {
    /// Checks the password and creates the file (readable only by its owner) before
    /// anything is imported, so the passwords cannot be lost to an unwritable path.
    fn prepare(&self) -> Result<Option<std::fs::File>, String> {
        let Some(path) = &self.protocol else {
            return Ok(None);
        };
        if let Some(pw) = &self.protocol_password {
            check_protocol_password(pw).map_err(|e| format!("--protocol-password: {e}"))?;
        }
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        open.open(path)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    fn write(&self, file: Option<std::fs::File>, rows: &[ProtocolRow]) -> Result<(), String> {
        use std::io::Write as _;
        let created = rows.iter().filter(|r| r.initial_password.is_some()).count();
        let Some(mut file) = file else {
            if created > 0 {
                eprintln!(
                    "warning: {created} new person(s) got initial passwords that are in no protocol (no --protocol); reset their passwords to hand out new ones"
                );
            }
            return Ok(());
        };
        let bytes = match &self.protocol_password {
            Some(pw) => protocol_zip(rows, pw),
            None => protocol_csv(rows),
        }
        .map_err(|e| e.to_string())?;
        file.write_all(&bytes).map_err(|e| e.to_string())
    }
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

/// Prints progress to standard error every half second until dropped.
struct Ticker(tokio::task::JoinHandle<()>);

impl Ticker {
    fn start(progress: Arc<ImportProgress>) -> Self {
        Ticker(tokio::spawn(async move {
            let mut last = String::new();
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let (done, total, phase) = progress.snapshot();
                let line = format!("{phase}: {done}/{total} ({}%)", progress.percent());
                if line != last {
                    eprintln!("{line}");
                    last = line;
                }
            }
        }))
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
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

fn report(o: &ImportOutcome, as_json: bool, dry_run: bool) {
    let p = &o.plan;
    if as_json {
        let mut v = serde_json::to_value(o.summary).unwrap_or_else(|_| json!({}));
        if let Some(m) = v.as_object_mut() {
            m.insert("applied".into(), json!(o.applied));
            m.insert("dry_run".into(), json!(dry_run));
            m.insert("conflicts_list".into(), conflicts_json(o));
            m.insert("notices".into(), json!(p.notices));
            m.insert("create".into(), json!(p.create));
            m.insert("update".into(), json!(p.update));
            m.insert(
                "mark".into(),
                json!(
                    p.mark
                        .iter()
                        .map(|(_, l, n)| json!({"login": l, "name": n}))
                        .collect::<Vec<_>>()
                ),
            );
            m.insert("new_groups".into(), json!(p.new_groups));
            m.insert("expired_groups".into(), json!(p.expired_groups));
        }
        println!("{v}");
        return;
    }
    let s = o.summary;
    println!(
        "{}: {} created, {} updated, {} unchanged, {} marked for deletion ({} awaiting confirmation), {} back from a mark, {} left persons skipped",
        if o.applied {
            "Applied"
        } else {
            "Preview (nothing changed)"
        },
        s.created,
        s.updated,
        s.unchanged,
        s.marked_for_deletion,
        s.awaiting_deletion,
        s.unmarked,
        s.skipped_left
    );
    println!(
        "Groups: {} new, {} existing, {} expired, {} skipped. Memberships: +{} -{}.",
        s.groups_created,
        s.groups_existing,
        s.groups_expired,
        s.groups_skipped,
        s.memberships_added,
        s.memberships_removed
    );
    for c in &p.conflicts {
        println!("conflict: {}: {} → {}", c.position, c.message, c.kind.fix());
    }
    for n in &p.notices {
        println!("notice: {n}");
    }
    for g in &p.new_groups {
        println!(
            "new group: {} ({}){}",
            g.name,
            g.kind,
            if g.skipped { " — skipped" } else { "" }
        );
    }
    for g in &p.expired_groups {
        println!(
            "expired group (kept until the school-year change): {}",
            g.name
        );
    }
    for c in &p.create {
        println!(
            "create: {} {} {} ({}) login {} mail {}",
            c.source_id, c.first_name, c.last_name, c.account_type, c.login, c.mail
        );
    }
    for u in &p.update {
        let what: Vec<String> = u
            .changes
            .iter()
            .map(|c| format!("{} {:?} → {:?}", c.field, c.old, c.new))
            .collect();
        println!("update: {} {}: {}", u.source_id, u.login, what.join(", "));
    }
    for (_, login, name) in &p.mark {
        println!("mark for deletion: {login} ({name})");
    }
}

fn conflicts_json(o: &ImportOutcome) -> serde_json::Value {
    json!(
        o.plan
            .conflicts
            .iter()
            .map(|c| json!({
                "position": c.position.to_string(),
                "source_id": c.source_id,
                "kind": c.kind,
                "message": c.message,
                "fix": c.kind.fix(),
            }))
            .collect::<Vec<_>>()
    )
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
