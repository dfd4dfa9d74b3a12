//! Set-up shared by the operator tests: a platform with the demo school on a manual clock,
//! and the TOTP codes an operator's authenticator app would show. Tests that only sign an
//! operator in use [`secret_of`] alone; the rest is then unused there.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::operators::totp;
use schulhof_domain::{Config, Db, HashParams, Platform};

#[allow(dead_code)]
pub const NEW_PW: &str = "ein-langes-betriebspasswort";

#[allow(dead_code)]
pub struct Env {
    pub p: Platform,
    pub clock: Arc<ManualClock>,
}

#[allow(dead_code)]
pub async fn env(db: Db) -> Env {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 7, 55, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let p = Platform::new(db, clock.clone(), config);
    p.system_seed_demo().await.expect("demo");
    Env { p, clock }
}

impl Env {
    /// The code the authenticator shows now.
    #[allow(dead_code)]
    pub fn code(&self, secret: &[u8]) -> String {
        totp::code_at_step(secret, totp::step_at(self.p.now().timestamp()))
    }

    /// The next 30-second step, so a fresh code exists.
    #[allow(dead_code)]
    pub fn next_step(&self) {
        self.clock.advance(Duration::seconds(totp::PERIOD));
    }
}

/// The key of an `otpauth://` URI (RFC 4648 base32).
pub fn secret_of(uri: &str) -> Vec<u8> {
    let b32 = uri
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("secret="))
        .expect("secret in the URI");
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in b32.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {c}"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}
