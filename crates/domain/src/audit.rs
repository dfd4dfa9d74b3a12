//! Writing and reading the audit log. Every administrative action is logged with the
//! function account and the person holding it; logins are logged but never shown to anyone.

use chrono::{DateTime, Utc};
use schulhof_authz::{HoldLogEntries, ReadAdminLog, check};
/// Spreadsheet cells that never run as formulas, for every CSV export (the log, the
/// import protocol).
pub use schulhof_import::protocol::inert_cell;
use schulhof_store::audit::{self, AuditEntry, Hold};
pub use schulhof_store::audit::{LogFilter, NamedActor, NamedEntry};
use schulhof_store::{AsConn, users};
use schulhof_types::{InstanceId, UserId};

use crate::identity::Actor;
use crate::{DomainError, Platform};

pub(crate) struct Event<'a> {
    pub kind: &'static str,
    pub actor: Option<UserId>,
    pub holder: Option<UserId>,
    pub action: &'a str,
    pub object: Option<&'a str>,
    pub client_addr: Option<&'a str>,
    pub detail: Option<serde_json::Value>,
}

pub(crate) async fn record(
    c: &mut impl AsConn,
    instance: InstanceId,
    at: DateTime<Utc>,
    e: Event<'_>,
) -> Result<(), DomainError> {
    audit::insert(
        c,
        &AuditEntry {
            instance_id: instance,
            id: uuid::Uuid::now_v7(),
            at,
            kind: e.kind.into(),
            actor_id: e.actor,
            holder_id: e.holder,
            action: e.action.into(),
            object: e.object.map(str::to_owned),
            client_addr: e.client_addr.map(str::to_owned),
            detail: e.detail.map(|d| d.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// Logs an administrative action by `actor` in the same transaction as the change.
pub(crate) async fn admin_action(
    c: &mut impl AsConn,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    object: &str,
    detail: Option<serde_json::Value>,
) -> Result<(), DomainError> {
    record(
        c,
        actor.token.instance(),
        at,
        Event {
            kind: "admin",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action,
            object: Some(object),
            client_addr: None,
            detail,
        },
    )
    .await
}

/// An administrative action as shown to the admin: who (function account and holder),
/// what, when.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AdminLogLine {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub holder: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub detail: Option<serde_json::Value>,
}

/// A hold as shown to the admin.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HoldLine {
    pub id: uuid::Uuid,
    pub subject: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
}

impl Platform {
    /// The administrative actions of the school, newest first.
    pub async fn admin_log(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AdminLogLine>, DomainError> {
        let grant = check(&actor.token, ReadAdminLog)?;
        let mut c = self.db.read().await?;
        let entries =
            audit::list_admin(&mut c, grant.instance(), limit.clamp(1, 500), offset.max(0)).await?;
        let mut names = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let actor_name = login_of(&mut c, grant.instance(), e.actor_id, &mut names).await?;
            let holder_name = login_of(&mut c, grant.instance(), e.holder_id, &mut names).await?;
            out.push(AdminLogLine {
                at: e.at,
                actor: actor_name,
                holder: holder_name,
                action: e.action,
                object: e.object,
                detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
            });
        }
        Ok(out)
    }

    /// The log lines matching `filter`, newest first, with the names of who acted, the
    /// holder of a function account and the login concerned resolved in the same query.
    pub async fn admin_log_named(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NamedEntry>, DomainError> {
        let grant = check(&actor.token, ReadAdminLog)?;
        let mut c = self.db.read().await?;
        let limit = limit.clamp(1, 10_000);
        let lines =
            audit::list_admin_named(&mut c, grant.instance(), filter, limit, offset.max(0)).await?;
        Ok(lines)
    }

    /// The action codes present in the school's log (the choices of the kind filter).
    pub async fn admin_log_actions(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        let grant = check(&actor.token, ReadAdminLog)?;
        let mut c = self.db.read().await?;
        Ok(audit::admin_actions(&mut c, grant.instance()).await?)
    }

    /// Keeps the log entries of a period (optionally of one login) beyond the 7-day
    /// retention, for a documented abuse case. The reason is mandatory.
    pub async fn place_hold(
        &self,
        actor: &Actor,
        subject_login: Option<&str>,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        reason: &str,
    ) -> Result<uuid::Uuid, DomainError> {
        let grant = check(&actor.token, HoldLogEntries)?;
        let reason = reason.trim();
        if reason.len() < 10 {
            return Err(DomainError::invalid(
                "reason",
                "document the case in at least 10 characters",
            ));
        }
        if until < from {
            return Err(DomainError::invalid(
                "until",
                "must not be before the start",
            ));
        }
        let mut tx = self.db.begin().await?;
        let subject = match subject_login {
            Some(login) if !login.trim().is_empty() => Some(
                users::find_by_login(&mut tx, grant.instance(), &login.trim().to_lowercase())
                    .await?
                    .ok_or_else(|| DomainError::invalid("login", "no such login in this school"))?
                    .id,
            ),
            _ => None,
        };
        let hold = Hold {
            instance_id: grant.instance(),
            id: uuid::Uuid::now_v7(),
            subject_id: subject,
            from,
            until,
            reason: reason.into(),
            created_by: grant.actor(),
        };
        let now = self.now();
        audit::insert_hold(&mut tx, &hold, now).await?;
        let detail = serde_json::json!({"from": from, "until": until, "reason": reason});
        admin_action(
            &mut tx,
            actor,
            now,
            "audit.hold",
            subject_login.unwrap_or("*"),
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(hold.id)
    }

    pub async fn holds(&self, actor: &Actor) -> Result<Vec<HoldLine>, DomainError> {
        let grant = check(&actor.token, HoldLogEntries)?;
        let mut c = self.db.read().await?;
        let holds = audit::list_holds(&mut c, grant.instance()).await?;
        let mut names = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(holds.len());
        for h in holds {
            let subject = login_of(&mut c, grant.instance(), h.subject_id, &mut names).await?;
            out.push(HoldLine {
                id: h.id,
                subject,
                from: h.from,
                until: h.until,
                reason: h.reason,
            });
        }
        Ok(out)
    }
}

/// The file name a file action logged beside the node id, if any.
pub fn detail_name(e: &NamedEntry) -> Option<String> {
    let detail: serde_json::Value = serde_json::from_str(e.detail.as_deref()?).ok()?;
    let name = detail.get("name")?.as_str()?;
    (!name.is_empty()).then(|| name.to_owned())
}

async fn login_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Option<UserId>,
    cache: &mut std::collections::HashMap<UserId, Option<String>>,
) -> Result<Option<String>, DomainError> {
    let Some(id) = id else { return Ok(None) };
    if let Some(name) = cache.get(&id) {
        return Ok(name.clone());
    }
    let name = users::get(c, instance, id).await?.map(|u| u.login);
    cache.insert(id, name.clone());
    Ok(name)
}
