//! Signing keys and JSON Web Signatures (RFC 7515 compact form) with aws-lc-rs, the
//! crypto library the rest of the tree already uses: RS256 by default, ES256 (P-256) for a
//! tool registered with `id_token_signed_response_alg` ES256. Keys live in the database, so
//! every node signs with the same key and publishes the same JWKS.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schulhof_store::AsConn;
use schulhof_store::oidc::keys::{self as store, KeyRow};
use serde_json::{Value, json};

use super::OidcError;
use crate::Platform;

/// The default algorithm (ID tokens, logout tokens, LTI messages): mandatory to implement,
/// and what education tools support.
pub const SIGNING_ALG: &str = "RS256";

/// The optional one: ECDSA on P-256 with SHA-256, for tools registered with it.
pub const ES256: &str = "ES256";

/// What discovery lists as `id_token_signing_alg_values_supported`.
pub const ID_TOKEN_ALGS: [&str; 2] = [SIGNING_ALG, ES256];

/// A parsed private key of either algorithm.
pub(crate) enum Pair {
    Rsa(KeyPair),
    Ec(EcdsaKeyPair),
}

fn internal(what: &str, e: impl std::fmt::Display) -> OidcError {
    tracing::error!(error = %e, "{what}");
    OidcError::ServerError
}

fn new_key(alg: &str, now: i64) -> Result<KeyRow, OidcError> {
    let der = if alg == ES256 {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|e| internal("OIDC key", e))?;
        doc.as_ref().to_vec()
    } else {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| internal("OIDC key", e))?;
        let der = pair.as_der().map_err(|e| internal("OIDC key", e))?;
        der.as_ref().to_vec()
    };
    let mut id = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    Ok(KeyRow {
        kid: URL_SAFE_NO_PAD.encode(id),
        alg: if alg == ES256 { ES256 } else { SIGNING_ALG }.into(),
        private_der: der,
        created_at: now,
        retired_at: None,
    })
}

pub(super) fn pair_of(k: &KeyRow) -> Result<Pair, OidcError> {
    let bad = |e: aws_lc_rs::error::KeyRejected| internal("stored OIDC key", e);
    Ok(if k.alg == ES256 {
        Pair::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &k.private_der)
                .map_err(bad)?,
        )
    } else {
        Pair::Rsa(KeyPair::from_pkcs8(&k.private_der).map_err(bad)?)
    })
}

/// The key of `alg` that signs now, made on first use.
pub(crate) async fn signing_key(
    c: &mut impl AsConn,
    alg: &str,
    now: i64,
) -> Result<KeyRow, OidcError> {
    if let Some(k) = store::signing(c, alg).await? {
        return Ok(k);
    }
    let k = new_key(alg, now)?;
    store::insert(c, &k).await?;
    Ok(k)
}

/// Signs `claims` as a compact JWS with a key already parsed (see [`super::cache`]), with
/// an explicit `typ` (logout tokens are `logout+jwt`, so no tool can mistake one for an ID
/// token). An ES256 signature is the fixed form JWS requires (r || s, 64 bytes).
pub(crate) fn sign_with(
    pair: &Pair,
    kid: &str,
    claims: &Value,
    typ: &str,
) -> Result<String, OidcError> {
    let alg = match pair {
        Pair::Rsa(_) => SIGNING_ALG,
        Pair::Ec(_) => ES256,
    };
    let header = json!({"alg": alg, "typ": typ, "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let rng = SystemRandom::new();
    let sig = match pair {
        Pair::Rsa(pair) => {
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|e| internal("OIDC signing", e))?;
            sig
        }
        Pair::Ec(pair) => pair
            .sign(&rng, input.as_bytes())
            .map_err(|e| internal("OIDC signing", e))?
            .as_ref()
            .to_vec(),
    };
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The claims of a token this provider signed with a key it still publishes; `None` for
/// anything else (tampered, foreign, malformed, or an `alg` other than its key's).
/// Expiry is the caller's business.
pub(crate) fn verify(keys: &[KeyRow], jws: &str) -> Option<Value> {
    let (input, sig) = jws.rsplit_once('.')?;
    let (header, payload) = input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let key = keys.iter().find(|k| header["kid"] == k.kid.as_str())?;
    if header["alg"] != key.alg.as_str() {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    match pair_of(key).ok()? {
        Pair::Rsa(pair) => UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            pair.public_key().as_ref(),
        )
        .verify(input.as_bytes(), &sig)
        .ok()?,
        Pair::Ec(pair) => {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                .verify(input.as_bytes(), &sig)
                .ok()?
        }
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn jwk(k: &KeyRow) -> Result<Value, OidcError> {
    Ok(match pair_of(k)? {
        Pair::Rsa(pair) => {
            let public = pair.public_key();
            json!({
                "kty": "RSA",
                "use": "sig",
                "alg": k.alg,
                "kid": k.kid,
                "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            })
        }
        Pair::Ec(pair) => {
            // The uncompressed point: 0x04 || x || y, 32 bytes each.
            let point = pair.public_key().as_ref();
            if point.len() != 65 || point[0] != 4 {
                return Err(internal("OIDC key", "not an uncompressed P-256 point"));
            }
            json!({
                "kty": "EC",
                "crv": "P-256",
                "use": "sig",
                "alg": k.alg,
                "kid": k.kid,
                "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                "y": URL_SAFE_NO_PAD.encode(&point[33..]),
            })
        }
    })
}

impl Platform {
    /// The JSON Web Key Set: the signing key and the retired ones still in their overlap
    /// (a key is made if there is none, so a tool can fetch the set before the first login).
    pub async fn oidc_jwks(&self) -> Result<Value, OidcError> {
        let now = self.now().timestamp_micros();
        let mut c = self.db.begin().await.map_err(OidcError::from)?;
        signing_key(&mut c, SIGNING_ALG, now).await?;
        let keys = store::published(&mut c, now).await?;
        c.commit().await.map_err(OidcError::from)?;
        let keys: Result<Vec<Value>, OidcError> = keys.iter().map(jwk).collect();
        Ok(json!({ "keys": keys? }))
    }

    /// Makes a new RS256 signing key, and a new ES256 one if there is one in use; the old
    /// ones stay published for [`super::KEY_OVERLAP_SECS`]. Returns the new key ids, the
    /// RS256 one first.
    pub async fn system_oidc_rotate_keys(&self) -> Result<Vec<String>, OidcError> {
        let now = self.now().timestamp_micros();
        let until = now + super::KEY_OVERLAP_SECS * 1_000_000;
        let mut tx = self.db.begin().await.map_err(OidcError::from)?;
        let mut fresh = vec![new_key(SIGNING_ALG, now)?];
        if store::signing(&mut tx, ES256).await?.is_some() {
            fresh.push(new_key(ES256, now)?);
        }
        for k in &fresh {
            store::insert(&mut tx, k).await?;
            store::retire_others(&mut tx, k, now, until).await?;
        }
        tx.commit().await.map_err(OidcError::from)?;
        // This node signs with the new keys at once; the others within a minute.
        for k in &fresh {
            self.oidc_signer_rotated(k)?;
        }
        Ok(fresh.into_iter().map(|k| k.kid).collect())
    }
}

impl Platform {
    /// Replaces each signing key older than [`super::KEY_ROTATION_SECS`] (the hourly
    /// retention job); the old one stays published for [`super::KEY_OVERLAP_SECS`]. Nodes
    /// running it at once rotate once: only the one that retires the old key goes on.
    /// Returns the new key ids.
    pub async fn system_oidc_rotate_due(&self) -> Result<Vec<String>, OidcError> {
        let now = self.now().timestamp_micros();
        let due_before = now - super::KEY_ROTATION_SECS * 1_000_000;
        let until = now + super::KEY_OVERLAP_SECS * 1_000_000;
        let mut tx = self.db.begin().await.map_err(OidcError::from)?;
        let mut fresh = Vec::new();
        for alg in [SIGNING_ALG, ES256] {
            let Some(old) = store::signing(&mut tx, alg).await? else {
                continue;
            };
            if old.created_at > due_before {
                continue;
            }
            if store::retire(&mut tx, &old.kid, now, until).await? == 0 {
                continue;
            }
            let k = new_key(alg, now)?;
            store::insert(&mut tx, &k).await?;
            fresh.push(k);
        }
        tx.commit().await.map_err(OidcError::from)?;
        for k in &fresh {
            self.oidc_signer_rotated(k)?;
            tracing::info!(kid = %k.kid, alg = %k.alg, "OIDC signing key rotated");
        }
        Ok(fresh.into_iter().map(|k| k.kid).collect())
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// An ES256 token verifies against its published JWK alone (as a tool does it), with the
    /// fixed 64-byte signature; a changed header `alg` or payload does not verify.
    #[test]
    fn es256_signs_and_verifies_against_the_published_jwk() {
        let k = new_key(ES256, 1).expect("key");
        assert_eq!(k.alg, ES256);
        let claims = json!({"sub": "s", "aud": "t1"});
        let jws = sign_with(&pair_of(&k).expect("pair"), &k.kid, &claims, "JWT").expect("jws");
        let (input, sig) = jws.rsplit_once('.').expect("three parts");
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(input.split_once('.').expect("header").0)
                .expect("b64"),
        )
        .expect("json");
        assert_eq!(header, json!({"alg": "ES256", "typ": "JWT", "kid": k.kid}));
        let sig = URL_SAFE_NO_PAD.decode(sig).expect("b64");
        assert_eq!(sig.len(), 64, "r || s");

        let j = jwk(&k).expect("jwk");
        assert_eq!(
            (&j["kty"], &j["crv"], &j["alg"], &j["use"], &j["kid"]),
            (
                &json!("EC"),
                &json!("P-256"),
                &json!("ES256"),
                &json!("sig"),
                &json!(k.kid)
            )
        );
        let coord = |c: &str| URL_SAFE_NO_PAD.decode(j[c].as_str().expect(c)).expect(c);
        let mut point = vec![4u8];
        point.extend(coord("x"));
        point.extend(coord("y"));
        assert_eq!(point.len(), 65);
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point);
        assert!(public.verify(input.as_bytes(), &sig).is_ok());
        assert!(public.verify(b"something else", &sig).is_err());
        assert_eq!(verify(std::slice::from_ref(&k), &jws), Some(claims));

        // Another key's alg in the header is refused, as is an RSA key under this kid.
        let rs = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": k.kid}).to_string());
        let body = input.split_once('.').expect("payload").1;
        assert_eq!(
            verify(
                std::slice::from_ref(&k),
                &format!("{rs}.{body}.{}", URL_SAFE_NO_PAD.encode(&sig))
            ),
            None
        );
        let rsa = KeyRow {
            alg: SIGNING_ALG.into(),
            ..new_key(SIGNING_ALG, 1).expect("rsa")
        };
        let other = KeyRow {
            kid: k.kid.clone(),
            ..rsa
        };
        assert_eq!(verify(&[other], &jws), None);
    }
}
