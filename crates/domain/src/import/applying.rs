//! Applying a previewed run: checked and claimed at once, then run in the background
//! with its progress, in one transaction with its audit entry and encrypted protocol.

use std::sync::Arc;

use schulhof_authz::{ImportUsers, check};
use schulhof_store::import_runs;
use uuid::Uuid;

use super::inputs::json;
use super::plan::Plan;
use super::protocol::{archive, check_protocol_password};
use super::service::{plan_in, year_for};
use super::{ApplyInput, ImportProgress, Summary, apply};
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
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
        // Deflating and encrypting the protocol is CPU work: on the blocking pool.
        let password = input.protocol_password.clone();
        let archive = tokio::task::spawn_blocking(move || archive(&rows, &password))
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))??;
        if !import_runs::set_applied(&mut tx, instance, id, &json(&summary)?, Some(&archive), now)
            .await?
        {
            return Err(DomainError::conflict(
                "run",
                "the import was interrupted; apply it again",
            ));
        }
        let detail = Some(super::audit_detail(&summary, &plan));
        admin_action(&mut tx, actor, now, "import.apply", &run.file_name, detail).await?;
        tx.commit().await?;
        self.conference_consent_changed(instance, plan.consent_users())
            .await;
        self.refresh_statistics(summary).await;
        Ok(summary)
    }

    /// How far a run applying in the background on this node got: (done, total, phase).
    pub fn import_progress(&self, id: Uuid) -> Option<(u64, u64, &'static str)> {
        let running = self.running.lock().ok()?;
        running.get(&id).map(|p| p.snapshot())
    }

    /// After a large import the planner's statistics are stale; best effort.
    pub(super) async fn refresh_statistics(&self, s: Summary) {
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
}

/// Conflicts need the admin's consent to their fixes; a plan that changed since the
/// preview needs a new look.
pub(super) fn gate(plan: &Plan, input: &ApplyInput, summary: Summary) -> Result<(), DomainError> {
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
