//! The Daten-Safe: a second password, a shorter idle timeout, contents sealed with a key per
//! school. Its folders and files use the file manager's tree and policy (areas `SafeOwn` and
//! `SafeCommon`), but only an actor that passed [`Platform::safe_actor`] can see them: the
//! file pages, the JSON file API and WebDAV never can.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rand::Rng;
use schulhof_authz::check;
use schulhof_authz::files::Area;
use schulhof_authz::safe::{EnterSafe, SetSafePassword, safe_areas};
use schulhof_blob::SealKey;
use schulhof_store::{safe as store, users};
use schulhof_types::InstanceId;
use serde::Serialize;

use crate::audit::{self, Event, admin_action};
use crate::files::FileEntry;
use crate::identity::{Actor, principal_of};
use crate::{DomainError, Platform, throttle};

/// The master key and the school keys unsealed so far.
#[derive(Clone)]
pub(crate) struct KeyRing {
    master: SealKey,
    schools: Arc<Mutex<HashMap<InstanceId, SealKey>>>,
}

impl KeyRing {
    pub(crate) fn new(master: Option<[u8; 32]>) -> Self {
        Self {
            master: master.map_or_else(SealKey::random, SealKey),
            schools: Arc::default(),
        }
    }

    /// The installation's master key, which also seals the operators' TOTP keys.
    pub(crate) fn master(&self) -> &SealKey {
        &self.master
    }
}

/// Whether the caller has a Safe password and whether the Safe is open in this session.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SafeStatus {
    pub has_password: bool,
    pub open: bool,
}

impl Platform {
    /// The key that seals a school's Safe contents (made on first use).
    pub(crate) async fn school_key(&self, instance: InstanceId) -> Result<SealKey, DomainError> {
        if let Some(k) = self
            .safe_keys
            .schools
            .lock()
            .ok()
            .and_then(|m| m.get(&instance).cloned())
        {
            return Ok(k);
        }
        let mut tx = self.db.begin().await?;
        let sealed = match store::sealed_key(&mut tx, instance).await? {
            Some(s) => s,
            None => {
                let fresh = SealKey::random();
                let sealed = self
                    .safe_keys
                    .master
                    .seal_small(&fresh.0)
                    .map_err(internal)?;
                store::insert_key(&mut tx, instance, &sealed, self.now()).await?;
                store::sealed_key(&mut tx, instance)
                    .await?
                    .ok_or(DomainError::NotFound)?
            }
        };
        tx.commit().await?;
        let raw = self.safe_keys.master.open_small(&sealed).map_err(|_| {
            DomainError::Internal(
                "the Safe key of this school does not open with the configured master key".into(),
            )
        })?;
        let key = SealKey(
            raw.try_into()
                .map_err(|_| DomainError::Internal("bad Safe key length".into()))?,
        );
        if let Ok(mut m) = self.safe_keys.schools.lock() {
            m.insert(instance, key.clone());
        }
        Ok(key)
    }

    /// How long the Safe stays open without use; the editor counts it down.
    pub fn safe_idle(&self) -> chrono::Duration {
        self.config.safe_idle
    }

    pub async fn safe_status(&self, actor: &Actor) -> Result<SafeStatus, DomainError> {
        check(&actor.token, EnterSafe)?;
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let has_password = store::password(&mut c, instance, actor.token.user())
            .await?
            .is_some();
        let seen = store::seen(&mut c, instance, &actor.token_hash).await?;
        let open = has_password && seen.is_some_and(|t| self.now() - t < self.config.safe_idle);
        Ok(SafeStatus { has_password, open })
    }

    /// Opens the Safe for this session with the Safe password. Wrong passwords are
    /// throttled like logins.
    pub async fn safe_unlock(
        &self,
        actor: &Actor,
        password: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        check(&actor.token, EnterSafe)?;
        let instance = actor.token.instance();
        let now = self.now();
        let mut c = self.db.read().await?;
        let hash = store::password(&mut c, instance, actor.token.user()).await?;
        drop(c);
        let guess = throttle::Guess {
            instance,
            subject: format!("safe:{}", actor.token.user()),
            address: client_addr,
            known_address: false,
        };
        let verify = async || self.hasher.verify(password, hash.as_deref()).await;
        if !throttle::checked(&self.db, &guess, now, verify).await? {
            return Err(DomainError::invalid(
                "password",
                "Das Safe-Passwort stimmt nicht.",
            ));
        }
        let mut tx = self.db.begin().await?;
        store::set_seen(&mut tx, instance, &actor.token_hash, Some(now)).await?;
        safe_event(&mut tx, actor, now, "safe_unlock").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks the Safe in this session.
    pub async fn safe_lock(&self, actor: &Actor) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        store::set_seen(&mut tx, actor.token.instance(), &actor.token_hash, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller as the Safe sees them, if the Safe is open in this session and was used
    /// within the idle time (each use extends it). Otherwise `SafeLocked`.
    pub async fn safe_actor(&self, actor: &Actor) -> Result<Actor, DomainError> {
        check(&actor.token, EnterSafe)?;
        let instance = actor.token.instance();
        let now = self.now();
        let mut c = self.db.read().await?;
        let seen = store::seen(&mut c, instance, &actor.token_hash).await?;
        drop(c);
        match seen {
            Some(t) if now - t < self.config.safe_idle => {
                // Written at most every 15 s, to spare a write per request.
                if now - t > chrono::Duration::seconds(15) {
                    let mut tx = self.db.begin().await?;
                    store::set_seen(&mut tx, instance, &actor.token_hash, Some(now)).await?;
                    tx.commit().await?;
                }
                let mut a = actor.clone();
                a.safe = true;
                Ok(a)
            }
            Some(_) => {
                let mut tx = self.db.begin().await?;
                store::set_seen(&mut tx, instance, &actor.token_hash, None).await?;
                tx.commit().await?;
                Err(DomainError::SafeLocked)
            }
            None => Err(DomainError::SafeLocked),
        }
    }

    /// The Safe areas of an opened Safe: the own Safe area (teachers) and the common area.
    pub async fn safe_areas(&self, safe: &Actor) -> Result<Vec<FileEntry>, DomainError> {
        if !safe.safe {
            return Err(DomainError::SafeLocked);
        }
        let mut out = Vec::new();
        for area in safe_areas(&safe.token) {
            let root = self.area_root(safe, area).await?;
            if let Ok(e) = self.file_entry(safe, root).await {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Generates a new Safe password for a login (the Schulleitung only; the admin asks for
    /// a reset instead, see `safe_passwords`). It is shown once to the Schulleitung, who
    /// hands it over; every open Safe of that login locks and the owner is notified.
    pub async fn safe_generate_password(
        &self,
        actor: &Actor,
        login: &str,
    ) -> Result<String, DomainError> {
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let target = users::find_by_login(&mut c, instance, &login.trim().to_lowercase())
            .await?
            .ok_or(DomainError::NotFound)?;
        drop(c);
        check(
            &actor.token,
            SetSafePassword {
                target: principal_of(&target)?,
            },
        )?;
        let password = generate_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_password(&mut tx, instance, target.id, &hash, actor.token.user(), now).await?;
        store::lock_all(&mut tx, instance, target.id).await?;
        admin_action(
            &mut tx,
            actor,
            now,
            "safe_password_set",
            &target.login,
            None,
        )
        .await?;
        let by = serde_json::json!({ "by": actor.user.login });
        crate::notify::notify(
            &mut tx,
            &target,
            crate::notify::Kind::SafePasswordReset,
            by,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Changes the own Safe password (with the Safe open).
    pub async fn safe_change_password(&self, safe: &Actor, new: &str) -> Result<(), DomainError> {
        if !safe.safe {
            return Err(DomainError::SafeLocked);
        }
        if new.chars().count() < 10 {
            return Err(DomainError::invalid(
                "password",
                "Das Safe-Passwort braucht mindestens 10 Zeichen.",
            ));
        }
        let hash = self.hasher.hash(new).await?;
        let now = self.now();
        let instance = safe.token.instance();
        let mut tx = self.db.begin().await?;
        store::set_password(
            &mut tx,
            instance,
            safe.token.user(),
            &hash,
            safe.token.user(),
            now,
        )
        .await?;
        safe_event(&mut tx, safe, now, "safe_password_change").await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn safe_event(
    c: &mut impl schulhof_store::AsConn,
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
) -> Result<(), DomainError> {
    audit::record(
        c,
        actor.token.instance(),
        at,
        Event {
            kind: "safe",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action,
            object: None,
            client_addr: None,
            detail: None,
        },
    )
    .await
}

/// 16 characters out of 54 unambiguous letters and digits (≈92 bits).
pub(crate) fn generate_password() -> String {
    const SET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| SET[rng.random_range(0..SET.len())] as char)
        .collect()
}

fn internal(e: schulhof_blob::BlobError) -> DomainError {
    DomainError::Internal(e.to_string())
}

/// Whether an area belongs to the Safe (for front-ends that route by area).
pub fn is_safe_area(area: Area) -> bool {
    area.is_safe()
}
