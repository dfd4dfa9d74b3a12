//! Opening an upload: a plain file, a ZIP (WinZip AES or legacy ZipCrypto, as Schild writes
//! it) or a gzip stream (as SVWS offers it). The container is recognised by its magic bytes,
//! never by the file name, because uploads arrive with arbitrary names.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use zip::ZipArchive;
use zip::result::ZipError;

use crate::model::ReadError;

/// Tables are decoded in memory; anything larger is no school's user list.
pub(crate) const MAX_TABLE_BYTES: u64 = 32 * 1024 * 1024;

/// Entry name endings a spreadsheet import accepts inside a ZIP.
pub(crate) const TABLE_ENTRIES: &[&str] = &[".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"];

enum Magic {
    Zip,
    Gzip,
    Plain,
}

/// An I/O error whose text is already meant for the admin (wrong password, corrupt archive).
/// Readers get it back out of `io::Error` with [`io_message`].
#[derive(Debug)]
struct ContainerError(String);

impl std::fmt::Display for ContainerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContainerError {}

/// The admin-facing text for an I/O error met while reading the content.
pub(crate) fn io_message(e: &io::Error) -> String {
    match e.get_ref().and_then(|i| i.downcast_ref::<ContainerError>()) {
        Some(c) => c.0.clone(),
        None => format!("cannot read the file: {e}"),
    }
}

fn open(path: &Path) -> Result<(File, Magic), ReadError> {
    let mut file = File::open(path)
        .map_err(|e| ReadError::whole_file(format!("cannot open the file: {e}")))?;
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::whole_file(format!("cannot read the file: {e}"))),
        }
    }
    if n == 0 {
        return Err(ReadError::whole_file("the file is empty"));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| ReadError::whole_file(format!("cannot read the file: {e}")))?;
    let magic = match &head[..n] {
        [b'P', b'K', 3, 4] => Magic::Zip,
        [0x1f, 0x8b, ..] => Magic::Gzip,
        _ => Magic::Plain,
    };
    Ok((file, magic))
}

/// Runs `parse` on the content: the file itself, the gzip payload, or the first ZIP entry
/// whose name ends with one of `endings` (streamed, never unpacked to memory).
pub(crate) fn with_stream<T>(
    path: &Path,
    password: Option<&str>,
    endings: &[&str],
    parse: impl FnOnce(Box<dyn BufRead + '_>) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    let (file, magic) = open(path)?;
    match magic {
        Magic::Plain => parse(Box::new(BufReader::new(file))),
        Magic::Gzip => parse(Box::new(BufReader::new(Capped::new(GzipReader(
            MultiGzDecoder::new(BufReader::new(file)),
        ))))),
        Magic::Zip => {
            let mut archive = open_zip(BufReader::new(file))?;
            let index = find_entry(&archive, endings)?;
            if password.is_some() {
                verify_entry(&mut archive, index, password)?;
            }
            let entry = open_entry(&mut archive, index, password)?;
            parse(Box::new(BufReader::new(Capped::new(entry))))
        }
    }
}

/// The bytes of a table: the file itself (a CSV, or an XLSX/ODS, which are ZIPs themselves),
/// the gzip payload, or the first table entry of a ZIP. Capped at [`MAX_TABLE_BYTES`].
pub(crate) fn table_bytes(path: &Path, password: Option<&str>) -> Result<Vec<u8>, ReadError> {
    let (file, magic) = open(path)?;
    match magic {
        Magic::Plain => read_capped(file),
        Magic::Gzip => read_capped(GzipReader(MultiGzDecoder::new(BufReader::new(file)))),
        Magic::Zip => {
            let mut archive = open_zip(BufReader::new(file))?;
            if is_spreadsheet(&archive) {
                let mut file = archive.into_inner().into_inner();
                file.seek(SeekFrom::Start(0))
                    .map_err(|e| ReadError::whole_file(format!("cannot read the file: {e}")))?;
                return read_capped(file);
            }
            let index = find_entry(&archive, TABLE_ENTRIES)?;
            read_capped(open_entry(&mut archive, index, password)?)
        }
    }
}

fn read_capped(r: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    r.take(MAX_TABLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::whole_file(io_message(&e)))?;
    if bytes.len() as u64 > MAX_TABLE_BYTES {
        return Err(ReadError::whole_file(format!(
            "the table is larger than {} MB; split it or remove unused columns",
            MAX_TABLE_BYTES >> 20
        )));
    }
    if bytes.is_empty() {
        return Err(ReadError::whole_file("the file is empty"));
    }
    Ok(bytes)
}

/// An XLSX or ODS is a ZIP itself: recognised by the parts every such file has.
fn is_spreadsheet<R: Read + Seek>(archive: &ZipArchive<R>) -> bool {
    archive.index_for_name("[Content_Types].xml").is_some()
        || archive.index_for_name("mimetype").is_some()
}

pub(crate) fn open_zip<R: Read + Seek>(reader: R) -> Result<ZipArchive<R>, ReadError> {
    ZipArchive::new(reader).map_err(|e| ReadError::whole_file(zip_message(&e)))
}

/// The index of the first file entry ending with one of `endings` (case-insensitive),
/// skipping the `__MACOSX/` resource forks the macOS archiver adds.
pub(crate) fn find_entry<R: Read + Seek>(
    archive: &ZipArchive<R>,
    endings: &[&str],
) -> Result<usize, ReadError> {
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(i) else {
            continue;
        };
        let Ok(name) = entry.name() else { continue };
        let lower = name.to_lowercase();
        if entry.is_dir() || lower.starts_with("__macosx/") {
            continue;
        }
        if endings.iter().any(|e| lower.ends_with(e)) {
            return Ok(i);
        }
        names.push(name.into_owned());
    }
    let listed = if names.is_empty() {
        "it has no files".to_string()
    } else {
        format!(
            "it holds {}",
            names
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(ReadError::whole_file(format!(
        "the ZIP file contains no {} file ({listed})",
        endings.join("/")
    )))
}

/// Opens entry `index` for reading, decrypting it with `password` if it is encrypted.
pub(crate) fn open_entry<'a, R: Read + Seek>(
    archive: &'a mut ZipArchive<R>,
    index: usize,
    password: Option<&str>,
) -> Result<impl Read + 'a, ReadError> {
    let encrypted = archive
        .by_index_data(index)
        .map_err(|e| ReadError::whole_file(zip_message(&e)))?
        .encrypted();
    let entry = match (encrypted, password) {
        (true, None) => Err(ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED)),
        (true, Some(p)) => archive.by_index_decrypt(index, p.as_bytes()),
        (false, _) => archive.by_index(index),
    }
    .map_err(|e| ReadError::whole_file(zip_message(&e)))?;
    Ok(EntryReader {
        inner: entry,
        encrypted,
    })
}

/// Reads an encrypted entry once to its end, where its CRC (ZipCrypto) or MAC (AES) is
/// checked. ZipCrypto's header check lets one wrong password in 256 through; without this
/// the admin would get the garbage reported as malformed XML instead of a wrong password.
fn verify_entry<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    password: Option<&str>,
) -> Result<(), ReadError> {
    let encrypted = archive.by_index_data(index).is_ok_and(|e| e.encrypted());
    if encrypted {
        let mut entry = open_entry(archive, index, password)?;
        io::copy(&mut entry, &mut io::sink()).map_err(|e| ReadError::whole_file(io_message(&e)))?;
    }
    Ok(())
}

fn zip_message(e: &ZipError) -> String {
    match e {
        ZipError::InvalidPassword => "wrong ZIP password".into(),
        ZipError::UnsupportedArchive(m) if *m == ZipError::PASSWORD_REQUIRED => {
            "the ZIP file is password-protected: give its password".into()
        }
        ZipError::UnsupportedArchive(m) => {
            format!("the ZIP file uses something we cannot read: {m}")
        }
        ZipError::CompressionMethodNotSupported(m) => {
            format!("the ZIP file uses compression method {m}, which we cannot read")
        }
        other => format!("the ZIP file is truncated or corrupt ({other})"),
    }
}

/// Turns the entry's read errors into admin-facing messages. With a wrong password ZipCrypto
/// passes its one-byte check once in 256 times; the garbage then fails the CRC or the
/// inflater, and an AES entry fails its authentication code at the end.
struct EntryReader<R> {
    inner: R,
    encrypted: bool,
}

impl<R: Read> Read for EntryReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let text = if self.encrypted {
                format!("wrong ZIP password, or the ZIP file is corrupt ({e})")
            } else {
                format!("the ZIP file is truncated or corrupt ({e})")
            };
            io::Error::other(ContainerError(text))
        })
    }
}

/// Packed content may unpack to far more than was uploaded: past this, reading stops.
pub(crate) const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// A reader that fails once more than [`MAX_UNPACKED_BYTES`] came out of it.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R> Capped<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            left: MAX_UNPACKED_BYTES,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::other(ContainerError(format!(
                "the packed file unpacks to more than {} MB",
                MAX_UNPACKED_BYTES >> 20
            )))
        })?;
        Ok(n)
    }
}

struct GzipReader<R>(R);

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            io::Error::other(ContainerError(format!(
                "the gzip file is truncated or corrupt ({e})"
            )))
        })
    }
}
