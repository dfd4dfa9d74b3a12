//! Readers for the files schools import users from. Pure: no database, no network.
//!
//! [`read_file`] opens an upload (plain, ZIP with or without password, gzip), reads it as
//! Schild-NRW XML, a table (CSV/XLSX/XLS/ODS) or SVWS JSON and returns the persons, groups
//! and conflicts it holds. [`protocol`] writes the password-protected import protocol and
//! [`generate`] makes realistic test files.

mod columns;
mod container;
pub mod generate;
pub mod model;
pub mod protocol;
mod schild;
mod svws;
mod table;
mod text;
mod xml_input;

use std::path::Path;

use schulhof_types::AccountType;

pub use columns::{ColumnMap, guess_columns};
pub use model::{Conflict, ConflictKind, Group, ImportData, Person, Position, ReadError, Source};

/// What the upload is, as the admin chose it; the container (ZIP, gzip) is sniffed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Schild-NRW "LOGINEO XML" (or any IMS Enterprise 1.1 file).
    Schild,
    /// A CSV, XLSX, XLS or ODS table with a header row.
    Table,
    /// SVWS-Server "Lernplattform V1" JSON.
    Svws,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The password of an encrypted ZIP.
    pub zip_password: Option<String>,
    /// Schild/SVWS: `false` leaves out pupils and their memberships (LOGINEO's "Ohne SuS").
    pub with_students: bool,
    /// Tables: the account type of every row; required for a table.
    pub account_type: Option<AccountType>,
    /// Tables: header name per field; fields left `None` are guessed.
    pub columns: ColumnMap,
}

impl Default for ReadOptions {
    /// With pupils, no password, no table settings.
    fn default() -> Self {
        Self {
            zip_password: None,
            with_students: true,
            account_type: None,
            columns: ColumnMap::default(),
        }
    }
}

/// Reads the upload at `path`. A file that cannot be read at all is a [`ReadError`]; problems
/// with single records are [`Conflict`]s in the result.
pub fn read_file(path: &Path, format: Format, opts: &ReadOptions) -> Result<ImportData, ReadError> {
    let password = opts.zip_password.as_deref();
    match format {
        Format::Schild => container::with_stream(path, password, &[".xml"], |input| {
            schild::read(input, opts.with_students)
        }),
        Format::Svws => container::with_stream(path, password, &[".json"], |input| {
            svws::read(input, opts.with_students)
        }),
        Format::Table => {
            let account_type = opts.account_type.ok_or_else(|| {
                ReadError::whole_file(
                    "a table import needs the account type of its persons: choose one",
                )
            })?;
            let bytes = container::table_bytes(path, password)?;
            table::read(&bytes, account_type, &opts.columns)
        }
    }
}

/// The table inside an upload (unpacked from a ZIP or gzip, decrypted), capped in size: what
/// is kept so the columns can be mapped again without the ZIP password.
pub fn table_bytes(path: &Path, zip_password: Option<&str>) -> Result<Vec<u8>, ReadError> {
    container::table_bytes(path, zip_password)
}

/// The header names of a table upload, for the column-mapping step.
pub fn table_headers(path: &Path, zip_password: Option<&str>) -> Result<Vec<String>, ReadError> {
    table::headers(&container::table_bytes(path, zip_password)?)
}
