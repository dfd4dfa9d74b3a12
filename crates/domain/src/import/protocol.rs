//! The import protocol: a CSV of every person with login, address and initial password,
//! inside a ZIP encrypted (AES-256) with a password the admin chose. The initial-password
//! letters are printed from the same archive, so the passwords exist nowhere else.

use schulhof_import::protocol::{ProtocolRow, encrypted_zip, read_encrypted_zip, write_csv};
use schulhof_types::name_sort_key;
use serde::{Deserialize, Serialize};

use crate::DomainError;

const CSV_NAME: &str = "importprotokoll.csv";
const LETTERS_NAME: &str = "briefe.json";

/// One initial-password letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub first_name: String,
    pub last_name: String,
    pub login: String,
    pub mail: String,
    pub initial_password: String,
}

/// The letters of one class (or of everybody without a class).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterClass {
    pub class: String,
    pub letters: Vec<Letter>,
}

/// The protocol password must be worth its name.
pub fn check_protocol_password(password: &str) -> Result<(), DomainError> {
    if password.chars().count() < 8 {
        return Err(DomainError::invalid(
            "protocol_password",
            "must have at least 8 characters",
        ));
    }
    Ok(())
}

/// The CSV alone, for the CLI's `--protocol` (the operator keeps it safe).
pub fn csv(rows: &[ProtocolRow]) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::new();
    write_csv(rows, &mut out).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(out)
}

/// Letters for the persons created, grouped by class, sorted by class then name.
pub(crate) fn letters(rows: &[ProtocolRow]) -> Vec<LetterClass> {
    let mut created: Vec<&ProtocolRow> = rows
        .iter()
        .filter(|r| r.initial_password.is_some())
        .collect();
    created.sort_by_cached_key(|r| {
        (
            r.class.clone(),
            name_sort_key(&r.last_name),
            name_sort_key(&r.first_name),
        )
    });
    let mut out: Vec<LetterClass> = Vec::new();
    for r in created {
        let letter = Letter {
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            login: r.login.clone(),
            mail: r.mail.clone(),
            initial_password: r.initial_password.clone().unwrap_or_default(),
        };
        match out.last_mut() {
            Some(c) if c.class == r.class => c.letters.push(letter),
            _ => out.push(LetterClass {
                class: r.class.clone(),
                letters: vec![letter],
            }),
        }
    }
    out
}

/// The encrypted archive stored with the run.
pub fn archive(rows: &[ProtocolRow], password: &str) -> Result<Vec<u8>, DomainError> {
    let csv = csv(rows)?;
    let letters =
        serde_json::to_vec(&letters(rows)).map_err(|e| DomainError::Internal(e.to_string()))?;
    encrypted_zip(&[(CSV_NAME, &csv), (LETTERS_NAME, &letters)], password)
        .map_err(|e| DomainError::Internal(e.to_string()))
}

/// Opens the archive with the admin's password and returns the letters.
pub(crate) fn open_letters(
    archive: &[u8],
    password: &str,
) -> Result<Vec<LetterClass>, DomainError> {
    let files = read_encrypted_zip(archive, password)
        .map_err(|_| DomainError::invalid("protocol_password", "is not the protocol's password"))?;
    let (_, json) = files
        .into_iter()
        .find(|(name, _)| name == LETTERS_NAME)
        .ok_or_else(|| DomainError::Internal("protocol archive without letters".into()))?;
    serde_json::from_slice(&json).map_err(|e| DomainError::Internal(e.to_string()))
}
