//! Every action the domain writes into the operators' log has words in both languages:
//! found by reading the domain's source, so a new action without a text fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use schulhof_front::Lang;

use super::action_text;
use crate::i18n::Tr;

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The pieces of `src` from each `start` up to the next `end`.
fn statements<'a>(src: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    src.match_indices(start)
        .map(|(at, _)| {
            let rest = &src[at..];
            &rest[..rest.find(end).unwrap_or(rest.len())]
        })
        .collect()
}

/// A call of the operators' `audit::record(c, platform, …)` — the schools' log is
/// `audit::record(c, instance, now, event)`, whose second argument is never the platform.
fn is_operator_record(call: &str) -> bool {
    call.split(',')
        .nth(1)
        .is_some_and(|a| matches!(a.trim(), "self" | "p"))
}

/// The string literals that look like action codes (not the keys of a `json!` detail).
fn codes_in(statement: &str, out: &mut BTreeSet<String>) {
    let parts: Vec<&str> = statement.split('"').collect();
    for (i, &part) in parts.iter().enumerate() {
        let json_key = parts
            .get(i + 1)
            .is_some_and(|next| next.trim_start().starts_with(':'));
        let code_like = i % 2 == 1
            && !json_key
            && part.starts_with(|c: char| c.is_ascii_lowercase())
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
        if code_like {
            out.insert(part.to_owned());
        }
    }
}

/// Every action code the domain writes into the operators' log.
fn operator_codes() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    let mut codes = BTreeSet::new();
    for f in files {
        let src = std::fs::read_to_string(&f).expect("readable source");
        let mut found: Vec<&str> = statements(&src, "audit::record(", ";")
            .into_iter()
            .filter(|s| is_operator_record(s))
            .collect();
        found.extend(statements(&src, "OperatorAuditEntry {", "}"));
        // Refused logins go through a helper of their own.
        found.extend(statements(&src, "self.operator_event(", ";"));
        if found.is_empty() {
            continue;
        }
        // The code is often chosen a line before the call.
        found.extend(statements(&src, "let action = ", ";"));
        found.extend(statements(&src, "let (id, action) = match", "};"));
        for s in found {
            codes_in(s, &mut codes);
        }
    }
    codes
}

#[test]
fn every_operator_action_has_words() {
    let codes = operator_codes();
    for must in [
        "login",
        "login_failed",
        "login_throttled",
        "login_recovery_code",
        "recovery_codes.new",
        "school.deactivate",
        "school.reactivate",
        "blog.publish",
        "mail_rate_limited",
    ] {
        assert!(codes.contains(must), "the scan misses {must}: {codes:?}");
    }
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| {
            Tr::new(Lang::De)
                .lookup(&format!("op.action.{c}"))
                .is_none()
                || Tr::new(Lang::En)
                    .lookup(&format!("op.action.{c}"))
                    .is_none()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "operator actions without a text: {missing:?}"
    );
    assert!(!codes.contains("hidden"), "a detail's key is no action");
}

#[test]
fn actions_read_as_words_and_unknown_codes_as_they_are() {
    let de = Tr::new(Lang::De);
    let en = Tr::new(Lang::En);
    assert_eq!(action_text(de, "school.create"), "Schule angelegt");
    assert_eq!(action_text(en, "school.create"), "School created");
    assert_eq!(action_text(de, "future.thing"), "future.thing");
}
