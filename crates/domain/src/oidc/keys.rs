//! Signing keys and JSON Web Signatures (RS256, RFC 7515 compact form) with aws-lc-rs, the
//! crypto library the rest of the tree already uses. Keys live in the database, so every
//! node signs with the same key and publishes the same JWKS.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schulhof_store::AsConn;
use schulhof_store::oidc::keys::{self as store, KeyRow};
use serde_json::{Value, json};

use super::OidcError;
use crate::Platform;

/// The ID tokens' algorithm: mandatory to implement, and what education tools support.
pub const SIGNING_ALG: &str = "RS256";

fn internal(what: &str, e: impl std::fmt::Display) -> OidcError {
    tracing::error!(error = %e, "{what}");
    OidcError::ServerError
}

fn new_key(now: i64) -> Result<KeyRow, OidcError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| internal("OIDC key", e))?;
    let der = pair.as_der().map_err(|e| internal("OIDC key", e))?;
    let mut id = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    Ok(KeyRow {
        kid: URL_SAFE_NO_PAD.encode(id),
        alg: SIGNING_ALG.into(),
        private_der: der.as_ref().to_vec(),
        created_at: now,
        retired_at: None,
    })
}

pub(super) fn pair_of(k: &KeyRow) -> Result<KeyPair, OidcError> {
    KeyPair::from_pkcs8(&k.private_der).map_err(|e| internal("stored OIDC key", e))
}

/// The key that signs now, made on first use.
pub(crate) async fn signing_key(c: &mut impl AsConn, now: i64) -> Result<KeyRow, OidcError> {
    if let Some(k) = store::signing(c, SIGNING_ALG).await? {
        return Ok(k);
    }
    let k = new_key(now)?;
    store::insert(c, &k).await?;
    Ok(k)
}

/// Signs `claims` as a compact JWS with a key already parsed (see [`super::cache`]), with
/// an explicit `typ` (logout tokens are `logout+jwt`, so no tool can mistake one for an ID
/// token).
pub(crate) fn sign_with(
    pair: &KeyPair,
    kid: &str,
    claims: &Value,
    typ: &str,
) -> Result<String, OidcError> {
    let header = json!({"alg": SIGNING_ALG, "typ": typ, "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|e| internal("OIDC signing", e))?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The claims of a token this provider signed with a key it still publishes; `None` for
/// anything else (tampered, foreign, malformed). Expiry is the caller's business.
pub(crate) fn verify(keys: &[KeyRow], jws: &str) -> Option<Value> {
    let (input, sig) = jws.rsplit_once('.')?;
    let (header, payload) = input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header["alg"] != SIGNING_ALG {
        return None;
    }
    let key = keys.iter().find(|k| header["kid"] == k.kid.as_str())?;
    let pair = pair_of(key).ok()?;
    let public = UnparsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        pair.public_key().as_ref(),
    );
    public
        .verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).ok()?)
        .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn jwk(k: &KeyRow) -> Result<Value, OidcError> {
    let pair = pair_of(k)?;
    let public = pair.public_key();
    Ok(json!({
        "kty": "RSA",
        "use": "sig",
        "alg": k.alg,
        "kid": k.kid,
        "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
    }))
}

impl Platform {
    /// The JSON Web Key Set: the signing key and the retired ones still in their overlap
    /// (a key is made if there is none, so a tool can fetch the set before the first login).
    pub async fn oidc_jwks(&self) -> Result<Value, OidcError> {
        let now = self.now().timestamp_micros();
        let mut c = self.db.begin().await.map_err(OidcError::from)?;
        signing_key(&mut c, now).await?;
        let keys = store::published(&mut c, now).await?;
        c.commit().await.map_err(OidcError::from)?;
        let keys: Result<Vec<Value>, OidcError> = keys.iter().map(jwk).collect();
        Ok(json!({ "keys": keys? }))
    }

    /// Makes a new signing key; the old ones stay published for [`super::KEY_OVERLAP_SECS`].
    /// Returns the new key id.
    pub async fn system_oidc_rotate_keys(&self) -> Result<String, OidcError> {
        let now = self.now().timestamp_micros();
        let k = new_key(now)?;
        let mut tx = self.db.begin().await.map_err(OidcError::from)?;
        store::insert(&mut tx, &k).await?;
        let until = now + super::KEY_OVERLAP_SECS * 1_000_000;
        store::retire_others(&mut tx, &k.kid, now, until).await?;
        tx.commit().await.map_err(OidcError::from)?;
        // This node signs with the new key at once; the others within a minute.
        self.oidc_signer_rotated(&k)?;
        Ok(k.kid)
    }
}

impl Platform {
    /// Deletes expired codes and tokens (the hourly retention job); returns how many.
    pub async fn system_oidc_purge(&self) -> Result<u64, OidcError> {
        let now = self.now().timestamp_micros();
        let mut tx = self.db.begin().await.map_err(OidcError::from)?;
        let mut n = schulhof_store::oidc::grants::purge_expired(&mut tx, now).await?;
        // A tool session outlives no refresh token: after that the tool has nothing left.
        let before = now - super::REFRESH_TTL_SECS * 1_000_000;
        n += schulhof_store::oidc::logout::purge_sessions(&mut tx, before).await?;
        tx.commit().await.map_err(OidcError::from)?;
        Ok(n)
    }
}
