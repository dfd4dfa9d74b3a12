//! The operator's import through the CLI: no actor, the school named by its number, the
//! audit entry written as the system's.

use chrono::{DateTime, Utc};
use schulhof_store::{Tx, instances};
use schulhof_types::{InstanceId, UserId};
use serde::Serialize;

use super::applying::gate;
use super::inputs::{options_of, read};
use super::service::{plan_in, year_for};
use super::{ApplyInput, ImportOutcome, ImportProgress, SystemImport, apply};
use crate::audit::{Event, record};
use crate::{DomainError, Platform};

impl Platform {
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
            &super::audit_detail(&summary, &plan),
        )
        .await?;
        tx.commit().await?;
        self.conference_consent_changed(instance, plan.consent_users())
            .await;
        self.refresh_statistics(summary).await;
        Ok(ImportOutcome {
            summary,
            plan,
            protocol,
            applied: true,
        })
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
