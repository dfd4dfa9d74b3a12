//! No input makes the reader panic: the golden archives are mutated at the byte level (the
//! container) and at the text level (the XML and HTML inside), and must come back as a
//! course or an error.

mod common;

use common::moodle::as_refs;
use common::{Entries, cartridge, moodle, tar_gz, zip, zip_stored};
use proptest::prelude::*;
use schulhof_course_import::{Limits, read_archive};

/// Small limits, so mutated size fields cannot make a case slow.
fn limits() -> Limits {
    Limits {
        max_total_bytes: 4 << 20,
        max_entry_bytes: 2 << 20,
        max_entries: 500,
        max_xml_depth: 32,
    }
}

fn fixtures() -> Vec<(bool, Entries)> {
    vec![
        (true, moodle::moodle4_entries()),
        (false, moodle::old_zip_entries()),
        (false, cartridge::cc11_entries()),
        (false, cartridge::cc13_entries()),
    ]
}

fn pack(tar: bool, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    if tar {
        tar_gz(&as_refs(entries))
    } else {
        zip(&as_refs(entries))
    }
}

/// Pieces that steer the readers into their less common paths when spliced into text.
const TOKENS: &[&str] = &[
    "@@PLUGINFILE@@",
    "@@PLUGINFILE@@/",
    "$IMS-CC-FILEBASE$/",
    " src=\"",
    " href='",
    " src=",
    "%",
    "%2",
    "%ff",
    "..",
    "../",
    "/",
    "\\",
    "<",
    ">",
    "</",
    "/>",
    "&amp;",
    "&#0;",
    "&#x1F600;",
    "\"",
    "'",
    "ä",
    "€",
    "😀",
    "$@NULL@$",
    "<![CDATA[",
    "]]>",
    "<item>",
    "<file href=\"",
    "identifierref=\"",
    "-1",
    "99999999999999999999",
    "0",
    "\u{0}",
    "\r\n",
    "?",
    "#",
    "=",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_container_bytes_never_panic(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let (tar, entries) = fixtures().swap_remove(which);
        let mut bytes = pack(tar, &entries);
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= b | 1;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        let _ = read_archive(&bytes, &limits());
    }

    #[test]
    fn mutated_xml_and_html_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0usize..TOKENS.len(), 0usize..4),
            1..12,
        ),
    ) {
        let (tar, mut entries) = fixtures().swap_remove(which);
        for (entry, at, token, op) in edits {
            let e = entry.index(entries.len());
            let text = String::from_utf8_lossy(&entries[e].1).into_owned();
            let mut chars: Vec<char> = text.chars().collect();
            let i = at.index(chars.len().max(1)).min(chars.len());
            match op {
                0 => {
                    chars.splice(i..i, TOKENS[token].chars());
                }
                1 => {
                    let end = (i + 1 + token).min(chars.len());
                    chars.drain(i..end);
                }
                2 => {
                    // Duplicate a span: repeated elements and attributes.
                    let end = (i + 40).min(chars.len());
                    let span: Vec<char> = chars[i..end].to_vec();
                    chars.splice(i..i, span);
                }
                _ => {
                    let end = (i + 5).min(chars.len());
                    chars.splice(i..end, TOKENS[token].chars());
                }
            }
            entries[e].1 = chars.into_iter().collect::<String>().into_bytes();
        }
        if let Ok(course) = read_archive(&pack(tar, &entries), &limits()) {
            // Whatever came through is consistent: every file id points to its bytes.
            for f in &course.files {
                prop_assert_eq!(course.bytes(f).len() as u64, f.size);
            }
        }
    }
}

/// The same mutations without proptest's shrinking, many more of them, from a fixed seed
/// (xorshift), so a panic found once is found on every run.
#[test]
fn xorshift_mutations_never_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Stored ZIPs (the Moodle backup too), so that changed bytes reach the XML and CRC
    // checks are the only guard the container has.
    let packed: Vec<Vec<u8>> = fixtures()
        .iter()
        .map(|(_, e)| zip_stored(&as_refs(e)))
        .collect();
    let mut read = 0;
    for round in 0..2000 {
        let mut bytes = packed[round % packed.len()].clone();
        let n = 1 + (next() % 6) as usize;
        for _ in 0..n {
            let i = (next() as usize) % bytes.len();
            bytes[i] = next() as u8;
        }
        read += usize::from(read_archive(&bytes, &limits()).is_ok());
    }
    // Some mutations must get past the container, or this test would test nothing.
    assert!(read > 0, "no mutated archive was read");
}
