//! A folder or a selection as one ZIP, streamed: the archive is written piece by piece into
//! a small bounded channel that the response body drains, and each file's blob is read in
//! chunks. Neither the archive nor a whole file is ever held in memory or written to disk.
//!
//! Entries are stored, not compressed: what schools keep (PDFs, photos, Office files) is
//! compressed already, and storing keeps the archive as fast as a plain download.

use std::collections::HashSet;
use std::io::{self, Write};

use bytes::Bytes;
use chrono::{DateTime, Datelike, Timelike, Utc};
use schulhof_authz::files::FileOp;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{FileEntry, Located, fold_name};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// How much of the archive is collected before it goes to the response, and how many such
/// pieces may wait: the memory a download costs is about their product.
const PIECE: usize = 256 * 1024;
const PIECES_IN_FLIGHT: usize = 8;

/// What goes into an archive: the visible names with the content behind them, decided
/// (and checked) before the first byte is sent.
#[derive(Debug, Default)]
pub struct ZipPlan {
    items: Vec<ZipItem>,
    /// Folded paths already used, so two entries of the same name (hand-ins of two
    /// students) both arrive.
    taken: HashSet<String>,
}

#[derive(Debug)]
struct ZipItem {
    path: String,
    /// `None` for a folder.
    sha: Option<String>,
    size: u64,
    modified: DateTime<Utc>,
}

impl ZipPlan {
    /// The paths inside the archive, in order (folders end with `/`).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.path.as_str())
    }

    /// The bytes of content the archive will carry.
    pub fn content_size(&self) -> u64 {
        self.items.iter().map(|i| i.size).sum()
    }

    fn push(&mut self, prefix: &str, e: &FileEntry) -> String {
        let path = self.free_path(prefix, &e.name, e.is_dir);
        self.items.push(ZipItem {
            path: path.clone(),
            sha: if e.is_dir { None } else { e.blob.clone() },
            size: if e.is_dir { 0 } else { e.size },
            modified: e.modified_at,
        });
        path
    }

    /// `prefix + name`, or `name (2).ext` … when that is taken.
    fn free_path(&mut self, prefix: &str, name: &str, is_dir: bool) -> String {
        let slash = if is_dir { "/" } else { "" };
        let (stem, ext) = match name.rsplit_once('.') {
            Some((s, x)) if !is_dir && !s.is_empty() => (s, format!(".{x}")),
            _ => (name, String::new()),
        };
        let mut n = 1;
        loop {
            let path = if n == 1 {
                format!("{prefix}{name}{slash}")
            } else {
                format!("{prefix}{stem} ({n}){ext}{slash}")
            };
            if self.taken.insert(fold_name(&path)) {
                return path;
            }
            n += 1;
        }
    }
}

impl Platform {
    /// Plans an archive of `roots` (files and folders the caller located) with everything
    /// below them the caller may see. The Safe is never included.
    pub async fn file_zip_plan(
        &self,
        actor: &Actor,
        roots: &[Located],
    ) -> Result<ZipPlan, DomainError> {
        let mut plan = ZipPlan::default();
        for root in roots {
            if root.area.is_safe() {
                return Err(DomainError::NotFound);
            }
            root.check(actor, FileOp::Read)?;
            let entry = root.entry(actor).ok_or(DomainError::NotFound)?;
            let path = plan.push("", &entry);
            if entry.is_dir {
                self.zip_walk(actor, root.clone(), path, &mut plan).await?;
            }
        }
        Ok(plan)
    }

    /// Adds what is below `folder`, depth first, without recursion in async code.
    async fn zip_walk(
        &self,
        actor: &Actor,
        folder: Located,
        prefix: String,
        plan: &mut ZipPlan,
    ) -> Result<(), DomainError> {
        let mut todo = vec![(folder, prefix)];
        while let Some((folder, prefix)) = todo.pop() {
            for e in self.file_list(actor, &folder).await? {
                let path = plan.push(&prefix, &e);
                if e.is_dir {
                    todo.push((self.locate(actor, e.id).await?, path));
                }
            }
        }
        Ok(())
    }

    /// The archive of a plan as a stream of pieces for a response body. A failure half-way
    /// ends the stream with an error, so the client sees a broken download, not a short one.
    pub fn file_zip_stream(
        &self,
        plan: ZipPlan,
    ) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + 'static {
        let (tx, rx) = mpsc::channel(PIECES_IN_FLIGHT);
        let blobs = self.blobs.clone();
        let rt = tokio::runtime::Handle::current();
        // The zip writer is synchronous: it runs on a blocking thread and waits for the
        // blob reads there, while the channel applies back-pressure from the client.
        tokio::task::spawn_blocking(move || {
            let sink = Sink {
                tx: tx.clone(),
                buf: Vec::with_capacity(PIECE),
            };
            if let Err(e) = write_zip(&rt, &blobs, plan, sink) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|piece| (piece, rx))
        })
    }
}

fn write_zip(
    rt: &tokio::runtime::Handle,
    blobs: &schulhof_blob::Blobs,
    plan: ZipPlan,
    sink: Sink,
) -> io::Result<()> {
    let mut zip = ZipWriter::new_stream(sink);
    for item in plan.items {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(item.size >= u64::from(u32::MAX))
            .last_modified_time(zip_time(item.modified));
        let Some(sha) = item.sha else {
            zip.add_directory(item.path, options)
                .map_err(io::Error::other)?;
            continue;
        };
        zip.start_file(item.path, options)
            .map_err(io::Error::other)?;
        let mut reader = rt
            .block_on(blobs.open_read(&sha))
            .map_err(io::Error::other)?;
        loop {
            let chunk = rt.block_on(reader.chunk(PIECE))?;
            if chunk.is_empty() {
                break;
            }
            zip.write_all(&chunk)?;
        }
    }
    let mut sink = zip.finish().map_err(io::Error::other)?.into_inner();
    sink.flush()
}

/// A ZIP timestamp (local time fields, two-second steps; the earliest ZIP can hold is 1980).
fn zip_time(at: DateTime<Utc>) -> zip::DateTime {
    let local = at.with_timezone(&chrono_tz::Europe::Berlin);
    zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .unwrap_or_default()
}

/// Collects the archive into pieces and hands each to the response; a gone client ends
/// the writing with `BrokenPipe`.
struct Sink {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Sink {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.tx
            .blocking_send(Ok(Bytes::from(piece)))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = PIECE - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_get_numbered_and_folders_keep_their_slash() {
        let mut plan = ZipPlan::default();
        assert_eq!(
            plan.free_path("Abgabe/", "text.txt", false),
            "Abgabe/text.txt"
        );
        assert_eq!(
            plan.free_path("Abgabe/", "Text.txt", false),
            "Abgabe/Text (2).txt"
        );
        assert_eq!(plan.free_path("", "Abgabe", true), "Abgabe/");
        assert_eq!(plan.free_path("", "Abgabe", true), "Abgabe (2)/");
        assert_eq!(plan.free_path("", ".profile", false), ".profile");
        assert_eq!(plan.free_path("", ".profile", false), ".profile (2)");
    }
}
