//! WebDAV locks over the domain's lock service: kept in the database (every node sees the
//! same locks), taken only where the caller may write, owned by the login that took them;
//! others' tokens are never shown and only the owner (or a coordinator of the locked
//! resource) removes a lock. This adapter only translates paths and answers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use axum::response::Response;
use dav_server::davpath::DavPath;
use dav_server::ls::{DavLock, DavLockSystem, LsFuture};
use schulhof_authz::files::Area;
use schulhof_domain::Platform;
use schulhof_domain::files::dav_locks::{LockAsk, LockPlace, LockRefused, LockView};
use schulhof_domain::identity::Actor;
use xmltree::Element;

use crate::fs::area_slug;

/// The lock system as one caller sees it, for one request.
#[derive(Clone)]
pub struct DbLocks {
    platform: Platform,
    actor: Arc<Actor>,
    /// Set when a LOCK was refused for lack of rights, so the answer can say 403 (the
    /// library only knows 423 for a refused lock).
    denied: Arc<Mutex<Option<StatusCode>>>,
}

impl std::fmt::Debug for DbLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbLocks").finish_non_exhaustive()
    }
}

/// The path below `/dav/files` as stored: URL encoded, without a trailing slash.
fn key(path: &DavPath) -> String {
    path.as_url_string().trim_end_matches('/').to_owned()
}

fn place(path: &DavPath) -> LockPlace {
    let text = String::from_utf8_lossy(path.as_bytes()).into_owned();
    let mut parts = text.split('/').filter(|s| !s.is_empty());
    let Some(slug) = parts.next() else {
        return LockPlace::Top;
    };
    match Area::FILES.into_iter().find(|a| area_slug(*a) == slug) {
        Some(area) => LockPlace::In(area, parts.map(str::to_owned).collect()),
        // No such area: nothing there to lock; treated like the top (refused).
        None => LockPlace::Top,
    }
}

/// The client's `<D:owner>` as stored. The library renamed it to `D:owner` whatever prefix
/// the client used, so the prefix is bound here, or it would not parse again.
fn owner_xml(owner: Option<&Element>) -> Option<String> {
    let mut owner = owner?.clone();
    owner
        .namespaces
        .get_or_insert_with(xmltree::Namespace::empty)
        .put("D", "DAV:");
    let mut out = Vec::new();
    owner.write(&mut out).ok()?;
    String::from_utf8(out).ok()
}

fn owner_element(xml: Option<&str>) -> Option<Box<Element>> {
    let e = Element::parse(xml?.as_bytes()).ok()?;
    Some(Box::new(e))
}

/// A lock as the library shows it, at `like`'s prefix.
fn dav_lock(v: LockView, like: &DavPath) -> DavLock {
    let prefix = like.prefix().to_owned();
    let full = format!("{prefix}{}", if v.path.is_empty() { "/" } else { &v.path });
    let mut path = DavPath::new(&full).unwrap_or_else(|_| like.clone());
    let _ = path.set_prefix(&prefix);
    let micros = u64::try_from(v.expires_at.timestamp_micros()).unwrap_or_default();
    DavLock {
        token: v.token,
        path: Box::new(path),
        principal: None,
        owner: owner_element(v.owner_xml.as_deref()),
        timeout_at: Some(SystemTime::UNIX_EPOCH + Duration::from_micros(micros)),
        timeout: Some(v.timeout),
        shared: v.shared,
        deep: v.deep,
    }
}

impl DbLocks {
    pub fn new(platform: Platform, actor: Arc<Actor>) -> Self {
        Self {
            platform,
            actor,
            denied: Arc::default(),
        }
    }

    /// A LOCK refused for lack of rights answers 403 (or 404 for what the caller does
    /// not see), not 423.
    pub fn explain(&self, resp: &mut Response<axum::body::Body>) {
        let denied = self.denied.lock().ok().and_then(|d| *d);
        if let Some(status) = denied
            && resp.status() == StatusCode::LOCKED
        {
            *resp.status_mut() = status;
        }
    }

    fn refuse(&self, status: StatusCode) {
        if let Ok(mut d) = self.denied.lock() {
            *d = Some(status);
        }
    }

    /// The stand-in lock the library needs for a refusal it will answer with 423/403.
    fn refusal(path: &DavPath) -> DavLock {
        DavLock {
            token: schulhof_domain::files::dav_locks::HIDDEN_TOKEN.into(),
            path: Box::new(path.clone()),
            principal: None,
            owner: None,
            timeout_at: None,
            timeout: None,
            shared: false,
            deep: false,
        }
    }
}

fn failed(e: &schulhof_domain::DomainError) {
    tracing::error!(error = %e, "webdav lock store failed");
}

impl DavLockSystem for DbLocks {
    fn lock(
        &'_ self,
        path: &DavPath,
        _principal: Option<&str>,
        owner: Option<&Element>,
        timeout: Option<Duration>,
        shared: bool,
        deep: bool,
    ) -> LsFuture<'_, Result<DavLock, DavLock>> {
        let ask = LockAsk {
            place: place(path),
            path: key(path),
            deep,
            shared,
            timeout,
            owner_xml: owner_xml(owner),
        };
        let path = path.clone();
        Box::pin(async move {
            match self.platform.dav_lock(&self.actor, ask).await {
                Ok(Ok(v)) => Ok(dav_lock(v, &path)),
                Ok(Err(LockRefused::Conflict(v))) => Err(dav_lock(v, &path)),
                Ok(Err(LockRefused::Denied(e))) => {
                    self.refuse(match e {
                        schulhof_domain::DomainError::NotFound => StatusCode::NOT_FOUND,
                        _ => StatusCode::FORBIDDEN,
                    });
                    Err(Self::refusal(&path))
                }
                Err(e) => {
                    failed(&e);
                    Err(Self::refusal(&path))
                }
            }
        })
    }

    fn unlock(&'_ self, path: &DavPath, token: &str) -> LsFuture<'_, Result<(), ()>> {
        let (place, key, token) = (place(path), key(path), token.to_owned());
        Box::pin(async move {
            match self
                .platform
                .dav_unlock(&self.actor, &place, &key, &token)
                .await
            {
                Ok(true) => Ok(()),
                Ok(false) => Err(()),
                Err(e) => {
                    failed(&e);
                    Err(())
                }
            }
        })
    }

    fn refresh(
        &'_ self,
        path: &DavPath,
        token: &str,
        timeout: Option<Duration>,
    ) -> LsFuture<'_, Result<DavLock, ()>> {
        let (place, key, token) = (place(path), key(path), token.to_owned());
        let path = path.clone();
        Box::pin(async move {
            match self
                .platform
                .dav_refresh(&self.actor, &place, &key, &token, timeout)
                .await
            {
                Ok(Some(v)) => Ok(dav_lock(v, &path)),
                Ok(None) => Err(()),
                Err(e) => {
                    failed(&e);
                    Err(())
                }
            }
        })
    }

    fn check(
        &'_ self,
        path: &DavPath,
        _principal: Option<&str>,
        ignore_principal: bool,
        deep: bool,
        submitted_tokens: &[String],
    ) -> LsFuture<'_, Result<(), DavLock>> {
        let (place, key) = (place(path), key(path));
        let tokens = submitted_tokens.to_vec();
        let path = path.clone();
        Box::pin(async move {
            let found = self
                .platform
                .dav_lock_in_way(&self.actor, &place, &key, deep, &tokens, ignore_principal)
                .await;
            match found {
                Ok(None) => Ok(()),
                Ok(Some(v)) => Err(dav_lock(v, &path)),
                // Unsure whether something is locked: refuse the change.
                Err(e) => {
                    failed(&e);
                    Err(Self::refusal(&path))
                }
            }
        })
    }

    fn discover(&'_ self, path: &DavPath) -> LsFuture<'_, Vec<DavLock>> {
        let (place, key) = (place(path), key(path));
        let path = path.clone();
        Box::pin(async move {
            match self.platform.dav_locks_on(&self.actor, &place, &key).await {
                Ok(locks) => locks.into_iter().map(|v| dav_lock(v, &path)).collect(),
                Err(e) => {
                    failed(&e);
                    Vec::new()
                }
            }
        })
    }

    fn delete(&'_ self, path: &DavPath) -> LsFuture<'_, Result<(), ()>> {
        let (place, key) = (place(path), key(path));
        Box::pin(async move {
            self.platform
                .dav_forget_locks(&self.actor, &place, &key)
                .await
                .map_err(|e| failed(&e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_owner_survives_the_database() {
        for lockinfo in [
            r#"<lockinfo xmlns="DAV:"><owner>litmus test suite</owner></lockinfo>"#,
            r#"<D:lockinfo xmlns:D="DAV:"><D:owner><D:href>mailto:a@b</D:href></D:owner></D:lockinfo>"#,
        ] {
            let root = Element::parse(lockinfo.as_bytes()).expect("xml");
            let mut owner = root.get_child("owner").expect("owner").clone();
            owner.prefix = Some("D".to_owned());
            let stored = owner_xml(Some(&owner));
            let back = owner_element(stored.as_deref()).expect("owner back");
            assert_eq!(back.name, "owner");
            assert_eq!(back.namespace.as_deref(), Some("DAV:"));
            assert_eq!(back.children.len(), 1, "{stored:?}");
        }
    }
}
