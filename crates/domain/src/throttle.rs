//! Failed-login throttling, per account and per client address.
//!
//! Per account: after a few failures the account is blocked for a growing time, so guessing
//! one password is slow. Per address: only *failures* count, and a busy address is slowed
//! down (the attempt waits before it is checked) rather than blocked, because a whole school
//! logs in from one NAT address at 08:00 and correct logins must still go through.

use chrono::{DateTime, Duration, Utc};
use schulhof_store::AsConn;
use schulhof_store::throttle::{self, Counter};
use schulhof_types::InstanceId;

use crate::DomainError;

const WINDOW: Duration = Duration::minutes(15);
const ACCOUNT_FREE_FAILURES: i64 = 5;
const ACCOUNT_MAX_BLOCK_SECS: i64 = 15 * 60;
const ADDRESS_FREE_FAILURES: i64 = 100;
const ADDRESS_MAX_DELAY_SECS: u64 = 8;

pub fn account_key(login: &str) -> String {
    format!("a:{}", login.trim().to_lowercase())
}

pub fn address_key(addr: &str) -> String {
    format!("ip:{addr}")
}

/// Refuses the attempt if the account is blocked.
pub fn check_account(counter: Option<Counter>, now: DateTime<Utc>) -> Result<(), DomainError> {
    match counter {
        Some(c) if c.blocked_until > now => {
            let secs = (c.blocked_until - now).num_seconds().max(1) as u64;
            Err(DomainError::Throttled {
                retry_after_secs: secs,
            })
        }
        _ => Ok(()),
    }
}

/// How long an attempt from this address waits before it is checked.
pub fn address_delay(counter: Option<Counter>, now: DateTime<Utc>) -> std::time::Duration {
    match counter {
        Some(c) if now - c.window_start < WINDOW && c.failures >= ADDRESS_FREE_FAILURES => {
            let steps = ((c.failures - ADDRESS_FREE_FAILURES) / 50).min(3) as u32;
            std::time::Duration::from_secs((1u64 << steps).min(ADDRESS_MAX_DELAY_SECS))
        }
        _ => std::time::Duration::ZERO,
    }
}

/// The counter after one more failure.
pub fn after_failure(counter: Option<Counter>, now: DateTime<Utc>, blocks: bool) -> Counter {
    let mut c = match counter {
        Some(c) if now - c.window_start < WINDOW => c,
        _ => Counter {
            failures: 0,
            window_start: now,
            blocked_until: now,
        },
    };
    c.failures += 1;
    if blocks && c.failures >= ACCOUNT_FREE_FAILURES {
        let exp = (c.failures - ACCOUNT_FREE_FAILURES).min(10) as u32;
        let secs = (5i64 << exp).min(ACCOUNT_MAX_BLOCK_SECS);
        c.blocked_until = now + Duration::seconds(secs);
    }
    c
}

/// Records a failed attempt against the account and the address.
pub async fn record_failure(
    c: &mut impl AsConn,
    instance: InstanceId,
    account: (&str, Option<Counter>),
    address: (&str, Option<Counter>),
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    throttle::put(c, instance, account.0, after_failure(account.1, now, true)).await?;
    throttle::put(c, instance, address.0, after_failure(address.1, now, false)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_block_after_five_failures_and_grow() {
        let now = Utc::now();
        let mut c = None;
        for _ in 0..4 {
            c = Some(after_failure(c, now, true));
            assert!(check_account(c, now).is_ok());
        }
        c = Some(after_failure(c, now, true));
        assert!(matches!(
            check_account(c, now),
            Err(DomainError::Throttled {
                retry_after_secs: 5
            })
        ));
        c = Some(after_failure(c, now, true));
        assert!(matches!(
            check_account(c, now),
            Err(DomainError::Throttled {
                retry_after_secs: 10
            })
        ));
        assert!(check_account(c, now + Duration::seconds(11)).is_ok());
    }

    #[test]
    fn addresses_slow_down_but_never_block() {
        let now = Utc::now();
        let mut c = None;
        for _ in 0..99 {
            c = Some(after_failure(c, now, false));
        }
        assert_eq!(address_delay(c, now), std::time::Duration::ZERO);
        c = Some(after_failure(c, now, false));
        assert_eq!(address_delay(c, now), std::time::Duration::from_secs(1));
        assert_eq!(c.map(|c| c.blocked_until), Some(now));
        assert_eq!(address_delay(c, now + WINDOW), std::time::Duration::ZERO);
    }
}
