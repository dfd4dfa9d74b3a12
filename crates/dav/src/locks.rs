//! WebDAV locks. The same path means different things to different callers (every login
//! has its own `/eigene-dateien/`, every school its own shared areas), so each path is
//! scoped to its owner before it reaches the shared lock table, and scoped back after.

use std::time::Duration;

use dav_server::davpath::DavPath;
use dav_server::ls::{DavLock, DavLockSystem, LsFuture};
use dav_server::memls::MemLs;
use schulhof_domain::identity::Actor;

use crate::fs::OWN_SLUG;

/// The lock table of this node (see the issue note: locks do not yet move between nodes).
#[derive(Clone, Debug)]
pub struct SharedLocks(MemLs);

impl SharedLocks {
    pub fn new(ls: MemLs) -> Self {
        Self(ls)
    }

    /// The lock system as one caller sees it.
    pub fn scoped_for(&self, actor: &Actor) -> ScopedLocks {
        ScopedLocks {
            inner: self.0.clone(),
            own: format!("/~u{}", actor.token.user().0.simple()),
            school: format!("/~s{}", actor.token.instance().0.simple()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ScopedLocks {
    inner: MemLs,
    own: String,
    school: String,
}

impl ScopedLocks {
    fn scope_of(&self, path: &DavPath) -> &str {
        let own = format!("/{OWN_SLUG}");
        let p = path.as_url_string();
        if p == own || p.starts_with(&format!("{own}/")) {
            &self.own
        } else {
            &self.school
        }
    }

    fn scoped(&self, path: &DavPath) -> DavPath {
        let prefix = path.prefix().to_owned();
        let full = format!("{prefix}{}{}", self.scope_of(path), path.as_url_string());
        let mut p = DavPath::new(&full).unwrap_or_else(|_| path.clone());
        let _ = p.set_prefix(&prefix);
        p
    }

    fn unscoped(&self, path: &DavPath) -> DavPath {
        let prefix = path.prefix().to_owned();
        let inner = path.as_url_string();
        let rest = inner
            .strip_prefix(&self.own)
            .or_else(|| inner.strip_prefix(&self.school))
            .unwrap_or(&inner);
        let mut p = DavPath::new(&format!("{prefix}{rest}")).unwrap_or_else(|_| path.clone());
        let _ = p.set_prefix(&prefix);
        p
    }

    fn back(&self, mut lock: DavLock) -> DavLock {
        lock.path = Box::new(self.unscoped(&lock.path));
        lock
    }
}

impl DavLockSystem for ScopedLocks {
    fn lock(
        &'_ self,
        path: &DavPath,
        principal: Option<&str>,
        owner: Option<&xmltree::Element>,
        timeout: Option<Duration>,
        shared: bool,
        deep: bool,
    ) -> LsFuture<'_, Result<DavLock, DavLock>> {
        let p = self.scoped(path);
        let principal = principal.map(str::to_owned);
        let owner = owner.cloned();
        Box::pin(async move {
            self.inner
                .lock(
                    &p,
                    principal.as_deref(),
                    owner.as_ref(),
                    timeout,
                    shared,
                    deep,
                )
                .await
                .map(|l| self.back(l))
                .map_err(|l| self.back(l))
        })
    }

    fn unlock(&'_ self, path: &DavPath, token: &str) -> LsFuture<'_, Result<(), ()>> {
        let p = self.scoped(path);
        let token = token.to_owned();
        Box::pin(async move { self.inner.unlock(&p, &token).await })
    }

    fn refresh(
        &'_ self,
        path: &DavPath,
        token: &str,
        timeout: Option<Duration>,
    ) -> LsFuture<'_, Result<DavLock, ()>> {
        let p = self.scoped(path);
        let token = token.to_owned();
        Box::pin(async move {
            self.inner
                .refresh(&p, &token, timeout)
                .await
                .map(|l| self.back(l))
        })
    }

    fn check(
        &'_ self,
        path: &DavPath,
        principal: Option<&str>,
        ignore_principal: bool,
        deep: bool,
        submitted_tokens: &[String],
    ) -> LsFuture<'_, Result<(), DavLock>> {
        let p = self.scoped(path);
        let principal = principal.map(str::to_owned);
        let tokens = submitted_tokens.to_vec();
        Box::pin(async move {
            self.inner
                .check(&p, principal.as_deref(), ignore_principal, deep, &tokens)
                .await
                .map_err(|l| self.back(l))
        })
    }

    fn discover(&'_ self, path: &DavPath) -> LsFuture<'_, Vec<DavLock>> {
        let p = self.scoped(path);
        Box::pin(async move {
            self.inner
                .discover(&p)
                .await
                .into_iter()
                .map(|l| self.back(l))
                .collect()
        })
    }

    fn delete(&'_ self, path: &DavPath) -> LsFuture<'_, Result<(), ()>> {
        let p = self.scoped(path);
        Box::pin(async move { self.inner.delete(&p).await })
    }
}
