//! Deletion periods: a deactivated account and its personal data are deleted when its
//! period ends, counted from the end of the calendar year it was deactivated in (students
//! 5 years, teachers and staff at most 5, archived classes and courses — school-organisation
//! data — 10; each configurable per school within those limits). Persons an import marked
//! for deletion are deactivated when the admin confirms.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use schulhof_authz::{ManageDeletion, check};
use schulhof_store::lifecycle;
pub use schulhof_store::lifecycle::Periods;
use schulhof_store::{groups, import_runs, instances};
use schulhof_types::{AccountType, InstanceId, UserId};
use serde::Serialize;

use crate::audit::{Event, admin_action, record};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Upper limits of the periods, from the data-protection rules.
pub const MAX_PERIODS: Periods = Periods {
    students: 5,
    staff: 5,
    organisation: 10,
};

/// How long an import's file content and protocol (with initial passwords) are kept.
pub const IMPORT_DATA_DAYS: i64 = 14;

/// A person an import marked for deletion, for the admin to confirm.
#[derive(Clone, Debug, Serialize)]
pub struct MarkedView {
    pub login: String,
    pub name: String,
    pub account_type: String,
    pub source: Option<String>,
    pub active: bool,
    pub marked_at: DateTime<Utc>,
}

/// Deactivated accounts of one type and year, and when they go.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DueGroup {
    pub what: String,
    pub count: u64,
    pub delete_on: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeletionOverview {
    pub periods: Periods,
    pub marked: Vec<MarkedView>,
    pub due: Vec<DueGroup>,
}

/// What one run of the deletion job deleted in one school (counts, never names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub students: u64,
    pub staff: u64,
    pub groups: u64,
}

fn years_for(kind: &str, p: Periods) -> i64 {
    if kind == AccountType::Schueler.as_str() {
        p.students
    } else {
        p.staff
    }
}

/// The day data deactivated at `at` is deleted: 1 January after `years` full calendar years.
pub fn deletion_day(at: DateTime<Utc>, years: i64) -> NaiveDate {
    let year = at.year() + i32::try_from(years).unwrap_or(0) + 1;
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MAX)
}

fn due(at: DateTime<Utc>, years: i64, now: DateTime<Utc>) -> bool {
    let day = deletion_day(at, years);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()) <= now
}

pub(crate) fn check_periods(p: Periods) -> Result<(), DomainError> {
    let within = |v: i64, max: i64| (0..=max).contains(&v);
    if !within(p.students, MAX_PERIODS.students) {
        return Err(DomainError::invalid("students", "must be 0 to 5 years"));
    }
    if !within(p.staff, MAX_PERIODS.staff) {
        return Err(DomainError::invalid("staff", "must be 0 to 5 years"));
    }
    if !within(p.organisation, MAX_PERIODS.organisation) {
        return Err(DomainError::invalid(
            "organisation",
            "must be 0 to 10 years",
        ));
    }
    Ok(())
}

impl Platform {
    /// The periods, the persons awaiting confirmation, and what will be deleted when.
    pub async fn deletion_overview(&self, actor: &Actor) -> Result<DeletionOverview, DomainError> {
        let grant = check(&actor.token, ManageDeletion)?;
        let instance = grant.instance();
        let mut h = self.db.read().await?;
        let (_, periods) = lifecycle::settings(&mut h, instance).await?;
        let marked = lifecycle::marked(&mut h, instance).await?;
        let mut due: Vec<DueGroup> = Vec::new();
        let mut add = |what: &str, day: NaiveDate| match due
            .iter_mut()
            .find(|d| d.what == what && d.delete_on == day)
        {
            Some(d) => d.count += 1,
            None => due.push(DueGroup {
                what: what.into(),
                count: 1,
                delete_on: day,
            }),
        };
        for (_, kind, at) in lifecycle::deactivated(&mut h, instance).await? {
            add(&kind, deletion_day(at, years_for(&kind, periods)));
        }
        for (_, at) in lifecycle::archived_groups(&mut h, instance).await? {
            add("group", deletion_day(at, periods.organisation));
        }
        due.sort_by(|a, b| (a.delete_on, &a.what).cmp(&(b.delete_on, &b.what)));
        Ok(DeletionOverview {
            periods,
            marked: marked
                .into_iter()
                .map(|m| MarkedView {
                    login: m.login,
                    name: format!("{} {}", m.first_name, m.last_name),
                    account_type: m.kind,
                    source: m.source,
                    active: m.active,
                    marked_at: m.marked_at,
                })
                .collect(),
            due,
        })
    }

    pub async fn set_deletion_periods(&self, actor: &Actor, p: Periods) -> Result<(), DomainError> {
        let grant = check(&actor.token, ManageDeletion)?;
        check_periods(p)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        lifecycle::set_periods(&mut tx, grant.instance(), p).await?;
        let detail = serde_json::json!({
            "students": p.students, "staff": p.staff, "organisation": p.organisation });
        admin_action(
            &mut tx,
            actor,
            now,
            "deletion.periods",
            "school",
            Some(detail),
        )
        .await?;
        tx.commit().await.map_err(Into::into)
    }

    /// Deactivates the marked persons with the given logins (all marked ones when empty):
    /// their sessions end and their deletion period starts.
    pub async fn confirm_deletions(
        &self,
        actor: &Actor,
        logins: &[String],
    ) -> Result<u64, DomainError> {
        let grant = check(&actor.token, ManageDeletion)?;
        let instance = grant.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let marked = lifecycle::marked(&mut tx, instance).await?;
        let ids: Vec<UserId> = marked
            .iter()
            .filter(|m| logins.is_empty() || logins.contains(&m.login))
            .map(|m| m.id)
            .collect();
        let done = lifecycle::deactivate_marked(&mut tx, instance, &ids, now).await?;
        // As deactivation by hand: connected tools' tokens revoked, their sessions logged out.
        crate::oidc::logout::end_of_users(&mut tx, instance, &ids, now.timestamp_micros()).await?;
        let detail = serde_json::json!({ "deactivated": done });
        admin_action(
            &mut tx,
            actor,
            now,
            "deletion.confirm",
            "marked persons",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The daily job: deletes, in every school, the accounts and archived groups whose
    /// deletion period has ended, and clears old import files and protocols. Logs counts.
    pub async fn system_apply_deletion_periods(
        &self,
    ) -> Result<Vec<(String, Deleted)>, DomainError> {
        let now = self.now();
        let mut report = Vec::new();
        let schools = instances::list(&mut self.db.read().await?).await?;
        // One school's failure must not stop the others, nor the clearing below.
        for school in schools {
            match self.delete_due(school.id, now).await {
                Ok(deleted) => {
                    if deleted != Deleted::default() {
                        tracing::info!(school = %school.school_number, ?deleted, "deletion periods");
                    }
                    report.push((school.school_number, deleted));
                }
                Err(e) => {
                    tracing::error!(school = %school.school_number, error = %e, "deletion periods failed");
                }
            }
        }
        let mut tx = self.db.begin().await?;
        import_runs::system_clear_personal_data(
            &mut tx,
            now - chrono::Duration::days(IMPORT_DATA_DAYS),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn delete_due(
        &self,
        instance: InstanceId,
        now: DateTime<Utc>,
    ) -> Result<Deleted, DomainError> {
        let mut tx = self.db.begin().await?;
        let (_, periods) = lifecycle::settings(&mut tx, instance).await?;
        let mut deleted = Deleted::default();
        for (id, kind, at) in lifecycle::deactivated(&mut tx, instance).await? {
            if !due(at, years_for(&kind, periods), now) {
                continue;
            }
            // Whatever a tool still holds ends before the account goes (the rows would
            // vanish with it, unannounced).
            let now_us = now.timestamp_micros();
            crate::oidc::logout::end_of_users(&mut tx, instance, &[id], now_us).await?;
            if lifecycle::delete_deactivated(&mut tx, instance, id).await? {
                if kind == AccountType::Schueler.as_str() {
                    deleted.students += 1;
                } else {
                    deleted.staff += 1;
                }
            }
        }
        for (id, at) in lifecycle::archived_groups(&mut tx, instance).await? {
            if due(at, periods.organisation, now) {
                groups::delete(&mut tx, instance, id).await?;
                deleted.groups += 1;
            }
        }
        if deleted != Deleted::default() {
            record(
                &mut tx,
                instance,
                now,
                Event {
                    kind: "admin",
                    actor: None,
                    holder: None,
                    action: "deletion.run",
                    object: None,
                    client_addr: None,
                    detail: serde_json::to_value(deleted).ok(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }
}
