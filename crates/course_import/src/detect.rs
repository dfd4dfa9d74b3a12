//! Recognising the archive by its content (uploads arrive with any name) and unpacking it into
//! [`Entries`] within the [`Limits`].

use std::io::Cursor;

use flate2::read::GzDecoder;
use zip::ZipArchive;

use crate::ImportError;
use crate::entries::{Entries, check_path};
use crate::limits::{Capped, Limits, is_cap_exceeded, read_entry};

/// What the archive turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Moodle,
    Cartridge,
}

use crate::cc::MANIFEST as CC_MANIFEST;
use crate::moodle::MANIFEST as MOODLE_MANIFEST;

/// Unpacks `bytes` and says which reader applies.
pub(crate) fn open(bytes: &[u8], limits: &Limits) -> Result<(Kind, Entries), ImportError> {
    let entries = match bytes {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => unzip(bytes, limits)?,
        [0x1f, 0x8b, ..] => untar_gz(bytes, limits)?,
        _ => return Err(ImportError::UnknownFormat),
    };
    if entries.contains(MOODLE_MANIFEST) {
        return Ok((Kind::Moodle, entries));
    }
    if entries.contains(CC_MANIFEST) {
        return Ok((Kind::Cartridge, entries));
    }
    if entries.contains("moodle.xml") {
        // Moodle 1.9 wrote one moodle.xml; its structure is entirely different.
        return Err(ImportError::UnsupportedVersion {
            format: "Moodle-Sicherung",
            version: "1.x (moodle.xml)".into(),
        });
    }
    if entries.is_empty() {
        return Err(ImportError::Corrupt {
            detail: "das Archiv enthält keine Dateien".into(),
        });
    }
    Err(ImportError::MissingManifest {
        expected: "moodle_backup.xml (Moodle) oder imsmanifest.xml (Common Cartridge)",
    })
}

fn corrupt(detail: impl std::fmt::Display) -> ImportError {
    ImportError::Corrupt {
        detail: detail.to_string(),
    }
}

/// A ZIP: an .imscc or a Moodle backup made before 2.6 (or with the ZIP option).
fn unzip(bytes: &[u8], limits: &Limits) -> Result<Entries, ImportError> {
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format!("ZIP: {e}")))?;
    if archive.len() > limits.max_entries {
        return Err(ImportError::TooManyEntries {
            limit: limits.max_entries,
        });
    }
    let mut entries = Entries::default();
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| corrupt(format!("ZIP-Eintrag {}: {e}", i + 1)))?;
        // The decoded name (UTF-8, or CP437 for old Windows archives without the UTF-8 flag).
        let raw = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
        };
        if entry.is_dir() {
            check_dir(&raw)?;
            continue;
        }
        let path = check_path(&raw)?;
        if entry.encrypted() {
            return Err(ImportError::Encrypted { entry: raw });
        }
        if entry.is_symlink() {
            return Err(ImportError::UnsupportedEntry {
                entry: raw,
                kind: "ein symbolischer Link",
            });
        }
        let start = entries.data.len();
        read_entry(entry, &mut entries.data, &raw, limits)?;
        entries.insert(path, start)?;
    }
    Ok(entries)
}

/// A gzip'd tar: what Moodle writes since 2.6.
fn untar_gz(bytes: &[u8], limits: &Limits) -> Result<Entries, ImportError> {
    // Tar headers and padding come on top of the content: up to 3 blocks per entry (long
    // names, PAX) and the end blocks.
    let overhead = (limits.max_entries as u64 + 8).saturating_mul(3 * 512);
    let stream = Capped::new(
        GzDecoder::new(bytes),
        limits.max_total_bytes.saturating_add(overhead),
    );
    let mut archive = tar::Archive::new(stream);
    let iter = archive.entries().map_err(|e| tar_error(&e, limits))?;
    let mut entries = Entries::default();
    for (count, entry) in iter.enumerate() {
        if count >= limits.max_entries {
            return Err(ImportError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let entry = entry.map_err(|e| tar_error(&e, limits))?;
        let raw = match std::str::from_utf8(&entry.path_bytes()) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                return Err(ImportError::UnsafePath {
                    entry: String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
                    reason: crate::error::reason::NOT_UTF8,
                });
            }
        };
        use tar::EntryType as T;
        match entry.header().entry_type() {
            T::Regular | T::Continuous => {}
            T::Directory | T::XGlobalHeader => {
                check_dir(&raw)?;
                continue;
            }
            T::Symlink | T::Link => {
                return Err(ImportError::UnsupportedEntry {
                    entry: raw,
                    kind: "ein Link",
                });
            }
            _ => {
                return Err(ImportError::UnsupportedEntry {
                    entry: raw,
                    kind: "eine Gerätedatei oder ein anderer Sondereintrag",
                });
            }
        }
        let path = check_path(&raw)?;
        let start = entries.data.len();
        read_entry(entry, &mut entries.data, &raw, limits)?;
        entries.insert(path, start)?;
    }
    Ok(entries)
}

fn tar_error(e: &std::io::Error, limits: &Limits) -> ImportError {
    if is_cap_exceeded(e) {
        ImportError::TooLarge {
            limit: limits.max_total_bytes,
        }
    } else {
        corrupt(format!("tar.gz: {e}"))
    }
}

/// A folder entry is not kept, but a name that climbs out is still refused; "./" is fine.
fn check_dir(raw: &str) -> Result<(), ImportError> {
    match check_path(raw) {
        Err(ImportError::UnsafePath { reason, .. }) if reason == crate::error::reason::EMPTY => {
            Ok(())
        }
        other => other.map(|_| ()),
    }
}
