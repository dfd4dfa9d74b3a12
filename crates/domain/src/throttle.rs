//! Throttling of password guesses: logins (web, API, WebDAV Basic), the own password
//! change, the Safe password and share-link passwords.
//!
//! The rule. A guess is counted against three counters, all kept in the database so every
//! node sees the same numbers:
//! - **subject and address together** (an account and the address guessing at it): after
//!   5 failures within 15 quiet minutes the pair is blocked for 5 s, doubling with every
//!   further failure up to 15 min. This locks the guesser's address, not the account.
//! - **subject** (one per resolved account, whether addressed by login name or mail; an
//!   unknown name counts under the typed name, so the answers do not tell whether it
//!   exists; for the Safe the user, for a link the link): after 10 failures from any
//!   addresses the same growing block — except for an address the account has logged in
//!   from successfully before (remembered in the database for 180 days). So guesses from
//!   many addresses are stopped, while the owner still gets in from her usual place.
//! - **address**: never blocks (a whole school logs in from one NAT address at 08:00);
//!   after 100 failures within 15 quiet minutes each attempt from it waits 1–8 s before
//!   it is checked. Only failures count here, added by one incrementing statement.
//!
//! The two blocking counters are *reserved* before the hash is checked, in one statement
//! that increments and returns them ([`schulhof_store::throttle::reserve`]); a right
//! password takes its reservation back ([`release`]). Parallel guesses therefore cannot all
//! pass the gate, on one node or many.

use chrono::{DateTime, Duration, Utc};
use schulhof_store::Db;
use schulhof_store::throttle::{self as store, Limits};
use schulhof_types::InstanceId;

use crate::DomainError;

const WINDOW: Duration = Duration::minutes(15);

const PAIR: Limits = Limits {
    window: WINDOW,
    blocking_from: 5,
    first_block: Duration::seconds(5),
    max_block: Duration::minutes(15),
};
const SUBJECT: Limits = Limits {
    blocking_from: 10,
    ..PAIR
};
const ADDRESS: Limits = Limits {
    blocking_from: i64::MAX,
    ..PAIR
};
const ADDRESS_FREE_FAILURES: i64 = 100;
const ADDRESS_MAX_DELAY_SECS: u64 = 8;

/// What a guess is counted against.
pub struct Guess<'a> {
    pub instance: InstanceId,
    /// `u:<user id>`, `n:<typed name>`, `safe:<user id>`, `link:<link id>`.
    pub subject: String,
    pub address: &'a str,
    /// The address logged in to this account successfully before: the per-subject block
    /// does not apply to it (the per-pair block does).
    pub known_address: bool,
}

/// Counters this guess holds; give them back with [`release`] when the password was right.
#[must_use]
pub struct Reservation {
    instance: InstanceId,
    pair: String,
    taken: Vec<(String, Limits)>,
    /// How long to wait before checking, because the address failed often.
    pub delay: std::time::Duration,
}

/// The subject of a login name: the account if it exists, else the typed name.
pub fn account_subject(user: Option<schulhof_types::UserId>, typed: &str) -> String {
    match user {
        Some(u) => format!("u:{u}"),
        None => format!("n:{}", typed.trim().to_lowercase()),
    }
}

fn throttled(until: DateTime<Utc>, now: DateTime<Utc>) -> DomainError {
    DomainError::Throttled {
        retry_after_secs: (until - now).num_seconds().max(1) as u64,
    }
}

/// Reserves a guess, or refuses it with `Throttled`. Nothing is counted when it is refused.
pub async fn reserve(
    db: &Db,
    guess: &Guess<'_>,
    now: DateTime<Utc>,
) -> Result<Reservation, DomainError> {
    let instance = guess.instance;
    let pair = format!("p:{}|{}", guess.subject, guess.address);
    let subject = format!("s:{}", guess.subject);
    let address = format!("ip:{}", guess.address);
    // One transaction: a refusal by a later counter rolls back the earlier reservations.
    let mut tx = db.begin().await?;
    let p = store::reserve(&mut tx, instance, &pair, PAIR, now).await?;
    if p.refused {
        return Err(throttled(p.blocked_until, now));
    }
    let mut taken = vec![(pair.clone(), PAIR)];
    let s = store::reserve(&mut tx, instance, &subject, SUBJECT, now).await?;
    if s.refused && !guess.known_address {
        return Err(throttled(s.blocked_until, now));
    }
    if !s.refused {
        taken.push((subject, SUBJECT));
    }
    // The address only slows down and counts real failures (after the check), so the
    // correct logins in flight at 08:00 behind one NAT address do not slow each other.
    let failed = store::get(&mut tx, instance, &address)
        .await?
        .filter(|a| now - a.window_start < WINDOW)
        .map_or(0, |a| a.failures);
    tx.commit().await?;
    Ok(Reservation {
        instance,
        pair,
        taken,
        delay: address_delay(failed),
    })
}

/// The password was right: the pair starts afresh, the subject forgets this attempt.
pub async fn release(db: &Db, r: Reservation, now: DateTime<Utc>) -> Result<(), DomainError> {
    let mut tx = db.begin().await?;
    for (key, limits) in &r.taken {
        if *key == r.pair {
            store::clear(&mut tx, r.instance, key).await?;
        } else {
            store::release(&mut tx, r.instance, key, *limits, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Reserves, waits out the address's delay and checks: `Ok(true)` for a right password
/// (reservation released), `Ok(false)` for a wrong one (counted).
pub async fn checked(
    db: &Db,
    guess: &Guess<'_>,
    now: DateTime<Utc>,
    check: impl AsyncFnOnce() -> Result<bool, DomainError>,
) -> Result<bool, DomainError> {
    let r = reserve(db, guess, now).await?;
    if !r.delay.is_zero() {
        tracing::warn!(address = guess.address, delay = ?r.delay, "many failed guesses from this address: slowing down");
        tokio::time::sleep(r.delay).await;
    }
    match check().await {
        Ok(false) => {
            // One statement that increments: parallel failures are all counted.
            let mut tx = db.begin().await?;
            let address = format!("ip:{}", guess.address);
            store::reserve(&mut tx, guess.instance, &address, ADDRESS, now).await?;
            tx.commit().await?;
            Ok(false)
        }
        // Right, or not checked at all (the hasher was busy): not a failed guess.
        result => {
            release(db, r, now).await?;
            result
        }
    }
}

/// How long an attempt from an address with `failures` failures waits before it is checked.
fn address_delay(failures: i64) -> std::time::Duration {
    if failures < ADDRESS_FREE_FAILURES {
        return std::time::Duration::ZERO;
    }
    let steps = ((failures - ADDRESS_FREE_FAILURES) / 50).min(3) as u32;
    std::time::Duration::from_secs((1u64 << steps).min(ADDRESS_MAX_DELAY_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_slow_down_but_never_block() {
        assert_eq!(address_delay(99), std::time::Duration::ZERO);
        assert_eq!(address_delay(100), std::time::Duration::from_secs(1));
        assert_eq!(address_delay(150), std::time::Duration::from_secs(2));
        assert_eq!(address_delay(10_000), std::time::Duration::from_secs(8));
    }

    #[test]
    fn login_name_and_mail_of_one_account_share_a_subject() {
        let u = schulhof_types::UserId(uuid::Uuid::nil());
        assert_eq!(account_subject(Some(u), "a"), account_subject(Some(u), "b"));
        assert_eq!(account_subject(None, " Anna "), "n:anna");
    }
}
