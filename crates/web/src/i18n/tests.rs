use std::collections::HashSet;

use schulhof_types::{AccountType, FunctionRole, GroupKind};

use super::table;
use super::*;

#[test]
fn keys_are_unique_and_both_languages_are_filled() {
    let mut seen = HashSet::new();
    for (key, de, en) in table::all() {
        assert!(seen.insert(*key), "duplicate key {key}");
        assert!(!de.is_empty() && !en.is_empty(), "empty text for {key}");
    }
}

/// Dotted string literals in the sources and templates that look like keys.
fn used_keys() -> HashSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every source and template, in every area's folder; not the tables themselves, nor the
    // tests, whose logins and file names look like keys.
    let mut files = Vec::new();
    let mut dirs = vec![root.join("src"), root.join("templates")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let skip = path.ends_with("src/tests") || path.ends_with("src/i18n");
            if path.is_dir() {
                if !skip {
                    dirs.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    let mut keys = HashSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read file");
        for (i, part) in text.split('"').enumerate() {
            let looks_like_key = i % 2 == 1
                && part.contains('.')
                && !part.ends_with(".html")
                && !part.ends_with(".css")
                && !part.ends_with(".js")
                && !part.ends_with(".svg")
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
            if looks_like_key {
                keys.insert(part.to_owned());
            }
        }
    }
    keys
}

#[test]
fn every_key_used_is_in_the_table() {
    let used = used_keys();
    assert!(
        used.len() > 100,
        "the scan found too few keys: {}",
        used.len()
    );
    let missing: Vec<String> = used
        .into_iter()
        .filter(|k| Tr(Lang::De).lookup(k).is_none())
        .collect();
    assert!(missing.is_empty(), "keys missing in the table: {missing:?}");
}

#[test]
fn names_of_types_roles_and_kinds_exist() {
    let tr = Tr(Lang::En);
    for t in AccountType::ALL {
        assert!(tr.lookup(&format!("type.{t}")).is_some(), "{t}");
        assert!(tr.lookup(&format!("to.{t}")).is_some(), "{t}");
    }
    for r in FunctionRole::ALL {
        assert!(tr.lookup(&format!("role.{r}")).is_some(), "{r}");
    }
    for k in GroupKind::ALL {
        assert!(tr.lookup(&format!("kind.{k}")).is_some(), "{k}");
    }
    for code in [
        "not_found",
        "forbidden",
        "invalid_credentials",
        "not_logged_in",
        "consent_required",
        "consent_declined",
        "password_change_required",
        "quota_exceeded",
    ] {
        assert!(tr.lookup(&format!("error.code.{code}")).is_some(), "{code}");
    }
}

#[test]
fn domain_messages_are_translated() {
    assert_eq!(
        messages::translate(Lang::De, "must not be empty"),
        "darf nicht leer sein"
    );
    assert_eq!(
        messages::translate(Lang::De, "anna is already taken"),
        "anna ist bereits vergeben"
    );
    assert_eq!(
        messages::translate(Lang::En, "must not be empty"),
        "must not be empty"
    );
    assert_eq!(
        messages::translate(Lang::De, "something new"),
        "something new"
    );
}

#[test]
fn import_file_errors_name_the_place_in_german() {
    assert_eq!(
        messages::translate(
            Lang::De,
            "line 4, column 12, /enterprise/person[1]: malformed XML: x"
        ),
        "Zeile 4, Spalte 12, /enterprise/person[1]: fehlerhaftes XML: x"
    );
    assert_eq!(
        messages::translate(
            Lang::De,
            "line 1: the table has no column for Quell-ID (mandatory); columns found: Vorname"
        ),
        "Zeile 1: die Tabelle hat keine Spalte für Quell-ID (Pflicht); gefundene Spalten: Vorname"
    );
    assert_eq!(messages::position(Lang::De, "file"), "Datei");
    assert_eq!(messages::position(Lang::En, "line 2"), "line 2");
}

#[test]
fn file_messages_read_in_english() {
    assert_eq!(
        messages::translate(Lang::En, "Das Zeichen / ist in Namen nicht erlaubt."),
        "The character / is not allowed in names."
    );
    assert_eq!(
        messages::translate(Lang::En, "Ein Bereich kann nicht gelöscht werden."),
        "An area cannot be deleted."
    );
    assert_eq!(
        messages::translate(Lang::De, "Ein Bereich kann nicht gelöscht werden."),
        "Ein Bereich kann nicht gelöscht werden."
    );
}
