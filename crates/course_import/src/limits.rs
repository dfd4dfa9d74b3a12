//! Bounds against archive bombs. Sizes are counted on the bytes actually decompressed, never
//! taken from headers, so a lying header cannot make the reader allocate or loop more.

use std::io::{self, Read};

/// How much an archive may unpack to. Everything is held in memory, so these bound memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// All entries together, unpacked.
    pub max_total_bytes: u64,
    /// One entry, unpacked.
    pub max_entry_bytes: u64,
    /// Entries of the archive, folders included.
    pub max_entries: usize,
    /// Element nesting in any XML file; at most 256 is used whatever is set here (the tree is
    /// built without recursion, but walked and dropped recursively).
    pub max_xml_depth: usize,
}

impl Default for Limits {
    /// 1 GiB in all, 512 MiB per entry, 100 000 entries, XML nested 64 deep: a large school
    /// course with videos fits, a bomb does not.
    fn default() -> Self {
        Self {
            max_total_bytes: 1 << 30,
            max_entry_bytes: 512 << 20,
            max_entries: 100_000,
            max_xml_depth: 64,
        }
    }
}

/// Marks the I/O error a [`Capped`] reader returns, so the caller can tell "too large" from
/// a damaged stream.
#[derive(Debug)]
pub(crate) struct CapExceeded;

impl std::fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompressed stream exceeds the limit")
    }
}

impl std::error::Error for CapExceeded {}

/// Whether `e` (possibly wrapped by tar) came from a [`Capped`] reader.
pub(crate) fn is_cap_exceeded(e: &io::Error) -> bool {
    if e.get_ref().is_some_and(|i| i.is::<CapExceeded>()) {
        return true;
    }
    // tar wraps inner errors in its own error type, whose text keeps the inner message.
    e.to_string()
        .contains("decompressed stream exceeds the limit")
}

/// A reader that fails once more than `cap` bytes came through.
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, cap: u64) -> Self {
        Self { inner, left: cap }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > self.left {
            return Err(io::Error::other(CapExceeded));
        }
        self.left -= n64;
        Ok(n)
    }
}

/// Reads one entry into `out`, failing with the right error once it passes the per-entry or
/// the remaining total budget. Returns the number of bytes appended.
pub(crate) fn read_entry(
    mut r: impl Read,
    out: &mut Vec<u8>,
    entry: &str,
    limits: &Limits,
) -> Result<usize, crate::ImportError> {
    let used = out.len() as u64;
    let total_left = limits.max_total_bytes.saturating_sub(used);
    let allowed = limits.max_entry_bytes.min(total_left);
    let start = out.len();
    let res = r.by_ref().take(allowed.saturating_add(1)).read_to_end(out);
    let n = out.len() - start;
    match res {
        Err(e) if is_cap_exceeded(&e) => {
            return Err(crate::ImportError::TooLarge {
                limit: limits.max_total_bytes,
            });
        }
        Err(e) => {
            return Err(crate::ImportError::Corrupt {
                detail: format!("{entry}: {e}"),
            });
        }
        Ok(_) => {}
    }
    if n as u64 > allowed {
        out.truncate(start);
        return Err(if n as u64 > limits.max_entry_bytes {
            crate::ImportError::EntryTooLarge {
                entry: entry.to_owned(),
                limit: limits.max_entry_bytes,
            }
        } else {
            crate::ImportError::TooLarge {
                limit: limits.max_total_bytes,
            }
        });
    }
    Ok(n)
}
