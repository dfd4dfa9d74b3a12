//! Turning an SVWS export into the model: persons keyed `L<id>`/`S<id>`, classes `K<id>`,
//! learning groups by their stable key, memberships from both sides of the references.

use std::collections::{HashMap, HashSet};

use schulhof_types::{AccountType, GroupKind};

use super::{Export, Klasse, Lerngruppe, Schueler, consent};
use crate::model::{Conflict, ConflictKind, Group, ImportData, Person, Position, Source};
use crate::text::{clean, find_school_year, missing_name, parse_iso_date, school_year_from_start};

fn at(path: String) -> Position {
    Position {
        line: None,
        column: None,
        path: Some(path),
    }
}

/// The stable key of a learning group: the generated `id` changes with every export, the
/// course id (or class + subject for class teaching) does not.
fn lerngruppe_key(g: &Lerngruppe) -> String {
    match g.id_kursart {
        None => format!(
            "KF{}-{}",
            g.id_intern,
            g.id_fach.map(|f| f.to_string()).unwrap_or_default()
        ),
        Some(_) => format!("C{}", g.id_intern),
    }
}

pub(super) struct Build {
    with_students: bool,
    data: ImportData,
    /// Source id → index in `data.persons`.
    index: HashMap<String, usize>,
    /// Persons left out: references to them are dropped without a conflict.
    dropped: HashSet<String>,
    reported: HashSet<String>,
}

impl Build {
    pub(super) fn new(with_students: bool) -> Self {
        let data = ImportData {
            source: Source::Svws,
            school_number: None,
            school_year: None,
            persons: Vec::new(),
            groups: Vec::new(),
            conflicts: Vec::new(),
        };
        Self {
            with_students,
            data,
            index: HashMap::new(),
            dropped: HashSet::new(),
            reported: HashSet::new(),
        }
    }

    fn conflict(
        &mut self,
        position: Position,
        id: Option<String>,
        kind: ConflictKind,
        message: String,
    ) {
        self.data.conflicts.push(Conflict {
            position,
            source_id: id,
            kind,
            message,
        });
    }

    pub(super) fn run(mut self, e: Export) -> ImportData {
        self.data.school_number = scalar(&e.schulnummer);
        self.data.school_year = school_year(&e.schuljahr);
        let classes: HashMap<i64, String> =
            e.klassen.iter().map(|k| (k.id, class_name(k))).collect();
        for (i, l) in e.lehrer.iter().flatten().enumerate() {
            let p = (
                format!("L{}", l.id),
                &l.vorname,
                &l.nachname,
                AccountType::Lehrer,
            );
            if let Some(person) = self.person(p, format!("$.lehrer[{i}]")) {
                self.push(Person {
                    mail: Some(l.email_dienstlich.trim().to_string()).filter(|m| !m.is_empty()),
                    ..person
                });
            }
        }
        let students = if self.with_students {
            e.schueler.as_deref().unwrap_or_default()
        } else {
            &[]
        };
        for (i, s) in students.iter().enumerate() {
            self.student(s, i, &classes);
        }
        self.classes(&e, students);
        self.lerngruppen(&e, students);
        self.data
    }

    /// The common part of a teacher or pupil; `None` (with a conflict) if it is skipped.
    fn person(
        &mut self,
        (id, first, last, account_type): (String, &String, &String, AccountType),
        path: String,
    ) -> Option<Person> {
        if self.index.contains_key(&id) || self.dropped.contains(&id) {
            let message =
                format!("the person id {id} appears a second time; the first one is kept");
            self.conflict(at(path), Some(id), ConflictKind::DuplicateSourceId, message);
            return None;
        }
        let (first_name, last_name) = (clean(first), clean(last));
        if first_name.is_empty() || last_name.is_empty() {
            let message = missing_name(&format!("person {id}"), &first_name, &last_name);
            self.dropped.insert(id.clone());
            self.conflict(at(path), Some(id), ConflictKind::MissingName, message);
            return None;
        }
        Some(Person {
            source_id: id,
            first_name,
            last_name,
            account_type,
            mail: None,
            birthday: None,
            class: None,
            left: false,
            groups: Vec::new(),
            consent_audio: None,
            consent_video: None,
            position: at(path),
        })
    }

    fn push(&mut self, person: Person) {
        self.index
            .insert(person.source_id.clone(), self.data.persons.len());
        self.data.persons.push(person);
    }

    fn student(&mut self, s: &Schueler, i: usize, classes: &HashMap<i64, String>) {
        let path = format!("$.schueler[{i}]");
        let p = (
            format!("S{}", s.id),
            &s.vorname,
            &s.nachname,
            AccountType::Schueler,
        );
        let Some(person) = self.person(p, path.clone()) else {
            return;
        };
        let birthday = parse_iso_date(&s.geburtsdatum);
        if birthday.is_none() && !s.geburtsdatum.trim().is_empty() {
            let kind = ConflictKind::BadValue {
                field: "birthday".into(),
            };
            let message = format!(
                "the birthday \"{}\" of person {} is no date (YYYY-MM-DD)",
                s.geburtsdatum, person.source_id
            );
            self.conflict(
                at(format!("{path}.geburtsdatum")),
                Some(person.source_id.clone()),
                kind,
                message,
            );
        }
        let consent_audio = self.consent(s, &path, "einwilligungAudiokonferenz", &person);
        let consent_video = self.consent(s, &path, "einwilligungVideokonferenz", &person);
        self.push(Person {
            birthday,
            consent_audio,
            consent_video,
            class: s.id_klasse.and_then(|k| classes.get(&k).cloned()),
            left: matches!(s.status, Some(8 | 9)),
            ..person
        });
    }

    /// One consent flag of a pupil; a value that is no flag is reported with the row and
    /// read as "the file says nothing" (the stored record stays).
    fn consent(&mut self, s: &Schueler, path: &str, field: &str, p: &Person) -> Option<bool> {
        let raw = match field {
            "einwilligungAudiokonferenz" => s.einwilligung_audiokonferenz.as_ref(),
            _ => s.einwilligung_videokonferenz.as_ref(),
        };
        match consent::flag(raw) {
            Ok(v) => v,
            Err(value) => {
                let message = format!(
                    "{field} of pupil {} ({} {}, row {path}) is {value}, not true/false or 1/0",
                    p.source_id, p.first_name, p.last_name
                );
                let kind = ConflictKind::BadValue {
                    field: field.into(),
                };
                let id = Some(p.source_id.clone());
                self.conflict(at(format!("{path}.{field}")), id, kind, message);
                None
            }
        }
    }

    /// Adds `group` to the person's groups, or reports the unknown person once.
    fn join(&mut self, person: &str, group: &str, path: impl FnOnce() -> String) {
        match self.index.get(person) {
            Some(&i) => {
                let groups = &mut self.data.persons[i].groups;
                if !groups.iter().any(|g| g == group) {
                    groups.push(group.to_string());
                }
            }
            None if self.dropped.contains(person) => {}
            None => {
                if self.reported.insert(person.to_string()) {
                    let message = format!(
                        "the group {group} names the person {person}, who is not in the export"
                    );
                    self.conflict(
                        at(path()),
                        Some(person.to_string()),
                        ConflictKind::UnknownReference,
                        message,
                    );
                }
            }
        }
    }

    fn add_group(&mut self, source_id: String, name: String, kind: GroupKind, path: String) {
        self.data.groups.push(Group {
            source_id,
            name,
            kind,
            position: at(path),
        });
    }

    fn classes(&mut self, e: &Export, students: &[Schueler]) {
        for (i, k) in e.klassen.iter().enumerate() {
            let key = format!("K{}", k.id);
            self.add_group(
                key.clone(),
                class_name(k),
                GroupKind::Klasse,
                format!("$.klassen[{i}]"),
            );
            for (j, s) in students
                .iter()
                .enumerate()
                .filter(|(_, s)| s.id_klasse == Some(k.id))
            {
                self.join(&format!("S{}", s.id), &key, || {
                    format!("$.schueler[{j}].idKlasse")
                });
            }
            for (j, t) in k.ids_klassenlehrer.iter().enumerate() {
                self.join(&format!("L{t}"), &key, || {
                    format!("$.klassen[{i}].idsKlassenlehrer[{j}]")
                });
            }
        }
        let known: HashSet<i64> = e.klassen.iter().map(|k| k.id).collect();
        for (i, s) in students.iter().enumerate() {
            if let Some(k) = s.id_klasse.filter(|k| !known.contains(k)) {
                let message = format!(
                    "pupil S{} is in the class {k}, which is not in the export",
                    s.id
                );
                let path = format!("$.schueler[{i}].idKlasse");
                self.conflict(
                    at(path),
                    Some(format!("K{k}")),
                    ConflictKind::UnknownReference,
                    message,
                );
            }
        }
    }

    /// Learning groups; two with the same stable key (one course listed twice) are merged.
    fn lerngruppen(&mut self, e: &Export, students: &[Schueler]) {
        let mut keys: HashMap<i64, String> = HashMap::new();
        let mut created = HashSet::new();
        for (i, g) in e.lerngruppen.iter().enumerate() {
            let key = lerngruppe_key(g);
            keys.insert(g.id, key.clone());
            if created.insert(key.clone()) {
                let name = Some(clean(&g.bezeichnung))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| key.clone());
                self.add_group(
                    key.clone(),
                    name,
                    GroupKind::Kurs,
                    format!("$.lerngruppen[{i}]"),
                );
            }
            for (j, t) in g.ids_lehrer.iter().enumerate() {
                self.join(&format!("L{t}"), &key, || {
                    format!("$.lerngruppen[{i}].idsLehrer[{j}]")
                });
            }
        }
        for (i, s) in students.iter().enumerate() {
            for (j, g) in s.ids_lerngruppen.iter().enumerate() {
                let path = format!("$.schueler[{i}].idsLerngruppen[{j}]");
                match keys.get(g) {
                    Some(key) => self.join(&format!("S{}", s.id), &key.clone(), || path),
                    None => {
                        let message = format!(
                            "pupil S{} is in the learning group {g}, which is not in the export",
                            s.id
                        );
                        self.conflict(
                            at(path),
                            Some(g.to_string()),
                            ConflictKind::UnknownReference,
                            message,
                        );
                    }
                }
            }
        }
    }
}

fn class_name(k: &Klasse) -> String {
    [&k.kuerzel_anzeige, &k.kuerzel]
        .into_iter()
        .map(|s| clean(s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| format!("K{}", k.id))
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `2025`, `"2025"`, `"2025/26"` or `"2025/2026"` → `2025/26`.
fn school_year(v: &serde_json::Value) -> Option<String> {
    let s = scalar(v)?;
    find_school_year(&s).or_else(|| {
        s.parse::<i64>()
            .ok()
            .filter(|y| (1900..=2999).contains(y))
            .map(school_year_from_start)
    })
}
