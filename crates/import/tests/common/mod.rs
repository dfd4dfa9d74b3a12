//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod books;

use std::io::Write;
use std::path::{Path, PathBuf};

use schulhof_import::{Format, ImportData, ReadError, ReadOptions, read_file};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn read(name: &str, format: Format, opts: &ReadOptions) -> Result<ImportData, ReadError> {
    read_file(&fixture(name), format, opts)
}

/// A temporary file holding `bytes`; deleted when dropped.
pub fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write temp file");
    f.flush().expect("flush temp file");
    f
}

pub fn read_bytes(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<ImportData, ReadError> {
    let f = temp_file(bytes);
    read_file(f.path(), format, opts)
}

pub fn read_err(bytes: &[u8], format: Format, opts: &ReadOptions) -> ReadError {
    match read_bytes(bytes, format, opts) {
        Ok(data) => panic!("expected a ReadError, got {data:#?}"),
        Err(e) => e,
    }
}
