//! Four-eyes access to a mailbox (Nutzungsbedingungen 2.2 c): in an exceptional case the
//! Schulleitung function account asks, with a documented reason and an end date, to read a
//! person's mailbox; a member of the staff council confirms with their own login (the
//! four-eyes request of [`crate::four_eyes`], kind `mailbox_inspection`). Then the
//! Schulleitung account reads the owner's own folders, read-only, through webmail only, until
//! the end date; every message opened is logged. The owner is told at once.
//!
//! It is never a delegation row, so it is never passed on, and it opens the owner's own
//! folders only: a confidential mailbox the owner holds stays closed, and a confidential-role
//! account cannot be named at all.

use chrono::{DateTime, Duration, Utc};
use schulhof_authz::check;
use schulhof_authz::four_eyes::RequestKind;
use schulhof_authz::mail_governance::{
    InspectTarget, Inspection, ManageStaffCouncil, ReadInspectedMailbox, RequestMailboxInspection,
};
use schulhof_store::AsConn;
use schulhof_store::four_eyes::RequestRow;
use schulhof_store::mail::delegations as delegation_store;
use schulhof_store::mail::folders as folder_store;
use schulhof_store::mail::inspections::{self as store, InspectionRow};
use schulhof_store::mail::messages as message_store;
use schulhof_store::users::{self, UserRow};
use schulhof_types::{MailFolderId, MailMessageId};
use serde::Serialize;
use uuid::Uuid;

use super::{FolderInfo, MessageMeta, u32_of};
use crate::audit::admin_action;
use crate::four_eyes::open_request;
use crate::identity::Actor;
use crate::notify::{Kind, notify};
use crate::{DomainError, Platform};

/// The longest an access may last.
pub const MAX_DAYS: i64 = 14;

/// An approved access as its reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct InspectionView {
    pub id: Uuid,
    pub owner: String,
    pub reason: String,
    pub until: DateTime<Utc>,
}

impl From<InspectionRow> for InspectionView {
    fn from(r: InspectionRow) -> Self {
        InspectionView {
            id: r.id,
            owner: r.owner_login,
            reason: r.reason,
            until: r.until,
        }
    }
}

/// A reason and an end date as the request stores them (`detail` of the four-eyes row).
fn checked(
    reason: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, DomainError> {
    let reason = reason.trim();
    if reason.chars().count() < 10 {
        return Err(DomainError::invalid(
            "reason",
            "a reason of at least 10 characters must be documented",
        ));
    }
    if until <= now || until > now + Duration::days(MAX_DAYS) {
        return Err(DomainError::invalid(
            "until",
            format!("the end must be in the future and at most {MAX_DAYS} days away"),
        ));
    }
    Ok(serde_json::json!({ "reason": reason, "until": until.to_rfc3339() }))
}

/// Whom a login names, for the policy.
async fn target_kind(
    c: &mut impl AsConn,
    a: &Actor,
    target: Option<&UserRow>,
) -> Result<InspectTarget, DomainError> {
    let Some(t) = target.filter(|t| t.active && t.kind != "function") else {
        return Ok(InspectTarget::NotAPerson);
    };
    if t.id == a.user.id || t.id == a.token.person() {
        return Ok(InspectTarget::OwnLogin);
    }
    let confidential = delegation_store::confidential_role(c, t.instance_id, t.id).await?;
    Ok(if confidential.is_some() {
        InspectTarget::NotAPerson
    } else {
        InspectTarget::Person
    })
}

/// After a staff council member confirmed `row`: the access starts, and the owner is told at
/// once (security kind: also at the external address, if set).
pub(crate) async fn approved(
    c: &mut impl AsConn,
    actor: &Actor,
    row: &RequestRow,
    owner: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let detail: serde_json::Value = row
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let until = detail["until"]
        .as_str()
        .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        .map(|u| u.with_timezone(&Utc))
        .ok_or_else(|| DomainError::Internal("mailbox access without end".into()))?;
    let reason = detail["reason"].as_str().unwrap_or_default().to_owned();
    let instance = actor.token.instance();
    store::insert(
        c,
        instance,
        &InspectionRow {
            id: row.id,
            owner: owner.id,
            reader: row.requester,
            confirmed_by: actor.user.id,
            reason: reason.clone(),
            until,
            created_at: now,
            owner_login: owner.login.clone(),
        },
    )
    .await?;
    let by = users::get(c, instance, row.requester)
        .await?
        .map(|u| u.login)
        .unwrap_or_default();
    let params = serde_json::json!({
        "by": by,
        "with": actor.user.login,
        "reason": reason,
        "until": until.with_timezone(&actor.time_zone).format("%d.%m.%Y %H:%M").to_string(),
    });
    notify(c, owner, Kind::MailboxInspection, params, now).await
}

impl Platform {
    /// The Schulleitung asks to read `login`'s mailbox until `until`, for `reason`. Returns
    /// the request a staff council member must confirm.
    pub async fn mail_inspection_request(
        &self,
        a: &Actor,
        login: &str,
        reason: &str,
        until: DateTime<Utc>,
    ) -> Result<Uuid, DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let target = users::find_by_login(&mut tx, a.token.instance(), login.trim()).await?;
        let kind = target_kind(&mut tx, a, target.as_ref()).await?;
        check(&a.token, RequestMailboxInspection(kind))?;
        let target = target.ok_or(DomainError::NotFound)?;
        let detail = checked(reason, until, now)?;
        let kind = RequestKind::MailboxInspection;
        let id = open_request(&mut tx, a, kind, &target, Some(detail), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The accesses the actor may use now.
    pub async fn mail_inspections(&self, a: &Actor) -> Result<Vec<InspectionView>, DomainError> {
        let mut c = self.db.read().await?;
        let rows = store::open_for(&mut c, a.token.instance(), a.user.id, self.now()).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One access, if the policy lets the actor use it now ("not found" otherwise).
    async fn inspection(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        id: Uuid,
    ) -> Result<InspectionRow, DomainError> {
        let row = store::get(c, a.token.instance(), id).await?;
        let grant = row.as_ref().map(|r| Inspection {
            reader: r.reader,
            until_us: r.until.timestamp_micros(),
            now_us: self.now().timestamp_micros(),
        });
        check(&a.token, ReadInspectedMailbox(grant))?;
        row.ok_or(DomainError::NotFound)
    }

    /// The owner's own folders, all read-only, and the access.
    pub async fn mail_inspection_folders(
        &self,
        a: &Actor,
        id: Uuid,
    ) -> Result<(InspectionView, Vec<FolderInfo>), DomainError> {
        let mut c = self.db.read().await?;
        let row = self.inspection(&mut c, a, id).await?;
        let folders = folder_store::list(&mut c, a.token.instance(), row.owner).await?;
        let folders = folders
            .into_iter()
            .map(|f| FolderInfo {
                read_only: true,
                ..super::folders::info(f)
            })
            .collect();
        Ok((row.into(), folders))
    }

    /// A page of one of the owner's folders, newest first, and how many it holds.
    pub async fn mail_inspection_page(
        &self,
        a: &Actor,
        id: Uuid,
        folder: MailFolderId,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<MessageMeta>, u32), DomainError> {
        let mut c = self.db.read().await?;
        let row = self.inspection(&mut c, a, id).await?;
        let instance = a.token.instance();
        let f = folder_store::get(&mut c, instance, row.owner, folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        let rows =
            message_store::page(&mut c, instance, folder, offset.into(), limit.into()).await?;
        Ok((rows.into_iter().map(Into::into).collect(), u32_of(f.exists)))
    }

    /// One message of the owner, as received; the opening is logged (message by message).
    /// Its flags stay as they are: the owner must not find it marked read.
    pub async fn mail_inspection_message(
        &self,
        a: &Actor,
        id: Uuid,
        message: MailMessageId,
    ) -> Result<(MessageMeta, Vec<u8>), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row = self.inspection(&mut tx, a, id).await?;
        let m: MessageMeta = message_store::get(&mut tx, a.token.instance(), row.owner, message)
            .await?
            .ok_or(DomainError::NotFound)?
            .into();
        let detail = serde_json::json!({ "access": id, "message": message.0 });
        admin_action(
            &mut tx,
            a,
            now,
            "mail.inspection.read",
            &row.owner_login,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        let raw = self.mail_blob(&m.content.0).await?;
        Ok((m, raw))
    }

    /// Adds or removes a staff council member (the admin); audited.
    pub async fn mail_set_staff_council(
        &self,
        a: &Actor,
        login: &str,
        member: bool,
    ) -> Result<(), DomainError> {
        check(&a.token, ManageStaffCouncil)?;
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let user = users::find_by_login(&mut tx, instance, login.trim())
            .await?
            .filter(|u| u.kind != "function")
            .ok_or(DomainError::NotFound)?;
        if store::set_council(&mut tx, instance, user.id, member, a.user.id, now).await? {
            let action = if member {
                "mail.council.add"
            } else {
                "mail.council.remove"
            };
            admin_action(&mut tx, a, now, action, &user.login, None).await?;
        }
        Ok(tx.commit().await?)
    }

    /// The staff council's logins (the admin's page).
    pub async fn mail_staff_council(&self, a: &Actor) -> Result<Vec<String>, DomainError> {
        check(&a.token, ManageStaffCouncil)?;
        let mut c = self.db.read().await?;
        let list = store::council(&mut c, a.token.instance()).await?;
        Ok(list.into_iter().map(|(_, l)| l).collect())
    }
}
