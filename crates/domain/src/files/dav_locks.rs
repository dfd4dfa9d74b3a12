//! WebDAV locks: who may take one (the same decision as writing there), whom a lock
//! belongs to, who may see its token or remove it. They live in the database so every
//! node sees the same locks. Paths are the WebDAV front-end's (below `/dav/files`, URL
//! encoded, no trailing slash); the front-end also says which area and names they mean.

use std::time::Duration;

use chrono::{DateTime, Utc};
use schulhof_authz::files::{Area, FileOp};
use schulhof_store::dav_locks::{self as store, LockRow};
use uuid::Uuid;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A lock without a timeout, or asking for more, lasts this long (it can be refreshed).
pub const LOCK_DEFAULT: Duration = Duration::from_secs(600);
pub const LOCK_MAX: Duration = Duration::from_secs(86_400);
/// What others see instead of a lock's token: the token is the key to the lock.
pub const HIDDEN_TOKEN: &str = "urn:uuid:00000000-0000-0000-0000-000000000000";

/// What a WebDAV path means: the listing of the areas, or names in an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockPlace {
    Top,
    In(Area, Vec<String>),
}

/// A new lock as asked for.
#[derive(Clone, Debug)]
pub struct LockAsk {
    pub place: LockPlace,
    pub path: String,
    pub deep: bool,
    pub shared: bool,
    pub timeout: Option<Duration>,
    pub owner_xml: Option<String>,
}

/// A lock as the caller may see it: the token only when it is the caller's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockView {
    pub token: String,
    pub path: String,
    pub mine: bool,
    pub deep: bool,
    pub shared: bool,
    pub owner_xml: Option<String>,
    pub timeout: Duration,
    pub expires_at: DateTime<Utc>,
}

/// Why a lock was not given.
#[derive(Debug)]
pub enum LockRefused {
    /// Another lock is in the way.
    Conflict(LockView),
    /// The caller may not write there (or does not see it).
    Denied(DomainError),
}

/// `a` is `b` or one of its ancestors (segment-wise; `""` is the top).
fn covers(a: &str, b: &str) -> bool {
    a.is_empty() || a == b || b.strip_prefix(a).is_some_and(|r| r.starts_with('/'))
}

fn view(actor: &Actor, l: &LockRow) -> LockView {
    let mine = l.owner == actor.token.user();
    LockView {
        token: if mine {
            l.token.clone()
        } else {
            HIDDEN_TOKEN.into()
        },
        path: l.path.clone(),
        mine,
        deep: l.deep,
        shared: l.shared,
        owner_xml: l.owner_xml.clone(),
        timeout: Duration::from_secs(l.timeout_secs.max(0) as u64),
        expires_at: l.expires_at,
    }
}

/// Locks of one login's own area are its own; the school's shared areas share one table.
fn scope(actor: &Actor, place: &LockPlace) -> String {
    match place {
        LockPlace::In(Area::Own, _) => format!("u:{}", actor.token.user()),
        _ => "s".into(),
    }
}

fn lifetime(asked: Option<Duration>) -> Duration {
    asked
        .unwrap_or(LOCK_DEFAULT)
        .clamp(Duration::from_secs(1), LOCK_MAX)
}

impl Platform {
    /// Whether the caller may lock there: like writing (an existing file or folder:
    /// Contributor; a new name: Contributor on its folder); an area root only its
    /// coordinators; the listing of the areas nobody.
    async fn may_lock(&self, actor: &Actor, place: &LockPlace) -> Result<(), DomainError> {
        let LockPlace::In(area, names) = place else {
            return Err(DomainError::Forbidden);
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let Some((_, parent)) = names.split_last() else {
            let root = self.locate_path(actor, *area, &[]).await?;
            root.check(actor, FileOp::Coordinate)?;
            return Ok(());
        };
        match self.locate_path(actor, *area, &names).await {
            Ok(node) => node.check(actor, FileOp::Write).map(|_| ()),
            Err(DomainError::NotFound) => {
                let folder = self.locate_path(actor, *area, parent).await?;
                folder.check(actor, FileOp::Write).map(|_| ())
            }
            Err(e) => Err(e),
        }
    }

    /// Takes a lock, unless the caller may not or another lock is in the way.
    pub async fn dav_lock(
        &self,
        actor: &Actor,
        ask: LockAsk,
    ) -> Result<Result<LockView, LockRefused>, DomainError> {
        if let Err(e) = self.may_lock(actor, &ask.place).await {
            return Ok(Err(LockRefused::Denied(e)));
        }
        let (instance, scope) = (actor.token.instance(), scope(actor, &ask.place));
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::serialise(&mut tx, instance, &scope).await?;
        let live = store::live_in_scope(&mut tx, instance, &scope, now).await?;
        // Locks above that reach down here, the lock here, and (deep) locks below.
        let in_way = live.iter().find(|l| {
            let above = covers(&l.path, &ask.path) && (l.deep || l.path == ask.path);
            let below = ask.deep && covers(&ask.path, &l.path);
            (above || below) && !(l.shared && ask.shared)
        });
        if let Some(l) = in_way {
            return Ok(Err(LockRefused::Conflict(view(actor, l))));
        }
        let timeout = lifetime(ask.timeout);
        let row = LockRow {
            // Fully random: a token names a lock to the If header of any request.
            token: Uuid::from_bytes(rand::random()).urn().to_string(),
            scope,
            path: ask.path,
            owner: actor.token.user(),
            deep: ask.deep,
            shared: ask.shared,
            owner_xml: ask.owner_xml,
            timeout_secs: timeout.as_secs() as i64,
            expires_at: now + chrono::Duration::from_std(timeout).unwrap_or_default(),
        };
        store::insert(&mut tx, instance, &row, now).await?;
        tx.commit().await?;
        Ok(Ok(view(actor, &row)))
    }

    /// The live locks that cover a path (on it, or deep locks above it).
    pub async fn dav_locks_on(
        &self,
        actor: &Actor,
        place: &LockPlace,
        path: &str,
    ) -> Result<Vec<LockView>, DomainError> {
        let mut c = self.db.read().await?;
        let live = store::live_in_scope(
            &mut c,
            actor.token.instance(),
            &scope(actor, place),
            self.now(),
        )
        .await?;
        let here: Vec<&LockRow> = live
            .iter()
            .filter(|l| covers(&l.path, path) && (l.deep || l.path == path))
            .collect();
        // A coordinator of the locked resource may remove others' locks on it, so it sees
        // their tokens there (and only there); writing still needs the owner.
        let foreign = here
            .iter()
            .any(|l| l.owner != actor.token.user() && l.path == path);
        let reveal = foreign && self.coordinates(actor, place).await;
        Ok(here
            .into_iter()
            .map(|l| {
                let mut v = view(actor, l);
                if reveal && l.path == path {
                    v.token = l.token.clone();
                }
                v
            })
            .collect())
    }

    /// Whether the caller coordinates the resource at `place`.
    async fn coordinates(&self, actor: &Actor, place: &LockPlace) -> bool {
        let LockPlace::In(area, names) = place else {
            return false;
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        match self.locate_path(actor, *area, &names).await {
            Ok(node) => node.check(actor, FileOp::Coordinate).is_ok(),
            Err(_) => false,
        }
    }

    /// The first lock in the way of changing `path` (and, `deep`, what is below it): a lock
    /// is not in the way when its token was submitted and it is the caller's own, or
    /// `any_owner` (the If header alone decides).
    pub async fn dav_lock_in_way(
        &self,
        actor: &Actor,
        place: &LockPlace,
        path: &str,
        deep: bool,
        tokens: &[String],
        any_owner: bool,
    ) -> Result<Option<LockView>, DomainError> {
        let mut c = self.db.read().await?;
        let live = store::live_in_scope(
            &mut c,
            actor.token.instance(),
            &scope(actor, place),
            self.now(),
        )
        .await?;
        let held =
            |l: &LockRow| tokens.contains(&l.token) && (any_owner || l.owner == actor.token.user());
        let relevant = |l: &&LockRow| {
            (covers(&l.path, path) && (l.deep || l.path == path)) || (deep && covers(path, &l.path))
        };
        let mine = live.iter().filter(relevant).any(held);
        // An exclusive lock not held always blocks; shared ones block unless one is held.
        let blocking = live
            .iter()
            .filter(relevant)
            .find(|l| !held(l) && (!l.shared || !mine));
        Ok(blocking.map(|l| view(actor, l)))
    }

    /// Gives one of the caller's locks a new lifetime.
    pub async fn dav_refresh(
        &self,
        actor: &Actor,
        place: &LockPlace,
        path: &str,
        token: &str,
        timeout: Option<Duration>,
    ) -> Result<Option<LockView>, DomainError> {
        let (instance, now) = (actor.token.instance(), self.now());
        let mut tx = self.db.begin().await?;
        let live = store::live_in_scope(&mut tx, instance, &scope(actor, place), now).await?;
        let Some(mut l) = live
            .into_iter()
            .find(|l| l.token == token && l.owner == actor.token.user() && covers(&l.path, path))
        else {
            return Ok(None);
        };
        let timeout = lifetime(timeout);
        l.timeout_secs = timeout.as_secs() as i64;
        l.expires_at = now + chrono::Duration::from_std(timeout).unwrap_or_default();
        store::refresh(&mut tx, instance, token, l.timeout_secs, l.expires_at).await?;
        tx.commit().await?;
        Ok(Some(view(actor, &l)))
    }

    /// Removes a lock: the caller's own, or — addressed at the locked resource itself — one
    /// of another login on something the caller coordinates. Returns whether it did.
    pub async fn dav_unlock(
        &self,
        actor: &Actor,
        place: &LockPlace,
        path: &str,
        token: &str,
    ) -> Result<bool, DomainError> {
        let (instance, scope) = (actor.token.instance(), scope(actor, place));
        let mut c = self.db.read().await?;
        let live = store::live_in_scope(&mut c, instance, &scope, self.now()).await?;
        drop(c);
        let Some(l) = live
            .into_iter()
            .find(|l| l.token == token && covers(&l.path, path))
        else {
            return Ok(false);
        };
        if l.owner != actor.token.user()
            && (l.path != path || !self.coordinates(actor, place).await)
        {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        store::remove(&mut tx, instance, &[l.token]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets the locks on a path and below (it was deleted or moved away; the file
    /// operation was allowed, so were the locks' ends).
    pub async fn dav_forget_locks(
        &self,
        actor: &Actor,
        place: &LockPlace,
        path: &str,
    ) -> Result<(), DomainError> {
        let (instance, scope) = (actor.token.instance(), scope(actor, place));
        let mut tx = self.db.begin().await?;
        let live = store::live_in_scope(&mut tx, instance, &scope, self.now()).await?;
        let gone: Vec<String> = live
            .into_iter()
            .filter(|l| covers(path, &l.path))
            .map(|l| l.token)
            .collect();
        store::remove(&mut tx, instance, &gone).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn covering_is_by_whole_segments() {
        assert!(covers("", "/unterricht"));
        assert!(covers("/unterricht", "/unterricht"));
        assert!(covers("/unterricht", "/unterricht/a"));
        assert!(!covers("/unterricht", "/unterrichtsplan"));
        assert!(!covers("/unterricht/a", "/unterricht"));
    }
}
