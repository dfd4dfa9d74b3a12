//! One log line in words: who acted (the person, and the function account they used),
//! what (the action's text, not its code), whom or what it concerned, and when in the
//! school's time. Shared by the page and the CSV export.

use schulhof_domain::audit::{NamedEntry, detail_name};

use crate::i18n::Tr;
use crate::when::Zone;

pub struct LogLine {
    pub at: String,
    pub at_iso: String,
    pub person: String,
    pub function: String,
    pub action: String,
    pub object: String,
}

const DASH: &str = "–";

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// The words for an action code; an unknown code (a newer binary's) is shown as it is.
pub fn action_text(tr: Tr, code: &str) -> String {
    tr.lookup(&format!("action.{code}"))
        .map_or_else(|| code.to_owned(), str::to_owned)
}

/// Person and function account: a function account's line names its holder as the person;
/// a person acting with their own login has no function account; the system has neither.
fn who(tr: Tr, e: &NamedEntry) -> (String, String) {
    match &e.actor {
        None => (tr.t("admin.audit.system").to_owned(), DASH.to_owned()),
        Some(a) if a.kind == "function" => {
            let person = e
                .holder
                .as_ref()
                .map_or_else(|| DASH.to_owned(), |(f, l)| full_name(f, l));
            let role = a.function_role.as_deref().map_or_else(
                || full_name(&a.first_name, &a.last_name),
                |r| tr.function_role(r).to_owned(),
            );
            (person, format!("{role} ({})", tr.t("account.function")))
        }
        Some(a) => (full_name(&a.first_name, &a.last_name), DASH.to_owned()),
    }
}

/// What the action concerned: a login's name, a file's name, or the object as logged
/// (a group, an import file, a school year) — never a bare id.
fn object(tr: Tr, e: &NamedEntry) -> String {
    if let Some((f, l)) = &e.target {
        return full_name(f, l);
    }
    if let Some(n) = detail_name(e) {
        return n;
    }
    match e.object.as_deref() {
        None | Some("") | Some("*") => DASH.to_owned(),
        Some(o) if uuid::Uuid::parse_str(o).is_ok() => tr.t("admin.audit.some_file").to_owned(),
        Some(o) => o.to_owned(),
    }
}

pub fn line(tr: Tr, zone: Zone, e: &NamedEntry) -> LogLine {
    let (person, function) = who(tr, e);
    LogLine {
        at: zone.datetime(tr, e.at),
        at_iso: e.at.to_rfc3339(),
        person,
        function,
        action: action_text(tr, &e.action),
        object: object(tr, e),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use schulhof_front::Lang;

    use super::*;

    /// Calls and fields where the domain names an audit action.
    const TRIGGERS: &[&str] = &[
        "admin_action(",
        "log_file_action(",
        "safe_event(",
        "action: \"",
        "let action = ",
    ];

    fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                rs_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The string literals that look like action codes (`user.create`, `file_license`) in
    /// the statement that starts at `at`.
    fn codes_in(statement: &str, out: &mut BTreeSet<String>) {
        for (i, part) in statement.split('"').enumerate() {
            let code_like = i % 2 == 1
                && (part.contains('.') || part.contains('_'))
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                && part.starts_with(|c: char| c.is_ascii_lowercase());
            if code_like {
                out.insert(part.to_owned());
            }
        }
    }

    /// Every action code the domain writes into the audit log.
    fn domain_codes() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
        let mut files = Vec::new();
        rs_files(&root, &mut files);
        let mut codes = BTreeSet::new();
        for f in files {
            let src = std::fs::read_to_string(&f).expect("readable source");
            for trigger in TRIGGERS {
                for (at, _) in src.match_indices(trigger) {
                    let rest = &src[at..];
                    let end = rest.find(';').unwrap_or(rest.len());
                    codes_in(&rest[..end], &mut codes);
                }
            }
        }
        codes
    }

    #[test]
    fn every_action_the_domain_logs_has_words() {
        let codes = domain_codes();
        for must in ["file_license", "safe_password_set", "file_share"] {
            assert!(codes.contains(must), "the scan misses {must}: {codes:?}");
        }
        for prefix in ["user", "right", "group"] {
            let dotted = format!("{prefix}.");
            assert!(
                codes.iter().any(|c| c.starts_with(&dotted)),
                "{prefix}: {codes:?}"
            );
        }
        let missing: Vec<&String> = codes
            .iter()
            .filter(|c| {
                Tr::new(Lang::De).lookup(&format!("action.{c}")).is_none()
                    || Tr::new(Lang::En).lookup(&format!("action.{c}")).is_none()
            })
            .collect();
        assert!(
            missing.is_empty(),
            "audit actions without a text: {missing:?}"
        );
        assert_eq!(
            action_text(Tr::new(Lang::De), "file_license"),
            "Lizenz einer Datei geändert"
        );
    }
}
