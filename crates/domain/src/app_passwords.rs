//! App passwords: one per device or program (a file manager mounting WebDAV), created in
//! Mein Konto, shown once, revocable one by one, never usable on the login page. A change
//! of the account password (own change or reset by someone else) revokes them all: whoever
//! changes a password they think is known to others expects every way in to close.

use chrono::{DateTime, Utc};
use rand::Rng;
use schulhof_authz::{ChangeOwnPassword, check};
use schulhof_store::{AsConn, app_passwords as store, users};
use schulhof_types::{InstanceId, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::identity::{Actor, NewSession};
use crate::{DomainError, Platform};

#[derive(Clone, Debug, Serialize)]
pub struct AppPassword {
    pub id: Uuid,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new app password with its secret, shown this once.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedAppPassword {
    pub app_password: AppPassword,
    pub password: String,
}

fn digest(password: &str) -> String {
    Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 24 characters out of 62 (≈143 bits), in groups of four for typing.
fn generate() -> String {
    const SET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..24)
        .map(|_| SET[rng.random_range(0..SET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

impl Platform {
    pub async fn app_password_create(
        &self,
        actor: &Actor,
        label: &str,
    ) -> Result<CreatedAppPassword, DomainError> {
        check(&actor.token, ChangeOwnPassword)?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(DomainError::invalid(
                "label",
                "Bitte eine Bezeichnung (höchstens 80 Zeichen) angeben.",
            ));
        }
        let password = generate();
        let id = Uuid::now_v7();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::insert(
            &mut tx,
            actor.token.instance(),
            actor.token.user(),
            id,
            label,
            &digest(&password),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedAppPassword {
            app_password: AppPassword {
                id,
                label: label.into(),
                created_at: now,
                last_used_at: None,
            },
            password,
        })
    }

    pub async fn app_password_list(&self, actor: &Actor) -> Result<Vec<AppPassword>, DomainError> {
        check(&actor.token, ChangeOwnPassword)?;
        let mut c = self.db.read().await?;
        Ok(
            store::list(&mut c, actor.token.instance(), actor.token.user())
                .await?
                .into_iter()
                .map(|r| AppPassword {
                    id: r.id,
                    label: r.label,
                    created_at: r.created_at,
                    last_used_at: r.last_used_at,
                })
                .collect(),
        )
    }

    pub async fn app_password_revoke(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        check(&actor.token, ChangeOwnPassword)?;
        let mut tx = self.db.begin().await?;
        if !store::delete(&mut tx, actor.token.instance(), actor.token.user(), id).await? {
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        self.basic.forget_user(actor.token.user());
        Ok(())
    }

    /// A session for `login` at `school` if `password` is one of its app passwords, with
    /// the app password's id.
    pub(crate) async fn app_password_session(
        &self,
        school: &str,
        login: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<Option<(NewSession, Uuid)>, DomainError> {
        let mut c = self.db.read().await?;
        let Some(instance) = crate::operators::open_school_by_number(&mut c, school).await? else {
            return Ok(None);
        };
        let Some(user) =
            users::find_by_login_or_mail(&mut c, instance.id, &login.trim().to_lowercase())
                .await?
                .filter(|u| u.active)
        else {
            return Ok(None);
        };
        let Some(id) = store::find(&mut c, instance.id, user.id, &digest(password)).await? else {
            return Ok(None);
        };
        drop(c);
        let mut tx = self.db.begin().await?;
        store::touch(&mut tx, instance.id, id, self.now()).await?;
        tx.commit().await?;
        let session = self
            .open_session_for(instance.id, &user, client_addr, "app_password_login")
            .await?;
        Ok(Some((session, id)))
    }

    /// Whether an app password is still valid (asked on every use of a remembered one, so a
    /// revocation holds at once on every node).
    pub(crate) async fn app_password_exists(
        &self,
        instance: InstanceId,
        user: UserId,
        id: Uuid,
    ) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        Ok(store::exists(&mut c, instance, user, id).await?)
    }
}

/// Revokes every app password of `user`, inside the transaction that changes its password.
pub(crate) async fn revoke_all(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<u64, DomainError> {
    Ok(store::delete_all(c, instance, user).await?)
}
