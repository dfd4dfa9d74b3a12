//! The import protocol (format spec §5.7): a CSV for Excel listing every account with its
//! initial password, handed out only inside an AES-encrypted ZIP.

use std::io::{self, Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, ZipWriter};

use crate::container::{io_message, open_entry, open_zip};
use crate::model::ReadError;

/// One line of the protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProtocolRow {
    pub quell_id: String,
    pub login: String,
    pub mail: String,
    pub initial_password: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub account_type: String,
    pub class: String,
    pub status: String,
    pub message: String,
}

pub const HEADER: [&str; 10] = [
    "quell_id",
    "login",
    "mail",
    "initial_password",
    "nachname",
    "vorname",
    "kontotyp",
    "klasse",
    "status",
    "meldung",
];

/// Writes the rows as CSV for Excel: UTF-8 with BOM (else Excel guesses Windows-1252 and
/// garbles umlauts), `;` as German Excel expects, quoted where needed.
pub fn write_csv(rows: &[ProtocolRow], mut out: impl Write) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record(HEADER)?;
    for r in rows {
        let cells = [
            &r.quell_id,
            &r.login,
            &r.mail,
            r.initial_password.as_deref().unwrap_or(""),
            &r.last_name,
            &r.first_name,
            &r.account_type,
            &r.class,
            &r.status,
            &r.message,
        ];
        w.write_record(cells.map(|c| inert_cell(c).into_owned()))?;
    }
    w.flush()
}

/// A cell as text that a spreadsheet never evaluates: names and messages come from import
/// files, and `=HYPERLINK(…)`, `@SUM(…)` or `+cmd|…` would run as a formula when the admin
/// opens the protocol. A leading apostrophe makes Excel and LibreOffice show it as text.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '|', '%'];
    // Fullwidth look-alikes are formula starts in some locales of Excel as well.
    const WIDE_STARTS: &[char] = &['\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) || WIDE_STARTS.contains(&c) => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// A ZIP holding `files` (name, content), each deflated and encrypted with AES-256 (WinZip
/// AE-2), which Windows' own unzip cannot open but 7-Zip, WinZip and macOS can.
pub fn encrypted_zip(files: &[(&str, &[u8])], password: &str) -> io::Result<Vec<u8>> {
    if password.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the protocol password must not be empty",
        ));
    }
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .with_aes_encryption(AesMode::Aes256, password);
    for (name, content) in files {
        zip.start_file(*name, options).map_err(io::Error::other)?;
        zip.write_all(content)?;
    }
    Ok(zip.finish().map_err(io::Error::other)?.into_inner())
}

/// Every file of an (encrypted) ZIP as (name, content); a wrong password is a clear error.
pub fn read_encrypted_zip(
    bytes: &[u8],
    password: &str,
) -> Result<Vec<(String, Vec<u8>)>, ReadError> {
    let mut archive = open_zip(Cursor::new(bytes))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let name = archive
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let mut content = Vec::new();
        open_entry(&mut archive, i, Some(password))?
            .read_to_end(&mut content)
            .map_err(|e| ReadError::whole_file(io_message(&e)))?;
        files.push((name, content));
    }
    Ok(files)
}
