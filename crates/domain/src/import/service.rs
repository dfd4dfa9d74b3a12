//! The import use cases: upload and read, preview, apply (in the background for the web,
//! in the foreground for the CLI), protocol and letters.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use schulhof_authz::{ImportUsers, check};
use schulhof_import::protocol::ProtocolRow;
use schulhof_import::{Format, ImportData, ReadOptions, Source};
use schulhof_store::import_runs::{self, RunRow};
use schulhof_store::{Tx, instances, lifecycle};
use schulhof_types::{AccountType, InstanceId, UserId};
use serde::Serialize;
use uuid::Uuid;

use super::plan::{Plan, Scope, State, plan};
use super::protocol::{LetterClass, archive, check_protocol_password, open_letters};
use super::{Columns, ImportProgress, RunOptions, Summary, apply};
use crate::audit::{Event, admin_action, record};
use crate::identity::Actor;
use crate::{DomainError, Platform};

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

fn source_of(format: Format) -> Source {
    match format {
        Format::Schild => Source::Schild,
        Format::Table => Source::Csv,
        Format::Svws => Source::Svws,
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Schild => "schild",
        Format::Table => "csv",
        Format::Svws => "svws",
    }
}

fn format_of(name: &str) -> Result<Format, DomainError> {
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

/// The school year a date falls in: it starts on 1 August.
pub(crate) fn school_year_at(now: DateTime<Utc>) -> String {
    let start = if now.month() >= 8 {
        now.year()
    } else {
        now.year() - 1
    };
    format!("{start}/{:02}", (start + 1) % 100)
}

fn scope(opts: &RunOptions) -> Result<Scope, DomainError> {
    Ok(
        match (format_of(&opts.format)?, opts.account_type.as_deref()) {
            (Format::Table, Some(t)) => Scope::Only(
                AccountType::parse(t)
                    .ok_or_else(|| DomainError::invalid("account_type", "unknown"))?,
            ),
            (Format::Table, None) => {
                return Err(DomainError::invalid("account_type", "is required"));
            }
            _ if opts.with_students => Scope::All,
            _ => Scope::AllButStudents,
        },
    )
}

/// Plans `data` against the school as it is inside `tx`.
pub(crate) async fn plan_in(
    tx: &mut impl schulhof_store::AsConn,
    instance: InstanceId,
    data: &ImportData,
    opts: &RunOptions,
) -> Result<Plan, DomainError> {
    let school = instances::get(tx, instance)
        .await?
        .ok_or(DomainError::NotFound)?;
    if let Some(n) = data.school_number.as_deref()
        && n != school.school_number
    {
        return Err(DomainError::invalid(
            "file",
            format!(
                "the file is for school {n}, this school is {}",
                school.school_number
            ),
        ));
    }
    let state = State::load(tx, instance, data.source).await?;
    Ok(plan(
        data,
        state,
        &school.mail_domain,
        scope(opts)?,
        &opts.skip_groups,
    ))
}

/// The year new groups belong to: the school's, else the file's, else today's.
async fn year_for(
    tx: &mut Tx,
    instance: InstanceId,
    data: &ImportData,
    now: DateTime<Utc>,
) -> Result<String, DomainError> {
    let (current, _) = lifecycle::settings(tx, instance).await?;
    Ok(current
        .or_else(|| data.school_year.clone())
        .unwrap_or_else(|| school_year_at(now)))
}

fn parse_run(r: RunRow, headers: Vec<String>) -> RunView {
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

fn json<T: Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v).map_err(|e| DomainError::Internal(e.to_string()))
}

impl Platform {
    /// Whether `actor` may import: asked before an upload is even read.
    pub fn may_import(&self, actor: &Actor) -> Result<(), DomainError> {
        check(&actor.token, ImportUsers)?;
        Ok(())
    }

    /// Reads an uploaded file and stores what it holds as a new run, ready for preview.
    pub async fn import_upload(&self, actor: &Actor, u: UploadInput) -> Result<Uuid, DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let data = read(&u).await?;
        // Tables are kept (unpacked, so without the ZIP password) for mapping the columns
        // again; other files are not.
        let upload = if u.format == Format::Table {
            let (path, pw) = (u.path.clone(), u.zip_password.clone());
            tokio::task::spawn_blocking(move || schulhof_import::table_bytes(&path, pw.as_deref()))
                .await
                .map_err(|e| DomainError::Internal(e.to_string()))?
                .map_err(|e| DomainError::invalid("file", e.to_string()))?
        } else {
            Vec::new()
        };
        let opts = options_of(&u);
        let id = Uuid::now_v7();
        let mut tx = self.db.begin().await?;
        let run = RunRow {
            instance_id: grant.instance(),
            id,
            source: source_of(u.format).as_str().into(),
            file_name: u.file_name.clone(),
            options: json(&opts)?,
            status: "uploaded".into(),
            summary: None,
            error: None,
            has_protocol: false,
            created_by: Some(grant.actor()),
            created_at: self.now(),
            applied_at: None,
        };
        import_runs::insert(&mut tx, &run, &upload).await?;
        let plan = plan_in(&mut tx, grant.instance(), &data, &opts).await?;
        import_runs::set_read(
            &mut tx,
            grant.instance(),
            id,
            &run.options,
            &json(&data)?,
            &json(&plan.summary())?,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn run_data(
        &self,
        instance: InstanceId,
        id: Uuid,
    ) -> Result<(RunView, ImportData), DomainError> {
        let mut h = self.db.read().await?;
        let run = import_runs::get(&mut h, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let data = import_runs::data(&mut h, instance, id)
            .await?
            .ok_or_else(|| DomainError::invalid("run", "this upload has expired; upload again"))?;
        let data: ImportData =
            serde_json::from_str(&data).map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok((parse_run(run, Vec::new()), data))
    }

    /// The run and what applying it now would do, with the groups the admin unticked.
    pub async fn import_preview(
        &self,
        actor: &Actor,
        id: Uuid,
        skip_groups: &[String],
    ) -> Result<(RunView, Plan), DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let (mut run, data) = self.run_data(grant.instance(), id).await?;
        run.options.skip_groups = skip_groups.to_vec();
        if run.options.format == "csv" {
            run.headers = self.run_headers(grant.instance(), id).await?;
            fill_guessed(&mut run.options.columns, &run.headers);
        }
        // Planning reads only: a read connection, no write lock.
        let mut h = self.db.read().await?;
        let plan = plan_in(&mut h, grant.instance(), &data, &run.options).await?;
        Ok((run, plan))
    }

    async fn run_headers(
        &self,
        instance: InstanceId,
        id: Uuid,
    ) -> Result<Vec<String>, DomainError> {
        let mut h = self.db.read().await?;
        let Some(bytes) = import_runs::upload(&mut h, instance, id).await? else {
            return Ok(Vec::new());
        };
        tokio::task::spawn_blocking(move || {
            let file = tempfile::NamedTempFile::new()?;
            std::fs::write(file.path(), &bytes)?;
            Ok::<_, std::io::Error>(
                schulhof_import::table_headers(file.path(), None).unwrap_or_default(),
            )
        })
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .map_err(|e| DomainError::Internal(e.to_string()))
    }

    /// Reads a table run again with the columns the admin mapped.
    pub async fn import_remap(
        &self,
        actor: &Actor,
        id: Uuid,
        columns: Columns,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let instance = grant.instance();
        let mut h = self.db.read().await?;
        let run = import_runs::get(&mut h, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let bytes = import_runs::upload(&mut h, instance, id)
            .await?
            .filter(|b| !b.is_empty())
            .ok_or_else(|| DomainError::invalid("run", "only table uploads can be mapped again"))?;
        drop(h);
        let mut opts: RunOptions = serde_json::from_str(&run.options).unwrap_or_default();
        if !matches!(run.status.as_str(), "previewed" | "failed") {
            return Err(DomainError::conflict("run", "this import has already run"));
        }
        opts.columns = columns;
        let file =
            tempfile::NamedTempFile::new().map_err(|e| DomainError::Internal(e.to_string()))?;
        std::fs::write(file.path(), &bytes).map_err(|e| DomainError::Internal(e.to_string()))?;
        let u = UploadInput {
            format: Format::Table,
            file_name: run.file_name.clone(),
            path: file.path().to_owned(),
            zip_password: None,
            with_students: opts.with_students,
            account_type: opts.account_type.as_deref().and_then(AccountType::parse),
            columns: opts.columns.clone(),
        };
        let data = read(&u).await?;
        let mut tx = self.db.begin().await?;
        let plan = plan_in(&mut tx, instance, &data, &opts).await?;
        import_runs::set_read(
            &mut tx,
            instance,
            id,
            &json(&opts)?,
            &json(&data)?,
            &json(&plan.summary())?,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the go-ahead, marks the run as running and applies it in the background;
    /// `progress` shows how far it got. The outcome lands in the run.
    pub async fn import_start_apply(
        &self,
        actor: &Actor,
        id: Uuid,
        input: ApplyInput,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        check_protocol_password(&input.protocol_password)?;
        // The go-ahead is checked here, so a stale preview or unaccepted conflicts answer the
        // form at once; the background task checks again against the data it then sees.
        let (mut run, data) = self.run_data(grant.instance(), id).await?;
        run.options.skip_groups = input.skip_groups.clone();
        let mut tx = self.db.begin().await?;
        let plan = plan_in(&mut tx, grant.instance(), &data, &run.options).await?;
        gate(&plan, &input, plan.summary())?;
        if !import_runs::claim_for_apply(&mut tx, grant.instance(), id, self.now()).await? {
            return Err(DomainError::conflict(
                "run",
                "this import is running or has already run",
            ));
        }
        tx.commit().await?;
        let progress = Arc::new(ImportProgress::new());
        if let Ok(mut running) = self.running.lock() {
            running.insert(id, progress.clone());
        }
        let (platform, actor) = (self.clone(), actor.clone());
        tokio::spawn(async move {
            let instance = actor.token.instance();
            let result = platform.import_apply(&actor, id, input, &progress).await;
            if let Ok(mut running) = platform.running.lock() {
                running.remove(&id);
            }
            if let Err(e) = result {
                tracing::warn!(error = %e, "import failed");
                // Causes inside the server are logged, never shown.
                let msg = match e {
                    DomainError::Internal(_) => "internal error; nothing was changed".to_owned(),
                    e => e.to_string(),
                };
                if let Ok(mut tx) = platform.db.begin().await {
                    let _ =
                        import_runs::set_status(&mut tx, instance, id, "failed", Some(&msg)).await;
                    let _ = tx.commit().await;
                }
            }
        });
        Ok(())
    }

    /// Applies a previewed run in one transaction with its audit entry.
    async fn import_apply(
        &self,
        actor: &Actor,
        id: Uuid,
        input: ApplyInput,
        progress: &ImportProgress,
    ) -> Result<Summary, DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        check_protocol_password(&input.protocol_password)?;
        let instance = grant.instance();
        let (mut run, data) = self.run_data(instance, id).await?;
        run.options.skip_groups = input.skip_groups.clone();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let plan = plan_in(&mut tx, instance, &data, &run.options).await?;
        let summary = plan.summary();
        gate(&plan, &input, summary)?;
        let year = year_for(&mut tx, instance, &data, now).await?;
        let rows =
            apply::apply(&mut tx, instance, &data, &plan, Some(&year), progress, now).await?;
        let archive = archive(&rows, &input.protocol_password)?;
        if !import_runs::set_applied(&mut tx, instance, id, &json(&summary)?, Some(&archive), now)
            .await?
        {
            return Err(DomainError::conflict(
                "run",
                "the import was interrupted; apply it again",
            ));
        }
        let detail = serde_json::to_value(summary).ok();
        admin_action(&mut tx, actor, now, "import.apply", &run.file_name, detail).await?;
        tx.commit().await?;
        self.refresh_statistics(summary).await;
        Ok(summary)
    }

    /// How far a run applying in the background on this node got: (done, total, phase).
    pub fn import_progress(&self, id: Uuid) -> Option<(u64, u64, &'static str)> {
        let running = self.running.lock().ok()?;
        running.get(&id).map(|p| p.snapshot())
    }

    /// The run's state, for the progress and result page.
    pub async fn import_run(&self, actor: &Actor, id: Uuid) -> Result<RunView, DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let mut h = self.db.read().await?;
        let run = import_runs::get(&mut h, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok(parse_run(run, Vec::new()))
    }

    /// The latest runs of the school.
    pub async fn import_runs(&self, actor: &Actor) -> Result<Vec<RunView>, DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let mut h = self.db.read().await?;
        let runs = import_runs::list(&mut h, grant.instance(), 20).await?;
        Ok(runs.into_iter().map(|r| parse_run(r, Vec::new())).collect())
    }

    /// The encrypted protocol archive (ZIP, AES-256) of an applied run.
    pub async fn import_protocol(&self, actor: &Actor, id: Uuid) -> Result<Vec<u8>, DomainError> {
        let grant = check(&actor.token, ImportUsers)?;
        let mut h = self.db.read().await?;
        import_runs::protocol(&mut h, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// The initial-password letters of an applied run, opened with the protocol password.
    pub async fn import_letters(
        &self,
        actor: &Actor,
        id: Uuid,
        password: &str,
    ) -> Result<Vec<LetterClass>, DomainError> {
        let archive = self.import_protocol(actor, id).await?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || open_letters(&archive, &password))
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?
    }

    /// The CLI's import: read, plan, and unless `dry_run` apply, all for the school with
    /// `school_number`. Conflicts stop it unless the fixes are accepted.
    pub async fn system_import(
        &self,
        school_number: &str,
        input: SystemImport,
        progress: &ImportProgress,
    ) -> Result<ImportOutcome, DomainError> {
        let instance = self.system_school(school_number).await?;
        progress.phase("reading");
        let data = read(&input.upload).await?;
        let opts = options_of(&input.upload);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let plan = plan_in(&mut tx, instance, &data, &opts).await?;
        let summary = plan.summary();
        if input.dry_run {
            return Ok(ImportOutcome {
                summary,
                plan,
                protocol: Vec::new(),
                applied: false,
            });
        }
        let go = ApplyInput {
            accept_fixes: input.accept_fixes,
            ..ApplyInput::default()
        };
        gate(&plan, &go, summary)?;
        let year = year_for(&mut tx, instance, &data, now).await?;
        let protocol =
            apply::apply(&mut tx, instance, &data, &plan, Some(&year), progress, now).await?;
        system_audit(
            &mut tx,
            instance,
            now,
            "import.apply",
            &input.upload.file_name,
            &summary,
        )
        .await?;
        tx.commit().await?;
        self.refresh_statistics(summary).await;
        Ok(ImportOutcome {
            summary,
            plan,
            protocol,
            applied: true,
        })
    }

    /// After a large import the planner's statistics are stale; best effort.
    async fn refresh_statistics(&self, s: Summary) {
        if s.created + s.memberships_added + s.memberships_removed < 500 {
            return;
        }
        let refreshed = async {
            let mut tx = self.db.begin().await?;
            schulhof_store::imports::analyze(&mut tx).await?;
            tx.commit().await
        };
        if let Err(e) = refreshed.await {
            tracing::warn!(error = %e, "could not refresh statistics after an import");
        }
    }

    /// The id of the school with `number`, for system (CLI) use cases.
    pub(crate) async fn system_school(&self, number: &str) -> Result<InstanceId, DomainError> {
        let mut h = self.db.read().await?;
        instances::find_by_number(&mut h, number.trim())
            .await?
            .map(|i| i.id)
            .ok_or_else(|| DomainError::invalid("instance", format!("no school {number}")))
    }
}

/// The columns the reader guessed, where the admin chose none: what the mapping form shows.
fn fill_guessed(c: &mut Columns, headers: &[String]) {
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

/// Conflicts need the admin's consent to their fixes; a plan that changed since the
/// preview needs a new look.
fn gate(plan: &Plan, input: &ApplyInput, summary: Summary) -> Result<(), DomainError> {
    if !plan.conflicts.is_empty() && !input.accept_fixes {
        return Err(DomainError::invalid(
            "accept_fixes",
            format!(
                "the file has {} conflict(s); accept the proposed fixes to import",
                plan.conflicts.len()
            ),
        ));
    }
    if let Some(expected) = input.expected
        && expected != summary
    {
        return Err(DomainError::conflict(
            "preview",
            "the data changed since the preview; check the new preview",
        ));
    }
    Ok(())
}

/// An audit entry for something the operator did through the CLI.
pub(crate) async fn system_audit(
    tx: &mut Tx,
    instance: InstanceId,
    now: DateTime<Utc>,
    action: &str,
    object: &str,
    summary: &impl Serialize,
) -> Result<(), DomainError> {
    record(
        tx,
        instance,
        now,
        Event {
            kind: "admin",
            actor: None::<UserId>,
            holder: None,
            action,
            object: Some(object),
            client_addr: None,
            detail: serde_json::to_value(summary).ok(),
        },
    )
    .await
}
