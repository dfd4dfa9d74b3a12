//! What a file or folder may be called.

use crate::DomainError;

/// The longest name, in bytes (what common file systems allow).
pub const MAX_NAME_BYTES: usize = 255;

/// Checks a new name: not empty, not `.` or `..`, no `/`, `\` or control characters,
/// no surrounding spaces, at most 255 bytes.
pub fn check_name(name: &str) -> Result<(), DomainError> {
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
        .find(|c| matches!(c, '/' | '\\') || c.is_control())
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
    if name.trim() != name {
        return bad("Der Name darf nicht mit Leerzeichen beginnen oder enden.");
    }
    Ok(())
}

/// Names are unique per folder regardless of case, as on Windows and macOS.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
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
            &"x".repeat(255),
        ] {
            assert!(check_name(good).is_ok(), "{good:?} must be allowed");
        }
    }
}
