//! The school-year change: in one transaction, archive the old year's classes and courses
//! (read-only, with their year), optionally apply the new year's import, move the leavers
//! out (deactivate those marked for deletion; their deletion period starts) and switch the
//! school to the new year.

use chrono::{DateTime, Utc};
use schulhof_authz::{ChangeSchoolYear, ImportUsers, check};
use schulhof_import::protocol::ProtocolRow;
use schulhof_store::{Tx, import_runs, lifecycle};
use schulhof_types::InstanceId;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::identity::Actor;
use crate::import::service_api::{
    check_protocol_password, plan_in, read_upload, run_options, school_year_at, system_audit,
};
use crate::import::{ApplyInput, ImportProgress, Summary, SystemImport, protocol_zip};
use crate::{DomainError, Platform, audit::admin_action};

/// What the admin asks for: the years, the leavers the preview listed (`None`: everyone
/// marked for deletion), and whether only to look.
#[derive(Clone, Copy, Debug)]
pub struct YearStep<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub leavers: Option<&'a [String]>,
    pub dry_run: bool,
}

/// What a school-year change does (dry run) or did.
#[derive(Clone, Debug, Serialize)]
pub struct YearChange {
    pub from: String,
    pub to: String,
    pub archived_groups: Vec<String>,
    /// (login, name) of the persons moved out.
    pub leavers: Vec<(String, String)>,
    pub import: Option<Summary>,
    pub applied: bool,
}

/// What the log keeps of a change: counts, no names.
fn audit_detail(c: &YearChange) -> serde_json::Value {
    json!({
        "from": c.from, "to": c.to, "archived_groups": c.archived_groups.len(),
        "leavers": c.leavers.len(), "import": c.import,
    })
}

/// `2025/26` → 2025, if well-formed.
fn start_year(y: &str) -> Option<i32> {
    let (a, b) = y.trim().split_once('/')?;
    let a: i32 = a.parse().ok().filter(|_| a.len() == 4)?;
    let b: i32 = b.parse().ok().filter(|_| b.len() == 2)?;
    (b == (a + 1) % 100).then_some(a)
}

fn check_years(from: &str, to: &str) -> Result<(), DomainError> {
    let f =
        start_year(from).ok_or_else(|| DomainError::invalid("from", "must look like 2025/26"))?;
    let t = start_year(to).ok_or_else(|| DomainError::invalid("to", "must look like 2026/27"))?;
    if t != f + 1 {
        return Err(DomainError::invalid(
            "to",
            format!("must be the year after {from}"),
        ));
    }
    Ok(())
}

impl Platform {
    /// The school's current school year (the stored one, else today's).
    pub async fn current_school_year(&self, instance: InstanceId) -> Result<String, DomainError> {
        let mut h = self.db.read().await?;
        let (year, _) = lifecycle::settings(&mut h, instance).await?;
        Ok(year.unwrap_or_else(|| school_year_at(self.now())))
    }

    /// The school's current school year, for the admin's school-year page.
    pub async fn school_year_of(&self, actor: &Actor) -> Result<String, DomainError> {
        let grant = check(&actor.token, ChangeSchoolYear)?;
        self.current_school_year(grant.instance()).await
    }

    /// The admin's school-year change (without a file; the new year's import follows).
    /// `leavers`: the logins the preview listed; `None` moves out everyone marked.
    pub async fn change_school_year(
        &self,
        actor: &Actor,
        step: YearStep<'_>,
    ) -> Result<YearChange, DomainError> {
        let YearStep {
            from,
            to,
            leavers,
            dry_run,
        } = step;
        let grant = check(&actor.token, ChangeSchoolYear)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (change, _) =
            year_change(&mut tx, grant.instance(), from, to, None, leavers, now).await?;
        if dry_run {
            return Ok(change);
        }
        let detail = Some(audit_detail(&change));
        admin_action(&mut tx, actor, now, "school_year.change", to, detail).await?;
        tx.commit().await?;
        Ok(YearChange {
            applied: true,
            ..change
        })
    }

    /// The admin's school-year change with the new year's import in the same step: `run`
    /// is an uploaded (previewed) import; its protocol is stored with it, encrypted with
    /// `go.protocol_password`. A dry run changes nothing.
    pub async fn change_school_year_with_import(
        &self,
        actor: &Actor,
        step: YearStep<'_>,
        run: Uuid,
        go: ApplyInput,
    ) -> Result<YearChange, DomainError> {
        let YearStep {
            from,
            to,
            leavers,
            dry_run,
        } = step;
        let grant = check(&actor.token, ChangeSchoolYear)?;
        check(&actor.token, ImportUsers)?;
        let instance = grant.instance();
        if !dry_run {
            check_protocol_password(&go.protocol_password)?;
        }
        let (view, data) = self.run_data(instance, run).await?;
        let mut options = view.options.clone();
        options.skip_groups = go.skip_groups.clone();
        let file = NewYearFile {
            data,
            options,
            accept_fixes: go.accept_fixes,
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        // Claimed in this transaction: a second click, or the import page, cannot apply the
        // same run again; a dry run rolls the claim back.
        if !import_runs::claim_for_apply(&mut tx, instance, run, now).await? {
            return Err(DomainError::conflict(
                "run",
                "this import is running or has already run",
            ));
        }
        let (change, rows) =
            year_change(&mut tx, instance, from, to, Some(file), leavers, now).await?;
        if dry_run {
            return Ok(change);
        }
        let summary = json!(change.import.unwrap_or_default()).to_string();
        let protocol = protocol_zip(&rows, &go.protocol_password)?;
        if !import_runs::set_applied(&mut tx, instance, run, &summary, Some(&protocol), now).await?
        {
            return Err(DomainError::conflict(
                "run",
                "this import is running or has already run",
            ));
        }
        let detail = Some(audit_detail(&change));
        admin_action(&mut tx, actor, now, "school_year.change", to, detail).await?;
        tx.commit().await?;
        Ok(YearChange {
            applied: true,
            ..change
        })
    }

    /// The CLI's school-year change, with the new year's import if one is given; returns
    /// the import's protocol rows (initial passwords) for the operator to keep.
    pub async fn system_school_year(
        &self,
        school_number: &str,
        from: &str,
        to: &str,
        import: Option<SystemImport>,
        dry_run: bool,
    ) -> Result<(YearChange, Vec<ProtocolRow>), DomainError> {
        let instance = self.system_school(school_number).await?;
        let now = self.now();
        let file = match &import {
            Some(i) => Some(NewYearFile {
                data: read_upload(&i.upload).await?,
                options: run_options(&i.upload),
                accept_fixes: i.accept_fixes,
            }),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let (change, rows) = year_change(&mut tx, instance, from, to, file, None, now).await?;
        if dry_run {
            return Ok((change, Vec::new()));
        }
        system_audit(
            &mut tx,
            instance,
            now,
            "school_year.change",
            to,
            &audit_detail(&change),
        )
        .await?;
        tx.commit().await?;
        Ok((
            YearChange {
                applied: true,
                ..change
            },
            rows,
        ))
    }
}

/// The new year's file, read, with how to apply it.
struct NewYearFile {
    data: schulhof_import::ImportData,
    options: crate::import::RunOptions,
    accept_fixes: bool,
}

async fn year_change(
    tx: &mut Tx,
    instance: InstanceId,
    from: &str,
    to: &str,
    file: Option<NewYearFile>,
    leavers: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<(YearChange, Vec<ProtocolRow>), DomainError> {
    check_years(from, to)?;
    let (stored, _) = lifecycle::settings(tx, instance).await?;
    let current = stored.unwrap_or_else(|| school_year_at(now));
    if current != from.trim() {
        return Err(DomainError::invalid(
            "from",
            format!("the school's current school year is {current}"),
        ));
    }
    let archived: Vec<String> = lifecycle::groups_of_year(tx, instance, from)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    lifecycle::archive_groups_of_year(tx, instance, from, now).await?;
    // The year's courses become read-only with their groups.
    schulhof_store::lms::courses::archive_all(tx, instance, schulhof_store::to_us(now)).await?;
    let (import, protocol) = match file {
        Some(f) => {
            let plan = plan_in(tx, instance, &f.data, &f.options).await?;
            if !plan.conflicts.is_empty() && !f.accept_fixes {
                return Err(DomainError::invalid(
                    "accept_fixes",
                    format!(
                        "the file has {} conflict(s); accept the proposed fixes to import",
                        plan.conflicts.len()
                    ),
                ));
            }
            let progress = ImportProgress::new();
            let rows =
                crate::import::apply_plan(tx, instance, &f.data, &plan, to, &progress, now).await?;
            (Some(plan.summary()), rows)
        }
        None => (None, Vec::new()),
    };
    let marked = lifecycle::marked(tx, instance).await?;
    // Only the leavers the admin saw in the preview, when the caller names them: a mark
    // made since then waits for the next confirmation.
    let leaving: Vec<_> = marked
        .iter()
        .filter(|m| m.active && leavers.is_none_or(|l| l.contains(&m.login)))
        .collect();
    let ids: Vec<_> = leaving.iter().map(|m| m.id).collect();
    lifecycle::deactivate_marked(tx, instance, &ids, now).await?;
    lifecycle::set_school_year(tx, instance, to.trim()).await?;
    let change = YearChange {
        from: from.trim().into(),
        to: to.trim().into(),
        archived_groups: archived,
        leavers: leaving
            .iter()
            .map(|m| (m.login.clone(), format!("{} {}", m.first_name, m.last_name)))
            .collect(),
        import,
        applied: false,
    };
    Ok((change, protocol))
}
