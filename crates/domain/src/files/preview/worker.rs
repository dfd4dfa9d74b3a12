//! The background conversion of office documents: every node with LibreOffice runs this
//! worker; a lease in the database makes sure only one of them converts a document.

use std::path::Path;
use std::time::Duration;

use schulhof_blob::BlobRef;
use schulhof_store::files::previews::{self as store, Claimed};

use super::convert;
use super::kind::OFFICE_MAX;
use crate::{DomainError, Platform};

/// A PDF made of a document may be at most this large.
const PDF_OUT_MAX: u64 = 200_000_000;
/// A lease older than this belongs to a node that died while converting.
const STALE: Duration = Duration::from_secs(600);
/// How often the worker looks for waiting documents.
const POLL: Duration = Duration::from_secs(2);
/// How many polls pass between two clean-ups of previews of deleted content (an hour).
const CLEAN_EVERY: u64 = 1800;

impl Platform {
    /// Converts one waiting document, if there is one; `Ok(true)` when it did. A document
    /// LibreOffice cannot convert in time is marked failed and only downloaded.
    pub async fn system_preview_step(&self) -> Result<bool, DomainError> {
        let Some(soffice) = self.config.soffice.clone() else {
            return Ok(false);
        };
        let now = self.now();
        let stale = chrono::Duration::from_std(STALE).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let job = store::system_claim(&mut tx, now, now - stale).await?;
        tx.commit().await?;
        let Some(job) = job else {
            return Ok(false);
        };
        let pdf = match self.convert(&soffice, &job).await {
            Ok(r) => Some(r.sha256),
            Err(e) => {
                tracing::warn!(sha = %job.source_sha, error = %e, "no preview for an office document");
                None
            }
        };
        let mut tx = self.db.begin().await?;
        let kept = store::system_finish(&mut tx, &job, pdf.as_deref(), self.now()).await?;
        tx.commit().await?;
        if !kept {
            tracing::info!(sha = %job.source_sha, "another node took the conversion over");
        }
        Ok(true)
    }

    /// Forgets the previews of content that no file holds any more (their PDFs are then
    /// collected with other unreferenced content).
    pub async fn system_forget_old_previews(&self) -> Result<u64, DomainError> {
        let mut tx = self.db.begin().await?;
        let n = store::system_forget_orphans(&mut tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The worker the server starts: converts waiting documents one after the other. Without
    /// LibreOffice it ends at once (nothing is ever queued then).
    pub async fn system_preview_worker(self) {
        if self.config.soffice.is_none() {
            return;
        }
        let mut every = tokio::time::interval(POLL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut polls: u64 = 0;
        loop {
            every.tick().await;
            loop {
                match self.system_preview_step().await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "preview job failed");
                        break;
                    }
                }
            }
            if polls.is_multiple_of(CLEAN_EVERY)
                && let Err(e) = self.system_forget_old_previews().await
            {
                tracing::error!(error = %e, "preview clean-up failed");
            }
            polls = polls.wrapping_add(1);
        }
    }

    /// Copies the document into a fresh temporary directory, lets LibreOffice make a PDF
    /// there and stores it as content of its own.
    async fn convert(&self, soffice: &Path, job: &Claimed) -> Result<BlobRef, String> {
        if job.ext.is_empty() || !job.ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("odd extension {:?}", job.ext));
        }
        let dir = tempfile::Builder::new()
            .prefix("schulhof-preview-")
            .tempdir()
            .map_err(|e| format!("temporary directory: {e}"))?;
        let input = dir.path().join(format!("document.{}", job.ext));
        let mut reader = self
            .blobs
            .open_read(&job.source_sha)
            .await
            .map_err(|e| e.to_string())?;
        if reader.size() > OFFICE_MAX {
            return Err("too large to convert".to_owned());
        }
        let mut file = tokio::fs::File::create(&input)
            .await
            .map_err(|e| format!("copy: {e}"))?;
        tokio::io::copy(&mut reader, &mut file)
            .await
            .map_err(|e| format!("copy: {e}"))?;
        drop(file);
        let pdf = convert::to_pdf(soffice, &input, dir.path()).await?;
        let pdf = tokio::fs::File::open(&pdf)
            .await
            .map_err(|e| format!("reading the PDF: {e}"))?;
        self.blobs
            .put(pdf, PDF_OUT_MAX)
            .await
            .map_err(|e| e.to_string())
    }
}
