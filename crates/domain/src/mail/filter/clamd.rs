//! ClamAV's daemon over its unix socket: the message is streamed with `zINSTREAM` in chunks
//! (clamd never needs the file system of this node, and this side holds one chunk at a
//! time beyond the message it already has).

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// clamd's default StreamMaxLength is 25 MB; the chunk size only bounds one write.
const CHUNK: usize = 64 * 1024;

/// What clamd said about a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Malware, by the name of the signature that matched.
    Found(String),
}

/// The scanner could not give a verdict: delivery must wait, never skip the scan.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("virus scanner unreachable: {0}")]
    Unreachable(std::io::Error),
    #[error("virus scanner did not answer in time")]
    Timeout,
    #[error("virus scanner error: {0}")]
    Failed(String),
}

/// Streams `raw` to clamd at `socket` and reads its verdict.
pub async fn scan(socket: &Path, raw: &[u8], timeout: Duration) -> Result<Verdict, ScanError> {
    tokio::time::timeout(timeout, scan_inner(socket, raw))
        .await
        .map_err(|_| ScanError::Timeout)?
}

async fn scan_inner(socket: &Path, raw: &[u8]) -> Result<Verdict, ScanError> {
    let mut s = UnixStream::connect(socket)
        .await
        .map_err(ScanError::Unreachable)?;
    let io = |e: std::io::Error| ScanError::Failed(e.to_string());
    s.write_all(b"zINSTREAM\0").await.map_err(io)?;
    for chunk in raw.chunks(CHUNK) {
        // Each chunk: its length as a 4-byte big-endian number, then the bytes.
        let len = u32::try_from(chunk.len()).map_err(|e| ScanError::Failed(e.to_string()))?;
        s.write_all(&len.to_be_bytes()).await.map_err(io)?;
        if let Err(e) = s.write_all(chunk).await {
            // clamd closes the stream when it exceeds its StreamMaxLength; its answer says so.
            tracing::debug!(error = %e, "clamd stopped reading");
            break;
        }
    }
    let _ = s.write_all(&0u32.to_be_bytes()).await;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.map_err(io)?;
    parse(&answer)
}

/// `stream: OK`, `stream: <name> FOUND` or `… ERROR` (NUL-terminated with `z` commands).
fn parse(answer: &[u8]) -> Result<Verdict, ScanError> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n', '\r']).trim();
    let body = text.strip_prefix("stream:").unwrap_or(text).trim();
    if body == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(name) = body.strip_suffix(" FOUND") {
        return Ok(Verdict::Found(name.trim().to_owned()));
    }
    Err(ScanError::Failed(if body.is_empty() {
        "empty answer".into()
    } else {
        body.chars().take(200).collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read() {
        assert_eq!(parse(b"stream: OK\0").ok(), Some(Verdict::Clean));
        assert_eq!(
            parse(b"stream: Eicar-Test-Signature FOUND\0").ok(),
            Some(Verdict::Found("Eicar-Test-Signature".into()))
        );
        assert!(parse(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse(b"").is_err());
    }
}
