//! JWTs a tool sends (deep linking responses, client assertions): RS256 signed with a key of
//! the JSON Web Key Set registered for the tool. The checks of the LTI Security Framework
//! §5.1.3 and RFC 7523 §3: signature, issuer, audience, expiry, and a nonce (or jti) used
//! only once.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// Why a tool's JWT is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwtFault {
    Malformed,
    /// No key of the tool's set fits, or the signature does not verify.
    BadSignature,
    Expired,
    WrongAudience,
    WrongIssuer,
    /// The nonce or jti is missing or was used before.
    Replayed,
}

impl JwtFault {
    pub fn describe(&self) -> &'static str {
        match self {
            JwtFault::Malformed => "malformed JWT",
            JwtFault::BadSignature => "JWT signature does not verify with the tool's keys",
            JwtFault::Expired => "JWT expired",
            JwtFault::WrongAudience => "JWT audience is not this platform",
            JwtFault::WrongIssuer => "JWT issuer is not the tool",
            JwtFault::Replayed => "nonce missing or already used",
        }
    }
}

fn part(s: &str) -> Result<Value, JwtFault> {
    let raw = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| JwtFault::Malformed)?;
    serde_json::from_slice(&raw).map_err(|_| JwtFault::Malformed)
}

/// The key id a JWT's header names, if any (NOT verified: only to pick the key).
pub fn header_kid(jwt: &str) -> Option<String> {
    let header = part(jwt.split('.').next()?).ok()?;
    header.get("kid")?.as_str().map(str::to_owned)
}

/// The claims of a JWT, NOT verified: only to learn which tool sent it.
pub fn unverified_claims(jwt: &str) -> Result<Value, JwtFault> {
    let mut it = jwt.split('.');
    let (_, payload) = (it.next(), it.next().ok_or(JwtFault::Malformed)?);
    part(payload)
}

/// Checks the RS256 signature against `jwks` (a key set or one key) and returns the claims.
pub fn verify(jwks: &Value, jwt: &str) -> Result<Value, JwtFault> {
    let (input, sig) = jwt.rsplit_once('.').ok_or(JwtFault::Malformed)?;
    let (header, payload) = input.split_once('.').ok_or(JwtFault::Malformed)?;
    let header = part(header)?;
    if header["alg"] != "RS256" {
        return Err(JwtFault::BadSignature);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| JwtFault::Malformed)?;
    let keys: Vec<&Value> = match jwks.get("keys").and_then(Value::as_array) {
        Some(k) => k.iter().collect(),
        None => vec![jwks],
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let ok = keys
        .iter()
        .filter(|k| k["kty"] == "RSA")
        .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
        .any(|k| rsa_verifies(k, input.as_bytes(), &sig));
    if !ok {
        return Err(JwtFault::BadSignature);
    }
    part(payload)
}

fn rsa_verifies(jwk: &Value, msg: &[u8], sig: &[u8]) -> bool {
    let field = |f: &str| {
        jwk[f]
            .as_str()
            .and_then(|s| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok())
    };
    let (Some(n), Some(e)) = (field("n"), field("e")) else {
        return false;
    };
    RsaPublicKeyComponents { n, e }
        .verify(&RSA_PKCS1_2048_8192_SHA256, msg, sig)
        .is_ok()
}

/// Whether `aud` (a string or an array) names `us`.
pub fn audience_has(claims: &Value, us: &str) -> bool {
    match &claims["aud"] {
        Value::String(s) => s == us,
        Value::Array(v) => v.iter().any(|a| a == us),
        _ => false,
    }
}

/// Issuer, audience and time checks; returns the expiry (unix seconds) for the nonce store.
pub fn check_claims(
    claims: &Value,
    issuer: &str,
    audiences: &[&str],
    now_secs: i64,
) -> Result<i64, JwtFault> {
    if claims["iss"] != issuer {
        return Err(JwtFault::WrongIssuer);
    }
    if !audiences.iter().any(|a| audience_has(claims, a)) {
        return Err(JwtFault::WrongAudience);
    }
    let exp = claims["exp"].as_i64().ok_or(JwtFault::Malformed)?;
    // A minute of clock skew; a JWT living longer than an hour is not accepted either.
    let iat = claims["iat"].as_i64().unwrap_or(now_secs);
    if exp + 60 < now_secs || iat > now_secs + 60 || exp - iat > 3600 {
        return Err(JwtFault::Expired);
    }
    Ok(exp)
}

/// A JSON Web Key Set as given at registration: a set or a single RSA key, public parts only.
pub fn parse_jwks(text: &str) -> Result<Value, &'static str> {
    let v: Value = serde_json::from_str(text).map_err(|_| "not JSON")?;
    let keys: Vec<Value> = match v.get("keys").and_then(Value::as_array) {
        Some(k) => k.clone(),
        None => vec![v],
    };
    if keys.is_empty() {
        return Err("no keys");
    }
    let mut out = Vec::new();
    for k in keys {
        if k["kty"] != "RSA" || !k["n"].is_string() || !k["e"].is_string() {
            return Err("only RSA keys with n and e");
        }
        // Never store a private part a careless export may contain.
        let mut public = serde_json::Map::new();
        for f in ["kty", "kid", "alg", "use", "n", "e"] {
            if let Some(x) = k.get(f) {
                public.insert(f.into(), x.clone());
            }
        }
        out.push(Value::Object(public));
    }
    Ok(serde_json::json!({ "keys": out }))
}
