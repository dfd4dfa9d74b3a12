//! No input makes a reader panic: every fixture, mutated and truncated many times over,
//! gives data or a ReadError.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{fixture, read_bytes};
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;

/// xorshift64: deterministic, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut b = original.to_vec();
    for _ in 0..=rng.below(8) {
        let i = rng.below(b.len());
        b[i] = rng.next() as u8;
    }
    if rng.below(4) == 0 {
        b.truncate(rng.below(b.len()).max(1));
    }
    b
}

#[test]
fn mutated_files_never_panic() {
    let opts = ReadOptions {
        account_type: Some(AccountType::Schueler),
        zip_password: Some("pw".into()),
        ..ReadOptions::default()
    };
    let cases = [
        ("schild_example.xml", Format::Schild),
        ("ims_plain.xml", Format::Schild),
        ("svws_export.json", Format::Svws),
        ("table_semicolon.csv", Format::Table),
        ("table_comma_cp1252.csv", Format::Table),
        ("table.xlsx", Format::Table),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, format) in cases {
        let original = std::fs::read(fixture(name)).expect("fixture");
        for round in 0..300 {
            let bytes = mutate(&mut rng, &original);
            let result = catch_unwind(AssertUnwindSafe(|| read_bytes(&bytes, format, &opts)));
            assert!(result.is_ok(), "{name}, round {round} panicked");
        }
    }
}
