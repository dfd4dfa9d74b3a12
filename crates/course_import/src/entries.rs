//! The unpacked archive: every file entry's bytes in one buffer, found by a checked,
//! normalised path. Nothing is written to disk; the path check still refuses traversal so
//! that no consumer of these names can be led outside the course.

use std::collections::HashMap;
use std::ops::Range;

use crate::error::{ImportError, reason};

/// All file entries, concatenated in `data`.
#[derive(Default)]
pub(crate) struct Entries {
    pub(crate) data: Vec<u8>,
    index: HashMap<String, Range<usize>>,
    /// Lower-cased path → path, for references written on case-insensitive systems.
    folded: HashMap<String, String>,
}

impl Entries {
    /// Records the bytes appended to `data` since `start` under `path` (already checked).
    pub(crate) fn insert(&mut self, path: String, start: usize) -> Result<(), ImportError> {
        if self.index.contains_key(&path) {
            return Err(ImportError::DuplicateEntry { entry: path });
        }
        self.folded.insert(path.to_lowercase(), path.clone());
        self.index.insert(path, start..self.data.len());
        Ok(())
    }

    pub(crate) fn contains(&self, path: &str) -> bool {
        self.index.contains_key(path)
    }

    /// The stored path for `path`, matched exactly or else ignoring case.
    pub(crate) fn resolve(&self, path: &str) -> Option<&str> {
        if let Some((k, _)) = self.index.get_key_value(path) {
            return Some(k);
        }
        self.folded.get(&path.to_lowercase()).map(String::as_str)
    }

    pub(crate) fn range(&self, path: &str) -> Option<Range<usize>> {
        self.index.get(path).cloned()
    }

    pub(crate) fn get(&self, path: &str) -> Option<&[u8]> {
        self.index.get(path).and_then(|r| self.data.get(r.clone()))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// The normalised form of an entry name: `./` and empty segments dropped. Refuses names that
/// could point outside the archive root or mean different things on different systems.
pub(crate) fn check_path(raw: &str) -> Result<String, ImportError> {
    let refuse = |reason: &'static str| ImportError::UnsafePath {
        entry: raw.to_owned(),
        reason,
    };
    if raw.contains('\0') {
        return Err(refuse(reason::NUL));
    }
    if raw.contains('\\') {
        return Err(refuse(reason::BACKSLASH));
    }
    let b = raw.as_bytes();
    if raw.starts_with('/') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return Err(refuse(reason::ABSOLUTE));
    }
    let mut parts = Vec::new();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(refuse(reason::PARENT)),
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(refuse(reason::EMPTY));
    }
    Ok(parts.join("/"))
}

/// `rel` (a reference inside a file) resolved against the folder `base` ("" for the root).
/// `None` if it climbs above the root: such a reference just stays unresolved.
pub(crate) fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let rel = rel.strip_prefix('/').unwrap_or(rel);
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The folder part of `path` ("" for a root file).
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The file name part of `path`.
pub(crate) fn file_name(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// `%XX` sequences decoded; invalid ones are kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                b.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
