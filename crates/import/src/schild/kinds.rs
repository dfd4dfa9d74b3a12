//! Mapping Schild's free-text values to our fixed types.

use schulhof_types::{AccountType, GroupKind};

/// `institutionroletype`, case-insensitive. Schild writes `Student`, `Faculty`, `extern`;
/// the other spellings come from generic IMS Enterprise exporters.
pub(super) fn account_type(value: &str) -> Option<AccountType> {
    match value.trim().to_lowercase().as_str() {
        "student" | "pupil" | "learner" => Some(AccountType::Schueler),
        "faculty" | "teacher" | "instructor" => Some(AccountType::Lehrer),
        "staff" | "administrator" | "personal" => Some(AccountType::Personal),
        "extern" | "external" | "guest" => Some(AccountType::Extern),
        _ => None,
    }
}

/// Schild has no group kind field, only names following conventions (spec §3.4), so the
/// kind is guessed from the type text and the names; the admin can change it later.
pub(super) fn group_kind(
    typevalue: Option<&str>,
    short: Option<&str>,
    long: Option<&str>,
) -> GroupKind {
    let names = [short, long].into_iter().flatten();
    let hay = [typevalue, short, long]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| hay.contains(w));
    if has(&["klasse"]) {
        GroupKind::Klasse
    } else if has(&["kurs"]) || names.clone().any(ends_with_four_part_list) {
        GroupKind::Kurs
    } else if has(&["fach", "bereich"]) {
        GroupKind::Fachschaft
    } else if has(&["lehrer", "personal", "kollegium"]) {
        GroupKind::Personalgruppe
    } else {
        GroupKind::Arbeitsgruppe
    }
}

/// `E-05A (E, PUK, 05, Schueler)`: Schild's course naming.
fn ends_with_four_part_list(name: &str) -> bool {
    let Some(inner) = name.trim().strip_suffix(')') else {
        return false;
    };
    let Some(open) = inner.rfind('(') else {
        return false;
    };
    let parts: Vec<&str> = inner[open + 1..].split(',').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_role_types() {
        assert_eq!(account_type("Student"), Some(AccountType::Schueler));
        assert_eq!(account_type(" FACULTY "), Some(AccountType::Lehrer));
        assert_eq!(account_type("extern"), Some(AccountType::Extern));
        assert_eq!(account_type("staff"), Some(AccountType::Personal));
        assert_eq!(account_type("Parent"), None);
    }

    #[test]
    fn guesses_group_kinds() {
        let k = |t: &str, s: &str| group_kind(Some(t), Some(s), None);
        assert_eq!(k("Klasse", "Klasse 05A - Lehrer"), GroupKind::Klasse);
        assert_eq!(k("Gruppe", "E-05A (E, PUK, 05, Schueler)"), GroupKind::Kurs);
        assert_eq!(k("Kurs", "Englisch"), GroupKind::Kurs);
        assert_eq!(k("Gruppe", "Fachschaft Mathematik"), GroupKind::Fachschaft);
        assert_eq!(k("Gruppe", "Bereich MINT"), GroupKind::Fachschaft);
        assert_eq!(k("Gruppe", "Alle - Lehrer"), GroupKind::Personalgruppe);
        assert_eq!(k("Gruppe", "Alle - Schueler"), GroupKind::Arbeitsgruppe);
        assert_eq!(k("Gruppe", "Theater (a, b)"), GroupKind::Arbeitsgruppe);
    }
}
