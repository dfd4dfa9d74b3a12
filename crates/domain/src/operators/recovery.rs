//! One-time recovery codes: the way in for an operator whose authenticator is lost. Ten
//! codes are made at creation, on a reset and when the operator asks for new ones; they are
//! shown once and kept only as hashes. At the login a code takes the place of the TOTP code
//! (the password is still needed), works once, is audited, and the operator is told how
//! many remain.

use chrono::{DateTime, Utc};
use rand::RngCore;
use schulhof_authz::operator::{ManageOwnRecoveryCodes, check_operator};
use schulhof_store::AsConn;
use schulhof_store::operators::accounts as accounts_store;
use schulhof_store::operators::recovery as store;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{OPERATOR_REALM, OperatorActor, audit, totp};
use crate::{DomainError, Platform, throttle};

/// How many codes one set has.
pub const CODES_PER_SET: usize = 10;
/// Random bytes per code: 80 bits, far beyond guessing even offline, so the stored hash
/// needs neither salt nor a slow function.
const CODE_BYTES: usize = 10;
/// Base32 characters per code (80 bits / 5).
const CODE_CHARS: usize = 16;

/// The canonical form of a typed recovery code (upper case, no spaces or dashes), or
/// `None` when it cannot be one.
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let base32 = code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    (code.len() == CODE_CHARS && base32).then_some(code)
}

fn hash(normalized: &str) -> Vec<u8> {
    Sha256::digest(normalized.as_bytes()).to_vec()
}

/// A new code as shown: four groups of four, `ABCD-EFGH-IJKL-MNOP`.
fn new_code() -> String {
    let mut raw = [0u8; CODE_BYTES];
    rand::rng().fill_bytes(&mut raw);
    let plain = totp::base32(&raw);
    plain
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Makes a new set for the operator, replacing every earlier code; returns the codes to
/// show once.
pub(crate) async fn issue(
    c: &mut impl AsConn,
    operator: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DomainError> {
    let codes: Vec<String> = (0..CODES_PER_SET).map(|_| new_code()).collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|c| normalize(c))
        .map(|n| hash(&n))
        .collect();
    if hashes.len() != CODES_PER_SET {
        return Err(DomainError::Internal("a recovery code is malformed".into()));
    }
    store::replace(c, operator, &hashes, now).await?;
    Ok(codes)
}

/// Uses the operator's recovery code `typed` if it is one of the unused ones.
pub(crate) async fn redeem(p: &Platform, operator: Uuid, typed: &str) -> Result<bool, DomainError> {
    let Some(code) = normalize(typed) else {
        return Ok(false);
    };
    let mut tx = p.db.begin().await?;
    let used = store::claim(&mut tx, operator, &hash(&code), p.now()).await?;
    tx.commit().await?;
    Ok(used)
}

/// Whether the typed second factor looks like a TOTP code (six digits) rather than a
/// recovery code.
pub(crate) fn looks_like_totp(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Audits a login with a recovery code (in the login's transaction); returns how many
/// codes remain.
pub(crate) async fn audit_use(
    c: &mut impl AsConn,
    p: &Platform,
    operator: Uuid,
    client_addr: &str,
) -> Result<i64, DomainError> {
    let left = store::remaining(c, operator).await?;
    let detail = serde_json::json!({ "remaining": left });
    audit::record(
        c,
        p,
        Some(operator),
        "login_recovery_code",
        None,
        client_addr,
        Some(detail),
    )
    .await?;
    Ok(left)
}

impl Platform {
    /// How many of the own recovery codes are still unused.
    pub async fn operator_recovery_codes_left(
        &self,
        actor: &OperatorActor,
    ) -> Result<i64, DomainError> {
        let grant = check_operator(&actor.token, ManageOwnRecoveryCodes)?;
        let mut c = self.db.read().await?;
        Ok(store::remaining(&mut c, grant.operator()).await?)
    }

    /// Makes a new set of recovery codes (the old ones stop working) after the own password
    /// is confirmed — a session alone is not enough to mint a way in. Wrong passwords are
    /// throttled with the password change's counter; audited.
    pub async fn operator_new_recovery_codes(
        &self,
        actor: &OperatorActor,
        password: &str,
        client_addr: &str,
    ) -> Result<Vec<String>, DomainError> {
        let grant = check_operator(&actor.token, ManageOwnRecoveryCodes)?;
        let mut c = self.db.read().await?;
        let row = accounts_store::find_by_login(&mut c, &actor.login)
            .await?
            .filter(|r| r.id == grant.operator())
            .ok_or(DomainError::SessionEnded)?;
        drop(c);
        let guess = throttle::Guess {
            instance: OPERATOR_REALM,
            subject: format!("pw:{}", row.id),
            address: client_addr,
            known_address: false,
        };
        let verify = async || self.hasher.verify(password, Some(&row.password_hash)).await;
        if !throttle::checked(&self.db, &guess, self.now(), verify).await? {
            return Err(DomainError::invalid(
                "password",
                "the current password is wrong",
            ));
        }
        let mut tx = self.db.begin().await?;
        let codes = issue(&mut tx, row.id, self.now()).await?;
        let detail = serde_json::json!({ "codes": codes.len() });
        audit::record(
            &mut tx,
            self,
            Some(row.id),
            "recovery_codes.new",
            None,
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_base32_characters_in_four_groups() {
        let code = new_code();
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3, "{code}");
        assert!(normalize(&code).is_some(), "{code}");
        assert_ne!(new_code(), code, "random");
    }

    #[test]
    fn typed_codes_are_normalised() {
        let n = normalize("abcd-efgh ijkl-mnop").expect("a code");
        assert_eq!(n, "ABCDEFGHIJKLMNOP");
        assert_eq!(
            normalize("ABCD EFGH IJKL MNOP").as_deref(),
            Some(n.as_str())
        );
        assert_eq!(normalize("ABCD-EFGH-IJKL-MNO"), None, "too short");
        assert_eq!(normalize("ABCD-EFGH-IJKL-MNO1"), None, "1 is no base32");
        assert_eq!(normalize(""), None);
        assert_eq!(hash(&n), hash("ABCDEFGHIJKLMNOP"));
    }

    #[test]
    fn six_digits_are_a_totp_code() {
        assert!(looks_like_totp("123 456"));
        assert!(
            looks_like_totp("12345"),
            "a short TOTP code is still tried as one"
        );
        assert!(!looks_like_totp("ABCD-EFGH-IJKL-MNOP"));
        assert!(!looks_like_totp(""));
    }
}
