//! Argon2 work memory, reused between hashes.
//!
//! Each verification needs 19 MiB. Allocating it fresh costs page faults on every login
//! (about 40 % of a hash here) and leaves every blocking thread's malloc holding its own
//! 19 MiB afterwards. A pool with at most one buffer per hashing slot avoids both.

use std::sync::Mutex;

use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

#[derive(Default)]
pub struct Buffers(Mutex<Vec<Vec<Block>>>);

impl Buffers {
    fn take(&self) -> Vec<Block> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default()
    }

    fn give(&self, buffer: Vec<Block>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buffer);
    }

    /// Whether `password` matches the PHC string `phc`: the same steps as password-hash's
    /// `PasswordVerifier`, computed in a reused buffer, compared in constant time by `Output`.
    pub fn verify(&self, password: &[u8], phc: &str) -> bool {
        let mut memory = self.take();
        let ok = verify_in(&mut memory, password, phc);
        self.give(memory);
        ok
    }
}

fn verify_in(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = hash
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    memory.resize(params.block_count(), Block::new());
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, memory.as_mut_slice())
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordHasher as _;

    use super::*;

    fn phc(m_kib: u32, password: &str) -> String {
        let params = Params::new(m_kib, 2, 1, None).expect("params");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        argon
            .hash_password(password.as_bytes())
            .expect("hash")
            .to_string()
    }

    #[test]
    fn agrees_with_the_library_for_right_and_wrong_passwords() {
        let buffers = Buffers::default();
        let big = phc(4096, "richtig-lang");
        let small = phc(64, "anderes-passwort");
        for _ in 0..2 {
            assert!(buffers.verify(b"richtig-lang", &big));
            assert!(!buffers.verify(b"richtig-lanG", &big));
            assert!(
                buffers.verify(b"anderes-passwort", &small),
                "a reused, larger buffer shrinks"
            );
            assert!(!buffers.verify(b"richtig-lang", &small));
        }
        assert_eq!(
            buffers.0.lock().expect("lock").len(),
            1,
            "one buffer, reused"
        );
    }

    #[test]
    fn malformed_hashes_never_match() {
        let buffers = Buffers::default();
        let good = phc(64, "passwort-123");
        for bad in [
            "",
            "$argon2id$",
            "kein-hash",
            &good.replace("$argon2id$", "$argon2x$"),
            &good[..good.len() - 4],
        ] {
            assert!(!buffers.verify(b"passwort-123", bad), "{bad}");
        }
    }
}
