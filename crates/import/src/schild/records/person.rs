//! Person records: which are taken, which are skipped with a conflict.

use schulhof_types::AccountType;

use super::Records;
use crate::model::{ConflictKind, Person, Position};
use crate::schild::kinds::account_type;
use crate::text::{missing_name, non_empty, parse_iso_date};

#[derive(Default)]
pub(super) struct PersonRec {
    pub(super) position: Position,
    /// IMS `recstatus="3"`: delete.
    pub(super) deleted: bool,
    pub(super) id: Option<String>,
    pub(super) family: Option<String>,
    pub(super) given: Option<String>,
    pub(super) formatted: Option<String>,
    pub(super) has_n: bool,
    pub(super) birthday: Option<(String, Position)>,
    pub(super) email: Option<String>,
    pub(super) role: Option<String>,
    pub(super) state: Option<String>,
    pub(super) grade: Option<String>,
}

impl Records {
    pub(super) fn drop_person(&mut self, id: &Option<String>) {
        if let Some(id) = id {
            self.dropped_persons.insert(id.clone());
        }
    }

    pub(super) fn finish_person(&mut self, mut p: PersonRec) {
        let role = p.role.as_deref().unwrap_or("").trim().to_string();
        let label = p.id.clone().unwrap_or_else(|| display_name(&p));
        let Some(account_type) = account_type(&role) else {
            self.drop_person(&p.id);
            let message = match role.as_str() {
                "" => format!("person {label} has no institutionroletype"),
                _ => format!("person {label} has the unknown institutionroletype \"{role}\""),
            };
            let kind = ConflictKind::UnknownAccountType { value: role };
            return self.conflict(p.position, p.id, kind, message);
        };
        if account_type == AccountType::Schueler && !self.with_students {
            return self.drop_person(&p.id);
        }
        let Some(id) = p.id.take() else {
            let message = format!("person {label} has no sourcedid/id");
            return self.conflict(p.position, None, ConflictKind::MissingSourceId, message);
        };
        if self.person_index.contains_key(&id) || self.dropped_persons.contains(&id) {
            let message =
                format!("the person id {id} appears a second time; the first one is kept");
            return self.conflict(
                p.position,
                Some(id),
                ConflictKind::DuplicateSourceId,
                message,
            );
        }
        let (last, first) = names(&p);
        let (Some(last_name), Some(first_name)) = (last.clone(), first.clone()) else {
            self.dropped_persons.insert(id.clone());
            let (first, last) = (first.unwrap_or_default(), last.unwrap_or_default());
            let message = missing_name(&format!("person {id}"), &first, &last);
            return self.conflict(p.position, Some(id), ConflictKind::MissingName, message);
        };
        let birthday = self.birthday(&id, p.birthday.take());
        self.person_index.insert(id.clone(), self.persons.len());
        self.persons.push(Person {
            source_id: id,
            first_name,
            last_name,
            account_type,
            mail: p.email,
            birthday,
            class: p.grade,
            left: p.deleted || matches!(p.state.as_deref(), Some("8" | "9")),
            groups: Vec::new(),
            consent_audio: None,
            consent_video: None,
            position: p.position,
        });
    }

    fn birthday(&mut self, id: &str, raw: Option<(String, Position)>) -> Option<chrono::NaiveDate> {
        let (text, position) = raw?;
        let date = parse_iso_date(&text);
        if date.is_none() {
            let kind = ConflictKind::BadValue {
                field: "birthday".into(),
            };
            let message = format!("the birthday \"{text}\" of person {id} is no date (YYYY-MM-DD)");
            self.conflict(position, Some(id.to_string()), kind, message);
        }
        date
    }
}

/// Family and given name from `name/n`; only without `n` from `fn` ("Family Given").
fn names(p: &PersonRec) -> (Option<String>, Option<String>) {
    if p.has_n {
        return (p.family.clone(), p.given.clone());
    }
    match p.formatted.as_deref().map(|f| f.split_once(' ')) {
        Some(Some((family, given))) => (non_empty(family), non_empty(given)),
        Some(None) => (p.formatted.clone(), None),
        None => (None, None),
    }
}

fn display_name(p: &PersonRec) -> String {
    let name = [&p.given, &p.family]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    match (name.is_empty(), &p.formatted) {
        (false, _) => format!("\"{name}\""),
        (true, Some(f)) => format!("\"{f}\""),
        (true, None) => "without name".to_string(),
    }
}
