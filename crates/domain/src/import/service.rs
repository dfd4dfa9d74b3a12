//! The import use cases before the apply: upload and read, preview, mapping the columns
//! again, and what the admin reads afterwards (runs, protocol, letters).

use chrono::{DateTime, Datelike, Utc};
use schulhof_authz::{ImportUsers, check};
use schulhof_import::{Format, ImportData};
use schulhof_store::import_runs::{self, RunRow};
use schulhof_store::{Tx, instances, lifecycle};
use schulhof_types::{AccountType, InstanceId};
use uuid::Uuid;

use super::inputs::{fill_guessed, format_of, json, options_of, parse_run, read, source_of};
use super::plan::{Plan, Scope, State, plan};
use super::protocol::{LetterClass, open_letters};
use super::{Columns, RunOptions, RunView, UploadInput};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The school year a date falls in: it starts on 1 August.
pub(crate) fn school_year_at(now: DateTime<Utc>) -> String {
    let start = if now.month() >= 8 {
        now.year()
    } else {
        now.year() - 1
    };
    format!("{start}/{:02}", (start + 1) % 100)
}

pub(super) fn scope(opts: &RunOptions) -> Result<Scope, DomainError> {
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
pub(super) async fn year_for(
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
}
