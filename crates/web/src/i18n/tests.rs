use std::collections::{HashMap, HashSet};

use schulhof_types::{AccountType, FunctionRole, GroupKind};

use super::*;
use super::{table, table_du};

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
        .filter(|k| Tr::new(Lang::De).lookup(k).is_none())
        .collect();
    assert!(missing.is_empty(), "keys missing in the table: {missing:?}");
}

#[test]
fn names_of_types_roles_and_kinds_exist() {
    let tr = Tr::new(Lang::En);
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

/// Whether a German text addresses the reader formally: "Sie", or a form of "Ihr"/"Ihnen"
/// (capitalised; lower case "ihr" is "her"/"their").
fn says_sie(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic())
        .any(|w| w == "Sie" || w == "Ihnen" || w.starts_with("Ihr"))
}

/// The `{placeholders}` of a text.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(p, _)| p))
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn du_variants_replace_a_sie_text_and_say_du() {
    let sie: HashMap<&str, &str> = table::all().map(|(k, de, _)| (*k, *de)).collect();
    let mut seen = HashSet::new();
    for (key, du) in table_du::DU_TEXTS {
        assert!(seen.insert(*key), "duplicate du variant {key}");
        let de = sie
            .get(key)
            .unwrap_or_else(|| panic!("du variant {key} has no text in the tables"));
        assert!(says_sie(de), "{key}: the text does not say Sie: {de}");
        assert!(!says_sie(du), "{key}: the du variant still says Sie: {du}");
        assert!(!du.contains("Sie "), "{key}: {du}");
        assert_eq!(
            placeholders(de),
            placeholders(du),
            "{key}: placeholders differ"
        );
    }
}

/// The areas a student uses; their German texts that say "Sie" need a du variant, except
/// the few only a teacher or the admin sees.
const STUDENT_PREFIXES: &[&str] = &[
    "nav.",
    "absence.",
    "home.",
    "consent.",
    "account.",
    "revoke",
    "apppw.",
    "files.",
    "media.",
    "manager.",
    "shell.",
    "handin.",
    "preview.",
    "password.forced",
];
const NOT_FOR_STUDENTS: &[&str] = &["handin.new.intro", "handin.new.group_hint"];

#[test]
fn every_text_a_student_reads_has_a_du_variant() {
    let du: HashSet<&str> = table_du::DU_TEXTS.iter().map(|(k, _)| *k).collect();
    let missing: Vec<&str> = table::all()
        .filter(|(k, de, _)| {
            STUDENT_PREFIXES.iter().any(|p| k.starts_with(p))
                && !NOT_FOR_STUDENTS.contains(k)
                && says_sie(de)
                && !du.contains(k)
        })
        .map(|(k, _, _)| *k)
        .collect();
    assert!(
        missing.is_empty(),
        "student texts without a du variant: {missing:?}"
    );
}

#[test]
fn the_du_variant_is_read_only_in_german_and_only_when_asked() {
    let key = "home.lead";
    assert_eq!(Tr::new(Lang::De).t(key), "Was möchten Sie tun?");
    assert_eq!(
        Tr::new(Lang::De).with_du(true).t(key),
        "Was möchtest du tun?"
    );
    assert_eq!(
        Tr::new(Lang::De).with_du(false).t(key),
        "Was möchten Sie tun?"
    );
    assert_eq!(
        Tr::new(Lang::En).with_du(true).t(key),
        "What would you like to do?"
    );
    // A text without a du variant reads the same.
    assert_eq!(Tr::new(Lang::De).with_du(true).t("nav.home"), "Start");
    assert!(!Tr::new(Lang::En).with_du(true).du());
}

#[test]
fn course_messages_read_in_english() {
    assert_eq!(
        messages::translate(Lang::En, "Der Annahmeschluss liegt vor der Frist."),
        "The cut-off is before the due date."
    );
    assert_eq!(
        messages::translate(
            Lang::En,
            "Bitte einen Text mit höchstens 5000 Zeichen angeben."
        ),
        "Please give a text of at most 5000 characters."
    );
    assert_eq!(
        messages::translate(Lang::De, "Die Datei ist leer."),
        "Die Datei ist leer."
    );
    for (de, en) in super::table_lms_messages::LMS_MESSAGES {
        assert_eq!(messages::translate(Lang::En, de), *en);
    }
}
