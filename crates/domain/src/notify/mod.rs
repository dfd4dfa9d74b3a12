//! Notifications: one mechanism every module feeds. A module calls [`notify`] (or writes
//! rows by one `INSERT … SELECT` for a fan-out) in the transaction of the change it reports;
//! the row shows in the notification centre at once, and the delivery worker
//! ([`deliver`]) mails it after commit as its owner chose: at once (after quiet hours), in
//! the daily digest, or not at all. Security kinds always go by mail: to the external
//! address through the outbox in the same transaction — a notice about the account should
//! reach its owner outside the account — else to the school mailbox.

mod centre;
pub mod deliver;
pub mod quiet;
pub mod words;

use chrono::{DateTime, Utc};
use schulhof_store::AsConn;
use schulhof_store::notify::{self as store, prefs};
use schulhof_store::users::{self, UserRow};
use schulhof_types::{GroupId, InstanceId, UserId};

use crate::DomainError;
use crate::identity::Actor;

pub use centre::{Notification, PAGE, Preferences};

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
    /// The Schulleitung and a staff council member opened the person's mailbox (four eyes).
    MailboxInspection,
    /// A news item for the person's audience was published.
    NewsPublished,
    /// A file or folder was shared with the person.
    FileShared,
    /// The person (or a group of theirs) was invited to an event.
    CalendarInvitation,
    /// An invitee answered an invitation the person organises.
    CalendarReply,
    /// New material, an assignment or a quiz became visible in a course the person takes part in.
    LmsActivityPublished,
    /// A teacher released grade and feedback for the person's work.
    LmsFeedbackReleased,
    /// A teacher of a course of the person's posted an announcement.
    LmsAnnouncement,
    /// A student asked the person (a teacher of the course) privately about an assignment.
    LmsQuestionAsked,
    /// A teacher answered the person's private question about an assignment.
    LmsQuestionAnswered,
    /// Someone mentioned the person (`@login`) in a chat room.
    ChatMention,
    /// Support answered or closed a ticket of the person's (help network).
    HelpTicketAnswered,
    /// A stage-2 abuse-control case waits for the staff council the person is a member of.
    MailAbuseCouncil,
    /// The data-protection officer decided the (Schulleitung's) abuse-control request.
    MailAbuseDecided,
    /// The Schulleitung's general notice to a circle of users after a domain analysis.
    MailAbuseNotice,
    /// The written notice to a person whose traffic data a stage-2 abuse check examined.
    MailAbuseConcerned,
}

impl Kind {
    pub const ALL: [Kind; 24] = [
        Kind::MailAbuseCouncil,
        Kind::MailAbuseDecided,
        Kind::MailAbuseNotice,
        Kind::MailAbuseConcerned,
        Kind::ChatMention,
        Kind::HelpTicketAnswered,
        Kind::NewsPublished,
        Kind::FileShared,
        Kind::CalendarInvitation,
        Kind::CalendarReply,
        Kind::LmsActivityPublished,
        Kind::LmsFeedbackReleased,
        Kind::LmsAnnouncement,
        Kind::LmsQuestionAsked,
        Kind::LmsQuestionAnswered,
        Kind::PasswordReset,
        Kind::PrivateHold,
        Kind::HoldReleased,
        Kind::SafePasswordRequested,
        Kind::SafePasswordReset,
        Kind::SafePasswordRequestRejected,
        Kind::SchulleitungCreated,
        Kind::SchulleitungHolderChanged,
        Kind::MailboxInspection,
    ];

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
            Kind::MailboxInspection => "mailbox_inspection",
            Kind::NewsPublished => "news_published",
            Kind::FileShared => "file_shared",
            Kind::CalendarInvitation => "calendar_invitation",
            Kind::CalendarReply => "calendar_reply",
            Kind::LmsActivityPublished => "lms_activity_published",
            Kind::LmsFeedbackReleased => "lms_feedback_released",
            Kind::LmsAnnouncement => "lms_announcement",
            Kind::LmsQuestionAsked => "lms_question_asked",
            Kind::LmsQuestionAnswered => "lms_question_answered",
            Kind::ChatMention => "chat_mention",
            Kind::HelpTicketAnswered => "help_ticket_answered",
            Kind::MailAbuseCouncil => "mail_abuse_council",
            Kind::MailAbuseDecided => "mail_abuse_decided",
            Kind::MailAbuseNotice => "mail_abuse_notice",
            Kind::MailAbuseConcerned => "mail_abuse_concerned",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Legal notices about the account: always mailed, never switched off, no quiet hours.
    pub fn is_security(self) -> bool {
        !matches!(
            self,
            Kind::NewsPublished
                | Kind::FileShared
                | Kind::CalendarInvitation
                | Kind::CalendarReply
                | Kind::LmsActivityPublished
                | Kind::LmsFeedbackReleased
                | Kind::LmsAnnouncement
                | Kind::LmsQuestionAsked
                | Kind::LmsQuestionAnswered
                | Kind::ChatMention
                | Kind::HelpTicketAnswered
                | Kind::MailAbuseCouncil
                | Kind::MailAbuseDecided
        )
    }

    /// The mode until the owner chooses one.
    pub fn default_mode(self) -> Mode {
        match self {
            k if k.is_security() => Mode::Mail,
            Kind::CalendarInvitation => Mode::Mail,
            // Both ask for a step of an official procedure: mail unless the owner chooses.
            Kind::MailAbuseCouncil | Kind::MailAbuseDecided => Mode::Mail,
            _ => Mode::Platform,
        }
    }
}

/// How a kind reaches its owner. `Off`: neither shown nor mailed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Platform,
    Mail,
    Digest,
    Off,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Platform, Mode::Mail, Mode::Digest, Mode::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Platform => "platform",
            Mode::Mail => "mail",
            Mode::Digest => "digest",
            Mode::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The codes the store's delivery statements need.
const SECURITY: [&str; 11] = [
    "password_reset",
    "private_hold",
    "hold_released",
    "safe_password_requested",
    "safe_password_reset",
    "safe_password_request_rejected",
    "schulleitung_created",
    "schulleitung_holder_changed",
    "mailbox_inspection",
    "mail_abuse_notice",
    "mail_abuse_concerned",
];
const MAIL_BY_DEFAULT: [&str; 3] = [
    "calendar_invitation",
    "mail_abuse_council",
    "mail_abuse_decided",
];

pub(crate) fn policy() -> store::delivery::Policy<'static> {
    store::delivery::Policy {
        forced: &SECURITY,
        mail_by_default: &MAIL_BY_DEFAULT,
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
    let external = user.external_mail.as_deref().filter(|m| !m.is_empty());
    if kind.is_security() {
        if let Some(to) = external {
            store::queue_mail(c, instance, user.id, to, kind.as_str(), params, now).await?;
            store::insert_state(c, instance, user.id, kind.as_str(), params, "sent", now).await?;
        } else {
            store::insert(c, instance, user.id, kind.as_str(), params, now).await?;
        }
        return Ok(());
    }
    let mode = prefs::mode_of(c, instance, user.id, kind.as_str()).await?;
    if mode.as_deref() == Some(Mode::Off.as_str()) {
        return Ok(());
    }
    store::insert(c, instance, user.id, kind.as_str(), params, now).await?;
    Ok(())
}

/// The logins and the persons holding them, once each, and their school.
fn with_holders(users: &[UserRow]) -> Option<(InstanceId, Vec<UserId>)> {
    let instance = users.first()?.instance_id;
    let mut ids: Vec<UserId> = Vec::new();
    for u in users {
        for id in [Some(u.id), u.holder_id].into_iter().flatten() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Some((instance, ids))
}

/// Takes back notifications of `kind` about one thing (`about`: params keys and values)
/// from `users` and the persons holding them, where the thing no longer concerns them (a
/// mention edited away, a message deleted), mailed or not. How many went.
pub(crate) async fn withdraw(
    c: &mut impl AsConn,
    users: &[UserRow],
    kind: Kind,
    about: &[(&str, &str)],
) -> Result<u64, DomainError> {
    let Some((instance, ids)) = with_holders(users) else {
        return Ok(0);
    };
    Ok(store::withdraw(c, instance, &ids, kind.as_str(), about).await?)
}

/// Sets `key` to `value` in the notifications of `kind` about one thing of `users` and the
/// persons holding them, mailed or not (an edited message's new text). How many.
pub(crate) async fn refresh(
    c: &mut impl AsConn,
    users: &[UserRow],
    kind: Kind,
    about: &[(&str, &str)],
    key: &str,
    value: &str,
) -> Result<u64, DomainError> {
    let Some((instance, ids)) = with_holders(users) else {
        return Ok(0);
    };
    Ok(store::refresh(c, instance, &ids, kind.as_str(), about, key, value).await?)
}

/// Whom a share was given to, for [`file_shared`].
pub(crate) enum ShareTarget {
    User(UserId),
    Group(GroupId),
}

/// A file or folder was shared with a login or a group: the login, or every member of the
/// group but the one sharing (one statement), is notified in the sharing transaction.
pub(crate) async fn file_shared(
    c: &mut impl AsConn,
    actor: &Actor,
    target: ShareTarget,
    node_id: impl std::fmt::Display,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let by = format!("{} {}", actor.user.first_name, actor.user.last_name);
    let params = serde_json::json!({"node_id": node_id.to_string(), "name": name, "by": by});
    let instance = actor.token.instance();
    match target {
        ShareTarget::User(u) if u != actor.user.id => {
            if let Some(row) = users::get(c, instance, u).await?.filter(|r| r.active) {
                notify(c, &row, Kind::FileShared, params, now).await?;
            }
        }
        ShareTarget::User(_) => {}
        ShareTarget::Group(g) => {
            let p = params.to_string();
            let kind = Kind::FileShared.as_str();
            store::insert_for_group(c, instance, g, actor.user.id, kind, &p, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_modes_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(SECURITY.contains(&k.as_str()), k.is_security());
            assert_eq!(
                MAIL_BY_DEFAULT.contains(&k.as_str()),
                !k.is_security() && k.default_mode() == Mode::Mail
            );
        }
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.as_str()), Some(m));
        }
        assert_eq!(Kind::parse("nope"), None);
    }
}
