//! What every reader produces: the persons, groups and memberships of one file, each with
//! the place in the file it came from, plus the problems found that have a proposed fix.
//!
//! Readers never touch the database; the domain turns an [`ImportData`] into a plan.

use std::fmt;

use chrono::NaiveDate;
use schulhof_types::{AccountType, GroupKind};
use serde::{Deserialize, Serialize};

/// Where a record came from. Persons and groups are matched by `(source, source_id)`, so
/// a Schild import never touches what a table import created and vice versa.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Schild,
    Csv,
    Svws,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Schild => "schild",
            Source::Csv => "csv",
            Source::Svws => "svws",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "schild" => Some(Source::Schild),
            "csv" => Some(Source::Csv),
            "svws" => Some(Source::Svws),
            _ => None,
        }
    }
}

/// A place in an input file, for messages: `line 12, column 5` and/or an element path
/// such as `/enterprise/person[17]/name/n/family`, or a table's row and column name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line (XML, CSV) or row (XLSX).
    pub line: Option<u64>,
    /// 1-based column (XML) or column header name (tables).
    pub column: Option<String>,
    /// Element path (XML) or JSON path (SVWS).
    pub path: Option<String>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("column {c}"));
        }
        if let Some(p) = &self.path {
            parts.push(p.clone());
        }
        if parts.is_empty() {
            f.write_str("file")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// One person of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The stable key in the source ("Quell-ID").
    pub source_id: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type: AccountType,
    /// A mail address the source holds (Schild's `email`); stored as the external address.
    pub mail: Option<String>,
    pub birthday: Option<NaiveDate>,
    /// Class or year label (`05A`, `EF`), shown in the protocol and on letters.
    pub class: Option<String>,
    /// Left or graduated (Schild/SVWS state 8 or 9): not imported, and marked for deletion
    /// if already there.
    pub left: bool,
    /// The `source_id`s of the groups the person belongs to, in file order, no duplicates.
    pub groups: Vec<String>,
    /// The school's record of consent to audio and to video conferences (SVWS
    /// `EinwilligungAudiokonferenz` / `EinwilligungVideokonferenz`); `None`: the file says
    /// nothing and the stored record stays as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_audio: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_video: Option<bool>,
    pub position: Position,
}

/// One group of the file (never the school authority or the school itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub source_id: String,
    pub name: String,
    pub kind: GroupKind,
    pub position: Position,
}

/// A problem in one record that the import can get around, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub position: Position,
    /// The record's source id, when it has one.
    pub source_id: Option<String>,
    pub kind: ConflictKind,
    /// What is wrong, in English, with the offending value.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConflictKind {
    /// First or last name missing: the person is skipped.
    MissingName,
    /// No source id: the record is skipped.
    MissingSourceId,
    /// A source id seen before: the later record is skipped.
    DuplicateSourceId,
    /// `institutionroletype` (or the table's type) is not one we know: the person is
    /// skipped; the admin imports it again with the right type.
    UnknownAccountType { value: String },
    /// A table's Quell-ID belongs to a person of another account type (tables are imported
    /// one type at a time): the person is skipped and stays as it is.
    OtherAccountType { stored: String },
    /// A membership names a person or group the file does not contain: ignored.
    UnknownReference,
    /// A value that cannot be read (a birthday that is no date): the field is left empty.
    BadValue { field: String },
}

impl ConflictKind {
    /// The proposed fix, in English, for the preview and the CLI.
    pub fn fix(&self) -> &'static str {
        match self {
            ConflictKind::MissingName => "skip this person",
            ConflictKind::MissingSourceId => "skip this record",
            ConflictKind::DuplicateSourceId => "keep the first record, skip this one",
            ConflictKind::UnknownAccountType { .. } => "skip this person",
            ConflictKind::OtherAccountType { .. } => "skip this person",
            ConflictKind::UnknownReference => "ignore this membership",
            ConflictKind::BadValue { .. } => "leave the field empty",
        }
    }
}

/// Everything read from one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportData {
    pub source: Source,
    /// The school number the file names, if it names one (checked against the school).
    pub school_number: Option<String>,
    /// The school year the file names (`2025/26`), if it names one.
    pub school_year: Option<String>,
    pub persons: Vec<Person>,
    pub groups: Vec<Group>,
    pub conflicts: Vec<Conflict>,
}

/// A file that cannot be read at all. Nothing is imported.
#[derive(Debug, thiserror::Error)]
#[error("{position}: {message}")]
pub struct ReadError {
    pub position: Position,
    pub message: String,
}

impl ReadError {
    pub fn new(position: Position, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }

    pub fn whole_file(message: impl Into<String>) -> Self {
        Self::new(Position::default(), message)
    }
}
