//! Pairwise subjects (OIDC Core §8.1): the same person gets a different, stable `sub` at
//! every tool (sector) and at every school, and nothing stores the mapping.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schulhof_types::UserId;

/// `base64url(HMAC-SHA256(school secret, sector || 0x00 || user uuid))`. The 0x00 keeps
/// sector and uuid apart (no sector is a prefix trick away from another).
pub fn pairwise_subject(school_secret: &[u8], sector: &str, user: UserId) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, school_secret);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(sector.as_bytes());
    ctx.update(&[0]);
    ctx.update(user.0.as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.sign().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differs_per_sector_secret_and_person() {
        let u = UserId(uuid::Uuid::now_v7());
        let v = UserId(uuid::Uuid::now_v7());
        let a = pairwise_subject(b"school-a", "tool.example", u);
        assert_eq!(a, pairwise_subject(b"school-a", "tool.example", u));
        assert_ne!(a, pairwise_subject(b"school-b", "tool.example", u));
        assert_ne!(a, pairwise_subject(b"school-a", "other.example", u));
        assert_ne!(a, pairwise_subject(b"school-a", "tool.example", v));
        assert_eq!(a.len(), 43);
    }
}
