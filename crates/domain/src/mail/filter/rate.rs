//! The outgoing rate limit: recipients per hour and login, lower for students than for
//! staff, set by the school or the installation. A stolen student password cannot send a
//! flood; the first refusal of a window is logged for the school and alerts the operator
//! (an entry of the operators' log at /betrieb/protokoll).

use chrono::Duration;
use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::mail::filtering as store;
use schulhof_store::operators::audit::{self as operator_log, OperatorAuditEntry};
use schulhof_types::AccountType;

use crate::audit::{Event, admin_action, record};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The counting window.
const WINDOW: Duration = Duration::hours(1);

/// Recipients per hour, by account kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimits {
    /// Students and externals.
    pub students: u32,
    /// Teachers, staff and function accounts.
    pub staff: u32,
}

impl Default for SendLimits {
    /// A class list is about 30; a teacher writing to several classes and parents in an
    /// hour stays well under the staff limit.
    fn default() -> Self {
        SendLimits {
            students: 100,
            staff: 1000,
        }
    }
}

impl SendLimits {
    fn of_kind(&self, kind: &str) -> u32 {
        match kind {
            "schueler" | "extern" => self.students,
            _ => self.staff,
        }
    }
}

impl Platform {
    /// Recipients per hour a login of this kind may send to in the school.
    async fn mail_send_limit(
        &self,
        c: &mut impl schulhof_store::AsConn,
        instance: schulhof_types::InstanceId,
        kind: &str,
    ) -> Result<i64, DomainError> {
        let set = store::limit_of(c, instance, kind).await?;
        let default = self.config.mail.filter.send_limits.of_kind(kind);
        Ok(set.unwrap_or(i64::from(default)))
    }

    /// Counts `n` recipients of a message of `a` against the limit; over it, the message
    /// is refused (SMTP 450 4.7.1, webmail: try again later).
    pub(crate) async fn mail_rate_check(&self, a: &Actor, n: usize) -> Result<(), DomainError> {
        let instance = a.token.instance();
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let limit = self
            .mail_send_limit(&mut tx, instance, &a.user.kind)
            .await?;
        let sent = store::count_sent(&mut tx, instance, a.user.id, n, WINDOW, now).await?;
        if sent <= limit {
            return Ok(tx.commit().await?);
        }
        let start = store::window_start(&mut tx, instance, a.user.id)
            .await?
            .unwrap_or(now);
        let wait = (start + WINDOW - now).num_seconds().max(60) as u64;
        if sent - n <= limit {
            // The first refusal of this window: logged once, not once per message.
            self.rate_alert(&mut tx, a, sent, limit, now).await?;
        }
        tx.commit().await?;
        Err(DomainError::RateLimited {
            retry_after_secs: wait,
        })
    }

    async fn rate_alert(
        &self,
        tx: &mut schulhof_store::Tx,
        a: &Actor,
        sent: i64,
        limit: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DomainError> {
        let detail = serde_json::json!({ "recipients": sent, "limit_per_hour": limit });
        let instance = a.token.instance();
        let event = Event {
            kind: "mail",
            actor: Some(a.token.user()),
            holder: a.user.holder_id,
            action: "mail_rate_limited",
            object: Some(&a.user.login),
            client_addr: None,
            detail: Some(detail.clone()),
        };
        record(tx, instance, now, event).await?;
        let school = schulhof_store::instances::get(tx, instance)
            .await?
            .map(|i| i.school_number)
            .unwrap_or_default();
        let entry = OperatorAuditEntry {
            id: uuid::Uuid::now_v7(),
            at: now,
            operator_id: None,
            operator_login: None,
            action: "mail_rate_limited".into(),
            object: Some(format!("{}@{school}", a.user.login)),
            client_addr: None,
            detail: Some(detail.to_string()),
        };
        operator_log::insert(tx, &entry).await?;
        tracing::warn!(login = %a.user.login, %school, sent, limit, "outgoing mail rate limit reached");
        Ok(())
    }

    /// The outgoing limits per account type in the own school: (type, recipients per
    /// hour, set by the school rather than the installation's default).
    pub async fn mail_send_limits(
        &self,
        a: &Actor,
    ) -> Result<Vec<(AccountType, i64, bool)>, DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        for t in AccountType::ALL {
            let set = store::limit_of(&mut c, grant.instance(), t.as_str()).await?;
            let n = match set {
                Some(n) => n,
                None => {
                    self.mail_send_limit(&mut c, grant.instance(), t.as_str())
                        .await?
                }
            };
            out.push((*t, n, set.is_some()));
        }
        Ok(out)
    }

    /// Sets the outgoing limit of an account type in the own school (recipients per hour;
    /// `None` or 0: the installation's default).
    pub async fn mail_set_send_limit(
        &self,
        a: &Actor,
        account_type: &str,
        per_hour: Option<u32>,
    ) -> Result<(), DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let t = AccountType::parse(account_type)
            .ok_or_else(|| DomainError::invalid("account_type", "no such account type"))?;
        if per_hour.is_some_and(|n| n > 100_000) {
            return Err(DomainError::invalid("limit", "at most 100,000 per hour"));
        }
        let per_hour = per_hour.filter(|n| *n > 0);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_limit(
            &mut tx,
            grant.instance(),
            t.as_str(),
            per_hour.map(i64::from),
        )
        .await?;
        let detail = serde_json::json!({ "account_type": t.as_str(), "per_hour": per_hour });
        admin_action(&mut tx, a, now, "mail_send_limit", t.as_str(), Some(detail)).await?;
        Ok(tx.commit().await?)
    }
}
