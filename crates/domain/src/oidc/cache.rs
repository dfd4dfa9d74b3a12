//! What every token request would otherwise read again: the signing keys, parsed, and the
//! schools' pairwise secrets. Both live in the database so every node signs with the same
//! key and computes the same subjects; this node keeps copies.
//!
//! - A signing key (one per algorithm) is read again after [`KEY_REREAD_SECS`]. A rotation on this node
//!   replaces it at once; one on another node is seen here within that time, and what this
//!   node signed meanwhile still verifies, because the retired key stays in the JWKS for
//!   [`super::KEY_OVERLAP_SECS`].
//! - A school's pairwise secret is made once and never changed, so a copy never goes stale.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use schulhof_store::oidc::keys::{self as key_store, KeyRow};
use schulhof_store::oidc::{existing_school_secret, school_secret};
use schulhof_types::InstanceId;

use super::keys::{ES256, Pair, pair_of, signing_key};
use super::{OidcError, random_value};
use crate::Platform;

/// How long a node signs with the key it read before it looks again.
pub const KEY_REREAD_SECS: i64 = 60;

/// A key that signs, parsed once.
pub(crate) struct Signer {
    pub kid: String,
    pub pair: Pair,
    /// When it was read (unix microseconds, the platform's clock).
    read_at: i64,
}

/// This node's copies (one per [`Platform`], shared by its clones).
#[derive(Clone, Default)]
pub(crate) struct OidcCache {
    /// The RS256 signer, then the ES256 one.
    signers: Arc<RwLock<[Option<Arc<Signer>>; 2]>>,
    secrets: Arc<RwLock<HashMap<InstanceId, Arc<[u8]>>>>,
}

fn slot(alg: &str) -> usize {
    usize::from(alg == ES256)
}

impl OidcCache {
    fn signer(&self, alg: &str, now: i64) -> Option<Arc<Signer>> {
        let s = self.signers.read().unwrap_or_else(PoisonError::into_inner);
        // A clock set back counts as stale too.
        s[slot(alg)]
            .as_ref()
            .filter(|s| (s.read_at..s.read_at + KEY_REREAD_SECS * 1_000_000).contains(&now))
            .cloned()
    }

    fn put_signer(&self, k: &KeyRow, now: i64) -> Result<Arc<Signer>, OidcError> {
        let s = Arc::new(Signer {
            kid: k.kid.clone(),
            pair: pair_of(k)?,
            read_at: now,
        });
        self.signers.write().unwrap_or_else(PoisonError::into_inner)[slot(&k.alg)] =
            Some(s.clone());
        Ok(s)
    }

    fn secret(&self, instance: InstanceId) -> Option<Arc<[u8]>> {
        let m = self.secrets.read().unwrap_or_else(PoisonError::into_inner);
        m.get(&instance).cloned()
    }

    fn put_secret(&self, instance: InstanceId, secret: Vec<u8>) -> Arc<[u8]> {
        let s: Arc<[u8]> = secret.into();
        let mut m = self.secrets.write().unwrap_or_else(PoisonError::into_inner);
        m.insert(instance, s.clone());
        s
    }
}

impl Platform {
    /// The key of `alg` (RS256 or ES256) that signs now: this node's copy, read again after
    /// [`KEY_REREAD_SECS`] (and made on first use).
    pub(crate) async fn oidc_signer(&self, alg: &str) -> Result<Arc<Signer>, OidcError> {
        let now = self.now().timestamp_micros();
        if let Some(s) = self.oidc_cache.signer(alg, now) {
            return Ok(s);
        }
        let found = {
            let mut c = self.db.read().await?;
            key_store::signing(&mut c, alg).await?
        };
        let k = match found {
            Some(k) => k,
            None => {
                let mut tx = self.db.begin().await?;
                let k = signing_key(&mut tx, alg, now).await?;
                tx.commit().await?;
                k
            }
        };
        self.oidc_cache.put_signer(&k, now)
    }

    /// A rotation on this node: the new key signs from now on.
    pub(crate) fn oidc_signer_rotated(&self, k: &KeyRow) -> Result<(), OidcError> {
        let now = self.now().timestamp_micros();
        self.oidc_cache.put_signer(k, now).map(|_| ())
    }

    /// The school's pairwise secret: this node's copy, else the stored one, else a fresh one
    /// (any node may race to make it; the first one stored wins and every node reads it).
    pub(crate) async fn oidc_school_secret(
        &self,
        instance: InstanceId,
    ) -> Result<Arc<[u8]>, OidcError> {
        if let Some(s) = self.oidc_cache.secret(instance) {
            return Ok(s);
        }
        let found = {
            let mut c = self.db.read().await?;
            existing_school_secret(&mut c, instance).await?
        };
        let secret = match found {
            Some(s) => s,
            None => {
                let now = self.now().timestamp_micros();
                let mut tx = self.db.begin().await?;
                let s = school_secret(&mut tx, instance, random_value().as_bytes(), now).await?;
                tx.commit().await?;
                s
            }
        };
        Ok(self.oidc_cache.put_secret(instance, secret))
    }
}
