//! Notifications: one mechanism every module feeds. A notification is a row in the platform
//! and, when the login has an external address, a mail queued in the outbox. Nothing sends
//! the outbox yet (there is no mail delivery); the rows wait for it.

use chrono::{DateTime, Utc};
use schulhof_authz::{OwnAccount, check};
use schulhof_store::AsConn;
use schulhof_store::notify as store;
use schulhof_store::users::{self, UserRow};
use serde::Serialize;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// What happened, for the owner of a login (stable codes; the front-ends word them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PasswordReset,
    PrivateHold,
    HoldReleased,
    SafePasswordRequested,
    SafePasswordReset,
    SafePasswordRequestRejected,
    SchulleitungCreated,
    SchulleitungHolderChanged,
    /// A news item for the person's audience was published.
    NewsPublished,
    /// A file or folder was shared with the person.
    FileShared,
    /// The person (or a group of theirs) was invited to an event.
    CalendarInvitation,
    /// An invitee answered an invitation the person organises.
    CalendarReply,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PasswordReset => "password_reset",
            Kind::PrivateHold => "private_hold",
            Kind::HoldReleased => "hold_released",
            Kind::SafePasswordRequested => "safe_password_requested",
            Kind::SafePasswordReset => "safe_password_reset",
            Kind::SafePasswordRequestRejected => "safe_password_request_rejected",
            Kind::SchulleitungCreated => "schulleitung_created",
            Kind::SchulleitungHolderChanged => "schulleitung_holder_changed",
            Kind::NewsPublished => "news_published",
            Kind::FileShared => "file_shared",
            Kind::CalendarInvitation => "calendar_invitation",
            Kind::CalendarReply => "calendar_reply",
        }
    }
}

/// Notifies `user` (and the person holding it, for a function account) in the same
/// transaction as the change it reports.
pub(crate) async fn notify(
    c: &mut impl AsConn,
    user: &UserRow,
    kind: Kind,
    params: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let params = params.to_string();
    one(c, user, kind, &params, now).await?;
    if let Some(h) = user.holder_id.filter(|h| *h != user.id)
        && let Some(holder) = users::get(c, user.instance_id, h).await?
    {
        one(c, &holder, kind, &params, now).await?;
    }
    Ok(())
}

async fn one(
    c: &mut impl AsConn,
    user: &UserRow,
    kind: Kind,
    params: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let instance = user.instance_id;
    store::insert(c, instance, user.id, kind.as_str(), params, now).await?;
    if let Some(to) = user.external_mail.as_deref().filter(|m| !m.is_empty()) {
        store::queue_mail(c, instance, user.id, to, kind.as_str(), params, now).await?;
    }
    Ok(())
}

/// One notification of the caller.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    pub kind: String,
    pub params: serde_json::Value,
    pub at: DateTime<Utc>,
    pub read: bool,
}

impl Platform {
    /// The caller's newest notifications, unread first.
    pub async fn my_notifications(&self, actor: &Actor) -> Result<Vec<Notification>, DomainError> {
        check(&actor.token, OwnAccount)?;
        let mut c = self.db.read().await?;
        let rows = store::of_user(&mut c, actor.token.instance(), actor.token.user(), 50).await?;
        Ok(rows
            .into_iter()
            .map(|r| Notification {
                kind: r.kind,
                params: serde_json::from_str(&r.params).unwrap_or(serde_json::Value::Null),
                at: r.created_at,
                read: r.read_at.is_some(),
            })
            .collect())
    }

    /// Marks every notification of the caller as read.
    pub async fn read_notifications(&self, actor: &Actor) -> Result<(), DomainError> {
        check(&actor.token, OwnAccount)?;
        let mut tx = self.db.begin().await?;
        store::mark_all_read(
            &mut tx,
            actor.token.instance(),
            actor.token.user(),
            self.now(),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
