//! Schools as a whole, for operators: the list with storage and accounts, and creating,
//! renaming, deactivating and deleting a school. Counts and metadata only: nothing here
//! reads a school's files, mail, calendars, contacts or Safe.

use schulhof_authz::operator::{ManageSchools, ViewSchools, check_operator};
use schulhof_store::operators::{purge, schools as store};
use schulhof_types::InstanceId;
use serde_json::json;

use super::{OperatorActor, SchoolSummary, audit};
use crate::{DomainError, Platform};

/// The console's start: every school, and whether this operator may change them.
pub struct SchoolOverview {
    pub schools: Vec<SchoolSummary>,
    pub can_manage: bool,
}

impl Platform {
    /// Every school with its storage and number of accounts, in one query.
    pub async fn operator_schools(
        &self,
        actor: &OperatorActor,
    ) -> Result<SchoolOverview, DomainError> {
        check_operator(&actor.token, ViewSchools)?;
        let mut c = self.db.read().await?;
        Ok(SchoolOverview {
            schools: store::list(&mut c).await?,
            can_manage: check_operator(&actor.token, ManageSchools).is_ok(),
        })
    }

    /// One school (not deleted) by its number; `NotFound` otherwise.
    pub async fn operator_school(
        &self,
        actor: &OperatorActor,
        number: &str,
    ) -> Result<SchoolSummary, DomainError> {
        check_operator(&actor.token, ViewSchools)?;
        let mut c = self.db.read().await?;
        store::find(&mut c, number.trim())
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Creates a school with the state-wide defaults and an `admin` login without password
    /// (set with `schulhof user set-password`, or by a reset).
    pub async fn operator_create_school(
        &self,
        actor: &OperatorActor,
        number: &str,
        name: &str,
        client_addr: &str,
    ) -> Result<InstanceId, DomainError> {
        let grant = check_operator(&actor.token, ManageSchools)?;
        let mut tx = self.db.begin().await?;
        let created = self.create_school_in(&mut tx, number, name).await?;
        let detail = json!({ "name": name.trim() });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "school.create",
            Some(number.trim()),
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(created.id)
    }

    pub async fn operator_rename_school(
        &self,
        actor: &OperatorActor,
        number: &str,
        name: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&actor.token, ManageSchools)?;
        let name = crate::admin_name(name)?;
        let mut tx = self.db.begin().await?;
        let school = store::find(&mut tx, number.trim())
            .await?
            .ok_or(DomainError::NotFound)?;
        store::rename(&mut tx, school.id, &name).await?;
        let detail = json!({ "from": school.name, "to": name });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "school.rename",
            Some(&school.school_number),
            client_addr,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Deactivates a school (its logins cannot log in, their sessions end) or opens it again.
    pub async fn operator_set_school_active(
        &self,
        actor: &OperatorActor,
        number: &str,
        active: bool,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&actor.token, ManageSchools)?;
        let mut tx = self.db.begin().await?;
        let school = store::find(&mut tx, number.trim())
            .await?
            .ok_or(DomainError::NotFound)?;
        let at = (!active).then(|| self.now());
        store::set_deactivated(&mut tx, school.id, at).await?;
        if !active {
            store::end_sessions(&mut tx, school.id).await?;
        }
        let action = if active {
            "school.reactivate"
        } else {
            "school.deactivate"
        };
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            action,
            Some(&school.school_number),
            client_addr,
            None,
        )
        .await?;
        tx.commit().await?;
        // Protocol clients remember verified credentials for a few minutes; their
        // sessions are gone, so the next request checks again and is refused.
        Ok(())
    }

    /// Deletes a school: `confirm` must repeat its number. The school is marked deleted and
    /// closed at once, then every row of it is purged; if the purge fails, the hourly job
    /// ([`Platform::system_purge_deleted_schools`]) finishes it. Contents no longer referred
    /// to leave the file store with the daily collection.
    pub async fn operator_delete_school(
        &self,
        actor: &OperatorActor,
        number: &str,
        confirm: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&actor.token, ManageSchools)?;
        let mut tx = self.db.begin().await?;
        let school = store::find(&mut tx, number.trim())
            .await?
            .ok_or(DomainError::NotFound)?;
        if confirm.trim() != school.school_number {
            return Err(DomainError::invalid(
                "confirm",
                "type the school number to confirm the deletion",
            ));
        }
        store::mark_deleted(&mut tx, school.id, self.now()).await?;
        store::end_sessions(&mut tx, school.id).await?;
        let detail = json!({ "name": school.name, "accounts": school.accounts });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "school.delete",
            Some(&school.school_number),
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        if let Err(e) = self.purge_school(school.id).await {
            tracing::error!(error = %e, school = %school.school_number, "purging a deleted school failed; the hourly job retries");
        }
        Ok(())
    }

    async fn purge_school(&self, id: InstanceId) -> Result<u64, DomainError> {
        let mut tx = self.db.begin().await?;
        let rows = purge::purge_school(&mut tx, id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Purges the data of schools marked deleted (after a failed or interrupted purge).
    /// Returns how many schools were purged.
    pub async fn system_purge_deleted_schools(&self) -> Result<usize, DomainError> {
        let ids = store::deleted(&mut self.db.read().await?).await?;
        let mut done = 0;
        for id in ids {
            match self.purge_school(id).await {
                Ok(_) => done += 1,
                Err(e) => tracing::error!(error = %e, "purging a deleted school failed"),
            }
        }
        Ok(done)
    }
}
