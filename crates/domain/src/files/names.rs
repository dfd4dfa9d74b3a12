//! What a file or folder may be called, and the key that makes names unique in a folder.
//!
//! Names are stored in Unicode NFC and compared by NFC + case fold, so `ä` typed
//! precomposed and `a` + combining diaeresis (macOS sends the latter) are one name.
//! Invisible format characters (bidi overrides that make `gpj.exe` look like `exe.jpg`,
//! zero-width spaces) and non-characters are refused: they let two names look alike.

use schulhof_store::files::{self as store, NodeRow};
use schulhof_types::{NodeId, UserId};
use unicode_normalization::UnicodeNormalization;

use crate::DomainError;

/// The longest name, in bytes (what common file systems allow).
pub const MAX_NAME_BYTES: usize = 255;

/// Checks a new name and returns it in NFC, the form that is stored: not empty, not `.`
/// or `..`, no `/`, `\`, control, format or non-characters, no surrounding spaces, at
/// most 255 bytes.
pub fn check_name(name: &str) -> Result<String, DomainError> {
    let name: String = name.nfc().collect();
    let bad = |m: &str| Err(DomainError::invalid("name", m));
    if name.is_empty() {
        return bad("Der Name darf nicht leer sein.");
    }
    if name == "." || name == ".." {
        return bad("Die Namen „.“ und „..“ sind nicht erlaubt.");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad("Der Name ist zu lang (höchstens 255 Bytes).");
    }
    if let Some(c) = name
        .chars()
        .find(|&c| matches!(c, '/' | '\\') || c.is_control())
    {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            c.to_string()
        };
        return Err(DomainError::invalid(
            "name",
            format!("Das Zeichen {shown} ist in Namen nicht erlaubt."),
        ));
    }
    if let Some(c) = name.chars().find(|&c| is_format(c) || is_noncharacter(c)) {
        return Err(DomainError::invalid(
            "name",
            format!(
                "Das unsichtbare Zeichen U+{:04X} ist in Namen nicht erlaubt: es lässt einen Namen wie einen anderen aussehen.",
                c as u32
            ),
        ));
    }
    if name.trim() != name {
        return bad("Der Name darf nicht mit Leerzeichen beginnen oder enden.");
    }
    Ok(name)
}

/// Unicode general category Cf (format characters, invisible), plus the line and
/// paragraph separators.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// The 66 non-characters: U+FDD0–U+FDEF and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let v = c as u32;
    (0xFDD0..=0xFDEF).contains(&v) || v & 0xFFFE == 0xFFFE
}

/// A name folded for comparison: NFC and case-insensitive, as on Windows and macOS.
/// Front-ends that key caches by name use it too.
pub fn fold_name(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    nfc.to_lowercase().nfc().collect()
}

/// The key that makes a name unique among its siblings, for an entry created by
/// `submitter` in `parent`. In a drop folder each submitter has a namespace of their own,
/// so handing in a name that another student used neither clashes nor tells that it
/// exists (`/` never occurs in a name, so scoped and plain keys never meet).
pub(crate) fn name_key_in(parent: &NodeRow, submitter: Option<UserId>, name: &str) -> String {
    match submitter.filter(|_| parent.drop_box) {
        Some(u) => scoped_key(u.0, name),
        None => fold_name(name),
    }
}

/// The key of an entry that is alone in its namespace: each upload through an upload-only
/// link is its own submission, so visitors learn nothing about names already there.
pub(crate) fn link_upload_key(node: NodeId, name: &str) -> String {
    scoped_key(node.0, name)
}

/// The key of a name in the namespace `scope`.
pub(crate) fn scoped_key(scope: uuid::Uuid, name: &str) -> String {
    format!("{}/{}", scope.simple(), fold_name(name))
}

/// Re-keys the children of a folder that becomes a drop folder (each name moves into its
/// submitter's namespace) or stops being one (back into the folder's). Link uploads keep
/// their namespace of one. Two submissions of the same name cannot share a normal folder:
/// that is a clear conflict, and nothing changes.
pub(crate) async fn rekey_children(
    tx: &mut schulhof_store::Tx,
    instance: schulhof_types::InstanceId,
    parent: NodeId,
    drop_box: bool,
) -> Result<(), DomainError> {
    for child in store::child_names(tx, instance, parent).await? {
        let scope = child.created_by.map_or(child.id.0, |u| u.0);
        let key = match drop_box {
            true if !child.name_key.contains('/') => scoped_key(scope, &child.name),
            false if child.name_key.starts_with(&format!("{}/", scope.simple())) => {
                fold_name(&child.name)
            }
            _ => continue,
        };
        match store::set_name_key(tx, instance, child.id, &key).await {
            Err(e) if e.is_unique_violation() => {
                return Err(DomainError::conflict(
                    "drop_box",
                    format!(
                        "Mehrere Abgaben heißen „{}“: benennen Sie sie erst um, dann wird der Ordner wieder ein normaler Ordner.",
                        child.name
                    ),
                ));
            }
            other => other?,
        }
    }
    Ok(())
}

/// The plain key of a name (no namespace).
pub(crate) fn name_key(name: &str) -> String {
    fold_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_file_systems_and_clients_choke_on() {
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a\\b",
            "tab\there",
            "nul\0",
            " lead",
            "trail ",
            &"x".repeat(256),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} must be refused");
        }
        for good in [
            "Zeugnis 5a.docx",
            "Übung (2).pdf",
            ".hidden",
            "ß",
            "日本語.txt",
            "مرحبا.txt",
            &"x".repeat(255),
        ] {
            assert!(check_name(good).is_ok(), "{good:?} must be allowed");
        }
    }

    #[test]
    fn refuses_invisible_format_characters_and_non_characters() {
        for bad in [
            "\u{202E}gpj.exe",
            "a\u{200B}b",
            "a\u{200E}b",
            "a\u{200F}b",
            "a\u{202A}b",
            "a\u{2066}b",
            "a\u{2069}b",
            "\u{FEFF}a",
            "a\u{FDD0}",
            "a\u{FFFE}",
            "a\u{1FFFF}",
            "a\u{E0041}",
        ] {
            let e = check_name(bad).expect_err(bad);
            assert!(e.to_string().contains("U+"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn names_are_stored_in_nfc_and_compared_folded() {
        let nfd = "a\u{0308}rger.txt";
        assert_eq!(check_name(nfd).expect("ok"), "\u{00E4}rger.txt");
        assert_eq!(fold_name(nfd), fold_name("\u{00C4}RGER.TXT"));
        assert_ne!(fold_name("a.txt"), fold_name("b.txt"));
    }
}
