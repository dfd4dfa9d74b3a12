//! A multipart form with one file: the file streams to a temporary file, never whole in
//! memory, and is capped; the other fields are kept as (short) text.

use std::fs::File;
use std::io::Write;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use tempfile::NamedTempFile;

/// The largest file accepted.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;
/// The request body limit of an upload route: the file plus room for the other fields.
pub const MAX_BODY: usize = MAX_FILE as usize + 1024 * 1024;
/// Written to disk in pieces of about this size.
const FLUSH_AT: usize = 1024 * 1024;
/// A text field longer than this is not a form field of ours.
const MAX_TEXT: usize = 16 * 1024;

/// The uploaded file, on disk until this is dropped.
pub struct SavedFile {
    /// The name the browser gave, without any directory part.
    pub name: String,
    pub temp: NamedTempFile,
}

/// A read form: its text fields in order and the file, if one was chosen.
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<SavedFile>,
}

impl Upload {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub enum UploadError {
    /// Over [`MAX_FILE`] (or the body limit).
    TooLarge,
    /// Not a multipart form we can read.
    Broken,
    /// The temporary file could not be written.
    Io(std::io::Error),
}

impl UploadError {
    pub fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Broken => StatusCode::BAD_REQUEST,
            UploadError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn classify(e: MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Broken
    }
}

/// Reads the form; the field named `file_field` goes to a temporary file. A file input
/// left empty (no name, no content) counts as no file.
pub async fn read(mut form: Multipart, file_field: &str) -> Result<Upload, UploadError> {
    let mut upload = Upload::default();
    while let Some(mut field) = form.next_field().await.map_err(classify)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let file_name = base_name(field.file_name().unwrap_or_default());
            let temp = blocking(NamedTempFile::new).await?;
            let size = stream_to(&mut field, &temp).await?;
            if size > 0 || !file_name.is_empty() {
                upload.file = Some(SavedFile {
                    name: file_name,
                    temp,
                });
            }
        } else {
            let text = short_text(&mut field).await?;
            upload.fields.push((name, text));
        }
    }
    Ok(upload)
}

/// `C:\Users\x\schild.xml` or `a/b/schild.xml` → `schild.xml`.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

async fn short_text(field: &mut Field<'_>) -> Result<String, UploadError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(classify)? {
        if bytes.len() + chunk.len() > MAX_TEXT {
            return Err(UploadError::Broken);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| UploadError::Broken)
}

async fn stream_to(field: &mut Field<'_>, temp: &NamedTempFile) -> Result<u64, UploadError> {
    let mut file = temp.as_file().try_clone().map_err(UploadError::Io)?;
    let mut buf = Vec::with_capacity(FLUSH_AT);
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(classify)? {
        size += chunk.len() as u64;
        if size > MAX_FILE {
            return Err(UploadError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
        if buf.len() >= FLUSH_AT {
            (file, buf) = write(file, buf).await?;
        }
    }
    write(file, buf).await?;
    Ok(size)
}

/// Writes `buf` off the async runtime and hands both back for the next piece.
async fn write(mut file: File, mut buf: Vec<u8>) -> Result<(File, Vec<u8>), UploadError> {
    blocking(move || {
        file.write_all(&buf)?;
        file.flush()?;
        buf.clear();
        Ok((file, buf))
    })
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, UploadError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| UploadError::Io(std::io::Error::other(e)))?
        .map_err(UploadError::Io)
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn keeps_only_the_file_name() {
        assert_eq!(base_name(r"C:\Users\x\Schild.xml"), "Schild.xml");
        assert_eq!(base_name("a/b/Liste.csv"), "Liste.csv");
        assert_eq!(base_name("Plain.json"), "Plain.json");
        assert_eq!(base_name(""), "");
    }
}
