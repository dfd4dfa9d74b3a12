//! The notification centre of the caller: the list, marking read, and the preferences.
//! Every call acts on the caller's own rows only; another login's notification is not found.

use chrono::{DateTime, Utc};
use schulhof_authz::{OwnAccount, check};
use schulhof_store::notify::{self as store, NotificationRow, prefs};
use serde::Serialize;

use super::quiet::Quiet;
use super::{Kind, Mode, words};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One notification of the caller.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    pub id: uuid::Uuid,
    pub kind: String,
    pub params: serde_json::Value,
    pub at: DateTime<Utc>,
    pub read: bool,
    /// The page of the object it is about.
    pub link: String,
}

fn view(r: NotificationRow) -> Notification {
    let params = serde_json::from_str(&r.params).unwrap_or(serde_json::Value::Null);
    let link = Kind::parse(&r.kind).map_or_else(
        || "/benachrichtigungen".to_owned(),
        |k| words::link(k, &params),
    );
    Notification {
        id: r.id,
        kind: r.kind,
        params,
        at: r.created_at,
        read: r.read_at.is_some(),
        link,
    }
}

/// How the caller's notifications reach them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences {
    /// Every kind with its mode (the default where none was chosen).
    pub modes: Vec<(Kind, Mode)>,
    pub quiet: Option<Quiet>,
    /// The hour of the daily digest in the school's time zone.
    pub digest_hour: u32,
}

/// The most a page shows at once.
pub const PAGE: i64 = 50;

impl Platform {
    /// The caller's newest notifications (newest first, switched-off kinds left out).
    pub async fn my_notifications(&self, actor: &Actor) -> Result<Vec<Notification>, DomainError> {
        self.notifications_before(actor, None).await
    }

    /// A page of the caller's notifications older than `before`.
    pub async fn notifications_before(
        &self,
        actor: &Actor,
        before: Option<DateTime<Utc>>,
    ) -> Result<Vec<Notification>, DomainError> {
        check(&actor.token, OwnAccount)?;
        let mut c = self.db.read().await?;
        let (i, u) = (actor.token.instance(), actor.token.user());
        let rows = store::page(&mut c, i, u, before, PAGE).await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// How many unread notifications the caller has.
    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64, DomainError> {
        check(&actor.token, OwnAccount)?;
        let mut c = self.db.read().await?;
        Ok(store::unread_count(&mut c, actor.token.instance(), actor.token.user()).await?)
    }

    /// Marks one notification of the caller read and returns the page it leads to.
    pub async fn open_notification(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<String, DomainError> {
        check(&actor.token, OwnAccount)?;
        let (i, u) = (actor.token.instance(), actor.token.user());
        let mut tx = self.db.begin().await?;
        let row = store::get(&mut tx, i, u, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        store::mark_read(&mut tx, i, u, id, self.now()).await?;
        tx.commit().await?;
        Ok(view(row).link)
    }

    /// Marks one notification of the caller read.
    pub async fn read_notification(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<(), DomainError> {
        check(&actor.token, OwnAccount)?;
        let (i, u) = (actor.token.instance(), actor.token.user());
        let mut tx = self.db.begin().await?;
        if !store::mark_read(&mut tx, i, u, id, self.now()).await? {
            return Err(DomainError::NotFound);
        }
        Ok(tx.commit().await?)
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

    /// The caller's preferences, with each kind's default where none was chosen.
    pub async fn notification_preferences(
        &self,
        actor: &Actor,
    ) -> Result<Preferences, DomainError> {
        check(&actor.token, OwnAccount)?;
        let (i, u) = (actor.token.instance(), actor.token.user());
        let mut c = self.db.read().await?;
        let chosen = prefs::modes_of(&mut c, i, u).await?;
        let s = prefs::settings_of(&mut c, i, u).await?;
        let modes = Kind::ALL
            .into_iter()
            .map(|k| {
                let m = chosen
                    .iter()
                    .find(|(kind, _)| kind == k.as_str())
                    .and_then(|(_, m)| Mode::parse(m))
                    .filter(|_| !k.is_security())
                    .unwrap_or(k.default_mode());
                (k, m)
            })
            .collect();
        let quiet = match (s.quiet_from, s.quiet_to) {
            (Some(f), Some(t)) if f != t => Some(Quiet {
                from: f.clamp(0, 1439) as u32,
                to: t.clamp(0, 1439) as u32,
            }),
            _ => None,
        };
        Ok(Preferences {
            modes,
            quiet,
            digest_hour: s.digest_hour.clamp(0, 23) as u32,
        })
    }

    /// Stores the caller's preferences at once or not at all. Security kinds cannot be
    /// changed; quiet hours must not start and end at the same minute.
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        modes: &[(Kind, Mode)],
        quiet: Option<Quiet>,
        digest_hour: u32,
    ) -> Result<(), DomainError> {
        check(&actor.token, OwnAccount)?;
        if let Some((k, _)) = modes
            .iter()
            .find(|(k, m)| k.is_security() && *m != Mode::Mail)
        {
            return Err(DomainError::invalid(
                k.as_str(),
                "Hinweise zur Sicherheit des Kontos kommen immer per Mail.",
            ));
        }
        if digest_hour > 23 {
            return Err(DomainError::invalid(
                "digest_hour",
                "Eine Stunde von 0 bis 23.",
            ));
        }
        if let Some(q) = quiet
            && (q.from == q.to || q.from >= 1440 || q.to >= 1440)
        {
            return Err(DomainError::invalid(
                "quiet",
                "Ruhezeiten brauchen verschiedene Uhrzeiten für Beginn und Ende.",
            ));
        }
        let (i, u) = (actor.token.instance(), actor.token.user());
        let mut tx = self.db.begin().await?;
        for (k, m) in modes.iter().filter(|(k, _)| !k.is_security()) {
            prefs::set_mode(&mut tx, i, u, k.as_str(), m.as_str()).await?;
        }
        let row = prefs::SettingsRow {
            quiet_from: quiet.map(|q| i64::from(q.from)),
            quiet_to: quiet.map(|q| i64::from(q.to)),
            digest_hour: i64::from(digest_hour),
        };
        prefs::set_settings(&mut tx, i, u, &row).await?;
        Ok(tx.commit().await?)
    }
}
